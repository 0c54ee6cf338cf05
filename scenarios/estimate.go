package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Estimate is the work a scenario asks for, worked out from its text alone
// before anything runs: a valid scenario can still ask for more than a
// machine has (a rate of 1e9/s, a fault every nanosecond, ten years of
// traffic). The figures are orders of magnitude, calibrated on the bundled
// scenarios (see the constants below), meant to refuse the absurd, not to
// predict a run to the second.
type Estimate struct {
	// Requests is the number of simulated requests over all replications:
	// each workload's rate integrated over the duration, following its
	// rate changes.
	Requests float64
	// Attempts bounds the attempts those requests can make: Requests times
	// the retry policy's max_attempts.
	Attempts float64
	// FaultEvents is the number of events of random fault processes: each
	// process fails and recovers duration/(mttf+mttr) times on average.
	FaultEvents float64
	// Events is the number of kernel events: Requests times the events a
	// request costs on its system kind (eventsPerAttempt), plus
	// FaultEvents.
	Events float64
	// Wall is the time the run takes on this machine, about: Events at
	// eventsPerSecond on each of the workers that run replications at once.
	Wall time.Duration
	// PeakBytes is the peak memory (RSS) of the run, about: the requests
	// in flight (the peak rate times how long a request can live: its
	// timeout on every attempt plus the backoffs between them), the
	// time-series buckets and a fixed cost per replication, times the
	// replications running at once.
	PeakBytes float64
}

// Calibration, measured with the dbsim binary (GOGC=400, as main sets it)
// on this project's 2-core machine, Go 1.26: kernel events from
// Progress.Events, requests from summary.json, peak RSS from
// /usr/bin/time -v. The byte figures are RSS, so they include the garbage
// a GC target of 400% lets accumulate.
const (
	// eventsPerSecond is a conservative rate of kernel events on one core:
	// the bundled scenarios fire 4.5–16 million events/s per core, an
	// overloaded run (20,000/s against one db.r6g.large, every request
	// timing out) about 3 million.
	eventsPerSecond = 3e6
	// bytesPerInFlight is the peak RSS per request in flight: overloaded
	// runs of 30 s against one RDS instance at 20,000/s and 50,000/s, where
	// nearly every request lives its whole lifetime (8.15 s: connect
	// timeout, three timeouts, two backoffs), peaked at 475 MB and 1.07 GB,
	// 2.9 and 2.7 KB per request in flight.
	bytesPerInFlight = 3 << 10
	// bytesPerBucket is the RSS of one time-series row of a replication:
	// 10 minutes at 1000/s with 100 ms buckets (6000 rows) peaked 2.5 MB
	// above 60 s buckets (10 rows), 420 B a row; rounded up.
	bytesPerBucket = 1 << 10
	// bytesPerReplication is what a replication holds whatever its load
	// (model, recorders, kernel): rds-multi-az-failover's three
	// replications on two cores peaked at 47 MB, one idle run at 12 MB.
	bytesPerReplication = 16 << 20
	// bytesBase is the process before any replication runs.
	bytesBase = 12 << 20
)

// eventsPerAttempt is the number of kernel events one request costs on a
// system kind, measured on the bundled scenarios as kernel events fired
// divided by requests: RDS 4.5 (rds-multi-az-failover) to 5.5
// (multi-az-cluster-failover); Aurora 4.3 to 4.6 (order-processing-aurora);
// DynamoDB 3.0 (dynamodb-eventual-reads) to 4.1 (dynamodb-hot-partition),
// 12.9 per request but 3.2 per attempt in dynamodb-retry-storm. Each
// figure is the largest measured per request without a retry storm,
// rounded up; retries beyond that are what Estimate.Attempts bounds.
func eventsPerAttempt(kind string) float64 {
	switch kind {
	case "rds":
		return 6
	case "aurora":
		return 5
	case "dynamodb":
		return 4.5
	}
	return 6
}

// fluidEventsPerStep is what a fluid step costs in kernel events'
// worth of time: the step itself, the gauges sampled every second and the
// control loops: BenchmarkFluidTwoWeeks took 2.7 s for 1.2 M steps on one
// idle core (8.5 s on a busy machine), 7 to 21 events' worth a step;
// rounded up, as partitions and retries add to a step.
const fluidEventsPerStep = 30

