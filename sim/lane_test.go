package sim

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLaneFiresInOrderAndCancels(t *testing.T) {
	k := New(1)
	var got []int
	l := NewLane(k, 10*time.Second, func(a any) { got = append(got, a.(int)) })
	var timers []LaneTimer
	for i := 0; i < 5; i++ {
		i := i
		k.At(At(time.Duration(i)*time.Second), func() { timers = append(timers, l.Add(i)) })
	}
	k.At(At(3*time.Second), func() { assert.True(t, l.Cancel(timers[1])) })
	k.At(At(12*time.Second), func() { assert.False(t, l.Cancel(timers[1]), "already cancelled") })
	k.Run(Forever)
	assert.Equal(t, []int{0, 2, 3, 4}, got)
	assert.Equal(t, At(14*time.Second), k.Now())
	assert.False(t, l.Cancel(LaneTimer{}), "the zero timer is never live")
}

// TestLaneMatchesKernelTimers checks the lane against its naive twin: one
// kernel timer per entry.
func TestLaneMatchesKernelTimers(t *testing.T) {
	const seed = 42
	rng := rand.New(rand.NewPCG(seed, 0))
	k := New(seed)
	type rec struct {
		at  Time
		arg int
	}
	var lane, naive []rec
	l := NewLane(k, time.Second, func(a any) { lane = append(lane, rec{k.Now(), a.(int)}) })
	type pair struct {
		lt LaneTimer
		kt Timer
	}
	var live []pair
	for i := 0; i < 5000; i++ {
		i := i
		k.At(At(time.Duration(rng.Int64N(int64(20*time.Second)))), func() {
			switch {
			case len(live) > 0 && rng.IntN(3) == 0:
				j := rng.IntN(len(live))
				a, b := l.Cancel(live[j].lt), k.Cancel(live[j].kt)
				require.Equal(t, b, a, "seed %d: cancel of entry %d", seed, j)
			default:
				live = append(live, pair{l.Add(i), k.After(time.Second, func() { naive = append(naive, rec{k.Now(), i}) })})
			}
		})
	}
	k.Run(Forever)
	require.Equal(t, len(naive), len(lane), "seed %d", seed)
	assert.Equal(t, naive, lane, "seed %d", seed)
}

// TestLaneStaysSmallWhenMostAreCancelled: a lane whose entries are
// nearly all cancelled at once (connects refused within a round trip,
// under a connect timeout) fires the few that stay and keeps room for
// about one span of entries, not more.
func TestLaneStaysSmallWhenMostAreCancelled(t *testing.T) {
	k := New(1)
	var got []int
	l := NewLane(k, time.Second, func(a any) { got = append(got, a.(int)) })
	var want []int
	most := 0
	for i := 0; i < 100_000; i++ {
		i := i
		k.At(At(time.Duration(i)*time.Millisecond), func() {
			lt := l.Add(i)
			if i%1000 != 7 {
				k.After(time.Microsecond, func() { require.True(t, l.Cancel(lt)) })
			}
			most = max(most, cap(l.items))
		})
		if i%1000 == 7 {
			want = append(want, i)
		}
	}
	k.Run(Forever)
	assert.Equal(t, want, got)
	assert.LessOrEqual(t, most, 4*1000, "room for about a span (1,000 entries) of entries")
}

// TestLaneDropsCancelledFrontOnAdd: entries cancelled at the front go
// when the next is added, not when the lane next fires.
func TestLaneDropsCancelledFrontOnAdd(t *testing.T) {
	k := New(1)
	fired := 0
	l := NewLane(k, time.Second, func(any) { fired++ })
	k.At(At(time.Millisecond), func() {
		for i := 0; i < 10_000; i++ {
			require.True(t, l.Cancel(l.Add(i)))
		}
		l.Add(-1)
		assert.Equal(t, 1, l.Len())
		assert.LessOrEqual(t, cap(l.items), 64)
	})
	k.Run(Forever)
	assert.Equal(t, 1, fired)
}
