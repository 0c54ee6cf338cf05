// Package aurora models an Amazon Aurora cluster: a writer instance and up
// to 15 Aurora replicas over one shared, quorum-replicated cluster volume,
// optionally with Serverless v2 capacity.
//
// Each behaviour comes from its mechanism:
//
//   - The volume is cut into 10 GB protection groups (PGs), each stored as
//     six segments, two in each of three AZs, on storage nodes. A write's
//     redo record goes to the six segments of its PG; each storage node
//     acknowledges after the network round trip and its own persist time,
//     and the record is durable at the fourth acknowledgement. Write latency
//     is therefore an order statistic, and one or two slow nodes are hidden.
//   - Commits are asynchronous: the worker does not wait; a commit is
//     acknowledged when the volume durable LSN (VDL, the highest LSN below
//     which every record is durable) passes it. A PG that cannot reach four
//     segments stalls the VDL, and so every later commit, until it can;
//     the LSN allocation limit stops new writes when the VDL falls too far
//     behind.
//   - A failed storage node's segments are re-replicated onto new nodes in
//     the same AZ at a copy rate (10 GB in about 10 s), from the surviving
//     peers, which needs a read quorum (3 of 6).
//   - Replicas read the shared volume; the writer streams committed redo to
//     them and each applies it in LSN order, so a record that is slow to
//     arrive holds back the ones behind it: lag is milliseconds and grows
//     slowly with the write rate, with no throughput ceiling.
//   - Failover: health checks detect a lost writer, the replica with the
//     best promotion tier (then the largest) restarts as the writer and
//     opens the volume (a read quorum per PG; no redo replay, because the
//     storage applies redo continuously), and the cluster endpoint's DNS
//     record moves. Without a replica the writer is recreated, in minutes.
//   - Serverless v2 resizes an instance in 0.5-ACU steps, faster at higher
//     capacity, following its CPU utilisation; with a minimum of 0 ACU it
//     pauses when idle and resumes, in about 15 s, on the next request.
//
// Defaults come from the project's list of published AWS facts; the fact id is cited
// next to each. Several are not published: they are stated as such, chosen
// to fit the published ranges, and every one can be overridden.
package aurora

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"dbsim/models/backup"
	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/sim"
)

// GB is 2^30 bytes (dbsim's sizes are binary, as AWS capacity units are).
const GB = int64(1) << 30

// Config is an Aurora cluster.
type Config struct {
	Engine string
	// Class is the writer's instance class; AZ the writer's AZ.
	Class Class
	AZ    cluster.AZ
	// Replicas are the Aurora replicas (at most 15, fact 3.17).
	Replicas []Replica

	// VolumeBytes is the data in the cluster volume; it sets the number of
	// protection groups.
	VolumeBytes int64

	// Read and Write are service times on one vCPU, in seconds.
	Read, Write sim.Dist
	// Connect is the CPU time of a new connection's startup on one vCPU,
	// in seconds.
	Connect sim.Dist
	// MaxConnections bounds each instance's open connections (0: the
	// engine's default for the instance's memory, or for the maximum
	// capacity's memory on Serverless v2; cluster.DefaultMaxConnections).
	MaxConnections int
	// MissRatio is the fraction of reads that miss the instance's buffer
	// cache and read a page from one storage segment.
	MissRatio float64

	Storage     Storage
	Replication Replication

	// DetectionInterval × DetectionThreshold failed health checks declare
	// the writer failed.
	DetectionInterval  time.Duration
	DetectionThreshold int
	// Promotion is the control plane's work between detection and the
	// target's restart as writer.
	Promotion time.Duration
	// EngineStart is the time to (re)start the database engine on an
	// instance, before it opens the volume.
	EngineStart time.Duration
	// ReplaceInstance is the time to provision a new instance: the
	// recreated writer when no replica can take over, or a replacement for
	// a failed replica.
	ReplaceInstance time.Duration
	// RestartReaders restarts every reader, not only the promoted one,
	// when a replica is promoted: Neptune reboots its replicas in a
	// failover (fact 3.44), where Aurora restarts only the old writer
	// and the new one (fact 3.23).
	RestartReaders bool
	// ClusterTTL and ReaderTTL are the DNS TTLs of the cluster (writer) and
	// reader endpoints; DNSPropagation is how long a change takes to reach
	// every resolver.
	ClusterTTL, ReaderTTL, DNSPropagation time.Duration

	// Serverless, when set, makes every instance a Serverless v2 instance
	// whose capacity follows its load (Class is then ignored).
	Serverless *Serverless

	// Global, when set, makes the cluster the primary of an Aurora Global
	// Database (global.go).
	Global *Global
	// Backup, when set, keeps the continuous backup a data loss is
	// restored from (backup.go; Aurora uses its retention, log upload
	// lag and provisioning time). nil: no backups are simulated.
	Backup *backup.Config
}

