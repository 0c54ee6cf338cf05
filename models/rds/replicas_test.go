package rds

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// rharness drives a model with Poisson arrivals whose rate and write
// fraction can change over time, on keys drawn uniformly from keys
// (default 100); reads go to the reader endpoint (when there is one)
// unless readsToWriter. It records what the clients saw: the acknowledged
// writes' log positions (as client.Request.LSN), and for each read the
// highest acknowledged position of its key, and of any key, the clients
// had seen when it was submitted, so that staleness can be checked
// independently of the model.
type rharness struct {
	k    *sim.Kernel
	topo *cluster.Topology
	m    *Model
	log  *cluster.Log
	cl   *client.Client

	rate, writeFrac float64
	keys            uint64
	hotShare        float64 // the share of requests on key 0, the hot key (the rest are uniform)
	readsToWriter   bool

	acked    []ackSeen
	seenMax  uint64            // the highest acknowledged position the clients have seen
	seenKey  map[uint64]uint64 // the same per key
	sentSeen map[uint64]seenAt // per read in flight, by request ID

	okWrites, okReads, failedReads, failedWrites int
	replicaReads, staleReads                     int
	hotReads, hotStale                           int // replica reads of key 0
	// inconsistent counts reads that missed a write of their key whose
	// acknowledgement the clients had seen and were not flagged stale;
	// spurious, reads flagged stale that had every write of their key
	// acknowledged by the time they completed; behindAny, replica reads
	// that missed a write of any key the clients had seen acknowledged
	// (what "stale" used to mean).
	inconsistent, spurious, behindAny int
	timedOutAttempts                  int
	writerStale                       int
	writeLat                          *sim.Latency
	lags                              map[string][]float64 // per gauge, one sample per second
}

type ackSeen struct {
	lsn uint64
	at  sim.Time
}

type seenAt struct{ key, any uint64 }

func (h *rharness) Failed(_ *client.Request, s cluster.Status, _ bool) {
	if s == cluster.TimedOut {
		h.timedOutAttempts++
	}
}

func (h *rharness) Done(r *client.Request) {
	if r.Status != cluster.OK {
		if r.Op == cluster.Write {
			h.failedWrites++
		} else {
			h.failedReads++
		}
		return
	}
	if r.Op == cluster.Write {
		h.okWrites++
		h.acked = append(h.acked, ackSeen{r.LSN, h.k.Now()})
		h.seenMax = max(h.seenMax, r.LSN)
		h.seenKey[r.Key] = max(h.seenKey[r.Key], r.LSN)
		h.writeLat.Record(h.k.Now().Sub(r.Arrived))
		return
	}
	h.okReads++
	seen := h.sentSeen[r.ID]
	delete(h.sentSeen, r.ID)
	if r.Endpoint == 0 {
		if r.Stale {
			h.writerStale++
		}
		return
	}
	h.replicaReads++
	if r.Stale {
		h.staleReads++
	}
	if r.Key == 0 {
		h.hotReads++
		if r.Stale {
			h.hotStale++
		}
	}
	// A read that missed a write of its key whose acknowledgement the
	// clients had already seen must be flagged stale; one flagged stale
	// must have missed a write of its key acknowledged by now.
	if r.LSN < seen.key && !r.Stale {
		h.inconsistent++
	}
	if r.Stale && r.LSN >= h.seenKey[r.Key] {
		h.spurious++
	}
	if r.LSN < seen.any {
		h.behindAny++
	}
}

func newRHarness(t *testing.T, seed uint64, cfg Config, ccfg client.Config, rate, writeFrac float64) *rharness {
	t.Helper()
	k := sim.New(seed)
	topo := cluster.NewTopology(k, []string{"a", "b", "c", "remote"}, 450*time.Microsecond, time.Millisecond)
	return newRHarnessOn(t, topo, cfg, ccfg, rate, writeFrac)
}

