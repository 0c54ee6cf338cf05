package aurora

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/sim"
)

func TestVolumeIsCutIntoProtectionGroups(t *testing.T) {
	// fact 3.3: 10 GB segments; a volume is ceil(size / 10 GB) PGs of 6
	// segments, 2 per AZ in 3 AZs (fact 3.1).
	cfg := Defaults()
	cfg.VolumeBytes = 95 * GB
	h := newIdleHarness(t, 1, cfg, clients())
	require.Equal(t, 10, h.m.PGs())
	for p := range h.m.PGs() {
		perAZ := map[cluster.AZ]int{}
		for _, id := range h.m.SegmentNodes(p) {
			perAZ[h.m.st.nodes[id].az]++
		}
		assert.Equal(t, map[cluster.AZ]int{0: 2, 1: 2, 2: 2}, perAZ, "PG %d", p)
	}
	assert.Equal(t, 5*GB, h.m.st.pgs[9].bytes, "the last PG holds the remainder")
}

func medianWrite(t *testing.T, cfg Config, setup func(m *Model)) time.Duration {
	h := newHarness(t, 1, cfg, clients(), 200)
	if setup != nil {
		setup(h.m)
	}
	h.k.Run(sim.At(60 * time.Second))
	require.Greater(t, h.writeLat.Count(), int64(2000))
	return h.writeLat.Quantile(0.5)
}

func TestOneSlowStorageNodeIsHidden(t *testing.T) {
	// fact 3.9 / 3.11: a write is durable at the 4th of 6
	// acknowledgements, so a slow node does not slow writes. A slow node in
	// every PG (the writer's own AZ, the fastest to answer) barely moves the
	// median; three slow nodes per PG put one of them in every quorum.
	slow := func(slots ...int) func(m *Model) {
		return func(m *Model) {
			for p := range m.PGs() {
				for _, s := range slots {
					m.SlowStorageNode(m.SegmentNodes(p)[s], 50)
				}
			}
		}
	}
	base := medianWrite(t, Defaults(), nil)
	one := medianWrite(t, Defaults(), slow(0))
	two := medianWrite(t, Defaults(), slow(0, 2))
	three := medianWrite(t, Defaults(), slow(0, 1, 2))
	t.Logf("write p50: all fast %v, one slow %v, two slow %v, three slow %v", base, one, two, three)
	assert.InDelta(t, ms(base), ms(one), 0.35, "one slow node is hidden by the quorum")
	assert.InDelta(t, ms(base), ms(two), 0.6, "two slow nodes too (4 of the 6 remain)")
	assert.Greater(t, ms(three), ms(base)+10, "a third slow node is in every write quorum")
}

func TestAZOutageKeepsWrites(t *testing.T) {
	// fact 3.2: losing an AZ (2 of 6 segments) keeps write availability.
	cfg := Defaults()
	cfg.MissRatio = 0.2
	h := newHarness(t, 1, cfg, clients(), 500)
	h.k.At(sim.At(20*time.Second), func() { h.topo.SetDown(2, true) })
	h.k.Run(sim.At(20 * time.Second))
	writes := h.okWrites
	h.k.Run(sim.At(60 * time.Second))
	assert.Zero(t, h.failed, "no request fails while a storage AZ is down")
	assert.InDelta(t, 40*100, h.okWrites-writes, 400, "writes go on at 100/s")
	wd, rd, _ := h.m.StorageAvailability()
	assert.Zero(t, wd)
	assert.Zero(t, rd)
	assert.Zero(t, h.m.LostAcked())
}

