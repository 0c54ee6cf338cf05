package scenarios

// DynamoDBSystem is a DynamoDB table (kind: dynamodb): its capacity, its
// partitions' limits and the control loops that move capacity around.
// Every key left out keeps the model's default (dynamodb.Defaults), which
// cites its id in models/REFERENCES.md.
type DynamoDBSystem struct {
	// Service is dynamodb, or keyspaces: Amazon Keyspaces, whose tables
	// are priced and limited as DynamoDB's (facts 5.1, 5.5, 5.44).
	Service string         `yaml:"service" doc:"dynamodb, or keyspaces: Amazon Keyspaces (for Apache Cassandra), a preset of the same model."` // dynamodb | keyspaces
	Table   DynamoDBTable  `yaml:"table" doc:"The table: capacity mode, throughput, size and indexes."`
	Limits  DynamoDBLimits `yaml:"limits" doc:"One partition's hard limits."`
	// BurstWindow is how much unused capacity a partition keeps as burst
	// credit (300s, fact 5.11); HardWindow the span over which the
	// per-partition limits are enforced (1s, fact 5.18).
	BurstWindow  Duration             `yaml:"burst_window" doc:"Unused capacity a partition keeps as burst credit, as a span of its rate."`
	HardWindow   Duration             `yaml:"hard_window" doc:"Span over which the per-partition limits are enforced."`
	Adaptive     DynamoDBAdaptive     `yaml:"adaptive" doc:"Adaptive capacity (provisioned mode)."`
	SplitForHeat DynamoDBSplitForHeat `yaml:"split_for_heat" doc:"Split for consumption: a hot partition splits in two."`
	OnDemand     DynamoDBOnDemand     `yaml:"on_demand" doc:"On-demand capacity (mode: on-demand)."`
	// MetricPeriod is the period of the CloudWatch-like metrics auto
	// scaling, split for heat and the on-demand peak act on (1m).
	MetricPeriod Duration `yaml:"metric_period" doc:"Period of the metrics auto scaling, split for heat and the on-demand peak act on."`
	// UpdateDelay is how long a scheduled UpdateTable (table.updates)
	// takes to provision its throughput (3m, fact 5.23).
	UpdateDelay Duration `yaml:"update_delay" doc:"Time an UpdateTable (table.updates) takes to provision its throughput."`
	// RouterLatency is the request router's work per request; ReadService
	// a storage node's read; LogWrite a replica's persist of a log record.
	RouterLatency DistSpec `yaml:"router_latency" doc:"The request router's work per request."`
	ReadService   DistSpec `yaml:"read_service" doc:"A storage node's time to serve a read."`
	LogWrite      DistSpec `yaml:"log_write" doc:"A replica's time to persist a log record."`
	// ReplicationDelay is a global table's replication time per write
	// before the Regions' one-way delay (fact 5.32).
	ReplicationDelay DistSpec `yaml:"replication_delay" doc:"A global table's replication time per write, before the Regions' one-way delay (default lognormal, p50 500ms, p99 1.5s: items usually reach every replica within a second, fact 5.32)."`
	// Lease is how long a new partition leader waits for the old one's
	// lease (fact 5.26); Election the vote that follows; ReplicaRepair the
	// time to replace a lost replica with a log replica (fact 5.27).
	Lease         Duration `yaml:"lease" doc:"Time a new partition leader waits for the old one's lease."`
	Election      Duration `yaml:"election" doc:"Time of the leader election that follows the lease."`
	ReplicaRepair Duration `yaml:"replica_repair" doc:"Time to replace a lost replica with a log replica."`
	// GaugePartitions is the number of per-partition rows of the
	// consumed-capacity time series (0: twice the initial partitions, at
	// most 64; the last row carries every partition beyond it).
	GaugePartitions int `yaml:"gauge_partitions" doc:"Per-partition rows of the consumed-capacity time series; 0: twice the initial partitions, at most 64."`
}

