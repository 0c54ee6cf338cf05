package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"dbsim/models/client"
	"dbsim/models/dynamodb"
)

// Allowed values of the DynamoDB keys.
var (
	ddbModes        = []string{"provisioned", "on-demand"}
	ddbServices     = []string{"dynamodb", "keyspaces"}
	ddbConsistency  = []string{"eventual", "strong"}
	ddbWorkloadKeys = []string{"consistency", "ops", "query_items", "query_index", "batch_items", "unprocessed", "hot_keys", "hot_keys_from", "collection", "region"}
	ddbUnprocessed  = []string{"drop", "resubmit"}
	// gsiName is DynamoDB's rule for index names: 3 to 255 of a-z, A-Z,
	// 0-9, '_', '-' and '.'.
	gsiName = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	// partitionName is a leader-failure target.
	partitionName = regexp.MustCompile(`^p(0|[1-9][0-9]*)$`)
	typeOfOps     = reflect.TypeFor[Ops]()
)

// Bounds that keep a run's memory sane; DynamoDB itself has no such limits.
const (
	maxDDBPartitions = 10_000
	maxGaugeRows     = 1024
	// maxBatchItems is BatchGetItem's and a transaction's item limit,
	// maxBatchWriteItems BatchWriteItem's (dynamodb.MaxBatchGet, ...).
	maxBatchItems      = dynamodb.MaxBatchGet
	maxBatchWriteItems = dynamodb.MaxBatchWrite

	defaultQueryItems = 10
	defaultBatchItems = 25
)

