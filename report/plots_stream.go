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

// maxShardLines is the most per-partition iterator ages the stream figure
// draws beside their maximum.
const maxShardLines = 8

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
	f.showMarks(cluster.StreamBehind, cluster.StreamCaughtUp, cluster.ShardBlocked, cluster.RecordsExpired)
	scaled := func(ages []float64) []float64 {
		ys := make([]float64, len(ages))
		for b, y := range ages {
			ys[b] = y / scale
		}
		return ys
	}
	// Each partition's shard, thin, when they are few enough to tell
	// apart; the maximum over them on top.
	var parts []metric.ID
	for _, id := range d.ofKind(metric.IteratorAge) {
		// Rows of partitions a split has not made (yet) stay at 0.
		if id.PerPartition && maxFinite(d.gauge(id)) > 0 {
			parts = append(parts, id)
		}
	}
	if len(parts) > 1 && len(parts) <= maxShardLines {
		for i, id := range parts {
			f.addLine(d, scaled(d.gauge(id)), id.Subject()+"'s shard", lineStyle(2+i, 0.8, vg.Points(2), vg.Points(2)))
		}
	}
	f.addLine(d, scaled(ages), "iterator age, max over shards", lineStyle(0, 1.6))
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
