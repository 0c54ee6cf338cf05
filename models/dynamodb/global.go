package dynamodb

// Global tables (REFERENCES facts 5.32, 5.45, 5.47): the table is one
// replica of a global table, with a replica table in each other Region,
// and every replica takes writes (multi-Region eventual consistency).
//
//   - The Regions: the table's own (the Region of RouterAZ, where the
//     partitions, capacity and faults above are modelled) and one per
//     Replica. A Replica whose Region has writers (Replica.Writes) serves
//     requests at a router of its own (RegionEndpoint): a write commits
//     there after the router's work, the leader's log write and a round
//     trip to a follower in another AZ of the Region (two of three, fact
//     5.25). Its partitions and capacity are not modelled: AWS requires
//     the replicas the table's write capacity settings (fact 5.47), so a
//     replica table is taken to serve every request (reads at
//     ReadService).
//   - Every write committed in a Region at c is replicated to every other
//     Region, arriving at c + ReplicationDelay + the one-way delay between
//     the Regions (fact 6.5). The delay is the replication service's own
//     time; fact 5.32 publishes only that items usually propagate "within
//     a second".
//   - Last writer wins (fact 5.45): each Region keeps, per item, the
//     newest write it holds (by commit time) and, per Region, the newest
//     of that Region's writes of the item it has received (a vector
//     clock); a write carries the clock of its Region at its commit. A
//     replicated write that arrives where the item holds a newer write is
//     discarded there. When that newer write's Region had not received
//     the arriving write when it committed, the two were concurrent: a
//     conflict, and the arriving write is a lost update, counted once
//     however many Regions discard it. Otherwise the newer write only
//     supersedes it (it was made knowing it, or its replication overtook
//     it): not a conflict.
//   - A Region that is down holds nothing: what arrives for it waits and
//     is applied when it returns (the replication latency of those writes
//     is then the outage). A Region that fails keeps the writes it
//     committed and another Region has not yet received until it returns:
//     they are at risk, counted when the outage begins as the most writes
//     any one other Region lacks (an application that moves to another
//     Region does not see them). The other Regions keep serving.
//
// Memory is bounded. A write in flight is one kernel event per other
// Region until it arrives (rate × delay of them), with its clock (one
// time per Region); the last-writer-wins state (an item's newest write
// and clock) keeps an item only while a write older than it may still
// arrive:
// once a second, each Region forgets the items whose newest write is
// older than the oldest write still in flight to it (or held for it),
// which would lose to any such write anyway: rate × replication window
// items, exactly. Writes held for a Region that is down are counted per
// second of commit (latency) and kept per item, the newest of each
// (last writer wins at release): at most the items written during the
// outage, never more than the table's keys, however long it lasts.

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/sim"
)

// Replica is a replica table of a global table in another Region.
type Replica struct {
	// Region names the Region; AZ is where its replica table's endpoint
	// stands for the one-way delay (an AZ of the Region).
	Region string
	AZ     cluster.AZ
	// Writes says that clients write in this Region too: the replica
	// serves them (RegionEndpoint) and its replication to each other
	// Region is a series of its own.
	Writes bool
}

// GlobalStats are a global table's totals since the last ResetCounters.
type GlobalStats struct {
	// Replicated counts the writes that reached another Region, applied
	// or discarded there by last writer wins (a write that reaches two
	// Regions counts twice).
	Replicated int64
	// AtRisk counts, at each outage of a Region, the writes committed
	// there that another Region had not yet received: the most any one
	// Region lacked.
	AtRisk int64
	// Conflicts counts the lost updates: writes discarded by last writer
	// wins in at least one Region, where a concurrent write to the item
	// from another Region was newer.
	Conflicts int64
	// RemoteWriteUnits are the write units the replica Regions' own
	// writers committed (the table's own are in its consumed gauges).
	RemoteWriteUnits float64
	// Latency is the replication latency of every replicated write, from
	// its commit to its arrival in the other Region.
	Latency *sim.Latency
	// Pairs are the same per Region pair, source first, for the pairs
	// whose source Region has writers.
	Pairs []PairStats
}

// PairStats is one direction of replication, From's writes to To.
type PairStats struct {
	From, To   string
	Replicated int64
	// Conflicts counts From's writes that To discarded: To held a newer
	// write of the item from another Region.
	Conflicts int64
	Latency   *sim.Latency
}

// held counts writes by second of commit (in flight, or waiting for a
// Region).
type held struct {
	sec sim.Time // the second (start) of the commits
	n   int64
}

