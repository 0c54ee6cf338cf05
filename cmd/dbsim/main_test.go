package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// summary is the part of summary.json these tests read.
type summary struct {
	Availability float64 `json:"availability"`
	LostWrites   int64   `json:"lost_writes"`
	Failovers    []struct {
		DurationS     *float64 `json:"duration_s"`
		ClientOutageS *float64 `json:"client_outage_s"`
		LostWrites    int64    `json:"lost_writes"`
	} `json:"failovers"`
}

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(args, &o, &e)
	return o.String(), e.String(), code
}

func runJSON(t *testing.T, args ...string) (summary, string) {
	t.Helper()
	out, errOut, code := run(t, append(args, "--json")...)
	require.Equal(t, exitOK, code, "dbsim %v: %s", args, errOut)
	var s summary
	require.NoError(t, json.Unmarshal([]byte(out), &s), out)
	return s, out
}

func TestMultiAZFailoverInPublishedRange(t *testing.T) {
	// fact 1.3: a Multi-AZ instance failover typically takes 60–120 s;
	// fact 1.1: synchronous replication, so no acknowledged write is lost.
	s, _ := runJSON(t, "run", "rds-multi-az-failover")
	require.NotEmpty(t, s.Failovers)
	for _, f := range s.Failovers {
		require.NotNil(t, f.DurationS)
		assert.GreaterOrEqual(t, *f.DurationS, 60.0)
		assert.LessOrEqual(t, *f.DurationS, 120.0)
		assert.Zero(t, f.LostWrites)
	}
	assert.Zero(t, s.LostWrites)
	assert.Less(t, s.Availability, 1.0)
	assert.Greater(t, s.Availability, 0.5)
}

func TestSingleAZCrashIsMuchLonger(t *testing.T) {
	multi, _ := runJSON(t, "run", "rds-multi-az-failover", "--replications", "1")
	single, _ := runJSON(t, "run", "rds-single-az-crash", "--replications", "1")
	require.Len(t, single.Failovers, 1)
	m, s := *multi.Failovers[0].DurationS, *single.Failovers[0].DurationS
	assert.Greater(t, s, 3*m, "single-AZ outage %.0f s vs Multi-AZ failover %.0f s", s, m)
	assert.Less(t, single.Availability, multi.Availability)
}

func TestDNSCachingLengthensTheClientOutage(t *testing.T) {
	s, _ := runJSON(t, "run", "client-dns-cache", "--replications", "1")
	require.Len(t, s.Failovers, 1)
	f := s.Failovers[0]
	require.NotNil(t, f.ClientOutageS, "the clients recover once their cached answers expire")
	assert.Greater(t, *f.ClientOutageS, *f.DurationS+30, "clients %.0f s vs engine %.0f s", *f.ClientOutageS, *f.DurationS)

	honest, _ := runJSON(t, "run", "rds-multi-az-failover", "--replications", "1")
	assert.Greater(t, *f.ClientOutageS, *honest.Failovers[0].ClientOutageS+30)
}

func TestSameSeedSameBytesWhateverGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var outs []string
	for _, procs := range []int{1, 4} {
		runtime.GOMAXPROCS(procs)
		dir := t.TempDir()
		_, errOut, code := run(t, "run", "rds-multi-az-failover", "--replications", "4", "-o", dir)
		require.Equal(t, exitOK, code, errOut)
		b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		require.NoError(t, err)
		outs = append(outs, string(b))
	}
	assert.Equal(t, outs[0], outs[1], "summary.json differs between GOMAXPROCS=1 and 4")

	other, _ := runJSON(t, "run", "rds-multi-az-failover", "--replications", "1", "--seed", "2")
	same, _ := runJSON(t, "run", "rds-multi-az-failover", "--replications", "1", "--seed", "1")
	assert.NotEqual(t, other, same, "another seed gives another run")
}

func TestBadInputExitsTwoAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(`name: bad
duration: 10
system: {kind: rds, colour: blue}
workload:
  - name: w
    arrival: {rate: -5/s}
    mix: {read: 0.5, write: 0.6}
`), 0o644))
	out := filepath.Join(dir, "out")
	_, errOut, code := run(t, "run", bad, "-o", out)
	assert.Equal(t, exitBadInput, code)
	for _, want := range []string{"bad.yaml:2:", "bad.yaml:3:", "bad.yaml:6:", "bad.yaml:7:"} {
		assert.Contains(t, errOut, want)
	}
	assert.NoDirExists(t, out, "a refused scenario writes nothing")

	_, errOut, code = run(t, "validate", bad)
	assert.Equal(t, exitBadInput, code)
	assert.GreaterOrEqual(t, strings.Count(errOut, "bad.yaml:"), 4, errOut)
}

func TestCommandLine(t *testing.T) {
	out, _, code := run(t, "list")
	assert.Equal(t, exitOK, code)
	for _, name := range []string{"rds-multi-az-failover", "rds-single-az-crash", "client-dns-cache"} {
		assert.Contains(t, out, name)
	}
	out, _, code = run(t, "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "Examples:")

	_, _, code = run(t, "frobnicate")
	assert.Equal(t, exitBadInput, code)
	_, errOut, code := run(t, "run", "no-such-scenario")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "dbsim list")

	out, _, code = run(t, "validate", "rds-multi-az-failover")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "ok")

	// A suspect but allowed scenario: ok, with its warnings on stderr.
	out, errOut, code = run(t, "validate", "../../scenarios/testdata/warnings/aurora-quorums.yaml")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "ok")
	assert.Contains(t, errOut, "aurora-quorums.yaml:9:19: system.storage.write_quorum: warning: read quorum 2 + write quorum 2")
}

func TestRunWritesTheReport(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := run(t, "run", "rds-multi-az-failover", "--replications", "1", "-o", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "availability")
	for _, f := range []string{"summary.json", "timeseries.csv", "latency.png", "latency.svg",
		"availability.png", "availability.svg", "throughput.png", "throughput.svg"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
}

// run -q prints nothing but errors: no summary, no warnings, no progress;
// the report is written all the same.
func TestRunQuiet(t *testing.T) {
	dir, file := writeTiny(t)
	out := filepath.Join(dir, "out")
	stdout, stderr, code := run(t, "run", file, "-q", "-o", out)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	assert.Empty(t, stderr)
	assert.FileExists(t, filepath.Join(out, "summary.json"))

	weak := "../../scenarios/testdata/warnings/aurora-quorums.yaml"
	_, stderr, code = run(t, "run", weak, "--replications", "1", "--json")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "warning:", "without -q, the warnings")
	stdout, stderr, code = run(t, "run", weak, "--replications", "1", "--json", "-q")
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stderr, "-q: no warnings")
	var s summary
	require.NoError(t, json.Unmarshal([]byte(stdout), &s), "--json still prints summary.json")

	_, stderr, code = run(t, "run", "no-such-scenario", "-q")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "no such file", "-q: errors all the same")
}
