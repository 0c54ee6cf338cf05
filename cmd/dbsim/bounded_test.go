package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

func TestABillionRequestsASecondIsRefusedAtOnce(t *testing.T) {
	path := writeTemp(t, "big.yaml", "name: big\nduration: 10m\nsystem: {kind: rds}\nworkload: [{name: w, arrival: {rate: 1000M/s}}]\n")
	out := filepath.Join(filepath.Dir(path), "out")
	start := time.Now()
	_, errOut, code := run(t, "run", path, "-o", out)
	took := time.Since(start)
	t.Logf("refused in %v: %s", took, errOut)
	assert.Less(t, took, time.Second)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, path+": too big to run: ~6.0e11 simulated requests")
	assert.Contains(t, errOut, "3.6e12 events over 2.0e10")
	assert.Contains(t, errOut, "pass --force to run it anyway")
	assert.NoDirExists(t, out)

	_, errOut, code = run(t, "validate", path)
	assert.Equal(t, exitBadInput, code, "validate errs the same way")
	assert.Contains(t, errOut, "too big to run")
	stdout, errOut, code := run(t, "validate", path, "--force")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errOut, "warning: ")
	assert.Contains(t, stdout, path+": ok; ~6.0e11 simulated requests")

	_, errOut, code = run(t, "compare", path, "rds-multi-az-failover")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "too big to run")
	_, errOut, code = run(t, "sweep", path, "--set", "seed=1,2", "-o", out)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "too big to run")
}

func TestAFaultEveryNanosecondIsRefused(t *testing.T) {
	path := writeTemp(t, "mttf.yaml", `name: mttf
duration: 10m
system: {kind: rds, multi_az: instance}
workload: [{name: w, arrival: {rate: 100/s}}]
faults: [{kind: az-outage, az: us-east-1a, mttf: 1ns, mttr: 1ns}]
`)
	_, errOut, code := run(t, "run", path, "--json")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "9.0e11 fault events for 60000 requests")

	out, _, code := run(t, "validate", "rds-multi-az-failover")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "rds-multi-az-failover: ok; ~1.8e6 simulated requests")
}

func TestOversizedFileIsRefused(t *testing.T) {
	path := writeTemp(t, "huge.yaml", strings.Repeat("# padding\n", 500_000))
	_, errOut, code := run(t, "run", path)
	assert.Equal(t, exitBadInput, code)
	assert.Equal(t, path+": too large (4.8 MB; scenarios are at most 4 MB)\n", errOut)
}

// testCommand registers a command for one test.
func testCommand(t *testing.T, name string, fn func(ctx context.Context) error) {
	commands[name] = command{summary: "test", run: func(ctx context.Context, _ []string, _, _ io.Writer) error { return fn(ctx) }}
	t.Cleanup(func() { delete(commands, name) })
}

func TestPanicsAreInternalErrors(t *testing.T) {
	testCommand(t, "boom", func(context.Context) error { panic("injected") })
	_, errOut, code := run(t, "boom")
	assert.Equal(t, exitRuntime, code)
	assert.Contains(t, errOut, "dbsim: internal error: injected")
	assert.Contains(t, errOut, "bounded_test.go", "the stack")

	testCommand(t, "boom-in-a-replication", func(context.Context) error {
		return &scenarios.PanicError{Scenario: "s", Replication: 2, Value: "injected", Stack: []byte("goroutine 7 [running]:\n")}
	})
	_, errOut, code = run(t, "boom-in-a-replication")
	assert.Equal(t, exitRuntime, code)
	assert.Equal(t, "dbsim: internal error: panic in s, replication 2: injected (a bug in dbsim; please report it with the scenario)\ngoroutine 7 [running]:\n", errOut)
}

func TestRunOverTheMemoryLimitStopsWithExitOne(t *testing.T) {
	var exited []int
	var mu sync.Mutex
	exit = func(code int) { mu.Lock(); exited = append(exited, code); mu.Unlock() }
	defer func() { exit = os.Exit }()
	out := filepath.Join(t.TempDir(), "out")
	start := time.Now()
	_, errOut, code := run(t, "run", "order-processing-rds", "--max-memory", "1MB", "-o", out)
	assert.Equal(t, exitRuntime, code)
	assert.Regexp(t, `^dbsim: out of memory: heap \d+ MB over the limit of 1 MB \(--max-memory\); the scenario's estimate was ~4.3e6 simulated requests .*; nothing written\n$`, errOut)
	assert.Less(t, time.Since(start), 3*time.Second, "the run stops soon after the heap passes the limit")
	assert.NoDirExists(t, out)
	mu.Lock()
	assert.Empty(t, exited, "the run stopped by itself: no hard exit")
	mu.Unlock()
}

