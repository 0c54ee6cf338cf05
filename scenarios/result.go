package scenarios

import "dbsim/sim"

// Result is a finished run: what each replication recorded. The report
// package turns it into summaries, plots and pages.
type Result struct {
	Scenario *Scenario
	// Replications are in index order. Replication 0 is the one the time
	// series, plots and narrative show: one run, as it happened.
	Replications []*Replication
	// Prices prices the run's system (nil: the built-in table,
	// scenarios/prices.yaml).
	Prices *Prices
}

// Replication is what one independent run recorded over its measurement
// window (after the warmup).
type Replication struct {
	Index int
	Seed  uint64
	// SimulatedSeconds is the measured span: duration minus warmup.
	SimulatedSeconds float64

	Requests Requests
	Latency  Latencies

	Failovers []Failover
	// Events is the narrative: what happened and when, in time order.
	Events []Event
	// Faults are the windows during which a fault was active, for shading.
	Faults []FaultWindow

	// StaleReads counts successful reads served by a replica that had not
	// yet applied a write acknowledged before the read was sent.
	StaleReads int64
	// Lag holds, per replica, the distribution of its lag sampled once per
	// second over the measured window (gauges named "lag_ms:NAME").
	Lag []NamedLatency
	// Counters are model-specific totals over the run, in the model's
	// order (e.g. throttles per partition).
	Counters []Counter

	// Series is the time series of the whole run (warmup included), one row
	// per Scenario.Bucket. Columns hold counts per bucket: "ok", "failed"
	// and "stale_reads" (successful reads counted in StaleReads) by the
	// requests' arrival time, "throttled" and "retried" attempts by when
	// they happened; and latency percentiles per bucket of
	// completion time, in
	// milliseconds ("all_p50_ms", "read_p99_ms", "write_max_ms", ...; the
	// suffixes are p50, p90, p99, p999, max).
	Series *sim.Series
}

// Requests counts what the clients saw. Total = OK + Failed; Throttled and
// Retried count attempts, not requests.
type Requests struct {
	Total     int64
	OK        int64
	Failed    int64
	Throttled int64
	Retried   int64
}

// Latencies are client-seen latencies of successful requests, from arrival
// to the final answer (pool wait, retries and backoff included).
type Latencies struct {
	Read, Write, All *sim.Latency
}

// Failover is one failure of the writer and the system's recovery from it.
// A time that never came is -1.
type Failover struct {
	Cause string
	// Start is the failure; Detected when the control plane noticed it;
	// Promoted when the new primary was chosen and the DNS record changed;
	// Accepting when the new primary accepted writes (the engine's view).
	Start, Detected, Promoted, Accepting sim.Time
	// ClientsRecovered is when every client instance had a write succeed
	// again after the failure.
	ClientsRecovered sim.Time
	// LostWrites counts writes acknowledged to a client that the new
	// primary does not have.
	LostWrites int64
}

// Event is one line of the narrative.
type Event struct {
	At   sim.Time
	Text string
}

// FaultWindow is a span during which a fault was active.
type FaultWindow struct {
	Start, End sim.Time
	Label      string
}

// NamedLatency is a named distribution of spans.
type NamedLatency struct {
	Name string
	Dist *sim.Latency
}

// Counter is a named total.
type Counter struct {
	Name  string
	Value int64
}
