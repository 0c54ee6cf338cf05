package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"dbsim/models/cache"
)

// Cache defaults and bounds.
const (
	defaultCacheNodeType    = "cache.r7g.large"
	defaultCacheServiceTime = Duration(50_000) // 50us: "microsecond response time" (fact 12.4)
	maxCacheNodes           = 500              // ElastiCache's most shards in a cluster
	// maxCacheItems bounds the items a run simulates (cache.BytesPerItem
	// each, per replication running): about 610 MB.
	maxCacheItems = 10_000_000
)

// cacheNodeTypes are the node types' names.
func cacheNodeTypes() []string {
	var out []string
	for _, t := range cache.NodeTypes {
		out = append(out, t.Name)
	}
	return out
}

// cache fills the cache block's defaults and checks it: a known node type
// and policy, and a cache the simulator can hold item by item. It runs
// after the clients and workloads, whose AZ and item sizes are defaults.
func (v *validator) cache() {
	if !v.has("cache") {
		return
	}
	c := &v.s.Cache
	const p = "cache."
	v.defaultString(p+"node_type", &c.NodeType, defaultCacheNodeType)
	nt, known := cache.LookupNodeType(c.NodeType)
	if !known {
		v.oneOf(p+"node_type", "node type", c.NodeType, cacheNodeTypes())
	}
	v.defaultAtLeast(p+"nodes", &c.Nodes, 1, 1)
	if c.Nodes > maxCacheNodes {
		v.errorf(p+"nodes", "must be at most %d (ElastiCache's most shards), got %d", maxCacheNodes, c.Nodes)
	}
	if !v.has(p + "reserved_memory_percent") {
		c.ReservedMemoryPercent = cache.DefaultReservedMemoryPercent
	} else if r := c.ReservedMemoryPercent; !(r >= 0 && r < 100) {
		v.errorf(p+"reserved_memory_percent", "must be from 0 to 99 (a percentage of the node's memory), got %g", r)
	}
	v.defaultString(p+"eviction", &c.Eviction, cache.LRU.String())
	v.oneOf(p+"eviction", "eviction policy", c.Eviction, names(cache.Policies))
	if v.has(p + "ttl") {
		v.nonNegative(p+"ttl", c.TTL)
	}
	if !v.has(p + "item_size") {
		for _, w := range v.s.Workload {
			c.ItemSize = max(c.ItemSize, w.ItemSize)
		}
	} else if c.ItemSize <= 0 {
		v.errorf(p+"item_size", "must be > 0, got %s", c.ItemSize)
	}
	if v.has(p + "az") {
		v.az(p+"az", c.AZ)
	} else {
		c.AZ = v.s.Clients.AZ
	}
	if v.has(p + "service_time") {
		v.nonNegative(p+"service_time", c.ServiceTime)
	} else {
		c.ServiceTime = defaultCacheServiceTime
	}
	if !known || c.Nodes < 1 || c.Nodes > maxCacheNodes || c.ItemSize <= 0 || c.ReservedMemoryPercent < 0 || c.ReservedMemoryPercent >= 100 {
		return
	}
	// The cache holds at most its capacity, and never more keys than the
	// workloads name: a bigger cache simply holds every key.
	perNode := cache.ItemsPerNode(nt.MemoryGiB, c.ReservedMemoryPercent, int64(c.ItemSize))
	held := perNode * int64(c.Nodes)
	var keys int64
	for _, w := range v.s.Workload {
		keys = max(keys, w.Keys.Count)
	}
	if keys > 0 {
		held = min(held, keys)
	}
	if held > maxCacheItems {
		v.errorf("cache", "would hold up to %s items (%d × %s of %s items, the workloads' %s keys), too many to simulate item by item (at most %s, about %d MB at %d bytes each: use fewer keys, a larger item_size or fewer nodes)",
			thousandsOf(held), c.Nodes, c.NodeType, c.ItemSize, thousandsOf(keys), thousandsOf(maxCacheItems), maxCacheItems*cache.BytesPerItem>>20, cache.BytesPerItem)
	}
}

// cacheFault checks the cache's faults: there must be a cache, and a
// node-failure's target is one of its nodes.
func (v *validator) cacheFault(i int) {
	f := &v.s.Faults[i]
	p := fmt.Sprintf("faults[%d]", i)
	if !strings.HasPrefix(f.Kind, "cache-") {
		return
	}
	if !v.has("cache") {
		v.errorf(p+".kind", "%s needs a cache in front of the system (a cache: block)", f.Kind)
		return
	}
	if f.Kind != "cache-node-failure" {
		return
	}
	v.defaultString(p+".target", &f.Target, "node-1")
	if _, ok := cacheNodeIndex(f.Target, v.s.Cache.Nodes); !ok {
		allowed := "node-1"
		if n := v.s.Cache.Nodes; n > 1 {
			allowed = fmt.Sprintf("node-1 to node-%d", n)
		}
		v.errorf(p+".target", "%q is not a cache node (allowed: %s)", f.Target, allowed)
	}
}

// cacheNodeIndex turns "node-N" into the index N-1, if N is one of n nodes.
func cacheNodeIndex(target string, n int) (int, bool) {
	s, ok := strings.CutPrefix(target, "node-")
	if !ok {
		return 0, false
	}
	k, err := strconv.Atoi(s)
	if err != nil || k < 1 || k > n || strconv.Itoa(k) != s {
		return 0, false
	}
	return k - 1, true
}

// thousandsOf writes n with thousands separators: 10,000,000.
func thousandsOf(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
