package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReplicaLagRunsAwayThenDrains(t *testing.T) {
	// fact 2.3, 2.4: a single apply thread (~4,400 writes/s here)
	// falls behind a 6,000 writes/s burst; lag is a queue that drains after.
	rep := runBundled(t, "replica-lag-write-burst")
	require.Len(t, rep.Lag, 1)
	col, ok := rep.Series.Lookup("lag_ms:replica-1")
	require.True(t, ok)
	lag := rep.Series.Values(col)
	at := func(d time.Duration) float64 { return lag[int(d/rep.Series.Bucket())] }
	assert.Less(t, at(2*time.Minute), 100.0, "milliseconds below apply capacity")
	// The backlog grows by 6,000 − 4,444 writes every second of the
	// one-minute burst from 3:00, and the newest write waits for it to be
	// applied: lag grows by (6,000 − 4,444)/4,444 ≈ 0.35 s per second. The
	// backlog (≈93,000 writes) then drains at 4,444 − 1,000 writes/s, in
	// about 27 s.
	assert.InDelta(t, 0.35*30*1000, at(3*time.Minute+30*time.Second), 3000, "lag half a minute into the burst")
	assert.InDelta(t, 0.35*60*1000, rep.Lag[0].Dist.Max().Seconds()*1000, 3000, "lag at the end of the burst")
	assert.Less(t, at(5*time.Minute), 100.0, "drained after the burst")
	assert.Greater(t, rep.StaleReads, int64(0), "reads on the lagging replica were stale")
	staleSeriesSums(t, rep, 0)
	sc, _ := rep.Series.Lookup("stale_reads")
	stale := rep.Series.Values(sc)
	at = func(d time.Duration) float64 { return stale[int(d/rep.Series.Bucket())] }
	assert.Zero(t, at(2*time.Minute), "no stale reads of the cold keys while the replica keeps up")
	assert.Positive(t, at(3*time.Minute+30*time.Second), "stale reads during the burst")
}

