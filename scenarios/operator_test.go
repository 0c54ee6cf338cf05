package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runOperator runs replication 0 of a scenario given as YAML and returns its
// only failover.
func runOperator(t *testing.T, src string) Failover {
	t.Helper()
	s, err := Parse("operator.yaml", []byte(src))
	require.NoError(t, err)
	rep, err := RunReplication(s, 0)
	require.NoError(t, err)
	require.Len(t, rep.Failovers, 1)
	return rep.Failovers[0]
}

const operatorHead = `name: op
duration: 3m
topology: {azs: [a, b, c]}
clients: {az: a}
workload: [{name: w, arrival: {rate: 200/s}, mix: {read: 0.5, write: 0.5}}]
`

func TestEngineCrashRestartsInPlace(t *testing.T) {
	// RDS: no failover, the same recovery as one (fact 1.4): engine start
	// (15 s by default) and the replay of the redo since the checkpoint.
	f := runOperator(t, operatorHead+"system: {kind: rds, multi_az: instance}\nfaults: [{at: 1m, kind: engine-crash}]\n")
	assert.Equal(t, "engine crash", f.Cause)
	assert.Equal(t, f.Start, f.Detected, "the process restarts itself: nothing to detect")
	d := f.Accepting.Sub(f.Start)
	assert.GreaterOrEqual(t, d, 15*time.Second, "engine start")
	assert.Less(t, d, 20*time.Second, "and a little redo: 100 writes/s for at most 5 min")
	assert.Zero(t, f.LostWrites)

	// Aurora: no redo to replay (facts 3.15, 3.16): back in under 10 s.
	a := runOperator(t, operatorHead+"system: {kind: aurora, replicas: [{az: b}]}\nfaults: [{at: 1m, kind: engine-crash}]\n")
	assert.Less(t, a.Accepting.Sub(a.Start), 10*time.Second, "fact 3.15: Aurora recovers in under 10 s")
	assert.Zero(t, a.LostWrites)
}

func TestManualFailoverNeedsNoDetection(t *testing.T) {
	// failover-db-cluster: no health checks. Aurora: promotion (5 s) and
	// the replica's restart, against detection plus the same after an
	// instance failure.
	manual := runOperator(t, operatorHead+"system: {kind: aurora, replicas: [{az: b}]}\nfaults: [{at: 1m, kind: manual-failover}]\n")
	crash := runOperator(t, operatorHead+"system: {kind: aurora, replicas: [{az: b}]}\nfaults: [{at: 1m, kind: instance-failure}]\n")
	assert.Equal(t, manual.Start, manual.Detected)
	assert.Less(t, manual.Accepting.Sub(manual.Start), crash.Accepting.Sub(crash.Start), "no detection to wait for")
	assert.Less(t, manual.Accepting.Sub(manual.Start), 15*time.Second)
	assert.Zero(t, manual.LostWrites)

	// A Multi-AZ DB cluster: a standby promoted once it has applied its
	// backlog, well within fact 1.14's 35 s; nothing lost.
	c := runOperator(t, operatorHead+"system: {kind: rds, engine: mysql, instance_class: db.r6gd.large, multi_az: cluster}\nfaults: [{at: 1m, kind: manual-failover}]\n")
	assert.Equal(t, c.Start, c.Detected)
	assert.Less(t, c.Accepting.Sub(c.Start), 35*time.Second)
	assert.Zero(t, c.LostWrites)
	assert.Contains(t, c.Cause, "failover-db-cluster")
}