// DynamoDBTable is the table's capacity mode, throughput, size and global
// secondary indexes.
type DynamoDBTable struct {
	Mode string `yaml:"mode" doc:"The capacity mode."` // provisioned | on-demand
	// RCU and WCU are the provisioned throughput (provisioned mode only).
	RCU float64 `yaml:"rcu" doc:"Provisioned read capacity, in RCU (read capacity units per second; provisioned mode)."`
	WCU float64 `yaml:"wcu" doc:"Provisioned write capacity, in WCU (write capacity units per second; provisioned mode)."`
	// Size is the table's data; with the throughput it sets the partition
	// count (fact 5.3).
	Size Size `yaml:"size" doc:"The table's data; with the throughput it sets the partitions."`
	// Partitions, when larger than what throughput and size give, is the
	// partition count the table starts with (a table that grew earlier).
	Partitions int `yaml:"partitions" doc:"Partitions the table starts with, when more than its throughput and size give (a table that grew earlier); 0: from them."`
	// AutoScaling, when the key is present, enables target tracking
	// (provisioned mode only).
	AutoScaling DynamoDBAutoScaling `yaml:"autoscaling" doc:"Present (even empty): target-tracking auto scaling (provisioned mode)."`
	// Updates are UpdateTable calls made during the run (provisioned mode).
	Updates []DynamoDBUpdate `yaml:"updates" doc:"UpdateTable calls made during the run (provisioned mode)."`
	GSIs    []DynamoDBGSI    `yaml:"gsis" doc:"Global secondary indexes."`
	// Stream, when the key is present, is the table's stream and its
	// Lambda consumer (types_stream.go).
	Stream DynamoDBStream `yaml:"stream" doc:"Present: the table's DynamoDB stream and the Lambda function that consumes it."`
	// LSIs are local secondary indexes: present, each partition-key
	// value's item collection stays on one partition and is limited to
	// limits.collection_size (facts 5.42, 5.43).
	LSIs []DynamoDBLSI `yaml:"lsis" doc:"Local secondary indexes, at most 5: their entries take the table's write capacity, and each item collection is limited to limits.collection_size."`
	// Replicas make the table a global table: every write is replicated
	// asynchronously to a replica table in each listed Region (facts
	// 5.32, 5.45).
	Replicas []DynamoDBReplica `yaml:"replicas" doc:"A global table's replica tables, one per other Region of the topology: every write is replicated to each asynchronously."`
}

// DynamoDBReplica is a global table's replica table in another Region.
type DynamoDBReplica struct {
	Region string `yaml:"region" doc:"The replica's Region: topology.region or one of topology.regions, not the clients' Region."`
}

// DynamoDBLSI is a local secondary index: an alternative sort key on the
// base table's partitions (facts 5.42, 5.43).
type DynamoDBLSI struct {
	Name string `yaml:"name" doc:"The index's name."`
	// ProjectedSize is the size of an index entry (default: the item's).
	ProjectedSize Size `yaml:"projected_size" doc:"Size of an index entry, written with every write of an item (default: the item's)."`
}

// Collection is a workload's item collections (single-table design: a
// user's profile and all their orders under one partition key). Each
// partition-key value's collection holds a number of items of the
// workload's item_size, drawn once per key from a log-normal of median
// ItemsP50 and 99th percentile ItemsP99; Sizes sets some collections'
// sizes instead. A Query reads its key's whole collection; a put adds an
// item to it.
type Collection struct {
	ItemsP50 float64          `yaml:"items_p50" doc:"Median number of items in a partition-key value's collection (log-normal, drawn once per key)."`
	ItemsP99 float64          `yaml:"items_p99" doc:"99th percentile of the items in a collection, at least items_p50 (default: items_p50, every collection the same)."`
	Sizes    []CollectionSize `yaml:"sizes" doc:"Collections that start at a given size instead, e.g. one near its limit."`
}

// CollectionSize is the size of one key's item collection when the run
// begins.
type CollectionSize struct {
	Key  uint64 `yaml:"key" doc:"The partition key."`
	Size Size   `yaml:"size" doc:"Its collection's size when the run begins."`
}

// DynamoDBUpdate is an UpdateTable call at a time of the run: the new
// throughput of the table or index, a dimension left out unchanged. It
// takes system.update_delay; a decrease spends the decrease quota (fact
// 5.9, set in the autoscaling block) and is refused beyond it.
type DynamoDBUpdate struct {
	At  Duration `yaml:"at" doc:"When the UpdateTable call is made."`
	RCU float64  `yaml:"rcu" doc:"The new read capacity, in RCU (left out: unchanged)."`
	WCU float64  `yaml:"wcu" doc:"The new write capacity, in WCU (left out: unchanged)."`
}

