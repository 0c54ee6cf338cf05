package aurora

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// write is one redo record on its way to durability: the time each of its
// PG's six segments acknowledges it (sim.Forever: never, the segment is down
// or unreachable), until it is committed and every acknowledgement is in.
type write struct {
	c     *cluster.Call
	lsn   uint64
	pg    *pg
	ack   [Segments]sim.Time
	timer sim.Timer
	open  int // index in pg.open

	durable, committed, acked, dead, stalled bool
}

// heldBy is the set of segments that have acknowledged w by now.
func (w *write) heldBy(now sim.Time) uint8 {
	var h uint8
	for s, t := range w.ack {
		if t <= now {
			h |= 1 << s
		}
	}
	return h
}

// settled: w is committed (or abandoned) and every acknowledgement that
// will come has come.
func (w *write) settled(now sim.Time) bool {
	if w.dead {
		return true
	}
	if !w.committed {
		return false
	}
	for _, t := range w.ack {
		if t != sim.Forever && t > now {
			return false
		}
	}
	return true
}

// kth is the k-th smallest (1-based) of the six acknowledgement times.
// Every write asks, over times in random order, so it sorts them with a
// fixed network of 12 compare-exchanges (min and max, without branches
// a processor would mispredict; Knuth, TAOCP vol. 3, 5.3.4, the optimal
// network for six) where an insertion sort branched on every comparison.
func kth(a [Segments]sim.Time, k int) sim.Time {
	cx := func(i, j int) { a[i], a[j] = min(a[i], a[j]), max(a[i], a[j]) }
	cx(0, 5)
	cx(1, 3)
	cx(2, 4)
	cx(1, 2)
	cx(3, 4)
	cx(0, 3)
	cx(2, 5)
	cx(0, 1)
	cx(2, 3)
	cx(4, 5)
	cx(1, 2)
	cx(3, 4)
	return a[k-1]
}

// node is a storage node holding segments of the volume.
type node struct {
	id   int
	name string
	az   cluster.AZ
	// failed counts the node's own failures that last now (scheduled ones
	// and its random process's), as opposed to its AZ's outage: the node
	// is down while any of them, or the outage, lasts.
	failed int
	down   bool
	slow   float64
	lat    sim.Dist
	segs   []segRef
	proc   bool // a random failure process runs for it
}

type segRef struct {
	pg   *pg
	slot int
}

// run is a set of settled, acknowledged writes of one PG that are held by
// the same segments, too few of them to meet every read quorum whatever
// fails later: what crash recovery could lose. Only the lowest LSN
// matters, because recovery truncates the log at the first gap. A write
// held by 7 − Vr or more segments is safe for good (every Vr live segments
// include a holder, and a repair always finds a holder to copy from), so
// with Aurora's quorums (every acknowledged write is on >= 4 = 7 − 3) no
// run is ever kept.
type run struct {
	held     uint8
	minAcked uint64
}

// pg is a protection group: six segments of one 10 GB range of the volume.
type pg struct {
	idx   int
	bytes int64
	seg   [Segments]*node
	// writable and readable are what Quorum says of the live segments.
	writable, readable bool
	open               []*write // unsettled writes, any order
	runs               []run
	stalled            int // non-durable writes that cannot reach a write quorum now
	repair             [Segments]bool
}

func (p *pg) upMask() uint8 {
	var u uint8
	for s, n := range p.seg {
		if !n.down {
			u |= 1 << s
		}
	}
	return u
}

// storage is the cluster volume and its storage nodes.
type storage struct {
	m     *Model
	pgs   []*pg
	nodes []*node
	vw    int
	vr    int

	mttf, mttr     time.Duration
	onFail, onBack func(any)
	frng           *rand.Rand // failure and return times

	// Availability accounting.
	stuckW, stuckR      int // PGs below the write / read quorum
	last                sim.Time
	writeDown, readDown time.Duration // volume-level
	pgWriteDown         time.Duration // summed over PGs
	failures, repairs   int64
}

