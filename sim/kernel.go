package sim

import (
	"math/bits"
	"slices"
	"time"
)

// Kernel is the event loop of one simulation run. It is not safe for
// concurrent use: one goroutine owns a Kernel.
type Kernel struct {
	now     Time
	seq     uint64  // sequence number of the latest push
	seqMax  uint64  // the largest sequence number an entry can hold (maxSeq, smaller in tests)
	heap    []entry // min-heap on (at, seq)
	slots   []slot  // event payloads, indexed by entry.slot
	free    []int32 // free slot indices
	dead    int     // cancelled entries still in the heap
	running int32   // the slot of the event now running, whose entry is left at the root for push to replace (0: none)
	fired   uint64
	seed    uint64
	stopped bool
}

// entry is what the heap orders: 16 bytes, so four children fill one
// cache line and an entry moves as one 16-byte copy. key packs the
// insertion sequence number (high 32 bits) above the slot index (low 32
// bits): comparing keys compares sequence numbers, since no two pending
// entries share one, and the slot rides along for free. When the 32 bits
// of sequence run out (after 4 billion events), renumber gives the
// pending entries fresh numbers in the same order.
type entry struct {
	at  Time
	key uint64
}

// maxSeq is the largest sequence number that fits in an entry's key.
const maxSeq = 1<<32 - 1

func (e entry) slot() int32 { return int32(uint32(e.key)) }

// slot holds an event's callback. A cancelled event stays in the heap
// until it comes to the top, where Run drops it (or until cancelled
// entries make up half the heap, which is then rebuilt without them): so
// sifting never has to tell a slot where its entry went.
//
// Every event is stored as fn(arg): At and After store callFunc with the
// func() as arg (a func value fits in an interface without allocating),
// so Run has one way to call an event and a slot is 32 bytes.
type slot struct {
	fn     func(any)
	arg    any
	queued bool   // scheduled, neither fired nor cancelled
	gen    uint32 // bumped when its event fires and when a cancelled event's slot is freed, so stale Timers cannot cancel (until it wraps after 2^32 reuses of one slot)
}

// Timer identifies a scheduled event so that it can be cancelled. The zero
// Timer is not scheduled.
type Timer struct {
	slot int32
	gen  uint32
}

// New returns a kernel at time zero whose random streams derive from seed.
func New(seed uint64) *Kernel {
	k := &Kernel{seed: seed, seqMax: maxSeq, slots: make([]slot, 1, 1024)}
	k.grow(1024)
	return k
}

// Now is the current simulated time.
func (k *Kernel) Now() Time { return k.now }

// Seed is the seed the kernel's random streams derive from.
func (k *Kernel) Seed() uint64 { return k.seed }

// Fired is the number of events executed so far.
func (k *Kernel) Fired() uint64 { return k.fired }

// Pending is the number of events in the queue.
func (k *Kernel) Pending() int {
	n := len(k.heap) - k.dead
	if k.running != 0 {
		n--
	}
	return n
}

// At schedules fn at time t (clamped to now if t is in the past).
func (k *Kernel) At(t Time, fn func()) Timer { return k.push(t, callFunc, fn) }

// After schedules fn after span d.
func (k *Kernel) After(d time.Duration, fn func()) Timer { return k.push(k.now+Time(d), callFunc, fn) }

// callFunc runs the func() that At and After store as an event's arg.
func callFunc(fn any) { fn.(func())() }

// AtArg schedules fn(arg) at time t. Passing a pointer as arg and a method
// value created once as fn schedules an event without allocating, which is
// what the hot paths of the models do.
func (k *Kernel) AtArg(t Time, fn func(any), arg any) Timer { return k.push(t, fn, arg) }

// AfterArg schedules fn(arg) after span d.
func (k *Kernel) AfterArg(d time.Duration, fn func(any), arg any) Timer {
	return k.push(k.now+Time(d), fn, arg)
}

