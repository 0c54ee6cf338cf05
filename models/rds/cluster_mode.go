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
// millisecond and LocalWrite is calibrated on the total.)
//
// When neither standby acknowledges. The RDS User Guide ("Multi-AZ DB
// cluster deployments", multi-az-db-clusters-concepts.html, §Multi-AZ DB
// cluster architecture,
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html)
// says only that acknowledgement from at least one reader is required for
// a change to be committed; it documents no fallback. So the model does
// what each engine's own semi-synchronous replication does:
//   - PostgreSQL (synchronous_standby_names = ANY 1, synchronous_commit
//     on) waits: a commit is not acknowledged until a standby has the
//     log, however long that takes ("the application will not receive
//     explicit acknowledgment of the successful commit of a transaction
//     until the WAL data is known to be safely received by all the
//     synchronous standbys", PostgreSQL manual §27.2.8 Synchronous
//     Replication). Writes stall while both standbys are unreachable.
//   - MySQL semi-sync reverts to asynchronous replication when no replica
//     acknowledges within rpl_semi_sync_master_timeout (MySQL reference
//     manual §19.4.10 Semisynchronous Replication; 10 s by default, RDS's
//     setting is not published: AckTimeout stands for it), and returns to
//     semi-sync when a replica has caught up. While asynchronous, the
//     writer acknowledges commits no other copy has: the narrative says
//     when that starts and ends and UnreplicatedAcks counts them.
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
// applying. Either rule chooses only among standbys that have every write
// acknowledged while replication was semi-synchronous (syncAcked): a
// standby cut off for minutes is never promoted over the acknowledged
// writes of the other. When no standby that is up has them, the failover
// waits for a copy that does: a standby coming back (its flushed log
// survives a crash), the rebooted writer of a switchover (which shut down
// cleanly with every write: it reopens as the writer once restarted), or
// the crashed writer's volume on a replacement host. The standby engine is already running, so there is no engine
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
	if m.stalled && m.waitQ.len() > 0 && m.waitQ.peek().LSN <= m.semiAcked {
		m.stalled = false
		m.log.Addf("a standby acknowledges again: the stalled commits complete")
	}
	for m.waitQ.len() > 0 && m.waitQ.peek().LSN <= m.semiAcked {
		c := m.waitQ.pop()
		if c.Node.(*node) == p && c.Epoch == p.host.Epoch() {
			m.commit(c)
		}
	}
}

// semiTimeout: the oldest waiting commit may have waited AckTimeout.
// MySQL then falls back to asynchronous replication; PostgreSQL keeps
// waiting, and the narrative says commits are stalled.
func (m *Model) semiTimeout(any) {
	if m.waitQ.len() == 0 || !m.semiSync {
		return
	}
	wait := m.k.Now().Sub(m.waitQ.peek().Start)
	if wait < m.cfg.AckTimeout {
		m.semiTimer = m.k.AfterArg(m.cfg.AckTimeout-wait, m.onSemiTimeout, nil)
		return
	}
	if isPostgres(m.cfg.Engine) {
		if !m.stalled {
			m.stalled = true
			m.log.Addf("no standby acknowledged for %v: PostgreSQL commits wait for one (synchronous_standby_names ANY 1); %d commits stalled",
				m.cfg.AckTimeout, m.waitQ.len())
		}
		return
	}
	m.semiSync = false
	m.log.Addf("no standby acknowledged for %v: MySQL semi-synchronous replication suspended (rpl_semi_sync_master_timeout), asynchronous until a standby catches up; %d waiting commits complete without it",
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

// clusterSwitchover is "reboot with failover" or a manual failover of a
// cluster, named by cause: no detection, the writer shuts down cleanly and
// a standby takes over.
func (m *Model) clusterSwitchover(cause string) {
	if m.fo != nil || !m.primary.host.Accepting() {
		return
	}
	m.fo = m.log.StartFailover(cause)
	m.log.Addf("%s of writer %s requested", cause, m.describe(m.primary))
	old := m.primary
	old.host.Restart()
	old.cpu.Clear()
	m.dropPending()
	m.rebooted = false
	fo, epoch := m.fo, old.host.Epoch()
	m.k.After(m.cfg.EngineStart, func() {
		if m.fo != fo || m.primary != old || old.host.Epoch() != epoch {
			return
		}
		m.rebooted = true // it can reopen as the writer, with every write
		if m.caughtUp != nil {
			m.caughtUp()
		}
	})
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
			m.target = nil
			m.clusterWait()
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

// clusterWait: no standby that can be promoted has every write
// acknowledged under semi-synchronous replication. A switchover's old
// writer, once restarted, reopens as the writer; otherwise the failover
// waits for a standby that has them to come back, and meanwhile RDS
// replaces the failed writer's host and re-attaches its volume, which has
// every write (whichever comes first ends the failover). caughtUp stays
// set, so that a standby's return or the writer's restart tries again.
func (m *Model) clusterWait() {
	m.caughtUp = m.clusterTryFinish
	old := m.primary
	if old.host.Up() && m.rebooted {
		m.reopenWriter()
		return
	}
	why := "a replacement host for the writer's volume"
	switch {
	case old.host.Up():
		why = fmt.Sprintf("writer %s to restart after its clean reboot", m.describe(old))
	default:
		for _, s := range m.standbys {
			if m.holdsSynced(s) {
				why = s.describe() + " to come back"
				break
			}
		}
	}
	if m.waitingFor != "" {
		return // logged, and the replacement is under way if needed
	}
	m.waitingFor = why
	m.log.Addf("no standby that is up has every acknowledged write (up to position %d): the failover waits for %s", m.syncAcked, why)
	if !old.host.Up() {
		m.replaceWriter()
	}
}

// holdsSynced reports whether cluster standby s has every write
// acknowledged under semi-synchronous replication, whether or not it is
// up.
func (m *Model) holdsSynced(s *replica) bool {
	return !s.orphan && !s.promoted && s.recv >= m.syncAcked
}

// reopenWriter ends a switchover whose standbys lack acknowledged writes:
// the old writer, restarted with every write, accepts writes again.
func (m *Model) reopenWriter() {
	n, fo := m.primary, m.fo
	now := m.k.Now()
	m.caughtUp, m.target, m.waitingFor, m.rebooted = nil, nil, "", false
	n.host.SetAccepting(true)
	fo.Promoted, fo.Accepting = now, now
	fo.LostWrites = 0
	m.fo = nil
	m.health.Reset()
	m.ship()
	m.log.Addf("writer %s reopens after its clean reboot with every acknowledged write, %v after the request: no standby that is up had them all; nothing lost",
		m.describe(n), now.Sub(fo.Start).Round(time.Millisecond))
}

// pickStandby applies the engine's rule (fact 1.14) to the standbys that
// can be promoted and have every write acknowledged under semi-synchronous
// replication: PostgreSQL promotes the standby with the lowest lag (the
// most applied), MySQL the one that received the most (so the other has
// nothing it lacks).
func (m *Model) pickStandby() *replica {
	pg := isPostgres(m.cfg.Engine)
	var best *replica
	for _, s := range m.standbys {
		if !m.candidate(s) || !m.holdsSynced(s) {
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
	m.fo, m.target, m.waitingFor, m.rebooted = nil, nil, "", false
	m.health.Reset()
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