// newRHarnessOn is newRHarness on a topology built on its own kernel.
func newRHarnessOn(t *testing.T, topo *cluster.Topology, cfg Config, ccfg client.Config, rate, writeFrac float64) *rharness {
	t.Helper()
	k := topo.Kernel()
	net := cluster.NewNet(topo)
	h := &rharness{k: k, topo: topo, log: cluster.NewLog(k), rate: rate, writeFrac: writeFrac, keys: 100,
		seenKey: map[uint64]uint64{}, sentSeen: map[uint64]seenAt{}, writeLat: sim.NewLatency(), lags: map[string][]float64{}}
	h.m = New(k, net, cfg, h.log)
	h.cl = client.New(k, net, ccfg, h.m.Endpoints(), h)
	rng, keyRng := k.Stream("test/arrivals"), k.Stream("test/keys")
	var id uint64
	var arrive func()
	arrive = func() {
		if h.rate > 0 {
			id++
			r := &client.Request{ID: id, Op: cluster.Read, Key: keyRng.Uint64N(h.keys)}
			if h.hotShare > 0 && keyRng.Float64() < h.hotShare {
				r.Key = 0
			}
			if rng.Float64() < h.writeFrac {
				r.Op = cluster.Write
			} else {
				if len(h.m.Endpoints()) > 1 && !h.readsToWriter {
					r.Endpoint = 1
				}
				h.sentSeen[id] = seenAt{key: h.seenKey[r.Key], any: h.seenMax}
			}
			h.cl.Submit(r)
			k.After(sim.Seconds(rng.ExpFloat64()/h.rate), arrive)
			return
		}
		k.After(100*time.Millisecond, arrive)
	}
	k.After(0, arrive)
	gauges := h.m.Gauges()
	var sample func()
	sample = func() {
		for _, g := range gauges {
			h.lags[g.ID.Column()] = append(h.lags[g.ID.Column()], g.Sample())
		}
		k.After(time.Second, sample)
	}
	k.After(0, sample)
	return h
}

// at changes the arrival rate and write fraction at time d.
func (h *rharness) at(d time.Duration, rate, writeFrac float64) {
	h.k.At(sim.At(d), func() { h.rate, h.writeFrac = rate, writeFrac })
}

// lag is gauge name's sample at second s, in seconds.
func (h *rharness) lag(name string, s int) float64 { return h.lags[name][s] / 1e3 }

// maxLag is gauge name's maximum over seconds [from, to), in seconds.
func (h *rharness) maxLag(name string, from, to int) float64 {
	m := 0.0
	for _, v := range h.lags[name][from:to] {
		m = max(m, v/1e3)
	}
	return m
}

// bigClass is a primary big enough for thousands of writes per second, as
// in AUR17's r3.8xlarge (32 vCPUs).
func bigClass() Class {
	c, _ := LookupClass("db.r5.8xlarge")
	return c
}

func replicaConfig(engine string, replicas ...ReplicaConfig) Config {
	cfg := Defaults()
	cfg.Engine = engine
	cfg.Class = bigClass()
	cfg.Replicas = replicas
	return cfg
}

