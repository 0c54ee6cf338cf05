package report

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/scenarios"
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
// otherwise: "capacity" (what clients asked for, consumed and provisioned
// capacity, the throttled share and the auto-scaling steps visible;
// "dynamodb_capacity" if the run also has an Aurora-style capacity plot)
// and "partitions" (a partition × time heatmap of each partition's
// consumption as a share of its hard limit). Both are drawn in buckets of
// a second or more (seriesData.perSecond): capacity is a rate per second.
func dynamoFigures(name string, sc *scenarios.Scenario, d *seriesData, marks *annotations) []*Figure {
	if d == nil || d.gauge(metric.Of(metric.ConsumedWCU)) == nil || d.gauge(metric.Of(metric.ProvisionedWCU)) == nil {
		return nil
	}
	file := "capacity"
	if len(d.ofKind(metric.CapacityACU)) > 0 {
		file = "dynamodb_capacity"
	}
	onDemand := sc != nil && sc.System.DynamoDB != nil && sc.System.DynamoDB.Table.Mode == "on-demand"
	figs := []*Figure{dynamoCapacityFigure(file, name, onDemand, d, marks)}
	if f := partitionHeatmapFigure(name, d, marks); f != nil {
		figs = append(figs, f)
	}
	return figs
}

// capacityDim is one dimension of a table's capacity: writes or reads.
type capacityDim struct {
	unit, what            string // "WCU", "writes"
	consumed, provisioned metric.Kind
	ok, failed            string // the runner's columns of this operation's requests
	colour                int    // palette index
}

var capacityDims = []capacityDim{
	{"WCU", "writes", metric.ConsumedWCU, metric.ProvisionedWCU, scenarios.ColumnWriteOK, scenarios.ColumnWriteFailed, 0},
	{"RCU", "reads", metric.ConsumedRCU, metric.ProvisionedRCU, scenarios.ColumnReadOK, scenarios.ColumnReadFailed, 1},
}

// requests is how many requests of the dimension's operation the run
// counted, by the columns read_ok, write_failed, ...; -1 when the series
// does not split requests by operation.
func (dm capacityDim) requests(d *seriesData) float64 {
	ok, failed := d.column(dm.ok), d.column(dm.failed)
	if ok == nil || failed == nil {
		return -1
	}
	n := 0.0
	for b := 0; b < d.n; b++ {
		n += math.Max(0, at0(ok, b)) + math.Max(0, at0(failed, b))
	}
	return n
}

// throttledUnits is, per bucket of d, the capacity the throttled attempts
// of dimension dm asked for in units per second: the throttled attempts
// (the runner's count, when they were made) times the units a successful
// request of the run consumed on average (from the whole run at the
// resolution fine). It is nil when the throttles cannot be told apart:
// the run throttled both reads and writes, or had none of dm's requests.
func throttledUnits(fine, d *seriesData, dm capacityDim) []float64 {
	var own, other float64
	for _, x := range capacityDims {
		n := x.requests(fine)
		switch {
		case x.unit == dm.unit:
			own = n
		case n > 0:
			other += n
		}
	}
	thr := 0.0
	for b := 0; b < fine.n; b++ {
		thr += fine.count(scenarios.ColumnThrottled, b)
	}
	if own == 0 || (other > 0 && thr > 0) {
		return nil
	}
	consumed := fine.gauge(metric.Of(dm.consumed))
	units, oks := 0.0, 0.0
	for b := 0; b < fine.n; b++ {
		if v := at0(consumed, b); v > 0 {
			units += v * fine.bucket
		}
	}
	if own < 0 { // no split by operation: the one dimension consumed is dm
		own = 0
		for b := 0; b < fine.n; b++ {
			own += fine.count(scenarios.ColumnOK, b)
		}
		oks = own
	} else {
		ok := fine.column(dm.ok)
		for b := 0; b < fine.n; b++ {
			oks += math.Max(0, at0(ok, b))
		}
	}
	if oks == 0 || units == 0 {
		return nil
	}
	per := units / oks
	ys := make([]float64, d.n)
	for b := range ys {
		ys[b] = d.rate(scenarios.ColumnThrottled, b) * per
	}
	return ys
}

