package rds

import (
	"fmt"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// The Multi-AZ DB cluster deployment (facts 1.12–1.17): a writer and two
// readable standbys in three AZs, replicating with the engine's own log
// (MySQL binlog, PostgreSQL WAL).
//
// Commit: the writer executes the write and makes it durable on its local
// NVMe storage (LocalWrite, fact 1.15), ships the log to both standbys at
// once, and acknowledges the commit when the first standby acknowledges
// receipt — semi-synchronous, one of two, receipt and not apply (fact
// 1.13). A standby acknowledges after writing what it received to its own
// NVMe (StandbyFlush; one flush covers everything received meanwhile, a
// group commit). So commit latency is the writer's local write plus the
// faster standby's round trip and flush. (Fact 1.13's one-line mechanism
// says max(local flush, fastest ack); here the log is shipped once it is
// durable locally, as MySQL's after-sync semi-sync and PostgreSQL's WAL
// sender do, so the two add. The difference is a fraction of a
// millisecond and LocalWrite is calibrated on the total.) If no standby
// acknowledges within AckTimeout the writer stops waiting (the commits
// complete without a standby) until a standby is reachable again.
//
// The standbys apply what they receive asynchronously, with the same apply
// queue as read replicas (replicas.go), and serve reads on the reader
// endpoint.
//
// Failover: detection as for an instance, then ClusterPromotion of control
// plane work, and the new writer opens only when the standbys have applied
// the failed writer's outstanding log (fact 1.14): PostgreSQL promotes the
// standby with the lowest lag and waits for it alone; MySQL promotes the
// standby that received the most and waits until both have finished
// applying. The standby engine is already running, so there is no engine
// start or crash recovery: with little lag the failover takes detection +
// ClusterPromotion, 20–25 s by default ("typically < 35 s", fact 1.14);
// with an apply backlog it takes as long as the backlog. The old writer
// takes the promoted standby's place once it is back (rewound to the new
// writer's log).
//
// Not modelled: flow control (fact 1.17: the writer is throttled when a
// standby's lag exceeds 120 s), so a standby's lag, and with it the
// failover time, can grow without bound here.

// clusterCommit is a write executed on the cluster's writer: durable
// locally and shipped to the standbys, it commits when one acknowledges.
func (m *Model) clusterCommit(c *cluster.Call) {
	m.makeDurable(c.LSN)
	if !m.semiSync {
		m.commit(c)
		return
	}
	c.Start = m.k.Now()
	m.waitQ.push(c)
	if !m.k.Scheduled(m.semiTimer) {
		m.semiTimer = m.k.AfterArg(m.cfg.AckTimeout, m.onSemiTimeout, nil)
	}
}

// startFlush writes what a standby has received to its disk; it
// acknowledges when done.
func (m *Model) startFlush(r *replica) {
	r.flushing = true
	r.flushEnd = r.recv
	r.flushGen = r.gen
	m.k.AfterArg(sim.Seconds(m.cfg.StandbyFlush.Sample(r.rng)), m.onFlushed, r)
}

func (m *Model) flushed(a any) {
	r := a.(*replica)
	r.flushing = false
	if r.flushGen == r.gen && r.flushEnd > r.flushed {
		r.flushed = r.flushEnd
		p := m.primary.host
		if r.ackLink != nil && r.receiving && p.Accepting() && m.topo.Reachable(r.n.host.AZ, p.AZ) {
			r.ackLink.send(r.flushed)
		}
	}
	if r.receiving && r.recv > r.flushed {
		m.startFlush(r)
	}
}

// semiAck: a standby's acknowledgement of the log up to end reached the
// writer; the commits it covers complete.
func (m *Model) semiAck(end uint64) {
	if end > m.semiAcked {
		m.semiAcked = end
	}
	p := m.primary
	for m.waitQ.len() > 0 && m.waitQ.peek().LSN <= m.semiAcked {
		c := m.waitQ.pop()
		if c.Node.(*node) == p && c.Epoch == p.host.Epoch() {
			m.commit(c)
		}
	}
}

// semiTimeout: the oldest waiting commit may have waited AckTimeout.
func (m *Model) semiTimeout(any) {
	if m.waitQ.len() == 0 || !m.semiSync {
		return
	}
	wait := m.k.Now().Sub(m.waitQ.peek().Start)
	if wait < m.cfg.AckTimeout {
		m.semiTimer = m.k.AfterArg(m.cfg.AckTimeout-wait, m.onSemiTimeout, nil)
		return
	}
	m.semiSync = false
	m.log.Addf("no standby acknowledged for %v: semi-synchronous replication suspended, %d waiting commits complete without it",
		m.cfg.AckTimeout, m.waitQ.len())
	p := m.primary
	for m.waitQ.len() > 0 {
		c := m.waitQ.pop()
		if c.Node.(*node) == p && c.Epoch == p.host.Epoch() {
			m.commit(c)
		}
	}
}

// failStandby crashes cluster standby j (0 or 1).
func (m *Model) failStandby(j int) {
	if !m.clusterMode || j < 0 || j >= len(m.standbys) {
		return
	}
	m.failReplica(m.standbys[j])
}

// clusterSwitchover is "reboot with failover" of a cluster: no detection,
// the writer shuts down cleanly and a standby takes over.
func (m *Model) clusterSwitchover() {
	if m.fo != nil || !m.primary.host.Accepting() {
		return
	}
	m.fo = m.log.StartFailover("reboot with failover")
	m.log.Addf("reboot with failover of writer %s requested", m.describe(m.primary))
	old := m.primary
	old.host.Restart()
	old.cpu.Clear()
	m.dropPending()
	m.detected("failover requested by the user")
}

// clusterPromote runs ClusterPromotion after detection: choose a standby
// and wait for the apply backlog.
func (m *Model) clusterPromote() {
	m.target = nil
	m.caughtUp = m.clusterTryFinish
	m.clusterTryFinish()
}

// clusterTryFinish completes the failover when the engine's rule about
// applied backlog is met.
func (m *Model) clusterTryFinish() {
	if m.fo == nil {
		m.caughtUp = nil
		return
	}
	t := m.target
	if t == nil || !t.n.host.Accepting() {
		t = m.pickStandby()
		if t == nil {
			m.caughtUp, m.target = nil, nil
			m.replaceWriter()
			return
		}
		m.target = t
		rule := "MySQL: the standby that received the most; both standbys must finish applying"
		if isPostgres(m.cfg.Engine) {
			rule = "PostgreSQL: the standby with the lowest lag, which must finish applying"
		}
		m.log.Addf("promoting %s (%s); %d writes to apply", t.describe(), rule, t.recv-t.applied)
	}
	mysql := !isPostgres(m.cfg.Engine)
	for _, s := range m.standbys {
		if (s == t || mysql && m.candidate(s)) && s.applied < s.recv {
			return // caughtUp calls again
		}
	}
	m.caughtUp = nil
	m.clusterFinish(t)
}

// candidate reports whether a cluster standby can be promoted.
func (m *Model) candidate(s *replica) bool {
	return !s.orphan && !s.promoted && s.n.host.Accepting() && !s.resync
}

// pickStandby applies the engine's rule (fact 1.14): PostgreSQL promotes
// the standby with the lowest lag (the most applied), MySQL the one that
// received the most (so the other has nothing it lacks).
func (m *Model) pickStandby() *replica {
	pg := isPostgres(m.cfg.Engine)
	var best *replica
	for _, s := range m.standbys {
		if !m.candidate(s) {
			continue
		}
		switch {
		case best == nil:
			best = s
		case pg && (s.applied > best.applied || s.applied == best.applied && s.recv > best.recv):
			best = s
		case !pg && (s.recv > best.recv || s.recv == best.recv && s.applied > best.applied):
			best = s
		}
	}
	return best
}

// clusterFinish makes standby t the writer.
func (m *Model) clusterFinish(t *replica) {
	now := m.k.Now()
	fo := m.fo
	b := t.recv
	fo.Promoted = now
	fo.LostWrites = m.acks.Above(b)
	old := m.primary

	// The old writer takes t's slot, rewound to the new writer's log.
	rc := t.cfg
	rc.AZ = old.host.AZ
	nr := m.newReplica(t.name, -1, rc, true, old)
	nr.slot = t.slot
	p := min(old.lsn, b)
	nr.sent, nr.recv, nr.dispatched, nr.applied, nr.flushed = p, p, p, p, p
	m.standbys[t.slot] = nr

	t.promoted = true
	n := t.n
	n.rep = nil
	n.lsn = b
	m.primary = n
	m.setReaders()
	m.rebase(b)
	m.semiSync = true
	m.writer.Set(n.host)
	m.updateReader()
	fo.Accepting = now
	m.fo, m.target = nil, nil
	m.failedChecks = 0
	m.log.Addf("%s is the writer, %v after the failure, with its backlog applied; cluster endpoint DNS record points to it; %d acknowledged writes lost",
		t.describe(), now.Sub(fo.Start).Round(time.Millisecond), fo.LostWrites)

	if old.host.Up() {
		// A switchover: the old writer restarts as a standby.
		gen := nr.gen
		m.k.After(m.cfg.EngineStart, func() {
			if nr.gen != gen || !old.host.Up() || nr.orphan {
				return
			}
			old.host.SetAccepting(true)
			nr.receiving = true
			m.attach(nr)
			m.ship()
			m.updateReader()
			m.log.Addf("old writer %s restarted as %s", m.describe(old), nr.name)
		})
	} else {
		nr.failed = true
		m.k.After(m.cfg.ReplaceInstance, func() { m.replacedReplica(nr) })
	}
	m.ship()
}

// String describes the deployment, e.g. for a narrative header.
func (m *Model) String() string {
	switch {
	case m.cfg.Cluster:
		return fmt.Sprintf("RDS %s Multi-AZ DB cluster (%s), %d read replicas", m.cfg.Engine, m.cfg.Class.Name, len(m.replicas))
	case m.cfg.MultiAZ:
		return fmt.Sprintf("RDS %s Multi-AZ instance (%s), %d read replicas", m.cfg.Engine, m.cfg.Class.Name, len(m.replicas))
	}
	return fmt.Sprintf("RDS %s single-AZ instance (%s), %d read replicas", m.cfg.Engine, m.cfg.Class.Name, len(m.replicas))
}
