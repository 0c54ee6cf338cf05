package proxy

import (
	"testing"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// rig is a proxy in front of two database hosts whose engines answer
// every statement after 1 ms; writer is the host the topology names.
type rig struct {
	k      *sim.Kernel
	net    *cluster.Net
	p      *Proxy
	db     [2]*cluster.Host
	writer *cluster.Host
	got    map[cluster.Status]int
	late   time.Duration // the longest time from a send to its answer
}

func newRig(t *testing.T) *rig {
	t.Helper()
	k := sim.New(1)
	topo := cluster.NewTopology(k, []string{"a", "b"}, 500*time.Microsecond, time.Millisecond)
	r := &rig{k: k, net: cluster.NewNet(topo), got: map[cluster.Status]int{}}
	for i := range r.db {
		h := cluster.NewHost([]string{"db-1", "db-2"}[i], cluster.AZ(i))
		h.MaxConns = 100
		h.Serve = func(c *cluster.Call) {
			k.After(time.Millisecond, func() {
				if c.Epoch == h.Epoch() {
					r.net.Reply(c, cluster.OK)
				}
			})
		}
		r.db[i] = h
	}
	r.db[0].SetAccepting(true)
	r.writer = r.db[0]
	r.p = New(k, r.net, Defaults(), func() *cluster.Host { return r.writer }, cluster.NewLog(k))
	return r
}

// send sends one statement to the proxy now.
func (r *rig) send() {
	h := r.p.Host()
	c := &cluster.Call{Op: cluster.Write, Host: h, Epoch: h.Epoch(), Sent: r.k.Now()}
	c.ReplyTo = func(a any) {
		c := a.(*cluster.Call)
		r.got[c.Status]++
		r.late = max(r.late, r.k.Now().Sub(c.Sent))
	}
	r.net.Send(c)
}

// every sends a statement every gap from from to to.
func (r *rig) every(gap time.Duration, from, to time.Duration) {
	for at := from; at < to; at += gap {
		r.k.At(sim.At(at), r.send)
	}
}

// TestMultiplexes: a thousand statements a second, each 1 ms on the
// database, need a few database connections, not one per client.
func TestMultiplexes(t *testing.T) {
	r := newRig(t)
	r.every(time.Millisecond, 0, 2*time.Second)
	most := 0
	for at := 10 * time.Millisecond; at < 2*time.Second; at += 10 * time.Millisecond {
		r.k.At(sim.At(at), func() {
			most = max(most, r.db[0].Conns())
			if r.p.DatabaseConnections() < r.db[0].Conns() {
				t.Errorf("the proxy counts %d connections, the database %d", r.p.DatabaseConnections(), r.db[0].Conns())
			}
		})
	}
	r.k.Run(sim.At(3 * time.Second))
	if r.got[cluster.OK] != 2000 || len(r.got) != 1 {
		t.Fatalf("answers %v, want 2000 OK", r.got)
	}
	if most < 1 || most > 5 {
		t.Errorf("the proxy held %d database connections at most, want 1 to 5 (about rate × time per statement, 1000/s × ~2.5 ms)", most)
	}
}

// TestHoldsThroughFailover: the writer crashes at 1 s; the topology names
// db-2 at 5 s, which accepts at 6 s. Statements sent meanwhile are held,
// not refused, and run on db-2 within a monitor interval of its opening;
// the one on the crashed writer's connection fails.
func TestHoldsThroughFailover(t *testing.T) {
	r := newRig(t)
	r.every(100*time.Millisecond, 0, 8*time.Second)
	r.k.At(sim.At(time.Second+50*time.Millisecond), r.send) // sent just before the crash, lost with it
	r.k.At(sim.At(time.Second+51*time.Millisecond), func() { r.db[0].Crash() })
	r.k.At(sim.At(5*time.Second), func() { r.writer = r.db[1] })
	r.k.At(sim.At(6*time.Second), func() { r.db[1].SetAccepting(true) })
	var okAt6 int
	r.k.At(sim.At(6*time.Second), func() { okAt6 = r.got[cluster.OK] })
	r.k.Run(sim.At(10 * time.Second))
	if r.got[cluster.Reset] != 0 || r.got[cluster.Refused] != 0 {
		t.Errorf("answers %v: a client behind the proxy should see no reset or refusal", r.got)
	}
	if r.got[cluster.Failed] != 1 || r.p.Failed() != 1 {
		t.Errorf("%d statements failed (%d counted by the proxy), want 1 (the one on the writer's connection when it crashed)", r.got[cluster.Failed], r.p.Failed())
	}
	if want := 80; r.got[cluster.OK] != want {
		t.Errorf("%d statements succeeded, want all %d others", r.got[cluster.OK], want)
	}
	if okAt6 != 11 { // those sent at 0–1 s
		t.Errorf("%d answered OK before db-2 accepted, want 11", okAt6)
	}
	// The longest wait: sent at 1.1 s, answered once the monitor sees db-2
	// accepting (by 7 s) and a connection is opened.
	if r.late > 6*time.Second {
		t.Errorf("a held statement waited %v, want under 6 s (db-2 accepts 4.9 s after it was sent, plus at most the 1 s monitor)", r.late)
	}
	if r.p.Held() == 0 {
		t.Error("no statement counted as held")
	}
}

// TestBorrowTimeout: a statement held longer than BorrowTimeout fails.
func TestBorrowTimeout(t *testing.T) {
	r := newRig(t)
	r.k.At(sim.At(time.Second), func() { r.db[0].Crash() })
	r.k.At(sim.At(2*time.Second), r.send)
	r.k.Run(sim.At(2*time.Second + Defaults().BorrowTimeout + time.Second))
	if r.got[cluster.Failed] != 1 || r.p.Expired() != 1 {
		t.Errorf("answers %v, %d expired: want the held statement failed after the borrow timeout", r.got, r.p.Expired())
	}
}

// TestPinnedSessionsHoldConnections: with half the client sessions
// pinned, the proxy holds a database connection for each of them, on top
// of the few the multiplexed half needs.
func TestPinnedSessionsHoldConnections(t *testing.T) {
	for _, pinned := range []float64{0, 0.5} {
		r := newRig(t)
		cfg := Defaults()
		cfg.Pinned = pinned
		r.p = New(r.k, r.net, cfg, func() *cluster.Host { return r.writer }, cluster.NewLog(r.k))
		h := r.p.Host()
		for range 40 { // 40 client connections
			r.net.Send(&cluster.Call{Op: cluster.Connect, Host: h, Epoch: h.Epoch(), ReplyTo: func(any) {}})
		}
		r.every(time.Millisecond, 0, 3*time.Second)
		most := 0
		for at := 1500 * time.Millisecond; at < 3*time.Second; at += 10 * time.Millisecond {
			r.k.At(sim.At(at), func() {
				most = max(most, r.db[0].Conns())
				if r.p.DatabaseConnections() < r.db[0].Conns() {
					t.Errorf("the proxy counts %d connections, the database %d", r.p.DatabaseConnections(), r.db[0].Conns())
				}
			})
		}
		r.k.Run(sim.At(4 * time.Second))
		if r.got[cluster.OK] != 3000 {
			t.Fatalf("pinned %g: answers %v, want 3000 OK", pinned, r.got)
		}
		lo, hi := 1, 5
		if pinned > 0 {
			lo, hi = 20, 25 // 20 pinned sessions, and the shared ones
		}
		if most < lo || most > hi {
			t.Errorf("pinned %g: %d database connections at most, want %d to %d", pinned, most, lo, hi)
		}
	}
}
