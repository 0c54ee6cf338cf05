package sim

import (
	"math"
	"time"
)

// Series is a table of metrics over simulated time: one row per time bucket
// (row i covers [i·bucket, (i+1)·bucket)) and one column per named metric.
// Rows are added on demand as later times are written; a cell never written
// reads as its column's fill value: 0 for the columns Column registers, NaN
// for the latency columns of a LatencySeries (a bucket with no samples has
// no percentile, and plots show it as a gap).
//
// Memory grows with buckets × columns only, never with the number of
// samples (so times passed in are real event times, never Forever). Columns keep their registration order (Names), so output built
// from a Series is deterministic.
type Series struct {
	bucket time.Duration
	names  []string
	index  map[string]int // name -> column; only looked up, never ranged over
	cols   [][]float64    // cols[c] may be shorter than rows; the rest is fill
	fill   []float64
	rows   int

	// The last bucket row computed, [lo, hi) and its index: most writes
	// land in the bucket of the one before, and a hit saves a division.
	lo, hi Time
	last   int
}

// NewSeries returns an empty series with the given bucket width (at least
// 1ns).
func NewSeries(bucket time.Duration) *Series {
	return &Series{bucket: max(bucket, 1), index: make(map[string]int)}
}

// Column returns the index of the column called name, registering it (with
// fill value 0) if it is new.
func (s *Series) Column(name string) int { return s.ColumnFill(name, 0) }

// ColumnFill returns the index of the column called name, registering it
// with the given fill value (what unwritten cells read as; NaN for a
// "missing" marker) if it is new. An existing column keeps its fill value.
func (s *Series) ColumnFill(name string, fill float64) int {
	if c, ok := s.index[name]; ok {
		return c
	}
	c := len(s.names)
	s.names = append(s.names, name)
	s.index[name] = c
	s.cols = append(s.cols, nil)
	s.fill = append(s.fill, fill)
	return c
}

// Lookup returns the index of the column called name, and whether it
// exists.
func (s *Series) Lookup(name string) (int, bool) {
	c, ok := s.index[name]
	return c, ok
}

// Bucket is the width of a row.
func (s *Series) Bucket() time.Duration { return s.bucket }

// Len is the number of rows: one more than the last bucket written or
// extended to.
func (s *Series) Len() int { return s.rows }

// Names returns the column names in registration order (a copy).
func (s *Series) Names() []string { return append([]string(nil), s.names...) }

// Values returns a copy of column col, of length Len(), unwritten cells
// holding the column's fill value.
func (s *Series) Values(col int) []float64 {
	out := make([]float64, s.rows)
	n := copy(out, s.cols[col])
	for i := n; i < len(out); i++ {
		out[i] = s.fill[col]
	}
	return out
}

// Add adds v to column col in the bucket containing t. A cell holding NaN
// (an unwritten cell of a NaN-filled column) is taken as empty: it becomes v.
func (s *Series) Add(t Time, col int, v float64) { addTo(s.cell(t, col), v) }

// AddEach adds v to each of the columns cols in the bucket containing t,
// as Add does to one: a request's outcome counts in two or three columns
// of one row, found once.
func (s *Series) AddEach(t Time, v float64, cols ...int) {
	i := s.row(t)
	s.rows = max(s.rows, i+1)
	for _, col := range cols {
		addTo(s.cellAt(i, col), v)
	}
}

// addTo adds v to a cell; a NaN cell becomes v.
func addTo(p *float64, v float64) {
	if math.IsNaN(*p) {
		*p = v
		return
	}
	*p += v
}

// Set overwrites column col in the bucket containing t with v.
func (s *Series) Set(t Time, col int, v float64) { *s.cell(t, col) = v }

// Max sets column col in the bucket containing t to v if v is larger than
// what it holds. An unwritten cell holds the column's fill value (0 for a
// counter, so negative values never win there); a NaN cell becomes v.
func (s *Series) Max(t Time, col int, v float64) {
	p := s.cell(t, col)
	if math.IsNaN(*p) || v > *p {
		*p = v
	}
}

// Extend makes sure the table has rows up to and including the bucket that
// contains t, e.g. so that a run's idle tail shows up as zeros.
func (s *Series) Extend(t Time) { s.rows = max(s.rows, s.row(t)+1) }

