package scenarios

import "time"

// Scenario is one YAML scenario file after loading and validation: every
// optional field holds its default, every unit is converted.
type Scenario struct {
	Name         string   `yaml:"name" doc:"The scenario's name: lowercase letters, digits and dashes; it names the report."`
	Description  string   `yaml:"description" doc:"What the scenario shows, in prose; dbsim list shows its first sentence."`
	Seed         uint64   `yaml:"seed" doc:"The seed every random stream derives from: one seed, one answer, byte for byte (default 1)."`
	Duration     Duration `yaml:"duration" doc:"Simulated time to run."`
	Warmup       Duration `yaml:"warmup" doc:"Time at the start left out of the summary's counts and latencies; shorter than duration."`
	Replications int      `yaml:"replications" doc:"Independent runs, each with its own random streams; the summary gives 95% intervals over them (1 to 10,000; default 1)."`
	// Bucket is the width of one time-series row (timeseries.csv, plots).
	Bucket Duration `yaml:"bucket" doc:"Width of one time-series row (timeseries.csv, plots); default: a round width that gives about 600 rows."`
	// Mode is how the run advances: per request (every request an event)
	// or fluid (rates in steps of a second, for horizons of weeks;
	// DynamoDB only; fluid.go).
	Mode string `yaml:"mode" doc:"per-request: every request simulated (default); fluid: rates advanced in 1-second steps through the same partitions, buckets and control loops, for horizons of weeks (DynamoDB only; no per-request latency)."`

	Topology Topology   `yaml:"topology" doc:"The Region and its availability zones."`
	System   System     `yaml:"system" doc:"The database under test: kind (rds, aurora, dynamodb) selects the keys that may follow."`
	Clients  Clients    `yaml:"clients" doc:"The application fleet: processes, connection pools, timeouts, retries and DNS caches."`
	Workload []Workload `yaml:"workload" doc:"The request streams (at least one)."`
	Faults   []Fault    `yaml:"faults" doc:"Scheduled faults (at) and random processes of faults (mttf), each acting on the system as it is then."`

	// Cache is an ElastiCache cluster in front of the system
	// (types_cache.go); s.Has("cache") says whether there is one.
	Cache Cache `yaml:"cache" doc:"Present: an ElastiCache cluster in front of the system, used cache-aside: reads try it first, a miss reads the database and fills it, a write deletes the key."`

	// File is the path the scenario was read from ("" for a string).
	File string `yaml:"-"`
	// Source is the raw YAML text.
	Source []byte `yaml:"-"`
	// CloudWatchPeriod, when set (dbsim run --cloudwatch-period), is the
	// period of cloudwatch.json (see CloudWatchClock).
	CloudWatchPeriod time.Duration `yaml:"-"`
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
	Region     string   `yaml:"region" doc:"The AWS Region (default us-east-1)."`
	AZs        []string `yaml:"azs" doc:"The availability zones systems and clients may be placed in (1 to 6; default the Region's a, b and c)."`
	SameAZRTT  Duration `yaml:"same_az_rtt" doc:"Network round trip between two hosts in one AZ."`
	CrossAZRTT Duration `yaml:"cross_az_rtt" doc:"Network round trip between hosts in two AZs of the Region."`
	// Regions are other Regions (regions.go).
	Regions []Region `yaml:"regions" doc:"Other Regions, each with its AZs: cross-Region read replicas and Global Database secondaries run there, and clients may."`
}

// System is the database under test. Kind selects which of the
// kind-specific blocks is set; the YAML mapping is flat (kind next to the
// kind's own keys), and keys of another kind are errors.
type System struct {
	Kind   string        `yaml:"kind" doc:"The kind of system; it selects the keys that may follow."`
	RDS    *RDSSystem    `yaml:"-"`
	Aurora *AuroraSystem `yaml:"-"`
	// DynamoDB is a DynamoDB table (types_dynamodb.go).
	DynamoDB *DynamoDBSystem `yaml:"-"`
}

