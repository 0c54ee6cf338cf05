package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An output directory that cannot be written is refused before anything
// runs, with status 2 and the path as the user gave it (not the temporary
// directory the report is written through).
func TestUnwritableOutputIsRefusedAtOnce(t *testing.T) {
	dir, tiny := writeTiny(t)
	file := writeFile(t, dir, "a-file", "not a directory")
	shards := filepath.Join(dir, "shards")
	require.NoError(t, os.Mkdir(shards, 0o755))
	writeFile(t, shards, "sweep-shard-0-of-1.json", "{}")
	bad := []struct{ out, want string }{
		{filepath.Join(file, "out"), file + " is a file, not a directory"},
		{file, "exists and is not a directory"},
	}
	if os.Geteuid() != 0 { // root writes in a read-only directory
		ro := filepath.Join(dir, "read-only")
		require.NoError(t, os.Mkdir(ro, 0o555))
		bad = append(bad, struct{ out, want string }{filepath.Join(ro, "out"), "cannot write in " + ro + ": permission denied"})
	}
	if runtime.GOOS == "linux" {
		bad = append(bad, struct{ out, want string }{"/proc/dbsim-out", "cannot write in /proc: "})
	}
	for _, b := range bad {
		for _, args := range [][]string{
			{"run", "rds-multi-az-failover", "-o", b.out},
			{"compare", "order-processing-rds", "order-processing-aurora", "-o", b.out},
			{"sweep", tiny, "--set", "seed=1,2", "-o", b.out},
			{"merge", shards, "-o", b.out},
		} {
			start := time.Now()
			stdout, stderr, code := run(t, args...)
			assert.Less(t, time.Since(start), time.Second, "%v: refused before running", args)
			assert.Equal(t, exitBadInput, code, "%v: %s", args, stderr)
			assert.Empty(t, stdout)
			assert.True(t, strings.HasPrefix(stderr, "dbsim "+args[0]+": -o "+b.out+": "), "%v: %s", args, stderr)
			assert.Contains(t, stderr, b.want, "%v", args)
			assert.NotContains(t, stderr, "tmp-", "%v", args)
			assert.NotContains(t, stderr, "probe", "%v", args)
		}
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "."), "no probe left behind: %s", e.Name())
	}
}

// A directory that does not exist yet, under one that can be written, is
// fine: the report makes it.
func TestCheckOutDir(t *testing.T) {
	dir := t.TempDir()
	assert.NoError(t, checkOutDir("run", filepath.Join(dir, "a", "b", "c")))
	assert.NoError(t, checkOutDir("run", dir))
	assert.NoError(t, checkOutDir("run", "."))
	assert.NoDirExists(t, filepath.Join(dir, "a"), "the check makes nothing")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no probe left behind")
}

// dbsim run writes cloudwatch.json beside summary.json, at the period
// --cloudwatch-period asks for; a period that is not whole seconds is bad
// input.
func TestRunWritesCloudWatchJSON(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	_, errOut, code := run(t, "run", "dynamodb-autoscaling-lag", "-q", "--cloudwatch-period", "5m", "-o", dir)
	require.Equal(t, exitOK, code, errOut)
	data, err := os.ReadFile(filepath.Join(dir, "cloudwatch.json"))
	require.NoError(t, err)
	var doc struct {
		MetricDataResults []struct {
			Label      string
			Timestamps []string
			Messages   []struct{ Code, Value string }
		}
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.NotEmpty(t, doc.MetricDataResults)
	r := doc.MetricDataResults[0]
	assert.Equal(t, "ConsumedReadCapacityUnits", r.Label)
	assert.Equal(t, "2026-01-01T00:05:00+00:00", r.Timestamps[len(r.Timestamps)-2], "5-minute periods from the fixed epoch")
	assert.Contains(t, r.Messages, struct{ Code, Value string }{"Period", "300"})

	_, errOut, code = run(t, "run", "dynamodb-autoscaling-lag", "-q", "--cloudwatch-period", "1.5s", "-o", dir)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "want whole seconds")
}
