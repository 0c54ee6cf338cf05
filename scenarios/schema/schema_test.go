package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"dbsim/scenarios"
)

// compile compiles the schema with an implementation of JSON Schema that
// is not this package's (santhosh-tekuri/jsonschema, which also checks the
// schema against the draft 2020-12 metaschema).
func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := JSON()
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(ID, doc))
	sch, err := c.Compile(ID)
	require.NoError(t, err)
	return sch
}

// instance decodes a YAML scenario into the generic values a JSON
// document holds, as an editor's YAML language server does.
func instance(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal(src, &v))
	data, err := json.Marshal(v)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	require.NoError(t, err)
	return inst
}

// describedTypes lists the struct types a scenario decodes into: the
// scenario, every block under it and each system kind's.
func describedTypes() []reflect.Type {
	seen := map[reflect.Type]bool{}
	var out []reflect.Type
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		out = append(out, t)
		for i := range t.NumField() {
			if scenarios.YAMLKey(t.Field(i)) != "" {
				walk(t.Field(i).Type)
			}
		}
	}
	walk(reflect.TypeFor[scenarios.Scenario]())
	for _, k := range scenarios.SystemKinds() {
		walk(k.Type)
	}
	return out
}

// Every key has a description: the doc tag of its field.
func TestEveryFieldIsDescribed(t *testing.T) {
	types := describedTypes()
	require.Greater(t, len(types), 30)
	keys := 0
	for _, typ := range types {
		for i := range typ.NumField() {
			f := typ.Field(i)
			if scenarios.YAMLKey(f) == "" {
				continue
			}
			keys++
			doc := f.Tag.Get("doc")
			assert.NotEmpty(t, doc, "%s.%s (%s) has no doc tag", typ.Name(), f.Name, scenarios.YAMLKey(f))
			assert.True(t, strings.HasSuffix(doc, "."), "%s.%s: a sentence: %q", typ.Name(), f.Name, doc)
		}
	}
	assert.Greater(t, keys, 200)
	_, err := JSON()
	assert.NoError(t, err)
}

// The enumerated keys, the required keys and the kinds name keys that
// exist.
func TestTablesNameRealKeys(t *testing.T) {
	for typ, keys := range required {
		for _, k := range keys {
			assert.True(t, hasKey(typ, k), "required: %s has no key %s", typ.Name(), k)
		}
	}
	n := 0
	for _, typ := range describedTypes() {
		for i := range typ.NumField() {
			if e, ok := scenarios.EnumOf(typ, scenarios.YAMLKey(typ.Field(i))); ok {
				n++
				assert.NotEmpty(t, e.Values, "%s.%s", typ.Name(), typ.Field(i).Name)
			}
		}
	}
	assert.Equal(t, 27, n, "every enumerated key is a key of the format")
}

func hasKey(t reflect.Type, key string) bool {
	if t == reflect.TypeFor[scenarios.System]() && key == "kind" {
		return true
	}
	for i := range t.NumField() {
		if scenarios.YAMLKey(t.Field(i)) == key {
			return true
		}
	}
	return false
}

// The schema is valid draft 2020-12, and says what an editor shows:
// descriptions with units, enumerated values, the system's kinds.
func TestSchemaContent(t *testing.T) {
	compile(t)
	data, err := JSON()
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	defs := doc["$defs"].(map[string]any)
	prop := func(def, key string) map[string]any {
		return defs[def].(map[string]any)["properties"].(map[string]any)[key].(map[string]any)
	}
	assert.Equal(t, "The scenario's name: lowercase letters, digits and dashes; it names the report. Required.",
		doc["properties"].(map[string]any)["name"].(map[string]any)["description"])
	assert.Contains(t, prop("RDSFailover", "dns_ttl")["description"], "A duration, e.g. 5s")
	assert.Contains(t, prop("Arrival", "rate")["description"], "A rate, e.g. 2000/s")
	assert.Contains(t, prop("RDSSystem", "engine")["enum"], "postgres")
	assert.Contains(t, prop("RDSSystem", "instance_class")["enum"], "db.r6g.large")
	assert.Contains(t, prop("Fault", "kind")["enum"], "az-outage")
	assert.Contains(t, prop("Retry", "jitter")["enum"], "full")
	assert.Equal(t, "rds", prop("RDSSystem", "kind")["const"])
	assert.Equal(t, false, defs["RDSSystem"].(map[string]any)["additionalProperties"])
	assert.Equal(t, DurationExpr, defs["duration"].(map[string]any)["anyOf"].([]any)[0].(map[string]any)["pattern"])
}

// readmeScenarios returns the README's scenario examples, each completed
// into a whole scenario as TestREADMEExamplesLoad in package scenarios
// does.
func readmeScenarios(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	var out []string
	for _, b := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(src), -1) {
		y := b[1]
		if !strings.Contains(y, "\nsystem:") && !strings.HasPrefix(y, "system:") {
			continue // not a scenario (a Kubernetes Job, ...)
		}
		if !strings.Contains(y, "\nname:") && !strings.HasPrefix(y, "name:") {
			y = "name: readme\nduration: 15m\n" + y
		}
		if !strings.Contains(y, "\nworkload:") {
			y += "\nworkload: [{arrival: {rate: 100/s}}]\n"
		}
		out = append(out, y)
	}
	require.GreaterOrEqual(t, len(out), 4)
	return out
}

