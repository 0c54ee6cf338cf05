package rds

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/sim"
)

// Asynchronous replication, shared by read replicas and by the standbys of
// a Multi-AZ DB cluster.
//
// The primary ships its change log: every write that is durable on the
// primary (its "durable" watermark) is sent to each replica, arrives after
// the one-way network delay (plus a Region's delay for a cross-Region
// replica) and joins the replica's apply queue. The queue is the log
// positions received but not yet applied; ApplyWorkers workers (a
// sim.Station) drain it, each write taking ApplyTime, and commit in log
// order (a worker that finishes early waits for its predecessors, as MySQL
// does with replica_preserve_commit_order). So replica lag is a queue plus
// the network: a few milliseconds below the apply capacity
// (ApplyWorkers / mean ApplyTime writes per second), growing without bound
// above it — by (1 − μ/λ) seconds per second at write rate λ and capacity
// μ — and draining at μ − λ writes per second afterwards (facts 2.3, 2.4).
//
// Lag is defined as the age of the oldest write the replica lacks: zero
// when it has applied every write durable on the primary, otherwise now
// minus the time the first write it has not applied became durable on the
// primary. For a backlogged replica that is MySQL's Seconds_Behind_Master
// (now minus the source timestamp of the event being applied, fact 2.9) —
// except that a write still on the network counts too. It is not
// PostgreSQL's now() − pg_last_xact_replay_timestamp(), which measures
// from the newest applied write and so rises on an idle source (fact 2.7);
// here an idle, caught-up replica has zero lag.
//
// The apply queue holds no per-write state (it is the range of positions
// between applied and received), and lag is dated from a history kept at
// a resolution that coarsens with its length (logtrack.go), so a backlog
// of millions of writes costs kilobytes.

// ReplicaConfig is one read replica, or one standby of a Multi-AZ DB
// cluster.
type ReplicaConfig struct {
	// AZ is where the replica runs. The topology holds one Region: a
	// replica in another Region is placed at AZ (an AZ of the topology
	// standing for the remote Region is a good choice, so that the local
	// AZs' outages do not take it down) and RegionDelay is added to every
	// trip between it and the primary or the clients.
	AZ cluster.AZ
	// Region names a cross-Region replica's Region (informational; "" is
	// the primary's Region).
	Region string
	// RegionDelay is the extra one-way delay to another Region: half the
	// inter-Region RTT (fact 6.5; see InterRegionRTT), e.g. 43.5 ms for
	// us-east-1 to us-west-2.
	RegionDelay time.Duration
	// Class is the replica's instance class: its vCPUs serve its reads.
	// The zero Class means the primary's class.
	Class Class
	// ApplyWorkers is the number of parallel apply workers. PostgreSQL
	// applies WAL in a single process (fact 2.6) and MySQL in a single SQL
	// thread by default (fact 2.3), so 0 and 1 mean one; MySQL can run
	// several (replica_parallel_workers, fact 2.2).
	ApplyWorkers int
	// ApplyTime is one worker's time to apply one write, in seconds; nil
	// means Config.ApplyTime.
	ApplyTime sim.Dist
}

// DefaultApplyTime is the default per-write apply cost of a replica: a
// lognormal with p50 200 µs and p99 618 µs, mean 225 µs, so a
// single-threaded replica applies about 4,440 writes/s.
//
// It is calibrated on fact 2.4 (AUR17 §6.1.4, Table 4: MySQL 5.6 on
// r3.8xlarge, SysBench write-only: replica lag < 1 s at 1,000 writes/s,
// 1 s at 2,000, 60 s at 5,000 and 300 s at 10,000). Above its capacity μ a
// replica's lag grows linearly, lag(t) ≈ t·(1 − μ/λ), so the published
// figures are "lag after a run of T" and depend on T, which the paper does
// not give. The two runaway points fix both unknowns: 60 = T(1 − μ/5000)
// and 300 = T(1 − μ/10000) give μ ≈ 4,444 writes/s and T = 540 s. dbsim
// therefore assumes a 9-minute run. Below capacity the lag is
// milliseconds; the paper's "1 s" at 2,000 writes/s is at the whole-second
// granularity of Seconds_Behind_Master (fact 2.9) and is read as "about a
// second or less". PostgreSQL's single-process replay has no published
// throughput: the same default applies (tune it to your measurements).
func DefaultApplyTime() sim.Dist {
	d, _ := sim.LogNormalP50P99(200e-6, 618e-6)
	return d
}

