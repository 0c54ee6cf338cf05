package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/sim"
)

// Little's law, L = λW, on a run's own outputs: the statements at the
// engine (utilization × vCPUs + queued, from the time series) against the
// throughput times the time a request spends at the engine (the clients'
// mean latency less the network's round trip; at this load nobody waits
// for a pooled connection or retries).
func TestLittlesLawHoldsOnTheOutputs(t *testing.T) {
	s, err := Parse("littles-law.yaml", []byte(`
name: littles-law
seed: 7
duration: 130s
warmup: 10s
replications: 6
topology: {region: us-east-1, azs: [us-east-1a, us-east-1b]}
system: {kind: rds, engine: postgres, instance_class: db.r6g.large, az: us-east-1a}
clients: {az: us-east-1a}
workload:
  - {name: w, arrival: {rate: 2000/s}, mix: {read: 0.8, write: 0.2}}
`))
	require.NoError(t, err)
	res, err := Run(s, Options{})
	require.NoError(t, err)
	const vcpus = 2 // db.r6g.large
	rtt := s.Topology.SameAZRTT.D()
	var ls, lws []float64
	for _, rep := range res.Replications {
		require.Zero(t, rep.Requests.Retried, "no retries at 70 % of capacity")
		util, queued := column(t, rep, "utilization:primary"), column(t, rep, "queued:primary")
		from := int(s.Warmup.D() / rep.Series.Bucket())
		var l float64
		for k := from; k < len(util); k++ {
			l += util[k]*vcpus + queued[k]
		}
		l /= float64(len(util) - from)
		lambda := float64(rep.Requests.OK) / rep.SimulatedSeconds
		w := (time.Duration(rep.Latency.All.Mean()) - rtt).Seconds()
		ls = append(ls, l)
		lws = append(lws, lambda*w)
	}
	mean, lo, hi := sim.MeanCI95(ls)
	lw, _, _ := sim.MeanCI95(lws)
	t.Logf("L = %.4f (95%% CI %.4f–%.4f), λW = %.4f", mean, lo, hi, lw)
	assert.True(t, lo <= lw && lw <= hi, "λW = %.4f outside L's 95%% interval [%.4f, %.4f]", lw, lo, hi)
	assert.InDelta(t, mean, lw, 0.02*mean)
}
