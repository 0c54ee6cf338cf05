package dynamodb

import (
	"fmt"
	"math"
	"slices"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// mix is SplitMix64's finaliser: the deterministic hash that places a
// partition key on the ring [0, 2^64).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// eps absorbs rounding when a bucket is asked whether it holds n tokens,
// as sim.TokenBucket.Take does.
const eps = 1e-9

func holds(b *sim.TokenBucket, now sim.Time, n float64) bool {
	return b == nil || b.Tokens(now)+eps >= n
}

func take(b *sim.TokenBucket, now sim.Time, n float64) {
	if b != nil {
		b.Take(now, n)
	}
}

// hardLimit enforces a partition's hard limit in one dimension: at most
// limit units consumed in any span of one window (facts 5.1, 5.18). A token
// bucket cannot: one a window deep, full after an idle window, lets through
// its depth plus a window's refill, twice the limit. It keeps the units
// consumed per slot (a thousandth of the window) over the last window and
// one slot, so it holds at most 1,001 slots whatever the request rate, and
// errs on the safe side by at most one slot.
//
// The slots live in buf[head:], oldest first; expiring one moves head on,
// and a new slot that finds buf full moves the live ones to its front
// when that frees at least half of it, so the buffer stops growing at
// about twice the slots a window holds and a request allocates nothing.
//
// A request asks holds and then take, both at one time: expireAt and
// slotEnd remember when the oldest slot expires and when the newest one
// ends, so that most calls compare two times instead of dividing one by
// the slot span (a 64-bit division, the most expensive step of the path).
//
// Expiry is lazy: the slots that have left the window are dropped only
// when an answer depends on them (holds when the sum with them would
// refuse, room) or when take needs their room in a full buffer. Dropping
// a slot only lowers the sum, so a request that fits with them fits
// without them, and holds answers as an eager expiry would. A partition
// well under its limit so never reads the oldest slot (a cache line
// written a window ago, a miss on nearly every request) one request at
// a time, but a buffer's worth of them in one sequential pass. The units
// of requests are multiples of half a unit (ReadUnits, WriteUnits), so
// their sums are exact whatever the order in which slots come and go.
//
// Its fields are in the order a request reads them (holds, then take,
// then the rare expiry), so that all but window share a cache line.
type hardLimit struct {
	sum   float64 // units in buf[head:]
	limit float64
	// slotEnd is the end of the newest slot, buf[len(buf)-1]; expireAt
	// when buf[head] expires (sim.Forever: buf is empty).
	slotEnd  sim.Time
	slot     sim.Time  // span of a slot
	buf      []slotUse // buf[head:] are the slots of the window, oldest first
	head     int
	expireAt sim.Time
	window   int64 // slots in a window
}

type slotUse struct {
	slot  int64
	units float64
}

// hardLimitSlots is the number of slots a window is cut into.
const hardLimitSlots = 1000

// hardLimitBuf is the slots a hard limit's buffer starts with (1 KB), the
// live slots of a window at about a hundred requests a second to the
// partition, so that a busy run does not start with a dozen regrowths.
const hardLimitBuf = 64

func newHardLimit(limit float64, window time.Duration) hardLimit {
	return hardLimit{limit: limit, slot: max(sim.Time(window)/hardLimitSlots, 1), window: hardLimitSlots, expireAt: sim.Forever,
		buf: make([]slotUse, 0, hardLimitBuf)}
}

// expire forgets the slots that end a window or more before now: those
// that cannot hold consumption of the window (now − window, now]. Slot s
// ends a window before now when s < now/slot − window, that is when now
// reaches (s + window + 1) × slot: expireAt for the oldest.
func (h *hardLimit) expire(now sim.Time) {
	if now < h.expireAt {
		return
	}
	first := int64(now/h.slot) - h.window
	for h.head < len(h.buf) && h.buf[h.head].slot < first {
		h.sum -= h.buf[h.head].units
		h.head++
	}
	if h.head == len(h.buf) {
		h.buf, h.head = h.buf[:0], 0
		h.sum = 0 // no rounding left behind
		h.expireAt = sim.Forever
		return
	}
	h.expireAt = sim.Time(h.buf[h.head].slot+h.window+1) * h.slot
}

// holds reports whether u more units now stay within the limit: at once
// if they fit beside every slot still in the buffer, else after expiring
// the slots that left the window.
func (h *hardLimit) holds(now sim.Time, u float64) bool {
	return h.sum+u <= h.limit+eps || h.holdsExpired(now, u)
}

// holdsExpired is holds' answer after expiring, kept out of line so that
// holds itself is inlined.
//
//go:noinline
func (h *hardLimit) holdsExpired(now sim.Time, u float64) bool {
	h.expire(now)
	return h.sum+u <= h.limit+eps
}

// take records u units consumed now (time never goes back, so a time
// before slotEnd is in the newest slot). A new slot that finds the
// buffer full first expires the slots that left the window.
func (h *hardLimit) take(now sim.Time, u float64) {
	if n := len(h.buf); n > h.head && now < h.slotEnd {
		h.buf[n-1].units += u
	} else {
		s := int64(now / h.slot)
		if len(h.buf) == cap(h.buf) {
			h.expire(now)
			if 2*h.head >= len(h.buf) {
				h.buf = h.buf[:copy(h.buf, h.buf[h.head:])]
				h.head = 0
			}
		}
		if h.head == len(h.buf) {
			h.expireAt = sim.Time(s+h.window+1) * h.slot
		}
		h.buf = append(h.buf, slotUse{s, u})
		h.slotEnd = sim.Time(s+1) * h.slot
	}
	h.sum += u
}

// newBucket returns a bucket of capacity burst refilling at rate that
// holds tokens now.
func newBucket(rate, burst, tokens float64, now sim.Time) *sim.TokenBucket {
	b := sim.NewTokenBucket(rate, burst, now)
	if tokens < burst {
		b.Take(now, burst-tokens)
	}
	return b
}

// reservoirSize is how many request key positions a partition keeps per
// metric period to choose a split point from.
const reservoirSize = 64

// partition is one key range of a table or index: a replication group
// with its own throughput allocation and hard limits.
//
// The fields a request reads come first, in the order a read uses them
// (its hard limit, its bucket, its total, the heat statistics, the
// replicas), so that an eventually consistent read touches the
// partition's first three cache lines, and a write those but the first
// and the next two (the leader and the write side; TestPartitionLayout);
// the fields the control loops and faults use follow.
type partition struct {
	// hr and hw enforce the hard limits per second (facts 5.1, 5.18).
	hr hardLimit
	// r and w hold the allocation plus burst credit (rate alloc, capacity
	// BurstWindow × the base allocation); nil for on-demand tables, which
	// allocate nothing below the hard limits.
	r    *sim.TokenBucket
	cumR float64 // consumed read units, total

	// Split for heat: the heaviest key (a weighted Boyer–Moore majority
	// vote with the candidate's exact weight since it became the
	// candidate), the requests seen this period, the key positions of
	// some of them (a reservoir sample of requests, sample, last in the
	// struct) and the consecutive hot periods.
	weight      float64
	cand        uint64
	vote, candW float64
	seen        uint64
	nextPick    uint64 // the request that next replaces a sample

	reps   [3]replica
	leader int    // index into reps; -1 while there is none
	term   uint32 // leadership changes

	w    *sim.TokenBucket
	cumW float64 // consumed write units, total
	// applied is when each replica will have applied the newest write it
	// got: a replica applies the partition's log in order, so a write
	// waits for the one before it.
	applied [3]sim.Time
	hw      hardLimit

	t      *table
	id     int
	lo, hi uint64 // the hash range it owns, inclusive
	// share is its part of the table's provisioned throughput: the table's
	// throughput is divided evenly at creation and halved on each split.
	share float64
	// allocR and allocW are the current allocations in units per second:
	// share × provisioned, or more while adaptive capacity boosts it.
	allocR, allocW float64

	tickR, tickW float64 // cumR/W at the last adaptive tick
	perR, perW   float64 // cumR/W at the last metric period
	thrR, thrW   float64 // throttled units since the last adaptive tick
	throttles    int64   // throttled requests (items, for batches) since ResetCounters
	throttledAll int64   // the same over the whole run, for the per-second gauge
	// fluidThr is the fraction of a throttled request the fluid mode has
	// not yet counted in throttles (fluid.go).
	fluidThr float64

	hot       int
	splitting bool
	skip      float64 // Algorithm L's W

	// shard is the stream shard taking its writes' records (base table
	// with a stream only).
	shard *shard

	sample [reservoirSize]uint64 // split for heat's reservoir (see weight)
}

type replica struct {
	az cluster.AZ
	up bool
}

// leaderUp reports whether a leader serves writes and strong reads.
func (p *partition) leaderUp() bool { return p.leader >= 0 }

func (p *partition) name() string { return fmt.Sprintf("%sp%d", p.t.label, p.id) }

// scaler is target tracking for one dimension of a provisioned table.
type scaler struct {
	high, low int // consecutive data points above / below the target
	pending   bool
}

// table is a base table or a global secondary index: its partitions, its
// capacity and the control loops that change them.
type table struct {
	m     *Model
	gsi   *GSI   // nil for the base table
	name  string // the index's name, "" for the base table
	label string // prefix of partition names: "" or "name:"
	capc  Capacity
	size  int64

	provR, provW float64 // provisioned units/s, or on-demand's instant capacity
	parts        []*partition
	order        []*partition // by hash range
	los          []uint64     // order[i].lo
	// lut[b] is the index in order of the partition owning the first hash
	// position whose top lutBits bits are b: locate starts there.
	lut [1 << lutBits]int32
	// layout counts the changes of the partitions' ranges (splits), so
	// that the fluid mode knows when a key mass must be spread again.
	layout int

	// On-demand: the previous peak per dimension, the table-level buckets
	// that let through PeakMultiple × the peak, and the last PeakWindow of
	// per-period consumption.
	peakR, peakW     float64
	loggedR, loggedW float64 // the peak last told in the narrative
	tableR, tableW   *sim.TokenBucket
	histR, histW     []float64

	cumR, cumW   float64 // consumed units
	perR, perW   float64 // cumR/W at the last metric period
	lastR, lastW float64 // consumption per second over the last period

	scR, scW  scaler
	decreases []time.Duration

	salt     uint64 // index key hashing
	shareCut uint64 // an item is in the index when mix(key^salt) < shareCut
	all      bool   // every item is in the index
}

func newTable(m *Model, name string, capc Capacity, size int64, gsi *GSI) *table {
	t := &table{m: m, gsi: gsi, name: name, capc: capc, size: size}
	if name != "" {
		t.label = name + ":"
		t.salt = mix(uint64(len(m.gsis)+1) * 0x5bd1e995)
		share := gsi.Share
		if share <= 0 || share >= 1 {
			t.all = true
		} else {
			t.shareCut = uint64(share * math.MaxUint64)
		}
	}
	cfg := &m.cfg
	now := m.k.Now()
	var n int
	if cfg.Mode == OnDemand {
		od := cfg.OnDemand
		mult := max(od.PeakMultiple, 1)
		t.peakR, t.peakW = od.InitialRRU/mult, od.InitialWRU/mult
		t.loggedR, t.loggedW = t.peakR, t.peakW
		t.provR, t.provW = od.InitialRRU, od.InitialWRU
		t.tableR = newBucket(t.provR, t.provR, t.provR, now)
		t.tableW = newBucket(t.provW, t.provW, t.provW, now)
	} else {
		t.provR, t.provW = capc.RCU, capc.WCU
	}
	n = max(InitialPartitions(t.provR, t.provW, size, cfg.Limits), capc.Partitions)
	step := math.MaxUint64 / uint64(n)
	for i := 0; i < n; i++ {
		p := t.newPartition(uint64(i)*step, 1/float64(n))
		if i == n-1 {
			p.hi = math.MaxUint64
		} else {
			p.hi = uint64(i+1)*step - 1
		}
		p.r, p.w = t.allocBuckets(p, nil, nil)
		t.order = append(t.order, p)
	}
	t.index()
	return t
}

// newPartition adds a partition owning [lo, …) with its replica group:
// three replicas in consecutive AZs (fact 5.25), leaders spread over them.
func (t *table) newPartition(lo uint64, share float64) *partition {
	m := t.m
	l := m.cfg.Limits
	id := len(t.parts)
	p := &partition{t: t, id: id, lo: lo, share: share, leader: id % 3,
		hr: newHardLimit(l.RCU*m.cfg.HardWindow.Seconds(), m.cfg.HardWindow),
		hw: newHardLimit(l.WCU*m.cfg.HardWindow.Seconds(), m.cfg.HardWindow)}
	for j := range p.reps {
		p.reps[j] = replica{az: m.azs[(id+j)%len(m.azs)], up: true}
	}
	t.parts = append(t.parts, p)
	return p
}

// allocBuckets sets p's allocation to its base (share × provisioned) and
// returns its allocation buckets: the existing ones re-rated, or new ones
// holding one second of tokens, or the given fractions of a parent's.
func (t *table) allocBuckets(p *partition, fromR, fromW *sim.TokenBucket) (*sim.TokenBucket, *sim.TokenBucket) {
	if t.m.cfg.Mode == OnDemand {
		p.allocR, p.allocW = t.m.cfg.Limits.RCU, t.m.cfg.Limits.WCU
		return nil, nil
	}
	p.allocR, p.allocW = t.provR*p.share, t.provW*p.share
	return t.bucket(p.r, p.allocR, p.allocR, fromR), t.bucket(p.w, p.allocW, p.allocW, fromW)
}

// bucket re-rates b for base allocation base boosted to alloc, or makes
// a new bucket taking half of from's tokens (a split) or one second's.
func (t *table) bucket(b *sim.TokenBucket, base, alloc float64, from *sim.TokenBucket) *sim.TokenBucket {
	now := t.m.k.Now()
	burst := max(base*t.m.cfg.BurstWindow.Seconds(), alloc*t.m.cfg.HardWindow.Seconds())
	if b != nil {
		b.SetRate(now, alloc)
		b.SetBurst(now, burst)
		return b
	}
	tokens := alloc * t.m.cfg.HardWindow.Seconds()
	if from != nil {
		tokens = from.Tokens(now) / 2
		from.Take(now, tokens)
	}
	return newBucket(alloc, burst, min(tokens, burst), now)
}

// setAlloc changes a provisioned partition's allocation in one dimension.
func (t *table) setAlloc(p *partition, write bool, alloc float64) {
	if write {
		p.allocW = alloc
		t.bucket(p.w, t.provW*p.share, alloc, nil)
	} else {
		p.allocR = alloc
		t.bucket(p.r, t.provR*p.share, alloc, nil)
	}
}

func (t *table) index() {
	slices.SortFunc(t.order, func(a, b *partition) int {
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return 0
	})
	t.layout++
	t.los = t.los[:0]
	for _, p := range t.order {
		t.los = append(t.los, p.lo)
	}
	i := 0
	for b := range t.lut {
		h := uint64(b) << (64 - lutBits)
		for i+1 < len(t.los) && t.los[i+1] <= h {
			i++
		}
		t.lut[b] = int32(i)
	}
}

// lutBits is the resolution of a table's partition lookup table.
const lutBits = 10

// locate is the partition owning hash position h: the lookup table gives
// the partition owning the start of h's 1/1024 of the ring, and a short
// scan finds the one owning h (one step when partitions are at least
// that large).
func (t *table) locate(h uint64) *partition {
	los := t.los
	i := int(t.lut[h>>(64-lutBits)])
	for i+1 < len(los) && los[i+1] <= h {
		i++
	}
	return t.order[i]
}

// point is where a key of this table lands on the hash ring.
func (t *table) point(key uint64) uint64 { return mix(key ^ t.salt) }

// indexKey is the index partition key of a base item with key key: one
// of the index's Keys distinct values, or the key itself.
func (t *table) indexKey(key uint64) uint64 {
	if t.gsi.Keys == 0 {
		return key
	}
	return mix(key^t.salt^0x2545f4914f6cdd1d) % t.gsi.Keys
}

// touches reports whether a write of the base item key updates the index
// (the item carries the indexed attribute).
func (t *table) touches(key uint64) bool {
	return t.all || mix(key^t.salt^0x9e3779b97f4a7c15) < t.shareCut
}

// has reports whether partition p and, on demand, the table can take u
// units now.
func (t *table) has(p *partition, now sim.Time, write bool, u float64) bool {
	if write {
		return p.hw.holds(now, u) && holds(p.w, now, u) && holds(t.tableW, now, u)
	}
	return p.hr.holds(now, u) && holds(p.r, now, u) && holds(t.tableR, now, u)
}

// consume takes u units from p (which has them) and accounts for them.
func (t *table) consume(p *partition, now sim.Time, write bool, u float64, h uint64) {
	l := t.m.cfg.Limits
	var w float64
	if write {
		p.hw.take(now, u)
		take(p.w, now, u)
		take(t.tableW, now, u)
		p.cumW += u
		t.cumW += u
		w = u / l.WCU
	} else {
		p.hr.take(now, u)
		take(p.r, now, u)
		take(t.tableR, now, u)
		p.cumR += u
		t.cumR += u
		w = u / l.RCU
	}
	if !t.m.cfg.Heat.Enabled {
		return
	}
	// Heat statistics, weighted by the share of the hard limit consumed.
	p.weight += w
	switch {
	case h == p.cand:
		p.vote += w
		p.candW += w
	case p.vote >= w:
		p.vote -= w
	default:
		p.cand, p.vote, p.candW = h, w-p.vote, w
	}
	p.seen++
	switch {
	case p.seen <= reservoirSize:
		p.sample[p.seen-1] = h
		if p.seen == reservoirSize {
			p.skip = math.Exp(math.Log(t.m.heatRng.Float64()) / reservoirSize)
			p.nextPick = p.seen + t.m.gap(p.skip)
		}
	case p.seen == p.nextPick:
		p.sample[t.m.heatRng.IntN(reservoirSize)] = h
		p.skip *= math.Exp(math.Log(t.m.heatRng.Float64()) / reservoirSize)
		p.nextPick = p.seen + t.m.gap(p.skip)
	}
}

// gap is Algorithm L's (Li, 1994) number of requests to the next
// reservoir replacement, so that random numbers are drawn only on
// replacements, not per request.
func (m *Model) gap(w float64) uint64 {
	u := 1 - m.heatRng.Float64() // (0, 1]
	g := math.Floor(math.Log(u)/math.Log1p(-w)) + 1
	if g > 1<<62 || math.IsNaN(g) {
		return 1 << 62
	}
	return uint64(g)
}

// throttle accounts for u units p refused.
func (t *table) throttle(p *partition, write bool, u float64) {
	p.throttles++
	p.throttledAll++
	if write {
		p.thrW += u
	} else {
		p.thrR += u
	}
}

// --- control loops ---

// adapt is adaptive capacity (facts 5.13, 5.14): every interval it gives
// throttled partitions of a provisioned table the table's unused
// throughput, never above the hard limit; it takes boosts back from
// partitions that no longer need them, and from boosted partitions when
// the table consumes more than its total.
func (t *table) adapt() {
	if t.m.cfg.Mode == OnDemand {
		return
	}
	sec := t.m.cfg.Adaptive.Interval.Seconds()
	l := t.m.cfg.Limits
	for _, write := range [2]bool{false, true} {
		total, limit := t.provR, l.RCU
		if write {
			total, limit = t.provW, l.WCU
		}
		consumed := 0.0
		for _, p := range t.parts {
			if write {
				consumed += (p.cumW - p.tickW) / sec
			} else {
				consumed += (p.cumR - p.tickR) / sec
			}
		}
		spare := total - consumed
		for _, p := range t.parts {
			c, thr, alloc := (p.cumR-p.tickR)/sec, p.thrR/sec, p.allocR
			if write {
				c, thr, alloc = (p.cumW-p.tickW)/sec, p.thrW/sec, p.allocW
			}
			base := total * p.share
			next := alloc
			switch {
			case thr > 0 && spare > 0 && alloc < limit:
				inc := min(thr, spare, limit-alloc)
				next = alloc + inc
				spare -= inc
			case thr == 0 && alloc > base:
				// Calm: keep a fifth above what it uses.
				next = max(base, min(alloc, 1.2*c))
			}
			if next != alloc {
				t.setAlloc(p, write, next)
			}
		}
		if excess := consumed - total; excess > 0 {
			for _, p := range t.parts {
				alloc := p.allocR
				if write {
					alloc = p.allocW
				}
				if base := total * p.share; alloc > base && excess > 0 {
					cut := min(alloc-base, excess)
					excess -= cut
					t.setAlloc(p, write, alloc-cut)
				}
			}
		}
	}
	for _, p := range t.parts {
		p.tickR, p.tickW, p.thrR, p.thrW = p.cumR, p.cumW, 0, 0
	}
}

// period closes a metric period: the per-minute figures CloudWatch would
// report drive split for heat, auto scaling and the on-demand peak.
func (t *table) period() {
	m := t.m
	sec := m.cfg.MetricPeriod.Seconds()
	t.lastR, t.lastW = (t.cumR-t.perR)/sec, (t.cumW-t.perW)/sec
	t.perR, t.perW = t.cumR, t.cumW
	for _, p := range slices.Clone(t.parts) {
		t.heat(p, sec)
	}
	if m.cfg.Mode == OnDemand {
		t.peak()
		return
	}
	if t.capc.AutoScaling.Enabled {
		t.autoscale(&t.scR, false, t.lastR)
		t.autoscale(&t.scW, true, t.lastW)
	}
}

// heat is split for consumption (fact 5.16): a partition whose consumed
// throughput stays at or above Threshold of its hard limit for Periods
// metric periods splits, after Duration, at the median key position of
// the requests it saw, unless one key carries SingleKeyShare of its load:
// splitting cannot divide one key. On a table with local secondary
// indexes a collection is one position, so a split never divides it
// (fact 5.43); without one, a collection's items (workloads that give
// CollectionBytes) lie in sort-key order over CollectionSpan positions
// and a split may fall among them. The split point is the median of the
// requests, not of their units, so a few heavy Queries move it less than
// many light requests do.
func (t *table) heat(p *partition, sec float64) {
	m := t.m
	h := m.cfg.Heat
	l := m.cfg.Limits
	level := max((p.cumR-p.perR)/sec/l.RCU, (p.cumW-p.perW)/sec/l.WCU)
	p.perR, p.perW = p.cumR, p.cumW
	defer func() { p.seen, p.weight, p.vote, p.candW = 0, 0, 0, 0 }()
	if !h.Enabled || p.splitting {
		return
	}
	if level < h.Threshold {
		p.hot = 0
		return
	}
	p.hot++
	if p.hot < h.Periods {
		return
	}
	p.hot = 0
	if p.weight > 0 && p.candW/p.weight >= h.SingleKeyShare {
		m.heatRefused++
		if t == m.base && len(m.cfg.LSIs) > 0 {
			// Fact 5.43: with a local secondary index a collection
			// cannot be divided between partitions.
			m.log.Addf("partition %s hot (%.0f%% of its limit) but one item collection carries %.0f%% of its load, and a table with local secondary indexes keeps a collection on one partition: not split",
				p.name(), 100*level, 100*p.candW/p.weight)
			return
		}
		m.log.Addf("partition %s hot (%.0f%% of its limit) but one key carries %.0f%% of its load: not split",
			p.name(), 100*level, 100*p.candW/p.weight)
		return
	}
	n := int(min(p.seen, reservoirSize))
	s := slices.Clone(p.sample[:n])
	slices.Sort(s)
	at := s[n/2]
	// A split at 'at' moves [at, hi] to a new partition; it must leave
	// both sides non-empty.
	if at <= p.lo {
		for _, x := range s[n/2:] {
			if x > p.lo {
				at = x
				break
			}
		}
	}
	if at <= p.lo || at > p.hi {
		return
	}
	p.splitting = true
	m.log.Addf("partition %s hot (%.0f%% of its limit for %d periods): splitting for heat", p.name(), 100*level, h.Periods)
	m.k.After(h.Duration, func() {
		p.splitting = false
		if at <= p.lo || at > p.hi {
			return // the range moved meanwhile
		}
		q := t.split(p, at)
		m.heatSplits++
		m.log.Markf(cluster.HeatSplit, p.name()+" split", "partition %s split for heat: %s now owns the upper part of its keys", p.name(), q.name())
	})
}

// split divides p at hash position at: p keeps [lo, at), a new partition
// takes [at, hi] with the same replica group, half of p's share of the
// throughput and half of its burst credit (fact 5.3).
func (t *table) split(p *partition, at uint64) *partition {
	q := t.newPartition(at, p.share/2)
	q.hi, p.hi = p.hi, at-1
	p.share /= 2
	q.reps, q.leader, q.term, q.applied = p.reps, p.leader, p.term, p.applied
	q.r, q.w = t.allocBuckets(q, p.r, p.w)
	p.r, p.w = t.allocBuckets(p, nil, nil)
	t.order = append(t.order, q)
	t.index()
	if t == t.m.base && t.m.stream != nil {
		t.m.stream.split(p, q) // fact 13.2: the shard closes; each half gets a child
	}
	return q
}

// resize applies a new provisioned throughput: partitions split in two as
// often as the throughput or size needs (fact 5.3), and each partition's
// allocation becomes its share of the new throughput (adaptive capacity
// takes back boosts no longer needed).
func (t *table) resize(r, w float64) {
	t.provR, t.provW = r, w
	need := PartitionsAfter(len(t.parts), r, w, t.size, t.m.cfg.Limits)
	for len(t.parts) < need {
		for _, p := range slices.Clone(t.order) {
			t.split(p, p.lo+(p.hi-p.lo)/2+1)
		}
	}
	if t.m.cfg.Mode == OnDemand {
		now := t.m.k.Now()
		sec := t.m.cfg.HardWindow.Seconds()
		t.tableR.SetRate(now, r)
		t.tableR.SetBurst(now, r*sec)
		t.tableW.SetRate(now, w)
		t.tableW.SetBurst(now, w*sec)
		return
	}
	// Boosts survive: a partition keeps the larger of its new share and
	// what adaptive capacity gave it.
	for _, p := range t.parts {
		t.setAlloc(p, false, max(r*p.share, p.allocR))
		t.setAlloc(p, true, max(w*p.share, p.allocW))
	}
}

// autoscale is target tracking on one dimension (facts 5.22–5.24): a
// data point is a metric period's consumption over the provisioned
// throughput; ScaleUpPoints consecutive points above the target raise
// the throughput to consumption/target, ScaleDownPoints points below
// target × (1 − ScaleDownMargin) lower it, within [Min, Max] and the
// decrease quota (fact 5.9). UpdateTable then takes Delay, during which
// the old throughput holds.
func (t *table) autoscale(s *scaler, write bool, consumed float64) {
	a := t.capc.AutoScaling
	m := t.m
	prov, lo, hi := t.provR, a.MinRCU, a.MaxRCU
	if write {
		prov, lo, hi = t.provW, a.MinWCU, a.MaxWCU
	}
	util := consumed / prov
	switch {
	case util > a.Target:
		s.high++
		s.low = 0
	case util < a.Target*(1-a.ScaleDownMargin):
		s.low++
		s.high = 0
	default:
		s.high, s.low = 0, 0
	}
	if s.pending {
		return
	}
	want := math.Ceil(consumed / a.Target)
	if hi > 0 {
		want = min(want, hi)
	}
	want = max(want, lo, 1)
	now := time.Duration(m.k.Now())
	switch {
	case s.high >= a.ScaleUpPoints && want > prov:
		s.high = 0
		m.scaleUps++
	case s.low >= a.ScaleDownPoints && want < prov:
		if !a.Quota.Allowed(now, t.decreases) {
			return
		}
		s.low = 0
		t.decreases = append(t.decreases, now)
		m.scaleDowns++
	default:
		return
	}
	s.pending = true
	dim := "RCU"
	if write {
		dim = "WCU"
	}
	points := a.ScaleUpPoints
	if want < prov {
		points = a.ScaleDownPoints
	}
	m.log.Addf("auto scaling: %s%s %.0f%% of %.0f for %d periods: UpdateTable to %.0f (takes %v)",
		t.label, dim, 100*util, prov, max(points, 1), want, a.Delay)
	m.k.After(a.Delay, func() {
		// The new throughput starts a new evaluation.
		s.pending, s.high, s.low = false, 0, 0
		if write {
			t.resize(t.provR, want)
		} else {
			t.resize(want, t.provW)
		}
		mark := cluster.ScaleUp
		if want < prov {
			mark = cluster.ScaleDown
		}
		m.log.Markf(mark, fmt.Sprintf("%s%s %.0f", t.label, dim, want), "auto scaling: %s%s now %.0f (%d partitions)", t.label, dim, want, len(t.parts))
	})
}

// peak tracks an on-demand table's previous peak (facts 5.19–5.21): the
// table serves PeakMultiple × the peak at once; a consumption level
// sustained for PeakWindow becomes the new peak, and partitions split to
// hold the new capacity.
func (t *table) peak() {
	od := t.m.cfg.OnDemand
	n := max(int(od.PeakWindow/t.m.cfg.MetricPeriod), 1)
	t.histR = window(t.histR, t.lastR, n)
	t.histW = window(t.histW, t.lastW, n)
	r, w := t.peakR, t.peakW
	if len(t.histR) == n {
		r = max(r, slices.Min(t.histR))
		w = max(w, slices.Min(t.histW))
	}
	if r == t.peakR && w == t.peakW {
		return
	}
	t.peakR, t.peakW = r, w
	mult := max(od.PeakMultiple, 1)
	before := len(t.parts)
	t.resize(quota(mult*r, od.MaxRRU), quota(mult*w, od.MaxWRU))
	if r < 1.1*t.loggedR && w < 1.1*t.loggedW && len(t.parts) == before {
		return // a small rise: not worth a line in the narrative
	}
	t.loggedR, t.loggedW = r, w
	t.m.log.Markf(cluster.PeakRaised, fmt.Sprintf("%speak %.0f WRU/s", t.label, w),
		"on-demand: %speak now %.0f RRU/s, %.0f WRU/s sustained for %v; serves up to %.0f / %.0f at once (%d partitions)",
		t.label, r, w, od.PeakWindow, t.provR, t.provW, len(t.parts))
}

// quota caps v at q when q is positive.
func quota(v, q float64) float64 {
	if q > 0 {
		return min(v, q)
	}
	return v
}

func window(h []float64, v float64, n int) []float64 {
	h = append(h, v)
	if len(h) > n {
		h = h[len(h)-n:]
	}
	return h
}
