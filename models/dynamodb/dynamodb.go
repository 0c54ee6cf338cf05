// Package dynamodb models an Amazon DynamoDB table: items hashed to
// partitions, each a three-replica group with hard throughput limits,
// capacity units priced by item size and consistency, provisioned and
// on-demand capacity with their control loops, global secondary indexes
// that push back on base-table writes, and partition leader failover.
//
// Each behaviour comes from its mechanism:
//
//   - A partition key hashes (SplitMix64) onto a ring; each partition owns a
//     contiguous range of it, so a split divides a range in two. A
//     partition is a replication group of three replicas in three AZs: its
//     leader serves writes and strongly consistent reads, any replica an
//     eventually consistent read, and a write is acknowledged when two of
//     the three have persisted it (fact 5.25).
//   - The request router (one always-accepting host, the endpoint) admits a
//     request when every partition it touches holds the capacity units it
//     costs (facts 5.5, 5.6) in two token buckets: the allocation, which
//     refills at the partition's share of the table's throughput and keeps
//     up to BurstWindow of unused capacity (burst capacity, fact 5.11), and
//     the hard limit of 3,000 RCU / 1,000 WCU per second (facts 5.1, 5.18).
//     A write that updates a global secondary index also needs capacity on
//     the index's partition (back-pressure, fact 5.33). A refused request
//     answers cluster.Throttled; the client's SDK retries it (package
//     client's SDK presets), which adds offered load.
//   - Provisioned tables divide their throughput evenly over their
//     partitions and split every partition when a throughput or size
//     increase exceeds what they hold; partitions never merge (facts 5.3,
//     5.4). Adaptive capacity gives throttled partitions the table's unused
//     throughput every Adaptive.Interval, never above the hard limit (fact
//     5.13). Split for heat divides a partition that stays hot for minutes
//     at the median key of its traffic, but never for a single hot key
//     (fact 5.16). Auto scaling is target tracking on per-minute consumed
//     capacity with CloudWatch-style alarms and a provisioning delay, and
//     decreases are limited by a daily quota (facts 5.9, 5.22–5.24): the
//     per-minute metrics versus per-second enforcement gap (fact 5.18) is a
//     consequence, not a rule.
//   - On-demand tables serve up to twice their previous peak at once; a
//     level sustained for PeakWindow becomes the new peak (facts
//     5.19–5.21). Per-partition limits still apply.
//   - A leader failure blocks a partition's writes and strong reads until
//     the old leader's lease expires and a new leader is elected; eventual
//     reads go on at the followers. A lost replica is replaced by a log
//     replica within seconds (facts 5.26, 5.27). An AZ outage fails every
//     replica in the zone.
//
// Defaults come from the project's list of published AWS facts, cited by fact id
// next to each; numbers that are not published are marked as choices, and
// every one is an exported Config field.
package dynamodb

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/sim"
)

// Mode is a table's capacity mode.
type Mode uint8

// Capacity modes.
const (
	Provisioned Mode = iota // fixed read and write throughput, optionally auto scaled
	OnDemand                // pay per request; scales with the previous peak
)

func (m Mode) String() string {
	if m == OnDemand {
		return "on-demand"
	}
	return "provisioned"
}

// Capacity is the throughput of a table or a global secondary index.
type Capacity struct {
	// RCU and WCU are the provisioned read and write capacity units per
	// second (provisioned mode; on-demand ignores them).
	RCU, WCU float64
	// Partitions, when larger than the count the throughput and size give
	// (InitialPartitions), is the partition count the table starts with:
	// a table that grew earlier keeps its partitions (fact 5.3).
	Partitions  int
	AutoScaling AutoScaling
}

// AutoScaling is provisioned auto scaling by target tracking.
type AutoScaling struct {
	Enabled bool
	// Target is the utilization (consumed / provisioned) to track.
	Target float64
	// MinRCU, MaxRCU, MinWCU, MaxWCU bound the throughput it sets (a
	// maximum of 0 is unbounded).
	MinRCU, MaxRCU, MinWCU, MaxWCU float64
	// ScaleUpPoints and ScaleDownPoints are the consecutive metric periods
	// above the target (below target × (1 − ScaleDownMargin)) that raise
	// (lower) the throughput.
	ScaleUpPoints, ScaleDownPoints int
	ScaleDownMargin                float64
	// Delay is UpdateTable's time to provision the new throughput.
	Delay time.Duration
	// Quota limits decreases.
	Quota DecreaseQuota
}

// DefaultAutoScaling is target tracking as the console sets it up.
func DefaultAutoScaling() AutoScaling {
	return AutoScaling{
		Target:          0.70, // fact 5.22: console default 70 % (3rd-party); the range is 20–90 %
		ScaleUpPoints:   2,    // fact 5.23: 2 consecutive 1-minute data points above target
		ScaleDownPoints: 15,   // fact 5.23: 15 consecutive data points below target
		ScaleDownMargin: 0.20, // fact 5.23: "≥ 20 % below target", 3rd-party convention, unconfirmed
		Delay:           3 * time.Minute,
		// Delay: fact 5.23 says UpdateTable takes "several minutes": 3 min is a choice.
		Quota: DefaultDecreaseQuota(), // fact 5.9
	}
}

// GSI is a global secondary index: its own partitions and capacity, fed
// by base-table writes.
type GSI struct {
	Name     string
	Capacity Capacity
	// Keys is the number of distinct values of the index's partition key
	// (a low-cardinality attribute makes hot index partitions); 0 gives
	// every item its own.
	Keys uint64
	// Share is the fraction of base items that carry the indexed
	// attribute, so that their writes update the index (0 or 1: all).
	Share float64
	// ProjectedBytes is the size of an index entry (0: the whole item).
	ProjectedBytes int
}

// Adaptive is adaptive capacity.
type Adaptive struct {
	Enabled bool
	// Interval is how often the table's unused throughput is given to
	// throttled partitions, which is also how long a partition throttles
	// before it gets it.
	Interval time.Duration
}

