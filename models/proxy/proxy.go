// Package proxy models Amazon RDS Proxy between the clients and an RDS or
// Aurora database. Clients connect to the proxy's endpoint, whose DNS
// record never moves; the proxy runs their statements over a shared pool
// of database connections to the writer (multiplexing: a handful of
// database connections serve every client connection), up to a share of
// the database's connection limit (MaxConnectionsPercent).
//
// The proxy learns the writer from the database's topology, not from DNS:
// it checks every Monitor which host is the writer and whether it accepts
// (RDS Proxy's active connection monitoring). While the writer does not
// accept, the proxy keeps the client connections open and holds their new
// statements, each up to BorrowTimeout (RDS Proxy's
// ConnectionBorrowTimeout); when it finds the new writer accepting, it
// opens database connections to it and runs the held statements. A
// statement that was on a database connection when the writer failed
// fails (its outcome is unknown to the proxy); the client connection
// stays open.
//
// So a client behind the proxy sees the database's own failover (its
// detection, promotion and recovery, which the proxy cannot shorten) plus
// at most one Monitor interval: no DNS cache, no dead pooled connection,
// no reconnect to a new address. Every statement pays Latency, the extra
// hop through the proxy.
package proxy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// Config is an RDS Proxy.
type Config struct {
	// AZ is where the proxy's endpoint answers (the clients' AZ).
	AZ cluster.AZ
	// Latency is the time a statement spends in the proxy, in seconds.
	Latency sim.Dist
	// MaxConnectionsPercent bounds the database connections the proxy
	// opens, as a percentage of the writer's connection limit (1 to 100).
	MaxConnectionsPercent int
	// BorrowTimeout is how long a statement waits for a database
	// connection (while the writer fails over, or while every connection
	// is busy) before the proxy fails it.
	BorrowTimeout time.Duration
	// Monitor is how often the proxy checks which host is the writer and
	// whether it accepts.
	Monitor time.Duration
	// ConnectTimeout bounds the proxy's own connects to the database.
	ConnectTimeout time.Duration
	// Pinned is the share of client connections whose sessions the proxy
	// cannot share (session state: temporary tables, SET, prepared
	// statements, long transactions): each holds a database connection
	// of its own for as long as it is open, which multiplexing cannot
	// reuse. The share of statements that come from pinned sessions runs
	// on those connections (when one is free). 0: none.
	Pinned float64
}

// Defaults are RDS Proxy's defaults where they are published (fact 1.24:
// MaxConnectionsPercent 100, ConnectionBorrowTimeout 120 s) and
// estimates where they are not (fact 1.25): 0.5 ms (p50) to 2 ms (p99)
// per statement, a writer check every second (so that a clean switchover
// costs about a second, fact 1.18).
func Defaults() Config {
	lat, _ := sim.LogNormalP50P99(0.5e-3, 2e-3) // estimated: not published (fact 1.25)
	return Config{Latency: lat, MaxConnectionsPercent: 100, BorrowTimeout: 120 * time.Second,
		Monitor: time.Second, ConnectTimeout: 2 * time.Second}
}

// Validate reports the first setting that is out of range.
func (c Config) Validate() error {
	switch {
	case c.Latency == nil:
		return fmt.Errorf("proxy: no latency")
	case c.MaxConnectionsPercent < 1 || c.MaxConnectionsPercent > 100:
		return fmt.Errorf("proxy: max_connections_percent must be 1 to 100, got %d", c.MaxConnectionsPercent)
	case c.BorrowTimeout <= 0 || c.Monitor <= 0 || c.ConnectTimeout <= 0:
		return fmt.Errorf("proxy: borrow timeout, monitor interval and connect timeout must be positive")
	case c.Pinned < 0 || c.Pinned > 1:
		return fmt.Errorf("proxy: pinned must be 0 to 1, got %g", c.Pinned)
	}
	return nil
}

// Proxy is a running RDS Proxy.
type Proxy struct {
	k      *sim.Kernel
	net    *cluster.Net
	cfg    Config
	log    *cluster.Log
	rng    *rand.Rand
	host   *cluster.Host
	rec    *cluster.Record
	writer func() *cluster.Host

	target  *cluster.Host // the writer the proxy routes to
	gen     uint32        // bumped when the proxy gives up its database connections
	idle    []*backend
	open    int // database connections open or opening, this generation
	dialing int
	busy    []*backend // connections running a statement, this generation
	holding bool       // the writer does not accept: statements wait

	// Pinned sessions' connections: idle ones, those open or opening
	// (counted in open too), those opening.
	pinnedIdle             []*backend
	pinnedOpen, pinDialing int
	pinRng                 *rand.Rand
	queue                  []*waiter
	head                   int

	held, expired, failed int64
	borrow, connLane      *sim.Lane
	onRoute, onReply      func(any)
	onConnReply, onExpire func(any)
	onConnTimeout         func(any)
}

