package sim

import (
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Latency recording limits: whole microseconds from 1µs to one hour, with
// three significant figures (every quantile is within 0.1% of a recorded
// value). Such a histogram takes about 200 KB whatever the number of samples.
const (
	latencyLowest  = 1                                   // µs
	latencyHighest = int64(time.Hour / time.Microsecond) // µs
	latencySigFigs = 3
)

// Latency records a distribution of spans in bounded memory: an HDR
// histogram of whole microseconds (1µs to 1h, 3 significant figures), plus
// the exact count, sum and maximum. Spans below 1µs count as 1µs; spans
// above one hour count as one hour in the quantiles (they are clamped, not
// dropped) but keep their exact value in Mean and Max.
//
// Memory does not grow with the number of samples, and Record does not
// allocate.
type Latency struct {
	h   *hdrhistogram.Histogram
	sum float64       // exact sum of the recorded spans, in ns
	max time.Duration // exact maximum
}

// NewLatency returns an empty recorder.
func NewLatency() *Latency {
	return &Latency{h: hdrhistogram.New(latencyLowest, latencyHighest, latencySigFigs)}
}

// toMicros converts a span to the histogram's unit: rounded to the nearest
// microsecond and clamped to the trackable range.
func toMicros(d time.Duration) int64 {
	us := int64(d / time.Microsecond)
	if d%time.Microsecond >= time.Microsecond/2 {
		us++ // (d + 500ns) / 1µs could overflow near math.MaxInt64
	}
	return min(max(us, latencyLowest), latencyHighest)
}

// Record adds one span.
func (l *Latency) Record(d time.Duration) {
	d = max(d, 0)
	// The value is in range by construction, so RecordValue cannot fail.
	_ = l.h.RecordValue(toMicros(d))
	l.sum += float64(d)
	l.max = max(l.max, d)
}

// Count is the number of spans recorded.
func (l *Latency) Count() int64 { return l.h.TotalCount() }

// Mean is the exact mean of the recorded spans (0 if none).
func (l *Latency) Mean() time.Duration {
	n := l.h.TotalCount()
	if n == 0 {
		return 0
	}
	return time.Duration(math.Round(l.sum / float64(n)))
}

// Quantile returns the q-quantile (q in [0, 1]; 0.99 is the 99th percentile)
// to within the histogram's precision: the highest span equivalent to the
// recorded value at that rank, a little above it (by at most 0.1%) rather
// than below. It is 0 if nothing was recorded.
func (l *Latency) Quantile(q float64) time.Duration {
	if l.h.TotalCount() == 0 {
		return 0
	}
	q = min(max(q, 0), 1)
	return time.Duration(l.h.ValueAtQuantile(q*100)) * time.Microsecond
}

// Max is the exact largest span recorded (0 if none).
func (l *Latency) Max() time.Duration { return l.max }

// Merge adds every span recorded by o to l. o is unchanged.
func (l *Latency) Merge(o *Latency) {
	l.h.Merge(o.h) // both have the same range, so nothing is dropped
	l.sum += o.sum
	l.max = max(l.max, o.max)
}

// Reset forgets every span recorded, keeping the memory.
func (l *Latency) Reset() {
	l.h.Reset()
	l.sum = 0
	l.max = 0
}