// SplitForHeat is split for consumption.
type SplitForHeat struct {
	Enabled bool
	// Threshold is the consumption, as a share of the partition's hard
	// limit, above which a metric period counts as hot.
	Threshold float64
	// Periods is the number of consecutive hot periods before a split.
	Periods int
	// Duration is the time the split takes once decided.
	Duration time.Duration
	// SingleKeyShare: a partition whose heaviest key carries this share of
	// its load is not split.
	SingleKeyShare float64
}

// OnDemandConfig is on-demand capacity.
type OnDemandConfig struct {
	// PeakMultiple × the previous peak is served at once.
	PeakMultiple float64
	// InitialRRU and InitialWRU are what a new table serves at once.
	InitialRRU, InitialWRU float64
	// PeakWindow is how long a consumption level must be sustained to
	// become the previous peak.
	PeakWindow time.Duration
	// MaxRRU and MaxWRU cap what the table serves: the table throughput
	// quota (0: no cap).
	MaxRRU, MaxWRU float64
}

// Config is a DynamoDB table.
type Config struct {
	Mode  Mode
	Table Capacity
	// SizeBytes is the table's data; it sets the partition count with the
	// throughput (fact 5.3) and stays fixed during a run.
	SizeBytes int64
	// ItemSize is an item's size in bytes when a call carries none.
	ItemSize int
	// MaxItemBytes is the largest item (400 KB, fact 5.7; Amazon
	// Keyspaces' rows: 1 MB, fact 5.44); a larger one is refused.
	MaxItemBytes int
	// ConsistentReads makes plain reads (no Op) strongly consistent.
	ConsistentReads bool
	GSIs            []GSI
	// LSIs are the table's local secondary indexes (at most MaxLSIs):
	// their entries take the table's write capacity, and they limit each
	// item collection to Limits.CollectionBytes.
	LSIs []LSI

	Limits Limits
	// BurstWindow is how much unused capacity a partition keeps as burst
	// credit; HardWindow the span over which limits are enforced.
	BurstWindow, HardWindow time.Duration
	Adaptive                Adaptive
	Heat                    SplitForHeat
	OnDemand                OnDemandConfig
	// MetricPeriod is the period of the CloudWatch-like metrics that auto
	// scaling, split for heat and the on-demand peak see.
	MetricPeriod time.Duration
	// UpdateDelay is how long a user's UpdateTable takes.
	UpdateDelay time.Duration

	// RouterAZ is where the request router the clients reach runs: the
	// regional endpoint has routers in every AZ; one in the clients' AZ
	// stands for them.
	RouterAZ cluster.AZ
	// RouterLatency is the router's work per request (authentication,
	// metadata, admission); ReadService a storage node's read;
	// LogWrite a replica's persist of a write-ahead-log record. Seconds.
	RouterLatency, ReadService, LogWrite sim.Dist
	// Lease is how long a new leader waits for the old leader's lease to
	// expire; Election the vote that follows.
	Lease, Election time.Duration
	// ReplicaRepair is the time to replace a lost replica with a log
	// replica.
	ReplicaRepair time.Duration

	// GaugePartitions is the number of per-partition gauge rows (0: twice
	// the initial partition count, at most 64).
	GaugePartitions int

	// Stream, when set, is the table's stream and its Lambda consumer
	// (stream.go).
	Stream *Stream

	// Replicas, when set, make the table a global table with a replica in
	// each of their Regions (global.go); ReplicationDelay is the
	// replication's own time per write, in seconds, before the Regions'
	// one-way delay.
	Replicas         []Replica
	ReplicationDelay sim.Dist
}

// Defaults returns a provisioned table of 1,000 RCU and 1,000 WCU, 1 GB,
// 1 KB items, no index, with adaptive capacity and split for heat on and
// auto scaling off.
// mustLogNormal is sim's log-normal with median p50 and 99th percentile
// p99, for the defaults below.
func mustLogNormal(p50, p99 float64) sim.Dist {
	d, err := sim.LogNormalP50P99(p50, p99)
	if err != nil {
		panic(err)
	}
	return d
}

func Defaults() Config {
	router := mustLogNormal(0.6e-3, 2.5e-3) // not published: fact 5.30 gives "single-digit ms" end to end
	read := mustLogNormal(0.5e-3, 3e-3)     // not published (fact 5.30)
	wal := mustLogNormal(0.5e-3, 2e-3)      // not published (fact 5.30)
	return Config{
		Mode:         Provisioned,
		Table:        Capacity{RCU: 1000, WCU: 1000, AutoScaling: DefaultAutoScaling()},
		SizeBytes:    1 << 30,
		ItemSize:     1 * KB,
		MaxItemBytes: MaxItemBytes,      // fact 5.7
		Limits:       DefaultLimits(),   // facts 5.1, 5.2
		BurstWindow:  300 * time.Second, // fact 5.11: up to 300 s of unused capacity
		HardWindow:   time.Second,       // fact 5.18: limits are enforced per second
		Adaptive:     Adaptive{Enabled: true, Interval: 2 * time.Second},
		// Interval: not published; docs say adaptive capacity acts "instantly" after throttling, DDB22 §4.2 refills GAC buckets "every few seconds" (facts 5.13, 5.14).
		Heat: SplitForHeat{Enabled: true, Threshold: 0.8, Periods: 2, Duration: 2 * time.Minute, SingleKeyShare: 0.5},
		// Heat: fact 5.16 publishes the mechanism and "in the order of minutes"; threshold, periods, duration and the single-key share are choices.
		OnDemand: OnDemandConfig{
			PeakMultiple: 2,     // fact 5.19: up to 2× the previous peak at once
			InitialRRU:   12000, // fact 5.21: a new table serves 12,000 RRU/s …
			InitialWRU:   4000,  // … and 4,000 WRU/s at once
			PeakWindow:   30 * time.Minute,
			// PeakWindow: fact 5.20: exceeding 2× the previous peak within 30 min can throttle.
			MaxRRU: 40000, // fact 5.8: default table quota 40,000 RRU …
			MaxWRU: 40000, // … and 40,000 WRU (adjustable)
		},
		MetricPeriod:  time.Minute,     // facts 5.18, 5.23: CloudWatch's 1-minute data points
		UpdateDelay:   3 * time.Minute, // fact 5.23: "several minutes"; a choice
		RouterLatency: router,
		ReadService:   read,
		LogWrite:      wal,
		Lease:         2 * time.Second,        // fact 5.26: "a couple of seconds"
		Election:      100 * time.Millisecond, // not published: one Paxos round among the survivors
		ReplicaRepair: 5 * time.Second,        // fact 5.27: a log replica in "a few seconds"
		// ReplicationDelay: fact 5.32: items usually reach every replica
		// "within a second"; the median and the 99th percentile are
		// choices that keep about nine writes in ten under a second.
		ReplicationDelay: mustLogNormal(0.5, 1.5),
	}
}

