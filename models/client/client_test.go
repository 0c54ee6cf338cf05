package client

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/sim"
)

func TestRetryDelay(t *testing.T) {
	p := Retry{MaxAttempts: 10, Base: 50 * time.Millisecond, Cap: time.Second, Jitter: NoJitter}
	rng := rand.New(rand.NewPCG(1, 1))
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, p.Delay(n, rng))
	}
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{50 * ms, 100 * ms, 200 * ms, 400 * ms, 800 * ms, time.Second}, got, "doubling, capped")
	assert.Equal(t, time.Second, p.Delay(100, rng), "no overflow far out")

	p.Jitter = FullJitter
	for i := 0; i < 1000; i++ {
		d := p.Delay(3, rng)
		assert.True(t, d >= 0 && d < 200*ms, "full jitter in [0, 200ms): %v", d)
	}
	p.Jitter = EqualJitter
	for i := 0; i < 1000; i++ {
		d := p.Delay(3, rng)
		assert.True(t, d >= 100*ms && d < 200*ms, "equal jitter in [100ms, 200ms): %v", d)
	}
}

// fixture is a client fleet in AZ 0 and hosts in AZ 1 that answer after a
// fixed service time.
type fixture struct {
	k       *sim.Kernel
	net     *cluster.Net
	a, b    *cluster.Host
	rec     *cluster.Record
	c       *Client
	done    []*Request
	doneAt  []sim.Time
	fails   []cluster.Status
	served  map[*cluster.Host]int
	busy    int
	maxBusy int
	service time.Duration
}

func (f *fixture) Failed(r *Request, s cluster.Status, retry bool) { f.fails = append(f.fails, s) }
func (f *fixture) Done(r *Request) {
	f.done = append(f.done, r)
	f.doneAt = append(f.doneAt, f.k.Now())
}

func newFixture(t *testing.T, cfg Config) *fixture {
	k := sim.New(1)
	topo := cluster.NewTopology(k, []string{"a", "b"}, 0, 2*time.Millisecond)
	f := &fixture{k: k, net: cluster.NewNet(topo), served: map[*cluster.Host]int{}, service: time.Millisecond}
	for _, h := range []**cluster.Host{&f.a, &f.b} {
		*h = cluster.NewHost("h", 1)
		(*h).SetAccepting(true)
		host := *h
		host.Serve = func(c *cluster.Call) {
			f.served[host]++
			f.busy++
			f.maxBusy = max(f.maxBusy, f.busy)
			k.After(f.service, func() { f.busy--; f.net.Reply(c, cluster.OK) })
		}
	}
	f.rec = cluster.NewRecord(k, "db", 5*time.Second, 0, f.a)
	f.c = New(k, f.net, cfg, []*cluster.Record{f.rec}, f)
	return f
}

func config() Config {
	return Config{AZ: 0, Instances: 1, Connections: 4, ConnectTimeout: 2 * time.Second, Timeout: time.Second,
		Retry: Retry{MaxAttempts: 3, Base: 100 * time.Millisecond, Cap: time.Second, Jitter: NoJitter}, HandshakeRTTs: 3}
}

func (f *fixture) submitAt(at time.Duration, n int) {
	f.k.At(sim.At(at), func() {
		for i := 0; i < n; i++ {
			f.c.Submit(&Request{ID: uint64(i)})
		}
	})
}

func TestRequestCostsHandshakeThenRoundTrips(t *testing.T) {
	f := newFixture(t, config())
	f.submitAt(0, 1)
	f.submitAt(time.Second, 1)
	f.k.Run(sim.Forever)
	require.Len(t, f.done, 2)
	// First request: 3 round trips to connect (2 ms each), one to send, 1 ms service.
	assert.Equal(t, 9*time.Millisecond, f.done[0].latency(f))
	assert.Equal(t, 3*time.Millisecond, f.done[1].latency(f), "the pooled connection is reused")
}

// latency is arrival to completion of request r.
func (r *Request) latency(f *fixture) time.Duration {
	for i, d := range f.done {
		if d == r {
			return f.doneAt[i].Sub(r.Arrived)
		}
	}
	return -1
}

func TestPoolBoundsConcurrency(t *testing.T) {
	f := newFixture(t, config())
	f.service = 100 * time.Millisecond
	f.submitAt(0, 40)
	f.k.Run(sim.Forever)
	require.Len(t, f.done, 40)
	assert.Equal(t, 4, f.maxBusy, "never more calls in flight than pooled connections")
	for _, r := range f.done {
		assert.Equal(t, cluster.OK, r.Status)
	}
}

