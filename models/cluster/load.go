package cluster

import (
	"fmt"
	"time"

	"dbsim/models/metric"
	"dbsim/sim"
)

// SaturatedUtilization and SaturatedFor define a saturation episode: an
// engine whose CPUs are at least this busy, or whose connections are all
// taken, for at least this long (sampled once a second).
const (
	SaturatedUtilization = 0.95
	SaturatedFor         = 3 * time.Second
)

// Saturation is an episode of an engine at its limit.
type Saturation struct {
	// Name is the instance's gauge name ("primary", "replica-1", ...).
	Name string
	// Start and End bound the episode (End is Never while it lasts).
	Start, End sim.Time
	// PeakUtilization is the highest share of vCPUs busy in one sample;
	// PeakConns the most connections open; VCPUs and MaxConns the limits.
	PeakUtilization     float64
	PeakConns, MaxConns int
	VCPUs               int
}

// Load watches one database instance's engine for the runner: its CPU
// utilization, open connections and queued statements as gauges
// (metric.Utilization, Connections, Queued and MaxConnections of
// instance Name), and its
// saturation episodes in the log. The engine is looked up at each sample,
// so a role that moves to another host (a failover) keeps its series.
type Load struct {
	Name   string
	log    *Log
	engine func() (*Host, *sim.Station)

	st         *sim.Station // the station of the last sample
	busy, wait float64      // its integrals then
	at         sim.Time
	util, q    float64 // the means over the last interval
	// since is the start of the interval of the first sample of the
	// current run of saturated samples (Never: none); last is the last
	// saturated sample. Episodes are measured to the sample interval.
	since, last sim.Time
	episode     *Saturation
}

// NewLoad watches the engine that fn returns at each sample (a nil host or
// station: no engine now).
func NewLoad(log *Log, name string, fn func() (*Host, *sim.Station)) *Load {
	return &Load{Name: name, log: log, engine: fn, since: Never, at: log.k.Now()}
}

// Gauges are the instance's utilization (the share of its vCPUs busy over
// the last sample interval, 0–1), open connections (at the sample), queued
// statements (their mean over the interval) and connection limit. The utilization gauge
// must be sampled first in each round: it measures the interval, and
// follows saturation.
func (l *Load) Gauges() []Gauge {
	return []Gauge{
		{ID: metric.OfInstance(metric.Utilization, l.Name), Sample: l.sample},
		{ID: metric.OfInstance(metric.Connections, l.Name), Sample: func() float64 {
			if h, _ := l.engine(); h != nil {
				return float64(h.Conns())
			}
			return 0
		}},
		{ID: metric.OfInstance(metric.Queued, l.Name), Sample: func() float64 { return l.q }},
		{ID: metric.OfInstance(metric.MaxConnections, l.Name), Sample: func() float64 {
			if h, _ := l.engine(); h != nil {
				return float64(h.MaxConns)
			}
			return 0
		}},
	}
}

func (l *Load) sample() float64 {
	now := l.log.k.Now()
	h, st := l.engine()
	l.util, l.q = 0, 0
	if st != nil {
		busy, wait := st.Integrals()
		switch {
		case st.Servers() == 0:
		case st == l.st && now > l.at:
			dt := float64(now - l.at)
			l.util = min((busy-l.busy)/dt/float64(st.Servers()), 1)
			l.q = (wait - l.wait) / dt
		default: // no interval measured yet (the first sample, a new host): the moment
			l.util = min(float64(st.Busy())/float64(st.Servers()), 1)
			l.q = float64(st.Queued())
		}
		l.st, l.busy, l.wait = st, busy, wait
	}
	prev := l.at
	l.at = now
	l.follow(h, st, prev, now)
	return l.util
}

// follow opens, extends and closes saturation episodes from the sample at
// now, which measured the interval since prev.
func (l *Load) follow(h *Host, st *sim.Station, prev, now sim.Time) {
	conns, limit := 0, 0
	if h != nil && h.Up() {
		conns, limit = h.Conns(), h.MaxConns
	}
	full := limit > 0 && conns >= limit
	if l.util < SaturatedUtilization && !full {
		if e := l.episode; e != nil {
			e.End = l.last
			l.log.Addf("%s no longer saturated (for %s)", l.name(h), e.End.Sub(e.Start).Round(100*time.Millisecond))
			l.episode = nil
		}
		l.since = Never
		return
	}
	if l.since == Never {
		l.since = prev
	}
	l.last = now
	if e := l.episode; e != nil {
		e.PeakUtilization = max(e.PeakUtilization, l.util)
		e.PeakConns = max(e.PeakConns, conns)
		return
	}
	if now.Sub(l.since) < SaturatedFor {
		return
	}
	start := l.since
	vcpus := 0
	if st != nil {
		vcpus = st.Servers()
	}
	e := &Saturation{Name: l.Name, Start: start, End: Never, PeakUtilization: l.util, PeakConns: conns,
		MaxConns: limit, VCPUs: vcpus}
	l.episode = e
	l.log.Saturations = append(l.log.Saturations, e)
	what := fmt.Sprintf("%.0f %% of %d vCPUs", 100*l.util, vcpus)
	if vcpus == 1 {
		what = fmt.Sprintf("%.0f %% of 1 vCPU", 100*l.util)
	}
	if full {
		what += fmt.Sprintf(", all %s connections taken", thousands(limit))
	} else {
		what += fmt.Sprintf(", %s of %s connections", thousands(conns), thousands(limit))
	}
	l.log.Addf("%s saturated since %s: %s", l.name(h), start, what)
}

// name is how the narrative names the load of h: built when a line needs
// it, not at every sample.
func (l *Load) name(h *Host) string {
	if h == nil {
		return l.Name
	}
	return h.Name + " (" + l.Name + ")"
}

// thousands writes n with thousands separators, as the reports do.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
