package cluster

import (
	"time"

	"dbsim/sim"
)

// CreditMode is what a burstable instance does once it has spent the CPU
// credits it accrued (facts 10.5, 10.6).
type CreditMode uint8

// The credit modes. The zero value is RDS's: db.t3 and db.t4g instances
// run in Unlimited mode (fact 10.7).
const (
	// Unlimited keeps full speed and spends surplus credits, which later
	// earnings pay down and which are billed per vCPU-hour when they are
	// not (fact 10.6).
	Unlimited CreditMode = iota
	// Standard holds the instance to its baseline until it has earned
	// credits again (fact 10.5).
	Standard
)

// String is the mode as a scenario writes it: "unlimited", "standard".
func (m CreditMode) String() string {
	if m == Standard {
		return "standard"
	}
	return "unlimited"
}

// CreditConfig is how a deployment's burstable instances run.
type CreditConfig struct {
	Mode CreditMode
	// Initial is each burstable host's balance when it starts (a
	// replacement host's too). RDS's T3 and T4g get no launch credits
	// (fact 10.4): 0 unless the scenario says how much an instance that
	// has run for a while has accrued. At most the class's CreditLimit.
	Initial float64
}

// ResumeCreditsPerVCPU is the balance, per vCPU, a Standard instance held
// to its baseline must earn back before it runs at full speed again. Not
// published: AWS lowers the CPU gradually as the balance runs out (fact
// 10.5) and says no more; one credit per vCPU (a minute of full speed
// above what it earns meanwhile, five minutes of idle earning on a
// db.t3.medium) keeps an instance that hovers at its baseline from
// switching every second.
const ResumeCreditsPerVCPU = 1

// CPUCredits is one burstable host's CPU credit account (facts 10.1–10.6).
// It earns the class's credits per hour while the host is up and spends
// one credit per vCPU-minute its engine's station was busy, times the
// speed it ran at. Advance, called once a second, brings it up to date; a
// Standard host whose balance is spent runs at Speed() = its baseline:
// every statement takes 1/baseline times as long, which is what a vCPU
// given only that share of its time does, so the host serves exactly its
// baseline throughput (vCPUs × baseline ÷ mean service time) and spends
// exactly what it earns while every vCPU is busy.
type CPUCredits struct {
	class   Class
	mode    CreditMode
	limit   float64 // the most earned credits it holds (fact 10.3)
	earnNS  float64 // credits earned per nanosecond
	resume  float64
	st      *sim.Station
	busy    float64       // st's busy integral at the last Advance (server·ns)
	at      sim.Time      // the last Advance
	balance float64       // accrued (earned, unspent) credits
	surplus float64       // Unlimited: surplus credits spent and not yet paid down
	spent   float64       // every credit spent since the host started, surplus ones included
	earned  float64       // every credit earned since the host started (discarded ones too)
	out     bool          // the balance is spent: held to the baseline (Standard) or on surplus (Unlimited)
	since   sim.Time      // when out last changed
	span    time.Duration // how long the state before the last change lasted
	// tick are the credits spent, earned and charged by the last Advance.
	tickSpent, tickEarned, tickCharged float64
}

// NewCPUCredits opens the account of a host of class c whose engine is
// station st, at time now; nil if the class is not burstable.
func NewCPUCredits(c Class, cfg CreditConfig, st *sim.Station, now sim.Time) *CPUCredits {
	if !c.Burstable || c.CreditsPerHour <= 0 {
		return nil
	}
	limit := c.CreditLimit()
	busy, _ := st.Integrals()
	return &CPUCredits{class: c, mode: cfg.Mode, limit: limit, earnNS: c.CreditsPerHour / float64(time.Hour),
		resume: min(ResumeCreditsPerVCPU*float64(c.VCPUs), limit), st: st, busy: busy, at: now, since: now,
		balance: min(max(cfg.Initial, 0), limit)}
}

// Speed is the share of each vCPU's time the host runs at now: 1, or its
// class's baseline while a Standard host is held to it.
func (c *CPUCredits) Speed() float64 {
	if c.out && c.mode == Standard {
		return c.class.Baseline()
	}
	return 1
}

// Balance is the accrued credit balance (CloudWatch's CPUCreditBalance).
func (c *CPUCredits) Balance() float64 { return c.balance }

// Surplus is the surplus credits spent and not yet paid down (Unlimited;
// CloudWatch's CPUSurplusCreditBalance).
func (c *CPUCredits) Surplus() float64 { return c.surplus }

// Out reports whether the balance is spent: the host is held to its
// baseline (Standard) or bursts on surplus credits (Unlimited), until it
// has earned back ResumeCreditsPerVCPU per vCPU.
func (c *CPUCredits) Out() bool { return c.out }

// Mode is the account's credit mode.
func (c *CPUCredits) Mode() CreditMode { return c.mode }

// Class is the host's class.
func (c *CPUCredits) Class() Class { return c.class }

