package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/dynamodb"
	"dbsim/sim"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keysBeside lists n keys other than key, from 1000 up, that the
// scenario's table places on key's base partition.
func keysBeside(t *testing.T, s *Scenario, key uint64, n int) []uint64 {
	t.Helper()
	cfg, err := s.dynamodbConfig()
	require.NoError(t, err)
	k := sim.New(1)
	topo := cluster.NewTopology(k, []string{"a", "b", "c"}, time.Millisecond, time.Millisecond)
	m := dynamodb.New(k, cluster.NewNet(topo), cfg, cluster.NewLog(k))
	var out []uint64
	for x := uint64(1000); len(out) < n; x++ {
		if m.PartitionOf(x) == m.PartitionOf(key) {
			out = append(out, x)
		}
	}
	return out
}

func narrative(rep *Replication) string {
	var b strings.Builder
	for _, ev := range rep.Events {
		b.WriteString(ev.Text + "\n")
	}
	return b.String()
}

func TestDynamoDBSingleTableHotCollection(t *testing.T) {
	// Facts 5.1, 5.5, 5.16, 5.42, 5.43. Seller 42's collection, 1 MB
	// short of 10 GB, draws 2 % of 2,000 requests/s from 1:00: 36 Queries
	// a second of one 1 MB page each (128 RCU eventually consistent),
	// 4,608 RCU/s on one partition whose hard limit is 3,000 RCU/s.
	rep := runBundled(t, "dynamodb-single-table-hot-collection")
	hot, total := throttling(rep)
	require.Len(t, hot, 1, "one partition throttles: the collection's")
	assert.Greater(t, total, int64(30000))
	served := mean(span(rep, column(t, rep, "consumed_rcu:"+hot[0]), 2*time.Minute, 10*time.Minute))
	assert.InDelta(t, 3000, served, 120, "%s serves its 3,000 RCU/s hard limit to the end", hot[0])
	late := mean(span(rep, column(t, rep, "throttled:"+hot[0]), 6*time.Minute, 10*time.Minute))
	assert.Greater(t, late, 50.0, "still throttling after 6:00: %.0f requests/s", late)

	// Split for heat refuses at every decision (3:00, 5:00, 7:00, 9:00):
	// one collection carries most of the partition's load.
	assert.Zero(t, counter(rep, "heat_splits"))
	assert.GreaterOrEqual(t, counter(rep, "heat_splits_refused"), int64(3))
	text := narrative(rep)
	assert.Contains(t, text, "a table with local secondary indexes keeps a collection on one partition: not split")

	// 4 puts a second add 1 KB each to the collection: 1,024 fit, so the
	// collection is full 256 s after 1:00; every put after that (4/s over
	// the 283 s to 10:00) fails, each tried once (a client error).
	assert.Contains(t, text, "item collection of key 42 (partition "+hot[0]+") holds 10.00 GB")
	var full time.Duration
	for _, ev := range rep.Events {
		if strings.Contains(ev.Text, "item collection of key 42") {
			full = time.Duration(ev.At)
		}
	}
	assert.InDelta(t, (time.Minute + 256*time.Second).Seconds(), full.Seconds(), 15, "the collection fills at about 5:16")
	assert.InDelta(t, 4*283, counter(rep, "collection_limit_hits"), 120)

	// The same table without the LSI, run to 14:00: the collection's
	// items lie in sort-key order, so split for heat may divide it. The
	// split point is the median of the requests, mostly the other
	// sellers', so the splits at 5:00 and 8:00 move those away and the
	// one at 11:00 divides the collection; its partition then throttles
	// far less (its half still near the limit, with Poisson bursts).
	s, err := LoadBundled("dynamodb-single-table-hot-collection")
	require.NoError(t, err)
	src := string(s.Source)
	for _, r := range [][2]string{
		{"    lsis: [{name: by-date, projected_size: 200B}]   # 1 WCU more per write (5.43)\n", ""},
		{"duration: 10m\n", "duration: 14m\n"},
	} {
		require.Equal(t, 1, strings.Count(src, r[0]), r[0])
		src = strings.Replace(src, r[0], r[1], 1)
	}
	noLSI, err := Parse("no-lsi.yaml", []byte(src))
	require.NoError(t, err)
	nl := run(t, noLSI)
	assert.GreaterOrEqual(t, counter(nl, "heat_splits"), int64(3))
	assert.Equal(t, int64(-1), counter(nl, "collection_limit_hits"), "no LSI: no collection limit (and no counter)")
	nlLate := 0.0
	for p := range partitionThrottles(nl) {
		nlLate += mean(span(nl, column(t, nl, "throttled:"+p), 11*time.Minute+30*time.Second, 14*time.Minute))
	}
	assert.Less(t, nlLate, 0.6*late, "without the LSI, after the collection is divided: %.1f throttles/s", nlLate)
	busy := 0
	for _, c := range nl.Series.Names() {
		if strings.HasPrefix(c, "consumed_rcu:p") && mean(span(nl, column(t, nl, c), 11*time.Minute+30*time.Second, 14*time.Minute)) > 1100 {
			busy++
		}
	}
	assert.GreaterOrEqual(t, busy, 2, "the collection's Queries read from two partitions")

	// The same load on the same partition from ten sellers of 1 MB
	// collections, on a table without the LSI: split for heat divides the
	// partition between them and the throttling stops.
	keys := keysBeside(t, s, 42, 10)
	var sizes, hots []string
	for _, k := range keys {
		sizes = append(sizes, fmt.Sprintf("{key: %d, size: 1MB}", k))
		hots = append(hots, fmt.Sprintf("{key: %d, share: 0.002, at: 1m}", k))
	}
	src = string(s.Source)
	for _, r := range [][2]string{
		{"    lsis: [{name: by-date, projected_size: 200B}]   # 1 WCU more per write (5.43)\n", ""},
		{"sizes: [{key: 42, size: 10239MB}]", "sizes: [" + strings.Join(sizes, ", ") + "]"},
		{"hot_keys: [{key: 42, share: 0.02, at: 1m}]", "hot_keys: [" + strings.Join(hots, ", ") + "]"},
	} {
		require.Equal(t, 1, strings.Count(src, r[0]), r[0])
		src = strings.Replace(src, r[0], r[1], 1)
	}
	v, err := Parse("many-keys.yaml", []byte(src))
	require.NoError(t, err)
	many := run(t, v)
	assert.GreaterOrEqual(t, counter(many, "heat_splits"), int64(1), "split for heat divides the partition of many keys")
	manyLate := 0.0
	for p := range partitionThrottles(many) {
		manyLate += mean(span(many, column(t, many, "throttled:"+p), 6*time.Minute, 10*time.Minute))
	}
	// What is left is the halves' Poisson bursts of 1 MB pages (each half
	// at about 2,200 RCU/s, a burst of eight more pages in a second
	// reaches 3,000).
	assert.Less(t, manyLate, late/5, "relieved after the split: %.1f throttles/s after 6:00, %.1f with the hot collection", manyLate, late)
	assert.NotContains(t, narrative(many), "item collection of key")
	t.Logf("hot collection: %s serves %.0f RCU/s, %.1f throttles/s after 6:00, %d refused splits; without the LSI: %d splits, %.1f throttles/s after 11:30; ten keys without the LSI: %d splits, %.1f throttles/s after 6:00",
		hot[0], served, late, counter(rep, "heat_splits_refused"), counter(nl, "heat_splits"), nlLate, counter(many, "heat_splits"), manyLate)
}