// Model is a running DynamoDB table.
type Model struct {
	k    *sim.Kernel
	topo *cluster.Topology
	net  *cluster.Net
	cfg  Config
	log  *cluster.Log
	rng  *rand.Rand

	heatRng  *rand.Rand
	stream   *streamModel // nil without a stream
	global   *globalModel // nil without replicas
	router   *cluster.Host
	endpoint *cluster.Record
	// azs are the AZs of the table's Region (RouterAZ's), where its
	// partitions' replicas are placed and repaired; other Regions hold
	// a global table's replica tables.
	azs  []cluster.AZ
	base *table
	gsis []*table
	all  []*table // base, then gsis: what tables returns

	defRead, defWrite Op
	needs             []need
	onReply           func(any)

	// recent remembers the last writes of keys, with when each replica of
	// the partition applies each one (sim.Forever: a replica that did not
	// get it), to tell a stale eventually consistent read (fact 8.6). path
	// leaves in applyAt when each replica applies the write it routes, and
	// in readFrom and readAt the replica an eventual read goes to and when
	// it reads, all relative to the router sending it.
	recent   *cluster.RecentWrites[[3]sim.Time]
	applyAt  [3]time.Duration
	readFrom int
	readAt   time.Duration

	throttledReads, throttledWrites int64
	backpressure                    int64 // base writes throttled by an index
	unprocessed                     int64
	unavailable                     int64 // refused: no leader or no quorum
	invalid                         int64 // items over 400 KB
	heatSplits, heatRefused         int64
	scaleUps, scaleDowns            int64
	leaderFailovers                 int64
	collectionLimit                 int64 // writes refused: item collection full

	// fluid is the fluid mode's scratch (fluid.go); fluidThrR, fluidThrW
	// and fluidUnavail the fractions of requests not yet counted.
	fluid                                         fluidScratch
	fluidThrR, fluidThrW, fluidUnavail, fluidBack float64

	// grown is what the run's puts added to each item collection (nil
	// until a write adds to one); fullCollections the keys of the
	// collections the narrative has named as full.
	grown           *growth
	fullCollections []uint64

	// trace, when set (tests), sees every call the router receives.
	trace func(c *cluster.Call)
}

// recentSlots is the number of keys remembered (see
// cluster.RecentWrites): with a few thousand writes a second a key is
// remembered for about a second, hundreds of times a replica's lag, so
// few stale reads are missed; memory stays fixed.
const recentSlots = 1 << 12

// never is the applyAt of a replica that does not get a write.
const never = time.Duration(math.MaxInt64)

// staleRead reports whether replica j, reading at time at, lacks the
// newest write of key acknowledged by sent.
func (m *Model) staleRead(key uint64, sent, at sim.Time, j int) bool {
	w, ok := m.recent.Newest(key, sent)
	return ok && at < w.V[j]
}

// need is capacity a request needs from one partition.
type need struct {
	t     *table
	p     *partition
	write bool
	u     float64
	h     uint64
}

// New builds the table on the network, its router accepting.
func New(k *sim.Kernel, net *cluster.Net, cfg Config, log *cluster.Log) *Model {
	m := &Model{k: k, topo: net.T, net: net, cfg: cfg, log: log,
		rng: k.Stream("dynamodb/service"), heatRng: k.Stream("dynamodb/heat"), recent: cluster.NewRecentWrites[[3]sim.Time](recentSlots)}
	m.onReply = m.reply
	m.defRead = Op{Kind: GetItem, Consistent: cfg.ConsistentReads}
	m.defWrite = Op{Kind: PutItem}
	m.azs = net.T.RegionAZs(net.T.Region(cfg.RouterAZ))
	m.router = cluster.NewHost("dynamodb-router", cfg.RouterAZ)
	m.router.Serve = m.serve
	m.router.SetAccepting(true)
	m.endpoint = cluster.NewRecord(k, "dynamodb", time.Minute, 0, m.router)
	m.base = newTable(m, "", cfg.Table, cfg.SizeBytes, nil)
	for i := range cfg.GSIs {
		g := &m.cfg.GSIs[i]
		m.gsis = append(m.gsis, newTable(m, g.Name, g.Capacity, cfg.SizeBytes, g))
	}
	m.all = append([]*table{m.base}, m.gsis...)
	if cfg.Stream != nil {
		m.stream = newStream(m, *cfg.Stream)
	}
	if cfg.Adaptive.Enabled && cfg.Adaptive.Interval > 0 && cfg.Mode == Provisioned {
		k.After(cfg.Adaptive.Interval, m.adapt)
	}
	if cfg.MetricPeriod > 0 {
		k.After(cfg.MetricPeriod, m.period)
	}
	net.T.WatchOutages(m.outage)
	if len(cfg.Replicas) > 0 {
		m.global = newGlobal(m)
		net.T.WatchOutages(func(cluster.AZ, bool) { m.global.outage() })
	}
	return m
}

// Endpoints is the table's regional endpoint.
func (m *Model) Endpoints() []*cluster.Record { return []*cluster.Record{m.endpoint} }

// Router is the request router's host.
func (m *Model) Router() *cluster.Host { return m.router }

// tables are the base table and its indexes (one slice for the run: the
// control loops ask every few seconds).
func (m *Model) tables() []*table { return m.all }

func (m *Model) adapt() {
	m.k.After(m.cfg.Adaptive.Interval, m.adapt)
	for _, t := range m.tables() {
		t.adapt()
	}
}

func (m *Model) period() {
	m.k.After(m.cfg.MetricPeriod, m.period)
	for _, t := range m.tables() {
		t.period()
	}
}

