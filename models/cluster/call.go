package cluster

import (
	"time"

	"dbsim/sim"
)

// Op is a request's operation.
type Op uint8

// Operations.
const (
	Read    Op = iota // a point read
	Write             // a write that must be durable before it is acknowledged
	Connect           // a new connection's startup: admission and authentication
)

func (o Op) String() string {
	return [...]string{"read", "write", "connect"}[o]
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
	Rejected                // the client process had too many requests in flight (client side only)
	Invalid                 // the request itself is refused (a client error such as DynamoDB's ValidationException): never retried
)

func (s Status) String() string {
	return [...]string{"ok", "reset", "refused", "throttled", "failed", "timed out", "rejected", "invalid"}[s]
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

	// Abandoned is set when the client closed the connection while the
	// call was on its way or at the host: the host runs it all the same
	// and notices the closed connection when it answers (Net.Reply).
	Abandoned bool
	// Release, when set, takes back an abandoned call once neither the
	// network nor a host holds it any more (its answer, which no one
	// awaits, is not sent; or it was lost on its way), so that its client
	// can reuse it: a retry storm abandons a call at every timeout.
	Release func(*Call)
	state   callState
}

// callState is where a call is, as the network saw it.
type callState uint8

const (
	inTransit callState = iota // on its way to the host
	lost                       // dropped by the network: the host never saw it
	atHost                     // the host is serving it
	answered                   // the host has answered (the answer may be lost)
)

// release hands an abandoned call the network is done with to its
// client (Call.Release).
func (n *Net) release(c *Call) {
	if f := c.Release; f != nil {
		f(c)
	}
}

// Lost reports whether the network dropped c on its way to its host: no
// answer will come, and neither the network nor a host holds c, so its
// client may reuse it.
func (c *Call) Lost() bool { return c.state == lost }

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
func (n *Net) Send(c *Call) { n.SendAfter(c, 0) }

// SendAfter is Send with the call leaving after d more: the round trips
// of a connection's handshake before its startup message, say.
func (n *Net) SendAfter(c *Call, d time.Duration) {
	c.state = inTransit
	if !n.T.Reachable(c.From, c.Host.AZ) || !c.Host.Up() {
		c.state = lost
		return
	}
	n.T.k.AfterArg(d+n.T.OneWay(c.From, c.Host.AZ), n.deliver, c)
}

func (n *Net) arrive(a any) {
	c := a.(*Call)
	h := c.Host
	switch {
	case !h.Up() || !n.T.Reachable(c.From, h.AZ):
		c.state = lost
		if c.Abandoned {
			n.closed(h, c.Epoch) // the client has hung up meanwhile
			n.release(c)
		}
		return
	case c.Epoch != h.Epoch():
		n.Reply(c, Reset)
	case !h.Accepting():
		n.Reply(c, Refused)
	case c.Op == Connect:
		n.admit(c)
	default:
		c.state = atHost
		h.Serve(c)
	}
}

// admit opens a connection on the host, up to its limit (a connection
// over the limit is refused, as PostgreSQL's "too many clients" and
// MySQL's "Too many connections" are). The host's Connect, when set,
// does the startup's work and answers; otherwise the answer is at once.
func (n *Net) admit(c *Call) {
	h := c.Host
	if h.MaxConns > 0 && h.conns >= h.MaxConns {
		h.refusedConns++
		n.Reply(c, Refused)
		return
	}
	h.conns++
	c.state = atHost
	if h.Connect != nil {
		h.Connect(c)
		return
	}
	n.Reply(c, OK)
}

// Reply sends the host's answer back to the client, if the network lets
// it. A call whose client has hung up is not answered: the host notices
// the closed connection now and frees it.
func (n *Net) Reply(c *Call, s Status) {
	if c.Op == Connect && s != OK && c.state == atHost {
		n.closed(c.Host, c.Epoch) // admitted, then turned away by the engine
	}
	c.Status = s
	c.state = answered
	if c.Abandoned {
		n.closed(c.Host, c.Epoch)
		n.release(c)
		return
	}
	if !n.T.Reachable(c.Host.AZ, c.From) {
		return
	}
	n.T.k.AfterArg(n.T.OneWay(c.Host.AZ, c.From), c.ReplyTo, c)
}

// Abandon is the client closing the connection c went out on before its
// answer came back (a timeout). A host serving c, or about to, finishes it
// and frees the connection when it answers; a host that has answered, or
// never got c, sees an idle connection close: it frees it when the
// client's close arrives. The client must not reuse c before its answer
// comes back, if it does, or before Release hands it back.
func (n *Net) Abandon(c *Call) {
	switch c.state {
	case inTransit, atHost:
		c.Abandoned = true
	case lost: // nothing holds it: the client may have it back
		n.Hangup(c.Host, c.Epoch, c.From)
		n.release(c)
	default:
		n.Hangup(c.Host, c.Epoch, c.From)
	}
}

// Hangup is a client closing an idle connection to h opened at epoch:
// the host frees it when the close arrives (if the network lets it
// through, or at once if it does not: the host's keepalive would notice,
// later, which dbsim does not wait for).
func (n *Net) Hangup(h *Host, epoch uint32, from AZ) {
	if epoch != h.epoch {
		return // the connection died with its epoch: nothing to close
	}
	n.T.k.After(n.T.OneWay(from, h.AZ), func() { n.closed(h, epoch) })
}

// closed frees a connection of h's epoch; connections of an older epoch
// died with it.
func (n *Net) closed(h *Host, epoch uint32) {
	if epoch == h.epoch && h.conns > 0 {
		h.conns--
	}
}
