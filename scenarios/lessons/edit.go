package lessons

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"dbsim/scenarios"
)

// The edits below change a scenario's text in place, a value or a line,
// so the learner's YAML keeps its comments and layout and a slider's move
// is one visible change.

// nodeIn finds the value written at path (a field path as
// scenarios.ParsePath reads it) in a document read from YAML.
func nodeIn(doc *yaml.Node, path string) (*yaml.Node, error) {
	steps, err := scenarios.ParsePath(path)
	if err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("the scenario is empty")
	}
	n := doc.Content[0]
	for _, st := range steps {
		var next *yaml.Node
		switch {
		case st.Index >= 0 && n.Kind == yaml.SequenceNode && st.Index < len(n.Content):
			next = n.Content[st.Index]
		case st.Index < 0 && n.Kind == yaml.MappingNode:
			for k := 0; k+1 < len(n.Content); k += 2 {
				if n.Content[k].Value == st.Key {
					next = n.Content[k+1]
				}
			}
		}
		if next == nil {
			return nil, fmt.Errorf("%s is not written in the scenario", path)
		}
		n = next
	}
	return n, nil
}

// offset is the byte offset of a yaml.Node's 1-based line and column
// (a column counts characters).
func offset(src []byte, line, col int) int {
	at := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[at:], '\n')
		if i < 0 {
			return -1
		}
		at += i + 1
	}
	for c := 1; c < col && at < len(src); c++ {
		_, size := utf8.DecodeRune(src[at:])
		at += size
	}
	return at
}

// scalarSpan is where the plain scalar written at path is in src.
func scalarSpan(src []byte, path string) (start, end int, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return 0, 0, err
	}
	return spanIn(src, &doc, path)
}

// spanIn is scalarSpan in src read as doc.
func spanIn(src []byte, doc *yaml.Node, path string) (start, end int, err error) {
	n, err := nodeIn(doc, path)
	if err != nil {
		return 0, 0, err
	}
	if n.Kind != yaml.ScalarNode || n.Style != 0 {
		return 0, 0, fmt.Errorf("%s is not a plain value (a slider moves a number written as such)", path)
	}
	start = offset(src, n.Line, n.Column)
	end = start + len(n.Value)
	if start < 0 || end > len(src) || string(src[start:end]) != n.Value {
		return 0, 0, fmt.Errorf("%s: cannot find its value %q in the text", path, n.Value)
	}
	return start, end, nil
}

// valueAt is the text of the plain value written at path.
func valueAt(src []byte, path string) (string, error) {
	start, end, err := scalarSpan(src, path)
	if err != nil {
		return "", err
	}
	return string(src[start:end]), nil
}

// SetValue replaces the plain value written at path ("clients.dns_cache",
// "workload[0].rate_changes[0].rate") with value, leaving the rest of
// the text as it was. The result is not validated: parse it.
func SetValue(src []byte, path, value string) ([]byte, error) {
	if value == "" || strings.ContainsAny(value, ",:{}[]#\n'\"") {
		return nil, fmt.Errorf("%s: %q is not a plain value", path, value)
	}
	start, end, err := scalarSpan(src, path)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(src)+len(value))
	out = append(out, src[:start]...)
	out = append(out, value...)
	return append(out, src[end:]...), nil
}

// ToggleFault adds fault (one faults item written as a YAML flow
// mapping) to the end of the scenario's faults, or removes it if a line
// holds exactly that item; on says which. A scenario without faults gets
// a faults list at its end.
func ToggleFault(src []byte, fault string) (out []byte, on bool, err error) {
	fault = strings.TrimSpace(fault)
	var item map[string]any
	if err := yaml.Unmarshal([]byte(fault), &item); err != nil || !strings.HasPrefix(fault, "{") || strings.Contains(fault, "\n") {
		return nil, false, fmt.Errorf("fault %q: want one flow mapping, {at: 4m, kind: ...}", fault)
	}
	lines := strings.SplitAfter(string(src), "\n")
	for i, ln := range lines {
		if strings.TrimSpace(ln) == "- "+fault {
			return []byte(strings.Join(append(lines[:i:i], lines[i+1:]...), "")), false, nil
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, false, fmt.Errorf("the scenario does not read as a mapping: fix it first")
	}
	root := doc.Content[0]
	text := string(src)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	for k := 0; k+1 < len(root.Content); k += 2 {
		if root.Content[k].Value != "faults" {
			continue
		}
		seq := root.Content[k+1]
		if seq.Kind == yaml.ScalarNode && seq.Tag == "!!null" {
			// "faults:" with nothing after it: the items go below.
			return insertLine(text, root.Content[k].Line, "  - "+fault+"\n"), true, nil
		}
		if seq.Kind != yaml.SequenceNode || seq.Style&yaml.FlowStyle != 0 || len(seq.Content) == 0 {
			return nil, false, fmt.Errorf("faults is not written as a list of items, one a line: add the fault by hand")
		}
		indent := strings.Repeat(" ", max(seq.Content[0].Column-3, 0))
		// The last item ends before the next top-level key, less the blank
		// and comment lines in between.
		last := len(lines)
		if k+2 < len(root.Content) {
			last = root.Content[k+2].Line - 1
		}
		for last > seq.Content[len(seq.Content)-1].Line {
			t := strings.TrimSpace(lines[last-1])
			if t != "" && !strings.HasPrefix(t, "#") {
				break
			}
			last--
		}
		return insertLine(text, last, indent+"- "+fault+"\n"), true, nil
	}
	return []byte(text + "\nfaults:\n  - " + fault + "\n"), true, nil
}

// insertLine inserts line into text after its line number after (1-based).
func insertLine(text string, after int, line string) []byte {
	lines := strings.SplitAfter(text, "\n")
	after = min(after, len(lines))
	out := strings.Join(lines[:after], "") + line + strings.Join(lines[after:], "")
	return []byte(out)
}

// Values are the sliders' values as src writes them, in order; -1 for
// one that does not read (the learner edited it away).
func (l *Lesson) Values(src []byte) []float64 {
	out := make([]float64, len(l.Sliders))
	var doc yaml.Node
	docErr := yaml.Unmarshal(src, &doc)
	for i, sl := range l.Sliders {
		out[i] = -1
		if docErr != nil {
			continue
		}
		if start, end, err := spanIn(src, &doc, sl.Path); err == nil {
			if v, err := sl.Value(string(src[start:end])); err == nil {
				out[i] = v
			}
		}
	}
	return out
}
