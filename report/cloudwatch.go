package report

import (
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/scenarios/cloudwatch"
	"dbsim/sim"
)

// cloudwatch.json: the run's metrics (replication 0) under CloudWatch's
// names and statistics (REFERENCES section 15), in the shape of the AWS
// CLI's get-metric-data output (fact 15.1), so that a user lays them over
// the graphs of their own table or instance. Every result is built from
// the recorded series, by metric identity (metric.ID) or the runner's own
// columns: a run of any mode that records the same metrics gets the same
// file.

// cwMetric is one CloudWatch metric dbsim writes: its name, the statistic
// its values are, and how they come from the series.
type cwMetric struct {
	name, stat string
	// subject qualifies the metric (an instance, an index); empty for
	// the whole table or system.
	subject string
	// values are the metric's values per period (NaN: no data point,
	// which CloudWatch leaves out).
	values []float64
	// note says what dbsim's value is where it differs from CloudWatch's.
	note string
}

// cwPeriods aggregates the run's buckets into CloudWatch periods.
type cwPeriods struct {
	d *seriesData
	// per is the number of buckets in a period, n the number of periods.
	per, n int
	period time.Duration
}

// newCWPeriods groups d's buckets into periods of about want: a whole
// number of buckets, at least one (want itself when the bucket divides
// it, as validation arranges for a trace's period).
func newCWPeriods(d *seriesData, want time.Duration) cwPeriods {
	b := time.Duration(d.bucket * float64(time.Second))
	per := max(1, int((want+b-1)/b))
	return cwPeriods{d: d, per: per, n: (d.n + per - 1) / per, period: time.Duration(per) * b}
}

// sum is the column's total in each period.
func (p cwPeriods) sum(col []float64) []float64 {
	out := make([]float64, p.n)
	for b := 0; b < p.d.n; b++ {
		if v := at0(col, b); !math.IsNaN(v) {
			out[b/p.per] += v
		}
	}
	return out
}

// mean is the mean of the column's defined buckets in each period,
// weighted by weight (nil: equally), NaN where none is defined.
func (p cwPeriods) mean(col, weight []float64) []float64 {
	out := make([]float64, p.n)
	ws := make([]float64, p.n)
	for b := 0; b < p.d.n; b++ {
		v, w := at0(col, b), 1.0
		if weight != nil {
			w = at0(weight, b)
		}
		if math.IsNaN(v) || math.IsNaN(w) || w <= 0 {
			continue
		}
		out[b/p.per] += v * w
		ws[b/p.per] += w
	}
	for i := range out {
		if ws[i] == 0 {
			out[i] = math.NaN()
		} else {
			out[i] /= ws[i]
		}
	}
	return out
}

// scaled multiplies xs by f.
func scaled(xs []float64, f float64) []float64 {
	for i := range xs {
		xs[i] *= f
	}
	return xs
}

