package scenarios

import (
	"fmt"
	"math"
	"slices"
	"time"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/sim"
)

// recorder is the clients' observer: it counts outcomes and records
// latencies after the warmup, keeps the time series of the whole run, and
// notes when each client instance's writes succeed again after a failover.
type recorder struct {
	k         *sim.Kernel
	log       *cluster.Log
	warmup    sim.Time
	end       sim.Time // the end of the run
	instances int
	// remote are the workloads whose clients are in another Region (a
	// global table's replica): their successes say nothing of the
	// table's failovers.
	remote []int16
	writes bool // the workload writes: recovery is judged on writes

	req   Requests
	lat   Latencies
	stale int64

	gauges    []gauge
	rejecting bool // a client process has rejected a request (said once)
	loads     []*EngineLoad

	// done[w], when set, is also told of workload w's requests that
	// succeeded (a DynamoDB workload resubmitting unprocessed items).
	done map[int16]func(*client.Request)

	series                           *sim.Series
	okCol, failCol, thrCol, retryCol int
	opCols                           [2][2]int // [read, write][ok, failed]
	// thrOpCols count throttled attempts by operation [read, write],
	// for DynamoDB's ReadThrottleEvents and WriteThrottleEvents in
	// cloudwatch.json; nil for other systems.
	thrOpCols        []int
	all, read, write *sim.LatencySeries
	// staleCol counts the successful reads that were stale, by arrival.
	staleCol int

	// open are the failovers (and recoveries) whose clients have not all
	// had a success since the new writer accepted writes: several at once
	// when one begins before another's clients are back. scanned counts
	// the log's failovers already in open or done.
	open      []*watch
	scanned   int
	clientsOK map[*cluster.Failover]sim.Time
	// iteratorAge holds the iterator age gauge's samples in the measured
	// window (a DynamoDB stream); nil without one.
	iteratorAge *sim.Latency
}

// watch follows one failover's clients: recovered[i] is set when
// instance i had a success after its new writer accepted writes.
type watch struct {
	f         *cluster.Failover
	recovered []bool
	left      int
}

func newRecorder(s *Scenario, k *sim.Kernel, log *cluster.Log) *recorder {
	series := sim.NewSeries(s.Bucket.D())
	r := &recorder{k: k, log: log, warmup: sim.At(s.Warmup.D()), end: sim.At(s.Duration.D()), series: series,
		lat:       Latencies{Read: sim.NewLatency(), Write: sim.NewLatency(), All: sim.NewLatency()},
		okCol:     series.Column(ColumnOK),
		failCol:   series.Column(ColumnFailed),
		thrCol:    series.Column(ColumnThrottled),
		retryCol:  series.Column(ColumnRetried),
		staleCol:  series.Column(ColumnStaleReads),
		clientsOK: map[*cluster.Failover]sim.Time{},
	}
	r.opCols = [2][2]int{
		{series.Column(ColumnReadOK), series.Column(ColumnReadFailed)},
		{series.Column(ColumnWriteOK), series.Column(ColumnWriteFailed)},
	}
	if s.System.Kind == "dynamodb" {
		r.thrOpCols = []int{series.Column(ColumnReadThrottled), series.Column(ColumnWriteThrottled)}
	}
	r.all = sim.NewLatencySeries(series, AllRequests)
	r.read = sim.NewLatencySeries(series, Reads)
	r.write = sim.NewLatencySeries(series, Writes)
	for _, w := range s.Workload {
		if w.Mix.Write > 0 {
			r.writes = true
		}
	}
	return r
}

// Failed implements client.Observer.
func (r *recorder) Failed(q *client.Request, s cluster.Status, retry bool) {
	now := r.k.Now()
	if s == cluster.Throttled {
		r.series.Add(now, r.thrCol, 1)
		if r.thrOpCols != nil {
			r.series.Add(now, r.thrOpCols[q.Op], 1)
		}
	}
	if retry {
		r.series.Add(now, r.retryCol, 1)
	}
	if q.Arrived < r.warmup {
		return
	}
	if s == cluster.Throttled {
		r.req.Throttled++
	}
	if retry {
		r.req.Retried++
	}
}

