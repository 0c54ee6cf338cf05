package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"dbsim/scenarios"
	"dbsim/scenarios/pricing"
)

// Error is a problem with a --set or with a point of the grid, at the
// place in the scenario file it is about.
type Error struct {
	File string
	Pos  scenarios.Pos
	// Set names the --set argument, or the point's values, at fault.
	Set string
	Msg string
}

// Error formats e as file:line:col: --set ...: message.
func (e *Error) Error() string {
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

// Errors lists every problem found, one per line.
type Errors []*Error

// Error lists the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Sweep is a scenario and the axes of its grid.
type Sweep struct {
	Base *scenarios.Scenario
	Axes []Axis
	// Replications, when > 0, replaces every point's replications.
	Replications int
	// Prices prices each point (nil: the built-in table).
	Prices *pricing.Prices
}

// maxPoints bounds a grid: every point is parsed before anything runs
// (one at a time: Check).
const maxPoints = 1_000_000

// Point is one point of the grid.
type Point struct {
	Index int
	// Steps is the point's step on each axis.
	Steps []int
	// Values are the point's values, one per column (Sweep.Columns).
	Values   []string
	Scenario *scenarios.Scenario
}

// Columns are the swept paths, axis by axis: the first columns of
// sweep.csv.
func (sw *Sweep) Columns() []string { return columns(sw.Axes) }

// columns are the paths of axes, axis by axis.
func columns(axes []Axis) []string {
	var cols []string
	for _, a := range axes {
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
func (sw *Sweep) Steps(index int) []int { return stepsOf(sw.Axes, index) }

// stepsOf is the step on each of axes of the point with the given index.
func stepsOf(axes []Axis, index int) []int {
	steps := make([]int, len(axes))
	for a := len(axes) - 1; a >= 0; a-- {
		n := len(axes[a].Values)
		steps[a] = index % n
		index /= n
	}
	return steps
}

// Points builds and validates every point of the grid, in index order.
// Every problem is returned (Errors), each at its place in the base
// scenario's file and naming the --set at fault; nothing is run. It holds
// every point's scenario at once: Check and Run build one at a time.
func (sw *Sweep) Points() ([]*Point, error) {
	var points []*Point
	if err := sw.Check(func(pt *Point) { points = append(points, pt) }); err != nil {
		return nil, err
	}
	return points, nil
}

// Check builds and validates every point of the grid, in index order, and
// returns every problem (Errors), as Points does; each valid point is
// handed to each (when not nil) and then dropped, so checking a grid holds
// one point at a time.
func (sw *Sweep) Check(each func(pt *Point)) error {
	g, err := sw.prepare()
	if err != nil {
		return err
	}
	var errs Errors
	seen := map[string]bool{}
	for i := range sw.Size() {
		pt, perrs, err := g.point(i)
		if err != nil {
			return err
		}
		for _, e := range perrs {
			if !seen[e.Error()] {
				seen[e.Error()] = true
				errs = append(errs, e)
			}
		}
		if len(perrs) == 0 && each != nil {
			each(pt)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// values are the values of the point with the given index, one per
// column.
func (sw *Sweep) values(index int) []string {
	var vals []string
	for a, step := range sw.Steps(index) {
		vals = append(vals, sw.Axes[a].Values[step]...)
	}
	return vals
}

// grid is what building a point needs: the base scenario's YAML and where
// each axis writes into it.
type grid struct {
	sw      *Sweep
	doc     yaml.Node
	setters [][]setter
}

// setter writes one path of an axis.
type setter struct {
	path string
	at   []scenarios.PathStep
}

// prepare parses the base scenario's YAML and the axes' paths, and checks
// the axes: every problem at once (Errors).
func (sw *Sweep) prepare() (*grid, error) {
	base := sw.Base
	if len(base.Source) == 0 {
		return nil, fmt.Errorf("sweep: the scenario has no YAML source to edit")
	}
	g := &grid{sw: sw}
	if err := yaml.Unmarshal(base.Source, &g.doc); err != nil || len(g.doc.Content) == 0 {
		return nil, fmt.Errorf("sweep: re-reading %s: %v", base.File, err)
	}
	var errs Errors
	// A path set twice, or inside another swept path, would make one
	// --set silently undo the other.
	var owners [][2]string // path, flag; in order
	for _, ax := range sw.Axes {
		for _, p := range ax.Paths {
			for _, o := range owners {
				q, flag := o[0], o[1]
				if p == q || strings.HasPrefix(p, q+".") || strings.HasPrefix(p, q+"[") ||
					strings.HasPrefix(q, p+".") || strings.HasPrefix(q, p+"[") {
					errs = append(errs, &Error{File: base.File, Pos: base.Pos(p), Set: "--set " + ax.Flag,
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
		if n *= max(len(ax.Values), 1); n > maxPoints {
			return nil, fmt.Errorf("sweep: more than %d points; split the grid", maxPoints)
		}
	}
	for _, ax := range sw.Axes {
		var ss []setter
		for _, p := range ax.Paths {
			at, err := scenarios.ParsePath(p)
			if err == nil {
				err = base.CheckPath(at)
			}
			if err != nil {
				e := &Error{File: base.File, Set: "--set " + ax.Flag, Msg: err.Error()}
				if pe, ok := err.(*scenarios.PathError); ok {
					e.Pos, e.Msg = pe.Pos, pe.Msg
				}
				errs = append(errs, e)
			}
			ss = append(ss, setter{p, at})
		}
		g.setters = append(g.setters, ss)
		if len(ax.Values) == 0 {
			errs = append(errs, &Error{File: base.File, Set: "--set " + ax.Flag, Msg: "no values"})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return g, nil
}

// point builds point i: the problems of its values (errs), or an internal
// failure (err).
func (g *grid) point(i int) (pt *Point, errs Errors, err error) {
	sw, base := g.sw, g.sw.Base
	steps := sw.Steps(i)
	pt = &Point{Index: i, Steps: steps}
	d := copyNode(&g.doc)
	var setFlags []string
	for a, ax := range sw.Axes {
		vals := ax.Values[steps[a]]
		pt.Values = append(pt.Values, vals...)
		for j, st := range g.setters[a] {
			setFlags = append(setFlags, st.path+"="+vals[j])
			v, err := valueNode(vals[j])
			if err != nil {
				errs = append(errs, &Error{File: base.File, Pos: base.Pos(st.path), Set: "--set " + ax.Flag, Msg: fmt.Sprintf("value %q: %v", vals[j], err)})
				continue
			}
			setNode(d.Content[0], st.at, v)
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(d); err != nil {
		return nil, nil, fmt.Errorf("sweep: point %d: %v", i, err)
	}
	enc.Close()
	s, err := scenarios.Parse(base.File, buf.Bytes())
	if err != nil {
		errs = append(errs, pointErrors(base, sw.Axes, steps, setFlags, err)...)
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	if sw.Replications > 0 {
		s.Replications = sw.Replications
	}
	pt.Scenario = s
	return pt, nil, nil
}

// pointErrors re-places the problems Parse found in a point's edited YAML
// (whose lines are not the user's) at the user's file: the place of the
// problem's path, or of its nearest written parent. A problem under a
// swept path names that --set; any other names the whole point.
func pointErrors(base *scenarios.Scenario, axes []Axis, steps []int, setFlags []string, err error) Errors {
	perrs, ok := err.(scenarios.Errors)
	if !ok {
		return Errors{{File: base.File, Set: "--set " + strings.Join(setFlags, " --set "), Msg: err.Error()}}
	}
	var out Errors
	for _, pe := range perrs {
		e := &Error{File: base.File, Msg: pe.Msg}
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

// Fingerprint identifies a sweep: the same scenario text, axes,
// replications and prices give the same fingerprint.
func (sw *Sweep) Fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%d\n%q\n", Format, sw.Base.Name, sw.Replications, sw.Base.Source)
	for _, a := range sw.Axes {
		fmt.Fprintf(h, "%q %q\n", a.Paths, a.Values)
	}
	prices := sw.Prices
	if prices == nil {
		prices = pricing.Default()
	}
	pj, _ := json.Marshal(prices)
	h.Write(pj)
	return hex.EncodeToString(h.Sum(nil))[:16]
}
