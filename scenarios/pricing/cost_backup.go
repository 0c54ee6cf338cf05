package pricing

import (
	"fmt"

	"dbsim/models/rds"
	"dbsim/scenarios"
)

// rdsBackupCost prices the backup storage of an RDS system with automated
// backups (system.backup) beyond the free allowance, which is as much
// backup storage as the provisioned storage (fact 7.26). The backup's size
// is estimated: one full snapshot of the volume plus the transaction log
// of the retention period, written at rep's measured rate of acknowledged
// writes × redo_per_write. The blocks each daily incremental snapshot
// copies are not counted (the log of the same writes stands for them), so
// the line is marked estimated. Nothing is priced without a replication.
func (p *Prices) rdsBackupCost(b *costBuilder, s *scenarios.Scenario, rep *scenarios.Replication) {
	if rep == nil || !s.Has("system.backup") {
		return
	}
	r := s.System.RDS
	price := p.RDS.BackupGBMonth
	if price == (UnitPrice{}) {
		b.unpriced(catStorage, "backup storage", "the price table has no rds.backup_gb_month")
		return
	}
	redo := float64(rds.Defaults().RedoPerWrite)
	if s.Has("system.recovery.redo_per_write") {
		redo = float64(r.Recovery.RedoPerWrite)
	}
	writes := 0.0
	if rep.SimulatedSeconds > 0 {
		writes = float64(rep.Latency.Write.Count()) / rep.SimulatedSeconds
	}
	const gib = 1 << 30
	volume := float64(r.Storage.Size) / gib
	logGB := writes * redo * r.Backup.Retention.D().Seconds() / gib
	total, free := volume+logGB, volume // the free allowance is the provisioned storage
	billed := max(0, total-free)
	b.add(Item{Category: catStorage,
		What: fmt.Sprintf("backup storage: %s GB snapshot + %s GB of log over %s retention, %s GB free",
			formatCount(volume), formatCount(logGB), r.Backup.Retention, formatCount(volume)),
		Quantity: billed, Unit: "GB-months", UnitUSD: price.USD, USD: billed * price.USD,
		Source: price.Citation.String(), Estimated: true,
		Note: "estimated: a full snapshot plus the retention's log at the measured write rate; incremental snapshot blocks not counted"})
}