// dynamodb checks a dynamodb block. Model parameters left out keep the
// model's defaults (dynamodb.Defaults), applied when the system is built;
// only the capacity mode is filled in here.
func (v *validator) dynamodb(d *DynamoDBSystem) {
	const p = "system."
	t := &d.Table
	v.defaultString(p+"service", &d.Service, "dynamodb")
	v.oneOf(p+"service", "service", d.Service, ddbServices)
	if d.Service == "keyspaces" {
		// Amazon Keyspaces has no secondary indexes of DynamoDB's kind.
		for _, key := range []string{"table.gsis", "table.lsis"} {
			if v.has(p + key) {
				v.errorf(p+key, "does not apply to keyspaces (an Amazon Keyspaces table has no global or local secondary indexes here)")
				v.bad[p+key] = true
			}
		}
		if v.has(p + "table.stream") {
			// Keyspaces' change data capture is not DynamoDB Streams.
			v.errorf(p+"table.stream", "does not apply to keyspaces (DynamoDB Streams and their Lambda consumer are modelled for dynamodb only)")
			v.bad[p+"table.stream"] = true
		}
	}
	v.defaultString(p+"table.mode", &t.Mode, "provisioned")
	v.oneOf(p+"table.mode", "capacity mode", t.Mode, ddbModes)
	prov := t.Mode == "provisioned"

	v.capacity(p+"table.", t.RCU, t.WCU, t.Partitions, prov)
	v.updates(p+"table.updates", t.Updates, prov)
	if t.Size < 0 {
		v.errorf(p+"table.size", "must not be negative, got %v", t.Size)
	}
	names := map[string]int{}
	for i := range t.GSIs {
		g := &t.GSIs[i]
		gp := fmt.Sprintf("%stable.gsis[%d].", p, i)
		switch {
		case !v.has(gp + "name"):
			v.errorf(gp+"name", "required (3 to 255 letters, digits, '_', '-' or '.', e.g. by-status)")
		case !gsiName.MatchString(g.Name):
			v.errorf(gp+"name", "%q is not an index name (3 to 255 letters, digits, '_', '-' or '.')", g.Name)
		case partitionName.MatchString(g.Name):
			v.errorf(gp+"name", "%q would read as a partition of the base table in the time series; choose another", g.Name)
		default:
			if j, dup := names[g.Name]; dup {
				v.errorf(gp+"name", "duplicate index name %q (also gsis[%d])", g.Name, j)
			}
			names[g.Name] = i
		}
		v.capacity(gp, g.RCU, g.WCU, g.Partitions, prov)
		v.updates(gp+"updates", g.Updates, prov)
		if v.has(gp+"share") && (g.Share <= 0 || g.Share > 1) {
			v.errorf(gp+"share", "must be in (0, 1] (the share of items that carry the indexed attribute), got %s", formatNumber(g.Share))
		}
		if v.has(gp+"projected_size") && (g.ProjectedSize <= 0 || g.ProjectedSize > maxItemSize) {
			v.errorf(gp+"projected_size", "must be > 0 and at most %v, got %v", maxItemSize, g.ProjectedSize)
		}
	}

	if len(t.LSIs) > dynamodb.MaxLSIs {
		v.errorf(p+"table.lsis", "a table has at most %d local secondary indexes (fact 5.42), got %d", dynamodb.MaxLSIs, len(t.LSIs))
	}
	for i := range t.LSIs {
		x := &t.LSIs[i]
		lp := fmt.Sprintf("%stable.lsis[%d].", p, i)
		switch {
		case !v.has(lp + "name"):
			v.errorf(lp+"name", "required (3 to 255 letters, digits, '_', '-' or '.', e.g. by-date)")
		case !gsiName.MatchString(x.Name):
			v.errorf(lp+"name", "%q is not an index name (3 to 255 letters, digits, '_', '-' or '.')", x.Name)
		default:
			if j, dup := names[x.Name]; dup {
				v.errorf(lp+"name", "duplicate index name %q (also gsis[%d])", x.Name, j)
			}
			for j := 0; j < i; j++ {
				if t.LSIs[j].Name == x.Name {
					v.errorf(lp+"name", "duplicate index name %q (also lsis[%d])", x.Name, j)
				}
			}
		}
		if v.has(lp+"projected_size") && (x.ProjectedSize <= 0 || x.ProjectedSize > maxItemSize) {
			v.errorf(lp+"projected_size", "must be > 0 and at most %v, got %v", maxItemSize, x.ProjectedSize)
		}
	}

	l := d.Limits
	for _, x := range []struct {
		key string
		val float64
	}{{"partition_rcu", l.PartitionRCU}, {"partition_wcu", l.PartitionWCU}, {"partition_size", float64(l.PartitionSize)}} {
		if v.has(p+"limits."+x.key) && x.val <= 0 {
			v.errorf(p+"limits."+x.key, "must be > 0, got %s", formatNumber(x.val))
		}
	}
	if v.has(p+"limits.collection_size") && l.CollectionSize <= 0 {
		v.errorf(p+"limits.collection_size", "must be > 0, got %v", l.CollectionSize)
	} else if v.has(p+"limits.collection_size") && len(t.LSIs) == 0 {
		v.errorf(p+"limits.collection_size", "applies to tables with lsis (without a local secondary index an item collection has no size limit)")
	}
	v.nonNegative(p+"burst_window", d.BurstWindow)
	v.positiveIfSet(p+"hard_window", d.HardWindow)
	v.positiveIfSet(p+"metric_period", d.MetricPeriod)
	v.nonNegative(p+"update_delay", d.UpdateDelay)

	if v.has(p+"adaptive") && !prov {
		v.errorf(p+"adaptive", "applies to provisioned tables (an on-demand partition may use its whole hard limit)")
	}
	v.positiveIfSet(p+"adaptive.interval", d.Adaptive.Interval)

	h := d.SplitForHeat
	hp := p + "split_for_heat."
	if v.has(hp+"threshold") && (h.Threshold <= 0 || h.Threshold > 1) {
		v.errorf(hp+"threshold", "must be in (0, 1] (a share of the partition's hard limit), got %s", formatNumber(h.Threshold))
	}
	if v.has(hp+"periods") && h.Periods < 1 {
		v.errorf(hp+"periods", "must be at least 1, got %d", h.Periods)
	}
	v.nonNegative(hp+"duration", h.Duration)
	if v.has(hp+"single_key_share") && (h.SingleKeyShare <= 0 || h.SingleKeyShare > 1) {
		v.errorf(hp+"single_key_share", "must be in (0, 1], got %s", formatNumber(h.SingleKeyShare))
	}

	od := d.OnDemand
	op := p + "on_demand."
	if v.has(p+"on_demand") && prov {
		v.errorf(p+"on_demand", "applies to mode: on-demand (the table is provisioned)")
	}
	for _, x := range []struct {
		key string
		val float64
	}{{"initial_rru", od.InitialRRU}, {"initial_wru", od.InitialWRU}} {
		if v.has(op+x.key) && x.val <= 0 {
			v.errorf(op+x.key, "must be > 0, got %s", formatNumber(x.val))
		}
	}
	if v.has(op+"peak_multiple") && od.PeakMultiple < 1 {
		v.errorf(op+"peak_multiple", "must be at least 1, got %s", formatNumber(od.PeakMultiple))
	}
	v.positiveIfSet(op+"peak_window", od.PeakWindow)
	for _, x := range []struct {
		key string
		val float64
	}{{"max_rru", od.MaxRRU}, {"max_wru", od.MaxWRU}} {
		if v.has(op+x.key) && x.val < 0 {
			v.errorf(op+x.key, "must be >= 0 (0: no quota), got %s", formatNumber(x.val))
		}
	}

	v.dist(p+"router_latency", d.RouterLatency)
	v.dist(p+"read_service", d.ReadService)
	v.dist(p+"log_write", d.LogWrite)
	v.dist(p+"replication_delay", d.ReplicationDelay)
	v.replicas(d)
	v.nonNegative(p+"lease", d.Lease)
	v.nonNegative(p+"election", d.Election)
	v.nonNegative(p+"replica_repair", d.ReplicaRepair)
	if v.has(p+"gauge_partitions") && (d.GaugePartitions < 0 || d.GaugePartitions > maxGaugeRows) {
		v.errorf(p+"gauge_partitions", "must be 0 (automatic) to %d, got %d", maxGaugeRows, d.GaugePartitions)
	}
	v.stream(&t.Stream)
}

