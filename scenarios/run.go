package scenarios

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/models/dynamodb"
	"dbsim/sim"
)

// Options adjust a run without editing its scenario.
type Options struct {
	// Workers bounds the replications that run at once (0: GOMAXPROCS).
	Workers int
	// Context, when cancelled, stops the run between two slices of
	// simulated time (see sliceOf); Run then returns an *Interrupted. Nil
	// never stops.
	Context context.Context
	// Progress, if not nil, is updated as the replications run.
	Progress *Progress
}

// Run simulates every replication of s, in parallel, each on its own
// kernel. The result does not depend on the number of workers, nor on
// opt's Context and Progress unless the run is interrupted. A panic in a
// replication is returned as a *PanicError.
func Run(s *Scenario, opt Options) (*Result, error) {
	res := &Result{Scenario: s, Replications: make([]*Replication, s.Replications)}
	jobs := make([]Job, s.Replications)
	for i := range jobs {
		jobs[i] = Job{Scenario: s, Replication: i}
	}
	err := RunJobs(jobs, opt, func(k int, rep *Replication) { res.Replications[k] = rep })
	if je := (*JobError)(nil); errors.As(err, &je) {
		return nil, je.Err
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Job is one replication of one scenario.
type Job struct {
	Scenario    *Scenario
	Replication int
}

// JobError is the first job that failed (an interruption aside).
type JobError struct {
	Job int // its index in the jobs
	Err error
}

func (e *JobError) Error() string { return e.Err.Error() }
func (e *JobError) Unwrap() error { return e.Err }

// RunJobs runs the jobs on up to opt.Workers goroutines (0: GOMAXPROCS),
// each replication on its own kernel, so the results do not depend on the
// number of workers; it is the one worker pool of runs, compares and
// sweeps. done, when set, is called with each job that succeeded, one call
// at a time, as the jobs finish. It returns the first job that failed as a
// *JobError, or else, when opt.Context stopped some, an *Interrupted that
// counts the jobs finished.
func RunJobs(jobs []Job, opt Options, done func(k int, rep *Replication)) error {
	return RunJobSeq(slices.Values(jobs), len(jobs), opt, done)
}

// RunJobSeq is RunJobs over jobs taken from a sequence of n jobs as
// workers free up, so a caller that builds each job as it is asked for
// holds only the jobs in flight (a sweep of many points). k counts the jobs
// in the sequence's order. Once opt.Context is cancelled no further job is
// taken.
func RunJobSeq(jobs iter.Seq[Job], n int, opt Options, done func(k int, rep *Replication)) error {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type task struct {
		k   int
		job Job
	}
	var (
		mu       sync.Mutex
		failed   *JobError // the failed job of the lowest k
		stopped  *Interrupted
		finished int
		of       time.Duration // the duration of the last job taken
	)
	next := make(chan task)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				rep, err := RunReplicationWith(t.job.Scenario, t.job.Replication, opt)
				mu.Lock()
				var in *Interrupted
				switch {
				case errors.As(err, &in):
					if stopped == nil || in.At > stopped.At {
						stopped = in
					}
				case err != nil:
					if failed == nil || t.k < failed.Job {
						failed = &JobError{Job: t.k, Err: err}
					}
				default:
					finished++
					if done != nil {
						done(t.k, rep)
					}
				}
				mu.Unlock()
			}
		}()
	}
	k := 0
	for job := range jobs {
		if opt.Context != nil && opt.Context.Err() != nil {
			break
		}
		of = job.Scenario.Duration.D()
		next <- task{k, job}
		k++
	}
	close(next)
	wg.Wait()
	if failed != nil {
		return failed
	}
	if stopped == nil && k < n && opt.Context != nil && opt.Context.Err() != nil {
		// Cancelled between two jobs: none of those taken saw it.
		stopped = &Interrupted{Of: of, Cause: context.Cause(opt.Context)}
	}
	if stopped != nil {
		stopped.Replications, stopped.Finished = n, finished
		return stopped
	}
	return nil
}

