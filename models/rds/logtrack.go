package rds

import (
	"time"

	"dbsim/sim"
)

// This file holds the bookkeeping of the primary's change log that the
// replication mechanisms share: a FIFO, a watermark over log positions
// that complete out of order, and the history of when each stretch of the
// log became durable on the primary (what replica lag is measured
// against).

// fifo is a first-in first-out queue that reuses its storage.
type fifo[T any] struct {
	items []T
	head  int
}

func (q *fifo[T]) push(v T) { q.items = append(q.items, v) }
func (q *fifo[T]) len() int { return len(q.items) - q.head }
func (q *fifo[T]) peek() T  { return q.items[q.head] }

func (q *fifo[T]) pop() T {
	var zero T
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head++
	switch {
	case q.head == len(q.items):
		q.items, q.head = q.items[:0], 0
	case q.head > 1024 && q.head*2 > len(q.items):
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return v
}

func (q *fifo[T]) reset() {
	clear(q.items)
	q.items, q.head = q.items[:0], 0
}

// window tracks a watermark over log positions that complete out of
// order (a Multi-AZ instance's mirrored writes): mark is the highest
// position such that it and every position below it are done.
type window struct {
	mark uint64
	done []bool // done[n&(len-1)] for n in (mark, mark+len(done)]
}

func (w *window) reset(mark uint64) {
	w.mark = mark
	clear(w.done)
}

// set marks position n done and reports whether the watermark moved.
func (w *window) set(n uint64) bool {
	if n <= w.mark {
		return false
	}
	if n == w.mark+1 && (len(w.done) == 0 || !w.done[(n+1)&uint64(len(w.done)-1)]) {
		w.mark = n // in order, nothing done beyond: the common case
		return true
	}
	if d := n - w.mark; d >= uint64(len(w.done)) {
		w.grow(d + 1)
	}
	mask := uint64(len(w.done) - 1)
	w.done[n&mask] = true
	moved := false
	for w.done[(w.mark+1)&mask] {
		w.done[(w.mark+1)&mask] = false
		w.mark++
		moved = true
	}
	return moved
}

func (w *window) grow(need uint64) {
	size := max(len(w.done), 64)
	for uint64(size) < need {
		size *= 2
	}
	done := make([]bool, size)
	if len(w.done) > 0 {
		old := uint64(len(w.done) - 1)
		for n := w.mark + 1; n <= w.mark+uint64(len(w.done)); n++ {
			done[n&uint64(size-1)] = w.done[n&old]
		}
	}
	w.done = done
}

// history remembers when each stretch of the primary's log became durable
// there, so that a replica's lag (the age of the oldest write it lacks)
// can be computed from a log position. It keeps a mark (first position,
// time) per stretch rather than a time per write, so memory does not grow
// with the write rate: a new mark is started when the last one is
// histResolution old, and old marks are thinned so that marks of age a
// stay about a/1024 apart. A lag of milliseconds is then known to
// histResolution and a lag of minutes to a few tenths of a percent, and a
// backlog of minutes holds some 1024·ln(span/histResolution) marks
// (~15,000 for 5 minutes) whatever the write rate. Lags computed from it
// are high by less than that resolution, never low.
type history struct {
	marks []mark
	head  int
	adds  int
	next  int // compact when this many marks are held
}

type mark struct {
	lsn uint64
	at  sim.Time
}

// histResolution is the finest resolution of the history: recent lags
// are known to within it.
const histResolution = 100 * time.Microsecond

// add records that the log from position lsn on became durable at now.
func (h *history) add(lsn uint64, now sim.Time) {
	if n := len(h.marks); n > h.head && now.Sub(h.marks[n-1].at) < histResolution {
		return
	}
	h.marks = append(h.marks, mark{lsn: lsn, at: now})
	h.adds++
	if len(h.marks)-h.head >= max(h.next, 4096) {
		h.compact(now)
		h.next = 2 * (len(h.marks) - h.head)
	}
}

// compact drops marks closer to their predecessor than 1/1024 of their
// age: their positions take the predecessor's (earlier) time.
func (h *history) compact(now sim.Time) {
	out := h.head
	last := len(h.marks) - 1
	for i := h.head + 1; i <= last; i++ {
		m := h.marks[i]
		if i == last || m.at.Sub(h.marks[out].at) >= max(histResolution, now.Sub(m.at)/1024) {
			out++
			h.marks[out] = m
		}
	}
	clear(h.marks[out+1:])
	h.marks = h.marks[:out+1]
}

// at is when position lsn became durable, to the history's resolution
// (never later than the truth).
func (h *history) at(lsn uint64) sim.Time {
	lo, hi := h.head, len(h.marks)
	if lo == hi {
		return 0
	}
	// The last mark with mark.lsn <= lsn.
	for lo < hi {
		mid := (lo + hi) / 2
		if h.marks[mid].lsn <= lsn {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == h.head {
		return h.marks[h.head].at
	}
	return h.marks[lo-1].at
}

// trim forgets the marks no position from need on depends on.
func (h *history) trim(need uint64) {
	for h.head+1 < len(h.marks) && h.marks[h.head+1].lsn <= need {
		h.marks[h.head] = mark{}
		h.head++
	}
	if h.head > 1024 && h.head*2 > len(h.marks) {
		n := copy(h.marks, h.marks[h.head:])
		h.marks, h.head = h.marks[:n], 0
	}
}

// truncate forgets the marks of positions above lsn: a new primary's log
// continues from lsn.
func (h *history) truncate(lsn uint64) {
	n := len(h.marks)
	for n > h.head && h.marks[n-1].lsn > lsn {
		n--
	}
	h.marks = h.marks[:n]
}
