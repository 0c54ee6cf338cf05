package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failoverOf runs replication 0 of s and returns its only failover.
func failoverOf(t *testing.T, s *Scenario) Failover {
	t.Helper()
	rep := run(t, s)
	require.Len(t, rep.Failovers, 1)
	return rep.Failovers[0]
}

// TestAuroraClientsThreeWays: one Aurora writer failure seen by clients
// that follow the cluster endpoint's DNS, by a topology-aware driver and
// through RDS Proxy, against the published figures: an Aurora failover
// with a replica is usually back in under 60 s, often under 30 s (fact
// 3.21); the AWS Advanced JDBC Wrapper's writer failover takes 1–30 s
// (fact 3.25); RDS Proxy cut the client recovery of Aurora MySQL by up to
// 79 % (fact 1.21).
func TestAuroraClientsThreeWays(t *testing.T) {
	const scenario = "aurora-vs-rds-failover"
	b, err := LoadBundled(scenario)
	require.NoError(t, err)
	dns := failoverOf(t, b)
	driver := failoverOf(t, variant(t, scenario, "  instances: 4\n", "  instances: 4\n  driver: topology-aware\n"))
	px := failoverOf(t, variant(t, scenario, "  kind: aurora\n", "  kind: aurora\n  proxy: {}\n"))
	engine := dns.Accepting.Sub(dns.Start)
	for _, f := range []Failover{driver, px} {
		assert.Equal(t, dns.Accepting, f.Accepting, "the clients do not change the engine's failover")
	}
	t.Logf("engine %v; clients: dns %v, topology-aware %v, proxy %v", engine, outage(dns), outage(driver), outage(px))
	assert.Less(t, outage(dns), 60*time.Second, "fact 3.21")
	assert.LessOrEqual(t, outage(driver), 30*time.Second, "fact 3.25: 1–30 s with the wrapper")
	assert.LessOrEqual(t, outage(driver)-engine, 5*time.Second, "within a topology refresh of the new writer accepting")
	assert.LessOrEqual(t, outage(px)-engine, 1500*time.Millisecond, "within the proxy's 1 s writer check")
	cut := 1 - outage(px).Seconds()/outage(dns).Seconds()
	assert.Greater(t, cut, 0.0)
	assert.LessOrEqual(t, cut, 0.79, "fact 1.21: up to 79 %% for Aurora MySQL")
}
