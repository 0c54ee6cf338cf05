package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"dbsim/scenarios"
	"dbsim/scenarios/sweep"
)

// SweepFigure is one plot of a sweep: a metric against one swept
// parameter, a line (or, for categories, a column of markers) per
// combination of the other parameters, with 95% confidence bands (error
// bars for categories) and the target, if any, as a dashed line.
type SweepFigure struct {
	// Name is the file name without extension:
	// "sweep-write_p99_ms-by-system.instance_class".
	Name  string
	Title string

	p      *plot.Plot
	grid   *plotter.Grid
	legend plot.Legend
}

// SweepPlots returns the figures of r: for each plotted metric (r.Plots,
// or DefaultSweepPlots, plus the metrics of the targets) and each axis
// with more than one value, the metric against that axis.
func SweepPlots(r *sweep.Result) ([]*SweepFigure, error) {
	targets, err := SweepTargets(r)
	if err != nil {
		return nil, err
	}
	names := r.Plots
	if len(names) == 0 {
		names = DefaultSweepPlots
	}
	var metrics []int
	add := func(m int) {
		for _, x := range metrics {
			if x == m {
				return
			}
		}
		metrics = append(metrics, m)
	}
	for _, n := range names {
		m, ok := sweep.LookupMetric(n)
		if !ok {
			return nil, fmt.Errorf("--plot: unknown metric %q", n)
		}
		add(m)
	}
	for _, t := range targets {
		add(t.Metric)
	}
	var figs []*SweepFigure
	for _, m := range metrics {
		for a := range r.Axes {
			if len(r.Axes[a].Values) < 2 {
				continue
			}
			var mt []sweep.Target
			for _, t := range targets {
				if t.Metric == m {
					mt = append(mt, t)
				}
			}
			figs = append(figs, sweepFigure(r, m, a, mt))
		}
	}
	return figs, nil
}

// sweepSeries is one line of a figure: the points that share the other
// axes' steps.
type sweepSeries struct {
	label  string
	points []*sweep.PointResult // per step of the plotted axis (nil: not run)
}

// sweepFigure plots metric m of r against axis a, with targets (of m) as
// dashed lines.
func sweepFigure(r *sweep.Result, m, a int, targets []sweep.Target) *SweepFigure {
	metric := sweep.Metrics[m]
	ax := r.Axes[a]
	x := newSweepX(ax)
	series := sweepSeriesOf(r, a)

	name := strings.TrimSuffix(strings.TrimSuffix(metric.Label, " (ms)"), " (s)")
	title := fmt.Sprintf("%s: %s by %s", r.Scenario, name, shortPath(ax.Paths))
	f := newSweepFigure(fmt.Sprintf("sweep-%s-by-%s", metric.Column, fileSafe(strings.Join(ax.Paths, "+"))), title)
	f.p.X.Label.Text = x.title

	y := &sweepY{f: f, m: m}
	y.frame(series, targets)
	f.setX(x)
	xr, yr := [2]float64{f.p.X.Min, f.p.X.Max}, [2]float64{f.p.Y.Min, f.p.Y.Max}

	// Dodge categories so that the error bars of different series do not
	// overlap.
	width := 0.0
	if !x.numeric && len(series) > 1 {
		width = math.Min(0.5, 0.12*float64(len(series)-1))
	}
	noValue := 0
	for si, s := range series {
		off := 0.0
		if width > 0 {
			off = -width/2 + width*float64(si)/float64(len(series)-1)
		}
		noValue += f.addSeries(si, s, x, off, y)
	}
	f.addIntervalNote(maxReplications(r), x.numeric)
	f.addTargets(targets, y)
	if y.offAxis {
		f.legend.Add("intervals that reach\nfurther down run off\nthe log axis", &sweepThumb{})
	}
	if noValue > 0 {
		f.legend.Add("no value: "+noValueReason(metric), &sweepThumb{c: color.Black, glyph: draw.CrossGlyph{}})
	}
	// Plot.Add widened the axes to every plotter's data, clipped parts
	// included: put back the ranges chosen above.
	f.p.X.Min, f.p.X.Max, f.p.Y.Min, f.p.Y.Max = xr[0], xr[1], yr[0], yr[1]
	return f
}