// backend is one of the proxy's database connections.
type backend struct {
	host   *cluster.Host
	epoch  uint32
	gen    uint32
	stmt   *cluster.Call // the client's call it runs, if any
	call   *cluster.Call // the call to the database
	timer  sim.LaneTimer
	opened bool
	pinned bool // held by a pinned session
}

type waiter struct {
	c     *cluster.Call
	timer sim.LaneTimer
	done  bool
}

// New starts a proxy in front of the database whose current writer
// writer returns (nil while there is none), with its endpoint in cfg.AZ.
// It panics if cfg is invalid.
func New(k *sim.Kernel, net *cluster.Net, cfg Config, writer func() *cluster.Host, log *cluster.Log) *Proxy {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	p := &Proxy{k: k, net: net, cfg: cfg, log: log, rng: k.Stream("proxy/latency"), writer: writer}
	p.onRoute, p.onReply, p.onConnReply, p.onExpire = p.route, p.reply, p.connReply, p.expire
	p.onConnTimeout = p.connTimeout
	p.pinRng = k.Stream("proxy/pinning")
	p.borrow = sim.NewLane(k, cfg.BorrowTimeout, p.onExpire)
	p.connLane = sim.NewLane(k, cfg.ConnectTimeout, p.onConnTimeout)
	p.host = cluster.NewHost("proxy", cfg.AZ)
	p.host.Serve = p.serve
	p.host.SetAccepting(true)
	// The proxy endpoint never moves: its TTL does not matter.
	p.rec = cluster.NewRecord(k, "proxy", 5*time.Minute, 0, p.host)
	p.target = writer()
	k.After(cfg.Monitor, p.monitor)
	return p
}

// Endpoint is the proxy's endpoint, the one clients resolve instead of the
// database's writer endpoint.
func (p *Proxy) Endpoint() *cluster.Record { return p.rec }

// Host is the proxy's own host.
func (p *Proxy) Host() *cluster.Host { return p.host }

// Held counts the statements the proxy held while the writer did not
// accept; Expired those it failed after BorrowTimeout; Failed those that
// were on a database connection when the writer went.
func (p *Proxy) Held() int64    { return p.held }
func (p *Proxy) Expired() int64 { return p.expired }
func (p *Proxy) Failed() int64  { return p.failed }

// DatabaseConnections is the number of database connections the proxy
// has open or opening.
func (p *Proxy) DatabaseConnections() int { return p.open }

// serve is a client's statement arriving at the proxy: it runs after the
// proxy's own latency.
func (p *Proxy) serve(c *cluster.Call) {
	p.k.AfterArg(sim.Seconds(p.cfg.Latency.Sample(p.rng)), p.onRoute, c)
}

// route gives the statement a database connection, or makes it wait.
func (p *Proxy) route(a any) {
	c := a.(*cluster.Call)
	if c.Abandoned {
		p.net.Reply(c, cluster.Failed) // the client hung up: the proxy frees its connection
		return
	}
	if !p.holding {
		if n := len(p.pinnedIdle); n > 0 && p.cfg.Pinned > 0 && p.pinRng.Float64() < p.cfg.Pinned {
			b := p.pinnedIdle[n-1] // a pinned session's statement, on its own connection
			p.pinnedIdle = p.pinnedIdle[:n-1]
			p.run(b, c)
			return
		}
		if n := len(p.idle); n > 0 {
			b := p.idle[n-1]
			p.idle = p.idle[:n-1]
			p.run(b, c)
			return
		}
	} else {
		p.held++
	}
	p.queue = append(p.queue, &waiter{c: c})
	w := p.queue[len(p.queue)-1]
	w.timer = p.borrow.Add(w)
	p.grow()
}

// grow opens database connections for the waiting statements, up to the
// limit, unless the proxy is holding.
func (p *Proxy) grow() {
	if p.holding || p.target == nil {
		return
	}
	for p.waiting() > p.dialing && p.open < p.limit() {
		p.dial(false)
	}
}

// limit is the most database connections the proxy may open to the
// writer.
func (p *Proxy) limit() int {
	if p.target.MaxConns == 0 {
		return 1 << 30
	}
	return max(1, p.target.MaxConns*p.cfg.MaxConnectionsPercent/100)
}

