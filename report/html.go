package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/sim"
)

// WriteHTML writes report.html: one self-contained page (no scripts, no
// external resources, so it works offline and can be mailed) with the
// scenario, a narrative of what happened in replication 0, the summary
// tables and every plot inlined as SVG.
func WriteHTML(w io.Writer, res *scenarios.Result, sum *Summary, figs []*Figure) error {
	page := htmlPage{Sum: sum, Text: textSummary(sum), Description: paragraphs(sum.Description)}
	if sc := res.Scenario; sc != nil {
		page.Source = strings.TrimSpace(string(sc.Source))
	}
	page.Events = Narrative(res)
	for _, f := range figs {
		fig, err := inlineFigure(f)
		if err != nil {
			return err
		}
		page.Figures = append(page.Figures, fig)
	}
	return pageTemplate.Execute(w, page)
}

// inlineFigure renders f as an SVG element to inline in a page.
func inlineFigure(f *Figure) (htmlFigure, error) {
	var b bytes.Buffer
	if err := f.WriteSVG(&b); err != nil {
		return htmlFigure{}, err
	}
	svg := b.String()
	if i := strings.Index(svg, "<svg"); i > 0 {
		svg = svg[i:] // drop the XML prolog: the page inlines the element
	}
	return htmlFigure{ID: f.Name, Title: f.Title, SVG: template.HTML(svg)}, nil
}

type htmlPage struct {
	Sum  *Summary
	Text string
	// Description is the scenario's description in paragraphs.
	Description []string
	Events      []htmlEvent
	Figures     []htmlFigure
	Source      string
}

// NarrativeEvent is one line of a run's narrative: when (m:ss.s of
// simulated time) and what happened.
type NarrativeEvent struct{ At, Text string }

type htmlEvent = NarrativeEvent

// Narrative is what happened in replication 0, in time order, as
// report.html tells it.
func Narrative(res *scenarios.Result) []NarrativeEvent {
	var out []NarrativeEvent
	clock := narrativeClock
	if sc := res.Scenario; sc != nil && sc.Duration.D() >= 24*time.Hour {
		clock = dayClock // a run of days (fluid mode): minutes would run to five digits
	}
	if len(res.Replications) == 0 || res.Replications[0] == nil {
		return out
	}
	rep := res.Replications[0]
	events := slices.Clone(rep.Events)
	events = append(events, lagEpisodes(rep)...)
	slices.SortStableFunc(events, func(a, b cluster.Event) int { return cmp.Compare(a.At, b.At) })
	for _, e := range events {
		out = append(out, NarrativeEvent{At: clock(e.At), Text: e.Text})
	}
	return out
}

// behindMs is the replica lag (ms) above which the narrative says a
// replica fell behind: a second, far above the milliseconds of a replica
// that keeps up, and what a reader of its stale reads would notice.
const behindMs = 1000.0

// lagEpisodes tells, from the replicas' lag columns of rep's series, when
// each fell more than behind its writer, how far it fell and when it
// caught up: the models log faults and failovers, but a replica that
// falls behind under load is only in the series. Buckets without a sample
// (no write applied) neither start nor end an episode.
func lagEpisodes(rep *scenarios.Replication) []cluster.Event {
	var out []cluster.Event
	if rep.Series == nil {
		return out
	}
	b := rep.Series.Bucket()
	at := func(row int) sim.Time { return sim.At(time.Duration(row) * b) }
	var lag []float64
	peakNote := func(peak, last int) string { // the peak, unless it is the last sample
		if lag[peak] == lag[last] {
			return ""
		}
		return fmt.Sprintf(" (peak %s at %s)", lagText(lag[peak]), narrativeClock(at(peak)))
	}
	for _, id := range rep.Gauges {
		col, ok := rep.Series.Lookup(id.Column())
		if id.Kind != metric.Lag || !ok {
			continue
		}
		start, peak, last := -1, -1, -1
		lag = rep.Series.Values(col)
		for row, ms := range lag {
			if math.IsNaN(ms) {
				continue
			}
			switch {
			case ms >= behindMs && start < 0:
				start, peak = row, row
				out = append(out, cluster.Event{At: at(row), Text: fmt.Sprintf("%s fell behind its writer: replica lag %s", id.Subject(), lagText(ms))})
			case ms >= behindMs:
				if ms > lag[peak] {
					peak = row
				}
			case start >= 0:
				out = append(out, cluster.Event{At: at(row), Text: fmt.Sprintf("%s caught up (lag under %s); it had been %s behind at %s",
					id.Subject(), lagText(behindMs), lagText(lag[peak]), narrativeClock(at(peak)))})
				start = -1
			}
			last = row
		}
		switch {
		case start < 0:
		case last == len(lag)-1:
			out = append(out, cluster.Event{At: at(last), Text: fmt.Sprintf("%s still %s behind as the run ends%s",
				id.Subject(), lagText(lag[last]), peakNote(peak, last))})
		default: // it stopped replicating (promoted, removed) or reporting (down)
			out = append(out, cluster.Event{At: at(last), Text: fmt.Sprintf("%s's lag, last reported: %s%s",
				id.Subject(), lagText(lag[last]), peakNote(peak, last))})
		}
	}
	return out
}

