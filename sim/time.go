package sim

import (
	"fmt"
	"time"
)

// Time is a point in simulated time: nanoseconds since the start of the run.
type Time int64

// Forever is a time later than any event; Run(Forever) runs until the queue
// is empty.
const Forever = Time(1<<63 - 1)

// Add returns t+d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the span t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Seconds returns t in seconds since the start of the run.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// String formats t as minutes:seconds, e.g. "5:42.125".
func (t Time) String() string {
	d := time.Duration(t)
	m := d / time.Minute
	s := (d - m*time.Minute).Seconds()
	return fmt.Sprintf("%d:%06.3f", m, s)
}

// At converts a span since the start of the run into a Time.
func At(d time.Duration) Time { return Time(d) }

// Seconds converts a span in seconds (as distributions sample them) into a
// time.Duration, rounding to the nearest nanosecond.
func Seconds(s float64) time.Duration {
	if s <= 0 {
		return 0
	}
	return time.Duration(s*1e9 + 0.5)
}
