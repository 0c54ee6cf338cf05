package rds

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/sim"
)

func clusterConfig(engine string) Config {
	cfg := Defaults()
	cfg.Engine = engine
	cfg.Class = bigClass()
	cfg.Cluster = true
	return cfg
}

func logged(l *cluster.Log, text string) bool {
	for _, e := range l.Events {
		if strings.Contains(e.Text, text) {
			return true
		}
	}
	return false
}

func TestClusterCommitWaitsForTheFasterStandby(t *testing.T) {
	// Fact 1.13: a cluster commit waits for 1 of 2 standbys to acknowledge
	// receipt; fact 1.15: "up to 2× faster" commits than the Multi-AZ
	// instance deployment, whose commit waits for the synchronous EBS
	// mirror (fact 1.1). Client-side p50, client and writer in one AZ:
	// instance ≈ 0.45 + 0.8 + 1 + 1 ms; cluster ≈ 0.45 + 0.3 + 1 + 0.1 ms.
	median := func(cfg Config, setup func(h *rharness)) (time.Duration, *rharness) {
		h := newRHarness(t, 1, cfg, clients(), 400, 0.5)
		if setup != nil {
			setup(h)
		}
		h.k.Run(sim.At(30 * time.Second))
		return h.writeLat.Quantile(0.5), h
	}
	inst := Defaults()
	inst.Class = bigClass()
	inst.MultiAZ = true
	instance, _ := median(inst, nil)
	both, h := median(clusterConfig("postgres"), nil)
	ratio := float64(instance) / float64(both)
	t.Logf("write p50: Multi-AZ instance %v, cluster %v (%.2f× faster)", instance, both, ratio)
	assert.Less(t, both, instance)
	assert.InDelta(t, 1.75, ratio, 0.45, "fact 1.15: up to 2× faster")
	assert.InDelta(t, 1.9, both.Seconds()*1e3, 0.3)
	assert.Greater(t, h.replicaReads, 1000, "the standbys serve the reader endpoint's reads")

	// One standby cut off: the other's acknowledgement suffices, at about
	// the same latency (its own flush rather than the faster of two).
	one, h := median(clusterConfig("postgres"), func(h *rharness) { h.topo.SetCut(0, 2, true) })
	assert.GreaterOrEqual(t, one, both)
	assert.InDelta(t, both.Seconds()*1e3, one.Seconds()*1e3, 0.2)
	assert.Zero(t, h.failedWrites)

	// Both cut off, MySQL: commits stall for AckTimeout (its
	// rpl_semi_sync_master_timeout), then complete without a standby,
	// each counted as unreplicated; semi-sync resumes once a standby is
	// reachable, and acknowledgements have a copy again.
	cfg := clusterConfig("mysql")
	h = newRHarness(t, 1, cfg, clients(), 400, 0.5)
	h.k.At(sim.At(10*time.Second), func() { h.topo.SetCut(0, 1, true); h.topo.SetCut(0, 2, true) })
	h.k.At(sim.At(40*time.Second), func() { h.topo.SetCut(0, 1, false) })
	var during int64
	h.k.At(sim.At(39*time.Second), func() { during = h.m.UnreplicatedAcks() })
	h.k.Run(sim.At(60 * time.Second))
	assert.True(t, logged(h.log, "semi-synchronous replication suspended"))
	assert.True(t, logged(h.log, "writes are acknowledged with no other copy"))
	assert.True(t, logged(h.log, "semi-synchronous replication resumed"))
	assert.True(t, logged(h.log, "have a standby's copy again"))
	assert.True(t, h.m.semiSync)
	assert.Empty(t, h.log.Failovers)
	// 10 s to 39 s at 200 writes/s: 24 s of asynchronous commits, the 5 s
	// of stalled ones, and some retries of those the clients gave up on.
	assert.InDelta(t, 29*200, float64(during), 29*200*0.25)
	assert.LessOrEqual(t, h.m.UnreplicatedAcks()-during, int64(10*200), "it ends when a standby is back")

	// Both cut off, PostgreSQL (synchronous_standby_names ANY 1): commits
	// wait for a standby, however long; none is acknowledged without one.
	cfg = clusterConfig("postgres")
	h = newRHarness(t, 1, cfg, clients(), 400, 0.5)
	h.k.At(sim.At(10*time.Second), func() { h.topo.SetCut(0, 1, true); h.topo.SetCut(0, 2, true) })
	var okCut int
	h.k.At(sim.At(12*time.Second), func() { okCut = h.okWrites })
	h.k.At(sim.At(40*time.Second), func() {
		assert.Zero(t, h.okWrites-okCut, "no commit while no standby acknowledges")
		h.topo.SetCut(0, 1, false)
	})
	h.k.Run(sim.At(60 * time.Second))
	assert.True(t, logged(h.log, "PostgreSQL commits wait"))
	assert.True(t, logged(h.log, "the stalled commits complete"))
	assert.Zero(t, h.m.UnreplicatedAcks())
	assert.Greater(t, h.okWrites-okCut, 2000, "writes go on once a standby is back")
	assert.Empty(t, h.log.Failovers)
}