func TestReplicaLagIsAQueue(t *testing.T) {
	// The mechanism behind facts 2.3/2.4: a single apply worker at 1 ms a
	// write applies μ = 1,000 writes/s. Below μ lag is the network plus a
	// short queue; above it the oldest unapplied write ages by (1 − μ/λ)
	// s/s; after the burst the backlog drains at μ − λ writes/s. With
	// λ = 500/s, then 1,500/s from 60 s to 120 s, then 500/s again: lag at
	// 120 s = 60·(1 − 1000/1500) = 20 s; the writes applied next are from
	// the burst, so lag keeps growing to 30 s at 150 s (the last burst
	// write, from 120 s, is reached when the 90,000 burst-time writes are
	// applied, at 60 + 90 s), then falls by 1 s/s to 0 at 180 s (the 30,000
	// write backlog drained at 1,000 − 500 writes/s).
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1, ApplyTime: sim.Constant(1e-3)})
	h := newRHarness(t, 1, cfg, clients(), 500, 1)
	h.at(time.Minute, 1500, 1)
	h.at(2*time.Minute, 500, 1)
	h.k.Run(sim.At(210 * time.Second))

	const g = "lag_ms:replica-1"
	below := h.maxLag(g, 10, 60)
	assert.Less(t, below, 0.05, "below capacity lag is the network plus a short queue")
	assert.InDelta(t, 20, h.lag(g, 120), 2, "end of burst")
	peak := h.maxLag(g, 120, 180)
	assert.InDelta(t, 30, peak, 2.5, "peak while the burst's writes are applied")
	assert.InDelta(t, 15, h.lag(g, 165), 2.5, "draining")
	assert.Less(t, h.maxLag(g, 190, 210), 0.05, "drained")
	t.Logf("lag: max %.1f ms below capacity; %.1f s at 120 s; peak %.1f s; %.1f s at 165 s; max %.1f ms after 190 s",
		below*1e3, h.lag(g, 120), peak, h.lag(g, 165), h.maxLag(g, 190, 210)*1e3)
	assert.Zero(t, h.failedWrites)
}

// feedWrites drives the model's replication directly, without clients: a
// Poisson stream of writes at rate per second, each durable on the primary
// when it arrives (a single-AZ primary's commit), until stop.
func feedWrites(m *Model, rate float64, stop sim.Time) {
	rng := m.k.Stream("test/feed")
	var next func()
	next = func() {
		if m.k.Now() >= stop {
			return
		}
		m.lsn++
		m.primary.lsn = m.lsn
		m.makeDurable(m.lsn)
		m.k.After(sim.Seconds(rng.ExpFloat64()/rate), next)
	}
	m.k.After(0, next)
}

// runFeed runs one replica of cfg under a write stream and returns the
// maximum lag over the run and the lag at its end, in seconds.
func runFeed(t *testing.T, cfg Config, rate float64, run time.Duration) (maxLag, endLag float64) {
	t.Helper()
	k := sim.New(1)
	topo := cluster.NewTopology(k, []string{"a", "b", "c"}, 450*time.Microsecond, time.Millisecond)
	m := New(k, cluster.NewNet(topo), cfg, cluster.NewLog(k))
	feedWrites(m, rate, sim.At(run))
	r := m.replicas[0]
	var sample func()
	sample = func() {
		maxLag = max(maxLag, r.lag().Seconds())
		k.After(time.Second, sample)
	}
	k.After(time.Second, sample)
	k.Run(sim.At(run))
	return maxLag, r.lag().Seconds()
}

func TestApplyCalibrationFact24(t *testing.T) {
	// Fact 2.4 (AUR17 §6.1.4, Table 4; MySQL on r3.8xlarge, SysBench
	// write-only): replica lag < 1 s at 1,000 writes/s, 1 s at 2,000, 60 s
	// at 5,000, 300 s at 10,000. With the default apply cost (μ ≈ 4,444
	// writes/s single-threaded) and the run length the runaway points
	// imply (T = 540 s, see DefaultApplyTime), lag(T) = T·(1 − μ/λ): 60 s
	// and 300 s. Below capacity the lag is milliseconds; the published
	// "1 s" at 2,000 writes/s is Seconds_Behind_Master's whole-second
	// granularity (fact 2.9), so it is checked as "at most about a second".
	t.Parallel()
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1})
	const T = 540 * time.Second
	cases := []struct {
		rate      float64
		run       time.Duration
		published float64
		check     func(maxLag, endLag float64)
	}{
		{1000, time.Minute, 1, func(mx, _ float64) { assert.Less(t, mx, 1.0, "1k writes/s: < 1 s") }},
		{2000, time.Minute, 1, func(mx, _ float64) { assert.LessOrEqual(t, mx, 1.5, "2k writes/s: about 1 s or less") }},
		{5000, T, 60, func(_, end float64) { assert.InEpsilon(t, 60, end, 0.15, "5k writes/s after 9 min") }},
		{10000, T, 300, func(_, end float64) { assert.InEpsilon(t, 300, end, 0.10, "10k writes/s after 9 min") }},
	}
	for _, c := range cases {
		mx, end := runFeed(t, cfg, c.rate, c.run)
		c.check(mx, end)
		t.Logf("fact 2.4: %5.0f writes/s: published %5.0f s; simulated lag after %v: %.3f s (max %.3f s)", c.rate, c.published, c.run, end, mx)
	}
}

