package scenarios

import (
	"math"

	"dbsim/sim"
)

// ReplicationMetrics are the numbers one replication is judged by: a
// summary averages them over replications, a sweep reports them per
// point. A value that does not exist is NaN. Cost is not among them: it
// is priced by package pricing.
type ReplicationMetrics struct {
	// Availability is OK ÷ Total of the measured requests; NaN when none
	// was measured.
	Availability float64
	// Read, Write and All are the latency quantiles of the successful
	// requests of each kind.
	Read, Write, All Quantiles
	// Failovers are the spans of each failover and recovery (rep's
	// Failovers), in time order.
	Failovers []FailoverSpans
	// FailoverDuration and ClientOutage are the means of the failovers'
	// spans, recoveries from a backup or another Region (Restore) left
	// out; NaN without a failover, or when one never ended.
	FailoverDuration, ClientOutage float64
	// LostWrites is the total over the failovers, recoveries left out:
	// theirs are the history before the restored point (RPO).
	LostWrites int64
}

// Quantiles are latency quantiles in milliseconds, each capped at the
// exact maximum (see QuantileMS); NaN when no request was recorded.
type Quantiles struct {
	P50, P99, P999 float64
}

// FailoverSpans are how long a failover lasted, in seconds; NaN for a span
// whose end never came.
type FailoverSpans struct {
	// Duration runs from the failure until the new primary accepted
	// writes: the engine's view, the figure AWS quotes.
	Duration float64
	// ClientOutage runs from the failure until every client had a write
	// succeed again.
	ClientOutage float64
}

// Measure computes rep's metrics.
func Measure(rep *Replication) ReplicationMetrics {
	m := ReplicationMetrics{Availability: math.NaN()}
	if q := rep.Requests; q.Total > 0 {
		m.Availability = float64(q.OK) / float64(q.Total)
	}
	m.Read = quantiles(rep.Latency.Read)
	m.Write = quantiles(rep.Latency.Write)
	m.All = quantiles(rep.Latency.All)
	var dur, outage []float64
	for _, f := range rep.Failovers {
		s := FailoverSpans{Duration: spanSeconds(f.Start, f.Accepting), ClientOutage: spanSeconds(f.Start, f.ClientsRecovered)}
		m.Failovers = append(m.Failovers, s)
		if f.Restore != nil {
			continue
		}
		dur = append(dur, s.Duration)
		outage = append(outage, s.ClientOutage)
		m.LostWrites += f.LostWrites
	}
	m.FailoverDuration, m.ClientOutage = meanOrNaN(dur), meanOrNaN(outage)
	return m
}

func quantiles(l *sim.Latency) Quantiles {
	return Quantiles{P50: QuantileMS(l, 0.50), P99: QuantileMS(l, 0.99), P999: QuantileMS(l, 0.999)}
}

// QuantileMS is the p-quantile of l in milliseconds, NaN when l recorded
// nothing. The histogram reports a quantile as the top of its bucket,
// which can lie up to 0.1% above the largest span recorded: it is capped
// at the exact maximum.
func QuantileMS(l *sim.Latency, p float64) float64 {
	if l == nil || l.Count() == 0 {
		return math.NaN()
	}
	return float64(min(l.Quantile(p), l.Max())) / 1e6
}

// spanSeconds is end-start in seconds, NaN when either never came.
func spanSeconds(start, end sim.Time) float64 {
	if start < 0 || end < 0 {
		return math.NaN()
	}
	return end.Sub(start).Seconds()
}

// meanOrNaN is the mean of xs; NaN when xs is empty or holds a NaN.
func meanOrNaN(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
