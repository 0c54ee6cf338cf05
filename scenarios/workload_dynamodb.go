package scenarios

import (
	"math"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/models/dynamodb"
	"dbsim/sim"
)

// ddbOps picks the DynamoDB operation of each request of a workload: the
// request's Detail is a *dynamodb.Op, one shared per operation (requests
// allocate nothing) except for batches, whose Op the model writes the
// unprocessed items into.
type ddbOps struct {
	// cum[i] is the cumulative share up to kinds[i], in ddbKindOrder
	// (writes first), for the n operations with a share.
	cum   [9]float64
	kinds [9]dynamodb.Kind
	n     int
	ops   [9]*dynamodb.Op // by Kind
	// coll, when the workload has item collections, sizes each key's.
	coll *collections
}

// collections draws the size of each partition-key value's item
// collection: a pure function of the key (no random stream), so that
// every request, and every workload with the same collection block,
// sees the same collection for a key.
type collections struct {
	p50, sigma float64
	itemBytes  int64
	sizes      map[uint64]int64
}

// z99 is the standard normal's 99th percentile.
const z99 = 2.3263478740408408

func newCollections(c Collection, itemBytes int64) *collections {
	cs := &collections{p50: c.ItemsP50, itemBytes: itemBytes, sizes: map[uint64]int64{}}
	if c.ItemsP99 > c.ItemsP50 {
		cs.sigma = math.Log(c.ItemsP99/c.ItemsP50) / z99
	}
	for _, x := range c.Sizes {
		cs.sizes[x.Key] = int64(x.Size)
	}
	return cs
}

// bytes is key's collection when the run begins: its given size, or a
// log-normal number of items (at least one) drawn from the key's hash.
func (cs *collections) bytes(key uint64) int64 {
	if b, ok := cs.sizes[key]; ok {
		return b
	}
	u := (float64(splitmix(key^0x243f6a8885a308d3)>>11) + 0.5) / (1 << 53) // in (0, 1)
	z := math.Sqrt2 * math.Erfinv(2*u-1)
	items := max(1, math.Round(cs.p50*math.Exp(cs.sigma*z)))
	return int64(items) * cs.itemBytes
}

// splitmix is SplitMix64's finaliser, a hash of a key.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// forKey is the operation o for key: with item collections, a Query or
// PutItem of its own carrying the key's collection size.
func (d *ddbOps) forKey(o *dynamodb.Op, key uint64) *dynamodb.Op {
	if d.coll == nil || (o.Kind != dynamodb.Query && o.Kind != dynamodb.PutItem) {
		return o
	}
	c := *o
	c.CollectionBytes = d.coll.bytes(key)
	return &c
}

// newDDBOps prepares the operations of w: its ops, or its mix as get and
// put; its queries read the index query_index names among gsis.
func newDDBOps(w *Workload, gsis []DynamoDBGSI) *ddbOps {
	shares := w.Ops.shares()
	if w.Ops == (Ops{}) {
		shares = [9]float64{}
		shares[dynamodb.GetItem], shares[dynamodb.PutItem] = w.Mix.Read, w.Mix.Write
	}
	d := &ddbOps{}
	if w.Collection.ItemsP50 > 0 || len(w.Collection.Sizes) > 0 {
		d.coll = newCollections(w.Collection, int64(w.ItemSize))
	}
	cum := 0.0
	for _, k := range ddbKindOrder {
		if shares[k] <= 0 {
			continue
		}
		cum += shares[k]
		d.cum[d.n], d.kinds[d.n] = cum, k
		d.n++
	}
	for k := range d.ops {
		o := &dynamodb.Op{Kind: dynamodb.Kind(k), Consistent: w.Consistency == "strong"}
		switch o.Kind {
		case dynamodb.Query:
			o.Items = w.QueryItems
			for i, g := range gsis {
				if g.Name == w.QueryIndex {
					o.Index = i + 1
				}
			}
		case dynamodb.BatchGetItem, dynamodb.BatchWriteItem, dynamodb.TransactGetItems, dynamodb.TransactWriteItems:
			o.Items = w.BatchItems
		}
		d.ops[k] = o
	}
	return d
}

// pick is the operation for the workload's draw u in [0, 1). The writes
// come first, so u < the write share makes a write, as under mix.
func (d *ddbOps) pick(u float64) (cluster.Op, *dynamodb.Op) {
	k := d.kinds[max(d.n-1, 0)] // if rounding leaves the sum short of 1
	for i := 0; i < d.n; i++ {
		if u < d.cum[i] {
			k = d.kinds[i]
			break
		}
	}
	o := d.ops[k]
	if k == dynamodb.BatchGetItem || k == dynamodb.BatchWriteItem {
		c := *o
		o = &c
	}
	if k.Write() {
		return cluster.Write, o
	}
	return cluster.Read, o
}

// hotKey draws whether a request goes to one of the workload's hot keys
// active now. It draws once whenever the workload has hot keys, so that
// the draws of the other keys do not depend on when hot keys are active.
func (g *generator) hotKey() (uint64, bool) {
	u := g.keys.Float64()
	now := g.k.Now()
	for _, h := range g.w.HotKeys {
		if now < sim.At(h.At.D()) || now >= sim.At(h.Until.D()) {
			continue
		}
		if u < h.Share {
			return h.Key, true
		}
		u -= h.Share
	}
	return 0, false
}

// resubmit sends again, after a backoff, the items a successful batch
// request q left unprocessed (fact 5.35), as the AWS guidance has the
// application do (fact 5.36: exponential backoff). It paces the
// resubmissions with the client's retry policy: backoff n before the
// n-th, at most MaxAttempts-1 of them, so that an item gets as many calls
// as a throttled request gets attempts. Each is a request of its own.
func (g *generator) resubmit(q *client.Request) {
	op, ok := q.Detail.(*dynamodb.Op)
	if !ok || len(op.UnprocessedKeys) == 0 || op.Resubmission+1 >= max(g.retry.MaxAttempts, 1) {
		return
	}
	next := &dynamodb.Op{Kind: op.Kind, Consistent: op.Consistent, Index: op.Index,
		Keys: append([]uint64(nil), op.UnprocessedKeys...), Resubmission: op.Resubmission + 1}
	kind := q.Op
	g.k.After(g.retry.Delay(next.Resubmission, g.resubmits), func() { g.submit(kind, next.Keys[0], 0, next) })
}
