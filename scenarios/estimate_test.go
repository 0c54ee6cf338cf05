package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEstimateFollowsRateChangesAndReplications(t *testing.T) {
	s, err := Parse("t.yaml", []byte(`name: t
duration: 10m
replications: 2
system: {kind: rds}
clients: {retry: {max_attempts: 4}}
workload:
  - name: a
    arrival: {rate: 100/s}
    rate_changes: [{at: 5m, rate: 300/s}, {at: 9m, rate: 1/s}]
  - name: b
    arrival: {rate: 10/s}
`))
	require.NoError(t, err)
	e := EstimateOf(s, 1)
	// a: 100/s for 300 s, 300/s for 240 s, 1/s for 60 s; b: 10/s for
	// 600 s; twice.
	assert.Equal(t, 2*(100*300+300*240+60+10*600.0), e.Requests)
	assert.Equal(t, 4*e.Requests, e.Attempts)
	assert.Equal(t, e.Requests*eventsPerAttempt("rds"), e.Events)
	assert.Empty(t, e.Over(DefaultLimits))
	assert.Equal(t, 310.0, s.peakRate())
}

func TestEstimateRefusesABillionRequestsASecond(t *testing.T) {
	start := time.Now()
	s, err := Parse("t.yaml", []byte(`name: t
duration: 10m
system: {kind: rds}
workload: [{name: w, arrival: {rate: 1e9/s}}]
`))
	require.NoError(t, err, "the scenario is valid: only its size is a problem")
	e := EstimateOf(s, 2)
	over := e.Over(DefaultLimits)
	assert.Less(t, time.Since(start), time.Second)
	assert.Equal(t, 6e11, e.Requests)
	require.Len(t, over, 1, "%v", over)
	assert.Equal(t, "3.6e12 events over 2.0e10", over[0])
	assert.Less(t, e.PeakBytes, 1e9, "the client processes hold at most max_in_flight requests each")
	assert.Equal(t, "~6.0e11 simulated requests (up to 1.8e12 attempts; ~3.6e12 events, ~333 h, ~146 MB peak)", e.String())
}

func TestEstimateRefusesAFaultEveryNanosecond(t *testing.T) {
	s, err := Parse("t.yaml", []byte(`name: t
duration: 10m
system: {kind: rds, multi_az: instance}
workload: [{name: w, arrival: {rate: 100/s}}]
faults: [{kind: az-outage, az: us-east-1a, mttf: 1ns, mttr: 1ns}]
`))
	require.NoError(t, err)
	e := EstimateOf(s, 1)
	assert.InDelta(t, 9e11, e.FaultEvents, 1e9)
	over := e.Over(DefaultLimits)
	require.Len(t, over, 2, "%v", over)
	assert.Contains(t, over[1], "9.0e11 fault events for 60000 requests")

	s.Faults[0].MTTF = Duration(time.Hour)
	assert.Empty(t, EstimateOf(s, 1).Over(DefaultLimits), "one outage an hour is fine")
}

// The estimate is calibrated on the bundled scenarios: its requests are
// what the runs send, its events a bound within a small factor of what
// their kernels fire.
func TestEstimateAgainstMeasuredRuns(t *testing.T) {
	for _, name := range []string{"rds-multi-az-failover", "aurora-az-plus-one", "dynamodb-hot-partition"} {
		s, err := LoadBundled(name)
		require.NoError(t, err)
		s.Replications = 1
		var p Progress
		res, err := Run(s, Options{Progress: &p})
		require.NoError(t, err)
		e := EstimateOf(s, 1)
		sent := float64(res.Replications[0].Requests.Total) * s.Duration.D().Seconds() / (s.Duration - s.Warmup).D().Seconds()
		fired := float64(p.Events())
		t.Logf("%s: requests %.0f estimated, %.0f sent; events %.0f estimated, %.0f fired", name, e.Requests, sent, e.Events, fired)
		assert.InEpsilon(t, e.Requests, sent, 0.1, name)
		assert.GreaterOrEqual(t, e.Events, fired, "%s: the estimate of events is an upper bound", name)
		assert.Less(t, e.Events, 2*fired, name)
		assert.Equal(t, s.Duration.D(), p.Simulated())
		assert.Equal(t, 1, p.Finished())
	}
	for _, b := range Bundled() {
		s, err := LoadBundled(b.Name)
		require.NoError(t, err)
		assert.Empty(t, EstimateOf(s, 2).Over(DefaultLimits), b.Name)
	}
}