func TestPromotingALaggingReplicaLosesTheTail(t *testing.T) {
	// fact 2.13: promotion takes minutes and loses what the replica had
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
	// fact 1.13–1.15: commit on the faster standby's ack, failover < 35 s.
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

// availability is ok/(ok+failed) of the requests that arrived in [from, to).
func availabilityBetween(t *testing.T, rep *Replication, from, to time.Duration) float64 {
	ok, failed := column(t, rep, "ok"), column(t, rep, "failed")
	b := rep.Series.Bucket()
	var o, f float64
	for k := int(from / b); k < int(to/b) && k < len(ok); k++ {
		o += ok[k]
		f += failed[k]
	}
	return o / (o + f)
}

func TestOverloadEndsWithinSecondsOfTheRelief(t *testing.T) {
	// Two minutes at about twice the instance's capacity: saturated, named
	// so, serving at capacity; the engine's queue is bounded by its
	// connections and the clients' by their timeouts, so service returns
	// within seconds of the relief at 3:00.
	rep := runBundled(t, "rds-overload-recovery")
	require.Len(t, rep.Saturations, 1)
	e := rep.Saturations[0]
	assert.Equal(t, "primary", e.Name)
	assert.InDelta(t, 60, e.Start.Seconds(), 2, "saturated from the start of the overload")
	assert.Less(t, e.End.Seconds(), 195.0, "and not 15 s after its end")
	assert.Equal(t, 1.0, availabilityBetween(t, rep, 3*time.Minute+15*time.Second, 5*time.Minute), "every request after the backlog")
	ok := column(t, rep, "ok")
	served := 0.0
	for s := 90; s < 150; s++ {
		served += ok[s]
	}
	// 2 vCPUs / 0.70 ms mean service (80 % reads of 0.58 ms, 20 % writes
	// of 1.16 ms): ~2,860 requests/s.
	assert.InDelta(t, 2860, served/60, 150, "served at capacity while saturated")
	util := column(t, rep, "utilization:primary")
	assert.Less(t, util[50], 0.6, "half busy before")
	assert.Greater(t, util[120], 0.99, "all busy during")
	narrative := ""
	for _, ev := range rep.Events {
		narrative += ev.Text + "\n"
	}
	assert.Contains(t, narrative, "db-1 (primary) saturated since 1:00")
	assert.Contains(t, narrative, "db-1 (primary) no longer saturated")
	assert.Empty(t, rep.Failovers, "overload is not a failover")
}

func TestRetryStormStaysSaturatedUnlessRetriesAreBudgeted(t *testing.T) {
	// After a 30 s spike the clients' six unjittered attempts per request,
	// each costing a statement and a new connection, ask ~9 vCPUs of a
	// 2-vCPU instance: it stays saturated after the trigger is gone. Without
	// retries, or with the SDKs' retry budget, the load after the spike is
	// below capacity and it recovers in seconds; jitter spreads the retries
	// but makes as many, so it does not.
	data, err := library.ReadFile("library/retry-storm-metastable.yaml")
	require.NoError(t, err)
	variant := func(old, new string) *Scenario {
		s, err := Parse("retry-storm-metastable.yaml", []byte(strings.Replace(string(data), old, new, 1)))
		require.NoError(t, err)
		return s
	}
	retry := "retry: {max_attempts: 6, base: 10ms, cap: 10ms, jitter: none}"
	cases := []struct {
		name      string
		s         *Scenario
		recovered bool
	}{
		{"as bundled", variant("", ""), false},
		{"no retries", variant(retry, "retry: {max_attempts: 1}"), true},
		{"retry budget", variant(retry, "retry: {max_attempts: 6, base: 10ms, cap: 10ms, jitter: none, budget: {}}"), true},
		{"backoff and jitter", variant(retry, "retry: {max_attempts: 6, base: 100ms, cap: 5s, jitter: full}"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rep, err := RunReplication(c.s, 0)
			require.NoError(t, err)
			assert.Equal(t, 1.0, availabilityBetween(t, rep, 0, time.Minute), "fine before the spike")
			require.NotEmpty(t, rep.Saturations)
			e := rep.Saturations[0]
			assert.InDelta(t, 60, e.Start.Seconds(), 2)
			after := availabilityBetween(t, rep, 2*time.Minute, 4*time.Minute)
			if c.recovered {
				assert.Less(t, e.End.Seconds(), 100.0, "recovered within seconds of the spike's end")
				assert.Equal(t, 1.0, after)
				return
			}
			assert.Equal(t, 240.0, e.End.Seconds(), "still saturated when the run ends")
			assert.Less(t, after, 0.01, "every request fails long after the spike")
		})
	}
}

func TestFailoverReconnectStormMeetsTheConnectionLimit(t *testing.T) {
	// A fleet of 40 client processes with pools of 50 needs few
	// connections while the primary is healthy, but after a failover every
	// process dials for its backlog at once: 2,000 connections against a
	// new primary that admits 500. The storm fills it (a saturation
	// episode of connections, not CPU), the surplus is refused, and the
	// clients recover on the connections they got.
	data, err := library.ReadFile("library/rds-multi-az-failover.yaml")
	require.NoError(t, err)
	text := strings.NewReplacer("  instances: 4\n", "  instances: 40\n", "replications: 3", "replications: 1",
		"duration: 10m", "duration: 5m", "  standby_az: us-east-1b\n", "  standby_az: us-east-1b\n  max_connections: 500\n").Replace(string(data))
	s, err := Parse("storm.yaml", []byte(text))
	require.NoError(t, err)
	rep, err := RunReplication(s, 0)
	require.NoError(t, err)
	require.Len(t, rep.Failovers, 1)
	f := rep.Failovers[0]
	conns := column(t, rep, "connections:primary")
	before := 0.0
	for _, c := range conns[60:170] {
		before = max(before, c)
	}
	assert.Less(t, before, 250.0, "a healthy primary needs a fraction of the fleet's 2,000")
	require.NotEmpty(t, rep.Saturations)
	e := rep.Saturations[0]
	assert.InDelta(t, f.Accepting.Seconds(), e.Start.Seconds(), 6, "the storm comes when the new primary opens")
	assert.Equal(t, 500, e.PeakConns, "every connection taken")
	assert.Less(t, e.PeakUtilization, 0.95, "by connections, not CPU")
	assert.NotEqual(t, -1, f.ClientsRecovered, "the clients recover on the connections they got")
}

// The bundled rds-region-failover: the primary's Region fails 10 s after
// the link to the cross-Region replica; the operator promotes the replica.
func TestRDSRegionFailoverStory(t *testing.T) {
	rep := runBundled(t, "rds-region-failover")
	require.Len(t, rep.Failovers, 1)
	f := rep.Failovers[0]
	require.NotNil(t, f.Restore, "a recovery from another Region, not a failover")
	assert.Equal(t, "cross-region-replica", f.Restore.Kind)
	assert.Equal(t, "Region outage", f.Cause)
	assert.Equal(t, 5*time.Minute, time.Duration(f.Start))

	// Fact 2.13: "changes not yet replicated are lost", RPO = the lag at
	// the failure: the replica has what it received before the link
	// failed, 10 s before the Region (less the 43.5 ms on the wire, fact
	// 6.5). Lost: those 10 s of writes, 200/s × 0.3.
	rpo := f.Start.Sub(f.Restore.RestoredTo)
	assert.InDelta(t, 10, rpo.Seconds(), 0.1)
	assert.InDelta(t, 600, float64(f.LostWrites), 100)

	// RTO = failover_after (5 min) + the promotion's reboot (3 min, fact
	// 2.13) + the endpoint's DNS (5 s TTL, 20 s propagation, facts 1.5,
	// 1.6) + the clients' reconnection.
	opened := f.Accepting.Sub(f.Start)
	assert.Equal(t, 8*time.Minute, opened, "failover_after + promote_time")
	rto := f.ClientsRecovered.Sub(f.Start)
	assert.Greater(t, rto, opened)
	assert.Less(t, rto, opened+30*time.Second, "DNS TTL + propagation + reconnect")

	// Before the failure every request crosses the continent (87 ms round
	// trip, fact 6.5); after it the writer is in the application's Region.
	col, ok := rep.Series.Lookup("all_p50_ms")
	require.True(t, ok)
	p50 := rep.Series.Values(col)
	at := func(d time.Duration) float64 { return p50[int(d/rep.Series.Bucket())] }
	assert.InDelta(t, 90, at(3*time.Minute), 10)
	assert.Less(t, at(15*time.Minute), 5.0)
}
