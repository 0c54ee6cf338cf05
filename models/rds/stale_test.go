package rds

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/sim"
)

func TestStaleReadsArePerKey(t *testing.T) {
	// The motivating case: a replica a millisecond behind, writes uniform
	// over 10 million keys and reads over the same keys. A read is stale
	// only when a write of ITS key was acknowledged before the read was
	// sent and not yet applied when the read reaches the replica, so with
	// writes at λ/N per key the stale share is 1 − exp(−λ/N · w), where w
	// is the stretch of a write's life during which a read is sent that
	// misses it: from the acknowledgement reaching the client (one-way
	// primary → client) to the apply on the replica (one-way primary →
	// replica, the apply queue's wait, the apply), minus the read's own
	// trip to the replica. (The "key written within the lag window"
	// estimate, λ/N × lag, is an upper bound.) A replica that misses a
	// write of any key — what "stale" used to count — does so for the
	// share 1 − exp(−λ·w) of its reads.
	const writes, reads = 500.0, 5000.0
	const apply = 400 * time.Microsecond // constant, so the queue's wait is M/D/1's
	run := func(keys uint64) *rharness {
		cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1, ApplyTime: sim.Constant(apply.Seconds())})
		h := newRHarness(t, 1, cfg, clients(), writes+reads, writes/(writes+reads))
		h.keys = keys
		h.k.Run(sim.At(40 * time.Second))
		require.Zero(t, h.inconsistent, "a read missing a write of its key its client saw acknowledged is flagged")
		require.Zero(t, h.spurious, "a read flagged stale missed an acknowledged write of its key")
		require.Zero(t, h.failedReads+h.failedWrites)
		return h
	}
	h := run(10_000_000)
	cfg := replicaConfig("mysql")
	clientAZ, replicaAZ := cluster.AZ(clientsAZ), cluster.AZ(1)
	rho := writes * apply.Seconds()
	wait := rho * apply.Seconds() / (2 * (1 - rho))
	lag := h.topo.OneWay(cfg.AZ, replicaAZ).Seconds() + wait + apply.Seconds()
	w := lag - h.topo.OneWay(cfg.AZ, clientAZ).Seconds() - h.topo.OneWay(clientAZ, replicaAZ).Seconds()
	require.Less(t, lag, 1e-3, "a sub-millisecond lag")
	share := func(perKey float64) float64 { return 1 - math.Exp(-perKey*w) }

	frac := float64(h.staleReads) / float64(h.replicaReads)
	want := share(writes / 10e6)
	anyFrac := float64(h.behindAny) / float64(h.replicaReads)
	t.Logf("10M keys: %d of %d replica reads stale (%.2g; theory %.2g, λ/N × lag %.2g); behind on some key: %.1f %% (theory %.1f %%)",
		h.staleReads, h.replicaReads, frac, want, writes/10e6*lag, 100*anyFrac, 100*share(writes))
	assert.LessOrEqual(t, float64(h.staleReads), want*float64(h.replicaReads)+3, "a handful at most: theory expects %.3f", want*float64(h.replicaReads))
	assert.InEpsilon(t, share(writes), anyFrac, 0.25, "the replica misses a write of some key this often")
	assert.Greater(t, anyFrac, 0.05)

	// The same replica over 100 keys: each written 5 times a second, the
	// stale share is large enough to measure against the theory.
	h = run(100)
	frac = float64(h.staleReads) / float64(h.replicaReads)
	want = share(writes / 100)
	t.Logf("100 keys: %d of %d replica reads stale (%.3g %%; theory %.3g %%, λ/N × lag %.3g %%)",
		h.staleReads, h.replicaReads, 100*frac, 100*want, 100*writes/100*lag)
	assert.InEpsilon(t, want, frac, 0.25)
	assert.Less(t, frac, writes/100*lag)
}

// clientsAZ is where the harness's clients run (client.Config.AZ's zero
// value): the primary's AZ.
const clientsAZ = 0

