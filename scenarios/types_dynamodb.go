package scenarios

// DynamoDBSystem is a DynamoDB table (kind: dynamodb): its capacity, its
// partitions' limits and the control loops that move capacity around.
// Every key left out keeps the model's default (dynamodb.Defaults), which
// cites its id in models/REFERENCES.md.
type DynamoDBSystem struct {
	Table  DynamoDBTable  `yaml:"table"`
	Limits DynamoDBLimits `yaml:"limits"`
	// BurstWindow is how much unused capacity a partition keeps as burst
	// credit (300s, fact 5.11); HardWindow the span over which the
	// per-partition limits are enforced (1s, fact 5.18).
	BurstWindow  Duration             `yaml:"burst_window"`
	HardWindow   Duration             `yaml:"hard_window"`
	Adaptive     DynamoDBAdaptive     `yaml:"adaptive"`
	SplitForHeat DynamoDBSplitForHeat `yaml:"split_for_heat"`
	OnDemand     DynamoDBOnDemand     `yaml:"on_demand"`
	// MetricPeriod is the period of the CloudWatch-like metrics auto
	// scaling, split for heat and the on-demand peak act on (1m).
	MetricPeriod Duration `yaml:"metric_period"`
	// UpdateDelay is how long a scheduled UpdateTable (table.updates)
	// takes to provision its throughput (3m, fact 5.23).
	UpdateDelay Duration `yaml:"update_delay"`
	// RouterLatency is the request router's work per request; ReadService
	// a storage node's read; LogWrite a replica's persist of a log record.
	RouterLatency DistSpec `yaml:"router_latency"`
	ReadService   DistSpec `yaml:"read_service"`
	LogWrite      DistSpec `yaml:"log_write"`
	// Lease is how long a new partition leader waits for the old one's
	// lease (fact 5.26); Election the vote that follows; ReplicaRepair the
	// time to replace a lost replica with a log replica (fact 5.27).
	Lease         Duration `yaml:"lease"`
	Election      Duration `yaml:"election"`
	ReplicaRepair Duration `yaml:"replica_repair"`
	// GaugePartitions is the number of per-partition rows of the
	// consumed-capacity time series (0: twice the initial partitions, at
	// most 64; the last row carries every partition beyond it).
	GaugePartitions int `yaml:"gauge_partitions"`
}

// DynamoDBTable is the table's capacity mode, throughput, size and global
// secondary indexes.
type DynamoDBTable struct {
	Mode string `yaml:"mode"` // provisioned | on-demand
	// RCU and WCU are the provisioned throughput (provisioned mode only).
	RCU float64 `yaml:"rcu"`
	WCU float64 `yaml:"wcu"`
	// Size is the table's data; with the throughput it sets the partition
	// count (fact 5.3).
	Size Size `yaml:"size"`
	// Partitions, when larger than what throughput and size give, is the
	// partition count the table starts with (a table that grew earlier).
	Partitions int `yaml:"partitions"`
	// AutoScaling, when the key is present, enables target tracking
	// (provisioned mode only).
	AutoScaling DynamoDBAutoScaling `yaml:"autoscaling"`
	// Updates are UpdateTable calls made during the run (provisioned mode).
	Updates []DynamoDBUpdate `yaml:"updates"`
	GSIs    []DynamoDBGSI    `yaml:"gsis"`
}

// DynamoDBUpdate is an UpdateTable call at a time of the run: the new
// throughput of the table or index, a dimension left out unchanged. It
// takes system.update_delay; a decrease spends the decrease quota (fact
// 5.9, set in the autoscaling block) and is refused beyond it.
type DynamoDBUpdate struct {
	At  Duration `yaml:"at"`
	RCU float64  `yaml:"rcu"`
	WCU float64  `yaml:"wcu"`
}

// DynamoDBAutoScaling is provisioned auto scaling by target tracking
// (facts 5.22–5.24, 5.9).
type DynamoDBAutoScaling struct {
	Target float64 `yaml:"target"` // utilization to track, 0.2 to 0.9
	// Bounds of the throughput it sets; a maximum of 0 is unbounded.
	MinRCU float64 `yaml:"min_rcu"`
	MaxRCU float64 `yaml:"max_rcu"`
	MinWCU float64 `yaml:"min_wcu"`
	MaxWCU float64 `yaml:"max_wcu"`
	// Delay is UpdateTable's time to provision the new throughput.
	Delay Duration `yaml:"delay"`
	// ScaleUpPoints and ScaleDownPoints are the consecutive metric periods
	// above the target (below target × (1 − scale_down_margin)) that raise
	// (lower) the throughput.
	ScaleUpPoints   int     `yaml:"scale_up_points"`
	ScaleDownPoints int     `yaml:"scale_down_points"`
	ScaleDownMargin float64 `yaml:"scale_down_margin"`
	// The decrease quota: DecreasesFirstHour decreases in the first hour of
	// a UTC day, then one per DecreaseSpacing without a decrease; DayStart
	// is the UTC time of day at which the run starts.
	DecreasesFirstHour int      `yaml:"decreases_first_hour"`
	DecreaseSpacing    Duration `yaml:"decrease_spacing"`
	DayStart           Duration `yaml:"day_start"`
}

