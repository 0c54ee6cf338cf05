package importer

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"dbsim/scenarios"
)

// keepWarnings drops the warnings about resources of the input that are
// not part of sys (when --resource picked it among several) and says
// instead, once for each, that it was not imported.
func (inv *inventory) keepWarnings(sys *system) {
	var ats, mine []at
	for _, d := range inv.instances {
		ats = append(ats, d.at)
		if sys.inst == d || sys.inst != nil && d.source != "" && inv.instance(d.source) == sys.inst || containsInstance(sys.members, d) {
			mine = append(mine, d.at)
		}
	}
	for _, c := range inv.clusters {
		ats = append(ats, c.at)
		if sys.cluster == c {
			mine = append(mine, c.at)
		}
	}
	for _, t := range inv.tables {
		ats = append(ats, t.at)
		if sys.tbl == t {
			mine = append(mine, t.at)
		}
	}
	owner := func(e *scenarios.Error) (at, bool) {
		var best at
		found := false
		for _, a := range ats {
			if a.src == e.File && (e.Path == a.path || strings.HasPrefix(e.Path, a.path+".")) && len(a.path) >= len(best.path) {
				best, found = a, true
			}
		}
		return best, found
	}
	kept := inv.w.list[:0]
	for _, e := range inv.w.list {
		if a, ok := owner(e); ok && !containsAt(mine, a) {
			continue
		}
		kept = append(kept, e)
	}
	inv.w.list = kept
	for _, s := range inv.systems() {
		if s.at != sys.at {
			inv.w.add(s.at.src, s.at.n, s.at.path, "%s %s: not imported (--resource picked %s; dbsim runs one system per scenario)", s.kind, s.name, sys.name)
		}
	}
}

func containsInstance(list []*dbInstance, d *dbInstance) bool {
	for _, x := range list {
		if x == d {
			return true
		}
	}
	return false
}

func containsAt(list []at, a at) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// sortWarnings orders the warnings by file (in the order the files were
// given), then by place; a warning about a whole file comes after those
// at a place in it.
func (inv *inventory) sortWarnings() {
	order := func(file string) int {
		for i, f := range inv.files {
			if strings.HasPrefix(f, file+" (") {
				return i
			}
		}
		return len(inv.files)
	}
	line := func(e *scenarios.Error) int {
		if e.Line == 0 {
			return math.MaxInt
		}
		return e.Line
	}
	slices.SortStableFunc(inv.w.list, func(a, b *scenarios.Error) int {
		return cmp.Or(cmp.Compare(order(a.File), order(b.File)), cmp.Compare(line(a), line(b)), cmp.Compare(a.Col, b.Col))
	})
}
