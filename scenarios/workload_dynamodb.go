package scenarios

import (
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
