package pricing

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

func TestBackupStorageBeyondTheFreeAllowanceIsPriced(t *testing.T) {
	// Fact 7.26: backup storage up to the provisioned storage is free;
	// beyond it $0.095 per GB-month. A 50 GB instance acknowledging 200
	// writes/s of 2 KiB of log keeps 7 days × 200 × 2 KiB ≈ 231 GB of log
	// beside its 50 GB snapshot: the log is billed.
	s, err := scenarios.LoadBundled("rds-point-in-time-restore")
	require.NoError(t, err)
	rep, err := scenarios.RunReplication(s, 0)
	require.NoError(t, err)
	c := MonthlyCost(s, rep)
	var line *Item
	for i, it := range c.Items {
		if strings.HasPrefix(it.What, "backup storage") {
			line = &c.Items[i]
		}
	}
	require.NotNil(t, line, "a backup storage line")
	assert.InDelta(t, 7*86400*200*2048.0/(1<<30), line.Quantity, 10)
	assert.InDelta(t, 0.095*line.Quantity, line.USD, 0.01)
	assert.True(t, line.Estimated)
	assert.True(t, c.Estimated)

	// Without backup: no line.
	s2, err := scenarios.LoadBundled("rds-single-az-crash")
	require.NoError(t, err)
	for _, it := range MonthlyCost(s2, rep).Items {
		assert.False(t, strings.HasPrefix(it.What, "backup storage"))
	}
}