// item is what a Region holds of an item: its newest write, and the
// newest write of each Region it has received (commit times; 0: none).
type item struct {
	cur  *write
	know []sim.Time
}

type region struct {
	name     string
	az, peer cluster.AZ // the router's AZ and a follower's
	writes   bool
	down     bool
	router   *cluster.Host // nil for the table's own Region
	endpoint *cluster.Record
	items    map[uint64]item
	pending  []held // writes in flight to the Region, by second of commit
}

// write is one committed write of one item, shared by its shipments;
// seen[r] is the newest write of the item from Region r that its Region
// had received when it committed (its own: commit).
type write struct {
	key    uint64
	commit sim.Time
	from   int
	seen   []sim.Time
	lost   bool
}

// pair is the replication of Region from's writes to Region to.
type pair struct {
	from, to int
	shipped  int64 // writes sent since the start (never reset)
	received int64 // of those, received
	held     []held
	heldKeys map[uint64]*write // the newest held write of each item
	st       PairStats
	logged   bool // its first conflict is in the narrative
	// The writes received since the gauge's last sample.
	sum time.Duration
	n   int64
}

type globalModel struct {
	m         *Model
	delay     sim.Dist
	rng       *rand.Rand // replication delays
	serveRng  *rand.Rand // the replica Regions' routers
	regions   []*region  // the table's own first
	pairs     [][]*pair  // pairs[from][to]; nil where from == to
	st        GlobalStats
	nextPrune sim.Time
}

// shipment is one write in flight to one Region.
type shipment struct {
	w *write
	p *pair
}

func newGlobal(m *Model) *globalModel {
	g := &globalModel{m: m, delay: m.cfg.ReplicationDelay,
		rng: m.k.Stream("dynamodb/global"), serveRng: m.k.Stream("dynamodb/global/serve"),
		st: GlobalStats{Latency: sim.NewLatency()}}
	t := m.topo
	g.regions = append(g.regions, &region{name: t.Region(m.cfg.RouterAZ), az: m.cfg.RouterAZ, writes: true, items: map[uint64]item{}})
	for _, r := range m.cfg.Replicas {
		reg := &region{name: r.Region, az: r.AZ, peer: r.AZ, writes: r.Writes, items: map[uint64]item{}}
		for _, a := range t.RegionAZs(r.Region) {
			if a != r.AZ {
				reg.peer = a
				break
			}
		}
		if r.Writes {
			i := len(g.regions)
			reg.router = cluster.NewHost("dynamodb-router-"+r.Region, r.AZ)
			reg.router.Serve = func(c *cluster.Call) { g.serve(i, c) }
			reg.router.SetAccepting(true)
			reg.endpoint = cluster.NewRecord(m.k, "dynamodb-"+r.Region, time.Minute, 0, reg.router)
		}
		g.regions = append(g.regions, reg)
	}
	g.pairs = make([][]*pair, len(g.regions))
	for from := range g.regions {
		g.pairs[from] = make([]*pair, len(g.regions))
		for to := range g.regions {
			if from != to {
				g.pairs[from][to] = &pair{from: from, to: to, heldKeys: map[uint64]*write{},
					st: PairStats{From: g.regions[from].name, To: g.regions[to].name, Latency: sim.NewLatency()}}
			}
		}
	}
	return g
}

// RegionEndpoint is the endpoint of the replica table in region, whose
// clients write there (Replica.Writes), and the AZ of its router.
func (m *Model) RegionEndpoint(region string) (*cluster.Record, cluster.AZ, bool) {
	if m.global == nil {
		return nil, 0, false
	}
	for _, r := range m.global.regions[1:] {
		if r.name == region && r.endpoint != nil {
			return r.endpoint, r.az, true
		}
	}
	return nil, 0, false
}

// serve is replica Region i's router: every request is served (its
// capacity is not modelled); a write commits after the router's work and
// a quorum write in the Region, and is replicated to every other Region.
func (g *globalModel) serve(i int, c *cluster.Call) {
	m := g.m
	r := g.regions[i]
	op := m.opOf(c)
	size := m.itemBytes(int(c.Size))
	d := sim.Seconds(m.cfg.RouterLatency.Sample(g.serveRng))
	c.Node = nil
	if size > m.cfg.MaxItemBytes {
		m.invalid++ // fact 5.7
		m.answer(c, cluster.Invalid, d)
		return
	}
	if op.Kind.multi() {
		op.Unprocessed, op.UnprocessedKeys = 0, op.UnprocessedKeys[:0]
	}
	if !op.Kind.Write() {
		m.answer(c, cluster.OK, d+sim.Seconds(m.cfg.ReadService.Sample(g.serveRng)))
		return
	}
	// The leader persists its log record and a follower in another AZ
	// acknowledges (two of three, fact 5.25).
	d += sim.Seconds(m.cfg.LogWrite.Sample(g.serveRng)) + m.topo.RTT(r.az, r.peer)
	commit := m.k.Now().Add(d)
	n := 1
	if op.Kind.multi() {
		n = op.items()
	}
	for j := 0; j < n; j++ {
		key := c.Key
		if op.Kind.multi() {
			key = op.key(c.Key, j)
		}
		g.st.RemoteWriteUnits += WriteUnits(size, op.Kind == TransactWriteItems)
		g.replicate(i, key, commit)
	}
	m.answer(c, cluster.OK, d)
}

