package report

import (
	"encoding/json"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"dbsim/models/cluster"
	"dbsim/scenarios"
	"dbsim/scenarios/pricing"
	"dbsim/sim"
)

// Summary is the content of summary.json: a run reduced to the numbers a
// reader or another tool compares. The field order is the key order of the
// JSON; units are in the key names. Times are seconds since the start of
// the run (warmup included), as in timeseries.csv and the plots.
type Summary struct {
	// days: the run spans days, so its times read as "day 2 06:00:00"
	// (as the narrative's); not in summary.json.
	days bool

	Scenario    string `json:"scenario"`
	Description string `json:"description"`
	// System is the kind of database under test ("rds", ...).
	System       string `json:"system"`
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	// SimulatedSeconds is the measured span of one replication (duration
	// minus warmup).
	SimulatedSeconds scenarios.Number `json:"simulated_seconds"`

	// Requests are summed over replications.
	Requests Requests `json:"requests"`
	// Availability is the mean over replications of ok/total.
	Availability scenarios.Number `json:"availability"`
	// AvailabilityCI95 is the Student-t 95% confidence interval of that
	// mean, clamped to [0, 1]; with one replication both ends are the value.
	AvailabilityCI95 [2]scenarios.Number `json:"availability_ci95"`

	// Mode is "fluid" for a run in fluid mode (omitted for one per
	// request): its counts are rates summed over 1-second steps, and
	// LatencyNote says why its latencies are null.
	Mode        string `json:"mode,omitempty"`
	LatencyNote string `json:"latency_note,omitempty"`
	// LatencyMS are client-seen latencies of successful requests, merged
	// over replications.
	LatencyMS LatencyGroup `json:"latency_ms"`

	// Failovers of every replication, in replication then time order.
	Failovers []Failover `json:"failovers"`
	// Recoveries from a backup or from another Region (a point-in-time
	// restore, a Global Database failover), in replication then time
	// order; omitted when there is none.
	Recoveries []Recovery `json:"recoveries,omitempty"`
	// FailoverDurationS is the mean engine-side failover duration (failure
	// to writes accepted) with its 95% interval; nil when no failover
	// completed.
	FailoverDurationS *Interval `json:"failover_duration_s"`
	// ClientOutageS is the mean client-side outage (failure to every client
	// writing again) with its 95% interval; nil when no clients recovered.
	ClientOutageS *Interval `json:"client_outage_s"`
	// LostWrites is the total over replications of acknowledged writes the
	// new primary did not have.
	LostWrites int64 `json:"lost_writes"`
	// UnreplicatedAcks is the total over replications of writes
	// acknowledged to a client while no other copy that could take over as
	// writer (a standby, a cluster standby) had them: a single-AZ
	// instance's every write, a Multi-AZ instance's while its mirror is
	// suspended, a Multi-AZ DB cluster's while its replication has fallen
	// back to asynchronous; 0 for Aurora's quorum storage and for systems
	// that do not say. Failovers lose only these (see README): lost_writes
	// minus the losses of read replica promotions a user requested never
	// exceeds it.
	UnreplicatedAcks int64 `json:"unreplicated_acks"`

	// ReplicaLagMS is per replica; empty until the models record lag.
	ReplicaLagMS map[string]LagStats `json:"replica_lag_ms"`
	// Utilization is, per database instance, the share of its vCPUs busy,
	// measured over each second of the measured window of every
	// replication: the mean, the 99th percentile and the maximum second.
	Utilization map[string]UtilizationStats `json:"utilization"`
	// Connections is, per instance, the most connections open at a
	// once-a-second sample, and its connection limit.
	Connections map[string]ConnectionStats `json:"connections"`
	// Queued is, per instance, the statements waiting for a vCPU: the mean
	// and the highest one-second mean.
	Queued map[string]QueueStats `json:"queued"`
	// Saturations are the episodes of an instance at its limits (at least
	// 95 % of its vCPUs busy, or all its connections taken, for at least
	// 3 s), in replication then time order, over the whole run.
	Saturations []SaturationEpisode `json:"saturations"`
	// CPUCredits are the CPU credit accounts of the instances of a
	// burstable class (db.t3, db.t4g), per replication and role; absent
	// when there are none.
	CPUCredits []CreditStats `json:"cpu_credits,omitempty"`
	// StaleReads counts reads that returned an older value than the last
	// acknowledged write.
	StaleReads int64 `json:"stale_reads"`
	// Counters are model-specific totals summed over replications, such as
	// DynamoDB's throttles per partition ("throttles:p3").
	Counters map[string]int64 `json:"counters"`
	// Cache is what the cache in front of the system did, summed over
	// replications; omitted without one.
	Cache *CacheSummary `json:"cache,omitempty"`
	// Stream is what a DynamoDB table's stream and its consumer did,
	// summed over replications; omitted without a stream.
	Stream *StreamSummary `json:"stream,omitempty"`
	// GlobalTable is what a DynamoDB global table's replication did,
	// summed over replications; omitted without replicas.
	GlobalTable *GlobalTableSummary `json:"global_table,omitempty"`

	// Workload says, per workload whose arrivals are not a plain process
	// at the scenario's rates (a trace, burstiness), which model made them;
	// omitted when there is none.
	Workload map[string]WorkloadSummary `json:"workload,omitempty"`

	// CostMonthly is what the system costs per month at list price, with
	// its breakdown (pricing.Prices.MeanMonthlyCost).
	CostMonthly *pricing.Cost `json:"cost_monthly"`
}