// Cancel removes a scheduled event. It reports whether the event was still
// pending; cancelling a fired, cancelled or zero Timer does nothing.
func (k *Kernel) Cancel(t Timer) bool {
	if t.slot <= 0 || int(t.slot) >= len(k.slots) {
		return false
	}
	s := &k.slots[t.slot]
	if s.gen != t.gen || !s.queued {
		return false
	}
	s.fn, s.arg = nil, nil
	s.queued = false
	k.dead++
	if k.dead > 64 && 2*k.dead > len(k.heap) {
		k.compact()
	}
	return true
}

// compact rebuilds the heap without its cancelled entries. The order in
// which the live ones pop does not depend on the heap's layout: (time,
// seq) orders them totally.
func (k *Kernel) compact() {
	k.settle()
	h := k.heap[:0]
	for _, e := range k.heap {
		if k.slots[e.slot()].queued {
			h = append(h, e)
		} else {
			k.release(e.slot())
		}
	}
	clear(k.heap[len(h):])
	k.heap, k.dead = h, 0
	for i := (len(h) - 2) / arity; i >= 0; i-- {
		k.down(i)
	}
}

// Scheduled reports whether t is still pending.
func (k *Kernel) Scheduled(t Timer) bool {
	if t.slot <= 0 || int(t.slot) >= len(k.slots) {
		return false
	}
	s := &k.slots[t.slot]
	return s.gen == t.gen && s.queued
}

// Stop makes the running Run return once the current event has finished;
// the remaining events stay queued for the next Run. Called outside Run it
// has no effect.
func (k *Kernel) Stop() { k.stopped = true }

// Run executes events in (time, insertion) order until the queue is empty,
// the next event lies after until, or Stop is called. Events at exactly
// until do run. Unless stopped, the clock then reads until (or, for
// Forever, the time of the last event); after a Stop it reads the time of
// the event that called it. The clock never moves backwards: Run with an
// until in the past does nothing.
func (k *Kernel) Run(until Time) {
	k.settle() // a Run called from an event
	k.stopped = false
	for len(k.heap) > 0 && !k.stopped {
		e := k.heap[0]
		if e.at > until {
			break
		}
		id := e.slot()
		// Indexed by the slot zero-extended, not by id sign-extended: an
		// instruction fewer on the way to the call.
		s := &k.slots[uint32(e.key)]
		if !s.queued { // cancelled
			k.popMin()
			k.dead--
			k.release(id)
			continue
		}
		fn, arg := s.fn, s.arg
		s.queued = false
		s.gen++ // the event's Timer no longer names it
		k.now = e.at
		k.fired++
		k.running = id
		fn(arg)
		k.settle()
	}
	if until != Forever && k.now < until && !k.stopped {
		k.now = until
	}
}

// settle removes the root and frees its slot if it is the event that
// ran last and no push has replaced it.
//
// Run leaves an event's entry at the root while the event runs, and the
// first push from the event puts its entry there instead (sift): most
// events schedule a follow-up, and replacing the root is one sift where
// popping it and pushing anew would be two, the pop's and the push's.
// That push takes the event's slot too, where freeing it before the call
// and taking a slot from the free list again would be a round trip per
// event; Run has already bumped the slot's gen and cleared queued, so the
// event's own Timer neither cancels nor reports the new occupant. Every
// later push comes after the stale root in (time, seq) order, so one that
// does not replace it (a second one from the same event) never rises
// above it. What reads the heap as a whole (compact, renumber, a Run from
// inside an event) settles first.
func (k *Kernel) settle() {
	if k.running != 0 {
		k.unroot() // a call of its own, so that settle is inlined in Run
	}
}

// unroot removes the running event's entry from the root and frees its
// slot (settle).
func (k *Kernel) unroot() {
	id := k.running
	k.running = 0
	s := &k.slots[id]
	s.fn, s.arg = nil, nil
	k.free = append(k.free, id)
	k.popMin()
}

