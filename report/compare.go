package report

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"dbsim/scenarios"
	"dbsim/scenarios/pricing"
	"dbsim/sim"
)

// A comparison runs one workload through several systems (dbsim compare)
// and reports them side by side: compare.csv and compare.json (one row per
// system), a text table, plots with one line per system, and compare.html.

// Comparison is several finished runs to report side by side.
type Comparison struct {
	// Name titles the comparison: a bundled comparison's name, or "" for
	// the scenario names joined with "vs".
	Name string
	// Results are the runs, in the order given; each names its scenario.
	Results []*scenarios.Result
	// Warnings say why the runs may not be comparable (different seeds or
	// workloads); empty when they saw the same requests.
	Warnings []string
	// Prices prices every run (nil: the built-in table).
	Prices *pricing.Prices
}

// Title is c.Name, or "A vs B vs C" from the scenario names.
func (c *Comparison) Title() string {
	if c.Name != "" {
		return c.Name
	}
	var names []string
	for _, r := range c.Results {
		names = append(names, resultName(r))
	}
	return strings.Join(names, " vs ")
}

func resultName(r *scenarios.Result) string {
	if r != nil && r.Scenario != nil && r.Scenario.Name != "" {
		return r.Scenario.Name
	}
	return "run"
}

// CompareSummary is the content of compare.json.
type CompareSummary struct {
	Name string `json:"name"`
	// Comparable is true when there are no warnings: the systems saw the
	// same arrivals (same seed, same workload, same faults and window).
	Comparable bool     `json:"comparable"`
	Warnings   []string `json:"warnings"`
	// Systems has one row per run, in the order given.
	Systems []CompareRow `json:"systems"`
}

// CompareRow is one system of a comparison: an object of compare.json and
// a row of compare.csv (whose columns are the JSON keys, with
// availability_ci95 split into _lo and _hi). Latencies are client-seen, of
// successful requests, merged over replications, as in summary.json.
type CompareRow struct {
	Scenario     string `json:"scenario"`
	System       string `json:"system"`
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	// SimulatedSeconds is the measured span of one replication.
	SimulatedSeconds scenarios.Number `json:"simulated_seconds"`
	// Requests is the total over replications.
	Requests   int64            `json:"requests"`
	ReadP50MS  scenarios.Number `json:"read_p50_ms"`
	ReadP99MS  scenarios.Number `json:"read_p99_ms"`
	ReadP999MS scenarios.Number `json:"read_p999_ms"`
	WriteP50MS scenarios.Number `json:"write_p50_ms"`
	WriteP99MS scenarios.Number `json:"write_p99_ms"`
	// WriteP999MS is the 99.9th percentile of successful writes.
	WriteP999MS scenarios.Number `json:"write_p999_ms"`
	// Availability is the mean over replications of ok/total, with its
	// Student-t 95% interval.
	Availability     scenarios.Number    `json:"availability"`
	AvailabilityCI95 [2]scenarios.Number `json:"availability_ci95"`
	// DowntimeS is the client-seen downtime per replication: (1 −
	// availability) × SimulatedSeconds, the seconds of full outage that
	// would fail as many requests.
	DowntimeS scenarios.Number `json:"downtime_s"`
	// Failovers counts the failovers of every replication.
	Failovers int `json:"failovers"`
	// FailoverDurationS is the mean engine-side failover (failure to
	// writes accepted); null without a failover.
	FailoverDurationS scenarios.Number `json:"failover_duration_s"`
	// ClientOutageS is the mean failover outage the clients saw (failure
	// to every client writing again); null without one.
	ClientOutageS scenarios.Number `json:"client_outage_s"`
	// LostWrites is the total over replications of acknowledged writes
	// the system lost.
	LostWrites int64 `json:"lost_writes"`
	// CostUSDMonth is the monthly list price (summary.json's
	// cost_monthly.total_usd); null when the price table cannot price the
	// system.
	CostUSDMonth scenarios.Number `json:"cost_usd_month"`
	// CostEstimated is true when some price was extrapolated.
	CostEstimated bool `json:"cost_estimated"`
	// DBUtilization is the mean utilization of the busiest database
	// instance over the measured window; null for systems without
	// instances (DynamoDB).
	DBUtilization scenarios.Number `json:"db_utilization_mean"`
	// CacheHitRatio is the hit ratio of the cache in front of the system;
	// null without one.
	CacheHitRatio scenarios.Number `json:"cache_hit_ratio"`
}