// stream checks a table's stream block (facts 13.3–13.9).
func (v *validator) stream(s *DynamoDBStream) {
	const p = "system.table.stream"
	if !v.has(p) {
		return
	}
	if v.has(p+".retention") && v.positive(p+".retention", s.Retention) && s.Retention.D() > 24*time.Hour {
		v.errorf(p+".retention", "must be at most 24h (DynamoDB Streams keeps records 24 hours, fact 13.3), got %v", s.Retention)
	}
	v.positiveIfSet(p+".behind_after", s.BehindAfter)
	cp := p + ".consumer"
	if !v.has(cp) {
		v.errorf(cp, "required (the Lambda function reading the stream: batch_size, duration, ...)")
		return
	}
	c := &s.Consumer
	cp += "."
	ints := []struct {
		key     string
		val     int
		lo, hi  int
		meaning string
	}{
		{"batch_size", c.BatchSize, 1, 10000, "records per invocation, fact 13.5"},
		{"parallelization_factor", c.ParallelizationFactor, 1, 10, "batches of a shard at once, fact 13.6"},
		{"memory_mb", c.MemoryMB, 128, 10240, "Lambda's memory sizes, fact 13.9"},
		{"max_retries", c.MaxRetries, -1, 10000, "-1: until the records expire, fact 13.7"},
	}
	for _, x := range ints {
		if v.has(cp+x.key) && (x.val < x.lo || x.val > x.hi) {
			v.errorf(cp+x.key, "must be %d to %d (%s), got %d", x.lo, x.hi, x.meaning, x.val)
		}
	}
	if v.nonNegative(cp+"batching_window", c.BatchingWindow) && c.BatchingWindow.D() > 5*time.Minute {
		v.errorf(cp+"batching_window", "must be at most 5m (MaximumBatchingWindowInSeconds 300, fact 13.5), got %v", c.BatchingWindow)
	}
	if !v.has(cp + "duration") {
		v.errorf(cp+"duration", "required (one invocation's run time, e.g. {dist: lognormal, p50: 200ms, p99: 1s})")
	} else {
		v.dist(cp+"duration", c.Duration)
	}
	if v.has(cp+"polls_per_second") && !(c.PollsPerSecond > 0 && c.PollsPerSecond <= 1000) {
		v.errorf(cp+"polls_per_second", "must be > 0 and at most 1000 (Lambda polls 4 times a second, fact 13.4), got %s", formatNumber(c.PollsPerSecond))
	}
	for i, at := range c.PoisonAt {
		key := fmt.Sprintf("%spoison_at[%d]", cp, i)
		if v.nonNegative(key, at) && v.durationOK() && at.D() >= v.s.Duration.D() {
			v.errorf(key, "must be before the end of the run (%v), got %v", v.s.Duration, at)
		}
	}
}

