package rds

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// harness drives an RDS model with a fleet of clients at a fixed rate.
type harness struct {
	k    *sim.Kernel
	topo *cluster.Topology
	m    *Model
	log  *cluster.Log
	cl   *client.Client

	ok, failed   int
	lastFailedAt sim.Time
	writeLat     []time.Duration
}

func (h *harness) Failed(*client.Request, cluster.Status, bool) {}
func (h *harness) Done(r *client.Request) {
	if r.Status == cluster.OK {
		h.ok++
		if r.Op == cluster.Write {
			h.writeLat = append(h.writeLat, h.k.Now().Sub(r.Arrived))
		}
		return
	}
	h.failed++
	h.lastFailedAt = h.k.Now()
}

func newHarness(t *testing.T, seed uint64, cfg Config, ccfg client.Config, rate float64) *harness {
	t.Helper()
	k := sim.New(seed)
	topo := cluster.NewTopology(k, []string{"a", "b", "c"}, 450*time.Microsecond, time.Millisecond)
	net := cluster.NewNet(topo)
	h := &harness{k: k, topo: topo, log: cluster.NewLog(k)}
	h.m = New(k, net, cfg, h.log)
	h.cl = client.New(k, net, ccfg, h.m.Endpoints(), h)
	rng := k.Stream("test/arrivals")
	var id uint64
	var arrive func()
	arrive = func() {
		id++
		op := cluster.Read
		if id%5 == 0 {
			op = cluster.Write
		}
		h.cl.Submit(&client.Request{ID: id, Op: op, Key: id})
		k.After(sim.Seconds(rng.ExpFloat64()/rate), arrive)
	}
	k.After(0, arrive)
	return h
}

func clients() client.Config {
	return client.Config{Instances: 4, Connections: 20, ConnectTimeout: 2 * time.Second, Timeout: 2 * time.Second,
		Retry: client.Retry{MaxAttempts: 3, Base: 50 * time.Millisecond, Cap: 2 * time.Second, Jitter: client.FullJitter}, HandshakeRTTs: 3}
}

func TestMultiAZFailoverWithinPublishedRange(t *testing.T) {
	// fact 1.3: Multi-AZ instance failover typically takes 60–120 s.
	for seed := uint64(1); seed <= 5; seed++ {
		cfg := Defaults()
		cfg.MultiAZ = true
		h := newHarness(t, seed, cfg, clients(), 500)
		h.k.At(sim.At(3*time.Minute), func() { h.m.FailInstance("primary") })
		h.k.Run(sim.At(8 * time.Minute))

		require.Len(t, h.log.Failovers, 1, "seed %d", seed)
		f := h.log.Failovers[0]
		d := f.Accepting.Sub(f.Start)
		assert.GreaterOrEqual(t, d, 60*time.Second, "seed %d: failover %v", seed, d)
		assert.LessOrEqual(t, d, 120*time.Second, "seed %d: failover %v", seed, d)
		assert.Zero(t, f.LostWrites, "sync replication loses no acknowledged write")
		// Detection takes (threshold-1) to threshold intervals.
		det := f.Detected.Sub(f.Start)
		assert.True(t, det > 10*time.Second && det <= 15*time.Second, "detected after %v", det)
		assert.NotEqual(t, h.m.Primary().AZ, cluster.AZ(0), "the standby in another AZ is now primary")
		assert.Greater(t, h.failed, 0)
		assert.Less(t, h.lastFailedAt, sim.At(6*time.Minute), "clients recover after the failover")
	}
}

