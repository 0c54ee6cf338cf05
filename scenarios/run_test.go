package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustParse(t *testing.T, src string) *Scenario {
	t.Helper()
	s, err := Parse("test.yaml", []byte(src))
	require.NoError(t, err)
	return s
}

func runOne(t *testing.T, src string) *Replication {
	t.Helper()
	rep, err := RunReplication(mustParse(t, src), 0)
	require.NoError(t, err)
	return rep
}

func TestRateChangesAndWarmup(t *testing.T) {
	rep := runOne(t, `
name: rates
duration: 4m
warmup: 1m
system: {kind: rds}
workload:
  - name: w
    arrival: {process: constant, rate: 100/s}
    rate_changes: [{at: 2m, rate: 300/s}]
`)
	// After the 1-minute warmup: 1 minute at 100/s and 2 minutes at 300/s.
	assert.InDelta(t, 60*100+120*300, rep.Requests.Total, 5)
	assert.Equal(t, rep.Requests.Total, rep.Requests.OK)
	assert.InDelta(t, 180, rep.SimulatedSeconds, 1e-9)
}

func TestRandomFaultProcess(t *testing.T) {
	rep := runOne(t, `
name: random-crashes
duration: 6h
system: {kind: rds, multi_az: instance}
workload:
  - name: w
    arrival: {rate: 20/s}
    mix: {read: 0.5, write: 0.5}
faults:
  - {kind: instance-failure, mttf: 30m}
`)
	// About 6h / (30m + the failover) crashes; a Poisson count, so loosely.
	n := len(rep.Failovers)
	assert.True(t, n >= 5 && n <= 20, "%d failovers", n)
	for _, f := range rep.Failovers {
		assert.Zero(t, f.LostWrites)
	}
	assert.Less(t, float64(rep.Requests.OK)/float64(rep.Requests.Total), 1.0)
}

func TestAZOutageOfThePrimaryFailsOver(t *testing.T) {
	rep := runOne(t, `
name: az
duration: 6m
system: {kind: rds, multi_az: instance, az: us-east-1a, standby_az: us-east-1b}
clients: {az: us-east-1c}
workload:
  - name: w
    arrival: {rate: 100/s}
    mix: {read: 0.8, write: 0.2}
faults:
  - {at: 1m, kind: az-outage, az: us-east-1a, for: 3m}
`)
	require.Len(t, rep.Failovers, 1)
	f := rep.Failovers[0]
	assert.Equal(t, "AZ outage", f.Cause)
	assert.Zero(t, f.LostWrites)
	require.Len(t, rep.Faults, 1)
	assert.Equal(t, 3*time.Minute, rep.Faults[0].End.Sub(rep.Faults[0].Start))
}

func TestPartitionFromClientsIsNotAFailover(t *testing.T) {
	rep := runOne(t, `
name: partition
duration: 4m
system: {kind: rds, multi_az: instance, az: us-east-1a, standby_az: us-east-1b}
clients: {az: us-east-1c}
workload:
  - name: w
    arrival: {rate: 100/s}
faults:
  - {at: 1m, kind: network-partition, between: [us-east-1a, us-east-1c], for: 30s}
`)
	assert.Empty(t, rep.Failovers, "the control plane still sees a healthy primary")
	// Requests arriving during the partition fail, except those of its last
	// seconds, whose retries (after 2 s timeouts) land after it healed.
	failed := rep.Requests.Failed
	assert.True(t, failed > 20*100 && failed < 30*100, "%d failed", failed)
}

func TestCommonRandomNumbersAcrossSystems(t *testing.T) {
	// The same workload and seed through two systems: the arrivals are the
	// same requests, so differences come from the systems.
	src := func(multiAZ string) string {
		return `
name: crn
duration: 2m
system: {kind: rds, multi_az: ` + multiAZ + `}
workload:
  - name: w
    arrival: {rate: 300/s}
    mix: {read: 0.7, write: 0.3}
`
	}
	a, b := runOne(t, src("none")), runOne(t, src("instance"))
	assert.Equal(t, a.Requests.Total, b.Requests.Total)
	assert.Equal(t, a.Latency.Write.Count(), b.Latency.Write.Count(), "the same reads and writes")
	assert.Greater(t, b.Latency.Write.Quantile(0.5), a.Latency.Write.Quantile(0.5), "Multi-AZ writes wait for the standby")
	assert.InDelta(t, a.Latency.Read.Quantile(0.5).Seconds(), b.Latency.Read.Quantile(0.5).Seconds(), 0.0002, "reads do not")
}

func TestReplicationsAreIndependentAndOrdered(t *testing.T) {
	s := mustParse(t, `
name: reps
duration: 1m
replications: 4
system: {kind: rds}
workload:
  - name: w
    arrival: {rate: 200/s}
`)
	res, err := Run(s, Options{Workers: 3})
	require.NoError(t, err)
	require.Len(t, res.Replications, 4)
	seen := map[int64]bool{}
	for i, r := range res.Replications {
		assert.Equal(t, i, r.Index)
		seen[r.Requests.Total] = true
	}
	assert.Greater(t, len(seen), 1, "different seeds give different arrivals")
	assert.Equal(t, s.Seed, res.Replications[0].Seed, "replication 0 uses the scenario's seed")
}
