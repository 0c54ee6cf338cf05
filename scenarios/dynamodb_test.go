package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/models/dynamodb"
	"dbsim/models/metric"
)

func TestDynamoDBKeysLeftOutKeepTheModelsDefaults(t *testing.T) {
	s := mustParse(t, `
name: ddb
duration: 1m
system: {kind: dynamodb}
workload: [{arrival: {rate: 10/s}}]
`)
	cfg, err := s.dynamodbConfig()
	require.NoError(t, err)
	assert.Equal(t, dynamodb.Defaults(), cfg)
	assert.Equal(t, "provisioned", s.System.DynamoDB.Table.Mode)
	assert.Equal(t, "eventual", s.Workload[0].Consistency, "the SDKs' default")
}

func TestDynamoDBEveryKeyOverrides(t *testing.T) {
	s := mustParse(t, `
name: ddb
duration: 1m
system:
  kind: dynamodb
  table:
    mode: provisioned
    rcu: 5000
    wcu: 2000
    size: 50GB
    partitions: 16
    autoscaling: {target: 0.5, min_rcu: 10, max_rcu: 20000, min_wcu: 5, max_wcu: 9000, delay: 90s,
      scale_up_points: 3, scale_down_points: 10, scale_down_margin: 0.1,
      decreases_first_hour: 2, decrease_spacing: 2h, day_start: 6h}
    gsis:
      - {name: by-status, rcu: 100, wcu: 200, share: 0.5, partitions: 2, keys: 3, projected_size: 100B,
         autoscaling: {target: 0.6}}
      - {name: by-date}
    lsis: [{name: by-time, projected_size: 200B}, {name: by-total}]
  limits: {partition_rcu: 6000, partition_wcu: 2000, partition_size: 20GB, collection_size: 5GB}
  burst_window: 60s
  hard_window: 2s
  adaptive: {enabled: false, interval: 5s}
  split_for_heat: {enabled: false, threshold: 0.9, periods: 3, duration: 5m, single_key_share: 0.7}
  metric_period: 30s
  update_delay: 1m
  router_latency: {dist: constant, value: 1ms}
  read_service: {dist: lognormal, p50: 1ms, p99: 4ms}
  log_write: {dist: uniform, min: 1ms, max: 2ms}
  lease: 3s
  election: 200ms
  replica_repair: 10s
  gauge_partitions: 8
workload: [{arrival: {rate: 10/s}}]
`)
	cfg, err := s.dynamodbConfig()
	require.NoError(t, err)
	want := dynamodb.Defaults()
	want.Table = dynamodb.Capacity{RCU: 5000, WCU: 2000, Partitions: 16, AutoScaling: dynamodb.AutoScaling{
		Enabled: true, Target: 0.5, MinRCU: 10, MaxRCU: 20000, MinWCU: 5, MaxWCU: 9000,
		ScaleUpPoints: 3, ScaleDownPoints: 10, ScaleDownMargin: 0.1, Delay: 90 * time.Second,
		Quota: dynamodb.DecreaseQuota{FirstHour: 2, Spacing: 2 * time.Hour, DayStart: 6 * time.Hour}}}
	want.SizeBytes = 50 << 30
	gsiScaling := dynamodb.DefaultAutoScaling()
	gsiScaling.Enabled, gsiScaling.Target = true, 0.6
	want.GSIs = []dynamodb.GSI{
		{Name: "by-status", Capacity: dynamodb.Capacity{RCU: 100, WCU: 200, Partitions: 2, AutoScaling: gsiScaling},
			Keys: 3, Share: 0.5, ProjectedBytes: 100},
		// An index without capacity keys gets the table's.
		{Name: "by-date", Capacity: dynamodb.Capacity{RCU: 5000, WCU: 2000, AutoScaling: dynamodb.DefaultAutoScaling()}},
	}
	want.LSIs = []dynamodb.LSI{{Name: "by-time", ProjectedBytes: 200}, {Name: "by-total"}}
	want.Limits = dynamodb.Limits{RCU: 6000, WCU: 2000, Bytes: 20 << 30, CollectionBytes: 5 << 30}
	want.BurstWindow, want.HardWindow = time.Minute, 2*time.Second
	want.Adaptive = dynamodb.Adaptive{Enabled: false, Interval: 5 * time.Second}
	want.Heat = dynamodb.SplitForHeat{Enabled: false, Threshold: 0.9, Periods: 3, Duration: 5 * time.Minute, SingleKeyShare: 0.7}
	want.MetricPeriod = 30 * time.Second
	want.UpdateDelay = time.Minute
	want.Lease, want.Election, want.ReplicaRepair = 3*time.Second, 200*time.Millisecond, 10*time.Second
	want.GaugePartitions = 8
	// The distributions are checked apart: their samplers are functions.
	assert.InDelta(t, 1e-3, cfg.RouterLatency.Sample(nil), 1e-12)
	assert.Equal(t, "lognormal(p50=0.001, p99=0.004)", cfg.ReadService.String(), "sim's log-normal, as on RDS and Aurora")
	assert.Contains(t, cfg.LogWrite.String(), "uniform")
	cfg.RouterLatency, cfg.ReadService, cfg.LogWrite = want.RouterLatency, want.ReadService, want.LogWrite
	assert.Equal(t, want, cfg)

	s = mustParse(t, `
name: ddb
duration: 1m
system:
  kind: dynamodb
  table: {mode: on-demand}
  on_demand: {initial_rru: 3000, initial_wru: 1000, peak_multiple: 3, peak_window: 10m, max_rru: 0, max_wru: 80000}
workload: [{arrival: {rate: 10/s}}]
`)
	cfg, err = s.dynamodbConfig()
	require.NoError(t, err)
	assert.Equal(t, dynamodb.OnDemand, cfg.Mode)
	assert.Equal(t, dynamodb.OnDemandConfig{PeakMultiple: 3, InitialRRU: 3000, InitialWRU: 1000, PeakWindow: 10 * time.Minute,
		MaxRRU: 0, MaxWRU: 80000}, cfg.OnDemand)
}

