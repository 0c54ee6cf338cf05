package dynamodb

import (
	"math"
	"time"
)

// KB is the kilobyte of DynamoDB's capacity units: 1,024 bytes.
const KB = 1024

// Capacity-unit sizes and limits (facts 5.5–5.7).
const (
	ReadUnitBytes  = 4 * KB   // one strongly consistent read of up to 4 KB (fact 5.5)
	WriteUnitBytes = 1 * KB   // one write of up to 1 KB (fact 5.6)
	MaxItemBytes   = 400 * KB // largest item (fact 5.7)
	// MaxQueryBytes is the most a Query (one page) reads; DynamoDB pages a
	// Query at 1 MB. Not in models/REFERENCES.md (DynamoDB developer guide, Query).
	MaxQueryBytes = 1 << 20
	// MaxBatchGet and MaxBatchWrite are the largest BatchGetItem and
	// BatchWriteItem; MaxTransactItems the largest transaction. Not in
	// models/REFERENCES.md (DynamoDB developer guide, service quotas).
	MaxBatchGet      = 100
	MaxBatchWrite    = 25
	MaxTransactItems = 100
)

// Consistency is a read's consistency, which sets its price.
type Consistency uint8

// Read consistencies (fact 5.5).
const (
	Eventual      Consistency = iota // half a unit per 4 KB
	Strong                           // one unit per 4 KB
	Transactional                    // two units per 4 KB
)

func (c Consistency) String() string {
	return [...]string{"eventual", "strong", "transactional"}[c]
}

// units is ⌈bytes/unit⌉, at least 1: a read of a missing item, or of an
// empty one, still costs one unit.
func units(bytes, unit int) float64 {
	if bytes <= unit {
		return 1
	}
	return float64((bytes + unit - 1) / unit)
}

// ReadUnits is the read capacity one read of bytes consumes (fact 5.5):
// 4 KB units rounded up; eventually consistent 0.5 per unit, strongly
// consistent 1, transactional 2. An 8 KB item costs 1 / 2 / 4.
func ReadUnits(bytes int, c Consistency) float64 {
	u := units(bytes, ReadUnitBytes)
	switch c {
	case Eventual:
		return u / 2
	case Transactional:
		return 2 * u
	}
	return u
}

// WriteUnits is the write capacity one write of bytes consumes (fact
// 5.6): 1 KB units rounded up, doubled for a transactional write. A 2 KB
// item costs 2, or 4 in a transaction; a 3 KB transactional write 6.
func WriteUnits(bytes int, transactional bool) float64 {
	u := units(bytes, WriteUnitBytes)
	if transactional {
		return 2 * u
	}
	return u
}

// QueryUnits is the read capacity of a Query that returns items items of
// itemBytes each from one item collection: the items' total size, capped
// at one 1 MB page, rounded up to 4 KB as a whole (fact 5.5), not per item.
func QueryUnits(items, itemBytes int, c Consistency) float64 {
	total := max(items, 1) * max(itemBytes, 0)
	return ReadUnits(min(total, MaxQueryBytes), c)
}

// Limits are one partition's hard limits (facts 5.1, 5.2).
type Limits struct {
	RCU, WCU float64 // read and write units per second
	Bytes    int64   // data a partition holds before it splits
	// CollectionBytes is the most an item collection holds on a table
	// with local secondary indexes (fact 5.42).
	CollectionBytes int64
}

// DefaultLimits are the published per-partition limits: 3,000 RCU/s,
// 1,000 WCU/s (fact 5.1) and 10 GB (fact 5.2), and the 10 GB limit of an
// item collection on a table with local secondary indexes (fact 5.42).
func DefaultLimits() Limits {
	return Limits{RCU: 3000, WCU: 1000, Bytes: 10 << 30, CollectionBytes: DefaultCollectionBytes}
}

// InitialPartitions is the number of partitions a table of the given
// throughput and size starts with (fact 5.3): ⌈RCU/3000 + WCU/1000⌉ for
// throughput, ⌈size/10 GB⌉ for storage, the larger of the two, at least
// 1. 5,000 R / 2,000 W gives 4.
func InitialPartitions(rcu, wcu float64, sizeBytes int64, l Limits) int {
	n := 1
	if l.RCU > 0 && l.WCU > 0 {
		// A small tolerance keeps 3,000 R exactly at 1 partition despite
		// floating-point rounding.
		n = max(n, int(math.Ceil(rcu/l.RCU+wcu/l.WCU-1e-9)))
	}
	if l.Bytes > 0 && sizeBytes > 0 {
		n = max(n, int((sizeBytes+l.Bytes-1)/l.Bytes))
	}
	return n
}

// PartitionsAfter is the partition count after the table's throughput or
// size changes from a table with current partitions (fact 5.3): when the
// current partitions cannot hold the new figures, every partition splits
// in two, as often as needed; partitions never merge, so a decrease keeps
// the count. 4 partitions at 5,000 R / 2,000 W raised to 8,000 R become 8.
func PartitionsAfter(current int, rcu, wcu float64, sizeBytes int64, l Limits) int {
	n := max(current, 1)
	need := InitialPartitions(rcu, wcu, sizeBytes, l)
	for n < need {
		n *= 2
	}
	return n
}

// BurstUnits is the burst capacity a partition allocated rate units per
// second accumulates while idle for idle, capped at burst seconds of its
// rate (fact 5.11: 300 s; 150 RCU idle 5 min → 45,000 units).
func BurstUnits(rate float64, idle, burst time.Duration) float64 {
	return rate * min(idle, burst).Seconds()
}

// BurstLasts is how long a full burst bucket of a partition allocated rate
// units per second sustains a consumption of demand units per second
// (fact 5.11: 45,000 units at 150 RCU sustain 200 RCU for 900 s). It is
// forever when demand does not exceed the rate.
func BurstLasts(rate, demand float64, burst time.Duration) time.Duration {
	if demand <= rate {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(rate * burst.Seconds() / (demand - rate) * float64(time.Second))
}

// DecreaseQuota is the limit on provisioned-capacity decreases of a table
// or index (fact 5.9): up to FirstHour decreases in the first hour of a
// UTC day, then one more each time no decrease happened in the preceding
// Spacing, which allows 4 + 23 = 27 a day.
type DecreaseQuota struct {
	FirstHour int
	Spacing   time.Duration
	// DayStart is the UTC time of day at which the simulation starts.
	DayStart time.Duration
}

// DefaultDecreaseQuota is fact 5.9's quota, for a run starting at
// midnight UTC.
func DefaultDecreaseQuota() DecreaseQuota { return DecreaseQuota{FirstHour: 4, Spacing: time.Hour} }

// Allowed reports whether a decrease at simulated time now is within the
// quota, given the times of the earlier decreases (ascending).
func (q DecreaseQuota) Allowed(now time.Duration, earlier []time.Duration) bool {
	const day = 24 * time.Hour
	abs := now + q.DayStart
	dayStart := abs - abs%day - q.DayStart // simulated time of the UTC midnight before now
	today := 0
	for _, t := range earlier {
		if t >= dayStart {
			today++
		}
	}
	if now-dayStart < time.Hour {
		return today < q.FirstHour
	}
	if n := len(earlier); n > 0 && now-earlier[n-1] < q.Spacing {
		return false
	}
	return true
}