// WorkloadSummary is what a workload's arrivals were.
type WorkloadSummary struct {
	// Arrivals names the arrival model: "trace: poisson within each 60 s
	// period", and the burstiness multiplier when there is one.
	Arrivals string `json:"arrivals"`
}

// CacheSummary is the cache's lookups over the measured window (by the
// arrival of their read), summed over replications, and its size.
type CacheSummary struct {
	NodeType string `json:"node_type"`
	Nodes    int    `json:"nodes"`
	// CapacityItems is the items the nodes hold when full.
	CapacityItems int64            `json:"capacity_items"`
	Hits          int64            `json:"hits"`
	Misses        int64            `json:"misses"`
	HitRatio      scenarios.Number `json:"hit_ratio"`
}

// StreamSummary is a DynamoDB stream over the measured window, summed
// over replications: records written, processed by a successful
// invocation, lost past retention (trimmed unprocessed), discarded after
// max_retries; the function's invocations (retries included), errors and
// GB-seconds; and the iterator age sampled once a second (the oldest
// unprocessed record's age, the maximum over shards), in milliseconds.
type StreamSummary struct {
	Records           int64            `json:"records"`
	Processed         int64            `json:"processed"`
	LostPastRetention int64            `json:"lost_past_retention"`
	Discarded         int64            `json:"discarded"`
	Invocations       int64            `json:"invocations"`
	Errors            int64            `json:"errors"`
	GBSeconds         scenarios.Number `json:"gb_seconds"`
	IteratorAgeMS     LagStats         `json:"iterator_age_ms"`

	age *sim.Latency
	gbs float64
}

// GlobalTableSummary is a DynamoDB global table's replication over the
// measured window, summed over replications: the writes that reached
// another Region (a write that reaches two counts twice), the writes at
// risk when a Region failed (committed there, not yet in the Region that
// lacked most), the conflicts (lost updates: writes that last writer
// wins discarded for a concurrent newer write from another Region), and
// the replication latency, commit to arrival, in milliseconds; the same
// per Region pair whose source has writers, source first.
type GlobalTableSummary struct {
	Replicated         int64                `json:"replicated"`
	AtRisk             int64                `json:"at_risk"`
	Conflicts          int64                `json:"conflicts"`
	ReplicationLatency LagStats             `json:"replication_latency_ms"`
	Pairs              []GlobalTablePairSum `json:"pairs"`

	lat *sim.Latency
}

