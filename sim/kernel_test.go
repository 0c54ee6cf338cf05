package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKernelOrdersByTimeThenInsertion(t *testing.T) {
	k := New(1)
	var got []string
	rec := func(s string) func() { return func() { got = append(got, s) } }
	k.At(30, rec("c"))
	k.At(10, rec("a1"))
	k.At(20, rec("b"))
	k.At(10, rec("a2")) // same time as a1, scheduled later: fires after it
	k.AtArg(10, func(a any) { got = append(got, a.(string)) }, "a3")
	k.At(0, rec("zero"))
	k.Run(Forever)
	assert.Equal(t, []string{"zero", "a1", "a2", "a3", "b", "c"}, got)
	assert.Equal(t, Time(30), k.Now(), "Run(Forever) leaves the clock at the last event")
	assert.Equal(t, uint64(6), k.Fired())
	assert.Zero(t, k.Pending())
}

func TestKernelTiesScheduledDuringRun(t *testing.T) {
	// An event scheduled for "now" from a callback runs after the events
	// already queued for now: insertion order, not recursion.
	k := New(1)
	var got []string
	k.At(5, func() {
		got = append(got, "first")
		k.After(0, func() { got = append(got, "spawned") })
	})
	k.At(5, func() { got = append(got, "second") })
	k.Run(Forever)
	assert.Equal(t, []string{"first", "second", "spawned"}, got)
}

func TestKernelPastIsClampedToNow(t *testing.T) {
	k := New(1)
	var at Time = -1
	k.At(100, func() { k.At(50, func() { at = k.Now() }) })
	k.Run(Forever)
	assert.Equal(t, Time(100), at)
}

func TestKernelAfterAndArg(t *testing.T) {
	k := New(1)
	var got []Time
	k.Run(At(time.Second))
	k.After(time.Millisecond, func() { got = append(got, k.Now()) })
	k.AfterArg(2*time.Millisecond, func(a any) { got = append(got, *a.(*Time)) }, new(Time(7)))
	k.Run(Forever)
	assert.Equal(t, []Time{At(time.Second + time.Millisecond), 7}, got)
}

func TestKernelCancel(t *testing.T) {
	k := New(1)
	fired := map[string]bool{}
	mark := func(s string) func() { return func() { fired[s] = true } }

	a := k.At(10, mark("a"))
	b := k.At(20, mark("b"))
	c := k.At(30, mark("c"))
	assert.True(t, k.Scheduled(a))
	assert.True(t, k.Cancel(b), "pending timer")
	assert.False(t, k.Scheduled(b))
	assert.False(t, k.Cancel(b), "already cancelled")
	assert.Equal(t, 2, k.Pending())

	k.Run(15)
	assert.True(t, fired["a"])
	assert.False(t, k.Cancel(a), "already fired")
	assert.False(t, k.Scheduled(a))

	// a's and b's slots are reused; their old Timers must not touch the new
	// occupants.
	d := k.At(40, mark("d"))
	e := k.At(50, mark("e"))
	assert.False(t, k.Cancel(a), "stale timer")
	assert.False(t, k.Cancel(b), "stale timer")
	assert.True(t, k.Scheduled(d))
	assert.True(t, k.Scheduled(e))

	assert.False(t, k.Cancel(Timer{}), "zero timer")
	assert.False(t, k.Scheduled(Timer{}))
	assert.False(t, k.Cancel(Timer{slot: 1 << 30}), "out-of-range timer")

	k.Run(Forever)
	assert.Equal(t, map[string]bool{"a": true, "c": true, "d": true, "e": true}, fired)
	_ = c
}

func TestKernelCancelFromCallback(t *testing.T) {
	k := New(1)
	var self, later Timer
	var got []string
	self = k.At(10, func() {
		assert.False(t, k.Scheduled(self), "an event is no longer scheduled while it runs")
		assert.False(t, k.Cancel(self))
		assert.True(t, k.Cancel(later))
		got = append(got, "self")
	})
	later = k.At(10, func() { got = append(got, "later") })
	k.Run(Forever)
	assert.Equal(t, []string{"self"}, got)
}