func TestParallelApplyKeepsUp(t *testing.T) {
	// Fact 2.2: MySQL replicas can apply with parallel workers; with 4 the
	// capacity is ~17,800 writes/s, so 10,000 writes/s that run a
	// single-threaded replica away (fact 2.4) keep the lag at milliseconds.
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1, ApplyWorkers: 4})
	mx, _ := runFeed(t, cfg, 10000, 30*time.Second)
	assert.Less(t, mx, 0.05)
	cfg = replicaConfig("mysql", ReplicaConfig{AZ: 1})
	_, end := runFeed(t, cfg, 10000, 30*time.Second)
	assert.InEpsilon(t, 30*(1-4444.0/10000), end, 0.1, "single-threaded: lag(t) = t·(1 − μ/λ)")
}

func TestCrossRegionReplicaLagIncludesTheWAN(t *testing.T) {
	// Fact 2.12: cross-Region lag ≥ the inter-Region delay plus apply time.
	// us-east-1 → us-west-2: 87 ms RTT (fact 6.5), 43.5 ms one way.
	rtt, ok := InterRegionRTT("us-west-2", "us-east-1")
	require.True(t, ok)
	require.Equal(t, 87*time.Millisecond, rtt)
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 3, Region: "us-west-2", RegionDelay: rtt / 2})
	h := newRHarness(t, 1, cfg, clients(), 200, 0.5)
	h.k.Run(sim.At(30 * time.Second))
	const g = "lag_ms:replica-1"
	lat := sim.NewLatency()
	for _, v := range h.lags[g][5:] {
		lat.Record(time.Duration(v * 1e6))
	}
	// With 100 writes/s a write is in flight most of the time: sampled lag
	// is between 0 (caught up) and the one-way delay plus apply.
	assert.Less(t, lat.Max(), 60*time.Millisecond)
	assert.Greater(t, lat.Max(), 43*time.Millisecond)
	// Reads pay the WAN both ways.
	assert.Greater(t, h.okReads, 0)
}