// capacity checks the throughput, partitions and auto scaling of the
// table or an index at prefix p ("system.table." or a gsis entry).
func (v *validator) capacity(p string, rcu, wcu float64, partitions int, prov bool) {
	for _, x := range []struct {
		key string
		val float64
	}{{"rcu", rcu}, {"wcu", wcu}} {
		switch {
		case !v.has(p + x.key):
		case !prov:
			v.errorf(p+x.key, "applies to mode: provisioned (an on-demand table serves what its previous peak allows; see system.on_demand)")
		case x.val < 1:
			v.errorf(p+x.key, "must be at least 1, got %s", formatNumber(x.val))
		case x.val > 1e7:
			v.errorf(p+x.key, "must be at most 10000000, got %s", formatNumber(x.val))
		}
	}
	if v.has(p+"partitions") && (partitions < 0 || partitions > maxDDBPartitions) {
		v.errorf(p+"partitions", "must be 0 (from throughput and size) to %d, got %d", maxDDBPartitions, partitions)
	}
	ap := p + "autoscaling"
	if !v.has(ap) {
		return
	}
	if !prov {
		v.errorf(ap, "applies to mode: provisioned (on-demand scales with its previous peak)")
		return
	}
	a := v.autoScalingAt(p)
	ap += "."
	if v.has(ap+"target") && (a.Target < 0.2 || a.Target > 0.9) {
		v.errorf(ap+"target", "must be 0.2 to 0.9 (target utilization 20–90 %%, fact 5.22), got %s", formatNumber(a.Target))
	}
	for _, dim := range []struct {
		min, max string
		lo, hi   float64
	}{{"min_rcu", "max_rcu", a.MinRCU, a.MaxRCU}, {"min_wcu", "max_wcu", a.MinWCU, a.MaxWCU}} {
		loOK := !v.has(ap+dim.min) || dim.lo >= 1
		hiOK := !v.has(ap+dim.max) || dim.hi >= 1
		if !loOK {
			v.errorf(ap+dim.min, "must be at least 1, got %s", formatNumber(dim.lo))
		}
		if !hiOK {
			v.errorf(ap+dim.max, "must be at least 1, got %s", formatNumber(dim.hi))
		}
		if v.has(ap+dim.min) && v.has(ap+dim.max) && loOK && hiOK && dim.hi < dim.lo {
			v.errorf(ap+dim.max, "must be at least %s (%s), got %s", dim.min, formatNumber(dim.lo), formatNumber(dim.hi))
		}
	}
	v.nonNegative(ap+"delay", a.Delay)
	for _, x := range []struct {
		key string
		n   int
	}{{"scale_up_points", a.ScaleUpPoints}, {"scale_down_points", a.ScaleDownPoints}} {
		if v.has(ap+x.key) && x.n < 1 {
			v.errorf(ap+x.key, "must be at least 1, got %d", x.n)
		}
	}
	if v.has(ap+"scale_down_margin") && (a.ScaleDownMargin < 0 || a.ScaleDownMargin >= 1) {
		v.errorf(ap+"scale_down_margin", "must be in [0, 1), got %s", formatNumber(a.ScaleDownMargin))
	}
	if v.has(ap+"decreases_first_hour") && a.DecreasesFirstHour < 0 {
		v.errorf(ap+"decreases_first_hour", "must not be negative, got %d", a.DecreasesFirstHour)
	}
	v.nonNegative(ap+"decrease_spacing", a.DecreaseSpacing)
	if a.DayStart < 0 || a.DayStart >= Duration(24*time.Hour) {
		v.errorf(ap+"day_start", "must be a time of day, 0s to under 24h, got %v", a.DayStart)
	}
}

// updates checks the UpdateTable schedule at path.
func (v *validator) updates(path string, us []DynamoDBUpdate, prov bool) {
	if len(us) > 0 && !prov {
		v.errorf(path, "applies to mode: provisioned (an on-demand table has no throughput to update)")
		return
	}
	for j, u := range us {
		up := fmt.Sprintf("%s[%d].", path, j)
		if !v.has(up + "at") {
			v.errorf(up+"at", "required (when the update is made, e.g. 10m)")
		} else {
			v.within(up+"at", u.At)
		}
		if !v.has(up+"rcu") && !v.has(up+"wcu") {
			v.errorf(path+fmt.Sprintf("[%d]", j), "give rcu, wcu or both (the new throughput)")
		}
		for _, x := range []struct {
			key string
			val float64
		}{{"rcu", u.RCU}, {"wcu", u.WCU}} {
			if v.has(up+x.key) && (x.val < 1 || x.val > 1e7) {
				v.errorf(up+x.key, "must be 1 to 10000000, got %s", formatNumber(x.val))
			}
		}
	}
}

// autoScalingAt is the autoscaling block of the table or index at p.
func (v *validator) autoScalingAt(p string) DynamoDBAutoScaling {
	d := v.s.System.DynamoDB
	if p == "system.table." {
		return d.Table.AutoScaling
	}
	var i int
	if _, err := fmt.Sscanf(p, "system.table.gsis[%d].", &i); err == nil && i >= 0 && i < len(d.Table.GSIs) {
		return d.Table.GSIs[i].AutoScaling
	}
	return DynamoDBAutoScaling{}
}