// TestKernelFirstPushReusesRunningSlot covers the running event's slot,
// which its first push takes over: the event's own Timer, used from
// inside the event before and after that push and from outside after it
// fired, neither reports nor cancels the new occupant; a second push gets
// a slot of its own; an event that pushes nothing frees its slot.
func TestKernelFirstPushReusesRunningSlot(t *testing.T) {
	k := New(1)
	var self, next, second Timer
	var got []string
	self = k.At(10, func() {
		assert.False(t, k.Scheduled(self), "not scheduled while it runs")
		next = k.At(20, func() { got = append(got, "next") })
		assert.Equal(t, self.slot, next.slot, "the first push takes the running event's slot")
		assert.NotEqual(t, self.gen, next.gen)
		assert.False(t, k.Scheduled(self), "the running event's Timer does not name the new occupant")
		assert.False(t, k.Cancel(self))
		assert.True(t, k.Scheduled(next))
		second = k.At(30, func() { got = append(got, "second") })
		assert.NotEqual(t, self.slot, second.slot, "a second push gets a slot of its own")
		assert.Equal(t, 2, k.Pending())
		got = append(got, "self")
	})
	k.Run(15)
	assert.False(t, k.Scheduled(self), "a stale Timer after its slot was reused")
	assert.False(t, k.Cancel(self))
	assert.True(t, k.Scheduled(next))
	assert.True(t, k.Scheduled(second))
	assert.Equal(t, 2, k.Pending())

	// next pushes nothing: its slot goes back to the free list, and the
	// next push (from outside Run) takes it.
	k.Run(20)
	assert.False(t, k.Scheduled(next))
	last := k.At(40, func() { got = append(got, "last") })
	assert.Equal(t, next.slot, last.slot, "a fired event that pushed nothing freed its slot")
	assert.False(t, k.Scheduled(next))
	assert.False(t, k.Cancel(next))
	assert.True(t, k.Cancel(last))
	k.Run(Forever)
	assert.Equal(t, []string{"self", "next", "second"}, got)
	assert.Zero(t, k.Pending())
}

func TestKernelStop(t *testing.T) {
	k := New(1)
	var got []Time
	for i := 1; i <= 5; i++ {
		k.At(Time(i*10), func() {
			got = append(got, k.Now())
			if k.Now() == 20 {
				k.Stop()
			}
		})
	}
	k.Run(100)
	assert.Equal(t, []Time{10, 20}, got, "Run returns after the event that called Stop")
	assert.Equal(t, Time(20), k.Now(), "a stopped Run does not advance the clock to until")
	assert.Equal(t, 3, k.Pending())

	k.Stop()   // outside Run: no effect
	k.Run(100) // and Stop lasts for one Run only
	assert.Equal(t, []Time{10, 20, 30, 40, 50}, got)
	assert.Equal(t, Time(100), k.Now())
}

func TestKernelRunUntil(t *testing.T) {
	k := New(1)
	var got []Time
	for _, at := range []Time{10, 20, 20, 30} {
		k.At(at, func() { got = append(got, k.Now()) })
	}
	k.Run(20)
	assert.Equal(t, []Time{10, 20, 20}, got, "events at until fire")
	assert.Equal(t, Time(20), k.Now())
	assert.Equal(t, 1, k.Pending())

	k.Run(25)
	assert.Equal(t, Time(25), k.Now(), "the clock advances to until even without events")
	k.Run(5)
	assert.Equal(t, Time(25), k.Now(), "Run never moves the clock backwards")

	k.Run(Forever)
	assert.Equal(t, Time(30), k.Now())
	k.Run(Forever)
	assert.Equal(t, Time(30), k.Now(), "an empty queue leaves the clock alone under Forever")
	k.Run(1000)
	assert.Equal(t, Time(1000), k.Now())
}

func TestKernelSchedulesWithoutAllocating(t *testing.T) {
	k := New(1)
	arg := new(int)
	fn := func(any) {}
	// Warm the heap and the slot table up to their steady-state size.
	for i := 0; i < 64; i++ {
		k.AfterArg(time.Duration(i), fn, arg)
	}
	k.Run(Forever)
	allocs := testing.AllocsPerRun(1000, func() {
		tm := k.AfterArg(time.Microsecond, fn, arg)
		k.AfterArg(time.Millisecond, fn, arg)
		k.Cancel(tm)
		k.Run(Forever)
	})
	assert.Zero(t, allocs)
}

func TestStreams(t *testing.T) {
	a1, a2 := New(42).Stream("arrivals"), New(42).Stream("arrivals")
	b := New(42).Stream("service")
	c := New(43).Stream("arrivals")
	for i := 0; i < 100; i++ {
		x := a1.Uint64()
		require.Equal(t, x, a2.Uint64(), "same (seed, name), same sequence")
		assert.NotEqual(t, x, b.Uint64(), "another name")
		assert.NotEqual(t, x, c.Uint64(), "another seed")
	}
}

// eventQueue is what the kernel property test drives: the real Kernel or its
// naive twin.
type eventQueue interface {
	now() Time
	at(t Time, id int)
	cancel(id int) bool
	scheduled(id int) bool
	run(until Time)
	stop()
	pending() int
}

// harness drives an eventQueue. Each event, when it fires, logs its id and,
// depending on the id, schedules a new event (sometimes at the same time),
// cancels an older one, or stops the run: the same reactions on both sides,
// so the two logs stay equal as long as the queues agree.
type harness struct {
	q      eventQueue
	nextID int
	log    []int
}