// Replica is one Aurora replica.
type Replica struct {
	AZ cluster.AZ
	// Tier is the promotion priority, 0 (first) to 15 (fact 3.22).
	Tier int
	// Class is the replica's instance class; the zero Class means the
	// writer's.
	Class Class
}

// Storage is the cluster volume's storage fleet.
type Storage struct {
	// AZs are the three AZs that hold two segments each of every PG.
	AZs [3]cluster.AZ
	// NodesPerAZ is the number of storage nodes per AZ that hold this
	// volume's segments. 0 gives every segment its own node (a large fleet,
	// where two segments of one volume rarely share a node); a small number
	// makes PGs share nodes, so one node failure touches several PGs.
	NodesPerAZ int
	// PGBytes is the size of a protection group's segment.
	PGBytes int64
	// WriteQuorum and ReadQuorum are Vw and Vr of the 6 segments.
	WriteQuorum, ReadQuorum int
	// NodeLatency is a storage node's time to persist a redo record before
	// it acknowledges (on top of the network round trip), in seconds. Each
	// node can have its own (Model.SetNodeLatency) or be slowed down
	// (Model.SlowStorageNode).
	NodeLatency sim.Dist
	// ReadLatency is a storage node's time to serve a page, in seconds.
	ReadLatency sim.Dist
	// RepairDetect is the time from a node's failure to the start of the
	// re-replication of its segments; a repair that cannot start (its AZ is
	// down, or no read quorum is left to copy from) is retried as often.
	RepairDetect time.Duration
	// RepairRate is the re-replication rate of a segment onto a new node,
	// in bytes per second; 0 disables repair (failed nodes only return).
	RepairRate float64
	// LAL is the LSN allocation limit: no new write gets an LSN while the
	// newest LSN is LAL or more above the VDL.
	LAL uint64
	// MTTF and MTTR, when MTTF > 0, make every storage node fail at random
	// (exponential times, mean MTTF) and come back after an exponential
	// time of mean MTTR, unless its segments were repaired elsewhere first.
	MTTF, MTTR time.Duration
}

// Replication is the redo stream from the writer to the replicas.
type Replication struct {
	// Ship is the time from a commit on the writer to the arrival of its
	// redo at a replica, beyond the network's one-way delay, in seconds: the
	// writer's stream sender and the replica's receiver. A replica applies
	// records in LSN order, so a slow delivery delays the records behind it.
	Ship sim.Dist
	// ApplyPerRecord is a replica's time to apply one record to its cache.
	ApplyPerRecord time.Duration
}

// Defaults returns a db.r6g.large Aurora PostgreSQL writer in the first AZ
// with no replicas and a 100 GB volume.
func Defaults() Config {
	class, _ := LookupClass("db.r6g.large")
	read, _ := sim.LogNormalP50P99(0.4e-3, 3e-3)    // as the rds model: illustrative, not published; fact 3.33 reports P50 ≈ 1 ms
	write, _ := sim.LogNormalP50P99(0.8e-3, 6e-3)   // as the rds model
	connect, _ := sim.LogNormalP50P99(1.5e-3, 5e-3) // as the rds model (not published)
	// Not published: a storage node's persist time. A storage node persists
	// a record on its local SSD (fact 3.9), where the rds model's standby
	// write (p50 1 ms, p99 4 ms, fact 1.8) is a write to a network-attached
	// EBS volume that is itself mirrored inside its AZ (AUR17 §3.1, fig. 2):
	// we take half of it, with the same spread.
	persist, _ := sim.LogNormalP50P99(0.5e-3, 2e-3)
	pageRead, _ := sim.LogNormalP50P99(0.5e-3, 2e-3) // not published: an SSD page read on a storage node
	// Not published: fitted so that the replica lag measured in
	// TestReplicaLagCalibration follows fact 3.19 (2.62 ms @1k writes/s …
	// 5.38 ms @10k) with a 1 ms cross-AZ RTT; the tail sets how fast lag
	// grows with the write rate (head-of-line blocking of in-order apply).
	ship, _ := sim.LogNormalP50P99(1.2e-3, 6.25e-3)
	return Config{
		Engine: "aurora-postgresql", Class: class, AZ: 0,
		VolumeBytes: 100 * GB,
		Read:        read, Write: write, Connect: connect,
		Storage: Storage{
			AZs:          [3]cluster.AZ{0, 1, 2}, // fact 3.1: 2 copies in each of 3 AZs
			PGBytes:      10 * GB,                // fact 3.3: 10 GB segments
			WriteQuorum:  4,                      // fact 3.1: Vw = 4
			ReadQuorum:   3,                      // fact 3.1: Vr = 3
			NodeLatency:  persist,
			ReadLatency:  pageRead,
			RepairDetect: 5 * time.Second, // not published; a storage health check's order of magnitude
			RepairRate:   float64(GB),     // fact 3.4: a 10 GB segment in ~10 s on a 10 Gbps link (1 GB/s)
			LAL:          10_000_000,      // fact 3.12: LSN allocation limit of 10 million
		},
		Replication: Replication{
			Ship:           ship,
			ApplyPerRecord: 2 * time.Microsecond, // not published; small, so apply never limits throughput (fact 3.29: 121k writes/s)
		},
		DetectionInterval:  5 * time.Second,  // not published (fact 3.26: the Host Manager monitors health)
		DetectionThreshold: 3,                // not published; as the rds model
		Promotion:          5 * time.Second,  // not published; with detection and restart the total stays in fact 3.21's "often < 30 s"
		EngineStart:        5 * time.Second,  // not published; fact 3.15: crash recovery < 10 s
		ReplaceInstance:    6 * time.Minute,  // fact 3.21: without a replica the writer is recreated in typically < 10 min
		ClusterTTL:         5 * time.Second,  // fact 3.24 / 1.5: Aurora DNS zone TTL 5 s
		ReaderTTL:          1 * time.Second,  // fact 3.24 / 1.5: read-only endpoint TTL 1 s
		DNSPropagation:     20 * time.Second, // fact 1.6 / 3.24: DNS update < 30 s, flapping 20–30 s
	}
}

