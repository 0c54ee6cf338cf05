package rds

import (
	"testing"
	"time"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// countingObserver only counts outcomes.
type countingObserver struct{ ok, failed, stale int }

func (o *countingObserver) Failed(*client.Request, cluster.Status, bool) {}
func (o *countingObserver) Done(r *client.Request) {
	if r.Status != cluster.OK {
		o.failed++
		return
	}
	o.ok++
	if r.Stale {
		o.stale++
	}
}

// runBench simulates d of Poisson traffic at rate requests/s, 20 % writes
// to the writer, reads to the reader endpoint, and returns the number of
// requests.
func runBench(b *testing.B, cfg Config, rate float64, d time.Duration) int {
	k := sim.New(1)
	topo := cluster.NewTopology(k, []string{"a", "b", "c"}, 450*time.Microsecond, time.Millisecond)
	net := cluster.NewNet(topo)
	m := New(k, net, cfg, cluster.NewLog(k))
	obs := &countingObserver{}
	cl := client.New(k, net, clients(), m.Endpoints(), obs)
	rng := k.Stream("bench/arrivals")
	reader := len(m.Endpoints()) - 1
	var id uint64
	var arrive func()
	arrive = func() {
		id++
		r := &client.Request{ID: id, Op: cluster.Read, Key: id, Endpoint: reader}
		if rng.Float64() < 0.2 {
			r.Op, r.Endpoint = cluster.Write, 0
		}
		cl.Submit(r)
		k.After(sim.Seconds(rng.ExpFloat64()/rate), arrive)
	}
	k.After(0, arrive)
	gauges := m.Gauges()
	var sample func()
	sample = func() {
		for _, g := range gauges {
			g.Sample()
		}
		k.After(time.Second, sample)
	}
	k.After(0, sample)
	k.Run(sim.At(d))
	if obs.failed > 0 {
		b.Fatalf("%d requests failed", obs.failed)
	}
	return int(id)
}

// BenchmarkReplicas runs 10 simulated minutes at 10,000 requests/s (2,000
// writes/s) against a primary with two read replicas serving the reads,
// end to end (clients, network, primary, log shipping, apply), and
// reports simulated requests per wall-clock second.
func BenchmarkReplicas(b *testing.B) {
	cfg := replicaConfig("mysql", ReplicaConfig{AZ: 1}, ReplicaConfig{AZ: 2})
	bench(b, cfg)
}

// BenchmarkCluster is BenchmarkReplicas for a Multi-AZ DB cluster whose
// two standbys serve the reads.
func BenchmarkCluster(b *testing.B) {
	bench(b, clusterConfig("mysql"))
}

func bench(b *testing.B, cfg Config) {
	b.ReportAllocs()
	var reqs int
	for b.Loop() {
		reqs += runBench(b, cfg, 10000, 10*time.Minute)
	}
	b.ReportMetric(float64(reqs)/b.Elapsed().Seconds(), "sim-req/s")
	b.ReportMetric(0, "ns/op")
}
