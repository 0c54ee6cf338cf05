package report

import (
	"bytes"
	"image/color"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/sim"
)

// fontSlack widens measured text where it must not collide: an SVG viewer
// without Liberation Sans or a metric-compatible font (Arial, Helvetica)
// substitutes one, DejaVu Sans say, that is up to 15% wider.
const fontSlack = 1.15

// Size and resolution of every plot.
const (
	plotWidth  = 8 * vg.Inch
	plotHeight = 4 * vg.Inch
	// panelHeight is the height of a figure of two panels.
	panelHeight = 6 * vg.Inch
	pngDPI      = 150
)

// Figure is one plot of a run, ready to be written as PNG or SVG. Both
// formats draw the same picture; the output is a pure function of the
// Result, byte for byte. A Figure may not be drawn by two goroutines at
// once; different Figures may.
type Figure struct {
	// Name is the file name without extension: one of runFigures.
	Name string
	// Title is the plot's title.
	Title string

	p      *plot.Plot
	legend plot.Legend
	marks  *annotations

	// lower, when set, is a second panel under p on the same time axis,
	// with its own legend beside it; the figure is then panelHeight high.
	lower       *plot.Plot
	lowerLegend plot.Legend
}

// runFigures are the names of every figure Plots can return, in its
// order. A report written into a directory removes the files of those
// this run did not draw, so that no figure of an earlier run is left
// beside the new ones.
var runFigures = []string{"latency", "availability", "throughput", "load", "lag", "capacity", "dynamodb_capacity", "partitions"}

// Plots returns the figures of replication 0 of res: latency, availability
// and throughput always, load when the model has utilization gauges (RDS
// and Aurora instances), lag when it has lag gauges, capacity when it has
// Serverless v2 capacity gauges, and the DynamoDB figures.
func Plots(res *scenarios.Result) []*Figure {
	name := "run"
	if res != nil && res.Scenario != nil && res.Scenario.Name != "" {
		name = res.Scenario.Name
	}
	if res != nil && len(res.Replications) > 1 {
		name += " (replication 0)"
	}
	ser := series0(res)
	var d *seriesData
	if ser != nil {
		d = newSeriesData(rep0(res))
	}
	marks := newAnnotations(res, d)
	figs := []*Figure{
		latencyFigure(name, d, marks),
		availabilityFigure(name, d, marks),
		throughputFigure(name, d, marks),
	}
	if ser != nil {
		if f := loadFigure(name, res, d, marks); f != nil {
			figs = append(figs, f)
		}
		if ids := d.ofKind(metric.Lag); len(ids) > 0 {
			figs = append(figs, lagFigure(name, d, ids, marks))
		}
		if ids := d.ofKind(metric.CapacityACU); len(ids) > 0 {
			figs = append(figs, groupFigure("capacity", name+": capacity", "capacity ("+metric.CapacityACU.Unit()+")", d, ids, metric.ID.Column, marks))
		}
		figs = append(figs, dynamoFigures(name, d, marks)...) // DynamoDB capacity and partitions, when recorded
	}
	for _, f := range figs {
		marks.addLegend(&f.legend) // after the data lines
	}
	return figs
}

// WritePNG writes the figure as a PNG image.
func (f *Figure) WritePNG(w io.Writer) error { return renderPNGSized(w, f.height(), f.draw) }

// WriteSVG writes the figure as an SVG document (see renderSVG).
func (f *Figure) WriteSVG(w io.Writer) error { return renderSVGSized(w, f.height(), f.draw) }

// height is the figure's height: plotHeight, panelHeight with two panels.
func (f *Figure) height() vg.Length {
	if f.lower != nil {
		return panelHeight
	}
	return plotHeight
}

// renderPNG paints a figure of the standard size as a PNG image.
func renderPNG(w io.Writer, paint func(draw.Canvas)) error {
	return renderPNGSized(w, plotHeight, paint)
}

