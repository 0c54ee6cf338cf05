package cluster

import (
	"testing"
	"time"

	"dbsim/sim"
)

// Two Regions: zones of one Region are the cross-AZ delay apart, zones of
// two Regions half the inter-Region round trip (fact 6.5: us-east-1 to
// us-west-2, 87 ms), and an outage of one Region's zones leaves the other
// reachable.
func TestTopologyRegions(t *testing.T) {
	k := sim.New(1)
	topo := NewTopology(k, []string{"us-east-1a", "us-east-1b"}, 450*time.Microsecond, time.Millisecond)
	topo.NameRegion("us-east-1")
	topo.AddRegion("us-west-2", []string{"us-west-2a", "us-west-2b"}, func(other string) time.Duration {
		if other != "us-east-1" {
			t.Fatalf("asked for the round trip to %q", other)
		}
		return 87 * time.Millisecond
	})
	topo.AddRegion("eu-west-1", []string{"eu-west-1a"}, func(other string) time.Duration {
		return map[string]time.Duration{"us-east-1": 80500 * time.Microsecond, "us-west-2": 130 * time.Millisecond}[other]
	})
	e1, _ := topo.Lookup("us-east-1b")
	w1, _ := topo.Lookup("us-west-2a")
	w2, _ := topo.Lookup("us-west-2b")
	eu, _ := topo.Lookup("eu-west-1a")
	cases := []struct {
		a, b AZ
		want time.Duration
	}{
		{0, e1, time.Millisecond}, {w1, w2, time.Millisecond}, {w1, w1, 450 * time.Microsecond},
		{0, w1, 87 * time.Millisecond}, {w2, e1, 87 * time.Millisecond},
		{eu, 0, 80500 * time.Microsecond}, {w2, eu, 130 * time.Millisecond},
	}
	for _, c := range cases {
		if got := topo.RTT(c.a, c.b); got != c.want {
			t.Errorf("RTT %s–%s = %v, want %v", topo.Name(c.a), topo.Name(c.b), got, c.want)
		}
	}
	if got := topo.Region(w2); got != "us-west-2" || !topo.SameRegion(w1, w2) || topo.SameRegion(0, w1) {
		t.Errorf("Region(us-west-2b) = %q; same-Region checks wrong", got)
	}
	if azs := topo.RegionAZs("us-east-1"); len(azs) != 2 || azs[1] != e1 {
		t.Errorf("RegionAZs(us-east-1) = %v", azs)
	}
	for _, a := range topo.RegionAZs("us-east-1") {
		topo.SetDown(a, true)
	}
	if topo.Reachable(w1, 0) || !topo.Reachable(w1, eu) || !topo.Reachable(w2, w1) {
		t.Error("a Region outage should cut only its own zones")
	}
	topo.SetCut(w1, eu, true)
	if topo.Reachable(w1, eu) || topo.Partitions(eu, w1) != 1 {
		t.Error("a partition between zones added later should hold")
	}
}

// Outages and partitions stack, overlap and heal in any order: the zones
// are reachable again only when the last of them has ended (Reachable's
// fast path when nothing lasts must not outlive a fault, nor miss one).
func TestTopologyFaultsStack(t *testing.T) {
	topo := NewTopology(sim.New(1), []string{"a", "b", "c"}, 450*time.Microsecond, time.Millisecond)
	topo.SetDown(0, false) // ending an outage that never started
	topo.SetCut(0, 1, false)
	if !topo.Reachable(0, 1) || !topo.Reachable(2, 2) {
		t.Fatal("nothing lasts: every zone reaches every zone")
	}
	topo.SetDown(2, true)
	topo.SetCut(0, 1, true)
	topo.SetCut(1, 0, true)
	if topo.Reachable(0, 1) || topo.Reachable(1, 2) || !topo.Reachable(0, 0) {
		t.Fatal("an outage of c and two partitions of a–b")
	}
	topo.SetDown(2, false)
	topo.SetCut(0, 1, false)
	if topo.Reachable(1, 0) || !topo.Reachable(1, 2) {
		t.Fatal("one partition of a–b still lasts")
	}
	topo.SetCut(1, 0, false)
	topo.SetCut(1, 0, false) // healing more than were started
	if !topo.Reachable(0, 1) || !topo.Reachable(2, 0) {
		t.Fatal("every fault has ended")
	}
	topo.SetCut(0, 2, true)
	if topo.Reachable(2, 0) || !topo.Reachable(0, 1) {
		t.Fatal("a partition after the others healed")
	}
}
