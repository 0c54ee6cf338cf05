package lessons_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/report"
	"dbsim/scenarios"
	"dbsim/scenarios/lessons"
)

var update = flag.Bool("update", false, "rewrite the teacher's guide (guide/*.md) from the lessons' runs")

// summaryOf runs src and returns its summary.json decoded as the browser
// decodes it.
func summaryOf(t *testing.T, name string, src []byte) map[string]any {
	t.Helper()
	s, err := scenarios.Parse(name+".yaml", src)
	require.NoError(t, err)
	res, err := scenarios.Run(s, scenarios.Options{})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, report.WriteJSON(&b, report.Summarize(res, nil)))
	var sum map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &sum))
	return sum
}

// Every lesson loads; the six the workshop needs are there.
func TestLessonsLoad(t *testing.T) {
	all, err := lessons.All()
	require.NoError(t, err)
	var names []string
	for _, l := range all {
		names = append(names, l.Scenario)
	}
	for _, want := range []string{"rds-multi-az-failover", "client-dns-cache", "replica-lag-write-burst",
		"aurora-az-plus-one", "dynamodb-hot-partition", "retry-storm-metastable"} {
		assert.Contains(t, names, want)
	}
}

// Every field a lesson names (its prediction, its goals, its guide's
// numbers) is a number in the summary of its run, and the committed
// teacher's guide quotes that run: go test ./scenarios/lessons/ -update
// rewrites it.
func TestLessonFieldsAndGuide(t *testing.T) {
	all, err := lessons.All()
	require.NoError(t, err)
	for _, l := range all {
		t.Run(l.Name, func(t *testing.T) {
			src, err := l.Source()
			require.NoError(t, err)
			sum := summaryOf(t, l.Scenario, src)
			fields := []string{l.Predict.Field}
			for _, g := range l.Goals {
				fields = append(fields, g.Field)
			}
			fields = append(fields, lessons.Placeholders(l.Guide.Shows)...)
			for _, f := range fields {
				_, ok := lessons.Lookup(sum, f)
				assert.True(t, ok, "%s: %s is not a number in the summary of %s", l.Name, f, l.Scenario)
			}
			got := l.GuideMarkdown(sum)
			file := filepath.Join("guide", l.Name+".md")
			if *update {
				require.NoError(t, os.WriteFile(file, []byte(got), 0o644))
			}
			want, err := lessons.GuideFile(l.Name)
			require.NoError(t, err, "no guide for %s: go test ./scenarios/lessons/ -update", l.Name)
			assert.Equal(t, string(want), got, "the guide of %s does not quote its run: go test ./scenarios/lessons/ -update", l.Name)
		})
	}
}