// interRegionRTT holds fact 6.5's average inter-Region round-trip times.
var interRegionRTT = map[[2]string]time.Duration{
	{"us-east-1", "us-west-1"}:           72700 * time.Microsecond,
	{"us-east-1", "us-west-2"}:           87 * time.Millisecond,
	{"us-east-1", "eu-west-1"}:           80500 * time.Microsecond,
	{"us-east-1", "eu-central-1"}:        88700 * time.Microsecond,
	{"us-east-1", "sa-east-1"}:           119500 * time.Microsecond,
	{"us-east-1", "ap-northeast-1"}:      145300 * time.Microsecond,
	{"us-east-1", "ap-southeast-1"}:      216700 * time.Microsecond,
	{"us-east-1", "ap-southeast-2"}:      230 * time.Millisecond,
	{"us-west-1", "us-west-2"}:           19500 * time.Microsecond,
	{"eu-west-1", "eu-central-1"}:        19600 * time.Microsecond,
	{"ap-northeast-1", "ap-northeast-2"}: 31400 * time.Microsecond,
	{"us-west-2", "ap-northeast-1"}:      89100 * time.Microsecond,
	{"eu-west-1", "ca-central-1"}:        78800 * time.Microsecond,
}

// InterRegionRTT is the average round-trip time between two Regions from
// fact 6.5 (3rd-party measurements, ±10–20 %), if the table has the pair.
// A cross-Region replica's RegionDelay is half of it.
func InterRegionRTT(a, b string) (time.Duration, bool) {
	if d, ok := interRegionRTT[[2]string{a, b}]; ok {
		return d, true
	}
	d, ok := interRegionRTT[[2]string{b, a}]
	return d, ok
}

// Validate reports what is wrong with the configuration, every problem at
// once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Class.VCPUs <= 0 {
		bad("instance class %q has no vCPUs", c.Class.Name)
	}
	if c.Read == nil || c.Write == nil || c.Connect == nil {
		bad("read, write and connect service times are required")
	}
	if c.MaxConnections < 0 {
		bad("max connections %d is negative", c.MaxConnections)
	}
	if c.Backup != nil {
		if err := c.Backup.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	engine := strings.ToLower(c.Engine)
	limit := 15 // fact 2.11: MySQL, MariaDB, PostgreSQL, SQL Server
	if strings.HasPrefix(engine, "oracle") {
		limit = 5 // fact 2.11
	}
	if len(c.Replicas) > limit {
		bad("%d read replicas: %s allows at most %d (fact 2.11)", len(c.Replicas), c.Engine, limit)
	}
	check := func(what string, r ReplicaConfig) {
		if r.ApplyWorkers < 0 {
			bad("%s: apply workers %d < 0", what, r.ApplyWorkers)
		}
		if r.ApplyWorkers > 1 && isPostgres(engine) {
			bad("%s: PostgreSQL applies WAL in a single process (fact 2.6): apply workers must be 1", what)
		}
		if r.RegionDelay < 0 {
			bad("%s: negative region delay", what)
		}
		if r.ApplyTime == nil && c.ApplyTime == nil {
			bad("%s: no apply time", what)
		}
	}
	for i, r := range c.Replicas {
		check(fmt.Sprintf("replica-%d", i+1), r)
	}
	if c.Cluster {
		if !isPostgres(engine) && engine != "mysql" {
			bad("Multi-AZ DB clusters run MySQL or PostgreSQL, not %q (fact 1.12)", c.Engine)
		}
		a, b := c.ClusterStandbys[0].AZ, c.ClusterStandbys[1].AZ
		if a == c.AZ || b == c.AZ || a == b {
			bad("a Multi-AZ DB cluster spans three AZs (fact 1.12): writer and standbys must be in distinct AZs")
		}
		for j, s := range c.ClusterStandbys {
			check(fmt.Sprintf("standby-%d", j+1), s)
			if s.RegionDelay != 0 {
				bad("standby-%d: cluster standbys are in the writer's Region", j+1)
			}
		}
		if c.LocalWrite == nil || c.StandbyFlush == nil {
			bad("the cluster deployment needs local write and standby flush times")
		}
	}
	return errors.Join(errs...)
}

func isPostgres(engine string) bool { return strings.HasPrefix(strings.ToLower(engine), "postgres") }

// replica is a read replica or a cluster standby: a node that receives the
// primary's log and applies it.
type replica struct {
	m       *Model
	name    string
	idx     int // index in Config.Replicas; -1 for a cluster standby
	slot    int // a cluster standby's slot (0 or 1)
	cfg     ReplicaConfig
	n       *node
	standby bool // a cluster standby: it acknowledges receipt to the writer
	rng     *rand.Rand
	applyD  sim.Dist

	receiving bool   // its engine is up and replicating from the primary
	failed    bool   // its host failed: it comes back when RDS has replaced it
	resync    bool   // restarted behind the AckLog's trim point: no promotion candidate until recv ≥ pin
	pin       uint64 // while resync, the AckLog keeps the writes above pin
	orphan    bool   // its source was retired by a promotion: it replicates no more
	limit     uint64 // for an orphan, the last position it shares with the current primary's log
	promoted  bool   // it is the primary now

	// Log positions: sent to it, received, handed to an apply worker,
	// applied (every write up to it).
	sent, recv, dispatched, applied uint64
	link, ackLink                   *link

	apply *sim.Station
	jobs  []applyJob // one per worker, indexed by position modulo workers
	gen   uint32     // bumped when its in-memory state is lost (crash, rewind)

	flushing          bool // a standby writing received log to disk
	flushEnd, flushed uint64
	flushGen          uint32

	promoteDue bool // a promotion's PromoteTime has passed
	tookOver   bool // the promotion took over a failover already under way
}

