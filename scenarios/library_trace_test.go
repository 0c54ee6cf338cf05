package scenarios

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dynamodb-cloudwatch-replay does what its description says: the export's
// write units become puts at 16 WCU each (the Sum over 60 s is WCU/s,
// fact 15.2; a 16 KB put costs 16 WCU, fact 5.6), the ramp is absorbed by
// auto scaling, the spike at 8:50 throttles, and the ramp past 9:25,
// on partitions of unequal ranges after the spike's splits, throttles
// a little (as the export does not).
func TestDynamoDBCloudWatchReplay(t *testing.T) {
	s, err := LoadBundled("dynamodb-cloudwatch-replay")
	require.NoError(t, err)
	tr := s.Workload[0].Arrival.Trace
	require.NotNil(t, tr)
	assert.Equal(t, "write-units", tr.Unit, "the default for ConsumedWriteCapacityUnits")
	assert.Equal(t, "Sum", tr.Stat)
	assert.Equal(t, 16.0, tr.UnitsPerRequest)
	assert.Len(t, tr.Others, 1, "the measured WriteThrottleEvents")
	assert.Equal(t, "trace: poisson within each 60 s period", s.Workload[0].ArrivalModel(ModePerRequest))

	units := 0.0
	for _, v := range tr.Series.Values {
		units += v
	}
	want := units / 16
	rep := run(t, s)
	got := float64(rep.Requests.Total)
	assert.InDelta(t, want, got, 4*math.Sqrt(want), "requests: the export's units over 16 (Poisson: ±4 sd)")
	t.Logf("requests %.0f, the export's write units / 16 = %.0f", got, want)

	col, ok := rep.Series.Lookup(ColumnWriteThrottled)
	require.True(t, ok)
	thr := rep.Series.Values(col)
	per := int(tr.Period() / rep.Series.Bucket())
	sum := func(from, to int) float64 { // minutes [from, to)
		n := 0.0
		for b := from * per; b < to*per && b < len(thr); b++ {
			n += thr[b]
		}
		return n
	}
	assert.Positive(t, sum(50, 54), "the spike throttles")
	assert.Less(t, sum(0, 50), 0.01*sum(50, 54), "the ramp is absorbed, all but a few puts")
	assert.Positive(t, sum(85, 120), "the late trickle")
	assert.Less(t, sum(85, 120), sum(50, 54))
	assert.Equal(t, float64(rep.Requests.Throttled), sum(0, 120), "every throttle is a write")
}