func TestStaleReadsOnlyWhenBehind(t *testing.T) {
	// A read is stale when the replica lacks a write of its key whose
	// acknowledgement reached a client before the read was sent. No
	// writes: never stale. One hot key written 200 times a second below
	// the apply capacity: stale only when the read reaches the replica
	// between the client's acknowledgement and the replica's apply of a
	// write (clients are in the primary's AZ: the acknowledgement takes
	// 0.225 ms, the read 0.5 ms to the replica, the log 0.5 ms plus the
	// apply, 0.225 ms on average with a tail), so about 200/s × a few
	// hundredths of a millisecond: a fraction of a percent. Above
	// capacity, with each of 100 keys written 60 times a second and the
	// replica seconds behind: nearly every read.
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1})
	h := newRHarness(t, 1, cfg, clients(), 500, 0)
	phase := func() (reads, stale int) {
		r, s := h.replicaReads, h.staleReads
		h.replicaReads, h.staleReads = 0, 0
		return r, s
	}
	h.k.Run(sim.At(30 * time.Second))
	reads, stale := phase()
	assert.Greater(t, reads, 10000)
	assert.Zero(t, stale, "no writes, no stale reads")

	h.at(30*time.Second, 700, 200.0/700)
	h.k.At(sim.At(30*time.Second), func() { h.keys = 1 })
	h.k.Run(sim.At(60 * time.Second))
	reads, stale = phase()
	frac := float64(stale) / float64(reads)
	assert.Greater(t, frac, 0.001)
	assert.Less(t, frac, 0.05, "below capacity, stale only while a write of the key is in flight")
	t.Logf("one key, 200 writes/s: %.2f %% of %d replica reads stale", 100*frac, reads)

	h.at(60*time.Second, 6500, 6000.0/6500)
	h.k.At(sim.At(60*time.Second), func() { h.keys = 100 })
	h.k.Run(sim.At(80 * time.Second))
	reads, stale = phase()
	frac = float64(stale) / float64(reads)
	assert.Greater(t, frac, 0.99, "above capacity every read is stale")
	t.Logf("100 keys, 6,000 writes/s: %.1f %% of %d replica reads stale", 100*frac, reads)

	assert.Zero(t, h.inconsistent, "a read missing a write of its key its client saw acknowledged is always flagged")
	assert.Zero(t, h.spurious, "a read flagged stale missed an acknowledged write of its key")
	cs := map[string]int64{}
	for _, c := range h.m.Counters() {
		cs[c.ID.Column()] = c.Value
	}
	assert.Equal(t, cs["stale_reads"], cs["stale_reads:replica-1"])
	assert.Greater(t, cs["stale_read_writes_behind"], cs["stale_reads"])
	assert.Greater(t, h.m.Staleness().Quantile(0.99), 5*time.Second, "by the end of the burst the data is seconds old")

	// Reads on the writer are never stale.
	h.readsToWriter = true
	h.at(80*time.Second, 1000, 0.5)
	h.k.Run(sim.At(90 * time.Second))
	assert.Zero(t, h.writerStale)
}

// lostAbove counts the writes the clients saw acknowledged, at or before
// until, with a log position above lsn: an independent count of what a
// promotion at position lsn loses.
func (h *rharness) lostAbove(lsn uint64, until sim.Time) int64 {
	var n int64
	for _, a := range h.acked {
		if a.lsn > lsn && a.at <= until {
			n++
		}
	}
	return n
}

func TestPromoteLaggingReplicaLosesExactlyWhatItHadNotReceived(t *testing.T) {
	// Fact 2.13: promotion stops replication and reboots the replica;
	// "data not yet replicated is lost". A replica 40 ms away that applies
	// 500 writes/s while the primary takes 800: at 60 s it has 40 ms of
	// writes on the wire and (800 − 500)·60 = 18,000 to apply, which takes
	// 36 s, longer than PromoteTime (10 s here). The old primary keeps
	// taking writes until the new one opens: those are lost too.
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1, RegionDelay: 40 * time.Millisecond, ApplyTime: sim.Constant(2e-3)})
	cfg.PromoteTime = 10 * time.Second
	h := newRHarness(t, 1, cfg, clients(), 800, 1)
	var recv uint64
	var behind uint64
	h.k.At(sim.At(time.Minute), func() {
		recv = h.m.Replica(0).Received
		behind = h.m.Durable() - recv
		h.m.PromoteReplica(0)
	})
	h.k.Run(sim.At(3 * time.Minute))

	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	require.NotEqual(t, cluster.Never, f.Accepting)
	took := f.Accepting.Sub(f.Start)
	assert.InDelta(t, 36, took.Seconds(), 2, "the promotion waits for the apply backlog (%v)", took)
	assert.Greater(t, behind, uint64(20), "writes were on the wire")
	// Writes the old primary acknowledged up to its retirement whose
	// acknowledgement reached a client; the new primary's first
	// acknowledgements come after clients reconnect.
	want := h.lostAbove(recv, f.Accepting.Add(time.Millisecond))
	assert.Equal(t, want, f.LostWrites, "lost writes = acknowledged writes above the received position")
	assert.InDelta(t, 800*took.Seconds(), float64(f.LostWrites), 800*took.Seconds()*0.1)
	assert.True(t, h.m.Replica(0).Promoted)
	assert.Equal(t, h.m.Replica(0).Host, h.m.Primary())
	assert.Equal(t, h.m.Primary(), h.m.Endpoints()[0].Target())
	// Clients write to the new primary.
	n := h.okWrites
	h.k.Run(sim.At(4 * time.Minute))
	assert.Greater(t, h.okWrites-n, 40000)
}

