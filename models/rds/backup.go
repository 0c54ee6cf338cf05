package rds

import (
	"fmt"
	"time"

	"dbsim/models/backup"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// Automated backups (Config.Backup): a daily snapshot in the backup
// window, which suspends a Single-AZ instance's I/O for a moment and is
// taken from the standby of a Multi-AZ one; the transaction log uploaded to
// S3 at intervals; and the point-in-time restore a data loss calls for.
//
// A restore never touches the damaged instance: RDS creates a new instance
// from the latest snapshot at or before the restore point, replays the
// archived log up to it, and the operator then moves the application to it
// (renaming the instances so the endpoint's DNS record follows). Meanwhile
// the application carries on with the damaged instance, whose writes after
// the restore point are not in the restored one: they are the recovery's
// lost writes.

// startBackups schedules the daily snapshots.
func (m *Model) startBackups() {
	m.archive = backup.NewArchive(*m.cfg.Backup)
	m.k.At(m.archive.NextSnapshot(m.k.Now()), m.snapshotBackup)
}

// snapshotBackup takes the day's automated snapshot.
func (m *Model) snapshotBackup() {
	now := m.k.Now()
	m.k.At(m.archive.NextSnapshot(now), m.snapshotBackup)
	m.archive.Snap(now)
	if m.standby != nil || m.clusterMode {
		m.log.Addf("automated snapshot taken from a standby: no I/O suspension on the primary")
		return
	}
	d := m.cfg.Backup.Suspend
	p := m.primary
	if d <= 0 || !p.host.Accepting() {
		m.log.Addf("automated snapshot of %s", m.describe(p))
		return
	}
	p.frozen = now + sim.Time(d)
	m.log.Markf(cluster.Suspended, "snapshot", "automated snapshot of Single-AZ %s: its I/O is suspended for %v while the snapshot initializes", m.describe(p), d)
}

// RestorePoint tells the model that a restore will go back to t, a moment
// not yet passed: the count of writes acknowledged by then is kept for it
// (the archive keeps no per-write history). DataLoss needs it.
func (m *Model) RestorePoint(t sim.Time) {
	if m.archive == nil {
		return
	}
	m.k.At(t, func() { m.archive.Remember(t) })
}

// DataLoss is the application deleting data now: the operator starts a
// point-in-time restore to the moment to (given to RestorePoint before it
// passed) on a new instance, and moves the application to it when it is
// available. It needs automated backups; one restore runs at a time.
func (m *Model) DataLoss(to sim.Time) {
	if m.archive == nil || m.restoring != nil {
		return
	}
	f, ready := m.archive.StartRestore(m.log, to, fmt.Sprintf("starts a point-in-time restore to %s on a new instance", to))
	m.restoring = f
	m.k.At(ready, func() {
		at, _ := m.archive.WritesAt(to)
		writes, replay := m.archive.Replay(to, m.cfg.RedoPerWrite)
		m.restore(f, m.archive.Base(to).At, at, writes, replay, m.cfg.AZ)
	})
}

// RestoreSnapshot recovers the writer from snapshot s alone, with no log
// replayed (a snapshot restore: say, of a copy in another Region), on a new
// instance in az. f is the recovery's record: nil starts one ("snapshot
// restore"); a failover the caller has opened (a Region lost) becomes the
// recovery, and the caller keeps the model from recovering it otherwise.
// Its RPO is f.Start − s.At; the writes acknowledged after s.At are lost.
// It needs automated backups (Config.Backup) and does nothing while
// another restore runs.
func (m *Model) RestoreSnapshot(f *cluster.Failover, s backup.Snapshot, az cluster.AZ) {
	if m.archive == nil || m.restoring != nil {
		return
	}
	if f == nil {
		f = m.log.StartFailover("snapshot restore")
	}
	f.Restore = &cluster.Restore{Kind: "snapshot-restore", RestoredTo: s.At}
	if f.Detected == cluster.Never {
		f.Detected = m.k.Now()
	}
	m.restoring = f
	m.log.Addf("restore of the snapshot of %s on a new instance, with no log replayed", s.At)
	m.restore(f, s.At, s.Writes, 0, 0, az)
}

// Archive is the automated backups (nil without Config.Backup).
func (m *Model) Archive() *backup.Archive { return m.archive }

// restore provisions a new instance in az from the snapshot taken at base,
// starts its engine on the snapshot's volume, loaded lazily from S3, and
// replays writes (taking replay) up to f.Restore.RestoredTo, whose count
// of acknowledged writes is at; then the application moves to it.
func (m *Model) restore(f *cluster.Failover, base sim.Time, at, writes int64, replay time.Duration, az cluster.AZ) {
	to := f.Restore.RestoredTo
	m.log.Addf("RDS provisions a new instance from the snapshot of %s (%v)", base, m.cfg.Backup.Provision)
	m.k.After(m.cfg.Backup.Provision, func() {
		n := m.newNode(az, m.cfg.Class)
		n.vol = backup.NewVolume(m.k, m.k.Stream("rds/restore"), *m.cfg.Backup, m.cfg.StorageBytes, func() {
			if m.primary == n {
				m.log.Markf(cluster.Hydrated, "hydrated", "%s's volume fully loaded from S3: every block is local again", m.describe(n))
			}
		})
		m.log.Addf("%s created; its volume loads from S3 lazily (%d blocks of %d KiB); engine start (%v) and replay of the log from the snapshot to %s: %d writes, %.1f MB (%.1f s)",
			m.describe(n), n.vol.Blocks(), n.vol.BlockSize()>>10, m.cfg.EngineStart, to, writes,
			float64(writes*m.cfg.RedoPerWrite)/(1<<20), replay.Seconds())
		m.k.After(m.cfg.EngineStart+replay, func() { m.cutOver(f, n, at) })
	})
}

// cutOver moves the application to the restored instance n, which has the
// first at acknowledged writes: the damaged instance (and its standby) are
// stopped, n takes the endpoint.
func (m *Model) cutOver(f *cluster.Failover, n *node, at int64) {
	to := f.Restore.RestoredTo
	old := m.primary
	f.LostWrites = m.archive.Writes() - at
	if old.host.Up() {
		m.crash(old)
	}
	if s := m.standby; s != nil {
		if s.host.Up() {
			m.crash(s)
		}
		m.standby = m.newNode(m.cfg.StandbyAZ, m.cfg.Class)
		m.inSync = false
	}
	n.lsn = m.lsn
	if m.standby != nil {
		m.standby.lsn = m.lsn
	}
	m.primary = n
	m.writer.Set(n.host)
	n.host.SetAccepting(true)
	m.redo = 0
	m.health.Reset()
	if fo := m.fo; fo != nil && fo != f {
		// A failover of the damaged instance was under way: the restored
		// instance ends it too (its lost writes are the restore's).
		fo.Promoted, fo.Accepting, fo.Replaced = m.k.Now(), m.k.Now(), true
		m.log.Addf("the failover of the damaged instance ends with the cut-over")
	}
	m.fo = nil
	f.Promoted, f.Accepting = m.k.Now(), m.k.Now()
	m.restoring = nil
	m.log.Addf("%s restored to %s and accepting writes: the damaged %s is stopped and the restored instance takes its endpoint; the %d writes it acknowledged after %s are not in the restore",
		m.describe(n), to, m.describe(old), f.LostWrites, to)
}

// Hydrated is the share of the primary's volume loaded: 1 unless it was
// restored from a snapshot and is still loading.
func (m *Model) Hydrated() float64 {
	if v := m.primary.vol; v != nil {
		return v.Hydrated()
	}
	return 1
}

// admit runs a call on the primary n once its I/O can proceed: a write
// after a snapshot's suspension, and a read or write after the fetch from S3 of the block its key
// lies in on a volume still loading.
func (m *Model) admit(n *node, c *cluster.Call) {
	now := m.k.Now()
	var wait time.Duration
	if n.frozen > now && c.Op == cluster.Write {
		wait = n.frozen.Sub(now) // the commit needs the log flush; reads carry on from memory
	}
	if n.vol != nil && c.Op != cluster.Connect {
		wait = max(wait, n.vol.Touch(c.Key))
	}
	if wait > 0 {
		m.k.AfterArg(wait, m.onIOReady, c)
		return
	}
	n.cpu.Acquire(m.onStart, c)
}

// ioReady: the call's I/O wait is over.
func (m *Model) ioReady(a any) {
	c := a.(*cluster.Call)
	n := c.Node.(*node)
	if c.Epoch != n.host.Epoch() || n != m.primary {
		return // the instance stopped meanwhile: no answer
	}
	n.cpu.Acquire(m.onStart, c)
}
