package report

import (
	"math"

	"dbsim/models/metric"
)

// groupFigure plots the gauges ids (lag per replica, capacity measures)
// on one linear axis, each line labelled by label(id).
func groupFigure(file, title, ylabel string, d *seriesData, ids []metric.ID, label func(metric.ID) string, marks *annotations) *Figure {
	f := newFigure(file, title, ylabel, marks)
	hi := 0.0
	for i, id := range ids {
		ys := d.gauge(id)
		for _, y := range ys {
			if !math.IsNaN(y) && !math.IsInf(y, 0) {
				hi = math.Max(hi, y)
			}
		}
		f.addLine(d, ys, label(id), lineStyle(i, 1.2))
	}
	f.p.Y.Min = 0
	f.p.Y.Max = math.Max(hi*1.05, 1)
	return f
}

// lagFigure plots each replica's lag, in milliseconds, or in seconds once
// some lag passes 10 s (a runaway replica), so the axis stays readable.
func lagFigure(name string, d *seriesData, ids []metric.ID, marks *annotations) *Figure {
	peak := 0.0
	for _, id := range ids {
		for _, y := range d.gauge(id) {
			if !math.IsNaN(y) && !math.IsInf(y, 0) {
				peak = math.Max(peak, y)
			}
		}
	}
	if peak <= 10_000 {
		return groupFigure("lag", name+": replica lag", "replica lag (ms)", d, ids, metric.ID.Subject, marks)
	}
	f := newFigure("lag", name+": replica lag", "replica lag (s)", marks)
	for i, id := range ids {
		ms := d.gauge(id)
		secs := make([]float64, len(ms))
		for b, y := range ms {
			secs[b] = y / 1000
		}
		f.addLine(d, secs, id.Subject(), lineStyle(i, 1.2))
	}
	f.p.Y.Min, f.p.Y.Max = 0, peak/1000*1.05
	return f
}
