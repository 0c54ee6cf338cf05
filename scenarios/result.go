package scenarios

import (
	"encoding/json"
	"math"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/dynamodb"
	"dbsim/models/metric"
	"dbsim/sim"
)

// Result is a finished run: what each replication recorded. The report
// package turns it into summaries, plots and pages.
type Result struct {
	Scenario *Scenario
	// Replications are in index order. Replication 0 is the one the time
	// series, plots and narrative show: one run, as it happened.
	Replications []*Replication
}

// Replication is what one independent run recorded over its measurement
// window (after the warmup).
type Replication struct {
	Index int
	Seed  uint64
	// SimulatedSeconds is the measured span: duration minus warmup.
	SimulatedSeconds float64
	// Fluid: the run advanced rates in steps (mode: fluid), not requests;
	// its counts are rounded rates and it has no latencies.
	Fluid bool

	Requests Requests
	Latency  Latencies

	Failovers []Failover
	// Events is the narrative: what happened and when, in time order;
	// those with a Mark are the model events the plots mark.
	Events []cluster.Event
	// Faults are the windows during which a fault was active, for shading.
	Faults []FaultWindow

	// UnreplicatedAcks counts writes acknowledged to a client, over the
	// whole run, that no other copy which could take over as writer had at
	// that moment (cluster.Acknowledger; 0 for models that do not say).
	// Failovers can lose only these: the sum of LostWrites over failovers
	// not ended by a requested replica promotion never exceeds it.
	UnreplicatedAcks int64

	// StaleReads counts successful reads served by a replica that had not
	// yet applied a write acknowledged before the read was sent.
	StaleReads int64
	// Lag holds, per replica, the distribution of its lag sampled once per
	// second over the measured window (the metric.Lag gauges).
	Lag []NamedLatency
	// Loads are, per database instance, its utilization, connections and
	// queued statements sampled once per second over the measured window
	// (the metric.Utilization, Connections, Queued and MaxConnections
	// gauges).
	Loads []*EngineLoad
	// Saturations are the episodes of an instance at its limits, over the
	// whole run; one still going when the run ended ends then.
	Saturations []Saturation
	// Credits are the CPU credit records of the roles that instances of a
	// burstable class serve (cluster.Credited), over the whole run; their
	// Window is the measured window's.
	Credits []cluster.CreditRecord
	// Counters are model-specific totals over the run, in the model's
	// order (e.g. throttles per partition).
	Counters []cluster.Counter
	// Cache is what the cache in front of the system did; nil without one.
	Cache *CacheStats
	// Stream is what a DynamoDB table's stream and its consumer did over
	// the measured window; nil without a stream.
	Stream *StreamStats
	// Global is what a DynamoDB global table's replication did over the
	// measured window; nil without replicas.
	Global *dynamodb.GlobalStats
	// Gauges are the model's gauges, each a column of Series named by its
	// ID.Column(), in the order the model listed them.
	Gauges []metric.ID

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

// The runner's own columns of Replication.Series (the others are the
// model's gauges): counts per bucket, and per kind of request the latency
// columns sim.LatencyColumn(AllRequests, sim.P99) and so on.
const (
	ColumnOK          = "ok"
	ColumnFailed      = "failed"
	ColumnThrottled   = "throttled"
	ColumnRetried     = "retried"
	ColumnStaleReads  = "stale_reads"
	ColumnReadOK      = "read_ok"
	ColumnReadFailed  = "read_failed"
	ColumnWriteOK     = "write_ok"
	ColumnWriteFailed = "write_failed"
	// DynamoDB only: the throttled attempts of reads and of writes, by
	// when they happened.
	ColumnReadThrottled  = "read_throttled"
	ColumnWriteThrottled = "write_throttled"

	AllRequests = "all"
	Reads       = "read"
	Writes      = "write"
)

// StreamStats are a DynamoDB stream's totals over the measured window
// (dynamodb.StreamStats) and its iterator age (metric.IteratorAge)
// sampled once a second over it.
type StreamStats struct {
	dynamodb.StreamStats
	// IteratorAge holds the samples scaled down a thousandfold, each
	// millisecond of age recorded as a microsecond, so that ages of days
	// fit sim.Latency's range (an hour); IteratorAgeMS reads them back.
	IteratorAge *sim.Latency
}

// IteratorAgeMS is the iterator age's quantile q (q ≥ 1: the maximum) in
// milliseconds.
func (s *StreamStats) IteratorAgeMS(q float64) float64 {
	if s.IteratorAge == nil || s.IteratorAge.Count() == 0 {
		return math.NaN()
	}
	if q >= 1 {
		return float64(s.IteratorAge.Max()) / float64(time.Microsecond)
	}
	return float64(s.IteratorAge.Quantile(q)) / float64(time.Microsecond)
}

// Requests counts what the clients saw. Total = OK + Failed; Throttled and
// Retried count attempts, not requests.
type Requests struct {
	Total     int64
	OK        int64
	Failed    int64
	Throttled int64
	Retried   int64
	// Rejected counts the failed requests that a client process rejected
	// on arrival because it held clients.max_in_flight already.
	Rejected int64
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
	// primary does not have; for a failover still under way at the end of
	// the run (Accepting -1), those the copy chosen so far lacks.
	LostWrites int64
	// ByPromotion: a read replica promotion a user requested ended it.
	ByPromotion bool
	// Replaced: no other copy took over; the writer came back on a new
	// host (a replacement, not a failover).
	Replaced bool
	// Restore, when set, makes this a recovery from a backup or another
	// Region (cluster.Restore), reported apart from the failovers.
	Restore *cluster.Restore
}

// FaultWindow is a span during which a fault was active.
type FaultWindow struct {
	Start, End sim.Time
	Label      string
}

// EngineLoad is one instance's engine load, sampled once a second.
type EngineLoad struct {
	Name string
	// Utilization is the share of the vCPUs busy over each second.
	Utilization Samples
	// Connections are the connections open, Queued the statements waiting
	// for a vCPU (the mean over each second), Limit the connection limit.
	Connections, Queued, Limit Samples
}

// NewEngineLoad returns an empty load record of the named instance.
func NewEngineLoad(name string) *EngineLoad {
	return &EngineLoad{Name: name, Utilization: Samples{bins: make([]int64, 1001)}}
}

// Samples summarizes a gauge's samples in fixed memory: their count, sum
// and maximum, and for values in [0, 1] a histogram of 0.1 % bins.
type Samples struct {
	N        int64
	Sum, Max float64
	bins     []int64 // len 1001 for a [0, 1] gauge, else nil
}

// Add records one sample.
func (s *Samples) Add(v float64) {
	s.N++
	s.Sum += v
	s.Max = max(s.Max, v)
	if s.bins != nil {
		s.bins[int(math.Round(min(max(v, 0), 1)*1000))]++
	}
}

// Mean is the mean sample (NaN for none).
func (s *Samples) Mean() float64 {
	if s.N == 0 {
		return math.NaN()
	}
	return s.Sum / float64(s.N)
}

// Merge adds o's samples to s.
func (s *Samples) Merge(o *Samples) {
	s.N += o.N
	s.Sum += o.Sum
	s.Max = max(s.Max, o.Max)
	if o.bins != nil {
		if s.bins == nil {
			s.bins = make([]int64, len(o.bins))
		}
		for i, n := range o.bins {
			s.bins[i] += n
		}
	}
}

// Quantile is the q-quantile of a [0, 1] gauge's samples to 0.1 % (NaN
// for none, or for a gauge without a histogram).
func (s *Samples) Quantile(q float64) float64 {
	if s.N == 0 || s.bins == nil {
		return math.NaN()
	}
	rank := int64(math.Ceil(q * float64(s.N)))
	var seen int64
	for i, n := range s.bins {
		if seen += n; seen >= max(rank, 1) {
			return min(float64(i)/1000, s.Max)
		}
	}
	return s.Max
}

// Saturation is an episode of an instance at its limits: its CPUs at
// least 95 % busy, or every connection taken, for at least three seconds.
type Saturation struct {
	Name                string
	Start, End          sim.Time
	PeakUtilization     float64
	PeakConns, MaxConns int
	VCPUs               int
}

// NamedLatency is a named distribution of spans.
type NamedLatency struct {
	Name string
	Dist *sim.Latency
}

// Number is a float64 that marshals NaN and ±Inf as JSON null (and
// unmarshals null as NaN), so an undefined value (a metric with no value)
// never breaks the JSON; finite values round-trip exactly. Summaries and
// sweeps both use it.
type Number float64

// Null is the Number that marshals as null.
var Null = Number(math.NaN())

// Valid reports whether n is a finite number (not null).
func (n Number) Valid() bool {
	f := float64(n)
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}

// MarshalJSON implements json.Marshaler.
func (n Number) MarshalJSON() ([]byte, error) {
	if !n.Valid() {
		return []byte("null"), nil
	}
	return json.Marshal(float64(n))
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Null
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Number(f)
	return nil
}
