package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLatencyEmpty(t *testing.T) {
	l := NewLatency()
	assert.Zero(t, l.Count())
	assert.Zero(t, l.Mean())
	assert.Zero(t, l.Quantile(0.99))
	assert.Zero(t, l.Max())
}

func TestLatencyKnownData(t *testing.T) {
	// 1ms, 2ms, …, 1000ms: the q-quantile is about q·1000 ms.
	l := NewLatency()
	for i := 1; i <= 1000; i++ {
		l.Record(time.Duration(i) * time.Millisecond)
	}
	assert.Equal(t, int64(1000), l.Count())
	assert.Equal(t, 500500*time.Microsecond, l.Mean(), "the mean is exact")
	assert.Equal(t, time.Second, l.Max(), "the max is exact")
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{
		{0, time.Millisecond},
		{0.5, 500 * time.Millisecond},
		{0.9, 900 * time.Millisecond},
		{0.99, 990 * time.Millisecond},
		{0.999, 999 * time.Millisecond},
		{1, time.Second},
	} {
		got := l.Quantile(tc.q)
		// Three significant figures: within 0.1%, never below the value.
		assert.GreaterOrEqual(t, got, tc.want, "q=%g", tc.q)
		assert.InEpsilon(t, float64(tc.want), float64(got), 1e-3, "q=%g: %v", tc.q, got)
	}
}

func TestLatencyMatchesExactQuantiles(t *testing.T) {
	// Log-normal latencies from 10µs to seconds: every HDR quantile is within
	// 0.1% of the exact order statistic.
	rng := rand.New(rand.NewPCG(7, 7))
	d := LogNormal(-7, 1.5) // median ≈ 0.9ms
	l := NewLatency()
	var exact []time.Duration
	for i := 0; i < 100_000; i++ {
		s := Seconds(d.Sample(rng)).Round(time.Microsecond)
		l.Record(s)
		exact = append(exact, max(s, time.Microsecond))
	}
	slices.Sort(exact)
	for _, q := range []float64{0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999} {
		want := exact[int(q*float64(len(exact))+0.5)-1] // the rank HDR uses
		assert.InEpsilon(t, float64(want), float64(l.Quantile(q)), 1.5e-3, "q=%g", q)
	}
}

func TestLatencyClamps(t *testing.T) {
	l := NewLatency()
	l.Record(0)
	l.Record(-time.Second)
	l.Record(300 * time.Nanosecond)
	assert.Equal(t, time.Microsecond, l.Quantile(1), "below 1µs counts as 1µs")
	l.Record(3 * time.Hour)
	assert.Equal(t, int64(4), l.Count(), "too large is clamped, not dropped")
	assert.InEpsilon(t, float64(time.Hour), float64(l.Quantile(1)), 1e-3)
	assert.Equal(t, 3*time.Hour, l.Max(), "Max keeps the exact value")
}

func TestLatencyMergeAndReset(t *testing.T) {
	a, b := NewLatency(), NewLatency()
	for i := 1; i <= 500; i++ {
		a.Record(time.Duration(i) * time.Millisecond)
		b.Record(time.Duration(500+i) * time.Millisecond)
	}
	a.Merge(b)
	assert.Equal(t, int64(1000), a.Count())
	assert.Equal(t, int64(500), b.Count(), "the source is unchanged")
	assert.Equal(t, 500500*time.Microsecond, a.Mean())
	assert.Equal(t, time.Second, a.Max())
	assert.InEpsilon(t, float64(500*time.Millisecond), float64(a.Quantile(0.5)), 1e-3)

	a.Reset()
	assert.Zero(t, a.Count())
	assert.Zero(t, a.Max())
	assert.Zero(t, a.Mean())
	a.Record(time.Millisecond)
	assert.Equal(t, time.Millisecond, a.Mean())
}

func TestLatencyRecordDoesNotAllocate(t *testing.T) {
	l := NewLatency()
	assert.Zero(t, testing.AllocsPerRun(1000, func() { l.Record(1234 * time.Microsecond) }))
}
