package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryBundledComparisonLoads(t *testing.T) {
	all := BundledComparisons()
	require.NotEmpty(t, all)
	for _, e := range all {
		assert.True(t, IsBundledComparison(e.Name))
		c, err := LoadBundledComparison(e.Name)
		require.NoError(t, err, e.Name)
		assert.GreaterOrEqual(t, len(c.Scenarios), 2, e.Name)
		for _, s := range c.Scenarios {
			_, err := LoadBundled(s)
			assert.NoError(t, err, "%s lists %s", e.Name, s)
		}
	}
	assert.False(t, IsBundledComparison("rds-multi-az-failover"), "a scenario is not a comparison")
	assert.False(t, IsBundledComparison("../library/rds-multi-az-failover"))
}

func TestOrderProcessingSetSharesItsWorkload(t *testing.T) {
	// The bundled comparison is fair: one seed, one workload, one fault.
	c, err := LoadBundledComparison("rds-vs-aurora-vs-dynamodb")
	require.NoError(t, err)
	first, err := LoadBundled(c.Scenarios[0])
	require.NoError(t, err)
	for _, name := range c.Scenarios[1:] {
		s, err := LoadBundled(name)
		require.NoError(t, err)
		assert.Equal(t, first.Seed, s.Seed, name)
		assert.Equal(t, first.Duration, s.Duration, name)
		assert.Equal(t, first.Faults, s.Faults, name)
		require.Len(t, s.Workload, 1)
		w, f := s.Workload[0], first.Workload[0]
		assert.Equal(t, []any{f.Name, f.Arrival, f.Mix, f.Keys, f.ItemSize}, []any{w.Name, w.Arrival, w.Mix, w.Keys, w.ItemSize}, name)
	}
}