// row is the index of the bucket containing t.
func (s *Series) row(t Time) int {
	if t >= s.lo && t < s.hi {
		return s.last
	}
	t = max(t, 0)
	i := t / Time(s.bucket)
	s.lo, s.hi, s.last = i*Time(s.bucket), (i+1)*Time(s.bucket), int(i)
	return s.last
}

// cell returns the cell of column col in the bucket containing t, growing
// the column (with its fill value) and the table as needed.
func (s *Series) cell(t Time, col int) *float64 {
	i := s.row(t)
	s.rows = max(s.rows, i+1)
	return s.cellAt(i, col)
}

// cellAt returns the cell of column col in row i, growing the column (with
// its fill value) as needed; the table has at least i+1 rows.
func (s *Series) cellAt(i, col int) *float64 {
	c := s.cols[col]
	if len(c) <= i {
		for len(c) <= i {
			c = append(c, s.fill[col])
		}
		s.cols[col] = c
	}
	return &c[i]
}

// LatencySeries writes the per-bucket distribution of a latency into a
// Series: columns prefix_p50_ms, _p90_ms, _p99_ms, _p999_ms, _max_ms and
// _mean_ms, in milliseconds. It keeps a single histogram for the current
// bucket; when a sample arrives in a later bucket it writes the finished
// bucket's figures and starts afresh, so memory does not grow with the number
// of samples. Samples must arrive in non-decreasing time, as the kernel's
// clock guarantees (a sample from an earlier bucket counts in the current
// one).
//
// A bucket without samples reads NaN in all six columns. Call Flush at the
// end of a run to write the last bucket.
type LatencySeries struct {
	s    *Series
	l    *Latency
	cols [6]int // p50, p90, p99, p999, max, mean
	cur  int    // current bucket, -1 before the first sample
}

// latencyQuantiles are the quantiles of the first four LatencySeries
// columns.
var latencyQuantiles = [4]float64{0.50, 0.90, 0.99, 0.999}

// LatencyStat is one of a LatencySeries' columns: a percentile, the
// maximum or the mean of a bucket.
type LatencyStat int

// The columns of a LatencySeries, in order.
const (
	P50 LatencyStat = iota
	P90
	P99
	P999
	Max
	Mean
)

// LatencyColumn is the name of the column of statistic st that
// NewLatencySeries registers under prefix: "all_p99_ms".
func LatencyColumn(prefix string, st LatencyStat) string {
	return prefix + [...]string{"_p50_ms", "_p90_ms", "_p99_ms", "_p999_ms", "_max_ms", "_mean_ms"}[st]
}

// NewLatencySeries registers the latency columns prefix_p50_ms …
// prefix_mean_ms on s (NaN-filled) and returns the recorder that fills them.
func NewLatencySeries(s *Series, prefix string) *LatencySeries {
	ls := &LatencySeries{s: s, l: NewLatency(), cur: -1}
	for st := P50; st <= Mean; st++ {
		ls.cols[st] = s.ColumnFill(LatencyColumn(prefix, st), math.NaN())
	}
	return ls
}

// Record adds a latency d observed at time t.
func (ls *LatencySeries) Record(t Time, d time.Duration) {
	if b := ls.s.row(t); b > ls.cur {
		if ls.cur >= 0 {
			ls.Flush()
			ls.l.Reset()
		}
		ls.cur = b
	}
	ls.l.Record(d)
}

// Flush writes the current bucket's figures into the series. It may be
// called more than once; later samples in the same bucket are included by
// the next Flush.
func (ls *LatencySeries) Flush() {
	if ls.cur < 0 || ls.l.Count() == 0 {
		return
	}
	t := Time(ls.cur) * Time(ls.s.bucket)
	for i, q := range latencyQuantiles {
		ls.s.Set(t, ls.cols[i], ms(ls.l.Quantile(q)))
	}
	ls.s.Set(t, ls.cols[4], ms(ls.l.Max()))
	ls.s.Set(t, ls.cols[5], ms(ls.l.Mean()))
}

// ms converts a span to float milliseconds.
func ms(d time.Duration) float64 { return float64(d) / 1e6 }
