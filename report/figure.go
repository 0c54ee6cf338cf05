package report

import (
	"bytes"
	"image/color"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/scenarios"
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

	// axisCol and legendCol, when set (alignFigures), are the widths of
	// the y axis and of the legend column the figures of a page share.
	axisCol, legendCol vg.Length

	// message, when set, is what the figure says instead of a plot with
	// nothing to show (a heatmap all white): a short figure of the title
	// and the message, messageHeight high.
	message string
}

// messageHeight is the height of a figure that is a message.
const messageHeight = 1.4 * vg.Inch

// runFigures are the names of every figure Plots can return, in its
// order. A report written into a directory removes the files of those
// this run did not draw, so that no figure of an earlier run is left
// beside the new ones.
var runFigures = []string{"latency", "availability", "throughput", "load", "credits", "lag", "replication", "capacity", "dynamodb_capacity", "partitions", "stream", "measured"}

// Plots returns the figures of replication 0 of res: latency, availability
// and throughput always, load when the model has utilization gauges (RDS
// and Aurora instances), credits when it has burstable instances, lag
// when it has lag gauges, replication with a DynamoDB global table's
// replica Regions, capacity when it has Serverless v2 capacity gauges,
// the DynamoDB figures, stream when a table has a stream, and measured
// when a replayed CloudWatch export holds a metric the run measures too.
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
		d = newSeriesData(rep0(res)).settle(res.Scenario)
	}
	marks := newAnnotations(res, d)
	marks.ax = runTimeAxis(d, marks)
	figs := []*Figure{
		latencyFigure(name, d, marks),
		availabilityFigure(name, d, marks),
		throughputFigure(name, d, marks),
	}
	if r := rep0(res); r != nil && r.Fluid {
		figs = figs[1:] // no latency per request in fluid mode
	}
	for _, f := range figs {
		// What ends a stall or a wait the requests saw.
		f.showMarks(cluster.Repaired, cluster.Paused, cluster.Resumed, cluster.CreditsOut, cluster.FullSpeed,
			cluster.Suspended, cluster.Hydrated)
	}
	if ser != nil {
		if f := loadFigure(name, res, d, marks); f != nil {
			figs = append(figs, f)
		}
		if len(d.ofKind(metric.CPUCreditBalance)) > 0 {
			figs = append(figs, creditsFigure(name, d, marks))
		}
		if ids := d.ofKind(metric.Hydrated); len(ids) > 0 && minFinite(d.gauge(ids[0])) < 1 {
			figs = append(figs, hydrationFigure(name, d, ids, marks))
		}
		if ids := d.ofKind(metric.Lag); len(ids) > 0 {
			figs = append(figs, lagFigure(name, d, ids, marks))
		}
		if ids := d.ofKind(metric.ReplicationLatency); len(ids) > 0 {
			// Subjects name a Region pair, "us-east-1>us-west-2".
			pair := func(id metric.ID) string { return strings.Replace(id.Subject(), ">", " → ", 1) }
			figs = append(figs, groupFigure("replication", name+": global table replication latency per Region pair", "replication latency (ms)",
				d, ids, pair, marks))
		}
		if ids := d.ofKind(metric.CapacityACU); len(ids) > 0 {
			figs = append(figs, capacityFigure(name, res.Scenario, d, ids, marks))
		}
		figs = append(figs, dynamoFigures(name, res.Scenario, d, marks)...) // DynamoDB capacity and partitions, when recorded
		if f := streamFigure(name, res.Scenario, d, marks); f != nil {
			figs = append(figs, f)
		}
		if f := measuredFigure(name, res, marks); f != nil {
			figs = append(figs, f)
		}
	}
	for _, f := range figs {
		f.marks.addLegend(&f.legend) // after the data lines
	}
	alignFigures(figs)
	return figs
}

// WritePNG writes the figure as a PNG image.
func (f *Figure) WritePNG(w io.Writer) error { return renderPNGSized(w, f.height(), f.draw) }

// WriteSVG writes the figure as an SVG document (see renderSVG).
func (f *Figure) WriteSVG(w io.Writer) error { return renderSVGSized(w, f.height(), f.draw) }

// height is the figure's height: plotHeight, panelHeight with two panels,
// messageHeight for a message.
func (f *Figure) height() vg.Length {
	switch {
	case f.message != "":
		return messageHeight
	case f.lower != nil:
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
	out := bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFonts))
	// A raster (the heatmap) fills the box it is given, as in the PNG:
	// SVG's default keeps the image's aspect ratio and centres it, which
	// squeezed a 400 × 600 heatmap into a strip in its middle.
	out = bytes.ReplaceAll(out, []byte("<image "), []byte(`<image preserveAspectRatio="none" `))
	_, err := w.Write(out)
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
	colorRestore = color.NRGBA{R: 0, G: 110, B: 200, A: 30}  // translucent blue: a recovery from a backup under way
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

