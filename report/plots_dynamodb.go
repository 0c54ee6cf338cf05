package report

import (
	"dbsim/models/metric"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Per-partition hard limits of DynamoDB, the 100 % of the partition
// heatmap: 3,000 RCU/s and 1,000 WCU/s, enforced separately (fact
// 5.1).
const (
	partitionRCULimit = 3000 // fact 5.1
	partitionWCULimit = 1000 // fact 5.1
)

// dynamoFigures returns the DynamoDB figures of a run whose series has the
// DynamoDB model's gauges (ConsumedWCU and ProvisionedWCU), none
// otherwise: "capacity" (consumed against provisioned capacity, the
// auto-scaling steps visible; "dynamodb_capacity" if the run also has an
// Aurora-style capacity plot) and "partitions" (a partition × time heatmap
// of each partition's consumption as a share of its hard limit).
func dynamoFigures(name string, d *seriesData, marks *annotations) []*Figure {
	if d == nil || d.gauge(metric.Of(metric.ConsumedWCU)) == nil || d.gauge(metric.Of(metric.ProvisionedWCU)) == nil {
		return nil
	}
	file := "capacity"
	if len(d.ofKind(metric.CapacityACU)) > 0 {
		file = "dynamodb_capacity"
	}
	figs := []*Figure{dynamoCapacityFigure(file, name, d, marks)}
	if f := partitionHeatmapFigure(name, d, marks); f != nil {
		figs = append(figs, f)
	}
	return figs
}

// dynamoCapacityFigure plots consumed capacity (per bucket, a line) and
// provisioned capacity (a step line over each bucket, so every
// auto-scaling change is a visible step) in capacity units per second,
// writes and reads, then each global secondary index's. A dimension the
// run never consumed (reads of a write-only workload) is left out and the
// title says so.
func dynamoCapacityFigure(file, name string, d *seriesData, marks *annotations) *Figure {
	type dim struct {
		unit, what            string
		consumed, provisioned metric.Kind
	}
	dims := []dim{{"wcu", "writes", metric.ConsumedWCU, metric.ProvisionedWCU}, {"rcu", "reads", metric.ConsumedRCU, metric.ProvisionedRCU}}
	var shown, omitted []dim
	for _, dm := range dims {
		if anyPositive(d.gauge(metric.Of(dm.consumed))) {
			shown = append(shown, dm)
		} else {
			omitted = append(omitted, dm)
		}
	}
	if len(shown) == 0 { // an idle table: its provisioned writes at least
		shown, omitted = dims[:1], dims[1:]
	}
	f := newFigure(file, name+": consumed vs provisioned capacity", "capacity units per second", marks)

	hi := 0.0
	// Provisioned: a wide translucent step line; consumed: a thin line
	// of the same hue on top, dashed for an index, so that consumption
	// held at the provisioned rate (throttling) still shows, and an index
	// consuming what its table does does not hide the table's line.
	add := func(id metric.ID, label string, ci int, provisioned, index bool) {
		ys := d.gauge(id)
		if ys == nil {
			return
		}
		hi = math.Max(hi, maxFinite(ys))
		switch {
		case provisioned:
			sty := lineStyle(ci, 3.5)
			r, g, b, _ := sty.Color.RGBA()
			sty.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 110}
			f.addSteps(d, ys, label, sty)
		case index:
			f.addLine(d, ys, label, lineStyle(ci, 1.2, vg.Points(4), vg.Points(2)))
		default:
			f.addLine(d, ys, label, lineStyle(ci, 1.2))
		}
	}
	// WCU blue, RCU orange; each index in its own colour after them.
	colour := map[string]int{"wcu": 0, "rcu": 1}
	for _, dm := range shown {
		u := strings.ToUpper(dm.unit)
		add(metric.Of(dm.provisioned), "provisioned "+u+"/s", colour[dm.unit], true, false)
		add(metric.Of(dm.consumed), "consumed "+u+"/s", colour[dm.unit], false, false)
	}
	ci := 3 // purple, green, sky blue, vermillion: not black, which is the phase lines'
	for _, id := range d.ofKind(metric.ProvisionedWCU) {
		gsi := id.Index
		if gsi == "" {
			continue // the base table's, above
		}
		add(id, gsi+" provisioned WCU/s", ci, true, true)
		add(metric.OfIndex(metric.ConsumedWCU, gsi), gsi+" consumed WCU/s", ci, false, true)
		if rc := metric.OfIndex(metric.ConsumedRCU, gsi); anyPositive(d.gauge(rc)) {
			add(rc, gsi+" consumed RCU/s", ci+1, false, true)
			ci++
		}
		ci++
	}
	if len(omitted) == 1 {
		f.legend.Add("no "+omitted[0].what+": "+strings.ToUpper(omitted[0].unit)+" not shown", emptyThumb{})
	}
	f.p.Y.Min = 0
	f.p.Y.Max = math.Max(hi*1.05, 1)
	f.p.Y.Tick.Marker = linearTicks{}
	return f
}

