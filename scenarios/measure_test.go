package scenarios

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"dbsim/sim"
)

func TestMeasureAReplication(t *testing.T) {
	s := func(x float64) sim.Time { return sim.Time(x * 1e9) }
	write := sim.NewLatency()
	for _, ms := range []int{2, 4, 999} {
		write.Record(time.Duration(ms) * time.Millisecond)
	}
	rep := &Replication{
		Requests: Requests{Total: 1000, OK: 990, Failed: 10},
		Latency:  Latencies{Write: write, All: write},
		Failovers: []Failover{
			{Start: s(60), Accepting: s(90), ClientsRecovered: s(100), LostWrites: 2},
			{Start: s(300), Accepting: s(330), ClientsRecovered: -1, LostWrites: 3}, // clients never got back
		},
	}
	m := Measure(rep)
	assert.Equal(t, 0.99, m.Availability)
	// No read succeeded: no read quantile.
	assert.True(t, math.IsNaN(m.Read.P50))
	assert.InDelta(t, 4.0, m.Write.P50, 0.004) // within the histogram's 0.1%
	// The histogram's bucket tops lie above 999 ms; the quantile is capped
	// at the largest span recorded.
	assert.Equal(t, 999.0, m.Write.P999)
	assert.Equal(t, m.Write, m.All)
	assert.Equal(t, FailoverSpans{Duration: 30, ClientOutage: 40}, m.Failovers[0])
	assert.Equal(t, 30.0, m.Failovers[1].Duration)
	assert.True(t, math.IsNaN(m.Failovers[1].ClientOutage))
	assert.Equal(t, 30.0, m.FailoverDuration)
	assert.True(t, math.IsNaN(m.ClientOutage), "a failover the clients never recovered from leaves no mean")
	assert.Equal(t, int64(5), m.LostWrites)

	m = Measure(&Replication{})
	assert.True(t, math.IsNaN(m.Availability), "no request measured")
	assert.True(t, math.IsNaN(m.FailoverDuration), "no failover")
	assert.Empty(t, m.Failovers)
}
