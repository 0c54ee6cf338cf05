package scenarios

// Backup is a database's automated backups and how a restore from them
// runs (models/backup). The block is present (even empty) to simulate
// them; every key left out takes the model's default.
type Backup struct {
	WindowStart  Duration `yaml:"window_start" doc:"Time from the run's start to the first daily backup window, 0 to 24h (default 12h); the run starts just after a snapshot."`
	Retention    Duration `yaml:"retention" doc:"How long automated backups are kept: how far back a restore may go, 1 to 35 days (default 7d)."`
	LogUpload    Duration `yaml:"log_upload" doc:"Interval at which the transaction log is uploaded to S3: the latest restorable time lags by up to it (default 5m)."`
	IOSuspension Duration `yaml:"io_suspension" doc:"RDS Single-AZ: how long a snapshot suspends the instance's writes while it initializes (default 3s); Multi-AZ snapshots the standby."`
	Provision    Duration `yaml:"provision" doc:"Time to create the restored instance (Aurora: the restored cluster and its volume) before its engine starts (default 10m)."`
	ReplayRate   ByteRate `yaml:"log_replay_rate" doc:"RDS: rate at which a restore replays the archived log from the snapshot to the restore point (default 10MB/s)."`
	BlockFetch   DistSpec `yaml:"block_fetch" doc:"RDS: time to fetch a block of a restored volume from S3 the first time a request touches it (default lognormal p50 20ms, p99 100ms)."`
	HydrateRate  ByteRate `yaml:"hydration_rate" doc:"RDS: rate at which a restored volume loads its blocks in the background; 0: only the blocks touched (default 32MB/s)."`
}
