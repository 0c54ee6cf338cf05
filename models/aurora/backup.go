package aurora

import (
	"dbsim/models/cluster"
	"dbsim/sim"
	"fmt"
)

// Automated backups (Config.Backup). Aurora backs the cluster volume up
// continuously (fact 11.7): there is no daily snapshot to suspend I/O, and a
// point-in-time restore replays no log from a snapshot. It restores a new
// cluster, whose volume the storage nodes download from S3 before the
// cluster is available (no lazy loading afterwards, fact 11.4), with a
// writer; so its duration is the provisioning, whatever the time since the
// last snapshot or the write rate. As on RDS, the application carries on
// with the damaged cluster meanwhile, and its writes after the restore
// point are the recovery's lost writes; the restored cluster has no
// replicas, so a data loss needs a cluster without them (the scenario
// loader checks).

// RestorePoint tells the model that a restore will go back to t, a moment
// not yet passed, so that the count of writes acknowledged by then is kept.
func (m *Model) RestorePoint(t sim.Time) {
	if m.archive == nil {
		return
	}
	m.k.At(t, func() { m.archive.Remember(t) })
}

// DataLoss is the application deleting data now: the operator restores
// the cluster to the moment to (given to RestorePoint before it passed) as
// a new cluster and moves the application to it when it is available.
func (m *Model) DataLoss(to sim.Time) {
	if m.archive == nil || m.restoring != nil {
		return
	}
	f, ready := m.archive.StartRestore(m.log, to, fmt.Sprintf("restores the cluster to %s as a new cluster", to))
	m.restoring = f
	m.k.At(ready, func() {
		m.log.Addf("Aurora creates the restored cluster from its continuous backup: volume and writer (%v), no log to replay, no lazy loading", m.cfg.Backup.Provision)
		m.k.After(m.cfg.Backup.Provision, func() {
			m.k.After(m.cfg.EngineStart, func() { m.cutOver(f, to) })
		})
	})
}

// cutOver moves the application to the restored cluster: the damaged
// writer stops and the restored writer takes the cluster endpoint.
func (m *Model) cutOver(f *cluster.Failover, to sim.Time) {
	if m.fo != nil {
		// The damaged cluster is failing over: the operator waits for
		// its end before moving the application.
		m.k.After(m.cfg.DetectionInterval, func() { m.cutOver(f, to) })
		return
	}
	at, _ := m.archive.WritesAt(to)
	f.LostWrites = m.archive.Writes() - at
	w := m.writer
	old := w.host
	old.Crash()
	m.abandon()
	m.newHost(w, old.AZ)
	if m.cfg.Serverless != nil {
		m.setACU(w, m.cfg.Serverless.floor())
	}
	w.host.SetAccepting(true)
	w.lastActivity = m.k.Now()
	m.cluster.Set(w.host)
	m.refreshReaders()
	m.health.Reset()
	f.Promoted, f.Accepting = m.k.Now(), m.k.Now()
	m.restoring = nil
	m.log.Addf("%s of the restored cluster accepting writes as of %s: the damaged cluster is stopped and the restored one takes its endpoint; the %d writes it acknowledged after %s are not in the restore",
		m.describe(w), to, f.LostWrites, to)
}
