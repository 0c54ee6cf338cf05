package rds

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/sim"
)

// burstable is a db.t3.medium (2 vCPUs, baseline 20 %) whose statements
// take 1 ms of CPU: 2,000 a second at full speed, 400 at the baseline.
func burstable(mode cluster.CreditMode, initial float64) Config {
	cfg := Defaults()
	cfg.Class, _ = LookupClass("db.t3.medium")
	cfg.Read = sim.Constant(1e-3)
	cfg.Write = sim.Constant(1e-3)
	cfg.Connect = sim.Constant(1e-3)
	cfg.Credits = cluster.CreditConfig{Mode: mode, Initial: initial}
	return cfg
}

// served counts the requests the harness saw succeed between from and to.
func served(h *harness, from, to time.Duration) int {
	var at int
	h.k.At(sim.At(from), func() { at = h.ok })
	h.k.Run(sim.At(to))
	return h.ok - at
}

func TestStandardHostHeldToItsBaselineServesBaselineThroughput(t *testing.T) {
	// No credits and 1,000 requests/s: held to 20 % of each vCPU, the
	// host serves 2 × 0.2 / 1 ms = 400 requests/s, not 2,000.
	h := newHarness(t, 1, burstable(cluster.Standard, 0), clients(), 1000)
	n := served(h, time.Minute, 2*time.Minute)
	assert.InDelta(t, 400, float64(n)/60, 20)
	require.NotNil(t, h.m.primary.credits)
	assert.True(t, h.m.primary.credits.Out())
	assert.InDelta(t, 0, h.m.primary.credits.Balance(), 0.05, "it spends what it earns")
	var text string
	for _, e := range h.log.Events {
		if e.Mark == cluster.CreditsOut {
			text = e.Text
		}
	}
	assert.Contains(t, text, "db-1 (primary) has spent its CPU credits: held to its baseline, 20 % of each of its 2 vCPUs")
}

func TestUnlimitedHostKeepsFullSpeed(t *testing.T) {
	h := newHarness(t, 1, burstable(cluster.Unlimited, 0), clients(), 1000)
	n := served(h, time.Minute, 2*time.Minute)
	assert.InDelta(t, 1000, float64(n)/60, 30)
	a := h.m.primary.credits
	assert.Equal(t, 1.0, a.Speed())
	// Half the 2 vCPUs busy: 1 credit a minute spent, 0.4 earned.
	assert.InDelta(t, 0.6*2, a.Surplus(), 0.05, "two minutes of 0.6 surplus credits a minute")
	ids := map[metric.ID]bool{}
	for _, g := range h.m.Gauges() {
		ids[g.ID] = true
	}
	assert.True(t, ids[metric.OfInstance(metric.CPUCreditBalance, "primary")])
	assert.True(t, ids[metric.OfInstance(metric.CPUSurplusCredits, "primary")])
}

func TestFixedClassesHaveNoCredits(t *testing.T) {
	h := newHarness(t, 1, Defaults(), clients(), 100)
	h.k.Run(sim.At(10 * time.Second))
	assert.Nil(t, h.m.primary.credits)
	assert.Empty(t, h.m.CreditRecords())
	for _, g := range h.m.Gauges() {
		assert.NotEqual(t, metric.CPUCreditBalance, g.ID.Kind)
	}
}

func TestCreditRecordFollowsThePrimaryAcrossAFailover(t *testing.T) {
	cfg := burstable(cluster.Standard, 0)
	cfg.MultiAZ = true
	h := newHarness(t, 1, cfg, clients(), 100) // 10 % of the vCPUs: below the baseline
	h.k.At(sim.At(3*time.Minute), func() { h.m.FailInstance("primary") })
	h.k.Run(sim.At(8 * time.Minute))
	require.Len(t, h.m.CreditRecords(), 1)
	r := h.m.CreditRecords()[0]
	assert.Equal(t, "primary", r.Name)
	assert.Equal(t, "db-2", h.m.primary.host.Name, "the standby took over")
	assert.Equal(t, h.m.primary.credits.Balance(), r.End, "the record reads the new primary's account")
	assert.Greater(t, r.End, 2.0, "the standby earned while it stood by")
	assert.Equal(t, cluster.Never, r.ExhaustedAt)
}