// ReplicationSeed is the seed of replication i of a scenario with the given
// seed. Replication 0 uses the scenario's seed itself, so that two
// scenarios with one seed see the same arrivals (common random numbers).
func ReplicationSeed(seed uint64, i int) uint64 {
	if i == 0 {
		return seed
	}
	return sim.NewStream(seed, fmt.Sprintf("replication/%d", i)).Uint64()
}

// system is a built model as the runner sees it: the endpoints its
// clients resolve, and how the scenario's system-level faults reach it
// (zone outages and partitions act on the topology, which models watch).
type system struct {
	endpoints []*cluster.Record
	model     any // for the optional cluster.Gauged and cluster.Counted
	inject    func(f *Fault, start bool)

	// writer is the writer the cluster's topology names now, for a
	// topology-aware driver (nil for systems without one).
	writer func() *cluster.Host
}

// counterResetter is a model whose counters can start again at the end of
// the warmup (dynamodb.Model).
type counterResetter interface{ ResetCounters() }

// builders build each system kind's model; one entry per kind, in the
// kind's own file (system_rds.go, ...).
var builders = map[string]func(s *Scenario, k *sim.Kernel, net *cluster.Net, log *cluster.Log) (*system, error){
	"rds":      buildRDS,
	"aurora":   buildAurora,
	"dynamodb": buildDynamoDB,
}

// RunReplication simulates replication i of s.
func RunReplication(s *Scenario, i int) (*Replication, error) {
	return RunReplicationWith(s, i, Options{})
}

// RunReplicationWith simulates replication i of s, stopping early if
// opt.Context is cancelled (an *Interrupted) and adding to opt.Progress
// as it goes; opt.Workers does not apply. A panic is returned as a
// *PanicError.
func RunReplicationWith(s *Scenario, i int, opt Options) (rep *Replication, err error) {
	defer recoverReplication(s, i, &err)
	if replicationHook != nil {
		replicationHook(s, i)
	}
	if opt.Context != nil && opt.Context.Err() != nil {
		return nil, &Interrupted{Of: s.Duration.D(), Cause: context.Cause(opt.Context)}
	}
	seed := ReplicationSeed(s.Seed, i)
	k := sim.New(seed)
	if kernelHook != nil {
		kernelHook(k)
	}
	topo := s.Topology.build(k)
	net := cluster.NewNet(topo)
	log := cluster.NewLog(k)

	build, ok := builders[s.System.Kind]
	if !ok {
		return nil, fmt.Errorf("system kind %q is not supported", s.System.Kind)
	}
	sys, err := build(s, k, net, log)
	if err != nil {
		return nil, err
	}
	inject := sys.inject
	if r, ok := sys.model.(counterResetter); ok && s.Warmup > 0 {
		// The model's counters cover the measured window, as the requests do.
		k.At(sim.At(s.Warmup.D()), r.ResetCounters)
	}

	var credits []*cluster.CreditRecord
	if c, ok := sys.model.(cluster.Credited); ok {
		credits = c.CreditRecords()
		if len(credits) > 0 && s.Warmup > 0 {
			k.At(sim.At(s.Warmup.D()), func() {
				for _, r := range credits {
					r.StartWindow()
				}
			})
		}
	}

	rec := newRecorder(s, k, log)
	ccfg, err := s.clientConfig(topo)
	if err != nil {
		return nil, err
	}
	rec.instances = ccfg.Instances
	ccfg.Topology = sys.writer
	if g, ok := sys.model.(cluster.Gauged); ok {
		rec.watch(g)
	}
	var cc *cacheLayer // the cache in front, if any (cache.go)
	for wi := range s.Workload {
		w := &s.Workload[wi]
		if t := w.Arrival.Trace; t != nil {
			log.Addf("workload %s %s; arrivals: %s", w.Name, t.Narrative(), w.ArrivalModel(s.Mode))
		} else if m := w.ArrivalModel(s.Mode); m != "" {
			log.Addf("workload %s arrivals: %s", w.Name, m)
		}
		if w.HotKeysFrom != "" {
			log.Addf("workload %s: hot keys from %s: %s", w.Name, w.HotKeysFrom, insightKeys(w.HotKeys))
		}
	}
	var fluid *fluidRun
	if s.Mode == ModeFluid {
		// Flows instead of clients (fluid.go); validation allows only
		// DynamoDB.
		if fluid, err = startFluid(s, k, sys.model.(*dynamodb.Model), rec, log, ccfg.Retry); err != nil {
			return nil, err
		}
	} else if cc, inject, err = startClients(s, k, net, topo, rec, log, ccfg, sys, inject); err != nil {
		return nil, err
	}
	faults := scheduleFaults(s, k, topo, log, inject)

	end := sim.At(s.Duration.D())
	if err := runSliced(opt.Context, k, end, sliceOf(s), opt.Progress); err != nil {
		return nil, err
	}
	if opt.Progress != nil {
		opt.Progress.finished.Add(1)
	}
	if st, ok := sys.model.(cluster.Settler); ok {
		st.Settle() // e.g. the lost writes of a failover still under way
	}
	if fluid != nil {
		fluid.finish()
	}
	rep = rec.finish(i, seed, faults)
	rep.Fluid = fluid != nil
	if cc != nil {
		cc.finish(rep)
	}
	if a, ok := sys.model.(cluster.Acknowledger); ok {
		rep.UnreplicatedAcks = a.UnreplicatedAcks()
	}
	if c, ok := sys.model.(cluster.Counted); ok {
		rep.Counters = c.Counters()
	}
	if m, ok := sys.model.(*dynamodb.Model); ok {
		if st := m.StreamStats(); st != nil {
			rep.Stream = &StreamStats{StreamStats: *st, IteratorAge: rec.iteratorAge}
		}
		rep.Global = m.GlobalStats()
	}
	for _, r := range credits {
		rep.Credits = append(rep.Credits, *r)
	}
	return rep, nil
}