func TestAZPlusOneStopsWritesKeepsReadsLosesNothing(t *testing.T) {
	// fact 3.2: an AZ plus one more segment down stops writes (3 of 6
	// left) but keeps reads; the read quorum lets the lost segment be
	// re-replicated (fact 3.4), which restores writes, and nothing
	// acknowledged is lost (every acked write is on >= 4 segments).
	cfg := Defaults()
	cfg.MissRatio = 0.2 // reads reach the storage too
	cfg.Replicas = []Replica{{AZ: 1, Tier: 0}}
	h := newIdleHarness(t, 1, cfg, clients())
	// Reads go to the replica: on the writer they would wait behind the
	// stalled writes for connections.
	h.readsFromReplicas = true
	h.start(500)
	h.k.At(sim.At(20*time.Second), func() { h.topo.SetDown(2, true) })
	var failedNode []int
	h.k.At(sim.At(40*time.Second), func() { failedNode = h.m.FailStorageNodesInAZ(1, 1) })

	h.k.Run(sim.At(43 * time.Second))
	require.Len(t, failedNode, 1)
	writes, reads := h.okWrites, h.okReads
	lostDuring := h.m.LostAcked()
	h.k.Run(sim.At(53 * time.Second))
	assert.Equal(t, writes, h.okWrites, "no write commits while PG 0 has 3 of 6 segments (the VDL cannot pass it)")
	assert.Greater(t, h.okReads-reads, 10*300, "reads continue")
	assert.Zero(t, lostDuring+h.m.LostAcked(), "nothing acknowledged is lost")

	// Repair: detection (5 s) + 10 GB at 1 GB/s (10 s) after the failure.
	h.k.Run(sim.At(60 * time.Second))
	assert.Greater(t, h.okWrites, writes, "writes resume after the repair")
	_, repairs := h.m.StorageFailures()
	assert.Equal(t, int64(1), repairs)
	wd, rd, _ := h.m.StorageAvailability()
	assert.InDelta(t, 15, wd.Seconds(), 0.2, "write outage = detection (5 s) + copy (10 GB at 1 GB/s)")
	assert.Zero(t, rd, "the volume stayed readable")

	// A writer failover now reads the volume: nothing acknowledged is missing.
	h.k.At(sim.At(70*time.Second), func() { require.NoError(t, h.m.FailInstance("writer")) })
	h.k.Run(sim.At(2 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	assert.Zero(t, h.log.Failovers[0].LostWrites)
	assert.Greater(t, h.okWrites, 0)
}

func TestAZPlusOneWithoutRepairWaitsForTheAZ(t *testing.T) {
	// With repair disabled, writes stay stopped until the AZ comes back.
	cfg := Defaults()
	cfg.Storage.RepairRate = 0
	h := newHarness(t, 1, cfg, clients(), 200)
	h.k.At(sim.At(10*time.Second), func() { h.topo.SetDown(2, true) })
	h.k.At(sim.At(20*time.Second), func() { h.m.FailStorageNodesInAZ(1, 1) })
	h.k.At(sim.At(80*time.Second), func() { h.topo.SetDown(2, false) })
	h.k.Run(sim.At(23 * time.Second))
	writes := h.okWrites
	h.k.Run(sim.At(80 * time.Second))
	assert.Equal(t, writes, h.okWrites)
	h.k.Run(sim.At(90 * time.Second))
	assert.Greater(t, h.okWrites, writes, "the AZ's segments return with their data and catch up")
	assert.Zero(t, h.m.LostAcked())
	wd, _, _ := h.m.StorageAvailability()
	assert.InDelta(t, 60, wd.Seconds(), 0.1)
}

func TestSegmentRepairTakesTenSecondsPer10GB(t *testing.T) {
	// fact 3.4: a 10 GB segment is repaired in ~10 s on a 10 Gbps link.
	cfg := Defaults()
	cfg.VolumeBytes = 15 * GB // PG 0 full (10 GB), PG 1 half full (5 GB)
	h := newIdleHarness(t, 1, cfg, clients())
	n0, n1 := h.m.SegmentNodes(0)[3], h.m.SegmentNodes(1)[3]
	h.k.At(sim.At(10*time.Second), func() { require.NoError(t, h.m.FailStorageNodes(n0, n1)) })
	h.k.Run(sim.At(10 * time.Second))
	var done [2]sim.Time
	for done[0] == 0 || done[1] == 0 {
		h.k.Run(h.k.Now() + sim.At(10*time.Millisecond))
		for i, old := range []int{n0, n1} {
			if done[i] == 0 && h.m.SegmentNodes(i)[3] != old {
				done[i] = h.k.Now()
			}
		}
	}
	t0 := done[0].Sub(sim.At(10*time.Second)) - cfg.Storage.RepairDetect
	t1 := done[1].Sub(sim.At(10*time.Second)) - cfg.Storage.RepairDetect
	t.Logf("copy time: 10 GB %v, 5 GB %v", t0, t1)
	assert.InDelta(t, 10, t0.Seconds(), 1, "10 GB segment")
	assert.InDelta(t, 5, t1.Seconds(), 0.6, "5 GB segment")
}

func TestWeakQuorumLosesAcknowledgedWrites(t *testing.T) {
	// The lost-writes accounting is not a tautology: with Vw = 3 (Vw + Vr = 6,
	// not > 6) a write acknowledged by 3 segments can miss a later read
	// quorum, and a failover then loses it. The same faults with Aurora's
	// Vw = 4 lose nothing (writes stall instead).
	run := func(vw int) (lost int64, writesWhileDegraded int) {
		cfg := Defaults()
		cfg.Storage.WriteQuorum = vw
		cfg.Storage.RepairRate = 0
		cfg.Replicas = []Replica{{AZ: 1}}
		h := newHarness(t, 1, cfg, clients(), 500)
		var slots345 []int
		h.k.At(sim.At(20*time.Second), func() {
			for p := range h.m.PGs() {
				ids := h.m.SegmentNodes(p)
				slots345 = append(slots345, ids[3], ids[4], ids[5])
			}
			require.NoError(t, h.m.FailStorageNodes(slots345...))
		})
		h.k.Run(sim.At(21 * time.Second))
		w := h.okWrites
		h.k.At(sim.At(30*time.Second), func() {
			h.topo.SetDown(0, true) // the writer and segments 0–1 of every PG
			for p := range h.m.PGs() {
				require.NoError(t, h.m.FailStorageNodes(h.m.SegmentNodes(p)[2]))
			}
		})
		h.k.At(sim.At(31*time.Second), func() { h.m.RecoverStorageNodes(slots345...) })
		h.k.Run(sim.At(30 * time.Second))
		writesWhileDegraded = h.okWrites - w
		h.k.Run(sim.At(2 * time.Minute))
		require.Len(t, h.log.Failovers, 1)
		return h.log.Failovers[0].LostWrites, writesWhileDegraded
	}
	lost3, acked3 := run(3)
	lost4, acked4 := run(4)
	t.Logf("Vw=3: %d writes acked on 3 segments, %d lost; Vw=4: %d acked, %d lost", acked3, lost3, acked4, lost4)
	assert.Greater(t, acked3, 500)
	assert.Greater(t, lost3, int64(acked3/2), "Vw=3 loses the writes only segments 0–2 held")
	assert.Zero(t, acked4, "Vw=4 takes no write with 3 segments up")
	assert.Zero(t, lost4)
}

func TestLALBackPressure(t *testing.T) {
	// fact 3.12: no new LSN while the newest is LAL above the VDL. A
	// stuck PG stalls the VDL; with a small LAL the writer stops handing out
	// LSNs after LAL writes.
	cfg := Defaults()
	cfg.Storage.RepairRate = 0
	cfg.Storage.LAL = 50
	h := newHarness(t, 1, cfg, clients(), 500)
	h.k.At(sim.At(5*time.Second), func() {
		ids := h.m.SegmentNodes(0)
		require.NoError(t, h.m.FailStorageNodes(ids[0], ids[1], ids[2]))
	})
	h.k.Run(sim.At(15 * time.Second))
	assert.Equal(t, uint64(50), h.m.lsn-h.m.VDL())
	assert.NotEmpty(t, h.m.lalWait, "later writes wait for an LSN")
}

func TestStorageYearWithoutWorkload(t *testing.T) {
	// A year of random storage-node failures on a 100 GB volume (60 nodes),
	// no workload: node MTTF 1000 h, MTTR 1 h (not published: a tunable).
	// Repairs (5 s + 10 s) end nearly every failure, so the chance of 3
	// concurrent failures in one PG is ~20·u³ ≈ 1e-15 per PG: no write
	// unavailability, as fact 3.4 argues.
	cfg := Defaults()
	cfg.Storage.MTTF, cfg.Storage.MTTR = 1000*time.Hour, time.Hour
	h := newIdleHarness(t, 7, cfg, clients())
	year := 365 * 24 * time.Hour
	h.k.Run(sim.At(year))
	failures, repairs := h.m.StorageFailures()
	wd, rd, _ := h.m.StorageAvailability()
	u := SegmentDownFraction(cfg.Storage.MTTF, cfg.Storage.MTTR, cfg.Storage.RepairDetect+sim.Seconds(float64(10*GB)/cfg.Storage.RepairRate))
	t.Logf("%d failures, %d repairs; write-unavailable %v; analytic per-PG write unavailability %.2g", failures, repairs, wd, PGUnavailable(u, 4))
	assert.InDelta(t, 60*8760/1000.0, float64(failures), 4*23, "≈ 525 failures (Poisson, ±4σ)")
	assert.Greater(t, repairs, failures*9/10, "almost every failure ends in a repair")
	assert.Zero(t, wd)
	assert.Zero(t, rd)
	assert.Less(t, PGUnavailable(u, 4)*10, 1e-12)
}

func TestStorageAvailabilityMatchesBinomial(t *testing.T) {
	// Cross-check of the failure/repair mechanism against the analytic
	// model, over a simulated year without workload: with segments down
	// independently a fraction u of the time (u = E[D]/(MTTF + E[D]),
	// D = min(return, repair)), a PG is below the write quorum with
	// probability P(Bin(6, u) > 2). Stressed rates (MTTF 400 s, MTTR 30 s,
	// u ≈ 0.03) so that a year holds thousands of such episodes.
	cfg := Defaults()
	cfg.VolumeBytes = 10 * GB
	cfg.Storage.MTTF, cfg.Storage.MTTR = 400*time.Second, 30*time.Second
	h := newIdleHarness(t, 3, cfg, clients())
	span := 365 * 24 * time.Hour
	h.k.Run(sim.At(span))
	repair := cfg.Storage.RepairDetect + sim.Seconds(float64(10*GB)/cfg.Storage.RepairRate)
	u := SegmentDownFraction(cfg.Storage.MTTF, cfg.Storage.MTTR, repair)
	wd, rd, _ := h.m.StorageAvailability()
	simW, simR := wd.Seconds()/span.Seconds(), rd.Seconds()/span.Seconds()
	anW, anR := PGUnavailable(u, 4), PGUnavailable(u, 3)
	failures, repairs := h.m.StorageFailures()
	t.Logf("%d failures, %d repairs; u = %.4f; write-unavailable %.3g (analytic %.3g); read-unavailable %.3g (analytic %.3g)",
		failures, repairs, u, simW, anW, simR, anR)
	assert.InEpsilon(t, anW, simW, 0.1, "write unavailability")
	// With 4 segments down no repair can start (it copies from a read
	// quorum), which correlates the slots: reads are unavailable somewhat
	// more than the independent model says.
	assert.GreaterOrEqual(t, simR, anR*0.8)
	assert.Less(t, simR, anR*3)
}

// checkInvariants verifies the storage bookkeeping against its definition.
func checkInvariants(t *testing.T, m *Model) {
	t.Helper()
	stuckW, stuckR := 0, 0
	for _, p := range m.st.pgs {
		up, stalled := 0, 0
		for _, n := range p.seg {
			if !n.down {
				up++
			}
			assert.Equal(t, n.failed > 0 || !m.topo.Up(n.az), n.down, "node %s state", n.name)
		}
		// The model's quorum state against the definition, counted here.
		require.Equal(t, up >= m.st.vw, p.writable, "PG %d: %d live segments, writable", p.idx, up)
		require.Equal(t, up >= m.st.vr, p.readable, "PG %d: %d live segments, readable", p.idx, up)
		for i, w := range p.open {
			require.Same(t, p, w.pg)
			require.Equal(t, i, w.open)
			if w.stalled {
				stalled++
			}
		}
		require.Equal(t, stalled, p.stalled, "PG %d stalled writes", p.idx)
		if up < m.st.vw {
			stuckW++
		}
		if up < m.st.vr {
			stuckR++
		}
	}
	require.Equal(t, stuckW, m.st.stuckW)
	require.Equal(t, stuckR, m.st.stuckR)
	require.GreaterOrEqual(t, m.lsn, m.vdl)
	for i := m.inHead + 1; i < len(m.inflight); i++ {
		require.Less(t, m.inflight[i-1].lsn, m.inflight[i].lsn)
	}
	assert.Zero(t, m.LostAcked(), "no acknowledged write at risk")
}

func TestRandomStorageFailuresUnderLoad(t *testing.T) {
	// Random node failures (storage-node-failures {mttf, mttr}) under a
	// write load, with a writer failover and an AZ outage on top: the
	// bookkeeping stays consistent and no acknowledged write is lost.
	cfg := Defaults()
	cfg.Replicas = []Replica{{AZ: 1}, {AZ: 2}}
	cfg.Storage.MTTF, cfg.Storage.MTTR = 5*time.Minute, 20*time.Second // 60 nodes: a failure every 5 s
	h := newHarness(t, 11, cfg, clients(), 500)
	h.k.At(sim.At(3*time.Minute), func() { require.NoError(t, h.m.FailInstance("writer")) })
	h.k.At(sim.At(6*time.Minute), func() { h.topo.SetDown(2, true) })
	h.k.At(sim.At(8*time.Minute), func() { h.topo.SetDown(2, false) })
	for s := 30; s <= 600; s += 30 {
		h.k.Run(sim.At(time.Duration(s) * time.Second))
		checkInvariants(t, h.m)
	}
	failures, repairs := h.m.StorageFailures()
	wd, _, _ := h.m.StorageAvailability()
	t.Logf("%d node failures, %d repairs, volume write-unavailable %v; %d ok, %d failed requests", failures, repairs, wd, h.ok, h.failed)
	assert.Greater(t, failures, int64(60))
	require.Len(t, h.log.Failovers, 1)
	assert.Zero(t, h.log.Failovers[0].LostWrites)
	assert.Greater(t, h.okWrites, 50000)
}

// Two failures of one node stack: it returns when both are recovered. A
// second failure in an AZ takes another node; a node failed during its
// AZ's outage stays down after the outage until its failure ends.
func TestStorageNodeFailuresStack(t *testing.T) {
	cfg := Defaults()
	cfg.Storage.RepairRate = 0 // failed nodes only return
	h := newIdleHarness(t, 1, cfg, clients())
	down := func(id int) bool { return h.m.st.nodes[id].down }

	n := h.m.SegmentNodes(0)[2]
	require.NoError(t, h.m.FailStorageNodes(n))
	require.NoError(t, h.m.FailStorageNodes(n))
	assert.Empty(t, h.m.RecoverStorageNodes(n))
	assert.True(t, down(n), "one failure still lasts")
	assert.Equal(t, []int{n}, h.m.RecoverStorageNodes(n))
	assert.False(t, down(n))

	first := h.m.FailStorageNodesInAZ(1, 1)
	second := h.m.FailStorageNodesInAZ(1, 1)
	require.Len(t, first, 1)
	require.Len(t, second, 1)
	assert.NotEqual(t, first, second, "the second failure takes another node")
	h.m.RecoverStorageNodes(second...)
	assert.True(t, down(first[0]), "the first failure lasts")
	h.m.RecoverStorageNodes(first...)

	h.topo.SetDown(2, true)
	during := h.m.FailStorageNodesInAZ(2, 1)
	require.Len(t, during, 1, "a node down only for its AZ's outage can fail")
	h.topo.SetDown(2, false)
	assert.True(t, down(during[0]), "the failure outlasts the outage")
	for _, id := range h.m.StorageNodes(2) {
		assert.Equal(t, id == during[0], down(id), "node %d", id)
	}
	assert.Equal(t, during, h.m.RecoverStorageNodes(during...))
	checkInvariants(t, h.m)
}

// A scheduled failure of a node and its random failure process overlap:
// the node is down while either lasts, whichever ends first.
func TestScheduledAndRandomStorageFailuresStack(t *testing.T) {
	cfg := Defaults()
	cfg.Storage.RepairRate = 0
	h := newIdleHarness(t, 3, cfg, clients())
	st := &h.m.st
	n := st.nodes[h.m.SegmentNodes(0)[4]]
	random := false // n's random failure lasts
	held := false   // a scheduled failure of n lasts
	backWhileHeld, heldEndsWhileRandom := 0, 0
	fail, back := st.onFail, st.onBack
	st.onFail = func(a any) {
		if a.(*node) == n && len(n.segs) > 0 {
			random = true
		}
		fail(a)
	}
	st.onBack = func(a any) {
		back(a)
		if a.(*node) == n {
			random = false
			if held {
				backWhileHeld++
				assert.True(t, n.down, "%v: the random failure ended, the scheduled one lasts", h.k.Now())
			}
		}
	}
	h.m.StartStorageFailures(time.Minute, time.Minute)
	for i := range 20 {
		start := sim.At(time.Duration(i) * 5 * time.Minute)
		h.k.At(start, func() { held = true; require.NoError(t, h.m.FailStorageNodes(n.id)) })
		h.k.At(start.Add(2*time.Minute), func() {
			held = false
			h.m.RecoverStorageNodes(n.id)
			if random {
				heldEndsWhileRandom++
				assert.True(t, n.down, "%v: the scheduled failure ended, the random one lasts", h.k.Now())
			}
		})
	}
	for s := 1; s <= 6000; s++ {
		h.k.Run(sim.At(time.Duration(s) * time.Second))
		require.Equal(t, random || held, n.down, "%v: node down while a failure lasts (failed %d, az up %v)", h.k.Now(), n.failed, h.topo.Up(n.az))
	}
	t.Logf("random failure ended during a scheduled one %d times; a scheduled one ended during a random one %d times", backWhileHeld, heldEndsWhileRandom)
	assert.Positive(t, backWhileHeld)
	assert.Positive(t, heldEndsWhileRandom)
	checkInvariants(t, h.m)
}

func TestKthIsTheKthSmallest(t *testing.T) {
	// By the 0-1 principle a comparator network that sorts every vector
	// of zeros and ones sorts everything; random times (some Forever)
	// check the same against a sort.
	check := func(a [Segments]sim.Time) {
		s := a
		slices.Sort(s[:])
		for k := 1; k <= Segments; k++ {
			require.Equal(t, s[k-1], kth(a, k), "%v k=%d", a, k)
		}
	}
	for bitsSet := range 1 << Segments {
		var a [Segments]sim.Time
		for i := range a {
			a[i] = sim.Time(bitsSet >> i & 1)
		}
		check(a)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		var a [Segments]sim.Time
		for i := range a {
			a[i] = sim.Time(rng.IntN(50))
			if rng.IntN(8) == 0 {
				a[i] = sim.Forever
			}
		}
		check(a)
	}
}