type applyJob struct {
	r    *replica
	lsn  uint64
	gen  uint32
	done bool
}

// newReplica builds a replica; n is its node, or nil for a new one.
func (m *Model) newReplica(name string, idx int, rc ReplicaConfig, standby bool, n *node) *replica {
	if rc.Class.VCPUs == 0 {
		rc.Class = m.cfg.Class
	}
	if n == nil {
		if standby {
			n = m.newNode(rc.AZ, rc.Class)
		} else {
			n = m.newNamedNode(name, rc.AZ, rc.Class)
		}
	}
	workers := max(rc.ApplyWorkers, 1)
	r := &replica{m: m, name: name, idx: idx, cfg: rc, n: n, standby: standby, limit: math.MaxUint64,
		apply: sim.NewStation(m.k, workers), jobs: make([]applyJob, workers), applyD: rc.ApplyTime}
	m.streams++
	r.rng = m.k.Stream(fmt.Sprintf("rds/apply/%s/%d", name, m.streams))
	if r.applyD == nil {
		r.applyD = m.cfg.ApplyTime
	}
	for i := range r.jobs {
		r.jobs[i].r = r
	}
	n.rep = r
	n.far = rc.RegionDelay
	return r
}

// setReaders lists every replica and cluster standby.
func (m *Model) setReaders() {
	m.readers = append(m.readers[:0], m.replicas...)
	for _, s := range m.standbys {
		if s != nil {
			m.readers = append(m.readers, s)
		}
	}
}

// updateReader points the reader endpoint at every read replica's
// instance endpoint (whatever its state: the application's list does not
// change) and at the cluster standbys that are up (RDS's reader endpoint
// follows them; with none, it points at the writer).
func (m *Model) updateReader() {
	if m.reader == nil {
		return
	}
	m.reader.Set(m.readerHosts()...)
}

func (m *Model) readerHosts() []*cluster.Host {
	var hosts []*cluster.Host
	for _, r := range m.replicas {
		hosts = append(hosts, r.n.host)
	}
	for _, s := range m.standbys {
		if s != nil && !s.orphan && s.n.host.Up() {
			hosts = append(hosts, s.n.host)
		}
	}
	if len(hosts) == 0 {
		hosts = append(hosts, m.primary.host)
	}
	return hosts
}

// --- shipping ---

// link carries log positions one way between the primary and a replica
// (or acknowledgements back, for a cluster standby), in order, with a
// fixed delay.
type link struct {
	r    *replica
	lane *sim.Lane
	ends fifo[uint64]
	ack  bool
}

func (m *Model) newLink(r *replica, d time.Duration, ack bool) *link {
	l := &link{r: r, ack: ack}
	l.lane = sim.NewLane(m.k, d, l.arrive)
	return l
}

func (l *link) send(end uint64) {
	l.ends.push(end)
	l.lane.Add(nil)
}

func (l *link) arrive(any) {
	end := l.ends.pop()
	r := l.r
	if l.ack {
		if l == r.ackLink {
			r.m.semiAck(end)
		}
		return
	}
	if l == r.link && r.receiving {
		r.m.received(r, end)
	}
}

// attach connects a replica to the current primary: it will be sent the
// log from the position it has received on. A replica behind the
// AckLog's trim point re-synchronises before it is a promotion candidate
// again.
func (m *Model) attach(r *replica) {
	p, a := m.primary.host.AZ, r.n.host.AZ
	r.link = m.newLink(r, m.topo.OneWay(p, a)+r.cfg.RegionDelay, false)
	if r.standby {
		r.ackLink = m.newLink(r, m.topo.OneWay(a, p)+r.cfg.RegionDelay, true)
	}
	r.sent = r.recv
	r.resync = r.recv < m.trimmed
	if r.resync {
		r.pin = m.trimmed
	}
}

// makeDurable records that the write at lsn is durable on the primary;
// when the durable watermark moves, the new stretch of log is dated and
// shipped.
func (m *Model) makeDurable(lsn uint64) {
	old := m.dw.mark
	if !m.dw.set(lsn) {
		return
	}
	m.durable = m.dw.mark
	if len(m.readers) == 0 {
		return
	}
	m.hist.add(old+1, m.k.Now())
	if m.hist.adds >= 1024 {
		m.hist.adds = 0
		m.trimHistory()
	}
	m.ship()
}

