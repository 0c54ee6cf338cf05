package cluster

import (
	"fmt"

	"dbsim/sim"
)

// Never marks a time that has not come.
const Never = sim.Time(-1)

// Event is one line of a run's narrative. An event a plot should mark
// where it happens has a Mark and a short Label ("p3 split"); the others
// have neither.
type Event struct {
	At    sim.Time
	Text  string
	Mark  Mark
	Label string
}

// Mark is the kind of a model event the plots mark: a change of capacity
// or state that explains a turn in a curve.
type Mark uint8

// The marked events.
const (
	NoMark         Mark = iota
	HeatSplit           // a DynamoDB partition split for heat
	ScaleUp             // auto scaling raised a table's or index's provisioned capacity
	ScaleDown           // auto scaling lowered it
	PeakRaised          // an on-demand table's new previous peak raised what it serves at once
	Paused              // a Serverless v2 instance paused at 0 ACU
	Resumed             // a paused instance serves again
	Repaired            // a storage segment was re-replicated
	CreditsOut          // a burstable instance in Standard mode spent its CPU credits: held to its baseline
	FullSpeed           // it earned credits back: full speed again
	Suspended           // a snapshot suspended a Single-AZ instance's I/O
	Hydrated            // a volume restored from a snapshot is fully loaded
	StreamBehind        // a DynamoDB stream's consumer fell behind (iterator age past its threshold)
	StreamCaughtUp      // it caught up again
	ShardBlocked        // a poison record blocks a lane of a stream shard
	RecordsExpired      // a stream's records expire unprocessed
	numMarks
)

// String names the mark in a legend: "heat split", "scale-up".
func (m Mark) String() string {
	return [numMarks]string{"", "heat split", "scale-up", "scale-down", "on-demand peak", "paused", "resumed", "segment repaired",
		"out of CPU credits", "full speed", "snapshot I/O suspended", "volume hydrated",
		"stream consumer behind", "stream consumer caught up", "shard blocked", "records expired"}[m]
}

// Failover is one loss of the writer and the recovery from it, as the
// model saw it.
type Failover struct {
	Cause string
	// Start is the failure; Detected when it was noticed; Promoted when the
	// new writer was chosen and the endpoint moved; Accepting when the new
	// writer accepted writes.
	Start, Detected, Promoted, Accepting sim.Time
	// LostWrites counts acknowledged writes the new writer does not have.
	// For a failover still under way when the run ends (Accepting is
	// Never), it counts those the copy chosen so far lacks.
	LostWrites int64
	// ByPromotion is set when a read replica promotion that a user
	// requested ended the failover: its losses are the user's choice of
	// an asynchronous copy, not the system's.
	ByPromotion bool
	// Replaced is set when no other copy took over: the writer came back
	// on a new host with its volume, a replacement rather than a failover
	// (a Single-AZ instance, an Aurora cluster without replicas).
	Replaced bool
	// Restore is set when the writer came back from a backup or from
	// another Region rather than from a copy in the cluster: a recovery,
	// reported apart from the failovers, whose RPO is a span of history.
	Restore *Restore
}

// Restore is how a recovery that was not a failover brought the data
// back: from a backup (a point-in-time or snapshot restore) or from
// another Region (a cross-Region replica, an Aurora Global Database
// secondary).
type Restore struct {
	// Kind names the recovery, in the words summary.json uses:
	// point-in-time-restore, snapshot-restore, cross-region-replica,
	// global-failover, global-switchover.
	Kind string
	// RestoredTo is the last moment whose writes the new writer has: the
	// recovery's RPO is the failure's Start minus it.
	RestoredTo sim.Time
}

// Log records what happened in a run: events for the narrative and
// failovers for the summary.
type Log struct {
	k         *sim.Kernel
	Events    []Event
	Dropped   int64 // narrative lines past MaxEvents
	Failovers []*Failover
	// Saturations are the episodes of engines at their limits (Load).
	Saturations []*Saturation
}

// NewLog returns an empty log on kernel k.
func NewLog(k *sim.Kernel) *Log { return &Log{k: k} }

// MaxEvents bounds a run's narrative: a fault process that fires every
// second for a year must not fill the memory with its story. Lines past it
// are counted in Dropped.
const MaxEvents = 5000

// Addf adds a narrative line at the current time.
func (l *Log) Addf(format string, args ...any) {
	l.add(Event{At: l.k.Now(), Text: fmt.Sprintf(format, args...)})
}

// Markf adds a narrative line at the current time that the plots mark as
// m, with a short label.
func (l *Log) Markf(m Mark, label, format string, args ...any) {
	l.add(Event{At: l.k.Now(), Text: fmt.Sprintf(format, args...), Mark: m, Label: label})
}

func (l *Log) add(e Event) {
	if len(l.Events) >= MaxEvents {
		l.Dropped++
		return
	}
	l.Events = append(l.Events, e)
}

// StartFailover opens a failover record at the current time.
func (l *Log) StartFailover(cause string) *Failover {
	f := &Failover{Cause: cause, Start: l.k.Now(), Detected: Never, Promoted: Never, Accepting: Never}
	l.Failovers = append(l.Failovers, f)
	return f
}