func TestDynamoDBSDKSetsTheRetryPolicy(t *testing.T) {
	// Fact 5.37: the Java SDK v1's DynamoDB policy; explicit retry keys
	// override it, the rest (its throttling backoff) stays.
	s := mustParse(t, `
name: ddb
duration: 1m
system: {kind: dynamodb}
clients: {sdk: java-v1, retry: {max_attempts: 4}}
workload: [{arrival: {rate: 10/s}}]
`)
	assert.Equal(t, Retry{MaxAttempts: 4, Base: Duration(25 * time.Millisecond), Cap: Duration(20 * time.Second), Jitter: "full"},
		s.Clients.Retry, "the scenario shows the policy in use")
	topo := cluster.NewTopology(nil, s.Topology.AZs, time.Millisecond, time.Millisecond)
	cfg, err := s.clientConfig(topo)
	require.NoError(t, err)
	want, err := client.SDKRetry(client.JavaV1)
	require.NoError(t, err)
	want.MaxAttempts = 4
	assert.Equal(t, want, cfg.Retry)
}

func TestDynamoDBMixIsGetAndPut(t *testing.T) {
	// mix maps read to GetItem and write to PutItem, with the same draws as
	// ops: the two scenarios are one.
	src := func(ops string) string {
		return `
name: ddb
duration: 1m
system: {kind: dynamodb, table: {rcu: 1000, wcu: 120}}
workload:
  - name: w
    arrival: {rate: 500/s}
    ` + ops + `
    keys: {dist: zipf, skew: 1.1, count: 1000}
`
	}
	a := runOne(t, src("mix: {read: 0.7, write: 0.3}"))
	b := runOne(t, src("ops: {get: 0.7, put: 0.3}"))
	assert.Equal(t, a.Requests, b.Requests)
	assert.Equal(t, a.Counters, b.Counters)
	assert.Positive(t, a.Requests.Throttled, "150 WCU/s of writes on 120 WCU throttle")
}