// startClients starts the client processes, the cache in front if any,
// and the workloads' generators: the per-request mode. It returns the
// cache and the fault injection that reaches it.
func startClients(s *Scenario, k *sim.Kernel, net *cluster.Net, topo *cluster.Topology, rec *recorder, log *cluster.Log,
	ccfg client.Config, sys *system, inject func(*Fault, bool)) (cc *cacheLayer, _ func(*Fault, bool), err error) {
	var obs client.Observer = rec
	if s.Has("cache") {
		if cc, err = newCacheLayer(s, k, topo, rec, log, ccfg.AZ, ccfg.Instances); err != nil {
			return nil, nil, err
		}
		obs = cc
		sysInject := inject
		inject = func(f *Fault, start bool) {
			if strings.HasPrefix(f.Kind, "cache-") {
				cc.inject(f, start)
				return
			}
			sysInject(f, start)
		}
	}
	cl := client.New(k, net, ccfg, sys.endpoints, obs)
	regional := map[string]*client.Client{} // a global table's other writing Regions
	for wi := range s.Workload {
		wcl := cl
		if m, ok := sys.model.(*dynamodb.Model); ok && s.Workload[wi].Region != "" && s.Workload[wi].Region != topo.Region(ccfg.AZ) {
			if wcl, err = regionalClients(k, net, m, ccfg, s.Workload[wi].Region, regional, obs); err != nil {
				return nil, nil, err
			}
			rec.remote = append(rec.remote, int16(wi))
		}
		g, err := startWorkload(k, wcl, &s.Workload[wi], wi, s.System.DynamoDB)
		if err != nil {
			return nil, nil, err
		}
		g.cache = cc
		if s.Workload[wi].Unprocessed == "resubmit" {
			g.retry = ccfg.Retry
			g.resubmits = k.Stream("workload/" + s.Workload[wi].Name + "/resubmit")
			if rec.done == nil {
				rec.done = map[int16]func(*client.Request){}
			}
			rec.done[int16(wi)] = g.resubmit
		}
	}
	return cc, inject, nil
}

// regionalClients are the clients of a global table's replica in region:
// a fleet like the scenario's clients, in the replica's AZ, reaching its
// endpoint (one fleet per Region, in made).
func regionalClients(k *sim.Kernel, net *cluster.Net, m *dynamodb.Model, ccfg client.Config, region string,
	made map[string]*client.Client, obs client.Observer) (*client.Client, error) {
	if cl := made[region]; cl != nil {
		return cl, nil
	}
	ep, az, ok := m.RegionEndpoint(region)
	if !ok {
		return nil, fmt.Errorf("workload region %s: the table has no replica there", region)
	}
	ccfg.AZ, ccfg.Name, ccfg.Topology = az, region, nil
	cl := client.New(k, net, ccfg, []*cluster.Record{ep}, obs)
	made[region] = cl
	return cl, nil
}