// lagText formats a lag in milliseconds as seconds, to a tenth.
func lagText(ms float64) string { return fmt.Sprintf("%.1f s", ms/1000) }

type htmlFigure struct {
	ID, Title string
	SVG       template.HTML
}

// paragraphs splits a scenario's description into the paragraphs a page
// flows: at blank lines, each paragraph's lines joined, so that the
// line breaks of the YAML block do not break the page's lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// narrativeClock formats a simulated time as m:ss.s, as the narrative reads.
func narrativeClock(t sim.Time) string {
	d := time.Duration(t)
	m := int(d / time.Minute)
	s := (d - time.Duration(m)*time.Minute).Seconds()
	return fmt.Sprintf("%d:%04.1f", m, s)
}

// dayClock formats a simulated time as the day of the run (from 1) and
// its time of day: "day 3 08:02:00".
func dayClock(t sim.Time) string {
	s := int64(time.Duration(t) / time.Second)
	return fmt.Sprintf("day %d %02d:%02d:%02d", s/86400+1, s/3600%24, s/60%60, s%60)
}

func textSummary(sum *Summary) string {
	var b bytes.Buffer
	if err := WriteText(&b, sum); err != nil {
		return err.Error()
	}
	return b.String()
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{"count": count}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dbsim: {{.Sum.Scenario}}</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; color: #222; max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { margin-bottom: 0.2em; }
.meta { color: #666; margin-top: 0; }
.desc { font-size: 1.05em; max-width: 50em; }
ol.narrative { list-style: none; padding-left: 0; }
ol.narrative li { padding: 0.15em 0; }
ol.narrative time { display: inline-block; min-width: 5em; font-family: monospace; color: #a33; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.9em; }
figure { margin: 1.5em 0; }
figure svg { width: 100%; height: auto; display: block; }
</style>
</head>
<body>
<h1>{{.Sum.Scenario}}</h1>
<p class="meta">system {{.Sum.System}} · seed {{.Sum.Seed}} · {{count .Sum.Replications "replication"}} of {{.Sum.SimulatedSeconds}} s measured</p>
{{range .Description}}<p class="desc">{{.}}</p>
{{end}}

<h2>What happened</h2>
{{if .Events}}<ol class="narrative">
{{range .Events}}<li><time>{{.At}}</time> {{.Text}}</li>
{{end}}</ol>
<p class="meta">Replication 0, as it happened; times are minutes:seconds of simulated time.</p>
{{else}}<p>Nothing eventful: no faults, no failovers.</p>{{end}}

<h2>Summary</h2>
<pre class="summary">{{.Text}}</pre>

<h2>Plots</h2>
{{range .Figures}}<figure id="{{.ID}}">
{{.SVG}}
</figure>
{{end}}

<h2>Scenario</h2>
<pre class="scenario">{{.Source}}</pre>
</body>
</html>
`))