func TestDynamoDBOperationsArePriced(t *testing.T) {
	// Fact 5.5: a 4 KB read costs 0.5 RCU eventually consistent, 1 strongly
	// consistent; a Query of 10 × 1 KB items reads 10 KB: 1.5 RCU eventual.
	// Fact 5.6: a BatchWriteItem of 25 × 1 KB items costs 25 WCU.
	consumed := func(workload string) (rcu, wcu float64) {
		rep := runOne(t, `
name: ddb
duration: 40s
system: {kind: dynamodb, table: {rcu: 3000, wcu: 3000}}
workload:
  - name: w
    arrival: {process: constant, rate: 100/s}
`+workload)
		return mean(span(rep, column(t, rep, "consumed_rcu"), 10*time.Second, 40*time.Second)),
			mean(span(rep, column(t, rep, "consumed_wcu"), 10*time.Second, 40*time.Second))
	}
	r, w := consumed("    ops: {get: 1}\n    item_size: 4KB\n")
	assert.InDelta(t, 50, r, 1)
	assert.Zero(t, w)
	r, _ = consumed("    ops: {get: 1}\n    consistency: strong\n    item_size: 4KB\n")
	assert.InDelta(t, 100, r, 1)
	r, w = consumed("    ops: {query: 0.5, batch-write: 0.5}\n    query_items: 10\n    batch_items: 25\n    item_size: 1KB\n")
	assert.InDelta(t, 50*1.5, r, 5)
	assert.InDelta(t, 50*25, w, 60)
}

func TestDynamoDBBatchesReportUnprocessedItems(t *testing.T) {
	// Fact 5.35: a batch whose items find no capacity comes back OK with
	// them unprocessed; each batch request carries its own Op for that.
	rep := runOne(t, `
name: ddb
duration: 30s
system: {kind: dynamodb, table: {rcu: 100, wcu: 100}, burst_window: 1s}
clients: {retry: {max_attempts: 1}}
workload:
  - name: w
    arrival: {rate: 20/s}
    ops: {batch-write: 1}
    batch_items: 25
`)
	// 20 × 25 = 500 items/s offered to 100 WCU: about 4 in 5 unprocessed.
	items := float64(rep.Requests.Total) * 25
	assert.InDelta(t, 0.8, float64(counter(rep, "unprocessed_items"))/items, 0.03)
	assert.Less(t, rep.Requests.Failed, rep.Requests.Total/5, "a batch fails only when none of its items fit")
}

func TestDynamoDBHotKeyTakesItsShareInItsWindow(t *testing.T) {
	rep := runOne(t, `
name: ddb
duration: 3m
system: {kind: dynamodb, table: {rcu: 3000, wcu: 4000}}
workload:
  - name: w
    arrival: {rate: 400/s}
    ops: {put: 1}
    hot_keys: [{key: 42, share: 0.5, at: 1m, until: 2m}]
`)
	// 5 partitions; the key's takes a fifth of the writes, or half plus a
	// fifth of the rest while the key is hot.
	var before, during, after float64
	for p := 0; p < 5; p++ {
		col := column(t, rep, "consumed_wcu:p"+string(rune('0'+p)))
		if d := mean(span(rep, col, 70*time.Second, 110*time.Second)); d > during {
			during = d
			before = mean(span(rep, col, 10*time.Second, 50*time.Second))
			after = mean(span(rep, col, 130*time.Second, 170*time.Second))
		}
	}
	assert.InDelta(t, 80, before, 10)
	assert.InDelta(t, 200+40, during, 15)
	assert.InDelta(t, 80, after, 10)
}

