package lessons

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// A summary field names a value of summary.json by its keys joined with
// dots: "availability", "client_outage_s.mean",
// "replica_lag_ms.replica-1.max", "counters.volume_write_unavailable_ms".
// A list counts as its length ("saturations" is how many there were); a
// number indexes it ("saturations.0.end_s").

// checkField checks a field's syntax; that it is in the summary is
// checked on a run (see the tests).
func checkField(f string) error {
	if f == "" {
		return fmt.Errorf("missing")
	}
	for _, k := range strings.Split(f, ".") {
		if k == "" {
			return fmt.Errorf("%q has an empty key", f)
		}
	}
	return nil
}

// Lookup reads a summary field from summary.json decoded into a
// map[string]any: a number, a list's length, or false when the field is
// not there or is null (no failover, no client outage).
func Lookup(summary map[string]any, field string) (float64, bool) {
	v, ok := find(summary, field)
	if !ok {
		return 0, false
	}
	switch x := v.(type) {
	case float64:
		return x, true
	case []any:
		return float64(len(x)), true
	}
	return 0, false
}

// find walks a field's keys (and list indexes) through summary.
func find(summary map[string]any, field string) (any, bool) {
	var v any = summary
	for _, k := range strings.Split(field, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// Result is a goal checked on a run.
type Result struct {
	Text string `json:"text"`
	Met  bool   `json:"met"`
	// Got is the field's value as the run gave it, "none" if the run has
	// no such value.
	Got string `json:"got"`
}

// Check checks every goal of l on a run's summary.
func (l *Lesson) Check(summary map[string]any) []Result {
	var out []Result
	for _, g := range l.Goals {
		v, ok := Lookup(summary, g.Field)
		r := Result{Text: g.Text, Got: "none"}
		if ok {
			r.Got = g.Field + " = " + Format(v)
			r.Met = g.Below != nil && v < *g.Below || g.Above != nil && v > *g.Above
		}
		out = append(out, r)
	}
	return out
}

// Format writes a summary number for people: three significant digits,
// whole numbers at 100 and above.
func Format(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100 || v == math.Trunc(v):
		return thousands(strconv.FormatFloat(math.Round(v), 'f', -1, 64))
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// formatAs writes v in a unit: "%" shows a fraction as a percentage.
func formatAs(v float64, unit string) string {
	if unit == "%" {
		return strconv.FormatFloat(v*100, 'f', 2, 64) + " %"
	}
	if unit == "" {
		return Format(v)
	}
	return Format(v) + " " + unit
}

// Answer is the predicted field's value, written in the question's unit;
// "none" if the run has none.
func (l *Lesson) Answer(summary map[string]any) string {
	v, ok := Lookup(summary, l.Predict.Field)
	if !ok {
		return "none"
	}
	return formatAs(v, l.Predict.Unit)
}

var placeholder = regexp.MustCompile(`\{([a-z0-9_.:-]+)(\|%)?\}`)

// Placeholders are the fields a text quotes as {field}.
func Placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// fill replaces each {field} of s with the field's value in summary.
func fill(s string, summary map[string]any) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		v, ok := Lookup(summary, sub[1])
		if !ok {
			return "none"
		}
		if sub[2] != "" {
			return formatAs(v, "%")
		}
		return Format(v)
	})
}

// GuideMarkdown is the teacher's page of l with the numbers of a run of
// its scenario (summary).
func (l *Lesson) GuideMarkdown(summary map[string]any) string {
	var b strings.Builder
	para := func(s string) string { return strings.TrimSpace(s) + "\n\n" }
	b.WriteString("# " + l.Title + "\n\n")
	b.WriteString(fmt.Sprintf("Scenario `%s` (`dbsim run %s`), seed %s.\n\n", l.Scenario, l.Scenario, Format(firstNumber(summary, "seed"))))
	b.WriteString(para(l.Intro))
	b.WriteString("## The question to ask the room\n\n")
	b.WriteString(para(l.Guide.Ask))
	b.WriteString("## What the numbers will show\n\nAs the lesson starts, before anything is moved:\n\n")
	b.WriteString(para(fill(l.Guide.Shows, summary)))
	b.WriteString("## The mechanism\n\n")
	b.WriteString(para(l.Guide.Mechanism))
	if len(l.Sliders) > 0 || len(l.Faults) > 0 {
		b.WriteString("## What the room can change\n\n")
		for _, sl := range l.Sliders {
			b.WriteString(fmt.Sprintf("- %s (`%s`): %s to %s\n", sl.Label, sl.Path, sl.ValueText(sl.Min), sl.ValueText(sl.Max)))
		}
		for _, f := range l.Faults {
			b.WriteString(fmt.Sprintf("- %s: `%s`\n", f.Label, f.Fault))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Goals\n\n")
	for _, r := range l.Check(summary) {
		state := "not met"
		if r.Met {
			state = "met"
		}
		b.WriteString(fmt.Sprintf("- %s (as bundled: %s, %s)\n", r.Text, r.Got, state))
	}
	return b.String()
}

func firstNumber(summary map[string]any, field string) float64 {
	v, _ := Lookup(summary, field)
	return v
}

// GuideFile is the guide's markdown as committed (guide/NAME.md).
func GuideFile(name string) ([]byte, error) {
	return guides.ReadFile("guide/" + name + ".md")
}

// thousands puts commas in a whole number of 10,000 or more: 144,394.
func thousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= 4 {
		if neg {
			return "-" + s
		}
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
