package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyspacesPresetPartitionLimit(t *testing.T) {
	// Fact 5.44: an Amazon Keyspaces partition serves at most 1,000 WCU/s
	// (and 3,000 RCU/s), as a DynamoDB partition does (fact 5.1). The
	// celebrity key of dynamodb-celebrity-key on a Keyspaces table, with a
	// Cassandra driver's retries instead of an AWS SDK's.
	s, err := LoadBundled("dynamodb-celebrity-key")
	require.NoError(t, err)
	src := strings.Replace(string(s.Source), "  kind: dynamodb\n", "  kind: dynamodb\n  service: keyspaces\n", 1)
	src = strings.Replace(src, "  sdk: go-v2-standard\n", "  retry: {max_attempts: 3, base: 50ms, cap: 2s}\n", 1)
	v, err := Parse("keyspaces.yaml", []byte(src))
	require.NoError(t, err)
	require.Equal(t, "keyspaces", v.System.DynamoDB.Service)
	rep := run(t, v)
	hot, _ := throttling(rep)
	require.NotEmpty(t, hot)
	served := mean(span(rep, column(t, rep, "consumed_wcu:"+hot[0]), 3*time.Minute, 10*time.Minute))
	assert.InDelta(t, 1000, served, 30, "the celebrity key's partition serves its 1,000 WCU/s")
	t.Logf("keyspaces: %s serves %.0f WCU/s", hot[0], served)
}

func TestKeyspacesPresetReadUnits(t *testing.T) {
	// Fact 5.44, the published example: an 8 KB row costs 2 RCU read at
	// LOCAL_QUORUM (consistency: strong) and 1 at LOCAL_ONE (eventual);
	// a 1 MB row, Keyspaces' largest, is read, not refused.
	for _, c := range []struct {
		consistency, size, rate string
		rcu                     float64
	}{{"strong", "8KB", "100/s", 200}, {"eventual", "8KB", "100/s", 100}, {"strong", "1MB", "4/s", 4 * 256}} {
		s := mustParse(t, `
name: keyspaces-reads
duration: 1m
system:
  kind: dynamodb
  service: keyspaces
  table: {mode: on-demand}
workload:
  - name: reads
    arrival: {process: constant, rate: `+c.rate+`}
    ops: {get: 1}
    consistency: `+c.consistency+`
    item_size: `+c.size+`
`)
		rep := run(t, s)
		got := mean(span(rep, column(t, rep, "consumed_rcu"), 10*time.Second, 50*time.Second))
		assert.InDelta(t, c.rcu, got, c.rcu*0.02, "%s reads of %s rows", c.consistency, c.size)
		assert.Zero(t, counter(rep, "invalid"))
	}
}
