// Package schema describes the scenario format as a JSON Schema (draft
// 2020-12), for editors: with it, the YAML language server completes keys,
// shows what each means and flags unknown keys, wrong types and unknown
// values as you type.
//
// The schema is generated from the Go types the loader decodes into
// (scenarios.Scenario and the blocks under it): a key is a field's yaml
// tag, its description the field's doc tag, its type the field's Go type.
// The units (Duration, Rate, Size, ByteRate) are strings with a pattern of
// what their parsers accept, the enumerated keys take the validator's
// lists (scenarios.EnumOf), and system.kind selects its kind's keys. A
// null value, which the loader reads as a key left out, is allowed
// everywhere but in the enumerated keys (where an editor would offer it
// as a value).
//
// The schema checks the shape of a scenario, not everything dbsim
// validate does: ranges, a fault's keys for its kind, AZs named in the
// topology and the like are left to it. It is stricter in two corners: an
// instance class is one of the canonical (lower-case) names, where dbsim
// also accepts another case, and a string key takes a string, where dbsim
// also reads a number or true as its text.
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"dbsim/scenarios"
)

// ID is the schema's $id.
const ID = "https://dbsim.invalid/scenario.schema.json"

// Patterns of the unit types: what scenarios.ParseDuration, ParseRate,
// ParseSize and ParseByteRate accept (TestPatternsMatchTheParsers holds
// them to it). Each is written in the syntax both ECMA-262 (editors) and
// Go's RE2 read.
const (
	number       = `(\d+(\.\d*)?|\.\d+)`
	timeUnit     = `(ns|us|µs|μs|ms|s|m|h|d)`
	sizeUnit     = `(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)`
	sizeValue    = `[+-]?(0|` + number + sizeUnit + `)`
	DurationExpr = `^[+-]?(0|(` + number + timeUnit + `)+)$`
	RateExpr     = `^[+-]?(0|` + number + `([eE][+-]?\d+)?[kM]?/` + timeUnit + `)$`
	SizeExpr     = `^` + sizeValue + `$`
	ByteRateExpr = `^([+-]?0|` + sizeValue + `/` + timeUnit + `)$`
)

// unitTypes are the types written as a number with a unit: their $defs
// name, pattern and description, and the unit as a key's description
// names it.
var unitTypes = map[reflect.Type]struct{ name, pattern, about, unit string }{
	reflect.TypeFor[scenarios.Duration](): {"duration", DurationExpr,
		"A duration: a number and a unit (ns, us, ms, s, m, h, d), or several as in 1m30s; 0 needs no unit.",
		"A duration, e.g. 5s, 0.4ms, 15m."},
	reflect.TypeFor[scenarios.Rate](): {"rate", RateExpr,
		"A rate: a count per unit of time (/ms, /s, /m, /h, /d); k and M multiply the count, as in 2k/s; 0 needs no unit.",
		"A rate, e.g. 2000/s, 90/m."},
	reflect.TypeFor[scenarios.Size](): {"size", SizeExpr,
		"A size: a number and a unit (B, KB, MB, GB, TB, with KB = 1024 B; or KiB, MiB, GiB, TiB, the same); 0 needs no unit.",
		"A size, e.g. 1KB, 100GB (KB = 1024 B)."},
	reflect.TypeFor[scenarios.ByteRate](): {"byte_rate", ByteRateExpr,
		"A byte rate: a size per unit of time, as in 50MB/s; 0 needs no unit.",
		"A size per unit of time, e.g. 50MB/s."},
}

// required lists the keys each block must have, as dbsim validate
// requires them.
var required = map[reflect.Type][]string{
	reflect.TypeFor[scenarios.Scenario]():       {"name", "duration", "system", "workload"},
	reflect.TypeFor[scenarios.System]():         {"kind"},
	reflect.TypeFor[scenarios.Workload]():       {"arrival"},
	reflect.TypeFor[scenarios.RateChange]():     {"at", "rate"},
	reflect.TypeFor[scenarios.Fault]():          {"kind"},
	reflect.TypeFor[scenarios.DistSpec]():       {"dist"},
	reflect.TypeFor[scenarios.DynamoDBGSI]():    {"name"},
	reflect.TypeFor[scenarios.DynamoDBUpdate](): {"at"},
	reflect.TypeFor[scenarios.HotKey]():         {"key", "share"},
}

