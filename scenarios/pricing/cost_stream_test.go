package pricing

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/dynamodb"
	"dbsim/scenarios"
)

func TestStreamConsumerCostByHand(t *testing.T) {
	// Facts 7.27–7.29: 1,000 invocations of 500 ms at 512 MB in a measured
	// hour, over a 730-hour month: 730,000 invocations at $0.20 per
	// million = $0.146; 730,000 × 0.5 s × 0.5 GB = 182,500 GB-s at
	// $0.0000166667 = $3.04; Lambda's GetRecords calls are free.
	s, err := scenarios.Parse("t.yaml", []byte(`name: t
duration: 1h
system:
  kind: dynamodb
  table:
    wcu: 100
    stream: {consumer: {duration: {dist: constant, value: 500ms}, memory_mb: 512}}
workload:
  - arrival: {rate: 10/s}
`))
	require.NoError(t, err)
	rep := &scenarios.Replication{SimulatedSeconds: 3600,
		Stream: &scenarios.StreamStats{StreamStats: dynamodb.StreamStats{Invocations: 1000, BilledMS: 500_000, MemoryMB: 512}}}
	var b costBuilder
	Default().streamCost(&b, s, rep)
	c := b.cost()
	require.Len(t, c.Items, 3)
	assert.InDelta(t, 0.73, c.Items[0].Quantity, 1e-9, "million invocations")
	assert.Equal(t, 0.15, c.Items[0].USD)
	assert.InDelta(t, 182500, c.Items[1].Quantity, 1e-6, "GB-seconds")
	assert.Equal(t, 3.04, c.Items[1].USD)
	assert.Zero(t, c.Items[2].USD, "GetRecords by Lambda are free")
	assert.Equal(t, 3.19, c.RequestsUSD)

	// Without a stream: no line.
	plain, err := scenarios.Parse("u.yaml", []byte(`name: u
duration: 1h
system: {kind: dynamodb, table: {wcu: 100}}
workload:
  - arrival: {rate: 10/s}
`))
	require.NoError(t, err)
	b = costBuilder{}
	Default().streamCost(&b, plain, rep)
	assert.Empty(t, b.items)
}
