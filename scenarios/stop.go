package scenarios

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"dbsim/sim"
)

// Progress is how far a run has got. The replications add to it as they
// run, between slices of simulated time (runSliced); any goroutine may read
// it. Reading it never changes a run: the kernels do not know it exists.
type Progress struct {
	// Notify, if not nil, is called after every slice of simulated time,
	// once the slice is added, on the goroutine of the replication that ran
	// it (so concurrently when several run at once). It is for a runner
	// with no second thread to poll from: the browser's, where a goroutine
	// that reads the progress would not run until the simulation yields.
	Notify func(*Progress)

	simulated atomic.Int64  // simulated nanoseconds reached, summed over replications
	events    atomic.Uint64 // kernel events fired, summed over replications
	finished  atomic.Int64  // replications finished
}

// Simulated is the simulated time reached, summed over the replications
// (a run of 3 replications of 10 minutes is done at 30 minutes).
func (p *Progress) Simulated() time.Duration { return time.Duration(p.simulated.Load()) }

// Events is the number of kernel events fired so far, summed over the
// replications.
func (p *Progress) Events() uint64 { return p.events.Load() }

// Finished is the number of replications that ran to their end.
func (p *Progress) Finished() int { return int(p.finished.Load()) }

// Interrupted is the error of a run whose context was cancelled before it
// finished. Nothing of the run is kept.
type Interrupted struct {
	// At is the furthest simulated time an unfinished replication had
	// reached; Of is the scenario's duration.
	At, Of time.Duration
	// Finished of Replications had run to their end.
	Finished, Replications int
	// Cause is the context's cause (context.Cause): a signal, a memory
	// limit, a deadline.
	Cause error
}

// Error says where the run stopped: "interrupted at simulated 3:12 of
// 10:00 (1 of 3 replications finished)".
func (e *Interrupted) Error() string {
	msg := fmt.Sprintf("interrupted at simulated %s of %s", clock(e.At, e.Of), clock(e.Of, e.Of))
	if e.Replications > 1 {
		msg += fmt.Sprintf(" (%d of %d replications finished)", e.Finished, e.Replications)
	}
	return msg
}

// Unwrap returns the cause.
func (e *Interrupted) Unwrap() error { return e.Cause }

// clock writes a simulated time as m:ss, or as h:mm:ss when the run
// (of) lasts an hour or more.
func clock(d, of time.Duration) string {
	s := int64(d / time.Second)
	if of >= time.Hour {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// PanicError is a panic inside a replication, caught on the goroutine that
// ran it: a bug in dbsim, not a problem with the scenario.
type PanicError struct {
	// Scenario and Replication say which run panicked.
	Scenario    string
	Replication int
	Value       any
	// Stack is the panicking goroutine's stack.
	Stack []byte
}

// Error names the run and the panic's value.
func (e *PanicError) Error() string {
	return fmt.Sprintf("panic in %s, replication %d: %v", e.Scenario, e.Replication, e.Value)
}

// replicationHook, when set (by tests), is called at the start of every
// replication, on the goroutine that runs it.
var replicationHook func(s *Scenario, i int)

// kernelHook, when set (by the benchmarks), is given each replication's
// kernel once it is built, so that they can count its events.
var kernelHook func(k *sim.Kernel)

// recoverReplication turns a panic of replication i of s into a
// *PanicError in *err. It must be deferred directly.
func recoverReplication(s *Scenario, i int, err *error) {
	if r := recover(); r != nil {
		*err = &PanicError{Scenario: s.Name, Replication: i, Value: r, Stack: debug.Stack()}
	}
}

// sliceEvents is about how many events a slice of simulated time should
// hold: between slices the runner checks its context and reports progress,
// so a slice is a few tens of milliseconds of work at most.
const sliceEvents = 200_000

// sliceOf is the simulated span between two checks of the context in a
// run of s: about sliceEvents events at the scenario's peak arrival rate,
// between 1µs and 1s. It depends on the scenario only, not on the machine.
func sliceOf(s *Scenario) time.Duration {
	rate := s.peakRate() * float64(eventsPerAttempt(s.System.Kind)) * float64(max(1, s.Clients.Retry.MaxAttempts))
	if rate <= 0 {
		return time.Second
	}
	d := time.Duration(sliceEvents / rate * 1e9)
	return min(max(d, time.Microsecond), time.Second)
}

// runSliced runs k to end in slices of simulated time, checking ctx and
// adding to prog between slices. Running a kernel to t1 and then to t2 fires
// exactly the events, in exactly the order, that running it to t2 does, so
// slicing changes nothing in the run. A cancelled ctx returns an
// *Interrupted whose At is the simulated time reached.
func runSliced(ctx context.Context, k *sim.Kernel, end sim.Time, slice time.Duration, prog *Progress) error {
	var reached sim.Time
	var fired uint64
	for {
		if ctx != nil && ctx.Err() != nil {
			return &Interrupted{At: time.Duration(k.Now()), Of: time.Duration(end), Cause: context.Cause(ctx)}
		}
		next := min(k.Now().Add(slice), end)
		k.Run(next)
		// Yield between slices: under js/wasm nothing preempts a goroutine,
		// and a run that allocates next to nothing never assists the
		// garbage collector, so a collection that started before the run
		// would stay in its mark phase to the end, every pointer store of
		// the kernel's heap paying the write barrier (15 % of
		// replica-lag-write-burst under node). The yield lets the
		// collector's worker finish.
		runtime.Gosched()
		if prog != nil {
			prog.simulated.Add(int64(k.Now() - reached))
			prog.events.Add(k.Fired() - fired)
			if prog.Notify != nil {
				prog.Notify(prog)
			}
		}
		reached, fired = k.Now(), k.Fired()
		if next >= end {
			return nil
		}
	}
}