// dynamodbWorkload checks workload i's DynamoDB keys: errors for another
// system; for dynamodb, fills their defaults and turns ops into the mix
// (read = the reading operations' shares, write = the writing ones').
func (v *validator) dynamodbWorkload(i int) {
	w := &v.s.Workload[i]
	p := fmt.Sprintf("workload[%d].", i)
	if v.s.System.DynamoDB == nil {
		if kind := v.s.System.Kind; kind != "" && !v.broken("system.kind") {
			for _, key := range ddbWorkloadKeys {
				if v.has(p + key) {
					v.errorf(p+key, "applies to dynamodb (this system is %s)", kind)
				}
			}
		}
		return
	}
	if v.has(p + "reads_from") {
		v.errorf(p+"reads_from", "does not apply to dynamodb (a partition's leader or any replica serves a read, by consistency)")
		v.bad[p+"reads_from"] = true // reported: the generic check stays quiet
	}

	hasOps := v.has(p + "ops")
	var shares [9]float64
	switch {
	case hasOps && v.has(p+"mix"):
		v.errorf(p+"ops", "give either mix (read: get, write: put) or ops, not both")
	case hasOps:
		ok := true
		for _, f := range fieldsOf(typeOfOps) {
			ok = v.share(p+"ops."+f.name, w.Ops.shares()[f.index]) && ok
		}
		shares = w.Ops.shares()
		sum := 0.0
		for _, x := range shares {
			sum += x
		}
		if ok && math.Abs(sum-1) > 1e-9 {
			v.errorf(p+"ops", "the shares sum to %s, must sum to 1", formatNumber(sum))
		}
		var read, write float64
		for _, k := range ddbKindOrder {
			if k.Write() {
				write += shares[k]
			} else {
				read += shares[k]
			}
		}
		w.Mix = Mix{Read: read, Write: write}
	default:
		shares[dynamodb.GetItem], shares[dynamodb.PutItem] = w.Mix.Read, w.Mix.Write
	}

	if v.s.System.DynamoDB.Service == "keyspaces" {
		for _, k := range []dynamodb.Kind{dynamodb.BatchGetItem, dynamodb.BatchWriteItem, dynamodb.TransactGetItems, dynamodb.TransactWriteItems} {
			if shares[k] > 0 {
				v.errorf(p+"ops."+k.String(), "%s is not modelled for keyspaces (get, put, update, delete and query are; a lightweight transaction is priced as a put, fact 5.44)", k)
			}
		}
	}
	reads := shares[dynamodb.GetItem] + shares[dynamodb.Query] + shares[dynamodb.BatchGetItem]
	switch {
	case !v.has(p + "consistency"):
		w.Consistency = "eventual" // the SDKs' default
	case v.oneOf(p+"consistency", "consistency", w.Consistency, ddbConsistency) && reads == 0 && !v.broken(p+"ops") && !v.broken(p+"mix"):
		v.errorf(p+"consistency", "applies to get, query and batch-get; this workload has none")
	}

	coll := v.collection(p, w, shares)
	if coll && v.has(p+"query_items") {
		v.errorf(p+"query_items", "give query_items or collection, not both (with collection a Query reads its key's whole collection)")
	}
	if coll && v.has(p+"query_index") {
		v.errorf(p+"query_index", "collection queries read the table (a global secondary index has collections of its own); leave query_index out")
		v.bad[p+"query_index"] = true
	}
	v.opParam(p+"query_items", &w.QueryItems, defaultQueryItems, shares[dynamodb.Query] > 0, "query", 1, math.MaxInt32, "")
	if !v.broken(p + "query_index") {
		v.queryIndex(p, w, shares[dynamodb.Query] > 0)
	}
	batch := shares[dynamodb.BatchGetItem] + shares[dynamodb.BatchWriteItem] + shares[dynamodb.TransactGetItems] + shares[dynamodb.TransactWriteItems]
	most, why := maxBatchItems, " (BatchGetItem and transactions take at most 100 items)"
	if shares[dynamodb.BatchWriteItem] > 0 {
		most, why = maxBatchWriteItems, " (BatchWriteItem takes at most 25 items)"
	}
	v.opParam(p+"batch_items", &w.BatchItems, min(defaultBatchItems, most), batch > 0, "batch-get, batch-write, transact-get or transact-write", 1, most, why)
	switch batches := shares[dynamodb.BatchGetItem] + shares[dynamodb.BatchWriteItem]; {
	case !v.has(p + "unprocessed"):
		w.Unprocessed = "drop"
	case !v.oneOf(p+"unprocessed", "handling of unprocessed items", w.Unprocessed, ddbUnprocessed):
	case batches == 0 && !v.broken(p+"ops"):
		v.errorf(p+"unprocessed", "unprocessed applies to workloads with batch-get or batch-write in ops")
	}

	for j := range w.HotKeys {
		h := &w.HotKeys[j]
		hp := fmt.Sprintf("%shot_keys[%d].", p, j)
		if !v.has(hp + "key") {
			v.errorf(hp+"key", "required (the celebrity key, e.g. 42)")
		}
		if !v.has(hp + "share") {
			v.errorf(hp+"share", "required (the share of the workload's requests that go to the key, e.g. 0.3)")
		} else if h.Share <= 0 || h.Share > 1 {
			v.errorf(hp+"share", "must be in (0, 1], got %s", formatNumber(h.Share))
		}
		v.within(hp+"at", h.At)
		switch {
		case !v.has(hp + "until"):
			h.Until = v.s.Duration
		case h.Until <= h.At:
			v.errorf(hp+"until", "must be after at (%v), got %v", h.At, h.Until)
		}
	}
	// At any moment the hot keys may take at most all of the requests; the
	// most they take together is at one of their starts.
	for j, h := range w.HotKeys {
		sum := 0.0
		for _, o := range w.HotKeys {
			if o.At <= h.At && h.At < o.Until {
				sum += o.Share
			}
		}
		if sum > 1+1e-9 && !v.broken(p+"hot_keys") {
			v.errorf(fmt.Sprintf("%shot_keys[%d]", p, j), "the hot keys active at %v take %s of the requests, more than all of them", h.At, formatNumber(sum))
			break
		}
	}
}

