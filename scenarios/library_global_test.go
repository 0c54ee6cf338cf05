package scenarios

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bundled aurora-global-failover: a switchover, then an outage of the
// new primary's Region and an operator's failover back.
func TestAuroraGlobalFailoverStory(t *testing.T) {
	rep := runBundled(t, "aurora-global-failover")
	require.Len(t, rep.Failovers, 2)
	sw, fo := rep.Failovers[0], rep.Failovers[1]

	// Fact 3.36: the secondary's lag is typically under a second; the
	// mechanism puts it near half the 87 ms round trip (fact 6.5) plus the
	// replication server's time.
	for _, name := range []string{"lag_ms:us-west-2", "lag_ms:us-east-1"} {
		col, ok := rep.Series.Lookup(name)
		require.True(t, ok, name)
		n, sum, worst := 0, 0.0, 0.0
		for _, v := range rep.Series.Values(col) {
			if !math.IsNaN(v) {
				n++
				sum += v
				worst = max(worst, v)
			}
		}
		require.Positive(t, n, "%s has samples while it is a secondary", name)
		assert.Greater(t, sum/float64(n), 43.5, "%s mean lag below the one-way trip", name)
		assert.Less(t, worst, 1000.0, "fact 3.36: %s lag under a second", name)
	}

	// Fact 3.37: a switchover loses nothing (RPO 0); the writes stop while
	// the secondary synchronises and the roles move (fact 3.40: 1–2 min).
	require.NotNil(t, sw.Restore)
	assert.Equal(t, "global-switchover", sw.Restore.Kind)
	assert.Equal(t, sw.Start, sw.Restore.RestoredTo, "RPO 0")
	assert.Zero(t, sw.LostWrites)
	d := sw.Accepting.Sub(sw.Start)
	assert.Greater(t, d, 2*time.Minute)
	assert.Less(t, d, 2*time.Minute+30*time.Second)

	// Fact 3.37: an unplanned failover's RPO is the lag at the failure
	// (seconds at most, here about a tenth of one) and its RTO minutes:
	// the operator's 3 minutes, the 1-minute promotion, the engine start
	// and DNS.
	require.NotNil(t, fo.Restore)
	assert.Equal(t, "global-failover", fo.Restore.Kind)
	assert.Equal(t, "Region outage", fo.Cause)
	rpo := fo.Start.Sub(fo.Restore.RestoredTo)
	assert.Positive(t, rpo)
	assert.Less(t, rpo, time.Second)
	assert.Positive(t, fo.LostWrites, "the writes not yet shipped are lost")
	rto := fo.ClientsRecovered.Sub(fo.Start)
	assert.Greater(t, rto, 4*time.Minute)
	assert.Less(t, rto, 5*time.Minute)

	// The writer's Region sets the latency the clients in us-east-1 see:
	// a cross-Region trip while it is us-west-2 (fact 6.5: 87 ms).
	col, ok := rep.Series.Lookup("all_p50_ms")
	require.True(t, ok)
	p50 := rep.Series.Values(col)
	at := func(d time.Duration) float64 { return p50[int(d/rep.Series.Bucket())] }
	assert.Less(t, at(3*time.Minute), 5.0)
	assert.InDelta(t, 90, at(10*time.Minute), 10)
	assert.Less(t, at(30*time.Minute), 5.0)
}
