package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// served records the order in which requests got a server.
type served struct{ order []int }

func (s *served) start(a any) { s.order = append(s.order, a.(int)) }

func TestStationImmediateAndFIFO(t *testing.T) {
	k := New(1)
	st := NewStation(k, 2)
	var got served
	for i := 1; i <= 5; i++ {
		st.Acquire(got.start, i)
	}
	assert.Equal(t, []int{1, 2}, got.order, "free servers are taken synchronously")
	assert.Equal(t, 2, st.Busy())
	assert.Equal(t, 3, st.Queued())

	st.Release()
	assert.Equal(t, []int{1, 2, 3}, got.order, "Release hands the server to the oldest waiter")
	assert.Equal(t, 2, st.Busy())
	st.Release()
	st.Release()
	assert.Equal(t, []int{1, 2, 3, 4, 5}, got.order)
	assert.Equal(t, 0, st.Queued())
	st.Release()
	st.Release()
	assert.Equal(t, 0, st.Busy())
	st.Release() // idle: harmless
	assert.Equal(t, 0, st.Busy())
	assert.Equal(t, uint64(5), st.Served())
}

func TestStationRingWrapsAndGrows(t *testing.T) {
	// Interleave arrivals and departures so the ring's head wraps, then grow
	// it while wrapped; FIFO order must survive both.
	k := New(1)
	st := NewStation(k, 1)
	var got served
	next, want := 0, []int{}
	acquire := func(n int) {
		for i := 0; i < n; i++ {
			want = append(want, next)
			st.Acquire(got.start, next)
			next++
		}
	}
	acquire(10)
	for round := 0; round < 50; round++ {
		for i := 0; i < 7; i++ {
			st.Release()
		}
		acquire(7 + round%5)
	}
	for st.Busy() > 0 {
		st.Release()
	}
	assert.Equal(t, want, got.order)
}

func TestStationGrowStartsWaiters(t *testing.T) {
	k := New(1)
	st := NewStation(k, 1)
	var got served
	for i := 0; i < 4; i++ {
		st.Acquire(got.start, i)
	}
	st.SetServers(3)
	assert.Equal(t, []int{0, 1, 2}, got.order, "growing starts the oldest waiters")
	assert.Equal(t, 3, st.Busy())
	assert.Equal(t, 1, st.Queued())
}

func TestStationArrivalDuringDispatchWaitsItsTurn(t *testing.T) {
	// A callback that acquires again must queue behind the waiters that were
	// already there, even if a server is momentarily free.
	st2 := NewStation(New(1), 1)
	var order []string
	var reenter func(any)
	reenter = func(a any) {
		order = append(order, a.(string))
		if a.(string) == "b" {
			st2.Acquire(reenter, "late")
		}
	}
	st2.Acquire(reenter, "a")
	st2.Acquire(reenter, "b")
	st2.Acquire(reenter, "c")
	st2.SetServers(3)
	assert.Equal(t, []string{"a", "b", "c"}, order, "late arrives while c waits: c goes first")
	assert.Equal(t, 1, st2.Queued())
	st2.Release()
	assert.Equal(t, []string{"a", "b", "c", "late"}, order)
}

func TestStationShrink(t *testing.T) {
	k := New(1)
	st := NewStation(k, 3)
	var got served
	for i := 0; i < 5; i++ {
		st.Acquire(got.start, i)
	}
	st.SetServers(1)
	assert.Equal(t, 3, st.Busy(), "shrinking interrupts nobody")
	st.Release()
	st.Release()
	assert.Equal(t, []int{0, 1, 2}, got.order, "no server is handed on while busy > servers")
	st.Release()
	assert.Equal(t, []int{0, 1, 2, 3}, got.order)
	assert.Equal(t, 1, st.Busy())
	assert.Equal(t, 1, st.Servers())
}

func TestStationClear(t *testing.T) {
	k := New(1)
	st := NewStation(k, 2)
	var got served
	for i := 0; i < 6; i++ {
		st.Acquire(got.start, i)
	}
	assert.Equal(t, 4, st.Clear())
	assert.Equal(t, 0, st.Busy())
	assert.Equal(t, 0, st.Queued())
	st.Acquire(got.start, 10)
	st.Acquire(got.start, 11)
	st.Acquire(got.start, 12)
	assert.Equal(t, []int{0, 1, 10, 11}, got.order, "the dropped waiters never run")
	st.Release()
	assert.Equal(t, []int{0, 1, 10, 11, 12}, got.order)
	assert.Equal(t, 0, NewStation(k, 1).Clear())
}

func TestStationTimeAverages(t *testing.T) {
	k := New(1)
	st := NewStation(k, 1)
	nop := func(any) {}
	assert.Equal(t, 0.0, st.MeanBusy())
	// busy: 1 on [0,10), 1 on [10,30), 0 on [30,40)
	// queued: 1 on [0,10), 0 afterwards
	st.Acquire(nop, nil)
	st.Acquire(nop, nil)
	k.At(10, st.Release)
	k.At(30, st.Release)
	k.Run(40)
	assert.InDelta(t, 30.0/40, st.MeanBusy(), 1e-12)
	assert.InDelta(t, 10.0/40, st.MeanQueued(), 1e-12)

	st.ResetStats()
	assert.Equal(t, 0.0, st.MeanBusy(), "no time since the reset: current value")
	st.Acquire(nop, nil)
	k.Run(50)
	assert.InDelta(t, 1.0, st.MeanBusy(), 1e-12)
	assert.InDelta(t, 0.0, st.MeanQueued(), 1e-12)
}

func TestStationSteadyStateDoesNotAllocate(t *testing.T) {
	k := New(1)
	st := NewStation(k, 2)
	nop := func(any) {}
	arg := new(int)
	for i := 0; i < 100; i++ { // grow the ring once
		st.Acquire(nop, arg)
	}
	st.Clear()
	allocs := testing.AllocsPerRun(1000, func() {
		for i := 0; i < 50; i++ {
			st.Acquire(nop, arg)
		}
		for i := 0; i < 50; i++ {
			st.Release()
		}
	})
	assert.Zero(t, allocs)
}