func (k *Kernel) push(t Time, fn func(any), arg any) Timer {
	if t < k.now || k.seq == k.seqMax || k.running == 0 && (len(k.free) == 0 || len(k.heap) == cap(k.heap)) {
		return k.pushSlow(t, fn, arg)
	}
	k.seq++
	id := k.running // the running event's slot and root entry, if any (settle)
	if id == 0 {
		n := len(k.free) - 1
		id = k.free[n]
		k.free = k.free[:n]
	}
	s := &k.slots[id]
	s.fn, s.arg = fn, arg
	s.queued = true
	tm := Timer{slot: id, gen: s.gen}
	e := entry{at: t, key: k.seq<<32 | uint64(uint32(id))}
	if k.running != 0 {
		k.running = 0
		k.sift(0, e)
		return tm
	}
	k.heap = k.heap[:len(k.heap)+1]
	k.sift(len(k.heap)-1, e)
	return tm
}

// pushSlow is push when the time is in the past (it clamps it to now),
// the sequence numbers have run out, or no slot or no room in the heap is
// at hand: it makes them and pushes. push's own path then calls nothing
// before its sift, so the compiler keeps its arguments in registers
// instead of saving them for these rare calls; and a new event's time
// goes to the comparisons without a clamp (a conditional move) on the
// way, behind a branch that is predicted.
func (k *Kernel) pushSlow(t Time, fn func(any), arg any) Timer {
	t = max(t, k.now)
	if k.seq == k.seqMax {
		k.renumber() // settles: a running event's slot and root are freed
	}
	if k.running == 0 {
		if len(k.free) == 0 {
			k.slots = append(k.slots, slot{})
			k.free = append(k.free, int32(len(k.slots)-1))
		}
		if len(k.heap) == cap(k.heap) {
			k.grow(2 * cap(k.heap))
		}
	}
	return k.push(t, fn, arg)
}

// renumber gives the entries in the heap the sequence numbers 1, 2, ...
// in (time, seq) order, so that sequence numbers can start again after
// them. Their order, and so the order in which they fire, is unchanged;
// sorted, the heap is still a heap. It runs once every 4 billion pushes.
func (k *Kernel) renumber() {
	k.settle()
	h := k.heap
	slices.SortFunc(h, func(a, b entry) int {
		if less(&a, &b) {
			return -1
		}
		return 1
	})
	for i := range h {
		h[i].key = uint64(i+1)<<32 | uint64(uint32(h[i].key))
	}
	k.seq = uint64(len(h))
}

func (k *Kernel) release(id int32) {
	s := &k.slots[id]
	s.fn, s.arg = nil, nil
	s.queued = false
	s.gen++
	k.free = append(k.free, id)
}

// less orders entries by time, then by insertion: a heap is not stable, so
// the sequence number is what makes same-time events fire in the order they
// were scheduled.
func less(a, b *entry) bool {
	return a.at < b.at || (a.at == b.at && a.key < b.key)
}

// earliestChild returns the index of the earliest of the children of a
// node, the first of which is at c.
func earliestChild(h []entry, c int) int {
	if c+arity <= len(h) {
		q := h[c : c+arity : c+arity]
		return c + earlier(q, earlier(q, 0, 1), earlier(q, 2, 3))
	}
	m := c
	for j := c + 1; j < len(h); j++ {
		m = earlier(h, m, j)
	}
	return m
}

// earlier returns whichever of h[i] and h[j] comes first (earlierOf).
func earlier(h []entry, i, j int) int {
	_, m := earlierOf(h[i], h[j], i, j)
	return m
}

// earlierOf returns whichever of x and y comes first, and its index (i
// for x, j for y). It compares the (time, key) pairs as one 128-bit
// number, a subtraction and its borrow, and selects with a mask: which of
// two events is earlier is a coin toss to a branch predictor, and sifting
// asks it at every level; a mask makes a shorter chain than multiplying
// by the borrow. Times are never negative, so their bits compare as
// unsigned. It returns the entry too, by value: sift's descent picks the
// earliest of four children in a tournament whose final compares the two
// winners in registers, where loading them again from the indices chosen
// would put a dependent load on the way to the next level (with a
// hundred or more events pending, 9 % of an event's time,
// BenchmarkKernelHold/1024).
func earlierOf(x, y entry, i, j int) (entry, int) {
	_, b := bits.Sub64(y.key, x.key, 0)
	_, b = bits.Sub64(uint64(y.at), uint64(x.at), b)
	m := -b // all ones if y is before x
	return entry{at: x.at ^ (x.at^y.at)&Time(m), key: x.key ^ (x.key^y.key)&m}, i ^ (i^j)&int(m)
}