// --- the request path ---

func (m *Model) opOf(c *cluster.Call) *Op {
	if o, ok := c.Detail.(*Op); ok && o != nil {
		return o
	}
	if c.Op == cluster.Write {
		return &m.defWrite
	}
	return &m.defRead
}

// itemBytes is an item's size: size, or Config.ItemSize for a request
// that carries none (0).
func (m *Model) itemBytes(size int) int {
	if size <= 0 {
		return m.cfg.ItemSize
	}
	return size
}

// serve is the router: it prices the request, admits it against every
// partition it touches and sends it to the replicas; the answer goes back
// after the router's latency and the replicas' path.
func (m *Model) serve(c *cluster.Call) {
	if m.trace != nil {
		m.trace(c)
	}
	op := m.opOf(c)
	size := m.itemBytes(int(c.Size))
	d := sim.Seconds(m.cfg.RouterLatency.Sample(m.rng))
	c.Node = nil
	if size > m.cfg.MaxItemBytes {
		m.invalid++ // ValidationException (fact 5.7), not retried
		m.answer(c, cluster.Invalid, d)
		return
	}
	if op.Kind.multi() {
		m.serveMulti(c, op, size, d)
		return
	}
	m.serveOne(c, op, size, d)
}

// answer sends c's answer s back to the client after d, the router's
// and the replicas' time, plus the network's one-way delay. It is one
// event: when it fires, an answer that depends on a leader (c.Node set)
// is checked against a leader change, and the network's reachability is
// checked as Net.Reply would have at d (a change within the one-way
// delay, a fraction of a millisecond, is seen a little early).
func (m *Model) answer(c *cluster.Call, s cluster.Status, d time.Duration) {
	c.Status = s
	m.k.AfterArg(d+m.topo.OneWay(c.Host.AZ, c.From), m.onReply, c)
}

func (m *Model) reply(a any) {
	c := a.(*cluster.Call)
	if p, ok := c.Node.(*partition); ok && c.Status == cluster.OK && uint32(c.LSN) != p.term {
		// The leader that served it failed meanwhile: the router's
		// request to it errs (an InternalServerError the SDK retries).
		c.Status = cluster.Failed
	}
	if !m.topo.Reachable(c.Host.AZ, c.From) {
		return
	}
	c.ReplyTo(c)
}

// needsFor appends what one item of op needs: its base (or index)
// partition and, for a write, the partitions of the indexes it updates.
func (m *Model) needsFor(needs []need, op *Op, key uint64, size int) []need {
	write := op.Kind.Write()
	t := m.base
	if !write && op.Index > 0 && op.Index <= len(m.gsis) {
		t = m.gsis[op.Index-1]
	}
	u := m.unitsOf(op, size, t)
	if t != m.base {
		// A Query of an index reads the item collection of an index
		// key: the one the item with this key carries, so that the
		// workload's key distribution sets the index keys' popularity.
		key = t.indexKey(key)
	}
	h := t.point(key)
	if op.CollectionBytes > 0 && t == m.base && len(m.cfg.LSIs) == 0 && !op.Kind.multi() {
		// Without a local secondary index a collection's items lie in
		// sort-key order over [h, h+CollectionSpan), and a split may
		// fall between them (fact 5.43).
		h = min(h, math.MaxUint64-CollectionSpan+1)
		if op.Kind == Query {
			return m.spread(needs, t, h, u)
		}
		h += m.rng.Uint64N(CollectionSpan) // the item's sort key
	}
	needs = addNeed(needs, t, t.locate(h), write, u, h)
	if !write {
		return needs
	}
	for _, g := range m.gsis {
		if !g.touches(key) {
			continue
		}
		ps := size
		if g.gsi.ProjectedBytes > 0 {
			ps = g.gsi.ProjectedBytes
		}
		gh := g.point(g.indexKey(key))
		needs = addNeed(needs, g, g.locate(gh), true, WriteUnits(ps, false), gh)
	}
	return needs
}

// addNeed appends a need filled in place: appending a composite literal
// builds it on the stack with narrow stores and copies it with wide loads,
// which the CPU cannot forward from those stores (a stall per request).
func addNeed(needs []need, t *table, p *partition, write bool, u float64, h uint64) []need {
	needs = slices.Grow(needs, 1)[:len(needs)+1]
	n := &needs[len(needs)-1]
	n.t, n.p, n.write, n.u, n.h = t, p, write, u, h
	return needs
}

// unitsOf is the capacity one item of op of size bytes costs on table t
// (the base table or the index a Query reads).
func (m *Model) unitsOf(op *Op, size int, t *table) float64 {
	var u float64
	switch {
	case op.Kind.Write():
		u = WriteUnits(size, op.Kind == TransactWriteItems)
		// Each local secondary index's entry is written on the same
		// partition, from the table's capacity (fact 5.43).
		for _, l := range m.cfg.LSIs {
			ps := size
			if l.ProjectedBytes > 0 {
				ps = l.ProjectedBytes
			}
			u += WriteUnits(ps, op.Kind == TransactWriteItems)
		}
	case op.Kind == Query && op.CollectionBytes > 0 && t == m.base:
		// The whole item collection as the workload drew it (fact 5.5:
		// its bytes rounded up to 4 KB as a whole, one 1 MB page at most).
		u = ReadUnits(int(min(op.CollectionBytes, MaxQueryBytes)), op.consistency())
	case op.Kind == Query:
		u = QueryUnits(op.Items, size, op.consistency())
	default:
		u = ReadUnits(size, op.consistency())
	}
	return u
}

// admit takes the capacity of needs if every partition has it, else
// counts a throttle on the first that does not and reports false.
func (m *Model) admit(needs []need, write bool) bool {
	now := m.k.Now()
	if len(needs) == 1 { // the common case, without the bookkeeping
		n := &needs[0]
		if n.t.has(n.p, now, n.write, n.u) {
			n.t.consume(n.p, now, n.write, n.u, n.h)
			return true
		}
	}
	for i := range needs {
		n := &needs[i]
		if !n.t.has(n.p, now, n.write, m.total(needs, i)) {
			n.t.throttle(n.p, n.write, n.u)
			if write {
				m.throttledWrites++
				if n.t != m.base {
					m.backpressure++ // fact 5.33
				}
			} else {
				m.throttledReads++
			}
			return false
		}
	}
	for i := range needs {
		n := &needs[i]
		n.t.consume(n.p, now, n.write, n.u, n.h)
	}
	return true
}

