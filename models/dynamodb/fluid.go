package dynamodb

import (
	"cmp"
	"math"
	"slices"

	"dbsim/sim"
)

// The fluid mode (Step) advances the table in steps of simulated time with
// rates instead of requests, for horizons of weeks that no per-request run
// can cover. It is the same table: the same partitions and their token
// buckets, hard limits and burst credit, the same adaptive capacity, split
// for heat, auto scaling and on-demand peak, which keep running on the
// kernel as they do per request. Only admission changes: a step offers
// each partition an amount of capacity units, spread evenly over the step,
// and each bucket admits the least of the demand and what it can give over
// the step (sim.TokenBucket.Room and Pass), the rest being throttled.

// KeyShare is a key and its share of a flow's requests.
type KeyShare struct {
	Key   uint64
	Share float64
}

// KeyMass is how a flow's requests spread over the table's keys: each of
// Keys takes its share, and Rest spreads evenly over the hash ring, as a
// key space too large to list does (its keys hash uniformly). The shares
// and Rest sum to 1. A KeyMass remembers its spread over the partitions
// until they change (a split); a caller whose mass changes (a hot key
// starts) passes a new one.
type KeyMass struct {
	Keys []KeyShare
	Rest float64

	t      *table
	layout int
	mass   []float64  // by partition id: the share of the flow's requests
	top    []KeyShare // by partition id: its heaviest listed key, share of the flow
	median []uint64   // by partition id: the hash position that halves its requests
	idx    []*KeyMass // by index: the index keys of the items that carry its attribute
}

// fluidIndexListed is how many distinct index keys an index's key mass
// lists one by one; more spread evenly.
const fluidIndexListed = 4096

// index is the key mass of the updates k's writes make to index g (the
// i-th): the listed keys that carry its attribute at their index keys,
// and the rest in its share, spread over the index's key values.
func (k *KeyMass) index(g *table, i int) *KeyMass {
	for len(k.idx) <= i {
		k.idx = append(k.idx, nil)
	}
	if k.idx[i] != nil {
		return k.idx[i]
	}
	share := g.gsi.Share
	if g.all {
		share = 1
	}
	at := map[uint64]int{}
	var keys []KeyShare
	add := func(key uint64, v float64) {
		if j, ok := at[key]; ok {
			keys[j].Share += v
			return
		}
		at[key] = len(keys)
		keys = append(keys, KeyShare{key, v})
	}
	for _, ks := range k.Keys {
		if g.touches(ks.Key) {
			add(g.indexKey(ks.Key), ks.Share)
		}
	}
	rest := k.Rest * share
	if n := g.gsi.Keys; n > 0 && n <= fluidIndexListed {
		for v := uint64(0); v < n; v++ {
			add(v, rest/float64(n))
		}
		rest = 0
	}
	k.idx[i] = &KeyMass{Keys: keys, Rest: rest}
	return k.idx[i]
}

// Flow is a stream of like requests over one fluid step: Requests
// arrive evenly over the step with their keys spread as Keys says, or,
// when Parts is set (retries of refused requests), Parts[id] of them on
// partition id. Step fills in what became of them.
type Flow struct {
	Keys *KeyMass
	// Op is the operation (one item: get, put, update, delete, or a Query
	// of the table); Size the item's bytes (0: Config.ItemSize).
	Op       Op
	Size     int
	Requests float64
	Parts    []float64
	// Admitted, Throttled and Unavailable (no leader or no replica) are
	// the step's outcome, in requests; ThrottledBy and UnavailableBy the
	// refused ones by partition id, for their retries.
	Admitted, Throttled, Unavailable float64
	ThrottledBy, UnavailableBy       []float64

	gsiPass float64 // the share of its base-admitted requests the indexes admit
}

// on is how many of f's requests go to partition p.
func (f *Flow) on(p *partition) float64 {
	if f.Parts != nil {
		if p.id < len(f.Parts) {
			return f.Parts[p.id]
		}
		return 0
	}
	return f.Requests * f.Keys.mass[p.id]
}

// zeroed is v resized to n and cleared.
func zeroed(v []float64, n int) []float64 {
	v = slices.Grow(v[:0], n)[:n]
	clear(v)
	return v
}

