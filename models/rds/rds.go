// Package rds models an Amazon RDS database instance: a single instance, or
// a Multi-AZ instance deployment whose standby in another AZ holds a
// synchronous block-level mirror of the primary's volume.
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
// Defaults come from ../shared/reference/aws-facts.md; the fact id is cited
// next to each. Several (the split of a failover into its phases) are not
// published: they are chosen so that the total matches the published range
// and every one of them can be overridden in the scenario.
package rds

import (
	"fmt"
	"math/rand/v2"
	"time"

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
	// StandbyWrite is the standby volume's write before it acknowledges a
	// mirrored block, in seconds.
	StandbyWrite sim.Dist
	// AckTimeout is how long the primary waits for an unreachable standby
	// before it suspends replication and commits alone.
	AckTimeout time.Duration

	// DetectionInterval × DetectionThreshold failed health checks declare
	// the primary failed.
	DetectionInterval  time.Duration
	DetectionThreshold int
	// Promotion is the control plane's work between detection and the DNS
	// switch: fence the old primary, promote the standby's volume.
	Promotion time.Duration
	// EngineStart is the time to start the database engine on a host,
	// before crash recovery.
	EngineStart time.Duration
	// DNSTTL and DNSPropagation describe the instance endpoint's record.
	DNSTTL, DNSPropagation time.Duration
	// ReplaceInstance is the time to provision a new host and attach the
	// volume when no standby can take over.
	ReplaceInstance time.Duration

	// Crash recovery replays the redo written since the last checkpoint:
	// RedoPerWrite bytes per write, at RedoRate bytes per second.
	CheckpointInterval time.Duration
	RedoPerWrite       int64
	RedoRate           float64
}

// Defaults returns a db.r6g.large PostgreSQL instance in the first AZ,
// single-AZ, with the failover timings below.
func Defaults() Config {
	class, _ := LookupClass("db.r6g.large")
	read, _ := sim.LogNormalP50P99(0.4e-3, 3e-3)  // illustrative (DESIGN.md); AUR17 §6.2 (fact 3.33) reports P50 ≈ 1 ms for MySQL
	write, _ := sim.LogNormalP50P99(0.8e-3, 6e-3) // as read
	standby, _ := sim.LogNormalP50P99(1e-3, 4e-3) // fact 1.8: magnitude unpublished; with a 1 ms cross-AZ RTT this adds ~2 ms per write, the low end of the 2–5 ms reported there
	return Config{
		Engine: "postgres", Class: class, AZ: 0, StandbyAZ: 1,
		StorageBytes: 100 << 30,
		Read:         read, Write: write, StandbyWrite: standby,
		AckTimeout:         5 * time.Second,  // not published; a few seconds of stalled commits before the mirror is suspended
		DetectionInterval:  5 * time.Second,  // fact 1.4(a): no published number
		DetectionThreshold: 3,                // fact 1.4(a)
		Promotion:          40 * time.Second, // fact 1.4(b) unpublished; chosen so the total falls in fact 1.3's 60–120 s
		EngineStart:        15 * time.Second, // fact 1.4(b): "the DB software is started on the standby"
		DNSTTL:             5 * time.Second,  // fact 1.5 (commonly reported for RDS endpoints)
		DNSPropagation:     20 * time.Second, // fact 1.6: "typically less than 30 s", flapping for 20–30 s
		ReplaceInstance:    6 * time.Minute,  // no RDS figure; fact 3.21 gives < 10 min for recreating an Aurora writer
		CheckpointInterval: 5 * time.Minute,  // PostgreSQL's default checkpoint_timeout (not in aws-facts)
		RedoPerWrite:       2 << 10,          // WAL per small write incl. page images (not in aws-facts)
		RedoRate:           20 << 20,         // redo replay rate in bytes/s (not in aws-facts; calibrate)
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

	writer           *cluster.Record
	primary, standby *node
	inSync           bool // the standby mirrors every commit
	resyncing        bool
	lsn              uint64 // last log position written on the primary
	acks             cluster.AckLog
	redo             int64 // redo bytes since the last checkpoint
	hosts            int

	failedChecks int
	fo           *cluster.Failover // the failover in progress
	waitAZ       bool              // replacement waits for the volume's AZ
	pending      []*cluster.Call   // commits waiting for an unreachable standby
	ackTimer     sim.Timer

	onStart, onServed, onMirrored, onSuspend func(any)
}

type node struct {
	host *cluster.Host
	cpu  *sim.Station
	lsn  uint64 // durable log position on this node's volume
}

// New builds the deployment on the network, primary engine accepting.
func New(k *sim.Kernel, net *cluster.Net, cfg Config, log *cluster.Log) *Model {
	m := &Model{k: k, topo: net.T, net: net, cfg: cfg, log: log, rng: k.Stream("rds/service")}
	m.onStart, m.onServed, m.onMirrored, m.onSuspend = m.start, m.served, m.mirrored, m.suspend
	m.primary = m.newNode(cfg.AZ)
	m.primary.host.SetAccepting(true)
	if cfg.MultiAZ {
		m.standby = m.newNode(cfg.StandbyAZ)
		m.inSync = true
	}
	m.writer = cluster.NewRecord(k, "writer", cfg.DNSTTL, cfg.DNSPropagation, m.primary.host)
	phase := k.Stream("rds/monitor")
	k.After(time.Duration(phase.Float64()*float64(cfg.DetectionInterval)), m.check)
	k.After(time.Duration(phase.Float64()*float64(cfg.CheckpointInterval)), m.checkpoint)
	net.T.WatchOutages(m.outage)
	return m
}

func (m *Model) newNode(az cluster.AZ) *node {
	m.hosts++
	h := cluster.NewHost(fmt.Sprintf("db-%d", m.hosts), az)
	h.Serve = m.serve
	return &node{host: h, cpu: sim.NewStation(m.k, m.cfg.Class.VCPUs)}
}

// Endpoints is the writer endpoint: RDS instances serve reads and writes
// on one endpoint.
func (m *Model) Endpoints() []*cluster.Record { return []*cluster.Record{m.writer} }

// Primary is the current primary's host.
func (m *Model) Primary() *cluster.Host { return m.primary.host }

func (m *Model) describe(n *node) string {
	return fmt.Sprintf("%s (%s)", n.host.Name, m.topo.Name(n.host.AZ))
}

// --- the request path ---

func (m *Model) serve(c *cluster.Call) {
	n := m.primary
	if c.Host != n.host {
		m.net.Reply(c, cluster.Refused)
		return
	}
	c.Node = n
	n.cpu.Acquire(m.onStart, c)
}

func (m *Model) start(a any) {
	c := a.(*cluster.Call)
	d := m.cfg.Read
	if c.Op == cluster.Write {
		d = m.cfg.Write
	}
	m.k.AfterArg(sim.Seconds(d.Sample(m.rng)), m.onServed, c)
}

func (m *Model) served(a any) {
	c := a.(*cluster.Call)
	n := c.Node.(*node)
	if c.Epoch != n.host.Epoch() {
		return // the engine died while serving: no answer
	}
	n.cpu.Release()
	if c.Op == cluster.Read {
		m.net.Reply(c, cluster.OK)
		return
	}
	m.lsn++
	c.LSN, n.lsn = m.lsn, m.lsn
	m.redo += m.cfg.RedoPerWrite
	if m.standby == nil || !m.inSync {
		m.commit(c)
		return
	}
	m.mirror(c)
}

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

func (m *Model) commit(c *cluster.Call) {
	m.acks.Ack(c.LSN)
	safe := m.lsn
	if m.standby != nil && m.inSync {
		safe = m.standby.lsn
	}
	m.acks.Trim(safe)
	m.net.Reply(c, cluster.OK)
}

// --- health, checkpoints, re-synchronisation ---

// check is one health check of the primary by the control plane.
func (m *Model) check() {
	m.k.After(m.cfg.DetectionInterval, m.check)
	m.maybeResync()
	if m.fo != nil && m.fo.Detected != cluster.Never {
		return // failover under way
	}
	if m.primary.host.Accepting() && m.topo.Up(m.primary.host.AZ) {
		m.failedChecks = 0
		return
	}
	m.failedChecks++
	if m.failedChecks < m.cfg.DetectionThreshold {
		return
	}
	if m.fo == nil {
		m.fo = m.log.StartFailover("primary unhealthy")
	}
	m.detected(fmt.Sprintf("%d health checks failed, %v apart", m.failedChecks, m.cfg.DetectionInterval))
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

// FailInstance crashes the primary or the standby host ("instance
// failure": the host stops answering).
func (m *Model) FailInstance(target string) {
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
		m.pending = m.pending[:0]
		m.k.Cancel(m.ackTimer)
	}
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
		return
	}
	for _, n := range []*node{m.primary, m.standby} {
		if n != nil && n.host.AZ == az && !n.host.Up() {
			n.host.Restart()
		}
	}
	if m.waitAZ && m.primary.host.AZ == az {
		m.waitAZ = false
		m.log.Addf("%s back: the volume can be attached again", name)
		m.k.After(m.cfg.ReplaceInstance, m.replaced)
	}
}

