package pricing

import (
	"strings"

	"dbsim/scenarios"
)

// dynamodbCost prices a DynamoDB table from what the run measured, held
// for a month: on-demand bills the request units consumed (the mean of the
// consumed_wcu / consumed_rcu gauges), provisioned the mean provisioned
// capacity (which auto scaling moves) of the table and its indexes.
func (p *Prices) dynamodbCost(s *scenarios.Scenario, rep *scenarios.Replication) Cost {
	d := s.System.DynamoDB
	u := DynamoDBUsage{OnDemand: d.Table.Mode == "on-demand", StorageGB: float64(d.Table.Size) / (1 << 30)}
	if rep == nil || rep.Series == nil {
		return p.DynamoDBCost(u)
	}
	mean := func(prefix string) float64 {
		total := 0.0
		for _, name := range rep.Series.Names() {
			// The table's gauge and its indexes' ("provisioned_wcu:by-status"),
			// not its partitions' ("consumed_wcu:p3").
			if name == prefix || (strings.HasPrefix(name, prefix+":") && !isPartitionGauge(name)) {
				m, _ := GaugeMean(rep, s.Warmup.D(), name)
				total += m
			}
		}
		return total
	}
	if u.OnDemand {
		seconds := p.HoursPerMonth * 3600
		u.WRUPerMonth = mean("consumed_wcu") * seconds
		u.RRUPerMonth = mean("consumed_rcu") * seconds
	} else {
		u.WCU, u.RCU = mean("provisioned_wcu"), mean("provisioned_rcu")
	}
	return p.DynamoDBCost(u)
}

// isPartitionGauge reports whether a gauge name ends in a partition,
// ":p0", ":p17".
func isPartitionGauge(name string) bool {
	i := strings.LastIndex(name, ":p")
	if i < 0 || i+2 == len(name) {
		return false
	}
	for _, c := range name[i+2:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
