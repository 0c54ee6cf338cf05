package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"dbsim/report"
	"dbsim/scenarios"
	"dbsim/scenarios/lessons"
)

// The typed entry point of the browser: the page sends a Request as JSON
// and gets a Response as JSON (see main_js.go for the glue). Everything
// here is plain Go, tested natively (api_test.go); the page never parses
// YAML or reads a summary itself.

// Request is one call from the page.
type Request struct {
	// Op is what to do: "catalog" (the bundled scenarios and lessons),
	// "validate" (YAML), "run" (YAML, Seed, Lesson), "set" (YAML, Path, Value: a slider's
	// move), "fault" (YAML, Fault: a fault button) or "warm" (see warmups).
	Op   string `json:"op"`
	YAML string `json:"yaml,omitempty"`
	// Seed, if not nil, replaces the scenario's seed.
	Seed *uint64 `json:"seed,omitempty"`
	// Lesson, if set, names the lesson whose goals and prediction a run is
	// checked against.
	Lesson string `json:"lesson,omitempty"`
	Path   string `json:"path,omitempty"`
	Value  string `json:"value,omitempty"`
	Fault  string `json:"fault,omitempty"`
}

// Response is the answer to a Request. Errors, when there are any, are
// the only thing set besides Op.
type Response struct {
	Op     string     `json:"op"`
	Errors []ErrorAt  `json:"errors,omitempty"`
	YAML   string     `json:"yaml,omitempty"`
	On     bool       `json:"on,omitempty"`
	Run    *RunOutput `json:"run,omitempty"`
	// Scenarios and Lessons answer "catalog".
	Scenarios []ScenarioInfo `json:"scenarios,omitempty"`
	Lessons   []LessonInfo   `json:"lessons,omitempty"`
}

// ErrorAt is one problem, at its line and column of the YAML when it has
// one (from the same validator as dbsim validate).
type ErrorAt struct {
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	Path string `json:"path,omitempty"`
	Msg  string `json:"msg"`
	// Text is the whole message as the command line prints it.
	Text string `json:"text"`
}

// RunOutput is a finished run.
type RunOutput struct {
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	// Summary is summary.json, byte for byte as dbsim run writes it.
	Summary json.RawMessage `json:"summary"`
	// Text is the text summary dbsim run prints.
	Text      string           `json:"text"`
	Narrative []Event          `json:"narrative"`
	Figures   []FigureSVG      `json:"figures"`
	Goals     []lessons.Result `json:"goals,omitempty"`
	// Answer is the lesson's predicted number, as the run gave it.
	Answer string `json:"answer,omitempty"`
	// Sliders are the lesson's slider values as the run's YAML writes
	// them, in the lesson's order (NaN-free: a value that does not read
	// is -1).
	Sliders []float64 `json:"sliders,omitempty"`
	// SimulateMS and RenderMS are the wall-clock milliseconds the run and
	// its figures took.
	SimulateMS float64 `json:"simulate_ms"`
	RenderMS   float64 `json:"render_ms"`
}

// Event is one line of the narrative.
type Event struct {
	At   string `json:"at"`
	Text string `json:"text"`
}

// FigureSVG is one figure of the run.
type FigureSVG struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	SVG   string `json:"svg"`
}

// ScenarioInfo is a bundled scenario.
type ScenarioInfo struct {
	Name    string `json:"name"`
	Summary string `json:"summary"`
	YAML    string `json:"yaml"`
}

// LessonInfo is a lesson as the page shows it.
type LessonInfo struct {
	*lessons.Lesson
	Name string `json:"name"`
	// YAML is the scenario the lesson starts from.
	YAML string `json:"yaml"`
	// Values are the sliders' starting values.
	Values []float64 `json:"values"`
	// Guide is the teacher's page, markdown.
	Guide string `json:"guide_md"`
}

// browserLimits bound a run in the page: a tab has one thread and a
// wasm heap of at most 4 GB.
var browserLimits = scenarios.Limits{Events: 2e9, PeakBytes: 1 << 30, FaultShare: 1}