// addSteps plots ys as a step line: each bucket's value held flat over
// the whole bucket, joined by vertical risers, broken at NaN.
func (f *Figure) addSteps(d *seriesData, ys []float64, label string, sty draw.LineStyle) {
	var seg plotter.XYs
	drawn := false
	flush := func() {
		if len(seg) > 0 {
			if l, err := plotter.NewLine(seg); err == nil {
				l.LineStyle = sty
				f.p.Add(l)
				drawn = true
			}
		}
		seg = nil
	}
	for b := 0; b < d.shown(f.marks.ax); b++ {
		y := at0(ys, b)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			flush()
			continue
		}
		seg = append(seg, plotter.XY{X: f.marks.ax.x(d.start(b)), Y: y}, plotter.XY{X: f.marks.ax.x(d.start(b + 1)), Y: y})
	}
	flush()
	if drawn {
		thumb, _ := plotter.NewLine(plotter.XYs{{}, {}})
		thumb.LineStyle = sty
		f.legend.Add(label, thumb)
	}
}

// Heatmap colour classes, by share of the partition limit: tenths from
// white to dark red (ColorBrewer Reds, sequential), then a partition at
// its hard limit, where requests are throttled, in a dark purple that
// stands apart from the reds. Classes rather than a continuous scale: the
// legend reads off exactly, and a share hovering around a value flickers
// between two neighbouring shades only.
var (
	heatBounds = []float64{0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.95} // upper bounds of all classes but the last
	heatLabels = []string{"0–10 %", "10–20 %", "20–30 %", "30–40 %", "40–50 %", "50–60 %", "60–70 %", "70–80 %", "80–95 %", "≥ 95 %: at the limit"}
	heatColors = []color.Color{
		color.NRGBA{R: 255, G: 255, B: 255, A: 255},
		color.NRGBA{R: 254, G: 235, B: 226, A: 255},
		color.NRGBA{R: 252, G: 211, B: 193, A: 255},
		color.NRGBA{R: 252, G: 174, B: 145, A: 255},
		color.NRGBA{R: 251, G: 136, B: 104, A: 255},
		color.NRGBA{R: 246, G: 87, B: 62, A: 255},
		color.NRGBA{R: 222, G: 45, B: 38, A: 255},
		color.NRGBA{R: 185, G: 18, B: 28, A: 255},
		color.NRGBA{R: 135, G: 8, B: 18, A: 255},
		color.NRGBA{R: 63, G: 0, B: 125, A: 255},
	}
	// A cell of a partition that did not exist yet (split later).
	colorNotYet = color.NRGBA{R: 200, G: 200, B: 200, A: 255}
)

// heatClass is the colour class of a share of the limit.
func heatClass(share float64) int {
	for i, b := range heatBounds {
		if share < b {
			return i
		}
	}
	return len(heatBounds)
}

// Raster size of the heatmap: cells are repeated to about this many
// pixels so that the image, drawn at the size of the data area, is not
// blurred by interpolation.
const (
	heatPixelsX = 1200
	heatPixelsY = 600
	// heatStrip is the empty band above the first partition, in rows,
	// where the fault and failover windows show as on the other plots.
	heatStrip = 0.6
)

// partitionDim is one dimension of the partitions' consumption: its
// per-partition columns and limit.
type partitionDim struct {
	unit, what string
	consumed   metric.Kind
	limit      float64
	limitText  string
	rows       [][]float64 // by partition id
	peak       float64     // highest share of the limit
}

