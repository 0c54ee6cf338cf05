package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
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

// A manual failover whose target is lost with its AZ before it is
// promoted: the demoted writer, healthy, is the only copy left and takes
// writes again in place, in seconds, not after a new instance is built.
func TestManualFailoverLosingItsTargetKeepsTheWriter(t *testing.T) {
	f := runOperator(t, operatorHead+"system: {kind: aurora, replicas: [{az: b}]}\n"+
		"faults: [{at: 1m, kind: manual-failover}, {at: 1m2s, kind: az-outage, az: b, for: 1m}]\n")
	assert.NotEqual(t, cluster.Never, f.Accepting, "the writer takes writes again")
	assert.Less(t, f.Accepting.Sub(f.Start), 20*time.Second, "promotion time, then the engine start in place")
	assert.Zero(t, f.LostWrites)
}

// TestPoolValidationDropsTheDemotedWriter: after a manual failover the
// old Aurora writer comes back as a reader. Clients that reconnected to it
// while the cluster endpoint's DNS change spread (fact 1.6) keep those
// connections in their writer pools: without validation, every write on
// one fails ("read-only"), for as long as the connection lives. A check
// on borrow finds the instance read-only and replaces the connection.
func TestPoolValidationDropsTheDemotedWriter(t *testing.T) {
	run := func(validation string) (*Replication, float64) {
		src := strings.Replace(operatorHead, "duration: 3m", "duration: 5m", 1)
		src = strings.Replace(src, "clients: {az: a}", "clients: {az: a, pool_validation: "+validation+"}", 1)
		s, err := Parse("validation.yaml", []byte(src+
			"system: {kind: aurora, replicas: [{az: b}]}\nfaults: [{at: 1m, kind: manual-failover}]\n"))
		require.NoError(t, err)
		rep, err := RunReplication(s, 0)
		require.NoError(t, err)
		// Writes that failed from a minute after the failover on: the
		// failover and the DNS change are over by then.
		return rep, sum(span(rep, column(t, rep, "write_failed"), 2*time.Minute, 5*time.Minute))
	}
	none, staleNone := run("none")
	valid, staleValid := run("on-borrow")
	t.Logf("writes failed from 2 to 5 min: %.0f without validation, %.0f with", staleNone, staleValid)
	assert.Greater(t, staleNone, 1000.0, "without validation, writes keep failing on the demoted writer")
	require.Len(t, none.Failovers, 1)
	assert.Equal(t, cluster.Never, none.Failovers[0].ClientsRecovered, "some client never writes again")
	assert.Zero(t, staleValid, "validated pools replace their connections to the demoted writer")
	require.Len(t, valid.Failovers, 1)
	assert.Less(t, valid.Failovers[0].ClientsRecovered.Sub(valid.Failovers[0].Start), time.Minute)
}
