package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// meanBetween is the mean of a column's defined values over [from, to).
func meanBetween(t *testing.T, rep *Replication, name string, from, to time.Duration) float64 {
	v := column(t, rep, name)
	b := rep.Series.Bucket()
	sum, n := 0.0, 0
	for k := int(from / b); k < int(to/b) && k < len(v); k++ {
		if v[k] == v[k] { // not NaN
			sum += v[k]
			n++
		}
	}
	require.Positive(t, n, "%s has values in [%v, %v)", name, from, to)
	return sum / float64(n)
}

func TestColdCacheSendsAThunderingHerdToTheDatabase(t *testing.T) {
	// A warm cache answers most reads and the database idles below its
	// capacity; a flush at 10:00 sends every read to it (fact 12.6): it
	// saturates, its p99 climbs to the clients' timeouts, and it recovers
	// once the hot keys are back and the hit ratio is high enough for it
	// to keep up (1,700 reads/s of capacity, 3,500 requests/s).
	rep := runBundled(t, "elasticache-cold-cache")
	hit := func(from, to time.Duration) float64 { return meanBetween(t, rep, "cache_hit_ratio", from, to) }
	util := func(from, to time.Duration) float64 { return meanBetween(t, rep, "utilization:primary", from, to) }
	p99 := func(from, to time.Duration) float64 { return meanBetween(t, rep, "read_p99_ms", from, to) }
	flush := 10 * time.Minute

	assert.Greater(t, hit(9*time.Minute, flush), 0.7, "warm: most reads hit")
	assert.Less(t, util(9*time.Minute, flush), 0.75, "warm: the database below capacity")
	assert.Less(t, p99(9*time.Minute, flush), 20.0, "warm: read p99 in milliseconds")

	assert.Less(t, hit(flush, flush+4*time.Second), 0.25, "cold after the flush")
	assert.Greater(t, util(flush+30*time.Second, flush+2*time.Minute), 0.99, "the herd saturates the database")
	assert.Greater(t, p99(flush+30*time.Second, flush+2*time.Minute), 2000.0, "read p99 at the clients' timeouts")
	assert.Less(t, availabilityBetween(t, rep, flush, flush+time.Minute), 0.95, "reads fail during the herd")

	require.Len(t, rep.Saturations, 1, "one saturation: the herd")
	e := rep.Saturations[0]
	assert.InDelta(t, flush.Seconds(), e.Start.Seconds(), 3, "saturated from the flush")
	recovery := e.End.Sub(e.Start)
	assert.Greater(t, recovery, time.Minute, "the cache takes minutes to warm")
	assert.Less(t, recovery, 5*time.Minute, "and the database recovers as it does")
	after := time.Duration(e.End) + 10*time.Second
	assert.Equal(t, 1.0, availabilityBetween(t, rep, after, 16*time.Minute), "every request once recovered")
	assert.Greater(t, hit(15*time.Minute, 16*time.Minute), 0.65, "warm again")

	// Lookups are the reads after the warmup: 95 % of the requests.
	require.NotNil(t, rep.Cache)
	c := rep.Cache
	assert.InDelta(t, 0.95*float64(rep.Requests.Total), float64(c.Hits+c.Misses), 0.01*float64(rep.Requests.Total))
	assert.Equal(t, int64(538_705), c.Capacity, "1.37 GiB × 0.75 ÷ 2 KB")

	narrative := ""
	for _, ev := range rep.Events {
		narrative += ev.Text + "\n"
	}
	assert.Contains(t, narrative, "cache flushed")
}

// A scenario of three cache nodes, one of which fails for a while.
const cacheNodeFailureYAML = `
name: cache-node-failure
duration: 4m
warmup: 1m
system:
  kind: rds
  instance_class: db.r6g.large
cache: {node_type: cache.t4g.micro, nodes: 3, item_size: 4KB}
workload:
  - arrival: {rate: 2000/s}
    mix: {read: 1, write: 0}
    keys: {dist: zipf, skew: 0.9, count: 100000}
faults:
  - {kind: cache-node-failure, at: 2m, for: 30s, target: node-2}
`

func TestCacheNodeFailureLosesItsShare(t *testing.T) {
	// Three nodes own a third of the hash slots each (fact 12.3): the
	// failed node's keys miss while it is down, the others' still hit,
	// so the hit ratio falls by about a third, and the replacement starts
	// empty.
	s, err := Parse("cache-node-failure.yaml", []byte(cacheNodeFailureYAML))
	require.NoError(t, err)
	rep, err := RunReplication(s, 0)
	require.NoError(t, err)
	hit := func(from, to time.Duration) float64 { return meanBetween(t, rep, "cache_hit_ratio", from, to) }
	before := hit(110*time.Second, 2*time.Minute)
	during := hit(2*time.Minute+5*time.Second, 2*time.Minute+30*time.Second)
	assert.Greater(t, before, 0.8)
	assert.InDelta(t, before*2/3, during, 0.05, "a third of the keys lost (before %.3f)", before)
	assert.Greater(t, hit(2*time.Minute+30*time.Second, 2*time.Minute+32*time.Second), during-0.05, "replaced empty, refilling")
	assert.InDelta(t, before, hit(210*time.Second, 4*time.Minute), 0.03, "warm again")
	narrative := ""
	for _, ev := range rep.Events {
		narrative += ev.Text + "\n"
	}
	assert.Contains(t, narrative, "cache node-2 fails")
	assert.Contains(t, narrative, "cache node-2 replaced, empty")
}

// Without a cache block a scenario runs as before: no cache column, no
// cache stats (the bundled golden summaries pin the rest).
func TestNoCacheNoCacheOutputs(t *testing.T) {
	y := "name: no-cache\nduration: 20s\nsystem: {kind: rds}\nworkload: [{arrival: {rate: 500/s}}]\n"
	s, err := Parse("no-cache.yaml", []byte(y))
	require.NoError(t, err)
	rep, err := RunReplication(s, 0)
	require.NoError(t, err)
	assert.Nil(t, rep.Cache)
	_, ok := rep.Series.Lookup("cache_hit_ratio")
	assert.False(t, ok)
}
