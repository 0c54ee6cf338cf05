// Package metric names what the models measure. An ID is a kind (what is
// measured, in which unit) and a subject (which instance, index or
// partition). Models expose gauges and counters under IDs; the runner
// samples them into series columns named by ID.Column; report and pricing
// pick columns by kind and subject. No package builds a metric's name for
// another to parse: renaming a kind is a compile error where it is used.
package metric

import (
	"strconv"
	"strings"
)

// Kind is what a metric measures.
type Kind uint8

// The kinds of gauges (sampled once a second) and counters (totals over
// the measured window).
const (
	_ Kind = iota

	// Gauges of a database instance (RDS, Aurora).

	Lag            // replication lag of a replica or standby (ms)
	Utilization    // share of the instance's vCPUs busy (0–1)
	Connections    // connections open on the instance
	Queued         // statements waiting for a vCPU (mean over the interval)
	MaxConnections // the instance's connection limit
	CapacityACU    // Aurora Serverless v2 capacity (ACU)

	// Gauges of a burstable instance (db.t3, db.t4g): CloudWatch's
	// CPUCreditBalance and CPUSurplusCreditBalance (fact 10.9).

	CPUCreditBalance  // CPU credits accrued and not spent
	CPUSurplusCredits // surplus credits spent and not paid down (Unlimited mode)

	// Gauge of an instance with automated backups: the share of its
	// volume local, below 1 while a volume restored from a snapshot loads
	// from S3.

	Hydrated

	// Gauges of a DynamoDB table, index or partition (per second).

	ConsumedRCU
	ConsumedWCU
	ProvisionedRCU
	ProvisionedWCU
	Throttled  // throttled requests per second on a partition
	Partitions // the base table's partition count
	// Gauges of a DynamoDB stream and its consumer (REFERENCES section 13).
	IteratorAge   // age of the oldest record the consumer has not processed, max over shards (ms)
	StreamBacklog // records in the stream not yet processed
	// Gauge of a DynamoDB global table, per replica Region (REFERENCES
	// fact 5.32): the mean time from a write's commit in the clients'
	// Region to its arrival in the replica's, over the writes that arrived
	// since the previous sample (none: no value).
	ReplicationLatency

	// Counters of DynamoDB.

	Throttles        // throttled requests (batch items) on a partition
	ThrottledReads   // throttled reads, all partitions
	ThrottledWrites  // throttled writes, all partitions
	GSIBackpressure  // base writes throttled by an index
	UnprocessedItems // batch items returned unprocessed
	Unavailable      // requests refused for want of a leader or quorum
	Invalid          // over-size items refused
	HeatSplits       // splits for heat done
	HeatSplitsRefused
	ScaleUps   // auto scaling increases
	ScaleDowns // auto scaling decreases
	LeaderFailovers
	CollectionLimitHits // writes refused: their item collection at its size limit

	// Counters of RDS read replicas and cluster standbys.

	ReplicaReads          // reads served by replicas or readable standbys
	StaleReads            // of those, reads that missed their key's newest acknowledged write
	StaleReadWritesBehind // sum over stale reads of the log distance to the newest missed write

	// Counters of Aurora's storage fleet.

	StorageNodeFailures
	SegmentRepairs
	VolumeWriteUnavailableMS
	VolumeReadUnavailableMS
	LostAckedWrites

	// Gauges of a cache in front of the system (models/cache).

	CacheHitRatio // share of the cache lookups that hit, by arrival (0–1)

	numKinds
)