// GlobalTablePairSum is one direction of a global table's replication:
// From's writes reaching To, those To discarded by last writer wins
// (conflicts), and their replication latency.
type GlobalTablePairSum struct {
	From               string   `json:"from"`
	To                 string   `json:"to"`
	Replicated         int64    `json:"replicated"`
	Conflicts          int64    `json:"conflicts"`
	ReplicationLatency LagStats `json:"replication_latency_ms"`

	lat *sim.Latency
}

// Requests counts what the clients saw, summed over replications.
// Total = OK + Failed; Throttled and Retried count attempts.
type Requests struct {
	Total     int64 `json:"total"`
	OK        int64 `json:"ok"`
	Failed    int64 `json:"failed"`
	Throttled int64 `json:"throttled"`
	Retried   int64 `json:"retried"`
	// Rejected counts the failed requests that a client process rejected
	// on arrival, holding clients.max_in_flight requests already.
	Rejected int64 `json:"rejected"`
}

// LatencyGroup holds the latency statistics per kind of request.
type LatencyGroup struct {
	Read  LatencyStats `json:"read"`
	Write LatencyStats `json:"write"`
	All   LatencyStats `json:"all"`
}

// LatencyStats summarizes one latency histogram in milliseconds. Every
// value is null when Count is 0.
type LatencyStats struct {
	Count int64            `json:"count"`
	Mean  scenarios.Number `json:"mean"`
	P50   scenarios.Number `json:"p50"`
	P90   scenarios.Number `json:"p90"`
	P99   scenarios.Number `json:"p99"`
	P999  scenarios.Number `json:"p999"`
	Max   scenarios.Number `json:"max"`
}

// Failover is one failover of one replication, in seconds since the start
// of that replication's run. A phase that never came is null, and so is
// every span derived from it.
type Failover struct {
	Replication int    `json:"replication"`
	Cause       string `json:"cause"`
	// Recovery is how the writer came back: "failover" (another copy took
	// over) or "replacement" (none could: a new host with the volume).
	Recovery  string           `json:"recovery"`
	StartS    scenarios.Number `json:"start_s"`
	DetectedS scenarios.Number `json:"detected_s"`
	PromotedS scenarios.Number `json:"promoted_s"`
	// EndS is when the new primary accepted writes.
	EndS scenarios.Number `json:"end_s"`
	// DurationS is EndS - StartS: the engine's view, the figure AWS quotes.
	DurationS scenarios.Number `json:"duration_s"`
	// ClientOutageS runs from the failure until every client had a write
	// succeed again (DNS caching and reconnects included).
	ClientOutageS scenarios.Number `json:"client_outage_s"`
	// LostWrites counts acknowledged writes the new primary lacks. For a
	// failover still under way when the run ended (end_s null) it counts
	// those the copy chosen so far lacks: a read replica being promoted
	// (the old primary's acknowledgements since the request included),
	// the standby a Multi-AZ DB cluster is promoting; 0 while the
	// failover waits for a copy that has every write.
	LostWrites int64 `json:"lost_writes"`
}

// Recovery is one recovery from a backup or another Region, in seconds
// since the start of its replication's run; a moment that never came is
// null, and so is every span derived from it.
type Recovery struct {
	Replication int `json:"replication"`
	// Kind is how the data came back (cluster.Restore's Kind).
	Kind  string `json:"kind"`
	Cause string `json:"cause"`
	// StartS is the failure (or the data loss) recovered from.
	StartS scenarios.Number `json:"start_s"`
	// RestoredToS is the last moment whose writes the new writer has.
	RestoredToS scenarios.Number `json:"restored_to_s"`
	// EndS is when the new writer accepted writes.
	EndS scenarios.Number `json:"end_s"`
	// RTOS runs from the failure until every client's writes succeed on
	// the new writer: the recovery time the application saw.
	RTOS scenarios.Number `json:"rto_s"`
	// RPOS is StartS - RestoredToS: the span of history the recovery
	// gave up.
	RPOS scenarios.Number `json:"rpo_s"`
	// LostWrites counts the writes acknowledged after RestoredToS that
	// the new writer does not have.
	LostWrites int64 `json:"lost_writes"`
}

