package scenarios

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLagLeavesOutCopiesThatAreNotReplicating(t *testing.T) {
	// A Multi-AZ DB cluster's writer crashes at 0:30: a standby is
	// promoted and the failed old writer takes its slot, down until RDS
	// replaces it (6 min, after the run). It replicates nothing, so its
	// slot reports no lag (NaN in the series) rather than a lag growing
	// one second per second, and the summary's distributions hold only
	// the standbys' real, millisecond lags.
	s, err := Parse("lag.yaml", []byte(`name: lag
seed: 1
duration: 2m
warmup: 5s
system: {kind: rds, engine: postgres, instance_class: db.r6gd.large, multi_az: cluster}
workload: [{name: w, arrival: {rate: 200/s}, mix: {read: 0.5, write: 0.5}}]
faults: [{at: 30s, kind: instance-failure, target: primary}]
`))
	require.NoError(t, err)
	rep, err := RunReplication(s, 0)
	require.NoError(t, err)
	require.Len(t, rep.Failovers, 1)
	require.Len(t, rep.Lag, 2)
	for _, l := range rep.Lag {
		assert.Less(t, l.Dist.Max(), time.Second, "%s: the failed old writer's downtime is no lag", l.Name)
	}
	gaps := 0
	for _, name := range []string{"lag_ms:standby-1", "lag_ms:standby-2"} {
		col, ok := rep.Series.Lookup(name)
		require.True(t, ok)
		vals := rep.Series.Values(col)
		require.Len(t, vals, 120)
		for _, v := range vals[60:] {
			if math.IsNaN(v) {
				gaps++
			}
		}
	}
	assert.Equal(t, 60, gaps, "one slot is empty from the failover to the end")
}

func TestUnfinishedPromotionReportsWhatItWouldLose(t *testing.T) {
	// A read replica promotion requested 30 s before the end of the run
	// takes 3 minutes (promote_time): it is still under way at the end.
	// Replication stopped at the request, and the old primary has
	// acknowledged about 30 s × 100 writes/s since, all missing on the
	// replica: the unfinished failover reports them, not 0.
	s, err := Parse("promote.yaml", []byte(`name: promote
seed: 1
duration: 90s
warmup: 5s
system: {kind: rds, engine: postgres, instance_class: db.r6g.large, read_replicas: [{az: us-east-1b}]}
workload: [{name: w, arrival: {rate: 200/s}, mix: {read: 0.5, write: 0.5}}]
faults: [{at: 60s, kind: promote-replica, target: replica-1}]
`))
	require.NoError(t, err)
	rep, err := RunReplication(s, 0)
	require.NoError(t, err)
	require.Len(t, rep.Failovers, 1)
	f := rep.Failovers[0]
	assert.EqualValues(t, -1, f.Accepting, "still under way")
	assert.True(t, f.ByPromotion)
	assert.InDelta(t, 30*100, float64(f.LostWrites), 30*100*0.15)
}