// sweepSeriesOf groups the points of r by their steps on the axes other
// than a (those with more than one value), in index order: one series per
// combination, its points in the order of a's steps.
func sweepSeriesOf(r *sweep.Result, a int) []*sweepSeries {
	ax := r.Axes[a]
	var series []*sweepSeries
	byKey := map[string]*sweepSeries{}
	for i := range r.Results {
		p := &r.Results[i]
		steps := r.Steps(p.Index)
		var parts []string
		for o, oa := range r.Axes {
			if o == a || len(oa.Values) < 2 {
				continue
			}
			parts = append(parts, shortPath(oa.Paths)+" = "+displayValues(oa.Values[steps[o]]))
		}
		key := strings.Join(parts, ", ")
		s := byKey[key]
		if s == nil {
			s = &sweepSeries{label: key, points: make([]*sweep.PointResult, len(ax.Values))}
			byKey[key] = s
			series = append(series, s)
		}
		s.points[steps[a]] = p
	}
	return series
}

// maxReplications is the most replications a point of r has.
func maxReplications(r *sweep.Result) int {
	reps := 0
	for i := range r.Results {
		reps = max(reps, len(r.Results[i].Replications))
	}
	return reps
}

// sweepY places the values of metric m on a figure's y axis: availability
// in %, latencies whose means span more than a decade on a log axis.
type sweepY struct {
	f   *SweepFigure
	m   int
	log bool
	// offAxis is set once a value fell below the log axis.
	offAxis bool
}

// stat is a point's mean and interval in plotted units.
func (y *sweepY) stat(p *sweep.PointResult) (mean, lo, hi float64) {
	mean, lo, hi = p.Stat(y.m)
	if sweep.Metrics[y.m].Unit == "fraction" {
		return 100 * mean, 100 * lo, 100 * hi
	}
	return mean, lo, hi
}

// conv converts a value of the metric to plotted units.
func (y *sweepY) conv(v float64) float64 {
	if sweep.Metrics[y.m].Unit == "fraction" {
		return 100 * v
	}
	return v
}

// at is the axis coordinate of v (in plotted units): v itself, or its
// logarithm on a log axis, where a value below the axis (as the axis is
// now) goes further below, clipped and without a cap.
func (y *sweepY) at(v float64) float64 {
	if !y.log {
		return v
	}
	if v <= 0 || math.Log10(v) < y.f.p.Y.Min {
		y.offAxis = true
		return y.f.p.Y.Min - 1
	}
	return math.Log10(v)
}

// frame chooses the y axis from the means, the targets and the intervals
// of the series, and labels it. Latencies go on a log axis when their
// means span more than a decade (overload next to a healthy point); an
// interval that reaches 0 then runs to the bottom of the axis.
func (y *sweepY) frame(series []*sweepSeries, targets []sweep.Target) {
	metric := sweep.Metrics[y.m]
	mlo, mhi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, p := range s.points {
			if p == nil {
				continue
			}
			if mean, _, _ := y.stat(p); !math.IsNaN(mean) {
				mlo, mhi = math.Min(mlo, mean), math.Max(mhi, mean)
			}
		}
	}
	for _, t := range targets {
		mlo, mhi = math.Min(mlo, y.conv(t.Value)), math.Max(mhi, y.conv(t.Value))
	}
	y.log = metric.Unit == "ms" && mlo > 0 && mhi/mlo > 10
	lo, hi := mlo, mhi
	for _, s := range series {
		for _, p := range s.points {
			if p == nil {
				continue
			}
			if mean, l, h := y.stat(p); !math.IsNaN(mean) {
				if l > 0 || !y.log {
					lo = math.Min(lo, l)
				}
				hi = math.Max(hi, h)
			}
		}
	}
	if y.log {
		// At most a decade below the lowest mean: a wide interval runs
		// off the bottom rather than squeezing the data.
		lo = math.Max(lo, mlo/10)
	}
	y.f.setYRange(lo, hi, y.log, metric)
	label := metric.Label
	if y.log {
		label = strings.Replace(label, "(ms)", "(ms, log scale)", 1)
	}
	y.f.p.Y.Label.Text = label
}