// newRecovery is the recovery f of replication i, with its spans s.
func newRecovery(i int, f scenarios.Failover, s scenarios.FailoverSpans) Recovery {
	return Recovery{Replication: i, Kind: f.Restore.Kind, Cause: f.Cause, StartS: at(f.Start),
		RestoredToS: at(f.Restore.RestoredTo), EndS: at(f.Accepting), RTOS: seconds(s.ClientOutage),
		RPOS: span(f.Restore.RestoredTo, f.Start), LostWrites: f.LostWrites}
}

// Interval is a mean with its Student-t 95% confidence interval, clamped
// at 0 below (the quantities are spans, never negative).
type Interval struct {
	Mean scenarios.Number    `json:"mean"`
	CI95 [2]scenarios.Number `json:"ci95"`
}

// UtilizationStats summarize an instance's per-second utilization (0–1).
type UtilizationStats struct {
	Mean scenarios.Number `json:"mean"`
	P99  scenarios.Number `json:"p99"`
	Max  scenarios.Number `json:"max"`
}

// ConnectionStats summarize an instance's open connections: the most at a
// sample, and the instance's connection limit (the largest, should it
// change).
type ConnectionStats struct {
	Max   int64 `json:"max"`
	Limit int64 `json:"limit"`
}

// QueueStats summarize an instance's queued statements.
type QueueStats struct {
	Mean scenarios.Number `json:"mean"`
	Max  scenarios.Number `json:"max"`
}

// SaturationEpisode is one episode of an instance at its limits.
type SaturationEpisode struct {
	Replication int              `json:"replication"`
	Instance    string           `json:"instance"`
	StartS      scenarios.Number `json:"start_s"`
	EndS        scenarios.Number `json:"end_s"`
	DurationS   scenarios.Number `json:"duration_s"`
	// PeakUtilization is the busiest second's share of the VCPUs;
	// PeakConnections the most connections open of MaxConnections.
	PeakUtilization scenarios.Number `json:"peak_utilization"`
	VCPUs           int              `json:"vcpus"`
	PeakConnections int              `json:"peak_connections"`
	MaxConnections  int              `json:"max_connections"`
}

// CreditStats is what one role's CPU credit account did in one
// replication (cluster.CreditRecord): balances in credits (one credit is a
// vCPU-minute), times in seconds since the start of the run.
type CreditStats struct {
	Replication int    `json:"replication"`
	Instance    string `json:"instance"`
	Class       string `json:"class"`
	// Mode is "unlimited" (RDS's) or "standard".
	Mode  string `json:"mode"`
	VCPUs int    `json:"vcpus"`
	// EarnedPerHour is the class's earn rate, Baseline the share of each
	// vCPU it pays for, Limit the most credits it holds (24 h of earning).
	EarnedPerHour scenarios.Number `json:"earned_per_hour"`
	Baseline      scenarios.Number `json:"baseline"`
	Limit         scenarios.Number `json:"limit"`
	// Start, Min and End are the accrued balance at the start, its lowest
	// and at the end.
	Start scenarios.Number `json:"start"`
	Min   scenarios.Number `json:"min"`
	End   scenarios.Number `json:"end"`
	// ExhaustedAtS is when the balance first ran out (null: never);
	// ExhaustedS the time out of credits: held to the baseline in
	// standard mode, bursting on surplus credits in unlimited mode.
	ExhaustedAtS scenarios.Number `json:"exhausted_at_s"`
	ExhaustedS   scenarios.Number `json:"exhausted_s"`
	// Surplus is the surplus credits not paid down at the end, SurplusMax
	// their most, SurplusCharged those billed at once for passing the
	// limit (unlimited mode).
	Surplus        scenarios.Number `json:"surplus"`
	SurplusMax     scenarios.Number `json:"surplus_max"`
	SurplusCharged scenarios.Number `json:"surplus_charged"`
	// Spent and Earned are the credits spent and earned in the measured
	// window (after the warmup); unlimited mode bills Spent − Earned when
	// positive (see cost_monthly).
	Spent  scenarios.Number `json:"spent"`
	Earned scenarios.Number `json:"earned"`
}

