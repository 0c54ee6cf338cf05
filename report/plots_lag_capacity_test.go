package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/metric"
	"dbsim/scenarios"
)

func TestServerlessCapacityFigure(t *testing.T) {
	// A writer and a replica at the same capacity, min 0.5 and max 16 ACU.
	res := testResult()
	res.Scenario.System.Aurora = &scenarios.AuroraSystem{Serverless: scenarios.AuroraServerless{MinACU: 0.5, MaxACU: 16}}
	rep := res.Replications[0]
	ser := rep.Series
	replica := metric.OfInstance(metric.CapacityACU, "replica-1")
	w, _ := ser.Lookup(metric.Of(metric.CapacityACU).Column())
	col := ser.Column(replica.Column())
	for b, v := range ser.Values(w) {
		ser.Set(sec(float64(b)), col, v)
	}
	rep.Gauges = append(rep.Gauges, replica)

	f := figureNamed(Plots(res), "capacity")
	require.NotNil(t, f)
	svg := svgOf(t, f)
	for _, want := range []string{">writer<", ">replica-1<", ">max_acu 16<", ">min_acu 0.5<"} {
		assert.Contains(t, svg, want)
	}
	assert.NotContains(t, svg, "capacity_acu:", "legend names are the instances'")
	for _, tk := range f.p.Y.Tick.Marker.Ticks(f.p.Y.Min, f.p.Y.Max) {
		if tk.Label != "" {
			assert.False(t, strings.HasSuffix(tk.Label, ".50") || strings.HasSuffix(tk.Label, ".00"), "round ticks: %q", tk.Label)
		}
	}
	assert.GreaterOrEqual(t, f.p.Y.Max, 16.0, "max_acu is on the axis")
}

func TestCreditsFigure(t *testing.T) {
	// A primary spending its balance down, in Unlimited mode past it.
	res := testResult()
	rep := res.Replications[0]
	ser := rep.Series
	balance := metric.OfInstance(metric.CPUCreditBalance, "primary")
	surplus := metric.OfInstance(metric.CPUSurplusCredits, "primary")
	bc, sc := ser.Column(balance.Column()), ser.Column(surplus.Column())
	for b := range 60 {
		ser.Set(sec(float64(b)), bc, max(0, 30-float64(b)))
		ser.Set(sec(float64(b)), sc, max(0, float64(b)-30)/2)
	}
	rep.Gauges = append(rep.Gauges, balance, surplus)

	f := figureNamed(Plots(res), "credits")
	require.NotNil(t, f, "a run with burstable instances has a credits figure")
	svg := svgOf(t, f)
	assert.Contains(t, svg, ">primary balance<")
	assert.Contains(t, svg, ">primary surplus spent<")
	assert.Nil(t, figureNamed(Plots(testResult()), "credits"), "none without credit gauges")
}

func TestReplicationFigure(t *testing.T) {
	res := testResult()
	rep := res.Replications[0]
	id := metric.OfInstance(metric.ReplicationLatency, "us-west-2")
	col := rep.Series.Column(id.Column())
	for b := range 60 {
		rep.Series.Set(sec(float64(b)), col, 600)
	}
	rep.Gauges = append(rep.Gauges, id)
	f := figureNamed(Plots(res), "replication")
	require.NotNil(t, f, "a global table's replica Regions have a replication figure")
	assert.Contains(t, svgOf(t, f), ">us-west-2<")
	assert.Nil(t, figureNamed(Plots(testResult()), "replication"), "none without replicas")
}