// replicate records the write of key committed at commit in Region from
// and sends it to every other Region.
func (g *globalModel) replicate(from int, key uint64, commit sim.Time) {
	now := g.m.k.Now()
	g.prune(now)
	src := g.regions[from]
	it := g.item(src, key)
	w := &write{key: key, commit: commit, from: from, seen: slices.Clone(it.know)}
	w.seen[from] = commit
	it.know[from] = max(it.know[from], commit)
	if it.cur == nil || it.cur.commit < commit {
		it.cur = w
	}
	src.items[key] = it
	for to, dst := range g.regions {
		if to == from {
			continue
		}
		p := g.pairs[from][to]
		d := sim.Seconds(g.delay.Sample(g.rng)) + g.m.topo.OneWay(src.az, dst.az)
		p.shipped++
		dst.pending = addHeld(dst.pending, commit, 1)
		g.m.k.AfterArg(commit.Add(d).Sub(now), g.arrive, &shipment{w: w, p: p})
	}
}

// arrive delivers a write to its Region, or holds it while the Region,
// or the one it comes from, is down.
func (g *globalModel) arrive(a any) {
	s := a.(*shipment)
	p := s.p
	dst := g.regions[p.to]
	dst.pending = doneHeld(dst.pending, s.w.commit)
	if g.regions[p.from].down || dst.down {
		p.held = addHeld(p.held, s.w.commit, 1)
		if o := p.heldKeys[s.w.key]; o == nil || o.commit < s.w.commit {
			p.heldKeys[s.w.key] = s.w
		}
		return
	}
	g.received(p, g.m.k.Now().Sub(s.w.commit), 1)
	g.resolve(p, s.w)
}

// received counts n writes of p received after lat.
func (g *globalModel) received(p *pair, lat time.Duration, n int64) {
	p.received += n
	p.sum += time.Duration(n) * lat
	p.n += n
	p.st.Replicated += n
	g.st.Replicated += n
	for i := int64(0); i < n; i++ {
		g.st.Latency.Record(lat)
		p.st.Latency.Record(lat)
	}
}

// item is r's item key, its clock made.
func (g *globalModel) item(r *region, key uint64) item {
	it := r.items[key]
	if it.know == nil {
		it.know = make([]sim.Time, len(g.regions))
	}
	return it
}

// resolve applies w in p's destination, unless the item there holds a
// newer write: last writer wins.
func (g *globalModel) resolve(p *pair, w *write) {
	dst := g.regions[p.to]
	it := g.item(dst, w.key)
	for r, t := range w.seen {
		it.know[r] = max(it.know[r], t)
	}
	v := it.cur
	switch {
	case v == nil || v.commit < w.commit:
		it.cur = w
	case v.seen[w.from] < w.commit:
		// v's Region had not received w when v committed: concurrent.
		p.st.Conflicts++
		if !w.lost {
			w.lost = true
			g.st.Conflicts++
		}
		if !p.logged && g.m.log != nil {
			p.logged = true
			g.m.log.Addf("global table: a write from %s to item %d, committed %.0f ms before a write to it from %s, arrives in %s after it: last writer wins, the first is a lost update (first conflict of the pair)",
				g.regions[w.from].name, w.key, v.commit.Sub(w.commit).Seconds()*1000, g.regions[v.from].name, dst.name)
		}
	}
	dst.items[w.key] = it
}

