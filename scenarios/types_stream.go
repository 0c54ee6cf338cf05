package scenarios

// DynamoDBStream is the table's stream and the Lambda function that
// consumes it through an event source mapping (models/REFERENCES.md
// section 13). Every key left out keeps the model's default
// (dynamodb.DefaultStream).
type DynamoDBStream struct {
	// Retention is how long a record is kept (24h, fact 13.3).
	Retention Duration `yaml:"retention" doc:"How long the stream keeps a record (24h); older records are trimmed, lost if unprocessed."`
	// BehindAfter is the iterator age past which the narrative says the
	// consumer fell behind (1m; it catches up under a tenth of it).
	BehindAfter Duration               `yaml:"behind_after" doc:"Iterator age past which the narrative says the consumer fell behind (1m); caught up under a tenth of it."`
	Consumer    DynamoDBStreamConsumer `yaml:"consumer" doc:"The Lambda function reading the stream (required)."`
}

// DynamoDBStreamConsumer is a Lambda event source mapping on the stream
// and its function (facts 13.4–13.9).
type DynamoDBStreamConsumer struct {
	BatchSize             int      `yaml:"batch_size" doc:"Most records per invocation, 1 to 10000 (100)."`
	BatchingWindow        Duration `yaml:"batching_window" doc:"Longest the mapping gathers records before invoking with fewer than batch_size, 0s to 5m (0s)."`
	ParallelizationFactor int      `yaml:"parallelization_factor" doc:"Batches of one shard processed at once, 1 to 10 (1); records keep their order per key."`
	Duration              DistSpec `yaml:"duration" doc:"One invocation's run time (required)."`
	MemoryMB              int      `yaml:"memory_mb" doc:"The function's memory in MB, 128 to 10240 (128); prices its duration."`
	MaxRetries            int      `yaml:"max_retries" doc:"Retries of a failed batch before it is discarded, 0 to 10000; -1 (default): until its records expire."`
	BisectOnError         bool     `yaml:"bisect_on_error" doc:"Split a failed batch in two and retry the first half (false)."`
	PollsPerSecond        float64  `yaml:"polls_per_second" doc:"Polls of each shard per second (4)."`
	// PoisonAt are the times at which a poison record is written: the
	// first record after each fails every invocation that carries it.
	PoisonAt []Duration `yaml:"poison_at" doc:"Times at which a poison record is written: the stream's first record at or after each fails every invocation that carries it."`
}
