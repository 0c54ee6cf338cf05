package importer

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
	"dbsim/scenarios/cloudwatch"
)

// walkthroughExport makes the README walkthrough's synthetic export
// (testdata/walkthrough/export.json): two days per minute of the carts
// table's ConsumedWriteCapacityUnits and ConsumedReadCapacityUnits, each
// minute's Sum, in get-metric-data's shape (newest first, as the CLI
// lists them; fact 15.1). The rate follows a daily cycle (a trough at
// 04:00, a peak at 16:00: 40 to 260 WCU/s, reads twice that in RCU/s),
// with ±10 % noise from minute to minute and, on the second day, a
// 20-minute sale at 20:00 that doubles the traffic.
func walkthroughExport() []byte {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	const minutes = 2 * 24 * 60
	rng := rand.New(rand.NewPCG(14, 2026))
	wcu := make([]float64, minutes)
	rcu := make([]float64, minutes)
	for i := range wcu {
		h := float64(i%(24*60)) / 60
		rate := 150 - 110*math.Cos(2*math.Pi*(h-4)/24)
		if i >= 24*60+20*60 && i < 24*60+20*60+30 {
			rate *= 3
		}
		wcu[i] = math.Round(rate*(0.9+0.2*rng.Float64())*60*10) / 10
		rcu[i] = math.Round(2*rate*(0.9+0.2*rng.Float64())*60*10) / 10
	}
	result := func(id, label string, v []float64) cloudwatch.Result {
		r := cloudwatch.Result{ID: id, Label: label, StatusCode: "Complete"}
		for i := len(v) - 1; i >= 0; i-- {
			r.Timestamps = append(r.Timestamps, cloudwatch.Stamp(start.Add(time.Duration(i)*time.Minute)))
			r.Values = append(r.Values, v[i])
		}
		return r
	}
	resp := cloudwatch.Response{MetricDataResults: []cloudwatch.Result{
		result("wcu", "ConsumedWriteCapacityUnits", wcu),
		result("rcu", "ConsumedReadCapacityUnits", rcu),
	}, Messages: []cloudwatch.Message{}}
	data, err := json.MarshalIndent(resp, "", "    ")
	if err != nil {
		panic(err)
	}
	return append(data, '\n')
}

func TestWalkthroughExport(t *testing.T) {
	// The committed export is walkthroughExport's (regenerate with
	// -update), and it reads as two days per minute of both series.
	file := filepath.Join("testdata", "walkthrough", "export.json")
	want := walkthroughExport()
	if *update {
		require.NoError(t, os.WriteFile(file, want, 0o644))
	}
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "%s is not walkthroughExport's (go test ./scenarios/importer -update)", file)
	all, err := cloudwatch.Read(got, 0)
	require.NoError(t, err)
	require.Len(t, all, 2)
	for _, s := range all {
		assert.Equal(t, time.Minute, s.Period)
		assert.Len(t, s.Values, 2*24*60)
	}
}

func walkthroughFiles(t *testing.T, names ...string) []File {
	t.Helper()
	var files []File
	for _, n := range names {
		name := filepath.Join("testdata", "walkthrough", n)
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		files = append(files, File{Name: name, Data: data})
	}
	return files
}

func TestImportCloudWatchExport(t *testing.T) {
	// Written beside the export, the scenario names it by its base name;
	// to stdout, relative to the working directory. Each series is a
	// workload, the duration the export's, fluid mode for two days.
	files := walkthroughFiles(t, "table.json", "export.json")
	for _, c := range []struct{ scenario, ref string }{
		{filepath.Join("testdata", "walkthrough", "walk.yaml"), "export.json"},
		{"", "testdata/walkthrough/export.json"},
		{filepath.Join("testdata", "golden", "walk.yaml"), "../walkthrough/export.json"},
	} {
		res, err := Import(files, Options{Scenario: c.scenario})
		require.NoError(t, err)
		y := string(res.YAML)
		assert.Contains(t, y, "file: "+c.ref+", metric: ConsumedWriteCapacityUnits}")
		assert.Contains(t, y, "file: "+c.ref+", metric: ConsumedReadCapacityUnits}")
		assert.Contains(t, y, "ops: {put: 1}")
		assert.Contains(t, y, "ops: {get: 1}")
		assert.Contains(t, y, "duration: 2d")
		assert.Contains(t, y, "\nmode: fluid\n")
		assert.Contains(t, y, "# The replayed history per request would be ~1.2e8 simulated requests")
		name := c.scenario
		if name == "" {
			name = scenarios.StdinName
		}
		s, err := scenarios.Parse(name, res.YAML)
		require.NoError(t, err, y)
		require.Len(t, s.Workload, 2)
		assert.Equal(t, scenarios.ModeFluid, s.Mode)
	}
}

