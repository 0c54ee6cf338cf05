package report

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"dbsim/models/metric"
	"dbsim/scenarios"
)

// limitOffScale is how far above the busiest connection or queue line a
// connection limit may lie and still set the lower panel's scale; a limit
// higher than that would flatten the lines, so it is named in the legend
// instead of drawn.
const limitOffScale = 3

// colorLimit is a connection limit every instance shares.
var colorLimit = color.NRGBA{R: 100, G: 100, B: 100, A: 255}

// loadColors are the palette indices of the instances, in series order:
// not black, which is the phase lines'.
var loadColors = []int{0, 1, 3, 4, 5, 6}

// cacheColor is the cache hit ratio's line (green, dashed): the fourth
// instance's colour, which a cache seldom shares a figure with.
const cacheColor = 4

// loadFigure plots each database instance's engine load, nil when the
// model has no utilization gauges (DynamoDB): above, the share of
// its vCPUs busy in %, and the hit ratio of a cache in front; below, its open connections (solid) and the
// statements waiting for a vCPU (dashed), with its connection limit as a
// labelled dashed line where the run says what it is (see connLimits).
func loadFigure(name string, res *scenarios.Result, d *seriesData, marks *annotations) *Figure {
	if d == nil {
		return nil
	}
	var insts []string
	for _, id := range d.ofKind(metric.Utilization) {
		insts = append(insts, id.Instance)
	}
	if len(insts) == 0 {
		return nil
	}
	title := name + ": load per instance"
	if d.bucket > 1 {
		// Buckets of several samples: a second at 100 % need not show.
		title += " (" + strconv.FormatFloat(d.bucket, 'g', -1, 64) + " s means)"
	}
	ylabel := "utilization (% of vCPUs busy)"
	hits := d.gauge(metric.Of(metric.CacheHitRatio))
	if hits != nil {
		ylabel = "utilization, cache hit ratio (%)"
	}
	f := newFigure("load", title, ylabel, marks)
	f.p.Y.Min, f.p.Y.Max = 0, 102 // keep a line at 100 % off the top edge
	f.p.Y.Tick.Marker = percentTicks{}
	f.p.X.Label.Text = "" // the lower panel's axis is labelled
	f.p.X.Tick.Marker = unlabelledTicks{f.marks.ax.ticks()}

	lowerMarks := f.marks.clone()
	lowerMarks.unlabelled = true
	f.lower = newPanel("open connections, queued statements", lowerMarks)
	f.lowerLegend = newLegend()

	hi := 0.0
	for i, inst := range insts {
		ci := loadColors[i%len(loadColors)]
		util := d.gauge(metric.OfInstance(metric.Utilization, inst))
		pct := make([]float64, len(util))
		for b, u := range util {
			pct[b] = 100 * u
		}
		f.addLine(d, pct, inst+" utilization", lineStyle(ci, 1.2))
		conns, queued := d.gauge(metric.OfInstance(metric.Connections, inst)), d.gauge(metric.OfInstance(metric.Queued, inst))
		hi = math.Max(hi, math.Max(maxFinite(conns), maxFinite(queued)))
		addLineTo(f.lower, &f.lowerLegend, f.marks.ax, d, conns, inst+" connections", lineStyle(ci, 1.2))
		addLineTo(f.lower, &f.lowerLegend, f.marks.ax, d, queued, inst+" queued statements", lineStyle(ci, 1, vg.Points(3), vg.Points(2)))
	}
	if hits != nil {
		// The share of reads the cache in front answered: what keeps the
		// database's load down, and what a flush takes away.
		pct := make([]float64, len(hits))
		for b, h := range hits {
			pct[b] = 100 * h
		}
		f.addLine(d, pct, "cache hit ratio", lineStyle(cacheColor, 1.2, vg.Points(6), vg.Points(2)))
	}

	// The connection limits: one line for all instances when they share
	// one, else one per instance whose limit is known.
	limits := connLimits(d, insts)
	top := hi
	addLimit := func(lim int, who string, c color.Color) {
		what := "connection limit"
		if who != "" {
			what = who + " " + what
		}
		if float64(lim) > limitOffScale*math.Max(hi, 1) {
			f.lowerLegend.Add(what+" "+thousands(int64(lim))+": off the scale", emptyThumb{})
			return
		}
		top = math.Max(top, float64(lim))
		sty := draw.LineStyle{Color: c, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(7), vg.Points(3)}}
		f.lower.Add(&hLine{y: float64(lim), sty: sty, text: what + " " + thousands(int64(lim)), style: textStyle(8, sty.Color)})
		thumb := lineThumb(sty)
		f.lowerLegend.Add(what, thumb)
	}
	if shared, ok := sharedLimit(limits, insts); ok {
		who := ""
		if len(insts) > 1 {
			who = "each instance's"
		}
		addLimit(shared, who, colorLimit) // grey: no one instance's
	} else {
		for i, inst := range insts {
			if lim := limits[inst]; lim > 0 {
				addLimit(lim, inst, palette[loadColors[i%len(loadColors)]])
			}
		}
	}
	f.lower.Y.Min, f.lower.Y.Max = 0, math.Max(top*1.05, 1)
	f.lower.Y.Tick.Marker = linearTicks{}
	return f
}

