package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"dbsim/scenarios"
	"dbsim/scenarios/sweep"
)

// sweepX is how an axis's values are placed on the x axis: at their
// numeric value when every value is a number of one kind (a rate, a
// duration, a size, a plain number), else as categories in the order
// given.
type sweepX struct {
	numeric bool
	pos     []float64 // per step
	labels  []string  // per step
	title   string
}

// newSweepX places the values of ax.
func newSweepX(ax sweep.Axis) sweepX {
	x := sweepX{title: strings.Join(ax.Paths, " + ")}
	for _, v := range ax.Values {
		x.labels = append(x.labels, displayValues(v))
	}
	if len(ax.Paths) == 1 {
		kinds := []struct {
			unit  string
			parse func(string) (float64, error)
		}{
			{"per s", func(s string) (float64, error) { r, err := scenarios.ParseRate(s); return float64(r), err }},
			{"s", func(s string) (float64, error) { d, err := scenarios.ParseDuration(s); return d.D().Seconds(), err }},
			{"GB", func(s string) (float64, error) { z, err := scenarios.ParseSize(s); return float64(z) / (1 << 30), err }},
			{"", func(s string) (float64, error) {
				f, err := strconv.ParseFloat(s, 64)
				if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
					err = fmt.Errorf("not finite")
				}
				return f, err
			}},
		}
		for _, k := range kinds {
			pos := make([]float64, len(ax.Values))
			ok := true
			for i, v := range ax.Values {
				f, err := k.parse(v[0])
				if err != nil {
					ok = false
					break
				}
				pos[i] = f
			}
			if ok {
				x.numeric, x.pos = true, pos
				if k.unit != "" {
					x.title += " (" + k.unit + ")"
				}
				return x
			}
		}
	}
	for i := range ax.Values {
		x.pos = append(x.pos, float64(i))
	}
	return x
}

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// setYRange frames [lo, hi] (in plotted units) with a margin: from 0 for
// counts, seconds, costs and throttled shares, up to 100 for availability, a tenth of a
// decade around log-scale latencies.
func (f *SweepFigure) setYRange(lo, hi float64, logY bool, metric sweep.Metric) {
	if math.IsInf(lo, 1) { // no value at all
		lo, hi = 0, 1
	}
	switch {
	case logY:
		lo, hi = math.Log10(lo)-0.1, math.Log10(hi)+0.1
		if hi-lo < 1 {
			mid := (lo + hi) / 2
			lo, hi = mid-0.5, mid+0.5
		}
		f.p.Y.Tick.Marker = log10Ticks{}
	case metric.Name == "availability":
		// A dip fills the height: the bottom is the worst value less a
		// fifth of the span to 100, the top just over 100.
		span := math.Max(100-lo, 0.001)
		lo, hi = math.Max(0, lo-span*0.2), 100+span*0.05
		f.p.Y.Tick.Marker = cappedLinearTicks{max: 100}
	default:
		if hi <= 0 {
			hi = 1
		}
		lo, hi = 0, hi*1.08
		f.p.Y.Tick.Marker = linearTicks{}
	}
	f.p.Y.Min, f.p.Y.Max = lo, hi
}
