package report

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"dbsim/scenarios"
	"dbsim/sim"
)

func scratchSeries(n int, fos []scenarios.Failover) *sim.Series {
	s := sim.NewSeries(time.Second)
	ok, fl := s.Column("ok"), s.Column("failed")
	s.Column("throttled")
	s.Column("retried")
	cols := map[string]int{}
	for _, p := range []string{"all", "read", "write"} {
		for _, q := range []string{"p50", "p90", "p99", "p999", "max", "mean"} {
			cols[p+"_"+q] = s.ColumnFill(p+"_"+q+"_ms", math.NaN())
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for b := 0; b < n; b++ {
		t := sec(float64(b))
		wd, cd := false, false
		for _, f := range fos {
			if t >= f.Start && t < f.Accepting {
				wd = true
			}
			if t >= f.Start && t < f.ClientsRecovered {
				cd = true
			}
		}
		tot := 2000 + float64(r.IntN(100))
		var failed float64
		if wd {
			failed = tot * 0.3
		} else if cd {
			failed = tot * 0.05
		}
		s.Add(t, ok, tot-failed)
		s.Add(t, fl, failed)
		for _, p := range []string{"all", "read", "write"} {
			if p == "write" && wd {
				continue
			}
			base := 0.8 * math.Exp(r.NormFloat64()*0.05)
			if cd {
				base *= 20
			}
			for q, f := range map[string]float64{"p50": 1, "p90": 2, "p99": 4, "p999": 9, "max": 15, "mean": 1.3} {
				s.Set(t, cols[p+"_"+q], base*f)
			}
		}
	}
	return s
}

func TestScratch(t *testing.T) {
	fo := func(s float64) scenarios.Failover {
		return scenarios.Failover{Cause: "crash", Start: sec(s), Detected: sec(s + 15), Promoted: sec(s + 42), Accepting: sec(s + 72), ClientsRecovered: sec(s + 95)}
	}
	mk := func(name string, n int, fos []scenarios.Failover, faults []scenarios.FaultWindow) *scenarios.Result {
		rep := &scenarios.Replication{SimulatedSeconds: float64(n - 120), Failovers: fos, Faults: faults,
			Latency: scenarios.Latencies{Read: sim.NewLatency(), Write: sim.NewLatency(), All: sim.NewLatency()}}
		rep.Series = scratchSeries(n, fos)
		return &scenarios.Result{Scenario: &scenarios.Scenario{Name: name, Warmup: scenarios.Duration(2 * time.Minute), System: scenarios.System{Kind: "rds"}}, Replications: []*scenarios.Replication{rep}}
	}
	r30 := mk("rds-multi-az-crash", 1800, []scenarios.Failover{fo(600)}, []scenarios.FaultWindow{{Start: sec(600), End: sec(600), Label: "instance crash"}})
	if err := WriteDir("/tmp/rep30", r30); err != nil {
		t.Fatal(err)
	}
	fos := []scenarios.Failover{fo(1000), fo(3000), fo(3300), fo(6000)}
	many := mk("rds-random-faults", 7200, fos, []scenarios.FaultWindow{{Start: sec(1000), End: sec(1300), Label: "instance crash"}, {Start: sec(3000), End: sec(3001), Label: "instance crash"}, {Start: sec(3300), End: -1, Label: "az outage"}, {Start: sec(4500), End: sec(4600), Label: "network partition"}})
	if err := WriteDir("/tmp/repmany", many); err != nil {
		t.Fatal(err)
	}
}