// newFigure returns a figure with the common styling: sans fonts, the
// time axis marks.ax, the annotations underneath the data. The title is
// drawn by the figure (see frame), not by gonum, which centres it over
// the plot and lets a long one run off the canvas.
func newFigure(name, title, ylabel string, marks *annotations) *Figure {
	marks = marks.clone() // layout state is per figure
	p := newPanel(ylabel, marks)
	return &Figure{Name: name, Title: title, p: p, legend: newLegend(), marks: marks}
}

// newPanel returns a plot with the common styling and no title: the time
// axis marks.ax, the annotations marks underneath the data.
func newPanel(ylabel string, marks *annotations) *plot.Plot {
	p := plot.New()
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 10)
		a.Tick.Label.Font = font.From(sansFont, 9)
	}
	p.X.Label.Text = marks.ax.title()
	p.X.Tick.Marker = marks.ax.ticks()
	p.Y.Label.Text = ylabel
	p.X.Min, p.X.Max = 0, marks.ax.max()
	p.Add(plotter.NewGrid())
	p.Add(marks)
	return p
}

// titleStyle is the style of a figure's title.
var titleStyle = func() text.Style {
	s := textStyle(12, color.Black)
	s.XAlign, s.YAlign = draw.XLeft, draw.YTop
	return s
}()

// figureFrame is where a figure's parts go on its canvas.
type figureFrame struct {
	// plot is the canvas of the plot (or of both panels): the axes and the
	// data area, with the strip for the annotation labels above.
	plot draw.Canvas
	// legendWidth is the width of the legend column right of the plot.
	legendWidth vg.Length
	// title are the title's lines, drawn from titleAt down, left-aligned
	// with the data area.
	title   []string
	titleAt vg.Point
}

// frame lays out the figure's parts on c: the legend in a column on the
// right (f.legendCol wide when the figures of a page share one), the
// title on top, wrapped to the canvas, the plot below it, its y axis
// f.axisCol wide when they share one, so that the data areas of figures
// drawn one under the other line up.
func (f *Figure) frame(c draw.Canvas) figureFrame {
	lw := max(f.ownLegendWidth(c), f.legendCol)
	pc := draw.Crop(c, 0, -lw-figMargin, 0, -figMargin/2)
	own := f.ownAxisWidth(pc)
	pc.Min.X += max(0, f.axisCol-own)
	left := pc.Min.X + own
	lines := wrapText(titleStyle, f.Title, c.Max.X-figMargin-left)
	lineH := titleStyle.Rectangle("Xg").Size().Y
	pc.Max.Y -= vg.Length(len(lines))*lineH + vg.Points(2)
	return figureFrame{plot: pc, legendWidth: lw, title: lines,
		titleAt: vg.Point{X: left, Y: c.Max.Y - figMargin/2}}
}

// drawTitle draws the title's lines.
func (fr figureFrame) drawTitle(c draw.Canvas) {
	lineH := titleStyle.Rectangle("Xg").Size().Y
	for i, l := range fr.title {
		c.FillText(titleStyle, vg.Point{X: fr.titleAt.X, Y: fr.titleAt.Y - vg.Length(i)*lineH}, l)
	}
}

// ownLegendWidth is the width of the legend column the figure's own
// legends need (0 for none).
func (f *Figure) ownLegendWidth(c draw.Canvas) vg.Length {
	lw := legendWidth(c, &f.legend)
	if f.lower != nil {
		lw = max(lw, legendWidth(c, &f.lowerLegend))
	}
	return lw
}

// ownAxisWidth is the width of the figure's y axis (its labels and
// title): what lies left of the data area on pc.
func (f *Figure) ownAxisWidth(pc draw.Canvas) vg.Length {
	w := f.p.DataCanvas(pc).Min.X - pc.Min.X
	if f.lower != nil {
		w = max(w, f.lower.DataCanvas(pc).Min.X-pc.Min.X)
	}
	return w
}

// alignFigures gives the figures one y axis width and one legend column
// width, the largest any of them needs, so that their data areas are as
// wide and start at the same x: one under the other on a page, their
// time axes line up.
func alignFigures(figs []*Figure) {
	var axis, legend vg.Length
	for _, f := range figs {
		if f.message != "" {
			continue // no axes: its message starts where the title does
		}
		c := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: plotWidth, Y: f.height()}}}
		lw := f.ownLegendWidth(c)
		legend = max(legend, lw)
		axis = max(axis, f.ownAxisWidth(draw.Crop(c, 0, -lw-figMargin, 0, -figMargin/2)))
	}
	for _, f := range figs {
		f.axisCol, f.legendCol = axis, legend
	}
}

