package sim

import (
	"math"
	"time"
)

// tokenEpsilon absorbs floating-point rounding in Take: a bucket holding
// n - 1e-9 tokens is taken to hold n. Without it, a request paced exactly at
// the refill rate could be refused for the want of 1e-16 of a token.
const tokenEpsilon = 1e-9

// TokenBucket is a rate limiter that refills lazily: it stores the tokens it
// held at its last update and computes the refill from the elapsed simulated
// time when asked, so it needs no timer events. It holds at most burst tokens
// and gains rate tokens per second; it starts full.
//
// Every method takes the current time; times earlier than the last update
// are treated as the last update (the bucket never un-refills).
type TokenBucket struct {
	rate   float64 // tokens per second
	burst  float64 // capacity
	tokens float64 // tokens at time last
	last   Time
}

// NewTokenBucket returns a full bucket of capacity burst refilling at rate
// tokens per second. Negative values count as 0.
func NewTokenBucket(rate, burst float64, now Time) *TokenBucket {
	burst = max(burst, 0)
	return &TokenBucket{rate: max(rate, 0), burst: burst, tokens: burst, last: now}
}

// refill brings tokens up to now. The refill is computed from the integer
// nanoseconds elapsed as rate·elapsed/1e9 (one rounding per update, no
// accumulated per-nanosecond error).
func (b *TokenBucket) refill(now Time) {
	if now <= b.last {
		return
	}
	if b.tokens < b.burst {
		b.tokens += b.rate * float64(now-b.last) / 1e9
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
	}
	b.last = now
}

// Take removes n tokens if the bucket holds at least n (all or nothing) and
// reports whether it did.
func (b *TokenBucket) Take(now Time, n float64) bool {
	b.refill(now)
	if b.tokens+tokenEpsilon < n {
		return false
	}
	b.tokens = max(b.tokens-n, 0)
	return true
}

// Tokens is the number of tokens the bucket holds at now.
func (b *TokenBucket) Tokens(now Time) float64 {
	b.refill(now)
	return b.tokens
}

// SetRate changes the refill rate from now on (negative counts as 0); the
// tokens gained until now are credited at the old rate.
func (b *TokenBucket) SetRate(now Time, rate float64) {
	b.refill(now)
	b.rate = max(rate, 0)
}

// SetBurst changes the capacity from now on (negative counts as 0). Tokens
// above the new capacity are lost; a larger capacity does not add tokens.
func (b *TokenBucket) SetBurst(now Time, burst float64) {
	b.refill(now)
	b.burst = max(burst, 0)
	b.tokens = min(b.tokens, b.burst)
}

// Rate is the refill rate in tokens per second.
func (b *TokenBucket) Rate() float64 { return b.rate }

// Burst is the capacity.
func (b *TokenBucket) Burst() float64 { return b.burst }

// WaitFor is how long from now until the bucket holds n tokens, assuming no
// other Take: 0 if it already does, and math.MaxInt64 (about 292 years) if
// it never will (n above the burst, or a zero rate). Callers that must wait
// for tokens schedule a retry after this span.
func (b *TokenBucket) WaitFor(now Time, n float64) time.Duration {
	b.refill(now)
	missing := n - b.tokens
	if missing <= tokenEpsilon {
		return 0
	}
	if n > b.burst+tokenEpsilon || b.rate <= 0 {
		return math.MaxInt64
	}
	ns := math.Ceil(missing * 1e9 / b.rate)
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// Room is what a fluid of requests can take from the bucket between from
// and to (to ≥ from): the tokens it holds at from plus the refill over
// the span. The fluid mode asks each bucket its room, admits the least of
// them, and passes that amount with Pass.
func (b *TokenBucket) Room(from, to Time) float64 {
	b.refill(from)
	if to <= b.last {
		return b.tokens
	}
	return b.tokens + b.rate*float64(to-b.last)/1e9
}

// Pass takes amount tokens spread evenly over [from, to) (at most Room,
// to ≥ from) and brings the bucket to to: with a constant inflow and
// outflow the level moves in one direction, so the level at to is the
// level at from plus the refill less amount, within [0, burst]. It is
// Take for a rate instead of one request.
func (b *TokenBucket) Pass(from, to Time, amount float64) {
	b.refill(from)
	if to <= b.last {
		b.tokens = max(b.tokens-amount, 0)
		return
	}
	b.tokens = min(max(b.tokens+b.rate*float64(to-b.last)/1e9-amount, 0), b.burst)
	b.last = to
}
