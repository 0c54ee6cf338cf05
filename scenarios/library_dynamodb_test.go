package scenarios

import (
	"dbsim/models/metric"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// variant loads a bundled scenario with old replaced by new in its text
// (old must occur exactly once), as a user would edit a copy.
func variant(t *testing.T, name, old, new string) *Scenario {
	t.Helper()
	s, err := LoadBundled(name)
	require.NoError(t, err)
	src := string(s.Source)
	require.Equal(t, 1, strings.Count(src, old), "%q in %s", old, name)
	v, err := Parse(name+"-variant.yaml", []byte(strings.Replace(src, old, new, 1)))
	require.NoError(t, err)
	return v
}

func run(t *testing.T, s *Scenario) *Replication {
	t.Helper()
	rep, err := RunReplication(s, 0)
	require.NoError(t, err)
	return rep
}

// column is a column of the replication's time series: counts per bucket,
// or a gauge's mean over each bucket.
func column(t *testing.T, rep *Replication, name string) []float64 {
	t.Helper()
	c, ok := rep.Series.Lookup(name)
	require.True(t, ok, "no column %q", name)
	return rep.Series.Values(c)
}

// span is the buckets of [from, to).
func span(rep *Replication, xs []float64, from, to time.Duration) []float64 {
	b := rep.Series.Bucket()
	return xs[int(from/b):min(int(to/b), len(xs))]
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func mean(xs []float64) float64 { return sum(xs) / float64(len(xs)) }

func maxOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// partitionThrottles are the base table's throttles per partition
// ("p3" -> n) from the counters.
func partitionThrottles(rep *Replication) map[string]int64 {
	out := map[string]int64{}
	for _, c := range rep.Counters {
		if c.ID.Kind == metric.Throttles && c.ID.Index == "" {
			out[c.ID.Subject()] = c.Value
		}
	}
	return out
}

// throttling lists the partitions with throttles, most first.
func throttling(rep *Replication) (names []string, total int64) {
	th := partitionThrottles(rep)
	for p, n := range th {
		total += n
		if n > 0 {
			names = append(names, p)
		}
	}
	sort.Slice(names, func(i, j int) bool { return th[names[i]] > th[names[j]] })
	return names, total
}

func TestDynamoDBHotPartition(t *testing.T) {
	// Facts 5.1, 5.13, 5.16: a Zipf workload at 64 %
	// of a 7,000 WCU table throttles on the two partitions of its most
	// popular keys, each at its 1,000 WCU hard limit; the other six idle.
	// Split for heat relieves the one whose load is spread over keys, after
	// 2 metric periods and the 2-minute split; never the one whose load is
	// mostly one key.
	rep := runBundled(t, "dynamodb-hot-partition")
	hot, total := throttling(rep)
	require.GreaterOrEqual(t, len(hot), 2)
	assert.LessOrEqual(t, len(hot), 3, "of 9: the two hot ones and, now and then, the split's busier half")
	assert.Greater(t, total, int64(20000))
	th := partitionThrottles(rep)
	assert.Greater(t, float64(th[hot[0]])/float64(total), 0.6, "most throttles on one partition")
	assert.Greater(t, float64(th[hot[0]]+th[hot[1]])/float64(total), 0.99, "nearly all on two")

	table := mean(span(rep, column(t, rep, "consumed_wcu"), time.Minute, 7*time.Minute))
	assert.Less(t, table, 0.7*7000, "the table is far from its capacity: %.0f WCU/s", table)
	assert.Greater(t, table, 0.55*7000)
	single := mean(span(rep, column(t, rep, "consumed_wcu:"+hot[0]), time.Minute, 7*time.Minute))
	assert.InDelta(t, 1000, single, 30, "%s serves its hard limit to the end", hot[0])

	assert.EqualValues(t, 1, counter(rep, "heat_splits"))
	assert.GreaterOrEqual(t, counter(rep, "heat_splits_refused"), int64(3), "the single-key partition, at 2:00, 4:00 and 6:00")
	parts := column(t, rep, "partitions")
	assert.EqualValues(t, 9, parts[len(parts)-1], "the table ends with 9 partitions")
	split := column(t, rep, "consumed_wcu:"+hot[1])
	assert.InDelta(t, 1000, mean(span(rep, split, time.Minute, 4*time.Minute)), 30, "%s at its limit before the split", hot[1])
	assert.Less(t, mean(span(rep, split, 5*time.Minute, 7*time.Minute)), 500.0, "%s relieved by the split", hot[1])
	// Throttles per partition over time: the split one stops, the single-key one never does.
	thrSplit, thrKey := column(t, rep, "throttled:"+hot[1]), column(t, rep, "throttled:"+hot[0])
	assert.Greater(t, mean(span(rep, thrSplit, time.Minute, 4*time.Minute)), 50.0, "%s throttles before the split", hot[1])
	assert.Less(t, mean(span(rep, thrSplit, 5*time.Minute, 7*time.Minute)), 5.0, "%s stops throttling after it", hot[1])
	assert.Greater(t, mean(span(rep, thrKey, 5*time.Minute, 7*time.Minute)), 50.0, "%s throttles to the end", hot[0])
	assert.Greater(t, mean(span(rep, column(t, rep, "consumed_wcu:p8"), 5*time.Minute, 7*time.Minute)), 500.0, "p8 took its upper half")
	thr := column(t, rep, "throttled")
	before, after := mean(span(rep, thr, time.Minute, 4*time.Minute)), mean(span(rep, thr, 5*time.Minute, 7*time.Minute))
	assert.Less(t, after, 0.8*before, "fewer throttles once one partition split")
}

func TestDynamoDBCelebrityKey(t *testing.T) {
	// Facts 5.1, 5.16: one key written at 1,500 WCU/s throttles at
	// its partition's 1,000 WCU/s hard limit on a 10,000 WCU table and on a
	// 40,000 WCU one alike, and split for heat refuses to split it.
	for _, s := range []*Scenario{
		variant(t, "dynamodb-celebrity-key", "wcu: 10000", "wcu: 10000"),
		variant(t, "dynamodb-celebrity-key", "wcu: 10000", "wcu: 40000"),
	} {
		wcu := s.System.DynamoDB.Table.WCU
		rep := run(t, s)
		hot, _ := throttling(rep)
		require.Len(t, hot, 1, "%v WCU: only the celebrity's partition throttles", wcu)
		served := mean(span(rep, column(t, rep, "consumed_wcu:"+hot[0]), 3*time.Minute, 10*time.Minute))
		assert.InDelta(t, 1000, served, 20, "%v WCU: the partition serves its hard limit, no more", wcu)
		thr := column(t, rep, "throttled")
		assert.Zero(t, sum(span(rep, thr, 0, 2*time.Minute)), "%v WCU: no throttle before the key turns hot", wcu)
		// Offered: 150 writes/s of the key plus the partition's share of 250
		// background writes/s, 10 WCU each; served: 100/s.
		assert.Greater(t, sum(span(rep, thr, 3*time.Minute, 10*time.Minute))/420, 60.0, "%v WCU: throttled attempts/s", wcu)
		assert.Zero(t, sum(span(rep, thr, 10*time.Minute+10*time.Second, 12*time.Minute)), "%v WCU: none after it cools", wcu)
		table := mean(span(rep, column(t, rep, "consumed_wcu"), 3*time.Minute, 10*time.Minute))
		assert.Less(t, table, 0.4*wcu, "%v WCU: the table is mostly idle", wcu)
		assert.Zero(t, counter(rep, "heat_splits"), "%v WCU: one key cannot be split", wcu)
		assert.GreaterOrEqual(t, counter(rep, "heat_splits_refused"), int64(3), "%v WCU", wcu)
	}
}

func TestDynamoDBAutoScalingLag(t *testing.T) {
	// Facts 5.22, 5.23: scaling up needs 2 consecutive 1-minute
	// data points above the 70 % target, then UpdateTable takes minutes: a
	// 70 s spike is over before capacity changes; a sustained rise is
	// absorbed, minutes late.
	rep := runBundled(t, "dynamodb-autoscaling-lag")
	prov := column(t, rep, "provisioned_wcu")
	thr := column(t, rep, "throttled")
	assert.Equal(t, 1000.0, maxOf(span(rep, prov, 0, 15*time.Minute)), "no new capacity for the spike, nor within 2 points + 3 min of the rise")
	assert.Positive(t, sum(span(rep, thr, 5*time.Minute+10*time.Second, 6*time.Minute+20*time.Second)), "the spike throttles")
	assert.Zero(t, sum(span(rep, thr, 6*time.Minute+30*time.Second, 10*time.Minute)), "and is over")
	assert.Greater(t, sum(span(rep, thr, 10*time.Minute, 20*time.Minute))/600, 100.0, "the rise throttles for ten minutes")
	assert.Greater(t, prov[int(16*time.Minute/rep.Series.Bucket())], 1000.0, "a first increase by 15:00")
	assert.Zero(t, sum(span(rep, thr, 20*time.Minute+30*time.Second, 27*time.Minute)), "absorbed by 20:30")
	assert.GreaterOrEqual(t, prov[len(prov)-1], 1500/0.7*0.9, "tracks 1,500 WCU at the 70 % target")
	assert.GreaterOrEqual(t, counter(rep, "scale_ups"), int64(2), "consumption is capped at the provisioned rate: steps of 1/0.7")
}

func TestDynamoDBOnDemandVsProvisioned(t *testing.T) {
	// Facts 5.19–5.21: an on-demand table serves at once up to twice
	// its previous peak (a new table: 4,000 WRU/s); beyond, it throttles
	// until a level sustained for 30 minutes becomes the new peak.
	rep := runBundled(t, "dynamodb-on-demand-vs-provisioned")
	thr := column(t, rep, "throttled")
	wcu := column(t, rep, "consumed_wcu")
	served := column(t, rep, "provisioned_wcu")
	// 2,000 then 3,600 WRU/s: within 2 × the previous peak. A few writes
	// throttle: 8 partitions take 11 writes of 40 WRU a second each, and a
	// second that brings one more than 25 meets its hard limit.
	assert.Less(t, sum(span(rep, thr, 0, 7*time.Minute)), 20.0, "2,000 then 3,600 WRU/s: within 2 × the previous peak")
	assert.InDelta(t, 3600, mean(span(rep, wcu, 3*time.Minute, 7*time.Minute)), 150)
	assert.Equal(t, 4000.0, maxOf(span(rep, served, 0, 31*time.Minute)))
	assert.InDelta(t, 4000, mean(span(rep, wcu, 8*time.Minute, 31*time.Minute)), 50, "6,000 offered, 4,000 served")
	assert.Greater(t, sum(span(rep, thr, 8*time.Minute, 31*time.Minute))/(23*60), 50.0, "a third of the 150 writes/s throttle, and their retries")
	assert.Zero(t, sum(span(rep, thr, 33*time.Minute, 36*time.Minute)), "the new peak (3,600 sustained for 30 min) is in place at 32:00")
	assert.Greater(t, served[int(34*time.Minute/rep.Series.Bucket())], 7000.0, "2 × the new peak")
	assert.InDelta(t, 6000, mean(span(rep, wcu, 33*time.Minute, 36*time.Minute)), 200)

	// The same traffic on a provisioned table with auto scaling (facts
	// 5.1, 5.22, 5.23): after the first rise its 4 partitions take 900 WCU/s
	// each, and many a second brings one more than its hard limit: it
	// throttles until auto scaling splits them; the second rise is absorbed
	// within minutes, long before on-demand's 30.
	p := run(t, variant(t, "dynamodb-on-demand-vs-provisioned",
		"  table: {mode: on-demand}\n  on_demand: {initial_rru: 12000, initial_wru: 4000, peak_multiple: 2, peak_window: 30m}\n",
		"  table: {mode: provisioned, rcu: 1000, wcu: 2860, autoscaling: {target: 0.7}}\n"))
	pthr := column(t, p, "throttled")
	assert.Positive(t, sum(span(p, pthr, 2*time.Minute, 7*time.Minute)), "provisioned throttles where on-demand did not")
	assert.Positive(t, sum(span(p, pthr, 7*time.Minute, 12*time.Minute)), "and after the second, until auto scaling lands at 12:00")
	// Scaled to 4,086 WCU at 12:00, 8 partitions take 19 writes of 40 WCU a
	// second each, and some seconds bring one more than its hard limit
	// (25); the next step (16 partitions) lands at 16:00.
	assert.Less(t, sum(span(p, pthr, 16*time.Minute+30*time.Second, 36*time.Minute)), 20.0, "then (almost) none")
	assert.Less(t, p.Requests.Throttled, rep.Requests.Throttled/2)
}

func TestDynamoDBBurstCapacity(t *testing.T) {
	// Fact 5.11's example: 150 RCU idle for 5 min bank 45,000 units, which
	// sustain 200 RCU for 900 s; then reads throttle down to 150/s.
	rep := runBundled(t, "dynamodb-burst-capacity")
	thr := column(t, rep, "throttled")
	first := -1
	for i, x := range thr {
		if x > 0 {
			first = i
			break
		}
	}
	require.GreaterOrEqual(t, first, 0)
	at := time.Duration(first) * rep.Series.Bucket()
	assert.InDelta(t, (5*time.Minute + 900*time.Second).Seconds(), at.Seconds(), 30, "burst credit runs out at %v", at)
	rcu := column(t, rep, "consumed_rcu")
	assert.InDelta(t, 200, mean(span(rep, rcu, 5*time.Minute+30*time.Second, 19*time.Minute)), 4, "200 RCU on burst credit")
	assert.InDelta(t, 150, mean(span(rep, rcu, 20*time.Minute+30*time.Second, 22*time.Minute)), 3, "then the provisioned 150")
}

func TestDynamoDBGSIBackpressure(t *testing.T) {
	// Fact 5.33: a base-table write succeeds only if the index it
	// updates has write capacity: a 200 WCU index holds a 4,000 WCU table's
	// writes to 200/s; every throttle is the index's.
	rep := runBundled(t, "dynamodb-gsi-backpressure")
	assert.Positive(t, counter(rep, "throttled_writes"))
	assert.Equal(t, counter(rep, "throttled_writes"), counter(rep, "gsi_backpressure"), "every throttle came from the index")
	for p, n := range partitionThrottles(rep) {
		assert.Zero(t, n, "base partition %s has capacity", p)
	}
	assert.Equal(t, counter(rep, "throttled_writes"), counter(rep, "throttles:by-status:p0"))
	thr := column(t, rep, "throttled")
	assert.Zero(t, sum(span(rep, thr, 0, time.Minute)), "150 writes/s fit the index")
	assert.InDelta(t, 200, mean(span(rep, column(t, rep, "consumed_wcu"), 70*time.Second, 4*time.Minute)), 10, "the table serves what the index can take")
	assert.InDelta(t, 200, mean(span(rep, column(t, rep, "consumed_wcu:by-status"), 70*time.Second, 4*time.Minute)), 10)
	assert.Equal(t, 4000.0, maxOf(column(t, rep, "provisioned_wcu")))
	assert.Greater(t, sum(span(rep, thr, 70*time.Second, 4*time.Minute))/170, 750.0, "1,000 offered, 200 served")
}

func TestDynamoDBRetryStorm(t *testing.T) {
	// Facts 5.40, 5.41: 3,000 writes at once meet a partition's
	// 1,000 WCU hard limit. boto3's legacy mode retries every throttled
	// write exactly 50, 100, 200 … ms later: the retries come in waves,
	// each finding the bucket nearly empty. The standard mode's jitter
	// spreads them (and its retry quota stops most).
	legacy := runBundled(t, "dynamodb-retry-storm")
	std := run(t, variant(t, "dynamodb-retry-storm", "sdk: boto3-legacy", "sdk: boto3-standard"))
	herd := int(time.Second / legacy.Series.Bucket()) // the 50 ms bucket of the herd
	thr := column(t, legacy, "throttled")
	for _, ms := range []int{50, 150, 350, 750, 1550} {
		assert.Greater(t, thr[herd+ms/50], 300.0, "a wave of throttled retries at +%d ms", ms)
	}
	second := thr[herd+1 : herd+21] // the second after the herd
	empty := 0
	for _, x := range second {
		if x == 0 {
			empty++
		}
	}
	assert.GreaterOrEqual(t, empty, 16, "between the waves, nothing: %v", second)
	assert.Greater(t, maxOf(second)/mean(second), 4.0, "peak over mean")
	assert.EqualValues(t, 3000, legacy.Requests.OK, "10 attempts land every write in the end")
	assert.Greater(t, legacy.Requests.Throttled, int64(3*3000-1000), "three attempts a write")

	sthr := column(t, std, "throttled")
	assert.InDelta(t, 2000, sthr[herd], 50, "the herd itself: 1,000 of 3,000 fit")
	// The herd took the partition's 1,000 WCU of its second (fact 5.1): the
	// retries jittered over that second throttle again, nothing lands.
	sok := column(t, std, "ok")
	assert.Zero(t, sum(sok[herd+1:herd+20]), "nothing lands in the rest of the herd's second")
	assert.Positive(t, sum(sthr[herd+1:herd+20]), "jittered retries within it throttle")
	assert.Less(t, std.Requests.Retried, int64(700), "the retry quota: 500 tokens, 5 a retry, per client, plus refunds")
	assert.Positive(t, std.Requests.Failed)
}

func TestDynamoDBEventualReads(t *testing.T) {
	// Fact 8.6 (a modelling assumption on facts 5.25): only the replica
	// outside a write's quorum can lag it, and an eventual read picks a
	// replica at random, so stale reads are rare, grow with a replica's
	// slow log writes, never pass a third, and vanish for strong reads.
	share := func(rep *Replication) float64 { return float64(rep.StaleReads) / float64(rep.Latency.Read.Count()) }
	rep := runBundled(t, "dynamodb-eventual-reads")
	assert.Positive(t, rep.StaleReads)
	staleSeriesSums(t, rep, 0)
	assert.Less(t, share(rep), 0.001, "about 0.03 %")

	slow := run(t, variant(t, "dynamodb-eventual-reads", "  table: {mode: provisioned, rcu: 2000, wcu: 1000}\n",
		"  table: {mode: provisioned, rcu: 2000, wcu: 1000}\n  log_write: {dist: lognormal, p50: 0.5ms, p99: 20ms}\n"))
	assert.InDelta(t, 0.09, share(slow), 0.02, "a slow replica lags for longer")

	strong := run(t, variant(t, "dynamodb-eventual-reads", "consistency: eventual", "consistency: strong"))
	assert.Zero(t, strong.StaleReads, "the leader serves strong reads")
	assert.Positive(t, strong.Requests.Throttled, "at twice the price, 1,200 RCU/s on a 1,000 RCU partition")
}

// dynamodb-two-weeks-fluid: fourteen days in fluid mode. Every weekday
// morning's step to 4,000/s throttles to failure in the 10-minute bucket
// at 08:00 and nowhere else (auto scaling catches up within minutes,
// weekends ride on burst credit), auto scaling raises the table each
// weekday morning, and the series stays at its 10-minute buckets.
func TestTwoWeeksFluid(t *testing.T) {
	s, err := LoadBundled("dynamodb-two-weeks-fluid")
	require.NoError(t, err)
	require.Equal(t, ModeFluid, s.Mode)
	rep := run(t, s)
	require.True(t, rep.Fluid)
	// 14 days: weekdays 216 M requests (1,000/s × 8 h + 4,000/s × 10 h +
	// 2,000/s × 6 h), weekend days 60 % of that.
	assert.InEpsilon(t, 10*216e6+4*0.6*216e6, float64(rep.Requests.Total), 1e-6)
	assert.Equal(t, 14*24*6, rep.Series.Len(), "10-minute rows over 14 days")
	col, ok := rep.Series.Lookup(ColumnFailed)
	require.True(t, ok)
	var failing []float64 // hours since the start of the buckets that failed
	for i, v := range rep.Series.Values(col) {
		if v > 0 {
			failing = append(failing, float64(i)/6)
		}
	}
	var mornings []float64
	for day := 0; day < 14; day++ {
		if day%7 < 5 {
			mornings = append(mornings, float64(day*24+8))
		}
	}
	assert.Equal(t, mornings, failing, "failures only at 08:00 on weekdays")
	ups := counter(rep, "scale_ups")
	assert.GreaterOrEqual(t, ups, int64(10), "auto scaling raises the table every weekday morning")
	assert.InDelta(t, 0.0012, float64(rep.Requests.Failed)/(10*216e6), 0.0003, "0.12 % of a weekday's requests")
}