// AuroraSystem is an Aurora cluster: a writer and replicas on a shared,
// six-way replicated volume, optionally Serverless v2.
type AuroraSystem struct {
	Engine         string            `yaml:"engine" doc:"The engine: Aurora PostgreSQL or MySQL, or DocumentDB (docdb) and Neptune, which run on the same storage."`
	InstanceClass  string            `yaml:"instance_class" doc:"The writer's instance class (dbsim list --classes); its vCPUs set the engine's concurrency."`
	AZ             string            `yaml:"az" doc:"The writer's AZ (default: the first of topology.azs)."`
	Volume         Storage           `yaml:"volume" doc:"The cluster volume: its size sets the protection groups, one per 10 GB."`
	Replicas       []AuroraReplica   `yaml:"replicas" doc:"Aurora replicas (up to 15), promoted by tier, then by size."`
	ServiceTime    ServiceTime       `yaml:"service_time" doc:"The engine's CPU time per operation, on one vCPU."`
	MaxConnections int               `yaml:"max_connections" doc:"Connections an instance admits, 1 to 262,142 (default: the engine's formula for the class's memory)."`
	CacheMissRatio float64           `yaml:"cache_miss_ratio" doc:"Share of reads that miss the buffer cache and read a page from storage, 0 to 1."`
	Storage        AuroraStorage     `yaml:"storage" doc:"The storage fleet under the volume: nodes, segments, quorums, latencies and repair."`
	Replication    AuroraReplication `yaml:"replication" doc:"The redo stream from the writer to the replicas."`
	Failover       AuroraFailover    `yaml:"failover" doc:"How Aurora notices a failed writer and promotes a replica."`
	// Serverless, when the key is present, makes every instance
	// Serverless v2.
	Serverless AuroraServerless `yaml:"serverless" doc:"Present (even empty): every instance is Serverless v2, its capacity in ACUs following its load."`
	// Global makes the cluster an Aurora Global Database's primary
	// (global.go).
	Global AuroraGlobal `yaml:"global" doc:"An Aurora Global Database: secondary clusters in other Regions, replicated at the storage layer."`
	Proxy  RDSProxy     `yaml:"proxy" doc:"Present (even empty): clients reach the writer through RDS Proxy, which holds their statements through a failover."`
	Backup Backup       `yaml:"backup" doc:"Present (even empty): Aurora's continuous backup, from which a data-loss fault is recovered (window_start, retention, log_upload, provision)."`
}

// AuroraReplica is one Aurora replica.
type AuroraReplica struct {
	AZ            string `yaml:"az" doc:"The replica's AZ (default: round the AZs, after the writer's)."`
	Tier          int    `yaml:"tier" doc:"Promotion tier, 0 (first) to 15 (default 1)."`
	InstanceClass string `yaml:"instance_class" doc:"The replica's instance class (default: the writer's)."`
}

// AuroraStorage is the storage fleet under the cluster volume.
type AuroraStorage struct {
	NodesPerAZ   int      `yaml:"nodes_per_az" doc:"Storage nodes per AZ that hold the volume's segments; 0: a node per segment."`
	SegmentSize  Size     `yaml:"segment_size" doc:"Size of a protection group's segment."`
	WriteQuorum  int      `yaml:"write_quorum" doc:"Segments of the 6 that must acknowledge a write (Vw, 1 to 6; Aurora's is 4)."`
	ReadQuorum   int      `yaml:"read_quorum" doc:"Segments of the 6 a read or a recovery needs (Vr, 1 to 6; Aurora's is 3)."`
	NodeLatency  DistSpec `yaml:"node_latency" doc:"A storage node's time to persist a redo record before it acknowledges, beyond the network."`
	ReadLatency  DistSpec `yaml:"read_latency" doc:"A storage node's time to serve a page."`
	RepairDetect Duration `yaml:"repair_detect" doc:"Time from a node's failure to the start of the re-replication of its segments."`
	RepairRate   ByteRate `yaml:"repair_rate" doc:"Re-replication rate of a segment onto a new node; 0 disables repair."`
}