// trimHistory forgets the history no replica needs to date its lag.
func (m *Model) trimHistory() {
	need := m.durable + 1
	for _, r := range m.readers {
		if !r.promoted {
			need = min(need, r.effective()+1)
		}
	}
	m.hist.trim(need)
}

// ship sends every reachable, replicating replica the durable log it has
// not been sent. A replica cut off by a partition gets the whole gap in one
// message when it can be reached again.
func (m *Model) ship() {
	p := m.primary
	if !p.host.Accepting() {
		return
	}
	for _, r := range m.readers {
		if !r.receiving || r.sent >= m.durable || !m.topo.Reachable(p.host.AZ, r.n.host.AZ) {
			continue
		}
		r.link.send(m.durable)
		r.sent = m.durable
	}
}

// received: the log up to end has reached the replica.
func (m *Model) received(r *replica, end uint64) {
	if end <= r.recv {
		return
	}
	r.recv = end
	if r.resync && r.recv >= r.pin {
		r.resync = false
	}
	m.feed(r)
	if r.standby && !r.flushing {
		m.startFlush(r)
	}
}

// --- applying ---

// feed hands queued writes to free apply workers, in log order.
func (m *Model) feed(r *replica) {
	n := uint64(len(r.jobs))
	for r.dispatched < r.recv && r.apply.Busy() < r.apply.Servers() {
		r.dispatched++
		j := &r.jobs[r.dispatched%n]
		j.lsn, j.gen, j.done = r.dispatched, r.gen, false
		r.apply.Acquire(m.onApplyStart, j)
	}
}

func (m *Model) applyStart(a any) {
	j := a.(*applyJob)
	m.k.AfterArg(sim.Seconds(j.r.applyD.Sample(j.r.rng)), m.onApplied, j)
}

// applied: a worker has applied its write. Writes commit in log order: a
// worker that is done waits (holding its worker) for its predecessors.
func (m *Model) applied(a any) {
	j := a.(*applyJob)
	r := j.r
	if j.gen != r.gen {
		return // the replica lost its state since
	}
	j.done = true
	n := uint64(len(r.jobs))
	for r.applied < r.dispatched {
		next := &r.jobs[(r.applied+1)%n]
		if !next.done {
			break
		}
		next.done = false
		r.applied++
		r.apply.Release()
	}
	m.feed(r)
	if r.applied == r.recv && m.caughtUp != nil {
		m.caughtUp()
	}
}

// rewind brings a replica that has log the new primary lacks back to the
// new primary's position b (a rebuild, like pg_rewind).
func (m *Model) rewind(r *replica, b uint64) {
	m.log.Addf("%s has %d writes the new primary lacks: rewound to position %d", r.describe(), r.recv-b, b)
	m.dropApplyState(r)
	r.recv = b
	r.applied = min(r.applied, b)
	r.dispatched = r.applied
	r.flushed = min(r.flushed, b)
}

// dropApplyState forgets the apply work in progress.
func (m *Model) dropApplyState(r *replica) {
	r.gen++
	r.apply.Clear()
	for i := range r.jobs {
		r.jobs[i].done = false
	}
	r.dispatched = r.applied
}

// --- reads ---

// describe names a replica and its host, e.g. "replica-1 (b)" or
// "standby-1 db-2 (c)".
func (r *replica) describe() string {
	if r.n.host.Name == r.name {
		return r.m.describe(r.n)
	}
	return r.name + " " + r.m.describe(r.n)
}

// effective is the last position the replica shares with the current
// primary's log: an orphan has none of the new primary's writes.
func (r *replica) effective() uint64 { return min(r.applied, r.limit) }

// lag is the age of the oldest write the replica lacks (0 when it has
// every write durable on the primary).
func (r *replica) lag() time.Duration {
	m := r.m
	if r.promoted {
		return 0
	}
	e := r.effective()
	if e >= m.durable {
		return 0
	}
	return m.k.Now().Sub(m.hist.at(e + 1))
}

// staleCounters count the reads replicas served and the stale ones.
type staleCounters struct {
	reads, stale, behind int64
	replica              []int64
	standby              [2]int64
}

// recentSlots is the number of keys whose last writes the model
// remembers to tell a stale read (cluster.RecentWrites: 5 MB). A key is
// remembered for about recentSlots / (writes per second) seconds, 13 s at
// 5,000 writes/s over many keys: a replica whose backlog is older than
// that has its stale reads of keys written once in the backlog
// undercounted (hot keys, written again and again, stay remembered).
const recentSlots = 1 << 16

// remember records a write acknowledged now, for the stale reads: its
// acknowledgement reaches the client one network trip later (if the
// network lets it, as cluster.Net.Reply does).
func (m *Model) remember(c *cluster.Call) {
	p := m.primary.host.AZ
	if m.recent == nil || !m.topo.Reachable(p, c.From) {
		return
	}
	m.recent.Add(c.Key, m.k.Now().Add(m.topo.OneWay(p, c.From)), c.LSN)
}

