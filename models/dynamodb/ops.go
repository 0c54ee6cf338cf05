package dynamodb

// Kind is a DynamoDB API operation.
type Kind uint8

// Operations.
const (
	GetItem            Kind = iota // read one item
	PutItem                        // write one item
	UpdateItem                     // write one item (priced on the item's size)
	DeleteItem                     // delete one item (priced on the deleted item's size)
	Query                          // read an item collection: the items under one partition key
	BatchGetItem                   // read up to 100 items, each priced alone
	BatchWriteItem                 // put or delete up to 25 items, each priced alone
	TransactGetItems               // read up to 100 items atomically, at twice the price
	TransactWriteItems             // write up to 100 items atomically, at twice the price
)

var kindNames = [...]string{"get", "put", "update", "delete", "query", "batch-get", "batch-write", "transact-get", "transact-write"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind maps a scenario's operation name ("get", "put", "update",
// "delete", "query", "batch-get", "batch-write", "transact-get",
// "transact-write") to its Kind.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return 0, false
}

// Write reports whether the operation writes.
func (k Kind) Write() bool {
	switch k {
	case PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems:
		return true
	}
	return false
}

// multi reports whether the operation carries several items.
func (k Kind) multi() bool {
	switch k {
	case BatchGetItem, BatchWriteItem, TransactGetItems, TransactWriteItems:
		return true
	}
	return false
}

// Op is a request's DynamoDB operation. The workload sets it as the
// client request's Detail (client.Request.Detail = *Op); a request
// without one is a GetItem (cluster.Read) or a PutItem (cluster.Write) of
// the call's key and size, with Config.ConsistentReads. An Op without
// per-request state (all but batches, see Unprocessed) may be shared by
// every request of a workload, so that requests allocate nothing.
type Op struct {
	Kind Kind
	// Consistent asks for a strongly consistent read (GetItem, Query,
	// BatchGetItem). Reads are eventually consistent otherwise, as the SDKs
	// default; transactional reads are priced as such whatever this says.
	Consistent bool
	// Items is, for a Query, the number of items it returns from the
	// key's item collection (the collection's size sets the price), and
	// for batches and transactions the number of items. 0 counts as 1.
	Items int
	// Keys are the items' partition keys for batches and transactions;
	// when nil, item i has key Key+i (consecutive keys, which the hash
	// spreads over the partitions).
	Keys []uint64
	// CollectionBytes, when positive, is the size of the request key's
	// item collection when the run began (single-table design: a user's
	// profile and all their orders). A Query then reads the whole
	// collection, priced by these bytes (one 1 MB page at most, fact 5.5)
	// instead of Items; a PutItem adds an item to it, and on a table with
	// local secondary indexes is refused when it would take the
	// collection, with what the run's puts added, past
	// Limits.CollectionBytes (fact 5.42). What the puts add is kept in a
	// fixed-size sketch, exact enough for a 10 GB limit but not for
	// collections of a few kilobytes, so a Query's price leaves it out.
	CollectionBytes int64
	// Index is the table a Query reads: 0 the base table, i the global
	// secondary index Config.GSIs[i-1] (eventually consistent only).
	Index int
	// Unprocessed is set by the model on a batch it answers OK: the
	// number of items it could not process for want of capacity
	// (UnprocessedItems / UnprocessedKeys, fact 5.35), which the
	// application resubmits. Give each batch request its own Op.
	Unprocessed int
	// UnprocessedKeys are those items' keys, for the application to
	// resubmit them; Resubmission counts how many times the application
	// has resubmitted the batch's items (0: the first call).
	UnprocessedKeys []uint64
	Resubmission    int
}

func (o *Op) items() int {
	n := max(o.Items, 1)
	if o.Keys != nil {
		n = len(o.Keys)
	}
	switch o.Kind {
	case BatchGetItem:
		n = min(n, MaxBatchGet)
	case BatchWriteItem:
		n = min(n, MaxBatchWrite)
	case TransactGetItems, TransactWriteItems:
		n = min(n, MaxTransactItems)
	}
	return n
}

func (o *Op) key(base uint64, i int) uint64 {
	if o.Keys != nil {
		return o.Keys[i]
	}
	return base + uint64(i)
}

// consistency is the read price class of the operation.
func (o *Op) consistency() Consistency {
	switch {
	case o.Kind == TransactGetItems:
		return Transactional
	case o.Consistent && o.Index == 0:
		return Strong
	}
	return Eventual
}