// SummarizeComparison reduces each run of c to its CompareRow, from the
// same Summary that dbsim run writes.
func SummarizeComparison(c *Comparison) *CompareSummary {
	cs := &CompareSummary{Name: c.Title(), Comparable: len(c.Warnings) == 0,
		Warnings: append([]string{}, c.Warnings...), Systems: []CompareRow{}}
	for _, res := range c.Results {
		cs.Systems = append(cs.Systems, compareRow(Summarize(res, c.Prices)))
	}
	return cs
}

func compareRow(s *Summary) CompareRow {
	r := CompareRow{
		Scenario: s.Scenario, System: s.System, Seed: s.Seed, Replications: s.Replications,
		SimulatedSeconds: s.SimulatedSeconds, Requests: s.Requests.Total,
		ReadP50MS: s.LatencyMS.Read.P50, ReadP99MS: s.LatencyMS.Read.P99, ReadP999MS: s.LatencyMS.Read.P999,
		WriteP50MS: s.LatencyMS.Write.P50, WriteP99MS: s.LatencyMS.Write.P99, WriteP999MS: s.LatencyMS.Write.P999,
		Availability: s.Availability, AvailabilityCI95: s.AvailabilityCI95,
		DowntimeS: scenarios.Null, Failovers: len(s.Failovers), FailoverDurationS: scenarios.Null, ClientOutageS: scenarios.Null,
		LostWrites: s.LostWrites, CostUSDMonth: scenarios.Null,
		DBUtilization: scenarios.Null, CacheHitRatio: scenarios.Null,
	}
	for _, u := range s.Utilization {
		if !r.DBUtilization.Valid() || u.Mean > r.DBUtilization {
			r.DBUtilization = u.Mean
		}
	}
	if s.Cache != nil {
		r.CacheHitRatio = s.Cache.HitRatio
	}
	if s.Availability.Valid() && s.SimulatedSeconds.Valid() {
		r.DowntimeS = seconds((1 - float64(s.Availability)) * float64(s.SimulatedSeconds))
	}
	if s.FailoverDurationS != nil {
		r.FailoverDurationS = s.FailoverDurationS.Mean
	}
	if s.ClientOutageS != nil {
		r.ClientOutageS = s.ClientOutageS.Mean
	}
	if c := s.CostMonthly; c != nil && !c.Partial {
		r.CostUSDMonth = scenarios.Number(c.TotalUSD)
		r.CostEstimated = c.Estimated
	}
	return r
}