func (h *harness) schedule(t Time) {
	h.q.at(t, h.nextID)
	h.nextID++
}

func (h *harness) fire(id int) {
	h.log = append(h.log, id)
	if id%5 == 0 {
		h.schedule(h.q.now() + Time(id%4))
	}
	if id%7 == 0 && id > 0 {
		h.q.cancel(id - 1)
	}
	if id%13 == 0 {
		h.q.stop()
	}
}

// realQueue adapts Kernel to eventQueue.
type realQueue struct {
	k      *Kernel
	h      *harness
	timers []Timer
	fireFn func(any)
}

func (r *realQueue) now() Time { return r.k.Now() }
func (r *realQueue) at(t Time, id int) {
	r.timers = append(r.timers, r.k.AtArg(t, r.fireFn, id))
}
func (r *realQueue) cancel(id int) bool    { return r.k.Cancel(r.timers[id]) }
func (r *realQueue) scheduled(id int) bool { return r.k.Scheduled(r.timers[id]) }
func (r *realQueue) run(until Time)        { r.k.Run(until) }
func (r *realQueue) stop()                 { r.k.Stop() }
func (r *realQueue) pending() int          { return r.k.Pending() }

// naiveQueue is the kernel's twin: an unsorted slice searched linearly for
// the least (time, seq) on every step.
type naiveQueue struct {
	h       *harness
	t       Time
	seq     uint64
	events  []naiveEvent
	stopped bool
}

type naiveEvent struct {
	at  Time
	seq uint64
	id  int
}

func (n *naiveQueue) now() Time { return n.t }
func (n *naiveQueue) at(t Time, id int) {
	n.seq++
	n.events = append(n.events, naiveEvent{at: max(t, n.t), seq: n.seq, id: id})
}
func (n *naiveQueue) find(id int) int {
	return slices.IndexFunc(n.events, func(e naiveEvent) bool { return e.id == id })
}
func (n *naiveQueue) cancel(id int) bool {
	i := n.find(id)
	if i < 0 {
		return false
	}
	n.events = slices.Delete(n.events, i, i+1)
	return true
}
func (n *naiveQueue) scheduled(id int) bool { return n.find(id) >= 0 }
func (n *naiveQueue) stop()                 { n.stopped = true }
func (n *naiveQueue) pending() int          { return len(n.events) }
func (n *naiveQueue) run(until Time) {
	n.stopped = false
	for !n.stopped && len(n.events) > 0 {
		best := 0
		for i, e := range n.events {
			b := n.events[best]
			if e.at < b.at || (e.at == b.at && e.seq < b.seq) {
				best = i
			}
		}
		e := n.events[best]
		if e.at > until {
			break
		}
		n.events = slices.Delete(n.events, best, best+1)
		n.t = e.at
		n.h.fire(e.id)
	}
	if until != Forever && n.t < until && !n.stopped {
		n.t = until
	}
}

// TestKernelMatchesNaiveTwin drives the kernel and a naive sorted-by-search
// twin with the same random schedules, cancels (of pending, fired and
// cancelled timers), runs and stops, and checks that they fire the same
// events in the same order at the same times.
func TestKernelMatchesNaiveTwin(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		msg := fmt.Sprintf("seed %d (go test ./sim/ -run TestKernelMatchesNaiveTwin replays it)", seed)
		matchNaiveTwin(t, seed, 400, maxSeq, msg)
	}
}

// TestKernelRenumbersInOrder runs the naive-twin test with sequence
// numbers that run out after a few hundred pushes, so that the kernel
// renumbers its pending events many times, and checks that it did.
func TestKernelRenumbersInOrder(t *testing.T) {
	for seed := uint64(1); seed <= 15; seed++ {
		msg := fmt.Sprintf("seed %d (go test ./sim/ -run TestKernelRenumbersInOrder replays it)", seed)
		k := matchNaiveTwin(t, seed, 2000, 400, msg)
		require.Less(t, k.seq, uint64(800), "%s: sequence numbers started again", msg)
	}
}