// handle answers one request; progress, if not nil, is told how far a
// run has got (simulated time done and to do, in seconds).
func handle(req Request, progress func(done, total float64)) Response {
	resp := Response{Op: req.Op}
	fail := func(err error) Response {
		resp.Errors = errorsOf(err)
		return resp
	}
	switch req.Op {
	case "catalog":
		// The catalog is read, not validated: parsing every bundled
		// scenario and checking every lesson takes seconds in a browser,
		// and the tests keep them valid.
		for _, name := range scenarios.BundledNames() {
			src, err := scenarios.BundledSource(name)
			if err != nil {
				return fail(err)
			}
			summary := firstDescriptionLine(src)
			resp.Scenarios = append(resp.Scenarios, ScenarioInfo{Name: name, Summary: summary, YAML: string(src)})
		}
		for _, name := range lessons.Names() {
			l, err := lessons.Decode(name)
			if err != nil {
				return fail(err)
			}
			src, err := l.Source()
			if err != nil {
				return fail(err)
			}
			guide, err := lessons.GuideFile(l.Name)
			if err != nil {
				return fail(err)
			}
			resp.Lessons = append(resp.Lessons, LessonInfo{Lesson: l, Name: l.Name, YAML: string(src), Values: l.Values(src), Guide: string(guide)})
		}
	case "validate":
		if _, err := scenarios.Parse(file, []byte(req.YAML)); err != nil {
			return fail(err)
		}
	case "set":
		out, err := lessons.SetValue([]byte(req.YAML), req.Path, req.Value)
		if err != nil {
			return fail(err)
		}
		resp.YAML = string(out)
	case "fault":
		out, on, err := lessons.ToggleFault([]byte(req.YAML), req.Fault)
		if err != nil {
			return fail(err)
		}
		resp.YAML, resp.On = string(out), on
	case "run":
		out, err := run(req, progress)
		if err != nil {
			return fail(err)
		}
		resp.Run = out
	case "warm":
		for i, src := range warmups {
			s, err := scenarios.Parse(fmt.Sprintf("warmup-%d.yaml", i), []byte(src))
			if err != nil {
				return fail(err)
			}
			if _, err := scenarios.Run(s, scenarios.Options{Workers: 1}); err != nil {
				return fail(err)
			}
		}
	default:
		return fail(fmt.Errorf("unknown op %q (want catalog, validate, run, set, fault or warm)", req.Op))
	}
	return resp
}

// warmups are the short runs of "warm", which the page's worker makes
// once, before it reports ready. A browser first runs WebAssembly from a
// quick baseline compilation and optimises a function only once it has
// run for a while, so on a fresh page a lesson's first run took about a
// second longer than its second (replica-lag 3.1 s against 2.2 s in
// headless Chromium). These runs pass through the hot paths every lesson
// shares (the kernel, the clients' connections, timeouts and retries,
// RDS with a replica, Aurora's quorum, DynamoDB's partitions) in about
// half a second, while the reader reads the lesson's question.
var warmups = []string{`
name: warm-rds
duration: 30s
system: {kind: rds, engine: mysql, instance_class: db.r6g.4xlarge, read_replicas: [{az: us-east-1b}]}
workload: [{name: app, arrival: {process: poisson, rate: 5000/s}, mix: {read: 0.5, write: 0.5}, reads_from: replicas}]
`, `
name: warm-overload
duration: 5s
system: {kind: rds, engine: postgres, instance_class: db.r6g.large}
clients: {instances: 4, connections: 50, timeout: 100ms, pool_timeout: 500ms, retry: {max_attempts: 3, base: 10ms, cap: 10ms, jitter: none}}
workload: [{name: app, arrival: {process: poisson, rate: 8000/s}, mix: {read: 0.8, write: 0.2}}]
`, `
name: warm-aurora
duration: 10s
system: {kind: aurora, instance_class: db.r6g.4xlarge, replicas: [{az: us-east-1b}]}
workload: [{name: app, arrival: {process: poisson, rate: 5000/s}, mix: {read: 0.8, write: 0.2}, keys: {dist: zipf, skew: 1.1, count: 100000}}]
`, `
name: warm-dynamodb
duration: 10s
system: {kind: dynamodb, table: {mode: provisioned, rcu: 2000, wcu: 1000, partitions: 4}}
workload: [{name: app, arrival: {process: poisson, rate: 5000/s}, ops: {get: 0.8, put: 0.2}, keys: {dist: zipf, skew: 1.2, count: 10000}}]
`}

