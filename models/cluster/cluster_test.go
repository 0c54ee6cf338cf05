package cluster

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/sim"
)

func TestRecordPropagatesGradually(t *testing.T) {
	k := sim.New(1)
	a, b := NewHost("a", 0), NewHost("b", 1)
	r := NewRecord(k, "writer", 5*time.Second, 20*time.Second, a)
	rng := rand.New(rand.NewPCG(1, 2))
	share := func() float64 {
		n := 0
		for i := 0; i < 10000; i++ {
			if r.Resolve(rng) == b {
				n++
			}
		}
		return float64(n) / 10000
	}
	k.At(sim.At(time.Minute), func() { r.Set(b) })
	k.At(sim.At(time.Minute+5*time.Second), func() {
		assert.InDelta(t, 0.25, share(), 0.02, "a quarter through propagation")
		assert.Equal(t, a, r.Resolve(nil), "without a random source the old answer holds until propagation ends")
	})
	k.At(sim.At(time.Minute+15*time.Second), func() { assert.InDelta(t, 0.75, share(), 0.02) })
	k.At(sim.At(time.Minute+20*time.Second), func() { assert.Equal(t, 1.0, share()) })
	k.Run(sim.Forever)
	assert.Equal(t, b, r.Target())
}

func TestRecordWithSeveralHostsSpreadsAnswers(t *testing.T) {
	k := sim.New(1)
	hs := []*Host{NewHost("r1", 0), NewHost("r2", 1), NewHost("r3", 2)}
	r := NewRecord(k, "reader", time.Second, 0, hs...)
	rng := rand.New(rand.NewPCG(3, 4))
	counts := map[*Host]int{}
	for i := 0; i < 3000; i++ {
		counts[r.Resolve(rng)]++
	}
	for _, h := range hs {
		assert.InDelta(t, 1000, counts[h], 100)
	}
	r.Set()
	assert.Nil(t, r.Resolve(rng), "a record with no host resolves to nothing")
}

func TestAckLogCountsExactly(t *testing.T) {
	var a AckLog
	for _, lsn := range []uint64{1, 2, 4, 3, 5, 7, 6, 8} {
		a.Ack(lsn)
	}
	assert.Equal(t, int64(8), a.Above(0))
	assert.Equal(t, int64(3), a.Above(5))
	a.Trim(4)
	assert.Equal(t, int64(4), a.Above(0), "trimmed entries are safe everywhere")
	assert.Equal(t, int64(0), a.Above(8))
	// Memory stays bounded under a steady ack-and-trim stream.
	for i := uint64(9); i < 200000; i++ {
		a.Ack(i)
		a.Trim(i - 10)
	}
	assert.Less(t, cap(a.lsns), 10000)
}

// netFixture is a client AZ 0 talking to a host in AZ 1.
type netFixture struct {
	k       *sim.Kernel
	topo    *Topology
	net     *Net
	host    *Host
	replies []Status
	at      []sim.Time
	served  int
}

func newNetFixture() *netFixture {
	k := sim.New(1)
	f := &netFixture{k: k, topo: NewTopology(k, []string{"a", "b"}, 0, 2*time.Millisecond)}
	f.net = NewNet(f.topo)
	f.host = NewHost("db", 1)
	f.host.SetAccepting(true)
	f.host.Serve = func(c *Call) { f.served++; f.net.Reply(c, OK) }
	return f
}

func (f *netFixture) send() {
	c := &Call{From: 0, Host: f.host, Epoch: f.host.Epoch(), ReplyTo: func(a any) {
		f.replies = append(f.replies, a.(*Call).Status)
		f.at = append(f.at, f.k.Now())
	}}
	f.net.Send(c)
}

func TestNetDeliversWithOneWayDelays(t *testing.T) {
	f := newNetFixture()
	f.send()
	f.k.Run(sim.Forever)
	require.Equal(t, []Status{OK}, f.replies)
	assert.Equal(t, sim.At(2*time.Millisecond), f.at[0], "one round trip")
}

func TestNetAnswersDeadConnectionsAndStoppedEngines(t *testing.T) {
	f := newNetFixture()
	epoch := f.host.Epoch()
	f.host.Restart()
	f.host.SetAccepting(true)
	c := &Call{From: 0, Host: f.host, Epoch: epoch, ReplyTo: func(a any) { f.replies = append(f.replies, a.(*Call).Status) }}
	f.net.Send(c)
	f.k.Run(sim.Forever)
	assert.Equal(t, []Status{Reset}, f.replies, "a connection from before the restart is dead")

	f.replies = nil
	f.host.SetAccepting(false)
	f.send()
	f.k.Run(sim.Forever)
	assert.Equal(t, []Status{Refused}, f.replies, "a stopped engine refuses")
}

func TestNetLosesCallsAcrossOutagesAndPartitions(t *testing.T) {
	f := newNetFixture()
	f.topo.SetCut(0, 1, true)
	f.send()
	f.k.Run(sim.Forever)
	f.topo.SetCut(0, 1, false)
	f.topo.SetDown(1, true)
	f.send()
	f.k.Run(sim.Forever)
	f.topo.SetDown(1, false)
	f.host.Crash()
	f.send()
	f.k.Run(sim.Forever)
	assert.Empty(t, f.replies, "nothing comes back: only the client's timeout can tell")
	assert.Zero(t, f.served)
}

