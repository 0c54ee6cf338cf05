package report

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// timeUnit is a unit of a time axis and the round steps its ticks take.
type timeUnit struct {
	name  string    // as the axis title says it: "ms", "s", "min", "h", "days"
	secs  float64   // seconds per unit
	steps []float64 // tick steps, in units, smallest first
}

var (
	unitMS   = timeUnit{"ms", 0.001, []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500}}
	unitS    = timeUnit{"s", 1, []float64{0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60}}
	unitMin  = timeUnit{"min", 60, []float64{0.25, 0.5, 1, 2, 5, 10, 15, 30, 60}}
	unitHour = timeUnit{"h", 3600, []float64{0.25, 0.5, 1, 2, 3, 6, 12, 24}}
	unitDay  = timeUnit{"days", 86400, []float64{0.5, 1, 2, 7, 14, 28, 91, 182, 365}}
)

// unitFor is the unit a span of secs seconds reads best in: milliseconds
// up to 2 s, seconds up to 3 minutes, minutes up to 3 hours, hours up to
// 3 days, days beyond.
func unitFor(secs float64) timeUnit {
	switch {
	case secs <= 2:
		return unitMS
	case secs <= 180:
		return unitS
	case secs <= 3*3600:
		return unitMin
	case secs <= 3*86400:
		return unitHour
	}
	return unitDay
}

// timeAxis is the time axis every figure of a run (or of a comparison)
// shares: what it shows, [0, end] seconds of simulated time from the start
// of the run, warmup included, and in which unit. Every x position of a
// figure (data, shaded windows, phase lines, labels) goes through x.
type timeAxis struct {
	unit timeUnit
	// end is the right end of the axis in seconds; runEnd the run's end.
	// end < runEnd when the run idled for most of its length after its
	// last event: the idle tail is not drawn, and the axis title says so.
	end, runEnd float64
	// lastActive is when the last thing happened, in seconds (set when
	// the tail is cut).
	lastActive float64
}

// newTimeAxis is the axis of a run of runEnd seconds shown whole.
func newTimeAxis(runEnd float64) timeAxis {
	if !(runEnd > 0) {
		runEnd = 60
	}
	return timeAxis{unit: unitFor(runEnd), end: runEnd, runEnd: runEnd}
}

// idleTail is the share of a run that must follow its last event for the
// axis to end soon after that event rather than at the end of the run.
const idleTail = 0.5

// cutIdleTail returns the axis of a run whose last event was at
// lastActive seconds: the whole run, or, when more than idleTail of it
// came after that, the span up to a round time a little after it.
func (t timeAxis) cutIdleTail(lastActive float64) timeAxis {
	if !(lastActive > 0) || lastActive > (1-idleTail)*t.runEnd {
		return t
	}
	span := lastActive * 1.1
	u := unitFor(span)
	step := tickStep(u, span/u.secs)
	end := math.Ceil(span/u.secs/step-1e-9) * step * u.secs
	if end >= t.runEnd {
		return t
	}
	return timeAxis{unit: u, end: end, runEnd: t.runEnd, lastActive: lastActive}
}

// x is the position on the axis of a time in seconds.
func (t timeAxis) x(secs float64) float64 { return secs / t.unit.secs }

// max is the axis's right end in its unit.
func (t timeAxis) max() float64 { return t.x(t.end) }

// cut reports whether the axis leaves out an idle tail of the run.
func (t timeAxis) cut() bool { return t.end < t.runEnd }

// title is the axis title: "time (s)", and when the idle tail is left
// out, a second line: when nothing happened any more and when the run
// ended.
func (t timeAxis) title() string {
	s := "time (" + t.unit.name + ")"
	if t.cut() {
		s += "\nnothing happened after " + t.format(t.lastActive) + " " + t.unit.name +
			"; the idle rest of the run, to " + t.format(t.runEnd) + " " + t.unit.name + ", is not drawn"
	}
	return s
}

// format writes a time in seconds in the axis's unit with up to 2
// decimals, trailing zeros dropped.
func (t timeAxis) format(secs float64) string {
	return strconv.FormatFloat(math.Round(t.x(secs)*100)/100, 'f', -1, 64)
}

// ticks is the axis's tick marker.
func (t timeAxis) ticks() plot.Ticker { return timeTicks{t.unit} }

// tickStep is the smallest of u's steps that labels a span of n units
// with at most 10 ticks; a multiple of the largest when none does.
func tickStep(u timeUnit, n float64) float64 {
	for _, st := range u.steps {
		if n/st <= 10 {
			return st
		}
	}
	last := u.steps[len(u.steps)-1]
	return last * math.Ceil(n/last/10)
}

// timeTicks label a time axis in round steps of its unit, with 4 to 10
// labels and an unlabelled tick halfway between two.
type timeTicks struct{ unit timeUnit }

// Ticks implements plot.Ticker.
func (tt timeTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return nil
	}
	step := tickStep(tt.unit, max-min)
	decimals := 0
	for st := step; st-math.Floor(st) > 1e-9 && decimals < 2; st *= 10 {
		decimals++
	}
	var ts []plot.Tick
	first := math.Ceil(min/step - 1e-9)
	for i := 0; ; i++ {
		v := (first + float64(i)) * step
		if v > max+1e-9*step {
			break
		}
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		if mid := v + step/2; mid < max {
			ts = append(ts, plot.Tick{Value: mid})
		}
	}
	return ts
}

// runTimeAxis is the time axis of a run's figures: the whole run, or up
// to a little after its last event (see cutIdleTail). An event is a
// request counted or answered, a gauge changing, or one of marks.
func runTimeAxis(d *seriesData, marks *annotations) timeAxis {
	if d == nil || d.n == 0 {
		return newTimeAxis(60)
	}
	return newTimeAxis(d.start(d.n)).cutIdleTail(math.Max(d.lastActive(), marks.lastTime()))
}

// lastActive is the end of the last bucket in which a request was
// counted (a count above zero), answered (a latency recorded) or a gauge
// changed, in seconds; 0 when none was.
func (d *seriesData) lastActive() float64 {
	gauge := map[string]bool{}
	for _, id := range d.gauges {
		gauge[id.Column()] = true
	}
	last := -1
	for i, name := range d.s.Names() {
		ys := d.s.Values(i)
		for b := len(ys) - 1; b > last; b-- {
			y := ys[b]
			active := false
			if gauge[name] {
				prev := math.NaN()
				if b > 0 {
					prev = ys[b-1]
				}
				active = b > 0 && y != prev && !(math.IsNaN(y) && math.IsNaN(prev))
			} else {
				active = y > 0 // a count, or a latency: NaN without requests
			}
			if active {
				last = b
				break
			}
		}
	}
	return d.start(last + 1)
}

// shown is how many buckets of d start on the axis ax: the figures draw
// those.
func (d *seriesData) shown(ax timeAxis) int {
	n := 0
	for n < d.n && d.start(n) < ax.end-1e-9 {
		n++
	}
	return n
}
