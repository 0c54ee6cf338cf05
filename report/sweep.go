package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"dbsim/scenarios"
	"dbsim/scenarios/sweep"
)

// A sweep's outputs: sweep.csv (one row per point), sweep.json (the raw
// per-replication numbers, the same format as a shard's), and plots of
// chosen metrics against each swept parameter. All of them are a pure
// function of the sweep.Result, so the merge of a sharded sweep writes the
// same bytes as the unsharded run.

// DefaultSweepPlots are the metrics plotted when a sweep names none; the
// metrics of its targets are added to them.
var DefaultSweepPlots = []string{"availability", "all.p99", "write.p99", "client.outage", "cost"}

// SweepShardFile is the file name of a shard's result.
func SweepShardFile(shard, shards int) string {
	return fmt.Sprintf("sweep-shard-%d-of-%d.json", shard, shards)
}

// WriteSweepShard writes a shard's result into dir as
// sweep-shard-I-of-N.json (atomically, as WriteDir does; other files in dir
// are left alone, so shards may share a directory); ctx can stop it as it
// does WriteDirContext.
func WriteSweepShard(ctx context.Context, dir string, r *sweep.Result) error {
	return writeDirContext(ctx, dir, []output{{SweepShardFile(r.Shard, r.Shards), r.WriteJSON}})
}

// WriteSweepDir writes a whole sweep's report into dir: sweep.csv,
// sweep.json and the plots as PNG and SVG (see SweepPlots); ctx can stop
// it as it does WriteDirContext.
func WriteSweepDir(ctx context.Context, dir string, r *sweep.Result) error {
	figs, err := SweepPlots(r)
	if err != nil {
		return err
	}
	outs := []output{
		{"sweep.csv", func(w io.Writer) error { return WriteSweepCSV(w, r) }},
		{"sweep.json", r.WriteJSON},
	}
	for _, f := range figs {
		outs = append(outs, output{f.Name + ".png", f.WritePNG}, output{f.Name + ".svg", f.WriteSVG})
	}
	return writeDirContext(ctx, dir, outs)
}

