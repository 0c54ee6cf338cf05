package scenarios

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDynamoDBGlobalTablesStory: dynamodb-global-tables-region-outage
// against fact 5.32 (items usually reach every replica within a second)
// and the queue its replication is: the writes in flight when us-east-1
// fails are the write rate times the mean replication latency (Little's
// law).
func TestDynamoDBGlobalTablesStory(t *testing.T) {
	rep := runBundled(t, "dynamodb-global-tables-region-outage")
	g := rep.Global
	require.NotNil(t, g)

	// The default delay, lognormal with p50 0.5 s and p99 1.5 s, has a
	// mean of p50·exp(σ²/2); the Regions' one-way delay is half of fact
	// 6.5's 87 ms.
	sigma := math.Log(1.5/0.5) / 2.3263
	meanDelay := 0.5*math.Exp(sigma*sigma/2) + 0.087/2 // ≈ 0.602 s
	lat := column(t, rep, "replication_latency_ms:us-west-2")
	steady := mean(span(rep, lat, 30*time.Second, 3*time.Minute))
	assert.InDelta(t, meanDelay*1000, steady, 15, "replication latency while both Regions are up")
	assert.Less(t, steady, 1000.0, "fact 5.32: typically within a second")

	// us-west-2 down from 3:00 to 5:00: no write reaches it, none is
	// refused in us-east-1, and what waited arrives when it returns,
	// the oldest two minutes late.
	for i, v := range span(rep, lat, 3*time.Minute+5*time.Second, 5*time.Minute) {
		assert.True(t, math.IsNaN(v), "bucket %d of the outage has a replication latency %v", i, v)
	}
	ok := column(t, rep, ColumnWriteOK)
	assert.InDelta(t, 400*120, sum(span(rep, ok, 3*time.Minute, 5*time.Minute)), 400*120*0.03, "us-east-1 keeps serving")
	assert.InDelta(t, 120+meanDelay, g.Latency.Max().Seconds(), 1.5, "the oldest held write")

	// us-east-1 fails at 8:00: at risk are the writes in flight then.
	inFlight := 400 * meanDelay // ≈ 241
	assert.InDelta(t, inFlight, float64(g.AtRisk), 0.2*inFlight, "at risk: rate × mean replication latency")

	// Every write acknowledged is applied in us-west-2 (give or take the
	// writes in flight at the warm-up's end and the run's).
	assert.InDelta(t, float64(rep.Requests.OK), float64(g.Replicated), 2*inFlight)
}

// TestDynamoDBGlobalTableWithoutReplicas: without replicas the table
// reports no global table and no replication latency column.
func TestDynamoDBGlobalTableWithoutReplicas(t *testing.T) {
	s := variant(t, "dynamodb-global-tables-region-outage", "    replicas:\n      - {region: us-west-2}\n", "")
	rep := run(t, s)
	assert.Nil(t, rep.Global)
	_, has := rep.Series.Lookup("replication_latency_ms:us-west-2")
	assert.False(t, has)
}