// FluidEstimate is the estimate of s run in fluid mode, and whether s can
// run so (FluidAllowed): what dbsim run proposes when s is too big per
// request.
func FluidEstimate(s *Scenario, workers int) (Estimate, bool) {
	if s.Mode == ModeFluid || FluidAllowed(s) != nil {
		return Estimate{}, false
	}
	f := *s
	f.Mode = ModeFluid
	return EstimateOf(&f, workers), true
}

// Limits are the largest runs dbsim starts without being told to insist.
type Limits struct {
	// Events bounds Estimate.Events.
	Events float64
	// PeakBytes bounds Estimate.PeakBytes.
	PeakBytes float64
	// FaultShare bounds FaultEvents / (Requests + 1): a fault process that
	// fires more often than requests arrive is almost certainly a typo in
	// its mttf (1ns for 1h).
	FaultShare float64
}

// DefaultLimits are the limits of dbsim run, compare and sweep: 2e10
// events are about two hours of one core, 4 GB of heap is what a laptop
// can spare.
var DefaultLimits = Limits{Events: 2e10, PeakBytes: 4 << 30, FaultShare: 1}

// EstimateOf estimates the work of s (a validated scenario) when workers
// replications run at once (0: one).
func EstimateOf(s *Scenario, workers int) Estimate {
	var e Estimate
	d := s.Duration.D().Seconds()
	reps := float64(max(1, s.Replications))
	attempts := float64(max(1, s.Clients.Retry.MaxAttempts))
	for i := range s.Workload {
		e.Requests += requestsOf(&s.Workload[i], d) * reps
	}
	e.Attempts = e.Requests * attempts
	for i := range s.Faults {
		e.FaultEvents += faultEvents(s, &s.Faults[i], d) * reps
	}
	e.Events = e.Requests*eventsPerAttempt(s.System.Kind) + e.FaultEvents
	if s.Mode == ModeFluid {
		// Steps, not requests: each costs about fluidEventsPerStep.
		e.Events = d/fluidStep.Seconds()*fluidEventsPerStep*reps + e.FaultEvents
	}

	parallel := float64(max(1, min(workers, s.Replications)))
	e.Wall = time.Duration(min(e.Events/eventsPerSecond/parallel, 9e9) * 1e9) // at most ~285 years

	// A workload has at most its peak rate times a request's lifetime in
	// flight, and never more than it sends (a burst of 10 ms); the client
	// processes hold at most max_in_flight each.
	life := RequestLifetime(s).Seconds()
	inFlight := 0.0
	for i := range s.Workload {
		if s.Mode == ModeFluid {
			break // flows, not requests in flight
		}
		w := &s.Workload[i]
		inFlight += min(peakRateOf(w)*life, requestsOf(w, d))
	}
	if c := s.Clients; c.MaxInFlight > 0 {
		inFlight = min(inFlight, float64(c.Instances*c.MaxInFlight))
	}
	buckets := 0.0
	if s.Bucket > 0 {
		buckets = d / s.Bucket.D().Seconds()
	}
	perRep := inFlight*bytesPerInFlight + buckets*bytesPerBucket + bytesPerReplication
	e.PeakBytes = bytesBase + parallel*perRep
	return e
}

// requestsOf is the number of requests w sends in d seconds: its rate
// integrated over time, rate changes included.
func requestsOf(w *Workload, d float64) float64 {
	if t := w.Arrival.Trace; t != nil {
		n, per := 0.0, t.Period().Seconds()
		for i, r := range t.Rates {
			n += r * max(0, min(per, d-float64(i)*per))
		}
		return n
	}
	n, rate, from := 0.0, float64(w.Arrival.Rate), 0.0
	for _, c := range w.RateChanges {
		at := min(c.At.D().Seconds(), d)
		n += rate * (at - from)
		rate, from = float64(c.Rate), at
	}
	return n + rate*max(0, d-from)
}

// peakRate is the highest total arrival rate of s's workloads at any time
// (an upper bound: the sum of each workload's highest rate).
func (s *Scenario) peakRate() float64 {
	total := 0.0
	for i := range s.Workload {
		total += peakRateOf(&s.Workload[i])
	}
	return total
}

// peakRateOf is w's highest arrival rate.
func peakRateOf(w *Workload) float64 {
	r := float64(w.Arrival.Rate)
	for _, c := range w.RateChanges {
		r = max(r, float64(c.Rate))
	}
	if t := w.Arrival.Trace; t != nil {
		r = slices.Max(t.Rates)
	}
	return r * max(1, w.Arrival.Burstiness.PeakToMean)
}