// JSON returns the schema of the scenario format, indented, ending in a
// newline. It fails only if a field of the types has no doc tag or a type
// the format does not know, which TestEveryFieldIsDescribed catches.
func JSON() ([]byte, error) {
	g := &generator{defs: &object{}}
	root, err := g.root()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // "<" in a description stays "<"
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// generator builds the schema, one $defs entry per struct and unit type.
type generator struct {
	defs *object
}

// root is the schema of a scenario file.
func (g *generator) root() (*object, error) {
	body, err := g.block(reflect.TypeFor[scenarios.Scenario](), false)
	if err != nil {
		return nil, err
	}
	o := (&object{}).
		set("$schema", "https://json-schema.org/draft/2020-12/schema").
		set("$id", ID).
		set("title", "dbsim scenario").
		set("description", "A dbsim scenario: a system, a workload and a fault schedule, simulated by dbsim run. dbsim validate checks more than this schema does.")
	o.append(body)
	o.set("$defs", g.defs)
	return o, nil
}

// ref returns a reference to t's $defs entry, making the entry first.
func (g *generator) ref(t reflect.Type) (*object, error) {
	name := t.Name()
	if u, ok := unitTypes[t]; ok {
		name = u.name
	}
	if !g.defs.has(name) {
		g.defs.set(name, nil) // taken: a type that contains itself refers to it
		def, err := g.def(t)
		if err != nil {
			return nil, err
		}
		g.defs.set(name, def)
	}
	return (&object{}).set("$ref", "#/$defs/"+name), nil
}

// def is the $defs entry of a unit type or a struct type.
func (g *generator) def(t reflect.Type) (*object, error) {
	if u, ok := unitTypes[t]; ok {
		return (&object{}).
			set("description", u.about).
			set("anyOf", []any{
				(&object{}).set("type", "string").set("pattern", u.pattern),
				(&object{}).set("const", 0),
				(&object{}).set("type", "null"),
			}), nil
	}
	if t == reflect.TypeFor[scenarios.System]() {
		return g.system()
	}
	return g.block(t, true)
}

// block is the schema of a mapping decoded into the struct type t: its
// keys, none other, and the required ones; nullable if it may be null.
func (g *generator) block(t reflect.Type, nullable bool) (*object, error) {
	props := &object{}
	for i := range t.NumField() {
		f := t.Field(i)
		key := scenarios.YAMLKey(f)
		if key == "" {
			continue
		}
		p, err := g.property(t, f, key)
		if err != nil {
			return nil, err
		}
		props.set(key, p)
	}
	o := (&object{}).set("type", typeNames("object", nullable)).set("properties", props).set("additionalProperties", false)
	if req := required[t]; len(req) > 0 {
		o.set("required", req)
	}
	if t == reflect.TypeFor[scenarios.Arrival]() {
		// A trace's file gives its rates; every other process needs one.
		o.set("if", (&object{}).set("properties", (&object{}).set("process", (&object{}).set("const", "trace"))).set("required", []string{"process"})).
			set("then", (&object{}).set("required", []string{"file"})).
			set("else", (&object{}).set("required", []string{"rate"}))
	}
	return o, nil
}

// system is the schema of the system block: a kind, and the keys of that
// kind's block.
func (g *generator) system() (*object, error) {
	kinds := scenarios.SystemKinds()
	var names []string
	var branches []any
	for _, k := range kinds {
		names = append(names, k.Name)
		body, err := g.block(k.Type, false)
		if err != nil {
			return nil, err
		}
		props := (&object{}).set("kind", (&object{}).set("const", k.Name))
		props.append(body.get("properties").(*object))
		body.set("properties", props)
		g.defs.set(k.Type.Name(), body)
		branches = append(branches, (&object{}).
			set("if", (&object{}).set("properties", (&object{}).set("kind", (&object{}).set("const", k.Name))).set("required", []string{"kind"})).
			set("then", (&object{}).set("$ref", "#/$defs/"+k.Type.Name())))
	}
	kind, _ := reflect.TypeFor[scenarios.System]().FieldByName("Kind")
	return (&object{}).
		set("type", typeNames("object", true)).
		set("properties", (&object{}).set("kind", (&object{}).set("enum", names).set("description", kind.Tag.Get("doc")))).
		set("required", required[reflect.TypeFor[scenarios.System]()]).
		set("allOf", branches), nil
}

// property is the schema of the key named key, the field f of the struct
// type owner: its type, enumerated values and description.
func (g *generator) property(owner reflect.Type, f reflect.StructField, key string) (*object, error) {
	doc := f.Tag.Get("doc")
	if doc == "" {
		return nil, fmt.Errorf("schema: %s.%s (%s) has no doc tag", owner.Name(), f.Name, key)
	}
	p, unit, err := g.valueOf(f.Type)
	if err != nil {
		return nil, fmt.Errorf("schema: %s.%s: %w", owner.Name(), f.Name, err)
	}
	if e, ok := scenarios.EnumOf(owner, key); ok {
		// Not null: an editor would offer null among the values.
		p = (&object{}).set("type", "string").set("enum", e.Values)
		if e.OrDuration {
			dur, err := g.ref(reflect.TypeFor[scenarios.Duration]())
			if err != nil {
				return nil, err
			}
			p = (&object{}).set("anyOf", []any{p, dur})
		}
	}
	if slices.Contains(required[owner], key) {
		doc += " Required."
	}
	return p.set("description", doc+unit), nil
}

// valueOf is the schema of a value of Go type t, and for a unit type what
// to add to a description that names its unit.
func (g *generator) valueOf(t reflect.Type) (*object, string, error) {
	if u, ok := unitTypes[t]; ok {
		o, err := g.ref(t)
		return o, " " + u.unit, err
	}
	switch t.Kind() {
	case reflect.String:
		return (&object{}).set("type", typeNames("string", true)), "", nil
	case reflect.Bool:
		return (&object{}).set("type", typeNames("boolean", true)), "", nil
	case reflect.Int, reflect.Int64:
		return (&object{}).set("type", typeNames("integer", true)), "", nil
	case reflect.Uint64:
		return (&object{}).set("type", typeNames("integer", true)).set("minimum", 0), "", nil
	case reflect.Float64:
		return (&object{}).set("type", typeNames("number", true)), "", nil
	case reflect.Slice:
		items, _, err := g.valueOf(t.Elem())
		if err != nil {
			return nil, "", err
		}
		return (&object{}).set("type", typeNames("array", true)).set("items", items), "", nil
	case reflect.Struct:
		o, err := g.ref(t)
		return o, "", err
	}
	return nil, "", fmt.Errorf("no schema for Go type %s", t)
}

// typeNames is a JSON type, or it and null.
func typeNames(name string, nullable bool) any {
	if nullable {
		return []string{name, "null"}
	}
	return name
}

// object is a JSON object that keeps its keys in the order they were set,
// so that the schema reads in the order of the Go types.
type object struct {
	keys []string
	vals map[string]any
}

// set sets key to v, keeping key's place if it was set before.
func (o *object) set(key string, v any) *object {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
	return o
}

// get returns the value of key, nil if it is not set.
func (o *object) get(key string) any { return o.vals[key] }

// has reports whether key is set.
func (o *object) has(key string) bool {
	_, ok := o.vals[key]
	return ok
}

// append sets every key of other, in its order.
func (o *object) append(other *object) {
	for _, k := range other.keys {
		o.set(k, other.vals[k])
	}
}

// MarshalJSON writes the keys in order.
func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := marshal(k)
		if err != nil {
			return nil, err
		}
		val, err := marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without the escaping of <, > and &.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
