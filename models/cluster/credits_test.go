package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/sim"
)

// t3medium is a db.t3.medium's CPU: 2 vCPUs earning 24 credits an hour, a
// baseline of 20 % of each (fact 10.2).
var t3medium = Class{Name: "db.t3.medium", VCPUs: 2, MemoryGiB: 4, Burstable: true, CreditsPerHour: 24}

// creditRun advances a once a second until `until`, following its record,
// and returns the times it changed state.
func creditRun(k *sim.Kernel, a *CPUCredits, r *CreditRecord, until time.Duration) []time.Duration {
	var changes []time.Duration
	for s := time.Second; s <= until; s += time.Second {
		k.At(sim.At(s), func() {
			if a.Advance(k.Now(), true) {
				changes = append(changes, time.Duration(k.Now()))
			}
			r.Observe(a, k.Now())
		})
	}
	k.Run(sim.At(until))
	return changes
}

func TestClassCreditFigures(t *testing.T) {
	assert.Equal(t, 576.0, t3medium.CreditLimit(), "24 h of earnings (fact 10.3)")
	assert.InDelta(t, 0.2, t3medium.Baseline(), 1e-12, "24 credits ÷ 2 vCPUs ÷ 60 (fact 10.2)")
	r6g := Class{Name: "db.r6g.large", VCPUs: 2, MemoryGiB: 16}
	assert.Equal(t, 1.0, r6g.Baseline())
	assert.Nil(t, NewCPUCredits(r6g, CreditConfig{}, sim.NewStation(sim.New(1), 2), 0), "no account for a fixed-performance class")
	a := NewCPUCredits(t3medium, CreditConfig{Initial: 1000}, sim.NewStation(sim.New(1), 2), 0)
	assert.Equal(t, 576.0, a.Balance(), "an initial balance is at most the limit")
	assert.Equal(t, Unlimited, CreditConfig{}.Mode, "RDS's mode is the default (fact 10.7)")
}

func TestIdleInstanceEarnsUpToItsLimit(t *testing.T) {
	k := sim.New(1)
	a := NewCPUCredits(t3medium, CreditConfig{Mode: Standard}, sim.NewStation(k, 2), 0)
	r := NewCreditRecord("primary", a, 0)
	changes := creditRun(k, a, r, time.Hour)
	assert.InDelta(t, 24, a.Balance(), 1e-6, "24 credits an hour")
	assert.Empty(t, changes)
	k.At(sim.At(30*time.Hour), func() { a.Advance(k.Now(), true) })
	k.Run(sim.At(30 * time.Hour))
	assert.Equal(t, 576.0, a.Balance(), "earned credits past the limit are discarded (fact 10.3)")
	// A host that is down earns nothing.
	b := NewCPUCredits(t3medium, CreditConfig{}, sim.NewStation(k, 2), k.Now())
	k.At(sim.At(31*time.Hour), func() { b.Advance(k.Now(), false) })
	k.Run(sim.At(31 * time.Hour))
	assert.Zero(t, b.Balance())
}

// busyFrom keeps n of st's vCPUs busy from `from` to `to`.
func busyFrom(k *sim.Kernel, st *sim.Station, from, to time.Duration, n int) {
	hold(k, st, from, to-from, n)
}

func TestStandardHoldsToBaselineThenRecovers(t *testing.T) {
	k := sim.New(1)
	st := sim.NewStation(k, 2)
	a := NewCPUCredits(t3medium, CreditConfig{Mode: Standard, Initial: 20}, st, 0)
	r := NewCreditRecord("primary", a, 0)
	// Both vCPUs busy for 20 minutes: 2 credits a minute spent, 0.4
	// earned, so 20 credits last 12.5 minutes. Held to the baseline the
	// vCPUs spend what they earn; idle again, 2 credits (one per vCPU)
	// take 5 minutes to earn back.
	busyFrom(k, st, 0, 20*time.Minute, 2)
	changes := creditRun(k, a, r, 40*time.Minute)
	require.Len(t, changes, 2)
	assert.InDelta(t, (12*time.Minute + 30*time.Second).Seconds(), changes[0].Seconds(), 1, "out after 20 / (2 − 0.4) minutes")
	assert.InDelta(t, (25 * time.Minute).Seconds(), changes[1].Seconds(), 1, "back once 2 credits are earned")
	assert.Equal(t, Standard, a.Mode())
	assert.False(t, a.Out())
	assert.Equal(t, 1.0, a.Speed())
	assert.InDelta(t, 12.5*60, r.Exhausted.Seconds(), 2, "held from 12:30 to 25:00")
	assert.InDelta(t, 12.5*60, r.ExhaustedAt.Seconds(), 1)
	assert.Zero(t, r.Min)
	assert.Zero(t, r.SurplusMax, "Standard mode never borrows")
	// Spent: 2 a minute for 12.5 minutes, then 0.4 a minute (the
	// baseline) for 7.5; earned 0.4 a minute for 40.
	assert.InDelta(t, 25+3, r.Spent, 0.05)
	assert.InDelta(t, 16, r.Earned, 0.01)
	assert.InDelta(t, 20+16-28, r.End, 0.05)
}