func (st *storage) init(m *Model) {
	st.m = m
	cfg := m.cfg.Storage
	st.vw, st.vr = cfg.WriteQuorum, cfg.ReadQuorum
	st.onFail, st.onBack = st.failNode, st.nodeBack
	st.frng = m.k.Stream("aurora/storage-failures")
	n := int((m.cfg.VolumeBytes + cfg.PGBytes - 1) / cfg.PGBytes)
	n = max(n, 1)
	perAZ := cfg.NodesPerAZ
	if perAZ <= 0 {
		perAZ = 2 * n
	}
	for a := range 3 {
		for range perAZ {
			st.addNode(cfg.AZs[a])
		}
	}
	for p := range n {
		g := &pg{idx: p, bytes: min(cfg.PGBytes, max(m.cfg.VolumeBytes-int64(p)*cfg.PGBytes, 0))}
		for s := range Segments {
			a := SegmentAZ(s)
			nd := st.nodes[a*perAZ+(2*p+s%2)%perAZ]
			g.seg[s] = nd
			nd.segs = append(nd.segs, segRef{g, s})
		}
		g.writable, g.readable = Quorum(g.upMask(), st.vw, st.vr)
		st.pgs = append(st.pgs, g)
	}
	st.last = m.k.Now()
	if cfg.MTTF > 0 {
		st.startFailures(cfg.MTTF, cfg.MTTR)
	}
}

func (st *storage) addNode(az cluster.AZ) *node {
	n := &node{id: len(st.nodes), az: az, slow: 1}
	n.name = fmt.Sprintf("sn-%d(%s)", n.id, st.m.topo.Name(az))
	n.down = !st.m.topo.Up(az)
	st.nodes = append(st.nodes, n)
	return n
}

func (st *storage) pgOf(key uint64) *pg { return st.pgs[key%uint64(len(st.pgs))] }

func (st *storage) persist(n *node) time.Duration {
	d := st.m.cfg.Storage.NodeLatency
	if n.lat != nil {
		d = n.lat
	}
	return sim.Seconds(d.Sample(st.m.srng) * n.slow)
}

// nearest is the up segment of p that az reaches fastest (nil if none).
func (st *storage) nearest(p *pg, az cluster.AZ) *node {
	var best *node
	for _, n := range p.seg {
		if n.down || !st.m.topo.Reachable(az, n.az) {
			continue
		}
		if best == nil || st.m.topo.RTT(az, n.az) < st.m.topo.RTT(az, best.az) {
			best = n
		}
	}
	return best
}

// --- writes ---

// send delivers w's redo record to every reachable live segment of p: each
// acknowledges after the round trip and its node's persist time.
func (st *storage) send(w *write, p *pg, from cluster.AZ) {
	now := st.m.k.Now()
	w.pg = p
	for s, n := range p.seg {
		if n.down || !st.m.topo.Reachable(from, n.az) {
			w.ack[s] = sim.Forever
			continue
		}
		w.ack[s] = now.Add(st.m.topo.RTT(from, n.az) + st.persist(n))
	}
	w.open = len(p.open)
	p.open = append(p.open, w)
	st.arm(w)
}

// arm schedules w's durability at its write-quorum acknowledgement, or
// marks it stalled when too few segments will acknowledge.
func (st *storage) arm(w *write) {
	k := st.m.k
	k.Cancel(w.timer)
	t := kth(w.ack, st.vw)
	if t == sim.Forever {
		w.timer = sim.Timer{}
		if !w.stalled {
			w.stalled = true
			w.pg.stalled++
		}
		return
	}
	if w.stalled {
		w.stalled = false
		w.pg.stalled--
	}
	w.timer = k.AtArg(t, st.m.onQuorum, w)
}

// quorum: the write-quorum acknowledgement of a record is in.
func (m *Model) quorum(a any) {
	w := a.(*write)
	if w.dead || w.durable {
		return
	}
	w.timer = sim.Timer{}
	w.durable = true
	m.advance()
}

func (m *Model) newWrite() *write {
	if n := len(m.free); n > 0 {
		w := m.free[n-1]
		m.free = m.free[:n-1]
		return w
	}
	return &write{}
}

// abandon drops every uncommitted write: the writer that would have
// acknowledged them is gone. Recovery truncates the log at the VDL.
func (m *Model) abandon() {
	for _, w := range m.inflight[m.inHead:] {
		w.dead = true
		w.c = nil
		m.k.Cancel(w.timer)
		if w.stalled {
			w.stalled = false
			w.pg.stalled--
		}
	}
	clear(m.inflight)
	m.inflight, m.inHead = m.inflight[:0], 0
	clear(m.lalWait)
	m.lalWait = m.lalWait[:0]
	m.lsn = m.vdl
}

