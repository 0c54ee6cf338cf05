package scenarios

import (
	"fmt"
	"math"
	"time"

	"dbsim/models/cache"
	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/models/dynamodb"
	"dbsim/models/metric"
	"dbsim/sim"
)

// CacheStats is what the cache in front of the system did over the
// measured window: lookups by the arrival of their request.
type CacheStats struct {
	Hits, Misses int64
	// Capacity is the items the nodes hold when full.
	Capacity int64
}

// cacheLayer is the application's cache-aside use of a cache cluster
// (models/cache), between the workload generators and the client fleet:
// a cacheable read looks its key up; after the round trip to the key's
// node a hit is answered, a miss goes to the database, its latency
// counted from its arrival, and fills the key when it succeeds. A write
// goes to the database, and deletes its key once it succeeds (the
// application does not wait for the delete). As the clients' observer it
// sees every database answer, then passes it on to the recorder.
type cacheLayer struct {
	k      *sim.Kernel
	c      *cache.Cache
	rec    *recorder
	log    *cluster.Log
	warmup sim.Time

	lookups *sim.Lane // every lookup takes the same round trip
	free    []*lookup
	scratch client.Request // a hit's answer, told to the recorder
	next    int            // the client process a hit is counted for
	procs   int

	stats        CacheStats
	bucket       time.Duration
	hits, misses []float64 // per bucket of the whole run, by arrival
	col          int
}

// lookup is one read waiting for its cache's answer.
type lookup struct {
	g       *generator
	key     uint64
	ep      int
	detail  any
	arrived sim.Time
	hit     bool
}

// newCacheLayer builds the cache of s, whose lookups from the clients' AZ
// take the round trip to the cache's AZ plus its service time.
func newCacheLayer(s *Scenario, k *sim.Kernel, topo *cluster.Topology, rec *recorder, log *cluster.Log, clientAZ cluster.AZ, procs int) (*cacheLayer, error) {
	c := s.Cache
	nt, ok := cache.LookupNodeType(c.NodeType)
	if !ok {
		return nil, fmt.Errorf("cache.node_type: unknown node type %q", c.NodeType)
	}
	az, err := topo.Lookup(c.AZ)
	if err != nil {
		return nil, err
	}
	policy := named(cache.Policies, c.Eviction) // validated: LRU by default
	perNode := cache.ItemsPerNode(nt.MemoryGiB, c.ReservedMemoryPercent, int64(c.ItemSize))
	l := &cacheLayer{k: k, rec: rec, log: log, warmup: sim.At(s.Warmup.D()), procs: max(procs, 1),
		c:      cache.New(k, cache.Config{Nodes: c.Nodes, ItemsPerNode: int(min(perNode, math.MaxInt32)), Policy: policy, TTL: sim.Time(c.TTL)}),
		bucket: rec.series.Bucket(),
		col:    rec.series.ColumnFill(metric.Of(metric.CacheHitRatio).Column(), math.NaN()),
	}
	l.stats.Capacity = int64(l.c.Capacity())
	l.lookups = sim.NewLane(k, topo.RTT(clientAZ, az)+c.ServiceTime.D(), l.answer)
	return l, nil
}

// cacheable reports whether a read goes through the cache: every read
// of a relational system, a DynamoDB GetItem (not a query, a scan or a
// batch).
func cacheable(detail any) bool {
	op, ok := detail.(*dynamodb.Op)
	return !ok || op.Kind == dynamodb.GetItem
}

// read looks key up now for a read of g's workload to endpoint ep.
func (l *cacheLayer) read(g *generator, key uint64, ep int, detail any) {
	now := l.k.Now()
	hit := l.c.Get(key)
	b := int(now / sim.Time(l.bucket))
	for len(l.hits) <= b {
		l.hits, l.misses = append(l.hits, 0), append(l.misses, 0)
	}
	if hit {
		l.hits[b]++
	} else {
		l.misses[b]++
	}
	if now >= l.warmup {
		if hit {
			l.stats.Hits++
		} else {
			l.stats.Misses++
		}
	}
	var q *lookup
	if n := len(l.free); n > 0 {
		q, l.free = l.free[n-1], l.free[:n-1]
	} else {
		q = &lookup{}
	}
	*q = lookup{g: g, key: key, ep: ep, detail: detail, arrived: now, hit: hit}
	l.lookups.Add(q)
}

// answer is the cache's answer to a lookup, a round trip after it.
func (l *cacheLayer) answer(a any) {
	q := a.(*lookup)
	if q.hit {
		r := &l.scratch
		*r = client.Request{Op: cluster.Read, Key: q.key, Workload: q.g.index, Endpoint: q.ep,
			Instance: l.next, Arrived: q.arrived, Status: cluster.OK, Detail: q.detail}
		l.next = (l.next + 1) % l.procs
		l.rec.Done(r)
	} else {
		q.g.submitSince(cluster.Read, q.key, q.ep, q.detail, q.arrived)
	}
	*q = lookup{}
	l.free = append(l.free, q)
}

// Failed implements client.Observer.
func (l *cacheLayer) Failed(r *client.Request, s cluster.Status, retry bool) {
	l.rec.Failed(r, s, retry)
}

// Done implements client.Observer: a read from the database fills its
// key, a write deletes it.
func (l *cacheLayer) Done(r *client.Request) {
	if r.Status == cluster.OK {
		switch {
		case r.Op == cluster.Write:
			l.c.Invalidate(r.Key)
		case cacheable(r.Detail):
			l.c.Put(r.Key)
		}
	}
	l.rec.Done(r)
}

// inject applies a cache fault: a flush, or a node's failure (start) and
// replacement (end).
func (l *cacheLayer) inject(f *Fault, start bool) {
	switch f.Kind {
	case "cache-flush":
		if start {
			l.log.Addf("cache flushed: %d items dropped, every read misses until the cache fills again", l.c.Items())
			l.c.Flush()
		}
	case "cache-node-failure":
		i, _ := cacheNodeIndex(f.Target, l.c.Nodes())
		if start {
			held := l.c.Items()
			l.c.Fail(i)
			lost := held - l.c.Items()
			if f.For <= 0 {
				l.c.Replace(i)
				l.log.Addf("cache %s fails and is replaced empty: %d items lost, its keys' reads miss", f.Target, lost)
			} else {
				l.log.Addf("cache %s fails: %d items lost, its keys' reads go to the database", f.Target, lost)
			}
			return
		}
		if !l.c.Up(i) {
			l.c.Replace(i)
			l.log.Addf("cache %s replaced, empty", f.Target)
		}
	}
}

// finish writes the hit ratio of each bucket into the series and the
// measured window's counts into rep.
func (l *cacheLayer) finish(rep *Replication) {
	for b := range l.hits {
		if n := l.hits[b] + l.misses[b]; n > 0 {
			rep.Series.Set(sim.Time(b)*sim.Time(l.bucket), l.col, l.hits[b]/n)
		}
	}
	rep.Gauges = append(rep.Gauges, metric.Of(metric.CacheHitRatio))
	st := l.stats
	rep.Cache = &st
}