// snapshot is a read on a replica taking its snapshot. It is stale when
// the replica has not applied the newest write of the read's key whose
// acknowledgement reached its client before the read was sent (the
// reference is DynamoDB's: what the reader could know of, judged against
// the replica's state when it reads; writes of other keys the replica
// lacks do not matter). The key's writes are remembered in a table that
// can forget (cluster.RecentWrites), so the count is a lower bound when
// a replica lags by more than the table remembers. On return c.LSN is the
// position the read saw.
func (m *Model) snapshot(c *cluster.Call, r *replica) {
	e := r.effective()
	m.stale.reads++
	if newest, stale := cluster.Missed(m.recent, c.Key, c.Sent, e); stale {
		c.Stale = true
		m.stale.stale++
		m.stale.behind += int64(newest - e)
		if r.idx >= 0 {
			if r.idx >= len(m.stale.replica) {
				m.stale.replica = append(m.stale.replica, make([]int64, r.idx+1-len(m.stale.replica))...)
			}
			m.stale.replica[r.idx]++
		} else {
			m.stale.standby[r.slot]++
		}
		m.staleAge.Record(m.k.Now().Sub(m.hist.at(e + 1)))
	}
	c.LSN = e
}

// --- faults ---

// FailReplica crashes read replica i (counted from 0; it is named
// "replica-(i+1)"): reads sent to it time out. RDS replaces its host after
// ReplaceInstance, re-attaching its volume; the engine starts (EngineStart)
// and the replica catches up from the position it had applied. Failing a
// replica that has been promoted fails the primary.
func (m *Model) FailReplica(i int) {
	if i < 0 || i >= len(m.replicas) {
		return
	}
	r := m.replicas[i]
	if r.promoted {
		m.FailInstance("primary")
		return
	}
	m.failReplica(r)
}

func (m *Model) failReplica(r *replica) {
	if !r.n.host.Up() {
		return
	}
	m.log.Addf("%s failed; RDS replaces its host (%v)", r.describe(), m.cfg.ReplaceInstance)
	m.crashReplica(r)
	r.failed = true
	m.k.After(m.cfg.ReplaceInstance, func() { m.replacedReplica(r) })
}

func (m *Model) replacedReplica(r *replica) {
	if !r.failed {
		return
	}
	r.failed = false
	if !m.topo.Up(r.n.host.AZ) {
		return // it comes back with the AZ
	}
	m.log.Addf("%s replaced; its engine starts", r.describe())
	m.restartReplica(r)
}

// crashReplica stops a replica's host. Its volume keeps what it had
// applied, and a cluster standby's also the log it had flushed (what it
// acknowledged to the writer); the rest of what it had received is
// fetched again when it comes back.
func (m *Model) crashReplica(r *replica) {
	r.n.host.Crash()
	r.n.cpu.Clear()
	m.dropApplyState(r)
	keep := r.applied
	if r.standby {
		keep = max(keep, r.flushed)
	}
	r.recv, r.sent = keep, keep
	r.flushed = min(r.flushed, keep)
	r.receiving = false
	r.link, r.ackLink = nil, nil
	m.updateReader()
	if m.promoting == r {
		m.abortPromotion()
	}
	if m.caughtUp != nil {
		m.caughtUp() // a cluster failover waiting on it chooses again
	}
}

// restartReplica starts a replica's engine again; it then replicates from
// the position it had applied.
func (m *Model) restartReplica(r *replica) {
	r.n.host.Restart()
	gen := r.gen
	m.k.After(m.cfg.EngineStart, func() {
		if r.gen != gen || !r.n.host.Up() || r.promoted {
			return
		}
		r.n.host.SetAccepting(true)
		r.receiving = !r.orphan
		if r.receiving {
			m.attach(r)
			m.ship()
		}
		m.feed(r) // apply what it had flushed before the crash
		m.updateReader()
		m.log.Addf("%s engine started; replicating again from position %d", r.describe(), r.recv)
		if m.caughtUp != nil {
			m.caughtUp() // a failover waiting for a copy tries again
		}
	})
}

