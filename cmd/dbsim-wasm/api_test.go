//go:build !(js && wasm)

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/report"
	"dbsim/scenarios"
	"dbsim/scenarios/lessons"
)

// The catalog lists every bundled scenario with its YAML, and every
// lesson with its starting YAML, slider values and guide.
func TestCatalog(t *testing.T) {
	r := handle(Request{Op: "catalog"}, nil)
	require.Empty(t, r.Errors)
	bundled := scenarios.Bundled()
	require.Len(t, r.Scenarios, len(bundled))
	for i, s := range r.Scenarios {
		assert.Equal(t, bundled[i].Name, s.Name)
		assert.Equal(t, bundled[i].Summary, s.Summary, "the list's summary is the description's first line, as dbsim list says")
		if s.Name == "client-dns-cache" {
			assert.Contains(t, s.YAML, "dns_cache: 3m")
		}
	}
	require.Len(t, r.Lessons, len(lessons.Names()))
	for _, l := range r.Lessons {
		if l.Name == "dns-caching" {
			assert.Contains(t, l.YAML, "replications: 1", "the lesson's replications are written in its YAML")
			assert.Equal(t, []float64{180, 2}, l.Values)
			assert.Contains(t, l.Guide, "# DNS caching in the client")
		}
	}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"Sliders":[{"Path":"clients.dns_cache"`)
}

// A run gives what dbsim run gives: summary.json byte for byte, the text
// summary, the narrative and the figures; for a lesson, its goals and
// the predicted number.
func TestRunIsDbsimRun(t *testing.T) {
	src, err := scenarios.BundledSource("dynamodb-retry-storm")
	require.NoError(t, err)
	seed := uint64(2)
	var calls int
	r := handle(Request{Op: "run", YAML: string(src), Seed: &seed}, func(done, total float64) {
		calls++
		assert.LessOrEqual(t, done, total)
	})
	require.Empty(t, r.Errors)
	assert.Positive(t, calls, "the run reports its progress")
	s, err := scenarios.Parse(file, src)
	require.NoError(t, err)
	s.Seed = 2
	res, err := scenarios.Run(s, scenarios.Options{})
	require.NoError(t, err)
	var want strings.Builder
	require.NoError(t, report.WriteJSON(&want, report.Summarize(res, nil)))
	assert.Equal(t, strings.TrimSpace(want.String()), string(r.Run.Summary))
	assert.Equal(t, uint64(2), r.Run.Seed)
	assert.Contains(t, r.Run.Text, "dynamodb-retry-storm: dynamodb, seed 2")
	require.NotEmpty(t, r.Run.Figures)
	for _, f := range r.Run.Figures {
		assert.True(t, strings.HasPrefix(f.SVG, "<svg"), "%s is an SVG element to inline", f.Name)
	}
	assert.Empty(t, r.Run.Goals, "no lesson, no goals")
}

func TestRunOfALesson(t *testing.T) {
	cat := handle(Request{Op: "catalog"}, nil)
	var yaml string
	for _, l := range cat.Lessons {
		if l.Name == "multi-az-failover" {
			yaml = l.YAML
		}
	}
	r := handle(Request{Op: "set", YAML: yaml, Path: "system.failover.detection_interval", Value: "1s"}, nil)
	require.Empty(t, r.Errors)
	assert.Contains(t, r.YAML, "failover: {detection_interval: 1s, detection_threshold: 3, dns_ttl: 5s}")
	r = handle(Request{Op: "run", YAML: r.YAML, Lesson: "multi-az-failover"}, nil)
	require.Empty(t, r.Errors)
	require.Len(t, r.Run.Goals, 2)
	assert.Regexp(t, `^\d+(\.\d)? s$`, r.Run.Answer)
	assert.Equal(t, []float64{1, 3, 5}, r.Run.Sliders)
	assert.True(t, r.Run.Goals[1].Met, "no acknowledged write is lost")
}

// A broken scenario's problems come back at their line and column, as
// dbsim validate prints them; nothing runs.
func TestErrorsAtTheirLine(t *testing.T) {
	src, err := scenarios.BundledSource("rds-multi-az-failover")
	require.NoError(t, err)
	bad := strings.Replace(string(src), "instance_class: db.r6g.large", "instance_clas: db.r6g.large", 1)
	for _, op := range []string{"validate", "run"} {
		r := handle(Request{Op: op, YAML: bad}, nil)
		require.NotEmpty(t, r.Errors, op)
		assert.Nil(t, r.Run)
		e := r.Errors[0]
		assert.Equal(t, 20, e.Line)
		assert.Equal(t, 3, e.Col)
		assert.Equal(t, "system", e.Path)
		assert.Contains(t, e.Text, `scenario.yaml:20:3: system: unknown key "instance_clas"; did you mean instance_class?`)
	}
	r := handle(Request{Op: "validate", YAML: string(src)}, nil)
	assert.Empty(t, r.Errors)
	r = handle(Request{Op: "run", YAML: strings.Replace(string(src), "rate: 1000/s", "rate: 100000000/s", 1)}, nil)
	require.Len(t, r.Errors, 1)
	assert.Contains(t, r.Errors[0].Text, "too big to run in a browser")
	r = handle(Request{Op: "fly"}, nil)
	assert.Contains(t, r.Errors[0].Text, `unknown op "fly"`)
}

// A fault button adds its line, and takes it away.
func TestFaultButton(t *testing.T) {
	src, err := scenarios.BundledSource("rds-multi-az-failover")
	require.NoError(t, err)
	fault := "{at: 6m, kind: instance-failure, target: primary}"
	on := handle(Request{Op: "fault", YAML: string(src), Fault: fault}, nil)
	require.Empty(t, on.Errors)
	assert.True(t, on.On)
	assert.Contains(t, on.YAML, "  - {at: 3m, kind: instance-failure, target: primary}\n  - "+fault+"\n")
	off := handle(Request{Op: "fault", YAML: on.YAML, Fault: fault}, nil)
	assert.False(t, off.On)
	assert.Equal(t, string(src), off.YAML)
}

// lessonRun runs a lesson's YAML as the page does and decodes its summary.
func lessonRun(t *testing.T, lesson, yaml string) (*RunOutput, map[string]any) {
	t.Helper()
	r := handle(Request{Op: "run", YAML: yaml, Lesson: lesson}, nil)
	require.Empty(t, r.Errors)
	var sum map[string]any
	require.NoError(t, json.Unmarshal(r.Run.Summary, &sum))
	return r.Run, sum
}

// Every slider of every lesson, moved to either end of its range through
// the page's "set", gives a scenario that runs, and the two ends give
// different runs: the lesson's answer or one of its goals' numbers
// differ. Each end is run with the lesson's other sliders as they start.
func TestSliderEnds(t *testing.T) {
	cat := handle(Request{Op: "catalog"}, nil)
	require.Empty(t, cat.Errors)
	for _, l := range cat.Lessons {
		for i, sl := range l.Sliders {
			t.Run(fmt.Sprintf("%s/%s", l.Name, sl.Path), func(t *testing.T) {
				t.Parallel()
				var seen [2]string
				for end, v := range []float64{sl.Min, sl.Max} {
					set := handle(Request{Op: "set", YAML: l.YAML, Path: sl.Path, Value: sl.ValueText(v)}, nil)
					require.Empty(t, set.Errors)
					run, _ := lessonRun(t, l.Name, set.YAML)
					assert.Equal(t, v, run.Sliders[i], "the run reads the slider back")
					seen[end] = run.Answer
					for _, g := range run.Goals {
						seen[end] += "; " + g.Got
					}
				}
				t.Logf("%s at %s: %s; at %s: %s", sl.Label, sl.ValueText(sl.Min), seen[0], sl.ValueText(sl.Max), seen[1])
				assert.NotEqual(t, seen[0], seen[1], "%s: the slider's ends give the same answer and goals", sl.Label)
			})
		}
	}
}

// Every lesson's fault button lands where the run shows its consequence:
// the fault (and its "for") falls inside the run, every failover the run
// saw finished before it ended (a failover cut off by the run's end would
// leave the answer quoting the first alone), and the run differs from the
// lesson's run without it.
func TestFaultButtonsFinishInTheRun(t *testing.T) {
	cat := handle(Request{Op: "catalog"}, nil)
	require.Empty(t, cat.Errors)
	buttons := 0
	for _, l := range cat.Lessons {
		for _, fb := range l.Faults {
			buttons++
			t.Run(l.Name, func(t *testing.T) {
				t.Parallel()
				on := handle(Request{Op: "fault", YAML: l.YAML, Fault: fb.Fault}, nil)
				require.Empty(t, on.Errors)
				require.True(t, on.On)
				s, err := scenarios.Parse(file, []byte(on.YAML))
				require.NoError(t, err)
				f := s.Faults[len(s.Faults)-1]
				assert.Less(t, f.At.D()+f.For.D(), s.Duration.D(), "%s: the fault is over before the run ends", fb.Label)
				run, sum := lessonRun(t, l.Name, on.YAML)
				failovers, _ := sum["failovers"].([]any)
				for i, fo := range failovers {
					m := fo.(map[string]any)
					assert.NotNil(t, m["end_s"], "%s: failover %d (at %v s) ends within the run", fb.Label, i, m["start_s"])
					assert.NotNil(t, m["client_outage_s"], "%s: the clients are back from failover %d within the run", fb.Label, i)
				}
				base, _ := lessonRun(t, l.Name, l.YAML)
				assert.NotEqual(t, string(base.Summary), string(run.Summary), "%s changes the run", fb.Label)
				t.Logf("%s: answer %s (without it %s)", fb.Label, run.Answer, base.Answer)
			})
		}
	}
	assert.Positive(t, buttons)
}

// The warm-up runs are valid and quick (they delay the page's first
// run by their time).
func TestWarm(t *testing.T) {
	start := time.Now()
	r := handle(Request{Op: "warm"}, nil)
	require.Empty(t, r.Errors)
	t.Logf("warm-up: %v natively", time.Since(start))
}
