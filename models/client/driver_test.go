package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// TestValidationReplacesReadOnly: the pool holds a connection to host a,
// which then becomes read-only (a demoted writer) while the endpoint
// moves to b. Unvalidated, the next request goes to a; validated on
// borrow, the connection is found read-only (one round trip), closed, and
// the request goes to b on a new connection.
func TestValidationReplacesReadOnly(t *testing.T) {
	run := func(v Validation) *fixture {
		cfg := config()
		cfg.Validation = v
		f := newFixture(t, cfg)
		f.submitAt(0, 1) // opens a connection to a
		f.k.At(sim.At(time.Second), func() {
			f.a.ReadOnly = func() bool { return true }
			f.rec.Set(f.b)
		})
		f.submitAt(10*time.Second, 1) // the DNS answer has expired by now
		f.k.Run(sim.Forever)
		require.Len(t, f.done, 2)
		return f
	}
	none := run(NoValidation)
	assert.Equal(t, 2, none.served[none.a], "unvalidated: the read-only connection is used")
	assert.Zero(t, none.c.Invalidated())
	valid := run(OnBorrow)
	assert.Equal(t, 1, valid.served[valid.a])
	assert.Equal(t, 1, valid.served[valid.b], "validated: replaced by a connection to b")
	assert.Equal(t, int64(1), valid.c.Invalidated())
	// The check (2 ms), a new connection (3 round trips), the statement
	// (one round trip and 1 ms of service).
	assert.Equal(t, 2*time.Millisecond+9*time.Millisecond, valid.done[1].latency(valid))
}

// TestTopologyAwareSkipsDNS: the clients cache DNS for ever, so the
// endpoint never leaves the crashed host a for them; a topology-aware
// driver reads the topology after its first timeout and reconnects to the
// new writer b.
func TestTopologyAwareSkipsDNS(t *testing.T) {
	run := func(d Driver) *fixture {
		writer := (*cluster.Host)(nil)
		cfg := config()
		cfg.DNSCacheFor = -1
		cfg.Driver, cfg.TopologyRefresh = d, time.Minute
		cfg.Topology = func() *cluster.Host { return writer }
		f := newFixture(t, cfg)
		writer = f.a
		f.submitAt(0, 1)
		f.k.At(sim.At(time.Second), func() { f.a.Crash(); writer = f.b; f.rec.Set(f.b) })
		f.submitAt(2*time.Second, 1)
		f.k.Run(sim.At(time.Minute))
		require.Len(t, f.done, 2)
		return f
	}
	dns := run(DNSDriver)
	assert.Equal(t, cluster.TimedOut, dns.done[1].Status, "DNS cached for ever: every attempt goes to a")
	topo := run(TopologyAware)
	r := topo.done[1]
	assert.Equal(t, cluster.OK, r.Status)
	assert.Equal(t, 2, r.Attempts, "the first times out on a; the second goes to b")
	assert.Equal(t, 1, topo.served[topo.b])
}