// DynamoDBAutoScaling is provisioned auto scaling by target tracking
// (facts 5.22–5.24, 5.9).
type DynamoDBAutoScaling struct {
	Target float64 `yaml:"target" doc:"Utilization to track, 0.2 to 0.9."` // utilization to track, 0.2 to 0.9
	// Bounds of the throughput it sets; a maximum of 0 is unbounded.
	MinRCU float64 `yaml:"min_rcu" doc:"Least read capacity it sets, in RCU."`
	MaxRCU float64 `yaml:"max_rcu" doc:"Most read capacity it sets, in RCU; 0: unbounded."`
	MinWCU float64 `yaml:"min_wcu" doc:"Least write capacity it sets, in WCU."`
	MaxWCU float64 `yaml:"max_wcu" doc:"Most write capacity it sets, in WCU; 0: unbounded."`
	// Delay is UpdateTable's time to provision the new throughput.
	Delay Duration `yaml:"delay" doc:"UpdateTable's time to provision the new throughput."`
	// ScaleUpPoints and ScaleDownPoints are the consecutive metric periods
	// above the target (below target × (1 − scale_down_margin)) that raise
	// (lower) the throughput.
	ScaleUpPoints   int     `yaml:"scale_up_points" doc:"Consecutive metric periods above the target that raise the throughput."`
	ScaleDownPoints int     `yaml:"scale_down_points" doc:"Consecutive metric periods below target × (1 − scale_down_margin) that lower it."`
	ScaleDownMargin float64 `yaml:"scale_down_margin" doc:"How far below the target, as a share of it, consumption must fall to scale down."`
	// The decrease quota: DecreasesFirstHour decreases in the first hour of
	// a UTC day, then one per DecreaseSpacing without a decrease; DayStart
	// is the UTC time of day at which the run starts.
	DecreasesFirstHour int      `yaml:"decreases_first_hour" doc:"Decreases allowed in the first hour of a UTC day."`
	DecreaseSpacing    Duration `yaml:"decrease_spacing" doc:"After the first hour, one decrease per this span without one."`
	DayStart           Duration `yaml:"day_start" doc:"UTC time of day at which the run starts."`
}

// DynamoDBGSI is a global secondary index: its own partitions and
// capacity, fed by the base table's writes (fact 5.33).
type DynamoDBGSI struct {
	Name string `yaml:"name" doc:"The index's name, which query_index refers to."`
	// RCU and WCU default to the table's.
	RCU float64 `yaml:"rcu" doc:"The index's read capacity, in RCU (default: the table's)."`
	WCU float64 `yaml:"wcu" doc:"The index's write capacity, in WCU (default: the table's)."`
	// Share is the fraction of items that carry the indexed attribute, so
	// that their writes update the index (default 1: all).
	Share      float64 `yaml:"share" doc:"Share of the items that carry the indexed attribute, whose writes update the index (default 1)."`
	Partitions int     `yaml:"partitions" doc:"Partitions the index starts with; 0: from its throughput and size."`
	// Keys is the number of distinct values of the index's partition key
	// (a low-cardinality attribute makes hot index partitions); 0 gives
	// every item its own.
	Keys uint64 `yaml:"keys" doc:"Distinct values of the index's partition key; 0: every item its own."`
	// ProjectedSize is the size of an index entry (default: the item's).
	ProjectedSize Size                `yaml:"projected_size" doc:"Size of an index entry (default: the item's)."`
	AutoScaling   DynamoDBAutoScaling `yaml:"autoscaling" doc:"Present (even empty): auto scaling of the index's capacity."`
	Updates       []DynamoDBUpdate    `yaml:"updates" doc:"UpdateTable calls on the index during the run."`
}

// DynamoDBLimits are one partition's hard limits (facts 5.1, 5.2).
type DynamoDBLimits struct {
	PartitionRCU  float64 `yaml:"partition_rcu" doc:"A partition's hard read limit, in RCU."`
	PartitionWCU  float64 `yaml:"partition_wcu" doc:"A partition's hard write limit, in WCU."`
	PartitionSize Size    `yaml:"partition_size" doc:"Data a partition holds before it splits."`
	// CollectionSize is the most an item collection holds on a table with
	// local secondary indexes (10GB, fact 5.42).
	CollectionSize Size `yaml:"collection_size" doc:"Most an item collection holds on a table with lsis; a write past it fails."`
}

