package pricing

import (
	"dbsim/models/metric"
	"dbsim/scenarios"
)

// dynamodbCost prices a DynamoDB table from what the run measured, held
// for a month: on-demand bills the request units consumed (the mean of the
// ConsumedWCU / ConsumedRCU gauges), provisioned the mean provisioned
// capacity (which auto scaling moves) of the table and its indexes (a
// global table's replicas provisioned alike; on-demand, the writes of
// its writers in other Regions count with the table's own). An
// Amazon Keyspaces table is metered in the same units (its LOCAL_ONE reads
// are the model's eventually consistent ones, half a unit) and priced
// from the table's keyspaces prices.
func (p *Prices) dynamodbCost(s *scenarios.Scenario, rep *scenarios.Replication) Cost {
	d := s.System.DynamoDB
	u := DynamoDBUsage{OnDemand: d.Table.Mode == "on-demand", StorageGB: float64(d.Table.Size) / (1 << 30), ReplicaRegions: len(d.Table.Replicas),
		Keyspaces: d.Service == "keyspaces"}
	if rep == nil || rep.Series == nil {
		return p.DynamoDBCost(u)
	}
	mean := func(k metric.Kind) float64 {
		total := 0.0
		for _, id := range rep.Gauges {
			// The table's gauge and its indexes', not its partitions'.
			if id.Kind == k && !id.PerPartition {
				m, _ := GaugeMean(rep, s.Warmup.D(), id)
				total += m
			}
		}
		return total
	}
	if u.OnDemand {
		seconds := p.HoursPerMonth * 3600
		u.WRUPerMonth = mean(metric.ConsumedWCU) * seconds
		u.RRUPerMonth = mean(metric.ConsumedRCU) * seconds
		if g := rep.Global; g != nil {
			// A global table's writers in other Regions: each of their
			// writes bills a WRU there and an rWRU in every other
			// Region (fact 5.46), as the table's own writes do.
			u.WRUPerMonth += MonthlyCount(g.RemoteWriteUnits, rep.SimulatedSeconds, p.HoursPerMonth)
		}
	} else {
		u.WCU, u.RCU = mean(metric.ProvisionedWCU), mean(metric.ProvisionedRCU)
	}
	return p.DynamoDBCost(u)
}
