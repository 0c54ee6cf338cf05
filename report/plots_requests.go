package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
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

// availabilityFigure: ok/(ok+failed) of the requests that arrived in
// each bucket, in %. The axis ends at 100 and starts at
// availabilityFloor of the worst bucket, so a small dip still fills the
// height. The last buckets, whose requests could still have been in
// flight when the run ended (seriesData.settle), are drawn faint and
// dotted, and the legend says why: their unfinished requests are in
// neither count.
func availabilityFigure(name string, d *seriesData, marks *annotations) *Figure {
	f := newFigure("availability", name+": availability by arrival time", "availability (%)", marks)
	if msg := noneSettled(d); msg != "" {
		f.message = msg
		return f
	}
	worst := 100.0
	tail := false
	add := func(ys []float64, label string, sty draw.LineStyle) {
		tail = f.addSettledLine(d, ys, label, sty) || tail
	}
	if d != nil {
		ys := make([]float64, d.n)
		for b := range ys {
			ys[b] = 100 * d.availability(b)
			if !math.IsNaN(ys[b]) {
				worst = math.Min(worst, ys[b])
			}
		}
		add(ys, "all requests", lineStyle(0, 1.2))
	}
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
				add(opYs, op.name+"s", lineStyle(1+2*i, 1.1, vg.Points(4), vg.Points(2)))
			}
		}
	}
	if tail {
		f.addUnsettledLegend(unsettledFrom(d))
	}
	f.p.Y.Min, f.p.Y.Max = availabilityFloor(worst), 100
	span := f.p.Y.Max - f.p.Y.Min
	f.p.Y.Max += span * 0.02 // keep the 100% line off the top edge
	f.p.Y.Tick.Marker = percentTicks{}
	return f
}

// addSettledLine draws ys of d: as a line in sty up to the buckets whose
// requests could still have been in flight at the end of the run, faint
// and dotted from there (joined to the line). It reports whether it drew
// a faint end. A line with nothing final is all faint, and the faint
// line carries the label.
func (f *Figure) addSettledLine(d *seriesData, ys []float64, label string, sty draw.LineStyle) bool {
	settled := make([]float64, len(ys))
	unsettled := make([]float64, len(ys))
	for b, y := range ys {
		settled[b], unsettled[b] = y, math.NaN()
		if b >= d.unsettled {
			settled[b], unsettled[b] = math.NaN(), y
			if b == d.unsettled && b > 0 {
				unsettled[b-1] = ys[b-1] // joined to the settled line
			}
		}
	}
	f.addLine(d, settled, label, sty)
	if !anyFinite(unsettled[min(d.unsettled, len(ys)):]) {
		return false
	}
	lg := &plot.Legend{}
	if !anyFinite(settled) {
		lg = &f.legend
	}
	addLineTo(f.p, lg, f.marks.ax, d, unsettled, label, faint(sty))
	return true
}

// addUnsettledLegend explains the faint ends of lines by arrival time
// (addSettledLine): not final when (from 7:47.0), and why. Its thumb is
// black, faint: any line's end, whatever its colour.
func (f *Figure) addUnsettledLegend(when string) {
	f.legend.Add("not final "+when, lineThumb(faint(lineStyle(2, 1.2))))
	f.legend.Add("(requests still in flight", emptyThumb{})
	f.legend.Add("at the end are not counted)", emptyThumb{})
}

// unsettledFrom is when d's lines by arrival stop being final: "from
// 7:47.0" (days in a run of days).
func unsettledFrom(d *seriesData) string {
	at, clock := sim.At(time.Duration(d.start(d.unsettled)*1e9)), narrativeClock
	if d.start(d.n) >= 86400 {
		clock = dayClock // a run of days
	}
	return "from " + clock(at)
}

// noneSettled is the message of an availability figure with nothing
// final to draw: every request arrived too close to the end of the run
// to be sure it had finished (dynamodb-retry-storm: 15 s, and up to 66 s
// of retries). Empty when some settled bucket had requests.
func noneSettled(d *seriesData) string {
	if d == nil {
		return ""
	}
	var ok, failed float64
	for b := 0; b < d.n; b++ {
		o, f := d.count(scenarios.ColumnOK, b), d.count(scenarios.ColumnFailed, b)
		if b < d.unsettled && o+f > 0 {
			return ""
		}
		ok, failed = ok+o, failed+f
	}
	if ok+failed == 0 {
		return ""
	}
	return fmt.Sprintf("No bucket's availability is final: every request of this run arrived less than %.1f s before its end, "+
		"the longest a request may take with its clients' timeouts and retries, so some could still have been in flight. "+
		"Of the requests that finished, %s of %s succeeded (%s); any unfinished at the end are in no count.",
		d.inFlight, thousands(int64(ok)), thousands(int64(ok+failed)), strconv.FormatFloat(100*ok/(ok+failed), 'f', -1, 64)+" %")
}

// faint is sty as the unsettled end of a line: translucent and dotted.
func faint(sty draw.LineStyle) draw.LineStyle {
	sty.Color = withAlpha(sty.Color, 110)
	sty.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
	return sty
}

// anyFinite reports whether some value of ys is a number.
func anyFinite(ys []float64) bool {
	for _, y := range ys {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			return true
		}
	}
	return false
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
// As in availabilityFigure, the lines by arrival are faint where requests
// could still have been in flight at the end: a saturated run's last
// successes are still queued then, and a line falling to zero there
// would read as an outage.
func throughputFigure(name string, d *seriesData, marks *annotations) *Figure {
	ylabel, per := "requests per second", "/s"
	if d != nil && d.bucket < 1 {
		ylabel, per = "requests per "+bucketText(d.bucket)+" bucket", ""
	}
	f := newFigure("throughput", name+": throughput", ylabel, marks)
	hi := 0.0
	tail := false
	if d != nil {
		for _, s := range []struct {
			col, label        string
			c                 color.Color
			always, byArrival bool
		}{
			{scenarios.ColumnOK, "ok" + per + ", by arrival", colorOK, true, true},
			{scenarios.ColumnFailed, "failed" + per + ", by arrival", colorFailed, true, true},
			{scenarios.ColumnThrottled, "throttled attempts" + per + ", when made", colorThrot, false, false},
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
			sty := draw.LineStyle{Color: s.c, Width: vg.Points(1.2)}
			switch {
			case !s.always && !nonzero:
			case s.byArrival:
				tail = f.addSettledLine(d, ys, s.label, sty) || tail
			default:
				f.addLine(d, ys, s.label, sty)
			}
		}
	}
	if tail {
		f.addUnsettledLegend(unsettledFrom(d))
	}
	f.p.Y.Min = 0
	f.p.Y.Max = math.Max(hi*1.05, 1)
	f.p.Y.Tick.Marker = linearTicks{}
	return f
}
