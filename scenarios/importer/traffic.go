package importer

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"dbsim/scenarios"
	"dbsim/scenarios/cloudwatch"
)

// A CloudWatch get-metric-data export among the files is the table's
// traffic: its ConsumedWriteCapacityUnits become a workload of puts, its
// ConsumedReadCapacityUnits one of gets, each replayed by the trace
// arrival process (one workload per series: the two series are two
// request streams, each with its own operation). The scenario runs as
// long as the export, in fluid mode when the per-request run's estimate
// says it would be too long (scenarios.EstimateOf).

// traffic is one series of an export: the file, how the scenario names
// it, and the series.
type traffic struct {
	at
	ref    string // the file, relative to the written scenario's directory
	series cloudwatch.Series
}

// trafficOps are the metrics a workload is made of, and the operation of
// each.
var trafficOps = []struct{ metric, op, name string }{
	{"ConsumedWriteCapacityUnits", "put", "writes"},
	{"ConsumedReadCapacityUnits", "get", "reads"},
}

// readMetricData reads a get-metric-data export with scenarios/cloudwatch
// (the reader the trace arrival process uses), keeping the consumed
// capacity series; other series (throttle events, say) stay in the file,
// where a run finds them to lay beside its own.
func readMetricData(src *source, inv *inventory) {
	if src.name == scenarios.StdinName {
		inv.errs = append(inv.errs, &scenarios.Error{File: src.name, Line: src.root.Line, Col: src.root.Column,
			Msg: "a CloudWatch export read from standard input: the scenario replays it by its file name, so give it as a file"})
		return
	}
	all, err := cloudwatch.Read(src.data, 0)
	if err != nil {
		inv.errs = append(inv.errs, &scenarios.Error{File: src.name, Msg: err.Error()})
		return
	}
	found := false
	for _, s := range all {
		if slices.ContainsFunc(trafficOps, func(o struct{ metric, op, name string }) bool { return o.metric == scenarios.MetricName(s) }) {
			inv.traffic = append(inv.traffic, &traffic{at: at{src: src.name, path: "MetricDataResults", n: src.root}, ref: src.ref, series: s})
			found = true
		}
	}
	if !found {
		var names []string
		for _, s := range all {
			names = append(names, s.Name())
		}
		inv.w.add(src.name, src.root, "MetricDataResults", "no ConsumedWriteCapacityUnits or ConsumedReadCapacityUnits series (found: %s): the workload is dbsim's default", strings.Join(names, ", "))
	}
}

// traceRef is how a scenario written to scenario ("" for standard output:
// relative to the working directory) names the file name.
func traceRef(name, scenario string) string {
	dir := "."
	if scenario != "" {
		dir = filepath.Dir(scenario)
	}
	absDir, err1 := filepath.Abs(dir)
	absFile, err2 := filepath.Abs(name)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(name)
	}
	rel, err := filepath.Rel(absDir, absFile)
	if err != nil {
		return filepath.ToSlash(absFile)
	}
	return filepath.ToSlash(rel)
}

// trafficWorkloads writes the workloads of the export's series for the
// table tb, and the span the longest covers; nil when there is none.
func (inv *inventory) trafficWorkloads(tb *table) (*yaml.Node, time.Duration) {
	if len(inv.traffic) == 0 {
		return nil, 0
	}
	ws := seq(false)
	var span time.Duration
	names := map[string]int{}
	for _, o := range trafficOps {
		for _, tr := range inv.traffic {
			if scenarios.MetricName(tr.series) != o.metric {
				continue
			}
			name := o.name
			if names[o.name]++; names[o.name] > 1 {
				name = fmt.Sprintf("%s-%d", o.name, names[o.name])
			}
			w := mapping(false)
			put(w, "name", text(name), "")
			arr := mapping(true)
			put(arr, "process", text("trace"), "")
			put(arr, "file", text(tr.ref), "")
			put(arr, "metric", text(tr.series.Name()), "")
			arr.LineComment = fmt.Sprintf("%d values, one per %s", len(tr.series.Values), scenarios.Duration(tr.series.Period))
			put(w, "arrival", arr, "")
			ops := mapping(true)
			put(ops, o.op, number(1), "")
			put(w, "ops", ops, "")
			if s := tb.itemSize(); s > 0 {
				put(w, "item_size", size(s), "TableSizeBytes / ItemCount: the units a request consumes")
			} else {
				put(w, "item_size", text("1KB"), defaultNote+": the units a request consumes")
			}
			if tb.items > 0 {
				k := mapping(true)
				put(k, "count", number(tb.items), "")
				k.LineComment = "ItemCount"
				put(w, "keys", k, "")
			}
			ws.Content = append(ws.Content, w)
			span = max(span, tr.series.Duration())
		}
	}
	return ws, span
}

// itemSize is the table's mean item size, or 0 when the source does not
// give it.
func (tb *table) itemSize() float64 {
	if tb.items > 0 && tb.size > 0 {
		return math.Max(1, math.Min(math.Round(tb.size/tb.items), 400<<10))
	}
	return 0
}

// chooseMode adds mode: fluid to the scenario doc (written to scenario)
// when its per-request run would be over dbsim's limits or longer than a
// minute by dbsim's own estimate, and it can run in fluid mode.
func chooseMode(doc *yaml.Node, scenario string) error {
	data, err := encode(doc)
	if err != nil {
		return err
	}
	name := scenario
	if name == "" {
		name = scenarios.StdinName
	}
	s, err := scenarios.Parse(name, data)
	if err != nil {
		return fmt.Errorf("import wrote a scenario that does not validate (a bug in dbsim; please report it with the files):\n%v", err)
	}
	e := scenarios.EstimateOf(s, 1)
	if len(e.Over(scenarios.DefaultLimits)) == 0 && e.Wall <= time.Minute {
		return nil
	}
	f, ok := scenarios.FluidEstimate(s, 1)
	if !ok {
		return nil
	}
	root := doc.Content[0]
	i := slices.IndexFunc(root.Content, func(n *yaml.Node) bool { return n.Value == "duration" })
	k, v := text("mode"), text(scenarios.ModeFluid)
	k.HeadComment = "# " + strings.ReplaceAll(scenarios.WrapWords(fmt.Sprintf("The replayed history per request would be %s. "+
		"In fluid mode, rates advance in 1-second steps through the same partitions, buckets and auto scaling "+
		"(about %s; no per-request latency). Remove mode to run it per request.", e, scenarios.WallString(f.Wall)), 76), "\n", "\n# ")
	root.Content = slices.Insert(root.Content, i+2, k, v)
	return nil
}

// encode writes doc as YAML, indented by two.
func encode(doc *yaml.Node) ([]byte, error) {
	var buf strings.Builder
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(buf.String()), nil
}