// pin opens or closes pinned connections so that there is one per pinned
// client connection: Pinned × the client connections open now.
func (p *Proxy) pin() {
	if p.cfg.Pinned <= 0 || p.holding || p.target == nil {
		return
	}
	want := int(math.Round(p.cfg.Pinned * float64(p.host.Conns())))
	for p.pinnedOpen < want && p.open < p.limit() {
		p.dial(true)
	}
	for p.pinnedOpen > want && len(p.pinnedIdle) > 0 {
		b := p.pinnedIdle[len(p.pinnedIdle)-1]
		p.pinnedIdle = p.pinnedIdle[:len(p.pinnedIdle)-1]
		p.drop(b)
	}
}

// waiting counts the live waiters, dropping dead ones at the head.
func (p *Proxy) waiting() int {
	for p.head < len(p.queue) && p.queue[p.head].done {
		p.queue[p.head] = nil
		p.head++
	}
	if p.head == len(p.queue) {
		p.queue, p.head = p.queue[:0], 0
	}
	return len(p.queue) - p.head
}

// purge answers the waiters whose clients have hung up (their statements
// timed out on the client's side), so that the proxy opens database
// connections only for statements someone still waits for.
func (p *Proxy) purge() {
	live := p.queue[:0]
	for _, w := range p.queue[p.head:] {
		switch {
		case w.done:
		case w.c.Abandoned:
			w.done = true
			p.borrow.Cancel(w.timer)
			p.net.Reply(w.c, cluster.Failed) // frees the client's connection
		default:
			live = append(live, w)
		}
	}
	clear(p.queue[len(live):])
	p.queue, p.head = live, 0
}

// next is the oldest live waiter, taken off the queue, or nil.
func (p *Proxy) next() *waiter {
	if p.waiting() == 0 {
		return nil
	}
	w := p.queue[p.head]
	p.queue[p.head] = nil
	p.head++
	w.done = true
	p.borrow.Cancel(w.timer)
	return w
}

func (p *Proxy) expire(a any) {
	w := a.(*waiter)
	if w.done {
		return
	}
	w.done = true
	p.expired++
	p.net.Reply(w.c, cluster.Failed)
}

// run sends the client's statement over database connection b.
func (p *Proxy) run(b *backend, c *cluster.Call) {
	if c.Abandoned {
		p.net.Reply(c, cluster.Failed)
		p.release(b)
		return
	}
	b.stmt = c
	bc := &cluster.Call{Op: c.Op, Key: c.Key, Size: c.Size, Workload: c.Workload, From: p.cfg.AZ,
		Host: b.host, Epoch: b.epoch, Sent: p.k.Now(), ReplyTo: p.onReply, Owner: b, Detail: c.Detail}
	b.call = bc
	p.busy = append(p.busy, b)
	p.net.Send(bc)
}

// reply is the database's answer on connection b.
func (p *Proxy) reply(a any) {
	bc := a.(*cluster.Call)
	b := bc.Owner.(*backend)
	if b.call != bc {
		return // the proxy gave up on this statement (the writer went)
	}
	c := b.stmt
	b.stmt, b.call = nil, nil
	p.unbusy(b)
	switch bc.Status {
	case cluster.Reset, cluster.Refused:
		// The connection is dead or the engine does not accept: the
		// statement did not run. Hold it and look at the topology again.
		p.drop(b)
		p.queue = append(p.queue, &waiter{c: c})
		w := p.queue[len(p.queue)-1]
		w.timer = p.borrow.Add(w)
		p.held++
		p.check()
		return
	}
	c.LSN, c.Stale = bc.LSN, bc.Stale
	p.net.Reply(c, bc.Status)
	p.release(b)
}

func (p *Proxy) unbusy(b *backend) {
	for i, x := range p.busy {
		if x == b {
			p.busy[i] = p.busy[len(p.busy)-1]
			p.busy = p.busy[:len(p.busy)-1]
			return
		}
	}
}

// release gives a free database connection to the oldest waiter, or
// keeps it idle.
func (p *Proxy) release(b *backend) {
	if b.gen != p.gen {
		p.net.Hangup(b.host, b.epoch, p.cfg.AZ)
		return
	}
	if b.pinned {
		p.pinnedIdle = append(p.pinnedIdle, b)
		return
	}
	if !p.holding {
		if w := p.next(); w != nil {
			p.run(b, w.c)
			return
		}
	}
	p.idle = append(p.idle, b)
}

// drop closes a database connection of this generation.
func (p *Proxy) drop(b *backend) {
	if b.gen == p.gen {
		p.open--
		if b.pinned {
			p.pinnedOpen--
		}
	}
	p.net.Hangup(b.host, b.epoch, p.cfg.AZ)
}

