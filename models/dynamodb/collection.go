package dynamodb

import (
	"fmt"
	"math"
)

// LSI is a local secondary index: an alternative sort key on the base
// table's partitions. Its entries live beside the items they index, so
// they take the table's own write capacity, and every partition-key
// value's items and index entries (its item collection) stay on one
// partition, at most Limits.CollectionBytes (facts 5.42, 5.43).
type LSI struct {
	Name string
	// ProjectedBytes is the size of an index entry (0: the whole item).
	ProjectedBytes int
}

// MaxLSIs is the most local secondary indexes a table has (fact 5.42).
const MaxLSIs = 5

// DefaultCollectionBytes is the size limit of an item collection on a
// table with local secondary indexes: 10 GB (fact 5.42).
const DefaultCollectionBytes = 10 << 30

// growth is how many bytes the run's writes have added to each item
// collection: a count–min sketch (Cormode and Muthukrishnan, 2005) of
// growthRows rows of growthCols counters, so that memory stays fixed
// whatever the number of keys. Updates are conservative (a row's counter
// is raised only as far as the new estimate), so an estimate is never
// below the truth and exceeds it by at most e/growthCols of all the bytes
// added, with probability 1 − e^−growthRows; for a run that adds 10 GB in
// all, at most 6.6 MB, a thousandth of a collection's limit.
type growth struct {
	c     [growthRows][growthCols]int64
	total int64
}

const (
	growthRows = 4
	growthCols = 4096
)

func (g *growth) col(key uint64, row int) int {
	return int(mix(key^uint64(row+1)*0x9e3779b97f4a7c15) % growthCols)
}

// estimate is the bytes added to key's collection (never less than the
// truth).
func (g *growth) estimate(key uint64) int64 {
	if g == nil {
		return 0
	}
	e := int64(math.MaxInt64)
	for r := range g.c {
		e = min(e, g.c[r][g.col(key, r)])
	}
	return e
}

// add records n more bytes in key's collection.
func (g *growth) add(key uint64, n int64) {
	want := g.estimate(key) + n
	for r := range g.c {
		if c := &g.c[r][g.col(key, r)]; *c < want {
			*c = want
		}
	}
	g.total += n
}

// collectionRefusals is how many refused collections the narrative names;
// after that it counts them only.
const collectionRefusals = 8

// collectionFull reports whether a write of size bytes to key's item
// collection, which held start bytes when the run began, would take the
// collection past the limit on a table with local secondary indexes
// (ItemCollectionSizeLimitExceededException, fact 5.42). The first refusal
// of a collection is told in the narrative.
func (m *Model) collectionFull(key uint64, start int64, size int) bool {
	if len(m.cfg.LSIs) == 0 {
		return false
	}
	now := m.collectionBytes(key, start)
	if now+int64(size) <= m.cfg.Limits.CollectionBytes {
		return false
	}
	m.collectionLimit++
	for _, k := range m.fullCollections {
		if k == key {
			return true
		}
	}
	if len(m.fullCollections) < collectionRefusals {
		m.fullCollections = append(m.fullCollections, key)
		m.log.Addf("item collection of key %d (partition %s) holds %s, at its %s limit: writes that add to it fail (ItemCollectionSizeLimitExceededException)",
			key, m.base.locate(m.base.point(key)).name(), gb(now), gb(m.cfg.Limits.CollectionBytes))
	}
	return true
}

// collectionBytes is key's item collection now: what it held when the
// run began and what the run's writes added.
func (m *Model) collectionBytes(key uint64, start int64) int64 {
	return start + m.grown.estimate(key)
}

// grow records a write of size bytes that added an item to key's
// collection.
func (m *Model) grow(key uint64, size int) {
	if m.grown == nil {
		m.grown = &growth{}
	}
	m.grown.add(key, int64(size))
}

func gb(b int64) string { return fmt.Sprintf("%.2f GB", float64(b)/(1<<30)) }

// CollectionSpan is how many positions of the hash ring an item
// collection takes on a table without local secondary indexes: its items
// in sort-key order from its key's position, so that a split may divide
// it. Keys are about 2^64 / their number apart, so spans do not overlap.
// On a table with an LSI a collection is one position, never divided.
const CollectionSpan = 1 << 20

// spread appends what a Query of the collection at [h, h+CollectionSpan)
// of table t, u units in all, needs from each partition that holds part
// of it: a share of u by the part of the span it holds, each part at a
// random position within it for the heat statistics.
func (m *Model) spread(needs []need, t *table, h uint64, u float64) []need {
	hi := h + CollectionSpan - 1
	for p := t.locate(h); ; p = t.locate(p.hi + 1) {
		a, b := max(p.lo, h), min(p.hi, hi)
		needs = append(needs, need{t: t, p: p, u: u * float64(b-a+1) / CollectionSpan, h: a + m.rng.Uint64N(b-a+1)})
		if p.hi >= hi {
			return needs
		}
	}
}
