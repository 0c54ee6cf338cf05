package scenarios

import "time"

// Scenario is one YAML scenario file after loading and validation: every
// optional field holds its default, every unit is converted.
type Scenario struct {
	Name         string   `yaml:"name"`
	Description  string   `yaml:"description"`
	Seed         uint64   `yaml:"seed"`
	Duration     Duration `yaml:"duration"`
	Warmup       Duration `yaml:"warmup"`
	Replications int      `yaml:"replications"`
	// Bucket is the width of one time-series row (timeseries.csv, plots).
	Bucket Duration `yaml:"bucket"`

	Topology Topology   `yaml:"topology"`
	System   System     `yaml:"system"`
	Clients  Clients    `yaml:"clients"`
	Workload []Workload `yaml:"workload"`
	Faults   []Fault    `yaml:"faults"`

	// File is the path the scenario was read from ("" for a string).
	File string `yaml:"-"`
	// Source is the raw YAML text.
	Source []byte `yaml:"-"`
	// Warnings are what validation found suspect but the models allow
	// (quorums that do not overlap); the scenario runs as written.
	Warnings Errors `yaml:"-"`
	// pos maps a field path ("workload[0].mix.read") to its place in File.
	pos map[string]Pos
}

// Pos is a place in a scenario file.
type Pos struct{ Line, Col int }

// Topology places the system: a region and its availability zones.
type Topology struct {
	Region     string   `yaml:"region"`
	AZs        []string `yaml:"azs"`
	SameAZRTT  Duration `yaml:"same_az_rtt"`
	CrossAZRTT Duration `yaml:"cross_az_rtt"`
}

// System is the database under test. Kind selects which of the
// kind-specific blocks is set; the YAML mapping is flat (kind next to the
// kind's own keys), and keys of another kind are errors.
type System struct {
	Kind   string        `yaml:"kind"`
	RDS    *RDSSystem    `yaml:"-"`
	Aurora *AuroraSystem `yaml:"-"`
	// DynamoDB is a DynamoDB table (types_dynamodb.go).
	DynamoDB *DynamoDBSystem `yaml:"-"`
}

// AuroraSystem is an Aurora cluster: a writer and replicas on a shared,
// six-way replicated volume, optionally Serverless v2.
type AuroraSystem struct {
	Engine         string            `yaml:"engine"`
	InstanceClass  string            `yaml:"instance_class"`
	AZ             string            `yaml:"az"`
	Volume         Storage           `yaml:"volume"`
	Replicas       []AuroraReplica   `yaml:"replicas"`
	ServiceTime    ServiceTime       `yaml:"service_time"`
	MaxConnections int               `yaml:"max_connections"`
	CacheMissRatio float64           `yaml:"cache_miss_ratio"`
	Storage        AuroraStorage     `yaml:"storage"`
	Replication    AuroraReplication `yaml:"replication"`
	Failover       AuroraFailover    `yaml:"failover"`
	// Serverless, when the key is present, makes every instance
	// Serverless v2.
	Serverless AuroraServerless `yaml:"serverless"`
}

// AuroraReplica is one Aurora replica.
type AuroraReplica struct {
	AZ            string `yaml:"az"`
	Tier          int    `yaml:"tier"`
	InstanceClass string `yaml:"instance_class"`
}

// AuroraStorage is the storage fleet under the cluster volume.
type AuroraStorage struct {
	NodesPerAZ   int      `yaml:"nodes_per_az"`
	SegmentSize  Size     `yaml:"segment_size"`
	WriteQuorum  int      `yaml:"write_quorum"`
	ReadQuorum   int      `yaml:"read_quorum"`
	NodeLatency  DistSpec `yaml:"node_latency"`
	ReadLatency  DistSpec `yaml:"read_latency"`
	RepairDetect Duration `yaml:"repair_detect"`
	RepairRate   ByteRate `yaml:"repair_rate"`
}

// AuroraReplication is the redo stream to the replicas.
type AuroraReplication struct {
	Ship DistSpec `yaml:"ship"`
}

// AuroraFailover is how Aurora notices a failed writer and promotes.
type AuroraFailover struct {
	DetectionInterval  Duration `yaml:"detection_interval"`
	DetectionThreshold int      `yaml:"detection_threshold"`
	Promotion          Duration `yaml:"promotion"`
	EngineStart        Duration `yaml:"engine_start"`
	ReplaceInstance    Duration `yaml:"replace_instance"`
	DNSTTL             Duration `yaml:"dns_ttl"`
	ReaderDNSTTL       Duration `yaml:"reader_dns_ttl"`
	DNSPropagation     Duration `yaml:"dns_propagation"`
}

// AuroraServerless makes every instance Serverless v2.
type AuroraServerless struct {
	MinACU            float64  `yaml:"min_acu"`
	MaxACU            float64  `yaml:"max_acu"`
	TargetUtilization float64  `yaml:"target_utilization"`
	AutoPause         Duration `yaml:"auto_pause"`
	Resume            Duration `yaml:"resume"`
}