// setX frames the x axis: the values themselves with a margin, or the
// categories by name.
func (f *SweepFigure) setX(x sweepX) {
	if x.numeric {
		xlo, xhi := minMax(x.pos)
		pad := (xhi - xlo) * 0.06
		if pad == 0 {
			pad = math.Max(math.Abs(xlo)*0.1, 1)
		}
		f.p.X.Min, f.p.X.Max = xlo-pad, xhi+pad
	} else {
		f.p.X.Min, f.p.X.Max = -0.5, float64(len(x.labels))-0.5
		f.grid.Vertical.Color = nil // categories have no in-between
		// Long categories (zipped values, YAML mappings) are wrapped to
		// the width a category has, so that neighbours do not overlap.
		width := max(10, 72/max(1, len(x.labels)))
		labels := make([]string, len(x.labels))
		for i, l := range x.labels {
			labels[i] = scenarios.WrapWords(l, width)
		}
		x.labels = labels
	}
	f.p.X.Tick.Marker = valueTicks{pos: x.pos, labels: x.labels}
}

// sweepMark is a point of a series on the axes: its mean and the ends of
// its interval.
type sweepMark struct{ x, y, lo, hi float64 }

// addSeries draws series number si, its points shifted by off along x: a
// band and a line (or error bars) per run of points with a value, a cross
// at the top for each point without one, and its legend entry. It returns
// the number of points without a value.
func (f *SweepFigure) addSeries(si int, s *sweepSeries, x sweepX, off float64, y *sweepY) int {
	c := palette[si%len(palette)]
	runs, missing := f.seriesMarks(s, x, off, y)
	for _, run := range runs {
		f.addRun(run, c, si, x.numeric)
	}
	if len(missing) > 0 {
		if sc, err := plotter.NewScatter(missing); err == nil {
			sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
			f.p.Add(sc)
		}
	}
	if len(runs) > 0 || len(missing) > 0 {
		label := s.label
		if label == "" {
			label = "mean"
		}
		f.legend.Add(label, &sweepThumb{c: c, line: x.numeric, glyph: sweepGlyph(si)})
	}
	return len(missing)
}

