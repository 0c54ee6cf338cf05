package sweep

import (
	"math"
	"strconv"
	"strings"

	"dbsim/scenarios"
	"dbsim/scenarios/pricing"
	"dbsim/sim"
)

// Metric is one number a sweep reports per point: a mean over the
// point's replications with a 95% confidence interval.
type Metric struct {
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

// Metrics are the metrics of a sweep, in column order. Per
// replication: availability is ok/total; latencies are that replication's
// percentiles of successful requests in ms; failover_duration_s and
// client_outage_s the mean over its failovers (no value when it had none,
// or one that never finished); lost_writes its total; cost_usd_month the
// monthly cost of the point's system (pricing.Prices.MonthlyCost; no
// value when the price table cannot price all of it).
var Metrics = func() []Metric {
	m := []Metric{{Name: "availability", Column: "availability", Label: "availability (%)", Unit: "fraction"}}
	for _, op := range []string{"read", "write", "all"} {
		for _, q := range []string{"p50", "p99", "p999"} {
			label := op + " " + strings.Replace(q, "p999", "p99.9", 1) + " latency (ms)"
			if op == "all" {
				label = strings.Replace(q, "p999", "p99.9", 1) + " latency, all requests (ms)"
			}
			m = append(m, Metric{Name: op + "." + q, Column: op + "_" + q + "_ms", Label: label, Unit: "ms"})
		}
	}
	return append(m,
		Metric{Name: "failover.duration", Column: "failover_duration_s", Label: "failover duration, engine (s)", Unit: "s"},
		Metric{Name: "client.outage", Column: "client_outage_s", Label: "client outage (s)", Unit: "s"},
		Metric{Name: "lost_writes", Column: "lost_writes", Label: "lost writes", Unit: "count"},
		Metric{Name: "cost", Column: "cost_usd_month", Label: "cost (USD per month)", Unit: "usd"},
	)
}()

// LookupMetric finds a metric by its name ("write.p99"), its column
// stem ("write_p99_ms"), or a short form: "p99" for all.p99,
// "client_outage" and "failover.client_outage" for client.outage.
func LookupMetric(name string) (int, bool) {
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
	for i, m := range Metrics {
		if m.Name == name || m.Column == name {
			return i, true
		}
	}
	return 0, false
}

func metricNames() []string {
	names := make([]string, len(Metrics))
	for i, m := range Metrics {
		names[i] = m.Name
	}
	return names
}

// replicationMetrics extracts Metrics from one replication.
func replicationMetrics(rep *scenarios.Replication, cost pricing.Cost) []scenarios.Number {
	out := make([]scenarios.Number, 0, len(Metrics))
	nan := scenarios.Number(math.NaN())
	q := rep.Requests
	if q.Total > 0 {
		out = append(out, scenarios.Number(float64(q.OK)/float64(q.Total)))
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
	total := scenarios.Number(cost.TotalUSD)
	if cost.Partial { // a lower bound would make the system look cheapest
		total = scenarios.Number(math.NaN())
	}
	out = append(out, meanOrNaN(dur), meanOrNaN(outage), scenarios.Number(lost), total)
	return out
}

// quantileMS is quantile p of l in ms, NaN for an empty histogram. The
// histogram reports a quantile as the top of its bucket: it is capped at
// the exact maximum, as the summary does.
func quantileMS(l *sim.Latency, p float64) scenarios.Number {
	if l == nil || l.Count() == 0 {
		return scenarios.Number(math.NaN())
	}
	return scenarios.Number(float64(min(l.Quantile(p), l.Max())) / 1e6)
}

// spanS is end-start in seconds, NaN when either never came.
func spanS(start, end sim.Time) float64 {
	if start < 0 || end < 0 {
		return math.NaN()
	}
	return end.Sub(start).Seconds()
}

// meanOrNaN is the mean of xs; NaN when xs is empty or holds a NaN.
func meanOrNaN(xs []float64) scenarios.Number {
	if len(xs) == 0 {
		return scenarios.Number(math.NaN())
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return scenarios.Number(sum / float64(len(xs)))
}

// FormatMetric writes a value of metric m with its unit for people:
// "99.95%" (to 4 decimals), "20 ms", "90 s" (4 significant digits),
// "$351.50".
func FormatMetric(m int, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "no value"
	}
	switch Metrics[m].Unit {
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
