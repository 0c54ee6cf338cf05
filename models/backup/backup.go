// Package backup models automated backups of an RDS or Aurora database and
// what a restore from them takes.
//
// RDS takes a daily snapshot of the instance's volume in the backup window
// and uploads the transaction log to Amazon S3 every five minutes, so the
// latest restorable time lags the present by up to that interval. A
// point-in-time restore creates a new instance from the latest snapshot at
// or before the chosen moment and replays the archived log from the
// snapshot to that moment; the new volume is loaded lazily from S3, so its
// blocks cost an S3 fetch on first touch until it is hydrated (Volume).
// Aurora backs its cluster volume up continuously: a restore replays no
// log, and the restored volume is loaded before the cluster is available.
//
// Memory stays flat as simulated time grows: the archive keeps one count
// per snapshot within the retention and per restore point asked for
// (Archive.Remember), never one entry per write.
package backup

import (
	"errors"
	"fmt"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// Config is a database's automated backups and how a restore from them
// runs.
type Config struct {
	// WindowStart is the time from the run's start to the first daily
	// backup window; a snapshot starts there and every Day after. The run
	// starts just after a snapshot (as a new instance's first backup).
	WindowStart time.Duration
	// Retention is how long automated backups are kept: a restore may go
	// back that far (RDS: 1 to 35 days).
	Retention time.Duration
	// LogUpload is the interval at which the transaction log is uploaded
	// to S3: the latest restorable time lags the present by up to it.
	LogUpload time.Duration
	// Suspend is how long a snapshot suspends the I/O of a Single-AZ
	// instance while it initializes; a Multi-AZ instance's snapshot is
	// taken from the standby and suspends nothing.
	Suspend time.Duration
	// Provision is the time to create the restored instance (and, on
	// Aurora, the restored cluster's volume) before its engine starts.
	Provision time.Duration
	// ReplayRate is the rate, in bytes per second, at which a restore
	// replays the archived log from the snapshot to the restore point.
	ReplayRate float64
	// BlockSize is the unit a restored volume loads from S3 on first touch.
	BlockSize int64
	// Fetch is the time to fetch one block from S3 on first touch, in
	// seconds.
	Fetch sim.Dist
	// HydrateRate is the rate, in bytes per second, at which a restored
	// volume loads its blocks in the background; 0 loads only what is
	// touched.
	HydrateRate float64
}

// Day is the period of automated snapshots.
const Day = 24 * time.Hour

// Defaults returns RDS's defaults: seven days of retention (fact 11.2), a
// log upload every 5 minutes (fact 11.3), a first window 12 h into the
// run, a 3 s I/O suspension (fact 11.1: "typically under a few seconds"),
// 512 KiB blocks fetched in about 20 ms (fact 11.6), and the unpublished
// restore timings chosen below.
func Defaults() Config {
	fetch, _ := sim.LogNormalP50P99(20e-3, 100e-3) // fact 11.6: small S3 GETs take "tens of milliseconds" at the median
	return Config{
		WindowStart: 12 * time.Hour,   // RDS picks a 30-minute window at random in an 8-hour block per Region (fact 11.1)
		Retention:   7 * Day,          // fact 11.2: the console's default
		LogUpload:   5 * time.Minute,  // fact 11.3
		Suspend:     3 * time.Second,  // fact 11.1: "typically under a few seconds"; a manual snapshot's can last minutes
		Provision:   10 * time.Minute, // not published: creating an instance takes minutes (fact 11.5)
		ReplayRate:  10 << 20,         // not published: archived log fetched from S3 and replayed, slower than crash recovery's local redo
		BlockSize:   512 << 10,        // the EBS snapshot block (fact 11.6)
		Fetch:       fetch,
		HydrateRate: 32 << 20, // not published: RDS "continues to load data in the background" (fact 11.4)
	}
}

// Validate reports the first setting that cannot run.
func (c Config) Validate() error {
	switch {
	case c.WindowStart < 0 || c.WindowStart >= Day:
		return fmt.Errorf("backup window start %v: must be in [0, 24h)", c.WindowStart)
	case c.Retention < Day:
		return errors.New("backup retention: at least one day")
	case c.LogUpload <= 0:
		return errors.New("log upload interval: must be positive")
	case c.Suspend < 0 || c.Provision < 0:
		return errors.New("backup spans: must not be negative")
	case c.ReplayRate <= 0:
		return errors.New("log replay rate: must be positive")
	case c.BlockSize <= 0:
		return errors.New("block size: must be positive")
	case c.Fetch == nil:
		return errors.New("block fetch: required")
	case c.HydrateRate < 0:
		return errors.New("hydration rate: must not be negative")
	}
	return nil
}

// Snapshot is one automated snapshot: when it was taken and how many
// writes the database had acknowledged by then.
type Snapshot struct {
	At     sim.Time
	Writes int64
}

// Archive is a database's backups as a restore sees them: the snapshots
// within the retention, the log uploaded so far, and the count of
// acknowledged writes at the moments a restore may go back to.
type Archive struct {
	cfg    Config
	snaps  []Snapshot
	writes int64 // acknowledged writes so far
	marks  map[sim.Time]int64
}

// NewArchive returns the archive of a database whose run starts just
// after a snapshot.
func NewArchive(cfg Config) *Archive {
	return &Archive{cfg: cfg, snaps: []Snapshot{{At: 0}}, marks: map[sim.Time]int64{}}
}

// Config is the archive's configuration.
func (a *Archive) Config() Config { return a.cfg }

// Wrote counts one acknowledged write.
func (a *Archive) Wrote() { a.writes++ }

// Writes counts the acknowledged writes so far.
func (a *Archive) Writes() int64 { return a.writes }

// NextSnapshot is the start of the first backup window after now.
func (a *Archive) NextSnapshot(now sim.Time) sim.Time {
	t := sim.At(a.cfg.WindowStart)
	if now >= t {
		days := (now - t) / sim.Time(Day)
		t += (days + 1) * sim.Time(Day)
	}
	return t
}

// Snap records a snapshot taken now and forgets those past the retention
// (keeping the oldest one a restore within the retention may start from).
func (a *Archive) Snap(now sim.Time) {
	a.snaps = append(a.snaps, Snapshot{At: now, Writes: a.writes})
	cut := now - sim.Time(a.cfg.Retention)
	for len(a.snaps) > 1 && a.snaps[1].At <= cut {
		a.snaps = a.snaps[1:]
	}
}

// Remember keeps the count of acknowledged writes at now, a moment a
// restore will go back to (see Writes At).
func (a *Archive) Remember(now sim.Time) { a.marks[now] = a.writes }

// WritesAt is the count of writes acknowledged by t, a moment passed to
// Remember or a snapshot's; ok is false for any other moment.
func (a *Archive) WritesAt(t sim.Time) (n int64, ok bool) {
	if n, ok := a.marks[t]; ok {
		return n, true
	}
	for _, s := range a.snaps {
		if s.At == t {
			return s.Writes, true
		}
	}
	return 0, false
}

// LatestRestorable is the latest moment a restore can reach at now: the
// end of the last log upload.
func (a *Archive) LatestRestorable(now sim.Time) sim.Time {
	u := sim.Time(a.cfg.LogUpload)
	return now / u * u
}

// Restorable is the first moment at or after now when t is restorable:
// when the log upload that covers t is done.
func (a *Archive) Restorable(t, now sim.Time) sim.Time {
	if t <= a.LatestRestorable(now) {
		return now
	}
	u := sim.Time(a.cfg.LogUpload)
	return (t + u - 1) / u * u
}

// Earliest is the earliest moment a restore can reach at now: the oldest
// snapshot kept.
func (a *Archive) Earliest() sim.Time { return a.snaps[0].At }

// Base is the latest snapshot taken at or before t, the one a restore to
// t starts from.
func (a *Archive) Base(t sim.Time) Snapshot {
	b := a.snaps[0]
	for _, s := range a.snaps {
		if s.At <= t {
			b = s
		}
	}
	return b
}

// Replay is the log a point-in-time restore to t replays, in writes and in
// time, given redoPerWrite bytes of log per write. The count of writes at
// t must have been remembered (Remember).
func (a *Archive) Replay(t sim.Time, redoPerWrite int64) (writes int64, d time.Duration) {
	at, _ := a.WritesAt(t)
	writes = max(0, at-a.Base(t).Writes)
	return writes, sim.Seconds(float64(writes*redoPerWrite) / a.cfg.ReplayRate)
}

// StartRestore opens, in log, the recovery by a point-in-time restore to
// the moment to (given to Remember before it passed) of a data loss that
// happens now: a failover record with its Restore, noticed at once. The
// narrative says what the operator does (how, "restores the cluster to
// 29:59 as a new cluster") and, when the log that covers to is not yet
// uploaded, when the restore can start. It returns the record and that
// moment.
func (a *Archive) StartRestore(log *cluster.Log, to sim.Time, how string) (*cluster.Failover, sim.Time) {
	if _, ok := a.WritesAt(to); !ok {
		panic("backup: a restore to a moment not given to Remember")
	}
	f := log.StartFailover("data loss")
	f.Restore = &cluster.Restore{Kind: "point-in-time-restore", RestoredTo: to}
	f.Detected = f.Start
	log.Addf("the application deletes data: the operator %s; the application carries on with the damaged one meanwhile", how)
	ready := a.Restorable(to, f.Start)
	if ready > f.Start {
		log.Addf("the latest restorable time is %s: the restore waits for the transaction log upload at %s",
			a.LatestRestorable(f.Start), ready)
	}
	return f, ready
}
