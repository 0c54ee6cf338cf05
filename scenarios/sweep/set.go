package sweep

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"dbsim/scenarios"
)

// A --set names one or more field paths and the values they take. A value
// reaches a point by editing the base scenario's YAML: the value, parsed
// as YAML, replaces the node at the path (setNode), and the edited text is
// parsed again as a scenario file.

// Axis is one --set: one or more field paths set together, and the
// values they take. A plain axis has one path; "a+b=1+x,2+y" zips two paths
// so that they change in step (a=1 with b=x, then a=2 with b=y).
type Axis struct {
	// Paths are field paths as error messages print them:
	// "system.instance_class", "workload[0].arrival.rate".
	Paths []string `json:"paths"`
	// Values[i][j] is the value of Paths[j] at the axis's i-th step, as
	// YAML text ("db.r6g.large", "1000/s", "[a, b]"; "~" removes the key,
	// so that the default applies).
	Values [][]string `json:"values"`
	// Flag is the argument as given, for messages.
	Flag string `json:"-"`
}

// ParseSet parses a --set argument: PATH=V1,V2,... or, to zip several
// paths, P1+P2=V1+W1,V2+W2. Values are separated by commas outside
// brackets, braces and quotes, so a value may be a YAML flow list or
// mapping ("topology.azs=[a, b],[a, b, c]").
func ParseSet(arg string) (Axis, error) {
	ax := Axis{Flag: arg}
	lhs, rhs, ok := strings.Cut(arg, "=")
	if !ok || strings.TrimSpace(lhs) == "" {
		return ax, fmt.Errorf("--set %s: want PATH=V1,V2,... (e.g. system.instance_class=db.r6g.large,db.r6g.xlarge)", arg)
	}
	for _, p := range strings.Split(lhs, "+") {
		p = strings.TrimSpace(p)
		if _, err := scenarios.ParsePath(p); err != nil {
			return ax, fmt.Errorf("--set %s: %v", arg, err)
		}
		if slices.Contains(ax.Paths, p) {
			return ax, fmt.Errorf("--set %s: %s is named twice", arg, p)
		}
		ax.Paths = append(ax.Paths, p)
	}
	for _, v := range splitTop(rhs, ',') {
		parts := []string{strings.TrimSpace(v)}
		if len(ax.Paths) > 1 {
			parts = splitTop(v, '+')
			for i := range parts {
				parts[i] = strings.TrimSpace(parts[i])
			}
			if len(parts) != len(ax.Paths) {
				return ax, fmt.Errorf("--set %s: value %q has %d parts, want one per path (%d) joined by +", arg, v, len(parts), len(ax.Paths))
			}
		}
		if slices.Contains(parts, "") {
			return ax, fmt.Errorf("--set %s: empty value (write ~ to remove a key so that its default applies)", arg)
		}
		ax.Values = append(ax.Values, parts)
	}
	for i := range ax.Values {
		for j := range i {
			if slices.Equal(ax.Values[i], ax.Values[j]) {
				return ax, fmt.Errorf("--set %s: value %s is given twice", arg, strings.Join(ax.Values[i], "+"))
			}
		}
	}
	return ax, nil
}

// splitTop splits s at sep where sep is not inside [], {}, () or quotes.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{' || c == '(':
			depth++
		case c == ']' || c == '}' || c == ')':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// valueNode parses a value as YAML.
func valueNode(v string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(v), &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "~"}, nil
	}
	n := doc.Content[0]
	n.Line, n.Column = 0, 0
	return n, nil
}

// setNode writes v at path under the mapping root, creating the mappings
// on the way that the file leaves out. Scenario.CheckPath has vetted path.
func setNode(root *yaml.Node, path []scenarios.PathStep, v *yaml.Node) {
	n := root
	for i, st := range path {
		last := i == len(path)-1
		var slot **yaml.Node
		if st.Index >= 0 {
			slot = &n.Content[st.Index]
		} else {
			if n.Kind != yaml.MappingNode { // a null value: make it a mapping
				*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			for k := 0; k+1 < len(n.Content); k += 2 {
				if resolve(n.Content[k]).Value == st.Key {
					slot = &n.Content[k+1]
				}
			}
			if slot == nil {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: st.Key},
					&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"})
				slot = &n.Content[len(n.Content)-1]
			}
		}
		if last {
			*slot = v
			return
		}
		if (*slot).Kind == yaml.AliasNode { // edit a copy, not every use of the anchor
			*slot = copyNode(resolve(*slot))
			(*slot).Anchor = ""
		}
		n = *slot
	}
}

// copyNode deep-copies a node tree (aliases keep pointing into the copy
// only if their anchor is inside it; others keep the original anchor).
func copyNode(n *yaml.Node) *yaml.Node {
	copies := map[*yaml.Node]*yaml.Node{}
	var cp func(*yaml.Node) *yaml.Node
	cp = func(n *yaml.Node) *yaml.Node {
		if n == nil {
			return nil
		}
		if c, ok := copies[n]; ok {
			return c
		}
		c := *n
		copies[n] = &c
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, x := range n.Content {
			c.Content[i] = cp(x)
		}
		c.Alias = cp(n.Alias)
		return &c
	}
	return cp(n)
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}