// PromoteReplica promotes read replica i (counted from 0) to a standalone
// instance that becomes the primary: replication stops at once (writes
// still on the network or not yet sent are lost to it), the replica
// reboots, and after PromoteTime (fact 2.13), and once it has applied
// everything it had received, it accepts writes and the writer endpoint
// moves to it. Until then the old primary, if alive, keeps taking writes:
// those are lost too, as in RDS, where a promotion does not touch the
// source (AWS advises stopping writes first). The old primary then leaves
// the deployment (it stops accepting), and the other replicas and standbys
// become orphans: they keep serving the old primary's data and replicate
// no more. The failover record counts as lost exactly the acknowledged
// writes above the position the replica had received. A promotion while
// the primary is down completes that failover. The new primary's log
// continues from the replica's position, so the positions of the lost
// writes are used again (client.Request.LSN values from before and after
// a promotion are not comparable above it).
func (m *Model) PromoteReplica(i int) {
	if i < 0 || i >= len(m.replicas) {
		return
	}
	r := m.replicas[i]
	why := ""
	switch {
	case m.promoting != nil:
		why = "another promotion is under way"
	case r.promoted:
		why = "it is the primary already"
	case r.orphan:
		why = "its source has left the deployment"
	case !r.n.host.Up():
		why = "it is down"
	case r.resync:
		why = "it is re-synchronising"
	}
	if why != "" {
		m.log.Addf("promotion of %s refused: %s", r.name, why)
		return
	}
	m.promoting = r
	r.receiving, r.link = false, nil
	r.promoteDue = false
	r.tookOver = m.fo != nil
	r.n.host.Restart()
	r.n.cpu.Clear()
	if m.fo == nil {
		m.fo = m.log.StartFailover("read replica promotion")
	}
	if m.fo.Detected == cluster.Never {
		m.fo.Detected = m.k.Now()
	}
	m.log.Addf("promotion of %s requested: replication stopped at position %d (%d writes behind the primary, %d to apply); it reboots (%v)",
		r.describe(), r.recv, m.durable-min(m.durable, r.recv), r.recv-r.applied, m.cfg.PromoteTime)
	m.caughtUp = m.finishPromotion
	m.k.After(m.cfg.PromoteTime, func() {
		if m.promoting == r {
			r.promoteDue = true
			m.finishPromotion()
		}
	})
}

// RegionFailover is an operator's recovery from the loss of the primary's
// Region: of the read replicas that are up in another Region, the one that
// has received the most of the log (the first, on a tie) is promoted as
// PromoteReplica promotes one (replication stops, it reboots for
// PromoteTime and applies what it had received, then the writer endpoint
// moves to it), and the failover record becomes a recovery from another
// Region (cluster.Restore, Kind "cross-region-replica") rather than a
// failover by promotion. Its RestoredTo is when the first write the
// replica never received became durable on the primary (the failure's
// Start if it received every one): the RPO is the lag, at the failure, of
// the log it had received; writes it had received but not yet applied
// are applied before it opens, so an apply backlog lengthens the RTO, not
// the RPO. It is refused if no such replica can be promoted.
func (m *Model) RegionFailover() {
	home := m.topo.Region(m.primary.host.AZ)
	var best *replica
	for _, r := range m.replicas {
		if r.promoted || r.orphan || r.resync || !r.n.host.Up() || m.topo.Region(r.n.host.AZ) == home {
			continue
		}
		if best == nil || r.recv > best.recv {
			best = r
		}
	}
	if best == nil {
		m.log.Addf("Region failover refused: no read replica outside %s is up", home)
		return
	}
	m.PromoteReplica(best.idx)
	if m.promoting != best {
		return
	}
	fo := m.fo
	if !m.regionUp(home) {
		fo.Cause = "Region outage"
	}
	restored := min(fo.Start, m.k.Now())
	if best.recv < m.durable {
		restored = min(restored, m.hist.at(best.recv+1))
	}
	fo.Restore = &cluster.Restore{Kind: "cross-region-replica", RestoredTo: restored}
	m.log.Addf("Region failover: %s has every write made durable before %v (RPO %v)",
		best.describe(), time.Duration(restored), fo.Start.Sub(restored))
}

// regionUp reports whether some AZ of the named Region is up.
func (m *Model) regionUp(region string) bool {
	for _, a := range m.topo.RegionAZs(region) {
		if m.topo.Up(a) {
			return true
		}
	}
	return false
}

// finishPromotion completes a replica promotion once PromoteTime has
// passed and the replica has applied all it received.
func (m *Model) finishPromotion() {
	r := m.promoting
	if r == nil || !r.promoteDue || r.applied < r.recv {
		return
	}
	m.promoting, m.caughtUp = nil, nil
	now := m.k.Now()
	b := r.recv
	fo := m.fo
	fo.Promoted = now
	fo.LostWrites = m.acks.Above(b)
	fo.ByPromotion = true

	old := m.primary
	old.host.SetAccepting(false)
	old.cpu.Clear()
	m.dropPending()
	m.standby, m.inSync = nil, false
	m.clusterMode, m.semiSync, m.target = false, false, nil
	orphans := 0
	for _, o := range m.readers {
		if o != r && !o.orphan {
			o.orphan = true
			o.limit = b
			o.receiving = false
			o.link, o.ackLink = nil, nil
			orphans++
		}
	}
	r.promoted = true
	n := r.n
	n.lsn = b
	m.primary = n
	m.rebase(b)
	n.host.SetAccepting(true)
	m.writer.Set(n.host)
	m.updateReader()
	fo.Accepting = now
	m.fo = nil
	m.waitAZ, m.redo = false, 0
	m.health.Reset()
	m.log.Addf("%s promoted: it accepts writes and the writer endpoint DNS record points to it; %d acknowledged writes it never received are lost; the old primary %s leaves the deployment, %d other replicas are orphaned",
		r.describe(), fo.LostWrites, m.describe(old), orphans)
}

