// Package cache models the cache nodes of an ElastiCache (Valkey or Redis
// OSS) cluster in front of a database, as an application uses them for
// cache-aside reads: it holds keys, not probabilities. Each node keeps
// as many items as its memory holds (the node type's memory less the
// reserved share, divided by the item size), evicts the least recently
// used (or a random) one when full, and drops an item whose TTL has
// passed when it is next read. Keys shard over the nodes by Redis
// Cluster's hash slots. A failed node loses its keys; a flush empties
// every node. So the hit ratio follows from the capacity, the policy, the
// TTL and the key distribution, and a cold cache sends every read to the
// database.
//
// A lookup, a fill and an invalidation each cost O(1) (a map and an
// intrusive list per node), and a node's memory is O(items it holds).
// The package keeps no clock of its own: expiry reads the kernel's.
package cache

import (
	"fmt"
	"math"
	"strconv"

	"dbsim/sim"
)

// Policy is what a full node evicts to make room.
type Policy uint8

// Eviction policies, as Redis's maxmemory-policy names them.
const (
	// LRU evicts the least recently used key (allkeys-lru; with a TTL on
	// every key, as cache-aside sets, volatile-lru is the same). Redis
	// approximates it by sampling; the model is exact.
	LRU Policy = iota
	// Random evicts a key drawn uniformly (allkeys-random).
	Random
)

// String is the policy's name in a scenario: "lru", "random".
func (p Policy) String() string { return [...]string{"lru", "random"}[p] }

// Policies are the eviction policies, in order.
var Policies = []Policy{LRU, Random}

// NodeType is an ElastiCache node type: its memory (GiB, as the pricing
// page lists it) and vCPUs. See models/REFERENCES.md, section 12.
type NodeType struct {
	Name      string
	MemoryGiB float64
	VCPUs     int
}

// NodeTypes are the node types dbsim knows, smallest first within a
// family (models/REFERENCES.md fact 12.1).
var NodeTypes = []NodeType{
	{"cache.t4g.micro", 0.5, 2},
	{"cache.t4g.small", 1.37, 2},
	{"cache.t4g.medium", 3.09, 2},
	{"cache.m7g.large", 6.38, 2},
	{"cache.r7g.large", 13.07, 2},
	{"cache.r7g.xlarge", 26.32, 4},
}

// LookupNodeType finds a node type by name.
func LookupNodeType(name string) (NodeType, bool) {
	for _, t := range NodeTypes {
		if t.Name == name {
			return t, true
		}
	}
	return NodeType{}, false
}

// DefaultReservedMemoryPercent is ElastiCache's default
// reserved-memory-percent: memory kept for backups, replication and
// failover, not for data (fact 12.2).
const DefaultReservedMemoryPercent = 25

// ItemsPerNode is how many items of itemBytes a node of memGiB holds
// with reservedPercent of it reserved: the usable bytes over the item
// size, rounded down.
func ItemsPerNode(memGiB, reservedPercent float64, itemBytes int64) int64 {
	if itemBytes <= 0 {
		return 0
	}
	usable := memGiB * (1 << 30) * (1 - reservedPercent/100)
	return int64(math.Floor(usable / float64(itemBytes)))
}

// BytesPerItem is about what the simulator holds per cached item (the
// map entry and four slots), for the estimate that refuses a cache too
// large to simulate.
const BytesPerItem = 64

// Slots is the number of Redis Cluster hash slots.
const Slots = 16384

// Config is a cache cluster.
type Config struct {
	// Nodes is the number of shards (primary nodes); the hash slots are
	// split evenly among them, in order.
	Nodes int
	// ItemsPerNode is how many items one node holds (ItemsPerNode).
	ItemsPerNode int
	Policy       Policy
	// TTL is the time an item stays after it was filled; 0: forever.
	TTL sim.Time
}

// Cache is a cache cluster's nodes and their keys.
type Cache struct {
	k     *sim.Kernel
	cfg   Config
	nodes []*node
}

type node struct {
	*store
	down bool
}

// New returns an empty (cold) cache cluster on kernel k; Random eviction
// draws from the kernel's "cache/evict/N" streams.
func New(k *sim.Kernel, cfg Config) *Cache {
	c := &Cache{k: k, cfg: cfg}
	for i := 0; i < max(cfg.Nodes, 1); i++ {
		rng := k.Stream("cache/evict/" + strconv.Itoa(i))
		c.nodes = append(c.nodes, &node{store: newStore(cfg.ItemsPerNode, cfg.Policy, rng)})
	}
	return c
}

// Nodes is the number of nodes.
func (c *Cache) Nodes() int { return len(c.nodes) }

// Slot is key's hash slot: CRC16 (XMODEM) of the key's decimal text,
// modulo 16384, as Redis Cluster hashes a key.
func Slot(key uint64) int {
	var buf [20]byte
	b := strconv.AppendUint(buf[:0], key, 10)
	return int(crc16(b) % Slots)
}

// NodeOf is the node that owns key's slot.
func (c *Cache) NodeOf(key uint64) int { return Slot(key) * len(c.nodes) / Slots }

// Up reports whether node i answers.
func (c *Cache) Up(i int) bool { return !c.nodes[i].down }

// Get reports whether key is held, fresh, on a node that answers: a hit.
// A hit makes the key the most recently used on its node.
func (c *Cache) Get(key uint64) bool {
	n := c.nodes[c.NodeOf(key)]
	return !n.down && n.get(key, c.k.Now())
}

// Put fills key (after a read of the database) with the cache's TTL; a
// full node evicts. A node that is down takes nothing.
func (c *Cache) Put(key uint64) {
	n := c.nodes[c.NodeOf(key)]
	if n.down {
		return
	}
	var exp sim.Time
	if c.cfg.TTL > 0 {
		exp = c.k.Now() + c.cfg.TTL
	}
	n.put(key, exp)
}

// Invalidate deletes key (after a write to the database).
func (c *Cache) Invalidate(key uint64) {
	if n := c.nodes[c.NodeOf(key)]; !n.down {
		n.del(key)
	}
}

// Flush empties every node (FLUSHALL).
func (c *Cache) Flush() {
	for _, n := range c.nodes {
		n.clear()
	}
}

// Fail takes node i down: it loses every key and answers nothing until
// Replace.
func (c *Cache) Fail(i int) {
	c.nodes[i].clear()
	c.nodes[i].down = true
}

// Replace brings node i back, empty.
func (c *Cache) Replace(i int) { c.nodes[i].down = false }

// Items is the number of items the nodes hold.
func (c *Cache) Items() int {
	n := 0
	for _, x := range c.nodes {
		n += x.len()
	}
	return n
}

// Capacity is the number of items the nodes can hold.
func (c *Cache) Capacity() int { return len(c.nodes) * c.cfg.ItemsPerNode }

// Evictions is the number of items evicted to make room, over the run.
func (c *Cache) Evictions() int64 {
	var n int64
	for _, x := range c.nodes {
		n += x.evictions
	}
	return n
}

// String describes the cluster.
func (c *Cache) String() string {
	return fmt.Sprintf("%d nodes × %d items, %v", len(c.nodes), c.cfg.ItemsPerNode, c.cfg.Policy)
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial 0), Redis Cluster's
// key hash.
func crc16(b []byte) uint16 {
	var crc uint16
	for _, x := range b {
		crc ^= uint16(x) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