// AuroraReplication is the redo stream to the replicas.
type AuroraReplication struct {
	Ship DistSpec `yaml:"ship" doc:"Time from a commit on the writer to the arrival of its redo at a replica, beyond the network's one-way delay."`
}

// AuroraFailover is how Aurora notices a failed writer and promotes.
type AuroraFailover struct {
	DetectionInterval  Duration `yaml:"detection_interval" doc:"Interval between the control plane's health checks."`
	DetectionThreshold int      `yaml:"detection_threshold" doc:"Failed health checks in a row that declare the writer failed (at least 1)."`
	Promotion          Duration `yaml:"promotion" doc:"The control plane's work between detection and the new writer's restart."`
	EngineStart        Duration `yaml:"engine_start" doc:"Time to (re)start the engine on an instance."`
	ReplaceInstance    Duration `yaml:"replace_instance" doc:"Time to provision a new instance: the writer when no replica can take over, or a failed replica's replacement."`
	DNSTTL             Duration `yaml:"dns_ttl" doc:"TTL of the cluster (writer) endpoint's DNS record."`
	ReaderDNSTTL       Duration `yaml:"reader_dns_ttl" doc:"TTL of the reader endpoint's DNS record."`
	DNSPropagation     Duration `yaml:"dns_propagation" doc:"Time a DNS change takes to reach every resolver."`
}

// AuroraServerless makes every instance Serverless v2.
type AuroraServerless struct {
	MinACU            float64  `yaml:"min_acu" doc:"Least capacity, in ACUs: 0 to 256 in steps of 0.5; 0 lets an idle instance pause (default 0.5)."`
	MaxACU            float64  `yaml:"max_acu" doc:"Most capacity, in ACUs: 0.5 to 256 in steps of 0.5, at least min_acu (default 128)."`
	TargetUtilization float64  `yaml:"target_utilization" doc:"CPU utilization the scaler aims for, in (0, 1]."`
	AutoPause         Duration `yaml:"auto_pause" doc:"Idle time after which an instance at min_acu 0 pauses, 300s to 24h."`
	Resume            Duration `yaml:"resume" doc:"Time a paused instance takes to resume on the next request."`
}

// RDSSystem is an RDS instance, optionally Multi-AZ.
type RDSSystem struct {
	Engine        string `yaml:"engine" doc:"The database engine."`
	InstanceClass string `yaml:"instance_class" doc:"The instance class (dbsim list --classes): its vCPUs set the engine's concurrency, its memory the default max_connections."`
	AZ            string `yaml:"az" doc:"The primary's AZ (default: the first of topology.azs)."`
	MultiAZ       string `yaml:"multi_az" doc:"none: one instance; instance: a synchronous standby in another AZ; cluster: a writer and two readable standbys in three AZs (postgres or mysql)."`
	StandbyAZ     string `yaml:"standby_az" doc:"The standby's AZ, with multi_az: instance (default: the first other AZ)."`
	// ClusterStandbyAZs place a Multi-AZ DB cluster's two standbys.
	ClusterStandbyAZs []string `yaml:"cluster_standby_azs" doc:"The two standbys' AZs, with multi_az: cluster: different from az and from each other."`
	// ReadReplicas are asynchronous read replicas.
	ReadReplicas []RDSReplica `yaml:"read_replicas" doc:"Asynchronous read replicas, in an AZ of the topology or in another Region (up to 15; 5 for oracle)."`
	Storage      Storage      `yaml:"storage" doc:"The instance's volume."`
	ServiceTime  ServiceTime  `yaml:"service_time" doc:"The engine's CPU time per operation, on one vCPU."`
	// MaxConnections overrides the engine's default connection limit.
	MaxConnections int            `yaml:"max_connections" doc:"Connections the engine admits, 1 to 262,142 (default: the engine's, from the class's memory)."`
	Replication    RDSReplication `yaml:"replication" doc:"How commits reach the standby, the cluster standbys and the read replicas."`
	Proxy          RDSProxy       `yaml:"proxy" doc:"Present (even empty): clients reach the writer through RDS Proxy, which holds their statements through a failover."`
	Failover       RDSFailover    `yaml:"failover" doc:"How RDS notices a failure and moves the endpoint."`
	Recovery       RDSRecovery    `yaml:"recovery" doc:"Crash recovery: the redo written since the last checkpoint, replayed at a rate."`
	// CPUCredits is how the instances of a burstable class (db.t3,
	// db.t4g) run on CPU credits.
	CPUCredits CPUCredits `yaml:"cpu_credits" doc:"How burstable instances (db.t3, db.t4g) run on CPU credits."`
	Backup     Backup     `yaml:"backup" doc:"Present (even empty): automated backups, a daily snapshot and the transaction log in S3, from which a data-loss fault is recovered."`
}

