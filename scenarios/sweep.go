package scenarios

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"dbsim/sim"
)

// A sweep runs one scenario over a grid of parameter values: every point of
// the grid is the scenario with some fields changed, run for its
// replications. A field is changed by editing the scenario's YAML and
// parsing the result again, so a swept value is validated exactly as a
// hand-written one.
//
// Points are numbered in the order of nested loops over the axes in the
// order given, the first axis outermost. Every point runs with the seed its
// scenario says (common random numbers: two points see the same arrivals
// unless the seed itself is swept), so a point's results depend only on the
// scenario and the point, never on which shard or worker ran it.

// SweepAxis is one --set: one or more field paths set together, and the
// values they take. A plain axis has one path; "a+b=1+x,2+y" zips two paths
// so that they change in step (a=1 with b=x, then a=2 with b=y).
type SweepAxis struct {
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
func ParseSet(arg string) (SweepAxis, error) {
	ax := SweepAxis{Flag: arg}
	lhs, rhs, ok := strings.Cut(arg, "=")
	if !ok || strings.TrimSpace(lhs) == "" {
		return ax, fmt.Errorf("--set %s: want PATH=V1,V2,... (e.g. system.instance_class=db.r6g.large,db.r6g.xlarge)", arg)
	}
	for _, p := range strings.Split(lhs, "+") {
		p = strings.TrimSpace(p)
		if _, err := parsePath(p); err != nil {
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

// pathSeg is one step of a field path: a key, or an index (key "").
type pathSeg struct {
	key   string
	index int
}

// parsePath splits "workload[0].arrival.rate" into its steps.
func parsePath(p string) ([]pathSeg, error) {
	var segs []pathSeg
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
			segs = append(segs, pathSeg{index: i})
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
		segs = append(segs, pathSeg{key: key, index: -1})
		rest = rest[end:]
		if strings.HasPrefix(rest, ".") {
			rest = rest[1:]
			if rest == "" {
				return nil, fmt.Errorf("path %q ends with a dot", p)
			}
		}
	}
	return segs, nil
}

// SweepError is a problem with a --set or with a point of the grid, at the
// place in the scenario file it is about.
type SweepError struct {
	File string
	Pos  Pos
	// Set names the --set argument, or the point's values, at fault.
	Set string
	Msg string
}

// Error formats e as file:line:col: --set ...: message.
func (e *SweepError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ":")
	}
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Pos.Line, e.Pos.Col)
	} else if e.File != "" {
		b.WriteString(" ")
	}
	b.WriteString(e.Set + ": " + e.Msg)
	return b.String()
}

// SweepErrors lists every problem found, one per line.
type SweepErrors []*SweepError

