package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

// compareJSON is the part of compare.json these tests read.
type compareJSON struct {
	Comparable bool     `json:"comparable"`
	Warnings   []string `json:"warnings"`
	Systems    []struct {
		Scenario     string   `json:"scenario"`
		System       string   `json:"system"`
		Requests     int64    `json:"requests"`
		Availability float64  `json:"availability"`
		DowntimeS    *float64 `json:"downtime_s"`
		WriteP99MS   *float64 `json:"write_p99_ms"`
	} `json:"systems"`
}

func TestCompareBundledSet(t *testing.T) {
	set, err := scenarios.LoadBundledComparison("rds-vs-aurora-vs-dynamodb")
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "cmp")
	out, errOut, code := run(t, "compare", "rds-vs-aurora-vs-dynamodb", "--replications", "1", "-o", dir, "-q")
	require.Equal(t, exitOK, code, errOut)
	assert.Empty(t, errOut, "-q: nothing on stderr")
	assert.NotContains(t, out, "warning", "the bundled set is a fair comparison")
	assert.Contains(t, out, "same arrivals")
	for _, name := range set.Scenarios {
		assert.Contains(t, out, name)
	}

	for _, f := range []string{"compare.csv", "compare.json", "compare.html",
		"compare-write-p99.png", "compare-write-p99.svg", "compare-availability.png", "compare-availability.svg"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	data, err := os.ReadFile(filepath.Join(dir, "compare.json"))
	require.NoError(t, err)
	var cj compareJSON
	require.NoError(t, json.Unmarshal(data, &cj))
	assert.True(t, cj.Comparable)
	require.Len(t, cj.Systems, len(set.Scenarios))
	for i, s := range cj.Systems {
		assert.Equal(t, set.Scenarios[i], s.Scenario)
		require.NotNil(t, s.WriteP99MS, s.Scenario)
		require.NotNil(t, s.DowntimeS, s.Scenario)
		// Common random numbers: one seed and one workload give every
		// system the same arrivals. Requests still in flight when the run
		// ends are not counted, so the totals may differ by those few.
		assert.InDelta(t, cj.Systems[0].Requests, s.Requests, 10, "%s sees the arrivals of %s", s.Scenario, cj.Systems[0].Scenario)
	}
	// The AZ outage takes the RDS primary and the Aurora writer: both fail
	// over, RDS (60–120 s, fact 1.3) for longer than Aurora (< 30 s
	// with a replica, fact 3.21).
	assert.Equal(t, "rds", cj.Systems[0].System)
	assert.Equal(t, "aurora", cj.Systems[1].System)
	assert.Greater(t, *cj.Systems[0].DowntimeS, *cj.Systems[1].DowntimeS)

	f, err := os.Open(filepath.Join(dir, "compare.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 1+len(set.Scenarios), "a header and a row per system")
	assert.Equal(t, "scenario", rows[0][0])
	assert.Equal(t, set.Scenarios[1], rows[2][0])
}

// smallScenario is a one-minute RDS scenario for the comparability tests.
func smallScenario(name, rate string, seed int) string {
	return `name: ` + name + `
seed: ` + strconv.Itoa(seed) + `
duration: 1m
warmup: 10s
replications: 1
system:
  kind: rds
  instance_class: db.r6g.large
  az: us-east-1a
clients: {az: us-east-1a, instances: 1, connections: 10}
workload:
  - name: web
    arrival: {process: poisson, rate: ` + rate + `}
    mix: {read: 0.8, write: 0.2}
    keys: {dist: uniform, count: 1000}
    item_size: 1KB
`
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

func TestCompareWarnsWhenWorkloadsDiffer(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", smallScenario("small-a", "200/s", 1))
	b := writeFile(t, dir, "b.yaml", smallScenario("small-b", "100/s", 2))

	out, errOut, code := run(t, "compare", a, b, "-o", filepath.Join(dir, "out"), "-q")
	require.Equal(t, exitOK, code, "a warning, not a failure: %s", errOut)
	assert.Contains(t, out, "warning: small-b differs from small-a in seed (2 vs 1), workload[0].arrival.rate (100/s vs 200/s)")
	assert.Contains(t, out, "NOT the same requests")
	data, err := os.ReadFile(filepath.Join(dir, "out", "compare.json"))
	require.NoError(t, err)
	var cj compareJSON
	require.NoError(t, json.Unmarshal(data, &cj))
	assert.False(t, cj.Comparable)
	require.Len(t, cj.Warnings, 1)
	html, err := os.ReadFile(filepath.Join(dir, "out", "compare.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "workload[0].arrival.rate (100/s vs 200/s)")

	// --seed gives both one seed: only the rate is left to warn about.
	out, _, code = run(t, "compare", a, b, "--seed", "9", "--json")
	require.Equal(t, exitOK, code)
	require.NoError(t, json.Unmarshal([]byte(out), &cj))
	require.Len(t, cj.Warnings, 1)
	assert.NotContains(t, cj.Warnings[0], "seed")
	assert.Contains(t, cj.Warnings[0], "arrival.rate")

	// Same seed, same workload: no warning, and the same arrivals.
	c := writeFile(t, dir, "c.yaml", smallScenario("small-c", "200/s", 1))
	out, _, code = run(t, "compare", a, c, "--json")
	require.Equal(t, exitOK, code)
	require.NoError(t, json.Unmarshal([]byte(out), &cj))
	assert.Empty(t, cj.Warnings)
	assert.True(t, cj.Comparable)
	assert.Equal(t, cj.Systems[0].Requests, cj.Systems[1].Requests, "one system twice: exactly the same requests")
}

func TestCompareBadInput(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", smallScenario("small-a", "200/s", 1))
	twin := writeFile(t, dir, "twin.yaml", smallScenario("small-a", "200/s", 1))
	bad := writeFile(t, dir, "bad.yaml", "name: x\nseed: one\n")
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "at least two"},
		{[]string{a}, "at least two needed"},
		{[]string{a, "no-such-scenario"}, "no such file"},
		{[]string{a, bad}, "bad.yaml:"},
		{[]string{a, twin}, `two scenarios are named "small-a"`},
		{[]string{a, "rds-multi-az-failover", "--replications", "0"}, "--replications must be at least 1"},
		{[]string{a, "rds-multi-az-failover", "--frobnicate"}, "flag provided but not defined"},
	} {
		_, errOut, code := run(t, append([]string{"compare", "-o", out}, tc.args...)...)
		assert.Equal(t, exitBadInput, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
	}
	assert.NoDirExists(t, out, "refused input writes nothing")
}

func TestListShowsComparisons(t *testing.T) {
	out, _, code := run(t, "list")
	require.Equal(t, exitOK, code)
	i := strings.Index(out, "Comparisons")
	require.GreaterOrEqual(t, i, 0, out)
	assert.Contains(t, out[i:], "rds-vs-aurora-vs-dynamodb")
	assert.NotContains(t, out[:i], "rds-vs-aurora-vs-dynamodb", "under its own heading")
}
