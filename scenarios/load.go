package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a scenario file, at a line and column.
type Error struct {
	File string
	// Line and Col are 1-based; Col is 0 when only the line is known (YAML
	// syntax errors).
	Line, Col int
	// Path names the value the problem is about, e.g. "workload[0].mix";
	// empty for the file as a whole.
	Path string
	Msg  string
}

// Error formats e as file:line:col: path: message; a problem about the
// file as a whole (Line 0) as file: message.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ":")
	}
	if e.Line == 0 {
		b.WriteString(" " + e.Msg)
		return b.String()
	}
	b.WriteString(strconv.Itoa(e.Line) + ":")
	if e.Col > 0 {
		b.WriteString(strconv.Itoa(e.Col) + ":")
	}
	b.WriteString(" ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in a scenario file, sorted by position.
type Errors []*Error

// Error lists the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted orders es by line, then column, keeping the order of problems at
// the same place, and drops exact repeats (an alias used twice can report
// the same problem twice).
func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Col < es[j].Col
	})
	out := es[:0]
	for i, e := range es {
		if i == 0 || *e != *es[i-1] {
			out = append(out, e)
		}
	}
	return out
}

// MaxFileSize bounds a scenario file. A scenario is a few kilobytes; a
// file of megabytes is a mistake (a log, a data set), and parsing it would
// take memory in proportion (YAML nodes, one error per unknown key), so it
// is refused before it is parsed.
const MaxFileSize = 4 << 20

// maxErrors bounds the problems reported for one file: the first ones (by
// position) are listed, then how many more there are.
const maxErrors = 50

// tooLarge is the problem of a file over MaxFileSize.
func tooLarge(file string, size int64) Errors {
	return Errors{{File: file, Msg: fmt.Sprintf("too large (%.1f MB; scenarios are at most %d MB)", float64(size)/(1<<20), MaxFileSize>>20)}}
}

// Load reads, decodes and validates the scenario file at path. A scenario
// with problems returns them all as Errors (at most maxErrors of them,
// then a count of the rest); a file over MaxFileSize is refused unread.
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > MaxFileSize {
		return nil, tooLarge(path, fi.Size())
	}
	// Read one byte past the limit: a file that grew, or is not a regular
	// file, is caught too.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// BundledComparisonSource returns a bundled comparison's file as embedded
// in dbsim, byte for byte (dbsim show prints it).
func BundledComparisonSource(name string) ([]byte, error) {
	if !IsBundledComparison(name) {
		return nil, fmt.Errorf("no bundled comparison %q", name)
	}
	return comparisons.ReadFile("library/compare/" + name + ".yaml")
}

// Parse decodes and validates a scenario; file names it in error messages
// and in Scenario.File. Decoding is strict: unknown keys, duplicate keys,
// values of the wrong type and numbers without units are errors. Optional
// values get their defaults (see validate.go). All problems are returned
// together as Errors, sorted by position.
func Parse(file string, data []byte) (*Scenario, error) {
	if len(data) > MaxFileSize {
		return nil, tooLarge(file, int64(len(data)))
	}
	root, errs := parseYAML(file, data)
	if errs != nil {
		return nil, errs
	}
	s := &Scenario{File: file, Source: data}
	d := newDecoder(file)
	d.scenario(root, s)
	s.pos = d.pos
	if d.nodes > maxNodes {
		return nil, d.errs.sorted().capped(file, d.dropped) // too big to be worth validating
	}
	errs = append(d.errs, validate(s, d.bad)...)
	if len(errs) > 0 {
		return nil, errs.sorted().capped(file, d.dropped)
	}
	return s, nil
}

// capped keeps the first maxErrors of es and, when there were more
// (dropped were never kept), ends with a line saying how many.
func (es Errors) capped(file string, dropped int) Errors {
	if len(es) > maxErrors {
		dropped += len(es) - maxErrors
		es = es[:maxErrors]
	}
	if dropped > 0 {
		es = append(es, &Error{File: file, Msg: fmt.Sprintf("... and %d more problems", dropped)})
	}
	return es
}

// yamlLine matches the "yaml: line N: " prefix of yaml.v3's syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parseYAML parses data as a single YAML document and returns its root
// node: a mapping, or a problem as Errors.
func parseYAML(file string, data []byte) (*yaml.Node, Errors) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) || (err == nil && (len(doc.Content) == 0 || isNull(doc.Content[0]))) {
		return nil, Errors{{File: file, Line: 1, Col: 1, Msg: "the scenario is empty (want a mapping with name, duration, system and workload)"}}
	}
	if err != nil {
		return nil, Errors{syntaxError(file, data, err)}
	}
	root := doc.Content[0]
	if r := resolve(root); r.Kind != yaml.MappingNode {
		return nil, Errors{{File: file, Line: r.Line, Col: r.Column, Msg: fmt.Sprintf("a scenario is a mapping of keys such as name, duration, system and workload, got %s", describe(r))}}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, Errors{syntaxError(file, data, err)}
	default:
		return nil, Errors{{File: file, Line: next.Line, Col: next.Column, Msg: "a second YAML document: a scenario file holds one (remove the ---)"}}
	}
	return root, nil
}

// parserProblems start the messages of yaml.v3's parser (as opposed to its
// scanner). yaml.v3 reports their line 0-based (its decode.go adds 1 only for
// scanner errors), and leaves the line out when it is the first.
var parserProblems = []string{"did not find expected", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"}

// SyntaxError turns a yaml.v3 error of parsing data (read from file) into
// an Error at its line, as for a scenario (dbsim import reads YAML too).
func SyntaxError(file string, data []byte, err error) *Error { return syntaxError(file, data, err) }

// syntaxError turns yaml.v3's "yaml: line N: msg" into an Error at line N.
// A message without a line is about the first line, or comes from the
// reader (bad UTF-8, control characters), whose place we find ourselves.
func syntaxError(file string, data []byte, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line, col := 0, 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = err.Error()[len(m[0]):]
	}
	for _, p := range parserProblems {
		if strings.HasPrefix(msg, p) {
			line++
		}
	}
	if line < 1 {
		line, col = badCharacter(data)
	}
	return &Error{File: file, Line: line, Col: col, Msg: "YAML syntax: " + msg}
}

// badCharacter finds the first character YAML's reader refuses (invalid
// UTF-8, a control character other than tab and line breaks) and returns
// its line and column, or 1, 0 if there is none.
func badCharacter(data []byte) (line, col int) {
	line, col = 1, 1
	for i, r := range string(data) {
		invalidUTF8 := r == utf8.RuneError && !bytes.HasPrefix(data[i:], []byte("\uFFFD"))
		if invalidUTF8 || !yamlPrintable(r) {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return 1, 0
}

// yamlPrintable reports whether YAML allows r in a stream (YAML 1.2's
// c-printable, as yaml.v3's reader checks it).
func yamlPrintable(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

// Pos returns where path ("workload[0].mix.read") was written in the file.
// For a path that was not written it returns the place of the nearest
// enclosing value that was (so a message about a default still points
// somewhere useful), and the zero Pos for a scenario not read from YAML.
func (s *Scenario) Pos(path string) Pos {
	for {
		if p, ok := s.pos[path]; ok {
			return p
		}
		if path == "" {
			return Pos{}
		}
		path = parent(path)
	}
}

// Has reports whether path was written in the file (with a non-null
// value). The runner uses it to tell a model default from a value the user
// chose, since a zero value cannot.
func (s *Scenario) Has(path string) bool {
	_, ok := s.pos[path]
	return ok
}

// parent strips the last key or index from a path: "faults[1].at" →
// "faults[1]" → "faults" → "".
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}