// grow moves the heap to a new array with room for n entries. The heap
// starts heapPad entries into its array: the children of entry i are
// entries 4i+1 to 4i+4, which then sit at array indices 4(i+1) to
// 4(i+1)+3, one 64-byte cache line (the Go allocator places arrays this
// large at 64-byte multiples). Sifting down reads one line per level
// instead of two. append would not keep the padding, so pushSlow calls grow.
func (k *Kernel) grow(n int) {
	a := make([]entry, heapPad+n)
	h := a[heapPad : heapPad+len(k.heap)]
	copy(h, k.heap)
	k.heap = h
}

const heapPad = arity - 1

// The queue is a 4-ary min-heap: half the depth of a binary heap, and the
// four children of a node share a cache line or two. Sifting moves a hole
// instead of swapping, so each level costs one entry copy.
const arity = 4

// popMin removes the root.
func (k *Kernel) popMin() {
	h := k.heap
	n := len(h) - 1
	last := h[n]
	k.heap = h[:n]
	if n > 0 {
		k.sift(0, last)
	}
}

// sift puts e in the hole at i, which is the root (the root's
// replacement: popMin, and an event's first push) or a new leaf at the
// end of the heap (any other push), in two passes.
//
// The first moves the hole down the path of earliest children to a leaf
// (for a leaf, it does nothing): e, the last entry (popMin) or a new
// event (push), is usually late and belongs near the leaves, so this
// skips a comparison at every level. The second lets e rise from there,
// moving the hole towards the root while its parent is later than e.
// One function for both, because a call between them showed in the
// profiles. The caller passes e rather than storing it in the hole: an
// entry just stored and at once loaded back stalls the processor, which
// cannot forward the two 8-byte stores of an append to one 16-byte load.
//
// The rise's first step is taken without a branch: the later of e and
// the parent goes into the hole and the earlier one carries on up from
// the parent's place. Whether a new event is earlier than its first
// parent is a coin toss to a branch predictor (in a small queue, such as
// the M/M/1's arrival against its departure, an even one); the next step
// up, against the grandparent, is rarely taken whichever of the two
// carries on, so its branch predicts well.
func (k *Kernel) sift(i int, e entry) {
	h := k.heap
	n := len(h)
	// The loop handles nodes with all four children, inlined (a call per
	// level showed in the profiles); below it, a node whose children
	// are cut off by the end of the heap, whose children are leaves.
	for {
		c := arity*i + 1
		if c+arity > n {
			break
		}
		// The children are read from h itself after one bounds check: a
		// three-index slice of them held cap(h) in a register more, and
		// the loop then kept three of their words on the stack, stored
		// and loaded back at every level.
		_ = h[c+arity-1]
		x, a := earlierOf(h[c], h[c+1], 0, 1)
		y, b := earlierOf(h[c+2], h[c+3], 2, 3)
		z, m := earlierOf(x, y, a, b)
		h[i] = z
		i = c + m
	}
	if c := arity*i + 1; c < n {
		m := c
		for j := c + 1; j < n; j++ {
			m = earlier(h, m, j)
		}
		h[i] = h[m]
		i = m
	}
	if i > 0 {
		p := (i - 1) / arity
		q := h[p]
		first, _ := earlierOf(q, e, 0, 0)
		h[i] = entry{at: e.at ^ q.at ^ first.at, key: e.key ^ q.key ^ first.key} // the later: the pair without the earlier
		e = first
		i = p
	}
	for i > 0 {
		p := (i - 1) / arity
		if !less(&e, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// down moves the entry at i towards the leaves until no child is earlier.
func (k *Kernel) down(i int) {
	h := k.heap
	n := len(h)
	e := h[i]
	for {
		c := arity*i + 1
		if c >= n {
			break
		}
		m := earliestChild(h, c)
		if !less(&h[m], &e) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = e
}
