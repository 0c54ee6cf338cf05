package scenarios

import (
	"math"
	"sort"
	"time"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/models/dynamodb"
	"dbsim/sim"
)

// The fluid mode (mode: fluid) replays a DynamoDB scenario in steps of
// fluidStep with rates instead of requests (dynamodb.Model.Step): weeks
// of traffic in seconds. The table, its control loops, the faults and the
// recorder's gauges run on the kernel as they do per request; the
// workloads and the clients are replaced by flows. A step offers each
// workload's arrivals over the step (RateAt, the one function a workload
// is asked for its rate), split by operation, to the table; what it
// throttles (or finds without a leader) is retried by the SDK's policy as
// a flow that re-enters after the mean backoff, within the retry quota,
// up to max_attempts; what the last attempt does not get is failed.
// Requests are not individuals: there is no latency per request, and
// counts are rounded at the end.

// fluidStep is the fluid mode's step: the span over which DynamoDB
// enforces a partition's limits (fact 5.18), so that a step's room is one
// window of the hard limit.
const fluidStep = time.Second

// fluidKeysListed is how many of a key distribution's keys the fluid
// mode places one by one on the ring (the most popular); the rest spread
// evenly, as a large key space's hashes do.
const fluidKeysListed = 4096

// RateAt is w's arrival rate, in requests per second, at simulated time t:
// its trace's rate for the period, or its arrival rate, then each rate
// change from its time on.
func (w *Workload) RateAt(t time.Duration) float64 {
	if tr := w.Arrival.Trace; tr != nil {
		return tr.RateAt(t)
	}
	i := sort.Search(len(w.RateChanges), func(i int) bool { return w.RateChanges[i].At.D() > t })
	if i == 0 {
		return float64(w.Arrival.Rate)
	}
	return float64(w.RateChanges[i-1].Rate)
}

// fluidWorkload is a workload as flows: its operations with their shares
// and its key mass (hot keys included while they last).
type fluidWorkload struct {
	w      *Workload
	ops    []dynamodb.Op
	shares []float64
	base   []dynamodb.KeyShare // the key distribution's listed keys
	rest   float64             // and the rest, spread evenly
	active uint64              // the hot keys the mass holds (bit i: HotKeys[i])
	keys   *dynamodb.KeyMass
}

// fluidRun drives the table through the steps.
type fluidRun struct {
	k     *sim.Kernel
	m     *dynamodb.Model
	rec   *recorder
	retry client.Retry
	end   sim.Time
	ws    []*fluidWorkload
	// flows[i*attempts + a] is operation i's attempt a+1 (operations of
	// every workload in order); ring[i*attempts + a][slot] the retries
	// due in a later step, by step number modulo len; now the retries
	// due in this step's next pass.
	flows    []dynamodb.Flow
	write    []bool
	ring     [][][]float64 // [flow][slot][partition id]
	now      [][]float64   // [flow][partition id]
	parts    [][]float64   // [flow]: the retries offered in this pass
	attempts int
	step     int64
	// quota is the retry quota of all client processes together, when
	// hasQuota.
	hasQuota        bool
	quota, quotaCap float64
	// Outcomes in the measured window, rounded at the end.
	ok, failed, throttled, retried float64
}

// startFluid builds the flows of s's workloads and schedules the steps.
func startFluid(s *Scenario, k *sim.Kernel, m *dynamodb.Model, rec *recorder, log *cluster.Log, retry client.Retry) (*fluidRun, error) {
	f := &fluidRun{k: k, m: m, rec: rec, retry: retry, end: sim.At(s.Duration.D()), attempts: max(1, retry.MaxAttempts)}
	if q := retry.Quota; q.Capacity > 0 {
		f.quotaCap = float64(q.Capacity * rec.instances)
		f.quota, f.hasQuota = f.quotaCap, true
	}
	slots := int(retry.Cap/fluidStep) + 2
	for wi := range s.Workload {
		w := &s.Workload[wi]
		fw, err := newFluidWorkload(w, s.System.DynamoDB)
		if err != nil {
			return nil, err
		}
		f.ws = append(f.ws, fw)
		for i := range fw.ops {
			for range f.attempts {
				f.flows = append(f.flows, dynamodb.Flow{Keys: fw.keys, Op: fw.ops[i], Size: int(w.ItemSize)})
				f.write = append(f.write, fw.ops[i].Kind.Write())
				f.ring = append(f.ring, make([][]float64, slots))
			}
		}
	}
	f.now = make([][]float64, len(f.flows))
	f.parts = make([][]float64, len(f.flows))
	log.Addf("fluid mode: the table is stepped every %v with arrival rates instead of requests; latency is not simulated per request", fluidStep)
	k.At(0, f.tick)
	return f, nil
}

