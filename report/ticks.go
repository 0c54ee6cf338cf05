package report

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// Tick markers of the figures whose axes gonum's defaults label badly.

// valueTicks label exactly the swept values.
type valueTicks struct {
	pos    []float64
	labels []string
}

// Ticks implements plot.Ticker.
func (v valueTicks) Ticks(min, max float64) []plot.Tick {
	ticks := make([]plot.Tick, len(v.pos))
	for i := range v.pos {
		ticks[i] = plot.Tick{Value: v.pos[i], Label: v.labels[i]}
	}
	return ticks
}

// linearTicks are round ticks (1, 2, 5 × 10^k, about five of them) labelled
// with as many decimals as the step needs: gonum's default prints
// 99.9–100 as "1e+02".
type linearTicks struct{}

// Ticks implements plot.Ticker.
func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return nil
	}
	want := (hi - lo) / 5
	e := int(math.Floor(math.Log10(want)))
	step := 10 * math.Pow10(e)
	for _, m := range []float64{1, 2, 5} {
		if m*math.Pow10(e) >= want/1.5 {
			step = m * math.Pow10(e)
			break
		}
	}
	dec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+1e-9*step; k++ {
		v := k*step + 0 // no "-0"
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', dec, 64)})
		if mid := v + step/2; mid <= hi {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	return ticks
}

// cappedLinearTicks are linearTicks without the ticks above max.
type cappedLinearTicks struct{ max float64 }

// Ticks implements plot.Ticker.
func (c cappedLinearTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (linearTicks{}).Ticks(lo, math.Min(hi, c.max)) {
		if t.Value <= c.max+1e-9 {
			out = append(out, t)
		}
	}
	return out
}
