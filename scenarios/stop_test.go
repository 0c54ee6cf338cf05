package scenarios

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"dbsim/sim"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Running a kernel in slices fires the same events at the same times in
// the same order as running it at once.
func TestSlicedRunIsTheSameRun(t *testing.T) {
	trace := func(run func(k *sim.Kernel, end sim.Time)) []int64 {
		k := sim.New(1)
		rng := rand.New(rand.NewPCG(1, 2))
		var seen []int64
		var fire func(any)
		fire = func(a any) {
			id := a.(int)
			seen = append(seen, int64(k.Now()), int64(id))
			// Gaps of whole milliseconds, zero included, so that chains
			// meet at the same instants and at the slices' ends.
			k.AfterArg(time.Duration(rng.IntN(4))*time.Millisecond, fire, (id*7+1)%1000)
		}
		for i := range 5 {
			k.AtArg(0, fire, i)
		}
		run(k, sim.At(time.Second))
		return seen
	}
	whole := trace(func(k *sim.Kernel, end sim.Time) { k.Run(end) })
	var p Progress
	sliced := trace(func(k *sim.Kernel, end sim.Time) {
		require.NoError(t, runSliced(context.Background(), k, end, 7*time.Millisecond, &p))
	})
	require.Greater(t, len(whole), 1000)
	assert.Equal(t, whole, sliced)
	assert.Equal(t, uint64(len(whole)/2), p.Events())
	assert.Equal(t, time.Second, p.Simulated())
}

// Notify is called after every slice with the progress so far, and a run
// that is watched gives the same result as one that is not.
func TestProgressNotifiesAfterEverySlice(t *testing.T) {
	s, err := LoadBundled("dynamodb-retry-storm")
	require.NoError(t, err)
	plain, err := Run(s, Options{Workers: 1})
	require.NoError(t, err)
	var seen []time.Duration
	p := Progress{Notify: func(p *Progress) { seen = append(seen, p.Simulated()) }}
	watched, err := Run(s, Options{Workers: 1, Progress: &p})
	require.NoError(t, err)
	require.Greater(t, len(seen), 1, "a run of several slices notifies several times")
	assert.IsIncreasing(t, seen)
	assert.Equal(t, time.Duration(s.Replications)*s.Duration.D(), seen[len(seen)-1])
	assert.Equal(t, plain.Replications[0].Requests, watched.Replications[0].Requests)
}

func TestCancelledRunIsInterrupted(t *testing.T) {
	s, err := LoadBundled("order-processing-rds")
	require.NoError(t, err)
	s.Replications = 4
	ctx, cancel := context.WithCancelCause(context.Background())
	var p Progress
	cause := errors.New("enough")
	go func() {
		for p.Simulated() < time.Minute {
			time.Sleep(time.Millisecond)
		}
		cancel(cause)
	}()
	start := time.Now()
	_, err = Run(s, Options{Context: ctx, Progress: &p, Workers: 2})
	var in *Interrupted
	require.ErrorAs(t, err, &in)
	assert.ErrorIs(t, err, cause)
	assert.Less(t, time.Since(start), 2*time.Second, "a run stops soon after it is cancelled")
	assert.Greater(t, in.At, time.Duration(0))
	assert.Less(t, in.At, s.Duration.D())
	assert.Equal(t, s.Duration.D(), in.Of)
	assert.Equal(t, 4, in.Replications)
	assert.Less(t, in.Finished, 4)
	assert.Regexp(t, `^interrupted at simulated \d+:\d\d of 12:00 \(\d of 4 replications finished\)$`, in.Error())
}

func TestPanicInAReplicationIsAnError(t *testing.T) {
	replicationHook = func(s *Scenario, i int) {
		if i == 1 {
			panic("injected")
		}
	}
	defer func() { replicationHook = nil }()
	s, err := LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	s.Duration = Duration(10 * time.Second)
	s.Warmup = 0
	_, err = Run(s, Options{})
	var pe *PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 1, pe.Replication)
	assert.Equal(t, "panic in rds-multi-az-failover, replication 1: injected", pe.Error())
	assert.Contains(t, string(pe.Stack), "stop_test.go")
}
