package report

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// percentTicks label an availability axis from 100 down to its bottom in
// round steps (20 on 0–100, 0.02 on 99.9–100), with a minor tick halfway;
// gonum's default ticks print 99.9–100 as "1e+02".
type percentTicks struct{}

func (percentTicks) Ticks(bottom, top float64) []plot.Tick {
	top = math.Min(top, 100)
	if !(top > bottom) {
		return nil
	}
	want := (top - bottom) / 5
	e := int(math.Floor(math.Log10(want)))
	step := 10 * math.Pow10(e)
	for _, m := range []float64{1, 2, 5} {
		if m*math.Pow10(e) >= want {
			step = m * math.Pow10(e)
			break
		}
	}
	dec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	for k := 0; ; k++ {
		v := 100 - float64(k)*step/2
		if v < bottom-1e-9 {
			break
		}
		if v > top+1e-9 {
			continue
		}
		t := plot.Tick{Value: v}
		if k%2 == 0 {
			t.Label = strconv.FormatFloat(v, 'f', dec, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// log10Ticks are ticks for an axis of log10 values, labelled with the
// values themselves: every integer of each decade when the axis spans at
// most one decade, 1, 2 and 5 when at most three, the powers of ten
// otherwise; the other integers get unlabelled minor ticks.
type log10Ticks struct{}

func (log10Ticks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		return nil
	}
	span := max - min
	var ticks []plot.Tick
	for e := int(math.Floor(min)); e <= int(math.Ceil(max)); e++ {
		for i := 1; i < 10; i++ {
			v := math.Log10(float64(i)) + float64(e)
			if v < min-1e-9 || v > max+1e-9 {
				continue
			}
			t := plot.Tick{Value: v}
			if i == 1 || span <= 1 || (span <= 3 && (i == 2 || i == 5)) {
				t.Label = decimal(i, e)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// decimal formats i·10^e without an exponent: 2, 50, 0.05.
func decimal(i, e int) string {
	if e >= 0 {
		return strconv.Itoa(i) + strings.Repeat("0", e)
	}
	return strconv.FormatFloat(float64(i)*math.Pow10(e), 'f', -e, 64)
}

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