// Done implements client.Observer. A success and a failure take separate
// paths, each testing only what can happen on it (a rejection is a
// failure; a success may be stale, note a client's recovery or be resubmitted
// on). The checks before the rare calls are inline: most runs have no
// resubmitting workload (done is nil) and, between failovers, no watch
// to update.
func (r *recorder) Done(q *client.Request) {
	// Outcomes count in the bucket of the request's arrival: "of the
	// requests that arrived then, how many succeeded", so an outage shows
	// from its first second, not once the timeouts and retries run out.
	if q.Status != cluster.OK {
		r.series.AddEach(q.Arrived, 1, r.opCols[q.Op][1], r.failCol)
		if q.Status == cluster.Rejected && !r.rejecting {
			r.rejecting = true
			r.log.Addf("client instance %d holds clients.max_in_flight requests: it rejects new ones until some end", q.Instance+1)
		}
		if q.Arrived < r.warmup {
			return
		}
		r.req.Total++
		r.req.Failed++
		if q.Status == cluster.Rejected {
			r.req.Rejected++
		}
		return
	}
	if r.done != nil {
		if f := r.done[q.Workload]; f != nil {
			f(q)
		}
	}
	now := r.k.Now()
	d := now.Sub(q.Arrived)
	if q.Stale {
		r.series.AddEach(q.Arrived, 1, r.opCols[q.Op][0], r.okCol, r.staleCol)
	} else {
		r.series.AddEach(q.Arrived, 1, r.opCols[q.Op][0], r.okCol)
	}
	r.all.Record(now, d)
	write := q.Op == cluster.Write
	if write {
		r.write.Record(now, d)
	} else {
		r.read.Record(now, d)
	}
	// noteSuccess has nothing to do unless a failover is watched or new.
	if (len(r.open) > 0 || r.scanned < len(r.log.Failovers)) &&
		(write || !r.writes) && !slices.Contains(r.remote, q.Workload) {
		r.noteSuccess(q.Instance)
	}
	if q.Arrived < r.warmup {
		return
	}
	r.req.Total++
	r.req.OK++
	if q.Stale {
		r.stale++
	}
	if write { // All is Read and Write merged, in finish
		r.lat.Write.Record(d)
	} else {
		r.lat.Read.Record(d)
	}
}

// noteSuccess tracks, for every failover whose new writer accepts writes
// and whose clients are not all back, which client instances have
// succeeded since.
func (r *recorder) noteSuccess(instance int) {
	for ; r.scanned < len(r.log.Failovers); r.scanned++ {
		r.open = append(r.open, &watch{f: r.log.Failovers[r.scanned], recovered: make([]bool, r.instances), left: r.instances})
	}
	now := r.k.Now()
	kept := r.open[:0]
	for _, w := range r.open {
		f := w.f
		if f.Accepting == cluster.Never || now < f.Accepting || w.recovered[instance] {
			kept = append(kept, w)
			continue
		}
		w.recovered[instance] = true
		w.left--
		if w.left > 0 {
			kept = append(kept, w)
			continue
		}
		r.clientsOK[f] = now
		r.log.Addf("every client instance's writes succeed again (%.1f s after the failure)", now.Sub(f.Start).Seconds())
	}
	clear(r.open[len(kept):])
	r.open = kept
}

// gauge is a model's gauge and where its samples go.
type gauge struct {
	cluster.Gauge
	col     int
	lag     *sim.Latency // for metric.Lag gauges
	dist    *sim.Latency // for the metric.IteratorAge gauge: its samples in the measured window
	samples *Samples     // for an instance's load gauges
	// For metric.Lag gauges, whose samples may be missing (NaN): the
	// bucket being filled, and the sum and count of its samples.
	bucket   sim.Time
	sum      float64
	nSamples float64 // samples, or events (Gauge.Events)
}