// newFluidWorkload lists w's operations and spreads its keys.
func newFluidWorkload(w *Workload, ddb *DynamoDBSystem) (*fluidWorkload, error) {
	fw := &fluidWorkload{w: w}
	d := newDDBOps(w, ddb.Table.GSIs)
	prev := 0.0
	for i := 0; i < d.n; i++ {
		fw.ops = append(fw.ops, *d.ops[d.kinds[i]])
		fw.shares = append(fw.shares, d.cum[i]-prev)
		prev = d.cum[i]
	}
	n := uint64(max(w.Keys.Count, 1))
	listed := func(from, to uint64, share func(k uint64) float64) {
		for k := from; k < to; k++ {
			fw.base = append(fw.base, dynamodb.KeyShare{Key: k, Share: share(k)})
		}
	}
	switch w.Keys.Dist {
	case "zipf":
		// P(rank k) ∝ 1/(k+1)^s over n ranks (sim.Zipf): the first ranks
		// listed, the tail spread.
		z, err := sim.NewZipf(n, w.Keys.Skew)
		if err != nil {
			return nil, err
		}
		h := harmonic(n, z.Exponent())
		top := min(n, fluidKeysListed)
		listed(0, top, func(k uint64) float64 { return math.Pow(float64(k+1), -z.Exponent()) / h })
	case "hotset":
		hot := min(max(1, uint64(float64(n)*w.Keys.HotFraction)), n)
		hotShare := w.Keys.HotShare
		if hot == n {
			hotShare = 1
		}
		if hot <= fluidKeysListed {
			listed(0, hot, func(uint64) float64 { return hotShare / float64(hot) })
		} else {
			fw.rest += hotShare
		}
		if cold := n - hot; cold > 0 && cold <= fluidKeysListed {
			listed(hot, n, func(uint64) float64 { return (1 - hotShare) / float64(cold) })
		} else if cold > 0 {
			fw.rest += 1 - hotShare
		}
	default:
		if n <= fluidKeysListed {
			listed(0, n, func(uint64) float64 { return 1 / float64(n) })
		}
	}
	sum := 0.0
	for _, ks := range fw.base {
		sum += ks.Share
	}
	fw.rest = max(0, 1-sum)
	fw.keys = fw.mass(0)
	return fw, nil
}

// harmonic is Σ_{k=1..n} k^-s: exact for the first million terms, the
// rest by the integral of x^-s from n0+½ to n+½.
func harmonic(n uint64, s float64) float64 {
	const exact = 1 << 20
	h := 0.0
	for k := uint64(1); k <= min(n, exact); k++ {
		h += math.Pow(float64(k), -s)
	}
	if n > exact {
		a, b := float64(exact)+0.5, float64(n)+0.5
		if math.Abs(s-1) < 1e-12 {
			h += math.Log(b / a)
		} else {
			h += (math.Pow(b, 1-s) - math.Pow(a, 1-s)) / (1 - s)
		}
	}
	return h
}

// mass is the workload's key mass with the hot keys in active: each takes
// its share, the distribution the rest.
func (fw *fluidWorkload) mass(active uint64) *dynamodb.KeyMass {
	hot := 0.0
	var keys []dynamodb.KeyShare
	for i, h := range fw.w.HotKeys {
		if active&(1<<i) != 0 {
			keys = append(keys, dynamodb.KeyShare{Key: h.Key, Share: h.Share})
			hot += h.Share
		}
	}
	scale := max(0, 1-hot)
	for _, ks := range fw.base {
		keys = append(keys, dynamodb.KeyShare{Key: ks.Key, Share: ks.Share * scale})
	}
	fw.active = active
	return &dynamodb.KeyMass{Keys: keys, Rest: fw.rest * scale}
}

// hotAt is the set of w's hot keys active at t (at most 64 are followed).
func (fw *fluidWorkload) hotAt(t sim.Time) uint64 {
	var a uint64
	for i, h := range fw.w.HotKeys {
		if i < 64 && t >= sim.At(h.At.D()) && t < sim.At(h.Until.D()) {
			a |= 1 << i
		}
	}
	return a
}

