package aurora

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// us-east-1 to us-west-2: 87 ms round trip (fact 6.5).
const eastWestRTT = 87 * time.Millisecond

// newGlobalHarness builds a global database: the primary in us-east-1
// (AZs 0–2), a secondary in us-west-2a (AZ 3), clients in clientAZ, and
// starts arrivals at rate/s, every fifth a write.
func newGlobalHarness(t *testing.T, seed uint64, g Global, clientAZ cluster.AZ, rate float64) *harness {
	t.Helper()
	k := sim.New(seed)
	topo := cluster.NewTopology(k, []string{"us-east-1a", "us-east-1b", "us-east-1c"}, 450*time.Microsecond, time.Millisecond)
	topo.NameRegion("us-east-1")
	topo.AddRegion("us-west-2", []string{"us-west-2a", "us-west-2b", "us-west-2c"}, func(string) time.Duration { return eastWestRTT })
	net := cluster.NewNet(topo)
	cfg := Defaults()
	g.Secondaries = []Secondary{{AZ: 3}}
	cfg.Global = &g
	h := &harness{k: k, topo: topo, log: cluster.NewLog(k), readLat: sim.NewLatency(), writeLat: sim.NewLatency(), writesEvery: 5}
	h.m = New(k, net, cfg, h.log)
	cc := clients()
	cc.AZ = clientAZ
	h.cl = client.New(k, net, cc, h.m.Endpoints(), h)
	h.start(rate)
	return h
}

// regionDown takes every AZ of the named Region down or brings it back.
func regionDown(h *harness, region string, down bool) {
	for _, a := range h.topo.RegionAZs(region) {
		h.topo.SetDown(a, down)
	}
}

// Fact 3.36: cross-Region lag is typically under a second. The mechanism
// puts it at half the round trip (43.5 ms) plus the agents' time, and it
// does not grow with the write rate while the link keeps up.
func TestGlobalLagUnderASecond(t *testing.T) {
	for _, rate := range []float64{1000, 10000} {
		h := newGlobalHarness(t, 1, DefaultGlobal(), 0, rate)
		h.k.Run(sim.At(30 * time.Second))
		in := h.m.insts[1]
		mean, worst, n := h.m.ReplicaLag(1)
		require.Positive(t, n, "secondary applied nothing")
		assert.Greater(t, mean, eastWestRTT/2, "lag below the one-way trip at %v/s", rate)
		assert.Less(t, worst, time.Second, "fact 3.36: typically under a second, at %v/s", rate)
		assert.Less(t, mean, 200*time.Millisecond, "at %v/s", rate)
		assert.Equal(t, "us-west-2", h.topo.Region(in.host.AZ))
		t.Logf("%v writes/s: lag mean %v, max %v", rate/5, mean, worst)
	}
}

// A link narrower than the redo stream is a queue that grows: the lag
// grows by (1 − capacity/rate) seconds per second.
func TestGlobalLagGrowsOnASaturatedLink(t *testing.T) {
	g := DefaultGlobal()
	g.RedoPerWrite = 4 << 10
	g.Bandwidth = 100 * 4 << 10 // 100 records/s; the harness writes 200/s
	h := newGlobalHarness(t, 1, g, 0, 1000)
	h.k.Run(sim.At(10 * time.Second))
	a := h.m.globalLag(h.m.insts[1])
	h.k.Run(sim.At(20 * time.Second))
	b := h.m.globalLag(h.m.insts[1])
	// Theory: 10 s × (1 − 100/200) = 5 s more, within Poisson noise.
	assert.InDelta(t, 5, (b - a).Seconds(), 1, "lag %v then %v", a, b)
}

// Memory stays bounded while the lag grows for minutes: the backlog
// holds runs of records (push), and the lag still grows as the queue's
// theory says.
func TestGlobalBacklogIsBounded(t *testing.T) {
	g := DefaultGlobal()
	g.RedoPerWrite = 4 << 10
	g.Bandwidth = 100 * 4 << 10 // 100 records/s; the harness writes 200/s
	h := newGlobalHarness(t, 1, g, 0, 1000)
	sec := h.m.insts[1]
	h.k.Run(sim.At(5 * time.Minute))
	a := h.m.globalLag(sec)
	h.k.Run(sim.At(20 * time.Minute))
	b := h.m.globalLag(sec)
	// 15 min × (1 − 100/200) = 450 s more; at 20:00, 100/s × 1,200 s =
	// 120,000 records behind.
	assert.InDelta(t, 450, (b - a).Seconds(), 20, "lag %v then %v", a, b)
	backlog := len(sec.recs) - sec.recHead
	assert.Less(t, backlog, coalesceAfter+8*coalesceSteps, "recs held for 120,000 records behind")
	n := 0
	for _, r := range sec.recs[sec.recHead:] {
		n += int(r.n)
	}
	assert.InDelta(t, b.Seconds()*200, n, 0.05*float64(n), "the runs count every record committed within the lag")
}

