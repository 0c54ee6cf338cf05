package aurora

import (
	"fmt"
	"math"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// Serverless is Aurora Serverless v2 capacity: every instance is sized in
// Aurora capacity units (ACUs) between MinACU and MaxACU and resized in
// place as its load changes.
type Serverless struct {
	// MinACU and MaxACU bound each instance's capacity, in 0.5-ACU steps.
	// MinACU = 0 enables auto-pause.
	MinACU, MaxACU float64
	// Interval is how often capacity is re-evaluated from the CPU
	// utilisation of the last interval.
	Interval time.Duration
	// TargetUtilization is the CPU utilisation the scaler aims for:
	// desired capacity = capacity × utilisation / target.
	TargetUtilization float64
	// ScaleUpFraction and ScaleDownFraction bound one re-evaluation's
	// change to that fraction of the current capacity (at least 0.5 ACU),
	// so larger instances scale in larger steps.
	ScaleUpFraction, ScaleDownFraction float64
	// AutoPause is SecondsUntilAutoPause: with MinACU = 0, an instance group
	// that served no request for that long pauses at 0 ACU.
	AutoPause time.Duration
	// Resume is the time to resume a paused instance on the next request;
	// LongResume after a pause longer than LongPause.
	Resume, LongResume, LongPause time.Duration
	// VCPUPerACU converts capacity into vCPU-equivalents.
	VCPUPerACU float64
	// ResumeACU is the capacity an instance resumes (or starts) at when
	// MinACU is 0.
	ResumeACU float64
}

// ServerlessDefaults returns Serverless v2 with a 0.5–128 ACU range.
func ServerlessDefaults() Serverless {
	return Serverless{
		MinACU: 0.5, MaxACU: 128, // fact 4.2 (2023 docs: 0.5–128 ACU; now 0–256)
		Interval:          time.Second,       // fact 4.4 (3rd-party: "capacity re-evaluated every second"; no AWS number)
		TargetUtilization: 0.7,               // not published
		ScaleUpFraction:   0.25,              // fact 4.3: larger increments at larger capacity; fact 4.4: no AWS rate, a tunable
		ScaleDownFraction: 0.1,               // not published; scale-down is slower than scale-up
		AutoPause:         300 * time.Second, // fact 4.6: SecondsUntilAutoPause default 300 s
		Resume:            15 * time.Second,  // fact 4.7: ~15 s if paused < 24 h
		LongResume:        30 * time.Second,  // fact 4.7: ~30 s if paused > 24 h
		LongPause:         24 * time.Hour,    // fact 4.7
		VCPUPerACU:        0.25,              // fact 4.1: 1 ACU ≈ 2 GiB with matching CPU; r-class instances have 8 GiB per vCPU
		ResumeACU:         0.5,               // fact 4.2: the smallest non-zero capacity
	}
}

func (s *Serverless) validate() error {
	half := func(v float64) bool { return v >= 0 && math.Abs(v*2-math.Round(v*2)) < 1e-9 }
	switch {
	case !half(s.MinACU) || !half(s.MaxACU):
		return fmt.Errorf("aurora: serverless capacity must be in 0.5-ACU steps (fact 4.2), got %g–%g", s.MinACU, s.MaxACU)
	case s.MaxACU < math.Max(s.MinACU, 0.5):
		return fmt.Errorf("aurora: serverless max ACU %g below min %g", s.MaxACU, s.MinACU)
	case s.Interval <= 0 || s.TargetUtilization <= 0 || s.TargetUtilization > 1 || s.VCPUPerACU <= 0:
		return fmt.Errorf("aurora: serverless interval, target utilisation (0, 1] and vCPUs per ACU must be positive")
	case s.ScaleUpFraction < 0 || s.ScaleDownFraction < 0:
		return fmt.Errorf("aurora: serverless scaling fractions must not be negative")
	}
	return nil
}

// floor is the capacity an instance runs at when it is not paused.
func (s *Serverless) floor() float64 { return math.Max(s.MinACU, math.Max(s.ResumeACU, 0.5)) }

func (m *Model) initServerless() {
	now := m.k.Now()
	for _, in := range m.insts {
		m.setACU(in, m.cfg.Serverless.floor())
		in.lastActivity = now
	}
	m.k.After(m.cfg.Serverless.Interval, m.scale)
}

// setACU sizes the instance: capacity × VCPUPerACU vCPU-equivalents, served
// by ceil(that) CPU servers each slowed down to deliver exactly that.
func (m *Model) setACU(in *instance, acu float64) {
	in.acu = acu
	if acu <= 0 {
		return
	}
	eff := acu * m.cfg.Serverless.VCPUPerACU
	servers := max(int(math.Ceil(eff-1e-9)), 1)
	in.slow = float64(servers) / eff
	in.cpu.SetServers(servers)
}

// ACU is the current capacity of instance i (0 = the original writer).
func (m *Model) ACU(i int) float64 { return m.insts[i].acu }

// Paused reports whether instance i is paused.
func (m *Model) Paused(i int) bool { return m.insts[i].paused }

// scale re-evaluates every instance's capacity from its CPU utilisation
// over the last interval, then pauses idle groups.
func (m *Model) scale() {
	sv := m.cfg.Serverless
	m.k.After(sv.Interval, m.scale)
	m.scaleOne(m.writer, 0)
	for _, in := range m.insts {
		if in.role != readerRole {
			continue
		}
		var floor float64
		if in.tier <= 1 {
			floor = m.writer.acu // fact 4.5: tier 0–1 readers scale with the writer
		}
		m.scaleOne(in, floor)
	}
	if sv.MinACU > 0 || sv.AutoPause <= 0 {
		return
	}
	now := m.k.Now()
	if g := m.unit(m.writer); m.idle(g, now) && m.inHead == len(m.inflight) {
		m.pause(g)
	}
	for _, in := range m.insts {
		if in.role == readerRole && in.tier > 1 && m.idle([]*instance{in}, now) {
			m.pause([]*instance{in})
		}
	}
}

func (m *Model) scaleOne(in *instance, floor float64) {
	sv := m.cfg.Serverless
	busy := in.cpu.MeanBusy()
	in.cpu.ResetStats()
	if in.paused || !in.host.Up() || in.acu <= 0 {
		return
	}
	// CPU utilisation, at most 1: a backlog shows as a saturated CPU, not
	// as more demand, so capacity grows by at most 1/target per interval.
	util := math.Min(busy/float64(in.cpu.Servers()), 1)
	desired := in.acu * util / sv.TargetUtilization
	// Steps of 0.5 ACU (fact 4.2), rounded up: scale up as soon as the
	// target is exceeded, down only by whole steps that keep it met.
	next := in.acu
	if desired > in.acu {
		next = ceilHalf(math.Min(desired, in.acu+math.Max(0.5, sv.ScaleUpFraction*in.acu)))
	} else if desired <= in.acu-0.5 {
		next = ceilHalf(math.Max(desired, in.acu-math.Max(0.5, sv.ScaleDownFraction*in.acu)))
	}
	next = math.Min(math.Max(next, math.Max(floor, sv.floor())), sv.MaxACU)
	if next != in.acu {
		m.setACU(in, next)
	}
}

func ceilHalf(v float64) float64 { return math.Ceil(v*2-1e-9) / 2 }

// unit is the group that pauses and resumes with in: the writer and the
// tier 0–1 readers together (fact 4.6), any other reader alone.
func (m *Model) unit(in *instance) []*instance {
	if in.role == readerRole && in.tier > 1 {
		return []*instance{in}
	}
	g := []*instance{m.writer}
	for _, r := range m.insts {
		if r.role == readerRole && r.tier <= 1 {
			g = append(g, r)
		}
	}
	return g
}

// idle reports whether no instance of g served a request for AutoPause
// and none is busy. (dbsim's clients keep idle connections pooled; the
// model counts requests, as if the pool closed idle connections, where
// Aurora counts user connections.)
func (m *Model) idle(g []*instance, now sim.Time) bool {
	for _, in := range g {
		if in.paused || in.resuming || !in.host.Up() || in.cpu.Busy() > 0 || in.cpu.Queued() > 0 ||
			now.Sub(in.lastActivity) < m.cfg.Serverless.AutoPause {
			return false
		}
	}
	return true
}

// pause scales the group to 0 ACU. Its hosts stay reachable: a request
// that comes in waits while the group resumes.
func (m *Model) pause(g []*instance) {
	now := m.k.Now()
	for _, in := range g {
		in.paused = true
		in.pausedAt = now
		in.acu = 0
	}
	m.log.Markf(cluster.Paused, names(g)+" paused", "%s paused after %v without requests (0 ACU)", names(g), m.cfg.Serverless.AutoPause)
}

func names(g []*instance) string {
	s := ""
	for i, in := range g {
		if i > 0 {
			s += ", "
		}
		s += in.name
	}
	return s
}

// park holds a request that reached a paused instance and starts resuming
// its group.
func (m *Model) park(in *instance, c *cluster.Call) {
	in.parked = append(in.parked, c)
	if in.resuming {
		return
	}
	sv := m.cfg.Serverless
	g := m.unit(in)
	d := sv.Resume
	if m.k.Now().Sub(in.pausedAt) > sv.LongPause {
		d = sv.LongResume
	}
	for _, x := range g {
		if x.paused {
			x.resuming = true
		}
	}
	m.log.Addf("%s resuming on a request (%v)", names(g), d)
	m.k.After(d, func() { m.resume(g) })
}

func (m *Model) resume(g []*instance) {
	now := m.k.Now()
	for _, in := range g {
		if !in.paused || !in.resuming {
			continue
		}
		in.paused, in.resuming = false, false
		in.lastActivity, in.lastVisible = now, now
		in.cpu.ResetStats()
		m.setACU(in, m.cfg.Serverless.floor())
	}
	m.log.Markf(cluster.Resumed, names(g)+" resumed", "%s resumed at %.1f ACU", names(g), m.cfg.Serverless.floor())
	for _, in := range g {
		parked := in.parked
		in.parked = nil
		for _, c := range parked {
			if c.Host == in.host && c.Epoch == in.host.Epoch() {
				m.serve(in, c)
			}
		}
	}
}