// dynamoCapacityFigure plots, per dimension the run used (writes, then
// reads), what the clients asked for (requested: consumed plus the
// throttled attempts' units, a dashed line), consumption (a thin line),
// the throttled part between them (shaded), and the capacity the table
// had (a wide step line, so every auto-scaling change is a visible step):
// provisioned, or for an on-demand table the ceiling of what it serves at
// once (twice its previous peak), in request units. Each global secondary
// index follows with its provisioned and consumed capacity. A dimension
// the run never consumed (reads of a write-only workload) is left out and
// the legend says so.
func dynamoCapacityFigure(file, name string, onDemand bool, fine *seriesData, marks *annotations) *Figure {
	d := fine.perSecond()
	var shown, omitted []capacityDim
	for _, dm := range capacityDims {
		if anyPositive(d.gauge(metric.Of(dm.consumed))) {
			shown = append(shown, dm)
		} else {
			omitted = append(omitted, dm)
		}
	}
	if len(shown) == 0 { // an idle table: its provisioned writes at least
		shown, omitted = capacityDims[:1], capacityDims[1:]
	}
	unitName := func(dm capacityDim) string {
		if onDemand { // request units: WRU, RRU
			return strings.Replace(dm.unit, "CU", "RU", 1)
		}
		return dm.unit
	}
	title, ylabel := name+": capacity asked for, consumed and provisioned", "capacity units per second"
	if onDemand {
		title = name + ": capacity asked for, consumed and the on-demand ceiling"
		ylabel = "request units per second"
	}
	if d != fine {
		ylabel += " (" + bucketText(d.bucket) + " means)"
	}
	f := newFigure(file, title, ylabel, marks)
	f.showMarks(cluster.ScaleUp, cluster.ScaleDown, cluster.HeatSplit, cluster.PeakRaised)

	// Few buckets on the axis (a short run in 1 s means, 40 at most) are drawn as
	// steps, each value held over its bucket: a line between bucket
	// middles would draw ramps the run never had.
	coarse := d.shown(f.marks.ax) <= 40
	hi := 0.0
	add := func(ys []float64, label string, sty draw.LineStyle, steps bool) {
		if ys == nil {
			return
		}
		hi = math.Max(hi, maxFinite(ys))
		if steps || coarse {
			f.addSteps(d, ys, label, sty)
		} else {
			f.addLine(d, ys, label, sty)
		}
	}
	// The capacity: a wide translucent step line; consumption a thin line
	// of the same hue on top, dashed for an index, so that consumption
	// held at the capacity (throttling) still shows, and an index
	// consuming what its table does does not hide the table's line.
	wide := func(ci int) draw.LineStyle {
		sty := lineStyle(ci, 3.5)
		sty.Color = withAlpha(sty.Color, 110)
		return sty
	}
	var notes []string
	for _, dm := range shown {
		u := unitName(dm)
		consumed := d.gauge(metric.Of(dm.consumed))
		capLabel := "provisioned " + u + "/s"
		if onDemand {
			capLabel = "on-demand ceiling " + u + "/s"
		}
		add(d.gauge(metric.Of(dm.provisioned)), capLabel, wide(dm.colour), true)
		if thr := throttledUnits(fine, d, dm); anyPositive(thr) {
			req := make([]float64, d.n)
			for b := range req {
				req[b] = at0(consumed, b) + thr[b]
				if math.IsNaN(at0(consumed, b)) {
					req[b] = math.NaN()
				}
			}
			f.addBetween(d, consumed, req, "throttled "+u+"/s", withAlpha(palette[dm.colour], 60), coarse)
			add(req, "requested "+u+"/s", lineStyle(dm.colour, 1, vg.Points(3), vg.Points(2)), false)
		} else if thr == nil && anyThrottled(fine) {
			notes = append(notes, "requested "+u+" not shown: throttled", "requests are not told apart by reads and writes")
		}
		add(consumed, "consumed "+u+"/s", lineStyle(dm.colour, 1.2), false)
	}
	ci := 3 // purple, green, sky blue, vermillion: not black, which is the phase lines'
	for _, id := range d.ofKind(metric.ProvisionedWCU) {
		gsi := id.Index
		if gsi == "" {
			continue // the base table's, above
		}
		capLabel := "index " + gsi + ": provisioned WCU/s"
		if onDemand {
			capLabel = "index " + gsi + ": on-demand ceiling WRU/s"
		}
		add(d.gauge(id), capLabel, wide(ci), true)
		add(d.gauge(metric.OfIndex(metric.ConsumedWCU, gsi)), "index "+gsi+": consumed WCU/s", lineStyle(ci, 1.2, vg.Points(4), vg.Points(2)), false)
		if rc := metric.OfIndex(metric.ConsumedRCU, gsi); anyPositive(d.gauge(rc)) {
			add(d.gauge(rc), "index "+gsi+": consumed RCU/s", lineStyle(ci+1, 1.2, vg.Points(4), vg.Points(2)), false)
			ci++
		}
		ci++
	}
	if len(omitted) == 1 {
		notes = append(notes, "no "+omitted[0].what+": "+unitName(omitted[0])+" not shown")
	}
	for _, n := range notes {
		f.legend.Add(n, emptyThumb{})
	}
	f.p.Y.Min = 0
	f.p.Y.Max = math.Max(hi*1.05, 1)
	f.p.Y.Tick.Marker = linearTicks{}
	return f
}

