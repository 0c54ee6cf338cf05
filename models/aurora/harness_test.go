package aurora

import (
	"testing"
	"time"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// harness drives a cluster with a fleet of clients at a fixed Poisson rate,
// as models/rds/rds_test.go does.
type harness struct {
	k    *sim.Kernel
	topo *cluster.Topology
	m    *Model
	log  *cluster.Log
	cl   *client.Client

	ok, failed              int
	okReads, okWrites       int
	stale                   int
	hotReads, hotStale      int // successful replica reads of key 0
	lastFailedAt            sim.Time
	lastWriteFailedAt       sim.Time
	readLat, writeLat       *sim.Latency
	writesEvery             uint64 // one write every writesEvery requests (0: none)
	readsFromReplicas       bool
	keys                    uint64  // keys drawn uniformly from [0, keys); 0: each request its own key
	hotShare                float64 // with keys: the share of requests on key 0
	rate                    float64
	measureFrom             sim.Time
	lastWriteOK, lastReadOK sim.Time
	lastLatency             time.Duration
	nextID                  uint64
}

func (h *harness) Failed(*client.Request, cluster.Status, bool) {}
func (h *harness) Done(r *client.Request) {
	now := h.k.Now()
	if r.Status == cluster.OK {
		h.ok++
		if r.Stale {
			h.stale++
		}
		if r.Key == 0 && r.Op == cluster.Read && r.Endpoint == 1 {
			h.hotReads++
			if r.Stale {
				h.hotStale++
			}
		}
		if r.Op == cluster.Write {
			h.okWrites++
			h.lastWriteOK = now
		} else {
			h.okReads++
			h.lastReadOK = now
		}
		h.lastLatency = now.Sub(r.Arrived)
		if r.Arrived >= h.measureFrom {
			if r.Op == cluster.Write {
				h.writeLat.Record(now.Sub(r.Arrived))
			} else {
				h.readLat.Record(now.Sub(r.Arrived))
			}
		}
		return
	}
	h.failed++
	h.lastFailedAt = now
	if r.Op == cluster.Write {
		h.lastWriteFailedAt = now
	}
}

// newHarness builds the usual three-AZ region (0.45 ms same-AZ RTT, 1 ms
// cross-AZ, fact 6.3 order of magnitude), the model and the clients in AZ
// 0, and starts arrivals at rate/s: every fifth request a write (20 %).
func newHarness(t testing.TB, seed uint64, cfg Config, ccfg client.Config, rate float64) *harness {
	h := newIdleHarness(t, seed, cfg, ccfg)
	h.start(rate)
	return h
}

func newIdleHarness(t testing.TB, seed uint64, cfg Config, ccfg client.Config) *harness {
	t.Helper()
	k := sim.New(seed)
	topo := cluster.NewTopology(k, []string{"a", "b", "c"}, 450*time.Microsecond, time.Millisecond)
	net := cluster.NewNet(topo)
	h := &harness{k: k, topo: topo, log: cluster.NewLog(k), readLat: sim.NewLatency(), writeLat: sim.NewLatency(), writesEvery: 5}
	h.m = New(k, net, cfg, h.log)
	h.cl = client.New(k, net, ccfg, h.m.Endpoints(), h)
	return h
}

// start begins Poisson arrivals at rate per second (0: none).
func (h *harness) start(rate float64) {
	h.rate = rate
	if rate <= 0 {
		return
	}
	rng, keyRng := h.k.Stream("test/arrivals"), h.k.Stream("test/keys")
	var id uint64
	var arrive func()
	arrive = func() {
		if h.rate <= 0 {
			return
		}
		id++
		op, ep := cluster.Read, 0
		if h.writesEvery > 0 && id%h.writesEvery == 0 {
			op = cluster.Write
		} else if h.readsFromReplicas {
			ep = 1
		}
		key := id
		if h.keys > 0 {
			key = keyRng.Uint64N(h.keys)
			if keyRng.Float64() < h.hotShare {
				key = 0
			}
		}
		h.cl.Submit(&client.Request{ID: id, Op: op, Key: key, Endpoint: ep})
		h.k.After(sim.Seconds(rng.ExpFloat64()/h.rate), arrive)
	}
	h.k.After(0, arrive)
}

// submit sends n reads to the writer now.
func (h *harness) submit(n int) {
	for range n {
		h.nextID++
		h.cl.Submit(&client.Request{ID: 1<<40 + h.nextID, Op: cluster.Read, Key: h.nextID})
	}
}

func clients() client.Config {
	return client.Config{Instances: 4, Connections: 20, ConnectTimeout: 2 * time.Second, Timeout: 2 * time.Second,
		Retry: client.Retry{MaxAttempts: 3, Base: 50 * time.Millisecond, Cap: 2 * time.Second, Jitter: client.FullJitter}, HandshakeRTTs: 3}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
