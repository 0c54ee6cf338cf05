package main

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeTiny(t *testing.T) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	file = filepath.Join(dir, "tiny.yaml")
	tiny, err := os.ReadFile("../../scenarios/testdata/tiny.yaml") // one minute, a primary failure at 20 s
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, tiny, 0o644))
	return dir, file
}

// readDir returns every file in dir by name (not those in its
// subdirectories: a sweep's points/).
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = b
	}
	return out
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestShardedSweepMergesToTheUnshardedBytes(t *testing.T) {
	dir, file := writeTiny(t)
	grid := []string{file,
		"--set", "workload[0].arrival.rate=100/s,200/s,400/s",
		"--set", "clients.retry.max_attempts=1,3",
		"--replications", "2", "--target", "write.p99<50ms", "-q"}
	whole := filepath.Join(dir, "whole")
	out, errOut, code := run(t, append([]string{"sweep", "-o", whole}, grid...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "targets: write.p99 < 50 ms (judged on the mean over replications)")

	shards := filepath.Join(dir, "shards")
	for i, s := range []string{"0/4", "1/4", "2/4", "3/4"} {
		out, errOut, code := run(t, append([]string{"sweep", "--shard", s, "-o", shards}, grid...)...)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, "dbsim merge "+shards)
		assert.FileExists(t, filepath.Join(shards, []string{"sweep-shard-0-of-4.json", "sweep-shard-1-of-4.json", "sweep-shard-2-of-4.json", "sweep-shard-3-of-4.json"}[i]))
	}
	merged := filepath.Join(dir, "merged")
	mout, errOut, code := run(t, "merge", shards, "-o", merged)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, out0(out), out0(mout)) // the same table and answer

	a, b := readDir(t, whole), readDir(t, merged)
	require.Equal(t, keys(a), keys(b))
	assert.Contains(t, a, "sweep.csv")
	assert.Contains(t, a, "sweep.json")
	assert.Contains(t, a, "sweep-write_p99_ms-by-workload0.arrival.rate.png")
	for name := range a {
		assert.True(t, string(a[name]) == string(b[name]), "%s differs between the unsharded and the merged sweep", name)
	}

	// A shard missing: bad input, named.
	require.NoError(t, os.Remove(filepath.Join(shards, "sweep-shard-2-of-4.json")))
	_, errOut, code = run(t, "merge", shards, "-o", merged)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "missing shard(s) 2 of 4")
}

// out0 drops the last line ("sweep written to DIR/..."), which names the
// output directory.
func out0(s string) string {
	i := strings.LastIndex(strings.TrimSuffix(s, "\n"), "\n")
	return s[:i+1]
}

func TestSweepBadInputExitsTwo(t *testing.T) {
	_, file := writeTiny(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--set", "system.instance_class=db.r6g.large,db.nope"}, "tiny.yaml:8:19: --set system.instance_class=db.nope: system.instance_class: unknown instance class \"db.nope\""},
		{[]string{"--set", "system.instance_clas=db.r6g.large"}, "tiny.yaml:6:1: --set system.instance_clas=db.r6g.large: system.instance_clas does not exist"},
		{[]string{"--set", "workload[1].arrival.rate=1/s"}, "workload[1] does not exist: workload has 1 item(s)"},
		{[]string{"--set", "seed"}, "want PATH=V1,V2"},
		{[]string{}, "no --set"},
		{[]string{"--set", "seed=1,2", "--target", "write.p99<20"}, "a duration with its unit"},
		{[]string{"--set", "seed=1,2", "--shard", "2/2"}, "want i/n with 0 ≤ i < n"},
		{[]string{"--set", "seed=1,2", "--plot", "nope"}, "unknown metric"},
		{[]string{"--set", "seed=1,2", "--replications", "0"}, "at least 1"},
		{[]string{"--set", "seed=1,2", "--prices", "/no/such/file"}, "no such file"},
	} {
		_, errOut, code := run(t, append([]string{"sweep", file, "-q", "-o", t.TempDir()}, c.args...)...)
		assert.Equal(t, exitBadInput, code, "%v: %s", c.args, errOut)
		assert.Contains(t, errOut, c.want, c.args)
	}
	_, errOut, code := run(t, "merge", t.TempDir())
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "holds no sweep-shard-*.json")
}

func TestSweepWithOwnPrices(t *testing.T) {
	dir, file := writeTiny(t)
	out, _, code := run(t, "sweep", "--print-prices")
	require.Equal(t, exitOK, code)
	// Halve the db.r6g.large price (fact 7.2: $0.225/h).
	own := strings.Replace(out, "usd_per_hour: 0.225,", "usd_per_hour: 0.1125,", 1)
	require.NotEqual(t, out, own)
	prices := filepath.Join(dir, "prices.yaml")
	require.NoError(t, os.WriteFile(prices, []byte(own), 0o644))
	res := filepath.Join(dir, "out")
	out, errOut, code := run(t, "sweep", file, "--set", "system.multi_az=instance", "--set", "system.instance_class=db.r6g.large,db.r6g.2xlarge",
		"--replications", "1", "--prices", prices, "-o", res, "-q")
	require.Equal(t, exitOK, code, errOut)
	csvText, err := os.ReadFile(filepath.Join(res, "sweep.csv"))
	require.NoError(t, err)
	// 2 × $0.1125 × 730 h + 100 GB × 2 × $0.115 = $187.25; the 2xlarge is
	// scaled by vCPUs (8/2) and marked estimated: 2 × $0.45 × 730 + $23 =
	// $680.00.
	assert.Contains(t, string(csvText), ",187.25,187.25,187.25,false\n")
	assert.Contains(t, string(csvText), ",680.00,680.00,680.00,true\n")
	assert.Contains(t, out, "* cost estimated")
}

