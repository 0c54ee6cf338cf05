package scenarios

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"dbsim/models/dynamodb"
	"dbsim/scenarios/cloudwatch"
)

// This file is the trace arrival process: a workload replays a rate
// series (a CloudWatch get-metric-data export, or a time,rate CSV), one
// rate per period, Poisson within each period, optionally with a
// per-second burstiness multiplier.

// Trace is a rate series a workload replays, as validation read it.
type Trace struct {
	// File is the trace's path as the scenario gives it.
	File string
	// Series is the replayed series, as the file holds it.
	Series cloudwatch.Series
	// Stat and Unit are what its values are (see Arrival).
	Stat, Unit string
	// UnitsPerRequest is, for a unit of capacity, the units one request
	// of the workload consumes on average (1 for requests).
	UnitsPerRequest float64
	// Rates are the requests per second of each period, oldest first.
	Rates []float64
	// Others are the file's other series: measured metrics a report can
	// lay the run's own beside.
	Others []cloudwatch.Series
}

// Period is the trace's period.
func (t *Trace) Period() time.Duration { return t.Series.Period }

// RateAt is the trace's request rate at elapsed time e: its period's
// rate, 0 past the end. A pure function of e.
func (t *Trace) RateAt(e time.Duration) float64 {
	i := int(e / t.Series.Period)
	if e < 0 || i >= len(t.Rates) {
		return 0
	}
	return t.Rates[i]
}

// Describe says how the trace's arrivals are made, for the report:
// "trace: poisson within each 60 s period".
func (t *Trace) Describe(b Burstiness) string {
	s := fmt.Sprintf("trace: poisson within each %s period", formatSpan(t.Period()))
	if b.PeakToMean > 1 {
		s += fmt.Sprintf(", per-second gamma rate multiplier (mean 1, p99 %s)", formatNumber(b.PeakToMean))
	}
	return s
}

// ArrivalModel names w's arrival model, in run mode mode, where it is
// not a plain Poisson or evenly spaced process at the rates written in
// the scenario: a trace ("trace: poisson within each 60 s period"; in
// fluid mode the period's mean rate in 1 s steps), or burstiness. Empty
// otherwise.
func (w *Workload) ArrivalModel(mode string) string {
	b := w.Arrival.Burstiness
	switch {
	case w.Arrival.Trace != nil && mode == ModeFluid:
		return fmt.Sprintf("trace: each %s period's mean rate, in %s fluid steps", formatSpan(w.Arrival.Trace.Period()), formatSpan(fluidStep))
	case w.Arrival.Trace != nil:
		return w.Arrival.Trace.Describe(b)
	case b.PeakToMean > 1:
		return fmt.Sprintf("%s, per-second gamma rate multiplier (mean 1, p99 %s)", w.Arrival.Process, formatNumber(b.PeakToMean))
	}
	return ""
}

// Narrative is the trace in a sentence for the run's narrative: where its
// rates come from and how they become requests.
func (t *Trace) Narrative() string {
	lo, hi := slices.Min(t.Rates), slices.Max(t.Rates)
	how := t.Stat
	if t.Stat != "Average" {
		how += " ÷ " + formatSpan(t.Period())
	}
	if t.Unit != "requests" {
		how += fmt.Sprintf(" ÷ %s %s per request", formatNumber(t.UnitsPerRequest), map[string]string{"write-units": "WCU", "read-units": "RCU"}[t.Unit])
	}
	if t.Series.ID == "" && t.Series.Label == "" {
		how = "rates per second"
	}
	return fmt.Sprintf("replays %s (%s, %d periods of %s: %s): %s to %s requests/s",
		t.File, t.Series.Name(), len(t.Rates), formatSpan(t.Period()), how, formatNumber(round3(lo)), formatNumber(round3(hi)))
}