func TestPromoteCrossRegionReplicaAfterPrimaryAZLoss(t *testing.T) {
	// Disaster recovery (fact 2.13: RPO = the lag at the failure): the WAN
	// link to a cross-Region replica (us-west-2, 43.5 ms one way, fact 6.5)
	// fails at 55 s, then the single-AZ primary's AZ at 60 s; the operator
	// promotes the replica at 70 s, which completes the open failover
	// after PromoteTime. Lost: the writes acknowledged after the link
	// failed, ~5 s × 1,000 writes/s (what was on the wire when the link
	// failed still arrives).
	cfg := replicaConfig("postgres", ReplicaConfig{AZ: 3, Region: "us-west-2", RegionDelay: 43500 * time.Microsecond})
	cc := clients()
	cc.AZ = 2
	h := newRHarness(t, 2, cfg, cc, 1000, 0.5)
	var recv uint64
	h.k.At(sim.At(55*time.Second), func() { h.topo.SetCut(0, 3, true) })
	h.k.At(sim.At(time.Minute), func() { h.topo.SetDown(0, true) })
	h.k.At(sim.At(70*time.Second), func() {
		recv = h.m.Replica(0).Received
		h.m.PromoteReplica(0)
	})
	h.k.Run(sim.At(4*time.Minute + 30*time.Second))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	assert.Equal(t, "AZ outage", f.Cause)
	assert.Equal(t, sim.At(70*time.Second), f.Detected)
	assert.Equal(t, sim.At(70*time.Second).Add(cfg.PromoteTime), f.Accepting, "caught up: PromoteTime (fact 2.13)")
	want := h.lostAbove(recv, sim.At(time.Minute).Add(time.Millisecond))
	assert.Equal(t, want, f.LostWrites, "lost writes = acknowledged writes above the received position")
	assert.InDelta(t, 2500, float64(f.LostWrites), 200)
	n := h.okWrites
	h.k.Run(sim.At(5 * time.Minute))
	assert.Greater(t, h.okWrites-n, 10000, "the promoted replica takes the writes")
	assert.Equal(t, h.m.Primary(), h.m.Replica(0).Host)
}