// outage follows the Regions' outages: a Region's failure puts its
// unreplicated writes at risk; a Region's return releases what waits for
// it and what it held.
func (g *globalModel) outage() {
	t := g.m.topo
	for i, r := range g.regions {
		down := regionDown(t, r.name)
		if down && !r.down {
			var risk int64
			for _, p := range g.pairs[i] {
				if p != nil {
					risk = max(risk, p.shipped-p.received)
				}
			}
			g.st.AtRisk += risk
			if g.m.log != nil {
				g.m.log.Addf("global table: %s fails with %d committed writes not yet replicated (at risk until it returns)", r.name, risk)
			}
		}
		r.down = down
	}
	now := t.Kernel().Now()
	for _, ps := range g.pairs {
		for _, p := range ps {
			if p == nil || len(p.held) == 0 || g.regions[p.from].down || g.regions[p.to].down {
				continue
			}
			var n int64
			for _, h := range p.held {
				// Committed within the second: half a second is the mean.
				g.received(p, now.Sub(h.sec)-time.Second/2, h.n)
				n += h.n
			}
			p.held = p.held[:0]
			keys := make([]uint64, 0, len(p.heldKeys))
			for k := range p.heldKeys {
				keys = append(keys, k)
			}
			slices.Sort(keys) // the narrative names the first conflict
			for _, k := range keys {
				g.resolve(p, p.heldKeys[k])
			}
			clear(p.heldKeys)
			if g.m.log != nil {
				g.m.log.Addf("global table: %d writes from %s held for %s applied there", n, g.regions[p.from].name, g.regions[p.to].name)
			}
		}
	}
}

// prune forgets, once a second, each Region's items whose newest write
// is older than every write still in flight to it or held for it: such
// a write would win anyway.
func (g *globalModel) prune(now sim.Time) {
	if now < g.nextPrune {
		return
	}
	g.nextPrune = now.Add(time.Second)
	for i, r := range g.regions {
		oldest := now
		if len(r.pending) > 0 {
			oldest = min(oldest, r.pending[0].sec)
		}
		for from := range g.regions {
			if p := g.pairs[from][i]; p != nil && len(p.held) > 0 {
				oldest = min(oldest, p.held[0].sec)
			}
		}
		for k, it := range r.items {
			if it.cur.commit < oldest {
				delete(r.items, k)
			}
		}
	}
}

// addHeld adds n writes committed at commit to hs, kept in order of
// second (commits come nearly in order: the search is short).
func addHeld(hs []held, commit sim.Time, n int64) []held {
	sec := commit - commit%sim.Time(time.Second)
	i := len(hs)
	for i > 0 && hs[i-1].sec > sec {
		i--
	}
	if i > 0 && hs[i-1].sec == sec {
		hs[i-1].n += n
		return hs
	}
	return slices.Insert(hs, i, held{sec: sec, n: n})
}

// doneHeld removes a write committed at commit from hs, and the empty
// seconds at its front.
func doneHeld(hs []held, commit sim.Time) []held {
	sec := commit - commit%sim.Time(time.Second)
	for i := range hs {
		if hs[i].sec == sec {
			hs[i].n--
			break
		}
	}
	i := 0
	for i < len(hs) && hs[i].n <= 0 {
		i++
	}
	if i == 0 {
		return hs
	}
	return append(hs[:0], hs[i:]...)
}

// gauges are each writing Region's metric.ReplicationLatency to each
// other Region, subject "from>to".
func (g *globalModel) gauges() []cluster.Gauge {
	var gs []cluster.Gauge
	for _, ps := range g.pairs {
		for _, p := range ps {
			if p == nil || !g.regions[p.from].writes {
				continue
			}
			var n int64 // the writes the last sample averaged
			gs = append(gs, cluster.Gauge{ID: metric.OfInstance(metric.ReplicationLatency, p.st.From+">"+p.st.To), Sample: func() float64 {
				n = p.n
				if p.n == 0 {
					return math.NaN()
				}
				v := float64(p.sum) / float64(p.n) / float64(time.Millisecond)
				p.sum, p.n = 0, 0
				return v
			}, Events: func() float64 { return float64(n) }})
		}
	}
	return gs
}

// reset starts the totals again (ResetCounters).
func (g *globalModel) reset() {
	g.st = GlobalStats{Latency: sim.NewLatency()}
	for _, ps := range g.pairs {
		for _, p := range ps {
			if p != nil {
				p.st = PairStats{From: p.st.From, To: p.st.To, Latency: sim.NewLatency()}
			}
		}
	}
}

// stats are the totals, with the pairs whose source Region writes.
func (g *globalModel) stats() *GlobalStats {
	st := g.st
	for _, ps := range g.pairs {
		for _, p := range ps {
			if p != nil && g.regions[p.from].writes {
				st.Pairs = append(st.Pairs, p.st)
			}
		}
	}
	return &st
}

// regionDown reports whether every AZ of the Region is down.
func regionDown(t *cluster.Topology, region string) bool {
	for _, a := range t.RegionAZs(region) {
		if t.Up(a) {
			return false
		}
	}
	return true
}
