package sweep

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"dbsim/scenarios"
)

// Target is a condition on a metric's mean: write.p99 < 20ms.
type Target struct {
	Metric int // index in Metrics
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
func ParseTarget(s string) (Target, error) {
	t := Target{Text: strings.TrimSpace(s)}
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
	m, ok := LookupMetric(name)
	if !ok {
		return t, fmt.Errorf("--target %q: unknown metric %q (allowed: %s)", s, name, strings.Join(metricNames(), ", "))
	}
	t.Metric = m
	v, err := parseTargetValue(Metrics[m].Unit, rest)
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
			return 0, fmt.Errorf("a fraction from 0 to 1, or a percentage such as 99.95%%; got %s", s)
		}
		return f, err
	case "ms", "s":
		d, err := scenarios.ParseDuration(s)
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
func (t Target) String() string {
	m := Metrics[t.Metric]
	return m.Name + " " + t.Op + " " + FormatMetric(t.Metric, t.Value)
}

// Met reports whether a mean meets the target; a missing value (NaN) does
// not.
func (t Target) Met(mean float64) bool {
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
func (t Target) Miss(mean float64) float64 {
	if t.Met(mean) {
		return 0
	}
	if math.IsNaN(mean) {
		return math.Inf(1)
	}
	x, v := mean, t.Value
	if Metrics[t.Metric].Name == "availability" { // judged by its downtime
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

// Answer is the planner's answer: the cheapest point that meets every
// target, judged on the mean over replications; or, when none does, the
// point that comes closest.
type Answer struct {
	// Best is the cheapest point meeting every target (ties: the lower
	// index); nil when none does.
	Best *PointResult
	// Meeting counts the points that meet every target.
	Meeting int
	// Closest, when Best is nil, is the point with the smallest sum of
	// relative misses (Target.Miss); ties go to the cheaper point.
	Closest *PointResult
	// Misses are Closest's misses, one per target (0: met).
	Misses []float64
}

// Answer judges every point of r against the targets.
func (r *Result) Answer(targets []Target) Answer {
	var a Answer
	costM, _ := LookupMetric("cost")
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

// MaxSuggested caps the replications a Doubt suggests: the most a
// scenario may ask for.
const MaxSuggested = 10_000

// Doubt is a target whose 95% interval, at one point, crosses the target
// value: the point's replications do not say whether it meets it.
type Doubt struct {
	Point  *PointResult
	Target Target
	// Replications is about how many replications would narrow the
	// interval to the gap between the mean and the target, judged from
	// the spread seen so far (Student t); 0 when the mean sits on the
	// target, MaxSuggested+1 when even MaxSuggested would not.
	Replications int
}

// Doubts are the doubts that could change answer a: those of the chosen
// point, and of every cheaper point about a target its mean misses (when
// no point meets every target, of every point), in point order.
func (r *Result) Doubts(a Answer, targets []Target) []Doubt {
	costM, _ := LookupMetric("cost")
	var out []Doubt
	for i := range r.Results {
		p := &r.Results[i]
		chosen := p == a.Best
		cheaper := a.Best == nil || (!chosen && p.Mean(costM) < a.Best.Mean(costM))
		if !chosen && !cheaper {
			continue
		}
		for _, t := range targets {
			mean, lo, hi := p.Stat(t.Metric)
			if math.IsNaN(mean) || t.Met(lo) == t.Met(hi) {
				continue // no interval, or wholly on one side
			}
			if !chosen && t.Met(mean) {
				continue // a cheaper point in doubt only about what it misses
			}
			out = append(out, Doubt{Point: p, Target: t, Replications: p.replicationsFor(t)})
		}
	}
	return out
}

// replicationsFor is how many replications would make the 95% interval
// of t's metric at p narrower than the gap between its mean and t's value,
// if the spread stayed what it is.
func (p *PointResult) replicationsFor(t Target) int {
	xs := make([]float64, len(p.Replications))
	for r, vals := range p.Replications {
		xs[r] = float64(vals[t.Metric])
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	gap := math.Abs(mean - t.Value)
	if gap == 0 || len(xs) < 2 {
		return 0
	}
	narrow := func(n int) bool { // the half-width shrinks as n grows
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)*sd/math.Sqrt(float64(n)) < gap
	}
	if !narrow(MaxSuggested) {
		return MaxSuggested + 1
	}
	return len(xs) + 1 + sort.Search(MaxSuggested-len(xs), func(i int) bool { return narrow(len(xs) + 1 + i) })
}
