// Package client models the application side of a database: a fleet of
// client processes, each with its own connection pool and DNS cache, that
// send requests with a per-attempt timeout and retry failures with capped
// exponential backoff and jitter. Availability in dbsim is what these
// clients saw.
//
// A connection is opened to the address the instance's DNS cache holds for
// the endpoint and stays bound to that host: when the endpoint moves (a
// failover), a client keeps using its old connections until they fail, and
// a new connection goes wherever its cached DNS answer says. So the
// client-visible outage is the engine's failover plus the time to notice
// dead connections, let cached answers expire and reconnect.
package client

import (
	"math/rand/v2"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// Jitter is how a backoff delay is randomised.
type Jitter uint8

// Jitter modes, as in the AWS SDKs.
const (
	NoJitter    Jitter = iota // the full delay every time: clients retry in lockstep
	FullJitter                // uniform in [0, delay)
	EqualJitter               // delay/2 plus uniform in [0, delay/2)
)

// String is the jitter's name in a scenario: "none", "full", "equal".
func (j Jitter) String() string { return [...]string{"none", "full", "equal"}[j] }

// Jitters are the jitter modes, in order.
var Jitters = []Jitter{NoJitter, FullJitter, EqualJitter}

// Retry is a driver's retry policy.
type Retry struct {
	// MaxAttempts counts the first try: 1 means no retries.
	MaxAttempts int
	Base, Cap   time.Duration
	Jitter      Jitter
	// ThrottleBase and ThrottleJitter, when ThrottleBase is positive, are
	// the backoff after a throttled attempt (capped at Cap too), as the
	// AWS Java SDK v1 backs off throttling errors more slowly than others.
	// Zero: throttles back off like any other failure.
	ThrottleBase   time.Duration
	ThrottleJitter Jitter
	// Quota is the client-side retry token bucket of the AWS SDKs'
	// standard retry mode; its zero value disables it.
	Quota RetryQuota
}

// RetryQuota is a retry token bucket, one per client process, as in the
// AWS SDKs' standard retry mode: a retry takes Cost tokens (TimeoutCost
// after a timeout) and is not made when the bucket holds too few; an
// attempt that succeeds puts back what its retry took, or Refund tokens
// when it was a first attempt. The bucket never holds more than Capacity.
type RetryQuota struct {
	Capacity, Cost, TimeoutCost, Refund int
}

// DelayFor is the backoff before retry n after an attempt that failed
// with status s: Delay, or the throttling backoff for a throttled attempt
// when ThrottleBase is set.
//
// Retry's methods take a pointer: a Retry is ten words, which the
// register ABI passes on the stack, so a value receiver copied it at
// every retry (twice, through Delay).
func (p *Retry) DelayFor(n int, s cluster.Status, rng *rand.Rand) time.Duration {
	if s == cluster.Throttled && p.ThrottleBase > 0 {
		t := Retry{Base: p.ThrottleBase, Cap: p.Cap, Jitter: p.ThrottleJitter}
		return t.Delay(n, rng)
	}
	return p.Delay(n, rng)
}

// ceiling is the un-jittered backoff before retry n: min(Cap,
// Base·2^(n-1)).
func (p *Retry) ceiling(n int) time.Duration {
	d := p.Cap
	if n-1 < 40 {
		if b := p.Base << (n - 1); b < d && b > 0 {
			d = b
		}
	}
	return d
}

// Delay is the backoff before retry n (n = 1 for the first retry):
// min(Cap, Base·2^(n-1)), jittered.
func (p *Retry) Delay(n int, rng *rand.Rand) time.Duration {
	d := p.ceiling(n)
	switch p.Jitter {
	case FullJitter:
		return time.Duration(rng.Float64() * float64(d))
	case EqualJitter:
		return d/2 + time.Duration(rng.Float64()*float64(d/2))
	}
	return d
}

// MeanDelayFor is DelayFor's mean: the backoff before retry n after an
// attempt that failed with status s, averaged over its jitter (the fluid
// mode delays a retried flow by it).
func (p *Retry) MeanDelayFor(n int, s cluster.Status) time.Duration {
	if s == cluster.Throttled && p.ThrottleBase > 0 {
		p = &Retry{Base: p.ThrottleBase, Cap: p.Cap, Jitter: p.ThrottleJitter}
	}
	d := p.ceiling(n)
	switch p.Jitter {
	case FullJitter:
		return d / 2
	case EqualJitter:
		return d/2 + d/4
	}
	return d
}

// Validation is when a pool checks a connection before it uses it.
type Validation uint8

// Validation modes.
const (
	// NoValidation hands out pooled connections as they are: one to an
	// instance that has since become read-only (a demoted writer) keeps
	// failing writes for as long as it stays open.
	NoValidation Validation = iota
	// OnBorrow runs a validation query on a connection each time it is
	// taken from the pool, and on each new one (DBCP's testOnBorrow, fact
	// 9.5, with a query such as MySQL's @@innodb_read_only or PostgreSQL's
	// pg_is_in_recovery()): one round trip to the host; a dead connection,
	// or one of the writer endpoint's pool to a read-only instance, is
	// closed and replaced.
	OnBorrow
)

// String is the mode's name in a scenario: "none", "on-borrow".
func (v Validation) String() string { return [...]string{"none", "on-borrow"}[v] }

// Validations are the validation modes, in order.
var Validations = []Validation{NoValidation, OnBorrow}

// Driver is how a client finds the writer.
type Driver uint8

// Drivers.
const (
	// DNSDriver resolves the writer endpoint's name, through the process's
	// DNS cache.
	DNSDriver Driver = iota
	// TopologyAware is the AWS Advanced JDBC Wrapper's failover plugin
	// (fact 3.25): each process reads the cluster's topology every
	// TopologyRefresh and, on a connection error, at once; new writer
	// connections go to the writer the topology names, not where DNS
	// says, and idle ones to another host are closed.
	TopologyAware
)

// String is the driver's name in a scenario: "dns", "topology-aware".
func (d Driver) String() string { return [...]string{"dns", "topology-aware"}[d] }

// Drivers are the drivers, in order.
var Drivers = []Driver{DNSDriver, TopologyAware}

// Config describes the client fleet.
type Config struct {
	AZ cluster.AZ
	// Name, when set, tells a second fleet's random streams from the
	// first's ("client/" + Name + "/retry", ...): fleets in two Regions.
	Name string
	// Instances is the number of client processes; each has its own DNS
	// cache and a pool of up to Connections connections per endpoint.
	Instances, Connections int
	ConnectTimeout         time.Duration
	// Timeout bounds one attempt's statement, from the moment it is sent
	// on a connection to its answer (a driver's socket or query timeout).
	Timeout time.Duration
	// PoolTimeout bounds an attempt's wait for a connection from its
	// pool, opening one included (HikariCP's connectionTimeout); 0 means
	// Timeout.
	PoolTimeout time.Duration
	Retry       Retry
	// DNSCacheFor is how long a DNS answer is cached: 0 honours the
	// record's TTL; a positive span overrides it (a misconfigured JVM);
	// negative caches forever.
	DNSCacheFor time.Duration
	// HandshakeRTTs is the number of round trips to open a connection
	// (TCP, TLS, authentication).
	HandshakeRTTs int
	// MaxInFlight bounds the requests one client process holds at once,
	// from arrival to their final answer, retries and backoff included
	// (an application server's workers and their queue): a request that
	// arrives at a process holding that many is rejected at once (status
	// Rejected). 0: no bound.
	MaxInFlight int
	// Validation is when pools check their connections (NoValidation by
	// default). ValidationTimeout bounds a check of a host that does not
	// answer (0: ConnectTimeout).
	Validation        Validation
	ValidationTimeout time.Duration
	// Driver is how the writer is found (DNSDriver by default). A
	// TopologyAware driver reads Topology, the writer the cluster's
	// metadata names now (nil while there is none), every
	// TopologyRefresh and after a connection error.
	Driver          Driver
	Topology        func() *cluster.Host
	TopologyRefresh time.Duration
}

// Defaults are the client settings a scenario leaves out: 4 processes of
// 50 connections each, the 2 s connect timeout AWS recommends for JDBC
// (fact 1.23) and a 2 s statement timeout, at most 10,000 requests in
// flight per process (far above what a healthy run holds, rate × latency,
// so only overload meets it, and small enough that memory stays bounded
// at about 1 KB a request), and 3 attempts backing off from 50 ms (fact
// 5.36) to at most 20 s (fact 5.37) with full jitter.
func Defaults() Config {
	return Config{Instances: 4, Connections: 50, ConnectTimeout: 2 * time.Second, Timeout: 2 * time.Second,
		MaxInFlight: 10_000,
		Retry:       Retry{MaxAttempts: 3, Base: 50 * time.Millisecond, Cap: 20 * time.Second, Jitter: FullJitter}}
}

// Request is one application request. Its fields are ordered so that
// the small ones share words: 128 bytes, two cache lines (the order of
// their meaning took 160, three or four), which an answer, coming back
// after the request has left the cache, misses on.
type Request struct {
	ID      uint64
	Key     uint64
	Arrived sim.Time
	// Endpoint indexes the client's endpoints (0 is the writer).
	Endpoint int
	// Instance is the client process that sent the request.
	Instance int
	// Attempts made so far.
	Attempts int
	Size     int32
	Workload int16
	Op       cluster.Op
	// Status is the final outcome; LSN and Stale come from the call that
	// succeeded.
	Status cluster.Status
	LSN    uint64
	// Detail carries a model's own parameters of the request, such as the
	// DynamoDB operation (a *dynamodb.Op), to the model in every call's
	// Detail. Nil for models that need none.
	Detail any

	quotaCost int // retry-quota tokens the current attempt's retry took
	seq       uint64
	timer     sim.LaneTimer
	conn      *conn
	call      *cluster.Call // the attempt's call while its answer is out
	Stale     bool          // with Status and LSN, here to share a word
	waiting   bool
	done      bool
	admitted  bool // counted in its process's requests in flight
	pooled    bool // from NewRequest: reused once Done has returned
}

// Observer is told what happens to requests.
type Observer interface {
	// Failed is called for each failed attempt; retry says whether another
	// attempt follows.
	Failed(r *Request, s cluster.Status, retry bool)
	// Done is called once per request, with r.Status set. A request from
	// Client.NewRequest is reused once Done returns: keep none.
	Done(r *Request)
}

// Client is the fleet of client processes.
type Client struct {
	k    *sim.Kernel
	net  *cluster.Net
	cfg  Config
	eps  []*cluster.Record
	inst []*instance
	// pools are every process's pools, process by process: pool e of
	// process i is pools[i*len(eps)+e] (poolOf).
	pools []*pool
	obs   Observer
	rng   *rand.Rand
	seq   uint64
	next  int

	quotaDenied, rejected int64

	// Requests and calls to reuse, so that the fleet allocates for its
	// requests in flight rather than for every request; up to maxFree of
	// each are kept, so that the surplus of an outage's backlog goes.
	freeRequests []*Request
	freeCalls    []*cluster.Call
	// freeConns are connections closed or failed with nothing left
	// referring to them (a reconnect storm opens thousands a second).
	freeConns []*conn

	onReply, onTimeout, onRetry, onConnReply, onConnTimeout, onConnFail func(any)
	onValidated                                                         func(any)
	onRelease                                                           func(*cluster.Call) // freeCall, for an abandoned call the network hands back
	invalid                                                             int64               // connections validation closed
	// timeouts holds every statement's deadline, poolTimeouts every wait
	// for a connection, connTimeouts every connect's: each lane's timers
	// share one span.
	timeouts, poolTimeouts, connTimeouts *sim.Lane
}

type instance struct {
	id       int
	topo     *cluster.Host // the writer as the last topology read named it (TopologyAware)
	dns      []dnsEntry
	rng      *rand.Rand
	quota    int // retry-quota tokens (Retry.Quota)
	inFlight int // requests admitted and not finished
}

type dnsEntry struct {
	host    *cluster.Host
	expires sim.Time // Forever when cached for good
}

type pool struct {
	in   *instance
	ep   int
	idle []*conn
	open int
	wait waitQueue
}

// waitQueue is a pool's FIFO of waiters: a slice read from head, whose
// space is reused rather than reallocated as waiters come and go.
type waitQueue struct {
	buf  []waiter
	head int
}

func (q *waitQueue) len() int      { return len(q.buf) - q.head }
func (q *waitQueue) front() waiter { return q.buf[q.head] }

// push adds a waiter at the back. Only a full buf needs compacting
// first: pop compacts a queue it empties, so an empty queue's buf is
// already reset or released here.
func (q *waitQueue) push(w waiter) {
	if len(q.buf) == cap(q.buf) {
		q.compact()
	}
	q.buf = append(q.buf, w)
}
func (q *waitQueue) pop() (w waiter) {
	w = q.buf[q.head]
	q.buf[q.head] = waiter{}
	q.head++
	if q.head == len(q.buf) {
		q.compact()
	}
	return w
}

// compact makes room at the back: it moves the waiters to the front of
// buf when half of it lies before head, and lets a large buf go once the
// queue is empty, so that an outage's backlog does not hold memory after.
func (q *waitQueue) compact() {
	n := q.len()
	switch {
	case n == 0 && cap(q.buf) > maxIdleWait:
		q.buf, q.head = nil, 0
	case n == 0:
		q.buf, q.head = q.buf[:0], 0
	case q.head > 0 && len(q.buf) == cap(q.buf) && q.head >= n:
		copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
}

// maxIdleWait is the most waiters' room an empty queue keeps.
const maxIdleWait = 1 << 10

type waiter struct {
	r   *Request
	seq uint64
}

type conn struct {
	pool       *pool
	host       *cluster.Host
	epoch      uint32
	connecting bool // the handshake is under way
	timer      sim.LaneTimer
	closed     bool
}

// New returns a client fleet that reaches the given endpoints.
func New(k *sim.Kernel, net *cluster.Net, cfg Config, endpoints []*cluster.Record, obs Observer) *Client {
	prefix := "client/"
	if cfg.Name != "" {
		prefix += cfg.Name + "/"
	}
	c := &Client{k: k, net: net, cfg: cfg, eps: endpoints, obs: obs, rng: k.Stream(prefix + "retry")}
	c.onReply, c.onTimeout, c.onRetry = c.reply, c.timeout, c.retry
	c.onConnReply, c.onConnTimeout, c.onConnFail = c.connReply, c.connTimeout, c.connFail
	c.onValidated = c.validated
	c.onRelease = c.freeCall
	c.timeouts = sim.NewLane(k, cfg.Timeout, c.onTimeout)
	wait := cfg.PoolTimeout
	if wait <= 0 {
		wait = cfg.Timeout
	}
	c.poolTimeouts = sim.NewLane(k, wait, c.onTimeout)
	c.connTimeouts = sim.NewLane(k, cfg.ConnectTimeout, c.onConnTimeout)
	for i := 0; i < cfg.Instances; i++ {
		in := &instance{id: i, dns: make([]dnsEntry, len(endpoints)), rng: k.Stream(prefix + "dns/" + itoa(i)),
			quota: cfg.Retry.Quota.Capacity}
		for e := range endpoints {
			c.pools = append(c.pools, &pool{in: in, ep: e})
		}
		c.inst = append(c.inst, in)
	}
	if cfg.Driver == TopologyAware && cfg.Topology != nil && cfg.TopologyRefresh > 0 {
		phase := k.Stream(prefix + "topology")
		for _, in := range c.inst {
			in := in
			in.topo = cfg.Topology()
			var tick func()
			tick = func() {
				c.readTopology(in)
				k.After(cfg.TopologyRefresh, tick)
			}
			k.After(time.Duration(phase.Float64()*float64(cfg.TopologyRefresh)), tick)
		}
	}
	return c
}

// readTopology is a process's topology-aware driver reading the cluster's
// topology: when it names another writer, the writer pool's idle
// connections to the old one are closed, and new ones go to the new one.
func (c *Client) readTopology(in *instance) {
	w := c.cfg.Topology()
	if w == nil || w == in.topo {
		return
	}
	in.topo = w
	p := c.pools[in.id*len(c.eps)] // its writer pool
	keep := p.idle[:0]
	for _, cn := range p.idle {
		if cn.host == w {
			keep = append(keep, cn)
			continue
		}
		c.close(cn)
		c.net.Hangup(cn.host, cn.epoch, c.cfg.AZ)
		c.freeConn(cn)
	}
	clear(p.idle[len(keep):])
	p.idle = keep
}

// connectionError is a failed attempt on, or connect to, the writer
// endpoint: a topology-aware driver reads the topology at once.
func (c *Client) connectionError(p *pool) {
	if p.ep == 0 && c.cfg.Driver == TopologyAware && c.cfg.Topology != nil {
		c.readTopology(p.in)
	}
}

// poolOf is the pool of r's client process for r's endpoint, the pool
// of every connection r's attempts use: one index into the flat pools
// (every attempt asks).
func (c *Client) poolOf(r *Request) *pool { return c.pools[r.Instance*len(c.eps)+r.Endpoint] }

// maxFree bounds each of the client's lists of requests and calls to
// reuse: a few seconds of requests in flight at tens of thousands a second.
const maxFree = 1 << 14

// NewRequest returns a zeroed request to fill in and Submit. The client
// reuses it once the observer's Done has returned.
func (c *Client) NewRequest() *Request {
	if n := len(c.freeRequests); n > 0 {
		r := c.freeRequests[n-1]
		c.freeRequests = c.freeRequests[:n-1]
		return r
	}
	return &Request{pooled: true}
}

// Submit starts a request now. The client process is chosen round-robin.
func (c *Client) Submit(r *Request) { c.SubmitSince(r, c.k.Now()) }

// SubmitSince starts a request now that the application received at
// arrived, earlier (a read that first missed a cache): its latency counts
// from then.
func (c *Client) SubmitSince(r *Request, arrived sim.Time) {
	r.Arrived = arrived
	r.Instance = c.next
	if c.next++; c.next == len(c.inst) { // round-robin without a division
		c.next = 0
	}
	in := c.inst[r.Instance]
	if c.cfg.MaxInFlight > 0 && in.inFlight >= c.cfg.MaxInFlight {
		c.rejected++
		c.finish(r, cluster.Rejected)
		return
	}
	in.inFlight++
	r.admitted = true
	c.attempt(r)
}

// Rejected counts the requests rejected because their client process held
// MaxInFlight requests already.
func (c *Client) Rejected() int64 { return c.rejected }

func (c *Client) attempt(r *Request) {
	r.Attempts++
	c.seq++
	r.seq = c.seq
	c.borrow(r)
}

// borrow gives the attempt a pooled connection (validated first, under
// OnBorrow), or makes it wait for one.
func (c *Client) borrow(r *Request) {
	p := c.poolOf(r)
	if n := len(p.idle); n > 0 {
		cn := p.idle[n-1]
		p.idle = p.idle[:n-1]
		if c.cfg.Validation == OnBorrow {
			c.validate(r, cn)
			return
		}
		c.send(r, cn)
		return
	}
	r.timer = c.poolTimeouts.Add(r)
	r.waiting = true
	p.wait.push(waiter{r, r.seq})
	if p.open < c.cfg.Connections {
		c.dial(p)
	}
}

func (c *Client) send(r *Request, cn *conn) {
	r.conn = cn
	r.timer = c.timeouts.Add(r)
	// The call comes zeroed (newCall) and is filled in place: assigning
	// a composite literal to *call would build the 152-byte struct on the
	// stack and copy it over, wide loads of narrow stores the CPU cannot
	// forward (a stall per request on this path).
	call := c.newCall()
	call.Op, call.Key, call.Size, call.Workload, call.From = r.Op, r.Key, r.Size, r.Workload, c.cfg.AZ
	call.Host, call.Epoch, call.Sent, call.ReplyTo = cn.host, cn.epoch, c.k.Now(), c.onReply
	call.Owner, call.Seq, call.Detail, call.Release = r, r.seq, r.Detail, c.onRelease
	r.call = call
	c.net.Send(call)
}

// newCall is a zeroed call to fill in: a reused one if there is one.
func (c *Client) newCall() *cluster.Call {
	if n := len(c.freeCalls); n > 0 {
		call := c.freeCalls[n-1]
		c.freeCalls = c.freeCalls[:n-1]
		return call
	}
	return new(cluster.Call)
}

// freeCall keeps an answered call for reuse, zeroed: what the model
// wrote into it (status, scratch) does not reach the next call, and it
// holds no request, host or detail alive.
func (c *Client) freeCall(call *cluster.Call) {
	if len(c.freeCalls) < maxFree {
		*call = cluster.Call{}
		c.freeCalls = append(c.freeCalls, call)
	}
}

func (c *Client) reply(a any) {
	call := a.(*cluster.Call)
	r, ok := call.Owner.(*Request)
	if !ok {
		panic("client: a call was answered twice (cluster.Host.Serve answers each call once)")
	}
	seq, status, lsn, stale := call.Seq, call.Status, call.LSN, call.Stale
	c.freeCall(call)
	if r.done || seq != r.seq {
		return // the attempt already timed out; its connection is closed
	}
	c.timeouts.Cancel(r.timer)
	cn := r.conn
	r.conn, r.call = nil, nil
	switch status {
	case cluster.OK:
		c.release(c.poolOf(r), cn)
		c.refund(r)
		r.LSN, r.Stale = lsn, stale
		c.finish(r, cluster.OK)
	case cluster.Reset, cluster.Refused:
		// The engine has dropped the connection (a restart) or will not
		// serve it: close it; a live engine frees it when the close lands.
		c.close(cn)
		c.net.Hangup(cn.host, cn.epoch, c.cfg.AZ)
		c.connectionError(cn.pool)
		c.freeConn(cn)
		c.failed(r, status)
	default:
		c.release(c.poolOf(r), cn)
		c.failed(r, status)
	}
}

func (c *Client) timeout(a any) {
	r := a.(*Request)
	c.seq++
	r.seq = c.seq // an answer to the timed-out attempt is ignored
	if r.conn != nil {
		// Drivers drop a socket that timed out; the engine still runs the
		// statement and frees the connection when it answers.
		c.net.Abandon(r.call) // which hands the call back once nothing holds it (Call.Release)
		cn := r.conn
		c.close(cn)
		c.connectionError(cn.pool)
		r.conn, r.call = nil, nil
		c.freeConn(cn)
	}
	if r.waiting {
		// A pool's waiters time out in the order they began to wait, and
		// every other way out of the queue (a connection for the oldest,
		// a failed connect) takes the oldest live one: so the waiter that
		// timed out is at the front. Taking it there, by its pointer,
		// spares looking at the next waiter's request, a cache miss per
		// timeout in a storm. (Were it not at the front, its entry would
		// wait there until release or waiters skipped it.)
		r.waiting = false
		if p := c.poolOf(r); p.wait.len() > 0 && p.wait.front().r == r {
			p.wait.pop()
		}
	}
	c.failed(r, cluster.TimedOut)
}

func live(w waiter) bool { return w.r.waiting && w.r.seq == w.seq }

func (c *Client) failed(r *Request, s cluster.Status) {
	retry := r.Attempts < c.cfg.Retry.MaxAttempts && s != cluster.Invalid
	r.quotaCost = 0
	if q := c.cfg.Retry.Quota; retry && q.Capacity > 0 {
		cost := q.Cost
		if s == cluster.TimedOut {
			cost = q.TimeoutCost
		}
		if in := c.inst[r.Instance]; in.quota >= cost {
			in.quota -= cost
			r.quotaCost = cost
		} else {
			retry = false
			c.quotaDenied++
		}
	}
	c.obs.Failed(r, s, retry)
	if !retry {
		c.finish(r, s)
		return
	}
	c.k.AfterArg(c.cfg.Retry.DelayFor(r.Attempts, s, c.rng), c.onRetry, r)
}

// refund puts retry-quota tokens back after a successful attempt.
func (c *Client) refund(r *Request) {
	q := c.cfg.Retry.Quota
	if q.Capacity <= 0 {
		return
	}
	in := c.inst[r.Instance]
	n := q.Refund
	if r.quotaCost > 0 {
		n = r.quotaCost
	}
	in.quota = min(in.quota+n, q.Capacity)
}

// QuotaDenied counts the retries not made because the client process's
// retry quota was exhausted (Retry.Quota).
func (c *Client) QuotaDenied() int64 { return c.quotaDenied }

// Quota is the retry-quota tokens client process i holds now.
func (c *Client) Quota(i int) int { return c.inst[i].quota }

func (c *Client) retry(a any) { c.attempt(a.(*Request)) }

func (c *Client) finish(r *Request, s cluster.Status) {
	r.done, r.Status = true, s
	if r.admitted {
		c.inst[r.Instance].inFlight--
	}
	c.obs.Done(r)
	if r.pooled && len(c.freeRequests) < maxFree {
		// Zeroed, then marked: a literal with pooled set would be copied
		// from a template, a load per word besides the stores.
		*r = Request{}
		r.pooled = true
		c.freeRequests = append(c.freeRequests, r)
	}
}

// validate runs the validation query on cn for r's attempt: the answer
// is back after a round trip, or, from a host that does not answer, the
// validation timeout.
func (c *Client) validate(r *Request, cn *conn) {
	r.conn = cn
	d := c.net.T.RTT(c.cfg.AZ, cn.host.AZ)
	if !cn.host.Up() || !c.net.T.Reachable(c.cfg.AZ, cn.host.AZ) {
		d = c.cfg.ValidationTimeout
		if d <= 0 {
			d = c.cfg.ConnectTimeout
		}
	}
	c.k.AfterArg(d, c.onValidated, r)
}

// validated is a validation's answer: a good connection carries the
// attempt; a stale one is closed and the attempt borrows again (it keeps
// its deadline: the pool timeout starts when it waits).
func (c *Client) validated(a any) {
	r := a.(*Request)
	cn := r.conn
	r.conn = nil
	if r.done {
		c.release(cn.pool, cn)
		return
	}
	if !c.stale(cn) {
		c.send(r, cn)
		return
	}
	c.invalid++
	c.close(cn)
	c.net.Hangup(cn.host, cn.epoch, c.cfg.AZ)
	c.freeConn(cn)
	c.borrow(r)
}

// stale reports whether validation rejects cn: its engine is gone or no
// longer accepts, or it is read-only while cn belongs to the writer
// endpoint's pool.
func (c *Client) stale(cn *conn) bool {
	h := cn.host
	if !h.Up() || cn.epoch != h.Epoch() || !h.Accepting() || !c.net.T.Reachable(c.cfg.AZ, h.AZ) {
		return true
	}
	return cn.pool.ep == 0 && h.ReadOnly != nil && h.ReadOnly()
}

// Invalidated counts the connections pool validation closed.
func (c *Client) Invalidated() int64 { return c.invalid }

// release returns a connection to its pool p (cn.pool), handing it to
// the oldest live waiter if there is one. An answer passes the pool of
// its request (poolOf): the request is in cache then, while the
// connection, untouched since the call went out, often is not.
func (c *Client) release(p *pool, cn *conn) {
	for p.wait.len() > 0 {
		w := p.wait.pop()
		if live(w) {
			w.r.waiting = false
			c.poolTimeouts.Cancel(w.r.timer)
			c.send(w.r, cn)
			return
		}
	}
	p.idle = append(p.idle, cn)
}

func (c *Client) close(cn *conn) {
	if cn.closed {
		return
	}
	cn.closed = true
	p := cn.pool
	p.open--
	if c.waiters(p) && p.open < c.cfg.Connections {
		c.dial(p)
	}
}

func (c *Client) waiters(p *pool) bool {
	for p.wait.len() > 0 && !live(p.wait.front()) {
		p.wait.pop()
	}
	return p.wait.len() > 0
}

// dial opens a connection to wherever the instance's DNS cache says the
// endpoint is: HandshakeRTTs round trips (TCP, TLS, the startup message),
// the last of which reaches the engine, which admits the connection under
// its limit and authenticates it, or refuses it. A host that does not
// answer makes the connect time out.
func (c *Client) dial(p *pool) {
	h := c.resolve(p.in, p.ep)
	cn := c.newConn()
	*cn = conn{pool: p, host: h}
	p.open++
	if h == nil { // the name resolves to nothing: fail at once
		c.k.AfterArg(0, c.onConnFail, cn)
		return
	}
	cn.connecting, cn.epoch = true, h.Epoch()
	cn.timer = c.connTimeouts.Add(cn)
	call := c.newCall() // zeroed: filled in place, as in send
	call.Op, call.From, call.Host, call.Epoch, call.Sent = cluster.Connect, c.cfg.AZ, h, cn.epoch, c.k.Now()
	call.ReplyTo, call.Owner = c.onConnReply, cn
	rtt := c.net.T.RTT(c.cfg.AZ, h.AZ)
	c.net.SendAfter(call, time.Duration(max(c.cfg.HandshakeRTTs-1, 0))*rtt)
	if call.Lost() {
		// Dropped at once (the host is down or cut off): only the
		// connect timeout will happen, and nothing holds the call. A
		// reconnect storm dials thousands of these a second.
		c.freeCall(call)
	}
}

// connReply is the engine's answer to a connection's startup.
func (c *Client) connReply(a any) {
	call := a.(*cluster.Call)
	cn := call.Owner.(*conn)
	status := call.Status
	c.freeCall(call)
	if !cn.connecting {
		// The connect timed out first: the client has given up on it.
		if status == cluster.OK {
			c.net.Hangup(cn.host, cn.epoch, c.cfg.AZ)
		}
		c.freeConn(cn)
		return
	}
	cn.connecting = false
	c.connTimeouts.Cancel(cn.timer)
	if status == cluster.OK && c.cfg.Validation == OnBorrow && c.stale(cn) {
		// A new connection to a read-only instance (a DNS answer from
		// before the failover): validation closes it at once.
		c.invalid++
		c.net.Hangup(cn.host, cn.epoch, c.cfg.AZ)
		c.connectFailed(cn, cluster.Refused)
		c.freeConn(cn)
		return
	}
	if status == cluster.OK {
		c.release(cn.pool, cn)
		return
	}
	c.connectFailed(cn, cluster.Refused)
	c.freeConn(cn)
}

// newConn is a connection to fill in: a reused one if there is one.
func (c *Client) newConn() *conn {
	if n := len(c.freeConns); n > 0 {
		cn := c.freeConns[n-1]
		c.freeConns = c.freeConns[:n-1]
		return cn
	}
	return new(conn)
}

// freeConn keeps a connection for reuse once nothing refers to it: one
// closed (no pool or request holds it, and a statement's call names its
// host, not it), or one whose connect failed or was answered after it
// timed out (its timer has fired or is cancelled, its call answered). One
// whose connect timed out unanswered is not: its call may still come back.
func (c *Client) freeConn(cn *conn) {
	if len(c.freeConns) < maxFree {
		c.freeConns = append(c.freeConns, cn)
	}
}

func (c *Client) connTimeout(a any) {
	cn := a.(*conn)
	cn.connecting = false
	c.connectFailed(cn, cluster.TimedOut)
}

func (c *Client) connFail(a any) {
	cn := a.(*conn)
	c.connectFailed(cn, cluster.TimedOut)
	c.freeConn(cn)
}

// connectFailed closes a connection that did not open: the oldest waiter's
// attempt fails with it.
func (c *Client) connectFailed(cn *conn, st cluster.Status) {
	p := cn.pool
	cn.closed = true
	p.open--
	c.connectionError(p)
	if !c.waiters(p) {
		return
	}
	w := p.wait.pop()
	w.r.waiting = false
	c.poolTimeouts.Cancel(w.r.timer)
	c.seq++
	w.r.seq = c.seq
	c.failed(w.r, st)
	if c.waiters(p) && p.open < c.cfg.Connections {
		c.dial(p)
	}
}

func (c *Client) resolve(in *instance, ep int) *cluster.Host {
	if ep == 0 && c.cfg.Driver == TopologyAware && in.topo != nil {
		return in.topo // the topology's writer, whatever DNS says
	}
	e := &in.dns[ep]
	now := c.k.Now()
	if e.host != nil && now < e.expires {
		return e.host
	}
	rec := c.eps[ep]
	first := e.host == nil
	e.host = rec.Resolve(in.rng)
	ttl := rec.TTL
	switch {
	case c.cfg.DNSCacheFor < 0:
		e.expires = sim.Forever
		return e.host
	case c.cfg.DNSCacheFor > 0:
		ttl = c.cfg.DNSCacheFor
	}
	if first {
		// The fleet did not start at one instant: an instance's first
		// answer is already part-way through its cache life.
		ttl = time.Duration(in.rng.Float64() * float64(ttl))
	}
	e.expires = now.Add(ttl)
	return e.host
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for ; i > 0; i /= 10 {
		n--
		b[n] = byte('0' + i%10)
	}
	return string(b[n:])
}
