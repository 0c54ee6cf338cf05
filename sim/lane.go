package sim

import "time"

// Lane is a queue of events that all fire the same span after they were
// added, such as the timeouts of requests. Because the span is fixed they
// fire in the order they were added, so the lane keeps them in a FIFO and
// only one kernel event, for the earliest live entry, sits in the heap.
// Adding and cancelling cost O(1) instead of heap operations on a heap that
// would hold every pending timeout.
type Lane struct {
	k     *Kernel
	d     time.Duration
	fn    func(any)
	items []laneItem
	head  int
	first uint64 // id of items[head]
	armed Timer
	at    Time // when armed fires
	wake  func()
}

type laneItem struct {
	at   Time
	arg  any
	live bool
}

// LaneTimer identifies an entry of a lane so that it can be cancelled. The
// zero LaneTimer is never live.
type LaneTimer struct{ id uint64 }

// NewLane returns a lane whose entries call fn(arg) span d after Add.
func NewLane(k *Kernel, d time.Duration, fn func(any)) *Lane {
	l := &Lane{k: k, d: d, fn: fn, first: 1}
	l.wake = l.fire
	return l
}

// Add schedules fn(arg) at now + the lane's span.
func (l *Lane) Add(arg any) LaneTimer {
	l.trim()
	if len(l.items) == cap(l.items) {
		l.grow()
	}
	at := l.k.now.Add(l.d)
	l.items = append(l.items, laneItem{at: at, arg: arg, live: true})
	id := l.first + uint64(len(l.items)-1-l.head)
	if !l.k.Scheduled(l.armed) {
		l.arm(at)
	}
	return LaneTimer{id: id}
}

// Cancel stops an entry from firing; it reports whether it was pending.
func (l *Lane) Cancel(t LaneTimer) bool {
	if t.id < l.first {
		return false
	}
	i := l.head + int(t.id-l.first)
	if i >= len(l.items) || !l.items[i].live {
		return false
	}
	l.items[i].live, l.items[i].arg = false, nil
	return true
}

// Len is the number of entries not yet fired or skipped, cancelled ones
// included.
func (l *Lane) Len() int { return len(l.items) - l.head }

func (l *Lane) arm(at Time) {
	l.at = at
	l.armed = l.k.At(at, l.wake)
}

func (l *Lane) fire() {
	now := l.k.now
	for l.head < len(l.items) {
		it := &l.items[l.head]
		if it.live && it.at > now {
			break
		}
		arg, live := it.arg, it.live
		*it = laneItem{}
		l.head++
		l.first++
		if live {
			l.fn(arg) // may Add: new entries are later than now
		}
	}
	l.compact()
	if l.head < len(l.items) && !l.k.Scheduled(l.armed) {
		l.arm(l.items[l.head].at)
	}
}

// trim drops the cancelled entries at the front now rather than when the
// lane next fires: a lane whose entries are mostly cancelled soon after
// they are added (connects refused at once in a reconnect storm, each
// under a 2 s connect timeout) would otherwise grow to a whole span of
// them, reallocated and copied as it grows. What fires, and when, does
// not change: fire skips cancelled entries all the same.
func (l *Lane) trim() {
	for l.head < len(l.items) && !l.items[l.head].live {
		l.head++
		l.first++
	}
	l.compact()
}

// compact moves the entries to the front of items once half of it lies
// before head, so that its space is reused rather than grown.
func (l *Lane) compact() {
	if l.head > 64 && l.head*2 >= len(l.items) {
		n := copy(l.items, l.items[l.head:])
		clear(l.items[n:])
		l.items, l.head = l.items[:n], 0
	}
}

// grow makes room for one more entry in a full items: it moves the
// entries to the front if a quarter of it or more lies before head (each
// entry is then moved at most three times per slot it frees), or else
// copies them to a new array of twice the size. (append would copy the
// dead front too, and grow a large array by a quarter at a time: a lane
// of a reconnect storm's connect timeouts allocated five times its final
// size that way.)
func (l *Lane) grow() {
	n := len(l.items) - l.head
	if l.head > 0 && 4*l.head >= len(l.items) {
		copy(l.items, l.items[l.head:])
		clear(l.items[n:])
		l.items, l.head = l.items[:n], 0
		return
	}
	items := make([]laneItem, n, max(2*len(l.items), 64))
	copy(items, l.items[l.head:])
	l.items, l.head = items, 0
}