// --- failover ---

func (m *Model) detected(why string) {
	m.fo.Detected = m.k.Now()
	m.log.Addf("failure detected (%s)", why)
	s := m.standby
	if s != nil && m.inSync && s.host.Up() {
		m.k.After(m.cfg.Promotion, m.promote)
		return
	}
	// No standby that has every commit: replace the instance and re-attach
	// its volume, which lives in the primary's AZ.
	if !m.topo.Up(m.primary.host.AZ) {
		m.waitAZ = true
		m.log.Addf("no standby to fail over to; the volume's AZ %s is down, so RDS waits for it", m.topo.Name(m.primary.host.AZ))
		return
	}
	m.log.Addf("no standby to fail over to: RDS replaces the instance (%v)", m.cfg.ReplaceInstance)
	m.k.After(m.cfg.ReplaceInstance, m.replaced)
}

func (m *Model) promote() {
	s, old := m.standby, m.primary
	if s == nil || !s.host.Up() {
		m.log.Addf("standby lost during promotion: RDS replaces the instance")
		m.k.After(m.cfg.ReplaceInstance, m.replaced)
		return
	}
	m.fo.Promoted = m.k.Now()
	m.fo.LostWrites = m.acks.Above(s.lsn)
	m.primary, m.standby = s, old
	m.inSync = false
	m.lsn = s.lsn
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
	n := m.newNode(old.host.AZ)
	n.lsn = old.lsn
	m.primary = n
	m.fo.Promoted = m.k.Now()
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
		if m.primary != n || !n.host.Up() {
			return
		}
		n.host.SetAccepting(true)
		m.redo = 0
		m.failedChecks = 0
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
		n := m.newNode(old.host.AZ)
		m.standby = n
		m.log.Addf("new standby %s provisioned; re-synchronising", m.describe(n))
	})
}