// Error lists the problems one per line.
func (es SweepErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Sweep is a scenario and the axes of its grid.
type Sweep struct {
	Base *Scenario
	Axes []SweepAxis
	// Replications, when > 0, replaces every point's replications.
	Replications int
	// Prices prices each point (nil: the built-in table).
	Prices *Prices
}

// maxSweepPoints bounds a grid: every point is parsed before anything runs.
const maxSweepPoints = 1_000_000

// SweepPoint is one point of the grid.
type SweepPoint struct {
	Index int
	// Steps is the point's step on each axis.
	Steps []int
	// Values are the point's values, one per column (Sweep.Columns).
	Values   []string
	Scenario *Scenario
}

// Columns are the swept paths, axis by axis: the first columns of
// sweep.csv.
func (sw *Sweep) Columns() []string {
	var cols []string
	for _, a := range sw.Axes {
		cols = append(cols, a.Paths...)
	}
	return cols
}

// Size is the number of points in the grid.
func (sw *Sweep) Size() int {
	n := 1
	for _, a := range sw.Axes {
		n *= len(a.Values)
	}
	return n
}

// Steps returns the step on each axis of the point with the given index:
// the first axis varies slowest, the last fastest.
func (sw *Sweep) Steps(index int) []int {
	steps := make([]int, len(sw.Axes))
	for a := len(sw.Axes) - 1; a >= 0; a-- {
		n := len(sw.Axes[a].Values)
		steps[a] = index % n
		index /= n
	}
	return steps
}

// Points builds and validates every point of the grid, in index order.
// Every problem is returned (SweepErrors), each at its place in the base
// scenario's file and naming the --set at fault; nothing is run.
func (sw *Sweep) Points() ([]*SweepPoint, error) {
	base := sw.Base
	if len(base.Source) == 0 {
		return nil, fmt.Errorf("sweep: the scenario has no YAML source to edit")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(base.Source, &doc); err != nil || len(doc.Content) == 0 {
		return nil, fmt.Errorf("sweep: re-reading %s: %v", base.File, err)
	}
	var errs SweepErrors
	// A path set twice, or inside another swept path, would make one
	// --set silently undo the other.
	var owners [][2]string // path, flag; in order
	for _, ax := range sw.Axes {
		for _, p := range ax.Paths {
			for _, o := range owners {
				q, flag := o[0], o[1]
				if p == q || strings.HasPrefix(p, q+".") || strings.HasPrefix(p, q+"[") ||
					strings.HasPrefix(q, p+".") || strings.HasPrefix(q, p+"[") {
					errs = append(errs, &SweepError{File: base.File, Pos: base.Pos(p), Set: "--set " + ax.Flag,
						Msg: fmt.Sprintf("%s overlaps %s of --set %s: sweep each field once", p, q, flag)})
				}
			}
		}
		for _, p := range ax.Paths {
			owners = append(owners, [2]string{p, ax.Flag})
		}
	}
	n := 1
	for _, ax := range sw.Axes {
		if n *= max(len(ax.Values), 1); n > maxSweepPoints {
			return nil, fmt.Errorf("sweep: more than %d points; split the grid", maxSweepPoints)
		}
	}
	type setter struct {
		path string
		segs []pathSeg
	}
	var setters [][]setter
	for _, ax := range sw.Axes {
		var ss []setter
		for _, p := range ax.Paths {
			segs, err := parsePath(p)
			if err == nil {
				err = checkPath(base, doc.Content[0], segs)
			}
			if err != nil {
				e := &SweepError{File: base.File, Set: "--set " + ax.Flag, Msg: err.Error()}
				if pe, ok := err.(*pathError); ok {
					e.Pos, e.Msg = pe.pos, pe.msg
				}
				errs = append(errs, e)
			}
			ss = append(ss, setter{p, segs})
		}
		setters = append(setters, ss)
		if len(ax.Values) == 0 {
			errs = append(errs, &SweepError{File: base.File, Set: "--set " + ax.Flag, Msg: "no values"})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	points := make([]*SweepPoint, sw.Size())
	seen := map[string]bool{}
	for i := range points {
		steps := sw.Steps(i)
		pt := &SweepPoint{Index: i, Steps: steps}
		d := copyNode(&doc)
		var setFlags []string
		for a, ax := range sw.Axes {
			vals := ax.Values[steps[a]]
			pt.Values = append(pt.Values, vals...)
			for j, st := range setters[a] {
				setFlags = append(setFlags, st.path+"="+vals[j])
				v, err := valueNode(vals[j])
				if err != nil {
					e := &SweepError{File: base.File, Pos: base.Pos(st.path), Set: "--set " + ax.Flag, Msg: fmt.Sprintf("value %q: %v", vals[j], err)}
					if !seen[e.Error()] {
						seen[e.Error()] = true
						errs = append(errs, e)
					}
					continue
				}
				setNode(d.Content[0], st.segs, v)
			}
		}
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("sweep: point %d: %v", i, err)
		}
		enc.Close()
		s, err := Parse(base.File, buf.Bytes())
		if err != nil {
			for _, e := range pointErrors(base, sw.Axes, steps, setFlags, err) {
				if !seen[e.Error()] {
					seen[e.Error()] = true
					errs = append(errs, e)
				}
			}
			continue
		}
		if sw.Replications > 0 {
			s.Replications = sw.Replications
		}
		pt.Scenario = s
		points[i] = pt
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return points, nil
}

// pointErrors re-places the problems Parse found in a point's edited YAML
// (whose lines are not the user's) at the user's file: the place of the
// problem's path, or of its nearest written parent. A problem under a
// swept path names that --set; any other names the whole point.
func pointErrors(base *Scenario, axes []SweepAxis, steps []int, setFlags []string, err error) SweepErrors {
	perrs, ok := err.(Errors)
	if !ok {
		return SweepErrors{{File: base.File, Set: "--set " + strings.Join(setFlags, " --set "), Msg: err.Error()}}
	}
	var out SweepErrors
	for _, pe := range perrs {
		e := &SweepError{File: base.File, Msg: pe.Msg}
		if pe.Path != "" {
			e.Msg = pe.Path + ": " + pe.Msg
		}
		for a, ax := range axes {
			for j, p := range ax.Paths {
				if pe.Path == p || strings.HasPrefix(pe.Path, p+".") || strings.HasPrefix(pe.Path, p+"[") {
					e.Set = "--set " + p + "=" + ax.Values[steps[a]][j]
				}
			}
		}
		if e.Set == "" {
			e.Set = "at the point --set " + strings.Join(setFlags, " --set ")
			if pe.Path != "" && len(axes) > 0 {
				e.Msg += fmt.Sprintf(" (to change %s along with the sweep, zip it with a swept path: --set %s+%s=V1+W1,V2+W2; ~ removes a key)",
					pe.Path, axes[0].Paths[0], pe.Path)
			}
		}
		e.Pos = base.Pos(pe.Path)
		out = append(out, e)
	}
	return out
}

// pathError is a path that does not fit the scenario's schema or file.
type pathError struct {
	pos Pos
	msg string
}

// Error implements error.
func (e *pathError) Error() string { return e.msg }

// checkPath checks that segs names a field of the scenario format (for
// base's system kind) and, where it indexes a list, an item the file has.
// A key the file leaves out is fine: the sweep writes it.
func checkPath(base *Scenario, root *yaml.Node, segs []pathSeg) error {
	t := reflect.TypeFor[Scenario]()
	n := resolve(root)
	path := ""
	for _, sg := range segs {
		if sg.index >= 0 {
			at := path + "[" + strconv.Itoa(sg.index) + "]"
			if t.Kind() != reflect.Slice {
				return &pathError{base.Pos(path), fmt.Sprintf("%s is not a list, so %s does not exist", nameOr(path), at)}
			}
			count := 0
			if n != nil && n.Kind == yaml.SequenceNode {
				count = len(n.Content)
			}
			if sg.index >= count {
				return &pathError{base.Pos(path), fmt.Sprintf("%s does not exist: %s has %d item(s) (a sweep changes items, it does not add them)", at, nameOr(path), count)}
			}
			t, n, path = t.Elem(), resolve(n.Content[sg.index]), at
			continue
		}
		var fields []field
		var owner reflect.Type
		allowed := []string{}
		switch {
		case t == reflect.TypeFor[System]():
			allowed = append(allowed, "kind")
			if build, ok := systemKinds[base.System.Kind]; ok {
				owner = reflect.TypeOf(build(&System{})).Elem()
				fields = fieldsOf(owner)
			}
		case t.Kind() == reflect.Struct:
			owner = t
			fields = fieldsOf(t)
		default:
			return &pathError{base.Pos(path), fmt.Sprintf("%s is a single value, it has no key %q", nameOr(path), sg.key)}
		}
		for _, f := range fields {
			allowed = append(allowed, f.name)
		}
		next := join(path, sg.key)
		switch i := slices.IndexFunc(fields, func(f field) bool { return f.name == sg.key }); {
		case sg.key == "kind" && t == reflect.TypeFor[System]():
			t = reflect.TypeFor[string]()
		case i < 0:
			return &pathError{base.Pos(path), fmt.Sprintf("%s does not exist: in %s, %s", next, nameOr(path), unknownKey(sg.key, allowed))}
		default:
			t = owner.Field(fields[i].index).Type
		}
		var child *yaml.Node
		if n != nil && n.Kind == yaml.MappingNode {
			for k := 0; k+1 < len(n.Content); k += 2 {
				if resolve(n.Content[k]).Value == sg.key {
					child = resolve(n.Content[k+1])
				}
			}
		}
		n, path = child, next
	}
	return nil
}

func nameOr(path string) string {
	if path == "" {
		return "the scenario"
	}
	return path
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

// setNode writes v at segs under the mapping root, creating the mappings
// on the way that the file leaves out. checkPath has vetted segs.
func setNode(root *yaml.Node, segs []pathSeg, v *yaml.Node) {
	n := root
	for i, sg := range segs {
		last := i == len(segs)-1
		var slot **yaml.Node
		if sg.index >= 0 {
			slot = &n.Content[sg.index]
		} else {
			if n.Kind != yaml.MappingNode { // a null value: make it a mapping
				*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			for k := 0; k+1 < len(n.Content); k += 2 {
				if resolve(n.Content[k]).Value == sg.key {
					slot = &n.Content[k+1]
				}
			}
			if slot == nil {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: sg.key},
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

// --- metrics ---

// SweepMetric is one number a sweep reports per point: a mean over the
// point's replications with a 95% confidence interval.
type SweepMetric struct {
	// Name is the name targets use: "write.p99", "availability", "cost".
	Name string
	// Column is the stem of its sweep.csv columns: "write_p99_ms" gives
	// write_p99_ms_mean, write_p99_ms_ci95_lo, write_p99_ms_ci95_hi.
	Column string
	// Label is the axis label of its plots.
	Label string
	// Unit is how a target's value is written: "fraction", "ms", "s",
	// "count", "usd".
	Unit string
}

// SweepMetrics are the metrics of a sweep, in column order. Per
// replication: availability is ok/total; latencies are that replication's
// percentiles of successful requests in ms; failover_duration_s and
// client_outage_s the mean over its failovers (no value when it had none,
// or one that never finished); lost_writes its total; cost_usd_month the
// monthly cost of the point's system (Prices.MonthlyCost; no value when
// the price table cannot price all of it).
var SweepMetrics = func() []SweepMetric {
	m := []SweepMetric{{Name: "availability", Column: "availability", Label: "availability (%)", Unit: "fraction"}}
	for _, op := range []string{"read", "write", "all"} {
		for _, q := range []string{"p50", "p99", "p999"} {
			label := op + " " + strings.Replace(q, "p999", "p99.9", 1) + " latency (ms)"
			if op == "all" {
				label = strings.Replace(q, "p999", "p99.9", 1) + " latency, all requests (ms)"
			}
			m = append(m, SweepMetric{Name: op + "." + q, Column: op + "_" + q + "_ms", Label: label, Unit: "ms"})
		}
	}
	return append(m,
		SweepMetric{Name: "failover.duration", Column: "failover_duration_s", Label: "failover duration, engine (s)", Unit: "s"},
		SweepMetric{Name: "client.outage", Column: "client_outage_s", Label: "client outage (s)", Unit: "s"},
		SweepMetric{Name: "lost_writes", Column: "lost_writes", Label: "lost writes", Unit: "count"},
		SweepMetric{Name: "cost", Column: "cost_usd_month", Label: "cost (USD per month)", Unit: "usd"},
	)
}()

// LookupSweepMetric finds a metric by its name ("write.p99"), its column
// stem ("write_p99_ms"), or a short form: "p99" for all.p99,
// "client_outage" and "failover.client_outage" for client.outage.
func LookupSweepMetric(name string) (int, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	switch name {
	case "p50", "p99", "p999":
		name = "all." + name
	case "latency.p50", "latency.p99", "latency.p999":
		name = "all." + strings.TrimPrefix(name, "latency.")
	case "client_outage", "failover.client_outage", "client.outage_s":
		name = "client.outage"
	case "failover_duration", "failover":
		name = "failover.duration"
	case "cost_usd", "monthly_cost":
		name = "cost"
	}
	for i, m := range SweepMetrics {
		if m.Name == name || m.Column == name {
			return i, true
		}
	}
	return 0, false
}

func sweepMetricNames() []string {
	names := make([]string, len(SweepMetrics))
	for i, m := range SweepMetrics {
		names[i] = m.Name
	}
	return names
}

// replicationMetrics extracts SweepMetrics from one replication.
func replicationMetrics(s *Scenario, rep *Replication, cost Cost) []Number {
	out := make([]Number, 0, len(SweepMetrics))
	nan := Number(math.NaN())
	q := rep.Requests
	if q.Total > 0 {
		out = append(out, Number(float64(q.OK)/float64(q.Total)))
	} else {
		out = append(out, nan)
	}
	for _, l := range []*sim.Latency{rep.Latency.Read, rep.Latency.Write, rep.Latency.All} {
		for _, p := range []float64{0.50, 0.99, 0.999} {
			out = append(out, quantileMS(l, p))
		}
	}
	var dur, outage []float64
	var lost int64
	for _, f := range rep.Failovers {
		dur = append(dur, spanS(f.Start, f.Accepting))
		outage = append(outage, spanS(f.Start, f.ClientsRecovered))
		lost += f.LostWrites
	}
	total := Number(cost.TotalUSD)
	if cost.Partial { // a lower bound would make the system look cheapest
		total = Number(math.NaN())
	}
	out = append(out, meanOrNaN(dur), meanOrNaN(outage), Number(lost), total)
	return out
}

// quantileMS is quantile p of l in ms, NaN for an empty histogram. The
// histogram reports a quantile as the top of its bucket: it is capped at
// the exact maximum, as the summary does.
func quantileMS(l *sim.Latency, p float64) Number {
	if l == nil || l.Count() == 0 {
		return Number(math.NaN())
	}
	return Number(float64(min(l.Quantile(p), l.Max())) / 1e6)
}

// spanS is end-start in seconds, NaN when either never came.
func spanS(start, end sim.Time) float64 {
	if start < 0 || end < 0 {
		return math.NaN()
	}
	return end.Sub(start).Seconds()
}

// meanOrNaN is the mean of xs; NaN when xs is empty or holds a NaN.
func meanOrNaN(xs []float64) Number {
	if len(xs) == 0 {
		return Number(math.NaN())
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return Number(sum / float64(len(xs)))
}

// --- results ---

// SweepFormat identifies the JSON of a SweepResult.
const SweepFormat = "dbsim-sweep/1"

// SweepResult is what a sweep, or one shard of it, measured: per point and
// replication, the raw value of every metric, which is all sweep.csv and
// the plots are computed from. Shards of one sweep merge into exactly the
// result of an unsharded run (MergeSweeps).
type SweepResult struct {
	Format   string `json:"format"`
	Scenario string `json:"scenario"`
	// Fingerprint identifies the sweep: a hash of the scenario's text, the
	// axes, the replications and the price table. Shards merge only with
	// shards of the same fingerprint.
	Fingerprint string `json:"fingerprint"`
	// Shard and Shards: this result holds the points whose index % Shards
	// == Shard (0 of 1: every point).
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
	// Points is the number of points in the whole grid.
	Points int `json:"points"`
	// Replications is the --replications override (0: each point's own).
	Replications int         `json:"replications"`
	Axes         []SweepAxis `json:"axes"`
	// Metrics names the values of each replication, in order.
	Metrics []string `json:"metrics"`
	// Targets and Plots are the --target and --plot arguments, kept so that
	// a merge answers and plots as the sweep would have.
	Targets []string      `json:"targets"`
	Plots   []string      `json:"plots"`
	Results []PointResult `json:"results"`
}

// PointResult is what one point measured.
type PointResult struct {
	Index int `json:"index"`
	// Values are the point's values, one per column.
	Values []string `json:"values"`
	// CostEstimated is true when the price table had to extrapolate.
	CostEstimated bool `json:"cost_estimated"`
	// Replications[r][m] is metric m (SweepResult.Metrics) of replication r.
	Replications [][]Number `json:"replications"`
}

// Columns are the swept paths, axis by axis.
func (r *SweepResult) Columns() []string {
	var cols []string
	for _, a := range r.Axes {
		cols = append(cols, a.Paths...)
	}
	return cols
}

// Stat is the mean of metric m over the point's replications and its
// Student-t 95% confidence interval, mean ± t(0.975; n−1)·s/√n. With one
// replication the interval is the value. The interval is clamped to the
// metric's range: no metric is negative, no availability above 1 (few
// replications of a skewed metric give a wide symmetric interval). When a
// replication has no value
// (NaN) the mean has none either: an average that skips a failover that
// never finished would flatter the point.
func (p *PointResult) Stat(m int) (mean, lo, hi float64) {
	xs := make([]float64, len(p.Replications))
	for r, vals := range p.Replications {
		xs[r] = float64(vals[m])
		if math.IsNaN(xs[r]) || math.IsInf(xs[r], 0) {
			return math.NaN(), math.NaN(), math.NaN()
		}
	}
	mean, lo, hi = sim.MeanCI95(xs)
	lo = math.Max(lo, 0)
	if SweepMetrics[m].Unit == "fraction" {
		hi = math.Min(hi, 1)
	}
	return mean, lo, hi
}

// Mean is the mean of metric m (see Stat).
func (p *PointResult) Mean(m int) float64 {
	mean, _, _ := p.Stat(m)
	return mean
}

// Fingerprint identifies a sweep: the same scenario text, axes,
// replications and prices give the same fingerprint.
func (sw *Sweep) Fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%d\n%q\n", SweepFormat, sw.Base.Name, sw.Replications, sw.Base.Source)
	for _, a := range sw.Axes {
		fmt.Fprintf(h, "%q %q\n", a.Paths, a.Values)
	}
	prices := sw.Prices
	if prices == nil {
		prices = DefaultPrices()
	}
	pj, _ := json.Marshal(prices)
	h.Write(pj)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// SweepOptions choose what part of a sweep runs and how.
type SweepOptions struct {
	// Shard and Shards: run only the points whose index % Shards == Shard
	// (Shards 0 or 1: all).
	Shard, Shards int
	// Workers bounds the replications that run at once (0: GOMAXPROCS).
	// Results do not depend on it.
	Workers int
	// Targets and Plots are recorded in the result.
	Targets, Plots []string
	// Done, if set, is called as each point finishes (from the goroutine
	// that finished it, one call at a time), for progress reports.
	Done func(pt *SweepPoint, r *PointResult)
	// Context and Progress are as in Options: a cancelled Context stops
	// the sweep (an *Interrupted), Progress follows it.
	Context  context.Context
	Progress *Progress
}

// Run runs the points of the grid that belong to the shard, every
// replication of every point spread over the workers, and returns their
// results in index order. points is what Points returned.
func (sw *Sweep) Run(points []*SweepPoint, opt SweepOptions) (*SweepResult, error) {
	shards := max(opt.Shards, 1)
	if opt.Shard < 0 || opt.Shard >= shards {
		return nil, fmt.Errorf("sweep: shard %d of %d does not exist (shards are numbered from 0)", opt.Shard, shards)
	}
	res := &SweepResult{Format: SweepFormat, Scenario: sw.Base.Name, Fingerprint: sw.Fingerprint(),
		Shard: opt.Shard, Shards: shards, Points: len(points), Replications: sw.Replications,
		Axes: sw.Axes, Metrics: sweepMetricNames(),
		Targets: nonNil(opt.Targets), Plots: nonNil(opt.Plots), Results: []PointResult{}}
	var jobs []Job
	var pointOf []int // the index in mine of each job's point
	var mine []*SweepPoint
	for _, pt := range points {
		if pt.Index%shards != opt.Shard {
			continue
		}
		res.Results = append(res.Results, PointResult{Index: pt.Index, Values: pt.Values,
			Replications: make([][]Number, pt.Scenario.Replications)})
		for r := range pt.Scenario.Replications {
			jobs = append(jobs, Job{Scenario: pt.Scenario, Replication: r})
			pointOf = append(pointOf, len(mine))
		}
		mine = append(mine, pt)
	}
	left := make([]int, len(mine))
	for i, pt := range mine {
		left[i] = pt.Scenario.Replications
	}
	err := RunJobs(jobs, Options{Workers: opt.Workers, Context: opt.Context, Progress: opt.Progress}, func(k int, rep *Replication) {
		p, r := pointOf[k], jobs[k].Replication
		pt, pr := mine[p], &res.Results[pointOf[k]]
		cost := sw.Prices.MonthlyCost(pt.Scenario, rep)
		pr.Replications[r] = replicationMetrics(pt.Scenario, rep, cost)
		pr.CostEstimated = pr.CostEstimated || cost.Estimated
		if left[p]--; left[p] == 0 && opt.Done != nil {
			opt.Done(pt, pr)
		}
	})
	if je := (*JobError)(nil); errors.As(err, &je) {
		pt := mine[pointOf[je.Job]]
		return nil, fmt.Errorf("point %d (%s), replication %d: %w", pt.Index, strings.Join(pt.Values, ", "), jobs[je.Job].Replication, je.Err)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// WriteJSON writes r as indented JSON with a trailing newline.
func (r *SweepResult) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadSweepResult reads a SweepResult written by WriteJSON and checks that
// it is whole: the format, the metrics this dbsim knows, one value per
// metric.
func ReadSweepResult(rd io.Reader) (*SweepResult, error) {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	var r SweepResult
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	if r.Format != SweepFormat {
		return nil, fmt.Errorf("not a sweep result (format %q, want %q)", r.Format, SweepFormat)
	}
	if !slices.Equal(r.Metrics, sweepMetricNames()) {
		return nil, fmt.Errorf("written by another version of dbsim (metrics %v)", r.Metrics)
	}
	cols := len(r.Columns())
	for _, p := range r.Results {
		if len(p.Values) != cols {
			return nil, fmt.Errorf("point %d has %d values, want %d", p.Index, len(p.Values), cols)
		}
		for _, vals := range p.Replications {
			if len(vals) != len(r.Metrics) {
				return nil, fmt.Errorf("point %d has a replication with %d metrics, want %d", p.Index, len(vals), len(r.Metrics))
			}
		}
	}
	return &r, nil
}

// MergeSweeps joins the shards of one sweep into the result an unsharded
// run gives: every shard 0..n-1 exactly once, all of the same sweep
// (fingerprint), results in index order. names label the parts in errors.
func MergeSweeps(parts []*SweepResult, names []string) (*SweepResult, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("merge: no shard results")
	}
	first := parts[0]
	have := map[int]string{}
	for i, p := range parts {
		switch {
		case p.Fingerprint != first.Fingerprint:
			return nil, fmt.Errorf("merge: %s is from another sweep than %s (fingerprint %s, not %s: a different scenario, --set, --replications or price table)", names[i], names[0], p.Fingerprint, first.Fingerprint)
		case p.Shards != first.Shards:
			return nil, fmt.Errorf("merge: %s is shard %d of %d, but %s is of %d", names[i], p.Shard, p.Shards, names[0], first.Shards)
		case !slices.Equal(p.Targets, first.Targets) || !slices.Equal(p.Plots, first.Plots):
			return nil, fmt.Errorf("merge: %s was run with other --target or --plot arguments than %s", names[i], names[0])
		}
		if prev, dup := have[p.Shard]; dup {
			return nil, fmt.Errorf("merge: shard %d of %d is given twice (%s and %s)", p.Shard, p.Shards, prev, names[i])
		}
		have[p.Shard] = names[i]
	}
	var missing []string
	for s := range first.Shards {
		if _, ok := have[s]; !ok {
			missing = append(missing, strconv.Itoa(s))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("merge: missing shard(s) %s of %d", strings.Join(missing, ", "), first.Shards)
	}
	out := *first
	out.Shard, out.Shards = 0, 1
	out.Results = nil
	for _, p := range parts {
		out.Results = append(out.Results, p.Results...)
	}
	sort.Slice(out.Results, func(i, j int) bool { return out.Results[i].Index < out.Results[j].Index })
	for i, p := range out.Results {
		if p.Index != i {
			return nil, fmt.Errorf("merge: the shards do not hold exactly the points 0..%d (point %d)", out.Points-1, i)
		}
	}
	if len(out.Results) != out.Points {
		return nil, fmt.Errorf("merge: the shards hold %d points, the sweep has %d", len(out.Results), out.Points)
	}
	return &out, nil
}

// --- targets ---

// SweepTarget is a condition on a metric's mean: write.p99 < 20ms.
type SweepTarget struct {
	Metric int // index in SweepMetrics
	Op     string
	// Value is in the metric's unit (a fraction, ms, s, a count, USD).
	Value float64
	// Text is the target as written.
	Text string
}

// ParseTarget parses METRIC OP VALUE: OP is <, <=, > or >=; VALUE carries
// the metric's unit: a duration for latencies and failover times
// ("20ms", "90s"), a fraction or a percentage for availability ("0.9995",
// "99.95%"), USD for cost ("500", "$500"), a count for lost_writes.
func ParseTarget(s string) (SweepTarget, error) {
	t := SweepTarget{Text: strings.TrimSpace(s)}
	i := strings.IndexAny(s, "<>=!")
	if i < 0 {
		return t, fmt.Errorf("--target %q: want METRIC OP VALUE, e.g. 'write.p99<20ms' (OP: < <= > >=)", s)
	}
	name, rest := strings.TrimSpace(s[:i]), s[i:]
	for _, op := range []string{"<=", ">=", "<", ">"} {
		if strings.HasPrefix(rest, op) {
			t.Op, rest = op, strings.TrimSpace(rest[len(op):])
			break
		}
	}
	if t.Op == "" {
		return t, fmt.Errorf("--target %q: unknown comparison (allowed: < <= > >=)", s)
	}
	m, ok := LookupSweepMetric(name)
	if !ok {
		return t, fmt.Errorf("--target %q: unknown metric %q (allowed: %s)", s, name, strings.Join(sweepMetricNames(), ", "))
	}
	t.Metric = m
	v, err := parseTargetValue(SweepMetrics[m].Unit, rest)
	if err != nil {
		return t, fmt.Errorf("--target %q: %v", s, err)
	}
	t.Value = v
	return t, nil
}

func parseTargetValue(unit, s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("no value")
	}
	num := func(x string) (float64, error) {
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%q is not a number", x)
		}
		return f, nil
	}
	switch unit {
	case "fraction":
		if p, ok := strings.CutSuffix(s, "%"); ok {
			f, err := num(p)
			return f / 100, err
		}
		f, err := num(s)
		if err == nil && (f < 0 || f > 1) {
			return 0, fmt.Errorf("availability is a fraction from 0 to 1, or a percentage such as 99.95%%; got %s", s)
		}
		return f, err
	case "ms", "s":
		d, err := ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%v (a duration with its unit, e.g. 20ms or 90s)", err)
		}
		if unit == "ms" {
			return float64(d) / 1e6, nil
		}
		return float64(d) / 1e9, nil
	case "usd":
		s = strings.TrimPrefix(s, "$")
		s = strings.TrimSuffix(strings.TrimSuffix(s, "USD"), "usd")
		return num(s)
	}
	return num(s)
}

// String formats the target in its metric's unit: "write.p99 < 20 ms".
func (t SweepTarget) String() string {
	m := SweepMetrics[t.Metric]
	return m.Name + " " + t.Op + " " + FormatMetric(t.Metric, t.Value)
}

// FormatMetric writes a value of metric m with its unit for people:
// "99.95%" (to 4 decimals), "20 ms", "90 s" (4 significant digits),
// "$351.50".
func FormatMetric(m int, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "no value"
	}
	switch SweepMetrics[m].Unit {
	case "fraction":
		r, _ := strconv.ParseFloat(strconv.FormatFloat(v*100, 'f', 4, 64), 64)
		return strconv.FormatFloat(r, 'f', -1, 64) + "%"
	case "ms":
		return strconv.FormatFloat(roundTo(v, 4), 'f', -1, 64) + " ms"
	case "s":
		return strconv.FormatFloat(roundTo(v, 4), 'f', -1, 64) + " s"
	case "usd":
		return "$" + strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(roundTo(v, 4), 'f', -1, 64)
}

// roundTo rounds v to n significant digits.
func roundTo(v float64, n int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', n, 64), 64)
	return r
}

// Met reports whether a mean meets the target; a missing value (NaN) does
// not.
func (t SweepTarget) Met(mean float64) bool {
	if math.IsNaN(mean) {
		return false
	}
	switch t.Op {
	case "<":
		return mean < t.Value
	case "<=":
		return mean <= t.Value
	case ">":
		return mean > t.Value
	}
	return mean >= t.Value
}

// Miss is how far a mean falls short of the target, relative to the
// target: 0 when met, +Inf for a missing value. Availability is compared
// on unavailability, so that 99.9% against a 99.95% target is a miss of
// 1 (twice the allowed downtime), not of 0.05%.
func (t SweepTarget) Miss(mean float64) float64 {
	if t.Met(mean) {
		return 0
	}
	if math.IsNaN(mean) {
		return math.Inf(1)
	}
	x, v := mean, t.Value
	if SweepMetrics[t.Metric].Unit == "fraction" {
		x, v = 1-x, 1-v
		if v <= 0 {
			return x // a target of 100%: the downtime itself
		}
		return x/v - 1
	}
	scale := math.Abs(v)
	if scale == 0 {
		scale = 1
	}
	return math.Abs(x-v) / scale
}

// SweepAnswer is the planner's answer: the cheapest point that meets every
// target, judged on the mean over replications; or, when none does, the
// point that comes closest.
type SweepAnswer struct {
	// Best is the cheapest point meeting every target (ties: the lower
	// index); nil when none does.
	Best *PointResult
	// Meeting counts the points that meet every target.
	Meeting int
	// Closest, when Best is nil, is the point with the smallest sum of
	// relative misses (SweepTarget.Miss); ties go to the cheaper point.
	Closest *PointResult
	// Misses are Closest's misses, one per target (0: met).
	Misses []float64
}

// Answer judges every point of r against the targets.
func (r *SweepResult) Answer(targets []SweepTarget) SweepAnswer {
	var a SweepAnswer
	costM, _ := LookupSweepMetric("cost")
	cost := func(p *PointResult) float64 {
		c := p.Mean(costM)
		if math.IsNaN(c) {
			return math.Inf(1)
		}
		return c
	}
	bestMiss := math.Inf(1)
	for i := range r.Results {
		p := &r.Results[i]
		misses := make([]float64, len(targets))
		total := 0.0
		for ti, t := range targets {
			misses[ti] = t.Miss(p.Mean(t.Metric))
			total += misses[ti]
		}
		if total == 0 {
			a.Meeting++
			if a.Best == nil || cost(p) < cost(a.Best) {
				a.Best = p
			}
			continue
		}
		if a.Closest == nil || total < bestMiss || (total == bestMiss && cost(p) < cost(a.Closest)) {
			a.Closest, a.Misses, bestMiss = p, misses, total
		}
	}
	if a.Best != nil {
		a.Closest, a.Misses = nil, nil
	}
	return a
}