// anyThrottled reports whether the run throttled any attempt.
func anyThrottled(d *seriesData) bool {
	for b := 0; b < d.n; b++ {
		if d.count(scenarios.ColumnThrottled, b) > 0 {
			return true
		}
	}
	return false
}

// addBetween shades the area between the lines lo and hi (per bucket,
// on the bucket times of d, broken where either is NaN; as steps over
// each bucket when steps is set) in fill, with a legend entry.
func (f *Figure) addBetween(d *seriesData, lo, hi []float64, label string, fill color.Color, steps bool) {
	var top, bottom []vg.Point // in data coordinates, as points
	drawn := false
	flush := func() {
		if len(top) > 1 {
			pts := append([]vg.Point(nil), top...)
			for i := len(bottom) - 1; i >= 0; i-- {
				pts = append(pts, bottom[i])
			}
			f.p.Add(&area{pts: pts, fill: fill})
			drawn = true
		}
		top, bottom = nil, nil
	}
	half := d.bucket / 2
	for b := 0; b < d.shown(f.marks.ax); b++ {
		l, h := at0(lo, b), at0(hi, b)
		if math.IsNaN(l) || math.IsNaN(h) {
			flush()
			continue
		}
		xs := []float64{d.start(b) + half}
		if steps {
			xs = []float64{d.start(b), d.start(b + 1)}
		}
		for _, x := range xs {
			x := vg.Length(f.marks.ax.x(x))
			top = append(top, vg.Point{X: x, Y: vg.Length(h)})
			bottom = append(bottom, vg.Point{X: x, Y: vg.Length(l)})
		}
	}
	flush()
	if drawn {
		f.legend.Add(label, boxThumb(fill))
	}
}

// area is a filled polygon whose corners are in data coordinates.
type area struct {
	pts  []vg.Point
	fill color.Color
}

// Plot implements plot.Plotter.
func (a *area) Plot(c draw.Canvas, p *plot.Plot) {
	pts := make([]vg.Point, len(a.pts))
	for i, q := range a.pts {
		pts[i] = vg.Point{X: c.X(p.X.Norm(float64(q.X))), Y: c.Y(p.Y.Norm(float64(q.Y)))}
	}
	c.FillPolygon(a.fill, c.ClipPolygonXY(pts))
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
				f.p.Add(noGlyphBoxes{l})
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
	unit, what  string
	consumed    metric.Kind
	provisioned metric.Kind // of an index, whose whole may be a row
	limit       float64
	limitText   string
	rows        [][]float64 // base table partitions, by id
	peak        float64     // highest share of the limit
}

