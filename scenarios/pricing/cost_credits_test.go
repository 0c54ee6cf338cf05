package pricing

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/scenarios"
)

// creditLine is the cost's surplus CPU credit line, if any.
func creditLine(c Cost) (Item, bool) {
	for _, it := range c.Items {
		if strings.Contains(it.What, "surplus CPU credits") {
			return it, true
		}
	}
	return Item{}, false
}

func TestSurplusCreditsArePricedPerVCPUHour(t *testing.T) {
	s := rdsScenario(t, "db.t3.medium", "postgres", "none", "20GB")
	// An hour measured, 60 credits spent and 24 earned: 36 credits an hour
	// above the baseline, 0.6 vCPU-hours, 438 a month at $0.075 (fact
	// 7.20): $32.85.
	rec := cluster.CreditRecord{Name: "primary", Class: "db.t3.medium", Mode: cluster.Unlimited, Spent: 60, Earned: 24}
	rep := &scenarios.Replication{SimulatedSeconds: 3600, Credits: []cluster.CreditRecord{rec}}
	c := MonthlyCost(s, rep)
	it, ok := creditLine(c)
	require.True(t, ok)
	assert.Equal(t, "capacity", it.Category)
	assert.InDelta(t, 438, it.Quantity, 1e-9)
	assert.Equal(t, "vCPU-hours", it.Unit)
	assert.Equal(t, 0.075, it.UnitUSD)
	assert.Equal(t, 32.85, it.USD)
	assert.Equal(t, 32.85, c.CapacityUSD)
	assert.Contains(t, it.Source, "7.20")
	assert.False(t, c.Estimated)
	assert.Equal(t, 52.56+2.3+32.85, c.TotalUSD, "db.t3.medium $0.072 × 730 (fact 7.1), 20 GB gp3, the credits")

	// Below the baseline on average: a line of nothing.
	rec.Spent = 10
	c = MonthlyCost(s, &scenarios.Replication{SimulatedSeconds: 3600, Credits: []cluster.CreditRecord{rec}})
	it, _ = creditLine(c)
	assert.Zero(t, it.USD)

	// Standard mode slows instead of paying; no replication, no use.
	rec.Mode, rec.Spent = cluster.Standard, 60
	_, ok = creditLine(MonthlyCost(s, &scenarios.Replication{SimulatedSeconds: 3600, Credits: []cluster.CreditRecord{rec}}))
	assert.False(t, ok)
	_, ok = creditLine(MonthlyCost(s, nil))
	assert.False(t, ok)

	// SQL Server's credits cost more than the table's price: estimated.
	rec.Mode = cluster.Unlimited
	c = MonthlyCost(rdsScenario(t, "db.t3.medium", "sqlserver", "none", "20GB"),
		&scenarios.Replication{SimulatedSeconds: 3600, Credits: []cluster.CreditRecord{rec}})
	it, _ = creditLine(c)
	assert.True(t, it.Estimated)
	assert.Contains(t, it.Note, "0.144")

	// A table without the price leaves the line unpriced.
	p := *Default()
	p.RDS.CPUCreditsVCPUHour = UnitPrice{}
	c = p.MonthlyCost(s, &scenarios.Replication{SimulatedSeconds: 3600, Credits: []cluster.CreditRecord{rec}})
	it, _ = creditLine(c)
	assert.True(t, it.Unpriced)
	assert.True(t, c.Partial)
}

// The bundled rds-burstable-credits in RDS's own Unlimited mode never
// slows: it bills its surplus credits instead.
func TestBundledBurstableUnlimitedCostsItsSurplus(t *testing.T) {
	b, err := scenarios.LoadBundled("rds-burstable-credits")
	require.NoError(t, err)
	src := strings.Replace(string(b.Source), "mode: standard", "mode: unlimited", 1)
	s, err := scenarios.Parse("unlimited.yaml", []byte(src))
	require.NoError(t, err)
	rep, err := scenarios.RunReplication(s, 0)
	require.NoError(t, err)
	c := MonthlyCost(s, rep)
	it, ok := creditLine(c)
	require.True(t, ok)
	// Measured from 1:00 to 30:00: 14 minutes at 1.40 busy vCPUs and 15 at
	// 0.21 spend 22.7 credits, 29 minutes earn 11.6; the 11.1 over the
	// baseline, in 29 minutes, are 280 vCPU-hours a month: about $21.
	t.Logf("%s: %.1f %s, $%.2f a month", it.What, it.Quantity, it.Unit, it.USD)
	assert.InDelta(t, 280, it.Quantity, 10)
	assert.InDelta(t, 21, it.USD, 1)
	assert.Equal(t, "primary db.t3.medium surplus CPU credits (Unlimited mode)", it.What)
}