func TestRegionFailoverRestoresTheReplicasReceivedLog(t *testing.T) {
	// Disaster recovery from a cross-Region read replica (fact 2.13:
	// promotion reboots the replica; "changes not yet replicated are
	// lost", RPO = the lag at the failure; fact 2.17: the operator promotes
	// it and points the application at it). us-east-1 ships its WAL to a
	// replica in us-west-2 (87 ms round trip, fact 6.5). The WAN link fails
	// at 50 s, the primary's whole Region at 60 s, so the replica lags
	// some 10 s at the failure; the operator fails over 2 minutes later.
	k := sim.New(3)
	topo := cluster.NewTopology(k, []string{"us-east-1a", "us-east-1b", "us-east-1c"}, 450*time.Microsecond, time.Millisecond)
	topo.NameRegion("us-east-1")
	rtt, ok := InterRegionRTT("us-east-1", "us-west-2")
	require.True(t, ok)
	topo.AddRegion("us-west-2", []string{"us-west-2a", "us-west-2b"}, func(string) time.Duration { return rtt })
	cfg := replicaConfig("postgres", ReplicaConfig{AZ: 3, Region: "us-west-2"})
	cc := clients()
	cc.AZ = 4 // the application runs in us-west-2
	h := newRHarnessOn(t, topo, cfg, cc, 1000, 0.5)
	const failoverAfter = 2 * time.Minute
	var lagAtFailure time.Duration
	var recv uint64
	k.At(sim.At(50*time.Second), func() { topo.SetCut(0, 3, true) })
	k.At(sim.At(time.Minute), func() {
		lagAtFailure = h.m.Replica(0).Lag
		recv = h.m.Replica(0).Received
		for _, a := range topo.RegionAZs("us-east-1") {
			topo.SetDown(a, true)
		}
	})
	k.At(sim.At(time.Minute+failoverAfter), h.m.RegionFailover)
	k.Run(sim.At(time.Minute + failoverAfter + cfg.PromoteTime + time.Minute))

	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	require.NotNil(t, f.Restore, "a recovery from another Region, not a failover")
	assert.Equal(t, "cross-region-replica", f.Restore.Kind)
	assert.Equal(t, "Region outage", f.Cause)
	assert.Equal(t, sim.At(time.Minute), f.Start)
	rpo := f.Start.Sub(f.Restore.RestoredTo)
	assert.InDelta(t, 10, lagAtFailure.Seconds(), 0.1, "the link failed 10 s before the Region")
	assert.InDelta(t, lagAtFailure.Seconds(), rpo.Seconds(), 0.01, "RPO = the replica's lag at the failure")
	// The replica had applied all it received: it opens after PromoteTime.
	assert.Equal(t, sim.At(time.Minute+failoverAfter).Add(cfg.PromoteTime), f.Accepting, "failover_after + PromoteTime (fact 2.13)")
	// The model counts every write the primary acknowledged; the clients,
	// a Region away, never saw the acknowledgements still on the wire
	// when the Region failed (500 writes/s × 43.5 ms ≈ 22).
	seen := h.lostAbove(recv, f.Start.Add(time.Millisecond))
	assert.GreaterOrEqual(t, f.LostWrites, seen, "lost writes ≥ the acknowledged writes the clients saw that the replica never received")
	assert.InDelta(t, float64(seen), float64(f.LostWrites), 50, "the difference is the acknowledgements in flight")
	assert.InDelta(t, 500*rpo.Seconds(), float64(f.LostWrites), 500*rpo.Seconds()*0.1, "10 s of 500 writes/s")
	assert.True(t, h.m.Replica(0).Promoted)
	assert.Equal(t, h.m.Primary(), h.m.Endpoints()[0].Target())
	n := h.okWrites
	k.Run(sim.At(8 * time.Minute))
	assert.Greater(t, h.okWrites-n, 10000, "the promoted replica takes the writes")
}

func TestRegionFailoverRefusedWithoutAReplicaElsewhere(t *testing.T) {
	// The replica runs in the primary's Region: the Region's loss takes it
	// too, and there is nothing to promote.
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1})
	h := newRHarness(t, 1, cfg, clients(), 100, 0.5)
	h.k.At(sim.At(10*time.Second), func() { h.topo.SetDown(0, true); h.topo.SetDown(1, true) })
	h.k.At(sim.At(20*time.Second), h.m.RegionFailover)
	h.k.Run(sim.At(30 * time.Second))
	require.Len(t, h.log.Failovers, 1)
	assert.Nil(t, h.log.Failovers[0].Restore)
	assert.False(t, h.m.Replica(0).Promoted)
}

