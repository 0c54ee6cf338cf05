package pricing

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/metric"
	"dbsim/scenarios"
)

// The fluid mode (scenarios/fluid.go) against the per-request mode on
// six windows where both run, each a bundled scenario with one
// replication: a hot partition that throttles and splits for heat, a
// celebrity key (hot_keys) on one partition's hard limit, auto
// scaling behind a ramp, an on-demand table past twice its previous peak,
// a burst-credit window (fact 5.11's worked example) and a global
// secondary index's back-pressure on the table's writes (fact 5.33). Tolerances:
// consumed capacity and cost within 1 % (the fluid mode serves the mean
// rate: what differs is only the per-request run's Poisson noise, under
// 0.5 % over these windows' 10^5 requests); throttled attempts within 5 %
// and failed requests within 10 % (the fluid mode delays a retry by the
// mean of its jittered backoff and has no sub-second bursts: a throttle
// is a difference of two rates, so the relative error of throttles is
// larger than that of the rates).
func TestFluidAgreesWithPerRequest(t *testing.T) {
	for _, name := range []string{"dynamodb-hot-partition", "dynamodb-autoscaling-lag", "dynamodb-on-demand-vs-provisioned", "dynamodb-burst-capacity", "dynamodb-gsi-backpressure", "dynamodb-celebrity-key"} {
		t.Run(name, func(t *testing.T) {
			per := load(t, name, "")
			fluid := load(t, name, "mode: fluid\n")
			a, b := runOne(t, per), runOne(t, fluid)
			require.True(t, b.Fluid)
			consumed := func(s *scenarios.Scenario, rep *scenarios.Replication) float64 {
				r, _ := GaugeMean(rep, s.Warmup.D(), metric.Of(metric.ConsumedRCU))
				w, _ := GaugeMean(rep, s.Warmup.D(), metric.Of(metric.ConsumedWCU))
				return r + w
			}
			cost := func(s *scenarios.Scenario, rep *scenarios.Replication) float64 {
				return Default().MonthlyCost(s, rep).TotalUSD
			}
			t.Logf("%s: throttled %d vs %d (%+.1f%%), failed %d vs %d (%+.1f%%), consumed %.1f vs %.1f units/s (%+.2f%%), cost $%.2f vs $%.2f (%+.2f%%)",
				name, a.Requests.Throttled, b.Requests.Throttled, rel(b.Requests.Throttled, a.Requests.Throttled),
				a.Requests.Failed, b.Requests.Failed, rel(b.Requests.Failed, a.Requests.Failed),
				consumed(per, a), consumed(fluid, b), rel(consumed(fluid, b), consumed(per, a)),
				cost(per, a), cost(fluid, b), rel(cost(fluid, b), cost(per, a)))
			require.Positive(t, a.Requests.Throttled, "the window throttles")
			assert.InEpsilon(t, a.Requests.Throttled, b.Requests.Throttled, 0.05, "throttled attempts")
			assert.InEpsilon(t, a.Requests.Failed, b.Requests.Failed, 0.10, "failed requests")
			assert.InEpsilon(t, consumed(per, a), consumed(fluid, b), 0.01, "consumed capacity")
			assert.InEpsilon(t, cost(per, a), cost(fluid, b), 0.01, "cost")
		})
	}
}

// rel is b's difference from a, in percent.
func rel[T int64 | float64](b, a T) float64 {
	if a == 0 {
		return math.NaN()
	}
	return 100 * (float64(b) - float64(a)) / float64(a)
}

// load is bundled scenario name with one replication and extra keys.
func load(t *testing.T, name, extra string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.LoadBundled(name)
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(string(s.Source), "\n") {
		if strings.HasPrefix(l, "replications:") {
			l = "replications: 1"
		}
		lines = append(lines, l)
	}
	v, err := scenarios.Parse(name+".yaml", []byte(strings.Join(lines, "\n")+"\n"+extra))
	require.NoError(t, err)
	return v
}

func runOne(t *testing.T, s *scenarios.Scenario) *scenarios.Replication {
	t.Helper()
	rep, err := scenarios.RunReplication(s, 0)
	require.NoError(t, err)
	return rep
}

// A CloudWatch trace drives the fluid mode as it drives the per-request
// mode (Workload.RateAt): the same requests (the export's write units
// over 16, exactly in fluid mode), consumed capacity and cost within 2 %.
// Throttles are not compared: this replay sits on split for heat's
// threshold (every partition at 81 % of its limit in fluid mode, 80 %
// asked), so the per-request run's random minutes split fewer partitions
// and throttle more (README, the fluid mode's section).
func TestFluidReplaysATrace(t *testing.T) {
	per := load(t, "dynamodb-cloudwatch-replay", "")
	fluid := load(t, "dynamodb-cloudwatch-replay", "mode: fluid\n")
	a, b := runOne(t, per), runOne(t, fluid)
	require.True(t, b.Fluid)
	tr := fluid.Workload[0].Arrival.Trace
	units := 0.0
	for _, v := range tr.Series.Values {
		units += v
	}
	assert.InDelta(t, units/16, float64(b.Requests.Total), 1, "fluid: the export's units over 16")
	assert.InEpsilon(t, float64(a.Requests.Total), float64(b.Requests.Total), 0.001, "requests")
	w := func(s *scenarios.Scenario, rep *scenarios.Replication) float64 {
		v, _ := GaugeMean(rep, s.Warmup.D(), metric.Of(metric.ConsumedWCU))
		return v
	}
	assert.InEpsilon(t, w(per, a), w(fluid, b), 0.02, "consumed write capacity")
	assert.InEpsilon(t, Default().MonthlyCost(per, a).TotalUSD, Default().MonthlyCost(fluid, b).TotalUSD, 0.02, "cost")
	assert.Equal(t, "trace: each 60 s period's mean rate, in 1 s fluid steps", fluid.Workload[0].ArrivalModel(fluid.Mode))
}