// maxCollectionItems bounds a collection's median item count: a Query
// reads one 1 MB page at most, so more items change nothing but the
// growth of a collection toward its limit.
const maxCollectionItems = 10_000_000

// collection checks a workload's item collections and reports whether
// it has them: items_p50 or sizes, for workloads that query or put.
func (v *validator) collection(p string, w *Workload, shares [9]float64) bool {
	cp := p + "collection"
	if !v.has(cp) {
		return false
	}
	c := &w.Collection
	if shares[dynamodb.Query] == 0 && shares[dynamodb.PutItem] == 0 && !v.broken(p+"ops") && !v.broken(p+"mix") {
		v.errorf(cp, "collection applies to workloads with query or put in ops (a Query reads a collection, a put adds to one)")
	}
	if !v.has(cp+".items_p50") && len(c.Sizes) == 0 {
		v.errorf(cp, "give items_p50 (the median items in a key's collection, e.g. 20), sizes, or both")
	}
	if v.has(cp+".items_p50") && (c.ItemsP50 < 1 || c.ItemsP50 > maxCollectionItems) {
		v.errorf(cp+".items_p50", "must be 1 to %d, got %s", maxCollectionItems, formatNumber(c.ItemsP50))
	}
	switch {
	case !v.has(cp + ".items_p99"):
		c.ItemsP99 = c.ItemsP50
	case !v.has(cp + ".items_p50"):
		v.errorf(cp+".items_p99", "needs items_p50 (the median)")
	case c.ItemsP99 < c.ItemsP50 || c.ItemsP99 > maxCollectionItems:
		v.errorf(cp+".items_p99", "must be at least items_p50 (%s) and at most %d, got %s", formatNumber(c.ItemsP50), maxCollectionItems, formatNumber(c.ItemsP99))
	}
	limit := int64(dynamodb.DefaultCollectionBytes)
	d := v.s.System.DynamoDB
	if v.has("system.limits.collection_size") && d.Limits.CollectionSize > 0 {
		limit = int64(d.Limits.CollectionSize)
	}
	seen := map[uint64]int{}
	for j, x := range c.Sizes {
		sp := fmt.Sprintf("%s.sizes[%d].", cp, j)
		if !v.has(sp + "key") {
			v.errorf(sp+"key", "required (the partition key, e.g. 42)")
		} else if k, dup := seen[x.Key]; dup {
			v.errorf(sp+"key", "key %d already has a size (sizes[%d])", x.Key, k)
		} else {
			seen[x.Key] = j
		}
		switch {
		case !v.has(sp + "size"):
			v.errorf(sp+"size", "required (the collection's size when the run begins, e.g. 9.9GB)")
		case x.Size <= 0 || (len(d.Table.LSIs) > 0 && int64(x.Size) > limit):
			v.errorf(sp+"size", "must be > 0 and at most the collection limit %v, got %v", Size(limit), x.Size)
		}
	}
	return true
}

// maxItemSize is the largest item or row the system takes: DynamoDB's
// 400 KB (fact 5.7), Amazon Keyspaces' 1 MB rows (fact 5.44).
func (v *validator) maxItemSize() Size {
	if d := v.s.System.DynamoDB; d != nil && d.Service == "keyspaces" {
		return keyspacesMaxRow
	}
	return maxItemSize
}

// keyspacesMaxRow is Amazon Keyspaces' row size limit (fact 5.44).
const keyspacesMaxRow = Size(1 << 20)

// opParam checks a count that applies only to some operations: defaulted
// to def when left out, within [lo, hi] (why explains hi), and an error
// when given for a workload without those operations.
func (v *validator) opParam(path string, n *int, def int, applies bool, ops string, lo, hi int, why string) {
	key := path[strings.LastIndexByte(path, '.')+1:]
	switch {
	case !v.has(path):
		*n = def
	case !applies:
		v.errorf(path, "%s applies to workloads with %s in ops", key, ops)
	case *n < lo || *n > hi:
		v.errorf(path, "must be %d to %d%s, got %d", lo, hi, why, *n)
	}
}