func TestFailedReplicaIsReplacedAndCatchesUp(t *testing.T) {
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1}, ReplicaConfig{AZ: 2})
	cfg.ReplaceInstance = time.Minute
	h := newRHarness(t, 1, cfg, clients(), 2000, 0.5)
	var retained int64
	h.k.At(sim.At(30*time.Second), func() { h.m.FailReplica(0) })
	h.k.At(sim.At(80*time.Second), func() { retained = h.m.acks.Above(0) })
	h.k.Run(sim.At(3 * time.Minute))
	// While it is down it is no promotion candidate: the AckLog does not
	// hold the 50,000 writes acknowledged since.
	assert.Less(t, retained, int64(1000))
	g := "lag_ms:replica-1"
	assert.True(t, math.IsNaN(h.lag(g, 60)), "no lag while it is down: it is not replicating")
	// Back at 30 + 60 + 15 s, 75 s behind: 75,000 writes to apply at
	// 4,444 − 1,000 writes/s net take ~22 s (one second later it has
	// caught up 4,444 writes, ~4.4 s of data).
	restart := 30 + 60 + int(cfg.EngineStart/time.Second)
	assert.InDelta(t, 75-4.4, h.lag(g, restart+1), 1.5)
	assert.Less(t, h.maxLag(g, restart+25, 180), 0.05, "caught up after replacement, engine start and its backlog")
	assert.Less(t, h.maxLag("lag_ms:replica-2", 5, 180), 0.05, "the other replica is unaffected")
	assert.Greater(t, h.timedOutAttempts, 0, "reads sent to the failed replica time out")
	assert.False(t, h.m.Replica(0).Resync)
	assert.Empty(t, h.log.Failovers)
}

func TestReplicasFollowInstanceFailover(t *testing.T) {
	// A Multi-AZ instance failover loses nothing (synchronous mirror, fact
	// 1.1); the replicas continue from the new primary.
	cfg := replicaConfig("postgres", ReplicaConfig{AZ: 2})
	cfg.MultiAZ = true
	h := newRHarness(t, 1, cfg, clients(), 1000, 0.3)
	h.k.At(sim.At(time.Minute), func() { h.m.FailInstance("primary") })
	h.k.Run(sim.At(5 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	assert.Zero(t, h.log.Failovers[0].LostWrites)
	assert.Less(t, h.maxLag("lag_ms:replica-1", 240, 300), 0.05)
	assert.Zero(t, h.inconsistent)
}

func TestConfigValidation(t *testing.T) {
	cfg := Defaults()
	require.NoError(t, cfg.Validate())
	cfg.Replicas = make([]ReplicaConfig, 16)
	assert.ErrorContains(t, cfg.Validate(), "at most 15", "fact 2.11")
	cfg.Engine = "oracle-ee"
	cfg.Replicas = make([]ReplicaConfig, 6)
	assert.ErrorContains(t, cfg.Validate(), "at most 5", "fact 2.11")
	cfg = Defaults()
	cfg.Replicas = []ReplicaConfig{{ApplyWorkers: 4}}
	assert.ErrorContains(t, cfg.Validate(), "single process", "fact 2.6")
	cfg.Engine = "mysql"
	assert.NoError(t, cfg.Validate())
	cfg.Cluster = true
	cfg.ClusterStandbys[1].AZ = 0
	assert.ErrorContains(t, cfg.Validate(), "three AZs", "fact 1.12")
}

func TestHistoryMemoryIsBounded(t *testing.T) {
	// A runaway replica holds a 5-minute backlog of 1.7 million writes;
	// the history that dates them stays small.
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1})
	k := sim.New(1)
	topo := cluster.NewTopology(k, []string{"a", "b", "c"}, 450*time.Microsecond, time.Millisecond)
	m := New(k, cluster.NewNet(topo), cfg, cluster.NewLog(k))
	feedWrites(m, 10000, sim.At(5*time.Minute))
	k.Run(sim.At(5 * time.Minute))
	r := m.replicas[0]
	assert.Greater(t, r.recv-r.applied, uint64(1_500_000))
	assert.Less(t, len(m.hist.marks)-m.hist.head, 40000, "marks retained")
	assert.InEpsilon(t, 300*(1-4444.0/10000), r.lag().Seconds(), 0.05)
}

func ExampleInterRegionRTT() {
	d, _ := InterRegionRTT("us-east-1", "us-west-2")
	fmt.Println(d, d/2)
	// Output: 87ms 43.5ms
}
