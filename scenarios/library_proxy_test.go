package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// proxyOutages runs replication 0 of rds-multi-az-failover and of
// rds-proxy-failover, with their clients' DNS cache set to cache (0: the
// files' own, which honours the 5 s TTL), and returns the failover each
// ran, as the clients saw it.
func proxyOutages(t *testing.T, cache time.Duration) (dns, px Failover) {
	t.Helper()
	run := func(name string) Failover {
		s, err := LoadBundled(name)
		require.NoError(t, err)
		if cache > 0 {
			s.Clients.DNSCacheFor = cache
		}
		rep, err := RunReplication(s, 0)
		require.NoError(t, err)
		require.Len(t, rep.Failovers, 1, name)
		return rep.Failovers[0]
	}
	return run("rds-multi-az-failover"), run("rds-proxy-failover")
}

func outage(f Failover) time.Duration { return f.ClientsRecovered.Sub(f.Start) }

func TestProxyShortensOnlyTheClientsPartOfTheOutage(t *testing.T) {
	// Fact 1.21: RDS Proxy cut client recovery after a Multi-AZ failover
	// of RDS for MySQL by up to 32 % (AWS Database Blog, "Improving
	// application availability with Amazon RDS Proxy"). The proxy cannot
	// shorten the database's failover (detection, promotion, crash
	// recovery); it removes the clients' part: with clients that honour
	// the 5 s TTL that part is a few seconds, so the cut is small.
	dns, px := proxyOutages(t, 0)
	assert.Equal(t, dns.Accepting, px.Accepting, "the same engine failover with and without the proxy")
	engine := px.Accepting.Sub(px.Start)
	assert.Less(t, outage(px), outage(dns))
	assert.LessOrEqual(t, outage(px)-engine, 1500*time.Millisecond,
		"behind the proxy, clients write again within its 1 s writer check of the new primary accepting")
	cut := 1 - outage(px).Seconds()/outage(dns).Seconds()
	assert.Greater(t, cut, 0.0)
	assert.LessOrEqual(t, cut, 0.32, "fact 1.21 says up to 32 %% for RDS Multi-AZ")
}

func TestProxyCutBracketsThePublishedFigure(t *testing.T) {
	// Fact 1.21's 32 % for RDS for MySQL Multi-AZ depends on how long the
	// clients without the proxy took to follow the DNS change. AWS advises
	// a JVM DNS cache of under 30 s (Aurora) and at most 60 s (RDS), fact
	// 1.5: across that range the proxy's cut must bracket 32 %.
	cut := func(cache time.Duration) float64 {
		dns, px := proxyOutages(t, cache)
		return 1 - outage(px).Seconds()/outage(dns).Seconds()
	}
	c30, c60 := cut(30*time.Second), cut(60*time.Second)
	assert.Less(t, c30, 0.32, "a 30 s DNS cache: the proxy saves less than 32 %% (%.0f %%)", 100*c30)
	assert.Greater(t, c60, 0.32, "a 60 s DNS cache: more than 32 %% (%.0f %%)", 100*c60)
	assert.Less(t, c60, 0.66, "and less than the launch claim's 66 %% (fact 1.20)")
}