// CPUCredits is a burstable instance's CPU credit configuration: its mode
// (unlimited, RDS's, or standard) and each instance's balance at the
// start, in credits (RDS gives none).
type CPUCredits struct {
	Mode    string  `yaml:"mode" doc:"unlimited (RDS's): run above the baseline on surplus credits, billed; standard: held to the baseline when credits run out."`
	Initial float64 `yaml:"initial" doc:"Each instance's credit balance at the start, in credits (vCPU-minutes; RDS gives none), at most 24 h of earnings."`
}

// Storage is the instance's volume.
type Storage struct {
	Size Size `yaml:"size" doc:"Size of the data on the volume."`
}

// ServiceTime is the engine's cost per operation on one vCPU.
type ServiceTime struct {
	Read  DistSpec `yaml:"read" doc:"CPU time of a read, on one vCPU."`
	Write DistSpec `yaml:"write" doc:"CPU time of a write, on one vCPU."`
	// Connect is a new connection's startup (authentication, TLS, the
	// engine's backend).
	Connect DistSpec `yaml:"connect" doc:"CPU time of a new connection's startup (authentication, TLS, the engine's backend), on one vCPU."`
}

// RDSReplica is one read replica, in an AZ of the topology or in another
// Region.
type RDSReplica struct {
	AZ            string   `yaml:"az" doc:"The replica's AZ (default: the primary's)."`
	Region        string   `yaml:"region" doc:"Another Region, for a cross-Region replica: half the Regions' round trip is added each way."`
	InstanceClass string   `yaml:"instance_class" doc:"The replica's instance class (default: the primary's)."`
	ApplyWorkers  int      `yaml:"apply_workers" doc:"Parallel apply workers, at least 1 (postgres: 1; default 1)."`
	ApplyTime     DistSpec `yaml:"apply_time" doc:"One apply worker's time per write (default: replication.apply_time)."`
}

// RDSReplication is how commits reach the other instances: the synchronous
// block-level mirror of a Multi-AZ instance deployment, the semi-sync log
// of a Multi-AZ DB cluster, and the asynchronous log of read replicas.
type RDSReplication struct {
	StandbyWrite DistSpec `yaml:"standby_write" doc:"A Multi-AZ instance standby's write of a mirrored block."`
	AckTimeout   Duration `yaml:"ack_timeout" doc:"How long the primary waits for an unreachable standby before it commits alone (a postgres cluster keeps waiting)."`
	ApplyTime    DistSpec `yaml:"apply_time" doc:"One apply worker's time per write, on a read replica or cluster standby."`
	PromoteTime  Duration `yaml:"promote_time" doc:"Time a read replica promotion takes: replication stops and the replica reboots as a standalone instance."`
	LocalWrite   DistSpec `yaml:"local_write" doc:"The cluster writer's service time for a write to its local NVMe storage; replaces service_time.write with multi_az: cluster."`
	StandbyFlush DistSpec `yaml:"standby_flush" doc:"A cluster standby's flush of received log to its NVMe storage before it acknowledges."`
}