// Advance accounts for the time since the last call: the credits earned
// (none while the host is down: a stopped instance earns nothing) and
// those spent by the station's busy vCPUs at the speed they ran at. It
// reports whether the host ran out of credits or got them back.
func (c *CPUCredits) Advance(now sim.Time, up bool) (changed bool) {
	busy, _ := c.st.Integrals()
	spent := (busy - c.busy) / float64(time.Minute) * c.Speed()
	earned := 0.0
	if up && now > c.at {
		earned = float64(now-c.at) * c.earnNS
	}
	c.busy, c.at = busy, now
	c.tickSpent, c.tickEarned, c.tickCharged = spent, earned, 0
	c.spent += spent
	c.earned += earned
	net := earned - spent
	switch {
	case net >= 0:
		pay := min(c.surplus, net) // earnings pay the surplus down first
		c.surplus -= pay
		c.balance = min(c.balance+net-pay, c.limit)
	case c.mode == Standard:
		c.balance = max(c.balance+net, 0)
	default:
		take := min(c.balance, -net)
		c.balance -= take
		c.surplus += -net - take
		if c.surplus > c.limit { // beyond 24 h of earnings: billed at once (fact 10.6)
			c.tickCharged = c.surplus - c.limit
			c.surplus = c.limit
		}
	}
	was := c.out
	switch {
	case !c.out && net < 0 && c.balance <= 0:
		c.out = true
	case c.out && c.surplus <= 0 && c.balance >= c.resume:
		c.out = false
	}
	if c.out != was {
		c.span, c.since = now.Sub(c.since), now
	}
	return c.out != was
}

// Span is how long the state that the last change ended had lasted: after
// the host gets its credits back, how long it was out of them.
func (c *CPUCredits) Span() time.Duration { return c.span }

// CreditRecord is what the CPU credit accounts of the hosts that held one
// role ("primary", "replica-1") did over a run: the role's host changes
// with failovers, the record follows the role. Times are since the start
// of the run.
type CreditRecord struct {
	Name  string // the role
	Class string
	Mode  CreditMode
	// VCPUs, EarnPerHour and Limit are the class's.
	VCPUs              int
	EarnPerHour, Limit float64
	// Start, Min and End are the accrued balance at the start, its lowest
	// and at the end.
	Start, Min, End float64
	// ExhaustedAt is when the balance first ran out (Never: it did not);
	// Exhausted the time spent out of credits: held to the baseline
	// (Standard) or bursting on surplus credits (Unlimited).
	ExhaustedAt sim.Time
	Exhausted   time.Duration
	// Surplus is the surplus credits not paid down at the end, SurplusMax
	// their most, Charged the surplus credits billed at once because they
	// passed the limit (Unlimited).
	Surplus, SurplusMax, Charged float64
	// Spent and Earned are the credits spent and earned since the start
	// of the run.
	Spent, Earned float64

	spent0, earned0 float64 // Spent and Earned when the measured window started
	last            sim.Time
	wasOut          bool
}

// NewCreditRecord starts the record of a role whose first host's account
// is a (not nil) at time now.
func NewCreditRecord(name string, a *CPUCredits, now sim.Time) *CreditRecord {
	c := a.class
	return &CreditRecord{Name: name, Class: c.Name, Mode: a.mode, VCPUs: c.VCPUs, EarnPerHour: c.CreditsPerHour,
		Limit: a.limit, Start: a.balance, Min: a.balance, End: a.balance, ExhaustedAt: Never, last: now}
}

// Observe adds the last Advance of the role's current host's account a
// (nil: no burstable host holds the role now) at time now.
func (r *CreditRecord) Observe(a *CPUCredits, now sim.Time) {
	if r.wasOut {
		r.Exhausted += now.Sub(r.last)
	}
	r.last = now
	if a == nil {
		r.wasOut = false
		return
	}
	r.Spent += a.tickSpent
	r.Earned += a.tickEarned
	r.Min = min(r.Min, a.balance)
	r.End, r.Surplus = a.balance, a.surplus
	r.SurplusMax = max(r.SurplusMax, a.surplus)
	r.Charged += a.tickCharged
	if a.out && r.ExhaustedAt == Never {
		r.ExhaustedAt = now
	}
	r.wasOut = a.out
}

// StartWindow marks the start of the measured window (the end of the
// warmup) for Window.
func (r *CreditRecord) StartWindow() { r.spent0, r.earned0 = r.Spent, r.Earned }

// Window is the credits spent and earned in the measured window: their
// difference, when positive, is the use above the baseline that Unlimited
// mode bills (fact 10.6).
func (r *CreditRecord) Window() (spent, earned float64) {
	return r.Spent - r.spent0, r.Earned - r.earned0
}

// Credited is implemented by models whose instances run on CPU credits.
type Credited interface {
	// CreditRecords are the records of the roles served by burstable
	// instances, in a fixed order; empty when there are none.
	CreditRecords() []*CreditRecord
}
