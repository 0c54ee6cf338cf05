package report

import (
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"dbsim/models/cluster"
	"dbsim/scenarios"
	"dbsim/sim"
)

// annotations mark the events of replication 0 on every plot: shaded
// windows (faults, failovers from failure to clients ok, warmup) and
// dashed vertical lines (failover phases), labelled in one row in a strip
// above the data area, each label joined to its line by a leader. Times
// are in seconds since the start of the run; ax places them.
type annotations struct {
	ax     timeAxis
	bands  []band
	labels []label
	lines  []phaseLine
	style  text.Style
	// faults, failovers and saturations tell whether those bands exist,
	// for the legend; overlaps are the pairs of them that overlap, whose
	// shades mix into a colour of their own.
	faults, failovers, saturations bool
	// restores tells whether a recovery from a backup or another Region
	// has its band (a restore, not an outage: the application may carry
	// on with the damaged database meanwhile).
	restores bool
	overlaps []overlap
	// models are the events the model marked (a split, a scale-up, a
	// repair), which each figure shows those of it concerns
	// (Figure.showMarks); modelShown tells whether this figure does.
	models     []modelMark
	modelShown bool
	// unlabelled draws the windows and lines only: the labels are on the
	// panel above.
	unlabelled bool
}

// phaseLine is a failover phase's time and its label's index.
type phaseLine struct {
	x     float64
	label int
	model bool // a model's event (modelMark), drawn apart from the phases
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
		end = d.start(d.n)
	}
	if res != nil && res.Scenario != nil && res.Scenario.Warmup > 0 {
		w := res.Scenario.Warmup.D().Seconds()
		a.bands = append(a.bands, band{x0: 0, x1: w, fill: colorWarmup})
		a.labels = append(a.labels, label{x: w / 2, text: "warmup", color: colorWarmTx, prio: 1})
	}
	if res == nil || len(res.Replications) == 0 || res.Replications[0] == nil {
		return a
	}
	rep := res.Replications[0]
	a.models = modelMarks(rep.Events)
	seconds := func(t sim.Time) float64 { return t.Seconds() }

	starts := map[sim.Time]string{} // fault start -> its label
	for _, fw := range rep.Faults {
		x1 := seconds(fw.End)
		if fw.End < fw.Start {
			x1 = math.Max(end, seconds(fw.Start)) // still active when the run ended
		}
		if x1 > seconds(fw.Start) { // an instant fault is a labelled line, not a band
			a.bands = append(a.bands, band{x0: seconds(fw.Start), x1: x1, fill: colorFault})
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
				x1 = seconds(stop)
			}
			fill := colorOutage
			if fo.Restore != nil {
				fill = colorRestore
				a.restores = true
			} else {
				a.failovers = true
			}
			a.bands = append(a.bands, band{x0: seconds(fo.Start), x1: x1, fill: fill})
		}
		phases := []struct {
			t    sim.Time
			text string
			prio int
		}{
			{fo.Start, "failure", 0},
			{fo.Detected, "detected", 2},
			{fo.Promoted, "promoted", 2},
			{fo.Accepting, "writes ok", 1},
			{fo.ClientsRecovered, "clients ok", 0},
		}
		if fo.Restore != nil {
			// A recovery: when the restored writer accepts writes.
			phases[1].t, phases[2].t, phases[3].text = cluster.Never, cluster.Never, "restored"
			if fo.Detected > fo.Start {
				phases[1].t, phases[1].text = fo.Detected, "restore started"
			}
		}
		for _, ph := range phases {
			if ph.t < 0 {
				continue
			}
			a.lines = append(a.lines, phaseLine{x: seconds(ph.t), label: len(a.labels)})
			l := label{x: seconds(ph.t), text: ph.text, color: colorPhase, prio: ph.prio}
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
		a.bands = append(a.bands, band{x0: seconds(e.Start), x1: seconds(e.End), fill: colorSatur})
		a.labels = append(a.labels, label{x: seconds(e.Start), text: e.Name + " saturated", color: colorSaturTx, prio: 1})
		a.saturations = true
	}
	// Faults that started no failover get their own label.
	for _, fw := range rep.Faults {
		if t := starts[fw.Start]; t != "" {
			a.labels = append(a.labels, label{x: seconds(fw.Start), text: t, color: colorFaultTx, prio: 0})
			delete(starts, fw.Start)
		}
	}
	// Rate changes: where the offered load steps (a burst, a pause).
	if sc := res.Scenario; sc != nil {
		for _, w := range sc.Workload {
			for _, rc := range w.RateChanges {
				text := "rate " + rateText(float64(rc.Rate))
				if len(sc.Workload) > 1 {
					text = w.Name + " " + text
				}
				x := rc.At.D().Seconds()
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
					x := u.At.D().Seconds()
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
	a.findOverlaps()
	return a
}

// overlap is a pair of shaded windows that overlap somewhere, for the
// legend: their names and fills.
type overlap struct {
	text  string
	fills []color.Color
}

// bandNames are the legend names of the shaded windows, in legend order.
var bandNames = []struct {
	fill color.Color
	name string
}{{colorFault, "fault"}, {colorOutage, "failover"}, {colorRestore, "restore"}, {colorSatur, "saturated"}}

// findOverlaps lists, in legend order, every pair of kinds of shaded
// window (two faults, a fault and a failover, ...) that overlap in
// time: translucent shades laid over each other make a colour the
// legend must name too.
func (a *annotations) findOverlaps() {
	a.overlaps = nil
	kind := func(b band) int {
		for i, n := range bandNames {
			if n.fill == b.fill {
				return i
			}
		}
		return -1
	}
	seen := map[[2]int]bool{}
	for i, b := range a.bands {
		for _, o := range a.bands[i+1:] {
			ki, ko := kind(b), kind(o)
			if ki < 0 || ko < 0 || math.Min(b.x1, o.x1) <= math.Max(b.x0, o.x0) {
				continue
			}
			seen[[2]int{min(ki, ko), max(ki, ko)}] = true
		}
	}
	for i, n := range bandNames {
		for j := i; j < len(bandNames); j++ {
			if !seen[[2]int{i, j}] {
				continue
			}
			text := n.name + " + " + bandNames[j].name
			if i == j {
				text = "two " + n.name + "s at once"
				if n.name == "saturated" {
					text = "two instances saturated"
				}
			}
			a.overlaps = append(a.overlaps, overlap{text: text, fills: []color.Color{n.fill, bandNames[j].fill}})
		}
	}
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

// clone returns a copy of a with its own labels (which layout modifies)
// and lines (which showMarks adds to).
func (a *annotations) clone() *annotations {
	b := *a
	b.labels = append([]label(nil), a.labels...)
	b.lines = append([]phaseLine(nil), a.lines...)
	return &b
}

// addLegend adds the shaded windows to the legend.
func (a *annotations) addLegend(lg *plot.Legend) {
	if a.faults {
		lg.Add("fault", boxThumb(colorFault))
	}
	if a.failovers {
		lg.Add("failover", boxThumb(colorOutage))
	}
	if a.restores {
		lg.Add("restore", boxThumb(colorRestore))
	}
	if a.saturations {
		lg.Add("saturated", boxThumb(colorSatur))
	}
	for _, o := range a.overlaps {
		lg.Add(o.text, boxThumb(o.fills...))
	}
	if a.modelShown {
		lg.Add("model event", lineThumb(modelLineStyle))
	}
}

// boxThumb is a legend thumbnail for a shaded window: its fills laid
// over each other, as where windows overlap.
func boxThumb(fills ...color.Color) plot.Thumbnailer { return boxThumbnail{fills} }

type boxThumbnail struct{ fills []color.Color }

func (b boxThumbnail) Thumbnail(c *draw.Canvas) {
	for _, f := range b.fills {
		c.FillPolygon(f, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
	}
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
// not all fit in the width, the most important are kept first (faults,
// failures, clients ok, a model's repair, pause or resume), then as many
// of the next (warmup, writes ok, rate changes, saturation) as fit, in
// time order, then of the last (detected, promoted, scaling, splits);
// the lines of those left out are still drawn. It returns the height the
// strip needs.
func (a *annotations) layout(c draw.Canvas, p *plot.Plot) vg.Length {
	// Labels may reach over the y axis's labels and over the legend
	// column, both of which start below the strip.
	left, right := c.Min.X-vg.Points(25), c.Max.X+vg.Points(40)
	for i := range a.labels {
		l := &a.labels[i]
		l.shown = false
		l.tw = a.style.Width(l.text)
		l.w = l.tw * fontSlack
	}
	kept := false
	for prio := 0; prio <= maxPrio; prio++ {
		for i := range a.labels {
			l := &a.labels[i]
			if x := a.ax.x(l.x); l.prio != prio || x < p.X.Min || x > p.X.Max {
				continue
			}
			l.shown = true
			if !a.place(a.shownIdx(), c, p, left, right) {
				l.shown = false
				continue
			}
			kept = true
		}
	}
	if !kept {
		return 0
	}
	a.place(a.shownIdx(), c, p, left, right) // the positions of the set kept
	return a.leaderHeight() + a.rowHeight()
}

// shownIdx are the indices of the labels shown, in line order.
func (a *annotations) shownIdx() []int {
	var idx []int
	for i := range a.labels {
		if a.labels[i].shown {
			idx = append(idx, i)
		}
	}
	return idx
}

// place lays out the labels idx (in line order) between left and right,
// reporting whether they fit.
func (a *annotations) place(idx []int, c draw.Canvas, p *plot.Plot, left, right vg.Length) bool {
	sep := vg.Points(labelSep)
	// want is the left edge that centers label k on its line; off is its
	// offset within its run.
	want := func(k int) vg.Length { l := a.labels[idx[k]]; return c.X(p.X.Norm(a.ax.x(l.x))) - l.tw/2 }
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
	xs := func(x float64) vg.Length { return c.X(p.X.Norm(a.ax.x(x))) }
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
		if x := a.ax.x(ln.x); x < p.X.Min || x > p.X.Max {
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
			sty := dashed
			if ln.model {
				sty = modelLineStyle
			}
			c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
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

// lastTime is the time of the last window edge, line or label, in
// seconds: something happened then.
func (a *annotations) lastTime() float64 {
	last := 0.0
	for _, b := range a.bands {
		last = math.Max(last, math.Max(b.x0, b.x1))
	}
	for _, l := range a.labels {
		last = math.Max(last, l.x)
	}
	for _, l := range a.lines {
		last = math.Max(last, l.x)
	}
	for _, m := range a.models {
		last = math.Max(last, m.at)
	}
	return last
}

// rateText writes an offered rate of requests per second for a label:
// "2,000 req/s", so that no one reads it off a capacity axis.
func rateText(perSec float64) string {
	if perSec == math.Trunc(perSec) && perSec < 1e15 {
		return thousands(int64(perSec)) + " req/s"
	}
	return strconv.FormatFloat(perSec, 'g', 4, 64) + " req/s"
}

// modelMark is one event the model marked (a narrative event with a
// cluster.Mark): when (seconds), its kind and its short label.
type modelMark struct {
	at   float64
	kind cluster.Mark
	text string
}

// modelMarks are the marked events of a replication's narrative.
func modelMarks(events []cluster.Event) []modelMark {
	var out []modelMark
	for _, e := range events {
		if e.Mark != cluster.NoMark && e.Label != "" {
			out = append(out, modelMark{at: e.At.Seconds(), kind: e.Mark, text: e.Label})
		}
	}
	return out
}

// Colours of the model's events: a dark green dotted line and label,
// apart from the failover phases (grey, dashed) and faults (red).
var (
	colorModel     = color.NRGBA{R: 0, G: 110, B: 80, A: 255}
	modelLineStyle = draw.LineStyle{Color: colorModel, Width: vg.Points(0.9), Dashes: []vg.Length{vg.Points(1), vg.Points(1.5)}}
)

// showMarks draws on f, as labelled dotted lines, the model's events of
// the given kinds. A repair, a pause or a resume is labelled as readily
// as a fault when not all fit; scaling, splits and on-demand peaks, which
// may be many, after the rest.
func (f *Figure) showMarks(kinds ...cluster.Mark) {
	a := f.marks
	for _, m := range a.models {
		if !slices.Contains(kinds, m.kind) {
			continue
		}
		prio := 0 // what ends a stall, a pause
		if m.kind == cluster.ScaleUp || m.kind == cluster.ScaleDown || m.kind == cluster.HeatSplit || m.kind == cluster.PeakRaised {
			prio = 2
		}
		a.lines = append(a.lines, phaseLine{x: m.at, label: len(a.labels), model: true})
		a.labels = append(a.labels, label{x: m.at, text: m.text, color: colorModel, prio: prio})
		a.modelShown = true
	}
	sortLabels(a)
}
