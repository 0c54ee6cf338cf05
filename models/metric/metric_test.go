package metric

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestColumnsNameKindThenSubject(t *testing.T) {
	for want, id := range map[string]ID{
		"capacity_acu":            Of(CapacityACU),
		"lag_ms:replica-1":        OfInstance(Lag, "replica-1"),
		"provisioned_wcu:by_user": OfIndex(ProvisionedWCU, "by_user"),
		"consumed_wcu:p0":         OfPartition(ConsumedWCU, "", 0),
		"throttles:by_user:p3":    OfPartition(Throttles, "by_user", 3),
	} {
		assert.Equal(t, want, id.Column())
	}
	assert.Equal(t, "by_user p3", OfPartition(Throttles, "by_user", 3).Subject())
	assert.Equal(t, "", Of(CapacityACU).Subject())
}

func TestEveryKindHasItsOwnStemAndAUnit(t *testing.T) {
	seen := map[string]Kind{}
	for k := Kind(1); k < numKinds; k++ {
		stem := k.String()
		assert.NotEmpty(t, k.Unit(), "kind %d", k)
		assert.NotContains(t, stem, "metric(", "kind %d has no stem", k)
		if other, dup := seen[stem]; dup {
			t.Errorf("kinds %d and %d share the stem %q", other, k, stem)
		}
		seen[stem] = k
	}
}