// total is what needs ask of needs[i]'s partition and dimension up to i.
func (m *Model) total(needs []need, i int) float64 {
	u := needs[i].u
	for j := 0; j < i; j++ {
		if needs[j].p == needs[i].p && needs[j].write == needs[i].write {
			u += needs[j].u
		}
	}
	return u
}

func (m *Model) serveOne(c *cluster.Call, op *Op, size int, d time.Duration) {
	write := op.Kind.Write()
	cons := op.consistency()
	m.needs = m.needsFor(m.needs[:0], op, c.Key, size)
	p := m.needs[0].p
	base := m.needs[0].t == m.base
	if base && (write || cons == Strong) && !p.leaderUp() {
		m.unavailable++
		m.answer(c, cluster.Failed, d+m.topo.RTT(m.cfg.RouterAZ, p.reps[0].az))
		return
	}
	adds := op.Kind == PutItem && (op.CollectionBytes > 0 || len(m.cfg.LSIs) > 0)
	if adds && m.collectionFull(c.Key, op.CollectionBytes, size) {
		// ItemCollectionSizeLimitExceededException (fact 5.42), before
		// any capacity is consumed: a client error the SDKs do not retry.
		m.answer(c, cluster.Invalid, d)
		return
	}
	if !m.admit(m.needs, write) {
		m.answer(c, cluster.Throttled, d)
		return
	}
	path, ok := m.path(p, write, cons, d)
	if !ok {
		m.unavailable++
		m.answer(c, cluster.Failed, d+path)
		return
	}
	if adds {
		m.grow(c.Key, size)
	}
	if base && (write || cons == Strong) {
		c.Node, c.LSN = p, uint64(p.term)
	}
	if base {
		now := m.k.Now()
		switch {
		case write:
			// Filled in place, by index: copies of arrays just written
			// word by word would be read back wide (see addNeed).
			applied := m.recent.Put(c.Key, now.Add(d+path+m.topo.OneWay(c.Host.AZ, c.From)))
			for j := range m.applyAt {
				applied[j] = sim.Forever
				if at := m.applyAt[j]; at != never {
					applied[j] = now.Add(d + at)
				}
			}
			if m.stream != nil {
				m.stream.append(p, m.needs[0].h)
			}
			if m.global != nil {
				m.global.replicate(0, c.Key, now.Add(d+path))
			}
		case cons == Eventual:
			// Stale (fact 8.6) if the replica reads before it has applied
			// the key's newest write acknowledged before the read was sent.
			c.Stale = m.staleRead(c.Key, c.Sent, now.Add(d+m.readAt), m.readFrom)
		}
	}
	m.answer(c, cluster.OK, d+path)
}

// serveMulti serves batches (each item on its own: the ones without
// capacity come back unprocessed, fact 5.35) and transactions (all or
// nothing, at twice the price, in two phases).
func (m *Model) serveMulti(c *cluster.Call, op *Op, size int, d time.Duration) {
	n := op.items()
	write := op.Kind.Write()
	cons := op.consistency()
	txn := op.Kind == TransactGetItems || op.Kind == TransactWriteItems
	var slowest time.Duration
	if txn {
		m.needs = m.needs[:0]
		for i := 0; i < n; i++ {
			m.needs = m.needsFor(m.needs, op, op.key(c.Key, i), size)
		}
		for i := range m.needs {
			if nd := m.needs[i]; nd.t == m.base && !nd.p.leaderUp() {
				m.unavailable++
				m.answer(c, cluster.Failed, d)
				return
			}
		}
		if !m.admit(m.needs, write) {
			m.answer(c, cluster.Throttled, d)
			return
		}
		for i := range m.needs {
			if nd := m.needs[i]; nd.t == m.base {
				path, ok := m.path(nd.p, write, Strong, d)
				if !ok {
					m.unavailable++
					m.answer(c, cluster.Failed, d+path)
					return
				}
				slowest = max(slowest, path)
			}
		}
		if write && m.stream != nil {
			for i := range m.needs {
				if nd := m.needs[i]; nd.t == m.base {
					m.stream.append(nd.p, nd.h)
				}
			}
		}
		if write && m.global != nil {
			// Items are replicated one by one, not as a transaction.
			for i := 0; i < n; i++ {
				m.global.replicate(0, op.key(c.Key, i), m.k.Now().Add(d+2*slowest))
			}
		}
		// Prepare and commit: two rounds to the items' leaders.
		m.answer(c, cluster.OK, d+2*slowest)
		return
	}
	done := 0
	op.UnprocessedKeys = op.UnprocessedKeys[:0]
	for i := 0; i < n; i++ {
		key := op.key(c.Key, i)
		m.needs = m.needsFor(m.needs[:0], op, key, size)
		p := m.needs[0].p
		ok := !(m.needs[0].t == m.base && (write || cons == Strong) && !p.leaderUp()) && m.admit(m.needs, write)
		var path time.Duration
		if ok {
			path, ok = m.path(p, write, cons, d)
		}
		if !ok {
			op.UnprocessedKeys = append(op.UnprocessedKeys, key)
			continue
		}
		done++
		slowest = max(slowest, path)
		if write && m.stream != nil {
			m.stream.append(p, m.needs[0].h)
		}
		if write && m.global != nil {
			m.global.replicate(0, key, m.k.Now().Add(d+path))
		}
	}
	op.Unprocessed = n - done
	m.unprocessed += int64(n - done)
	if done == 0 {
		// Nothing processed: the whole batch fails (fact 5.35).
		m.answer(c, cluster.Throttled, d)
		return
	}
	m.answer(c, cluster.OK, d+slowest)
}

