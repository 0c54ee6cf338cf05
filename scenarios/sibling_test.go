package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDocumentDBPresetFailsOverUnder30s(t *testing.T) {
	// Fact 3.43: DocumentDB keeps six copies of each 10 GB of the volume in
	// three AZs, as Aurora does, and a failover to a replica typically
	// takes under 30 s (service back in < 120 s, often < 60 s). The
	// aurora-vs-rds-failover cluster as DocumentDB.
	s := variant(t, "aurora-vs-rds-failover", "  kind: aurora\n", "  kind: aurora\n  engine: docdb\n")
	assert.Equal(t, "docdb", s.System.Aurora.Engine)
	rep := run(t, s)
	require.Len(t, rep.Failovers, 1)
	f := rep.Failovers[0]
	took := f.Accepting.Sub(f.Start)
	assert.Less(t, took, 30*time.Second, "fact 3.43: typically under 30 s")
	assert.Less(t, f.ClientsRecovered.Sub(f.Start), 60*time.Second, "service back in under 60 s")
	assert.Zero(t, f.LostWrites, "the replica reads the shared volume")
	t.Logf("docdb: new writer accepting %v after the failure, every client writing again after %v", took, f.ClientsRecovered.Sub(f.Start))
}

func TestNeptunePresetRebootsReplicas(t *testing.T) {
	// Fact 3.44: Neptune on the same storage; in a failover its replicas
	// reboot, so reads through the reader endpoint fail for a while too;
	// service typically back in < 120 s, often < 60 s.
	for _, engine := range []string{"aurora-postgresql", "neptune"} {
		s := variant(t, "aurora-vs-rds-failover", "  kind: aurora\n  instance_class: db.r6g.large\n",
			"  kind: aurora\n  engine: "+engine+"\n  instance_class: db.r6g.large\n")
		v := variant(t, "aurora-vs-rds-failover", "    - {az: us-east-1b, tier: 0}\n", "    - {az: us-east-1b, tier: 0}\n    - {az: us-east-1c, tier: 1}\n")
		v.System.Aurora.Engine = s.System.Aurora.Engine
		v.Workload[0].ReadsFrom = "replicas"
		rep := run(t, v)
		require.Len(t, rep.Failovers, 1)
		f := rep.Failovers[0]
		assert.Less(t, f.ClientsRecovered.Sub(f.Start), 60*time.Second, "%s: often under 60 s", engine)
		reads := column(t, rep, "read_failed")
		failed := sum(span(rep, reads, 3*time.Minute, 4*time.Minute))
		if engine == "neptune" {
			assert.Greater(t, failed, 1000.0, "the other replica reboots too: reads fail")
		} else {
			assert.Less(t, failed, 1000.0, "Aurora restarts only the old and new writers")
		}
		t.Logf("%s: clients writing again after %v; %.0f reads failed in the minute of the failover", engine, f.ClientsRecovered.Sub(f.Start), failed)
	}
}

func TestDocumentDBFailoverBundled(t *testing.T) {
	// Fact 3.43: the bundled documentdb-failover does what its description
	// says: the writer accepting in under 30 s, every client writing in
	// under 60 s, nothing lost, no read failing (the replicas serve them).
	rep := runBundled(t, "documentdb-failover")
	require.Len(t, rep.Failovers, 1)
	f := rep.Failovers[0]
	assert.InDelta(t, 25, f.Accepting.Sub(f.Start).Seconds(), 3)
	assert.Less(t, f.Accepting.Sub(f.Start), 30*time.Second)
	assert.InDelta(t, 42, f.ClientsRecovered.Sub(f.Start).Seconds(), 5)
	assert.Zero(t, f.LostWrites)
	assert.Zero(t, sum(column(t, rep, "read_failed")), "no read fails")
	assert.Greater(t, sum(span(rep, column(t, rep, "write_failed"), 3*time.Minute, 4*time.Minute)), 1000.0)
}