// renderPNGSized paints a figure of the standard width and height h as a
// PNG image.
func renderPNGSized(w io.Writer, h vg.Length, paint func(draw.Canvas)) error {
	c := vgimg.NewWith(vgimg.UseWH(plotWidth, h), vgimg.UseDPI(pngDPI))
	paint(draw.New(c))
	_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
	return err
}

// renderSVG paints a figure of the standard size as an SVG document.
// Fonts are not embedded; the text names Liberation Sans and, where it is
// not installed, the fonts that have its metrics (Arial, Helvetica), so
// labels keep the widths the layout measured.
func renderSVG(w io.Writer, paint func(draw.Canvas)) error {
	return renderSVGSized(w, plotHeight, paint)
}

// renderSVGSized is renderSVG for a figure h high.
func renderSVGSized(w io.Writer, h vg.Length, paint func(draw.Canvas)) error {
	c := vgsvg.New(plotWidth, h)
	paint(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return err
	}
	_, err := w.Write(bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFonts)))
	return err
}

const svgFonts = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"

// Fonts and colors.
var (
	sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

	colorFault   = color.NRGBA{R: 214, G: 39, B: 40, A: 40}   // translucent red
	colorFaultTx = color.NRGBA{R: 160, G: 20, B: 20, A: 255}  // its label
	colorWarmup  = color.NRGBA{R: 128, G: 128, B: 128, A: 28} // translucent grey
	colorWarmTx  = color.NRGBA{R: 110, G: 110, B: 110, A: 255}
	colorPhase   = color.NRGBA{R: 60, G: 60, B: 60, A: 255}
	colorOutage  = color.NRGBA{R: 240, G: 170, B: 0, A: 36}  // translucent amber
	colorSatur   = color.NRGBA{R: 120, G: 60, B: 160, A: 34} // translucent purple: an instance at its limits
	colorSaturTx = color.NRGBA{R: 100, G: 40, B: 140, A: 255}

	// Data lines: a colorblind-safe palette (Okabe-Ito) without red, which
	// marks faults.
	palette = []color.Color{
		color.NRGBA{R: 0, G: 114, B: 178, A: 255},   // blue
		color.NRGBA{R: 230, G: 159, B: 0, A: 255},   // orange
		color.NRGBA{R: 0, G: 0, B: 0, A: 255},       // black
		color.NRGBA{R: 204, G: 121, B: 167, A: 255}, // purple
		color.NRGBA{R: 0, G: 158, B: 115, A: 255},   // green
		color.NRGBA{R: 86, G: 180, B: 233, A: 255},  // sky blue
		color.NRGBA{R: 213, G: 94, B: 0, A: 255},    // vermillion
	}
	colorOK     = color.NRGBA{R: 0, G: 158, B: 115, A: 255} // green
	colorFailed = color.NRGBA{R: 213, G: 94, B: 0, A: 255}  // vermillion
	colorThrot  = color.NRGBA{R: 0, G: 114, B: 178, A: 255} // blue
)

func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(sansFont, size),
		Handler: plot.DefaultTextHandler,
	}
}

// newFigure returns a figure with the common styling: sans fonts, x axis
// in minutes over the whole run, the annotations underneath the data.
func newFigure(name, title, ylabel string, d *seriesData, marks *annotations) *Figure {
	marks = marks.clone() // layout state is per figure
	p := newPanel(ylabel, d, marks)
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansFont, 12)
	return &Figure{Name: name, Title: title, p: p, legend: newLegend(), marks: marks}
}

// newPanel returns a plot with the common styling and no title: x axis in
// minutes over the whole run, the annotations marks underneath the data.
func newPanel(ylabel string, d *seriesData, marks *annotations) *plot.Plot {
	p := plot.New()
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 10)
		a.Tick.Label.Font = font.From(sansFont, 9)
	}
	p.X.Label.Text = "time (min)"
	p.X.Tick.Marker = minuteTicks{}
	p.Y.Label.Text = ylabel
	p.X.Min, p.X.Max = 0, 1
	if d != nil && d.n > 0 {
		p.X.Max = d.start(d.n) / 60
	}
	p.Add(plotter.NewGrid())
	p.Add(marks)
	return p
}