// path is the time from the router to the replicas that serve the
// request and back, for a request the router sends after d: for a write,
// to the leader, which persists its log record while sending it to the
// followers, and acknowledges when two of three have it (fact 5.25),
// each replica applying the partition's log in order; for a strong read,
// to the leader; for an eventual read, to a random live replica. It
// leaves in applyAt when each replica applies the write, and in readFrom
// and readAt which replica an eventual read goes to and when it reads.
// It reports false when no quorum or replica can be reached.
func (m *Model) path(p *partition, write bool, cons Consistency, d time.Duration) (time.Duration, bool) {
	ra := m.cfg.RouterAZ
	if !write && cons == Eventual {
		j := m.rng.IntN(len(p.reps))
		for i := range p.reps {
			m.readFrom = (j + i) % len(p.reps)
			r := p.reps[m.readFrom]
			if r.up && m.topo.Reachable(ra, r.az) {
				rtt := m.topo.RTT(ra, r.az)
				m.readAt = rtt / 2
				return rtt + sim.Seconds(m.cfg.ReadService.Sample(m.rng)), true
			}
		}
		return 0, false
	}
	if p.leader < 0 {
		return 0, false
	}
	ldr := p.reps[p.leader]
	if !m.topo.Reachable(ra, ldr.az) {
		return 0, false
	}
	rtt := m.topo.RTT(ra, ldr.az)
	if !write {
		return rtt + sim.Seconds(m.cfg.ReadService.Sample(m.rng)), true
	}
	// Times from now on are relative to the router's send; a replica's
	// earlier writes finish at p.applied.
	sent := m.k.Now().Add(d)
	after := func(j int, at time.Duration) time.Duration { return max(at, p.applied[j].Sub(sent)) }
	own := after(p.leader, rtt/2+sim.Seconds(m.cfg.LogWrite.Sample(m.rng)))
	quorum := never // the first follower's acknowledgement back at the leader
	for j := range p.reps {
		r := &p.reps[j] // not a copy of all three
		m.applyAt[j] = never
		if j == p.leader || !r.up || !m.topo.Reachable(ldr.az, r.az) {
			continue
		}
		toR := m.topo.RTT(ldr.az, r.az)
		m.applyAt[j] = after(j, rtt/2+toR/2+sim.Seconds(m.cfg.LogWrite.Sample(m.rng)))
		quorum = min(quorum, m.applyAt[j]+toR/2)
	}
	if quorum == never {
		return rtt, false // no second replica: no quorum, nothing commits
	}
	m.applyAt[p.leader] = own
	for j := range m.applyAt { // by index: see addNeed
		if at := m.applyAt[j]; at != never {
			p.applied[j] = sent.Add(at)
		}
	}
	return max(own, quorum) + rtt/2, true
}

// --- user actions ---

// UpdateTable changes a provisioned table's throughput (index 0) or a
// global secondary index's (index i for Config.GSIs[i-1]); a value ≤ 0
// leaves that dimension as it is when the update lands. It takes
// UpdateDelay, during which the old throughput holds. An update that
// lowers either dimension counts against the table's or index's
// decrease quota (fact 5.9, the quota of its AutoScaling); beyond it the
// update is refused (DynamoDB's LimitExceededException) and UpdateTable
// reports false.
func (m *Model) UpdateTable(index int, rcu, wcu float64) bool {
	t := m.base
	if index > 0 {
		t = m.gsis[index-1]
	}
	if (rcu > 0 && rcu < t.provR) || (wcu > 0 && wcu < t.provW) {
		now := time.Duration(m.k.Now())
		if !t.capc.AutoScaling.Quota.Allowed(now, t.decreases) {
			m.log.Addf("UpdateTable %s to %s refused: the decrease quota is spent (fact 5.9)", t.describe(), throughput(rcu, wcu))
			return false
		}
		t.decreases = append(t.decreases, now)
	}
	m.log.Addf("UpdateTable %s: %s requested (takes %v)", t.describe(), throughput(rcu, wcu), m.cfg.UpdateDelay)
	m.k.After(m.cfg.UpdateDelay, func() {
		// A dimension left out keeps what it has when the update lands,
		// which may be another update's or auto scaling's.
		r, w := t.provR, t.provW
		if rcu > 0 {
			r = rcu
		}
		if wcu > 0 {
			w = wcu
		}
		before := len(t.parts)
		t.resize(r, w)
		m.log.Addf("UpdateTable %s done: %.0f RCU, %.0f WCU over %d partitions (was %d)", t.describe(), r, w, len(t.parts), before)
	})
	return true
}

// throughput describes an update's new values, without the ones it
// leaves out (≤ 0).
func throughput(rcu, wcu float64) string {
	switch {
	case rcu <= 0:
		return fmt.Sprintf("%.0f WCU", wcu)
	case wcu <= 0:
		return fmt.Sprintf("%.0f RCU", rcu)
	}
	return fmt.Sprintf("%.0f RCU, %.0f WCU", rcu, wcu)
}

func (t *table) describe() string {
	if t.name == "" {
		return "table"
	}
	return "index " + t.name
}

// PartitionInfo describes a partition of the table or an index.
type PartitionInfo struct {
	ID     int
	Lo, Hi uint64 // hash range, inclusive
	// AllocRCU and AllocWCU are the current allocations (on-demand: the
	// hard limits).
	AllocRCU, AllocWCU float64
	// ConsumedRCU and ConsumedWCU are the units consumed since the start.
	ConsumedRCU, ConsumedWCU float64
	Throttles                int64
	LeaderAZ                 cluster.AZ // -1 while it has no leader
}

// Partitions describes the partitions of the table (index 0) or of
// Config.GSIs[index-1], by id.
func (m *Model) Partitions(index int) []PartitionInfo {
	t := m.base
	if index > 0 {
		t = m.gsis[index-1]
	}
	var out []PartitionInfo
	for _, p := range t.parts {
		az := cluster.AZ(-1)
		if p.leader >= 0 {
			az = p.reps[p.leader].az
		}
		out = append(out, PartitionInfo{ID: p.id, Lo: p.lo, Hi: p.hi, AllocRCU: p.allocR, AllocWCU: p.allocW,
			ConsumedRCU: p.cumR, ConsumedWCU: p.cumW, Throttles: p.throttles, LeaderAZ: az})
	}
	return out
}