// cwMetrics lists the CloudWatch metrics of the run's replication 0 at
// its CloudWatch period, in a fixed order.
func cwMetrics(res *scenarios.Result) ([]cwMetric, cwPeriods, bool) {
	rep := rep0(res)
	if rep == nil || rep.Series == nil || res.Scenario == nil {
		return nil, cwPeriods{}, false
	}
	sc := res.Scenario
	d := newSeriesData(rep)
	want, _ := sc.CloudWatchClock()
	p := newCWPeriods(d, want)
	secs := p.period.Seconds()
	var out []cwMetric
	add := func(m cwMetric) {
		if m.values != nil {
			out = append(out, m)
		}
	}
	ok := d.column(scenarios.ColumnOK)
	if sc.System.Kind == "dynamodb" {
		// The table's and each index's capacity (fact 15.2): consumed as
		// the Sum over the period of the per-second gauge, provisioned as
		// its Average.
		for _, id := range rep.Gauges {
			if id.PerPartition || id.Instance != "" {
				continue
			}
			switch id.Kind {
			case metric.ConsumedRCU:
				add(cwMetric{name: "ConsumedReadCapacityUnits", stat: "Sum", subject: id.Index, values: scaled(p.mean(d.gauge(id), nil), secs)})
			case metric.ConsumedWCU:
				add(cwMetric{name: "ConsumedWriteCapacityUnits", stat: "Sum", subject: id.Index, values: scaled(p.mean(d.gauge(id), nil), secs)})
			case metric.ProvisionedRCU, metric.ProvisionedWCU:
				if sc.System.DynamoDB != nil && sc.System.DynamoDB.Table.Mode == "on-demand" {
					continue // CloudWatch has no provisioned capacity for an on-demand table
				}
				name := "ProvisionedReadCapacityUnits"
				if id.Kind == metric.ProvisionedWCU {
					name = "ProvisionedWriteCapacityUnits"
				}
				add(cwMetric{name: name, stat: "Average", subject: id.Index, values: p.mean(d.gauge(id), nil)})
			}
		}
		// Throttles (fact 15.5) and latency (fact 15.6), as dbsim counts them.
		add(cwMetric{name: "ReadThrottleEvents", stat: "Sum", values: p.sum(d.column(scenarios.ColumnReadThrottled)),
			note: "throttled read attempts; a batch's throttled items count once per attempt"})
		add(cwMetric{name: "WriteThrottleEvents", stat: "Sum", values: p.sum(d.column(scenarios.ColumnWriteThrottled)),
			note: "throttled write attempts; a batch's throttled items count once per attempt"})
		add(cwMetric{name: "ThrottledRequests", stat: "Sum", values: p.sum(d.counts[scenarios.ColumnThrottled])})
		add(cwMetric{name: "SuccessfulRequestLatency", stat: "Average", values: p.mean(d.column(sim.LatencyColumn(scenarios.AllRequests, sim.Mean)), ok),
			note: "milliseconds, as seen by the clients (network and retries included); CloudWatch's is the service's own"})
		return out, p, true
	}
	// RDS and Aurora (fact 15.3): per instance.
	lag := "ReplicaLag"
	lagScale := 1e-3 // seconds
	if sc.System.Kind == "aurora" {
		lag, lagScale = "AuroraReplicaLag", 1 // milliseconds
	}
	for _, id := range rep.Gauges {
		switch id.Kind {
		case metric.Utilization:
			add(cwMetric{name: "CPUUtilization", stat: "Average", subject: id.Instance, values: scaled(p.mean(d.gauge(id), nil), 100)})
		case metric.Connections:
			add(cwMetric{name: "DatabaseConnections", stat: "Average", subject: id.Instance, values: p.mean(d.gauge(id), nil)})
		case metric.Lag:
			add(cwMetric{name: lag, stat: "Average", subject: id.Instance, values: scaled(p.mean(d.gauge(id), nil), lagScale)})
		}
	}
	reads, writes := d.column(scenarios.ColumnReadOK), d.column(scenarios.ColumnWriteOK)
	note := "seconds per request, as seen by the clients; CloudWatch's is per disk I/O"
	add(cwMetric{name: "ReadLatency", stat: "Average", values: scaled(p.mean(d.column(sim.LatencyColumn(scenarios.Reads, sim.Mean)), reads), 1e-3), note: note})
	add(cwMetric{name: "WriteLatency", stat: "Average", values: scaled(p.mean(d.column(sim.LatencyColumn(scenarios.Writes, sim.Mean)), writes), 1e-3), note: note})
	return out, p, true
}

// cwID is a result's Id: lowercase letters, digits and underscores,
// starting with a letter, as get-metric-data requires.
func cwID(m cwMetric) string {
	id := strings.ToLower(m.name)
	if m.subject != "" {
		id += "_" + m.subject
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '_'
	}, id)
}

// cwLabel is a result's Label: the metric's name, after its subject as
// the CLI puts a dimension's value first ("replica-1 ReplicaLag").
func cwLabel(m cwMetric) string {
	if m.subject != "" {
		return m.subject + " " + m.name
	}
	return m.name
}

// CloudWatch returns the run's metrics as get-metric-data returns them:
// one result per metric, newest first, at the CloudWatch period (the
// trace's, else 60 s; a whole number of the run's buckets), timestamps
// from the trace's first (else scenarios.CloudWatchEpoch). A run
// without a series has no results.
func CloudWatch(res *scenarios.Result) *cloudwatch.Response {
	out := &cloudwatch.Response{MetricDataResults: []cloudwatch.Result{}, Messages: []cloudwatch.Message{}}
	ms, p, ok := cwMetrics(res)
	if !ok {
		return out
	}
	_, start := res.Scenario.CloudWatchClock()
	for _, m := range ms {
		r := cloudwatch.Result{ID: cwID(m), Label: cwLabel(m), Timestamps: []string{}, Values: []float64{}, StatusCode: "Complete"}
		for i := len(m.values) - 1; i >= 0; i-- {
			v := m.values[i]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			r.Timestamps = append(r.Timestamps, cloudwatch.Stamp(start.Add(time.Duration(i)*p.period)))
			r.Values = append(r.Values, round6(v))
		}
		r.Messages = []cloudwatch.Message{{Code: "Statistic", Value: m.stat}, {Code: "Period", Value: strconv.Itoa(int(p.period.Seconds()))}}
		if m.note != "" {
			r.Messages = append(r.Messages, cloudwatch.Message{Code: "dbsim", Value: m.note})
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	return out
}

// round6 rounds x to 6 significant digits, as the CSV does.
func round6(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 6, 64), 64)
	return v
}

// WriteCloudWatch writes cloudwatch.json (see CloudWatch).
func WriteCloudWatch(w io.Writer, res *scenarios.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	return enc.Encode(CloudWatch(res))
}
