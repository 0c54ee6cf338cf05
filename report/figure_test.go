package report

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"dbsim/models/cluster"
	"dbsim/models/metric"
)

// canvasOf is an empty canvas of the figure's size, to lay it out on.
func canvasOf(f *Figure) draw.Canvas {
	return draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: plotWidth, Y: f.height()}}}
}

// dataArea is where f draws its data on c (the upper panel's of two).
func dataArea(f *Figure, c draw.Canvas) draw.Canvas {
	fr := f.frame(c)
	if f.lower == nil {
		return f.p.DataCanvas(fr.plot)
	}
	cs := plot.Align([][]*plot.Plot{{f.p}, {f.lower}}, draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(8)}, fr.plot)
	return f.p.DataCanvas(cs[0][0])
}

// figureSets are the figures of a page each: an RDS run's, a DynamoDB
// run's (both under long names) and a comparison's.
func figureSets(t *testing.T) map[string][]*Figure {
	rds := testResult()
	rds.Scenario.Name = "order-processing-aurora-with-a-long-descriptive-name"
	ddb := dynamoResult(84, 16)
	ddb.Scenario.Name = "dynamodb-gsi-backpressure-and-a-hot-partition-together"
	return map[string][]*Figure{"rds": Plots(rds), "dynamodb": Plots(ddb), "compare": ComparePlots(testComparison())}
}

func TestNoTitleIsClipped(t *testing.T) {
	for set, figs := range figureSets(t) {
		for _, f := range figs {
			c := canvasOf(f)
			fr := f.frame(c)
			assert.NotEmpty(t, fr.title, "%s/%s", set, f.Name)
			for _, l := range fr.title {
				w := titleStyle.Width(l) * fontSlack
				assert.GreaterOrEqual(t, fr.titleAt.X, c.Min.X, "%s/%s: %q starts on the canvas", set, f.Name, l)
				assert.LessOrEqual(t, fr.titleAt.X+w, c.Max.X, "%s/%s: %q (%.0f pt) ends on the canvas (%.0f pt)",
					set, f.Name, l, float64(fr.titleAt.X+w), float64(c.Max.X))
			}
			// Nothing of the title is lost: its words, in order.
			assert.Equal(t, len(splitWords(f.Title)), len(splitWords(joinLines(fr.title))), "%s/%s", set, f.Name)
		}
	}
}

func TestFiguresOfAPageLineUp(t *testing.T) {
	for set, figs := range figureSets(t) {
		var x0, x1 vg.Length
		for i, f := range figs {
			da := dataArea(f, canvasOf(f))
			if i == 0 {
				x0, x1 = da.Min.X, da.Max.X
				continue
			}
			assert.InDelta(t, float64(x0), float64(da.Min.X), 0.01, "%s/%s: the data area starts where the first figure's does", set, f.Name)
			assert.InDelta(t, float64(x1), float64(da.Max.X), 0.01, "%s/%s: and ends where it does", set, f.Name)
		}
	}
}

func TestWrapText(t *testing.T) {
	sty := titleStyle
	w := sty.Width("a title that is wide") * fontSlack
	assert.Equal(t, []string{"short"}, wrapText(sty, "short", w))
	assert.Equal(t, []string{"a title that is wide", "and more", "second"}, wrapText(sty, "a title that is wide and more\nsecond", w))
	for _, l := range wrapText(sty, "averyveryveryverylongwordthatcannotfitanywhereatall", w) {
		assert.LessOrEqual(t, sty.Width(l)*fontSlack, w, l)
	}
}

func splitWords(s string) []string { return strings.Fields(s) }
func joinLines(ls []string) string { return strings.Join(ls, " ") }

func TestOverlappingWindowsHaveALegendEntry(t *testing.T) {
	// testResult's crash (5:00–6:00) lies inside its failover (5:00 to
	// clients ok at 6:35): the mixed shade is in the legend.
	f := figureNamed(Plots(testResult()), "availability")
	svg := svgOf(t, f)
	assert.Contains(t, svg, ">fault + failover<")
	assert.NotContains(t, svg, "two faults at once")
	// Two faults at once, as aurora-az-plus-one's AZ outage and storage
	// node failure.
	a := &annotations{bands: []band{{x0: 180, x1: 420, fill: colorFault}, {x0: 240, x1: 360, fill: colorFault}, {x0: 500, x1: 510, fill: colorOutage}}}
	a.findOverlaps()
	require.Len(t, a.overlaps, 1)
	assert.Equal(t, "two faults at once", a.overlaps[0].text)
}

func TestModelMarksGoWhereTheyBelong(t *testing.T) {
	res := testResult()
	d := newSeriesData(res.Replications[0])
	marks := newAnnotations(res, d)
	marks.models = []modelMark{{at: 255, kind: cluster.Repaired, text: "segment re-replicated: writes resume"},
		{at: 420, kind: cluster.ScaleUp, text: "scaled up to 4 ACU"}}
	marks.ax = runTimeAxis(d, marks)
	lat := latencyFigure("run", d, marks)
	lat.showMarks(cluster.Repaired, cluster.Paused, cluster.Resumed)
	lat.marks.addLegend(&lat.legend)
	svg := svgOf(t, lat)
	assert.Contains(t, svg, ">segment re-replicated: writes resume<")
	assert.NotContains(t, svg, "scaled up", "scaling belongs on the capacity figure")
	assert.Contains(t, svg, ">model event<")
	capf := capacityFigure("run", res.Scenario, d, d.ofKind(metric.CapacityACU), marks)
	assert.Contains(t, svgOf(t, capf), ">scaled up to 4 ACU<")
	// The shared marks are not changed by a figure's.
	assert.Len(t, marks.lines, len(newAnnotations(res, d).lines))
}

func TestTheStallEndIsMarked(t *testing.T) {
	// aurora-az-plus-one: writes stall from 4:00 until a segment of the
	// protection group is re-replicated at 4:15; the request figures say
	// so where it happens.
	figs := Plots(bundledResult(t, "aurora-az-plus-one"))
	for _, name := range []string{"latency", "availability", "throughput"} {
		f := figureNamed(figs, name)
		require.NotNil(t, f)
		found := false
		for _, ln := range f.marks.lines {
			l := f.marks.labels[ln.label]
			if ln.model && l.color == colorModel && math.Abs(ln.x-255) < 1 {
				found = true
				assert.Contains(t, svgOf(t, f), ">"+l.text+"<", "%s labels it", name)
			}
		}
		assert.True(t, found, "%s marks the repair at 4:15", name)
	}
}

func TestPauseAndResumeAreMarked(t *testing.T) {
	f := figureNamed(Plots(bundledResult(t, "serverless-scale-to-zero")), "capacity")
	require.NotNil(t, f)
	svg := svgOf(t, f)
	assert.Contains(t, svg, ">writer paused<")
	assert.Contains(t, svg, ">writer resumed<")
	assert.Contains(t, svg, ">rate 300 req/s<", "with the rate changes, all labelled")
}