// heatRow is one row of the heatmap: a partition of the base table or of
// an index, or an index as a whole (when the run has no figures per
// partition of it).
type heatRow struct {
	label string    // "p3", "p7+", "by-status p0", "by-status"
	group string    // "" for the base table, else the index's name
	ys    []float64 // consumption per bucket, units per second
	// limit is the 100 % of the row in bucket b: the partition limit, or
	// an index's provisioned capacity.
	limit func(b int) float64
	// exists is false in the buckets before the partition was created.
	exists func(b int) bool
	whole  bool // an index as a whole, against its provisioned capacity
}

// partitionHeat picks the dimension nearer its limit and the rows shown:
// the base table's partitions that ever consumed (in creation order), then
// each index's, a group per index. It reports whether some partitions
// were created during the run (split), whether the last base row sums the
// partitions beyond it (overflow), and the heatmap's grid; a nil grid
// when nothing was consumed.
func partitionHeat(d *seriesData) (dm *partitionDim, rows []heatRow, split, overflow bool, g *heatGrid) {
	dims := []*partitionDim{
		{unit: "wcu", what: "writes", consumed: metric.ConsumedWCU, provisioned: metric.ProvisionedWCU, limit: partitionWCULimit, limitText: "1,000"},
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
	hard := func(int) float64 { return dm.limit }

	// A partition exists in bucket b when the table had more partitions
	// than its id (ids are given in creation order); without the gauge,
	// always. The model's last row carries every partition beyond it.
	parts := d.gauge(metric.Of(metric.Partitions))
	overflow = maxFinite(parts) > float64(nCols)
	for id, ys := range dm.rows {
		if !anyPositive(ys) {
			continue
		}
		id := id
		exists := func(b int) bool {
			p := at0(parts, b)
			return parts == nil || math.IsNaN(p) || p > float64(id)
		}
		if !exists(0) {
			split = true
		}
		label := "p" + strconv.Itoa(id)
		if overflow && id == nCols-1 {
			label += "+" // this row sums every partition from id on
		}
		rows = append(rows, heatRow{label: label, ys: ys, limit: hard, exists: exists})
	}
	always := func(int) bool { return true }
	for _, id := range d.ofKind(dm.consumed) {
		gsi := id.Index
		if gsi == "" || id.PerPartition {
			continue // the base table's, or a partition (below)
		}
		n := 0
		for ; ; n++ {
			ys := d.gauge(metric.OfPartition(dm.consumed, gsi, n))
			if ys == nil {
				break
			}
			if anyPositive(ys) {
				rows = append(rows, heatRow{label: gsi + " p" + strconv.Itoa(n), group: gsi, ys: ys, limit: hard, exists: always})
			}
		}
		if n > 0 {
			continue
		}
		// No figures per partition of the index: the index as a whole,
		// against its provisioned capacity, when the run has that.
		ys, prov := d.gauge(id), d.gauge(metric.OfIndex(dm.provisioned, gsi))
		if dm.provisioned == 0 || prov == nil || !anyPositive(ys) {
			continue
		}
		rows = append(rows, heatRow{label: gsi, group: gsi, ys: ys, whole: true, exists: always,
			limit: func(b int) float64 { return at0(prov, b) }})
	}
	if len(rows) == 0 || d.n == 0 {
		return nil, nil, false, false, nil
	}

	g = &heatGrid{d: d, rows: len(rows), kx: max(1, heatPixelsX/d.n), ky: max(1, heatPixelsY/len(rows)), peakRow: -1}
	g.class = make([]float64, len(rows)*d.n)
	for r, row := range rows {
		for b := 0; b < d.n; b++ {
			v := at0(row.ys, b)
			lim := row.limit(b)
			switch {
			case !row.exists(b):
				v = math.NaN()
			case math.IsNaN(v) || !(lim > 0):
				v = 0
			default:
				if v/lim > g.peak {
					g.peak, g.peakRow = v/lim, r
				}
				v = float64(heatClass(v / lim))
			}
			g.class[r*d.n+b] = v
		}
	}
	return dm, rows, split, overflow, g
}

// partitionHeatmapFigure draws, for each partition that ever consumed
// capacity, its consumption in each bucket (of a second at least) as a
// share of the per-partition hard limit (fact 5.1): writes of 1,000
// WCU/s or reads of 3,000 RCU/s, whichever comes nearer its limit in the
// run. The base table's partitions run top to bottom in creation order
// (p0 at the top), so partitions made by a split are added at the bottom
// of the group, grey until they exist; each global secondary index
// follows as a group of its own, a row per partition, or one row for the
// whole index against its provisioned capacity when the run has no
// figures per partition of it. When no cell reaches 10 % of its limit,
// the figure is a message saying so rather than a white panel. It
// returns nil when no partition consumed anything.
func partitionHeatmapFigure(name string, fine *seriesData, marks *annotations) *Figure {
	d := fine.perSecond()
	dm, rows, split, _, g := partitionHeat(d)
	if g == nil {
		return nil
	}
	g.ax = marks.ax

	u := strings.ToUpper(dm.unit)
	peakText := fmt.Sprintf("%.0f %%, %s", 100*g.peak, rows[g.peakRow].label)
	title := fmt.Sprintf("%s: %s per partition\n%% of the %s %s/s partition limit (highest %s)",
		name, dm.what, dm.limitText, u, peakText)
	var wholes []string
	for _, r := range rows {
		if r.whole {
			wholes = append(wholes, r.label)
		}
	}
	if len(wholes) > 0 {
		title = fmt.Sprintf("%s: %s per partition\n%% of the %s %s/s partition limit; index %s as a whole: %% of its provisioned %s/s (highest %s)",
			name, dm.what, dm.limitText, u, strings.Join(wholes, ", "), u, peakText)
	}
	if split {
		title += "; new partitions from splits at the bottom"
	}
	if d != fine {
		title += "; " + bucketText(d.bucket) + " means"
	}
	if heatClass(g.peak) == 0 {
		f := newFigure("partitions", fmt.Sprintf("%s: %s per partition", name, dm.what), "", marks)
		f.message = fmt.Sprintf("No partition reached 10 %% of its limit: the busiest, %s, peaked at %.0f %% of %s.\n"+
			"What held this table back, if anything, was its table-level capacity: see the capacity figure.",
			rows[g.peakRow].label, 100*g.peak, rowLimitText(rows[g.peakRow], dm))
		return f
	}
	ylabel := "partition (creation order)"
	if rows[len(rows)-1].group != "" {
		ylabel = "partition (creation order), then each index"
	}
	f := newFigure("partitions", title, ylabel, marks)
	f.showMarks(cluster.HeatSplit)

	hm := plotter.NewHeatMap(g, heatPalette{})
	hm.NaN = colorNotYet
	hm.Rasterized = true
	f.p.Add(rasterHeat{hm: hm, g: g})
	hmarks := &heatMarks{a: f.marks, top: float64(len(rows)) - 0.5}
	for r := 1; r < len(rows); r++ {
		if rows[r].group != rows[r-1].group {
			hmarks.groups = append(hmarks.groups, float64(len(rows)-r)-0.5) // the line above row r
		}
	}
	f.p.Add(hmarks)

	labels := make([]string, len(rows))
	for r, row := range rows {
		labels[r] = row.label
	}
	f.p.Y.Tick.Marker = partitionTicks{labels: labels}
	f.p.Y.Min, f.p.Y.Max = -0.5, float64(len(rows))-0.5+heatStrip
	f.p.Y.Padding = 0
	f.p.X.Padding = 0

	f.legend.Add("% of the limit", emptyThumb{})
	for i, c := range heatColors {
		f.legend.Add(heatLabels[i], cellThumb{c})
	}
	if split {
		f.legend.Add("not created yet", cellThumb{colorNotYet})
	}
	return f
}

// rowLimitText says what a row's 100 % is.
func rowLimitText(r heatRow, dm *partitionDim) string {
	u := strings.ToUpper(dm.unit)
	if r.whole {
		return "its provisioned " + u + "/s"
	}
	return "the " + dm.limitText + " " + u + "/s partition limit"
}

// heatGrid is the heatmap's GridXYZ: the colour class of each (bucket,
// row), every cell repeated kx times across and ky times down so that the
// raster is about as fine as the plot's pixels. Grid row 0 is the bottom,
// the last row; grid column c is bucket c/kx.
type heatGrid struct {
	d      *seriesData
	ax     timeAxis
	rows   int
	kx, ky int
	class  []float64 // [row * d.n + bucket], row 0 = p0 (top)
	// peak is the highest share of the limit in any cell, in row
	// peakRow: the title says it, as a table far below its limits draws
	// all white.
	peak    float64
	peakRow int
}

func (g *heatGrid) Dims() (c, r int) { return g.d.shown(g.ax) * g.kx, g.rows * g.ky }

// Min and Max are the range of the colour classes, which NewHeatMap
// takes instead of reading every cell of the raster for its extremes.
func (g *heatGrid) Min() float64 { return 0 }
func (g *heatGrid) Max() float64 { return float64(len(heatColors) - 1) }

func (g *heatGrid) Z(c, r int) float64 {
	row := g.rows - 1 - r/g.ky
	return g.class[row*g.d.n+c/g.kx]
}

// X is on the time axis ax: the grid's columns tile [0, end of the run].
func (g *heatGrid) X(c int) float64 {
	return g.ax.x((float64(c) + 0.5) / float64(g.kx) * g.d.bucket)
}

// Y puts the row shown k-th from the bottom at k, its cell from k-0.5
// to k+0.5.
func (g *heatGrid) Y(r int) float64 { return (float64(r)+0.5)/float64(g.ky) - 0.5 }

// rasterHeat is a rasterized heatmap without the glyph box of every
// cell (hundreds of thousands of them, which the plot's layout would walk
// again and again for nothing: the cells never reach beyond the data
// area). Plot draws the grid's image itself, as HeatMap's rasterized
// Plot would, but paletted: HeatMap's sets each of the image's pixels
// (about 700,000) through a colour interface, an allocation each, into
// a 16-bit image that the SVG then embeds as a 16-bit PNG; a paletted
// image is filled a row at a time and encodes a byte a pixel, with the
// same colours.
type rasterHeat struct {
	hm *plotter.HeatMap
	g  *heatGrid
}

func (r rasterHeat) Plot(c draw.Canvas, p *plot.Plot) {
	g := r.g
	cols, rows := g.Dims()
	pal := append(color.Palette{}, heatColors...)
	notYet := uint8(len(pal))
	pal = append(pal, r.hm.NaN)
	img := image.NewPaletted(image.Rect(0, 0, cols, rows), pal)
	buckets := cols / g.kx
	for row := 0; row < g.rows; row++ {
		// Image row y shows grid row y/ky from the top (HeatMap's
		// grid row 0 is the bottom).
		line := img.Pix[row*g.ky*img.Stride:][:cols]
		for b := 0; b < buckets; b++ {
			v := g.class[row*g.d.n+b]
			i := notYet
			if !math.IsNaN(v) {
				i = uint8(min(max(v, r.hm.Min), r.hm.Max) + 0.5)
			}
			for x := b * g.kx; x < (b+1)*g.kx; x++ {
				line[x] = i
			}
		}
		for y := 1; y < g.ky; y++ {
			copy(img.Pix[(row*g.ky+y)*img.Stride:][:cols], line)
		}
	}
	xmin, xmax, ymin, ymax := r.hm.DataRange()
	plotter.NewImage(img, xmin, ymin, xmax, ymax).Plot(c, p)
}

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
	// groups are the y of the lines between the base table's rows and
	// each index's.
	groups []float64
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
			sty := dashed
			if ln.model {
				sty = modelLineStyle
			}
			c.StrokeLine2(sty, xs(ln.x), y0, xs(ln.x), y1)
		}
	}
	sep := draw.LineStyle{Color: color.Black, Width: vg.Points(1.5)}
	for _, y := range h.groups {
		c.StrokeLine2(sep, c.Min.X, c.Y(p.Y.Norm(y)), c.Max.X, c.Y(p.Y.Norm(y)))
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