func TestClusterNeverPromotesAStandbyLackingAcknowledgedWrites(t *testing.T) {
	// The cluster-reboot-stale-standby reproducer, shortened: standby-1
	// is cut off from the writer from 0:30, so standby-2 alone acknowledges;
	// a reboot with failover at 1:30, and standby-2 fails 5 s later. The
	// stale standby-1 must not be promoted: the old writer, rebooted
	// cleanly with every write, reopens once restarted. Without the second
	// failure (the control), standby-2 is promoted. Neither loses a write.
	for _, engine := range []string{"postgres", "mysql"} {
		for _, failSecond := range []bool{true, false} {
			cfg := clusterConfig(engine)
			h := newRHarness(t, 1, cfg, clients(), 400, 0.5)
			old, s2 := h.m.Primary(), h.m.Standby(1).Host
			h.k.At(sim.At(30*time.Second), func() { h.topo.SetCut(0, 1, true) })
			h.k.At(sim.At(90*time.Second), func() { h.m.RebootWithFailover() })
			if failSecond {
				h.k.At(sim.At(95*time.Second), func() { h.m.FailInstance("standby-2") })
			}
			h.k.Run(sim.At(150 * time.Second))
			what := fmt.Sprintf("%s, standby-2 fails: %v", engine, failSecond)
			require.Len(t, h.log.Failovers, 1, what)
			f := h.log.Failovers[0]
			assert.Zero(t, f.LostWrites, what)
			assert.NotEqual(t, cluster.Never, f.Accepting, what)
			if failSecond && engine == "mysql" {
				// After the reopen no standby is reachable: MySQL goes
				// asynchronous (and says so).
				assert.True(t, logged(h.log, "writes are acknowledged with no other copy"), what)
			} else {
				assert.Zero(t, h.m.UnreplicatedAcks(), what)
			}
			if failSecond {
				assert.Equal(t, old, h.m.Primary(), what)
				assert.Equal(t, cfg.EngineStart, f.Accepting.Sub(f.Start), what)
				assert.True(t, logged(h.log, "reopens after its clean reboot"), what)
			} else {
				assert.Equal(t, s2, h.m.Primary(), what)
			}
		}
	}
}