// Every scenario dbsim accepts that the project holds matches the schema:
// the bundled ones, the README's examples, the valid test files.
func TestScenariosMatchTheSchema(t *testing.T) {
	sch := compile(t)
	check := func(name string, src []byte) {
		_, err := scenarios.Parse(name, src)
		require.NoError(t, err, "%s loads", name)
		assert.NoError(t, sch.Validate(instance(t, src)), "%s:\n%s", name, src)
	}
	bundled := scenarios.Bundled()
	require.NotEmpty(t, bundled)
	for _, b := range bundled {
		s, err := scenarios.LoadBundled(b.Name)
		require.NoError(t, err)
		check(s.File, s.Source) // its path: its traces are relative to it
	}
	for i, y := range readmeScenarios(t) {
		check("README example "+string(rune('1'+i)), []byte(y))
	}
	files, err := filepath.Glob("../testdata/*/*.yaml")
	require.NoError(t, err)
	files = append(files, "../testdata/tiny.yaml")
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		if _, err := scenarios.Parse(f, src); err == nil {
			check(f, src)
			n++
		}
	}
	assert.GreaterOrEqual(t, n, 3, "the valid test files")
}

// What the schema refuses, dbsim refuses too: an unknown key, a value of
// the wrong type, a number without its unit, an unknown value, another
// kind's key, a missing key.
func TestSchemaRefusesBadScenarios(t *testing.T) {
	sch := compile(t)
	const good = "name: s\nduration: 10m\nsystem:\n  kind: rds\n  engine: postgres\n  instance_class: db.r6g.large\nworkload:\n  - arrival: {rate: 100/s}\n"
	require.NoError(t, sch.Validate(instance(t, []byte(good))))
	for _, c := range []struct{ name, from, to, want string }{
		{"unknown key", "instance_class:", "instance_clas:", "instance_clas"},
		{"wrong type", "duration: 10m", "duration: [10m]", "/duration"},
		{"no unit", "duration: 10m", "duration: 10", "/duration"},
		{"bad unit", "rate: 100/s", "rate: 100/sec", "/workload/0/arrival/rate"},
		{"not an integer", "name: s\n", "name: s\nreplications: three\n", "/replications"},
		{"unknown engine", "engine: postgres", "engine: cockroach", "/system/engine"},
		{"unknown class", "db.r6g.large", "db.r6g.larg", "/system/instance_class"},
		{"another kind's key", "kind: rds", "kind: dynamodb", "engine"},
		{"unknown kind", "kind: rds", "kind: oracle", "/system/kind"},
		{"missing key", "name: s\n", "", "name"},
		{"unknown fault", "workload:", "faults: [{at: 1m, kind: meteor}]\nworkload:", "/faults/0/kind"},
	} {
		bad := strings.Replace(good, c.from, c.to, 1)
		require.NotEqual(t, good, bad, c.name)
		_, err := scenarios.Parse("bad.yaml", []byte(bad))
		require.Error(t, err, "%s: dbsim refuses it", c.name)
		err = sch.Validate(instance(t, []byte(bad)))
		if assert.Error(t, err, "%s: the schema refuses it", c.name) {
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
}

// The unit patterns accept exactly what the parsers accept.
func TestPatternsMatchTheParsers(t *testing.T) {
	for _, c := range []struct {
		expr  string
		parse func(string) error
		cases []string
	}{
		{DurationExpr, func(s string) error { _, err := scenarios.ParseDuration(s); return err },
			[]string{"0", "+0", "-0", "5s", "0.4ms", ".5s", "3.s", "1m30s", "1d12h", "800us", "800µs", "2h", "-5s", "00", "5", "5 s", "5sec", "s", "1.5.2s", "", "5S", "1e3s", "0s", "10m"}},
		{RateExpr, func(s string) error { _, err := scenarios.ParseRate(s); return err },
			[]string{"0", "-0", "2000/s", "90/m", "0.5/s", "2k/s", "1M/s", "1e6/s", "1E+3/ms", "1000M/s", "0/s", "100", "100/sec", "/s", "2K/s", "1e/s", "100/2s", "-5/s", "100/ s"}},
		{SizeExpr, func(s string) error { _, err := scenarios.ParseSize(s); return err },
			[]string{"0", "-0", "1KB", "1.5KB", "400KB", "10GB", "1TB", "1KiB", "0B", "100", "1kb", "1 KB", "KB", "1PB", "-1KB", "1.KB"}},
		{ByteRateExpr, func(s string) error { _, err := scenarios.ParseByteRate(s); return err },
			[]string{"0", "-0", "50MB/s", "1GB/s", "0/s", "0B/s", "1.5KB/ms", "50MB", "50MB/sec", "50/s", "MB/s", "50MiB/h"}},
	} {
		re := regexp.MustCompile(c.expr)
		for _, s := range c.cases {
			assert.Equal(t, c.parse(s) == nil, re.MatchString(s), "%q: the parser and %s disagree", s, c.expr)
		}
	}
}
