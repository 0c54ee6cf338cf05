package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestComparabilityIgnoresWhatOneSystemCannotExpress(t *testing.T) {
	// A DynamoDB workload defaults consistency to eventual and may not set
	// reads_from; neither makes the RDS comparison unfair.
	var list []*Scenario
	for _, n := range []string{"order-processing-rds", "order-processing-aurora", "order-processing-dynamodb"} {
		s, err := LoadBundled(n)
		require.NoError(t, err)
		list = append(list, s)
	}
	assert.Empty(t, Comparability(list))

	// Targets name instances in each system's words: not a difference.
	r, err := LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	a, err := LoadBundled("aurora-vs-rds-failover")
	require.NoError(t, err)
	assert.Empty(t, Comparability([]*Scenario{r, a}))

	// A fault at another time is.
	a.Faults[0].At = Duration(4 * 60e9)
	w := Comparability([]*Scenario{r, a})
	require.Len(t, w, 1)
	assert.Contains(t, w[0], "faults[0].at (4m vs 3m)")
}
