package dynamodb

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGrowthSketchAgainstExactCounts(t *testing.T) {
	// The count–min sketch against a naive twin (a map): never below the
	// truth, and above it by at most e/width of all bytes added for all
	// but a few keys (probability e^-rows each).
	var g growth
	exact := map[uint64]int64{}
	rng := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(rng, 1.1, 1, 99_999)
	for i := 0; i < 300_000; i++ {
		k, n := z.Uint64(), int64(1+rng.IntN(4096))
		g.add(k, n)
		exact[k] += n
	}
	bound := int64(math.E * float64(g.total) / growthCols)
	over := 0
	for k, want := range exact {
		got := g.estimate(k)
		require.GreaterOrEqual(t, got, want, "key %d: never below the truth", k)
		if got-want > bound {
			over++
		}
	}
	assert.LessOrEqual(t, float64(over)/float64(len(exact)), math.Exp(-growthRows), "keys beyond the error bound")
	assert.Zero(t, (*growth)(nil).estimate(3), "no collection has grown")
}

// lsiTable is a provisioned table with one local secondary index.
func lsiTable(rcu, wcu float64) Config {
	cfg := provisioned(rcu, wcu)
	cfg.LSIs = []LSI{{Name: "by-date", ProjectedBytes: 100}}
	return cfg
}

func TestCollectionQueryPricedByItsBytes(t *testing.T) {
	// Fact 5.5: a Query returning a 40 KB item collection reads 10 RCU
	// strongly consistent, 5 eventually; a 3 MB collection one 1 MB page
	// (256 RCU strong). A put adds its item toward the collection's limit,
	// not to what a Query is priced on (the collection as drawn).
	h := newHarness(t, 3, lsiTable(3000, 1000), noRetries())
	q := func(id uint64, bytes int64, strong bool) *client.Request {
		return &client.Request{ID: id, Op: cluster.Read, Size: KB, Key: 7, Detail: &Op{Kind: Query, CollectionBytes: bytes, Consistent: strong}}
	}
	h.cl.Submit(q(1, 40*KB, true))
	h.cl.Submit(q(2, 40*KB, false))
	h.cl.Submit(q(3, 3<<20, true))
	h.k.Run(sim.At(time.Second))
	assert.Equal(t, 10.0+5+256, h.m.base.cumR)

	// A 1 KB put with one LSI of 100-byte entries: 1 WCU for the item and
	// 1 for the index entry, from the table's partition (fact 5.43).
	h.cl.Submit(&client.Request{ID: 4, Op: cluster.Write, Size: KB, Key: 7, Detail: &Op{Kind: PutItem, CollectionBytes: 40 * KB}})
	h.k.Run(sim.At(2 * time.Second))
	assert.Equal(t, 2.0, h.m.base.cumW)
	h.cl.Submit(q(5, 40*KB, true))
	h.k.Run(sim.At(3 * time.Second))
	assert.Equal(t, 10.0+5+256+10, h.m.base.cumR)
	assert.Equal(t, int64(41*KB), h.m.collectionBytes(7, 40*KB), "the put counts toward the limit")
}

