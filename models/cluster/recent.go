package cluster

import "dbsim/sim"

// RecentWrites remembers, in fixed memory, the last few acknowledged
// writes of recently written keys, so that a model can tell a stale read
// on a replica: one that misses the newest write of ITS key acknowledged
// to a client before the read was sent. (A replica that lags behind writes
// to other keys still serves that key's current value.) Every model uses
// it the same way:
//
//   - when a write's acknowledgement leaves for its client, Add records
//     the key, when the acknowledgement reaches the client, and what the
//     model needs to tell whether a replica has the write: its log
//     position (RDS, Aurora: T is uint64) or when each replica applies it
//     (DynamoDB: T holds a time per replica);
//   - when a replica serves a read of key, the model looks at Writes(key)
//     (or calls Missed) with the read's send time and the replica's state
//     at the moment it reads.
//
// So a read is judged against the writes acknowledged before it was sent
// and the replica's state when it takes its snapshot; a write whose
// acknowledgement reaches its client while the read is in flight does not
// make it stale (no client could have expected to see it).
//
// A key hashes to one of a power-of-two number of slots; a slot holds one
// key and its RecentDepth newest writes, newest first, and a write to
// another key of the slot replaces it. Memory is fixed (slots × depth
// entries) and Add and a look-up cost a hash and a few comparisons,
// whatever the key space (a look-up also scans the at most recentBatch
// writes Add holds back, when one of them may go to its slot).
//
// What is approximate, and in which direction: the table forgets. A key is
// remembered until another key of its slot is written, for about
// slots / (writes per second) seconds on a uniform key space (13 s for
// 65,536 slots at 5,000 writes/s), and only its RecentDepth newest writes
// are kept. A read of a forgotten key, or whose remembered writes were all
// acknowledged after it was sent while a forgotten older one was
// acknowledged before, counts as fresh. Nothing is ever invented: a read
// counted stale really missed the write it is judged against. So stale
// counts are exact while replicas lag less than the remembering span, and
// a lower bound beyond it (a replica with a backlog of minutes over a key
// space much larger than the table).
type RecentWrites[T any] struct {
	// keys[i] is the key slots[i] holds, apart so that the look-up of a
	// key not remembered (most reads on a large key space) reads 8 bytes
	// a slot, not the slot's writes.
	keys  []uint64
	slots []recentSlot[T]
	mask  uint64
	// pending are the writes Add has taken and not yet put in their
	// slots, oldest first (see Add).
	pending [recentBatch]pendingWrite[T]
	np      int
	// held has bit s%256 set when a pending write goes to a slot s: a
	// look-up whose slot's bit is clear (nearly all, with at most
	// recentBatch bits of 256 set) skips the scan of pending.
	held [4]uint64
}

// recentBatch is the number of writes Add holds back before it puts them
// in their slots.
const recentBatch = 16

type pendingWrite[T any] struct {
	slot int
	key  uint64
	w    RecentWrite[T]
}

// RecentDepth is the number of writes remembered per key: it covers the
// writes of one key whose acknowledgements are on their way at once, at
// about a thousand writes of the key per second.
const RecentDepth = 4

type recentSlot[T any] struct {
	n      int
	writes [RecentDepth]RecentWrite[T]
}

// RecentWrite is one remembered write.
type RecentWrite[T any] struct {
	// Acked is when the write's acknowledgement reached its client.
	Acked sim.Time
	// V is what the model needs to tell whether a replica has the write.
	V T
}

// NewRecentWrites returns an empty table of slots slots (rounded up to a
// power of two).
func NewRecentWrites[T any](slots int) *RecentWrites[T] {
	n := 1
	for n < slots {
		n *= 2
	}
	return &RecentWrites[T]{keys: make([]uint64, n), slots: make([]recentSlot[T], n), mask: uint64(n - 1)}
}

// Slots is the number of keys the table can remember at once.
func (r *RecentWrites[T]) Slots() int { return len(r.slots) }