// RDSFailover is how RDS notices a failure and moves the endpoint.
type RDSFailover struct {
	DetectionInterval  Duration `yaml:"detection_interval" doc:"Interval between the control plane's health checks."`
	DetectionThreshold int      `yaml:"detection_threshold" doc:"Failed health checks in a row that declare the primary failed (at least 1)."`
	Promotion          Duration `yaml:"promotion" doc:"The control plane's work between detection and the DNS switch: fence the old primary, promote the standby's volume."`
	EngineStart        Duration `yaml:"engine_start" doc:"Time to start the engine on a host, before crash recovery."`
	DNSTTL             Duration `yaml:"dns_ttl" doc:"TTL of the instance endpoint's DNS record."`
	DNSPropagation     Duration `yaml:"dns_propagation" doc:"Time a DNS change takes to reach every resolver."`
	ReplaceInstance    Duration `yaml:"replace_instance" doc:"Time to provision a new host and attach the volume, when no standby can take over."`
	ClusterPromotion   Duration `yaml:"cluster_promotion" doc:"The control plane's work between detection and the new writer, with multi_az: cluster."`
}

// RDSRecovery sets how long crash recovery takes: the redo written since
// the last checkpoint, replayed at a rate.
type RDSRecovery struct {
	CheckpointInterval Duration `yaml:"checkpoint_interval" doc:"Time between checkpoints: recovery replays the redo written since the last one."`
	RedoPerWrite       Size     `yaml:"redo_per_write" doc:"Redo written per write."`
	RedoRate           ByteRate `yaml:"redo_rate" doc:"Rate at which recovery replays the redo."`
}

// Clients is the application fleet: processes, each with a connection
// pool and a DNS cache, and the retry policy of their driver.
type Clients struct {
	AZ             string   `yaml:"az" doc:"The clients' AZ (default: the first of topology.azs)."`
	Instances      int      `yaml:"instances" doc:"Client processes, each with its own DNS cache and connection pool (at least 1)."`
	Connections    int      `yaml:"connections" doc:"Connection pool size per process (at least 1)."`
	ConnectTimeout Duration `yaml:"connect_timeout" doc:"Time a new connection may take before the client gives up on it."`
	Timeout        Duration `yaml:"timeout" doc:"Time a statement may take, from the moment it is sent."`
	// PoolTimeout bounds the wait for a pooled connection (default:
	// Timeout).
	PoolTimeout Duration `yaml:"pool_timeout" doc:"Time a request waits for a pooled connection (default: timeout)."`
	// MaxInFlight bounds the requests each client process holds at once,
	// retries and backoff included; more are rejected at once.
	MaxInFlight int   `yaml:"max_in_flight" doc:"Requests a process holds at once, backoffs included; more are rejected on arrival (at least 1)."`
	Retry       Retry `yaml:"retry" doc:"The driver's retry policy: a capped exponential backoff with jitter."`
	// DNSCache is "ttl" (honour the record's TTL), "forever", or a duration
	// for which every answer is cached whatever its TTL.
	DNSCache string `yaml:"dns_cache" doc:"How long clients cache DNS answers: ttl (the record's TTL), forever, or a duration such as 3m."`
	// DNSCacheFor is DNSCache as a span: 0 for "ttl", -1 for "forever".
	DNSCacheFor time.Duration `yaml:"-"`
	// SDK (dynamodb only) names an AWS SDK whose DynamoDB retry policy the
	// clients use (client.SDKRetry); retry keys the file sets override it.
	SDK string `yaml:"sdk" doc:"DynamoDB only: the AWS SDK whose retry policy the clients use; retry keys the file sets override it."`
	// Driver is how clients find the writer: its DNS name, or the
	// cluster's topology (TopologyRefresh apart and on errors).
	Driver          string   `yaml:"driver" doc:"dns: the writer endpoint's DNS name, through the DNS cache; topology-aware: the cluster's topology, read every topology_refresh and on a connection error, as the AWS Advanced JDBC Wrapper does (aurora, multi_az: cluster; default dns)."`
	TopologyRefresh Duration `yaml:"topology_refresh" doc:"With driver: topology-aware, how often each process reads the cluster's topology (default 5s, fact 3.25)."`
	// PoolValidation is when pools check their connections.
	PoolValidation string `yaml:"pool_validation" doc:"none: pooled connections are used as they are; on-borrow: each is checked (a round trip) when taken, and one that is dead, or read-only in the writer's pool, is replaced (default none)."`
}