// --- workload generators ---

// startWorkload schedules the arrivals of one workload: a Poisson or
// evenly spaced process whose rate steps at each rate change. The rate of
// the process at time t is a pure function of t; arrivals come from the
// workload's own streams, so another component never shifts them. For
// DynamoDB (ddb not nil) each request carries its operation
// (workload_dynamodb.go).
func startWorkload(k *sim.Kernel, cl *client.Client, w *Workload, index int, ddb *DynamoDBSystem) (*generator, error) {
	g := &generator{k: k, cl: cl, w: w, index: int16(index),
		arrivals: k.Stream("workload/" + w.Name + "/arrivals"),
		ops:      k.Stream("workload/" + w.Name + "/ops"),
		keys:     k.Stream("workload/" + w.Name + "/keys"),
		rate:     float64(w.Arrival.Rate), poisson: w.Arrival.Process != "constant"}
	switch w.Keys.Dist {
	case "zipf":
		z, err := sim.NewZipf(uint64(w.Keys.Count), w.Keys.Skew)
		if err != nil {
			return nil, err
		}
		g.zipf = z
	}
	if ddb != nil {
		g.ddb = newDDBOps(w, ddb.Table.GSIs)
	}
	switch w.ReadsFrom {
	case "replicas":
		g.readEP = 1
	case "any":
		g.readEP = -1
	}
	g.fire = arrival
	g.startArrivals()
	return g, nil
}

// startArrivals schedules the rate changes and the first arrival: the
// rate at time t is base(t) × mult(t), base a pure function of t (the
// arrival rate and its changes, or a trace's period), mult the second's
// burstiness multiplier (1 without). Both change at set times; a Poisson
// process drawn afresh at each change is exact (memoryless), so the
// arrivals are a Poisson process with that piecewise constant rate.
func (g *generator) startArrivals() {
	w, k := g.w, g.k
	g.mult = 1
	if b := w.Arrival.Burstiness.PeakToMean; b > 1 && g.poisson {
		g.burst = newBurst(b, k.Stream("workload/"+w.Name+"/burst"))
	}
	if t := w.Arrival.Trace; t != nil {
		g.rate = t.RateAt(0)
		var step func()
		i := 0
		step = func() {
			i++
			g.setRate(t.RateAt(time.Duration(i) * t.Period()))
			if i < len(t.Rates) {
				k.At(sim.At(time.Duration(i+1)*t.Period()), step)
			}
		}
		k.At(sim.At(t.Period()), step)
	}
	for _, c := range w.RateChanges {
		c := c
		k.At(sim.At(c.At.D()), func() { g.setRate(float64(c.Rate)) })
	}
	if g.burst != nil {
		g.mult = g.burst.next()
		var second func()
		second = func() {
			g.mult = g.burst.next()
			g.reschedule()
			k.After(time.Second, second)
		}
		k.After(time.Second, second)
	}
	g.schedule()
}

type generator struct {
	k                   *sim.Kernel
	cl                  *client.Client
	w                   *Workload
	index               int16
	arrivals, ops, keys *rand.Rand
	rate                float64 // the base rate, before mult
	poisson             bool
	// mult is this second's burstiness multiplier, which burst draws
	// (nil: always 1).
	mult  float64
	burst *burst
	zipf  *sim.Zipf
	ddb   *ddbOps     // DynamoDB operations; nil for other systems
	cache *cacheLayer // the cache reads try first; nil without one
	// retry and resubmits pace the resubmission of a DynamoDB batch's
	// unprocessed items (workload_dynamodb.go).
	retry     client.Retry
	resubmits *rand.Rand
	// readEP is the endpoint of a read: 0 the writer (reads_from:
	// primary), 1 the replicas, -1 either, drawn (any); set once, so an
	// arrival compares no strings.
	readEP int
	next   sim.Timer
	fire   func(any) // the arrival event: arrival, called with g
	id     uint64
}

