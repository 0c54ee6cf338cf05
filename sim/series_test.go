package sim

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeriesBucketing(t *testing.T) {
	s := NewSeries(time.Second)
	assert.Equal(t, time.Second, s.Bucket())
	reqs := s.Column("requests")
	assert.Equal(t, reqs, s.Column("requests"), "registering twice returns the same column")

	s.Add(0, reqs, 1)
	s.Add(At(999*time.Millisecond), reqs, 1) // still bucket 0
	s.Add(At(time.Second), reqs, 5)          // bucket 1 starts at exactly 1s
	s.Add(At(3500*time.Millisecond), reqs, 2)
	assert.Equal(t, 4, s.Len())
	assert.Equal(t, []float64{2, 5, 0, 2}, s.Values(reqs), "bucket 2 was never written: 0")

	peak := s.Column("peak")
	s.Max(At(time.Second), peak, 3)
	s.Max(At(time.Second), peak, 7)
	s.Max(At(time.Second), peak, 4)
	last := s.Column("last")
	s.Set(0, last, 1)
	s.Set(0, last, 9)
	assert.Equal(t, []float64{0, 7, 0, 0}, s.Values(peak), "a later column is padded to Len")
	assert.Equal(t, []float64{9, 0, 0, 0}, s.Values(last))

	assert.Equal(t, []string{"requests", "peak", "last"}, s.Names())
	c, ok := s.Lookup("peak")
	assert.True(t, ok)
	assert.Equal(t, peak, c)
	_, ok = s.Lookup("nope")
	assert.False(t, ok)

	s.Extend(At(5 * time.Second))
	assert.Equal(t, 6, s.Len())
	assert.Equal(t, []float64{2, 5, 0, 2, 0, 0}, s.Values(reqs))
	s.Extend(0)
	assert.Equal(t, 6, s.Len(), "Extend never shrinks")

	v := s.Values(reqs)
	v[0] = 100
	assert.Equal(t, 2.0, s.Values(reqs)[0], "Values returns a copy")
}

func TestSeriesFill(t *testing.T) {
	s := NewSeries(time.Second)
	gauge := s.ColumnFill("gauge", math.NaN())
	s.Add(At(time.Second), gauge, 2) // a NaN cell counts as empty
	s.Add(At(time.Second), gauge, 3)
	s.Max(At(3*time.Second), gauge, -4) // and Max takes any value over NaN
	v := s.Values(gauge)
	require.Len(t, v, 4)
	assert.True(t, math.IsNaN(v[0]))
	assert.Equal(t, 5.0, v[1])
	assert.True(t, math.IsNaN(v[2]))
	assert.Equal(t, -4.0, v[3])
}

func TestLatencySeries(t *testing.T) {
	s := NewSeries(time.Second)
	ops := s.Column("ops")
	ls := NewLatencySeries(s, "read")
	assert.Equal(t, []string{"ops", "read_p50_ms", "read_p90_ms", "read_p99_ms", "read_p999_ms", "read_max_ms", "read_mean_ms"}, s.Names())

	// Bucket 0: 1..100ms. Bucket 1: nothing. Bucket 2: a single 5ms.
	for i := 1; i <= 100; i++ {
		at := At(time.Duration(i) * 9 * time.Millisecond)
		ls.Record(at, time.Duration(i)*time.Millisecond)
		s.Add(at, ops, 1)
	}
	ls.Record(At(2500*time.Millisecond), 5*time.Millisecond)
	s.Add(At(2500*time.Millisecond), ops, 1)
	ls.Flush()
	ls.Flush() // idempotent

	col := func(name string) []float64 {
		c, ok := s.Lookup(name)
		require.True(t, ok, name)
		return s.Values(c)
	}
	assert.Equal(t, []float64{100, 0, 1}, s.Values(ops))
	for _, tc := range []struct {
		name string
		want [3]float64 // bucket 1 is NaN
	}{
		{"read_p50_ms", [3]float64{50, math.NaN(), 5}},
		{"read_p90_ms", [3]float64{90, math.NaN(), 5}},
		{"read_p99_ms", [3]float64{99, math.NaN(), 5}},
		{"read_p999_ms", [3]float64{100, math.NaN(), 5}},
		{"read_max_ms", [3]float64{100, math.NaN(), 5}},
		{"read_mean_ms", [3]float64{50.5, math.NaN(), 5}},
	} {
		name, want := tc.name, tc.want
		got := col(name)
		require.Len(t, got, 3, name)
		assert.InEpsilon(t, want[0], got[0], 1e-3, "%s bucket 0", name)
		assert.True(t, math.IsNaN(got[1]), "%s: an empty bucket is NaN, got %v", name, got[1])
		assert.InEpsilon(t, want[2], got[2], 1e-3, "%s bucket 2", name)
	}

	s.Extend(At(4 * time.Second))
	assert.True(t, math.IsNaN(col("read_p99_ms")[4]), "padding of a latency column is NaN")
	assert.Equal(t, 0.0, s.Values(ops)[4], "padding of a counter is 0")
}

func TestLatencySeriesFlushMidBucket(t *testing.T) {
	// Flush in the middle of a bucket, then more samples in the same bucket:
	// the next Flush covers all of them.
	s := NewSeries(time.Second)
	ls := NewLatencySeries(s, "x")
	ls.Record(0, time.Millisecond)
	ls.Flush()
	ls.Record(At(500*time.Millisecond), 3*time.Millisecond)
	ls.Flush()
	c, _ := s.Lookup("x_mean_ms")
	assert.InDelta(t, 2.0, s.Values(c)[0], 1e-9)
	ls.Flush()
	assert.Equal(t, 1, s.Len())
}

func TestSeriesAddEach(t *testing.T) {
	// AddEach is Add on each column: a NaN cell becomes v, the table grows.
	s, ref := NewSeries(time.Second), NewSeries(time.Second)
	for _, x := range []*Series{s, ref} {
		x.Column("a")
		x.ColumnFill("b", math.NaN())
		x.Column("c")
	}
	for _, at := range []Time{At(300 * time.Millisecond), At(2500 * time.Millisecond), At(time.Second)} {
		s.AddEach(at, 2, 0, 1)
		s.AddEach(at, 1, 2)
		ref.Add(at, 0, 2)
		ref.Add(at, 1, 2)
		ref.Add(at, 2, 1)
	}
	require.Equal(t, ref.Len(), s.Len())
	for c := range 3 {
		assert.Equal(t, fmt.Sprint(ref.Values(c)), fmt.Sprint(s.Values(c)), "column %d", c)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.AddEach(At(time.Second), 1, 0, 1, 2) }))
}
