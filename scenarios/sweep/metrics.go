package sweep

import (
	"math"
	"strconv"
	"strings"

	"dbsim/scenarios"
	"dbsim/scenarios/pricing"
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
// replication: availability is ok/total; throttled the share of attempts
// (requests and their retries) the system refused for capacity
// (Requests.Throttled ÷ (Total + Retried)), 0 for a system that never
// throttles; latencies are that replication's
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
		Metric{Name: "throttled", Column: "throttled", Label: "throttled attempts (% of attempts)", Unit: "fraction"},
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

// replicationMetrics are the values of Metrics for one replication
// (scenarios.Measure) whose system costs cost per month.
func replicationMetrics(rep *scenarios.Replication, cost pricing.Cost) []scenarios.Number {
	m := scenarios.Measure(rep)
	out := make([]scenarios.Number, 0, len(Metrics))
	out = append(out, scenarios.Number(m.Availability))
	for _, q := range []scenarios.Quantiles{m.Read, m.Write, m.All} {
		out = append(out, scenarios.Number(q.P50), scenarios.Number(q.P99), scenarios.Number(q.P999))
	}
	total := scenarios.Number(cost.TotalUSD)
	if cost.Partial { // a lower bound would make the system look cheapest
		total = scenarios.Number(math.NaN())
	}
	out = append(out, scenarios.Number(m.FailoverDuration), scenarios.Number(m.ClientOutage), scenarios.Number(m.LostWrites),
		scenarios.Number(throttledShare(rep.Requests)), total)
	return out
}

// throttledShare is the share of attempts throttled: each request is one
// attempt and each retry one more. NaN when nothing was measured.
func throttledShare(q scenarios.Requests) float64 {
	attempts := q.Total + q.Retried
	if attempts == 0 {
		return math.NaN()
	}
	return float64(q.Throttled) / float64(attempts)
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