// queryIndex checks a workload's query_index: the name of one of the
// table's global secondary indexes, read eventually consistently only.
func (v *validator) queryIndex(p string, w *Workload, queries bool) {
	path := p + "query_index"
	if !v.has(path) {
		return
	}
	if !queries {
		v.errorf(path, "query_index applies to workloads with query in ops")
		return
	}
	var names []string
	for _, g := range v.s.System.DynamoDB.Table.GSIs {
		if g.Name == w.QueryIndex {
			if w.Consistency == "strong" {
				v.errorf(path, "a global secondary index serves eventually consistent reads only (DynamoDB refuses ConsistentRead on one); give this workload consistency: eventual")
			}
			return
		}
		names = append(names, g.Name)
	}
	if len(names) == 0 {
		v.errorf(path, "no index named %q: the table has no gsis", w.QueryIndex)
		return
	}
	v.errorf(path, "no index named %q (indexes: %s)", w.QueryIndex, strings.Join(names, ", "))
}

// clientSDK checks clients.sdk and fills the retry keys the file leaves out
// from the SDK's preset, so that the scenario shows the policy in use.
func (v *validator) clientSDK() {
	const p = "clients."
	c := &v.s.Clients
	if !v.has(p + "sdk") {
		return
	}
	if v.s.System.DynamoDB == nil {
		if kind := v.s.System.Kind; kind != "" && !v.broken("system.kind") {
			v.errorf(p+"sdk", "applies to dynamodb (this system is %s; its driver's retries are clients.retry)", kind)
		}
		return
	}
	if v.s.System.DynamoDB.Service == "keyspaces" {
		v.errorf(p+"sdk", "does not apply to keyspaces (its clients are Cassandra drivers: set their retries in clients.retry)")
		return
	}
	r, err := client.SDKRetry(c.SDK)
	if err != nil {
		v.errorf(p+"sdk", "unknown SDK %q%s (allowed: %s)", c.SDK, DidYouMean(c.SDK, client.SDKNames()), strings.Join(client.SDKNames(), ", "))
		return
	}
	if !v.has(p + "retry.max_attempts") {
		c.Retry.MaxAttempts = r.MaxAttempts
	}
	if !v.has(p + "retry.base") {
		c.Retry.Base = Duration(r.Base)
	}
	if !v.has(p + "retry.cap") {
		c.Retry.Cap = Duration(r.Cap)
	}
	if !v.has(p + "retry.jitter") {
		c.Retry.Jitter = jitterName(r.Jitter)
	}
}

// jitterName is the scenario name of a client jitter mode.
func jitterName(j client.Jitter) string {
	switch j {
	case client.NoJitter:
		return "none"
	case client.EqualJitter:
		return "equal"
	}
	return "full"
}

// dynamodbFault checks what fault i means for DynamoDB: leader-failure
// needs a dynamodb system and one partition (target) or AZ; the instance
// faults of rds and aurora have no DynamoDB counterpart.
func (v *validator) dynamodbFault(i int) {
	f := &v.s.Faults[i]
	p := fmt.Sprintf("faults[%d]", i)
	d := v.s.System.DynamoDB
	switch f.Kind {
	case "instance-failure":
		if d != nil {
			v.errorf(p+".kind", "instance-failure applies to rds and aurora; a DynamoDB partition's leader fails with leader-failure")
		}
	case "leader-failure":
		if d == nil {
			if v.s.System.Kind != "" && !v.broken("system.kind") {
				v.errorf(p+".kind", "leader-failure applies to dynamodb (this system is %s)", v.s.System.Kind)
			}
			return
		}
		hasTarget, hasAZ := v.has(p+".target"), v.has(p+".az")
		switch {
		case hasTarget && hasAZ:
			v.errorf(p+".az", "give either target (one partition, e.g. p3) or az (every partition whose leader is there), not both")
		case !hasTarget && !hasAZ:
			v.errorf(p, "leader-failure needs target (a partition of the base table, e.g. p0) or az (every leader in it)")
		case hasAZ:
			v.az(p+".az", f.AZ)
		case !partitionName.MatchString(f.Target):
			v.errorf(p+".target", "%q is not a partition (p0, p1, ... in creation order)", f.Target)
		default:
			if n, ok := v.initialPartitions(); ok {
				if id, _ := strconv.Atoi(f.Target[1:]); id >= n {
					v.errorf(p+".target", "unknown partition %s (the table starts with %d: p0 to p%d)", f.Target, n, n-1)
				}
			}
		}
	}
}