// Fact 3.37: an unplanned failover loses the writes the primary had not
// shipped (RPO seconds at most, here the lag: well under a second) and
// takes minutes (RTO: the operator's decision plus the promotion).
func TestGlobalFailoverAfterRegionOutage(t *testing.T) {
	h := newGlobalHarness(t, 2, DefaultGlobal(), 4, 1000) // clients in us-west-2b
	h.k.Run(sim.At(60 * time.Second))
	regionDown(h, "us-east-1", true)
	h.k.Run(sim.At(3 * time.Minute))
	h.m.GlobalFailover("")
	h.k.Run(sim.At(10 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	require.NotNil(t, f.Restore, "a global failover is a recovery")
	assert.Equal(t, "global-failover", f.Restore.Kind)
	rpo := f.Start.Sub(f.Restore.RestoredTo)
	assert.Positive(t, rpo, "writes in flight on the link are lost")
	assert.Less(t, rpo, time.Second, "fact 3.36/3.37: RPO about the lag, under a second")
	assert.Positive(t, f.LostWrites)
	require.NotEqual(t, cluster.Never, f.Accepting)
	rto := f.Accepting.Sub(f.Start)
	assert.Greater(t, rto, 3*time.Minute) // decision at 2 min, promotion 1 min
	assert.Less(t, rto, 4*time.Minute)
	assert.Equal(t, "us-west-2", h.topo.Region(h.m.Writer().AZ))
	assert.Greater(t, h.lastWriteOK, f.Accepting, "writes succeed on the new primary")
	// Writes from clients in us-west-2 are local now: no cross-Region trip.
	assert.Less(t, h.lastLatency, 40*time.Millisecond)
	t.Logf("RPO %v, lost %d writes, RTO %v", rpo, f.LostWrites, rto)
}

// Fact 3.37: a switchover loses nothing (RPO 0): writes stop, the
// secondaries synchronise, the roles move; the old primary is then a
// secondary that receives the new primary's redo.
func TestGlobalSwitchoverLosesNothing(t *testing.T) {
	h := newGlobalHarness(t, 3, DefaultGlobal(), 0, 1000)
	h.k.Run(sim.At(30 * time.Second))
	h.m.Switchover("us-west-2")
	h.k.Run(sim.At(5 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	require.NotNil(t, f.Restore)
	assert.Equal(t, "global-switchover", f.Restore.Kind)
	assert.Equal(t, f.Start, f.Restore.RestoredTo, "RPO 0")
	assert.Zero(t, f.LostWrites)
	d := f.Accepting.Sub(f.Start)
	assert.Greater(t, d, DefaultGlobal().RoleChange)
	assert.Less(t, d, DefaultGlobal().RoleChange+30*time.Second)
	assert.Equal(t, "us-west-2", h.topo.Region(h.m.Writer().AZ))
	old := h.m.insts[0]
	_, _, n := h.m.ReplicaLag(0)
	assert.Positive(t, n, "the old primary applies the new primary's redo")
	assert.Less(t, h.m.globalLag(old), time.Second)
}

// Fact 3.38: with the RPO guard, commits block once every secondary lags
// past it (here: its Region is down), and go on when it catches up.
func TestGlobalRPOGuardBlocksCommits(t *testing.T) {
	g := DefaultGlobal()
	g.RPOGuard = 20 * time.Second
	h := newGlobalHarness(t, 4, g, 0, 500)
	h.k.Run(sim.At(10 * time.Second))
	regionDown(h, "us-west-2", true)
	h.k.Run(sim.At(60 * time.Second))
	assert.InDelta(t, 30, h.lastWriteOK.Sub(0).Seconds(), 1, "writes stop 20 s after the secondary's last record")
	regionDown(h, "us-west-2", false)
	h.k.Run(sim.At(70 * time.Second))
	assert.Greater(t, h.lastWriteOK, sim.At(65*time.Second), "commits go on once the secondary caught up")

	// Without the guard, writes never stop.
	h = newGlobalHarness(t, 4, DefaultGlobal(), 0, 500)
	h.k.Run(sim.At(10 * time.Second))
	regionDown(h, "us-west-2", true)
	h.k.Run(sim.At(60 * time.Second))
	assert.Greater(t, h.lastWriteOK, sim.At(59*time.Second))
}