// seriesMarks places s's points: runs of consecutive points with a value,
// and the places of the points without one, at the top of the y axis (as
// it is now).
func (f *SweepFigure) seriesMarks(s *sweepSeries, x sweepX, off float64, y *sweepY) (runs [][]sweepMark, missing plotter.XYs) {
	var run []sweepMark
	for step, p := range s.points {
		mean, l, h := math.NaN(), 0.0, 0.0
		if p != nil {
			mean, l, h = y.stat(p)
		}
		if math.IsNaN(mean) {
			if p != nil {
				missing = append(missing, plotter.XY{X: x.pos[step] + off, Y: f.p.Y.Max - 0.04*(f.p.Y.Max-f.p.Y.Min)})
			}
			if len(run) > 0 {
				runs = append(runs, run)
			}
			run = nil
			continue
		}
		run = append(run, sweepMark{x.pos[step] + off, y.at(mean), y.at(l), y.at(h)})
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	return runs, missing
}

// addRun draws a run of series si in color c: on a numeric axis a band
// for the intervals and a line through the means, error bars where there
// is no band, and a marker per point.
func (f *SweepFigure) addRun(run []sweepMark, c color.Color, si int, numeric bool) {
	if numeric && len(run) > 1 {
		var poly, line plotter.XYs
		for _, q := range run {
			poly = append(poly, plotter.XY{X: q.x, Y: q.lo})
			line = append(line, plotter.XY{X: q.x, Y: q.y})
		}
		for i := len(run) - 1; i >= 0; i-- {
			poly = append(poly, plotter.XY{X: run[i].x, Y: run[i].hi})
		}
		if pg, err := plotter.NewPolygon(poly); err == nil {
			pg.Color = withAlpha(c, 48)
			pg.LineStyle.Width = 0
			f.p.Add(pg)
		}
		if l, err := plotter.NewLine(line); err == nil {
			l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1.5)}
			f.p.Add(l)
		}
	}
	var bars plotter.XYs
	var errs plotter.YErrors
	var dots plotter.XYs
	for _, q := range run {
		dots = append(dots, plotter.XY{X: q.x, Y: q.y})
		// Error bars for categories, and for a lone point of a numeric
		// axis (which has no band); none of zero height.
		if (!numeric || len(run) == 1) && q.hi > q.lo {
			bars = append(bars, plotter.XY{X: q.x, Y: q.y})
			errs = append(errs, struct{ Low, High float64 }{q.y - q.lo, q.hi - q.y})
		}
	}
	if len(bars) > 0 {
		f.p.Add(&plotter.YErrorBars{XYs: bars, YErrors: errs,
			LineStyle: draw.LineStyle{Color: c, Width: vg.Points(1.2)}, CapWidth: vg.Points(8)})
	}
	if sc, err := plotter.NewScatter(dots); err == nil {
		sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: sweepGlyph(si)}
		f.p.Add(sc)
	}
}

// addIntervalNote says in the legend what the bands or error bars are.
func (f *SweepFigure) addIntervalNote(reps int, numeric bool) {
	switch {
	case reps <= 1:
		f.legend.Add("1 replication:\nno interval", &sweepThumb{})
	case numeric:
		f.legend.Add(fmt.Sprintf("95%% CI of the mean,\n%d replications", reps), &sweepThumb{c: color.Black, band: true})
	default:
		f.legend.Add(fmt.Sprintf("95%% CI of the mean,\n%d replications", reps), &sweepThumb{c: color.Black, bar: true})
	}
}

// addTargets draws each target as a dashed line across the figure.
func (f *SweepFigure) addTargets(targets []sweep.Target, y *sweepY) {
	for _, t := range targets {
		at := y.at(y.conv(t.Value))
		l, err := plotter.NewLine(plotter.XYs{{X: f.p.X.Min, Y: at}, {X: f.p.X.Max, Y: at}})
		if err == nil {
			l.LineStyle = draw.LineStyle{Color: colorTarget, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
			f.p.Add(l)
			f.legend.Add("target: "+t.String(), l)
		}
	}
}

// noValueReason says why a point may have no value of metric (a
// replication without one makes the mean undefined).
func noValueReason(metric sweep.Metric) string {
	switch metric.Name {
	case "failover.duration":
		return "a failover never\nfinished, or none began"
	case "client.outage":
		return "clients never got\nwrites through again,\nor no failover began"
	case "availability":
		return "no request measured"
	case "cost":
		return "not priced (no price\nor cost model; see\n--prices)"
	}
	if metric.Unit == "ms" {
		return "no such request\nsucceeded"
	}
	return "not measured"
}

// displayValues writes a step's values for a reader: joined by " + ",
// with "~" (the key removed) shown as "(unset)".
func displayValues(vals []string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		if v == "~" || v == "null" {
			v = "(unset)"
		}
		out[i] = v
	}
	return strings.Join(out, " + ")
}

// shortPath names an axis in legends and titles by the last key of each
// path: "workload[0].arrival.rate" is "arrival.rate".
func shortPath(paths []string) string {
	out := make([]string, len(paths))
	for i, p := range paths {
		parts := strings.Split(p, ".")
		if len(parts) > 2 {
			parts = parts[len(parts)-2:]
		}
		if strings.Contains(parts[0], "[") || parts[0] == "system" || parts[0] == "clients" {
			parts = parts[1:]
		}
		out[i] = strings.Join(parts, ".")
	}
	return strings.Join(out, " + ")
}