// fluidScratch holds a step's per-partition sums, by dimension (0 read,
// 1 write), reused from step to step.
type fluidScratch struct {
	units, reqs, frac [2][]float64
	topU              [2][]float64
	topK              [2][]KeyShare
	median            [2][]uint64
	// An index's partitions (gUnits, gReqs, gFrac, gTop, gTopK) and the
	// base partitions' index pass (gp, weighted by gw).
	gUnits, gReqs, gFrac, gTop, gp, gw []float64
	gTopK                              []KeyShare
}

// spread computes k's shares of t's partitions, unless t's layout is the
// one they were computed for.
func (k *KeyMass) spread(t *table) {
	if k.t == t && k.layout == t.layout && len(k.mass) == len(t.parts) {
		return
	}
	n := len(t.parts)
	k.t, k.layout = t, t.layout
	k.mass = slices.Grow(k.mass[:0], n)[:n]
	k.top = slices.Grow(k.top[:0], n)[:n]
	k.median = slices.Grow(k.median[:0], n)[:n]
	clear(k.mass)
	clear(k.top)
	type point struct {
		id    int
		h     uint64
		share float64
	}
	pts := make([]point, 0, len(k.Keys))
	for _, ks := range k.Keys {
		h := t.point(ks.Key)
		p := t.locate(h)
		k.mass[p.id] += ks.Share
		if ks.Share > k.top[p.id].Share {
			k.top[p.id] = ks
		}
		pts = append(pts, point{p.id, h, ks.Share})
	}
	slices.SortFunc(pts, func(a, b point) int {
		return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.h, b.h))
	})
	density := k.Rest / math.Exp2(64) // Rest's share per hash position
	for _, p := range t.parts {
		k.mass[p.id] += density * (float64(p.hi-p.lo) + 1)
	}
	// The median position of each partition's requests: walk its listed
	// keys in ring order with the even remainder between them.
	i := 0
	for _, p := range t.parts {
		for i < len(pts) && pts[i].id < p.id {
			i++
		}
		half, cum, at := k.mass[p.id]/2, 0.0, p.lo
		k.median[p.id] = p.lo + (p.hi-p.lo)/2
		for ; ; i++ {
			next, share := p.hi, 0.0
			if i < len(pts) && pts[i].id == p.id {
				next, share = pts[i].h, pts[i].share
			}
			even := density * float64(next-at)
			if cum+even >= half && density > 0 {
				k.median[p.id] = at + uint64((half-cum)/density)
				break
			}
			cum += even + share
			if cum >= half || share == 0 {
				k.median[p.id] = next
				break
			}
			at = next
		}
		for i < len(pts) && pts[i].id == p.id {
			i++
		}
	}
}

// resize makes every slice of s hold n partitions, zeroed.
func (s *fluidScratch) resize(n int) {
	for d := range 2 {
		for _, v := range []*[]float64{&s.units[d], &s.reqs[d], &s.frac[d], &s.topU[d]} {
			*v = slices.Grow((*v)[:0], n)[:n]
			clear(*v)
		}
		s.topK[d] = slices.Grow(s.topK[d][:0], n)[:n]
		s.median[d] = slices.Grow(s.median[d][:0], n)[:n]
	}
}