// Retry is a capped exponential backoff with jitter.
type Retry struct {
	MaxAttempts int      `yaml:"max_attempts" doc:"Attempts per request, the first included (at least 1)."`
	Base        Duration `yaml:"base" doc:"The first backoff; each further retry doubles it."`
	Cap         Duration `yaml:"cap" doc:"The longest backoff, at least base."`
	Jitter      string   `yaml:"jitter" doc:"none: the backoff as computed; full: uniform between 0 and it; equal: half of it fixed, half uniform."` // none | full | equal
	// Budget, when the key is present, limits retries with a token
	// bucket per client process (the AWS SDKs' standard retry quota).
	Budget RetryBudget `yaml:"budget" doc:"Present (even empty): a retry token bucket per client process, the AWS SDKs' standard retry quota."`
}

// RetryBudget is a retry token bucket: a retry takes Cost tokens
// (TimeoutCost after a timeout) and is not made when too few are left; a
// success gives back what its retry took, or Refund. Defaults: the AWS
// SDKs' standard mode (500, 5, 10, 1).
type RetryBudget struct {
	Tokens      int `yaml:"tokens" doc:"Tokens in a full bucket, at least 1 (default 500)."`
	Cost        int `yaml:"cost" doc:"Tokens a retry takes (default 5)."`
	TimeoutCost int `yaml:"timeout_cost" doc:"Tokens a retry after a timeout takes (default 10)."`
	Refund      int `yaml:"refund" doc:"Tokens a success on the first attempt gives back; a retried success gives back what its retry took (default 1)."`
}

// Workload is one stream of requests.
type Workload struct {
	Name        string       `yaml:"name" doc:"The stream's name, unique in the scenario."`
	Arrival     Arrival      `yaml:"arrival" doc:"The arrival process and its initial rate."`
	RateChanges []RateChange `yaml:"rate_changes" doc:"New arrival rates from given times on, in time order."`
	Mix         Mix          `yaml:"mix" doc:"Share of reads and of writes, summing to 1 (default: all reads)."`
	ReadsFrom   string       `yaml:"reads_from" doc:"RDS and Aurora: where reads go (replicas and any need replicas)."` // primary | replicas | any
	Keys        Keys         `yaml:"keys" doc:"How requests pick their keys."`
	ItemSize    Size         `yaml:"item_size" doc:"Size of an item read or written, at most 400KB (default 1KB)."`

	// DynamoDB only (types_dynamodb.go): read consistency (eventual |
	// strong), the share of each API operation (instead of mix), items per
	// Query, the global secondary index the queries read (none: the base
	// table), items per batch or transaction, what the application does
	// with a batch's unprocessed items (drop | resubmit), and celebrity
	// keys.
	Consistency string   `yaml:"consistency" doc:"DynamoDB: eventual or strong reads (their price and replica)."`
	Ops         Ops      `yaml:"ops" doc:"DynamoDB: share of each API operation, summing to 1 (instead of mix, whose read is get and write put)."`
	QueryItems  int      `yaml:"query_items" doc:"DynamoDB: items a Query returns."`
	QueryIndex  string   `yaml:"query_index" doc:"DynamoDB: the global secondary index queries read (eventual reads only); left out: the table."`
	BatchItems  int      `yaml:"batch_items" doc:"DynamoDB: items per batch or transaction."`
	Unprocessed string   `yaml:"unprocessed" doc:"DynamoDB: what the application does with a batch's unprocessed items: drop them, or resubmit them after the SDK's backoff."`
	HotKeys     []HotKey `yaml:"hot_keys" doc:"DynamoDB: celebrity keys, each taking a share of the requests for a while."`
	// HotKeysFrom adds hot keys from a Contributor Insights report
	// (trace.go).
	HotKeysFrom string `yaml:"hot_keys_from" doc:"DynamoDB: the JSON of aws cloudwatch get-insight-rule-report (relative to the scenario): each contributor becomes a hot key taking its share of the rule's aggregate value for the whole run."`
	// Collection: DynamoDB item collections (types_dynamodb.go).
	Collection Collection `yaml:"collection" doc:"DynamoDB: item collections (single-table design): a Query reads its key's whole collection, a put adds an item to it."`
	// Region: a DynamoDB global table's Region whose replica the
	// workload's clients use (validate_dynamodb.go).
	Region string `yaml:"region" doc:"DynamoDB global tables: the Region whose replica table the workload's clients use, the clients' Region or one of table.replicas (default the clients' Region)."`
}

