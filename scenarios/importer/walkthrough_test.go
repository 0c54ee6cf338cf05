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