// KeyHash mixes a key into a well-spread 64-bit hash (the SplitMix64
// finalizer), so that keys drawn from a small or structured range spread
// over a table's slots.
func KeyHash(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (r *RecentWrites[T]) slot(key uint64) int { return int(KeyHash(key) & r.mask) }

// Add records a write of key whose acknowledgement reaches its client at
// acked; it becomes the key's newest write, and evicts another key of the
// slot.
//
// On a large table a slot and its key are two cache misses, and a model
// adds one write between many other events, so an Add that put its write
// at once would wait for both alone. Add therefore holds writes back and puts up to recentBatch
// of them in their slots at once, in order (flush), where the processor
// overlaps their misses. A method that reads the slots flushes first; a
// look-up (Writes) only when a held-back write goes to its key's slot, so
// what each sees is the same.
func (r *RecentWrites[T]) Add(key uint64, acked sim.Time, v T) {
	*r.Put(key, acked) = v
}

// Put is Add with the V filled in place: the caller sets every field of
// *Put(key, acked) (it still holds an older write's) before it next calls
// a method of r. A V built on the stack word by word and then copied in
// is read back in wide loads that the CPU cannot forward from those
// narrow stores, a stall on every write.
func (r *RecentWrites[T]) Put(key uint64, acked sim.Time) *T {
	if r.np == len(r.pending) {
		r.flush()
	}
	i := r.slot(key)
	p := &r.pending[r.np]
	p.slot, p.key, p.w.Acked = i, key, acked
	r.np++
	r.held[i>>6&3] |= 1 << (i & 63)
	return &p.w.V
}

// flush puts the pending writes in their slots, oldest first.
func (r *RecentWrites[T]) flush() {
	for i := range r.np {
		p := &r.pending[i]
		r.put(p.slot, p.key, p.w)
	}
	r.np = 0
	r.held = [4]uint64{}
}

// put makes w the newest write of key, in slot i.
func (r *RecentWrites[T]) put(i int, key uint64, w RecentWrite[T]) {
	s := &r.slots[i]
	if r.keys[i] != key {
		r.keys[i], s.n = key, 0
	}
	// Only the live writes move down (none for a key new to the slot):
	// nothing reads beyond s.n.
	for j := min(s.n, RecentDepth-1); j > 0; j-- {
		s.writes[j] = s.writes[j-1]
	}
	s.writes[0] = w
	s.n = min(s.n+1, RecentDepth)
}

// Writes returns the remembered writes of key, newest first (none if the
// key is not remembered). The slice is the table's own storage: the
// caller may update the writes in place, and must not keep it past the
// next Add.
func (r *RecentWrites[T]) Writes(key uint64) []RecentWrite[T] {
	i := r.slot(key)
	if r.held[i>>6&3]&(1<<(i&63)) != 0 {
		for j := range r.np {
			if r.pending[j].slot == i {
				r.flush()
				break
			}
		}
	}
	if r.keys[i] != key {
		return nil
	}
	s := &r.slots[i]
	return s.writes[:s.n]
}

// Newest returns the newest remembered write of key acknowledged at or
// before by.
func (r *RecentWrites[T]) Newest(key uint64, by sim.Time) (*RecentWrite[T], bool) {
	ws := r.Writes(key)
	for i := range ws {
		if ws[i].Acked <= by {
			return &ws[i], true
		}
	}
	return nil, false
}

// Each calls f with every remembered write and its key, for the rare
// event (a replaced replica) that changes what the writes say; f may
// change the write in place.
func (r *RecentWrites[T]) Each(f func(key uint64, w *RecentWrite[T])) {
	r.flush()
	for i := range r.slots {
		s := &r.slots[i]
		for j := 0; j < s.n; j++ {
			f(r.keys[i], &s.writes[j])
		}
	}
}

// Missed judges a read of key sent at sent and served by a replica that
// has applied the log up to position applied, in a table whose writes
// carry their log positions: it returns the highest position above
// applied among the key's remembered writes acknowledged by sent, and
// whether there is one (the read is stale). Positions need not be added
// in order.
func Missed(r *RecentWrites[uint64], key uint64, sent sim.Time, applied uint64) (newest uint64, stale bool) {
	for _, w := range r.Writes(key) {
		if w.Acked <= sent && w.V > applied {
			newest, stale = max(newest, w.V), true
		}
	}
	return newest, stale
}

// ForgetAbove forgets the writes at log positions above lsn: a new writer
// continues the log from lsn, and the writes above it are lost (no replica
// can apply them), so missing them makes no read stale.
func ForgetAbove(r *RecentWrites[uint64], lsn uint64) {
	r.flush()
	for i := range r.slots {
		s := &r.slots[i]
		out := 0
		for j := 0; j < s.n; j++ {
			if s.writes[j].V <= lsn {
				s.writes[out] = s.writes[j]
				out++
			}
		}
		s.n = out
	}
}