func TestStandardSpeedIsTheBaseline(t *testing.T) {
	k := sim.New(1)
	st := sim.NewStation(k, 2)
	a := NewCPUCredits(t3medium, CreditConfig{Mode: Standard}, st, 0)
	busyFrom(k, st, 0, time.Minute, 1)
	k.At(sim.At(time.Second), func() { a.Advance(k.Now(), true) })
	k.Run(sim.At(time.Second))
	require.True(t, a.Out(), "no credits and one busy vCPU: out at once")
	assert.InDelta(t, 0.2, a.Speed(), 1e-12, "a vCPU gets its baseline share")
}

func TestUnlimitedBorrowsAndPaysDown(t *testing.T) {
	k := sim.New(1)
	st := sim.NewStation(k, 2)
	a := NewCPUCredits(t3medium, CreditConfig{Mode: Unlimited, Initial: 20}, st, 0)
	r := NewCreditRecord("primary", a, 0)
	// The same 20 minutes at full speed: out at 12:30, 1.6 surplus
	// credits a minute until 20:00 (12 in all), paid down at 0.4 a minute
	// (30 minutes), then 2 credits earned (5 more).
	busyFrom(k, st, 0, 20*time.Minute, 2)
	changes := creditRun(k, a, r, 70*time.Minute)
	require.Len(t, changes, 2)
	assert.InDelta(t, 12.5*60, changes[0].Seconds(), 1)
	assert.InDelta(t, 55*60, changes[1].Seconds(), 2)
	assert.InDelta(t, 12, r.SurplusMax, 0.05)
	assert.Zero(t, r.Surplus)
	assert.Zero(t, r.Charged)
	assert.InDelta(t, 40, r.Spent, 0.05, "full speed: 2 a minute for 20 minutes")
	assert.Equal(t, 1.0, a.Speed())
}

func TestUnlimitedSurplusPastTheLimitIsCharged(t *testing.T) {
	k := sim.New(1)
	st := sim.NewStation(k, 2)
	micro := Class{Name: "db.t3.micro", VCPUs: 2, MemoryGiB: 1, Burstable: true, CreditsPerHour: 12}
	a := NewCPUCredits(micro, CreditConfig{}, st, 0)
	r := NewCreditRecord("primary", a, 0)
	// 2 credits a minute spent, 0.2 earned: 1.8 a minute of surplus, past
	// the 288-credit limit after 160 minutes; what passes it is billed at
	// once (fact 10.6).
	busyFrom(k, st, 0, 4*time.Hour, 2)
	creditRun(k, a, r, 3*time.Hour)
	assert.Equal(t, 288.0, r.Surplus)
	assert.InDelta(t, 20*1.8, r.Charged, 0.1)
}

func TestCreditRecordFollowsTheRole(t *testing.T) {
	k := sim.New(1)
	a := NewCPUCredits(t3medium, CreditConfig{Initial: 5}, sim.NewStation(k, 2), 0)
	b := NewCPUCredits(t3medium, CreditConfig{Initial: 50}, sim.NewStation(k, 2), 0)
	r := NewCreditRecord("primary", a, 0)
	k.At(sim.At(time.Minute), func() {
		a.Advance(k.Now(), true)
		r.Observe(a, k.Now())
		r.StartWindow()
	})
	k.At(sim.At(2*time.Minute), func() {
		b.Advance(k.Now(), true) // b has held the role since 1:00
		r.Observe(b, k.Now())
	})
	k.Run(sim.At(2 * time.Minute))
	assert.Equal(t, 5.0, r.Start)
	assert.Equal(t, 5.0, r.Min, "the start counts")
	assert.InDelta(t, 50.8, r.End, 1e-9, "the role's host now")
	spent, earned := r.Window()
	assert.Zero(t, spent)
	assert.InDelta(t, 0.8, earned, 1e-9, "b's one tick, which covers its first two minutes")
	assert.Equal(t, Never, r.ExhaustedAt)
}