// LagStats summarizes one replica's lag in milliseconds.
type LagStats struct {
	P50 scenarios.Number `json:"p50"`
	P99 scenarios.Number `json:"p99"`
	Max scenarios.Number `json:"max"`
}

// Rounding: floats are rounded before they are stored so that the JSON is
// short and the same run always gives the same bytes.
const (
	sigDigits        = 6 // latencies and other measured values
	secondDecimals   = 3 // times and spans in seconds: millisecond precision
	fractionDecimals = 9 // availability: six nines and then some
)

// roundSig rounds v to n significant digits; NaN and Inf pass through.
func roundSig(v float64, n int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', n, 64), 64)
	return r
}

// roundDec rounds v to n decimals; NaN and Inf pass through.
func roundDec(v float64, n int) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', n, 64), 64)
	if r == 0 {
		return 0 // no "-0"
	}
	return r
}

func sig(v float64) scenarios.Number     { return scenarios.Number(roundSig(v, sigDigits)) }
func seconds(v float64) scenarios.Number { return scenarios.Number(roundDec(v, secondDecimals)) }

// fraction3 is a share to 0.1 %.
func fraction3(v float64) scenarios.Number { return scenarios.Number(roundDec(v, 3)) }
func fraction(v float64) scenarios.Number {
	return scenarios.Number(roundDec(v, fractionDecimals))
}

// Summarize reduces a finished run to its Summary, its cost at prices (nil:
// the built-in table).
// FluidLatencyNote is what a fluid run's summary says of its latency.
const FluidLatencyNote = "fluid mode: latency not simulated per request (rates in 1-second steps; throttled requests back off by the SDK's mean delay)"

