// Package rds models an Amazon RDS database: a single instance, a Multi-AZ
// instance deployment whose standby in another AZ holds a synchronous
// block-level mirror of the primary's volume, or a Multi-AZ DB cluster
// (one writer and two readable standbys fed by semi-synchronous
// replication, cluster_mode.go); any of them with asynchronous read
// replicas (replicas.go).
//
// Each behaviour comes from its mechanism. Requests queue for the
// instance's vCPUs and take a per-operation service time. A write on a
// Multi-AZ instance commits only when the standby's volume has it: one
// cross-AZ round trip plus the standby's write. A failure is noticed by
// periodic health checks (interval × threshold); failover then promotes the
// standby, moves the endpoint's DNS record, starts the engine and replays
// the redo written since the last checkpoint; clients reconnect as their
// DNS caches and retry policies let them (package client). Without a
// usable standby, RDS replaces the instance and re-attaches its volume,
// which takes minutes.
//
// Replication to read replicas and cluster standbys is a shipped log: each
// write that is durable on the primary reaches a replica after the network
// delay and waits in the replica's apply queue, which a finite number of
// apply workers drain; lag is that queue plus the network (replicas.go).
//
// With automated backups (Config.Backup, backup.go) a daily snapshot
// briefly suspends a Single-AZ primary's writes, and a data loss is
// recovered by a point-in-time restore to a new instance whose volume
// loads lazily from S3.
//
// Defaults come from the project's list of published AWS facts; the fact id is cited
// next to each. Several (the split of a failover into its phases) are not
// published: they are chosen so that the total matches the published range
// and every one of them can be overridden in the scenario.
package rds

