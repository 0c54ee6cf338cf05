package sweep

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
	"dbsim/scenarios/pricing"
)

func TestUnpricedPointHasNoCost(t *testing.T) {
	// A table without the price a system needs prices it at 0, said so:
	// a sweep then has no cost for the point, so it cannot look cheapest.
	p, err := pricing.Parse("p.yaml", []byte("hours_per_month: 730\n"))
	require.NoError(t, err)
	s, err := scenarios.LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	c := p.MonthlyCost(s, nil)
	require.True(t, c.Partial)
	cm, _ := LookupMetric("cost")
	assert.True(t, math.IsNaN(float64(replicationMetrics(&scenarios.Replication{}, c)[cm])))
}