// round3 rounds x to 3 significant digits.
func round3(x float64) float64 {
	if x == 0 {
		return 0
	}
	p := math.Pow(10, 2-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}

// formatSpan writes a period in seconds: "60 s".
func formatSpan(d time.Duration) string { return formatNumber(d.Seconds()) + " s" }

// The trace's enumerations.
var (
	traceStats = []string{"Sum", "SampleCount", "Average"}
	traceUnits = []string{"requests", "write-units", "read-units"}
)

// maxPeakToMean bounds burstiness.peak_to_mean: a gamma with mean 1 and
// that 99th percentile has shape 0.25, most of its seconds near idle.
const maxPeakToMean = 10

// defaultStat is the statistic a metric's values are taken to be when
// the scenario does not say: Sum (fact 15.2: the statistic to read
// consumed capacity with), but Average for RDS's per-second IOPS (fact
// 15.3).
func defaultStat(metric string) string {
	switch metric {
	case "ReadIOPS", "WriteIOPS":
		return "Average"
	}
	return "Sum"
}

// defaultUnit is what a metric counts when the scenario does not say.
func defaultUnit(metric, stat string) string {
	switch {
	case stat == "SampleCount":
		return "requests" // fact 15.2: the requests that consumed capacity
	case metric == "ConsumedWriteCapacityUnits":
		return "write-units"
	case metric == "ConsumedReadCapacityUnits":
		return "read-units"
	}
	return "requests"
}

// burstiness checks workload i's burstiness (p is its path) and fills
// its default.
func (v *validator) burstiness(p string, w *Workload) {
	b := &w.Arrival.Burstiness
	switch {
	case !v.has(p + "arrival.burstiness"):
		b.PeakToMean = 1
	case w.Arrival.Process == "constant":
		v.errorf(p+"arrival.burstiness", "does not apply to constant arrivals (poisson and trace take it)")
	case !v.has(p + "arrival.burstiness.peak_to_mean"):
		b.PeakToMean = 1
	case b.PeakToMean < 1 || b.PeakToMean > maxPeakToMean || math.IsNaN(b.PeakToMean):
		v.errorf(p+"arrival.burstiness.peak_to_mean", "must be 1 to %d, got %s (1: plain Poisson)", maxPeakToMean, formatNumber(b.PeakToMean))
	}
}

// traceKeys are the arrival keys only a trace takes.
var traceKeys = []string{"file", "metric", "stat", "unit", "period"}

// trace checks workload i's trace keys and reads its file.
func (v *validator) trace(i int) {
	w := &v.s.Workload[i]
	p := fmt.Sprintf("workload[%d].arrival.", i)
	a := &w.Arrival
	if a.Process != "trace" {
		for _, k := range traceKeys {
			if v.has(p + k) {
				v.errorf(p+k, "applies only to process: trace")
			}
		}
		return
	}
	if v.has(p + "rate") {
		v.errorf(p+"rate", "does not apply to a trace (its file gives the rates)")
	}
	if len(w.RateChanges) > 0 {
		v.errorf(fmt.Sprintf("workload[%d].rate_changes", i), "do not apply to a trace (its file gives the rates)")
	}
	if v.has(p+"period") && a.Period <= 0 {
		v.errorf(p+"period", "must be > 0, got %s", a.Period)
		return
	}
	if !v.has(p + "file") {
		v.errorf(p+"file", "required with process: trace (a get-metric-data JSON or time,rate CSV, relative to the scenario)")
		return
	}
	at := p + "file"
	data, err := readTrace(v.s.File, a.File)
	if err != nil {
		v.errorf(at, "%s", err)
		return
	}
	all, err := cloudwatch.Read(data, a.Period.D())
	if err != nil {
		v.errorf(at, "%s: %v", a.File, err)
		return
	}
	pick := 0
	if v.has(p + "metric") {
		pick = slices.IndexFunc(all, func(s cloudwatch.Series) bool { return s.Label == a.Metric || s.ID == a.Metric })
		if pick < 0 {
			var names []string
			for _, s := range all {
				names = append(names, s.Name())
			}
			v.errorf(p+"metric", "%s holds no series %q%s (it holds: %s)", a.File, a.Metric, DidYouMean(a.Metric, names), strings.Join(names, ", "))
			return
		}
	} else if len(all) > 1 {
		var names []string
		for _, s := range all {
			names = append(names, s.Name())
		}
		v.errorf(p+"metric", "%s holds %d series: say which to replay (%s)", a.File, len(all), strings.Join(names, ", "))
		return
	}
	s := all[pick]
	a.Metric = s.Name()
	csv := s.ID == "" && s.Label == ""
	switch {
	case csv && v.has(p+"stat"):
		v.errorf(p+"stat", "does not apply to a CSV trace (its rates are per second)")
	case csv:
		a.Stat = "Average"
	case !v.has(p + "stat"):
		a.Stat = defaultStat(MetricName(s))
	default:
		v.oneOf(p+"stat", "stat", a.Stat, traceStats)
	}
	v.defaultString(p+"unit", &a.Unit, defaultUnit(MetricName(s), a.Stat))
	if !v.oneOf(p+"unit", "unit", a.Unit, traceUnits) {
		return
	}
	if a.Stat == "Average" && a.Unit != "requests" && !csv {
		v.errorf(p+"stat", "the Average of %s is the units per request, not a rate (use Sum, or SampleCount for requests; fact 15.2)", MetricName(s))
		return
	}
	t := &Trace{File: a.File, Series: s, Stat: a.Stat, Unit: a.Unit, UnitsPerRequest: 1}
	for j, o := range all {
		if j != pick {
			t.Others = append(t.Others, o)
		}
	}
	if a.Unit != "requests" {
		upr, err := unitsPerRequest(v.s, w, a.Unit == "write-units")
		if err != nil {
			v.errorf(p+"unit", "%s", err)
			return
		}
		t.UnitsPerRequest = upr
	}
	per := s.Period.Seconds()
	t.Rates = make([]float64, len(s.Values))
	for j, x := range s.Values {
		if a.Stat != "Average" {
			x /= per // a Sum or a count over the period
		}
		t.Rates[j] = x / t.UnitsPerRequest
	}
	if v.durationOK() && v.s.Duration.D() > s.Duration() {
		v.errorf("duration", "%s is longer than the trace %s (%d periods of %s = %s; replay at most that)",
			v.s.Duration, a.File, len(s.Values), Duration(s.Period), Duration(s.Duration()))
	}
	a.Trace = t
}

// MetricName is the CloudWatch metric a series is of: its Label's last
// word ("orders ConsumedWriteCapacityUnits", the CLI's default label
// with a dimension), else its Id.
func MetricName(s cloudwatch.Series) string {
	if f := strings.Fields(s.Label); len(f) > 0 {
		return f[len(f)-1]
	}
	return s.ID
}

// unitsPerRequest is the write (or read) capacity units one request of w
// consumes on average, from its operations' shares, item size and read
// consistency as the DynamoDB model prices them (facts 5.5, 5.6, 15.9).
func unitsPerRequest(s *Scenario, w *Workload, write bool) (float64, error) {
	unit := map[bool]string{true: "write-units", false: "read-units"}[write]
	if s.System.DynamoDB == nil {
		return 0, fmt.Errorf("%s apply to dynamodb (this system is %s; use requests)", unit, s.System.Kind)
	}
	shares := w.Ops.shares()
	if w.Ops == (Ops{}) {
		shares = [9]float64{}
		shares[dynamodb.GetItem], shares[dynamodb.PutItem] = w.Mix.Read, w.Mix.Write
	}
	size := int(w.ItemSize)
	cons := dynamodb.Eventual
	if w.Consistency == "strong" {
		cons = dynamodb.Strong
	}
	items := float64(max(w.BatchItems, 1))
	u := 0.0
	for k, share := range shares {
		kind := dynamodb.Kind(k)
		if share == 0 || kind.Write() != write {
			continue
		}
		var per float64
		switch kind {
		case dynamodb.BatchWriteItem:
			per = items * dynamodb.WriteUnits(size, false)
		case dynamodb.TransactWriteItems:
			per = items * dynamodb.WriteUnits(size, true)
		case dynamodb.Query:
			per = dynamodb.QueryUnits(w.QueryItems, size, cons)
		case dynamodb.BatchGetItem:
			per = items * dynamodb.ReadUnits(size, cons)
		case dynamodb.TransactGetItems:
			per = items * dynamodb.ReadUnits(size, dynamodb.Transactional)
		default:
			if write {
				per = dynamodb.WriteUnits(size, false)
			} else {
				per = dynamodb.ReadUnits(size, cons)
			}
		}
		u += share * per
	}
	if u == 0 {
		what := map[bool]string{true: "writes", false: "reads"}[write]
		return 0, fmt.Errorf("%s need %s in the workload's mix or ops (it has none)", unit, what)
	}
	return u, nil
}

// readTrace reads a trace file named relative to the scenario file: from
// dbsim itself for a bundled scenario, else from disk; a name that is not
// on disk but names a bundled trace (traces/dynamodb-cloudwatch-replay.json)
// reads the bundled one, so that `dbsim show NAME | dbsim run -` works.
func readTrace(scenarioFile, name string) ([]byte, error) {
	if name == "" {
		return nil, errors.New("must name a file")
	}
	if filepath.IsAbs(name) {
		return readLimited(name)
	}
	if strings.HasPrefix(scenarioFile, "scenarios/library/") && !strings.Contains(name, "..") {
		if data, err := fs.ReadFile(traceFiles, path.Join("library", name)); err == nil {
			return data, nil
		}
	}
	dir := "."
	if scenarioFile != "" && scenarioFile != StdinName {
		dir = filepath.Dir(scenarioFile)
	}
	file := filepath.Join(dir, name)
	data, err := readLimited(file)
	if _, statErr := os.Stat(file); errors.Is(statErr, fs.ErrNotExist) && !strings.Contains(name, "..") {
		// A bundled scenario printed by dbsim show (and piped, or saved
		// elsewhere) still finds its trace.
		if b, berr := fs.ReadFile(traceFiles, path.Join("library", filepath.ToSlash(name))); berr == nil {
			return b, nil
		}
	}
	return data, err
}

// StdinName is how a scenario read from standard input names itself:
// its trace files are relative to the working directory.
const StdinName = "<stdin>"

// readLimited reads a file of at most cloudwatch.MaxFileBytes.
func readLimited(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", name, errors.Unwrap(err))
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory (want a get-metric-data JSON or a time,rate CSV)", name)
	}
	if fi.Size() > cloudwatch.MaxFileBytes {
		return nil, fmt.Errorf("%s: %v", name, cloudwatch.TooLarge(fi.Size()))
	}
	return os.ReadFile(name)
}

