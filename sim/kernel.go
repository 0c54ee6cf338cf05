package sim

import (
	"math/bits"
	"time"
)

// Kernel is the event loop of one simulation run. It is not safe for
// concurrent use: one goroutine owns a Kernel.
type Kernel struct {
	now     Time
	seq     uint64
	heap    []entry // min-heap on (at, seq)
	slots   []slot  // event payloads, indexed by entry.slot
	free    []int32 // free slot indices
	dead    int     // cancelled entries still in the heap
	fired   uint64
	seed    uint64
	stopped bool
}

// entry is what the heap orders; it is small so sifting stays cache-friendly.
type entry struct {
	at   Time
	seq  uint64
	slot int32
}

// slot holds an event's callback. A cancelled event stays in the heap
// until it comes to the top, where Run drops it (or until cancelled
// entries make up half the heap, which is then rebuilt without them): so
// sifting never has to tell a slot where its entry went.
type slot struct {
	fn     func()
	fnA    func(any)
	arg    any
	queued bool   // scheduled, neither fired nor cancelled
	gen    uint32 // bumped on every reuse, so stale Timers cannot cancel (until it wraps after 2^32 reuses of one slot)
}

// Timer identifies a scheduled event so that it can be cancelled. The zero
// Timer is not scheduled.
type Timer struct {
	slot int32
	gen  uint32
}

// New returns a kernel at time zero whose random streams derive from seed.
func New(seed uint64) *Kernel {
	return &Kernel{seed: seed, heap: make([]entry, 0, 1024), slots: make([]slot, 1, 1024)}
}

// Now is the current simulated time.
func (k *Kernel) Now() Time { return k.now }

// Seed is the seed the kernel's random streams derive from.
func (k *Kernel) Seed() uint64 { return k.seed }

// Fired is the number of events executed so far.
func (k *Kernel) Fired() uint64 { return k.fired }

// Pending is the number of events in the queue.
func (k *Kernel) Pending() int { return len(k.heap) - k.dead }

// At schedules fn at time t (clamped to now if t is in the past).
func (k *Kernel) At(t Time, fn func()) Timer { return k.push(t, fn, nil, nil) }

// After schedules fn after span d.
func (k *Kernel) After(d time.Duration, fn func()) Timer { return k.push(k.now+Time(d), fn, nil, nil) }

// AtArg schedules fn(arg) at time t. Passing a pointer as arg and a method
// value created once as fn schedules an event without allocating, which is
// what the hot paths of the models do.
func (k *Kernel) AtArg(t Time, fn func(any), arg any) Timer { return k.push(t, nil, fn, arg) }

// AfterArg schedules fn(arg) after span d.
func (k *Kernel) AfterArg(d time.Duration, fn func(any), arg any) Timer {
	return k.push(k.now+Time(d), nil, fn, arg)
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
	s.fn, s.fnA, s.arg = nil, nil, nil
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
	h := k.heap[:0]
	for _, e := range k.heap {
		if k.slots[e.slot].queued {
			h = append(h, e)
		} else {
			k.release(e.slot)
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
	k.stopped = false
	for len(k.heap) > 0 && !k.stopped {
		e := k.heap[0]
		if e.at > until {
			break
		}
		k.popMin()
		s := &k.slots[e.slot]
		if !s.queued { // cancelled
			k.dead--
			k.release(e.slot)
			continue
		}
		fn, fnA, arg := s.fn, s.fnA, s.arg
		k.release(e.slot)
		k.now = e.at
		k.fired++
		if fn != nil {
			fn()
		} else {
			fnA(arg)
		}
	}
	if until != Forever && k.now < until && !k.stopped {
		k.now = until
	}
}

func (k *Kernel) push(t Time, fn func(), fnA func(any), arg any) Timer {
	if t < k.now {
		t = k.now
	}
	var id int32
	if n := len(k.free); n > 0 {
		id = k.free[n-1]
		k.free = k.free[:n-1]
	} else {
		k.slots = append(k.slots, slot{})
		id = int32(len(k.slots) - 1)
	}
	s := &k.slots[id]
	s.fn, s.fnA, s.arg = fn, fnA, arg
	s.queued = true
	k.seq++
	k.heap = append(k.heap, entry{at: t, seq: k.seq, slot: id})
	k.up(len(k.heap) - 1)
	return Timer{slot: id, gen: s.gen}
}

func (k *Kernel) release(id int32) {
	s := &k.slots[id]
	s.fn, s.fnA, s.arg = nil, nil, nil
	s.queued = false
	s.gen++
	k.free = append(k.free, id)
}

// less orders entries by time, then by insertion: a heap is not stable, so
// the sequence number is what makes same-time events fire in the order they
// were scheduled.
func less(a, b *entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
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

// earlier returns whichever of h[i] and h[j] comes first. It compares the
// (time, seq) pairs as one 128-bit number, a subtraction and its borrow,
// and picks the index arithmetically: which of two events is earlier is a
// coin toss to a branch predictor, and sifting asks it at every level.
// Times are never negative, so their bits compare as unsigned.
func earlier(h []entry, i, j int) int {
	_, b := bits.Sub64(h[j].seq, h[i].seq, 0)
	_, b = bits.Sub64(uint64(h[j].at), uint64(h[i].at), b)
	return i + int(b)*(j-i)
}

// The queue is a 4-ary min-heap: half the depth of a binary heap, and the
// four children of a node share a cache line or two. Sifting moves a hole
// instead of swapping, so each level costs one entry copy.
const arity = 4

// popMin removes the root. It moves the hole left at the root down the
// path of earliest children to a leaf, then puts the last entry there and
// lets it rise: the last entry of an event queue is usually late and
// belongs near the leaves, so this skips a comparison at every level.
func (k *Kernel) popMin() {
	h := k.heap
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	k.heap = h
	if n == 0 {
		return
	}
	i := 0
	for {
		c := arity*i + 1
		if c >= n {
			break
		}
		m := earliestChild(h, c)
		h[i] = h[m]
		i = m
	}
	h[i] = last
	k.up(i)
}

// up moves the entry at j towards the root until its parent is not later.
func (k *Kernel) up(j int) {
	h := k.heap
	e := h[j]
	for j > 0 {
		i := (j - 1) / arity
		if !less(&e, &h[i]) {
			break
		}
		h[j] = h[i]
		j = i
	}
	h[j] = e
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