// Settle completes the record of a failover still under way when the run
// ends: its LostWrites become the acknowledged writes the copy chosen so
// far lacks. That is the replica being promoted (replication stopped at
// what it had received; the old primary's acknowledgements since are lost
// too), a cluster's chosen standby (or the one the engine's rule would
// choose now), or a Multi-AZ instance's standby; none when the failover
// waits for a copy that has every write or replaces the writer's host.
func (m *Model) Settle() {
	fo := m.fo
	if fo == nil || fo.Accepting != cluster.Never {
		return
	}
	switch {
	case m.promoting != nil:
		fo.LostWrites = m.acks.Above(m.promoting.recv)
		fo.ByPromotion = true
	case m.clusterMode:
		t := m.target
		if t == nil {
			t = m.pickStandby()
		}
		if t != nil {
			fo.LostWrites = m.acks.Above(t.recv)
		}
	case m.standby != nil && m.inSync:
		fo.LostWrites = m.acks.Above(m.standby.lsn)
	}
}

// abortPromotion gives up a promotion whose replica failed.
func (m *Model) abortPromotion() {
	r := m.promoting
	m.promoting, m.caughtUp = nil, nil
	m.log.Addf("promotion of %s abandoned: it failed", r.name)
	if m.fo != nil {
		m.fo.Restore = nil // not a recovery from another Region after all
	}
	if r.tookOver {
		m.recoverWriter() // the failover it had taken over resumes
		return
	}
	// The planned promotion never happened: it is not a failover.
	if n := len(m.log.Failovers); n > 0 && m.log.Failovers[n-1] == m.fo {
		m.log.Failovers = m.log.Failovers[:n-1]
	}
	m.fo = nil
}

// --- a new primary ---

// rebase continues the log on a new primary at position b: the writes
// above b are gone, every replica still replicating is attached to the new
// primary (rewound if it had writes above b), and the AckLog keeps only
// what the remaining candidates need.
func (m *Model) rebase(b uint64) {
	switch {
	case b > m.durable:
		if len(m.readers) > 0 {
			m.hist.add(m.durable+1, m.k.Now())
		}
	case b < m.durable:
		m.hist.truncate(b)
	}
	m.lsn = b
	m.durable = b
	m.dw.reset(b)
	m.syncAcked = min(m.syncAcked, b)
	if m.recent != nil {
		cluster.ForgetAbove(m.recent, b) // lost: no read can miss them
	}
	m.semiAcked = b
	for _, r := range m.readers {
		if r.orphan || r.promoted {
			continue
		}
		if r.recv > b {
			m.rewind(r, b)
		}
		m.attach(r)
	}
	m.rebuildAcks(b)
}

// rebuildAcks drops the acknowledged writes above b (counted as lost by
// the caller) from the AckLog, keeping those the remaining promotion
// candidates lack. AckLog cannot forget from the top, so the kept range is
// copied into a new one; a position is acknowledged when Above drops by
// one across it.
func (m *Model) rebuildAcks(b uint64) {
	if m.acks.Above(b) == 0 {
		return
	}
	lo := b
	for _, r := range m.readers {
		if !r.orphan && !r.promoted && r.n.host.Up() && !r.resync {
			lo = min(lo, r.recv)
		}
	}
	var fresh cluster.AckLog
	prev := m.acks.Above(lo)
	for y := lo + 1; y <= b; y++ {
		a := m.acks.Above(y)
		if a < prev {
			fresh.Ack(y)
		}
		prev = a
	}
	m.acks = fresh
	m.trimmed = lo
}

// tick runs with every health check: replicas cut off by a partition get
// the log again, and a cluster resumes semi-synchronous commits.
func (m *Model) tick() {
	m.ship()
	if m.clusterMode && !m.semiSync && m.fo == nil && m.primary.host.Accepting() {
		for _, s := range m.standbys {
			if s.receiving && s.sent == m.durable {
				m.semiSync = true
				m.log.Addf("%s reachable again: semi-synchronous replication resumed", s.name)
				break
			}
		}
	}
}

// --- observation ---

// ReplicaStatus is the state of a replica or cluster standby.
type ReplicaStatus struct {
	Name string
	Host *cluster.Host
	// Received and Applied are log positions.
	Received, Applied uint64
	// Lag is the age of the oldest write it lacks.
	Lag                      time.Duration
	Orphan, Promoted, Resync bool
}

