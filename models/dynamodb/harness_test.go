package dynamodb

import (
	"math/rand/v2"
	"testing"
	"time"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// harness drives a DynamoDB model with a client fleet and an arrival loop
// whose rate and requests the test chooses, as models/rds/rds_test.go
// does for RDS.
type harness struct {
	k    *sim.Kernel
	topo *cluster.Topology
	m    *Model
	log  *cluster.Log
	cl   *client.Client

	ok, throttled, failed int
	byStatus              [cluster.Invalid + 1]int
	lat                   *sim.Latency
	// thr[i] is the model's throttled requests (reads and writes) up to
	// second i; unavail[i] the requests refused for want of a leader.
	thr, unavail []int64
	// okAt[i] counts requests that completed OK in second i.
	okAt []int
	done func(r *client.Request)
}

func (h *harness) Failed(*client.Request, cluster.Status, bool) {}
func (h *harness) Done(r *client.Request) {
	h.byStatus[r.Status]++
	switch r.Status {
	case cluster.OK:
		h.ok++
		h.lat.Record(h.k.Now().Sub(r.Arrived))
		s := int(h.k.Now() / sim.Time(time.Second))
		for len(h.okAt) <= s {
			h.okAt = append(h.okAt, 0)
		}
		h.okAt[s]++
	case cluster.Throttled:
		h.throttled++
	default:
		h.failed++
	}
	if h.done != nil {
		h.done(r)
	}
}

// noRetries is a client fleet that does not retry, so that the tests see
// the model's throttling as it is.
func noRetries() client.Config {
	return client.Config{Instances: 4, Connections: 200, ConnectTimeout: 2 * time.Second, Timeout: 2 * time.Second,
		Retry: client.Retry{MaxAttempts: 1}, HandshakeRTTs: 3}
}

func newHarness(t testing.TB, seed uint64, cfg Config, ccfg client.Config) *harness {
	t.Helper()
	k := sim.New(seed)
	topo := cluster.NewTopology(k, []string{"a", "b", "c"}, 450*time.Microsecond, time.Millisecond)
	net := cluster.NewNet(topo)
	h := &harness{k: k, topo: topo, log: cluster.NewLog(k), lat: sim.NewLatency()}
	h.m = New(k, net, cfg, h.log)
	h.cl = client.New(k, net, ccfg, h.m.Endpoints(), h)
	var tick func()
	tick = func() {
		h.thr = append(h.thr, h.m.throttledReads+h.m.throttledWrites)
		h.unavail = append(h.unavail, h.m.unavailable)
		k.After(time.Second, tick)
	}
	k.After(0, tick)
	return h
}

// drive submits requests at rate(t) per second (Poisson; the rate is
// re-read at each arrival and polled every 100 ms while it is zero); fill
// sets each request's key, operation, size and detail.
func (h *harness) drive(name string, rate func(t time.Duration) float64, fill func(rng *rand.Rand, r *client.Request)) {
	arrivals := h.k.Stream("test/arrivals/" + name)
	rng := h.k.Stream("test/requests/" + name)
	var id uint64
	var arrive func()
	next := func() {
		r := rate(time.Duration(h.k.Now()))
		if r <= 0 {
			h.k.After(100*time.Millisecond, arrive)
			return
		}
		h.k.After(sim.Seconds(arrivals.ExpFloat64()/r), arrive)
	}
	arrive = func() {
		if rate(time.Duration(h.k.Now())) > 0 {
			id++
			req := h.cl.NewRequest()
			req.ID = id
			fill(rng, req)
			h.cl.Submit(req)
		}
		next()
	}
	next()
}

// steady is a constant rate from 'from' on.
func steady(r float64) func(time.Duration) float64 { return func(time.Duration) float64 { return r } }

// throttlesBetween is the model's throttles in [a, b) seconds.
func (h *harness) throttlesBetween(a, b int) int64 { return h.thr[b] - h.thr[a] }

// keysIn returns n keys, from first on, that hash to base partition id.
func keysIn(m *Model, id, n int, first uint64) []uint64 {
	var ks []uint64
	for k := first; len(ks) < n; k++ {
		if m.PartitionOf(k) == id {
			ks = append(ks, k)
		}
	}
	return ks
}

// writes fills plain PutItems of size bytes with keys from key.
func writes(size int32, key func(*rand.Rand) uint64) func(*rand.Rand, *client.Request) {
	return func(rng *rand.Rand, r *client.Request) {
		r.Op, r.Size, r.Key = cluster.Write, size, key(rng)
	}
}

func uniform(n uint64) func(*rand.Rand) uint64 {
	return func(r *rand.Rand) uint64 { return r.Uint64N(n) }
}
