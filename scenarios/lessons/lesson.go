package lessons

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"dbsim/scenarios"
)

//go:embed *.yaml
var files embed.FS

//go:embed guide/*.md
var guides embed.FS

// Lesson is one lesson: a bundled scenario and what to ask about it.
type Lesson struct {
	// Name is the file's name without .yaml; it names the lesson in a
	// link (#lesson=NAME).
	Name string `yaml:"-"`
	// Title is what the lesson list shows.
	Title string `yaml:"title"`
	// Scenario names the bundled scenario the lesson runs.
	Scenario string `yaml:"scenario"`
	// Replications, if not 0, replaces the scenario's replications (a
	// text edit the learner sees), so that a run takes a second.
	Replications int `yaml:"replications"`
	// Duration, if set, replaces the scenario's duration (a text edit
	// too), so that the run covers what its fault buttons set off.
	Duration string `yaml:"duration"`
	// Intro is the situation, in a few sentences.
	Intro string `yaml:"intro"`
	// Predict is the question asked before the run.
	Predict Predict `yaml:"predict"`
	// Sliders are the parameters the learner may move.
	Sliders []Slider `yaml:"sliders"`
	// Faults are the faults the learner may add.
	Faults []FaultButton `yaml:"faults"`
	// Goals are checked on every run's summary.
	Goals []Goal `yaml:"goals"`
	// Guide is the teacher's page.
	Guide Guide `yaml:"guide"`
}

// Predict is a question whose answer is a number of the run's summary.
type Predict struct {
	Question string `yaml:"question"`
	// Field is a summary field (see Lookup); Unit is how it is shown:
	// "%" shows a fraction as a percentage.
	Field string `yaml:"field"`
	Unit  string `yaml:"unit"`
	// Answer explains the number once it is shown.
	Answer string `yaml:"answer"`
}

// Slider is a parameter of the scenario the learner may move.
type Slider struct {
	// Path is a field path of the scenario ("clients.dns_cache"), written
	// in its file.
	Path  string `yaml:"path"`
	Label string `yaml:"label"`
	// Min, Max and Step are in Unit: s or ms (a duration), /s (a rate) or
	// "" (a plain number).
	Min  float64 `yaml:"min"`
	Max  float64 `yaml:"max"`
	Step float64 `yaml:"step"`
	Unit string  `yaml:"unit"`
}

// FaultButton is a fault the learner may add to the scenario's faults.
type FaultButton struct {
	Label string `yaml:"label"`
	// Fault is the fault as one YAML flow mapping, as a faults item is
	// written: "{at: 4m, kind: storage-node-failure, az: us-east-1b}".
	Fault string `yaml:"fault"`
}

// Goal is a bound on a summary field.
type Goal struct {
	Text  string   `yaml:"text"`
	Field string   `yaml:"field"`
	Below *float64 `yaml:"below"`
	Above *float64 `yaml:"above"`
}

// Guide is the teacher's page of a lesson. Shows may quote the run's
// numbers as {field} (or {field|%} for a fraction as a percentage); the
// guide's markdown (guide/NAME.md) is written with the numbers of the
// lesson's run, and a test keeps it so.
type Guide struct {
	// Ask is the question to put to the room.
	Ask string `yaml:"ask"`
	// Shows is what the numbers will show.
	Shows string `yaml:"shows"`
	// Mechanism is the mechanism behind them.
	Mechanism string `yaml:"mechanism"`
}

// units are the slider units and the value text each writes.
var units = map[string]bool{"s": true, "ms": true, "/s": true, "": true}

// All loads and validates every lesson, sorted by name. An invalid lesson
// is an error naming its file: the lessons are part of dbsim, so the
// tests keep them valid.
func All() ([]*Lesson, error) {
	var out []*Lesson
	var errs []error
	for _, name := range Names() {
		l, err := Get(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, l)
	}
	return out, errors.Join(errs...)
}