func (g *generator) schedule() {
	r := g.rate * g.mult
	if r <= 0 {
		return
	}
	gap := 1 / r
	if g.poisson {
		gap = g.arrivals.ExpFloat64() / r
	}
	g.next = g.k.AfterArg(sim.Seconds(gap), g.fire, g)
}

// setRate changes the base rate now.
func (g *generator) setRate(r float64) {
	g.rate = r
	g.reschedule()
}

// reschedule draws the next arrival afresh at the rate now. A Poisson
// process is memoryless, so this is exact.
func (g *generator) reschedule() {
	g.k.Cancel(g.next)
	g.schedule()
}

// arrival is a generator's arrival event: it schedules the next arrival,
// then draws this request's operation, endpoint and key and submits it.
// The kernel calls it with the generator as its argument; a func() given
// to After would take one call more per arrival (the kernel's callFunc,
// then the method value), and the body is here rather than in a method
// it calls for the same reason.
func arrival(x any) {
	g := x.(*generator)
	g.schedule()
	op := cluster.Read
	var o *dynamodb.Op
	if u := g.ops.Float64(); g.ddb != nil {
		op, o = g.ddb.pick(u)
	} else if u < g.w.Mix.Write {
		op = cluster.Write
	}
	ep := 0 // the writer endpoint
	if op == cluster.Read {
		if ep = g.readEP; ep < 0 { // reads_from: any
			ep = int(g.ops.Uint64N(2))
		}
	}
	key := g.key()
	var detail any
	if o != nil {
		detail = g.ddb.forKey(o, key) // item collections
	}
	g.submit(op, key, ep, detail)
}

// submit sends a request of the workload to endpoint ep, a cacheable
// read by way of the cache when there is one.
func (g *generator) submit(op cluster.Op, key uint64, ep int, detail any) {
	if g.cache != nil && op == cluster.Read && cacheable(detail) {
		g.cache.read(g, key, ep, detail)
		return
	}
	g.submitSince(op, key, ep, detail, g.k.Now())
}

// submitSince sends a request that arrived at arrived to the database.
func (g *generator) submitSince(op cluster.Op, key uint64, ep int, detail any, arrived sim.Time) {
	g.id++
	r := g.cl.NewRequest()
	r.ID, r.Op, r.Key, r.Size, r.Workload, r.Endpoint, r.Detail = g.id, op, key, int32(g.w.ItemSize), g.index, ep, detail
	g.cl.SubmitSince(r, arrived)
}

func (g *generator) key() uint64 {
	if len(g.w.HotKeys) > 0 {
		if k, ok := g.hotKey(); ok {
			return k
		}
	}
	if g.zipf != nil { // keys.dist: zipf
		return g.zipf.Sample(g.keys)
	}
	n := uint64(g.w.Keys.Count)
	if g.w.Keys.Dist == "hotset" {
		hot := max(1, uint64(float64(n)*g.w.Keys.HotFraction))
		if g.keys.Float64() < g.w.Keys.HotShare || hot >= n {
			return g.keys.Uint64N(hot)
		}
		return hot + g.keys.Uint64N(n-hot)
	}
	return g.keys.Uint64N(n)
}

// --- fault schedules ---

