package report

import (
	"math"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/scenarios"
)

// streamFigure plots a DynamoDB stream's consumer: the iterator age (the
// oldest unprocessed record's age, the maximum over shards) above, in
// seconds or, while it stays under 10 s, milliseconds, with the
// retention as a limit when the age comes near it; the records waiting
// below. Nil without a stream.
func streamFigure(name string, sc *scenarios.Scenario, d *seriesData, marks *annotations) *Figure {
	if d == nil {
		return nil
	}
	ages := d.gauge(metric.Of(metric.IteratorAge))
	if ages == nil {
		return nil
	}
	title := name + ": stream consumer"
	if d.bucket > 1 {
		title += " (" + formatSeconds(d.bucket) + " s means)"
	}
	peak := maxFinite(ages)
	unit, scale := "ms", 1.0
	if peak > 10_000 {
		unit, scale = "s", 1000
	}
	f := newFigure("stream", title, "iterator age ("+unit+")", marks)
	f.showMarks(cluster.StreamBehind, cluster.StreamCaughtUp)
	ys := make([]float64, len(ages))
	for b, y := range ages {
		ys[b] = y / scale
	}
	f.addLine(d, ys, "iterator age, max over shards", lineStyle(0, 1.4))
	hi := peak / scale
	retention := 24 * time.Hour
	if sc != nil && sc.System.DynamoDB != nil && sc.System.DynamoDB.Table.Stream.Retention > 0 {
		retention = sc.System.DynamoDB.Table.Stream.Retention.D()
	}
	if r := float64(retention/time.Millisecond) / scale; peak/scale > r/2 {
		sty := draw.LineStyle{Color: colorLimit, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(7), vg.Points(3)}}
		f.p.Add(&hLine{y: r, sty: sty, text: "retention " + retention.String() + ": older records are lost", style: textStyle(8, colorLimit)})
		f.legend.Add("retention", lineThumb(sty))
		hi = math.Max(hi, r)
	}
	f.p.Y.Min, f.p.Y.Max = 0, math.Max(hi*1.05, 1)
	f.p.Y.Tick.Marker = linearTicks{}
	f.p.X.Label.Text = "" // the lower panel's axis is labelled
	f.p.X.Tick.Marker = unlabelledTicks{f.marks.ax.ticks()}

	lowerMarks := f.marks.clone()
	lowerMarks.unlabelled = true
	f.lower = newPanel("records waiting", lowerMarks)
	f.lowerLegend = newLegend()
	backlog := d.gauge(metric.Of(metric.StreamBacklog))
	addLineTo(f.lower, &f.lowerLegend, f.marks.ax, d, backlog, "records not yet processed", lineStyle(1, 1.2))
	f.lower.Y.Min, f.lower.Y.Max = 0, math.Max(maxFinite(backlog)*1.05, 1)
	f.lower.Y.Tick.Marker = linearTicks{}
	return f
}
