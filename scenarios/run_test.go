package scenarios

import (
	"strings"
	"testing"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"

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
	// The same requests arrive; a summary counts those that finished, so the
	// few still in flight when the run ends may differ.
	assert.InDelta(t, a.Requests.Total, b.Requests.Total, 3)
	assert.InDelta(t, a.Latency.Write.Count(), b.Latency.Write.Count(), 3, "the same reads and writes")
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

// events are the narrative lines that contain text, as "m:ss text".
func events(rep *Replication, text string) []cluster.Event {
	var out []cluster.Event
	for _, e := range rep.Events {
		if strings.Contains(e.Text, text) {
			out = append(out, e)
		}
	}
	return out
}

// Two outages of the primary's AZ, 1:00-6:00 and 2:00-2:30: the AZ stays
// down until 6:00, as the narrative and the old primary's return say, and
// the fault windows show each outage as written.
func TestOverlappingAZOutagesStack(t *testing.T) {
	rep := runOne(t, `
name: overlap-az-outage
duration: 8m
system: {kind: rds, engine: postgres, az: us-east-1b, multi_az: instance, standby_az: us-east-1c}
clients: {az: us-east-1a}
workload:
  - {name: w, arrival: {rate: 100/s}, mix: {read: 0.5, write: 0.5}}
faults:
  - {at: 1m, kind: az-outage, az: us-east-1b, for: 5m}
  - {at: 2m, kind: az-outage, az: us-east-1b, for: 30s}
`)
	back := events(rep, "us-east-1b back up")
	require.Len(t, back, 1)
	assert.Equal(t, sim.At(6*time.Minute), back[0].At)
	stays := events(rep, "outage of us-east-1b at 2:00 ends; us-east-1b stays down (another outage lasts)")
	require.Len(t, stays, 1)
	assert.Equal(t, sim.At(150*time.Second), stays[0].At)
	// The old primary in us-east-1b rejoins as the standby only once its AZ
	// is back.
	sync := events(rep, "in sync again")
	require.Len(t, sync, 1)
	assert.Greater(t, sync[0].At, sim.At(6*time.Minute))
	require.Len(t, rep.Failovers, 1)
	assert.Equal(t, []FaultWindow{
		{Start: sim.At(time.Minute), End: sim.At(6 * time.Minute), Label: "AZ outage us-east-1b"},
		{Start: sim.At(2 * time.Minute), End: sim.At(150 * time.Second), Label: "AZ outage us-east-1b"},
	}, rep.Faults)
}

// Two partitions between the primary and its clients, 1:00-3:00 and
// 1:30-1:40 (written the other way round): requests fail until 3:00.
func TestOverlappingPartitionsStack(t *testing.T) {
	rep := runOne(t, `
name: overlap-partition
duration: 4m
bucket: 10s
system: {kind: rds, multi_az: instance, az: us-east-1a, standby_az: us-east-1b}
clients: {az: us-east-1c}
workload:
  - name: w
    arrival: {rate: 100/s}
faults:
  - {at: 1m, kind: network-partition, between: [us-east-1a, us-east-1c], for: 2m}
  - {at: 90s, kind: network-partition, between: [us-east-1c, us-east-1a], for: 10s}
`)
	assert.Len(t, events(rep, "partition between us-east-1c and us-east-1a at 1:30 heals; they stay apart (another partition lasts)"), 1)
	healed := events(rep, "healed")
	require.Len(t, healed, 1)
	assert.Equal(t, sim.At(3*time.Minute), healed[0].At)
	s := rep.Series
	ok, failed := s.Values(s.Column("ok")), s.Values(s.Column("failed"))
	for row := 7; row < 17; row++ { // 1:10 to 2:50, by arrival time
		assert.Zero(t, ok[row], "bucket at %ds: nothing gets through", row*10)
		assert.Positive(t, failed[row], "bucket at %ds", row*10)
	}
	assert.Positive(t, ok[19], "after 3:00 requests succeed again")
}

// A random outage process of an AZ overlapping a long scheduled outage of
// it: the AZ comes back only when both have ended, every time.
func TestRandomOutagesStackWithScheduledOnes(t *testing.T) {
	rep := runOne(t, `
name: overlap-random
duration: 3h
system: {kind: rds, engine: postgres, az: us-east-1b, multi_az: instance, standby_az: us-east-1c}
clients: {az: us-east-1a}
workload:
  - {name: w, arrival: {rate: 2/s}, mix: {read: 0.5, write: 0.5}}
faults:
  - {at: 10m, kind: az-outage, az: us-east-1b, for: 1h}
  - {kind: az-outage, az: us-east-1b, mttf: 10m, mttr: 5m}
`)
	inside := 0
	for _, w := range rep.Faults[1:] {
		if w.Start >= sim.At(10*time.Minute) && w.End < sim.At(70*time.Minute) {
			inside++
		}
	}
	require.Positive(t, inside, "the random process has outages within the scheduled one")
	for _, e := range events(rep, "us-east-1b back up") {
		assert.False(t, e.At > sim.At(10*time.Minute) && e.At < sim.At(70*time.Minute),
			"%v: us-east-1b back up during the scheduled outage", e.At)
		for _, w := range rep.Faults {
			assert.False(t, w.Start <= e.At && e.At < w.End, "%v: back up during %v-%v", e.At, w.Start, w.End)
		}
	}
	assert.NotEmpty(t, events(rep, "stays down (another outage lasts)"))
}

// Storage node failures in one AZ that overlap take different nodes, and a
// failure during its AZ's outage outlasts the outage: the node is still
// down (and so re-replicated) after the AZ comes back.
func TestOverlappingStorageNodeFailures(t *testing.T) {
	rep := runOne(t, `
name: overlap-storage
duration: 4m
system: {kind: aurora}
workload:
  - {name: w, arrival: {rate: 100/s}, mix: {read: 0.5, write: 0.5}}
faults:
  - {at: 30s, kind: az-outage, az: us-east-1b, for: 1m}
  - {at: 1m, kind: storage-node-failure, az: us-east-1b, count: 1, for: 2m}
  - {at: 100s, kind: storage-node-failure, az: us-east-1b, count: 1, for: 20s}
`)
	failed := events(rep, "storage node sn-")
	require.Len(t, failed, 2, "two failures, two nodes")
	assert.Equal(t, sim.At(time.Minute), failed[0].At, "the node fails though its AZ is down")
	assert.NotEqual(t, failed[0].Text, failed[1].Text)
	name := strings.TrimSuffix(strings.TrimPrefix(failed[0].Text, "storage node "), " failed")
	repaired := events(rep, "re-replicated from "+name+" ")
	require.NotEmpty(t, repaired, "%s stays down after its AZ's outage, until repaired", name)
	assert.Greater(t, repaired[0].At, sim.At(90*time.Second))
	assert.Len(t, rep.Faults, 3)
}