// draw lays the figure out on c: the plot on the left, the legend in a
// column on its right (so it never covers data), the annotation labels in
// a strip between the title and the data.
func (f *Figure) draw(c draw.Canvas) {
	if f.lower != nil {
		f.drawPanels(c)
		return
	}
	lw := blank(c, &f.legend)
	pc := draw.Crop(c, 0, -lw-figMargin, 0, -figMargin/2)

	// Whether the labels need a strip depends on the data area's width,
	// which does not depend on the strip.
	f.p.Title.Padding = 0
	f.p.Title.Padding = f.marks.layout(f.p.DataCanvas(pc), f.p) + vg.Points(4)
	f.p.Draw(pc)
	drawLegendBeside(c, pc, f.p, &f.legend, lw)
}

// figMargin is the space around a figure's parts.
var figMargin = vg.Points(6)

// newLegend is a figure's legend, drawn in a column right of the plot.
func newLegend() plot.Legend {
	lg := plot.NewLegend()
	lg.TextStyle.Font = font.From(sansFont, 9)
	lg.Top, lg.Left = true, true
	lg.Padding = vg.Points(2)
	return lg
}

// blank paints c white and returns the width of the column lg needs at
// its right (0 for an empty legend).
func blank(c draw.Canvas, lg *plot.Legend) vg.Length {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	lw := lg.Rectangle(c).Size().X * fontSlack
	if lw > 0 {
		lw += 2 * figMargin
	}
	return lw
}

// drawLegendBeside draws lg in the column of c, lw wide, right of the
// plot p drawn on pc, level with p's data area, where it never covers data.
func drawLegendBeside(c, pc draw.Canvas, p *plot.Plot, lg *plot.Legend, lw vg.Length) {
	if lw == 0 {
		return
	}
	data := p.DataCanvas(pc)
	lg.Draw(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: pc.Max.X + figMargin, Y: data.Min.Y},
		Max: vg.Point{X: c.Max.X - figMargin, Y: data.Max.Y},
	}})
}

// addLine plots ys against the bucket times of d as a line broken at NaN,
// adding a legend entry when the line has any point. An isolated point is
// drawn as a dot.
func (f *Figure) addLine(d *seriesData, ys []float64, label string, sty draw.LineStyle) {
	addLineTo(f.p, &f.legend, d, ys, label, sty)
}

// addLineTo is Figure.addLine onto the panel p with the legend lg.
func addLineTo(p *plot.Plot, lg *plot.Legend, d *seriesData, ys []float64, label string, sty draw.LineStyle) {
	if d == nil {
		return
	}
	var seg plotter.XYs
	drawn := false
	flush := func() {
		switch len(seg) {
		case 0:
			return
		case 1:
			s, err := plotter.NewScatter(seg)
			if err == nil {
				s.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Radius: sty.Width, Shape: draw.CircleGlyph{}}
				p.Add(s)
			}
		default:
			l, err := plotter.NewLine(seg)
			if err == nil {
				l.LineStyle = sty
				p.Add(l)
			}
		}
		drawn = true
		seg = nil
	}
	half := d.bucket / 2
	for b := 0; b < d.n; b++ {
		y := at0(ys, b)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			flush()
			continue
		}
		// A bucket's value is plotted at the bucket's middle.
		seg = append(seg, plotter.XY{X: (d.start(b) + half) / 60, Y: y})
	}
	flush()
	if drawn {
		thumb, _ := plotter.NewLine(plotter.XYs{{}, {}})
		thumb.LineStyle = sty
		lg.Add(label, thumb)
	}
}

func lineStyle(i int, width vg.Length, dashes ...vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: palette[i%len(palette)], Width: width, Dashes: dashes}
}