func Summarize(res *scenarios.Result, prices *pricing.Prices) *Summary {
	s := &Summary{
		Replications:     len(res.Replications),
		SimulatedSeconds: scenarios.Null,
		Availability:     scenarios.Null,
		AvailabilityCI95: [2]scenarios.Number{scenarios.Null, scenarios.Null},
		Failovers:        []Failover{},
		ReplicaLagMS:     map[string]LagStats{},
		Utilization:      map[string]UtilizationStats{},
		Connections:      map[string]ConnectionStats{},
		Queued:           map[string]QueueStats{},
		Saturations:      []SaturationEpisode{},
		Counters:         map[string]int64{},
	}
	lags := map[string]*sim.Latency{}
	loads := map[string]*scenarios.EngineLoad{}
	if sc := res.Scenario; sc != nil {
		s.Scenario = sc.Name
		s.Description = sc.Description
		s.System = sc.System.Kind
		s.Seed = sc.Seed
		s.days = sc.Duration.D() >= 24*time.Hour
		for i := range sc.Workload {
			if m := sc.Workload[i].ArrivalModel(sc.Mode); m != "" {
				if s.Workload == nil {
					s.Workload = map[string]WorkloadSummary{}
				}
				s.Workload[sc.Workload[i].Name] = WorkloadSummary{Arrivals: m}
			}
		}
	}
	if len(res.Replications) > 0 && res.Replications[0] != nil {
		s.SimulatedSeconds = seconds(res.Replications[0].SimulatedSeconds)
		if res.Replications[0].Fluid {
			s.Mode = scenarios.ModeFluid
			s.LatencyNote = FluidLatencyNote
		}
	}

	var avail, engine, clients []float64
	read, write, all := sim.NewLatency(), sim.NewLatency(), sim.NewLatency()
	for i, rep := range res.Replications {
		if rep == nil {
			continue
		}
		q := rep.Requests
		s.Requests.Total += q.Total
		s.Requests.OK += q.OK
		s.Requests.Failed += q.Failed
		s.Requests.Throttled += q.Throttled
		s.Requests.Retried += q.Retried
		s.Requests.Rejected += q.Rejected
		m := scenarios.Measure(rep)
		if !math.IsNaN(m.Availability) {
			avail = append(avail, m.Availability)
		}
		s.StaleReads += rep.StaleReads
		s.UnreplicatedAcks += rep.UnreplicatedAcks
		for _, l := range rep.Lag {
			if lags[l.Name] == nil {
				lags[l.Name] = sim.NewLatency()
			}
			merge(lags[l.Name], l.Dist)
		}
		for _, l := range rep.Loads {
			if loads[l.Name] == nil {
				loads[l.Name] = scenarios.NewEngineLoad(l.Name)
			}
			m := loads[l.Name]
			m.Utilization.Merge(&l.Utilization)
			m.Connections.Merge(&l.Connections)
			m.Queued.Merge(&l.Queued)
			m.Limit.Merge(&l.Limit)
		}
		for _, e := range rep.Saturations {
			s.Saturations = append(s.Saturations, SaturationEpisode{Replication: i, Instance: e.Name,
				StartS: at(e.Start), EndS: at(e.End), DurationS: span(e.Start, e.End),
				PeakUtilization: fraction3(e.PeakUtilization), VCPUs: e.VCPUs,
				PeakConnections: e.PeakConns, MaxConnections: e.MaxConns})
		}
		for _, c := range rep.Credits {
			s.CPUCredits = append(s.CPUCredits, creditStats(i, c))
		}
		for _, c := range rep.Counters {
			s.Counters[c.ID.Column()] += c.Value
		}
		if st := rep.Stream; st != nil {
			if s.Stream == nil {
				s.Stream = &StreamSummary{age: sim.NewLatency()}
			}
			x := s.Stream
			x.Records += st.Records
			x.Processed += st.Processed
			x.LostPastRetention += st.Lost
			x.Discarded += st.Discarded
			x.Invocations += st.Invocations
			x.Errors += st.Errors
			x.gbs += float64(st.BilledMS) / 1000 * float64(st.MemoryMB) / 1024
			if st.IteratorAge != nil {
				merge(x.age, st.IteratorAge)
			}
		}
		if st := rep.Global; st != nil {
			if s.GlobalTable == nil {
				s.GlobalTable = &GlobalTableSummary{lat: sim.NewLatency()}
			}
			x := s.GlobalTable
			x.Replicated += st.Replicated
			x.AtRisk += st.AtRisk
			x.Conflicts += st.Conflicts
			merge(x.lat, st.Latency)
			for _, ps := range st.Pairs {
				i := slices.IndexFunc(x.Pairs, func(q GlobalTablePairSum) bool { return q.From == ps.From && q.To == ps.To })
				if i < 0 {
					x.Pairs = append(x.Pairs, GlobalTablePairSum{From: ps.From, To: ps.To, lat: sim.NewLatency()})
					i = len(x.Pairs) - 1
				}
				q := &x.Pairs[i]
				q.Replicated += ps.Replicated
				q.Conflicts += ps.Conflicts
				merge(q.lat, ps.Latency)
			}
		}
		if c := rep.Cache; c != nil {
			if s.Cache == nil {
				s.Cache = &CacheSummary{CapacityItems: c.Capacity}
				if sc := res.Scenario; sc != nil {
					s.Cache.NodeType, s.Cache.Nodes = sc.Cache.NodeType, sc.Cache.Nodes
				}
			}
			s.Cache.Hits += c.Hits
			s.Cache.Misses += c.Misses
		}
		merge(read, rep.Latency.Read)
		merge(write, rep.Latency.Write)
		merge(all, rep.Latency.All)

		for j, f := range rep.Failovers {
			if f.Restore != nil {
				s.Recoveries = append(s.Recoveries, newRecovery(i, f, m.Failovers[j]))
				continue
			}
			fo := Failover{
				Replication:   i,
				Cause:         f.Cause,
				Recovery:      recovery(f),
				StartS:        at(f.Start),
				DetectedS:     at(f.Detected),
				PromotedS:     at(f.Promoted),
				EndS:          at(f.Accepting),
				DurationS:     seconds(m.Failovers[j].Duration),
				ClientOutageS: seconds(m.Failovers[j].ClientOutage),
				LostWrites:    f.LostWrites,
			}
			if fo.DurationS.Valid() {
				engine = append(engine, float64(fo.DurationS))
			}
			if fo.ClientOutageS.Valid() {
				clients = append(clients, float64(fo.ClientOutageS))
			}
			s.Failovers = append(s.Failovers, fo)
		}
		s.LostWrites += m.LostWrites
	}

	if len(avail) > 0 {
		m, lo, hi := meanCI95(avail)
		s.Availability = fraction(m)
		s.AvailabilityCI95 = [2]scenarios.Number{fraction(max(lo, 0)), fraction(min(hi, 1))}
	}
	s.LatencyMS = LatencyGroup{Read: latencyStats(read), Write: latencyStats(write), All: latencyStats(all)}
	for name, l := range lags {
		s.ReplicaLagMS[name] = LagStats{P50: ms(l.Quantile(0.5)), P99: ms(l.Quantile(0.99)), Max: ms(l.Max())}
	}
	for name, l := range loads {
		if l.Utilization.N == 0 {
			continue
		}
		s.Utilization[name] = UtilizationStats{Mean: fraction3(l.Utilization.Mean()),
			P99: fraction3(l.Utilization.Quantile(0.99)), Max: fraction3(l.Utilization.Max)}
		s.Connections[name] = ConnectionStats{Max: int64(l.Connections.Max), Limit: int64(l.Limit.Max)}
		s.Queued[name] = QueueStats{Mean: sig(l.Queued.Mean()), Max: sig(l.Queued.Max)}
	}
	if x := s.Stream; x != nil {
		x.GBSeconds = sig(x.gbs)
		// The samples are milliseconds recorded as microseconds
		// (scenarios.StreamStats).
		age := func(d time.Duration) scenarios.Number { return sig(float64(d) / float64(time.Microsecond)) }
		x.IteratorAgeMS = LagStats{P50: scenarios.Null, P99: scenarios.Null, Max: scenarios.Null}
		if x.age.Count() > 0 {
			x.IteratorAgeMS = LagStats{P50: age(x.age.Quantile(0.5)), P99: age(x.age.Quantile(0.99)), Max: age(x.age.Max())}
		}
	}
	if x := s.GlobalTable; x != nil {
		lag := func(l *sim.Latency) LagStats {
			if l.Count() == 0 {
				return LagStats{P50: scenarios.Null, P99: scenarios.Null, Max: scenarios.Null}
			}
			return LagStats{P50: ms(l.Quantile(0.5)), P99: ms(l.Quantile(0.99)), Max: ms(l.Max())}
		}
		x.ReplicationLatency = lag(x.lat)
		for i := range x.Pairs {
			x.Pairs[i].ReplicationLatency = lag(x.Pairs[i].lat)
		}
	}
	if c := s.Cache; c != nil {
		c.HitRatio = scenarios.Null
		if n := c.Hits + c.Misses; n > 0 {
			c.HitRatio = fraction3(float64(c.Hits) / float64(n))
		}
	}
	s.FailoverDurationS = interval(engine)
	s.ClientOutageS = interval(clients)
	if res.Scenario != nil {
		c := prices.MeanMonthlyCost(res.Scenario, res.Replications)
		s.CostMonthly = &c
	}
	return s
}

