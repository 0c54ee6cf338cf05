package sweep

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"dbsim/scenarios"
	"dbsim/sim"
)

// Format identifies the JSON of a Result.
const Format = "dbsim-sweep/1"

// Result is what a sweep, or one shard of it, measured: per point and
// replication, the raw value of every metric, which is all sweep.csv and
// the plots are computed from. Shards of one sweep merge into exactly the
// result of an unsharded run (Merge).
type Result struct {
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
	Replications int    `json:"replications"`
	Axes         []Axis `json:"axes"`
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
	// Replications[r][m] is metric m (Result.Metrics) of replication r.
	Replications [][]scenarios.Number `json:"replications"`
}

// Columns are the swept paths, axis by axis.
func (r *Result) Columns() []string { return columns(r.Axes) }

// Steps returns the step on each axis of the point with the given index,
// as Sweep.Steps does.
func (r *Result) Steps(index int) []int { return stepsOf(r.Axes, index) }

// Stat is the mean of metric m over the point's replications and its
// Student-t 95% confidence interval, mean ± t(0.975; n−1)·s/√n. With one
// replication the interval is the value. The interval is clamped to the
// metric's range: no metric is negative, no availability above 1 (few
// replications of a skewed metric give a wide symmetric interval). When a
// replication has no value (NaN) the mean has none either: an average that skips a failover that
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
	if Metrics[m].Unit == "fraction" {
		hi = math.Min(hi, 1)
	}
	return mean, lo, hi
}

// Mean is the mean of metric m (see Stat).
func (p *PointResult) Mean(m int) float64 {
	mean, _, _ := p.Stat(m)
	return mean
}

// WriteJSON writes r as indented JSON with a trailing newline.
func (r *Result) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadResult reads a Result written by WriteJSON and checks that
// it is whole: the format, the metrics this dbsim knows, one value per
// metric.
func ReadResult(rd io.Reader) (*Result, error) {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	var r Result
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	if r.Format != Format {
		return nil, fmt.Errorf("not a sweep result (format %q, want %q)", r.Format, Format)
	}
	if !slices.Equal(r.Metrics, metricNames()) {
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

// Merge joins the shards of one sweep into the result an unsharded
// run gives: every shard 0..n-1 exactly once, all of the same sweep
// (fingerprint), results in index order. names label the parts in errors.
func Merge(parts []*Result, names []string) (*Result, error) {
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