// RequestLifetime bounds how long a request of s stays in flight: on
// every attempt its wait for a connection and its statement's timeout,
// plus the backoffs between attempts.
func RequestLifetime(s *Scenario) time.Duration {
	c := s.Clients
	attempts := max(1, c.Retry.MaxAttempts)
	life := time.Duration(attempts) * (max(c.PoolTimeout, c.ConnectTimeout).D() + c.Timeout.D())
	for a := 1; a < attempts; a++ {
		backoff := c.Retry.Base.D() << min(a-1, 30)
		if c.Retry.Cap > 0 {
			backoff = min(backoff, c.Retry.Cap.D())
		}
		life += backoff
	}
	return life
}

// faultEvents is the number of events a random fault process fires over
// d seconds: each cycle of failure (mean mttf) and repair (mean mttr)
// costs about three events; Aurora's storage-node-failures runs one such
// process per storage node. Scheduled faults cost nothing worth counting.
func faultEvents(s *Scenario, f *Fault, d float64) float64 {
	if f.Scheduled || f.MTTF <= 0 {
		return 0
	}
	cycle := (f.MTTF + f.MTTR).D().Seconds()
	n := 3 * d / cycle
	if f.Kind == "storage-node-failures" && s.System.Aurora != nil {
		n *= float64(storageNodes(s.System.Aurora))
	}
	return n
}

// storageNodes is about how many storage nodes an Aurora volume has: a
// node per segment (6 per protection group of segment_size) unless
// nodes_per_az says otherwise.
func storageNodes(a *AuroraSystem) int64 {
	if a.Storage.NodesPerAZ > 0 {
		return int64(a.Storage.NodesPerAZ) * 3
	}
	seg := max(int64(a.Storage.SegmentSize), 10<<30)
	return 6 * max(1, int64(a.Volume.Size)/seg)
}

// Over lists the limits e exceeds, in words ("4.1e11 events over 2e10");
// none when the run is within them.
func (e Estimate) Over(l Limits) []string {
	var over []string
	if l.Events > 0 && e.Events > l.Events {
		over = append(over, fmt.Sprintf("%s events over %s", sci(e.Events), sci(l.Events)))
	}
	if l.PeakBytes > 0 && e.PeakBytes > l.PeakBytes {
		over = append(over, fmt.Sprintf("%s peak memory over %s", bytesOf(e.PeakBytes), bytesOf(l.PeakBytes)))
	}
	if l.FaultShare > 0 && e.FaultEvents > l.FaultShare*(e.Requests+1) {
		over = append(over, fmt.Sprintf("%s fault events for %s requests (an mttf far too short?)", sci(e.FaultEvents), sci(e.Requests)))
	}
	return over
}

// String is the estimate in one line: "~1.2e+12 simulated requests
// (~3.6e+12 events, ~40 h, ~11 GB peak)".
func (e Estimate) String() string {
	s := fmt.Sprintf("~%s simulated requests (up to %s attempts; ~%s events", sci(e.Requests), sci(e.Attempts), sci(e.Events))
	if e.FaultEvents > 0 {
		s += fmt.Sprintf(" of which %s from fault processes", sci(e.FaultEvents))
	}
	return s + fmt.Sprintf(", ~%s, ~%s peak)", wall(e.Wall), bytesOf(e.PeakBytes))
}

// sci writes a count briefly: 1200 as 1200, 3.6e12 as 3.6e12.
func sci(x float64) string {
	if x < 1e5 {
		return fmt.Sprintf("%.0f", x)
	}
	m := fmt.Sprintf("%.1e", x)
	return strings.Replace(strings.Replace(m, "e+0", "e", 1), "e+", "e", 1)
}

// bytesOf writes a byte count in MB, GB or TB (of 1024).
func bytesOf(b float64) string {
	if b >= 1<<40 {
		return fmt.Sprintf("%.1f TB", b/(1<<40))
	}
	if b >= 1<<30 {
		return fmt.Sprintf("%.1f GB", b/(1<<30))
	}
	return fmt.Sprintf("%.0f MB", b/(1<<20))
}

// WallString writes a span of wall time roughly, as the estimate does.
func WallString(d time.Duration) string { return wall(d) }

// wall writes a span of wall time roughly: 0.4 s, 12 min, 40 h, 3 years.
func wall(d time.Duration) string {
	switch h := d.Hours(); {
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%.0f min", d.Minutes())
	case h < 24*365:
		return fmt.Sprintf("%.0f h", h)
	default:
		return fmt.Sprintf("%.0f years", h/24/365)
	}
}