func TestDeadHostTimesOutAndRetries(t *testing.T) {
	f := newFixture(t, config())
	f.submitAt(0, 1) // opens the connection
	f.k.At(sim.At(time.Second), func() { f.a.Crash() })
	f.submitAt(2*time.Second, 1)
	f.k.Run(sim.Forever)
	require.Len(t, f.done, 2)
	r := f.done[1]
	assert.Equal(t, cluster.TimedOut, r.Status)
	assert.Equal(t, 3, r.Attempts)
	assert.Equal(t, []cluster.Status{cluster.TimedOut, cluster.TimedOut, cluster.TimedOut}, f.fails)
	// Attempt 1 times out at +1 s on the dead connection; after 100 ms of
	// backoff attempt 2 dials the dead host and times out at +2.1 s; after
	// 200 ms attempt 3 waits for that same dial, whose 2 s connect timeout
	// fails it at +3.1 s.
	assert.Equal(t, 3*time.Second+100*time.Millisecond, r.latency(f))
}

func TestRestartedHostResetsThenReconnects(t *testing.T) {
	f := newFixture(t, config())
	f.submitAt(0, 1)
	f.k.At(sim.At(time.Second), func() { f.a.Restart(); f.a.SetAccepting(true) })
	f.submitAt(2*time.Second, 1)
	f.k.Run(sim.Forever)
	require.Len(t, f.done, 2)
	r := f.done[1]
	assert.Equal(t, cluster.OK, r.Status)
	assert.Equal(t, 2, r.Attempts, "the old connection is reset, the retry reconnects")
	assert.Equal(t, []cluster.Status{cluster.Reset}, f.fails)
}

func TestDNSCacheDecidesWhereReconnectsGo(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cacheFor time.Duration
		wantB    bool
	}{
		{"honours TTL", 0, true},
		{"cached for 10 minutes", 10 * time.Minute, false},
		{"cached forever", -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config()
			cfg.DNSCacheFor = tc.cacheFor
			f := newFixture(t, cfg)
			f.submitAt(0, 1)
			// The endpoint moves to b and a dies, as in a failover.
			f.k.At(sim.At(time.Minute), func() { f.rec.Set(f.b); f.a.Crash() })
			f.submitAt(time.Minute+10*time.Second, 1)
			f.k.Run(sim.Forever)
			require.Len(t, f.done, 2)
			if tc.wantB {
				assert.Equal(t, cluster.OK, f.done[1].Status)
				assert.Equal(t, 1, f.served[f.b])
			} else {
				assert.NotEqual(t, cluster.OK, f.done[1].Status, "the cached answer still names the dead host")
				assert.Zero(t, f.served[f.b])
			}
		})
	}
}

// A request from NewRequest is reused once done, and a call once its
// answer is back; a late answer to the old attempt must not complete the
// request that now lives in the same memory.
func TestReusedRequestIgnoresLateAnswer(t *testing.T) {
	cfg := config()
	cfg.Retry.MaxAttempts = 1
	f := newFixture(t, cfg)
	// The connection is ready at 6 ms (three 2 ms round trips); the first
	// call reaches the host at 7 ms and its statement times out at 1,006
	// ms. It is answered at 1,005.5 ms: the answer is on its way (1 ms one
	// way) when the attempt times out.
	f.a.Serve = func(c *cluster.Call) {
		at := sim.At(1005500 * time.Microsecond)
		if c.Key == 2 {
			at = f.k.Now().Add(500 * time.Millisecond)
		}
		f.k.At(at, func() { f.net.Reply(c, cluster.OK) })
	}
	var first, second *Request
	f.k.At(0, func() {
		first = f.c.NewRequest()
		first.Key = 1
		f.c.Submit(first)
	})
	f.k.At(sim.At(1006200*time.Microsecond), func() {
		second = f.c.NewRequest()
		second.Key = 2
		f.c.Submit(second)
	})
	f.k.Run(sim.Forever)

	require.Same(t, first, second, "the finished request was reused")
	require.Len(t, f.done, 2)
	assert.Equal(t, []cluster.Status{cluster.TimedOut}, f.fails)
	assert.Equal(t, sim.At(1006*time.Millisecond), f.doneAt[0], "the first timed out, a second after it was sent")
	assert.Greater(t, f.doneAt[1], sim.At(1500*time.Millisecond), "the second waited for its own answer, not the late one at 1.0065 s")
	assert.Equal(t, cluster.OK, second.Status)
	assert.Len(t, f.c.freeCalls, 2, "the late answer's call and the second's came back for reuse")
	assert.Len(t, f.c.freeRequests, 1)
	assert.Equal(t, 1, f.a.Conns(), "the timed-out connection was closed; the second's stays open")
}