// firstDescriptionLine is the first line of a scenario's description,
// the summary the list shows. The bundled scenarios write it as a block
// ("description: |" and indented lines), read here as text: decoding 35
// files as YAML takes most of a second in a browser. Another form gives
// "" (the list then shows the name alone).
func firstDescriptionLine(src []byte) string {
	_, rest, ok := strings.Cut(string(src), "\ndescription: |\n")
	if !ok {
		return ""
	}
	line, _, _ := strings.Cut(rest, "\n")
	if !strings.HasPrefix(line, " ") {
		return ""
	}
	return strings.TrimSpace(line)
}

// file names the page's scenario in messages.
const file = "scenario.yaml"

func run(req Request, progress func(done, total float64)) (*RunOutput, error) {
	var lesson *lessons.Lesson
	if req.Lesson != "" {
		var err error
		if lesson, err = lessons.Decode(req.Lesson); err != nil {
			return nil, err
		}
	}
	s, err := scenarios.Parse(file, []byte(req.YAML))
	if err != nil {
		return nil, err
	}
	if req.Seed != nil {
		s.Seed = *req.Seed
	}
	if over := scenarios.EstimateOf(s, 1).Over(browserLimits); len(over) > 0 {
		return nil, fmt.Errorf("%s: too big to run in a browser: %s: %s; run it with dbsim run", file, scenarios.EstimateOf(s, 1), strings.Join(over, "; "))
	}
	total := (s.Duration.D() * time.Duration(s.Replications)).Seconds()
	prog := &scenarios.Progress{}
	if progress != nil {
		prog.Notify = func(p *scenarios.Progress) { progress(p.Simulated().Seconds(), total) }
	}
	start := time.Now()
	res, err := scenarios.Run(s, scenarios.Options{Workers: 1, Progress: prog})
	if err != nil {
		return nil, err
	}
	out := &RunOutput{Scenario: s.Name, Seed: s.Seed, SimulateMS: ms(time.Since(start))}
	start = time.Now()
	sum := report.Summarize(res, nil)
	var b bytes.Buffer
	if err := report.WriteJSON(&b, sum); err != nil {
		return nil, err
	}
	out.Summary = json.RawMessage(bytes.Clone(bytes.TrimSpace(b.Bytes())))
	b.Reset()
	if err := report.WriteText(&b, sum); err != nil {
		return nil, err
	}
	out.Text = b.String()
	for _, e := range report.Narrative(res) {
		out.Narrative = append(out.Narrative, Event{At: e.At, Text: e.Text})
	}
	for _, f := range report.Plots(res) {
		b.Reset()
		if err := f.WriteSVG(&b); err != nil {
			return nil, err
		}
		svg := b.String()
		if i := strings.Index(svg, "<svg"); i > 0 {
			svg = svg[i:] // the page inlines the element
		}
		out.Figures = append(out.Figures, FigureSVG{Name: f.Name, Title: f.Title, SVG: svg})
	}
	if lesson != nil {
		var m map[string]any
		if err := json.Unmarshal(out.Summary, &m); err != nil {
			return nil, err
		}
		out.Goals = lesson.Check(m)
		out.Answer = lesson.Answer(m)
		out.Sliders = lesson.Values([]byte(req.YAML))
	}
	out.RenderMS = ms(time.Since(start))
	return out, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// errorsOf lists the problems of err: a scenario's each at its line and
// column.
func errorsOf(err error) []ErrorAt {
	var es scenarios.Errors
	if errors.As(err, &es) {
		out := make([]ErrorAt, len(es))
		for i, e := range es {
			out[i] = ErrorAt{Line: e.Line, Col: e.Col, Path: e.Path, Msg: e.Msg, Text: e.Error()}
		}
		return out
	}
	return []ErrorAt{{Msg: err.Error(), Text: err.Error()}}
}
