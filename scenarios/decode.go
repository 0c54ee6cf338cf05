package scenarios

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxNodes bounds how many nodes one file may decode to. Aliases can make a
// small file expand enormously ("billion laughs"); a real scenario has a
// few hundred nodes.
const maxNodes = 100_000

// systemKinds maps each supported system kind to a function that allocates
// that kind's block in a System and returns it for decoding. Supporting a new
// kind is one more entry here (plus its validation).
var systemKinds = map[string]func(*System) any{
	"rds":    func(s *System) any { s.RDS = &RDSSystem{}; return s.RDS },
	"aurora": func(s *System) any { s.Aurora = &AuroraSystem{}; return s.Aurora },
	"dynamodb": func(s *System) any {
		s.DynamoDB = &DynamoDBSystem{}
		return s.DynamoDB
	},
}

// plannedKinds are named in the design but not implemented yet (none
// today; a kind listed here is refused as "not supported yet").
var plannedKinds []string

// decoder turns a yaml.Node tree into Go values, collecting every problem
// with its position instead of stopping at the first.
type decoder struct {
	file  string
	errs  Errors
	pos   map[string]Pos  // path -> where it was written
	bad   map[string]bool // paths whose value could not be decoded
	nodes int             // nodes decoded so far, bounded by maxNodes
	// dropped counts the problems not kept: past maxErrors problems only
	// their number is, so that a file of a million unknown keys does not
	// hold a million messages.
	dropped int
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]Pos{}, bad: map[string]bool{}}
}

// fail records a problem at node n about the value at path.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		d.dropped++
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// failValue records that the value at path could not be decoded; validation
// then stays quiet about it rather than complaining about a zero value.
func (d *decoder) failValue(n *yaml.Node, path, format string, args ...any) {
	d.bad[path] = true
	d.fail(n, path, format, args...)
}

// scenario decodes the document's root mapping into s.
func (d *decoder) scenario(root *yaml.Node, s *Scenario) {
	root = resolve(root)
	d.pos[""] = Pos{root.Line, root.Column}
	d.value(root, "", reflect.ValueOf(s).Elem())
}

// value decodes n into v, dispatching on v's type.
func (d *decoder) value(n *yaml.Node, path string, v reflect.Value) {
	n = resolve(n)
	if d.nodes++; d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.errs = append(d.errs, &Error{File: d.file, Line: 1, Col: 1, Msg: fmt.Sprintf("too large: more than %d values (are aliases expanding?)", maxNodes)})
		}
		return
	}
	if isNull(n) {
		return
	}
	switch v.Type() {
	case reflect.TypeFor[Duration]():
		d.unitValue(n, path, v, "a duration such as 5s", func(s string) (any, error) { return ParseDuration(s) })
		return
	case reflect.TypeFor[Rate]():
		d.unitValue(n, path, v, "a rate such as 2000/s", func(s string) (any, error) { return ParseRate(s) })
		return
	case reflect.TypeFor[Size]():
		d.unitValue(n, path, v, "a size such as 4KB", func(s string) (any, error) { return ParseSize(s) })
		return
	case reflect.TypeFor[ByteRate]():
		d.unitValue(n, path, v, "a byte rate such as 50MB/s", func(s string) (any, error) { return ParseByteRate(s) })
		return
	case reflect.TypeFor[System]():
		d.system(n, path, v.Addr().Interface().(*System))
		return
	}
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.failValue(n, path, "expected a string, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.failValue(n, path, "expected true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil || v.OverflowInt(i) {
			d.failValue(n, path, "expected an integer, got %s", describe(n))
			return
		}
		v.SetInt(i)
	case reflect.Uint64:
		var u uint64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&u) != nil {
			d.failValue(n, path, "expected a non-negative integer, got %s", describe(n))
			return
		}
		v.SetUint(u)
	case reflect.Float64:
		var f float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			d.failValue(n, path, "expected a number, got %s", describe(n))
			return
		}
		v.SetFloat(f)
	case reflect.Slice:
		d.sequence(n, path, v)
	case reflect.Struct:
		d.mapping(n, path, v)
	default:
		// Only reachable if types.go gains a field of a type this decoder
		// does not know; say so rather than silently ignoring the key.
		d.failValue(n, path, "cannot decode a value of Go type %s (a bug in dbsim)", v.Type())
	}
}

// unitValue decodes a scalar with a unit through parse.
func (d *decoder) unitValue(n *yaml.Node, path string, v reflect.Value, want string, parse func(string) (any, error)) {
	if n.Kind != yaml.ScalarNode {
		d.failValue(n, path, "expected %s, got %s", want, describe(n))
		return
	}
	x, err := parse(n.Value)
	if err != nil {
		d.failValue(n, path, "%v", err)
		return
	}
	v.Set(reflect.ValueOf(x))
}

// sequence decodes a YAML sequence into the slice v.
func (d *decoder) sequence(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		d.failValue(n, path, "expected a list, got %s", describe(n))
		return
	}
	v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
	for i, item := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.record(p, item, item)
		d.value(item, p, v.Index(i))
	}
}