func TestClusterFailoverWaitsForTheStandbyThatHasTheWrites(t *testing.T) {
	// Standby-1 cut off from 0:30; the writer crashes at 1:30 and standby-2,
	// the only copy of 60 s of acknowledged writes, fails at 1:35 (its
	// flushed log survives on its volume). RDS replaces standby-2 in 1 min
	// and the writer in 3: the failover waits for standby-2 and promotes
	// it, losing nothing, rather than promoting standby-1 at once.
	cfg := clusterConfig("postgres")
	cfg.ReplaceInstance = time.Minute
	h := newRHarness(t, 1, cfg, clients(), 400, 0.5)
	s2 := h.m.Standby(1).Host
	h.k.At(sim.At(30*time.Second), func() { h.topo.SetCut(0, 1, true) })
	h.k.At(sim.At(90*time.Second), func() { h.m.FailInstance("primary") })
	h.k.At(sim.At(95*time.Second), func() { h.m.FailInstance("standby-2") })
	h.k.Run(sim.At(4 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	assert.Zero(t, f.LostWrites)
	assert.True(t, logged(h.log, "the failover waits for standby-2"))
	assert.Equal(t, s2, h.m.Primary())
	d := f.Accepting.Sub(f.Start)
	assert.Greater(t, d, 65*time.Second, "replacement of standby-2 and its engine start")
	assert.Less(t, d, 100*time.Second)
}

func TestClusterFailoverUnder35Seconds(t *testing.T) {
	// Fact 1.14: Multi-AZ DB cluster failover "typically < 35 s" when the
	// standbys have little to apply; semi-sync (fact 1.13) means the
	// promoted standby has every acknowledged write.
	t.Parallel()
	for _, engine := range []string{"postgres", "mysql"} {
		for seed := uint64(1); seed <= 2; seed++ {
			cfg := clusterConfig(engine)
			h := newRHarness(t, seed, cfg, clients(), 500, 0.3)
			standbys := []*cluster.Host{h.m.Standby(0).Host, h.m.Standby(1).Host}
			h.k.At(sim.At(time.Minute), func() { h.m.FailInstance("primary") })
			h.k.Run(sim.At(2 * time.Minute))
			require.Len(t, h.log.Failovers, 1)
			f := h.log.Failovers[0]
			d := f.Accepting.Sub(f.Start)
			assert.Greater(t, d, 15*time.Second, "%s seed %d", engine, seed)
			assert.Less(t, d, 35*time.Second, "%s seed %d: %v", engine, seed, d)
			assert.Zero(t, f.LostWrites)
			assert.Contains(t, standbys, h.m.Primary())
			assert.Equal(t, h.m.Primary(), h.m.Endpoints()[0].Target())
			assert.NotContains(t, h.m.Endpoints()[1].Targets(), h.m.Primary())
			n := h.okWrites
			h.k.Run(sim.At(150 * time.Second))
			assert.Greater(t, h.okWrites-n, 4000, "clients write to the new writer")
		}
	}
}

func TestClusterFailoverWaitsForTheApplyBacklog(t *testing.T) {
	// Fact 1.14: the failover completes only when the standbys have
	// applied the outstanding log. Standbys applying 1,000 writes/s under
	// 1,500 writes/s for 100 s hold (1500 − 1000)·100 = 50,000 writes:
	// 50 s of apply after the writer fails, beyond the 35 s of a failover
	// without backlog.
	cfg := clusterConfig("mysql")
	for j := range cfg.ClusterStandbys {
		cfg.ClusterStandbys[j].ApplyTime = sim.Constant(1e-3)
	}
	h := newRHarness(t, 1, cfg, clients(), 1500, 1)
	h.k.At(sim.At(100*time.Second), func() { h.m.FailInstance("primary") })
	h.k.Run(sim.At(4 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	d := f.Accepting.Sub(f.Start)
	assert.InDelta(t, 50, d.Seconds(), 2.5, "failover %v", d)
	assert.Zero(t, f.LostWrites)
	// The lag (data age) at the failure is smaller than the time to apply
	// the backlog: 100·(1 − 1000/1500) = 33 s of writes, arriving at
	// 1,500/s, take 50 s to apply at 1,000/s.
	assert.InDelta(t, 33.3, h.lag("lag_ms:standby-1", 100), 1.5)
}

func TestClusterFailoverRulePerEngine(t *testing.T) {
	// Fact 1.14: PostgreSQL promotes the standby with the lowest lag and
	// waits for it alone; MySQL waits until both standbys have applied.
	// Standby 1 keeps up (default apply); standby 2 applies 1,000 writes/s
	// under 1,500: after 90 s it has 45,000 writes, 45 s, to apply.
	t.Parallel()
	run := func(engine string) (time.Duration, bool) {
		cfg := clusterConfig(engine)
		cfg.ClusterStandbys[1].ApplyTime = sim.Constant(1e-3)
		h := newRHarness(t, 1, cfg, clients(), 1500, 1)
		fast := h.m.Standby(0).Host
		h.k.At(sim.At(90*time.Second), func() { h.m.FailInstance("primary") })
		h.k.Run(sim.At(150 * time.Second))
		require.Len(t, h.log.Failovers, 1)
		f := h.log.Failovers[0]
		assert.Zero(t, f.LostWrites)
		return f.Accepting.Sub(f.Start), h.m.Primary() == fast
	}
	pg, pgFast := run("postgres")
	my, myFast := run("mysql")
	t.Logf("failover with one standby 45 s behind: PostgreSQL %v, MySQL %v", pg, my)
	assert.Less(t, pg, 35*time.Second, "PostgreSQL: the caught-up standby is promoted at once")
	assert.True(t, pgFast)
	assert.InDelta(t, 45, my.Seconds(), 2.5, "MySQL: both standbys must finish applying")
	assert.True(t, myFast, "the standby that received as much and applied more")
}

func TestClusterSwitchover(t *testing.T) {
	// Reboot with failover: no detection; the old writer restarts as a
	// standby and catches up.
	cfg := clusterConfig("postgres")
	h := newRHarness(t, 1, cfg, clients(), 1000, 0.3)
	old := h.m.Primary()
	h.k.At(sim.At(time.Minute), func() { h.m.RebootWithFailover() })
	h.k.Run(sim.At(3 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	assert.Equal(t, f.Start, f.Detected)
	assert.Equal(t, cfg.ClusterPromotion, f.Accepting.Sub(f.Start).Round(time.Millisecond))
	assert.NotEqual(t, old, h.m.Primary())
	assert.Contains(t, h.m.Endpoints()[1].Targets(), old, "the old writer is a reader again")
	for _, g := range []string{"lag_ms:standby-1", "lag_ms:standby-2"} {
		assert.Less(t, h.maxLag(g, 120, 180), 0.05, g)
	}
	assert.Zero(t, h.inconsistent)
}

func TestClusterStandbyFailure(t *testing.T) {
	// A failed standby leaves the reader endpoint and is replaced; commits
	// go on with the other's acknowledgements.
	cfg := clusterConfig("mysql")
	cfg.ReplaceInstance = time.Minute
	h := newRHarness(t, 1, cfg, clients(), 1000, 0.3)
	h.k.At(sim.At(30*time.Second), func() {
		h.m.FailInstance("standby-2")
		assert.Len(t, h.m.Endpoints()[1].Targets(), 1)
	})
	h.k.Run(sim.At(3 * time.Minute))
	assert.Len(t, h.m.Endpoints()[1].Targets(), 2)
	assert.Less(t, h.maxLag("lag_ms:standby-2", 120, 180), 0.05)
	assert.Empty(t, h.log.Failovers)
	assert.False(t, logged(h.log, "suspended"))
}