// Validate checks the configuration against a topology of azs zones.
func (c Config) Validate(azs int) error {
	inAZ := func(a cluster.AZ) bool { return a >= 0 && int(a) < azs }
	switch {
	case !inAZ(c.AZ):
		return fmt.Errorf("aurora: writer AZ %d outside the topology's %d AZs", c.AZ, azs)
	case len(c.Replicas) > 15:
		return fmt.Errorf("aurora: %d replicas; Aurora allows at most 15 (fact 3.17)", len(c.Replicas))
	case c.Backup != nil && c.Backup.Validate() != nil:
		return fmt.Errorf("aurora: %w", c.Backup.Validate())
	case c.Serverless == nil && c.Class.VCPUs < 1:
		return fmt.Errorf("aurora: instance class %q has no vCPUs", c.Class.Name)
	case c.VolumeBytes < 0 || c.Storage.PGBytes <= 0:
		return fmt.Errorf("aurora: volume size and segment size must be positive")
	case c.Storage.WriteQuorum < 1 || c.Storage.WriteQuorum > Segments || c.Storage.ReadQuorum < 1 || c.Storage.ReadQuorum > Segments:
		return fmt.Errorf("aurora: quorums must be between 1 and %d", Segments)
	case c.Storage.NodeLatency == nil || c.Storage.ReadLatency == nil || c.Read == nil || c.Write == nil || c.Connect == nil || c.Replication.Ship == nil:
		return fmt.Errorf("aurora: a latency distribution is missing")
	case c.MaxConnections < 0:
		return fmt.Errorf("aurora: max connections %d is negative", c.MaxConnections)
	case c.MissRatio < 0 || c.MissRatio > 1:
		return fmt.Errorf("aurora: miss ratio %g outside [0, 1]", c.MissRatio)
	case c.DetectionInterval <= 0 || c.DetectionThreshold < 1:
		return fmt.Errorf("aurora: detection interval and threshold must be positive")
	}
	for i, a := range c.Storage.AZs {
		if !inAZ(a) {
			return fmt.Errorf("aurora: storage AZ %d (%d) outside the topology's %d AZs", i, a, azs)
		}
	}
	for i, r := range c.Replicas {
		if !inAZ(r.AZ) {
			return fmt.Errorf("aurora: replica %d AZ %d outside the topology", i+1, r.AZ)
		}
		if r.Tier < 0 || r.Tier > 15 {
			return fmt.Errorf("aurora: replica %d tier %d outside 0–15 (fact 3.22)", i+1, r.Tier)
		}
	}
	if g := c.Global; g != nil {
		if err := g.validate(azs); err != nil {
			return err
		}
	}
	if s := c.Serverless; s != nil {
		return s.validate()
	}
	return nil
}

// role is what an instance does in the cluster.
type role uint8

const (
	readerRole role = iota
	writerRole
)