// DynamoDBGSI is a global secondary index: its own partitions and
// capacity, fed by the base table's writes (fact 5.33).
type DynamoDBGSI struct {
	Name string `yaml:"name"`
	// RCU and WCU default to the table's.
	RCU float64 `yaml:"rcu"`
	WCU float64 `yaml:"wcu"`
	// Share is the fraction of items that carry the indexed attribute, so
	// that their writes update the index (default 1: all).
	Share      float64 `yaml:"share"`
	Partitions int     `yaml:"partitions"`
	// Keys is the number of distinct values of the index's partition key
	// (a low-cardinality attribute makes hot index partitions); 0 gives
	// every item its own.
	Keys uint64 `yaml:"keys"`
	// ProjectedSize is the size of an index entry (default: the item's).
	ProjectedSize Size                `yaml:"projected_size"`
	AutoScaling   DynamoDBAutoScaling `yaml:"autoscaling"`
	Updates       []DynamoDBUpdate    `yaml:"updates"`
}

// DynamoDBLimits are one partition's hard limits (facts 5.1, 5.2).
type DynamoDBLimits struct {
	PartitionRCU  float64 `yaml:"partition_rcu"`
	PartitionWCU  float64 `yaml:"partition_wcu"`
	PartitionSize Size    `yaml:"partition_size"`
}

// DynamoDBAdaptive is adaptive capacity (fact 5.13): throttled partitions
// get the table's unused throughput every Interval.
type DynamoDBAdaptive struct {
	Enabled  bool     `yaml:"enabled"`
	Interval Duration `yaml:"interval"`
}

// DynamoDBSplitForHeat is split for consumption (fact 5.16).
type DynamoDBSplitForHeat struct {
	Enabled bool `yaml:"enabled"`
	// Threshold is the consumption, as a share of the hard limit, above
	// which a metric period counts as hot; Periods the consecutive hot
	// periods before a split; Duration the split's own time.
	Threshold float64  `yaml:"threshold"`
	Periods   int      `yaml:"periods"`
	Duration  Duration `yaml:"duration"`
	// SingleKeyShare: a partition whose heaviest key carries this share of
	// its load is not split (one key cannot be divided).
	SingleKeyShare float64 `yaml:"single_key_share"`
}

// DynamoDBOnDemand is on-demand capacity (facts 5.19–5.21).
type DynamoDBOnDemand struct {
	// InitialRRU and InitialWRU are what the table serves at once before
	// any peak of its own (12,000 and 4,000, fact 5.21): a table that
	// peaked at P earlier serves peak_multiple × P.
	InitialRRU float64 `yaml:"initial_rru"`
	InitialWRU float64 `yaml:"initial_wru"`
	// PeakMultiple × the previous peak is served at once (2, fact 5.19); a
	// level sustained for PeakWindow becomes the new peak (30m, fact 5.20).
	PeakMultiple float64  `yaml:"peak_multiple"`
	PeakWindow   Duration `yaml:"peak_window"`
	// MaxRRU and MaxWRU are the table's throughput quota (40,000, fact
	// 5.8; 0: none).
	MaxRRU float64 `yaml:"max_rru"`
	MaxWRU float64 `yaml:"max_wru"`
}

// Ops is a DynamoDB workload's share of each API operation; the shares
// sum to 1. It is the alternative to mix (which maps read to get and write
// to put).
type Ops struct {
	Get           float64 `yaml:"get"`
	Put           float64 `yaml:"put"`
	Update        float64 `yaml:"update"`
	Delete        float64 `yaml:"delete"`
	Query         float64 `yaml:"query"`
	BatchGet      float64 `yaml:"batch-get"`
	BatchWrite    float64 `yaml:"batch-write"`
	TransactGet   float64 `yaml:"transact-get"`
	TransactWrite float64 `yaml:"transact-write"`
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
	Key   uint64   `yaml:"key"`
	Share float64  `yaml:"share"`
	At    Duration `yaml:"at"`
	Until Duration `yaml:"until"`
}