// Names lists the lessons' names, sorted.
func Names() []string {
	entries, _ := files.ReadDir(".")
	var out []string
	for _, f := range entries {
		out = append(out, strings.TrimSuffix(f.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// Get loads and validates the lesson of that name.
func Get(name string) (*Lesson, error) {
	file, data, err := read(name)
	if err != nil {
		return nil, err
	}
	return Parse(file, data)
}

// Decode loads the lesson of that name, strictly decoded but not checked
// against its scenario: for the browser, where checking every slider's
// range costs seconds; the tests check every lesson (All).
func Decode(name string) (*Lesson, error) {
	file, data, err := read(name)
	if err != nil {
		return nil, err
	}
	return decode(file, data)
}

func read(name string) (file string, data []byte, err error) {
	if strings.ContainsAny(name, "/\\") {
		return "", nil, fmt.Errorf("no lesson %q", name)
	}
	if data, err = files.ReadFile(name + ".yaml"); err != nil {
		return "", nil, fmt.Errorf("no lesson %q", name)
	}
	return path.Join("scenarios/lessons", name+".yaml"), data, nil
}

func decode(file string, data []byte) (*Lesson, error) {
	var l Lesson
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	l.Name = strings.TrimSuffix(path.Base(file), ".yaml")
	return &l, nil
}

// Parse decodes a lesson strictly (unknown keys are errors) and validates
// it against its scenario; file names it in errors.
func Parse(file string, data []byte) (*Lesson, error) {
	l, err := decode(file, data)
	if err != nil {
		return nil, err
	}
	if errs := l.validate(); len(errs) > 0 {
		var b strings.Builder
		for i, e := range errs {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(file + ": " + e)
		}
		return nil, errors.New(b.String())
	}
	return l, nil
}

// Source is the YAML the lesson starts from: its bundled scenario's,
// with the lesson's replications and duration written in.
func (l *Lesson) Source() ([]byte, error) {
	src, err := scenarios.BundledSource(l.Scenario)
	if err != nil {
		return nil, err
	}
	if l.Replications > 0 {
		if src, err = SetValue(src, "replications", strconv.Itoa(l.Replications)); err != nil {
			return nil, err
		}
	}
	if l.Duration != "" {
		if src, err = SetValue(src, "duration", l.Duration); err != nil {
			return nil, err
		}
	}
	return src, nil
}

// ValueText writes a slider value as the scenario writes it: "30s",
// "250ms", "1500/s", "0.9".
func (sl *Slider) ValueText(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64) + sl.Unit
}

// Value reads a value written in the scenario in the slider's unit: a
// duration of a slider in s is read as seconds ("3m" is 180).
func (sl *Slider) Value(text string) (float64, error) {
	switch sl.Unit {
	case "s", "ms":
		d, err := time.ParseDuration(text)
		if err != nil {
			return 0, err
		}
		if sl.Unit == "s" {
			return d.Seconds(), nil
		}
		return float64(d) / float64(time.Millisecond), nil
	case "/s":
		return strconv.ParseFloat(strings.TrimSuffix(text, "/s"), 64)
	}
	return strconv.ParseFloat(text, 64)
}

func (l *Lesson) validate() []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if l.Title == "" {
		bad("title: missing")
	}
	if l.Intro == "" {
		bad("intro: missing")
	}
	if !scenarios.IsBundled(l.Scenario) {
		bad("scenario: %q is not a bundled scenario (see dbsim list)", l.Scenario)
		return errs
	}
	if l.Replications < 0 {
		bad("replications: %d (want 1 or more, or leave it out)", l.Replications)
	}
	src, err := l.Source()
	if err != nil {
		bad("scenario %s: %v", l.Scenario, err)
		return errs
	}
	base, err := scenarios.Parse(l.Scenario+".yaml", src)
	if err != nil {
		bad("scenario %s: %v", l.Scenario, err)
		return errs
	}
	if l.Predict.Question == "" || l.Predict.Answer == "" {
		bad("predict: want a question and an answer")
	}
	if err := checkField(l.Predict.Field); err != nil {
		bad("predict.field: %v", err)
	}
	if l.Guide.Ask == "" || l.Guide.Shows == "" || l.Guide.Mechanism == "" {
		bad("guide: want ask, shows and mechanism")
	}
	for _, f := range Placeholders(l.Guide.Shows) {
		if err := checkField(f); err != nil {
			bad("guide.shows: {%s}: %v", f, err)
		}
	}
	for i, sl := range l.Sliders {
		at := fmt.Sprintf("sliders[%d]", i)
		if sl.Label == "" {
			bad("%s.label: missing", at)
		}
		if !units[sl.Unit] {
			bad("%s.unit: %q (want s, ms, /s or nothing)", at, sl.Unit)
			continue
		}
		if !(sl.Min < sl.Max) || !(sl.Step > 0) || (sl.Max-sl.Min)/sl.Step > 1000 ||
			math.Abs(math.Round((sl.Max-sl.Min)/sl.Step)-(sl.Max-sl.Min)/sl.Step) > 1e-9 {
			bad("%s: min %g, max %g, step %g (want min < max and at most 1000 whole steps between them)", at, sl.Min, sl.Max, sl.Step)
			continue
		}
		if !base.Has(sl.Path) {
			bad("%s.path: %s is not written in %s (a slider moves a value the learner can see)", at, sl.Path, l.Scenario)
			continue
		}
		text, err := valueAt(src, sl.Path)
		if err != nil {
			bad("%s.path: %v", at, err)
			continue
		}
		if v, err := sl.Value(text); err != nil || v < sl.Min || v > sl.Max {
			bad("%s: the scenario's %s is %s, not a value of the slider (%g to %g %s)", at, sl.Path, text, sl.Min, sl.Max, sl.Unit)
		}
		for _, v := range []float64{sl.Min, sl.Max} {
			edited, err := SetValue(src, sl.Path, sl.ValueText(v))
			if err == nil {
				_, err = scenarios.Parse(l.Scenario+".yaml", edited)
			}
			if err != nil {
				bad("%s: %s=%s: %v", at, sl.Path, sl.ValueText(v), err)
			}
		}
	}
	for i, fb := range l.Faults {
		at := fmt.Sprintf("faults[%d]", i)
		if fb.Label == "" {
			bad("%s.label: missing", at)
		}
		edited, on, err := ToggleFault(src, fb.Fault)
		if err == nil && !on {
			err = fmt.Errorf("the scenario has this fault already")
		}
		if err == nil {
			_, err = scenarios.Parse(l.Scenario+".yaml", edited)
		}
		if err != nil {
			bad("%s.fault: %v", at, err)
		}
	}
	if len(l.Goals) == 0 {
		bad("goals: want at least one")
	}
	for i, g := range l.Goals {
		at := fmt.Sprintf("goals[%d]", i)
		if g.Text == "" {
			bad("%s.text: missing", at)
		}
		if err := checkField(g.Field); err != nil {
			bad("%s.field: %v", at, err)
		}
		if (g.Below == nil) == (g.Above == nil) {
			bad("%s: want one of below and above", at)
		}
	}
	return errs
}