func TestSingleAZReplacementTakesMinutes(t *testing.T) {
	h := newHarness(t, 1, Defaults(), clients(), 500)
	h.k.At(sim.At(time.Minute), func() { h.m.FailInstance("primary") })
	h.k.Run(sim.At(12 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	d := f.Accepting.Sub(f.Start)
	assert.Greater(t, d, Defaults().ReplaceInstance, "replacement is at least ReplaceInstance")
	assert.Less(t, d, 8*time.Minute)
}

func TestRecoveryGrowsWithRedo(t *testing.T) {
	// Crash recovery replays the redo since the last checkpoint: a heavier
	// write rate makes the failover longer, all else equal.
	run := func(redoPerWrite int64) time.Duration {
		cfg := Defaults()
		cfg.MultiAZ = true
		cfg.RedoPerWrite = redoPerWrite
		h := newHarness(t, 3, cfg, clients(), 500)
		h.k.At(sim.At(4*time.Minute), func() { h.m.FailInstance("primary") })
		h.k.Run(sim.At(8 * time.Minute))
		f := h.log.Failovers[0]
		return f.Accepting.Sub(f.Promoted)
	}
	small, large := run(1<<10), run(64<<10)
	assert.Greater(t, large, small+5*time.Second, "recovery %v vs %v", large, small)
}

func TestMultiAZWritesPayCrossAZRoundTrip(t *testing.T) {
	median := func(multiAZ bool) time.Duration {
		cfg := Defaults()
		cfg.MultiAZ = multiAZ
		h := newHarness(t, 1, cfg, clients(), 200)
		h.k.Run(sim.At(30 * time.Second))
		lat := sim.NewLatency()
		for _, d := range h.writeLat {
			lat.Record(d)
		}
		return lat.Quantile(0.5)
	}
	single, multi := median(false), median(true)
	// One cross-AZ round trip (1 ms) plus the standby's write (p50 1 ms).
	assert.InDelta(t, 2.0, (multi-single).Seconds()*1e3, 0.5, "single %v, multi %v", single, multi)
}

func TestRebootWithFailoverSkipsDetection(t *testing.T) {
	cfg := Defaults()
	cfg.MultiAZ = true
	h := newHarness(t, 1, cfg, clients(), 200)
	h.k.At(sim.At(time.Minute), func() { h.m.RebootWithFailover() })
	h.k.Run(sim.At(4 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	assert.Equal(t, f.Start, f.Detected)
	assert.Equal(t, cfg.Promotion+cfg.EngineStart, f.Accepting.Sub(f.Start), "a clean shutdown leaves no redo to replay")
}

func TestPartitionSuspendsMirrorThenResyncs(t *testing.T) {
	cfg := Defaults()
	cfg.MultiAZ = true
	h := newHarness(t, 1, cfg, clients(), 200)
	h.k.At(sim.At(time.Minute), func() { h.topo.SetCut(0, 1, true) })
	h.k.At(sim.At(2*time.Minute), func() { h.topo.SetCut(0, 1, false) })
	h.k.At(sim.At(90*time.Second), func() { assert.False(t, h.m.inSync, "mirror suspended after the ack timeout") })
	h.k.Run(sim.At(3 * time.Minute))
	assert.True(t, h.m.inSync, "standby re-synchronised after the partition healed")
	assert.Empty(t, h.log.Failovers, "a partition between primary and standby is not a failover")
}

func TestUnreplicatedAcksPerDeployment(t *testing.T) {
	// A single-AZ instance acknowledges every write with no other copy; a
	// Multi-AZ instance none while its mirror is in sync, and those of the
	// spell while it is suspended (a partition from 1:00 to 2:00: 55 s
	// after the 5 s AckTimeout, at 40 writes/s).
	single := newHarness(t, 1, Defaults(), clients(), 200)
	single.k.Run(sim.At(time.Minute))
	assert.Equal(t, int64(len(single.writeLat)), single.m.UnreplicatedAcks())

	cfg := Defaults()
	cfg.MultiAZ = true
	h := newHarness(t, 1, cfg, clients(), 200)
	h.k.At(sim.At(59*time.Second), func() { assert.Zero(t, h.m.UnreplicatedAcks(), "in sync") })
	h.k.At(sim.At(time.Minute), func() { h.topo.SetCut(0, 1, true) })
	h.k.At(sim.At(2*time.Minute), func() { h.topo.SetCut(0, 1, false) })
	h.k.Run(sim.At(3 * time.Minute))
	assert.InDelta(t, 55*40, float64(h.m.UnreplicatedAcks()), 55*40*0.25)
	assert.True(t, logged(h.log, "writes are acknowledged with no other copy"))
	assert.True(t, logged(h.log, "have a standby's copy again"))
}