func TestDynamoDBLeaderFailures(t *testing.T) {
	// Fact 5.26: writes to a partition whose leader fails wait for its
	// lease (2 s) and an election; an AZ's leaders fail together.
	rep := runOne(t, `
name: ddb
duration: 1m
system: {kind: dynamodb, table: {rcu: 3000, wcu: 5000}}
workload: [{arrival: {rate: 500/s}, ops: {put: 0.5, get: 0.5}}]
faults:
  - {at: 10s, kind: leader-failure, target: p1}
  - {at: 30s, kind: leader-failure, az: us-east-1b}
`)
	require.GreaterOrEqual(t, len(rep.Failovers), 2)
	f := rep.Failovers[0]
	assert.Equal(t, "partition p1 leader failure", f.Cause)
	assert.Equal(t, 2100*time.Millisecond, f.Accepting.Sub(f.Start), "lease + election")
	assert.EqualValues(t, len(rep.Failovers), counter(rep, "leader_failovers"))
	assert.Positive(t, counter(rep, "unavailable"), "writes refused while no leader")
	require.Len(t, rep.Faults, 2)
	assert.Equal(t, "leader of p1 fails", rep.Faults[0].Label)
	assert.Equal(t, "leaders in us-east-1b fail", rep.Faults[1].Label)
}

func TestDynamoDBCountersCoverTheMeasuredWindow(t *testing.T) {
	// The model's counters restart at the end of the warmup, as the
	// request counts do: a steady overload throttles about as much per
	// measured second with and without a warmup.
	src := func(warmup string) string {
		return `
name: ddb
duration: 2m
` + warmup + `
system: {kind: dynamodb, table: {rcu: 100, wcu: 100}, burst_window: 1s}
clients: {retry: {max_attempts: 1}}
workload: [{arrival: {process: constant, rate: 200/s}, ops: {put: 1}}]
`
	}
	all := runOne(t, src(""))
	measured := runOne(t, src("warmup: 1m"))
	assert.InDelta(t, float64(counter(all, "throttled_writes"))/2, float64(counter(measured, "throttled_writes")), 300)
	assert.InDelta(t, measured.Requests.Throttled, counter(measured, "throttled_writes"), 5)
}

func TestDynamoDBScheduledUpdateTable(t *testing.T) {
	// A planner raises a 1,000 WCU table to 3,000 WCU at 2:00 under a
	// 1,500 WCU/s load: the table throttles until the update lands
	// update_delay later (fact 5.23: UpdateTable takes minutes), then not.
	rep := run(t, mustParse(t, `
name: ddb-update
duration: 8m
system:
  kind: dynamodb
  table: {rcu: 1000, wcu: 1000, updates: [{at: 2m, wcu: 3000}]}
  burst_window: 0s
  update_delay: 2m
clients: {instances: 4, connections: 500, sdk: go-v2-standard}
workload:
  - arrival: {rate: 1500/s}
    ops: {put: 1}
    keys: {count: 1000000}
`))
	prov := column(t, rep, "provisioned_wcu")
	thr := column(t, rep, "throttled")
	b := rep.Series.Bucket()
	assert.Equal(t, 1000.0, prov[int(3*time.Minute+50*time.Second)/int(b)], "the old throughput holds while the update runs")
	assert.Equal(t, 3000.0, prov[int(4*time.Minute+10*time.Second)/int(b)])
	assert.Greater(t, sum(span(rep, thr, 30*time.Second, 3*time.Minute+50*time.Second)), 1000.0, "throttled before")
	assert.Zero(t, sum(span(rep, thr, 4*time.Minute+10*time.Second, 8*time.Minute)), "not after")
	var events []string
	for _, e := range rep.Events {
		events = append(events, e.Text)
	}
	assert.Contains(t, events, "UpdateTable table: 3000 WCU requested (takes 2m0s)")
}