// Step advances the base table from from to to (a step of at most a
// second, the span over which the hard limits hold, fact 5.18) with the
// given flows, and fills in each flow's outcome. Each partition's demand
// is the flows' requests times their share of its keys times their units;
// a partition admits the least of the demand and what its hard limit, its
// allocation bucket (burst credit included) and, on demand, the table's
// instant capacity give over the step; a flow's requests on a partition
// are admitted in that proportion. Writes and strong reads on a partition
// without a leader, and eventual reads on one without a live replica, are
// unavailable. A write also needs its global secondary indexes' capacity
// (fluidIndexes).
func (m *Model) Step(from, to sim.Time, flows []Flow) {
	t := m.base
	n := len(t.parts)
	s := &m.fluid
	s.resize(n)
	for fi := range flows {
		f := &flows[fi]
		f.Admitted, f.Throttled, f.Unavailable = 0, 0, 0
		f.ThrottledBy, f.UnavailableBy = zeroed(f.ThrottledBy, n), zeroed(f.UnavailableBy, n)
		if f.Requests <= 0 {
			continue
		}
		f.Keys.spread(t)
		size := m.itemBytes(f.Size)
		write := f.Op.Kind.Write()
		d := dim(write)
		u := m.unitsOf(&f.Op, size, t)
		leader := write || f.Op.consistency() == Strong
		for _, p := range t.parts {
			r := f.on(p)
			if r <= 0 {
				continue
			}
			if (leader && !p.leaderUp()) || (!leader && !p.anyUp()) {
				f.Unavailable += r
				f.UnavailableBy[p.id] += r
				continue
			}
			s.reqs[d][p.id] += r
			s.units[d][p.id] += r * u
			// The heaviest key's part of r, as in the flow's key mass.
			if m := f.Keys.mass[p.id]; m > 0 {
				top := f.Keys.top[p.id]
				switch tu := r * u * top.Share / m; {
				case top.Share > 0 && s.topU[d][p.id] > 0 && top.Key == s.topK[d][p.id].Key:
					s.topU[d][p.id] += tu // the same key through another flow (its retries)
				case tu > s.topU[d][p.id]:
					s.topU[d][p.id] = tu
					s.topK[d][p.id] = top
				}
			}
			if r*u >= s.units[d][p.id]/2 {
				s.median[d][p.id] = f.Keys.median[p.id]
			}
		}
	}
	span := float64(to-from) / 1e9
	for d, write := range [2]bool{false, true} {
		t.fluidAdmit(s.units[d], s.reqs[d], s.frac[d], from, to, write, span)
		// A write also needs its indexes' capacity (fact 5.33): gp[id]
		// is the share of what partition id admits that they take too.
		gp := s.gp[:0]
		if write && len(m.gsis) > 0 {
			gp = m.fluidIndexes(from, to, flows, span)
		}
		var thrReqs, total float64
		for _, p := range t.parts {
			want := s.units[d][p.id]
			if want <= 0 {
				continue
			}
			g := 1.0
			if len(gp) > 0 {
				g = gp[p.id]
			}
			got := want * s.frac[d][p.id] * g
			total += got
			thr := s.reqs[d][p.id] * (1 - s.frac[d][p.id])
			thrReqs += thr + s.reqs[d][p.id]*s.frac[d][p.id]*(1-g)
			t.fluidTake(p, from, to, write, got, want*(1-s.frac[d][p.id]), thr)
			if m.cfg.Heat.Enabled && got > 0 {
				m.fluidHeat(p, got/t.limit(write), s.topK[d][p.id], s.topU[d][p.id]/want, s.median[d][p.id])
			}
		}
		if tb := t.tableBucket(write); tb != nil && total > 0 {
			tb.Pass(from, to, total)
		}
		if write {
			m.fluidThrW += thrReqs
			m.throttledWrites, m.fluidThrW = carry(m.throttledWrites, m.fluidThrW)
		} else {
			m.fluidThrR += thrReqs
			m.throttledReads, m.fluidThrR = carry(m.throttledReads, m.fluidThrR)
		}
	}
	for fi := range flows {
		f := &flows[fi]
		if f.Requests <= 0 {
			continue
		}
		write := f.Op.Kind.Write()
		d := dim(write)
		pass := 1.0
		if write && len(m.gsis) > 0 {
			pass = f.gsiPass
		}
		for _, p := range t.parts {
			if s.units[d][p.id] <= 0 {
				continue
			}
			r := f.on(p)
			if f.UnavailableBy[p.id] > 0 {
				continue
			}
			thr := r * (1 - s.frac[d][p.id]*pass)
			f.Admitted += r - thr
			f.Throttled += thr
			f.ThrottledBy[p.id] = thr
		}
		m.fluidUnavail += f.Unavailable
	}
	m.unavailable, m.fluidUnavail = carry(m.unavailable, m.fluidUnavail)
}

// limit is a partition's hard limit per second in one dimension.
func (t *table) limit(write bool) float64 {
	if write {
		return t.m.cfg.Limits.WCU
	}
	return t.m.cfg.Limits.RCU
}

// tableBucket is the on-demand table's instant capacity in one dimension
// (nil for a provisioned table).
func (t *table) tableBucket(write bool) *sim.TokenBucket {
	if write {
		return t.tableW
	}
	return t.tableR
}