// latencyFigure: p50, p99, p99.9 of all requests and p99 of writes, on a
// log axis in ms. The values are plotted as log10(ms) on a linear axis
// whose ticks are labelled in ms: gonum's LogScale misplaces the axis
// label's glyph box (it squeezes the plot) and panics on values ≤ 0.
func latencyFigure(name string, d *seriesData, marks *annotations) *Figure {
	f := newFigure("latency", name+": latency of successful requests", "latency (ms, log scale)", d, marks)
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
	f := newFigure("availability", name+": availability (ok / requests per bucket)", "availability (%)", d, marks)
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

// throughputFigure: ok/s and failed/s, throttled/s when any.
func throughputFigure(name string, d *seriesData, marks *annotations) *Figure {
	f := newFigure("throughput", name+": throughput", "requests per second (by arrival time)", d, marks)
	hi := 0.0
	if d != nil {
		for _, s := range []struct {
			col, label string
			c          color.Color
			always     bool
		}{
			{scenarios.ColumnOK, "ok/s", colorOK, true},
			{scenarios.ColumnFailed, "failed/s", colorFailed, true},
			{scenarios.ColumnThrottled, "throttled/s", colorThrot, false},
		} {
			ys := make([]float64, d.n)
			nonzero := false
			for b := range ys {
				ys[b] = d.rate(s.col, b)
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
	return f
}

// groupFigure plots the gauges ids (lag per replica, capacity measures)
// on one linear axis, each line labelled by label(id).
func groupFigure(file, title, ylabel string, d *seriesData, ids []metric.ID, label func(metric.ID) string, marks *annotations) *Figure {
	f := newFigure(file, title, ylabel, d, marks)
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
	f := newFigure("lag", name+": replica lag", "replica lag (s)", d, marks)
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
// minuteTicks labels the time axis in round minutes (or fractions of one
// for short runs), with 4 to 10 labels and unlabelled ticks between.
type minuteTicks struct{}

func (minuteTicks) Ticks(min, max float64) []plot.Tick {
	steps := []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440}
	step := steps[len(steps)-1]
	for _, st := range steps {
		if (max-min)/st <= 10 {
			step = st
			break
		}
	}
	decimals := 0
	for st := step; st < 1 && decimals < 2; st *= 10 {
		decimals++
	}
	var ts []plot.Tick
	first := math.Ceil(min/step - 1e-9)
	for i := 0; ; i++ {
		v := (first + float64(i)) * step
		if v > max+1e-9 {
			break
		}
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		if mid := v + step/2; mid < max {
			ts = append(ts, plot.Tick{Value: mid})
		}
	}
	return ts
}

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

// annotations mark the events of replication 0 on every plot: shaded
// windows (faults, failovers from failure to clients ok, warmup) and
// dashed vertical lines (failover phases), labelled in one row in a strip
// above the data area, each label joined to its line by a leader. Times
// are in minutes.
type annotations struct {
	bands  []band
	labels []label
	lines  []phaseLine
	style  text.Style
	// faults, failovers and saturations tell whether those bands exist,
	// for the legend.
	faults, failovers, saturations bool
	// unlabelled draws the windows and lines only: the labels are on the
	// panel above.
	unlabelled bool
}

// phaseLine is a failover phase's time and its label's index.
type phaseLine struct {
	x     float64
	label int
}

type band struct {
	x0, x1 float64
	fill   color.Color
}

// label is a text naming the line (or window) at x.
type label struct {
	x     float64
	text  string
	color color.Color
	// prio orders which labels stay when not all fit: 0 are kept longest.
	prio int

	// Set by layout: the canvas x of the text's left edge, the width it
	// is given (its measured width tw, with fontSlack), and whether it is
	// drawn.
	x0, w, tw vg.Length
	shown     bool
}

// Label layout constants.
const (
	labelSize = 8
	maxPrio   = 2
	labelSep  = 8 // points between two labels
)

func newAnnotations(res *scenarios.Result, d *seriesData) *annotations {
	a := &annotations{style: textStyle(labelSize, colorPhase)}
	end := 0.0
	if d != nil {
		end = d.start(d.n) / 60
	}
	if res != nil && res.Scenario != nil && res.Scenario.Warmup > 0 {
		w := res.Scenario.Warmup.D().Seconds() / 60
		a.bands = append(a.bands, band{x0: 0, x1: w, fill: colorWarmup})
		a.labels = append(a.labels, label{x: w / 2, text: "warmup", color: colorWarmTx, prio: 1})
	}
	if res == nil || len(res.Replications) == 0 || res.Replications[0] == nil {
		return a
	}
	rep := res.Replications[0]
	minutes := func(t sim.Time) float64 { return t.Seconds() / 60 }

	starts := map[sim.Time]string{} // fault start -> its label
	for _, fw := range rep.Faults {
		x1 := minutes(fw.End)
		if fw.End < fw.Start {
			x1 = math.Max(end, minutes(fw.Start)) // still active when the run ended
		}
		if x1 > minutes(fw.Start) { // an instant fault is a labelled line, not a band
			a.bands = append(a.bands, band{x0: minutes(fw.Start), x1: x1, fill: colorFault})
			a.faults = true
		}
		if starts[fw.Start] == "" {
			starts[fw.Start] = fw.Label
		}
	}
	for _, fo := range rep.Failovers {
		if fo.Start >= 0 {
			// The outage as the clients saw it.
			stop := fo.ClientsRecovered
			if stop < 0 {
				stop = fo.Accepting
			}
			x1 := end
			if stop >= 0 {
				x1 = minutes(stop)
			}
			a.bands = append(a.bands, band{x0: minutes(fo.Start), x1: x1, fill: colorOutage})
			a.failovers = true
		}
		for _, ph := range []struct {
			t    sim.Time
			text string
			prio int
		}{
			{fo.Start, "failure", 0},
			{fo.Detected, "detected", 2},
			{fo.Promoted, "promoted", 2},
			{fo.Accepting, "writes ok", 1},
			{fo.ClientsRecovered, "clients ok", 0},
		} {
			if ph.t < 0 {
				continue
			}
			a.lines = append(a.lines, phaseLine{x: minutes(ph.t), label: len(a.labels)})
			l := label{x: minutes(ph.t), text: ph.text, color: colorPhase, prio: ph.prio}
			if ph.text == "failure" && starts[ph.t] != "" {
				// The fault that caused it names the failure.
				l.text, l.color = starts[ph.t], colorFaultTx
				delete(starts, ph.t)
			}
			a.labels = append(a.labels, l)
		}
	}
	// Saturation: an instance at its limits, which a reader must not take
	// for a failure.
	for _, e := range rep.Saturations {
		a.bands = append(a.bands, band{x0: minutes(e.Start), x1: minutes(e.End), fill: colorSatur})
		a.labels = append(a.labels, label{x: minutes(e.Start), text: e.Name + " saturated", color: colorSaturTx, prio: 1})
		a.saturations = true
	}
	// Faults that started no failover get their own label.
	for _, fw := range rep.Faults {
		if t := starts[fw.Start]; t != "" {
			a.labels = append(a.labels, label{x: minutes(fw.Start), text: t, color: colorFaultTx, prio: 0})
			delete(starts, fw.Start)
		}
	}
	// Rate changes: where the offered load steps (a burst, a pause).
	if sc := res.Scenario; sc != nil {
		for _, w := range sc.Workload {
			for _, rc := range w.RateChanges {
				text := "rate " + rc.Rate.String()
				if len(sc.Workload) > 1 {
					text = w.Name + " " + text
				}
				x := rc.At.D().Seconds() / 60
				a.lines = append(a.lines, phaseLine{x: x, label: len(a.labels)})
				a.labels = append(a.labels, label{x: x, text: text, color: colorPhase, prio: 1})
			}
		}
		// Scheduled UpdateTable calls: when they were asked for (the
		// capacity steps update_delay later).
		if ddb := sc.System.DynamoDB; ddb != nil {
			mark := func(who string, us []scenarios.DynamoDBUpdate) {
				for _, u := range us {
					text := who + "UpdateTable"
					if u.RCU > 0 {
						text += " " + thousands(int64(u.RCU)) + " RCU"
					}
					if u.WCU > 0 {
						text += " " + thousands(int64(u.WCU)) + " WCU"
					}
					x := u.At.D().Seconds() / 60
					a.lines = append(a.lines, phaseLine{x: x, label: len(a.labels)})
					a.labels = append(a.labels, label{x: x, text: text, color: colorPhase, prio: 1})
				}
			}
			mark("", ddb.Table.Updates)
			for _, g := range ddb.Table.GSIs {
				mark(g.Name+" ", g.Updates)
			}
		}
	}
	sortLabels(a)
	return a
}

// sortLabels orders a's labels by x, keeping its lines pointing at theirs.
func sortLabels(a *annotations) {
	order := make([]int, len(a.labels))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return a.labels[order[i]].x < a.labels[order[j]].x })
	sorted, where := make([]label, len(order)), make([]int, len(order))
	for k, i := range order {
		sorted[k], where[i] = a.labels[i], k
	}
	a.labels = sorted
	for i := range a.lines {
		a.lines[i].label = where[a.lines[i].label]
	}
}

// clone returns a copy of a with its own labels (which layout modifies).
func (a *annotations) clone() *annotations {
	b := *a
	b.labels = append([]label(nil), a.labels...)
	return &b
}

// addLegend adds the shaded windows to the legend.
func (a *annotations) addLegend(lg *plot.Legend) {
	if a.faults {
		lg.Add("fault", boxThumb{colorFault})
	}
	if a.failovers {
		lg.Add("failover", boxThumb{colorOutage})
	}
	if a.saturations {
		lg.Add("saturated", boxThumb{colorSatur})
	}
}

// boxThumb is a legend thumbnail for a shaded window.
type boxThumb struct{ c color.Color }

func (b boxThumb) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(b.c, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
}

// Heights in the label strip: the leaders' zone under the row of labels,
// and the row.
func (a *annotations) leaderHeight() vg.Length { return vg.Points(10) }
func (a *annotations) rowHeight() vg.Length {
	return a.style.Rectangle("Xg").Size().Y
}

// labelRun is a run of labels laid out side by side, first to last.
type labelRun struct {
	first, last  int // indices into the shown labels
	start, width vg.Length
}

// layout places the labels in one row above the data canvas c, in the
// order of their lines, each centered on its line when there is room and
// otherwise shifted as little as possible (least squares, by merging
// overlapping labels into clusters centered on their lines). When they do
// not all fit in the width, the least important (detected and promoted,
// then writes ok and warmup) are left out; their lines are still drawn. It
// returns the height the strip needs.
func (a *annotations) layout(c draw.Canvas, p *plot.Plot) vg.Length {
	// Labels may reach over the y axis's labels and over the legend
	// column, both of which start below the strip.
	left, right := c.Min.X-vg.Points(25), c.Max.X+vg.Points(40)
	for prio := maxPrio; prio >= -1; prio-- {
		var idx []int
		for i := range a.labels {
			l := &a.labels[i]
			l.shown = l.prio <= prio && l.x >= p.X.Min && l.x <= p.X.Max
			if l.shown {
				l.tw = a.style.Width(l.text)
				l.w = l.tw * fontSlack
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			return 0
		}
		if a.place(idx, c, p, left, right) {
			return a.leaderHeight() + a.rowHeight()
		}
	}
	return 0
}

// place lays out the labels idx (in line order) between left and right,
// reporting whether they fit.
func (a *annotations) place(idx []int, c draw.Canvas, p *plot.Plot, left, right vg.Length) bool {
	sep := vg.Points(labelSep)
	// want is the left edge that centers label k on its line; off is its
	// offset within its run.
	want := func(k int) vg.Length { l := a.labels[idx[k]]; return c.X(p.X.Norm(l.x)) - l.tw/2 }
	var cs []labelRun
	for k := range idx {
		cur := labelRun{first: k, last: k, start: want(k), width: a.labels[idx[k]].w}
		for {
			cur.start = max(left, min(cur.start, right-cur.width))
			if len(cs) == 0 {
				break
			}
			prev := cs[len(cs)-1]
			if prev.start+prev.width+sep <= cur.start {
				break
			}
			// Merge: the run's start is the mean of what each member
			// wants minus its offset.
			cs = cs[:len(cs)-1]
			merged := labelRun{first: prev.first, last: cur.last}
			var sum vg.Length
			for j := merged.first; j <= merged.last; j++ {
				if j > merged.first {
					merged.width += sep
				}
				sum += want(j) - merged.width
				merged.width += a.labels[idx[j]].w
			}
			merged.start = sum / vg.Length(merged.last-merged.first+1)
			cur = merged
		}
		cs = append(cs, cur)
	}
	for _, cl := range cs {
		if cl.width > right-left {
			return false
		}
		x := cl.start
		for j := cl.first; j <= cl.last; j++ {
			l := &a.labels[idx[j]]
			l.x0 = x
			x += l.w + sep
		}
	}
	return true
}

// Plot implements plot.Plotter: the shaded windows and dashed lines in the
// data area, the labels and their leaders in the strip above it.
func (a *annotations) Plot(c draw.Canvas, p *plot.Plot) {
	a.layout(c, p)
	xs := func(x float64) vg.Length { return c.X(p.X.Norm(x)) }
	clampX := func(x vg.Length) vg.Length { return max(c.Min.X, min(c.Max.X, x)) }

	for _, b := range a.bands {
		x0, x1 := clampX(xs(b.x0)), clampX(xs(b.x1))
		if x1-x0 < vg.Points(2) { // an instant still shows
			x1 = x0 + vg.Points(2)
		}
		c.FillPolygon(b.fill, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}

	// A phase line is drawn when its label is, or when it stands apart
	// from the others: where a long run packs a failover's five phases
	// into a few points, only the labelled ones are drawn.
	dashed := draw.LineStyle{Color: colorPhase, Width: vg.Points(0.7), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
	for i, ln := range a.lines {
		if ln.x < p.X.Min || ln.x > p.X.Max {
			continue
		}
		x := xs(ln.x)
		apart := true
		for j, o := range a.lines {
			if j != i && vg.Length(math.Abs(float64(xs(o.x)-x))) < vg.Points(4) {
				apart = false
			}
		}
		if apart || a.labels[ln.label].shown {
			c.StrokeLine2(dashed, x, c.Min.Y, x, c.Max.Y)
		}
	}

	if a.unlabelled {
		return
	}

	// A leader rises from the line, then runs to the nearest point of
	// the label's bottom edge, below the row of labels, so leaders cross
	// no label and, being in line order, no other leader.
	base := c.Max.Y + a.leaderHeight()
	knee := c.Max.Y + vg.Points(2)
	for _, l := range a.labels {
		if !l.shown {
			continue
		}
		x := xs(l.x)
		end := vg.Point{X: max(l.x0+vg.Points(1), min(x, l.x0+l.tw-vg.Points(1))), Y: base - vg.Points(1)}
		ls := draw.LineStyle{Color: l.color, Width: vg.Points(0.5)}
		c.StrokeLines(ls, []vg.Point{{X: x, Y: c.Max.Y}, {X: x, Y: knee}, end})
		sty := a.style
		sty.Color = l.color
		c.FillText(sty, vg.Point{X: l.x0, Y: base}, l.text)
	}
}