// tick runs one step from now and schedules the next.
func (f *fluidRun) tick() {
	from := f.k.Now()
	to := min(from.Add(fluidStep), f.end)
	if to <= from {
		return
	}
	span := to.Sub(from)
	mid := time.Duration(from) + span/2
	slot := int(f.step % int64(len(f.ring[0])))
	fi := 0
	for _, fw := range f.ws {
		if a := fw.hotAt(from); a != fw.active {
			fw.keys = fw.mass(a)
		}
		rate := fw.w.RateAt(mid) * span.Seconds()
		for i := range fw.ops {
			for a := 0; a < f.attempts; a++ {
				fl := &f.flows[fi+a]
				fl.Keys = fw.keys
				if a == 0 {
					fl.Requests = rate * fw.shares[i]
					continue
				}
				// The retries due now, on the partitions that refused them.
				j := fi + a
				f.parts[j], f.ring[j][slot] = f.ring[j][slot], f.parts[j]
				clear(f.ring[j][slot])
				fl.Parts, fl.Requests = f.parts[j], sumOf(f.parts[j])
			}
			fi += f.attempts
		}
	}
	measured := from >= f.rec.warmup
	// Passes: the retries whose backoff ends within the step come back in
	// it, after what the step's earlier passes took.
	for pass := 0; pass < f.attempts; pass++ {
		if pass > 0 {
			any := false
			for i := range f.flows {
				fl := &f.flows[i]
				if i%f.attempts == 0 {
					fl.Requests = 0
					continue
				}
				f.parts[i], f.now[i] = f.now[i], f.parts[i]
				clear(f.now[i])
				fl.Parts, fl.Requests = f.parts[i], sumOf(f.parts[i])
				any = any || fl.Requests > 0
			}
			if !any {
				break
			}
		}
		f.m.Step(from, to, f.flows)
		f.outcomes(from, span, slot, measured)
	}
	f.step++
	if to < f.end {
		f.k.At(to, f.tick)
	}
}

// outcomes records a pass's outcome and schedules its retries.
func (f *fluidRun) outcomes(from sim.Time, span time.Duration, slot int, measured bool) {
	rec := f.rec
	var okW, okAll float64
	for i := range f.flows {
		fl := &f.flows[i]
		if fl.Requests <= 0 {
			continue
		}
		a := i % f.attempts // attempt a+1
		w := 0
		if f.write[i] {
			w = 1
			okW += fl.Admitted
		}
		okAll += fl.Admitted
		if f.hasQuota {
			q := f.retry.Quota
			refund := float64(q.Refund)
			if a > 0 {
				refund = float64(q.Cost)
			}
			f.quota = min(f.quotaCap, f.quota+fl.Admitted*refund)
		}
		rec.series.Add(from, rec.okCol, fl.Admitted)
		rec.series.Add(from, rec.opCols[w][0], fl.Admitted)
		rec.series.Add(from, rec.thrCol, fl.Throttled)
		refused := fl.Throttled + fl.Unavailable
		retried := 0.0
		if a+1 < f.attempts {
			retried = refused
			if f.hasQuota {
				retried = max(0, min(retried, f.quota/float64(max(f.retry.Quota.Cost, 1))))
				f.quota = max(0, f.quota-retried*float64(f.retry.Quota.Cost))
			}
		}
		failed := refused - retried
		rec.series.Add(from, rec.retryCol, retried)
		rec.series.Add(from, rec.failCol, failed)
		rec.series.Add(from, rec.opCols[w][1], failed)
		if measured {
			f.ok += fl.Admitted
			f.failed += failed
			f.throttled += fl.Throttled
			f.retried += retried
		}
		if retried <= 0 {
			continue
		}
		// Throttled and unavailable attempts back off differently
		// (client.Retry.DelayFor): each share by its own mean delay.
		for _, part := range [2]struct {
			by []float64
			s  cluster.Status
		}{{fl.ThrottledBy, cluster.Throttled}, {fl.UnavailableBy, cluster.Failed}} {
			f.schedule(i+1, part.by, retried/refused, f.retry.MeanDelayFor(a+1, part.s), span, slot)
		}
	}
	if okW > 0 || (!rec.writes && okAll > 0) {
		for in := 0; in < rec.instances; in++ {
			rec.noteSuccess(in)
		}
	}
}

// schedule delivers k × by[id] retries of flow i to partition id after
// delay: a request refused at a uniform time in the step comes back
// within it with probability 1 − delay/step (the next pass), else in the
// step its delay reaches.
func (f *fluidRun) schedule(i int, by []float64, k float64, delay, span time.Duration, slot int) {
	x := delay.Seconds() / span.Seconds()
	same := max(0, 1-x)
	ring := f.ring[i]
	ahead := min(max(1, int(math.Round(x))), len(ring)-1)
	later := &ring[(slot+ahead)%len(ring)]
	for id, n := range by {
		if n <= 0 {
			continue
		}
		n *= k
		if same > 0 {
			grow(&f.now[i], id)[id] += n * same
		}
		if same < 1 {
			grow(later, id)[id] += n * (1 - same)
		}
	}
}

// grow makes *v hold index id and returns it.
func grow(v *[]float64, id int) []float64 {
	if len(*v) <= id {
		*v = append(*v, make([]float64, id+1-len(*v))...)
	}
	return *v
}

func sumOf(v []float64) float64 {
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t
}

// finish rounds the fluid counts into the recorder's.
func (f *fluidRun) finish() {
	r := &f.rec.req
	r.OK = int64(math.Round(f.ok))
	r.Failed = int64(math.Round(f.failed))
	r.Total = r.OK + r.Failed
	r.Throttled = int64(math.Round(f.throttled))
	r.Retried = int64(math.Round(f.retried))
}
