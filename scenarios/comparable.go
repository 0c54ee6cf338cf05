package scenarios

import (
	"fmt"
	"reflect"
	"strings"
)

// maxDifferences caps the differences one warning names.
const maxDifferences = 6

// Comparability checks that the scenarios are a fair comparison: each
// against the first, the seed, the workloads, the faults (their kinds,
// times and places; a target names an instance in each system's own
// words, so it is not compared), the duration, the warmup and the number
// of replications. It returns one warning per scenario that differs,
// naming the fields; none when they all agree. The clients (pools,
// timeouts, retries, a DynamoDB client's SDK) are part of each system's
// stack and may differ.
func Comparability(list []*Scenario) []string {
	var warns []string
	ref := list[0]
	for _, s := range list[1:] {
		var diffs []string
		d := func(path string, a, b any) { diffValues(path, reflect.ValueOf(a), reflect.ValueOf(b), &diffs) }
		d("seed", s.Seed, ref.Seed)
		wa, wb := workloadsCompared(s, ref)
		d("workload", wa, wb)
		d("faults", faultsCompared(s.Faults), faultsCompared(ref.Faults))
		d("duration", s.Duration, ref.Duration)
		d("warmup", s.Warmup, ref.Warmup)
		d("replications", s.Replications, ref.Replications)
		if len(diffs) == 0 {
			continue
		}
		shown := diffs
		if len(shown) > maxDifferences {
			shown = append(shown[:maxDifferences:maxDifferences], fmt.Sprintf("and %d more", len(diffs)-maxDifferences))
		}
		warns = append(warns, fmt.Sprintf("%s differs from %s in %s: the systems do not see the same requests, so not every difference comes from the systems",
			s.Name, ref.Name, strings.Join(shown, ", ")))
	}
	return warns
}

// workloadsCompared are the workloads of a and b as far as both systems
// can express them: reads_from does not apply to DynamoDB, and the
// DynamoDB-only keys (consistency, ops, query_items, query_index,
// batch_items, unprocessed) are
// compared only between two DynamoDB tables (their mix, which ops sets, is
// always compared: the writes come first in both, so the same draws make
// the same writes).
func workloadsCompared(a, b *Scenario) (wa, wb []Workload) {
	ddbA, ddbB := a.System.Kind == "dynamodb", b.System.Kind == "dynamodb"
	norm := func(ws []Workload) []Workload {
		out := make([]Workload, len(ws))
		for i, w := range ws {
			if ddbA || ddbB {
				w.ReadsFrom = ""
			}
			if !ddbA || !ddbB {
				w.Consistency, w.Ops, w.QueryItems, w.QueryIndex, w.BatchItems, w.Unprocessed = "", Ops{}, 0, "", 0, ""
			}
			out[i] = w
		}
		return out
	}
	return norm(a.Workload), norm(b.Workload)
}

// faultsCompared are the faults without their targets.
func faultsCompared(fs []Fault) []Fault {
	out := make([]Fault, len(fs))
	for i, f := range fs {
		f.Target = ""
		out[i] = f
	}
	return out
}

var stringer = reflect.TypeFor[fmt.Stringer]()

// diffValues appends "path (A vs B)" for every field where a and b (of
// one type) differ, naming struct fields by their YAML keys and writing
// values with units (Duration, Rate and Size print themselves).
func diffValues(path string, a, b reflect.Value, out *[]string) {
	switch {
	case a.Type().Implements(stringer):
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, fmt.Sprintf("%s (%v vs %v)", path, a.Interface(), b.Interface()))
		}
	case a.Kind() == reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			f := a.Type().Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || key == "-" || key == "" {
				continue
			}
			diffValues(path+"."+key, a.Field(i), b.Field(i), out)
		}
	case a.Kind() == reflect.Slice:
		if a.Len() != b.Len() {
			*out = append(*out, fmt.Sprintf("%s (%d entries vs %d)", path, a.Len(), b.Len()))
			return
		}
		for i := 0; i < a.Len(); i++ {
			diffValues(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), out)
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, fmt.Sprintf("%s (%v vs %v)", path, a.Interface(), b.Interface()))
		}
	}
}
