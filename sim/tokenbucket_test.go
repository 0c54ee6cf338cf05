package sim

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTokenBucketRefill(t *testing.T) {
	ms := func(n int) Time { return At(time.Duration(n) * time.Millisecond) }
	b := NewTokenBucket(100, 10, 0) // 100 tokens/s = one per 10ms
	assert.Equal(t, 10.0, b.Tokens(0), "starts full")
	assert.True(t, b.Take(0, 10))
	assert.False(t, b.Take(0, 1))
	assert.Equal(t, 0.0, b.Tokens(0))

	assert.InDelta(t, 0.5, b.Tokens(ms(5)), 1e-12)
	assert.False(t, b.Take(ms(5), 1), "all or nothing")
	assert.InDelta(t, 0.5, b.Tokens(ms(5)), 1e-12, "a refused Take takes nothing")
	assert.True(t, b.Take(ms(10), 1))
	assert.InDelta(t, 0.0, b.Tokens(ms(10)), 1e-12)

	assert.Equal(t, 10.0, b.Tokens(ms(10_000)), "capped at burst")
	assert.Equal(t, 10.0, b.Tokens(ms(5)), "an earlier time neither refills nor drains")
}

func TestTokenBucketNoDrift(t *testing.T) {
	// A client taking one token exactly every 1/rate seconds from a bucket of
	// one token is never refused, however long it runs: rounding in rate·ns/1e9
	// must not starve it (rates whose period is a whole number of ns).
	for _, rate := range []float64{1000, 8, 0.1, 40_000, 1e6} {
		b := NewTokenBucket(rate, 1, 0)
		period := Time(1e9 / rate)
		for i := 0; i <= 100_000; i++ {
			now := Time(i) * period
			if !assert.True(t, b.Take(now, 1), "rate %g: take %d at %d refused (%.17g tokens)", rate, i, now, b.Tokens(now)) {
				break
			}
		}
	}
	// Periods that are not whole ns: the takes land on ceil(i·period), and
	// the tokens left match the closed form burst - takes + rate·elapsed.
	for _, rate := range []float64{3, 7, 12345, 333.3} {
		b := NewTokenBucket(rate, 5, 0)
		b.Take(0, 4)
		period := 1e9 / rate
		const takes = 100_000
		var now Time
		for i := 1; i <= takes; i++ {
			now = Time(math.Ceil(float64(i) * period))
			if !assert.True(t, b.Take(now, 1), "rate %g: take %d at %d refused", rate, i, now) {
				break
			}
		}
		want := 1 - takes + rate*float64(now)/1e9
		assert.InDelta(t, want, b.Tokens(now), 1e-6, "rate %g", rate)
	}
	// Many tiny refills add up to the same as one big one.
	b1, b2 := NewTokenBucket(333.3, 1e9, 0), NewTokenBucket(333.3, 1e9, 0)
	b1.Take(0, 1e9)
	b2.Take(0, 1e9)
	for ns := Time(1); ns <= 1_000_000; ns++ {
		b1.Tokens(ns * 1000)
	}
	assert.InEpsilon(t, b2.Tokens(1e9), b1.Tokens(1e9), 1e-9)
	assert.InDelta(t, 333.3, b2.Tokens(1e9), 1e-9)
}

func TestTokenBucketSetRateAndBurst(t *testing.T) {
	b := NewTokenBucket(10, 100, 0)
	b.Take(0, 100)
	b.SetRate(At(time.Second), 20) // 10 tokens earned at the old rate
	assert.Equal(t, 20.0, b.Rate())
	assert.InDelta(t, 30, b.Tokens(At(2*time.Second)), 1e-9)

	b.SetBurst(At(2*time.Second), 5)
	assert.Equal(t, 5.0, b.Tokens(At(2*time.Second)), "tokens clamped to the new burst")
	assert.Equal(t, 5.0, b.Burst())
	b.SetBurst(At(2*time.Second), 50)
	assert.Equal(t, 5.0, b.Tokens(At(2*time.Second)), "a larger burst adds no tokens")

	b.SetRate(At(2*time.Second), 0)
	assert.Equal(t, 5.0, b.Tokens(At(time.Hour)))
	assert.Equal(t, time.Duration(math.MaxInt64), b.WaitFor(At(time.Hour), 6))
}

func TestTokenBucketWaitFor(t *testing.T) {
	b := NewTokenBucket(3, 2, 0)
	b.Take(0, 2)
	assert.Equal(t, time.Duration(0), b.WaitFor(0, 0))
	w := b.WaitFor(0, 1)
	assert.Equal(t, time.Duration(333_333_334), w)
	assert.Less(t, b.Tokens(At(w-2)), 1.0)
	assert.True(t, b.Take(At(w), 1), "waiting WaitFor is enough")
	assert.Equal(t, time.Duration(math.MaxInt64), b.WaitFor(At(w), 3), "above the burst: never")
}

func TestTokenBucketTakeDoesNotAllocate(t *testing.T) {
	b := NewTokenBucket(1e6, 10, 0)
	var now Time
	assert.Zero(t, testing.AllocsPerRun(1000, func() {
		now += 100
		b.Take(now, 1)
	}))
}

// A fluid of demand d over a span: admitted = min(d·s, tokens + rate·s),
// and the level at the end is what a bucket drained and refilled at
// constant rates holds (drains to zero, or fills to its burst).
func TestTokenBucketRoomPass(t *testing.T) {
	b := NewTokenBucket(100, 300, 0) // full: 300 tokens
	from, to := At(0), At(time.Second)
	assert.InDelta(t, 400, b.Room(from, to), 1e-9)
	b.Pass(from, to, 250) // 250/s against 100/s: the level falls by 150
	assert.InDelta(t, 150, b.Tokens(to), 1e-9)
	from, to = to, At(3*time.Second)
	assert.InDelta(t, 350, b.Room(from, to), 1e-9)
	b.Pass(from, to, 350) // all it has: empty
	assert.InDelta(t, 0, b.Tokens(to), 1e-9)
	from, to = to, At(10*time.Second)
	b.Pass(from, to, 100) // 14.3/s: refills to the burst, no more
	assert.InDelta(t, 300, b.Tokens(to), 1e-9)
}
