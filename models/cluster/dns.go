package cluster

import (
	"math/rand/v2"
	"time"

	"dbsim/sim"
)

// Record is a DNS name pointing at one host, such as an RDS instance or
// cluster endpoint, or at several, such as Aurora's reader endpoint, which
// answers one of them at random per lookup. A change takes Propagation to
// reach every resolver; meanwhile lookups see the old or the new answer,
// the new one more often as the change spreads (the "flapping" reported in
// fact 1.6).
type Record struct {
	Name        string
	TTL         time.Duration
	Propagation time.Duration

	k         *sim.Kernel
	cur, prev []*Host
	changed   sim.Time
}

// NewRecord returns a record pointing at the given hosts.
func NewRecord(k *sim.Kernel, name string, ttl, propagation time.Duration, hosts ...*Host) *Record {
	h := append([]*Host(nil), hosts...)
	return &Record{Name: name, TTL: ttl, Propagation: propagation, k: k, cur: h, prev: h}
}

// Target is the authoritative answer's first host: for a single-host
// record, the host it points at now.
func (r *Record) Target() *Host {
	if len(r.cur) == 0 {
		return nil
	}
	return r.cur[0]
}

// Targets is the authoritative answer: every host the record points at.
func (r *Record) Targets() []*Host { return r.cur }

// Set points the record at the given hosts from now on.
func (r *Record) Set(hosts ...*Host) {
	if same(hosts, r.cur) {
		return
	}
	if r.k.Now().Sub(r.changed) >= r.Propagation {
		r.prev = r.cur
	}
	r.cur, r.changed = append([]*Host(nil), hosts...), r.k.Now()
}

// Resolve is what a resolver answers now (nil for a record with no host).
// During propagation the answer is the new one with probability (time since
// the change)/Propagation, drawn from rng (nil rng: the old answer until
// propagation ends). Among several hosts one is picked at random.
func (r *Record) Resolve(rng *rand.Rand) *Host {
	hosts := r.cur
	if since := r.k.Now().Sub(r.changed); since < r.Propagation {
		if rng == nil || rng.Float64()*float64(r.Propagation) >= float64(since) {
			hosts = r.prev
		}
	}
	switch len(hosts) {
	case 0:
		return nil
	case 1:
		return hosts[0]
	}
	if rng == nil {
		return hosts[0]
	}
	return hosts[rng.IntN(len(hosts))]
}

func same(a, b []*Host) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