// RDSSystem is an RDS instance, optionally Multi-AZ.
type RDSSystem struct {
	Engine        string `yaml:"engine"`
	InstanceClass string `yaml:"instance_class"`
	AZ            string `yaml:"az"`
	MultiAZ       string `yaml:"multi_az"`
	StandbyAZ     string `yaml:"standby_az"`
	// ClusterStandbyAZs place a Multi-AZ DB cluster's two standbys.
	ClusterStandbyAZs []string `yaml:"cluster_standby_azs"`
	// ReadReplicas are asynchronous read replicas.
	ReadReplicas []RDSReplica `yaml:"read_replicas"`
	Storage      Storage      `yaml:"storage"`
	ServiceTime  ServiceTime  `yaml:"service_time"`
	// MaxConnections overrides the engine's default connection limit.
	MaxConnections int            `yaml:"max_connections"`
	Replication    RDSReplication `yaml:"replication"`
	Failover       RDSFailover    `yaml:"failover"`
	Recovery       RDSRecovery    `yaml:"recovery"`
	// CPUCredits is how the instances of a burstable class (db.t3,
	// db.t4g) run on CPU credits.
	CPUCredits CPUCredits `yaml:"cpu_credits"`
}

// CPUCredits is a burstable instance's CPU credit configuration: its mode
// (unlimited, RDS's, or standard) and each instance's balance at the
// start, in credits (RDS gives none).
type CPUCredits struct {
	Mode    string  `yaml:"mode"`
	Initial float64 `yaml:"initial"`
}

// Storage is the instance's volume.
type Storage struct {
	Size Size `yaml:"size"`
}

// ServiceTime is the engine's cost per operation on one vCPU.
type ServiceTime struct {
	Read  DistSpec `yaml:"read"`
	Write DistSpec `yaml:"write"`
	// Connect is a new connection's startup (authentication, TLS, the
	// engine's backend).
	Connect DistSpec `yaml:"connect"`
}

// RDSReplica is one read replica, in an AZ of the topology or in another
// Region.
type RDSReplica struct {
	AZ            string   `yaml:"az"`
	Region        string   `yaml:"region"`
	InstanceClass string   `yaml:"instance_class"`
	ApplyWorkers  int      `yaml:"apply_workers"`
	ApplyTime     DistSpec `yaml:"apply_time"`
}

// RDSReplication is how commits reach the other instances: the synchronous
// block-level mirror of a Multi-AZ instance deployment, the semi-sync log
// of a Multi-AZ DB cluster, and the asynchronous log of read replicas.
type RDSReplication struct {
	StandbyWrite DistSpec `yaml:"standby_write"`
	AckTimeout   Duration `yaml:"ack_timeout"`
	ApplyTime    DistSpec `yaml:"apply_time"`
	PromoteTime  Duration `yaml:"promote_time"`
	LocalWrite   DistSpec `yaml:"local_write"`
	StandbyFlush DistSpec `yaml:"standby_flush"`
}

// RDSFailover is how RDS notices a failure and moves the endpoint.
type RDSFailover struct {
	DetectionInterval  Duration `yaml:"detection_interval"`
	DetectionThreshold int      `yaml:"detection_threshold"`
	Promotion          Duration `yaml:"promotion"`
	EngineStart        Duration `yaml:"engine_start"`
	DNSTTL             Duration `yaml:"dns_ttl"`
	DNSPropagation     Duration `yaml:"dns_propagation"`
	ReplaceInstance    Duration `yaml:"replace_instance"`
	ClusterPromotion   Duration `yaml:"cluster_promotion"`
}

// RDSRecovery sets how long crash recovery takes: the redo written since
// the last checkpoint, replayed at a rate.
type RDSRecovery struct {
	CheckpointInterval Duration `yaml:"checkpoint_interval"`
	RedoPerWrite       Size     `yaml:"redo_per_write"`
	RedoRate           ByteRate `yaml:"redo_rate"`
}

// Clients is the application fleet: processes, each with a connection
// pool and a DNS cache, and the retry policy of their driver.
type Clients struct {
	AZ             string   `yaml:"az"`
	Instances      int      `yaml:"instances"`
	Connections    int      `yaml:"connections"`
	ConnectTimeout Duration `yaml:"connect_timeout"`
	Timeout        Duration `yaml:"timeout"`
	// PoolTimeout bounds the wait for a pooled connection (default:
	// Timeout).
	PoolTimeout Duration `yaml:"pool_timeout"`
	// MaxInFlight bounds the requests each client process holds at once,
	// retries and backoff included; more are rejected at once.
	MaxInFlight int   `yaml:"max_in_flight"`
	Retry       Retry `yaml:"retry"`
	// DNSCache is "ttl" (honour the record's TTL), "forever", or a duration
	// for which every answer is cached whatever its TTL.
	DNSCache string `yaml:"dns_cache"`
	// DNSCacheFor is DNSCache as a span: 0 for "ttl", -1 for "forever".
	DNSCacheFor time.Duration `yaml:"-"`
	// SDK (dynamodb only) names an AWS SDK whose DynamoDB retry policy the
	// clients use (client.SDKRetry); retry keys the file sets override it.
	SDK string `yaml:"sdk"`
}

