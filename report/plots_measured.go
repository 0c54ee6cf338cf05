package report

import (
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"dbsim/scenarios"
	"dbsim/scenarios/cloudwatch"
)

// measuredPair is a metric both cloudwatch.json and the replayed export
// hold: the simulated and the measured values per period.
type measuredPair struct {
	name, stat    string
	sim, measured []float64
	period        float64 // seconds
}

// measuredPairs matches the run's CloudWatch metrics (whole table or
// system only) with the series of the replayed export of the same metric
// name: first the measured metrics the run did not replay (throttle
// events, say), then the replayed one itself when the run's statistic
// is the export's (consumed capacity: what was served beside what was
// asked). The export's values are taken at that statistic.
func measuredPairs(res *scenarios.Result) []measuredPair {
	if res == nil || res.Scenario == nil {
		return nil
	}
	t := res.Scenario.FirstTrace()
	if t == nil || t.Series.Label == "" && t.Series.ID == "" {
		return nil // a CSV holds only the replayed rate
	}
	ms, p, ok := cwMetrics(res)
	if !ok || p.period != t.Period() {
		return nil
	}
	byName := map[string]cwMetric{}
	for _, m := range ms {
		if m.subject == "" {
			byName[m.name] = m
		}
	}
	var out []measuredPair
	try := func(s cloudwatch.Series, replayed bool) {
		m, ok := byName[scenarios.MetricName(s)]
		if !ok || replayed && m.stat != t.Stat {
			return
		}
		out = append(out, measuredPair{name: m.name, stat: m.stat, sim: m.values, measured: s.Values, period: p.period.Seconds()})
	}
	for _, o := range t.Others {
		try(o, false)
	}
	try(t.Series, true)
	return out
}

// maxMeasuredPanels bounds the panels of the measured figure.
const maxMeasuredPanels = 2

// measuredFigure plots, where the replayed export holds a measured
// metric that the run's cloudwatch.json has too, the simulated values
// against the measured ones per period: one panel each, at most two;
// nil when there is none.
func measuredFigure(name string, res *scenarios.Result, marks *annotations) *Figure {
	pairs := measuredPairs(res)
	if len(pairs) == 0 {
		return nil
	}
	pairs = pairs[:min(len(pairs), maxMeasuredPanels)]
	var names []string
	for _, pr := range pairs {
		names = append(names, pr.name)
	}
	title := name + ": simulated against measured " + strings.Join(names, " and ") + " (per " + formatSpanShort(pairs[0].period) + ", the export's period)"
	f := newFigure("measured", title, ylabelOf(pairs[0]), marks)
	fill(f.p, &f.legend, f, pairs[0])
	if len(pairs) > 1 {
		f.p.X.Label.Text = "" // the lower panel's axis is labelled
		lowerMarks := f.marks.clone()
		lowerMarks.unlabelled = true
		f.lower = newPanel(ylabelOf(pairs[1]), lowerMarks)
		f.lowerLegend = newLegend()
		fill(f.lower, &f.lowerLegend, f, pairs[1])
	}
	return f
}

// ylabelOf is a panel's y label: the metric, its statistic and period.
func ylabelOf(pr measuredPair) string {
	return pr.name + " (" + pr.stat + ")"
}

// fill draws one pair on the panel p: simulated solid, measured dashed,
// y from 0.
func fill(p *plot.Plot, lg *plot.Legend, f *Figure, pr measuredPair) {
	d := &seriesData{n: max(len(pr.sim), len(pr.measured)), bucket: pr.period}
	addLineTo(p, lg, f.marks.ax, d, pr.sim, "simulated", lineStyle(0, 1.4))
	addLineTo(p, lg, f.marks.ax, d, pr.measured, "measured", lineStyle(1, 1.4, vg.Points(4), vg.Points(2)))
	hi := 0.0
	for _, ys := range [][]float64{pr.sim, pr.measured} {
		for _, y := range ys {
			if !math.IsNaN(y) && !math.IsInf(y, 0) {
				hi = math.Max(hi, y)
			}
		}
	}
	p.Y.Min, p.Y.Max = 0, math.Max(hi*1.08, 1)
	p.Y.Tick.Marker = linearTicks{}
}

// formatSpanShort writes a period: "60 s", "5 min", "1 h".
func formatSpanShort(secs float64) string {
	switch {
	case secs >= 3600 && math.Mod(secs, 3600) == 0:
		return formatCell(secs/3600) + " h"
	case secs >= 60 && math.Mod(secs, 60) == 0 && secs != 60:
		return formatCell(secs/60) + " min"
	}
	return formatCell(secs) + " s"
}