// WriteCompareJSON writes compare.json: indented, with a trailing newline.
func WriteCompareJSON(w io.Writer, cs *CompareSummary) error {
	b, err := json.MarshalIndent(cs, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// compareColumns are the columns of compare.csv.
var compareColumns = []string{"scenario", "system", "seed", "replications", "simulated_seconds", "requests",
	"read_p50_ms", "read_p99_ms", "read_p999_ms", "write_p50_ms", "write_p99_ms", "write_p999_ms",
	"availability", "availability_ci95_lo", "availability_ci95_hi", "downtime_s",
	"failovers", "failover_duration_s", "client_outage_s", "lost_writes", "cost_usd_month", "cost_estimated",
	"db_utilization_mean", "cache_hit_ratio"}

// WriteCompareCSV writes compare.csv: a header, then one row per system
// in the order given, with the values of compare.json (an undefined value
// is an empty cell).
func WriteCompareCSV(w io.Writer, cs *CompareSummary) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(compareColumns); err != nil {
		return err
	}
	for _, r := range cs.Systems {
		n := func(v scenarios.Number) string { return formatCell(float64(v)) }
		i := func(v int64) string { return strconv.FormatInt(v, 10) }
		row := []string{r.Scenario, r.System, strconv.FormatUint(r.Seed, 10), i(int64(r.Replications)),
			n(r.SimulatedSeconds), i(r.Requests),
			n(r.ReadP50MS), n(r.ReadP99MS), n(r.ReadP999MS), n(r.WriteP50MS), n(r.WriteP99MS), n(r.WriteP999MS),
			fractionCell(r.Availability), fractionCell(r.AvailabilityCI95[0]), fractionCell(r.AvailabilityCI95[1]),
			n(r.DowntimeS), i(int64(r.Failovers)), n(r.FailoverDurationS), n(r.ClientOutageS), i(r.LostWrites),
			usdCell(r.CostUSDMonth), strconv.FormatBool(r.CostEstimated),
			fractionCell(r.DBUtilization), fractionCell(r.CacheHitRatio)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// fractionCell formats an availability to 9 decimals, as summary.json.
func fractionCell(v scenarios.Number) string {
	if !v.Valid() {
		return ""
	}
	return strconv.FormatFloat(roundDec(float64(v), fractionDecimals), 'f', -1, 64)
}

func usdCell(v scenarios.Number) string {
	if !v.Valid() {
		return ""
	}
	return strconv.FormatFloat(float64(v), 'f', 2, 64)
}

// compareLine is one line of the side-by-side table: a label and one
// cell per system.
type compareLine struct {
	label string
	cells []string
}

// compareLines are the rows of the text table and of compare.html's
// table, in reading order.
func compareLines(cs *CompareSummary) []compareLine {
	var lines []compareLine
	add := func(label string, cell func(r CompareRow) string) {
		l := compareLine{label: label}
		for _, r := range cs.Systems {
			l.cells = append(l.cells, cell(r))
		}
		lines = append(lines, l)
	}
	add("system", func(r CompareRow) string { return orDash(r.System) })
	add("read p50 (ms)", func(r CompareRow) string { return num(r.ReadP50MS) })
	add("read p99 (ms)", func(r CompareRow) string { return num(r.ReadP99MS) })
	add("read p99.9 (ms)", func(r CompareRow) string { return num(r.ReadP999MS) })
	add("write p50 (ms)", func(r CompareRow) string { return num(r.WriteP50MS) })
	add("write p99 (ms)", func(r CompareRow) string { return num(r.WriteP99MS) })
	add("write p99.9 (ms)", func(r CompareRow) string { return num(r.WriteP999MS) })
	some := func(f func(r CompareRow) scenarios.Number) bool {
		for _, r := range cs.Systems {
			if f(r).Valid() {
				return true
			}
		}
		return false
	}
	if some(func(r CompareRow) scenarios.Number { return r.DBUtilization }) {
		add("db utilization (mean)", func(r CompareRow) string { return pct(r.DBUtilization) })
	}
	if some(func(r CompareRow) scenarios.Number { return r.CacheHitRatio }) {
		add("cache hit ratio", func(r CompareRow) string { return percent(r.CacheHitRatio) })
	}
	add("availability", func(r CompareRow) string { return percent(r.Availability) })
	add("  95% CI", func(r CompareRow) string {
		if r.Replications < 2 {
			return "-"
		}
		return percent(r.AvailabilityCI95[0]) + " – " + percent(r.AvailabilityCI95[1])
	})
	add("downtime per run", func(r CompareRow) string { return secs(r.DowntimeS) })
	add("failovers, all runs", func(r CompareRow) string { return strconv.Itoa(r.Failovers) })
	add("  engine (mean)", func(r CompareRow) string { return secs(r.FailoverDurationS) })
	add("  clients (mean)", func(r CompareRow) string { return secs(r.ClientOutageS) })
	add("lost writes, all runs", func(r CompareRow) string { return thousands(r.LostWrites) })
	add("cost per month", func(r CompareRow) string {
		if !r.CostUSDMonth.Valid() {
			return "not priced"
		}
		s := "$" + strconv.FormatFloat(float64(r.CostUSDMonth), 'f', 2, 64)
		if r.CostEstimated {
			s += " (est.)"
		}
		return s
	})
	return lines
}

// WriteCompareText writes the comparison for the terminal: the warnings,
// then a table with one column per system (aligned with a tabwriter).
func WriteCompareText(w io.Writer, cs *CompareSummary) error {
	for _, warn := range cs.Warnings {
		if _, err := fmt.Fprintf(w, "warning: %s\n", warn); err != nil {
			return err
		}
	}
	if len(cs.Warnings) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, cs.Name+": "+compareHeadline(cs))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{""}
	for _, r := range cs.Systems {
		head = append(head, r.Scenario)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, l := range compareLines(cs) {
		fmt.Fprintln(tw, l.label+"\t"+strings.Join(l.cells, "\t"))
	}
	return tw.Flush()
}

// compareHeadline says what was run: "seed 42, 3 replications of 690.0 s
// measured each; same workload and faults, same arrivals".
func compareHeadline(cs *CompareSummary) string {
	var b strings.Builder
	seeds, reps, secsSet := map[uint64]bool{}, map[int]bool{}, map[scenarios.Number]bool{}
	for _, r := range cs.Systems {
		seeds[r.Seed], reps[r.Replications], secsSet[r.SimulatedSeconds] = true, true, true
	}
	if len(cs.Systems) > 0 && len(seeds) == 1 && len(reps) == 1 && len(secsSet) == 1 {
		r := cs.Systems[0]
		word := "replications"
		if r.Replications == 1 {
			word = "replication"
		}
		fmt.Fprintf(&b, "seed %d, %d %s of %s measured each; ", r.Seed, r.Replications, word, secs(r.SimulatedSeconds))
	}
	if cs.Comparable {
		b.WriteString("same workload and faults, same arrivals")
	} else {
		b.WriteString("NOT the same requests (see the warnings)")
	}
	return b.String()
}

// --- plots ---

// ComparePlots returns the overlaid figures of c's replication 0: write
// p99 latency ("compare-write-p99") and availability
// ("compare-availability") over time, one line per system in the order
// given (system i in the same colour and dash in both), with the warmup and
// the fault windows shaded.
func ComparePlots(c *Comparison) []*Figure {
	data := make([]*seriesData, len(c.Results))
	end := 0.0
	for i, res := range c.Results {
		if series0(res) != nil {
			data[i] = newSeriesData(rep0(res)).settle(res.Scenario)
			end = math.Max(end, data[i].start(data[i].n))
		}
	}
	marks := compareAnnotations(c)
	marks.ax = newTimeAxis(end) // the longest run, whole: the same axis as each run's own figures
	figs := []*Figure{compareLatencyFigure(c, data, marks), compareAvailabilityFigure(c, data, marks)}
	for _, f := range figs {
		marks.addLegend(&f.legend)
	}
	alignFigures(figs)
	return figs
}

// compareStyle is system i's line: the palette's colour i and a dash
// pattern of its own, so that lines that coincide (every system at 100%
// before the fault) still show each system.
func compareStyle(i int) draw.LineStyle {
	dashes := [][]vg.Length{
		nil,
		{vg.Points(6), vg.Points(3)},
		{vg.Points(2), vg.Points(2)},
		{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)},
	}
	return draw.LineStyle{Color: palette[i%len(palette)], Width: vg.Points(1.5), Dashes: dashes[i%len(dashes)]}
}

// compareAnnotations shade the warmup (of the first run) and every fault
// window of the runs' replication 0 (the same window once), each labelled.
func compareAnnotations(c *Comparison) *annotations {
	a := &annotations{style: textStyle(labelSize, colorPhase)}
	if len(c.Results) == 0 || c.Results[0] == nil || c.Results[0].Scenario == nil {
		return a
	}
	if w := c.Results[0].Scenario.Warmup; w > 0 {
		m := w.D().Seconds()
		a.bands = append(a.bands, band{x0: 0, x1: m, fill: colorWarmup})
		a.labels = append(a.labels, label{x: m / 2, text: "warmup", color: colorWarmTx, prio: 1})
	}
	seen := map[scenarios.FaultWindow]bool{}
	labelled := map[sim.Time]bool{}
	for _, res := range c.Results {
		if res == nil || len(res.Replications) == 0 || res.Replications[0] == nil {
			continue
		}
		rep := res.Replications[0]
		end := 0.0
		if res.Scenario != nil {
			end = res.Scenario.Duration.D().Seconds()
		}
		for _, fw := range rep.Faults {
			if seen[fw] {
				continue
			}
			seen[fw] = true
			x0, x1 := fw.Start.Seconds(), fw.End.Seconds()
			if fw.End < fw.Start {
				x1 = math.Max(end, x0) // still active when the run ended
			}
			if x1 > x0 {
				a.bands = append(a.bands, band{x0: x0, x1: x1, fill: colorFault})
				a.faults = true
			} else {
				a.lines = append(a.lines, phaseLine{x: x0, label: len(a.labels)})
			}
			if !labelled[fw.Start] {
				labelled[fw.Start] = true
				a.labels = append(a.labels, label{x: x0, text: fw.Label, color: colorFaultTx, prio: 0})
			}
		}
	}
	sortLabels(a)
	a.findOverlaps()
	return a
}

// compareLatencyFigure: each system's write p99 per bucket on a log axis
// (as latencyFigure). A bucket where no write succeeded has no value: the
// line breaks there.
func compareLatencyFigure(c *Comparison, data []*seriesData, marks *annotations) *Figure {
	f := newFigure("compare-write-p99", c.Title()+": write p99 latency\nof the writes that succeeded (a gap: none did)",
		"write p99 latency (ms, log scale)", marks)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, d := range data {
		if d == nil {
			continue
		}
		ys := d.column(sim.LatencyColumn(scenarios.Writes, sim.P99))
		for b, y := range ys {
			if y > 0 && !math.IsInf(y, 0) {
				ys[b] = math.Log10(y)
				lo, hi = math.Min(lo, ys[b]), math.Max(hi, ys[b])
			} else {
				ys[b] = math.NaN()
			}
		}
		f.addLine(d, ys, resultName(c.Results[i]), compareStyle(i))
	}
	setLogAxis(f, lo, hi)
	return f
}

// compareAvailabilityFigure: each system's ok/(ok+failed) per bucket in %,
// on an axis from availabilityFloor of the worst bucket of any system to
// 100; faint where the requests of a bucket could still have been in
// flight at the end (as availabilityFigure).
func compareAvailabilityFigure(c *Comparison, data []*seriesData, marks *annotations) *Figure {
	f := newFigure("compare-availability", c.Title()+": availability by arrival time",
		"availability (%)", marks)
	worst := 100.0
	tail := false
	for i, d := range data {
		if d == nil {
			continue
		}
		ys := make([]float64, d.n)
		for b := range ys {
			ys[b] = 100 * d.availability(b)
			if !math.IsNaN(ys[b]) {
				worst = math.Min(worst, ys[b])
			}
		}
		tail = f.addSettledLine(d, ys, resultName(c.Results[i]), compareStyle(i)) || tail
	}
	if tail {
		f.addUnsettledLegend("at the end")
	}
	f.p.Y.Min, f.p.Y.Max = availabilityFloor(worst), 100
	f.p.Y.Max += (f.p.Y.Max - f.p.Y.Min) * 0.02
	f.p.Y.Tick.Marker = percentTicks{}
	return f
}

// --- the page ---

// WriteCompareHTML writes compare.html: one self-contained page (no
// scripts, nothing fetched) with the warnings, the side-by-side table, the
// overlaid plots inlined as SVG, each system's narrative of replication 0
// side by side, and each scenario's source.
func WriteCompareHTML(w io.Writer, c *Comparison, cs *CompareSummary, figs []*Figure) error {
	page := comparePage{Title: cs.Name, Headline: compareHeadline(cs), Warnings: cs.Warnings}
	for i, r := range cs.Systems {
		page.Systems = append(page.Systems, compareSystem{Name: r.Scenario, Kind: r.System, Color: cssColor(i), Dash: cssDash(i)})
	}
	for _, l := range compareLines(cs) {
		page.Rows = append(page.Rows, compareHTMLRow{Label: strings.TrimSpace(l.label),
			Sub: strings.HasPrefix(l.label, " "), Cells: l.cells})
	}
	for _, f := range figs {
		fig, err := inlineFigure(f)
		if err != nil {
			return err
		}
		page.Figures = append(page.Figures, fig)
	}
	for i, res := range c.Results {
		s := &page.Systems[i]
		if res.Scenario != nil {
			s.Description = strings.TrimSpace(res.Scenario.Description)
			s.Source = strings.TrimSpace(string(res.Scenario.Source))
		}
		if len(res.Replications) > 0 && res.Replications[0] != nil {
			for _, e := range res.Replications[0].Events {
				s.Events = append(s.Events, htmlEvent{At: narrativeClock(e.At), Text: e.Text})
			}
		}
	}
	return compareTemplate.Execute(w, page)
}

// cssDash is the CSS border style closest to compareStyle(i)'s dashes.
func cssDash(i int) string {
	return [...]string{"solid", "dashed", "dotted", "dashed"}[i%4]
}

// cssColor is the palette's colour i as #rrggbb.
func cssColor(i int) string {
	r, g, b, _ := palette[i%len(palette)].RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

type comparePage struct {
	Title, Headline string
	Warnings        []string
	Systems         []compareSystem
	Rows            []compareHTMLRow
	Figures         []htmlFigure
}

type compareSystem struct {
	Name, Kind          string
	Color, Dash         string
	Description, Source string
	Events              []htmlEvent
}

type compareHTMLRow struct {
	Label string
	Sub   bool
	Cells []string
}

var compareTemplate = template.Must(template.New("compare").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dbsim compare: {{.Title}}</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; color: #222; max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { margin-bottom: 0.2em; }
.meta { color: #666; margin-top: 0; }
.warning { background: #fff4e0; border-left: 4px solid #e69f00; padding: 0.5em 0.8em; margin: 0.4em 0; }
table.compare { border-collapse: collapse; margin: 1em 0; }
table.compare th, table.compare td { padding: 0.3em 0.9em; border-bottom: 1px solid #e4e4e4; text-align: right; white-space: nowrap; }
table.compare th:first-child, table.compare td:first-child { text-align: left; }
table.compare thead th { border-bottom: 2px solid #888; vertical-align: bottom; }
table.compare td.sub { padding-left: 2em; color: #555; }
.swatch { display: inline-block; width: 1.6em; height: 0; vertical-align: middle; margin-right: 0.4em; }
.kind { font-weight: normal; color: #666; font-size: 0.9em; }
figure { margin: 1.5em 0; }
figure svg { width: 100%; height: auto; display: block; }
.systems { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1.5em; }
.system h3 { margin-bottom: 0.3em; }
.desc { font-size: 0.95em; color: #444; }
ol.narrative { list-style: none; padding-left: 0; font-size: 0.95em; }
ol.narrative li { padding: 0.1em 0; display: grid; grid-template-columns: 4.2em 1fr; column-gap: 0.4em; }
ol.narrative time { font-family: monospace; color: #a33; padding-top: 0.1em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="meta">{{.Headline}}</p>
{{range .Warnings}}<p class="warning"><strong>Warning:</strong> {{.}}</p>
{{end}}
<h2>Side by side</h2>
<table class="compare">
<thead><tr><th></th>{{range .Systems}}<th><span class="swatch" style="border-top: 3px {{.Dash}} {{.Color}}"></span>{{.Name}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr><td{{if .Sub}} class="sub"{{end}}>{{.Label}}</td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
<p class="meta">Latencies are client-seen, of the requests that succeeded, retries included, over all
replications: a system whose requests succeed late, after retries across a failover, shows a longer tail than one
whose requests failed outright (those count against its availability instead). Downtime per run is
(1 − availability) × the measured seconds; a failover's outage for the clients runs from the failure until every
client wrote again. Costs are monthly list prices.</p>

<h2>Over time</h2>
<p class="meta">Replication 0 of each system; one line per system, drawn as in the table's header.</p>
{{range .Figures}}<figure id="{{.ID}}">
{{.SVG}}
</figure>
{{end}}

<h2>What happened</h2>
<div class="systems">
{{range .Systems}}<section class="system">
<h3><span class="swatch" style="border-top: 3px {{.Dash}} {{.Color}}"></span>{{.Name}} <span class="kind">({{.Kind}})</span></h3>
<p class="desc">{{.Description}}</p>
{{if .Events}}<ol class="narrative">
{{range .Events}}<li><time>{{.At}}</time> {{.Text}}</li>
{{end}}</ol>{{else}}<p>Nothing eventful: no faults, no failovers.</p>{{end}}
</section>
{{end}}</div>
<p class="meta">Replication 0 of each system, as it happened; times are minutes:seconds of simulated time.</p>

<h2>Scenarios</h2>
{{range .Systems}}<details>
<summary>{{.Name}}</summary>
<pre>{{.Source}}</pre>
</details>
{{end}}
</body>
</html>
`))

// WriteCompareDir writes the comparison's files into dir: compare.csv,
// compare.json, the plots of ComparePlots as PNG and SVG, and
// compare.html; atomically, as WriteDir (other files in dir are left
// alone), and ctx can stop it as it does WriteDirContext.
func WriteCompareDir(ctx context.Context, dir string, c *Comparison) error {
	cs := SummarizeComparison(c)
	figs := ComparePlots(c)
	outs := []output{
		{"compare.csv", func(w io.Writer) error { return WriteCompareCSV(w, cs) }},
		{"compare.json", func(w io.Writer) error { return WriteCompareJSON(w, cs) }},
	}
	for _, f := range figs {
		outs = append(outs, output{f.Name + ".png", f.WritePNG}, output{f.Name + ".svg", f.WriteSVG})
	}
	outs = append(outs, output{"compare.html", func(w io.Writer) error { return WriteCompareHTML(w, c, cs, figs) }})
	return writeDirContext(ctx, dir, outs)
}