// Arrival is the arrival process and its initial rate, or the rate
// series a trace replays (trace.go).
type Arrival struct {
	Process string `yaml:"process" doc:"poisson: random arrivals at the rate; constant: evenly spaced; trace: Poisson arrivals at the rates of a CloudWatch export or a time,rate CSV (file)."` // poisson | constant | trace
	Rate    Rate   `yaml:"rate" doc:"Requests per unit of time, e.g. 1000/s (not with trace)."`
	// The trace's keys (trace.go).
	File       string     `yaml:"file" doc:"trace: the rate series, relative to the scenario file's directory: the JSON of aws cloudwatch get-metric-data, or a CSV of time,rate rows (time RFC 3339 or seconds from the start, rate per second)."`
	Metric     string     `yaml:"metric" doc:"trace: which series of a get-metric-data file to replay, by its Label or Id (optional when the file holds one)."`
	Stat       string     `yaml:"stat" doc:"trace, get-metric-data: the statistic the values are: Sum or SampleCount (a rate is the value over the period) or Average (already per second). Default: Sum; Average for ReadIOPS and WriteIOPS."`
	Unit       string     `yaml:"unit" doc:"trace: what the rate counts: requests; write-units or read-units (dynamodb: divided by the workload's units per request). Default from the metric: ConsumedWriteCapacityUnits write-units, ConsumedReadCapacityUnits read-units, else requests."`
	Period     Duration   `yaml:"period" doc:"trace: the series' period; default: the spacing of its timestamps."`
	Burstiness Burstiness `yaml:"burstiness" doc:"poisson, trace: how the rate varies from second to second around its mean (default: not at all, Poisson arrivals)."`
	// Trace is the series the file holds, read by validation; nil for
	// other processes.
	Trace *Trace `yaml:"-"`
}

// Burstiness scales the arrival rate of every second by its own draw of
// a gamma-distributed multiplier with mean 1, whose 99th percentile is
// PeakToMean (trace.go): a doubly stochastic (Cox) Poisson process whose
// busiest 1 % of seconds run at PeakToMean times the mean rate or more.
type Burstiness struct {
	PeakToMean float64 `yaml:"peak_to_mean" doc:"The 99th percentile of the per-second rate over its mean: 1 (default) is plain Poisson; 1 to 5."`
}

// RateChange sets a new arrival rate from At on.
type RateChange struct {
	At   Duration `yaml:"at" doc:"When the new rate starts."`
	Rate Rate     `yaml:"rate" doc:"The new rate; 0/s pauses the workload."`
}

// Mix is the share of each operation; the shares sum to 1.
type Mix struct {
	Read  float64 `yaml:"read" doc:"Share of reads, 0 to 1."`
	Write float64 `yaml:"write" doc:"Share of writes, 0 to 1."`
}