// DynamoDBAdaptive is adaptive capacity (fact 5.13): throttled partitions
// get the table's unused throughput every Interval.
type DynamoDBAdaptive struct {
	Enabled  bool     `yaml:"enabled" doc:"Adaptive capacity on or off."`
	Interval Duration `yaml:"interval" doc:"How often throttled partitions get the table's unused throughput."`
}

// DynamoDBSplitForHeat is split for consumption (fact 5.16).
type DynamoDBSplitForHeat struct {
	Enabled bool `yaml:"enabled" doc:"Split for consumption on or off."`
	// Threshold is the consumption, as a share of the hard limit, above
	// which a metric period counts as hot; Periods the consecutive hot
	// periods before a split; Duration the split's own time.
	Threshold float64  `yaml:"threshold" doc:"Consumption, as a share of the hard limit, above which a metric period counts as hot."`
	Periods   int      `yaml:"periods" doc:"Consecutive hot periods before a split."`
	Duration  Duration `yaml:"duration" doc:"The split's own time."`
	// SingleKeyShare: a partition whose heaviest key carries this share of
	// its load is not split (one key cannot be divided).
	SingleKeyShare float64 `yaml:"single_key_share" doc:"A partition whose heaviest key carries this share of its load is not split."`
}

// DynamoDBOnDemand is on-demand capacity (facts 5.19–5.21).
type DynamoDBOnDemand struct {
	// InitialRRU and InitialWRU are what the table serves at once before
	// any peak of its own (12,000 and 4,000, fact 5.21): a table that
	// peaked at P earlier serves peak_multiple × P.
	InitialRRU float64 `yaml:"initial_rru" doc:"Read request units per second a new table serves at once."`
	InitialWRU float64 `yaml:"initial_wru" doc:"Write request units per second a new table serves at once."`
	// PeakMultiple × the previous peak is served at once (2, fact 5.19); a
	// level sustained for PeakWindow becomes the new peak (30m, fact 5.20).
	PeakMultiple float64  `yaml:"peak_multiple" doc:"Multiple of the previous peak served at once."`
	PeakWindow   Duration `yaml:"peak_window" doc:"Time a level must last to become the new peak."`
	// MaxRRU and MaxWRU are the table's throughput quota (40,000, fact
	// 5.8; 0: none).
	MaxRRU float64 `yaml:"max_rru" doc:"The table's read quota, in RRU per second; 0: none."`
	MaxWRU float64 `yaml:"max_wru" doc:"The table's write quota, in WRU per second; 0: none."`
}

// Ops is a DynamoDB workload's share of each API operation; the shares
// sum to 1. It is the alternative to mix (which maps read to get and write
// to put).
type Ops struct {
	Get           float64 `yaml:"get" doc:"Share of GetItem calls."`
	Put           float64 `yaml:"put" doc:"Share of PutItem calls."`
	Update        float64 `yaml:"update" doc:"Share of UpdateItem calls."`
	Delete        float64 `yaml:"delete" doc:"Share of DeleteItem calls."`
	Query         float64 `yaml:"query" doc:"Share of Query calls."`
	BatchGet      float64 `yaml:"batch-get" doc:"Share of BatchGetItem calls."`
	BatchWrite    float64 `yaml:"batch-write" doc:"Share of BatchWriteItem calls."`
	TransactGet   float64 `yaml:"transact-get" doc:"Share of TransactGetItems calls."`
	TransactWrite float64 `yaml:"transact-write" doc:"Share of TransactWriteItems calls."`
}

// shares lists the shares in the order of dynamodb.Kind (get, put,
// update, delete, query, batch-get, batch-write, transact-get,
// transact-write).
func (o Ops) shares() [9]float64 {
	return [9]float64{o.Get, o.Put, o.Update, o.Delete, o.Query, o.BatchGet, o.BatchWrite, o.TransactGet, o.TransactWrite}
}

// HotKey is a celebrity key: it takes Share of its workload's requests
// from At until Until.
type HotKey struct {
	Key   uint64   `yaml:"key" doc:"The celebrity key."`
	Share float64  `yaml:"share" doc:"Share of its workload's requests that go to it, in (0, 1]."`
	At    Duration `yaml:"at" doc:"When it starts (default: the start of the run)."`
	Until Duration `yaml:"until" doc:"When it ends (default: the end of the run)."`
	// Label names a key read from a Contributor Insights report (its
	// values); empty for a key the scenario gives.
	Label string `yaml:"-"`
}
