package scenarios

// Cache is an ElastiCache (Valkey or Redis OSS) cluster that the
// application uses cache-aside in front of the system, whatever its kind
// (models/cache): a read looks its key up; a hit is answered by the
// cache, a miss reads the database and fills the key when the read
// returns; a write goes to the database and deletes the key once it
// commits.
type Cache struct {
	NodeType              string   `yaml:"node_type" doc:"The node type: its memory, less the reserved share, over item_size is the items a node holds (default cache.r7g.large)."`
	Nodes                 int      `yaml:"nodes" doc:"Shards: primary nodes, each owning an equal range of the 16,384 hash slots, 1 to 500 (default 1)."`
	ReservedMemoryPercent float64  `yaml:"reserved_memory_percent" doc:"Share of a node's memory kept for backups and failover rather than data, 0 to 99 (ElastiCache's default 25)."`
	Eviction              string   `yaml:"eviction" doc:"What a full node evicts: lru, the least recently used key; random, any key."`
	TTL                   Duration `yaml:"ttl" doc:"How long an item stays after the miss that filled it (hits do not extend it); 0 or left out: until evicted."`
	ItemSize              Size     `yaml:"item_size" doc:"Memory an item takes, key and overhead included (default: the largest workload item_size)."`
	AZ                    string   `yaml:"az" doc:"The nodes' AZ (default: the clients')."`
	ServiceTime           Duration `yaml:"service_time" doc:"A node's time to answer, beyond the network round trip from the clients (default 50us)."`
}