// watch samples the model's gauges every second (or every bucket, if
// buckets are shorter) into the series, as the mean over each bucket.
func (r *recorder) watch(g cluster.Gauged) {
	for _, x := range g.Gauges() {
		gg := gauge{Gauge: x}
		if x.ID.Kind == metric.Lag || x.ID.Kind == metric.ReplicationLatency {
			// A bucket where the replica never replicated is empty.
			gg.col = r.series.ColumnFill(x.ID.Column(), math.NaN())
			gg.lag = sim.NewLatency()
		} else {
			gg.col = r.series.Column(x.ID.Column())
		}
		if x.ID == metric.Of(metric.IteratorAge) {
			gg.dist = sim.NewLatency()
			r.iteratorAge = gg.dist
		}
		gg.samples = r.loadSamples(x.ID)
		r.gauges = append(r.gauges, gg)
	}
	if len(r.gauges) == 0 {
		return
	}
	every := min(time.Second, r.series.Bucket())
	weight := float64(every) / float64(r.series.Bucket())
	var tick func()
	tick = func() {
		now := r.k.Now()
		if now >= r.end {
			return // a sample at the very end would open a row past the run's last
		}
		for i := range r.gauges {
			g := &r.gauges[i]
			v := g.Sample()
			if g.lag == nil {
				r.series.Add(now, g.col, v*weight)
				if g.samples != nil && now >= r.warmup {
					g.samples.Add(v)
				}
				if g.dist != nil && now >= r.warmup {
					// Milliseconds recorded as microseconds: see StreamStats.
					g.dist.Record(time.Duration(v * float64(time.Microsecond)))
				}
				continue
			}
			if math.IsNaN(v) {
				continue // no value now: the bucket's mean is of the samples it has
			}
			if b := now / sim.Time(r.series.Bucket()); g.nSamples == 0 || b != g.bucket {
				g.bucket, g.sum, g.nSamples = b, 0, 0
			}
			w := 1.0 // a bucket's mean is over its samples, or its events
			if g.Events != nil {
				w = g.Events()
			}
			g.sum += v * w
			g.nSamples += w
			r.series.Set(now, g.col, g.sum/g.nSamples)
			if now >= r.warmup {
				g.lag.Record(time.Duration(v * float64(time.Millisecond)))
			}
		}
		r.k.After(every, tick)
	}
	r.k.After(0, tick)
}

// loadSamples is where the samples of an instance's load gauge go; nil
// for gauges of other kinds.
func (r *recorder) loadSamples(id metric.ID) *Samples {
	switch id.Kind {
	case metric.Utilization, metric.Connections, metric.Queued, metric.MaxConnections:
	default:
		return nil
	}
	name := id.Instance
	var l *EngineLoad
	for _, x := range r.loads {
		if x.Name == name {
			l = x
		}
	}
	get := func() *EngineLoad {
		if l == nil {
			l = NewEngineLoad(name)
			r.loads = append(r.loads, l)
		}
		return l
	}
	switch id.Kind {
	case metric.Utilization:
		return &get().Utilization
	case metric.Connections:
		return &get().Connections
	case metric.Queued:
		return &get().Queued
	default:
		return &get().Limit
	}
}

func (r *recorder) finish(index int, seed uint64, faults *[]FaultWindow) *Replication {
	r.all.Flush()
	r.read.Flush()
	r.write.Flush()
	end := r.k.Now()
	r.series.Extend(end - 1)
	// One histogram record a request fewer: the merge is exact (the same
	// buckets, and sums of whole nanoseconds).
	r.lat.All.Merge(r.lat.Read)
	r.lat.All.Merge(r.lat.Write)
	rep := &Replication{
		Index: index, Seed: seed,
		SimulatedSeconds: (end - r.warmup).Seconds(),
		Requests:         r.req,
		StaleReads:       r.stale,
		Latency:          r.lat,
		Series:           r.series,
	}
	for _, f := range r.log.Failovers {
		clients, ok := r.clientsOK[f]
		if !ok {
			clients = cluster.Never
		}
		rep.Failovers = append(rep.Failovers, Failover{Cause: f.Cause, Start: f.Start, Detected: f.Detected,
			Promoted: f.Promoted, Accepting: f.Accepting, ClientsRecovered: clients, LostWrites: f.LostWrites,
			ByPromotion: f.ByPromotion, Replaced: f.Replaced, Restore: f.Restore})
	}
	for _, g := range r.gauges {
		rep.Gauges = append(rep.Gauges, g.ID)
		if g.lag != nil && g.ID.Kind == metric.Lag {
			rep.Lag = append(rep.Lag, NamedLatency{Name: g.ID.Instance, Dist: g.lag})
		}
	}
	rep.Loads = r.loads
	for _, s := range r.log.Saturations {
		end := s.End
		if end == cluster.Never {
			end = r.k.Now()
		}
		rep.Saturations = append(rep.Saturations, Saturation{Name: s.Name, Start: s.Start, End: end,
			PeakUtilization: s.PeakUtilization, PeakConns: s.PeakConns, MaxConns: s.MaxConns, VCPUs: s.VCPUs})
	}
	rep.Events = append(rep.Events, r.log.Events...)
	if n := r.log.Dropped; n > 0 {
		rep.Events = append(rep.Events, cluster.Event{At: end, Text: fmt.Sprintf("… and %d more events, not kept (a narrative keeps its first %d)", n, cluster.MaxEvents)})
	}
	for _, w := range *faults {
		if w.End == cluster.Never {
			w.End = end // still active when the run ended
		}
		rep.Faults = append(rep.Faults, w)
	}
	return rep
}