// fluidAdmit sets frac[id] to the share of units[id] (demand over the
// step, in units) that partition id can admit: the least of its hard
// limit's and its allocation bucket's room and, on demand, a share of the
// table's, in proportion to what the partitions admit.
func (t *table) fluidAdmit(units, reqs, frac []float64, from, to sim.Time, write bool, span float64) {
	admitted := 0.0
	for _, p := range t.parts {
		want := units[p.id]
		if want <= 0 {
			continue
		}
		hard, alloc := &p.hr, p.r
		if write {
			hard, alloc = &p.hw, p.w
		}
		room := hard.room(to, span)
		if alloc != nil {
			room = min(room, alloc.Room(from, to))
		}
		got := max(min(want, room), 0)
		if reqs != nil && reqs[p.id] > 0 && room > 0 {
			// The requests of a step arrive as a Poisson process, not
			// evenly: in a step whose mean demand fits, the seconds
			// above the mean still overflow the room.
			u := want / reqs[p.id]
			got = u * poissonFill(reqs[p.id], room/u)
		}
		frac[p.id] = got / want
		admitted += got
	}
	if tb := t.tableBucket(write); tb != nil && admitted > 0 {
		// On demand, the table serves PeakMultiple × its previous
		// peak at once: a shortfall is shared in proportion.
		if room := tb.Room(from, to); admitted > room {
			for i := range frac {
				frac[i] *= max(room, 0) / admitted
			}
		}
	}
}

// fluidTake consumes got units of p over the step and accounts for the
// units (thrUnits) and requests (thrReqs) it throttled.
func (t *table) fluidTake(p *partition, from, to sim.Time, write bool, got, thrUnits, thrReqs float64) {
	hard, alloc := &p.hr, p.r
	if write {
		hard, alloc = &p.hw, p.w
	}
	hard.expire(from) // take expires lazily; the fluid mode's sums are not exact
	hard.take(from, got)
	if alloc != nil {
		alloc.Pass(from, to, got)
	}
	if write {
		p.cumW += got
		t.cumW += got
		p.thrW += thrUnits
	} else {
		p.cumR += got
		t.cumR += got
		p.thrR += thrUnits
	}
	p.fluidThr += thrReqs
	if whole := math.Floor(p.fluidThr); whole > 0 {
		p.throttles += int64(whole)
		p.throttledAll += int64(whole)
		p.fluidThr -= whole
	}
}

// fluidIndexes steps the global secondary indexes with the base-table
// writes its partitions admit (frac[1]): each index's partitions take the
// updates of the items that carry its attribute, spread by their index
// keys, and admit what their buckets give; a write whose index update is
// refused is throttled (back-pressure, fact 5.33). It sets each write
// flow's gsiPass, the share of its base-admitted requests every index
// admits (the indexes taken as independent), and returns for each base
// partition the share of what it admits that the indexes let through.
func (m *Model) fluidIndexes(from, to sim.Time, flows []Flow, span float64) []float64 {
	s := &m.fluid
	base := m.base
	for fi := range flows {
		flows[fi].gsiPass = 1
	}
	for gi, g := range m.gsis {
		n := len(g.parts)
		s.gUnits, s.gReqs, s.gFrac = zeroed(s.gUnits, n), zeroed(s.gReqs, n), zeroed(s.gFrac, n)
		s.gTop, s.gTopK = zeroed(s.gTop, n), slices.Grow(s.gTopK[:0], n)[:n]
		for fi := range flows {
			f := &flows[fi]
			if f.Requests <= 0 || !f.Op.Kind.Write() {
				continue
			}
			in := 0.0 // the flow's requests the base partitions admit
			for _, p := range base.parts {
				if f.UnavailableBy[p.id] == 0 {
					in += f.on(p) * s.frac[1][p.id]
				}
			}
			km := f.Keys.index(g, gi)
			km.spread(g)
			size := m.itemBytes(f.Size)
			if g.gsi.ProjectedBytes > 0 {
				size = g.gsi.ProjectedBytes
			}
			u := WriteUnits(size, false)
			for _, q := range g.parts {
				if e := in * km.mass[q.id]; e > 0 {
					s.gReqs[q.id] += e
					s.gUnits[q.id] += e * u
					if top := km.top[q.id]; top.Share > 0 && in*top.Share*u > s.gTop[q.id] {
						s.gTop[q.id], s.gTopK[q.id] = in*top.Share*u, top
					}
				}
			}
		}
		g.fluidAdmit(s.gUnits, nil, s.gFrac, from, to, true, span)
		total, thrReqs := 0.0, 0.0
		for _, q := range g.parts {
			want := s.gUnits[q.id]
			if want <= 0 {
				continue
			}
			got := want * s.gFrac[q.id]
			thr := s.gReqs[q.id] * (1 - s.gFrac[q.id])
			g.fluidTake(q, from, to, true, got, want-got, thr)
			thrReqs += thr
			total += got
			if m.cfg.Heat.Enabled && got > 0 {
				m.fluidHeat(q, got/g.limit(true), s.gTopK[q.id], s.gTop[q.id]/want, q.lo+(q.hi-q.lo)/2)
			}
		}
		if tb := g.tableBucket(true); tb != nil && total > 0 {
			tb.Pass(from, to, total)
		}
		m.fluidBack += thrReqs
		m.backpressure, m.fluidBack = carry(m.backpressure, m.fluidBack)
		for fi := range flows {
			f := &flows[fi]
			if f.Requests <= 0 || !f.Op.Kind.Write() {
				continue
			}
			km := f.Keys.index(g, gi)
			touched, pass := 0.0, 0.0
			for _, q := range g.parts {
				touched += km.mass[q.id]
				pass += km.mass[q.id] * s.gFrac[q.id]
			}
			f.gsiPass *= 1 - touched + pass
		}
	}
	// What each base partition admits that the indexes let through: its
	// write flows' pass, weighted by their units on it.
	n := len(base.parts)
	s.gp, s.gw = zeroed(s.gp, n), zeroed(s.gw, n)
	for fi := range flows {
		f := &flows[fi]
		if f.Requests <= 0 || !f.Op.Kind.Write() {
			continue
		}
		for _, p := range base.parts {
			if r := f.on(p); r > 0 && f.UnavailableBy[p.id] == 0 {
				s.gw[p.id] += r
				s.gp[p.id] += r * f.gsiPass
			}
		}
	}
	for i := range s.gp {
		if s.gw[i] > 0 {
			s.gp[i] /= s.gw[i]
		} else {
			s.gp[i] = 1
		}
	}
	return s.gp
}

