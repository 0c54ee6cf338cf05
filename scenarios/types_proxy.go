package scenarios

// RDSProxy is Amazon RDS Proxy in front of an rds or aurora system: the
// clients' writer endpoint is the proxy's, which multiplexes their
// connections onto a few database connections to the writer and, in a
// failover, holds their statements until the writer the topology names
// accepts (models/proxy). The block's presence turns the proxy on.
type RDSProxy struct {
	Enabled               bool     `yaml:"enabled" doc:"false leaves the proxy out, as if the block were absent (default true)."`
	Latency               DistSpec `yaml:"latency" doc:"Time a statement spends in the proxy (default lognormal p50 0.5ms, p99 2ms: estimated, not published)."`
	MaxConnectionsPercent int      `yaml:"max_connections_percent" doc:"Database connections the proxy may open, as a percentage of the writer's max_connections, 1 to 100 (default 100)."`
	BorrowTimeout         Duration `yaml:"borrow_timeout" doc:"How long a statement waits for a database connection, a failover included, before the proxy fails it (default 120s)."`
	MonitorInterval       Duration `yaml:"monitor_interval" doc:"How often the proxy checks which instance is the writer and whether it accepts (default 1s: estimated)."`
	Pinned                float64  `yaml:"pinned" doc:"Share of client connections whose sessions cannot be shared (session state), 0 to 1: each holds a database connection of its own (default 0)."`
}
