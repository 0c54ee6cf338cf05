package pricing

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

func TestCacheNodesCostByHand(t *testing.T) {
	// rds-with-elasticache: the RDS instance and volume of rds-without-cache
	// ($164.25 + $11.50), plus 1 × cache.t4g.small at $0.032/h × 730 h =
	// $23.36 (fact 7.21).
	with, err := scenarios.LoadBundled("rds-with-elasticache")
	require.NoError(t, err)
	without, err := scenarios.LoadBundled("rds-without-cache")
	require.NoError(t, err)
	c, base := MonthlyCost(with, nil), MonthlyCost(without, nil)
	assert.Equal(t, 175.75, base.TotalUSD)
	assert.Equal(t, 199.11, c.TotalUSD)
	require.Len(t, c.Items, len(base.Items)+1)
	it := c.Items[len(c.Items)-1]
	assert.Equal(t, "1 × cache.t4g.small ElastiCache node", it.What)
	assert.Equal(t, 730.0, it.Quantity)
	assert.Equal(t, "node-hours", it.Unit)
	assert.Equal(t, 23.36, it.USD)
	assert.Contains(t, it.Source, "models/REFERENCES.md 7.21")

	// Three cache.r7g.large in front of Aurora: 3 × $0.219 × 730 = $479.61,
	// added to Aurora's own lines; a node type the table lacks is unpriced.
	y := "name: c\nduration: 1m\nsystem: {kind: aurora}\ncache: {node_type: cache.r7g.large, nodes: 3}\nworkload: [{arrival: {rate: 10/s}}]\n"
	s, err := scenarios.Parse("c.yaml", []byte(y))
	require.NoError(t, err)
	a := MonthlyCost(s, nil)
	last := a.Items[len(a.Items)-1]
	assert.Equal(t, 479.61, last.USD)
	p := *Default() // a copy: the default table is shared
	p.ElastiCache.Nodes = nil
	u := p.MonthlyCost(s, nil)
	assert.True(t, u.Partial)
	assert.True(t, u.Items[len(u.Items)-1].Unpriced)
}