import (
	"fmt"
	"math/rand/v2"
	"time"

	"dbsim/models/backup"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// Config is an RDS deployment.
type Config struct {
	Engine string
	Class  Class
	// AZ holds the primary, StandbyAZ the Multi-AZ standby.
	AZ, StandbyAZ cluster.AZ
	MultiAZ       bool
	StorageBytes  int64

	// Read and Write are service times on one vCPU, in seconds.
	Read, Write sim.Dist
	// Connect is the CPU time a new connection's startup takes on one
	// vCPU (authentication, TLS, the engine's backend process or thread),
	// in seconds.
	Connect sim.Dist
	// MaxConnections bounds each instance's open connections (0: the
	// engine's default for the instance's memory,
	// cluster.DefaultMaxConnections). A connection runs one statement at a
	// time, so this also bounds the statements queued on an instance.
	MaxConnections int
	// StandbyWrite is the standby volume's write before it acknowledges a
	// mirrored block, in seconds.
	StandbyWrite sim.Dist
	// AckTimeout is how long the primary waits for an unreachable standby
	// (in a MySQL cluster: for either standby's acknowledgement, as
	// rpl_semi_sync_master_timeout) before it suspends synchronous
	// replication and commits alone. A PostgreSQL cluster never stops
	// waiting (cluster_mode.go); after AckTimeout it only says so.
	AckTimeout time.Duration

	// DetectionInterval × DetectionThreshold failed health checks declare
	// the primary failed.
	DetectionInterval  time.Duration
	DetectionThreshold int
	// Promotion is the control plane's work between detection and the DNS
	// switch: fence the old primary, promote the standby's volume.
	Promotion time.Duration
	// EngineStart is the time to start the database engine on a host,
	// before crash recovery (also a replica's or standby's restart).
	EngineStart time.Duration
	// DNSTTL and DNSPropagation describe the instance endpoint's record.
	DNSTTL, DNSPropagation time.Duration
	// ReplaceInstance is the time to provision a new host and attach the
	// volume when no standby can take over, or when a replica's or cluster
	// standby's host fails.
	ReplaceInstance time.Duration

	// Crash recovery replays the redo written since the last checkpoint:
	// RedoPerWrite bytes per write, at RedoRate bytes per second.
	CheckpointInterval time.Duration
	RedoPerWrite       int64
	RedoRate           float64

	// Replicas are the asynchronous read replicas (fact 2.1): at most 15,
	// 5 for Oracle (fact 2.11).
	Replicas []ReplicaConfig
	// ApplyTime is the time one apply worker of a replica or cluster
	// standby takes to apply one write, in seconds, unless the replica
	// sets its own (see DefaultApplyTime).
	ApplyTime sim.Dist
	// PromoteTime is the time a read replica promotion takes: replication
	// stops and the replica reboots as a standalone instance (fact 2.13).
	PromoteTime time.Duration

	// Cluster selects the Multi-AZ DB cluster deployment (fact 1.12): a
	// writer in AZ and two readable standbys, ClusterStandbys, that receive
	// the log semi-synchronously. It takes precedence over MultiAZ.
	Cluster         bool
	ClusterStandbys [2]ReplicaConfig
	// LocalWrite is the writer's service time for a write in the cluster
	// deployment, whose commit goes to local NVMe storage (fact 1.15), in
	// seconds. It replaces Write there.
	LocalWrite sim.Dist
	// StandbyFlush is a cluster standby's write of received log to its
	// local NVMe storage before it acknowledges receipt, in seconds.
	StandbyFlush sim.Dist
	// ClusterPromotion is the control plane's work between detection and
	// the new writer opening, in the cluster deployment; the failover also
	// waits for the standbys' apply backlog (fact 1.14).
	ClusterPromotion time.Duration

	// Backup, when set, takes automated backups (backup.go): a daily
	// snapshot and the transaction log uploaded to S3, from which a data
	// loss is recovered by a point-in-time restore. nil: no backups are
	// simulated.
	Backup *backup.Config

	// Credits is how the instances of a burstable class (db.t3, db.t4g)
	// run on CPU credits: RDS's Unlimited mode by default (fact 10.7),
	// with no launch credits (fact 10.4). Other classes ignore it.
	Credits cluster.CreditConfig
}

// Defaults returns a db.r6g.large PostgreSQL instance in the first AZ,
// single-AZ, without replicas, with the failover and replication timings
// below. Setting MultiAZ or Cluster, or adding Replicas (whose zero fields
// take these defaults), gives the other deployments.
func Defaults() Config {
	class, _ := LookupClass("db.r6g.large")
	read, _ := sim.LogNormalP50P99(0.4e-3, 3e-3)  // illustrative, not published; AUR17 §6.2 (fact 3.33) reports P50 ≈ 1 ms for MySQL
	write, _ := sim.LogNormalP50P99(0.8e-3, 6e-3) // as read
	standby, _ := sim.LogNormalP50P99(1e-3, 4e-3) // fact 1.8: magnitude unpublished; with a 1 ms cross-AZ RTT this adds ~2 ms per write, the low end of the 2–5 ms reported there
	// Fact 1.15: the cluster deployment commits "up to 2× faster" than the
	// instance deployment because the commit goes to local NVMe instead of
	// a mirrored EBS volume. The split is unpublished: with a 1 ms cross-AZ
	// RTT the instance path is Write + RTT + StandbyWrite ≈ 0.8 + 1 + 1 ms
	// (p50) and the cluster path LocalWrite + RTT + the faster standby's
	// flush ≈ 0.3 + 1 + 0.1 ms, about half.
	localWrite, _ := sim.LogNormalP50P99(0.3e-3, 2.25e-3) // Write's shape, without the EBS write
	flush, _ := sim.LogNormalP50P99(0.15e-3, 1e-3)        // an NVMe flush of the received log (not published)
	// Not published: a connection's startup on the server. PostgreSQL
	// forks a backend per connection and SCRAM authentication hashes the
	// password thousands of times; with TLS that is a few milliseconds of
	// CPU. Calibrate with your own connect storms.
	connect, _ := sim.LogNormalP50P99(1.5e-3, 5e-3)
	return Config{
		Engine: "postgres", Class: class, AZ: 0, StandbyAZ: 1,
		StorageBytes: 100 << 30,
		Read:         read, Write: write, StandbyWrite: standby, Connect: connect,
		AckTimeout:         5 * time.Second,  // not published; a few seconds of stalled commits before the mirror is suspended
		DetectionInterval:  5 * time.Second,  // fact 1.4(a): no published number
		DetectionThreshold: 3,                // fact 1.4(a)
		Promotion:          40 * time.Second, // fact 1.4(b) unpublished; chosen so the total falls in fact 1.3's 60–120 s
		EngineStart:        15 * time.Second, // fact 1.4(b): "the DB software is started on the standby"
		DNSTTL:             5 * time.Second,  // fact 1.5 (commonly reported for RDS endpoints)
		DNSPropagation:     20 * time.Second, // fact 1.6: "typically less than 30 s", flapping for 20–30 s
		ReplaceInstance:    6 * time.Minute,  // no RDS figure; fact 3.21 gives < 10 min for recreating an Aurora writer
		CheckpointInterval: 5 * time.Minute,  // PostgreSQL's default checkpoint_timeout (not in models/REFERENCES.md)
		RedoPerWrite:       2 << 10,          // WAL per small write incl. page images (not in models/REFERENCES.md)
		RedoRate:           20 << 20,         // redo replay rate in bytes/s (not in models/REFERENCES.md; calibrate)

		ApplyTime:   DefaultApplyTime(),
		PromoteTime: 3 * time.Minute, // fact 2.13: "a few minutes"; the exact figure is unpublished and grows with the replica's size

		ClusterStandbys:  [2]ReplicaConfig{{AZ: 1}, {AZ: 2}}, // fact 1.12: three AZs
		LocalWrite:       localWrite,
		StandbyFlush:     flush,
		ClusterPromotion: 10 * time.Second, // unpublished; with detection (10–15 s) the failover takes 20–25 s plus the apply backlog, under fact 1.14's "typically < 35 s"
	}
}

// Model is a running RDS deployment.
type Model struct {
	k    *sim.Kernel
	topo *cluster.Topology
	net  *cluster.Net
	cfg  Config
	log  *cluster.Log
	rng  *rand.Rand

	writer, reader   *cluster.Record
	eps              []*cluster.Record
	primary, standby *node
	inSync           bool // the standby mirrors every commit
	resyncing        bool
	lsn              uint64 // last log position written on the primary
	acks             cluster.AckLog
	trimmed          uint64 // acks holds no acknowledged write at or below this position
	redo             int64  // redo bytes since the last checkpoint
	hosts            int
	streams          int // apply streams created

	// syncAcked is the highest position acknowledged while another copy
	// that can take over as writer (the in-sync standby, a cluster
	// standby) had it: a failover keeps every write up to it.
	syncAcked uint64
	// unreplicated counts the writes acknowledged while no such copy had
	// them (UnreplicatedAcks); alone is set while the latest
	// acknowledgement was one of them.
	unreplicated int64
	alone        bool

	// The change log as replicas see it: durable is the highest position
	// such that every write up to it is durable on the primary (shipped);
	// dw tracks it when writes become durable out of order; hist dates it.
	durable uint64
	dw      window
	hist    history

	replicas  []*replica    // Config.Replicas, in order
	standbys  [2]*replica   // the cluster deployment's readable standbys
	readers   []*replica    // every replica and cluster standby
	promoting *replica      // a read replica promotion under way
	caughtUp  func()        // called when a replica has applied all it received, while a promotion waits
	stale     staleCounters // reads served by replicas that lacked acknowledged writes
	staleAge  *sim.Latency
	recent    *cluster.RecentWrites[uint64] // the last acknowledged writes of keys, by log position, when there are readers

	clusterMode bool
	semiSync    bool // cluster commits wait for a standby's acknowledgement
	semiAcked   uint64
	waitQ       fifo[*cluster.Call] // cluster commits waiting for a standby's acknowledgement
	semiTimer   sim.Timer
	target      *replica // the standby a cluster failover promotes
	waitingFor  string   // what a cluster failover waits for, once logged
	rebooted    bool     // a switchover's old writer has restarted and can reopen
	stalled     bool     // PostgreSQL commits have waited AckTimeout for a standby (logged)

	health   cluster.Detector
	fo       *cluster.Failover // the failover in progress
	waitAZ   bool              // replacement waits for the volume's AZ
	pending  []*cluster.Call   // commits waiting for an unreachable standby
	ackTimer sim.Timer

	// credits are the CPU credit records of the roles a burstable
	// instance serves (credits.go); nodes is a scratch list of the hosts
	// with accounts.
	credits []*roleCredits
	nodes   []*node

	// archive is the automated backups (nil without Config.Backup);
	// restoring is the point-in-time restore under way.
	archive   *backup.Archive
	restoring *cluster.Failover

	onStart, onServed, onMirrored, onSuspend      func(any)
	onApplyStart, onApplied, onFlushed, onReplyOK func(any)
	onReplicaRead, onSemiTimeout, onIOReady       func(any)
}

// node is a host with its engine's vCPUs and its volume.
type node struct {
	m    *Model
	host *cluster.Host
	cpu  *sim.Station
	lsn  uint64        // durable log position on this node's volume
	rep  *replica      // the node's replica role, if it is a read replica or cluster standby
	far  time.Duration // extra one-way delay to clients: a replica in another Region
	// credits is the host's CPU credit account, for a burstable class
	// (nil otherwise).
	credits *cluster.CPUCredits
	// frozen ends a snapshot's I/O suspension; vol is the volume of an
	// instance restored from a snapshot, loading lazily (backup.go).
	frozen sim.Time
	vol    *backup.Volume
}

// New builds the deployment on the network, primary engine accepting, its
// replicas and standbys caught up (a replica is created from a snapshot
// and catches up before it serves, fact 2.1). It panics if cfg is invalid
// (see Config.Validate).
func New(k *sim.Kernel, net *cluster.Net, cfg Config, log *cluster.Log) *Model {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	m := &Model{k: k, topo: net.T, net: net, cfg: cfg, log: log, rng: k.Stream("rds/service")}
	m.health = cluster.Detector{Interval: cfg.DetectionInterval, Threshold: cfg.DetectionThreshold}
	m.onStart, m.onServed, m.onMirrored, m.onSuspend = m.start, m.served, m.mirrored, m.suspend
	m.onApplyStart, m.onApplied, m.onFlushed, m.onReplyOK = m.applyStart, m.applied, m.flushed, m.replyOK
	m.onReplicaRead, m.onSemiTimeout, m.onIOReady = m.replicaRead, m.semiTimeout, m.ioReady
	m.primary = m.newNode(cfg.AZ, cfg.Class)
	m.primary.host.SetAccepting(true)
	switch {
	case cfg.Cluster:
		m.clusterMode, m.semiSync = true, true
		for j, sc := range cfg.ClusterStandbys {
			m.standbys[j] = m.newReplica(fmt.Sprintf("standby-%d", j+1), -1, sc, true, nil)
			m.standbys[j].slot = j
		}
	case cfg.MultiAZ:
		m.standby = m.newNode(cfg.StandbyAZ, cfg.Class)
		m.inSync = true
	}
	for i, rc := range cfg.Replicas {
		m.replicas = append(m.replicas, m.newReplica(fmt.Sprintf("replica-%d", i+1), i, rc, false, nil))
	}
	m.setReaders()
	m.writer = cluster.NewRecord(k, "writer", cfg.DNSTTL, cfg.DNSPropagation, m.primary.host)
	m.eps = []*cluster.Record{m.writer}
	if len(m.readers) > 0 {
		m.reader = cluster.NewRecord(k, "reader", cfg.DNSTTL, cfg.DNSPropagation, m.readerHosts()...)
		m.eps = append(m.eps, m.reader)
		m.staleAge = sim.NewLatency()
		m.recent = cluster.NewRecentWrites[uint64](recentSlots)
		for _, r := range m.readers {
			r.n.host.SetAccepting(true)
			r.receiving = true
			m.attach(r)
		}
	}
	phase := k.Stream("rds/monitor")
	k.After(time.Duration(phase.Float64()*float64(cfg.DetectionInterval)), m.check)
	k.After(time.Duration(phase.Float64()*float64(cfg.CheckpointInterval)), m.checkpoint)
	net.T.WatchOutages(m.outage)
	m.startCredits()
	if cfg.Backup != nil {
		m.startBackups()
	}
	return m
}

func (m *Model) newNode(az cluster.AZ, class Class) *node {
	m.hosts++
	return m.newNamedNode(fmt.Sprintf("db-%d", m.hosts), az, class)
}

func (m *Model) newNamedNode(name string, az cluster.AZ, class Class) *node {
	h := cluster.NewHost(name, az)
	n := &node{m: m, host: h, cpu: sim.NewStation(m.k, class.VCPUs)}
	n.credits = cluster.NewCPUCredits(class, m.cfg.Credits, n.cpu, m.k.Now())
	h.Serve, h.Connect = n.serve, n.serve
	h.ReadOnly = func() bool { return n != m.primary }
	h.MaxConns = m.cfg.MaxConnections
	if h.MaxConns == 0 {
		h.MaxConns = cluster.DefaultMaxConnections(m.cfg.Engine, class.MemoryGiB)
	}
	return n
}

// Endpoints are the writer endpoint and, when the deployment has replicas
// or is a cluster, a reader endpoint at index 1. The writer endpoint is
// the instance (or cluster) endpoint: the primary serves reads and writes
// on it. For a Multi-AZ DB cluster the reader endpoint is RDS's, pointing
// at the standbys that are up. RDS has no reader endpoint for read
// replicas: there it stands for the application spreading its reads over
// the replicas' instance endpoints (one is picked at random per DNS
// lookup), each of which keeps pointing at its instance whatever state it
// is in.
func (m *Model) Endpoints() []*cluster.Record { return m.eps }

// Primary is the current primary's host.
func (m *Model) Primary() *cluster.Host { return m.primary.host }

func (m *Model) describe(n *node) string {
	return fmt.Sprintf("%s (%s)", n.host.Name, m.topo.Name(n.host.AZ))
}

// --- the request path ---

// serve is a call arriving at the node's host.
func (n *node) serve(c *cluster.Call) {
	m := n.m
	if n == m.primary {
		c.Node = n
		if m.archive != nil {
			m.admit(n, c)
			return
		}
		n.cpu.Acquire(m.onStart, c)
		return
	}
	r := n.rep
	if r == nil || r.promoted {
		m.net.Reply(c, cluster.Refused)
		return
	}
	if c.Op == cluster.Write {
		m.net.Reply(c, cluster.Failed) // a replica is read-only
		return
	}
	c.Node = n
	if n.far > 0 {
		m.k.AfterArg(n.far, m.onReplicaRead, c)
		return
	}
	n.cpu.Acquire(m.onStart, c)
}

// replicaRead is a read reaching a replica in another Region.
func (m *Model) replicaRead(a any) {
	c := a.(*cluster.Call)
	n := c.Node.(*node)
	if c.Epoch != n.host.Epoch() || !n.host.Accepting() {
		return // the replica went down while the read crossed Regions
	}
	n.cpu.Acquire(m.onStart, c)
}

func (m *Model) start(a any) {
	c := a.(*cluster.Call)
	d := m.cfg.Read
	if c.Op == cluster.Connect {
		d = m.cfg.Connect
	} else if c.Op == cluster.Write {
		d = m.cfg.Write
		if m.clusterMode {
			d = m.cfg.LocalWrite
		}
	} else if n := c.Node.(*node); n != m.primary && n.rep != nil {
		m.snapshot(c, n.rep)
	} else {
		c.LSN = m.lsn // the primary's snapshot has every write
	}
	x := d.Sample(m.rng)
	if a := c.Node.(*node).credits; a != nil && a.Speed() < 1 {
		x /= a.Speed() // held to its baseline: the vCPU runs a share of the time
	}
	m.k.AfterArg(sim.Seconds(x), m.onServed, c)
}

func (m *Model) served(a any) {
	c := a.(*cluster.Call)
	n := c.Node.(*node)
	if c.Epoch != n.host.Epoch() {
		return // the engine died while serving: no answer
	}
	n.cpu.Release()
	if c.Op == cluster.Connect {
		m.net.Reply(c, cluster.OK)
		return
	}
	if c.Op == cluster.Read {
		if n.far > 0 && n != m.primary {
			m.k.AfterArg(n.far, m.onReplyOK, c)
			return
		}
		m.net.Reply(c, cluster.OK)
		return
	}
	if n != m.primary {
		return // the node stopped being the primary while the write ran
	}
	m.lsn++
	c.LSN, n.lsn = m.lsn, m.lsn
	m.redo += m.cfg.RedoPerWrite
	switch {
	case m.clusterMode:
		m.clusterCommit(c)
	case m.standby == nil || !m.inSync:
		m.commit(c)
	default:
		m.mirror(c)
	}
}

func (m *Model) replyOK(a any) { m.net.Reply(a.(*cluster.Call), cluster.OK) }

// mirror sends a committed block to the standby; the commit is
// acknowledged when the standby's write is back.
func (m *Model) mirror(c *cluster.Call) {
	p, s := m.primary.host, m.standby.host
	if !m.topo.Reachable(p.AZ, s.AZ) || !s.Up() {
		m.stall(c)
		return
	}
	d := m.topo.RTT(p.AZ, s.AZ) + sim.Seconds(m.cfg.StandbyWrite.Sample(m.rng))
	c.Start = m.k.Now()
	m.k.AfterArg(d, m.onMirrored, c)
}

func (m *Model) mirrored(a any) {
	c := a.(*cluster.Call)
	if c.Node.(*node) != m.primary || c.Epoch != m.primary.host.Epoch() {
		return // the primary died before the acknowledgement came back
	}
	s := m.standby
	if !m.inSync || s == nil {
		m.commit(c)
		return
	}
	if !m.topo.Reachable(m.primary.host.AZ, s.host.AZ) || !s.host.Up() {
		m.stall(c)
		return
	}
	if c.LSN > s.lsn {
		s.lsn = c.LSN
	}
	m.commit(c)
}

// stall parks a commit until the standby answers or AckTimeout passes.
func (m *Model) stall(c *cluster.Call) {
	m.pending = append(m.pending, c)
	if !m.k.Scheduled(m.ackTimer) {
		m.ackTimer = m.k.AfterArg(m.cfg.AckTimeout, m.onSuspend, nil)
	}
}

// suspend gives up on the standby: replication is suspended and the
// parked commits complete without it. The standby is no longer a failover
// target until it has re-synchronised.
func (m *Model) suspend(any) {
	if !m.inSync {
		return
	}
	m.inSync = false
	m.log.Addf("standby %s unreachable for %v: replication suspended, %d stalled commits complete without it",
		m.describe(m.standby), m.cfg.AckTimeout, len(m.pending))
	for _, c := range m.pending {
		if c.Epoch == m.primary.host.Epoch() && c.Node.(*node) == m.primary {
			m.commit(c)
		}
	}
	m.pending = m.pending[:0]
}

// commit acknowledges a write to its client. In the single-AZ and Multi-AZ
// instance deployments the write is durable now, so it is shipped to the
// replicas; a cluster ships it at once (clusterCommit).
func (m *Model) commit(c *cluster.Call) {
	m.acks.Ack(c.LSN)
	m.countAck(c.LSN)
	if m.archive != nil {
		m.archive.Wrote()
	}
	m.remember(c)
	if !m.clusterMode {
		m.makeDurable(c.LSN)
	}
	m.trim()
	m.net.Reply(c, cluster.OK)
}

// countAck classifies the acknowledgement of the write at lsn: replicated
// if a copy that can take over as writer had it at that moment (the
// in-sync Multi-AZ standby, which had mirrored it; a cluster standby that
// had flushed it), unreplicated otherwise. Read replicas do not count:
// they are sent a write only once it is acknowledged (in a cluster, once
// it is durable on the writer, so only commits completing after a
// fallback can be on one), and they never take over automatically. In a
// deployment that normally replicates, the narrative says when
// acknowledgements start and stop being unreplicated.
func (m *Model) countAck(lsn uint64) {
	if m.copied(lsn) {
		m.syncAcked = max(m.syncAcked, lsn)
		if m.alone {
			m.alone = false
			m.log.Addf("acknowledged writes have a standby's copy again (%d acknowledged without one so far)", m.unreplicated)
		}
		return
	}
	m.unreplicated++
	if !m.alone && (m.standby != nil || m.clusterMode) {
		m.alone = true
		m.log.Addf("writes are acknowledged with no other copy: a failover now would lose them")
	}
}

// copied reports whether a copy that can take over as writer has the
// write at lsn.
func (m *Model) copied(lsn uint64) bool {
	if s := m.standby; s != nil && m.inSync && s.lsn >= lsn {
		return true
	}
	if m.clusterMode {
		for _, s := range m.standbys {
			if !s.orphan && !s.promoted && s.flushed >= lsn {
				return true
			}
		}
	}
	return false
}

// UnreplicatedAcks counts the writes acknowledged to a client, over the
// whole run, that no other copy which can take over as writer had at that
// moment: every acknowledgement of a single-AZ instance, those of a
// Multi-AZ instance while its mirror is suspended, and those of a cluster
// whose semi-synchronous replication has fallen back to asynchronous. A
// failover can lose only these: LostWrites summed over the failovers the
// system ran (not a read replica promotion a user requested) never
// exceeds it.
func (m *Model) UnreplicatedAcks() int64 { return m.unreplicated }

// trim lets the AckLog forget the acknowledged writes every node that
// could become the writer has: the in-sync standby, and every read replica
// or cluster standby whose host is up (a replica that is down cannot be
// promoted, and one that restarts is not a candidate again until it has
// caught up past the point trimmed meanwhile, so the log's memory stays
// bounded by the slowest live candidate's un-received tail).
func (m *Model) trim() {
	f := m.lsn
	if m.standby != nil && m.inSync && m.standby.lsn < f {
		f = m.standby.lsn
	}
	for _, r := range m.readers {
		if r.orphan || r.promoted || !r.n.host.Up() {
			continue
		}
		p := r.recv
		if r.standby {
			p = r.flushed // what survives a crash of the standby
		}
		if r.resync {
			p = r.pin
		}
		if p < f {
			f = p
		}
	}
	if f > m.trimmed {
		m.trimmed = f
		m.acks.Trim(f)
	}
}

// --- health, checkpoints, re-synchronisation ---

// check is one health check of the primary by the control plane.
func (m *Model) check() {
	m.k.After(m.cfg.DetectionInterval, m.check)
	m.maybeResync()
	m.tick()
	if m.fo != nil && m.fo.Detected != cluster.Never {
		return // failover under way
	}
	if !m.health.Check(m.primary.host.Accepting() && m.topo.Up(m.primary.host.AZ)) {
		return
	}
	if m.fo == nil {
		m.fo = m.log.StartFailover("primary unhealthy")
	}
	m.detected(m.health.Why())
}

func (m *Model) checkpoint() {
	m.k.After(m.cfg.CheckpointInterval, m.checkpoint)
	if m.primary.host.Accepting() {
		m.redo = 0
	}
}

// maybeResync starts copying to an out-of-sync standby once it is up and
// reachable; it is in sync when it has caught up with the primary.
func (m *Model) maybeResync() {
	s := m.standby
	if s == nil || m.inSync || m.resyncing || m.fo != nil || !s.host.Up() || !m.primary.host.Accepting() ||
		!m.topo.Reachable(m.primary.host.AZ, s.host.AZ) {
		return
	}
	m.resyncing = true
	behind := int64(m.lsn-s.lsn) * m.cfg.RedoPerWrite
	d := sim.Seconds(float64(behind)/m.cfg.RedoRate) + m.topo.RTT(m.primary.host.AZ, s.host.AZ)
	m.k.After(d, func() {
		m.resyncing = false
		if m.standby != s || !s.host.Up() || !m.primary.host.Accepting() || !m.topo.Reachable(m.primary.host.AZ, s.host.AZ) {
			return
		}
		s.lsn = m.lsn
		m.inSync = true
		m.log.Addf("standby %s in sync again", m.describe(s))
	})
}

// --- faults ---

// FailInstance crashes a host ("instance failure": the host stops
// answering). The target is "primary" (or "writer"); "standby" (the
// instance deployment's standby, or a cluster's first standby);
// "standby-1" or "standby-2" (a cluster's standbys); or "replica-N" (read
// replica N, counted from 1; see FailReplica).
func (m *Model) FailInstance(target string) {
	if target == "standby" && m.clusterMode {
		target = "standby-1"
	}
	var i int
	if _, err := fmt.Sscanf(target, "replica-%d", &i); err == nil {
		m.FailReplica(i - 1)
		return
	}
	if _, err := fmt.Sscanf(target, "standby-%d", &i); err == nil {
		m.failStandby(i - 1)
		return
	}
	if target == "standby" {
		if m.standby == nil || !m.standby.host.Up() {
			return
		}
		m.crash(m.standby)
		m.inSync = false
		m.log.Addf("standby %s failed; RDS replaces it", m.describe(m.standby))
		m.replaceStandby()
		return
	}
	if !m.primary.host.Up() || m.fo != nil {
		return
	}
	m.crash(m.primary)
	m.fo = m.log.StartFailover("instance failure")
	m.log.Addf("primary %s failed", m.describe(m.primary))
}

// RebootWithFailover is the user's "reboot with failover": a planned
// failover that needs no detection and replays no redo (the engine shuts
// down cleanly with a checkpoint).
func (m *Model) RebootWithFailover() {
	if m.clusterMode {
		m.clusterSwitchover("reboot with failover")
		return
	}
	if m.standby == nil || m.fo != nil || !m.primary.host.Accepting() {
		return
	}
	m.fo = m.log.StartFailover("reboot with failover")
	m.log.Addf("reboot with failover of %s requested; the engine shuts down cleanly", m.describe(m.primary))
	m.redo = 0
	old := m.primary
	old.host.Restart()
	old.cpu.Clear()
	m.detected("failover requested by the user")
}

func (m *Model) crash(n *node) {
	n.host.Crash()
	n.cpu.Clear()
	if n == m.primary {
		m.dropPending()
	}
}

// dropPending forgets the commits the primary was waiting to acknowledge:
// it died or stopped being the primary before they committed.
func (m *Model) dropPending() {
	m.pending = m.pending[:0]
	m.k.Cancel(m.ackTimer)
	m.waitQ.reset()
	m.k.Cancel(m.semiTimer)
}

// outage reacts to an AZ going down or coming back.
func (m *Model) outage(az cluster.AZ, down bool) {
	name := m.topo.Name(az)
	if down {
		if m.primary.host.AZ == az && m.primary.host.Up() && m.fo == nil {
			m.crash(m.primary)
			m.fo = m.log.StartFailover("AZ outage")
			m.log.Addf("%s down: primary %s lost", name, m.describe(m.primary))
		}
		if s := m.standby; s != nil && s.host.AZ == az && s.host.Up() {
			m.crash(s)
			m.inSync = false
			m.log.Addf("%s down: standby %s lost", name, m.describe(s))
		}
		for _, r := range m.readers {
			if !r.promoted && r.n.host.AZ == az && r.n.host.Up() {
				m.log.Addf("%s down: %s lost", name, r.describe())
				m.crashReplica(r)
			}
		}
		return
	}
	for _, n := range []*node{m.primary, m.standby} {
		if n != nil && n.host.AZ == az && !n.host.Up() {
			n.host.Restart()
		}
	}
	for _, r := range m.readers {
		if !r.promoted && !r.failed && r.n.host.AZ == az && !r.n.host.Up() {
			m.restartReplica(r)
		}
	}
	if m.waitAZ && m.primary.host.AZ == az {
		m.waitAZ = false
		m.log.Addf("%s back: the volume can be attached again", name)
		m.afterFailover(m.cfg.ReplaceInstance, m.replaced)
	}
}

// --- failover ---

// afterFailover runs fn after d unless, meanwhile, the failover in
// progress has ended or a read replica promotion has taken it over.
func (m *Model) afterFailover(d time.Duration, fn func()) {
	fo := m.fo
	m.k.After(d, func() {
		if m.fo == fo && m.promoting == nil {
			fn()
		}
	})
}

func (m *Model) detected(why string) {
	m.fo.Detected = m.k.Now()
	m.log.Addf("failure detected (%s)", why)
	m.recoverWriter()
}

// recoverWriter starts the recovery of a failed writer: a failover to a
// standby, or a replacement of the instance.
func (m *Model) recoverWriter() {
	if m.clusterMode {
		m.afterFailover(m.cfg.ClusterPromotion, m.clusterPromote)
		return
	}
	s := m.standby
	if s != nil && m.inSync && s.host.Up() {
		m.afterFailover(m.cfg.Promotion, m.promote)
		return
	}
	m.replaceWriter()
}

// replaceWriter replaces the failed writer's host and re-attaches its
// volume.
func (m *Model) replaceWriter() {
	// No standby that has every commit: replace the instance and re-attach
	// its volume, which lives in the primary's AZ.
	if !m.topo.Up(m.primary.host.AZ) {
		m.waitAZ = true
		m.log.Addf("no standby to fail over to; the volume's AZ %s is down, so RDS waits for it", m.topo.Name(m.primary.host.AZ))
		return
	}
	m.log.Addf("no standby to fail over to: RDS replaces the instance (%v)", m.cfg.ReplaceInstance)
	m.afterFailover(m.cfg.ReplaceInstance, m.replaced)
}

func (m *Model) promote() {
	s, old := m.standby, m.primary
	if s == nil || !s.host.Up() {
		m.log.Addf("standby lost during promotion: RDS replaces the instance")
		m.afterFailover(m.cfg.ReplaceInstance, m.replaced)
		return
	}
	m.fo.Promoted = m.k.Now()
	m.fo.LostWrites = m.acks.Above(s.lsn)
	m.primary, m.standby = s, old
	m.inSync = false
	m.rebase(s.lsn)
	m.writer.Set(s.host)
	m.log.Addf("standby %s promoted; endpoint DNS record now points to it", m.describe(s))
	m.recover(s)
	if old.host.Up() {
		m.k.After(m.cfg.EngineStart, func() { m.log.Addf("old primary %s rebuilt as the new standby", m.describe(old)) })
	} else {
		m.replaceStandby()
	}
}

// replaced: a new host has the volume attached.
func (m *Model) replaced() {
	old := m.primary
	n := m.newNode(old.host.AZ, m.cfg.Class)
	n.lsn = old.lsn
	m.primary = n
	m.caughtUp, m.target, m.waitingFor = nil, nil, "" // a cluster stops waiting for a standby
	m.rebase(n.lsn)
	m.fo.Promoted, m.fo.Replaced = m.k.Now(), true
	m.writer.Set(n.host)
	m.log.Addf("replacement instance %s has the volume attached; endpoint DNS record now points to it", m.describe(n))
	m.recover(n)
}

// recover starts the engine on n and replays the redo since the last
// checkpoint, then accepts writes.
func (m *Model) recover(n *node) {
	redo := m.redo
	replay := sim.Seconds(float64(redo) / m.cfg.RedoRate)
	m.k.After(m.cfg.EngineStart+replay, func() {
		if m.primary != n || !n.host.Up() || m.promoting != nil {
			return
		}
		n.host.SetAccepting(true)
		m.ship()
		m.redo = 0
		m.health.Reset()
		m.fo.Accepting = m.k.Now()
		m.log.Addf("%s accepting writes after engine start (%v) and crash recovery of %.1f MB redo (%.1f s)",
			m.describe(n), m.cfg.EngineStart, float64(redo)/(1<<20), replay.Seconds())
		m.fo = nil
	})
}

// replaceStandby provisions a new standby host in the standby's AZ.
func (m *Model) replaceStandby() {
	old := m.standby
	m.k.After(m.cfg.ReplaceInstance, func() {
		if m.standby != old || old.host.Up() {
			return
		}
		if !m.topo.Up(old.host.AZ) {
			return // it comes back with the AZ
		}
		n := m.newNode(old.host.AZ, m.cfg.Class)
		m.standby = n
		m.log.Addf("new standby %s provisioned; re-synchronising", m.describe(n))
	})
}