// fileSafe keeps letters, digits and _ . + - of a path for a file name.
func fileSafe(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == '+', c == '-':
			b.WriteRune(c)
		}
	}
	return b.String()
}

// colorTarget draws targets.
var colorTarget = color.NRGBA{R: 214, G: 39, B: 40, A: 255}

// withAlpha is c with opacity a.
func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// sweepGlyph varies the marker by series, so the series stay apart in
// grey print and for color-blind readers.
func sweepGlyph(i int) draw.GlyphDrawer {
	switch i % 4 {
	case 1:
		return draw.BoxGlyph{}
	case 2:
		return draw.PyramidGlyph{}
	case 3:
		return draw.RingGlyph{}
	}
	return draw.CircleGlyph{}
}

// sweepThumb is a legend thumbnail: a line and a marker, a band, or an
// error bar.
type sweepThumb struct {
	c               color.Color
	line, band, bar bool
	glyph           draw.GlyphDrawer
}

// Thumbnail implements plot.Thumbnailer.
func (t *sweepThumb) Thumbnail(c *draw.Canvas) {
	if t.c == nil {
		return
	}
	mid := (c.Min.Y + c.Max.Y) / 2
	switch {
	case t.band:
		c.FillPolygon(color.NRGBA{A: 48}, c.ClipPolygonXY([]vg.Point{
			{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}))
	case t.bar:
		x := (c.Min.X + c.Max.X) / 2
		sty := draw.LineStyle{Color: t.c, Width: vg.Points(1.2)}
		c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
		c.StrokeLine2(sty, x-vg.Points(3), c.Min.Y, x+vg.Points(3), c.Min.Y)
		c.StrokeLine2(sty, x-vg.Points(3), c.Max.Y, x+vg.Points(3), c.Max.Y)
	}
	if t.line {
		c.StrokeLine2(draw.LineStyle{Color: t.c, Width: vg.Points(1.5)}, c.Min.X, mid, c.Max.X, mid)
	}
	if t.glyph != nil {
		c.DrawGlyph(draw.GlyphStyle{Color: t.c, Radius: vg.Points(3), Shape: t.glyph}, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: mid})
	}
}

// newSweepFigure returns an empty figure: axes in the report's fonts, a
// grid, a legend for the column beside the plot.
func newSweepFigure(name, title string) *SweepFigure {
	p := plot.New()
	// The title is drawn by SweepFigure.draw across the whole width, not
	// over the plot alone, which a wide legend narrows.
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 10)
		a.Tick.Label.Font = font.From(sansFont, 9)
	}
	grid := plotter.NewGrid()
	p.Add(grid)
	lg := newLegend()
	lg.Padding = vg.Points(3)
	lg.ThumbnailWidth = vg.Points(20)
	return &SweepFigure{Name: name, Title: title, p: p, grid: grid, legend: lg}
}

// draw lays the figure out: the plot on the left, the legend in a column
// on its right, where it never covers data.
func (f *SweepFigure) draw(c draw.Canvas) {
	lw := blank(c, &f.legend)
	ts := textStyle(12, color.Black)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YTop
	c.FillText(ts, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y - figMargin}, f.Title)
	top := ts.Height(f.Title) + 2*figMargin
	pc := draw.Crop(c, 0, -lw-figMargin, 0, -top)
	f.p.Draw(pc)
	drawLegendBeside(c, pc, f.p, &f.legend, lw)
}

// WritePNG writes the figure as a PNG image.
func (f *SweepFigure) WritePNG(w io.Writer) error { return renderPNG(w, f.draw) }

// WriteSVG writes the figure as an SVG document (fonts as in
// Figure.WriteSVG).
func (f *SweepFigure) WriteSVG(w io.Writer) error { return renderSVG(w, f.draw) }
