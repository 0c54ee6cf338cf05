package pricing

import (
	"math"
	"strings"

	"dbsim/models/aurora"
	"dbsim/models/metric"
	"dbsim/scenarios"
)

// auroraCost prices an Aurora cluster (Aurora Standard: the scenario format
// has no I/O-Optimized switch yet). Instances: the writer and each replica
// (a replica without a class has the writer's). Serverless v2: the mean of
// every metric.CapacityACU gauge over the measured window, summed, instead of
// instance-hours. Storage: the volume's size. I/O: estimated, since the
// model does not count storage I/Os: every read that misses the buffer
// cache (cache_miss_ratio) is one read I/O, every write one write I/O per
// started 4 KB of the item (Aurora bills log writes in 4 KB units).
// A Global Database's secondaries (AuroraCost) replicate those write
// I/Os and receive redo_per_write per write, both estimated likewise.
func (p *Prices) auroraCost(s *scenarios.Scenario, rep *scenarios.Replication) Cost {
	a := s.System.Aurora
	// The price table names the engine under Aurora ("postgres", "mysql").
	u := AuroraUsage{Engine: strings.TrimPrefix(a.Engine, "aurora-"), StorageGB: float64(a.Volume.Size) / (1 << 30)}
	serverless := s.Has("system.serverless")
	global := s.Has("system.global")
	if global {
		for _, sc := range a.Global.Secondaries {
			u.Secondaries = append(u.Secondaries, AuroraSecondary{Region: sc.Region, Class: sc.InstanceClass})
		}
	}
	if !serverless {
		u.Classes = append(u.Classes, a.InstanceClass)
		for _, r := range a.Replicas {
			c := r.InstanceClass
			if c == "" {
				c = a.InstanceClass
			}
			u.Classes = append(u.Classes, c)
		}
	}
	if rep != nil && rep.Series != nil {
		if serverless {
			for _, id := range rep.Gauges {
				if id.Kind == metric.CapacityACU {
					m, _ := GaugeMean(rep, s.Warmup.D(), id)
					u.MeanACU += m
				}
			}
		}
		miss := aurora.Defaults().MissRatio
		if s.Has("system.cache_miss_ratio") {
			miss = a.CacheMissRatio
		}
		var reads, writes float64
		if rep.Latency.Read != nil {
			reads = float64(rep.Latency.Read.Count())
		}
		if rep.Latency.Write != nil {
			writes = float64(rep.Latency.Write.Count())
		}
		units := 1.0
		if len(s.Workload) > 0 {
			units = math.Max(1, math.Ceil(float64(s.Workload[0].ItemSize)/4096))
		}
		u.IORequestsPerMonth = MonthlyCount(reads*miss+writes*units, rep.SimulatedSeconds, p.HoursPerMonth)
		if global {
			u.WriteIOsPerMonth = MonthlyCount(writes*units, rep.SimulatedSeconds, p.HoursPerMonth)
			u.RedoGBPerMonth = MonthlyCount(writes*float64(a.Global.RedoPerWrite), rep.SimulatedSeconds, p.HoursPerMonth) / 1e9
		}
	}
	c := p.AuroraCost(u)
	for i := range c.Items {
		it := &c.Items[i]
		if it.Unpriced {
			continue
		}
		switch {
		case it.Category == catIO && strings.HasPrefix(it.What, "write I/Os replicated"):
			it.Estimated = true
			it.Note = "estimated: writes × ⌈item size / 4 KB⌉ (the model does not count storage I/Os)"
		case it.Category == catIO:
			it.Estimated = true
			it.Note = "estimated: reads × cache_miss_ratio + writes × ⌈item size / 4 KB⌉ (the model does not count storage I/Os)"
		case it.Category == catTransfer:
			it.Estimated = true
			it.Note = "estimated: writes × system.global.redo_per_write"
		}
		c.Estimated = c.Estimated || it.Estimated
	}
	if proxyOn(s, a.Proxy) {
		c = p.auroraProxyCost(c, s, u.MeanACU) // cost_proxy.go
	}
	return c
}