// instance is a DB instance: the writer or an Aurora replica.
type instance struct {
	idx   int
	name  string
	host  *cluster.Host
	cpu   *sim.Station
	class Class
	tier  int
	role  role
	// waitAZ: the instance is down with its AZ and comes back with it.
	waitAZ  bool
	replace sim.Timer

	// Replica apply state: records committed on the writer and not yet
	// visible here, oldest first; visible times are non-decreasing.
	recs        []rec
	recHead     int
	lastVisible sim.Time
	lagSum      float64 // ns, records applied since the last gauge sample
	lagN        int64
	totLagSum   float64 // ns, every record applied since the stats were reset
	totLagN     int64
	totLagMax   time.Duration
	// A secondary Region's instance that could not be reached missed the
	// records from missedLSN, committed from missedFrom on (Never: none).
	missedFrom sim.Time
	missedLSN  uint64

	// Serverless state.
	acu          float64
	slow         float64 // service-time multiplier: servers / vCPU-equivalents
	paused       bool
	resuming     bool
	pausedAt     sim.Time
	lastActivity sim.Time
	parked       []*cluster.Call
}

// rec is a committed record on its way to a replica: its LSN, when it
// committed on the writer and when it becomes visible on the replica. A
// long backlog holds runs of records as one rec (push): then lsn and
// commit are the run's first, visible and sent its last, n its records.
type rec struct {
	lsn             uint64
	commit, visible sim.Time
	// For a secondary Region: when the record left the primary Region,
	// and how many of its records a client had the acknowledgement of.
	sent  sim.Time
	n     uint32
	acked uint32
}

// A backlog of more than coalesceAfter records keeps records committed
// within 1/coalesceSteps of its age of each other as one rec: a replica
// or a secondary Region that falls behind for hours then holds about
// coalesceSteps recs per doubling of its lag, not one per write, at the
// price of seeing a run's records become visible with its last one.
const (
	coalesceAfter = 4096
	coalesceSteps = 1024
)

// push adds r (one record) to in's backlog, or to the run at its tail.
func (in *instance) push(r rec) {
	r.n = 1
	if k := len(in.recs) - in.recHead; k >= coalesceAfter {
		tail := &in.recs[len(in.recs)-1]
		age := r.commit.Sub(in.recs[in.recHead].commit)
		if r.commit.Sub(tail.commit) < age/coalesceSteps && tail.n < math.MaxUint32 {
			tail.visible, tail.sent = r.visible, r.sent
			tail.n++
			tail.acked += r.acked
			return
		}
	}
	in.recs = append(in.recs, r)
}

// Model is a running Aurora cluster.
type Model struct {
	k    *sim.Kernel
	topo *cluster.Topology
	net  *cluster.Net
	cfg  Config
	log  *cluster.Log
	rng  *rand.Rand // service times, cache misses
	srng *rand.Rand // storage latencies
	lrng *rand.Rand // replica stream

	insts   []*instance
	writer  *instance
	cluster *cluster.Record // [0] the cluster (writer) endpoint
	reader  *cluster.Record // [1] the reader endpoint
	hosts   int

	// The write path.
	lsn      uint64   // newest LSN handed out
	vdl      uint64   // volume durable LSN
	inflight []*write // LSN order, not yet committed
	inHead   int
	lalWait  []*cluster.Call
	acks     cluster.AckLog
	free     []*write
	// recent remembers the last acknowledged writes of keys, by LSN, to
	// tell a stale read on a replica.
	recent *cluster.RecentWrites[uint64]

	st storage

	// Health checks run on a fixed grid (checkPhase + k·DetectionInterval)
	// while something is unhealthy; housekeeping runs every second while
	// writes are in flight. An idle, healthy cluster schedules nothing, so
	// a year of storage failures simulates quickly.
	checkPhase    time.Duration
	checkT, tickT sim.Timer

	health     cluster.Detector
	fo         *cluster.Failover
	waitVolume *instance // a writer waiting for a read quorum to open the volume
	// demoted is the writer a manual failover demoted while it waits for
	// its replica's promotion: healthy, so it takes writes again if that
	// replica is lost and no other can take over.
	demoted *instance

	// archive is the continuous backup (nil without Config.Backup);
	// restoring is the point-in-time restore under way.
	archive   *backup.Archive
	restoring *cluster.Failover

	onStart, onServed, onQuorum, onPageRead func(any)

	// Global Database state (global.go): the links to the secondary
	// Regions, the writes the RPO guard holds, and the acknowledged writes
	// a global failover lost.
	links      []*link
	guardWait  []*cluster.Call
	guardT     sim.Timer
	globalLost int64
}

