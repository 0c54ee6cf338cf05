package dynamodb

// Global tables (REFERENCES facts 5.32, 5.45): the table the clients
// write is one replica of a global table, and every write it commits is
// replicated asynchronously to the replica table in each other Region.
//
//   - A write committed at c arrives in replica Region r at
//     c + ReplicationDelay + the one-way delay between the Regions (fact
//     6.5). The delay is the replication service's own time (reading the
//     source table's change log and writing the replica); fact 5.32
//     publishes only that items usually propagate "within a second".
//   - A replica Region that is down holds nothing: what arrives for it
//     waits in the source Region and is applied when it returns (the
//     replication latency of those writes is then the outage).
//   - When the source Region (the clients') fails, the writes it has
//     committed and a replica Region has not yet received cannot leave it
//     until it returns: they are at risk (an application that moves to
//     the replica does not see them). At risk is counted when the outage
//     begins: the most writes any one replica Region lacks.
//
// Memory is bounded: a write in flight is one kernel event per replica
// until it arrives (rate × delay of them); writes held for a Region that
// is down are counted per second of commit time, so a long outage keeps
// one count per second, not one per write.
//
// The clients write from one Region, so two writes to one item never
// come from two Regions and last-writer-wins conflicts (fact 5.45) cannot
// happen here; they are not counted.

import (
	"math"
	"math/rand/v2"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/sim"
)

// Replica is a replica table of a global table in another Region.
type Replica struct {
	// Region names the Region; AZ is where its replica table's endpoint
	// stands for the one-way delay (an AZ of the Region).
	Region string
	AZ     cluster.AZ
}

// GlobalStats are a global table's totals since the last ResetCounters.
type GlobalStats struct {
	// Replicated counts the writes applied in replica Regions (a write
	// applied in two Regions counts twice).
	Replicated int64
	// AtRisk counts, at each outage of the clients' Region, the writes
	// committed there that a replica Region had not yet received: the
	// most any one replica lacked.
	AtRisk int64
	// Latency is the replication latency of every applied write, from
	// its commit to its arrival in the replica Region.
	Latency *sim.Latency
}

// held counts the writes waiting for a Region, by second of commit.
type held struct {
	sec sim.Time // the second (start) of the commits
	n   int64
}

type replicaState struct {
	cfg     Replica
	down    bool
	shipped int64 // writes sent since the start (never reset)
	applied int64 // of those, applied
	held    []held
	// The writes applied since the gauge's last sample.
	sum time.Duration
	n   int64
}

type globalModel struct {
	m        *Model
	home     string
	homeDown bool
	delay    sim.Dist
	rng      *rand.Rand
	reps     []*replicaState
	st       GlobalStats
}

// shipment is one write in flight to one replica.
type shipment struct {
	r      *replicaState
	commit sim.Time
}

func newGlobal(m *Model) *globalModel {
	g := &globalModel{m: m, home: m.topo.Region(m.cfg.RouterAZ), delay: m.cfg.ReplicationDelay,
		rng: m.k.Stream("dynamodb/global"), st: GlobalStats{Latency: sim.NewLatency()}}
	for _, r := range m.cfg.Replicas {
		g.reps = append(g.reps, &replicaState{cfg: r})
	}
	return g
}

// replicate sends the write committed at commit to every replica Region.
func (g *globalModel) replicate(commit sim.Time) {
	now := g.m.k.Now()
	for _, r := range g.reps {
		d := sim.Seconds(g.delay.Sample(g.rng)) + g.m.topo.OneWay(g.m.cfg.RouterAZ, r.cfg.AZ)
		r.shipped++
		g.m.k.AfterArg(commit.Add(d).Sub(now), g.arrive, &shipment{r: r, commit: commit})
	}
}

// arrive applies a write in its replica Region, or holds it while the
// Region, or the source Region, is down.
func (g *globalModel) arrive(a any) {
	s := a.(*shipment)
	r := s.r
	if g.homeDown || r.down {
		sec := s.commit - s.commit%sim.Time(time.Second)
		if n := len(r.held); n > 0 && r.held[n-1].sec == sec {
			r.held[n-1].n++
		} else {
			r.held = append(r.held, held{sec: sec, n: 1})
		}
		return
	}
	g.apply(r, g.m.k.Now().Sub(s.commit), 1)
}

func (g *globalModel) apply(r *replicaState, lat time.Duration, n int64) {
	r.applied += n
	r.sum += time.Duration(n) * lat
	r.n += n
	g.st.Replicated += n
	for i := int64(0); i < n; i++ {
		g.st.Latency.Record(lat)
	}
}

// outage follows the Regions' outages: the source Region's failure puts
// its unreplicated writes at risk; a Region's return releases what waits
// for it.
func (g *globalModel) outage() {
	t := g.m.topo
	down := regionDown(t, g.home)
	if down && !g.homeDown {
		var risk int64
		for _, r := range g.reps {
			risk = max(risk, r.shipped-r.applied)
		}
		g.st.AtRisk += risk
		if g.m.log != nil {
			g.m.log.Addf("global table: %s fails with %d committed writes not yet replicated (at risk until it returns)", g.home, risk)
		}
	}
	g.homeDown = down
	for _, r := range g.reps {
		r.down = regionDown(t, r.cfg.Region)
		if g.homeDown || r.down || len(r.held) == 0 {
			continue
		}
		now := t.Kernel().Now()
		var n int64
		for _, h := range r.held {
			// Committed within the second: half a second is the mean.
			g.apply(r, now.Sub(h.sec)-time.Second/2, h.n)
			n += h.n
		}
		r.held = r.held[:0]
		if g.m.log != nil {
			g.m.log.Addf("global table: %d writes held for %s applied there", n, r.cfg.Region)
		}
	}
}

// gauges are each replica Region's metric.ReplicationLatency.
func (g *globalModel) gauges() []cluster.Gauge {
	var gs []cluster.Gauge
	for _, r := range g.reps {
		gs = append(gs, cluster.Gauge{ID: metric.OfInstance(metric.ReplicationLatency, r.cfg.Region), Sample: func() float64 {
			if r.n == 0 {
				return math.NaN()
			}
			v := float64(r.sum) / float64(r.n) / float64(time.Millisecond)
			r.sum, r.n = 0, 0
			return v
		}})
	}
	return gs
}

// regionDown reports whether every AZ of the Region is down.
func regionDown(t *cluster.Topology, region string) bool {
	for _, a := range t.RegionAZs(region) {
		if t.Up(a) {
			return false
		}
	}
	return true
}