func (r *replica) status() ReplicaStatus {
	return ReplicaStatus{Name: r.name, Host: r.n.host, Received: r.recv, Applied: r.applied, Lag: r.lag(),
		Orphan: r.orphan, Promoted: r.promoted, Resync: r.resync}
}

// Replica is the state of read replica i (counted from 0).
func (m *Model) Replica(i int) ReplicaStatus { return m.replicas[i].status() }

// Standby is the state of the cluster deployment's standby j (0 or 1).
func (m *Model) Standby(j int) ReplicaStatus { return m.standbys[j].status() }

// Durable is the primary's durable log position: every write up to it has
// been shipped to the replicas.
func (m *Model) Durable() uint64 { return m.durable }

// Gauges are each read replica's metric.Lag ("replica-N"), and in the
// cluster deployment each standby's ("standby-1" and "standby-2": the
// slot follows failovers: the old writer takes
// the promoted standby's slot). Lag is the age in milliseconds of the
// oldest write the replica lacks, 0 when it has them all. A copy that is
// not replicating (down, restarting, orphaned by a promotion, or promoted)
// has no lag: NaN, as CloudWatch's ReplicaLag reports nothing while
// replication is not running, so a failed old writer's slot does not
// count its downtime into the lag distribution. Then every serving
// instance's load (cluster.Load) and, for burstable classes, its CPU
// credits (creditGauges).
func (m *Model) Gauges() []cluster.Gauge {
	var g []cluster.Gauge
	for _, r := range m.replicas {
		g = append(g, cluster.Gauge{ID: metric.OfInstance(metric.Lag, r.name), Sample: func() float64 { return r.lagMS() }})
	}
	if m.cfg.Cluster {
		for j := range m.standbys {
			g = append(g, cluster.Gauge{ID: metric.OfInstance(metric.Lag, fmt.Sprintf("standby-%d", j+1)),
				Sample: func() float64 { return m.standbys[j].lagMS() }})
		}
	}
	// The load of every instance that serves: the primary (whichever host
	// it is now), the cluster's standbys, the read replicas.
	load := func(name string, n func() *node) {
		g = append(g, cluster.NewLoad(m.log, name, func() (*cluster.Host, *sim.Station) {
			x := n()
			return x.host, x.cpu
		}).Gauges()...)
	}
	load("primary", func() *node { return m.primary })
	if m.cfg.Cluster {
		for j := range m.standbys {
			load(fmt.Sprintf("standby-%d", j+1), func() *node { return m.standbys[j].n })
		}
	}
	for _, r := range m.replicas {
		load(r.name, func() *node { return r.n })
	}
	if m.archive != nil {
		g = append(g, cluster.Gauge{ID: metric.OfInstance(metric.Hydrated, "primary"), Sample: m.Hydrated})
	}
	return append(g, m.creditGauges()...)
}

// lagMS is the replica's lag gauge: its lag in milliseconds while it
// replicates, NaN otherwise.
func (r *replica) lagMS() float64 {
	if !r.receiving || r.orphan || r.promoted {
		return math.NaN()
	}
	return ms(r.lag())
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// Counters are, when the deployment has replicas or standbys:
// ReplicaReads (reads served by them), StaleReads (those that lacked
// their key's newest write acknowledged before they were sent),
// StaleReadWritesBehind (the sum over stale reads of the log distance
// from what they saw to the key's newest missed write: divided by
// StaleReads it is the mean number of writes, of any key, a stale read
// was behind), and StaleReads per replica and standby. Staleness has the distribution of
// how old the missed data was.
func (m *Model) Counters() []cluster.Counter {
	if len(m.readers) == 0 {
		return nil
	}
	c := []cluster.Counter{{ID: metric.Of(metric.ReplicaReads), Value: m.stale.reads}, {ID: metric.Of(metric.StaleReads), Value: m.stale.stale},
		{ID: metric.Of(metric.StaleReadWritesBehind), Value: m.stale.behind}}
	for i, r := range m.replicas {
		var v int64
		if i < len(m.stale.replica) {
			v = m.stale.replica[i]
		}
		c = append(c, cluster.Counter{ID: metric.OfInstance(metric.StaleReads, r.name), Value: v})
	}
	if m.cfg.Cluster {
		for j, v := range m.stale.standby {
			c = append(c, cluster.Counter{ID: metric.OfInstance(metric.StaleReads, fmt.Sprintf("standby-%d", j+1)), Value: v})
		}
	}
	return c
}

// Staleness is the distribution, over stale reads, of the replica's lag
// when it took its snapshot: the age of the oldest write (of any key) it
// lacked, an upper bound on how long the value the read returned had been
// superseded. It is nil when the deployment has no replicas.
func (m *Model) Staleness() *sim.Latency { return m.staleAge }