func TestImportShortExportRunsPerRequest(t *testing.T) {
	// Ten minutes of the export are a short per-request run: no fluid
	// mode, and the scenario runs as written.
	files := walkthroughFiles(t, "table.json")
	all, err := cloudwatch.Read(walkthroughExport(), 0)
	require.NoError(t, err)
	resp := cloudwatch.Response{}
	for _, s := range all {
		r := cloudwatch.Result{ID: s.ID, Label: s.Label, StatusCode: "Complete"}
		for i := range 10 {
			r.Timestamps = append(r.Timestamps, cloudwatch.Stamp(s.Start.Add(time.Duration(i)*s.Period)))
			r.Values = append(r.Values, s.Values[i])
		}
		resp.MetricDataResults = append(resp.MetricDataResults, r)
	}
	dir := t.TempDir()
	data, err := json.Marshal(resp)
	require.NoError(t, err)
	export := filepath.Join(dir, "short.json")
	require.NoError(t, os.WriteFile(export, data, 0o644))
	out := filepath.Join(dir, "short.yaml")
	res, err := Import(append(files, File{Name: export, Data: data}), Options{Scenario: out})
	require.NoError(t, err)
	assert.NotContains(t, string(res.YAML), "\nmode:")
	assert.Contains(t, string(res.YAML), "duration: 10m")
	s, err := scenarios.Parse(out, res.YAML)
	require.NoError(t, err)
	s.Duration = scenarios.Duration(time.Minute)
	_, err = scenarios.Run(s, scenarios.Options{})
	require.NoError(t, err)
}

func TestImportExportErrors(t *testing.T) {
	table := walkthroughFiles(t, "table.json")
	// From stdin: the scenario could not name it.
	_, err := Import(append(table, File{Name: scenarios.StdinName, Data: walkthroughExport()}), Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "give it as a file")
	// What the trace reader refuses, import refuses.
	bad := []byte(`{"MetricDataResults": [{"Id": "w", "Label": "ConsumedWriteCapacityUnits", "Timestamps": ["2026-03-02T00:01:00+00:00"], "Values": []}]}`)
	_, err = Import(append(table, File{Name: "bad.json", Data: bad}), Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.json: MetricDataResults[0] (ConsumedWriteCapacityUnits): 1 Timestamps but 0 Values")
	// An export without consumed capacity: a warning, the default workload.
	other := []byte(`{"MetricDataResults": [{"Id": "t", "Label": "WriteThrottleEvents", "Timestamps": ["2026-03-02T00:01:00+00:00", "2026-03-02T00:00:00+00:00"], "Values": [0, 0]}]}`)
	res, err := Import(append(table, File{Name: "other.json", Data: other}), Options{})
	require.NoError(t, err)
	require.Len(t, res.Warnings, 1)
	assert.Contains(t, res.Warnings[0].Error(), "no ConsumedWriteCapacityUnits or ConsumedReadCapacityUnits series (found: WriteThrottleEvents)")
	assert.Contains(t, string(res.YAML), "process: poisson")
	// Beside an RDS instance: warned, not imported.
	rds, err := os.ReadFile(filepath.Join("testdata", "cli-rds-instances.json"))
	require.NoError(t, err)
	res, err = Import([]File{{Name: "db.json", Data: rds}, walkthroughFiles(t, "export.json")[0]}, Options{})
	require.NoError(t, err)
	assert.Contains(t, string(res.YAML), "consumed capacity replays against a DynamoDB table")
	assert.NotContains(t, string(res.YAML), "process: trace")
}