func TestDynamoDBQueryOnLowCardinalityIndexThrottles(t *testing.T) {
	// 2,000 queries/s of 10 × 8 KB items, eventually consistent: 10 RCU
	// each (fact 5.5), 20,000 RCU/s. On the base table they spread over
	// 100,000 item collections and 40 partitions; on an index whose key
	// has 4 values (a status), each value's collection lives on one index
	// partition, which serves at most 3,000 RCU/s (fact 5.1) of the
	// 5,000 asked of it.
	src := `
name: ddb-query-index
duration: 1m
system:
  kind: dynamodb
  table:
    rcu: 120000
    wcu: 1000
    gsis: [{name: by-status, rcu: 120000, wcu: 1000, keys: 4}]
clients: {instances: 4, connections: 1000, sdk: go-v2-standard}
workload:
  - arrival: {rate: 2000/s}
    ops: {query: 1}
    query_items: 10
    item_size: 8KB
    keys: {count: 100000}
`
	base := run(t, mustParse(t, src))
	assert.Zero(t, base.Requests.Throttled, "the base table's collections spread")
	idx := run(t, mustParse(t, src+"    query_index: by-status\n"))
	assert.Greater(t, idx.Requests.Throttled, base.Requests.Total/4, "four index partitions at most, each capped at 3,000 RCU/s")
	var onIndex int64
	for _, c := range idx.Counters {
		if c.ID.Kind == metric.Throttles && c.ID.Index == "by-status" {
			onIndex += c.Value
		}
	}
	assert.Equal(t, counter(idx, "throttled_reads"), onIndex, "every throttle is on the index's partitions")
}

func TestDynamoDBResubmittedUnprocessedItemsGetWritten(t *testing.T) {
	// A loader sends 150 items/s in batches of 25 for 10 s to a 100 WCU
	// table: a third of the items come back unprocessed (fact 5.35).
	// Dropped, they are lost; resubmitted with the SDK's backoff (fact
	// 5.36), they are written once the load is over, as long as the
	// policy's attempts last: Java v1's 11 (fact 5.37) outlast the
	// overload, Java v2's 9 with a 25 ms base (fact 5.38) do not.
	src := `
name: ddb-loader
duration: 60s
system: {kind: dynamodb, table: {rcu: 100, wcu: 100}, burst_window: 0s}
clients: {sdk: java-v1}
workload:
  - name: loader
    arrival: {process: constant, rate: 6/s}
    rate_changes: [{at: 10s, rate: 0/s}]
    ops: {batch-write: 1}
    batch_items: 25
    keys: {count: 1000000}
`
	written := func(rep *Replication) float64 {
		return sum(column(t, rep, "consumed_wcu")) * rep.Series.Bucket().Seconds()
	}
	dropped := run(t, mustParse(t, src))
	offered := float64(25 * dropped.Requests.Total)
	assert.InDelta(t, 1000, written(dropped), 100, "100 WCU for 10 s: the rest is dropped")
	resubmit := src + "    unprocessed: resubmit\n"
	resubmitted := run(t, mustParse(t, resubmit))
	assert.Equal(t, offered, written(resubmitted), "every item written")
	assert.Greater(t, resubmitted.Requests.Total, dropped.Requests.Total+20, "the resubmissions are requests")

	shortBudget := run(t, mustParse(t, strings.Replace(resubmit, "java-v1", "java-v2", 1)))
	assert.Less(t, written(shortBudget), offered-100, "nine attempts within about six seconds run out in a ten-second overload")
	assert.Greater(t, written(shortBudget), written(dropped)+100)
}

func TestOpsFollowTheModelsOperations(t *testing.T) {
	// The Ops fields and dynamodb.Kind name the same operations in the same
	// order, and ddbKindOrder lists every one of them, writes first.
	fields := fieldsOf(typeOfOps)
	for i, f := range fields {
		k, ok := dynamodb.ParseKind(f.name)
		assert.True(t, ok && int(k) == i && f.index == i, "Ops does not follow dynamodb.Kind at %s", f.name)
	}
	require.Len(t, ddbKindOrder, len(fields))
	seen := map[dynamodb.Kind]bool{}
	writes := true
	for _, k := range ddbKindOrder {
		seen[k] = true
		if !k.Write() {
			writes = false
		}
		assert.True(t, writes || !k.Write(), "%v: writes come first", k)
	}
	assert.Len(t, seen, len(fields), "every operation once")
}
