package sweep

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"dbsim/scenarios"
)

func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		in, metric, op string
		value          float64
	}{
		{"write.p99<20ms", "write.p99", "<", 20},
		{"write.p99 < 0.02s", "write.p99", "<", 20},
		{"p99<=5ms", "all.p99", "<=", 5},
		{"availability>=0.9995", "availability", ">=", 0.9995},
		{"availability >= 99.95%", "availability", ">=", 0.9995},
		{"failover.duration<90s", "failover.duration", "<", 90},
		{"failover.duration<1.5m", "failover.duration", "<", 90},
		{"client_outage<2m", "client.outage", "<", 120},
		{"cost<500", "cost", "<", 500},
		{"cost<$500", "cost", "<", 500},
		{"lost_writes<=0", "lost_writes", "<=", 0},
		{"write_p999_ms<100ms", "write.p999", "<", 100},
	} {
		tg, err := ParseTarget(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.metric, Metrics[tg.Metric].Name, c.in)
		assert.Equal(t, c.op, tg.Op, c.in)
		assert.InDelta(t, c.value, tg.Value, 1e-9, c.in)
	}
	for _, c := range []struct{ in, want string }{
		{"write.p99", "want METRIC OP VALUE"},
		{"write.p99=20ms", "unknown comparison"},
		{"write.p42<20ms", "unknown metric"},
		{"write.p99<20", "duration"},
		{"availability>1.5", "fraction"},
		{"cost<cheap", "not a number"},
		{"cost<", "no value"},
	} {
		_, err := ParseTarget(c.in)
		require.Error(t, err, c.in)
		assert.Contains(t, err.Error(), c.want, c.in)
	}
	tg, _ := ParseTarget("write.p99<20ms")
	assert.Equal(t, "write.p99 < 20 ms", tg.String())
	assert.True(t, tg.Met(19.9))
	assert.False(t, tg.Met(20))
	assert.False(t, tg.Met(math.NaN()))
	assert.InDelta(t, 0.5, tg.Miss(30), 1e-12)
	av, _ := ParseTarget("availability>=99.95%")
	assert.InDelta(t, 1.0, av.Miss(0.999), 1e-9) // twice the allowed downtime
}

// synthetic builds a result from per-point (write p99, availability, cost)
// means, one replication each.
func synthetic(points ...[3]float64) *Result {
	r := &Result{Format: Format, Shards: 1, Points: len(points), Metrics: metricNames()}
	wm, _ := LookupMetric("write.p99")
	am, _ := LookupMetric("availability")
	cm, _ := LookupMetric("cost")
	for i, p := range points {
		vals := make([]scenarios.Number, len(Metrics))
		vals[wm], vals[am], vals[cm] = scenarios.Number(p[0]), scenarios.Number(p[1]), scenarios.Number(p[2])
		r.Results = append(r.Results, PointResult{Index: i, Replications: [][]scenarios.Number{vals}})
	}
	return r
}

func TestAnswerCheapestMeetingEveryTarget(t *testing.T) {
	p99, _ := ParseTarget("write.p99<20ms")
	avail, _ := ParseTarget("availability>=0.999")
	r := synthetic(
		[3]float64{30, 0.9999, 100}, // too slow
		[3]float64{10, 0.9999, 400},
		[3]float64{15, 0.9995, 300}, // the cheapest that meets both
		[3]float64{12, 0.99, 200},   // not available enough
	)
	a := r.Answer([]Target{p99, avail})
	require.NotNil(t, a.Best)
	assert.Equal(t, 2, a.Best.Index)
	assert.Equal(t, 2, a.Meeting)
	assert.Nil(t, a.Closest)

	// Nothing meets 5 ms: the closest is the one with the smallest
	// relative miss (10 ms: 100%), not the cheapest.
	strict, _ := ParseTarget("write.p99<5ms")
	a = r.Answer([]Target{strict})
	assert.Nil(t, a.Best)
	require.NotNil(t, a.Closest)
	assert.Equal(t, 1, a.Closest.Index)
	assert.InDelta(t, 1.0, a.Misses[0], 1e-12)
}

// replicated builds a result whose points have these write p99s, one per
// replication, and these costs.
func replicated(costs []float64, p99s ...[]float64) *Result {
	r := &Result{Format: Format, Shards: 1, Points: len(p99s), Metrics: metricNames()}
	wm, _ := LookupMetric("write.p99")
	cm, _ := LookupMetric("cost")
	for i, xs := range p99s {
		p := PointResult{Index: i}
		for _, x := range xs {
			vals := make([]scenarios.Number, len(Metrics))
			vals[wm], vals[cm] = scenarios.Number(x), scenarios.Number(costs[i])
			p.Replications = append(p.Replications, vals)
		}
		r.Results = append(r.Results, p)
	}
	return r
}

func TestDoubtsNameWhatCouldChangeTheAnswer(t *testing.T) {
	p99, _ := ParseTarget("write.p99<20ms")
	r := replicated([]float64{100, 200, 300},
		[]float64{8, 1311, 10, 12, 9}, // cheapest: mean 270 ms misses, but its interval reaches below 20
		[]float64{17, 19, 21, 18, 20}, // chosen: mean 19, interval crosses 20
		[]float64{5, 6, 5, 6, 5},      // dearer and sure: never in doubt
	)
	a := r.Answer([]Target{p99})
	require.NotNil(t, a.Best)
	require.Equal(t, 1, a.Best.Index)
	ds := r.Doubts(a, []Target{p99})
	require.Len(t, ds, 2)
	assert.Equal(t, 0, ds[0].Point.Index, "a cheaper point that might meet the target after all")
	assert.Equal(t, 1, ds[1].Point.Index, "the chosen point, not surely meeting it")

	// The suggestion narrows the Student-t interval to the gap: mean 19,
	// sd 1.58, gap 1 → t(0.975, n−1)·1.58/√n < 1 first at n = 13.
	assert.Equal(t, 13, ds[1].Replications)
	xs := []float64{17, 19, 21, 18, 20}
	mean, sd := stat.MeanStdDev(xs, nil)
	half := func(n int) float64 {
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975) * sd / math.Sqrt(float64(n))
	}
	assert.Less(t, half(13), 20-mean)
	assert.GreaterOrEqual(t, half(12), 20-mean)

	// Sure points raise no doubt; a mean on the target cannot be settled.
	sure := replicated([]float64{100}, []float64{5, 6, 5})
	assert.Empty(t, sure.Doubts(sure.Answer([]Target{p99}), []Target{p99}))
	on := replicated([]float64{100}, []float64{19, 21, 20})
	ds = on.Doubts(on.Answer([]Target{p99}), []Target{p99})
	require.Len(t, ds, 1)
	assert.Zero(t, ds[0].Replications)
}