// initialPartitions is the number of partitions the base table starts
// with, if the system block is valid enough to tell.
func (v *validator) initialPartitions() (int, bool) {
	for _, e := range v.errs {
		if strings.HasPrefix(e.Path, "system.") {
			return 0, false
		}
	}
	cfg, err := v.s.dynamodbConfig()
	if err != nil {
		return 0, false
	}
	r, w := cfg.Table.RCU, cfg.Table.WCU
	if cfg.Mode == dynamodb.OnDemand {
		r, w = cfg.OnDemand.InitialRRU, cfg.OnDemand.InitialWRU
	}
	return max(dynamodb.InitialPartitions(r, w, cfg.SizeBytes, cfg.Limits), cfg.Table.Partitions), true
}

// ddbKindOrder lists the operations writes first, the order in which a
// workload's draw picks them, so that the draw that makes a request a
// write under mix makes it a write under ops with the same write share.
var ddbKindOrder = []dynamodb.Kind{
	dynamodb.PutItem, dynamodb.UpdateItem, dynamodb.DeleteItem, dynamodb.BatchWriteItem, dynamodb.TransactWriteItems,
	dynamodb.GetItem, dynamodb.Query, dynamodb.BatchGetItem, dynamodb.TransactGetItems,
}

// replicas checks a global table's replicas: each names a Region of the
// topology other than the clients', once.
func (v *validator) replicas(d *DynamoDBSystem) {
	const p = "system.table.replicas"
	t := &v.s.Topology
	home := t.regionOf(v.s.Clients.AZ)
	if home == "" {
		home = t.Region
	}
	defer v.workloadRegions(d, home)
	if !v.has(p) {
		if v.has("system.replication_delay") {
			v.warnf("system.replication_delay", "has no effect without table.replicas")
		}
		return
	}
	var allowed []string
	for _, r := range t.regionNames() {
		if r != home {
			allowed = append(allowed, r)
		}
	}
	if d.Service == "keyspaces" {
		v.errorf(p, "does not apply to keyspaces (global tables are modelled for dynamodb only)")
		return
	}
	hint := "allowed: " + strings.Join(allowed, ", ") + "; list Regions in topology.regions"
	if len(allowed) == 0 {
		hint = "the topology has no other Region than the clients' " + home + ": list one in topology.regions"
	}
	if len(d.Table.Replicas) == 0 {
		v.errorf(p, "needs at least one replica Region (%s)", hint)
		return
	}
	for i, r := range d.Table.Replicas {
		rp := fmt.Sprintf("%s[%d].region", p, i)
		switch {
		case !v.has(rp):
			v.errorf(rp, "required (%s)", hint)
		case r.Region == home:
			v.errorf(rp, "%s is the clients' Region, where the table the clients write is (allowed: %s)", r.Region, strings.Join(allowed, ", "))
		case !slices.Contains(allowed, r.Region):
			v.errorf(rp, "unknown Region %q%s (%s)", r.Region, DidYouMean(r.Region, allowed), hint)
		case slices.IndexFunc(d.Table.Replicas[:i], func(o DynamoDBReplica) bool { return o.Region == r.Region }) >= 0:
			v.errorf(rp, "a Region has one replica table: %s twice", r.Region)
		}
	}
}

// workloadRegions checks each workload's region: the clients' Region
// (home; left out, it stays "") or a replica's, whose replica table its clients
// write (a global table with writers in several Regions).
func (v *validator) workloadRegions(d *DynamoDBSystem, home string) {
	allowed := []string{home}
	if v.has("system.table.replicas") {
		for _, r := range d.Table.Replicas {
			if r.Region != home && !slices.Contains(allowed, r.Region) {
				allowed = append(allowed, r.Region)
			}
		}
	}
	for i := range v.s.Workload {
		w := &v.s.Workload[i]
		p := fmt.Sprintf("workload[%d].region", i)
		if !v.has(p) {
			continue // the clients' Region
		}
		switch {
		case w.Region == home:
		case len(allowed) == 1:
			v.errorf(p, "%s has no replica table: a workload writes in another Region than the clients' (%s) only to a global table's replica there (table.replicas)", w.Region, home)
		case slices.Contains(v.s.Topology.regionNames(), w.Region) && !slices.Contains(allowed, w.Region):
			v.errorf(p, "%s has no replica table (allowed: %s: the clients' Region and the replicas')", w.Region, strings.Join(allowed, ", "))
		case !slices.Contains(allowed, w.Region):
			v.errorf(p, "unknown Region %q%s (allowed: %s: the clients' Region and the replicas')", w.Region, DidYouMean(w.Region, allowed), strings.Join(allowed, ", "))
		case v.has("cache"):
			v.errorf(p, "the cache stands in the clients' Region (%s): a workload in %s does not go through it; leave region out or remove the cache", home, w.Region)
		}
	}
}
