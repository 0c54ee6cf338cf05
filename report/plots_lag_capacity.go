package report

import (
	"math"
	"strconv"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/scenarios"
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
	f.p.Y.Tick.Marker = linearTicks{}
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
	f.p.Y.Tick.Marker = linearTicks{}
	return f
}

// capacityFigure plots the Aurora Serverless v2 capacity of each instance
// (metric.CapacityACU): the writer (the gauge without an instance) as a
// wide solid line, each replica dashed on top of it, so that an instance
// at the writer's capacity still shows both; the scenario's min_acu and
// max_acu as labelled limits.
func capacityFigure(name string, sc *scenarios.Scenario, d *seriesData, ids []metric.ID, marks *annotations) *Figure {
	f := newFigure("capacity", name+": Serverless v2 capacity", "capacity (ACU)", marks)
	f.showMarks(cluster.Paused, cluster.Resumed, cluster.ScaleUp, cluster.ScaleDown)
	hi := 0.0
	var writer, replicas []metric.ID
	for _, id := range ids {
		if id.Instance == "" {
			writer = append(writer, id)
		} else {
			replicas = append(replicas, id)
		}
	}
	for _, id := range writer {
		ys := d.gauge(id)
		hi = math.Max(hi, maxFinite(ys))
		f.addLine(d, ys, "writer", lineStyle(0, 2.4))
	}
	for i, id := range replicas {
		ys := d.gauge(id)
		hi = math.Max(hi, maxFinite(ys))
		f.addLine(d, ys, id.Instance, lineStyle(loadColors[(i+1)%len(loadColors)], 1.2, vg.Points(4), vg.Points(2)))
	}
	if sc != nil && sc.System.Aurora != nil {
		sv := sc.System.Aurora.Serverless
		sty := draw.LineStyle{Color: colorLimit, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(7), vg.Points(3)}}
		for _, lim := range []struct {
			acu  float64
			what string
		}{{sv.MaxACU, "max"}, {sv.MinACU, "min"}} {
			if lim.acu < 0 || (lim.what == "max" && lim.acu <= 0) {
				continue
			}
			text := lim.what + "_acu " + strconv.FormatFloat(lim.acu, 'f', -1, 64)
			if lim.what == "min" && lim.acu == 0 && sv.AutoPause > 0 {
				text += ": pauses when idle"
			}
			// min on the left: an instance that pauses sits on it later.
			f.p.Add(&hLine{y: lim.acu, sty: sty, text: text, style: textStyle(8, colorLimit), left: lim.what == "min"})
			hi = math.Max(hi, lim.acu)
		}
		if sv.MaxACU > 0 {
			f.legend.Add("min_acu, max_acu", lineThumb(sty))
		}
	}
	f.p.Y.Min = 0
	f.p.Y.Max = math.Max(hi*1.08, 1)
	f.p.Y.Tick.Marker = linearTicks{}
	return f
}

// creditsFigure plots the CPU credit balance of each burstable role
// (metric.CPUCreditBalance), and the surplus credits an Unlimited one
// spent beyond it (metric.CPUSurplusCredits, dashed), with the moments a
// Standard instance ran out of credits and got its full speed back.
func creditsFigure(name string, d *seriesData, marks *annotations) *Figure {
	balances, surplus := d.ofKind(metric.CPUCreditBalance), d.ofKind(metric.CPUSurplusCredits)
	f := groupFigure("credits", name+": CPU credits (burstable classes)", "CPU credits (vCPU-minutes)", d, balances,
		func(id metric.ID) string { return id.Subject() + " balance" }, marks)
	hi := f.p.Y.Max
	for i, id := range surplus {
		ys := d.gauge(id)
		if maxFinite(ys) <= 0 {
			continue // never spent beyond its balance: nothing to draw
		}
		hi = math.Max(hi, maxFinite(ys)*1.05)
		f.addLine(d, ys, id.Subject()+" surplus spent", lineStyle(i, 1.2, vg.Points(4), vg.Points(2)))
	}
	f.p.Y.Max = hi
	f.showMarks(cluster.CreditsOut, cluster.FullSpeed)
	return f
}