// cancelAfter is a stderr that cancels a run once it has printed n
// lines that contain what (a sweep's "] point " lines: n points done).
type cancelAfter struct {
	bytes.Buffer
	what   string
	n      int
	cancel context.CancelCauseFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.n -= strings.Count(string(p), c.what)
	if c.n <= 0 && c.cancel != nil {
		c.cancel(signalled{syscall.SIGTERM})
		c.cancel = nil
	}
	return c.Buffer.Write(p)
}

// readTree returns every file under dir by its path in dir.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = b
		return err
	}))
	return out
}

// A sweep stopped after 2 of its 6 points keeps them; the same command
// then runs only the other 4, and writes the bytes of a sweep never
// stopped. A changed scenario runs every point again, as --fresh does.
func TestStoppedSweepResumesToTheSameBytes(t *testing.T) {
	dir, file := writeTiny(t)
	grid := []string{file,
		"--set", "workload[0].arrival.rate=100/s,200/s,400/s",
		"--set", "clients.retry.max_attempts=1,3",
		"--replications", "2", "--target", "write.p99<50ms", "--workers", "1"}
	whole := filepath.Join(dir, "whole")
	wantOut, errOut, code := run(t, append([]string{"sweep", "-o", whole}, grid...)...)
	require.Equal(t, exitOK, code, errOut)

	stopped := filepath.Join(dir, "stopped")
	ctx, cancel := context.WithCancelCause(context.Background())
	stderr := &cancelAfter{what: "] point ", n: 2, cancel: cancel}
	code = MainContext(ctx, append([]string{"sweep", "-o", stopped}, grid...), io.Discard, stderr)
	require.Equal(t, exitSignal+15, code, stderr.String())
	assert.Contains(t, stderr.String(), "2 of the 6 points are kept in "+filepath.Join(stopped, "points")+": the same command resumes from them")
	files := readTree(t, stopped)
	assert.Len(t, files, 2, "only the finished points, whole: %v", keys(files))
	for name := range files {
		assert.True(t, strings.HasPrefix(name, "points"+string(filepath.Separator)) && strings.HasSuffix(name, ".json"), name)
	}

	out, errOut, code := run(t, append([]string{"sweep", "-o", stopped}, grid...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "resuming: 2 of the 6 points are already in "+filepath.Join(stopped, "points")+"; running the other 4")
	assert.Equal(t, 4, strings.Count(errOut, "] point "), errOut)
	assert.Equal(t, wantOut, strings.ReplaceAll(out, stopped, whole))
	a, b := readTree(t, whole), readTree(t, stopped)
	require.Equal(t, keys(a), keys(b))
	assert.Len(t, a, 6+2+2*5*2, "6 points, sweep.csv and .json, 5 plots × 2 axes × PNG and SVG: %v", keys(a))
	for name := range a {
		assert.True(t, bytes.Equal(a[name], b[name]), "%s differs between the stopped-and-resumed and the whole sweep", name)
	}

	// Run again: every point is there, nothing runs, the same bytes.
	_, errOut, code = run(t, append([]string{"sweep", "-o", stopped}, grid...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "resuming: 6 of the 6 points")
	assert.Equal(t, 0, strings.Count(errOut, "] point "), errOut)

	// A point file cut short (a machine that died writing it) is run again.
	pts, err := filepath.Glob(filepath.Join(stopped, "points", "*.json"))
	require.NoError(t, err)
	require.Len(t, pts, 6)
	require.NoError(t, os.WriteFile(pts[0], a[mustRel(t, stopped, pts[0])][:20], 0o644))
	_, errOut, code = run(t, append([]string{"sweep", "-o", stopped}, grid...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "resuming: 5 of the 6 points")
	assert.Equal(t, 1, strings.Count(errOut, "] point "), errOut)
	assert.Contains(t, errOut, "[6/6] point ")
	assert.Equal(t, a, readTree(t, stopped))

	// Another seed is another scenario: nothing of the old one is used.
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, bytes.Replace(src, []byte("seed: 7"), []byte("seed: 8"), 1), 0o644))
	_, errOut, code = run(t, append([]string{"sweep", "-o", stopped}, grid...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, errOut, "resuming")
	assert.Equal(t, 6, strings.Count(errOut, "] point "), errOut)

	// --fresh forgets every stored point.
	_, errOut, code = run(t, append([]string{"sweep", "-o", stopped, "--fresh"}, grid...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, errOut, "resuming")
	assert.Equal(t, 6, strings.Count(errOut, "] point "), errOut)
	pts, err = filepath.Glob(filepath.Join(stopped, "points", "*.json"))
	require.NoError(t, err)
	assert.Len(t, pts, 6, "the old seed's points are gone")
}

func mustRel(t *testing.T, base, path string) string {
	t.Helper()
	rel, err := filepath.Rel(base, path)
	require.NoError(t, err)
	return rel
}