// scheduleFaults plans every fault: one-off faults at their time, random
// processes with exponential times to failure (mean MTTF) and to repair
// (mean MTTR) from their own stream. It returns the windows, filled in as
// the run goes. Faults of one thing stack (the topology counts them): an
// AZ is down while any outage of it lasts, two AZs are apart while any
// partition between them lasts, and the narrative says so when a fault
// ends while another keeps its effect.
func scheduleFaults(s *Scenario, k *sim.Kernel, topo *cluster.Topology, log *cluster.Log, inject func(*Fault, bool)) *[]FaultWindow {
	windows := &[]FaultWindow{}
	for fi := range s.Faults {
		f := &s.Faults[fi]
		// apply starts the fault, or ends the one that started at since.
		apply := func(start bool, since sim.Time) {
			switch f.Kind {
			case "az-outage":
				az, _ := topo.Lookup(f.AZ)
				switch n := topo.Outages(az); {
				case start && n == 0:
					log.Addf("AZ outage: %s down", f.AZ)
				case start:
					log.Addf("AZ outage: %s down (it already was: another outage lasts)", f.AZ)
				case n > 1:
					log.Addf("outage of %s at %s ends; %s stays down (another outage lasts)", f.AZ, clock(time.Duration(since), 0), f.AZ)
				default:
					log.Addf("%s back up", f.AZ)
				}
				topo.SetDown(az, start)
			case "network-partition":
				a, _ := topo.Lookup(f.Between[0])
				b, _ := topo.Lookup(f.Between[1])
				switch n := topo.Partitions(a, b); {
				case start && n == 0:
					log.Addf("network partition between %s and %s", f.Between[0], f.Between[1])
				case start:
					log.Addf("network partition between %s and %s (they already were apart: another partition lasts)", f.Between[0], f.Between[1])
				case n > 1:
					log.Addf("partition between %s and %s at %s heals; they stay apart (another partition lasts)", f.Between[0], f.Between[1], clock(time.Duration(since), 0))
				default:
					log.Addf("partition between %s and %s healed", f.Between[0], f.Between[1])
				}
				topo.SetCut(a, b, start)
			case "region-outage":
				regionOutage(topo, log, f, start)
				inject(f, start)
			default:
				inject(f, start)
			}
		}
		label := faultLabel(f)
		open := func(d time.Duration) {
			start := k.Now()
			apply(true, start)
			w := FaultWindow{Start: start, End: cluster.Never, Label: label}
			if instant[f.Kind] {
				w.End = start // a moment: what follows is the failover's
			}
			idx := len(*windows)
			if idx < maxFaultWindows {
				*windows = append(*windows, w)
			}
			if d > 0 {
				k.After(d, func() {
					apply(false, start)
					if idx < maxFaultWindows {
						(*windows)[idx].End = k.Now()
					}
				})
			}
		}
		if f.Scheduled {
			k.At(sim.At(f.At.D()), func() { open(f.For.D()) })
			continue
		}
		if f.Kind == "storage-node-failures" {
			// Every storage node runs its own failure process in the model.
			k.At(0, func() { inject(f, true) })
			continue
		}
		rng := k.Stream(fmt.Sprintf("faults/%d", fi))
		var next func()
		next = func() {
			repair := sim.Seconds(rng.ExpFloat64() * f.MTTR.D().Seconds())
			open(repair)
			k.After(repair, func() {
				k.After(sim.Seconds(rng.ExpFloat64()*f.MTTF.D().Seconds()), next)
			})
		}
		k.After(sim.Seconds(rng.ExpFloat64()*f.MTTF.D().Seconds()), next)
	}
	return windows
}

// maxFaultWindows bounds the fault windows a run keeps for its plots, as
// cluster.MaxEvents bounds its narrative: a fault process may fire every
// second for a year.
const maxFaultWindows = cluster.MaxEvents

// instant are the fault kinds that happen at a moment; the system's
// reaction (a failover) is recorded separately.
var instant = map[string]bool{"instance-failure": true, "reboot-with-failover": true, "leader-failure": true, "global-switchover": true,
	"cache-flush": true, "cache-node-failure": true, "manual-failover": true, "engine-crash": true,
	"data-loss": true}

func faultLabel(f *Fault) string {
	switch f.Kind {
	case "az-outage":
		return "AZ outage " + f.AZ
	case "region-outage":
		return "Region outage " + f.Region
	case "global-switchover":
		if f.Region != "" {
			return "switchover to " + f.Region
		}
		return "global switchover"
	case "network-partition":
		return "partition " + f.Between[0] + " | " + f.Between[1]
	case "instance-failure":
		return f.Target + " instance fails"
	case "cache-node-failure":
		return "cache " + f.Target + " fails"
	case "leader-failure":
		if f.AZ != "" {
			return "leaders in " + f.AZ + " fail"
		}
		return "leader of " + f.Target + " fails"
	}
	return strings.ReplaceAll(f.Kind, "-", " ")
}
