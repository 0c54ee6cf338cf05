package aurora

import "dbsim/models/cluster"

// The failures operators trigger: a manual failover ("aws rds
// failover-db-cluster") and an engine crash that restarts in place.

// ManualFailover is "aws rds failover-db-cluster": the writer is demoted
// cleanly (it stops accepting at once and restarts as a reader) and the
// replica a failover would choose (promotion tier, then size, fact 3.22)
// is promoted after the control plane's Promotion work, with no health
// checks to wait for. It does nothing without a healthy replica, during a
// failover, or while the writer does not accept.
func (m *Model) ManualFailover() {
	w, t := m.writer, m.target()
	if m.fo != nil || !w.host.Accepting() {
		return
	}
	if t == nil {
		m.log.Addf("failover requested, but no replica can take over: nothing happens")
		return
	}
	m.fo = m.log.StartFailover("failover requested (failover-db-cluster)")
	m.fo.Detected = m.k.Now()
	m.log.Addf("failover requested: %s stops accepting; promoting %s (tier %d, %s)", m.describe(w), m.describe(t), t.tier, m.size(t))
	w.host.SetAccepting(false) // its connections close; it restarts as a reader on promotion
	w.cpu.Clear()
	m.demoted = w
	m.abandon()
	m.armCheck()
	m.k.After(m.cfg.Promotion, func() { m.promote(t) })
}

// CrashEngine crashes the writer's database process, which restarts in
// place without a failover: its connections die, the cluster endpoint
// does not move, and it accepts again after the engine start and the
// opening of the volume, with no redo to replay: the storage applies it
// (facts 3.15, 3.16). It does nothing during a failover or while the
// writer does not accept.
func (m *Model) CrashEngine() {
	w := m.writer
	if m.fo != nil || !w.host.Accepting() {
		return
	}
	m.fo = m.log.StartFailover(cluster.EngineCrash)
	m.fo.Detected, m.fo.Promoted = m.k.Now(), m.k.Now() // it restarts itself, on the same host
	m.log.Addf("the engine of writer %s crashed; it restarts in place (no redo to replay)", m.describe(w))
	w.host.Restart()
	w.cpu.Clear()
	w.resetApply()
	w.parked = nil
	m.abandon()
	m.armCheck()
	m.recover(w)
}