// settle folds a committed write whose acknowledgements are all in into its
// PG's runs (if some segment lacks it) and forgets it.
func (st *storage) settle(w *write) {
	now := st.m.k.Now()
	if !w.settled(now) {
		return
	}
	p := w.pg
	if w.acked {
		if h := w.heldBy(now); bits.OnesCount8(h) < st.safeHeld() {
			p.addRun(h, w.lsn)
		}
	}
	last := len(p.open) - 1
	p.open[w.open] = p.open[last]
	p.open[w.open].open = w.open
	p.open[last] = nil
	p.open = p.open[:last]
	*w = write{}
	st.m.free = append(st.m.free, w)
}

func (p *pg) addRun(held uint8, lsn uint64) {
	for i := range p.runs {
		if p.runs[i].held == held {
			p.runs[i].minAcked = min(p.runs[i].minAcked, lsn)
			return
		}
	}
	p.runs = append(p.runs, run{held: held, minAcked: lsn})
}

// housekeep settles what can be settled and resends stalled records to
// segments that became reachable (a healed partition).
func (st *storage) housekeep() {
	now := st.m.k.Now()
	from := st.m.writer.host.AZ
	for _, p := range st.pgs {
		for i := len(p.open) - 1; i >= 0; i-- {
			if i < len(p.open) {
				st.settle(p.open[i])
			}
		}
		if p.stalled == 0 {
			continue
		}
		for _, w := range p.open {
			if !w.stalled {
				continue
			}
			for s, n := range p.seg {
				if w.ack[s] == sim.Forever && !n.down && st.m.topo.Reachable(from, n.az) {
					w.ack[s] = now.Add(st.m.topo.RTT(from, n.az) + st.persist(n))
				}
			}
			st.arm(w)
		}
	}
	st.account()
}

func (st *storage) openWrites() int {
	n := 0
	for _, p := range st.pgs {
		n += len(p.open)
	}
	return n
}

// safeLSN is the LSN at or below which every acknowledged write is safe
// for good (vdl when nothing is at risk): the acknowledgement log keeps
// only what is above it.
func (st *storage) safeLSN(vdl uint64) uint64 {
	safe := vdl
	now := st.m.k.Now()
	for _, p := range st.pgs {
		for _, r := range p.runs {
			safe = min(safe, r.minAcked-1)
		}
		for _, w := range p.open {
			if w.acked && bits.OnesCount8(w.heldBy(now)) < st.safeHeld() {
				safe = min(safe, w.lsn-1)
			}
		}
	}
	return safe
}

// firstLost is the lowest acknowledged LSN that some read quorum of the
// live segments of its PG would miss.
func (st *storage) firstLost() (uint64, bool) {
	now := st.m.k.Now()
	var first uint64
	found := false
	note := func(lsn uint64) {
		if !found || lsn < first {
			first, found = lsn, true
		}
	}
	for _, p := range st.pgs {
		up := p.upMask()
		for _, r := range p.runs {
			if !Intersects(r.held, up, st.vr) {
				note(r.minAcked)
			}
		}
		for _, w := range p.open {
			if w.acked && !Intersects(w.heldBy(now), up, st.vr) {
				note(w.lsn)
			}
		}
	}
	return first, found
}

// readable reports whether every PG has a read quorum: what a new writer
// needs to open the volume (fact 3.15).
func (st *storage) readable() bool { return st.stuckR == 0 }

// openTime is the time to find the VDL at recovery: one read-quorum round
// trip per PG, all in parallel.
func (st *storage) openTime(from cluster.AZ) time.Duration {
	var worst time.Duration
	for _, p := range st.pgs {
		var rtts []time.Duration
		for _, n := range p.seg {
			if !n.down && st.m.topo.Reachable(from, n.az) {
				rtts = append(rtts, st.m.topo.RTT(from, n.az))
			}
		}
		if len(rtts) < st.vr {
			continue
		}
		for i := 1; i < len(rtts); i++ {
			for j := i; j > 0 && rtts[j] < rtts[j-1]; j-- {
				rtts[j], rtts[j-1] = rtts[j-1], rtts[j]
			}
		}
		worst = max(worst, rtts[st.vr-1])
	}
	return worst
}

// --- availability accounting ---

