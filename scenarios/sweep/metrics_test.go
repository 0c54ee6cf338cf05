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

func TestThrottledIsShareOfAttempts(t *testing.T) {
	// 1,000 requests and 250 retries are 1,250 attempts; 125 throttled
	// is 10 % of them.
	m, ok := LookupMetric("throttled")
	require.True(t, ok)
	rep := &scenarios.Replication{}
	rep.Requests = scenarios.Requests{Total: 1000, OK: 1000, Throttled: 125, Retried: 250}
	assert.InDelta(t, 0.1, float64(replicationMetrics(rep, pricing.Cost{})[m]), 1e-12)
	assert.True(t, math.IsNaN(float64(replicationMetrics(&scenarios.Replication{}, pricing.Cost{})[m])), "nothing measured, no value")
	tg, err := ParseTarget("throttled<1%")
	require.NoError(t, err)
	assert.Equal(t, m, tg.Metric)
	assert.InDelta(t, 0.01, tg.Value, 1e-12)
}