// SweepTargets parses the targets recorded in r.
func SweepTargets(r *sweep.Result) ([]sweep.Target, error) {
	var ts []sweep.Target
	for _, s := range r.Targets {
		t, err := sweep.ParseTarget(s)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// WriteSweepCSV writes sweep.csv: a header, then one row per point in index
// order. The columns are the swept paths (their values as given), then for
// each metric (sweep.Metrics) its mean over the point's
// replications and the ends of the Student-t 95% confidence interval of
// that mean, clamped to the metric's range (NAME_mean, NAME_ci95_lo,
// NAME_ci95_hi; see PointResult.Stat; empty when a
// replication had no value), then cost_estimated, and meets_targets when
// the sweep has targets (judged on the means).
func WriteSweepCSV(w io.Writer, r *sweep.Result) error {
	targets, err := SweepTargets(r)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := r.Columns()
	for _, m := range sweep.Metrics {
		header = append(header, m.Column+"_mean", m.Column+"_ci95_lo", m.Column+"_ci95_hi")
	}
	header = append(header, "cost_estimated")
	if len(targets) > 0 {
		header = append(header, "meets_targets")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for i := range r.Results {
		p := &r.Results[i]
		row := append([]string(nil), p.Values...)
		for m := range sweep.Metrics {
			mean, lo, hi := p.Stat(m)
			row = append(row, csvNumber(m, mean), csvNumber(m, lo), csvNumber(m, hi))
		}
		row = append(row, strconv.FormatBool(p.CostEstimated))
		if len(targets) > 0 {
			meets := true
			for _, t := range targets {
				meets = meets && t.Met(p.Mean(t.Metric))
			}
			row = append(row, strconv.FormatBool(meets))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvNumber formats a value of metric m: availability to 9 decimals,
// latencies to 6 significant digits, seconds to the millisecond, counts to
// 3 decimals (a mean of counts), USD to the cent; empty for no value.
func csvNumber(m int, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	var r float64
	switch sweep.Metrics[m].Unit {
	case "fraction":
		r = roundDec(v, fractionDecimals)
	case "ms":
		r = roundSig(v, sigDigits)
	case "s":
		r = roundDec(v, secondDecimals)
	case "usd":
		return strconv.FormatFloat(roundDec(v, 2), 'f', 2, 64)
	default:
		r = roundDec(v, 3)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// --- plots ---

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

// sweepX is how an axis's values are placed on the x axis: at their
// numeric value when every value is a number of one kind (a rate, a
// duration, a size, a plain number), else as categories in the order
// given.
type sweepX struct {
	numeric bool
	pos     []float64 // per step
	labels  []string  // per step
	title   string
}

func newSweepX(ax sweep.Axis) sweepX {
	x := sweepX{title: strings.Join(ax.Paths, " + ")}
	for _, v := range ax.Values {
		x.labels = append(x.labels, displayValues(v))
	}
	if len(ax.Paths) == 1 {
		kinds := []struct {
			unit  string
			parse func(string) (float64, error)
		}{
			{"per s", func(s string) (float64, error) { r, err := scenarios.ParseRate(s); return float64(r), err }},
			{"s", func(s string) (float64, error) { d, err := scenarios.ParseDuration(s); return d.D().Seconds(), err }},
			{"GB", func(s string) (float64, error) { z, err := scenarios.ParseSize(s); return float64(z) / (1 << 30), err }},
			{"", func(s string) (float64, error) {
				f, err := strconv.ParseFloat(s, 64)
				if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
					err = fmt.Errorf("not finite")
				}
				return f, err
			}},
		}
		for _, k := range kinds {
			pos := make([]float64, len(ax.Values))
			ok := true
			for i, v := range ax.Values {
				f, err := k.parse(v[0])
				if err != nil {
					ok = false
					break
				}
				pos[i] = f
			}
			if ok {
				x.numeric, x.pos = true, pos
				if k.unit != "" {
					x.title += " (" + k.unit + ")"
				}
				return x
			}
		}
	}
	for i := range ax.Values {
		x.pos = append(x.pos, float64(i))
	}
	return x
}

// sweepSeries is one line of a figure: the points that share the other
// axes' steps.
type sweepSeries struct {
	label  string
	points []*sweep.PointResult // per step of the plotted axis (nil: not run)
}

func sweepFigure(r *sweep.Result, m, a int, targets []sweep.Target) *SweepFigure {
	metric := sweep.Metrics[m]
	ax := r.Axes[a]
	x := newSweepX(ax)

	// Group the points by their steps on the other axes, in index order.
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
	reps := 0
	for i := range r.Results {
		reps = max(reps, len(r.Results[i].Replications))
	}

	name := strings.TrimSuffix(strings.TrimSuffix(metric.Label, " (ms)"), " (s)")
	title := fmt.Sprintf("%s: %s by %s", r.Scenario, name, shortPath(ax.Paths))
	f := newSweepFigure(fmt.Sprintf("sweep-%s-by-%s", metric.Column, fileSafe(strings.Join(ax.Paths, "+"))), title)
	f.p.X.Label.Text = x.title

	// stat is a point's mean and interval in plotted units (availability
	// in %).
	stat := func(p *sweep.PointResult) (mean, lo, hi float64) {
		mean, lo, hi = p.Stat(m)
		if metric.Unit == "fraction" {
			return 100 * mean, 100 * lo, 100 * hi
		}
		return mean, lo, hi
	}
	conv := func(v float64) float64 {
		if metric.Unit == "fraction" {
			return 100 * v
		}
		return v
	}

	// The y range. Latencies go on a log axis when their means span more
	// than a decade (overload next to a healthy point); an interval that
	// reaches 0 then runs to the bottom of the axis.
	mlo, mhi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, p := range s.points {
			if p == nil {
				continue
			}
			if mean, _, _ := stat(p); !math.IsNaN(mean) {
				mlo, mhi = math.Min(mlo, mean), math.Max(mhi, mean)
			}
		}
	}
	for _, t := range targets {
		mlo, mhi = math.Min(mlo, conv(t.Value)), math.Max(mhi, conv(t.Value))
	}
	logY := metric.Unit == "ms" && mlo > 0 && mhi/mlo > 10
	lo, hi := mlo, mhi
	for _, s := range series {
		for _, p := range s.points {
			if p == nil {
				continue
			}
			if mean, l, h := stat(p); !math.IsNaN(mean) {
				if l > 0 || !logY {
					lo = math.Min(lo, l)
				}
				hi = math.Max(hi, h)
			}
		}
	}
	if logY {
		// At most a decade below the lowest mean: a wide interval runs
		// off the bottom rather than squeezing the data.
		lo = math.Max(lo, mlo/10)
	}
	f.setYRange(lo, hi, logY, metric)
	offAxis := false
	ty := func(v float64) float64 {
		if !logY {
			return v
		}
		if v <= 0 || math.Log10(v) < f.p.Y.Min {
			offAxis = true
			return f.p.Y.Min - 1 // below the axis: clipped, without a cap
		}
		return math.Log10(v)
	}
	ylabel := metric.Label
	if logY {
		ylabel = strings.Replace(ylabel, "(ms)", "(ms, log scale)", 1)
	}
	f.p.Y.Label.Text = ylabel

	// The x axis: the values themselves, or the categories by name.
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
	}
	f.p.X.Tick.Marker = valueTicks{pos: x.pos, labels: x.labels}

	xr, yr := [2]float64{f.p.X.Min, f.p.X.Max}, [2]float64{f.p.Y.Min, f.p.Y.Max}

	// Dodge categories so that the error bars of different series do not
	// overlap.
	width := 0.0
	if !x.numeric && len(series) > 1 {
		width = math.Min(0.5, 0.12*float64(len(series)-1))
	}
	noValue := 0
	for si, s := range series {
		var missing plotter.XYs
		c := palette[si%len(palette)]
		off := 0.0
		if width > 0 {
			off = -width/2 + width*float64(si)/float64(len(series)-1)
		}
		// Runs of consecutive points with a value: a band and a line each.
		type pt struct{ x, y, lo, hi float64 }
		var runs [][]pt
		var run []pt
		for step, p := range s.points {
			mean, l, h := math.NaN(), 0.0, 0.0
			if p != nil {
				mean, l, h = stat(p)
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
			run = append(run, pt{x.pos[step] + off, ty(mean), ty(l), ty(h)})
		}
		if len(run) > 0 {
			runs = append(runs, run)
		}
		for _, run := range runs {
			if x.numeric && len(run) > 1 {
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
				// Error bars for categories, and for a lone point of a
				// numeric axis (which has no band); none of zero height.
				if (!x.numeric || len(run) == 1) && q.hi > q.lo {
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
		if len(missing) > 0 {
			noValue += len(missing)
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
	}
	switch {
	case reps <= 1:
		f.legend.Add("1 replication:\nno interval", &sweepThumb{})
	case x.numeric:
		f.legend.Add(fmt.Sprintf("95%% CI of the mean,\n%d replications", reps), &sweepThumb{c: color.Black, band: true})
	default:
		f.legend.Add(fmt.Sprintf("95%% CI of the mean,\n%d replications", reps), &sweepThumb{c: color.Black, bar: true})
	}
	for _, t := range targets {
		y := ty(conv(t.Value))
		l, err := plotter.NewLine(plotter.XYs{{X: f.p.X.Min, Y: y}, {X: f.p.X.Max, Y: y}})
		if err == nil {
			l.LineStyle = draw.LineStyle{Color: colorTarget, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
			f.p.Add(l)
			f.legend.Add("target: "+t.String(), l)
		}
	}
	if offAxis {
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

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
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

var colorTarget = color.NRGBA{R: 214, G: 39, B: 40, A: 255}

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

// valueTicks label exactly the swept values.
type valueTicks struct {
	pos    []float64
	labels []string
}

// Ticks implements plot.Ticker.
func (v valueTicks) Ticks(min, max float64) []plot.Tick {
	ticks := make([]plot.Tick, len(v.pos))
	for i := range v.pos {
		ticks[i] = plot.Tick{Value: v.pos[i], Label: v.labels[i]}
	}
	return ticks
}

// linearTicks are round ticks (1, 2, 5 × 10^k, about five of them) labelled
// with as many decimals as the step needs: gonum's default prints
// 99.9–100 as "1e+02".
type linearTicks struct{}

// Ticks implements plot.Ticker.
func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return nil
	}
	want := (hi - lo) / 5
	e := int(math.Floor(math.Log10(want)))
	step := 10 * math.Pow10(e)
	for _, m := range []float64{1, 2, 5} {
		if m*math.Pow10(e) >= want/1.5 {
			step = m * math.Pow10(e)
			break
		}
	}
	dec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+1e-9*step; k++ {
		v := k*step + 0 // no "-0"
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', dec, 64)})
		if mid := v + step/2; mid <= hi {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	return ticks
}

// setYRange frames [lo, hi] (in plotted units) with a margin: from 0 for
// counts, seconds and costs, up to 100 for availability, a tenth of a
// decade around log-scale latencies.
func (f *SweepFigure) setYRange(lo, hi float64, logY bool, metric sweep.Metric) {
	if math.IsInf(lo, 1) { // no value at all
		lo, hi = 0, 1
	}
	switch {
	case logY:
		lo, hi = math.Log10(lo)-0.1, math.Log10(hi)+0.1
		if hi-lo < 1 {
			mid := (lo + hi) / 2
			lo, hi = mid-0.5, mid+0.5
		}
		f.p.Y.Tick.Marker = log10Ticks{}
	case metric.Unit == "fraction":
		// A dip fills the height: the bottom is the worst value less a
		// fifth of the span to 100, the top just over 100.
		span := math.Max(100-lo, 0.001)
		lo, hi = math.Max(0, lo-span*0.2), 100+span*0.05
		f.p.Y.Tick.Marker = cappedLinearTicks{max: 100}
	default:
		if hi <= 0 {
			hi = 1
		}
		lo, hi = 0, hi*1.08
		f.p.Y.Tick.Marker = linearTicks{}
	}
	f.p.Y.Min, f.p.Y.Max = lo, hi
}

// cappedLinearTicks are linearTicks without the ticks above max.
type cappedLinearTicks struct{ max float64 }

// Ticks implements plot.Ticker.
func (c cappedLinearTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (linearTicks{}).Ticks(lo, math.Min(hi, c.max)) {
		if t.Value <= c.max+1e-9 {
			out = append(out, t)
		}
	}
	return out
}

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

// --- text ---

// sweepTextMetrics are the metrics of the terminal table, besides those of
// the targets.
var sweepTextMetrics = []string{"availability", "all.p99", "write.p99", "client.outage", "cost"}

// WriteSweepText writes a sweep for the terminal: one line per point with
// the main metrics (means over replications) and, when the sweep has
// targets, the planner's answer: the cheapest point meeting every target,
// or the closest one and by how much it misses.
func WriteSweepText(w io.Writer, r *sweep.Result) error {
	targets, err := SweepTargets(r)
	if err != nil {
		return err
	}
	var metrics []int
	for _, n := range sweepTextMetrics {
		m, _ := sweep.LookupMetric(n)
		metrics = append(metrics, m)
	}
	for _, t := range targets {
		found := false
		for _, m := range metrics {
			found = found || m == t.Metric
		}
		if !found {
			metrics = append(metrics, t.Metric)
		}
	}
	reps := 0
	for i := range r.Results {
		reps = max(reps, len(r.Results[i].Replications))
	}
	fmt.Fprintf(w, "%s: %d points, %d replication(s) each; means over replications\n\n", r.Scenario, len(r.Results), reps)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"#"}
	head = append(head, r.Columns()...)
	for _, m := range metrics {
		head = append(head, sweep.Metrics[m].Name+" "+textUnit(m))
	}
	if len(targets) > 0 {
		head = append(head, "targets")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for i := range r.Results {
		p := &r.Results[i]
		row := []string{strconv.Itoa(p.Index)}
		row = append(row, p.Values...)
		for _, m := range metrics {
			v := textNumber(m, p.Mean(m))
			if sweep.Metrics[m].Unit == "usd" && p.CostEstimated {
				v += "*"
			}
			row = append(row, v)
		}
		if len(targets) > 0 {
			ok := "met"
			for _, t := range targets {
				if !t.Met(p.Mean(t.Metric)) {
					ok = "missed"
				}
			}
			row = append(row, ok)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i := range r.Results {
		if r.Results[i].CostEstimated {
			fmt.Fprintln(w, "* cost estimated: an instance price extrapolated from its family, or a usage the model does not count (see --print-prices, --prices)")
			break
		}
	}
	if len(targets) == 0 {
		return nil
	}
	var ts []string
	for _, t := range targets {
		ts = append(ts, t.String())
	}
	fmt.Fprintf(w, "\ntargets: %s (judged on the mean over replications)\n", strings.Join(ts, ", "))
	a := r.Answer(targets)
	describe := func(p *sweep.PointResult) string {
		var parts []string
		for i, c := range r.Columns() {
			parts = append(parts, c+"="+p.Values[i])
		}
		return fmt.Sprintf("#%d %s", p.Index, strings.Join(parts, " "))
	}
	costM, _ := sweep.LookupMetric("cost")
	stat := func(p *sweep.PointResult, m int) string {
		mean, lo, hi := p.Stat(m)
		s := sweep.FormatMetric(m, mean)
		if len(p.Replications) > 1 && !math.IsNaN(mean) && lo != hi {
			s += fmt.Sprintf(" (95%% CI %s – %s)", sweep.FormatMetric(m, lo), sweep.FormatMetric(m, hi))
		}
		return s
	}
	if a.Best != nil {
		fmt.Fprintf(w, "cheapest point meeting every target (%d of %d points meet them):\n  %s\n", a.Meeting, len(r.Results), describe(a.Best))
		fmt.Fprintf(w, "  cost %s/month%s\n", sweep.FormatMetric(costM, a.Best.Mean(costM)), estimatedNote(a.Best))
		unsure := false
		for _, t := range targets {
			_, lo, hi := a.Best.Stat(t.Metric)
			caveat := ""
			if !t.Met(lo) || !t.Met(hi) {
				caveat, unsure = "  <- the interval crosses the target", true
			}
			fmt.Fprintf(w, "  %s: %s%s\n", sweep.Metrics[t.Metric].Name, stat(a.Best, t.Metric), caveat)
		}
		if unsure {
			fmt.Fprintln(w, "  the mean meets every target, but not with 95% confidence: more replications would settle it")
		}
		return nil
	}
	fmt.Fprintf(w, "no point meets the targets; the closest is\n  %s\n", describe(a.Closest))
	fmt.Fprintf(w, "  cost %s/month%s\n", sweep.FormatMetric(costM, a.Closest.Mean(costM)), estimatedNote(a.Closest))
	for i, t := range targets {
		verdict := "met"
		if miss := a.Misses[i]; miss > 0 {
			verdict = "missed"
			if !math.IsInf(miss, 1) {
				verdict += ": " + missText(t, miss)
			}
		}
		fmt.Fprintf(w, "  %s: %s (target %s %s: %s)\n", sweep.Metrics[t.Metric].Name, stat(a.Closest, t.Metric),
			t.Op, sweep.FormatMetric(t.Metric, t.Value), verdict)
	}
	return nil
}

func estimatedNote(p *sweep.PointResult) string {
	if p.CostEstimated {
		return " (estimated)"
	}
	return ""
}

// missText says how far a target is missed: for availability as a multiple
// of the downtime the target allows, otherwise as a percentage of the
// target ("13% over", "20% under").
func missText(t sweep.Target, miss float64) string {
	if sweep.Metrics[t.Metric].Unit == "fraction" {
		return fmt.Sprintf("%s× the downtime allowed", strconv.FormatFloat(roundSig(miss+1, 3), 'f', -1, 64))
	}
	side := "over"
	if t.Op == ">" || t.Op == ">=" {
		side = "under"
	}
	return strconv.FormatFloat(roundSig(100*miss, 3), 'f', -1, 64) + "% " + side
}

func textUnit(m int) string {
	switch sweep.Metrics[m].Unit {
	case "fraction":
		return "%"
	case "ms":
		return "ms"
	case "s":
		return "s"
	case "usd":
		return "$/mo"
	}
	return ""
}

func textNumber(m int, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	switch sweep.Metrics[m].Unit {
	case "fraction":
		return strconv.FormatFloat(roundDec(100*v, 4), 'f', -1, 64)
	case "usd":
		return strconv.FormatFloat(v, 'f', 2, 64)
	case "s", "ms":
		return strconv.FormatFloat(roundSig(v, 4), 'f', -1, 64)
	}
	return strconv.FormatFloat(roundSig(v, 4), 'f', -1, 64)
}
