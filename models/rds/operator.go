package rds

import "dbsim/models/cluster"

// The failures operators trigger, besides a reboot with failover
// (RebootWithFailover): a manual failover of a Multi-AZ DB cluster, and an
// engine crash that restarts in place.

// ManualFailover is "aws rds failover-db-cluster" on a Multi-AZ DB
// cluster: the writer is demoted cleanly (it restarts, with every
// write) and a standby is promoted once it has applied its backlog (fact
// 1.14), with no health checks to wait for. The old writer comes back as
// a standby. It does nothing on other deployments, during a failover, or
// while the writer does not accept.
func (m *Model) ManualFailover() {
	if m.clusterMode {
		m.clusterSwitchover("failover requested (failover-db-cluster)")
	}
}

// CrashEngine crashes the primary's database process, which restarts in
// place without a failover: its connections die, nothing moves (no
// promotion, no DNS change), and it accepts again after the engine start
// and the crash recovery of the redo written since the last checkpoint,
// the same recovery a Multi-AZ failover runs (fact 1.4). It does nothing
// during a failover or while the primary does not accept.
func (m *Model) CrashEngine() {
	n := m.primary
	if m.fo != nil || !n.host.Accepting() {
		return
	}
	m.fo = m.log.StartFailover(cluster.EngineCrash)
	m.fo.Detected, m.fo.Promoted = m.k.Now(), m.k.Now() // it restarts itself, on the same host
	m.log.Addf("the engine of primary %s crashed; it restarts in place and runs crash recovery", m.describe(n))
	n.host.Restart()
	n.cpu.Clear()
	m.dropPending()
	m.recover(n)
}
