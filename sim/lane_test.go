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