// Provisioned is the table's (index 0) or an index's current throughput:
// provisioned, or for on-demand what it serves at once.
func (m *Model) Provisioned(index int) (rcu, wcu float64) {
	t := m.base
	if index > 0 {
		t = m.gsis[index-1]
	}
	return t.provR, t.provW
}

// PartitionOf is the id of the base-table partition that holds key.
func (m *Model) PartitionOf(key uint64) int { return m.base.locate(m.base.point(key)).id }

// --- faults ---

// FailLeader crashes the leader replica of base-table partition id
// (fact 5.26).
func (m *Model) FailLeader(id int) {
	if id < 0 || id >= len(m.base.parts) {
		return
	}
	p := m.base.parts[id]
	if p.leader >= 0 {
		m.failReplica(p, p.leader, "leader failure")
	}
}

// FailLeadersIn crashes every base-table partition leader in az.
func (m *Model) FailLeadersIn(az cluster.AZ) {
	for _, p := range m.base.parts {
		if p.leader >= 0 && p.reps[p.leader].az == az {
			m.failReplica(p, p.leader, "leader failure in "+m.topo.Name(az))
		}
	}
}

func (m *Model) outage(az cluster.AZ, down bool) {
	if !down {
		return
	}
	for _, p := range m.base.parts {
		for j := range p.reps {
			if p.reps[j].az == az && p.reps[j].up {
				m.failReplica(p, j, "AZ outage")
			}
		}
	}
}

// failReplica loses replica j of p. A lost leader leaves the partition
// without one until the lease expires and the survivors elect another;
// the lost replica is replaced after ReplicaRepair.
func (m *Model) failReplica(p *partition, j int, cause string) {
	p.reps[j].up = false
	if j == p.leader {
		p.leader = -1
		p.term++
		m.leaderFailovers++
		fo := m.log.StartFailover(fmt.Sprintf("partition %s %s", p.name(), cause))
		fo.Detected = m.k.Now()
		m.log.Addf("partition %s: leader in %s lost (%s); writes and strong reads wait for its lease (%v)",
			p.name(), m.topo.Name(p.reps[j].az), cause, m.cfg.Lease)
		m.k.After(m.cfg.Lease+m.cfg.Election, func() { m.elect(p, fo) })
	}
	m.k.After(m.cfg.ReplicaRepair, func() { m.repair(p, j) })
}

// elect makes a live replica that can reach another live one the leader
// (a Paxos majority of two); without one it waits for a repair.
func (m *Model) elect(p *partition, fo *cluster.Failover) {
	if p.leader >= 0 {
		return
	}
	for j, r := range p.reps {
		if !r.up || !m.topo.Up(r.az) {
			continue
		}
		for i, o := range p.reps {
			if i != j && o.up && m.topo.Reachable(r.az, o.az) {
				p.leader = j
				if fo != nil {
					fo.Promoted, fo.Accepting = m.k.Now(), m.k.Now()
				}
				m.log.Addf("partition %s: replica in %s elected leader", p.name(), m.topo.Name(r.az))
				return
			}
		}
	}
	m.k.After(m.cfg.ReplicaRepair, func() { m.elect(p, fo) })
}

// repair replaces lost replica j with a log replica (fact 5.27) in its
// zone if the zone is up, else in a live zone, preferring one the group
// does not use.
func (m *Model) repair(p *partition, j int) {
	if p.reps[j].up {
		return
	}
	az := p.reps[j].az
	if !m.topo.Up(az) {
		az = -1
		for _, a := range m.azs {
			if !m.topo.Up(a) {
				continue
			}
			used := false
			for i, r := range p.reps {
				if i != j && r.up && r.az == a {
					used = true
				}
			}
			if az < 0 || !used {
				az = a
			}
			if !used {
				break
			}
		}
		if az < 0 {
			m.k.After(m.cfg.ReplicaRepair, func() { m.repair(p, j) })
			return
		}
	}
	p.reps[j] = replica{az: az, up: true}
	p.applied[j] = 0 // a new replica: it copied the log it missed
	if p.t != m.base {
		return
	}
	// So the writes it missed are applied now. (Rare: a scan of the
	// remembered writes.)
	now := m.k.Now()
	m.recent.Each(func(key uint64, w *cluster.RecentWrite[[3]sim.Time]) {
		if a := &w.V[j]; *a == sim.Forever && m.base.locate(m.base.point(key)) == p {
			*a = now
		}
	})
}

// --- metrics ---

