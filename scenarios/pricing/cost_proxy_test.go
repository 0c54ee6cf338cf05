package pricing

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

// TestProxyCost: RDS Proxy bills $0.015 per vCPU-hour of the instances
// behind it (fact 7.25): a db.r6g.large primary's 2 vCPUs for 730 h are
// $21.90 a month; a cluster's three instances three times that; Serverless
// v2 at least 8 ACUs.
func TestProxyCost(t *testing.T) {
	line := func(src string) (Item, bool) {
		s, err := scenarios.Parse("proxy.yaml", []byte(src))
		require.NoError(t, err)
		for _, it := range MonthlyCost(s, nil).Items {
			if strings.HasPrefix(it.What, "RDS Proxy") {
				return it, true
			}
		}
		return Item{}, false
	}
	const head = "name: p\nduration: 1m\nworkload: [{name: w, arrival: {rate: 1/s}}]\n"
	it, ok := line(head + "system: {kind: rds, instance_class: db.r6g.large, multi_az: instance, proxy: {}}\n")
	require.True(t, ok)
	assert.InDelta(t, 21.90, it.USD, 0.005)
	assert.True(t, it.Estimated, "whether the standby counts is not published")
	it, ok = line(head + "system: {kind: rds, instance_class: db.r6gd.large, multi_az: cluster, proxy: {}}\n")
	require.True(t, ok)
	assert.InDelta(t, 3*21.90, it.USD, 0.005)
	assert.False(t, it.Estimated)
	it, ok = line(head + "system: {kind: aurora, serverless: {min_acu: 0.5, max_acu: 4}, proxy: {}}\n")
	require.True(t, ok)
	assert.InDelta(t, 8*0.015*730, it.USD, 0.005, "the 8-ACU minimum")
	_, ok = line(head + "system: {kind: rds, proxy: {enabled: false}}\n")
	assert.False(t, ok, "a proxy turned off costs nothing")
}