// A timed-out attempt abandons its connection: the engine still serves
// the call, then notices the closed connection instead of answering, and
// the network hands the call back to the client for reuse.
func TestAbandonedCallFreesItsConnectionWhenServed(t *testing.T) {
	cfg := config()
	cfg.Retry.MaxAttempts = 1
	f := newFixture(t, cfg)
	var answered sim.Time
	f.a.Serve = func(c *cluster.Call) {
		f.k.After(3*time.Second, func() { answered = f.k.Now(); f.net.Reply(c, cluster.OK) })
	}
	f.submitAt(0, 1)
	var during int
	f.k.At(sim.At(2*time.Second), func() { during = f.a.Conns() })
	f.k.Run(sim.Forever)
	require.Len(t, f.done, 1)
	assert.Equal(t, cluster.TimedOut, f.done[0].Status)
	assert.Equal(t, 1, during, "the engine holds the connection while it runs the abandoned call")
	assert.NotZero(t, answered)
	assert.Zero(t, f.a.Conns(), "freed when the engine answered")
	require.Len(t, f.c.freeCalls, 1, "the abandoned call came back when the engine was done with it")
	assert.Equal(t, cluster.Call{}, *f.c.freeCalls[0], "and was cleared for reuse")
}

// Beyond its connection limit an engine refuses new connections: the
// attempt waiting for one fails at once, without a timeout.
func TestEngineRefusesConnectionsOverItsLimit(t *testing.T) {
	cfg := config()
	cfg.Retry.MaxAttempts = 1
	cfg.Instances = 1
	f := newFixture(t, cfg)
	f.a.MaxConns = 2
	f.service = 100 * time.Millisecond
	for i := 0; i < 4; i++ {
		f.submitAt(0, 1)
	}
	f.k.Run(sim.Forever)
	require.Len(t, f.done, 4)
	var ok, refused int
	for _, r := range f.done {
		switch r.Status {
		case cluster.OK:
			ok++
		case cluster.Refused:
			refused++
		}
	}
	assert.Equal(t, 2, ok)
	assert.Equal(t, 2, refused)
	// The pool dialled once more for the last waiter before the second
	// refusal failed it: three connects refused.
	assert.Equal(t, int64(3), f.a.RefusedConns())
	assert.Equal(t, 2, f.a.Conns(), "the two that were admitted stay open in the pool")
}

// A client process holds at most MaxInFlight requests: one more is
// rejected at once, without an attempt, and the bound frees as requests end.
func TestClientRejectsRequestsOverItsBound(t *testing.T) {
	cfg := config()
	cfg.MaxInFlight = 3
	f := newFixture(t, cfg)
	f.service = 100 * time.Millisecond
	f.submitAt(0, 5)
	f.submitAt(time.Second, 1)
	f.k.Run(sim.Forever)
	require.Len(t, f.done, 6)
	var ok, rejected int
	for _, r := range f.done {
		switch r.Status {
		case cluster.OK:
			ok++
		case cluster.Rejected:
			rejected++
			assert.Zero(t, r.Attempts, "rejected before any attempt")
		}
	}
	assert.Equal(t, 4, ok, "three at once, and the one after they ended")
	assert.Equal(t, 2, rejected)
	assert.Equal(t, int64(2), f.c.Rejected())
	assert.Equal(t, 0, f.served[f.b])
}

// TestPoolWaitHoldsOnlyLiveWaiters: waiters that time out leave the pool's
// queue as they do, from its front (timeout takes the one that timed out
// there without looking at the next), so the queue never holds dead ones.
func TestPoolWaitHoldsOnlyLiveWaiters(t *testing.T) {
	cfg := config()
	cfg.Connections, cfg.PoolTimeout, cfg.Timeout = 2, 50*time.Millisecond, 10*time.Second
	cfg.Retry.MaxAttempts = 2
	f := newFixture(t, cfg)
	f.service = 3 * time.Second // both connections stay busy: later requests wait and time out
	n := 0
	for i := 0; i < 200; i++ {
		f.submitAt(time.Duration(i)*7*time.Millisecond, 1+i%3)
		n += 1 + i%3
	}
	p := f.c.pools[0] // process 0's writer pool
	most := 0
	var check func()
	check = func() {
		for _, w := range p.wait.buf[p.wait.head:] {
			require.True(t, live(w), "at %v a dead waiter is queued", f.k.Now())
		}
		most = max(most, p.wait.len())
		if f.k.Now() < sim.At(5*time.Second) {
			f.k.After(time.Millisecond, check)
		}
	}
	f.k.After(0, check)
	f.k.Run(sim.Forever)
	require.Len(t, f.done, n)
	assert.Greater(t, most, 10, "requests did wait")
	timedOut := 0
	for _, r := range f.done {
		if r.Status == cluster.TimedOut {
			timedOut++
		}
	}
	assert.Greater(t, timedOut, 300, "most waits time out")
}
