package dynamodb

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// globalHarness is a harness whose table, in Region "home" (AZs a, b, c),
// has a replica in Region "far" (AZ f, 80 ms round trip away), with a
// constant replication delay of 500 ms, and 100 writes a second for the
// first 20 s. ends[i] is when write i was acknowledged.
func globalHarness(t *testing.T) (*harness, *[]sim.Time) {
	t.Helper()
	k := sim.New(1)
	topo := cluster.NewTopology(k, []string{"a", "b", "c"}, 450*time.Microsecond, time.Millisecond)
	topo.NameRegion("home")
	topo.AddRegion("far", []string{"f"}, func(string) time.Duration { return 80 * time.Millisecond })
	f, err := topo.Lookup("f")
	require.NoError(t, err)
	net := cluster.NewNet(topo)
	cfg := Defaults()
	cfg.Replicas = []Replica{{Region: "far", AZ: f}}
	cfg.ReplicationDelay = sim.Constant(0.5)
	h := &harness{k: k, topo: topo, log: cluster.NewLog(k), lat: sim.NewLatency()}
	h.m = New(k, net, cfg, h.log)
	h.cl = client.New(k, net, noRetries(), h.m.Endpoints(), h)
	var ends []sim.Time
	h.done = func(r *client.Request) {
		if r.Status == cluster.OK {
			ends = append(ends, k.Now())
		}
	}
	h.drive("writes", func(t time.Duration) float64 {
		if t < 20*time.Second {
			return 100
		}
		return 0
	}, writes(1000, uniform(1<<20)))
	return h, &ends
}

func setRegion(topo *cluster.Topology, region string, down bool) {
	for _, a := range topo.RegionAZs(region) {
		topo.SetDown(a, down)
	}
}

// Every acknowledged write reaches the replica Region its delay plus the
// one-way delay after its commit (fact 5.45's mechanism).
func TestGlobalTableReplicatesEveryWrite(t *testing.T) {
	h, _ := globalHarness(t)
	h.k.Run(sim.At(30 * time.Second))
	st := h.m.GlobalStats()
	require.NotNil(t, st)
	assert.Greater(t, h.ok, 1800)
	assert.Equal(t, int64(h.ok), st.Replicated)
	assert.Zero(t, st.AtRisk)
	want := 540 * time.Millisecond // 500 ms + half of 80 ms
	assert.InDelta(t, want.Seconds(), st.Latency.Quantile(0.01).Seconds(), 0.005)
	assert.InDelta(t, want.Seconds(), st.Latency.Max().Seconds(), 0.005)
}

// A replica Region down from 5 s to 15 s receives the writes of the
// outage when it returns, counted per second while they wait.
func TestGlobalTableHoldsWritesForARegionThatIsDown(t *testing.T) {
	h, _ := globalHarness(t)
	h.k.At(sim.At(5*time.Second), func() { setRegion(h.topo, "far", true) })
	var heldSeconds int
	h.k.At(sim.At(15*time.Second-time.Millisecond), func() { heldSeconds = len(h.m.global.pairs[0][1].held) })
	h.k.At(sim.At(15*time.Second), func() { setRegion(h.topo, "far", false) })
	h.k.Run(sim.At(30 * time.Second))
	st := h.m.GlobalStats()
	assert.Equal(t, int64(h.ok), st.Replicated, "nothing lost")
	assert.LessOrEqual(t, heldSeconds, 11, "one count per second of commit, not one per write")
	assert.Positive(t, heldSeconds)
	// The oldest held writes were committed from 4.46 s on (their
	// arrival fell in the outage); they waited to 15 s, measured from the
	// middle of their second, 4.5 s.
	assert.InDelta(t, 15-4.5, st.Latency.Max().Seconds(), 0.05)
	assert.Zero(t, st.AtRisk, "the clients' Region never failed")
}

// When the clients' Region fails, the writes it acknowledged within the
// last replication latency have not reached the replica: they are at
// risk, and arrive when it returns.
func TestGlobalTableAtRiskWhenTheSourceRegionFails(t *testing.T) {
	h, ends := globalHarness(t)
	h.k.At(sim.At(10*time.Second), func() { setRegion(h.topo, "home", true) })
	h.k.At(sim.At(12*time.Second), func() { setRegion(h.topo, "home", false) })
	h.k.Run(sim.At(40 * time.Second))
	st := h.m.GlobalStats()
	// In flight at 10 s: acknowledged after 10 s − 540 ms (the
	// acknowledgement trails the commit by the client's one-way delay).
	var inFlight int64
	for _, e := range *ends {
		if e > sim.At(10*time.Second-540*time.Millisecond) && e <= sim.At(10*time.Second) {
			inFlight++
		}
	}
	assert.Greater(t, inFlight, int64(30))
	assert.InDelta(t, inFlight, st.AtRisk, 2)
	assert.Equal(t, int64(h.ok), st.Replicated, "at risk, not lost: they arrive after the Region returns")
}

// The last-writer-wins state keeps an item only while a write older than
// it may still arrive: about rate × (replication delay + the second
// between prunes) items, not one per item ever written.
func TestGlobalTableForgetsItemsNoWriteCanStillReach(t *testing.T) {
	h, _ := globalHarness(t)
	var home, far int
	h.k.At(sim.At(19*time.Second), func() { home, far = len(h.m.global.regions[0].items), len(h.m.global.regions[1].items) })
	h.k.Run(sim.At(20 * time.Second))
	require.Greater(t, h.ok, 1800)
	// 100 writes a second, 540 ms in flight, pruned once a second.
	assert.LessOrEqual(t, far, 100*(1+1)+50)
	assert.LessOrEqual(t, home, 100+50, "no write travels to the home Region: only the last second's")
	assert.Positive(t, far)
}