func (st *storage) account() {
	now := st.m.k.Now()
	dt := now.Sub(st.last)
	st.last = now
	if dt <= 0 {
		return
	}
	if st.stuckW > 0 {
		st.writeDown += dt
		st.pgWriteDown += time.Duration(st.stuckW) * dt
	}
	if st.stuckR > 0 {
		st.readDown += dt
	}
}

// quorumChanged follows a segment of p going down or coming back: what
// Quorum says of its live segments now, and the groups stuck below it.
func (st *storage) quorumChanged(p *pg) {
	st.account()
	wasW, wasR := p.writable, p.readable
	p.writable, p.readable = Quorum(p.upMask(), st.vw, st.vr)
	isW, isR := p.writable, p.readable
	if wasW && !isW {
		st.stuckW++
	} else if !wasW && isW {
		st.stuckW--
	}
	if wasR && !isR {
		st.stuckR++
	} else if !wasR && isR {
		st.stuckR--
	}
}

// --- node failures and repair ---

func (st *storage) nodeDown(n *node) {
	if n.down {
		return
	}
	n.down = true
	if len(n.segs) > 0 {
		st.m.armTick()
	}
	now := st.m.k.Now()
	for _, r := range n.segs {
		p, s := r.pg, r.slot
		st.quorumChanged(p)
		// Acknowledgements still on their way from this node never come.
		for _, w := range p.open {
			if w.dead || w.ack[s] == sim.Forever || w.ack[s] <= now {
				continue
			}
			w.ack[s] = sim.Forever
			if !w.durable {
				st.arm(w)
			}
		}
		st.scheduleRepair(p, s, n)
	}
}

func (st *storage) nodeUp(n *node) {
	if !n.down {
		return
	}
	n.down = false
	for _, r := range n.segs {
		st.segmentUp(r.pg, r.slot, false)
	}
}

// segmentUp brings slot s of p back: its node returned with its data, or a
// new node was filled with a copy (replaced). Either way it catches up
// from its live peers (gossip, fact 3.9) with what they hold, and
// receives the records still waiting for a quorum.
func (st *storage) segmentUp(p *pg, s int, replaced bool) {
	m := st.m
	now := m.k.Now()
	bit := uint8(1) << s
	st.quorumChanged(p)
	others := p.upMask() &^ bit
	from := m.writer.host.AZ
	n := p.seg[s]
	for i := range p.runs {
		r := &p.runs[i]
		has := r.held&others != 0
		if replaced {
			r.held &^= bit
		}
		if has {
			r.held |= bit
		}
	}
	p.mergeRuns(st.safeHeld())
	for _, w := range p.open {
		if w.dead {
			continue
		}
		if w.durable {
			if replaced || w.ack[s] == sim.Forever {
				if w.heldBy(now)&others != 0 {
					w.ack[s] = now
				} else {
					w.ack[s] = sim.Forever
				}
			}
			continue
		}
		if (replaced || w.ack[s] == sim.Forever) && m.topo.Reachable(from, n.az) {
			w.ack[s] = now.Add(m.topo.RTT(from, n.az) + st.persist(n))
			st.arm(w)
		}
	}
	if m.waitVolume != nil && st.readable() {
		in := m.waitVolume
		m.waitVolume = nil
		m.recover(in)
	}
}

// safeHeld is the number of holders that makes a write safe for good.
func (st *storage) safeHeld() int { return Segments + 1 - st.vr }

func (p *pg) mergeRuns(safe int) {
	out := p.runs[:0]
	for _, r := range p.runs {
		if bits.OnesCount8(r.held) >= safe {
			continue
		}
		merged := false
		for i := range out {
			if out[i].held == r.held {
				out[i].minAcked = min(out[i].minAcked, r.minAcked)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, r)
		}
	}
	p.runs = out
}

// scheduleRepair re-replicates slot s of p, whose node n failed, onto a new
// node in the same AZ (fact 3.4), after RepairDetect.
func (st *storage) scheduleRepair(p *pg, s int, n *node) {
	cfg := st.m.cfg.Storage
	if cfg.RepairRate <= 0 || p.repair[s] {
		return
	}
	p.repair[s] = true
	var try func()
	try = func() {
		if p.seg[s] != n || !n.down || !st.m.topo.Up(n.az) {
			// The node came back first, or its AZ is down: the AZ's return
			// brings the node back, or restarts this repair (azChanged).
			p.repair[s] = false
			return
		}
		if !p.readable {
			st.m.k.After(cfg.RepairDetect, try) // no read quorum to copy from yet
			return
		}
		copyTime := sim.Seconds(float64(p.bytes) / cfg.RepairRate)
		st.m.k.After(copyTime, func() {
			if p.seg[s] != n || !n.down {
				p.repair[s] = false
				return
			}
			if !st.m.topo.Up(n.az) || !p.readable {
				try()
				return
			}
			p.repair[s] = false
			st.replace(p, s, n, copyTime)
		})
	}
	st.m.k.After(cfg.RepairDetect, try)
}