// mapping decodes a YAML mapping into the struct v, field by yaml tag.
// Keys in extra are allowed but left to the caller.
func (d *decoder) mapping(n *yaml.Node, path string, v reflect.Value, extra ...string) {
	fields := fieldsOf(v.Type())
	allowed := slices.Clone(extra)
	for _, f := range fields {
		allowed = append(allowed, f.name)
	}
	if n.Kind != yaml.MappingNode {
		d.failValue(n, path, "expected a mapping with keys %s, got %s", strings.Join(allowed, ", "), describe(n))
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := resolve(n.Content[i]), n.Content[i+1]
		if kn.Kind != yaml.ScalarNode {
			d.fail(kn, path, "a key must be a name, got %s", describe(kn))
			continue
		}
		key := kn.Value
		if kn.ShortTag() == "!!merge" {
			d.fail(kn, path, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		if first, dup := seen[key]; dup {
			d.fail(kn, path, "duplicate key %q (first at line %d)", key, first.Line)
			continue
		}
		seen[key] = kn
		if slices.Contains(extra, key) {
			continue
		}
		i := slices.IndexFunc(fields, func(f field) bool { return f.name == key })
		if i < 0 {
			d.fail(kn, path, "%s", unknownKey(key, allowed))
			continue
		}
		p := join(path, key)
		d.record(p, kn, vn)
		d.value(vn, p, v.Field(fields[i].index))
	}
}

// system decodes the polymorphic system block: its kind selects which
// kind-specific struct the rest of the mapping goes to.
func (d *decoder) system(n *yaml.Node, path string, s *System) {
	kinds := slices.Sorted(maps.Keys(systemKinds))
	if n.Kind != yaml.MappingNode {
		d.failValue(n, path, "expected a mapping with a kind (%s) and that kind's keys, got %s", strings.Join(kinds, ", "), describe(n))
		return
	}
	var kindNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k.Kind == yaml.ScalarNode && k.Value == "kind" {
			kindNode = resolve(n.Content[i+1])
			break
		}
	}
	if kindNode == nil || isNull(kindNode) {
		return // validation reports the missing kind
	}
	kp := join(path, "kind")
	d.record(kp, kindNode, kindNode)
	if kindNode.Kind != yaml.ScalarNode {
		d.failValue(kindNode, kp, "expected a system kind (%s), got %s", strings.Join(kinds, ", "), describe(kindNode))
		return
	}
	s.Kind = kindNode.Value
	build, ok := systemKinds[s.Kind]
	switch {
	case ok:
		d.mapping(n, path, reflect.ValueOf(build(s)).Elem(), "kind")
	case slices.Contains(plannedKinds, s.Kind):
		d.failValue(kindNode, kp, "%q is not supported yet (allowed: %s)", s.Kind, strings.Join(kinds, ", "))
	default:
		d.failValue(kindNode, kp, "unknown kind %q%s (allowed: %s)", s.Kind, DidYouMean(s.Kind, kinds), strings.Join(kinds, ", "))
	}
}

// record notes where path was written: at its key for a mapping or list
// (where a reader looks for it), at its value for a scalar. A null value
// counts as not written.
func (d *decoder) record(path string, key, value *yaml.Node) {
	value = resolve(value)
	if isNull(value) {
		return
	}
	at := value
	if value.Kind == yaml.MappingNode || value.Kind == yaml.SequenceNode {
		at = key
	}
	d.pos[path] = Pos{at.Line, at.Column}
}

// field is a decodable struct field: its yaml key and its index.
type field struct {
	name  string
	index int
}

// fieldsOf lists t's decodable fields in declaration order.
func fieldsOf(t reflect.Type) []field {
	var fields []field
	for i := range t.NumField() {
		if name := YAMLKey(t.Field(i)); name != "" {
			fields = append(fields, field{name, i})
		}
	}
	return fields
}

// YAMLKey is the key a struct field of the scenario types is written as,
// or "" if it is not decodable (unexported, or tagged yaml:"-").
func YAMLKey(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// unknownKey explains an unknown key, suggesting the closest allowed one
// when it looks like a typo: what is wrong first, then what is allowed.
func unknownKey(key string, allowed []string) string {
	return fmt.Sprintf("unknown key %q%s (allowed: %s)", key, DidYouMean(key, allowed), strings.Join(allowed, ", "))
}

// DidYouMean is "; did you mean X?" (or "X or Y?") for the candidates that
// word looks like a typo of (see Nearest), or "" when there is none.
func DidYouMean(word string, candidates []string) string {
	near := Nearest(word, candidates, 3)
	switch len(near) {
	case 0:
		return ""
	case 1:
		return "; did you mean " + near[0] + "?"
	default:
		return "; did you mean " + strings.Join(near[:len(near)-1], ", ") + " or " + near[len(near)-1] + "?"
	}
}

// Nearest returns at most n of candidates that word looks like a typo of,
// in the order of candidates: those at the smallest edit distance from
// word (ignoring case), if that distance is at most a third of the shorter
// name's length (at least 1), and otherwise those that word is the start
// of (db.r6g.4x for db.r6g.4xlarge), if word has at least 4 characters.
// None when every candidate is as near as the others.
func Nearest(word string, candidates []string, n int) []string {
	w := strings.ToLower(word)
	best, bestDist := []string(nil), math.MaxInt
	for _, c := range candidates {
		d := editDistance(w, strings.ToLower(c))
		if d > max(1, min(len(w), len(c))/3) || d > bestDist {
			continue
		}
		if d < bestDist {
			best, bestDist = best[:0], d
		}
		best = append(best, c)
	}
	if len(best) == 0 && len(w) >= 4 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), w) {
				best = append(best, c)
			}
		}
	}
	if len(best) == len(candidates) && len(best) > 1 {
		return nil // as near to one as to any other: no help
	}
	return best[:min(n, len(best))]
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is an empty or null value (`key:` or `key: ~`),
// which counts as not written.
func isNull(n *yaml.Node) bool {
	return n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names what n is, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return strconv.Quote(v)
	default:
		return "nothing"
	}
}

// join appends a key to a path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