// A lesson whose slider path is not in its scenario, whose goal has no
// bound, or with an unknown key, is refused with the reason.
func TestBadLessons(t *testing.T) {
	good, err := os.ReadFile("dns-caching.yaml")
	require.NoError(t, err)
	_, err = lessons.Parse("dns-caching.yaml", good)
	require.NoError(t, err)
	for name, c := range map[string]struct{ old, new, want string }{
		"slider path not written": {"path: clients.dns_cache", "path: clients.pool_timeout", "clients.pool_timeout is not written in client-dns-cache"},
		"slider path unknown":     {"path: clients.dns_cache", "path: clients.dns_cash", "clients.dns_cash is not written"},
		"value off the slider":    {"min: 1, max: 300", "min: 1, max: 100", "the scenario's clients.dns_cache is 3m, not a value of the slider"},
		"slider end invalid":      {"label: Client timeout, min: 1", "label: Client timeout, min: 0", "clients.timeout=0s"},
		"goal without bound":      {"field: availability, above: 0.88", "field: availability", "goals[1]: want one of below and above"},
		"unknown key":             {"intro:", "intro_text: x\nintro:", "field intro_text not found"},
		"no such scenario":        {"scenario: client-dns-cache", "scenario: client-dns", `"client-dns" is not a bundled scenario`},
		"duration invalid":        {"replications: 1\n", "replications: 1\nduration: 12x\n", "scenario client-dns-cache: client-dns-cache.yaml:9:11: duration"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := bytes.Replace(good, []byte(c.old), []byte(c.new), 1)
			require.NotEqual(t, good, bad)
			_, err := lessons.Parse("dns-caching.yaml", bad)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// A slider's move changes one value and nothing else of the text.
func TestSetValue(t *testing.T) {
	src := []byte("# a comment\nclients:\n  dns_cache: 3m   # too long\n  retry: {max_attempts: 3, base: 50ms}\nworkload:\n  - rate_changes: [{at: 3m, rate: 9000/s}]\n")
	out, err := lessons.SetValue(src, "clients.dns_cache", "30s")
	require.NoError(t, err)
	assert.Equal(t, "# a comment\nclients:\n  dns_cache: 30s   # too long\n  retry: {max_attempts: 3, base: 50ms}\nworkload:\n  - rate_changes: [{at: 3m, rate: 9000/s}]\n", string(out))
	out, err = lessons.SetValue(src, "clients.retry.base", "1s")
	require.NoError(t, err)
	assert.Contains(t, string(out), "{max_attempts: 3, base: 1s}")
	out, err = lessons.SetValue(src, "workload[0].rate_changes[0].rate", "12000/s")
	require.NoError(t, err)
	assert.Contains(t, string(out), "[{at: 3m, rate: 12000/s}]")
	_, err = lessons.SetValue(src, "clients.timeout", "1s")
	assert.ErrorContains(t, err, "clients.timeout is not written")
	_, err = lessons.SetValue(src, "clients.dns_cache", "1s, x: 2")
	assert.ErrorContains(t, err, "not a plain value")
}

// A fault button adds its item at the end of the faults list and takes
// it away again, leaving the text as it was.
func TestToggleFault(t *testing.T) {
	src := []byte("name: x\nfaults:\n  - {at: 3m, kind: az-outage, az: a}\n  # the second\n  - {at: 4m, kind: storage-node-failure, az: b}\n\n# after\nclients: {}\n")
	on, added, err := lessons.ToggleFault(src, "{at: 5m, kind: instance-failure, target: primary}")
	require.NoError(t, err)
	assert.True(t, added)
	assert.Equal(t, "name: x\nfaults:\n  - {at: 3m, kind: az-outage, az: a}\n  # the second\n  - {at: 4m, kind: storage-node-failure, az: b}\n  - {at: 5m, kind: instance-failure, target: primary}\n\n# after\nclients: {}\n", string(on))
	off, added, err := lessons.ToggleFault(on, "{at: 5m, kind: instance-failure, target: primary}")
	require.NoError(t, err)
	assert.False(t, added)
	assert.Equal(t, string(src), string(off))

	none := []byte("name: x\nclients: {}")
	on, _, err = lessons.ToggleFault(none, "{at: 5m, kind: instance-failure, target: primary}")
	require.NoError(t, err)
	assert.Equal(t, "name: x\nclients: {}\n\nfaults:\n  - {at: 5m, kind: instance-failure, target: primary}\n", string(on))

	_, _, err = lessons.ToggleFault(src, "at: 5m")
	assert.ErrorContains(t, err, "want one flow mapping")
}

// Goals read numbers, list lengths, and say "none" for a null.
func TestCheckGoals(t *testing.T) {
	l, err := lessons.Get("multi-az-failover")
	require.NoError(t, err)
	var sum map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"client_outage_s": {"mean": 40.26}, "lost_writes": 0}`), &sum))
	got := l.Check(sum)
	require.Len(t, got, 2)
	assert.Equal(t, lessons.Result{Text: "Clients are back in under 65 s", Met: true, Got: "client_outage_s.mean = 40.3"}, got[0])
	assert.True(t, got[1].Met)
	require.NoError(t, json.Unmarshal([]byte(`{"client_outage_s": null, "lost_writes": 3}`), &sum))
	got = l.Check(sum)
	assert.Equal(t, lessons.Result{Text: "Clients are back in under 65 s", Got: "none"}, got[0])
	assert.False(t, got[1].Met)
	n, ok := lessons.Lookup(map[string]any{"saturations": []any{1, 2}}, "saturations")
	assert.True(t, ok)
	assert.Equal(t, 2.0, n)
}
