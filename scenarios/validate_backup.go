package scenarios

import (
	"fmt"
	"time"

	"dbsim/models/backup"
)

// backupDefaults are the models' backup defaults.
var backupDefaults = backup.Defaults()

// backup checks a system's backup block, if present, filling its
// defaults.
func (v *validator) backup(b *Backup) {
	const p = "system.backup"
	if !v.has(p) {
		return
	}
	d := backupDefaults
	def := func(key string, dst *Duration, val time.Duration) bool {
		if !v.has(p + "." + key) {
			*dst = Duration(val)
			return false
		}
		return true
	}
	if def("window_start", &b.WindowStart, d.WindowStart) && (b.WindowStart < 0 || b.WindowStart.D() >= backup.Day) {
		v.errorf(p+".window_start", "must be 0 to 24h (a daily window), got %s", b.WindowStart)
	}
	if def("retention", &b.Retention, d.Retention) && (b.Retention.D() < backup.Day || b.Retention.D() > 35*backup.Day) {
		v.errorf(p+".retention", "must be 1 to 35 days (fact 11.2), got %s", b.Retention)
	}
	if def("log_upload", &b.LogUpload, d.LogUpload) {
		v.positive(p+".log_upload", b.LogUpload)
	}
	if def("io_suspension", &b.IOSuspension, d.Suspend) {
		v.nonNegative(p+".io_suspension", b.IOSuspension)
	}
	if def("provision", &b.Provision, d.Provision) {
		v.nonNegative(p+".provision", b.Provision)
	}
	if !v.has(p + ".log_replay_rate") {
		b.ReplayRate = ByteRate(d.ReplayRate)
	} else if b.ReplayRate <= 0 {
		v.errorf(p+".log_replay_rate", "must be > 0, got %s", b.ReplayRate)
	}
	if !v.has(p + ".hydration_rate") {
		b.HydrateRate = ByteRate(d.HydrateRate)
	} else if b.HydrateRate < 0 {
		v.errorf(p+".hydration_rate", "must not be negative (0: only the blocks touched load), got %s", b.HydrateRate)
	}
	v.dist(p+".block_fetch", b.BlockFetch)
	if v.s.System.Aurora != nil {
		for _, key := range []string{"io_suspension", "log_replay_rate", "block_fetch", "hydration_rate"} {
			if v.has(p + "." + key) {
				v.errorf(p+"."+key, "applies to rds: Aurora's backup is continuous (no snapshot suspends I/O, no log is replayed) and its restored volume is loaded before the cluster is available (fact 11.7)")
			}
		}
	}
}

// dataLossFault checks a data-loss fault: a scheduled loss on a system
// with automated backups, and the moment its restore goes back to.
func (v *validator) dataLossFault(i int) {
	f := &v.s.Faults[i]
	if f.Kind != "data-loss" {
		return
	}
	p := fmt.Sprintf("faults[%d]", i)
	if !f.Scheduled {
		v.errorf(p+".mttf", "data-loss is a scheduled fault: give at (when the application deletes data)")
	}
	r, a := v.s.System.RDS, v.s.System.Aurora
	if r == nil && a == nil {
		v.errorf(p+".kind", "data-loss applies to rds and aurora (a point-in-time restore)")
		return
	}
	if !v.has("system.backup") {
		v.errorf(p+".kind", "data-loss needs automated backups to restore from (add system.backup, even empty: backup: {})")
	}
	if r != nil && (r.MultiAZ == "cluster" || len(r.ReadReplicas) > 0) {
		v.errorf(p+".kind", "data-loss restores an instance deployment without read replicas (multi_az: none or instance)")
	}
	if a != nil && len(a.Replicas) > 0 {
		v.errorf(p+".kind", "data-loss restores an aurora cluster without replicas (a restored cluster starts with its writer only)")
	}
	var retention Duration
	if r != nil {
		retention = r.Backup.Retention
	} else {
		retention = a.Backup.Retention
	}
	if !v.has(p + ".restore_to") {
		f.RestoreTo = f.At - Duration(time.Second)
		if f.Scheduled && f.RestoreTo < 0 {
			v.errorf(p+".at", "must be at least 1s, so that the default restore_to (at minus 1s) is in the run; or give restore_to")
		}
		return
	}
	switch {
	case f.RestoreTo < 0:
		v.errorf(p+".restore_to", "must not be negative, got %s", f.RestoreTo)
	case f.Scheduled && f.RestoreTo >= f.At:
		v.errorf(p+".restore_to", "must be before at (%s): the restore goes back to before the loss, got %s", f.At, f.RestoreTo)
	case f.Scheduled && v.has("system.backup") && f.At-f.RestoreTo > retention:
		v.errorf(p+".restore_to", "is further back than system.backup.retention (%s) allows", retention)
	}
}
