package report

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"time"

	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/sim"
)

// Count columns of the run's series, turned into rates in the CSV and plots.
var countColumns = []string{scenarios.ColumnOK, scenarios.ColumnFailed, scenarios.ColumnThrottled, scenarios.ColumnRetried, scenarios.ColumnStaleReads}

// WriteCSV writes timeseries.csv: the time series of replication 0, one row
// per bucket. The columns are time_s (the bucket's start, seconds since the
// start of the run), ok_per_s, failed_per_s, throttled_per_s,
// retried_per_s, stale_reads_per_s (successful reads that were stale, by
// arrival: over the buckets after the warmup they add up to the summary's
// stale_reads), availability (ok/(ok+failed) of the requests that arrived
// in the bucket, empty when it had none, and empty in the last buckets of
// the run, whose requests could still be in flight when it ended: a
// request that had not finished is neither ok nor failed, and the slow
// ones are mostly failures, so their bucket's ratio would read too high;
// see unsettled), then every other column of the series in its order
// under its own name (latencies in ms, lag, capacity, ...; DynamoDB's
// read_throttled_per_s and write_throttled_per_s, throttled attempts by
// operation). An undefined
// value (NaN) is an empty cell. Values are rounded to 6 significant digits.
func WriteCSV(w io.Writer, res *scenarios.Result) error {
	ser := series0(res)
	cw := csv.NewWriter(w)

	header := []string{"time_s"}
	for _, c := range countColumns {
		header = append(header, c+"_per_s")
	}
	header = append(header, "availability")
	var rest []int // other columns, in series order
	perSecond := map[int]bool{}
	if ser != nil {
		for i, name := range ser.Names() {
			if !isCountColumn(name) {
				rest = append(rest, i)
				if opThrottles[name] {
					// DynamoDB's throttles by operation: rates, as the
					// counts above.
					perSecond[i] = true
					name += "_per_s"
				}
				header = append(header, name)
			}
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}

	if ser != nil {
		d := newSeriesData(rep0(res)).settle(res.Scenario)
		cols := make([][]float64, len(rest))
		for j, i := range rest {
			cols[j] = ser.Values(i)
			if perSecond[i] {
				for b := range cols[j] {
					cols[j][b] /= d.bucket
				}
			}
		}
		row := make([]string, 0, len(header))
		for b := 0; b < d.n; b++ {
			row = row[:0]
			row = append(row, formatSeconds(d.start(b)))
			for _, c := range countColumns {
				row = append(row, formatCell(d.rate(c, b)))
			}
			row = append(row, formatCell(d.settledAvailability(b)))
			for _, col := range cols {
				row = append(row, formatCell(at0(col, b)))
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// opThrottles are the count columns of throttles by operation, written
// as rates after the gauges they sit among.
var opThrottles = map[string]bool{scenarios.ColumnReadThrottled: true, scenarios.ColumnWriteThrottled: true}

func isCountColumn(name string) bool {
	for _, c := range countColumns {
		if name == c {
			return true
		}
	}
	return false
}

// series0 is the series of replication 0, or nil.
func series0(res *scenarios.Result) *sim.Series {
	if rep := rep0(res); rep != nil {
		return rep.Series
	}
	return nil
}

// rep0 is replication 0, or nil.
func rep0(res *scenarios.Result) *scenarios.Replication {
	if res == nil || len(res.Replications) == 0 {
		return nil
	}
	return res.Replications[0]
}

// seriesData gives the per-bucket values the CSV and the plots derive from
// a series.
type seriesData struct {
	s      *sim.Series
	gauges []metric.ID // the model's gauges among the columns
	n      int
	bucket float64 // seconds
	counts map[string][]float64
	// unsettled is the first bucket whose requests could still have been
	// in flight when the run ended (settle): n when none could.
	unsettled int
	// inFlight is how long a request may stay in flight, in seconds.
	inFlight float64
}

// newSeriesData reads the series of rep, which must have one.
func newSeriesData(rep *scenarios.Replication) *seriesData {
	s := rep.Series
	d := &seriesData{s: s, gauges: rep.Gauges, n: s.Len(), bucket: s.Bucket().Seconds(), counts: map[string][]float64{}}
	d.unsettled = d.n
	for _, c := range countColumns {
		d.counts[c] = d.column(c)
	}
	return d
}

// column returns the named column's values, or nil if absent.
func (d *seriesData) column(name string) []float64 {
	i, ok := d.s.Lookup(name)
	if !ok {
		return nil
	}
	return d.s.Values(i)
}

// gauge returns the values of the model's gauge id, or nil if absent.
func (d *seriesData) gauge(id metric.ID) []float64 { return d.column(id.Column()) }

// ofKind returns the model's gauges of kind k, in the model's order.
func (d *seriesData) ofKind(k metric.Kind) []metric.ID {
	var out []metric.ID
	for _, id := range d.gauges {
		if id.Kind == k {
			out = append(out, id)
		}
	}
	return out
}

// start is the start of bucket b in seconds.
func (d *seriesData) start(b int) float64 { return float64(b) * d.bucket }

// count is the value of a count column in bucket b (0 when absent).
func (d *seriesData) count(name string, b int) float64 {
	v := at0(d.counts[name], b)
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// rate is a count column per second in bucket b.
func (d *seriesData) rate(name string, b int) float64 {
	if d.bucket <= 0 {
		return math.NaN()
	}
	return d.count(name, b) / d.bucket
}

// availability is ok/(ok+failed) in bucket b, NaN without requests.
func (d *seriesData) availability(b int) float64 {
	ok, failed := d.count(scenarios.ColumnOK, b), d.count(scenarios.ColumnFailed, b)
	if ok+failed <= 0 {
		return math.NaN()
	}
	return ok / (ok + failed)
}

// settle marks the buckets at the end of the run whose requests could
// still have been in flight when it ended, by how long a request of sc
// can live (inFlightFor): those that arrived in them and had not
// finished are in neither count. It returns d.
func (d *seriesData) settle(sc *scenarios.Scenario) *seriesData {
	d.inFlight = inFlightFor(sc)
	end := d.start(d.n)
	d.unsettled = d.n
	for d.unsettled > 0 && d.start(d.unsettled)+d.inFlight > end+1e-9 {
		d.unsettled--
	}
	return d
}

// settledAvailability is availability(b), NaN in the unsettled buckets.
func (d *seriesData) settledAvailability(b int) float64 {
	if b >= d.unsettled {
		return math.NaN()
	}
	return d.availability(b)
}

// inFlightFor bounds how long a request of sc can stay in flight, in
// seconds (scenarios.RequestLifetime); 0 without a scenario.
func inFlightFor(sc *scenarios.Scenario) float64 {
	if sc == nil {
		return 0
	}
	return scenarios.RequestLifetime(sc).Seconds()
}

// at0 is v[i], or NaN when v is too short.
func at0(v []float64, i int) float64 {
	if i < len(v) {
		return v[i]
	}
	return math.NaN()
}

// formatCell formats v for the CSV: 6 significant digits, no exponent,
// empty for NaN or Inf.
func formatCell(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	v = roundSig(v, sigDigits)
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// formatSeconds formats a time in seconds to millisecond precision.
func formatSeconds(v float64) string {
	return strconv.FormatFloat(roundDec(v, secondDecimals), 'f', -1, 64)
}

// runnerCounts are the runner's count columns: per bucket, they add up.
var runnerCounts = map[string]bool{
	scenarios.ColumnOK: true, scenarios.ColumnFailed: true, scenarios.ColumnThrottled: true,
	scenarios.ColumnRetried: true, scenarios.ColumnStaleReads: true,
	scenarios.ColumnReadOK: true, scenarios.ColumnReadFailed: true,
	scenarios.ColumnWriteOK: true, scenarios.ColumnWriteFailed: true,
}

// perSecond is d in buckets of at least a second, for a figure that must
// not draw a burst of a few milliseconds as a rate per second it never
// sustained (20,000 WCU/s for 1,000 WCU taken in 50 ms): d itself when its
// buckets are a second or longer, else d in windows of the fewest whole
// buckets that last a second. Counts add up over a window; every other
// column (gauges, which are rates per second over their bucket) is its
// mean over the window's buckets. Latency columns are left out.
func (d *seriesData) perSecond() *seriesData {
	if d.bucket >= 1-1e-9 || d.bucket <= 0 {
		return d
	}
	k := int(math.Ceil(1/d.bucket - 1e-9))
	window := time.Duration(math.Round(float64(k) * d.bucket * 1e9))
	s := sim.NewSeries(window)
	gauge := map[string]bool{}
	for _, id := range d.gauges {
		gauge[id.Column()] = true
	}
	rows := (d.n + k - 1) / k
	for i, name := range d.s.Names() {
		if !runnerCounts[name] && !gauge[name] {
			continue
		}
		col := s.Column(name)
		ys := d.s.Values(i)
		for r := 0; r < rows; r++ {
			sum, n := 0.0, 0
			for b := r * k; b < min(d.n, (r+1)*k); b++ {
				if y := at0(ys, b); !math.IsNaN(y) && !math.IsInf(y, 0) {
					sum += y
					n++
				}
			}
			v := sum
			switch {
			case runnerCounts[name]:
			case n == 0:
				v = math.NaN()
			default:
				v = sum / float64(n)
			}
			s.Set(sim.Time(r)*sim.Time(window), col, v)
		}
	}
	c := &seriesData{s: s, gauges: d.gauges, n: s.Len(), bucket: window.Seconds(), counts: map[string][]float64{}, inFlight: d.inFlight}
	for _, name := range countColumns {
		c.counts[name] = c.column(name)
	}
	c.unsettled = d.unsettled / k // a window with an unsettled bucket is unsettled
	return c
}

// bucketText says how long a bucket of secs seconds is: "50 ms", "5 s".
func bucketText(secs float64) string {
	if secs < 1 {
		return strconv.FormatFloat(math.Round(secs*1e6)/1e3, 'f', -1, 64) + " ms"
	}
	return strconv.FormatFloat(secs, 'f', -1, 64) + " s"
}