// Retry is a capped exponential backoff with jitter.
type Retry struct {
	MaxAttempts int      `yaml:"max_attempts"`
	Base        Duration `yaml:"base"`
	Cap         Duration `yaml:"cap"`
	Jitter      string   `yaml:"jitter"` // none | full | equal
	// Budget, when the key is present, limits retries with a token
	// bucket per client process (the AWS SDKs' standard retry quota).
	Budget RetryBudget `yaml:"budget"`
}

// RetryBudget is a retry token bucket: a retry takes Cost tokens
// (TimeoutCost after a timeout) and is not made when too few are left; a
// success gives back what its retry took, or Refund. Defaults: the AWS
// SDKs' standard mode (500, 5, 10, 1).
type RetryBudget struct {
	Tokens      int `yaml:"tokens"`
	Cost        int `yaml:"cost"`
	TimeoutCost int `yaml:"timeout_cost"`
	Refund      int `yaml:"refund"`
}

// Workload is one stream of requests.
type Workload struct {
	Name        string       `yaml:"name"`
	Arrival     Arrival      `yaml:"arrival"`
	RateChanges []RateChange `yaml:"rate_changes"`
	Mix         Mix          `yaml:"mix"`
	ReadsFrom   string       `yaml:"reads_from"` // primary | replicas | any
	Keys        Keys         `yaml:"keys"`
	ItemSize    Size         `yaml:"item_size"`

	// DynamoDB only (types_dynamodb.go): read consistency (eventual |
	// strong), the share of each API operation (instead of mix), items per
	// Query, the global secondary index the queries read (none: the base
	// table), items per batch or transaction, what the application does
	// with a batch's unprocessed items (drop | resubmit), and celebrity
	// keys.
	Consistency string   `yaml:"consistency"`
	Ops         Ops      `yaml:"ops"`
	QueryItems  int      `yaml:"query_items"`
	QueryIndex  string   `yaml:"query_index"`
	BatchItems  int      `yaml:"batch_items"`
	Unprocessed string   `yaml:"unprocessed"`
	HotKeys     []HotKey `yaml:"hot_keys"`
}

// Arrival is the arrival process and its initial rate.
type Arrival struct {
	Process string `yaml:"process"` // poisson | constant
	Rate    Rate   `yaml:"rate"`
}

// RateChange sets a new arrival rate from At on.
type RateChange struct {
	At   Duration `yaml:"at"`
	Rate Rate     `yaml:"rate"`
}

// Mix is the share of each operation; the shares sum to 1.
type Mix struct {
	Read  float64 `yaml:"read"`
	Write float64 `yaml:"write"`
}

// Keys is how requests pick keys.
type Keys struct {
	Dist        string  `yaml:"dist"` // uniform | zipf | hotset
	Count       int64   `yaml:"count"`
	Skew        float64 `yaml:"skew"`         // zipf exponent s > 0
	HotFraction float64 `yaml:"hot_fraction"` // hotset: share of keys that are hot
	HotShare    float64 `yaml:"hot_share"`    // hotset: share of requests that go to them
}

// Fault is a scheduled fault (At, optionally For) or a random process of
// faults (MTTF, MTTR).
type Fault struct {
	Kind    string   `yaml:"kind"`
	At      Duration `yaml:"at"`
	For     Duration `yaml:"for"`
	MTTF    Duration `yaml:"mttf"`
	MTTR    Duration `yaml:"mttr"`
	Target  string   `yaml:"target"`
	AZ      string   `yaml:"az"`
	Between []string `yaml:"between"`
	// Count is how many storage nodes a storage-node-failure takes down.
	Count int `yaml:"count"`

	// Scheduled is true when At was given (a one-off fault), false for a
	// random process (MTTF given).
	Scheduled bool `yaml:"-"`
}

// DistSpec describes a distribution of spans, e.g.
// {dist: lognormal, p50: 0.4ms, p99: 3ms}.
type DistSpec struct {
	Dist    string     `yaml:"dist"` // constant | uniform | exponential | normal | lognormal | pareto | empirical
	Value   Duration   `yaml:"value"`
	Min     Duration   `yaml:"min"`
	Max     Duration   `yaml:"max"`
	Mean    Duration   `yaml:"mean"`
	StdDev  Duration   `yaml:"stddev"`
	P50     Duration   `yaml:"p50"`
	P99     Duration   `yaml:"p99"`
	Xm      Duration   `yaml:"xm"`
	Alpha   float64    `yaml:"alpha"`
	Samples []Duration `yaml:"samples"`
}

// Duration is a span written with a unit: 800us, 0.8ms, 15m, 2h, 30d.
type Duration time.Duration

// Rate is events per second, written per unit time: 2000/s, 90/m.
type Rate float64

// Size is a byte count written with a unit: 1KB, 10GB (KB = 1024 bytes, as
// DynamoDB's capacity units count).
type Size int64

// ByteRate is bytes per second: 50MB/s.
type ByteRate float64

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