// --- burstiness ---

// burstShape is the shape k of the gamma distribution with mean 1
// (shape k, rate k) whose 99th percentile is p: the root of
// Q99(k) = p, found by bisection on log k in [0.05, 1e9], where Q99
// falls as k grows (from 21.8 to 1.00003).
func burstShape(p float64) float64 {
	q := func(k float64) float64 { return distuv.Gamma{Alpha: k, Beta: k}.Quantile(0.99) }
	lo, hi := math.Log(0.05), math.Log(1e9)
	for range 100 {
		mid := (lo + hi) / 2
		if q(math.Exp(mid)) > p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Exp((lo + hi) / 2)
}

// burst draws each second's rate multiplier: gamma with mean 1 and 99th
// percentile peak_to_mean, independent from second to second, from the
// workload's own stream (fact 15.8: a Cox process).
type burst struct {
	g distuv.Gamma
}

func newBurst(peakToMean float64, rng *rand.Rand) *burst {
	k := burstShape(peakToMean)
	return &burst{g: distuv.Gamma{Alpha: k, Beta: k, Src: rng}}
}

// next is the next second's multiplier.
func (b *burst) next() float64 { return b.g.Rand() }

// traceBucket makes the default bucket of a run that replays a trace
// divide the trace's period (the largest round width that does, at most
// the default), so that cloudwatch.json's periods are whole rows of the
// series.
func (v *validator) traceBucket() {
	t := v.s.FirstTrace()
	if t == nil || v.has("bucket") || !v.durationOK() {
		return
	}
	p, b := t.Period(), v.s.Bucket.D()
	if b <= p && p%b == 0 {
		return
	}
	pick := p
	for _, c := range autoBuckets {
		if c <= min(b, p) && p%c == 0 {
			pick = c
		}
	}
	if v.s.Duration.D()/pick <= maxBuckets {
		v.s.Bucket = Duration(pick)
	}
}

// FirstTrace is the trace of the first workload that replays one, or nil.
func (s *Scenario) FirstTrace() *Trace {
	for i := range s.Workload {
		if t := s.Workload[i].Arrival.Trace; t != nil {
			return t
		}
	}
	return nil
}

// DefaultCloudWatchPeriod is the period of cloudwatch.json for a run that
// replays no trace: CloudWatch's one-minute resolution of DynamoDB's
// metrics (fact 15.4).
const DefaultCloudWatchPeriod = time.Minute

// CloudWatchEpoch is when a run that replays no trace starts, in
// cloudwatch.json: a fixed time, so that the file is the same on every
// run.
var CloudWatchEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// CloudWatchClock is the period and the start time cloudwatch.json uses
// for s: the first trace's, else DefaultCloudWatchPeriod from
// CloudWatchEpoch (a CSV trace timed in seconds starts there too); a
// CloudWatchPeriod set overrides the period.
func (s *Scenario) CloudWatchClock() (period time.Duration, start time.Time) {
	period, start = DefaultCloudWatchPeriod, CloudWatchEpoch
	if t := s.FirstTrace(); t != nil {
		period = t.Period()
		if !t.Series.Start.IsZero() && t.Series.Start.Year() > 1 {
			start = t.Series.Start
		}
	}
	if s.CloudWatchPeriod > 0 {
		period = s.CloudWatchPeriod
	}
	return period, start
}

// hotKeysFrom adds to workload i's hot keys the contributors of the
// Contributor Insights report its hot_keys_from names (fact 15.10): each
// a key of its own, numbered by the FNV-1a hash of its values, taking
// its share of the rule's aggregate value for the whole run. The
// scenario's own hot keys active at the start and these take at most all
// of the requests.
func (v *validator) hotKeysFrom(i int) {
	w := &v.s.Workload[i]
	p := fmt.Sprintf("workload[%d].hot_keys_from", i)
	if !v.has(p) || v.s.System.DynamoDB == nil {
		return // reported as a dynamodb key elsewhere
	}
	data, err := readTrace(v.s.File, w.HotKeysFrom)
	if err != nil {
		v.errorf(p, "%s", err)
		return
	}
	cs, err := cloudwatch.ReadInsightReport(data)
	if err != nil {
		v.errorf(p, "%s: %v", w.HotKeysFrom, err)
		return
	}
	sum := 0.0
	for _, h := range w.HotKeys {
		if h.At == 0 {
			sum += h.Share
		}
	}
	for _, c := range cs {
		sum += c.Share
		if c.Share > 0 {
			w.HotKeys = append(w.HotKeys, HotKey{Key: contributorKey(c.Keys), Share: c.Share, Until: v.s.Duration, Label: strings.Join(c.Keys, " ")})
		}
	}
	if sum > 1+1e-9 {
		v.errorf(p, "with hot_keys active at the start, the hot keys take %s of the requests, more than all of them", formatNumber(sum))
	}
}

// contributorKey numbers a contributor's key values: FNV-1a, 64 bits.
func contributorKey(keys []string) uint64 {
	h := fnv.New64a()
	for i, k := range keys {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(k))
	}
	return h.Sum64()
}

// insightKeys lists the hot keys read from a Contributor Insights report
// with their shares, the first few: "user#42 30 %, user#7 12 %, and 3
// more".
func insightKeys(hs []HotKey) string {
	const shown = 3
	var parts []string
	n := 0
	for _, h := range hs {
		if h.Label == "" {
			continue
		}
		if n < shown {
			parts = append(parts, fmt.Sprintf("%s %s %%", h.Label, formatNumber(round3(100*h.Share))))
		}
		n++
	}
	if n > shown {
		parts = append(parts, fmt.Sprintf("and %d more", n-shown))
	}
	return strings.Join(parts, ", ")
}
