package cache

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/sim"
)

// zipfProbs are the request probabilities of n keys under Zipf with
// exponent s, rank 0 the most popular (as sim.Zipf samples them).
func zipfProbs(n int, s float64) []float64 {
	p := make([]float64, n)
	sum := 0.0
	for i := range p {
		p[i] = math.Pow(float64(i+1), -s)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// solve finds T > 0 with occupancy(T) = c by bisection (occupancy grows
// with T).
func solve(c float64, occupancy func(T float64) float64) float64 {
	lo, hi := 0.0, 1.0
	for occupancy(hi) < c {
		hi *= 2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if occupancy(mid) < c {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// cheLRU is the hit ratio of an LRU cache of c items under the
// independent reference model with probabilities p, by Che's
// approximation (H. Che, Y. Tung, Z. Wang, "Hierarchical Web caching
// systems: modeling, design and experimental results", IEEE JSAC 20(7),
// 2002): the characteristic time T solves Σ (1 − e^(−p_i·T)) = c, key i
// is held with probability 1 − e^(−p_i·T), and the hit ratio is
// Σ p_i (1 − e^(−p_i·T)).
func cheLRU(p []float64, c int) float64 {
	T := solve(float64(c), func(T float64) float64 {
		o := 0.0
		for _, x := range p {
			o += -math.Expm1(-x * T)
		}
		return o
	})
	h := 0.0
	for _, x := range p {
		h += x * -math.Expm1(-x*T)
	}
	return h
}

// cheRandom is the same for Random eviction (C. Fricker, P. Robert, J.
// Roberts, "A versatile and accurate approximation for LRU cache
// performance", ITC 24, 2012): key i is held with probability
// p_i·T / (1 + p_i·T), the T that makes those sum to c.
func cheRandom(p []float64, c int) float64 {
	T := solve(float64(c), func(T float64) float64 {
		o := 0.0
		for _, x := range p {
			o += x * T / (1 + x*T)
		}
		return o
	})
	h := 0.0
	for _, x := range p {
		h += x * x * T / (1 + x*T)
	}
	return h
}

// simulate drives one node of c items with requests drawn from a Zipf of
// n keys, cache-aside (a miss fills the key), and returns the hit ratio
// of the requests after a warm-up.
func simulate(t testing.TB, policy Policy, n, c int, s float64, warm, measured int, seed uint64) float64 {
	z, err := sim.NewZipf(uint64(n), s)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(seed, 1))
	st := newStore(c, policy, rand.New(rand.NewPCG(seed, 2)))
	hits := 0
	for i := range warm + measured {
		key := z.Sample(rng)
		hit := st.get(key, 0)
		if !hit {
			st.put(key, 0)
		}
		if hit && i >= warm {
			hits++
		}
		if st.len() > c {
			t.Fatalf("the node holds %d items, more than its %d", st.len(), c)
		}
	}
	return float64(hits) / float64(measured)
}

// The simulated hit ratio of an LRU node matches Che's approximation
// under the independent reference model, for a Zipf key distribution, at
// cache sizes from 1 % to 30 % of the keys, within 0.01 (absolute).
// Che's approximation is known to be accurate to about that for Zipf
// popularities (Fricker, Robert, Roberts 2012); 10^6 measured requests
// make the simulation's own sampling error about 0.0005.
func TestLRUHitRatioMatchesChe(t *testing.T) {
	const n, s = 10_000, 0.8
	p := zipfProbs(n, s)
	for _, c := range []int{100, 500, 1000, 3000} {
		t.Run(fmt.Sprintf("c=%d", c), func(t *testing.T) {
			want := cheLRU(p, c)
			got := simulate(t, LRU, n, c, s, 200_000, 1_000_000, uint64(c))
			t.Logf("LRU, %d of %d keys, zipf s=%g: simulated %.4f, Che %.4f", c, n, s, got, want)
			assert.InDelta(t, want, got, 0.01)
		})
	}
}

// Random eviction matches its own approximation (Fricker, Robert,
// Roberts 2012) within 0.01, and is below LRU's for a skewed
// distribution: the check that the policy matters.
func TestRandomHitRatioMatchesApproximation(t *testing.T) {
	const n, s, c = 10_000, 0.8, 1000
	p := zipfProbs(n, s)
	got := simulate(t, Random, n, c, s, 200_000, 1_000_000, 7)
	want := cheRandom(p, c)
	t.Logf("random, %d of %d keys: simulated %.4f, approximation %.4f (LRU %.4f)", c, n, got, want, cheLRU(p, c))
	assert.InDelta(t, want, got, 0.01)
	assert.Less(t, got, cheLRU(p, c)-0.01)
}

// With room for every key, a TTL alone sets the hit ratio: an item lives
// TTL after the miss that filled it, and hits do not extend it, so a key
// read as a Poisson process of rate λ hits with probability λ·TTL/(1 +
// λ·TTL) (one miss, then on average λ·TTL hits, per cycle).
func TestTTLHitRatio(t *testing.T) {
	const keys, rate = 100, 1000.0 // requests/s over all keys, uniform
	ttl := 500 * time.Millisecond
	rng := rand.New(rand.NewPCG(3, 3))
	st := newStore(keys, LRU, nil)
	now := sim.Time(0)
	hits, total := 0, 0
	for i := range 600_000 {
		now += sim.Time(rng.ExpFloat64() / rate * 1e9)
		key := rng.Uint64N(keys)
		hit := st.get(key, now)
		if !hit {
			st.put(key, now+sim.Time(ttl))
		}
		if i >= 100_000 {
			total++
			if hit {
				hits++
			}
		}
	}
	lt := rate / keys * ttl.Seconds()
	want := lt / (1 + lt)
	got := float64(hits) / float64(total)
	t.Logf("TTL %v, %.0f reads/s per key: simulated %.4f, renewal %.4f", ttl, rate/keys, got, want)
	assert.InDelta(t, want, got, 0.005)
}

// The store against a naive twin: a slice in recency order, searched
// linearly. Every operation, in a random sequence, leaves the two
// holding the same keys in the same order.
func TestStoreMatchesNaiveLRU(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	const c = 8
	st := newStore(c, LRU, nil)
	var naive []uint64 // most recent first
	find := func(k uint64) int {
		for i, x := range naive {
			if x == k {
				return i
			}
		}
		return -1
	}
	for step := range 20_000 {
		k := rng.Uint64N(20)
		switch op := rng.IntN(10); {
		case op < 6:
			got := st.get(k, 0)
			i := find(k)
			require.Equal(t, i >= 0, got, "step %d get %d", step, k)
			if i >= 0 {
				naive = append([]uint64{k}, append(naive[:i:i], naive[i+1:]...)...)
			}
		case op < 9:
			st.put(k, 0)
			if i := find(k); i >= 0 {
				naive = append(naive[:i:i], naive[i+1:]...)
			} else if len(naive) == c {
				naive = naive[:c-1]
			}
			naive = append([]uint64{k}, naive...)
		default:
			st.del(k)
			if i := find(k); i >= 0 {
				naive = append(naive[:i:i], naive[i+1:]...)
			}
		}
		var order []uint64
		for i := st.head; i != none; i = st.next[i] {
			order = append(order, st.keys[i])
		}
		require.Equal(t, naive, append([]uint64(nil), order...), "step %d", step)
		require.Len(t, st.slot, len(naive))
	}
}

// Redis Cluster's slot of a key is CRC16/XMODEM mod 16384; the check
// value of CRC-16/XMODEM for "123456789" is 0x31C3, and the slots spread
// keys evenly over three nodes.
func TestSlots(t *testing.T) {
	assert.Equal(t, uint16(0x31C3), crc16([]byte("123456789")))
	assert.Equal(t, 0x31C3%Slots, Slot(123456789))
	k := sim.New(1)
	c := New(k, Config{Nodes: 3, ItemsPerNode: 10})
	var per [3]int
	for key := range uint64(30_000) {
		per[c.NodeOf(key)]++
	}
	for i, n := range per {
		assert.InDelta(t, 10_000, n, 400, "node %d", i)
	}
}

// A failed node loses its keys and misses until replaced; the others
// keep theirs. A flush empties every node.
func TestFailAndFlush(t *testing.T) {
	k := sim.New(1)
	c := New(k, Config{Nodes: 3, ItemsPerNode: 1000})
	for key := range uint64(300) {
		c.Put(key)
	}
	require.Equal(t, 300, c.Items())
	var onZero uint64
	for c.NodeOf(onZero) != 0 {
		onZero++
	}
	c.Fail(0)
	assert.False(t, c.Get(onZero))
	c.Put(onZero)
	assert.False(t, c.Get(onZero), "a node that is down takes nothing")
	held := c.Items()
	assert.Less(t, held, 300)
	assert.Greater(t, held, 150)
	c.Replace(0)
	assert.False(t, c.Get(onZero), "a replaced node starts empty")
	c.Put(onZero)
	assert.True(t, c.Get(onZero))
	c.Flush()
	assert.Equal(t, 0, c.Items())
}

// Memory: a node never holds more than its items, and 25 % reserved of a
// cache.r7g.large leaves 9.8 GiB: 10.28 million items of 1 KiB.
func TestItemsPerNode(t *testing.T) {
	r7g, ok := LookupNodeType("cache.r7g.large")
	require.True(t, ok)
	assert.Equal(t, int64(10_278_666), ItemsPerNode(r7g.MemoryGiB, DefaultReservedMemoryPercent, 1024))
	assert.Equal(t, int64(0), ItemsPerNode(1, 25, 0))
}

// BenchmarkLookup is the cost of one cache-aside read (a Get, and a Put
// on a miss) on a node of 100,000 items under Zipf reads of 1,000,000
// keys: O(1), whatever the size.
func BenchmarkLookup(b *testing.B) {
	for _, c := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("items=%d", c), func(b *testing.B) {
			z, _ := sim.NewZipf(1_000_000, 0.9)
			rng := rand.New(rand.NewPCG(1, 1))
			keys := make([]uint64, 1<<16)
			for i := range keys {
				keys[i] = z.Sample(rng)
			}
			k := sim.New(1)
			cc := New(k, Config{Nodes: 1, ItemsPerNode: c})
			b.ResetTimer()
			for i := range b.N {
				key := keys[i&(len(keys)-1)]
				if !cc.Get(key) {
					cc.Put(key)
				}
			}
		})
	}
}

// A sharded cluster is one LRU per node over the keys of its slots: its
// hit ratio is Che's approximation applied node by node (each node's
// keys, their probabilities, its capacity), within 0.01.
func TestShardedHitRatioMatchesCheByNode(t *testing.T) {
	const n, s, nodes, perNode = 10_000, 0.8, 3, 400
	p := zipfProbs(n, s)
	k := sim.New(1)
	c := New(k, Config{Nodes: nodes, ItemsPerNode: perNode})
	byNode := make([][]float64, nodes)
	for key, x := range p {
		i := c.NodeOf(uint64(key))
		byNode[i] = append(byNode[i], x)
	}
	want := 0.0
	for _, q := range byNode {
		share := 0.0
		for _, x := range q {
			share += x
		}
		for j := range q {
			q[j] /= share // the node's own request probabilities
		}
		want += share * cheLRU(q, perNode)
	}
	z, err := sim.NewZipf(n, s)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(5, 5))
	hits, measured := 0, 0
	for i := range 1_200_000 {
		key := z.Sample(rng)
		hit := c.Get(key)
		if !hit {
			c.Put(key)
		}
		if i >= 200_000 {
			measured++
			if hit {
				hits++
			}
		}
	}
	got := float64(hits) / float64(measured)
	t.Logf("3 nodes × %d items of %d keys: simulated %.4f, Che by node %.4f (one LRU of %d: %.4f)", perNode, n, got, want, nodes*perNode, cheLRU(p, nodes*perNode))
	assert.InDelta(t, want, got, 0.01)
	assert.LessOrEqual(t, c.Items(), nodes*perNode)
}