// Keys is how requests pick keys.
type Keys struct {
	Dist        string  `yaml:"dist" doc:"uniform; zipf: a few keys popular (skew); hotset: a hot fraction of the keys takes a share of the requests."` // uniform | zipf | hotset
	Count       int64   `yaml:"count" doc:"Distinct keys, at least 1 (default 1,000,000)."`
	Skew        float64 `yaml:"skew" doc:"zipf only: the exponent s, above 0 (larger: more skewed)."`                 // zipf exponent s > 0
	HotFraction float64 `yaml:"hot_fraction" doc:"hotset only: share of the keys that are hot, between 0 and 1."`     // hotset: share of keys that are hot
	HotShare    float64 `yaml:"hot_share" doc:"hotset only: share of the requests that go to them, between 0 and 1."` // hotset: share of requests that go to them
}

// Fault is a scheduled fault (At, optionally For) or a random process of
// faults (MTTF, MTTR).
type Fault struct {
	Kind    string   `yaml:"kind" doc:"What fails; each kind takes only some of the keys below."`
	At      Duration `yaml:"at" doc:"When a scheduled fault happens; give at or mttf."`
	For     Duration `yaml:"for" doc:"How long a scheduled az-outage, network-partition or storage-node-failure lasts."`
	MTTF    Duration `yaml:"mttf" doc:"Mean time between the faults of a random process; give at or mttf."`
	MTTR    Duration `yaml:"mttr" doc:"Mean time to repair a random process's fault."`
	Target  string   `yaml:"target" doc:"What fails: primary, standby, standby-N, replica-N or writer (RDS, Aurora), pN (a DynamoDB partition), node-N (a cache node)."`
	AZ      string   `yaml:"az" doc:"The AZ an az-outage, storage-node-failure or leader-failure acts on."`
	Between []string `yaml:"between" doc:"The two AZs a network-partition cuts apart."`
	// Count is how many storage nodes a storage-node-failure takes down.
	Count int `yaml:"count" doc:"Storage nodes a storage-node-failure takes down: 1 or 2."`
	// Region and FailoverAfter are a region-outage's or a
	// global-switchover's (regions.go).
	Region        string   `yaml:"region" doc:"The Region a region-outage takes down (default topology.region), or the secondary Region a global-switchover moves the writer to (default the first)."`
	FailoverAfter Duration `yaml:"failover_after" doc:"region-outage: time from the outage to an operator's failover to another Region (a cross-Region replica promoted, a Global Database secondary detached and promoted); left out: nobody fails over."`
	// RestoreTo is the moment a data-loss's point-in-time restore goes
	// back to (default: 1 s before at).
	RestoreTo Duration `yaml:"restore_to" doc:"The moment a data-loss's point-in-time restore goes back to, before at (default: at minus 1s)."`

	// Scheduled is true when At was given (a one-off fault), false for a
	// random process (MTTF given).
	Scheduled bool `yaml:"-"`
}

// DistSpec describes a distribution of spans, e.g.
// {dist: lognormal, p50: 0.4ms, p99: 3ms}.
type DistSpec struct {
	Dist    string     `yaml:"dist" doc:"The distribution, with exactly its parameters: constant value; uniform min, max; exponential mean; normal mean, stddev; lognormal p50, p99; pareto xm, alpha; empirical samples."` // constant | uniform | exponential | normal | lognormal | pareto | empirical
	Value   Duration   `yaml:"value" doc:"constant: the value."`
	Min     Duration   `yaml:"min" doc:"uniform: the lower bound."`
	Max     Duration   `yaml:"max" doc:"uniform: the upper bound, above min."`
	Mean    Duration   `yaml:"mean" doc:"exponential, normal: the mean."`
	StdDev  Duration   `yaml:"stddev" doc:"normal: the standard deviation."`
	P50     Duration   `yaml:"p50" doc:"lognormal: the median."`
	P99     Duration   `yaml:"p99" doc:"lognormal: the 99th percentile, above p50."`
	Xm      Duration   `yaml:"xm" doc:"pareto: the scale, the least value."`
	Alpha   float64    `yaml:"alpha" doc:"pareto: the shape, above 0."`
	Samples []Duration `yaml:"samples" doc:"empirical: the values, drawn uniformly."`
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
