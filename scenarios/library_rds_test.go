package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReplicaLagRunsAwayThenDrains(t *testing.T) {
	// aws-facts 2.3, 2.4: a single apply thread (~4,400 writes/s here)
	// falls behind a 6,000 writes/s burst; lag is a queue that drains after.
	rep := runBundled(t, "replica-lag-write-burst")
	require.Len(t, rep.Lag, 1)
	assert.Greater(t, rep.Lag[0].Dist.Max(), 20*time.Second, "lag ran away during the burst")
	col, ok := rep.Series.Lookup("lag_ms:replica-1")
	require.True(t, ok)
	lag := rep.Series.Values(col)
	at := func(d time.Duration) float64 { return lag[int(d/rep.Series.Bucket())] }
	assert.Less(t, at(2*time.Minute), 100.0, "milliseconds below apply capacity")
	// Growth ≈ 1 − 4,444/6,000 ≈ 0.26 s per second of burst.
	assert.InDelta(t, 0.26*60*1000, at(4*time.Minute), 6000, "lag one minute into the burst")
	assert.Less(t, at(9*time.Minute), 100.0, "drained after the burst")
	assert.Greater(t, rep.StaleReads, int64(0), "reads on the lagging replica were stale")
	staleSeriesSums(t, rep, 0)
	sc, _ := rep.Series.Lookup("stale_reads")
	stale := rep.Series.Values(sc)
	at = func(d time.Duration) float64 { return stale[int(d/rep.Series.Bucket())] }
	assert.Zero(t, at(2*time.Minute), "no stale reads of the cold keys while the replica keeps up")
	assert.Positive(t, at(4*time.Minute), "stale reads during the burst")
}

func TestPromotingALaggingReplicaLosesTheTail(t *testing.T) {
	// aws-facts 2.13: promotion takes minutes and loses what the replica had
	// not received; here the primary keeps acknowledging writes meanwhile.
	rep := runBundled(t, "promote-lagging-replica")
	require.Len(t, rep.Failovers, 1)
	f := rep.Failovers[0]
	d := f.Accepting.Sub(f.Start)
	assert.GreaterOrEqual(t, d, 3*time.Minute, "promotion reboots the replica")
	// 500 acknowledged writes/s for the 3-minute promotion, plus the WAN tail.
	assert.InDelta(t, 500*d.Seconds(), float64(f.LostWrites), 0.05*500*d.Seconds())
}

func TestMultiAZClusterFailsOverFastAndCommitsFaster(t *testing.T) {
	// aws-facts 1.13–1.15: commit on the faster standby's ack, failover < 35 s.
	c := runBundled(t, "multi-az-cluster-failover")
	i := runBundled(t, "rds-multi-az-failover")
	require.Len(t, c.Failovers, 1)
	f := c.Failovers[0]
	assert.Less(t, f.Accepting.Sub(f.Start), 35*time.Second)
	assert.Zero(t, f.LostWrites)
	// Before the failure (after it, the instance deployment commits without
	// a mirror until its replacement standby is in sync).
	before := func(rep *Replication) float64 {
		col, ok := rep.Series.Lookup("write_p50_ms")
		require.True(t, ok)
		v := rep.Series.Values(col)
		b := rep.Series.Bucket()
		sum, n := 0.0, 0
		for k := int(time.Minute / b); k < int(170*time.Second/b); k++ {
			sum += v[k]
			n++
		}
		return sum / float64(n)
	}
	cw, iw := before(c), before(i)
	assert.Less(t, cw, 0.7*iw, "semi-sync to local NVMe (%.2f ms) beats the EBS mirror (%.2f ms)", cw, iw)
}