// matchNaiveTwin drives a kernel whose sequence numbers stop at seqMax,
// and the naive twin, through ops random operations; it returns the kernel.
func matchNaiveTwin(t *testing.T, seed uint64, ops int, seqMax uint64, msg string) *Kernel {

	rng := rand.New(rand.NewPCG(seed, 0xdb51))

	real := &harness{}
	rq := &realQueue{k: New(seed), h: real}
	rq.k.seqMax = seqMax
	rq.fireFn = func(a any) { real.fire(a.(int)) }
	real.q = rq
	twin := &harness{}
	twin.q = &naiveQueue{h: twin}

	for op := 0; op < ops; op++ {
		switch r := rng.IntN(10); {
		case r < 5: // schedule, with many ties and some times in the past
			t := real.q.now() + Time(rng.IntN(40)) - 5
			real.schedule(t)
			twin.schedule(t)
		case r < 7: // cancel any timer, pending or not
			if real.nextID == 0 {
				continue
			}
			id := rng.IntN(real.nextID)
			require.Equal(t, twin.q.cancel(id), real.q.cancel(id), "%s op %d: Cancel(%d)", msg, op, id)
		case r < 8:
			if real.nextID == 0 {
				continue
			}
			id := rng.IntN(real.nextID)
			require.Equal(t, twin.q.scheduled(id), real.q.scheduled(id), "%s op %d: Scheduled(%d)", msg, op, id)
		default: // run for a while
			until := real.q.now() + Time(rng.IntN(30))
			if rng.IntN(20) == 0 {
				until = Forever
			}
			real.q.run(until)
			twin.q.run(until)
		}
		require.Equal(t, twin.log, real.log, "%s op %d: fired events", msg, op)
		require.Equal(t, twin.q.now(), real.q.now(), "%s op %d: clock", msg, op)
		require.Equal(t, twin.q.pending(), real.q.pending(), "%s op %d: pending", msg, op)
	}
	for real.q.pending() > 0 { // drain, resuming after Stops
		real.q.run(Forever)
		twin.q.run(Forever)
	}
	require.Equal(t, twin.log, real.log, "%s: fired events after draining", msg)
	require.Zero(t, twin.q.pending(), msg)
	require.Equal(t, uint64(len(real.log)), rq.k.Fired(), msg)
	return rq.k
}

// TestKernelCompactsCancelled cancels most of a large schedule, which
// makes the kernel rebuild its heap without the cancelled events, and
// checks that the rest still fire in (time, insertion) order and that
// the heap let the cancelled ones go.
func TestKernelCompactsCancelled(t *testing.T) {
	k := New(1)
	rng := rand.New(rand.NewPCG(1, 2))
	type ev struct {
		at Time
		id int
	}
	var timers []Timer
	var evs []ev
	var fired []int
	for i := 0; i < 1000; i++ {
		at := Time(rng.IntN(50)) // many ties
		timers = append(timers, k.AtArg(at, func(a any) { fired = append(fired, a.(int)) }, i))
		evs = append(evs, ev{at, i})
	}
	var want []int
	for i, e := range evs {
		if i%10 < 7 {
			require.True(t, k.Cancel(timers[i]))
			require.False(t, k.Cancel(timers[i]), "a second cancel")
			continue
		}
		want = append(want, e.id)
	}
	require.Equal(t, 300, k.Pending())
	require.Less(t, len(k.heap), 700, "cancelled events were dropped from the heap")
	sort.SliceStable(want, func(a, b int) bool { return evs[want[a]].at < evs[want[b]].at })
	k.Run(Forever)
	require.Equal(t, want, fired)
	require.Zero(t, k.Pending())
	require.Equal(t, uint64(300), k.Fired())
}

// TestKernelRunningEventLeftAtRoot covers what Run leaves in the heap
// while an event runs (its entry, for the event's first push to
// replace): Pending does not count it, a compaction started by a Cancel
// from the event drops it, and Stop, a second push and a Run from
// inside the event see a queue without it.
func TestKernelRunningEventLeftAtRoot(t *testing.T) {
	k := New(1)
	var got []int
	rec := func(a any) { got = append(got, a.(int)) }
	var timers []Timer
	for i := 0; i < 200; i++ {
		timers = append(timers, k.AtArg(Time(100+i), rec, 100+i))
	}
	k.At(10, func() {
		assert.Equal(t, 201, k.Pending(), "the running event is not pending")
		for i := 0; i < 150; i++ { // more than half: compacts
			require.True(t, k.Cancel(timers[i]))
		}
		require.Less(t, len(k.heap), 150, "compacted")
		assert.Equal(t, 51, k.Pending())
		k.AtArg(20, rec, 1) // first push: takes the root's place after the compaction
		k.AtArg(10, rec, 0) // same time as the running event: fires next
		assert.Equal(t, 53, k.Pending())
	})
	k.At(20, func() {
		k.AtArg(30, rec, 2)
		k.Run(25) // from inside an event: nothing to run, the clock moves on
		assert.Equal(t, Time(25), k.Now())
		assert.Equal(t, 51, k.Pending())
		k.Stop()
	})
	k.Run(Forever)
	assert.Equal(t, []int{0, 1}, got, "stopped after the event at 20")
	assert.Equal(t, 51, k.Pending())
	k.Run(Forever)
	want := []int{0, 1, 2}
	for i := 150; i < 200; i++ {
		want = append(want, 100+i)
	}
	assert.Equal(t, want, got)
	assert.Zero(t, k.Pending())
}