// New builds the cluster on the network: the writer accepting, the
// replicas accepting reads. It panics if cfg.Validate fails for the
// network's topology (the scenario loader validates first).
func New(k *sim.Kernel, net *cluster.Net, cfg Config, log *cluster.Log) *Model {
	if err := cfg.Validate(net.T.AZs()); err != nil {
		panic(err)
	}
	m := &Model{k: k, topo: net.T, net: net, cfg: cfg, log: log,
		rng: k.Stream("aurora/service"), srng: k.Stream("aurora/storage"), lrng: k.Stream("aurora/replication"),
		recent: cluster.NewRecentWrites[uint64](recentSlots)}
	m.onStart, m.onServed, m.onQuorum, m.onPageRead = m.start, m.served, m.quorum, m.pageRead
	m.health = cluster.Detector{Interval: cfg.DetectionInterval, Threshold: cfg.DetectionThreshold}
	w := m.newInstance(cfg.AZ, cfg.Class, 0)
	w.role = writerRole
	m.writer = w
	for _, r := range cfg.Replicas {
		class := r.Class
		if class.VCPUs == 0 {
			class = cfg.Class
		}
		m.newInstance(r.AZ, class, r.Tier)
	}
	if g := cfg.Global; g != nil {
		for i, sc := range g.Secondaries {
			class := sc.Class
			if class.VCPUs == 0 {
				class = cfg.Class
			}
			m.newInstance(sc.AZ, class, 15).name = fmt.Sprintf("secondary-%d", i+1)
		}
	}
	for _, in := range m.insts {
		in.host.SetAccepting(true)
	}
	m.cluster = cluster.NewRecord(k, "cluster", cfg.ClusterTTL, cfg.DNSPropagation, w.host)
	m.reader = cluster.NewRecord(k, "reader", cfg.ReaderTTL, cfg.DNSPropagation, m.readerHosts()...)
	m.st.init(m)
	if cfg.Serverless != nil {
		m.initServerless()
	}
	m.checkPhase = time.Duration(k.Stream("aurora/monitor").Float64() * float64(cfg.DetectionInterval))
	if cfg.Backup != nil {
		m.archive = backup.NewArchive(*cfg.Backup)
	}
	net.T.WatchOutages(m.outage)
	return m
}

func (m *Model) newInstance(az cluster.AZ, class Class, tier int) *instance {
	in := &instance{idx: len(m.insts), class: class, tier: tier, slow: 1, missedFrom: cluster.Never}
	if in.idx == 0 {
		in.name = "writer"
	} else {
		in.name = fmt.Sprintf("replica-%d", in.idx)
	}
	in.cpu = sim.NewStation(m.k, class.VCPUs)
	m.insts = append(m.insts, in)
	m.newHost(in, az)
	return in
}

// newHost gives the instance a fresh machine in az, engine not accepting.
func (m *Model) newHost(in *instance, az cluster.AZ) {
	m.hosts++
	h := cluster.NewHost(fmt.Sprintf("aurora-%d", m.hosts), az)
	h.Serve = func(c *cluster.Call) { m.serve(in, c) }
	h.Connect = h.Serve
	h.ReadOnly = func() bool { return in.role != writerRole }
	h.MaxConns = m.maxConns(in.class)
	in.host = h
	in.cpu.Clear()
	in.resetApply()
}

// Endpoints are the cluster (writer) endpoint, index 0, and the reader
// endpoint, index 1, which spreads connections over the replicas (or points
// at the writer when there is none).
func (m *Model) Endpoints() []*cluster.Record { return []*cluster.Record{m.cluster, m.reader} }

// Writer is the current writer's host.
func (m *Model) Writer() *cluster.Host { return m.writer.host }

// WriterIndex is the index of the current writer: 0 for the original
// writer, i for replica i (in the order of Config.Replicas, from 1).
func (m *Model) WriterIndex() int { return m.writer.idx }

// Host is the host of instance i (0 = the original writer, i = replica i).
func (m *Model) Host(i int) *cluster.Host { return m.insts[i].host }

// VDL is the volume durable LSN: every write at or below it is durable.
func (m *Model) VDL() uint64 { return m.vdl }

func (m *Model) describe(in *instance) string {
	return fmt.Sprintf("%s %s (%s)", in.name, in.host.Name, m.topo.Name(in.host.AZ))
}

func (m *Model) readerHosts() []*cluster.Host {
	var hs []*cluster.Host
	for _, in := range m.insts {
		if in.role == readerRole && in.host.Accepting() && !m.remote(in) {
			hs = append(hs, in.host)
		}
	}
	if len(hs) == 0 {
		hs = append(hs, m.writer.host) // a reader endpoint with no replica reaches the writer
	}
	return hs
}

func (m *Model) refreshReaders() { m.reader.Set(m.readerHosts()...) }

// maxConns is an instance's connection limit: the configured one, or the
// engine's default for the class's memory (Serverless v2: for the maximum
// capacity's, 2 GiB per ACU, fact 4.1).
func (m *Model) maxConns(class Class) int {
	if m.cfg.MaxConnections > 0 {
		return m.cfg.MaxConnections
	}
	mem := class.MemoryGiB
	if sv := m.cfg.Serverless; sv != nil {
		mem = 2 * sv.MaxACU
	}
	return cluster.DefaultMaxConnections(m.cfg.Engine, mem)
}