// connLimits are the connection limits of the instances (their
// metric.MaxConnections gauges); -1 for an instance whose limit changed
// during the run (no single line), absent for one without.
func connLimits(d *seriesData, insts []string) map[string]int {
	out := map[string]int{}
	for _, inst := range insts {
		for _, v := range d.gauge(metric.OfInstance(metric.MaxConnections, inst)) {
			switch lim, seen := out[inst]; {
			case v <= 0 || math.IsNaN(v):
			case !seen:
				out[inst] = int(v)
			case lim != int(v):
				out[inst] = -1
			}
		}
	}
	return out
}

// sharedLimit is the limit every instance has, if they all have the same.
func sharedLimit(limits map[string]int, insts []string) (int, bool) {
	first := limits[insts[0]]
	for _, inst := range insts {
		if limits[inst] != first {
			return 0, false
		}
	}
	return first, first > 0
}

// lineThumb is a legend thumbnail of a line in style sty.
func lineThumb(sty draw.LineStyle) plot.Thumbnailer {
	return lineThumbnail{sty}
}

type lineThumbnail struct{ sty draw.LineStyle }

func (l lineThumbnail) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(l.sty, c.Min.X, y, c.Max.X, y)
}

// hLine is a horizontal line across the data area at y, with its text
// above its right end (its left end when left is set).
type hLine struct {
	y     float64
	sty   draw.LineStyle
	text  string
	style text.Style
	left  bool
}

// Plot implements plot.Plotter.
func (h *hLine) Plot(c draw.Canvas, p *plot.Plot) {
	if h.y < p.Y.Min || h.y > p.Y.Max {
		return
	}
	y := c.Y(p.Y.Norm(h.y))
	c.StrokeLine2(h.sty, c.Min.X, y, c.Max.X, y)
	sty := h.style
	sty.XAlign, sty.YAlign = draw.XRight, draw.YBottom
	at := vg.Point{X: c.Max.X - vg.Points(3), Y: y + vg.Points(1.5)}
	if h.left {
		sty.XAlign, at.X = draw.XLeft, c.Min.X+vg.Points(3)
	}
	c.FillText(sty, at, h.text)
}

// unlabelledTicks are the ticks of m without their labels: the time axis
// of an upper panel, whose lower panel labels it.
type unlabelledTicks struct{ m plot.Ticker }

// Ticks implements plot.Ticker.
func (u unlabelledTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := u.m.Ticks(lo, hi)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// drawPanels lays out a figure of two panels on c in the frame fr: p
// above, lower below, their data areas aligned, each with its legend in
// the column on the right and the annotation labels in a strip above p.
func (f *Figure) drawPanels(c draw.Canvas, fr figureFrame) {
	pc := fr.plot
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(8)}
	panels := [][]*plot.Plot{{f.p}, {f.lower}}
	cs := plot.Align(panels, tiles, pc)
	if strip := f.marks.layout(f.p.DataCanvas(cs[0][0]), f.p); strip > 0 {
		pc.Max.Y -= strip + vg.Points(4)
		cs = plot.Align(panels, tiles, pc)
	}
	f.p.Draw(cs[0][0])
	f.lower.Draw(cs[1][0])
	drawLegendBeside(c, cs[0][0], f.p, &f.legend, fr.legendWidth)
	drawLegendBeside(c, cs[1][0], f.lower, &f.lowerLegend, fr.legendWidth)
}
