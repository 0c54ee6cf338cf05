package cluster

import (
	"dbsim/sim"
)

// Op is a request's operation.
type Op uint8

// Operations.
const (
	Read  Op = iota // a point read
	Write           // a write that must be durable before it is acknowledged
)

func (o Op) String() string {
	if o == Write {
		return "write"
	}
	return "read"
}

// Status is a host's answer to a call.
type Status uint8

// Statuses.
const (
	OK        Status = iota // served
	Reset                   // the connection was dead: reconnect and retry
	Refused                 // the engine is not accepting (down or read-only)
	Throttled               // over capacity: retry after backoff
	Failed                  // the engine failed the request
	TimedOut                // no answer before the client's deadline (client side only)
)

func (s Status) String() string {
	return [...]string{"ok", "reset", "refused", "throttled", "failed", "timed out"}[s]
}

// Call is one attempt of a request, from the moment a client sends it over
// a connection to the moment the answer is back. The client fills the
// request fields; the model may use the scratch fields while it serves the
// call.
type Call struct {
	Op       Op
	Key      uint64
	Size     int32
	Workload int16
	// From is the client's AZ; Host and Epoch the connection's end.
	From  AZ
	Host  *Host
	Epoch uint32
	// Sent is when the client sent the call.
	Sent sim.Time
	// ReplyTo receives the answer on the client's side.
	ReplyTo func(any)
	// Status is the answer.
	Status Status
	// Owner and Seq let the client match the answer to its attempt.
	Owner any
	Seq   uint64
	// Detail carries a model's own parameters of the request, such as the
	// DynamoDB operation; nil for models that need none.
	Detail any

	// Scratch for the model while it serves the call.
	LSN   uint64
	Node  any
	Start sim.Time
	// Stale is set on a read served by a replica that had not yet applied
	// every write acknowledged before the read was sent.
	Stale bool
}

// Net carries calls between clients and hosts over a topology.
type Net struct {
	T *Topology

	deliver func(any)
}

// NewNet returns the network of topology t.
func NewNet(t *Topology) *Net {
	n := &Net{T: t}
	n.deliver = n.arrive
	return n
}

// Send carries c from its client to its host. A call that cannot get there
// (zone down, partition, machine down) is lost: the client's timeout is all
// that will happen. A call that reaches a restarted host or an engine that
// is not accepting is answered Reset or Refused.
func (n *Net) Send(c *Call) {
	if !n.T.Reachable(c.From, c.Host.AZ) || !c.Host.Up() {
		return
	}
	n.T.k.AfterArg(n.T.OneWay(c.From, c.Host.AZ), n.deliver, c)
}

func (n *Net) arrive(a any) {
	c := a.(*Call)
	h := c.Host
	switch {
	case !h.Up() || !n.T.Reachable(c.From, h.AZ):
		return
	case c.Epoch != h.Epoch():
		n.Reply(c, Reset)
	case !h.Accepting():
		n.Reply(c, Refused)
	default:
		h.Serve(c)
	}
}

// Reply sends the host's answer back to the client, if the network lets it.
func (n *Net) Reply(c *Call, s Status) {
	c.Status = s
	if !n.T.Reachable(c.Host.AZ, c.From) {
		return
	}
	n.T.k.AfterArg(n.T.OneWay(c.Host.AZ, c.From), c.ReplyTo, c)
}