// --- the request path ---

func (m *Model) serve(in *instance, c *cluster.Call) {
	if c.Host != in.host {
		m.net.Reply(c, cluster.Refused)
		return
	}
	if c.Op == cluster.Write && in.role != writerRole {
		m.net.Reply(c, cluster.Failed) // a read-only instance rejects writes
		return
	}
	in.lastActivity = m.k.Now()
	if in.paused {
		m.park(in, c)
		return
	}
	c.Node = in
	in.cpu.Acquire(m.onStart, c)
}

func (m *Model) start(a any) {
	c := a.(*cluster.Call)
	in := c.Node.(*instance)
	d := m.cfg.Read
	switch c.Op {
	case cluster.Write:
		d = m.cfg.Write
	case cluster.Connect:
		d = m.cfg.Connect
	}
	m.k.AfterArg(sim.Seconds(d.Sample(m.rng)*in.slow), m.onServed, c)
}

func (m *Model) served(a any) {
	c := a.(*cluster.Call)
	in := c.Node.(*instance)
	if c.Host != in.host || c.Epoch != in.host.Epoch() {
		return // the engine restarted while serving: no answer
	}
	in.cpu.Release()
	switch c.Op {
	case cluster.Write:
		m.issue(c)
		return
	case cluster.Connect:
		m.net.Reply(c, cluster.OK)
		return
	}
	if in.role == readerRole {
		c.Stale = m.stale(in, c)
	}
	if m.cfg.MissRatio > 0 && m.rng.Float64() < m.cfg.MissRatio {
		m.readPage(in, c)
		return
	}
	m.net.Reply(c, cluster.OK)
}

// readPage serves a buffer-cache miss from one up-to-date segment of the
// key's PG, the nearest (fact 3.14: no quorum read). With no segment
// reachable the read hangs and the client times out.
func (m *Model) readPage(in *instance, c *cluster.Call) {
	n := m.st.nearest(m.st.pgOf(c.Key), in.host.AZ)
	if n == nil {
		return
	}
	d := m.topo.RTT(in.host.AZ, n.az) + sim.Seconds(m.cfg.Storage.ReadLatency.Sample(m.srng)*n.slow)
	m.k.AfterArg(d, m.onPageRead, c)
}

func (m *Model) pageRead(a any) {
	c := a.(*cluster.Call)
	if in := c.Node.(*instance); c.Host != in.host || c.Epoch != in.host.Epoch() {
		return
	}
	m.net.Reply(c, cluster.OK)
}

// issue gives a served write its LSN and sends its redo record to the six
// segments of its PG; the commit is acknowledged later, when the VDL passes
// it (fact 3.13: the worker does not wait).
func (m *Model) issue(c *cluster.Call) {
	if m.guardBlocks() {
		m.hold(c) // the RPO guard (fact 3.38)
		return
	}
	if m.lsn-m.vdl >= m.cfg.Storage.LAL {
		m.lalWait = append(m.lalWait, c) // back-pressure (fact 3.12)
		return
	}
	m.lsn++
	m.armTick()
	w := m.newWrite()
	w.c, w.lsn = c, m.lsn
	c.LSN = m.lsn
	m.inflight = append(m.inflight, w)
	m.st.send(w, m.st.pgOf(c.Key), m.writer.host.AZ)
}

// advance moves the VDL over every durable write at its head and commits
// them in LSN order.
func (m *Model) advance() {
	now := m.k.Now()
	for m.inHead < len(m.inflight) && m.inflight[m.inHead].durable {
		w := m.inflight[m.inHead]
		m.inflight[m.inHead] = nil
		m.inHead++
		m.vdl = w.lsn
		m.commit(w, now)
	}
	m.compactInflight()
	for len(m.lalWait) > 0 && m.lsn-m.vdl < m.cfg.Storage.LAL {
		c := m.lalWait[0]
		m.lalWait[0] = nil
		m.lalWait = m.lalWait[1:]
		if c.Epoch == m.writer.host.Epoch() && c.Host == m.writer.host {
			m.issue(c)
		}
	}
}

func (m *Model) compactInflight() {
	if m.inHead == len(m.inflight) {
		m.inflight, m.inHead = m.inflight[:0], 0
	} else if m.inHead > 1024 && m.inHead*2 > len(m.inflight) {
		n := copy(m.inflight, m.inflight[m.inHead:])
		clear(m.inflight[n:])
		m.inflight, m.inHead = m.inflight[:n], 0
	}
}

func (m *Model) commit(w *write, now sim.Time) {
	c := w.c
	w.c = nil
	w.committed = true
	if c != nil && c.Host == m.writer.host && c.Epoch == m.writer.host.Epoch() {
		w.acked = true
		m.acks.Ack(w.lsn)
		if m.archive != nil {
			m.archive.Wrote()
		}
		m.remember(c, w.lsn, now)
		m.net.Reply(c, cluster.OK)
	}
	m.feed(w.lsn, now, w.acked)
	m.st.settle(w)
}