// partitionHeat picks the dimension nearer its limit, the partitions
// shown (ids, those that ever consumed), whether some were created during
// the run (split), whether the last row sums partitions beyond it
// (overflow), and the heatmap's grid; a nil grid when nothing was
// consumed.
func partitionHeat(d *seriesData) (dm *partitionDim, ids []int, split, overflow bool, g *heatGrid) {
	dims := []*partitionDim{
		{unit: "wcu", what: "writes", consumed: metric.ConsumedWCU, limit: partitionWCULimit, limitText: "1,000"},
		{unit: "rcu", what: "reads", consumed: metric.ConsumedRCU, limit: partitionRCULimit, limitText: "3,000"},
	}
	for _, dm := range dims {
		for id := 0; ; id++ {
			ys := d.gauge(metric.OfPartition(dm.consumed, "", id))
			if ys == nil {
				break
			}
			dm.rows = append(dm.rows, ys)
			dm.peak = math.Max(dm.peak, maxFinite(ys)/dm.limit)
		}
	}
	dm = dims[0]
	if dims[1].peak > dm.peak {
		dm = dims[1]
	}
	nCols := len(dm.rows)
	for id, ys := range dm.rows {
		if anyPositive(ys) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || d.n == 0 {
		return nil, nil, false, false, nil
	}

	// A partition exists in bucket b when the table had more partitions
	// than its id (ids are given in creation order); without the gauge,
	// always. The model's last row carries every partition beyond it.
	parts := d.gauge(metric.Of(metric.Partitions))
	exists := func(id, b int) bool {
		p := at0(parts, b)
		return parts == nil || math.IsNaN(p) || p > float64(id)
	}
	for _, id := range ids {
		if !exists(id, 0) {
			split = true
		}
	}
	overflow = maxFinite(parts) > float64(nCols)

	g = &heatGrid{d: d, rows: len(ids), kx: max(1, heatPixelsX/d.n), ky: max(1, heatPixelsY/len(ids))}
	g.class = make([]float64, len(ids)*d.n)
	for r, id := range ids {
		for b := 0; b < d.n; b++ {
			v := at0(dm.rows[id], b)
			switch {
			case !exists(id, b):
				v = math.NaN()
			case math.IsNaN(v):
				v = 0
			default:
				if v/dm.limit > g.peak {
					g.peak, g.peakID = v/dm.limit, id
				}
				v = float64(heatClass(v / dm.limit))
			}
			g.class[r*d.n+b] = v
		}
	}
	return dm, ids, split, overflow, g
}

// partitionHeatmapFigure draws, for each partition of the base table that
// ever consumed capacity, its consumption in each bucket as a share of the
// per-partition hard limit (fact 5.1): writes of 1,000 WCU/s or reads
// of 3,000 RCU/s, whichever comes nearer its limit in the run. Partitions
// run top to bottom in creation order (p0 at the top), so partitions made
// by a split are added at the bottom, grey until they exist. It returns
// nil when no partition consumed anything.
func partitionHeatmapFigure(name string, d *seriesData, marks *annotations) *Figure {
	dm, ids, split, overflow, g := partitionHeat(d)
	if g == nil {
		return nil
	}
	g.ax = marks.ax
	nCols := len(dm.rows)

	u := strings.ToUpper(dm.unit)
	title := fmt.Sprintf("%s: %s per partition\n%% of the %s %s/s partition limit (highest %.0f %%, p%d)",
		name, dm.what, dm.limitText, u, 100*g.peak, g.peakID)
	if split {
		title += " (new partitions from splits at the bottom)"
	}
	ylabel := "partition (creation order)"
	f := newFigure("partitions", title, ylabel, marks)

	hm := plotter.NewHeatMap(g, heatPalette{})
	hm.Min, hm.Max = 0, float64(len(heatColors)-1)
	hm.NaN = colorNotYet
	hm.Rasterized = true
	f.p.Add(rasterHeat{hm})
	f.p.Add(&heatMarks{a: f.marks, top: float64(len(ids)) - 0.5})

	labels := make([]string, len(ids))
	for r, id := range ids {
		labels[r] = "p" + strconv.Itoa(id)
		if overflow && id == nCols-1 {
			labels[r] += "+" // this row sums every partition from id on
		}
	}
	f.p.Y.Tick.Marker = partitionTicks{labels: labels}
	f.p.Y.Min, f.p.Y.Max = -0.5, float64(len(ids))-0.5+heatStrip
	f.p.Y.Padding = 0
	f.p.X.Padding = 0

	f.legend.Add("% of partition limit", emptyThumb{})
	for i, c := range heatColors {
		f.legend.Add(heatLabels[i], cellThumb{c})
	}
	if split {
		f.legend.Add("not created yet", cellThumb{colorNotYet})
	}
	return f
}

// heatGrid is the heatmap's GridXYZ: the colour class of each (bucket,
// shown partition), every cell repeated kx times across and ky times down
// so that the raster is about as fine as the plot's pixels. Grid row 0 is
// the bottom, the last shown partition; grid column c is bucket c/kx.
type heatGrid struct {
	d      *seriesData
	ax     timeAxis
	rows   int
	kx, ky int
	class  []float64 // [partition row * d.n + bucket], partition row 0 = p0 (top)
	// peak is the highest share of the limit in any cell, in partition
	// peakID: the title says it, as a table far below its limits draws
	// all white.
	peak   float64
	peakID int
}

func (g *heatGrid) Dims() (c, r int) { return g.d.shown(g.ax) * g.kx, g.rows * g.ky }

func (g *heatGrid) Z(c, r int) float64 {
	row := g.rows - 1 - r/g.ky
	return g.class[row*g.d.n+c/g.kx]
}

// X is on the time axis ax: the grid's columns tile [0, end of the run].
func (g *heatGrid) X(c int) float64 {
	return g.ax.x((float64(c) + 0.5) / float64(g.kx) * g.d.bucket)
}

// Y puts the partition shown k-th from the bottom at k, its cell from
// k-0.5 to k+0.5.
func (g *heatGrid) Y(r int) float64 { return (float64(r)+0.5)/float64(g.ky) - 0.5 }

// rasterHeat is a rasterized heatmap without the glyph box of every
// cell (hundreds of thousands of them, which the plot's layout would walk
// again and again for nothing: the cells never reach beyond the data
// area).
type rasterHeat struct{ hm *plotter.HeatMap }

func (r rasterHeat) Plot(c draw.Canvas, p *plot.Plot)            { r.hm.Plot(c, p) }
func (r rasterHeat) DataRange() (xmin, xmax, ymin, ymax float64) { return r.hm.DataRange() }

// heatPalette is the heatmap's palette: one colour per class.
type heatPalette struct{}

func (heatPalette) Colors() []color.Color { return heatColors }

// partitionTicks label the heatmap's rows with partition names, the top
// row first; with many rows, every second, fourth, ... is labelled.
type partitionTicks struct{ labels []string }

func (t partitionTicks) Ticks(lo, hi float64) []plot.Tick {
	n := len(t.labels)
	step := 1
	for n/step > 24 {
		step *= 2
	}
	var ticks []plot.Tick
	for i, l := range t.labels {
		tk := plot.Tick{Value: float64(n - 1 - i)}
		if i%step == 0 {
			tk.Label = l
		}
		ticks = append(ticks, tk)
	}
	return ticks
}

// heatMarks draws over the heatmap, which hides the shaded windows drawn
// beneath it, the edges of the fault and failover windows and the
// failover phase lines; above the first row, in the strip, the windows
// show as on the other plots.
type heatMarks struct {
	a   *annotations
	top float64 // y of the heatmap's top edge
}

func (h *heatMarks) Plot(c draw.Canvas, p *plot.Plot) {
	xs := func(x float64) vg.Length { return c.X(p.X.Norm(h.a.ax.x(x))) }
	y0, y1 := c.Min.Y, c.Y(p.Y.Norm(h.top))
	in := func(x float64) bool { return h.a.ax.x(x) > p.X.Min && h.a.ax.x(x) < p.X.Max }
	for _, b := range h.a.bands {
		var sty draw.LineStyle
		switch b.fill {
		case colorFault:
			sty = draw.LineStyle{Color: colorFaultTx, Width: vg.Points(1.2)}
		case colorOutage:
			sty = draw.LineStyle{Color: color.NRGBA{R: 200, G: 130, B: 0, A: 255}, Width: vg.Points(1.2)}
		default: // warmup: its end
			sty = draw.LineStyle{Color: colorWarmTx, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
			if in(b.x1) {
				c.StrokeLine2(sty, xs(b.x1), y0, xs(b.x1), y1)
			}
			continue
		}
		for _, x := range []float64{b.x0, b.x1} {
			if in(x) {
				c.StrokeLine2(sty, xs(x), y0, xs(x), y1)
			}
		}
	}
	dashed := draw.LineStyle{Color: colorPhase, Width: vg.Points(0.7), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
	for _, ln := range h.a.lines {
		if in(ln.x) && h.a.labels[ln.label].shown {
			c.StrokeLine2(dashed, xs(ln.x), y0, xs(ln.x), y1)
		}
	}
}

// cellThumb is a legend thumbnail for a heatmap colour: a box with a thin
// outline, so that white shows.
type cellThumb struct{ c color.Color }

func (b cellThumb) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(b.c, pts)
	c.StrokeLines(draw.LineStyle{Color: color.NRGBA{R: 150, G: 150, B: 150, A: 255}, Width: vg.Points(0.5)}, append(pts, pts[0]))
}

// emptyThumb is a legend entry without a thumbnail: a heading.
type emptyThumb struct{}

func (emptyThumb) Thumbnail(*draw.Canvas) {}

// anyPositive reports whether some value of ys is above zero.
func anyPositive(ys []float64) bool {
	for _, y := range ys {
		if y > 0 {
			return true
		}
	}
	return false
}

// maxFinite is the largest finite value of ys, 0 when none is.
func maxFinite(ys []float64) float64 {
	hi := 0.0
	for _, y := range ys {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			hi = math.Max(hi, y)
		}
	}
	return hi
}