func (st *storage) replace(p *pg, s int, old *node, copyTime time.Duration) {
	for i, r := range old.segs {
		if r.pg == p && r.slot == s {
			old.segs = append(old.segs[:i], old.segs[i+1:]...)
			break
		}
	}
	nn := st.addNode(old.az)
	nn.segs = []segRef{{p, s}}
	p.seg[s] = nn
	st.repairs++
	wasW := p.writable
	st.segmentUp(p, s, true)
	label, quorum := fmt.Sprintf("PG %d repaired", p.idx), ""
	if !wasW && p.writable {
		label, quorum = fmt.Sprintf("PG %d writable", p.idx), ": the protection group has its write quorum again"
	}
	st.m.log.Markf(cluster.Repaired, label, "storage: segment %d of PG %d re-replicated from %s onto %s (%.1f GB in %.1f s)%s",
		s, p.idx, old.name, nn.name, float64(p.bytes)/float64(GB), copyTime.Seconds(), quorum)
	if st.mttf > 0 {
		st.startProc(nn)
	}
}

// startFailures makes every storage node fail at random, on average every
// mttf, each failure lasting an exponential time of mean mttr (unless its
// segments are repaired elsewhere first).
func (st *storage) startFailures(mttf, mttr time.Duration) {
	if mttf <= 0 {
		return
	}
	st.mttf, st.mttr = mttf, mttr
	for _, n := range st.nodes {
		if len(n.segs) > 0 && !n.proc {
			st.startProc(n)
		}
	}
}

func (st *storage) frand() float64 { return st.frng.ExpFloat64() }

func (st *storage) startProc(n *node) {
	n.proc = true
	st.m.k.AfterArg(sim.Seconds(st.mttf.Seconds()*st.frand()), st.onFail, n)
}

func (st *storage) failNode(a any) {
	n := a.(*node)
	if len(n.segs) == 0 {
		n.proc = false
		return
	}
	n.failed++
	if n.failed == 1 {
		st.failures++
		st.nodeDown(n)
	}
	st.m.k.AfterArg(sim.Seconds(st.mttr.Seconds()*st.frand()), st.onBack, n)
}

func (st *storage) nodeBack(a any) {
	n := a.(*node)
	n.failed--
	if n.failed == 0 && st.m.topo.Up(n.az) {
		st.nodeUp(n)
	}
	if len(n.segs) == 0 {
		n.proc = false
		return
	}
	st.m.k.AfterArg(sim.Seconds(st.mttf.Seconds()*st.frand()), st.onFail, n)
}

// azChanged takes the storage nodes of az down, or brings back those that
// have not failed on their own.
func (st *storage) azChanged(az cluster.AZ, down bool) {
	for _, n := range st.nodes {
		if n.az != az {
			continue
		}
		switch {
		case down:
			st.nodeDown(n)
		case n.failed == 0:
			st.nodeUp(n)
		default:
			for _, r := range n.segs { // failed on its own: repair it now
				st.scheduleRepair(r.pg, r.slot, n)
			}
		}
	}
}

// relocate makes the volume the copy in another Region after a global
// failover or switchover: that copy has the same protection groups, on a
// fleet of its own in azs (the AZs of the old Storage.AZs, in order, map
// to them). Its nodes are up unless their AZ is down; the old fleet's own
// failures stay behind with it.
func (st *storage) relocate(azs [3]cluster.AZ) {
	m := st.m
	old := m.cfg.Storage.AZs
	m.cfg.Storage.AZs = azs
	for _, n := range st.nodes {
		for i, a := range old {
			if n.az == a {
				n.az = azs[i]
				break
			}
		}
		n.failed, n.slow, n.lat = 0, 1, nil
		switch up := m.topo.Up(n.az); {
		case up && n.down:
			st.nodeUp(n)
		case !up && !n.down:
			st.nodeDown(n)
		}
	}
}