// --- the replica stream ---

// feed hands one committed record to every replica. Its redo reaches the
// replica after the network's one-way delay plus the stream's own delay;
// the replica applies records in LSN order, one after the other. A
// secondary Region's instance gets it over the Global Database's link
// (feedRemote).
func (m *Model) feed(lsn uint64, now sim.Time, acked bool) {
	waz := m.writer.host.AZ
	for _, in := range m.insts {
		if in.role == readerRole && m.cfg.Global != nil && m.remote(in) {
			m.feedRemote(in, lsn, now, acked)
			continue
		}
		if in.role != readerRole || !in.host.Accepting() || in.paused {
			continue
		}
		arrive := now.Add(m.topo.OneWay(waz, in.host.AZ) + sim.Seconds(m.cfg.Replication.Ship.Sample(m.lrng)))
		v := max(in.lastVisible, arrive).Add(m.cfg.Replication.ApplyPerRecord)
		in.lastVisible = v
		in.push(rec{lsn: lsn, commit: now, visible: v})
	}
}

// catchUp retires the records visible by now and accounts for their lag.
func (in *instance) catchUp(now sim.Time) {
	for in.recHead < len(in.recs) && in.recs[in.recHead].visible <= now {
		r := in.recs[in.recHead]
		in.recHead++
		lag := r.visible.Sub(r.commit)
		in.lagSum += float64(lag) * float64(r.n)
		in.lagN += int64(r.n)
		in.totLagSum += float64(lag) * float64(r.n)
		in.totLagN += int64(r.n)
		in.totLagMax = max(in.totLagMax, lag)
	}
	if in.recHead == len(in.recs) {
		in.recs, in.recHead = in.recs[:0], 0
	} else if in.recHead > 1024 && in.recHead*2 > len(in.recs) {
		n := copy(in.recs, in.recs[in.recHead:])
		in.recs, in.recHead = in.recs[:n], 0
	}
}

func (in *instance) resetApply() {
	in.recs, in.recHead = in.recs[:0], 0
	in.lastVisible = 0
}

// recentSlots is the number of keys whose last writes the model
// remembers (cluster.RecentWrites, 1.3 MB): a key is remembered for about
// 1.6 s at 10,000 writes/s over many keys, hundreds of times a replica's
// lag of milliseconds (fact 3.18), so hardly a stale read is missed.
const recentSlots = 1 << 14

// remember records a write at lsn acknowledged now: its acknowledgement
// reaches the client one network trip later (if the network lets it, as
// cluster.Net.Reply does).
func (m *Model) remember(c *cluster.Call, lsn uint64, now sim.Time) {
	w := m.writer.host.AZ
	if m.topo.Reachable(w, c.From) {
		m.recent.Add(c.Key, now.Add(m.topo.OneWay(w, c.From)), lsn)
	}
}

// stale reports whether a read served now by replica in misses the newest
// write of its key whose acknowledgement reached a client before the read
// was sent (DynamoDB's reference; writes of other keys do not matter).
// The replica has every record before its oldest one not yet visible (it
// reads the shared volume: what was committed while it was down is there
// when it comes back). The count is a lower bound if keys are forgotten
// (cluster.RecentWrites), never high.
func (m *Model) stale(in *instance, c *cluster.Call) bool {
	in.catchUp(m.k.Now())
	if in.recHead == len(in.recs) {
		return false
	}
	_, stale := cluster.Missed(m.recent, c.Key, c.Sent, in.recs[in.recHead].lsn-1)
	return stale
}

// ReplicaLag returns replica i's mean and maximum lag over the records it
// applied since the last ResetStats (or the start): the time from a
// record's commit on the writer to its visibility on the replica.
func (m *Model) ReplicaLag(i int) (mean, max time.Duration, n int64) {
	in := m.insts[i]
	in.catchUp(m.k.Now())
	if in.totLagN == 0 {
		return 0, 0, 0
	}
	return time.Duration(in.totLagSum / float64(in.totLagN)), in.totLagMax, in.totLagN
}

// ResetStats restarts the replica-lag statistics (e.g. after a warm-up).
func (m *Model) ResetStats() {
	now := m.k.Now()
	for _, in := range m.insts {
		in.catchUp(now)
		in.totLagSum, in.totLagN, in.totLagMax = 0, 0, 0
	}
}