// hotKeyRun drives cfg with 1,200 writes/s and 3,000 reads/s, 30 % of
// them on one hot key and the rest uniform over 10 million keys, for 30 s,
// checks the stale reads against what the clients saw, and returns the
// stale shares of the hot key's replica reads and of the others'.
//
// The model remembers keys in a table that forgets (cluster.RecentWrites):
// now and then a cold key of the hot key's slot is written and evicts it,
// and until the hot key's next write is acknowledged, a few milliseconds
// later, its reads on the lagging replica are not counted stale. So a few
// stale reads in ten thousand are missed; none is ever invented.
func hotKeyRun(t *testing.T, cfg Config) (hot, cold float64, h *rharness) {
	t.Helper()
	const writes, reads = 1200.0, 3000.0
	h = newRHarness(t, 1, cfg, clients(), writes+reads, writes/(writes+reads))
	h.keys, h.hotShare = 10_000_000, 0.3
	h.k.Run(sim.At(30 * time.Second))
	require.Zero(t, h.spurious, "a read flagged stale missed an acknowledged write of its key")
	require.Less(t, h.inconsistent*1000, h.staleReads, "stale reads missed: at most one in a thousand")
	require.Greater(t, h.hotReads, 10000)
	hot = float64(h.hotStale) / float64(h.hotReads)
	cold = float64(h.staleReads-h.hotStale) / float64(h.replicaReads-h.hotReads)
	return hot, cold, h
}

func TestHotKeyReadsOnALaggingReplicaAreStale(t *testing.T) {
	// A replica applying 1,000 writes/s under 1,200 falls behind by 0.2 s
	// every second (TestReplicaLagIsAQueue): the hot key, written 360
	// times a second, has a write the replica lacks on nearly every read;
	// a key of the other 10 million, written once in 3 hours on average,
	// almost never (840/s / 10^7 × a few seconds of lag: 0.03 %).
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1, ApplyTime: sim.Constant(1e-3)})
	hot, cold, h := hotKeyRun(t, cfg)
	t.Logf("lagging replica: hot key %.1f %% stale, others %.3f %%; replica lag at the end %.1f s", 100*hot, 100*cold, h.lag("lag_ms:replica-1", 29))
	assert.Greater(t, h.lag("lag_ms:replica-1", 29), 4.0)
	assert.Greater(t, hot, 0.95)
	assert.Less(t, cold, 0.002)
	assert.Greater(t, cold, 0.0, "a cold key written during the lag is stale too")
	cs := map[string]int64{}
	for _, c := range h.m.Counters() {
		cs[c.ID.Column()] = c.Value
	}
	assert.InDelta(t, h.staleReads, cs["stale_reads"], 20, "the model counts the reads whose answers are still on the way too")
	assert.Equal(t, cs["stale_reads"], cs["stale_reads:replica-1"])
}

func TestHotKeyReadsOnClusterStandbysAreStale(t *testing.T) {
	// The readable standbys of a Multi-AZ DB cluster acknowledge receipt
	// (that is what commits wait for) and apply later: standbys applying
	// 1,000 writes/s under 1,200 fall behind, and their reads of the hot
	// key are stale, of the others hardly ever.
	cfg := clusterConfig("postgres")
	for j := range cfg.ClusterStandbys {
		cfg.ClusterStandbys[j].ApplyTime = sim.Constant(1e-3)
	}
	hot, cold, h := hotKeyRun(t, cfg)
	t.Logf("cluster standbys: hot key %.1f %% stale, others %.3f %%", 100*hot, 100*cold)
	assert.Greater(t, hot, 0.95)
	assert.Less(t, cold, 0.002)
	cs := map[string]int64{}
	for _, c := range h.m.Counters() {
		cs[c.ID.Column()] = c.Value
	}
	assert.InDelta(t, h.staleReads, cs["stale_reads"], 20, "the model counts the reads whose answers are still on the way too")
	assert.Equal(t, cs["stale_reads"], cs["stale_reads:standby-1"]+cs["stale_reads:standby-2"])
	assert.Positive(t, cs["stale_reads:standby-1"])
	assert.Positive(t, cs["stale_reads:standby-2"])
}