// carry moves the whole part of frac into the counter n.
func carry(n int64, frac float64) (int64, float64) {
	whole := math.Floor(frac)
	return n + int64(whole), frac - whole
}

func dim(write bool) int {
	if write {
		return 1
	}
	return 0
}

// anyUp reports whether a replica of p serves eventual reads.
func (p *partition) anyUp() bool {
	for _, r := range p.reps {
		if r.up {
			return true
		}
	}
	return false
}

// fluidHeat feeds split for heat's statistics with a step's consumption
// of p, w of its hard limit: the heaviest key and its share of the
// partition's load stand for the majority vote, and the median position
// of its requests for the reservoir sample the split point is taken from.
func (m *Model) fluidHeat(p *partition, w float64, top KeyShare, topShare float64, median uint64) {
	p.weight += w
	if topShare > 0 {
		if p.cand != top.Key {
			p.cand, p.candW = top.Key, 0
		}
		p.candW += w * topShare
		p.vote = p.candW
	}
	if p.seen == 0 {
		p.seen = reservoirSize
		for i := range p.sample {
			p.sample[i] = median
		}
	}
}

// room is what the hard limit lets through over a step of span seconds
// ending at to: its limit per window (scaled to a longer step) less what
// the window before to has consumed. The fluid mode records a step's
// consumption at the step's start.
func (h *hardLimit) room(to sim.Time, span float64) float64 {
	h.expire(to)
	window := float64(h.slot) * float64(h.window) / 1e9
	return h.limit*max(1, span/window) - h.sum
}

// poissonFill is E[min(N, c)] for N Poisson with mean lambda: the
// requests a room of c admits when lambda arrive on average. Exact
// below a mean of 200; above it, N is normal (σ = √λ) to within a
// fraction of a percent of λ.
func poissonFill(lambda, c float64) float64 {
	switch {
	case c <= 0:
		return 0
	case c >= lambda+10*math.Sqrt(lambda)+10:
		return lambda // the room is never reached
	case lambda < 200:
		// E[min(N, c)] = Σ_{k≤⌊c⌋} k·p_k + c·P(N > ⌊c⌋).
		pk := math.Exp(-lambda)
		var below, mass float64
		for k := 0; float64(k) <= c; k++ {
			below += float64(k) * pk
			mass += pk
			pk *= lambda / float64(k+1)
		}
		return below + c*max(1-mass, 0)
	default:
		sd := math.Sqrt(lambda)
		z := (c - lambda) / sd
		over := sd*normPDF(z) + (lambda-c)*(1-normCDF(z)) // E[(N - c)+]
		return lambda - over
	}
}

func normPDF(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }
func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }
