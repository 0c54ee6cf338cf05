package sweep

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