// Gauges are the table's consumed and provisioned capacity and, for a
// partition × time heatmap, each partition's consumed capacity, in units
// per second averaged since the previous sample:
//
//	Consumed/ProvisionedRCU/WCU       the base table
//	ConsumedRCU/WCU of partition N    ids in creation order
//	Throttled of partition N          its throttled requests
//	Consumed/ProvisionedWCU, ConsumedRCU of each index
//	Partitions                        the base table's partition count
//	IteratorAge, StreamBacklog        with a stream: the age (ms) of the
//	                                  oldest record not processed, max
//	                                  over shards, and the records waiting
//	IteratorAge of partition N        the same for its shard (and any
//	                                  parent shard still being read)
//
// Rows are bounded: GaugePartitions rows (default twice the initial
// partition count, at most 64); the last row also carries every partition
// beyond it. "provisioned" on an on-demand table is what it serves at once.
func (m *Model) Gauges() []cluster.Gauge {
	rows := m.cfg.GaugePartitions
	if rows <= 0 {
		rows = min(64, 2*len(m.base.parts))
	}
	t := m.base
	gs := []cluster.Gauge{
		m.rate(metric.Of(metric.ConsumedRCU), func() float64 { return t.cumR }),
		m.rate(metric.Of(metric.ConsumedWCU), func() float64 { return t.cumW }),
		{ID: metric.Of(metric.ProvisionedRCU), Sample: func() float64 { return t.provR }},
		{ID: metric.Of(metric.ProvisionedWCU), Sample: func() float64 { return t.provW }},
		{ID: metric.Of(metric.Partitions), Sample: func() float64 { return float64(len(t.parts)) }},
	}
	for i := 0; i < rows; i++ {
		last := i == rows-1
		sum := func(write bool) func() float64 {
			return func() float64 {
				v := 0.0
				for id := i; id < len(t.parts); id++ {
					if write {
						v += t.parts[id].cumW
					} else {
						v += t.parts[id].cumR
					}
					if !last {
						break
					}
				}
				return v
			}
		}
		gs = append(gs, m.rate(metric.OfPartition(metric.ConsumedRCU, "", i), sum(false)), m.rate(metric.OfPartition(metric.ConsumedWCU, "", i), sum(true)))
		// Throttled requests per second on the partition (all of its
		// throttles, not reset by ResetCounters, so the rate never jumps).
		gs = append(gs, m.rate(metric.OfPartition(metric.Throttled, "", i), func() float64 {
			v := 0.0
			for id := i; id < len(t.parts); id++ {
				v += float64(t.parts[id].throttledAll)
				if !last {
					break
				}
			}
			return v
		}))
	}
	if s := m.stream; s != nil {
		gs = append(gs,
			cluster.Gauge{ID: metric.Of(metric.IteratorAge), Sample: func() float64 {
				age, _ := s.iteratorAge()
				return float64(age) / float64(time.Millisecond)
			}},
			cluster.Gauge{ID: metric.Of(metric.StreamBacklog), Sample: func() float64 { return float64(s.backlog()) }})
		for i := 0; i < rows; i++ {
			last := i == rows-1
			gs = append(gs, cluster.Gauge{ID: metric.OfPartition(metric.IteratorAge, "", i), Sample: func() float64 {
				var age time.Duration
				for id := i; id < len(t.parts); id++ {
					age = max(age, s.partitionAge(t.parts[id]))
					if !last {
						break
					}
				}
				return float64(age) / float64(time.Millisecond)
			}})
		}
	}
	if m.global != nil {
		gs = append(gs, m.global.gauges()...)
	}
	for _, g := range m.gsis {
		g := g
		gs = append(gs,
			m.rate(metric.OfIndex(metric.ConsumedWCU, g.name), func() float64 { return g.cumW }),
			cluster.Gauge{ID: metric.OfIndex(metric.ProvisionedWCU, g.name), Sample: func() float64 { return g.provW }},
			m.rate(metric.OfIndex(metric.ConsumedRCU, g.name), func() float64 { return g.cumR }))
	}
	return gs
}

// rate turns a cumulative count into a gauge of its rate per second
// since the previous sample.
func (m *Model) rate(id metric.ID, cum func() float64) cluster.Gauge {
	last, at := cum(), m.k.Now()
	return cluster.Gauge{ID: id, Sample: func() float64 {
		now, v := m.k.Now(), cum()
		if now <= at {
			return 0
		}
		r := (v - last) / now.Sub(at).Seconds()
		last, at = v, now
		return r
	}}
}

// Counters are the totals of the run, in a fixed order: Throttles per
// base partition (throttled requests, or batch items), then per index
// partition, then totals: throttled reads
// and writes, base writes throttled by an index (gsi_backpressure),
// unprocessed batch items, requests refused for want of a leader or
// quorum (unavailable), over-size items (invalid), heat splits done and
// refused (one hot key), auto scaling increases and decreases, leader
// failovers and, on a table with local secondary indexes, writes refused
// because their item collection was full.
func (m *Model) Counters() []cluster.Counter {
	var cs []cluster.Counter
	for _, t := range m.tables() {
		for _, p := range t.parts {
			cs = append(cs, cluster.Counter{ID: metric.OfPartition(metric.Throttles, p.t.name, p.id), Value: p.throttles})
		}
	}
	cs = append(cs,
		cluster.Counter{ID: metric.Of(metric.ThrottledReads), Value: m.throttledReads},
		cluster.Counter{ID: metric.Of(metric.ThrottledWrites), Value: m.throttledWrites},
		cluster.Counter{ID: metric.Of(metric.GSIBackpressure), Value: m.backpressure},
		cluster.Counter{ID: metric.Of(metric.UnprocessedItems), Value: m.unprocessed},
		cluster.Counter{ID: metric.Of(metric.Unavailable), Value: m.unavailable},
		cluster.Counter{ID: metric.Of(metric.Invalid), Value: m.invalid},
		cluster.Counter{ID: metric.Of(metric.HeatSplits), Value: m.heatSplits},
		cluster.Counter{ID: metric.Of(metric.HeatSplitsRefused), Value: m.heatRefused},
		cluster.Counter{ID: metric.Of(metric.ScaleUps), Value: m.scaleUps},
		cluster.Counter{ID: metric.Of(metric.ScaleDowns), Value: m.scaleDowns},
		cluster.Counter{ID: metric.Of(metric.LeaderFailovers), Value: m.leaderFailovers},
	)
	if len(m.cfg.LSIs) > 0 {
		cs = append(cs, cluster.Counter{ID: metric.Of(metric.CollectionLimitHits), Value: m.collectionLimit})
	}
	return cs
}

// ResetCounters zeroes the counters, at the end of a warm-up.
func (m *Model) ResetCounters() {
	for _, t := range m.tables() {
		for _, p := range t.parts {
			p.throttles = 0
		}
	}
	m.throttledReads, m.throttledWrites, m.backpressure, m.unprocessed = 0, 0, 0, 0
	m.unavailable, m.invalid, m.heatSplits, m.heatRefused = 0, 0, 0, 0
	m.scaleUps, m.scaleDowns, m.leaderFailovers, m.collectionLimit = 0, 0, 0, 0
	if m.stream != nil {
		m.stream.st = StreamStats{MemoryMB: m.stream.cfg.MemoryMB}
	}
	if m.global != nil {
		m.global.reset()
	}
}

// GlobalStats are the global table's totals since ResetCounters; nil
// without replicas.
func (m *Model) GlobalStats() *GlobalStats {
	if m.global == nil {
		return nil
	}
	return m.global.stats()
}

// StreamStats are the stream's totals since ResetCounters; nil without
// a stream.
func (m *Model) StreamStats() *StreamStats {
	if m.stream == nil {
		return nil
	}
	st := m.stream.st
	return &st
}