// kinds holds each kind's column stem and unit.
var kinds = [numKinds]struct{ stem, unit string }{
	Lag:            {"lag_ms", "ms"},
	Utilization:    {"utilization", "fraction"},
	Connections:    {"connections", "connections"},
	Queued:         {"queued", "statements"},
	MaxConnections: {"max_connections", "connections"},
	CapacityACU:    {"capacity_acu", "ACU"},

	CPUCreditBalance:  {"cpu_credit_balance", "credits"},
	CPUSurplusCredits: {"cpu_surplus_credit_balance", "credits"},

	Hydrated: {"hydrated", "fraction"},

	ConsumedRCU:        {"consumed_rcu", "RCU/s"},
	ConsumedWCU:        {"consumed_wcu", "WCU/s"},
	ProvisionedRCU:     {"provisioned_rcu", "RCU/s"},
	ProvisionedWCU:     {"provisioned_wcu", "WCU/s"},
	Throttled:          {"throttled", "requests/s"},
	Partitions:         {"partitions", "partitions"},
	IteratorAge:        {"iterator_age_ms", "ms"},
	StreamBacklog:      {"stream_backlog", "records"},
	ReplicationLatency: {"replication_latency_ms", "ms"},

	Throttles:           {"throttles", "requests"},
	ThrottledReads:      {"throttled_reads", "requests"},
	ThrottledWrites:     {"throttled_writes", "requests"},
	GSIBackpressure:     {"gsi_backpressure", "requests"},
	UnprocessedItems:    {"unprocessed_items", "items"},
	Unavailable:         {"unavailable", "requests"},
	Invalid:             {"invalid", "requests"},
	HeatSplits:          {"heat_splits", "splits"},
	HeatSplitsRefused:   {"heat_splits_refused", "splits"},
	ScaleUps:            {"scale_ups", "changes"},
	ScaleDowns:          {"scale_downs", "changes"},
	LeaderFailovers:     {"leader_failovers", "failovers"},
	CollectionLimitHits: {"collection_limit_hits", "requests"},

	ReplicaReads:          {"replica_reads", "reads"},
	StaleReads:            {"stale_reads", "reads"},
	StaleReadWritesBehind: {"stale_read_writes_behind", "writes"},

	StorageNodeFailures:      {"storage_node_failures", "failures"},
	SegmentRepairs:           {"segment_repairs", "repairs"},
	VolumeWriteUnavailableMS: {"volume_write_unavailable_ms", "ms"},
	VolumeReadUnavailableMS:  {"volume_read_unavailable_ms", "ms"},
	LostAckedWrites:          {"lost_acked_writes", "writes"},

	CacheHitRatio: {"cache_hit_ratio", "fraction"},
}

// String is the kind's column stem: "lag_ms", "consumed_wcu".
func (k Kind) String() string {
	if k == 0 || k >= numKinds {
		return "metric(" + strconv.Itoa(int(k)) + ")"
	}
	return kinds[k].stem
}

// Unit is what the kind's values count: "ms", "ACU", "WCU/s".
func (k Kind) Unit() string {
	if k == 0 || k >= numKinds {
		return ""
	}
	return kinds[k].unit
}

// ID identifies one metric: a kind and its subject. The zero subject is
// the whole system (a table, a writer's capacity); at most one of
// Instance and Partition applies, and Index qualifies a partition.
type ID struct {
	Kind Kind
	// Instance is the database instance measured: "primary",
	// "replica-1", "standby-2".
	Instance string
	// Index is the DynamoDB global secondary index measured; empty for
	// the base table.
	Index string
	// Partition is the partition measured, when PerPartition is set: its
	// id in creation order.
	Partition    int
	PerPartition bool
}

// Of is the metric of kind k for the whole system.
func Of(k Kind) ID { return ID{Kind: k} }

// OfInstance is the metric of kind k for one database instance.
func OfInstance(k Kind, instance string) ID { return ID{Kind: k, Instance: instance} }

// OfIndex is the metric of kind k for one global secondary index.
func OfIndex(k Kind, index string) ID { return ID{Kind: k, Index: index} }

// OfPartition is the metric of kind k for partition id of the base table
// (index "") or of an index.
func OfPartition(k Kind, index string, id int) ID {
	return ID{Kind: k, Index: index, Partition: id, PerPartition: true}
}

// Column is the metric's name in the time series and the summary's
// counters: the kind's stem, then the subject after a colon —
// "lag_ms:replica-1", "consumed_wcu:p3", "throttles:by_user:p0",
// "provisioned_wcu:by_user", "capacity_acu".
func (id ID) Column() string {
	var b strings.Builder
	b.WriteString(id.Kind.String())
	if id.Instance != "" {
		b.WriteString(":" + id.Instance)
	}
	if id.Index != "" {
		b.WriteString(":" + id.Index)
	}
	if id.PerPartition {
		b.WriteString(":p" + strconv.Itoa(id.Partition))
	}
	return b.String()
}

// Subject is the metric's subject as a plot labels it: the instance,
// index or partition ("replica-1", "by_user", "p3", "by_user p3"); empty
// for the whole system.
func (id ID) Subject() string {
	var parts []string
	for _, s := range []string{id.Instance, id.Index} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if id.PerPartition {
		parts = append(parts, "p"+strconv.Itoa(id.Partition))
	}
	return strings.Join(parts, " ")
}