// Gauges are each replica's metric.Lag (the mean lag of the
// records it applied since the previous sample, or the age of its oldest
// unapplied record if it applied none; 0 while it is the writer or down),
// and with Serverless v2 the writer's metric.CapacityACU (no instance)
// and each replica's. A lag sample restarts the
// per-sample mean, so only the runner should sample.
func (m *Model) Gauges() []cluster.Gauge {
	var gs []cluster.Gauge
	for _, in := range m.insts[1 : len(m.cfg.Replicas)+1] {
		in := in
		gs = append(gs, cluster.Gauge{ID: metric.OfInstance(metric.Lag, in.name), Sample: func() float64 { return m.lagSample(in) }})
	}
	if m.cfg.Global != nil {
		gs = append(gs, m.regionGauges()...)
	}
	if m.cfg.Serverless != nil {
		gs = append(gs, cluster.Gauge{ID: metric.Of(metric.CapacityACU), Sample: func() float64 { return m.writer.acu }})
		for _, in := range m.insts[1:] {
			in := in
			gs = append(gs, cluster.Gauge{ID: metric.OfInstance(metric.CapacityACU, in.name), Sample: func() float64 { return in.acu }})
		}
	}
	for _, in := range m.insts {
		gs = append(gs, cluster.NewLoad(m.log, in.name, func() (*cluster.Host, *sim.Station) { return in.host, in.cpu }).Gauges()...)
	}
	return gs
}

func (m *Model) lagSample(in *instance) float64 {
	now := m.k.Now()
	in.catchUp(now)
	defer func() { in.lagSum, in.lagN = 0, 0 }()
	if in.role == writerRole || !in.host.Accepting() {
		return 0
	}
	if in.lagN > 0 {
		return in.lagSum / float64(in.lagN) / 1e6
	}
	if in.recHead < len(in.recs) {
		return float64(now.Sub(in.recs[in.recHead].commit)) / 1e6
	}
	return 0
}

// Counters are the storage fleet's totals: node failures, segment repairs,
// and the time the volume could not take writes (some PG below the write
// quorum) or be read by recovery (some PG below the read quorum).
func (m *Model) Counters() []cluster.Counter {
	m.st.account()
	return []cluster.Counter{
		{ID: metric.Of(metric.StorageNodeFailures), Value: m.st.failures},
		{ID: metric.Of(metric.SegmentRepairs), Value: m.st.repairs},
		{ID: metric.Of(metric.VolumeWriteUnavailableMS), Value: m.st.writeDown.Milliseconds()},
		{ID: metric.Of(metric.VolumeReadUnavailableMS), Value: m.st.readDown.Milliseconds()},
		// Acknowledged writes no read quorum can find any more: 0 unless the
		// quorums are configured so that they need not intersect.
		{ID: metric.Of(metric.LostAckedWrites), Value: m.LostAcked()},
	}
}

// --- housekeeping ---

// armTick makes sure housekeeping runs within a second.
func (m *Model) armTick() {
	if !m.k.Scheduled(m.tickT) {
		m.tickT = m.k.After(time.Second, m.tick)
	}
}

// tick runs once a second while there is work: it retries stalled writes
// (a partition that healed), settles replicated writes, trims the
// acknowledgement log and retires applied replica records.
func (m *Model) tick() {
	now := m.k.Now()
	m.st.housekeep()
	m.acks.Trim(m.st.safeLSN(m.vdl))
	busy := m.inHead < len(m.inflight) || len(m.lalWait) > 0 || m.st.openWrites() > 0
	for _, in := range m.insts {
		in.catchUp(now)
		busy = busy || in.recHead < len(in.recs)
	}
	if busy {
		m.tickT = m.k.After(time.Second, m.tick)
	}
}

// armCheck makes sure the health checks run: the next one falls on the
// check grid.
func (m *Model) armCheck() {
	if m.k.Scheduled(m.checkT) {
		return
	}
	now, iv, ph := m.k.Now(), sim.Time(m.cfg.DetectionInterval), sim.Time(m.checkPhase)
	next := ph
	if now >= ph {
		next = ph + ((now-ph)/iv+1)*iv
	}
	m.checkT = m.k.At(next, m.check)
}

// UnreplicatedAcks counts writes acknowledged to a client that no other
// copy had: always 0, since a write commits only once a write quorum of
// the storage segments (4 of 6 in three AZs) has it, so each acknowledged
// write is on other machines than the writer's whatever fails next. It is
// here so that the runner reports Aurora beside RDS.
func (m *Model) UnreplicatedAcks() int64 { return 0 }

// LostAcked counts the acknowledged writes that crash recovery could lose
// now: those some read quorum of the live segments would miss, and every
// acknowledged write above the first of them (recovery truncates the log
// there). With Vw + Vr > 6 it is always 0.
func (m *Model) LostAcked() int64 {
	first, ok := m.st.firstLost()
	if !ok {
		return 0
	}
	return m.acks.Above(first - 1)
}