// dial opens a database connection to the writer: the handshake's round
// trips, then the engine's startup.
func (p *Proxy) dial(pinned bool) {
	h := p.target
	b := &backend{host: h, epoch: h.Epoch(), gen: p.gen, pinned: pinned}
	p.open++
	if pinned {
		p.pinnedOpen++
		p.pinDialing++
	} else {
		p.dialing++
	}
	bc := &cluster.Call{Op: cluster.Connect, From: p.cfg.AZ, Host: h, Epoch: b.epoch, Sent: p.k.Now(),
		ReplyTo: p.onConnReply, Owner: b}
	b.call = bc
	b.timer = p.connLane.Add(b)
	p.net.SendAfter(bc, 2*p.net.T.RTT(p.cfg.AZ, h.AZ)) // TCP and TLS before the startup message
}

func (p *Proxy) connReply(a any) {
	bc := a.(*cluster.Call)
	b := bc.Owner.(*backend)
	if b.call != bc || b.opened {
		if bc.Status == cluster.OK {
			p.net.Hangup(b.host, b.epoch, p.cfg.AZ) // given up on meanwhile
		}
		return
	}
	b.call = nil
	p.connLane.Cancel(b.timer)
	if b.gen != p.gen {
		if bc.Status == cluster.OK {
			p.net.Hangup(b.host, b.epoch, p.cfg.AZ)
		}
		return
	}
	p.dialed(b)
	if bc.Status != cluster.OK {
		p.open--
		if b.pinned {
			p.pinnedOpen--
		}
		return // the monitor finds out why; the waiters wait
	}
	b.opened = true
	p.release(b)
}

func (p *Proxy) connTimeout(a any) {
	b := a.(*backend)
	if b.call == nil || b.opened {
		return
	}
	b.call = nil
	if b.gen == p.gen {
		p.dialed(b)
		p.open--
		if b.pinned {
			p.pinnedOpen--
		}
	}
}

// dialed counts a connect of this generation as no longer under way.
func (p *Proxy) dialed(b *backend) {
	if b.pinned {
		p.pinDialing--
	} else {
		p.dialing--
	}
}

// monitor is the proxy's periodic look at the topology.
func (p *Proxy) monitor() {
	p.k.After(p.cfg.Monitor, p.monitor)
	p.check()
}

// check compares the writer the proxy routes to with the topology: a new
// writer replaces the old one's connections; a writer that does not accept
// makes the proxy hold statements; one that accepts again releases them.
func (p *Proxy) check() {
	w := p.writer()
	if w != p.target {
		p.abandon()
		old := p.target
		p.target = w
		if w != nil && old != nil {
			p.log.Addf("RDS Proxy: the topology names %s the writer (was %s); the proxy moves its connections", w.Name, old.Name)
		}
	}
	ready := w != nil && w.Accepting()
	if ready && p.dead() {
		p.abandon() // the writer restarted in place: its connections died
	}
	switch {
	case !ready && !p.holding:
		p.holding = true
		name := "no writer"
		if w != nil {
			name = w.Name + " does not accept"
		}
		p.log.Addf("RDS Proxy: %s: client connections stay open, new statements are held (up to %v)", name, p.cfg.BorrowTimeout)
		p.abandon()
	case ready && p.holding:
		p.holding = false
		p.purge()
		p.log.Addf("RDS Proxy: writer %s accepts: %d held statements go to it", w.Name, p.waiting())
		for len(p.idle) > 0 && p.waiting() > 0 {
			b := p.idle[len(p.idle)-1]
			p.idle = p.idle[:len(p.idle)-1]
			p.run(b, p.next().c)
		}
		p.grow()
	case ready:
		p.grow()
	}
	p.pin()
}

// dead reports whether the proxy holds connections of an older epoch of
// its target.
func (p *Proxy) dead() bool {
	for _, list := range [][]*backend{p.idle, p.pinnedIdle, p.busy} {
		for _, b := range list {
			if b.epoch != b.host.Epoch() {
				return true
			}
		}
	}
	return false
}

// abandon gives up every database connection: idle ones close, the
// statements on busy ones fail (the client connection stays open), those
// being opened are forgotten.
func (p *Proxy) abandon() {
	p.gen++
	for _, b := range p.idle {
		p.net.Hangup(b.host, b.epoch, p.cfg.AZ)
	}
	for _, b := range p.pinnedIdle {
		p.net.Hangup(b.host, b.epoch, p.cfg.AZ)
	}
	p.pinnedIdle = p.pinnedIdle[:0]
	p.pinnedOpen, p.pinDialing = 0, 0
	for _, b := range p.busy {
		c, bc := b.stmt, b.call
		b.stmt, b.call = nil, nil
		p.failed++
		p.net.Reply(c, cluster.Failed)
		p.net.Abandon(bc) // the engine, if alive, frees the connection when it answers
	}
	p.idle, p.busy = p.idle[:0], p.busy[:0]
	p.open, p.dialing = 0, 0
}