// WriteJSON writes s as indented JSON with a trailing newline.
func WriteJSON(w io.Writer, s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

func merge(dst, src *sim.Latency) {
	if src != nil && src.Count() > 0 {
		dst.Merge(src)
	}
}

// at converts a simulated time to seconds; -1 (never) becomes null.
func at(t sim.Time) scenarios.Number {
	if t < 0 {
		return scenarios.Null
	}
	return seconds(t.Seconds())
}

// span is end-start in seconds, null when either never came.
func span(start, end sim.Time) scenarios.Number {
	if start < 0 || end < 0 {
		return scenarios.Null
	}
	return seconds(end.Sub(start).Seconds())
}

func ms(d time.Duration) scenarios.Number { return sig(float64(d) / float64(time.Millisecond)) }

// latencyStats summarizes l. Quantiles are capped at the exact maximum, as
// everywhere (scenarios.QuantileMS).
func latencyStats(l *sim.Latency) LatencyStats {
	n := l.Count()
	if n == 0 {
		return LatencyStats{Mean: scenarios.Null, P50: scenarios.Null, P90: scenarios.Null, P99: scenarios.Null, P999: scenarios.Null, Max: scenarios.Null}
	}
	q := func(p float64) scenarios.Number { return sig(scenarios.QuantileMS(l, p)) }
	return LatencyStats{
		Count: n,
		Mean:  ms(l.Mean()),
		P50:   q(0.50),
		P90:   q(0.90),
		P99:   q(0.99),
		P999:  q(0.999),
		Max:   ms(l.Max()),
	}
}

// interval is the mean of xs (seconds) with its 95% interval; nil for none.
// The spans it summarizes (failover durations, client outages) cannot be
// negative, so the interval's lower end is clamped at 0: with few
// replications of a skewed span the symmetric Student-t interval reaches
// below it.
func interval(xs []float64) *Interval {
	if len(xs) == 0 {
		return nil
	}
	m, lo, hi := meanCI95(xs)
	return &Interval{Mean: seconds(m), CI95: [2]scenarios.Number{seconds(max(lo, 0)), seconds(hi)}}
}

// meanCI95 is sim.MeanCI95: the mean and its Student-t 95% interval.
var meanCI95 = sim.MeanCI95

// creditStats summarizes one role's credit record of replication i.
func creditStats(i int, c cluster.CreditRecord) CreditStats {
	spent, earned := c.Window()
	baseline := 1.0
	if c.VCPUs > 0 {
		baseline = c.EarnPerHour / 60 / float64(c.VCPUs)
	}
	return CreditStats{Replication: i, Instance: c.Name, Class: c.Class, Mode: c.Mode.String(), VCPUs: c.VCPUs,
		EarnedPerHour: credits(c.EarnPerHour), Baseline: fraction3(baseline), Limit: credits(c.Limit),
		Start: credits(c.Start), Min: credits(c.Min), End: credits(c.End),
		ExhaustedAtS: at(c.ExhaustedAt), ExhaustedS: seconds(c.Exhausted.Seconds()),
		Surplus: credits(c.Surplus), SurplusMax: credits(c.SurplusMax), SurplusCharged: credits(c.Charged),
		Spent: credits(spent), Earned: credits(earned)}
}

// credits rounds a number of CPU credits to a thousandth.
func credits(v float64) scenarios.Number { return scenarios.Number(roundDec(v, 3)) }

// recovery is how the writer came back from f: "failover",
// "replacement", or "restart" (an engine crash, restarted in place).
func recovery(f scenarios.Failover) string {
	if f.Replaced {
		return "replacement"
	}
	if f.Cause == cluster.EngineCrash {
		return "restart"
	}
	return "failover"
}
