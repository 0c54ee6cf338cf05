package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// A field path names a value of the scenario format as error messages
// print it: "system.instance_class", "workload[0].arrival.rate". Pos and
// Has take one; a sweep (package sweep) sets the fields its --set paths
// name.

// PathStep is one step of a field path: a key, or an index into a list.
type PathStep struct {
	// Key is the key of a mapping; "" for an index.
	Key string
	// Index is the index into a list; -1 for a key.
	Index int
}

// ParsePath splits a field path, "workload[0].arrival.rate", into its
// steps. Keys are lower_case; indexes are [0], [1], ...
func ParsePath(p string) ([]PathStep, error) {
	var steps []PathStep
	rest := p
	if p == "" {
		return nil, fmt.Errorf("empty path")
	}
	for rest != "" {
		if rest[0] == '[' {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: missing ]", p)
			}
			i, err := strconv.Atoi(rest[1:end])
			if err != nil || i < 0 {
				return nil, fmt.Errorf("path %q: %q is not an index (want [0], [1], ...)", p, rest[:end+1])
			}
			steps = append(steps, PathStep{Index: i})
			rest = rest[end+1:]
			if strings.HasPrefix(rest, ".") {
				rest = rest[1:]
				if rest == "" {
					return nil, fmt.Errorf("path %q ends with a dot", p)
				}
			}
			continue
		}
		end := strings.IndexAny(rest, ".[")
		if end < 0 {
			end = len(rest)
		}
		key := rest[:end]
		if key == "" {
			return nil, fmt.Errorf("path %q: empty key", p)
		}
		for _, c := range key {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return nil, fmt.Errorf("path %q: key %q (keys are lower_case, e.g. system.instance_class, workload[0].arrival.rate)", p, key)
			}
		}
		steps = append(steps, PathStep{Key: key, Index: -1})
		rest = rest[end:]
		if strings.HasPrefix(rest, ".") {
			rest = rest[1:]
			if rest == "" {
				return nil, fmt.Errorf("path %q ends with a dot", p)
			}
		}
	}
	return steps, nil
}

// PathError is a field path that does not fit the scenario format or the
// file: Pos is the place in the file of the nearest value the path passes
// through.
type PathError struct {
	Pos Pos
	Msg string
}

// Error implements error.
func (e *PathError) Error() string { return e.Msg }

// CheckPath checks that steps name a field of the scenario format (for s's
// system kind) and, where they index a list, an item s's file has. A key
// the file leaves out is fine: it can be written. The problem is a
// *PathError; s must have been read from YAML (Source).
func (s *Scenario) CheckPath(steps []PathStep) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(s.Source, &doc); err != nil || len(doc.Content) == 0 {
		return fmt.Errorf("re-reading %s: %v", s.File, err)
	}
	t := reflect.TypeFor[Scenario]()
	n := resolve(doc.Content[0])
	path := ""
	for _, st := range steps {
		if st.Index >= 0 {
			at := path + "[" + strconv.Itoa(st.Index) + "]"
			if t.Kind() != reflect.Slice {
				return &PathError{s.Pos(path), fmt.Sprintf("%s is not a list, so %s does not exist", nameOr(path), at)}
			}
			count := 0
			if n != nil && n.Kind == yaml.SequenceNode {
				count = len(n.Content)
			}
			if st.Index >= count {
				return &PathError{s.Pos(path), fmt.Sprintf("%s does not exist: %s has %d item(s) (a sweep changes items, it does not add them)", at, nameOr(path), count)}
			}
			t, n, path = t.Elem(), resolve(n.Content[st.Index]), at
			continue
		}
		var fields []field
		var owner reflect.Type
		allowed := []string{}
		switch {
		case t == reflect.TypeFor[System]():
			allowed = append(allowed, "kind")
			if build, ok := systemKinds[s.System.Kind]; ok {
				owner = reflect.TypeOf(build(&System{})).Elem()
				fields = fieldsOf(owner)
			}
		case t.Kind() == reflect.Struct:
			owner = t
			fields = fieldsOf(t)
		default:
			return &PathError{s.Pos(path), fmt.Sprintf("%s is a single value, it has no key %q", nameOr(path), st.Key)}
		}
		for _, f := range fields {
			allowed = append(allowed, f.name)
		}
		next := join(path, st.Key)
		switch i := slices.IndexFunc(fields, func(f field) bool { return f.name == st.Key }); {
		case st.Key == "kind" && t == reflect.TypeFor[System]():
			t = reflect.TypeFor[string]()
		case i < 0:
			return &PathError{s.Pos(path), fmt.Sprintf("%s does not exist: in %s, %s", next, nameOr(path), unknownKey(st.Key, allowed))}
		default:
			t = owner.Field(fields[i].index).Type
		}
		var child *yaml.Node
		if n != nil && n.Kind == yaml.MappingNode {
			for k := 0; k+1 < len(n.Content); k += 2 {
				if resolve(n.Content[k]).Value == st.Key {
					child = resolve(n.Content[k+1])
				}
			}
		}
		n, path = child, next
	}
	return nil
}

// nameOr names a path in a message: the path, or "the scenario" for the
// root.
func nameOr(path string) string {
	if path == "" {
		return "the scenario"
	}
	return path
}