// wrapText breaks s into lines no wider than w in style sty (measured
// with fontSlack): at its newlines, then between words, and inside a
// word only when the word alone is wider than w.
func wrapText(sty text.Style, s string, w vg.Length) []string {
	fits := func(t string) bool { return sty.Width(t)*fontSlack <= w }
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
			case fits(line + " " + word):
				line += " " + word
				continue
			default:
				out = append(out, line)
			}
			line = word
			for !fits(line) && len([]rune(line)) > 1 {
				rs := []rune(line)
				k := len(rs) - 1
				for k > 1 && !fits(string(rs[:k])) {
					k--
				}
				out = append(out, string(rs[:k]))
				line = string(rs[k:])
			}
		}
		out = append(out, line)
	}
	return out
}

// draw lays the figure out on c (see frame): the plot on the left, the
// legend in a column on its right (so it never covers data), the
// annotation labels in a strip between the title and the data.
func (f *Figure) draw(c draw.Canvas) {
	blank(c, &f.legend)
	fr := f.frame(c)
	fr.drawTitle(c)
	if f.message != "" {
		f.drawMessage(c, fr)
		return
	}
	if f.lower != nil {
		f.drawPanels(c, fr)
		return
	}
	pc := fr.plot
	// Whether the labels need a strip depends on the data area's width,
	// which does not depend on the strip.
	if strip := f.marks.layout(f.p.DataCanvas(pc), f.p); strip > 0 {
		pc.Max.Y -= strip + vg.Points(4)
	}
	f.p.Draw(pc)
	drawLegendBeside(c, pc, f.p, &f.legend, fr.legendWidth)
}

// drawMessage draws the figure's message under its title, wrapped to
// the canvas, where the plot would be.
func (f *Figure) drawMessage(c draw.Canvas, fr figureFrame) {
	sty := textStyle(11, colorPhase)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YTop
	lineH := sty.Rectangle("Xg").Size().Y * 1.2
	y := fr.plot.Max.Y - vg.Points(10)
	for _, l := range wrapText(sty, f.message, c.Max.X-figMargin-fr.titleAt.X) {
		c.FillText(sty, vg.Point{X: fr.titleAt.X, Y: y}, l)
		y -= lineH
	}
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
	return legendWidth(c, lg)
}

// legendWidth is the width of the column lg needs at the right of a
// figure on c (0 for an empty legend).
func legendWidth(c draw.Canvas, lg *plot.Legend) vg.Length {
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
// drawn as a dot big enough to see (a short run's few answered buckets).
func (f *Figure) addLine(d *seriesData, ys []float64, label string, sty draw.LineStyle) {
	addLineTo(f.p, &f.legend, f.marks.ax, d, ys, label, sty)
}

// addLineTo is Figure.addLine onto the panel p, on the time axis ax, with
// the legend lg.
func addLineTo(p *plot.Plot, lg *plot.Legend, ax timeAxis, d *seriesData, ys []float64, label string, sty draw.LineStyle) {
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
				s.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Radius: sty.Width + vg.Points(1.5), Shape: draw.CircleGlyph{}}
				p.Add(noGlyphBoxes{s})
			}
		default:
			l, err := plotter.NewLine(seg)
			if err == nil {
				l.LineStyle = sty
				p.Add(noGlyphBoxes{l})
			}
		}
		drawn = true
		seg = nil
	}
	half := d.bucket / 2
	for b := 0; b < d.shown(ax); b++ {
		y := at0(ys, b)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			flush()
			continue
		}
		// A bucket's value is plotted at the bucket's middle.
		seg = append(seg, plotter.XY{X: ax.x(d.start(b) + half), Y: y})
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

// noGlyphBoxes is a data plotter without its glyph boxes: gonum pads the
// data area so that a line's width or a dot's radius fits inside it,
// which would make one figure's data area a point narrower than its
// neighbour's on the page (see alignFigures). The data area is clipped.
type noGlyphBoxes struct {
	p interface {
		plot.Plotter
		plot.DataRanger
	}
}

// Plot implements plot.Plotter.
func (n noGlyphBoxes) Plot(c draw.Canvas, p *plot.Plot) { n.p.Plot(c, p) }

// DataRange implements plot.DataRanger.
func (n noGlyphBoxes) DataRange() (xmin, xmax, ymin, ymax float64) { return n.p.DataRange() }