func TestProgressReadsTheReplications(t *testing.T) {
	defer func(d time.Duration) { progressDelay = d }(progressDelay)
	progressDelay, progressOnAnyWriter = 0, true
	defer func() { progressOnAnyWriter = false }()
	s, err := scenarios.LoadBundled("order-processing-rds")
	require.NoError(t, err)
	s.Replications = 1
	var p scenarios.Progress
	var buf bytes.Buffer
	stop := showProgress(&buf, &p, s.Duration.D(), 1)
	_, err = scenarios.Run(s, scenarios.Options{Progress: &p})
	time.Sleep(600 * time.Millisecond)
	stop()
	require.NoError(t, err)
	t.Logf("%q", buf.String()[:min(300, buf.Len())])
	assert.Contains(t, buf.String(), "simulated 12:00 of 12:00")
	assert.False(t, isTerminal(&buf))
}

// buildDBSim builds the command into a temporary directory. It leaves
// out the profile-guided optimisation (default.pgo), which changes how
// fast the binary runs and not what it does, and would compile every
// dependency a second time, beside the test's own build.
func buildDBSim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dbsim")
	cmd := exec.Command("go", "build", "-pgo=off", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run())
	return bin
}

func TestSignalStopsTheRunAndWritesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildDBSim(t)
	// Ten hours at 1000/s: about a minute of work, well within the limits.
	long := writeTemp(t, "long.yaml", "name: long\nduration: 10h\nsystem: {kind: rds}\nworkload: [{name: w, arrival: {rate: 1000/s}}]\n")
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		parent := t.TempDir()
		out := filepath.Join(parent, "out")
		cmd := exec.Command(bin, "run", long, "-o", out)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		time.Sleep(time.Second)
		require.NoError(t, cmd.Process.Signal(c.sig))
		err := cmd.Wait()
		var ee *exec.ExitError
		require.True(t, errors.As(err, &ee), "%v: %s", err, stderr.String())
		assert.Equal(t, c.code, ee.ExitCode(), stderr.String())
		assert.Regexp(t, `^dbsim: interrupted at simulated \d+:\d\d:\d\d of 10:00:00; nothing written\n$`, stderr.String())
		left, _ := os.ReadDir(parent)
		assert.Empty(t, left, "no out/, no hidden .out.tmp-*")
	}
}

// A day at 60,000 requests/s on DynamoDB is too big per request;
// the refusal proposes mode: fluid with its estimate, which runs it. An
// RDS scenario as big gets no such proposal (no fluid mode), nor does a
// DynamoDB one with what the fluid mode does not model (a network
// partition).
func TestTooBigProposesFluidMode(t *testing.T) {
	const ddb = "name: days\nduration: 24h\nsystem: {kind: dynamodb, table: {mode: on-demand}}\nworkload: [{name: w, arrival: {rate: 60000/s}, mix: {read: 0.5, write: 0.5}}]\n"
	path := writeTemp(t, "weeks.yaml", ddb)
	out := filepath.Join(filepath.Dir(path), "out")
	_, errOut, code := run(t, "run", path, "-o", out)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "too big to run")
	assert.Contains(t, errOut, "in fluid mode it would take about")
	assert.Contains(t, errOut, "add the top-level key `mode: fluid`")
	assert.NoDirExists(t, out)

	fluid := writeTemp(t, "weeks-fluid.yaml", ddb+"mode: fluid\n")
	stdout, errOut, code := run(t, "run", fluid, "-o", out)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, stdout, "fluid mode: latency not simulated per request")

	rds := writeTemp(t, "rds.yaml", "name: days\nduration: 24h\nsystem: {kind: rds}\nworkload: [{name: w, arrival: {rate: 60000/s}}]\n")
	_, errOut, code = run(t, "run", rds, "-o", out+"2")
	assert.Equal(t, exitBadInput, code)
	assert.NotContains(t, errOut, "fluid")
	cut := writeTemp(t, "cut.yaml", ddb+"faults: [{at: 1h, kind: network-partition, between: [us-east-1a, us-east-1b], for: 1m}]\n")
	_, errOut, code = run(t, "run", cut, "-o", out+"3")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "too big to run")
	assert.NotContains(t, errOut, "fluid")
}
