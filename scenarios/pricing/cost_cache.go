package pricing

import (
	"fmt"

	"dbsim/scenarios"
)

// cacheCost adds the ElastiCache nodes in front of the system, if any:
// nodes × the node type's hourly price × hours per month (fact 7.21).
// A node type missing from the table is an unpriced line.
func (p *Prices) cacheCost(b *costBuilder, s *scenarios.Scenario) {
	if !s.Has("cache") {
		return
	}
	c := s.Cache
	what := fmt.Sprintf("%d × %s ElastiCache node", c.Nodes, c.NodeType)
	for _, n := range p.ElastiCache.Nodes {
		if n.NodeType == c.NodeType {
			hours := p.HoursPerMonth
			nodes := float64(c.Nodes)
			b.add(Item{Category: catInstances, What: what, Quantity: nodes * hours, Unit: "node-hours",
				UnitUSD: n.USDPerHour, USD: InstanceMonthlyUSD(n.USDPerHour, nodes, hours),
				Source: n.Citation.String(), Note: n.Note})
			return
		}
	}
	b.unpriced(catInstances, what, "the price table has no elasticache.nodes entry for "+c.NodeType)
}
