package cluster

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/sim"
)

// naiveWrites is RecentWrites' twin: it remembers every write of every key.
type naiveWrites map[uint64][]RecentWrite[uint64]

// missed is the truth Missed approximates: the highest position above
// applied of key's writes acknowledged by sent, among its newest depth
// writes (all of them when depth is 0).
func (n naiveWrites) missed(key uint64, sent sim.Time, applied uint64, depth int) (newest uint64, stale bool) {
	ws := n[key]
	if depth > 0 {
		ws = ws[max(0, len(ws)-depth):]
	}
	for _, w := range ws {
		if w.Acked <= sent && w.V > applied {
			newest, stale = max(newest, w.V), true
		}
	}
	return newest, stale
}

func TestRecentWritesAgainstANaiveTwin(t *testing.T) {
	// Random writes (positions out of order, acknowledgements delayed by
	// random amounts) and random reads, checked against a twin that
	// forgets nothing. With few keys, each in a slot of its own, and at
	// most RecentDepth writes per key in the window that matters, the
	// table is exact; with many keys it forgets, and then it may only
	// miss stale reads, never invent one.
	for _, tc := range []struct {
		name  string
		keys  int
		exact bool
	}{{"few keys", 8, true}, {"many keys", 5000, false}} {
		t.Run(tc.name, func(t *testing.T) {
			const seed = 7
			rng := rand.New(rand.NewPCG(seed, 1))
			tab := NewRecentWrites[uint64](64)
			keys := make([]uint64, tc.keys)
			used := map[uint64]bool{}
			for i := range keys {
				k := rng.Uint64()
				for tc.exact && used[KeyHash(k)&tab.mask] {
					k = rng.Uint64()
				}
				keys[i], used[KeyHash(k)&tab.mask] = k, true
			}
			naive := naiveWrites{}
			var now sim.Time
			var lsn uint64
			var reads, stale, found int
			for i := 0; i < 60000; i++ {
				now += sim.Time(rng.IntN(1000))
				key := keys[rng.IntN(len(keys))]
				if rng.IntN(3) == 0 {
					lsn++
					v := lsn - uint64(rng.IntN(3)) // commits a little out of order
					w := RecentWrite[uint64]{Acked: now + sim.Time(rng.IntN(2000)), V: v}
					tab.Add(key, w.Acked, w.V)
					naive[key] = append(naive[key], w)
					continue
				}
				sent := now - sim.Time(rng.IntN(3000))
				applied := lsn - uint64(rng.IntN(20))
				l, s := Missed(tab, key, sent, applied)
				nl, ns := naive.missed(key, sent, applied, 0)
				msg := fmt.Sprintf("seed %d, step %d: key %d sent %d applied %d", seed, i, key, sent, applied)
				reads++
				if ns {
					stale++
				}
				if s {
					found++
					require.True(t, ns, "invented a stale read: "+msg)
					require.LessOrEqual(t, l, nl, msg)
				}
				if tc.exact {
					nl, ns := naive.missed(key, sent, applied, RecentDepth)
					require.Equal(t, ns, s, msg)
					require.Equal(t, nl, l, msg)
				}
			}
			t.Logf("%d reads: %d stale, the table found %d", reads, stale, found)
			assert.Positive(t, stale)
			if !tc.exact {
				assert.Less(t, found, stale, "many keys over 64 slots: some are forgotten")
				assert.Positive(t, found)
			}
		})
	}
}

func TestRecentWritesNewestAndForget(t *testing.T) {
	tab := NewRecentWrites[uint64](3)
	require.Equal(t, 4, tab.Slots(), "rounded up to a power of two")
	tab.Add(1, 10, 100)
	tab.Add(1, 30, 101)
	tab.Add(1, 20, 102) // acknowledged before 101 (another client's AZ)
	w, ok := tab.Newest(1, 25)
	require.True(t, ok)
	assert.Equal(t, uint64(102), w.V, "the newest added that was acknowledged by 25")
	_, ok = tab.Newest(1, 5)
	assert.False(t, ok, "nothing acknowledged yet")
	_, ok = tab.Newest(2, 100)
	assert.False(t, ok, "an unknown key")

	l, s := Missed(tab, 1, 25, 99)
	assert.True(t, s)
	assert.Equal(t, uint64(102), l, "the newest of the writes acknowledged by 25")
	l, s = Missed(tab, 1, 25, 101)
	assert.True(t, s)
	assert.Equal(t, uint64(102), l, "added before 101, acknowledged after")
	_, s = Missed(tab, 1, 25, 102)
	assert.False(t, s, "the replica has both acknowledged writes")

	ForgetAbove(tab, 100)
	assert.Len(t, tab.Writes(1), 1)
	_, s = Missed(tab, 1, 100, 100)
	assert.False(t, s, "lost writes make no read stale")

	n := 0
	tab.Each(func(key uint64, w *RecentWrite[uint64]) { n++; w.V = 7 })
	assert.Equal(t, 1, n)
	assert.Equal(t, uint64(7), tab.Writes(1)[0].V, "Each updates in place")
}

func TestRecentWritesHeldBackWritesAreSeen(t *testing.T) {
	// Add holds writes back (up to recentBatch of them) before it puts
	// them in their slots; every reader must see them all the same. The
	// twin puts each write at once. Runs of writes longer than a batch,
	// keys that share slots and keys written again within a batch.
	rng := rand.New(rand.NewPCG(3, 4))
	tab, twin := NewRecentWrites[uint64](16), NewRecentWrites[uint64](16)
	var lsn uint64
	for i := 0; i < 20000; i++ {
		key := uint64(rng.IntN(40))
		switch r := rng.IntN(100); {
		case r < 90:
			lsn++
			tab.Add(key, sim.Time(i), lsn)
			twin.put(twin.slot(key), key, RecentWrite[uint64]{Acked: sim.Time(i), V: lsn})
			require.LessOrEqual(t, tab.np, recentBatch)
			require.Zero(t, twin.np)
		case r < 98:
			require.Equal(t, twin.Writes(key), tab.Writes(key), "step %d key %d", i, key)
		case r < 99:
			var got, want []uint64
			tab.Each(func(k uint64, w *RecentWrite[uint64]) { got = append(got, k, w.V) })
			twin.Each(func(k uint64, w *RecentWrite[uint64]) { want = append(want, k, w.V) })
			require.Equal(t, want, got, "step %d", i)
		default:
			ForgetAbove(tab, lsn-5)
			ForgetAbove(twin, lsn-5)
		}
	}
}
