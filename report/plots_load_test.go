package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/sim"
)

func svgOf(t *testing.T, f *Figure) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, f.WriteSVG(&b))
	return b.String()
}

func figureNamed(figs []*Figure, name string) *Figure {
	for _, f := range figs {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func TestLoadFigureRDS(t *testing.T) {
	figs := Plots(testResult())
	assert.Equal(t, []string{"latency", "availability", "throughput", "load", "lag", "capacity"}, figureNames(figs))
	f := figureNamed(figs, "load")
	require.NotNil(t, f)
	assert.Equal(t, 0.0, f.p.Y.Min)
	assert.InDelta(t, 100, f.p.Y.Max, 2, "utilization in % of vCPUs, 0–100")
	svg := svgOf(t, f)
	for _, want := range []string{
		">primary utilization<", ">primary connections<", ">primary queued statements<",
		">utilization (% of vCPUs busy)<", ">open connections, queued statements<", ">time (min)<",
		// The episode's limit, drawn and labelled: 800 connections is
		// within limitOffScale of 1,712.
		">connection limit 1,712<", ">connection limit<",
		">saturated<", ">primary saturated<", ">crash primary<", ">warmup<",
	} {
		assert.Contains(t, svg, want)
	}
	assert.NotContains(t, svg, "utilization:primary", "legend names explain themselves")
	for _, name := range figureNames(figs) {
		assert.Contains(t, runFigures, name, "runFigures lists every figure Plots can return")
	}
}

func TestLoadFigureNotForDynamoDB(t *testing.T) {
	figs := Plots(dynamoResult(84, 16))
	assert.Nil(t, figureNamed(figs, "load"), "DynamoDB has no instances: %v", figureNames(figs))
	for _, name := range figureNames(figs) {
		assert.Contains(t, runFigures, name, "runFigures lists every figure Plots can return")
	}
}

// loadResult is a one-replication run of an Aurora cluster whose series has
// the load gauges of the named instances, each with conns connections.
func loadResult(conns float64, insts ...string) *scenarios.Result {
	s := sim.NewSeries(time.Second)
	var gauges []metric.ID
	for _, inst := range insts {
		ids := []metric.ID{metric.OfInstance(metric.Utilization, inst), metric.OfInstance(metric.Connections, inst),
			metric.OfInstance(metric.Queued, inst), metric.OfInstance(metric.MaxConnections, inst)}
		gauges = append(gauges, ids...)
		u, c, q := s.Column(ids[0].Column()), s.Column(ids[1].Column()), s.Column(ids[2].Column())
		for b := range 120 {
			at := sec(float64(b))
			s.Set(at, u, 0.4)
			s.Set(at, c, conns)
			s.Set(at, q, 0.5)
		}
	}
	sc := &scenarios.Scenario{Name: "load", Duration: scenarios.Duration(2 * time.Minute), Bucket: scenarios.Duration(time.Second),
		System: scenarios.System{Kind: "aurora", Aurora: &scenarios.AuroraSystem{}}}
	return &scenarios.Result{Scenario: sc, Replications: []*scenarios.Replication{{Series: s, Gauges: gauges}}}
}

func TestLoadFigureLimits(t *testing.T) {
	// withLimit records inst's connection limit: lim for the first minute,
	// then lim2.
	withLimit := func(res *scenarios.Result, inst string, lim, lim2 float64) {
		s := res.Replications[0].Series
		c := s.Column(metric.OfInstance(metric.MaxConnections, inst).Column())
		for b := range 120 {
			v := lim
			if b >= 60 {
				v = lim2
			}
			s.Set(sec(float64(b)), c, v)
		}
	}
	t.Run("unknown", func(t *testing.T) {
		// No connection limit in the series (a model without one): no line.
		svg := svgOf(t, figureNamed(Plots(loadResult(100, "writer", "replica-1", "replica-2")), "load"))
		assert.NotContains(t, svg, "connection limit")
		for _, want := range []string{">writer utilization<", ">replica-1 utilization<", ">replica-2 utilization<", ">replica-2 queued statements<"} {
			assert.Contains(t, svg, want)
		}
	})
	t.Run("shared", func(t *testing.T) {
		res := loadResult(100, "writer", "replica-1")
		withLimit(res, "writer", 250, 250)
		withLimit(res, "replica-1", 250, 250)
		f := figureNamed(Plots(res), "load")
		svg := svgOf(t, f)
		assert.Contains(t, svg, ">each instance&#39;s connection limit 250<", "one line for a shared limit")
		assert.GreaterOrEqual(t, f.lower.Y.Max, 250.0)
	})
	t.Run("off the scale", func(t *testing.T) {
		res := loadResult(100, "writer")
		withLimit(res, "writer", 5000, 5000)
		f := figureNamed(Plots(res), "load")
		assert.Contains(t, svgOf(t, f), ">connection limit 5,000: off the scale<")
		assert.Less(t, f.lower.Y.Max, 200.0, "the limit does not flatten the lines")
	})
	t.Run("per instance", func(t *testing.T) {
		res := loadResult(100, "writer", "replica-1")
		withLimit(res, "writer", 120, 120)
		withLimit(res, "replica-1", 130, 140) // changed: no line
		assert.Equal(t, map[string]int{"writer": 120, "replica-1": -1}, connLimits(newSeriesData(res.Replications[0]), []string{"writer", "replica-1"}))
		svg := svgOf(t, figureNamed(Plots(res), "load"))
		assert.Contains(t, svg, ">writer connection limit 120<")
		assert.NotContains(t, svg, "replica-1 connection limit")
	})
}

func TestLoadFigureBuckets(t *testing.T) {
	res := loadResult(10, "primary")
	res.Scenario.System = scenarios.System{Kind: "rds", RDS: &scenarios.RDSSystem{}}
	s := sim.NewSeries(5 * time.Second)
	u := s.Column(metric.OfInstance(metric.Utilization, "primary").Column())
	s.Set(0, u, 0.5)
	res.Replications[0].Series = s
	f := figureNamed(Plots(res), "load")
	require.NotNil(t, f)
	assert.Contains(t, f.Title, "(5 s means)", "a bucket's mean, not its busiest second")
}