func TestTopologyWatchersHearOutages(t *testing.T) {
	k := sim.New(1)
	topo := NewTopology(k, []string{"a", "b", "c"}, time.Millisecond, 2*time.Millisecond)
	var heard []string
	topo.WatchOutages(func(az AZ, down bool) {
		heard = append(heard, topo.Name(az))
	})
	topo.SetDown(2, true)
	topo.SetDown(2, false)
	topo.SetDown(2, false) // no outage to end: no change, no news
	assert.Equal(t, []string{"c", "c"}, heard)
	az, err := topo.Lookup("b")
	require.NoError(t, err)
	assert.Equal(t, AZ(1), az)
	_, err = topo.Lookup("z")
	assert.Error(t, err)
	assert.Equal(t, 2*time.Millisecond, topo.RTT(0, 1), "NewTopology takes round-trip times")
	assert.Equal(t, time.Millisecond, topo.RTT(1, 1))
}

// Two outages of one zone, 1:00-6:00 and 2:00-2:30: the zone is down from
// 1:00 to 6:00, and the watchers hear only those two moments.
func TestTopologyOutagesStack(t *testing.T) {
	k := sim.New(1)
	topo := NewTopology(k, []string{"a", "b", "c"}, time.Millisecond, 2*time.Millisecond)
	type news struct {
		at   sim.Time
		down bool
	}
	var heard []news
	topo.WatchOutages(func(az AZ, down bool) { heard = append(heard, news{k.Now(), down}) })
	var up []bool
	probe := func() { up = append(up, topo.Up(1)) }
	k.At(sim.At(time.Minute), func() { topo.SetDown(1, true) })
	k.At(sim.At(2*time.Minute), func() { topo.SetDown(1, true) })
	k.At(sim.At(150*time.Second), func() { topo.SetDown(1, false) })
	k.At(sim.At(6*time.Minute), func() { topo.SetDown(1, false) })
	for _, s := range []int{30, 90, 140, 160, 359, 361} {
		k.At(sim.At(time.Duration(s)*time.Second), probe)
	}
	k.Run(sim.Forever)
	assert.Equal(t, []bool{true, false, false, false, false, true}, up)
	assert.Equal(t, []news{{sim.At(time.Minute), true}, {sim.At(6 * time.Minute), false}}, heard)
	assert.Zero(t, topo.Outages(1))
}

// Two partitions between one pair of zones, the second written the other
// way round: the zones stay apart until both have healed.
func TestTopologyPartitionsStack(t *testing.T) {
	topo := NewTopology(sim.New(1), []string{"a", "b", "c"}, time.Millisecond, 2*time.Millisecond)
	topo.SetCut(0, 1, true)
	topo.SetCut(1, 0, true)
	topo.SetCut(0, 1, false)
	assert.False(t, topo.Reachable(0, 1), "one partition still lasts")
	assert.False(t, topo.Reachable(1, 0))
	assert.Equal(t, 1, topo.Partitions(1, 0))
	assert.True(t, topo.Reachable(0, 2), "other pairs are not cut")
	topo.SetCut(1, 0, false)
	assert.True(t, topo.Reachable(0, 1))
	topo.SetCut(0, 1, false) // nothing to heal
	topo.SetCut(0, 1, true)
	assert.False(t, topo.Reachable(0, 1), "an extra heal does not pre-heal the next partition")
}

func TestLogKeepsABoundedNarrative(t *testing.T) {
	l := NewLog(sim.New(1))
	l.Markf(HeatSplit, "p3 split", "partition %s split", "p3")
	assert.Equal(t, Event{Text: "partition p3 split", Mark: HeatSplit, Label: "p3 split"}, l.Events[0])
	for i := 0; i < MaxEvents+10; i++ {
		l.Addf("fault %d", i)
	}
	l.Markf(ScaleUp, "WCU 2000", "scaled")
	assert.Len(t, l.Events, MaxEvents, "the first MaxEvents lines are kept")
	assert.Equal(t, int64(12), l.Dropped, "the rest are counted, marked or not")
	for m := HeatSplit; m < numMarks; m++ {
		assert.NotEmpty(t, m.String())
	}
}

// A connection the engine admits and then turns away (its startup fails)
// does not stay counted.
func TestConnectionTurnedAwayAfterAdmissionIsFreed(t *testing.T) {
	f := newNetFixture()
	f.host.MaxConns = 1
	f.host.Connect = func(c *Call) { f.net.Reply(c, Refused) }
	c := &Call{Op: Connect, From: 0, Host: f.host, Epoch: f.host.Epoch(), ReplyTo: func(a any) { f.replies = append(f.replies, a.(*Call).Status) }}
	f.net.Send(c)
	f.k.Run(sim.Forever)
	assert.Equal(t, []Status{Refused}, f.replies)
	assert.Zero(t, f.host.Conns())
}

func TestDetectorNeedsThresholdFailuresInARow(t *testing.T) {
	d := Detector{Interval: 5 * time.Second, Threshold: 3}
	var got []bool
	for _, healthy := range []bool{false, false, true, false, false, false} {
		got = append(got, d.Check(healthy))
	}
	assert.Equal(t, []bool{false, false, false, false, false, true}, got, "a healthy check starts the count again")
	assert.Equal(t, "3 health checks failed, 5s apart", d.Why())
	d.Reset()
	assert.False(t, d.Check(false))
}
