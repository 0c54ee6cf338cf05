package sweep

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

func TestNumberJSONRoundTrip(t *testing.T) {
	r := &Result{Format: Format, Scenario: "x", Shards: 1, Points: 1, Metrics: metricNames(),
		Axes:    []Axis{{Paths: []string{"seed"}, Values: [][]string{{"1"}}}},
		Targets: []string{}, Plots: []string{},
		Results: []PointResult{{Index: 0, Values: []string{"1"}, Replications: [][]scenarios.Number{make([]scenarios.Number, len(Metrics))}}}}
	vals := r.Results[0].Replications[0]
	vals[0] = 0.1 + 0.2 // not a short decimal
	vals[1] = scenarios.Number(math.NaN())
	vals[2] = 1e-300
	var b bytes.Buffer
	require.NoError(t, r.WriteJSON(&b))
	assert.Contains(t, b.String(), "null")
	back, err := ReadResult(&b)
	require.NoError(t, err)
	got := back.Results[0].Replications[0]
	assert.Equal(t, vals[0], got[0]) // exactly
	assert.True(t, math.IsNaN(float64(got[1])))
	assert.Equal(t, vals[2], got[2])
}

func TestStatIsStudentTInterval(t *testing.T) {
	m, _ := LookupMetric("write.p99")
	p := &PointResult{Replications: [][]scenarios.Number{{}, {}, {}}}
	for i, v := range []float64{10, 12, 14} {
		p.Replications[i] = make([]scenarios.Number, len(Metrics))
		p.Replications[i][m] = scenarios.Number(v)
	}
	// mean 12, s = 2, t(0.975; 2) = 4.302653: half-width 4.302653·2/√3.
	mean, lo, hi := p.Stat(m)
	assert.Equal(t, 12.0, mean)
	assert.InDelta(t, 12-4.968275, lo, 1e-5)
	assert.InDelta(t, 12+4.968275, hi, 1e-5)
	// Clamped at 0: latencies are not negative.
	p.Replications[0][m] = 0
	p.Replications[1][m] = 0
	p.Replications[2][m] = 9
	_, lo, _ = p.Stat(m)
	assert.Equal(t, 0.0, lo)
	// A replication without a value leaves the mean without one.
	p.Replications[1][m] = scenarios.Number(math.NaN())
	assert.True(t, math.IsNaN(p.Mean(m)))
}

func TestShardRunsDoNotDependOnTheShard(t *testing.T) {
	sw := &Sweep{Base: tiny(t), Axes: axes(t, "workload[0].arrival.rate=100/s,200/s,300/s"), Replications: 1}
	all, err := sw.Run(Options{Workers: 1})
	require.NoError(t, err)
	var parts []*Result
	for i := range 2 {
		part, err := sw.Run(Options{Shard: i, Shards: 2, Workers: 3})
		require.NoError(t, err)
		for _, p := range part.Results {
			assert.Equal(t, i, p.Index%2)
			assert.Equal(t, all.Results[p.Index], p, "point %d", p.Index)
		}
		parts = append(parts, part)
	}
	merged, err := Merge([]*Result{parts[1], parts[0]}, []string{"b", "a"})
	require.NoError(t, err)
	assert.Equal(t, all, merged)

	_, err = Merge(parts[:1], []string{"a"})
	assert.ErrorContains(t, err, "missing shard(s) 1 of 2")
	_, err = Merge([]*Result{parts[0], parts[0]}, []string{"a", "a2"})
	assert.ErrorContains(t, err, "given twice")
	other := *parts[1]
	other.Fingerprint = "0000"
	_, err = Merge([]*Result{parts[0], &other}, []string{"a", "b"})
	assert.ErrorContains(t, err, "another sweep")
	_, err = sw.Run(Options{Shard: 2, Shards: 2})
	assert.ErrorContains(t, err, "does not exist")
}
