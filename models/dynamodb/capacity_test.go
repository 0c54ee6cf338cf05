package dynamodb

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"dbsim/sim"
)

func TestReadUnitsWorkedExample(t *testing.T) {
	// Fact 5.5: an 8 KB item costs 2 RCU strongly consistent, 1 eventually
	// consistent, 4 transactional; reads round up to 4 KB.
	assert.Equal(t, 2.0, ReadUnits(8*KB, Strong))
	assert.Equal(t, 1.0, ReadUnits(8*KB, Eventual))
	assert.Equal(t, 4.0, ReadUnits(8*KB, Transactional))
	assert.Equal(t, 1.0, ReadUnits(1, Strong), "rounded up to one 4 KB unit")
	assert.Equal(t, 0.5, ReadUnits(4*KB, Eventual))
	assert.Equal(t, 2.0, ReadUnits(4*KB+1, Strong))
	assert.Equal(t, 1.0, ReadUnits(0, Strong), "a read of a missing item costs a unit")
}

func TestWriteUnitsWorkedExample(t *testing.T) {
	// Fact 5.6: a 2 KB item costs 2 WCU, 4 in a transaction; a 3 KB
	// transactional write costs 6.
	assert.Equal(t, 2.0, WriteUnits(2*KB, false))
	assert.Equal(t, 4.0, WriteUnits(2*KB, true))
	assert.Equal(t, 6.0, WriteUnits(3*KB, true))
	assert.Equal(t, 1.0, WriteUnits(100, false), "rounded up to 1 KB")
	assert.Equal(t, 400.0, WriteUnits(MaxItemBytes, false), "fact 5.7: a 400 KB item")
}

func TestQueryUnitsSumTheCollection(t *testing.T) {
	// Fact 5.5 applied to a Query: the items' total size rounds up to 4 KB
	// once: 10 items of 1 KB are 10 KB → 3 units, not 10.
	assert.Equal(t, 3.0, QueryUnits(10, KB, Strong))
	assert.Equal(t, 1.5, QueryUnits(10, KB, Eventual))
	assert.Equal(t, 256.0, QueryUnits(10000, KB, Strong), "one 1 MB page at most")
}

func TestInitialPartitionsWorkedExamples(t *testing.T) {
	l := DefaultLimits()
	// Fact 5.3: 5,000 R / 2,000 W → ⌈5000/3000 + 2000/1000⌉ = 4.
	assert.Equal(t, 4, InitialPartitions(5000, 2000, 0, l))
	// Fact 5.3: raising R to 8,000 needs 5 → the 4 partitions split to 8,
	// each 1,000 R / 250 W.
	n := PartitionsAfter(4, 8000, 2000, 0, l)
	assert.Equal(t, 8, n)
	assert.Equal(t, 1000.0, 8000/float64(n))
	assert.Equal(t, 250.0, 2000/float64(n))
	// Fact 5.3: storage: ⌈size / 10 GB⌉.
	assert.Equal(t, 3, InitialPartitions(100, 100, 25<<30, l))
	// Fact 5.4 (DDB22 §4): 3,200 WCU → 4 × 800; 3,600 → 4 × 900; 6,000 →
	// 8 × 750; lowering to 5,000 keeps 8 (625 each; partitions never merge).
	n = InitialPartitions(1, 3200, 0, l)
	assert.Equal(t, 4, n)
	assert.Equal(t, 800.0, 3200/float64(n))
	n = PartitionsAfter(n, 1, 3600, 0, l)
	assert.Equal(t, 4, n)
	assert.Equal(t, 900.0, 3600/float64(n))
	n = PartitionsAfter(n, 1, 6000, 0, l)
	assert.Equal(t, 8, n)
	assert.Equal(t, 750.0, 6000/float64(n))
	n = PartitionsAfter(n, 1, 5000, 0, l)
	assert.Equal(t, 8, n)
	assert.Equal(t, 625.0, 5000/float64(n))
}

func TestBurstWorkedExample(t *testing.T) {
	// Fact 5.11: 150 RCU idle for 5 min keeps 45,000 units, which sustain
	// 200 RCU for 900 s.
	assert.Equal(t, 45000.0, BurstUnits(150, 5*time.Minute, 300*time.Second))
	assert.Equal(t, 45000.0, BurstUnits(150, time.Hour, 300*time.Second), "never more than 300 s")
	assert.Equal(t, 900*time.Second, BurstLasts(150, 200, 300*time.Second))
}

func TestDecreaseQuota27PerDay(t *testing.T) {
	// Fact 5.9: 4 decreases in the first hour of a UTC day, then one an
	// hour if none in the preceding hour: at most 27 a day.
	q := DefaultDecreaseQuota()
	var done []time.Duration
	for now := time.Duration(0); now < 24*time.Hour; now += time.Minute {
		if q.Allowed(now, done) {
			done = append(done, now)
		}
	}
	assert.Len(t, done, 27)
	assert.Equal(t, 3*time.Minute, done[3], "the first four come at once")
	// The next day starts a new budget.
	assert.True(t, q.Allowed(24*time.Hour, done))
	// A run that starts at 23:30 UTC: the day rolls over after 30 min.
	q.DayStart = 23*time.Hour + 30*time.Minute
	assert.True(t, q.Allowed(0, nil))
	assert.False(t, q.Allowed(10*time.Minute, []time.Duration{0}), "23:40: less than an hour after the last")
	assert.True(t, q.Allowed(31*time.Minute, []time.Duration{0}), "00:01 UTC: a new day's first hour")
}

func TestLocateFindsTheOwner(t *testing.T) {
	// Partitions own contiguous hash ranges; locate must agree with a scan
	// after uneven splits too.
	tb := &table{}
	los := []uint64{0, 1 << 20, 1 << 40, 1<<40 + 5, 1 << 62, 1<<63 + 3}
	for _, lo := range los {
		tb.order = append(tb.order, &partition{lo: lo})
	}
	tb.index()
	rng := sim.NewStream(1, "locate")
	for i := 0; i < 100000; i++ {
		h := rng.Uint64() >> rng.IntN(64)
		want := 0
		for j, lo := range los {
			if lo <= h {
				want = j
			}
		}
		assert.Equal(t, los[want], tb.locate(h).lo, "h=%d", h)
	}
}