func TestFullCollectionRefusesWrites(t *testing.T) {
	// Fact 5.42: on a table with an LSI a collection 20 KB below its 10 GB
	// limit takes 20 more 1 KB puts; the rest fail with
	// ItemCollectionSizeLimitExceededException, told once in the
	// narrative, while other collections and reads go on. Without the
	// LSI there is no limit.
	for _, lsi := range []bool{true, false} {
		cfg := provisioned(3000, 1000)
		if lsi {
			cfg = lsiTable(3000, 1000)
		}
		// The SDK would retry a throttle or a server error three times;
		// a full collection is a client error it does not retry.
		ccfg := noRetries()
		ccfg.Retry = client.Retry{MaxAttempts: 3, Base: 10 * time.Millisecond, Cap: time.Second}
		h := newHarness(t, 4, cfg, ccfg)
		start := int64(DefaultCollectionBytes - 20*KB)
		h.drive("full", steady(10), func(_ *rand.Rand, r *client.Request) {
			r.Op, r.Size, r.Key, r.Detail = cluster.Write, KB, 42, &Op{Kind: PutItem, CollectionBytes: start}
		})
		h.drive("other", steady(10), func(rng *rand.Rand, r *client.Request) {
			r.Op, r.Size, r.Key, r.Detail = cluster.Write, KB, 1000+rng.Uint64N(1000), &Op{Kind: PutItem, CollectionBytes: 100 * KB}
		})
		h.k.Run(sim.At(60 * time.Second))
		lines := 0
		for _, e := range h.log.Events {
			if strings.Contains(e.Text, "item collection of key 42") {
				lines++
			}
		}
		if !lsi {
			assert.Zero(t, h.m.collectionLimit)
			assert.Equal(t, 0, h.failed)
			assert.Zero(t, lines)
			continue
		}
		assert.EqualValues(t, h.failed, h.m.collectionLimit, "every failure is a full collection, each tried once")
		assert.EqualValues(t, h.failed, h.byStatus[cluster.Invalid])
		assert.InDelta(t, 600-20, h.m.collectionLimit, 80, "about 10 puts a second for a minute, less the 20 that fit")
		assert.Equal(t, 1, lines, "told once")
		assert.Equal(t, start+20*KB, h.m.collectionBytes(42, start), "the collection stops at its limit")
		assert.Greater(t, h.ok, 500, "the other collections take their writes")
	}
}

func TestSplitForHeatDividesACollectionOnlyWithoutLSI(t *testing.T) {
	// Fact 5.43: a hot item collection, 31 one-MB Queries a second (3,968
	// RCU/s eventually consistent, over a partition's 3,000, fact 5.1),
	// with light traffic on other keys. With an LSI the collection stays
	// on one partition: split for heat refuses and the partition throttles
	// to the end. Without one the collection's items lie in sort-key
	// order, the split (after 2 hot periods and the 2-minute split, fact
	// 5.16) falls inside it, each Query reads from both halves, and the
	// throttling all but stops (what is left: Poisson bursts of 128-unit
	// pages on halves at about 2,000 RCU/s each).
	var withLSI float64
	for _, lsi := range []bool{true, false} {
		cfg := provisioned(6000, 1000)
		if lsi {
			cfg.LSIs = []LSI{{Name: "by-date"}}
		}
		h := newHarness(t, 5, cfg, noRetries())
		h.drive("collection", steady(31), func(_ *rand.Rand, r *client.Request) {
			r.Op, r.Size, r.Key, r.Detail = cluster.Read, KB, 42, &Op{Kind: Query, CollectionBytes: 1 << 20}
		})
		h.drive("others", steady(20), func(rng *rand.Rand, r *client.Request) {
			r.Op, r.Size, r.Key, r.Detail = cluster.Read, KB, 1000+rng.Uint64N(100_000), &Op{Kind: Query, CollectionBytes: 20 * KB}
		})
		h.k.Run(sim.At(8 * time.Minute))
		late := float64(h.throttlesBetween(360, 480)) / 120
		if lsi {
			assert.Zero(t, h.m.heatSplits)
			assert.Positive(t, h.m.heatRefused)
			assert.Greater(t, late, 5.0, "with the LSI: still throttling, %.1f/s", late)
			withLSI = late
		} else {
			assert.Positive(t, h.m.heatSplits)
			assert.Less(t, late, withLSI/4, "without: the split relieves it, %.1f/s", late)
			ps := h.m.Partitions(0)
			p := ps[len(ps)-1] // the split's new half
			assert.Greater(t, p.ConsumedRCU/120, 500.0, "the new half serves part of the collection")
		}
		t.Logf("lsi %v: %d splits, %d refused, %.2f throttles/s in the last 2 minutes", lsi, h.m.heatSplits, h.m.heatRefused, late)
	}
}
