package cache

import (
	"math/rand/v2"

	"dbsim/sim"
)

// none marks the end of the recency list.
const none = -1

// store is one cache node's keys: at most cap entries, each with its
// expiry, kept densely in slots (so that a random victim is one draw)
// and linked from the most to the least recently used (an intrusive
// doubly linked list of slot indices). A map finds a key's slot. Every
// operation is O(1); memory is O(entries held), never more than cap.
type store struct {
	cap    int
	policy Policy
	rng    *rand.Rand // victims of Random eviction

	slot map[uint64]int32
	keys []uint64
	exp  []sim.Time // expiry; 0: none
	prev []int32    // towards the most recently used
	next []int32    // towards the least recently used
	head int32      // most recently used
	tail int32      // least recently used

	evictions, expirations int64
}

func newStore(capacity int, policy Policy, rng *rand.Rand) *store {
	return &store{cap: capacity, policy: policy, rng: rng, slot: map[uint64]int32{}, head: none, tail: none}
}

// len is the number of entries held (expired ones not yet found
// included, as Redis holds them until they are read or evicted).
func (s *store) len() int { return len(s.keys) }

// get reports whether key is held and fresh at now; a fresh hit becomes
// the most recently used, an expired entry is removed (lazy expiry).
func (s *store) get(key uint64, now sim.Time) bool {
	i, ok := s.slot[key]
	if !ok {
		return false
	}
	if e := s.exp[i]; e != 0 && now >= e {
		s.expirations++
		s.remove(i)
		return false
	}
	s.touch(i)
	return true
}

// put holds key until expires (0: no expiry), evicting a victim when the
// store is full; it returns false when nothing may be evicted (a store
// of capacity 0).
func (s *store) put(key uint64, expires sim.Time) bool {
	if i, ok := s.slot[key]; ok {
		s.exp[i] = expires
		s.touch(i)
		return true
	}
	if s.cap <= 0 {
		return false
	}
	if len(s.keys) >= s.cap {
		victim := s.tail // LRU
		if s.policy == Random {
			victim = int32(s.rng.IntN(len(s.keys)))
		}
		s.evictions++
		s.remove(victim)
	}
	i := int32(len(s.keys))
	s.keys = append(s.keys, key)
	s.exp = append(s.exp, expires)
	s.prev = append(s.prev, none)
	s.next = append(s.next, none)
	s.slot[key] = i
	s.pushFront(i)
	return true
}

// del removes key if held.
func (s *store) del(key uint64) {
	if i, ok := s.slot[key]; ok {
		s.remove(i)
	}
}

// clear drops every entry and the memory they held.
func (s *store) clear() {
	s.slot = map[uint64]int32{}
	s.keys, s.exp, s.prev, s.next = nil, nil, nil, nil
	s.head, s.tail = none, none
}

func (s *store) touch(i int32) {
	if s.head == i {
		return
	}
	s.unlink(i)
	s.pushFront(i)
}

func (s *store) pushFront(i int32) {
	s.prev[i], s.next[i] = none, s.head
	if s.head != none {
		s.prev[s.head] = i
	}
	s.head = i
	if s.tail == none {
		s.tail = i
	}
}

func (s *store) unlink(i int32) {
	p, n := s.prev[i], s.next[i]
	if p != none {
		s.next[p] = n
	} else {
		s.head = n
	}
	if n != none {
		s.prev[n] = p
	} else {
		s.tail = p
	}
}

// remove drops slot i and moves the last slot into its place, so that
// the slots stay dense.
func (s *store) remove(i int32) {
	s.unlink(i)
	delete(s.slot, s.keys[i])
	last := int32(len(s.keys) - 1)
	if i != last {
		s.keys[i], s.exp[i], s.prev[i], s.next[i] = s.keys[last], s.exp[last], s.prev[last], s.next[last]
		s.slot[s.keys[i]] = i
		if p := s.prev[i]; p != none {
			s.next[p] = i
		} else {
			s.head = i
		}
		if n := s.next[i]; n != none {
			s.prev[n] = i
		} else {
			s.tail = i
		}
	}
	s.keys, s.exp, s.prev, s.next = s.keys[:last], s.exp[:last], s.prev[:last], s.next[:last]
}
