package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"dbsim/scenarios"
	"dbsim/sim"
)

// latencyFigure: p50, p99, p99.9 of all requests and p99 of writes, on a
// log axis in ms. The values are plotted as log10(ms) on a linear axis
// whose ticks are labelled in ms: gonum's LogScale misplaces the axis
// label's glyph box (it squeezes the plot) and panics on values ≤ 0.
func latencyFigure(name string, d *seriesData, marks *annotations) *Figure {
	f := newFigure("latency", name+": latency of successful requests", "latency (ms, log scale)", marks)
	lo, hi := math.Inf(1), math.Inf(-1)
	lines := []struct {
		col, label string
		sty        draw.LineStyle
	}{
		{sim.LatencyColumn(scenarios.AllRequests, sim.P50), "p50", lineStyle(0, 1)},
		{sim.LatencyColumn(scenarios.AllRequests, sim.P99), "p99", lineStyle(1, 1)},
		{sim.LatencyColumn(scenarios.AllRequests, sim.P999), "p99.9", lineStyle(2, 0.8)},
		{sim.LatencyColumn(scenarios.Writes, sim.P99), "write p99", lineStyle(3, 1.2, vg.Points(4), vg.Points(2))},
	}
	if d != nil {
		for _, l := range lines {
			ys := d.column(l.col)
			for i, y := range ys {
				if y > 0 && !math.IsInf(y, 0) {
					ys[i] = math.Log10(y)
					lo, hi = math.Min(lo, ys[i]), math.Max(hi, ys[i])
				} else {
					ys[i] = math.NaN()
				}
			}
			f.addLine(d, ys, l.label, l.sty)
		}
	}
	setLogAxis(f, lo, hi)
	return f
}

// setLogAxis sets the y axis of a figure whose data are log10 values in
// [lo, hi] (±Inf when there were none): a tenth of a decade of room around
// the data, at least one decade, with log10Ticks.
func setLogAxis(f *Figure, lo, hi float64) {
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	lo, hi = lo-0.1, hi+0.1
	if hi-lo < 1 {
		mid := (lo + hi) / 2
		lo, hi = mid-0.5, mid+0.5
	}
	f.p.Y.Min, f.p.Y.Max = lo, hi
	f.p.Y.Tick.Marker = log10Ticks{}
}

// availabilityFigure: ok/(ok+failed) per bucket, in %. The axis ends at
// 100 and starts at availabilityFloor of the worst bucket, so a small dip
// still fills the height.
func availabilityFigure(name string, d *seriesData, marks *annotations) *Figure {
	f := newFigure("availability", name+": availability (ok / requests per bucket)", "availability (%)", marks)
	var ys []float64
	worst := 100.0
	if d != nil {
		ys = make([]float64, d.n)
		for b := range ys {
			ys[b] = 100 * d.availability(b)
			if !math.IsNaN(ys[b]) {
				worst = math.Min(worst, ys[b])
			}
		}
	}
	f.addLine(d, ys, "all requests", lineStyle(0, 1.2))
	// Reads and writes apart, when the run recorded both: a failover or a
	// lost write quorum often stops writes while reads go on.
	if d != nil && d.column(scenarios.ColumnReadFailed) != nil && d.column(scenarios.ColumnWriteFailed) != nil {
		for i, op := range []struct{ name, ok, failed string }{
			{"read", scenarios.ColumnReadOK, scenarios.ColumnReadFailed},
			{"write", scenarios.ColumnWriteOK, scenarios.ColumnWriteFailed},
		} {
			opYs := make([]float64, d.n)
			seen := false
			okCol, failedCol := d.column(op.ok), d.column(op.failed)
			for b := range opYs {
				ok, failed := at0(okCol, b), at0(failedCol, b)
				opYs[b] = math.NaN()
				if ok+failed > 0 {
					opYs[b] = 100 * ok / (ok + failed)
					worst = math.Min(worst, opYs[b])
					seen = true
				}
			}
			if seen {
				// orange reads, purple writes: apart from the black phase lines
				f.addLine(d, opYs, op.name+"s", lineStyle(1+2*i, 1.1, vg.Points(4), vg.Points(2)))
			}
		}
	}
	f.p.Y.Min, f.p.Y.Max = availabilityFloor(worst), 100
	span := f.p.Y.Max - f.p.Y.Min
	f.p.Y.Max += span * 0.02 // keep the 100% line off the top edge
	f.p.Y.Tick.Marker = percentTicks{}
	return f
}

// availabilityFloor is the bottom of the availability axis for a worst
// bucket of worst %: the highest of 0, 50, 80, 90, 95, 99, 99.9, 99.99 that
// leaves the dip at least a tenth of the height above the bottom, so that
// a dip to 95% fills half the plot rather than a twentieth. A run without
// a failed request shows 99.9 to 100.
func availabilityFloor(worst float64) float64 {
	if worst >= 100 {
		return 99.9
	}
	floor := 0.0
	for _, lvl := range []float64{50, 80, 90, 95, 99, 99.9, 99.99} {
		if worst-lvl >= 0.1*(100-lvl) {
			floor = lvl
		}
	}
	return floor
}

// throughputFigure: requests ok and failed, by their arrival time (an
// outage shows from its first second), and throttled attempts when any,
// when they were made. Per second; in buckets shorter than a second, per
// bucket, as a count: 2,000 attempts in 50 ms are not 40,000 a second.
func throughputFigure(name string, d *seriesData, marks *annotations) *Figure {
	ylabel, per := "requests per second", "/s"
	if d != nil && d.bucket < 1 {
		ylabel, per = "requests per "+bucketText(d.bucket)+" bucket", ""
	}
	f := newFigure("throughput", name+": throughput", ylabel, marks)
	hi := 0.0
	if d != nil {
		for _, s := range []struct {
			col, label string
			c          color.Color
			always     bool
		}{
			{scenarios.ColumnOK, "ok" + per + ", by arrival", colorOK, true},
			{scenarios.ColumnFailed, "failed" + per + ", by arrival", colorFailed, true},
			{scenarios.ColumnThrottled, "throttled attempts" + per + ", when made", colorThrot, false},
		} {
			ys := make([]float64, d.n)
			nonzero := false
			for b := range ys {
				ys[b] = d.rate(s.col, b)
				if per == "" {
					ys[b] = d.count(s.col, b)
				}
				if ys[b] > 0 {
					nonzero = true
					hi = math.Max(hi, ys[b])
				}
			}
			if s.always || nonzero {
				f.addLine(d, ys, s.label, draw.LineStyle{Color: s.c, Width: vg.Points(1.2)})
			}
		}
	}
	f.p.Y.Min = 0
	f.p.Y.Max = math.Max(hi*1.05, 1)
	f.p.Y.Tick.Marker = linearTicks{}
	return f
}
