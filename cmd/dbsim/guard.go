package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"dbsim/scenarios"
)

// This file bounds what one command may take: the estimate checked
// before a run, the memory watched during it, the signals that stop it,
// and the progress shown while it goes.

// signalled is the cause of a context cancelled by a signal.
type signalled struct{ sig os.Signal }

// Error names the signal.
func (s signalled) Error() string { return "stopped by " + s.sig.String() }

// number is the signal's number (2 for SIGINT, 15 for SIGTERM).
func (s signalled) number() int {
	if n, ok := s.sig.(syscall.Signal); ok {
		return int(n)
	}
	return int(syscall.SIGINT)
}

// withSignals returns a context that SIGINT or SIGTERM cancels, with a
// signalled cause. After the first signal the default action is back, so
// a second one kills dbsim at once. stop releases the signals.
func withSignals(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			signal.Reset(os.Interrupt, syscall.SIGTERM)
			cancel(signalled{sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// limits are the flags that bound a run, shared by run, compare and sweep.
type limits struct {
	force     bool
	maxMemory sizeFlag
}

// addLimitFlags defines --force and --max-memory on fs.
func addLimitFlags(fs *flag.FlagSet) *limits {
	l := &limits{maxMemory: sizeFlag(defaultMaxMemory())}
	fs.BoolVar(&l.force, "force", false, "run a scenario even if its estimate is over the limits (2e10 events, 4 GB)")
	fs.Var(&l.maxMemory, "max-memory", "stop the run (exit 1) when the heap passes `SIZE` (default: 8GB or 3/4 of the machine's memory, whichever is less)")
	return l
}

// sizeFlag is a byte count written with a unit (8GB, 512MB).
type sizeFlag int64

// String implements flag.Value.
func (s *sizeFlag) String() string { return scenarios.Size(*s).String() }

// Set implements flag.Value.
func (s *sizeFlag) Set(v string) error {
	n, err := scenarios.ParseSize(v)
	if err != nil {
		return err
	}
	if n <= 0 {
		return fmt.Errorf("must be positive, got %s", v)
	}
	*s = sizeFlag(n)
	return nil
}

// defaultMaxMemory is 8 GB, or three quarters of the machine's memory when
// that is less.
func defaultMaxMemory() int64 {
	limit := int64(8 << 30)
	if total := physicalMemory(); total > 0 {
		limit = min(limit, total/4*3)
	}
	return limit
}

// physicalMemory reads MemTotal from /proc/meminfo; 0 when it cannot.
func physicalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// estimate sums the estimates of the scenarios a command runs (their
// replications at most workers at once): requests and events add up, the
// peak is the largest.
func estimate(list []*scenarios.Scenario, workers int) scenarios.Estimate {
	var total scenarios.Estimate
	for _, s := range list {
		addEstimate(&total, s, workers)
	}
	return total
}

// addEstimate adds the estimate of s to total: work adds up, the peak of
// memory is the largest.
func addEstimate(total *scenarios.Estimate, s *scenarios.Scenario, workers int) {
	e := scenarios.EstimateOf(s, workers)
	total.Requests += e.Requests
	total.Attempts += e.Attempts
	total.FaultEvents += e.FaultEvents
	total.Events += e.Events
	total.Wall += e.Wall
	total.PeakBytes = max(total.PeakBytes, e.PeakBytes)
}

// checkEstimate refuses (bad input) work whose estimate is over the
// default limits, unless force; what names it in the message. When the
// scenarios of list could run in fluid mode within the limits, the
// message proposes it.
func checkEstimate(what string, list []*scenarios.Scenario, e scenarios.Estimate, force bool, stderr io.Writer) error {
	over := e.Over(scenarios.DefaultLimits)
	hint := fluidHint(list)
	if len(over) == 0 {
		if hint != "" && e.Wall > time.Minute {
			fmt.Fprintf(stderr, "dbsim: note: %s takes about %s per request; %s\n", what, scenarios.WallString(e.Wall), hint)
		}
		return nil
	}
	msg := fmt.Sprintf("%s: too big to run: %s: %s", what, e, strings.Join(over, "; "))
	if hint != "" {
		msg += "; " + hint
	}
	if force {
		fmt.Fprintf(stderr, "dbsim: warning: %s; running it anyway (--force)\n", msg)
		return nil
	}
	return badInput{fmt.Errorf("%s; pass --force to run it anyway", msg)}
}

// fluidHint proposes mode: fluid when every scenario of list can run in
// it within the limits, with its estimate; "" otherwise.
func fluidHint(list []*scenarios.Scenario) string {
	var total scenarios.Estimate
	for _, s := range list {
		f, ok := scenarios.FluidEstimate(s, 1)
		if !ok {
			return ""
		}
		total.Events += f.Events
		total.Wall += f.Wall
		total.PeakBytes = max(total.PeakBytes, f.PeakBytes)
	}
	if len(list) == 0 || len(total.Over(scenarios.DefaultLimits)) > 0 {
		return ""
	}
	return fmt.Sprintf("in fluid mode it would take about %s: add the top-level key `mode: fluid` (rates in 1-second steps through the same partitions and control loops; no per-request latency)",
		scenarios.WallString(total.Wall))
}

// workersOf is how many replications run at once with --workers n.
func workersOf(n int) int {
	if n > 0 {
		return n
	}
	return max(1, runtime.GOMAXPROCS(0))
}

// outOfMemory is the cause of a run stopped by the memory watchdog.
type outOfMemory struct {
	heap, limit uint64
	estimate    scenarios.Estimate
}

// Error says how far over the limit the heap went, and what the estimate
// had said.
func (e *outOfMemory) Error() string {
	return fmt.Sprintf("out of memory: heap %s over the limit of %s (--max-memory); the scenario's estimate was %s",
		gb(e.heap), gb(e.limit), e.estimate)
}

// gb writes a byte count in GB, or in MB below one GB.
func gb(b uint64) string {
	if b < 1<<30 {
		return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%.2f GB", float64(b)/(1<<30))
}

// heapMetric is the bytes of heap objects, live or not yet collected.
const heapMetric = "/memory/classes/heap/objects:bytes"

// exit ends the process; tests replace it.
var exit = os.Exit

// watchMemory guards a run against running the machine out of memory,
// which Go cannot recover from (the kernel kills the process, or the
// runtime aborts with exit status 2). It sets the GC's soft limit to limit,
// so that the collector works harder before anything is given up, and
// samples the heap every 50 ms: above limit it cancels the run with an
// *outOfMemory cause, and if the run has not stopped 10 s later, or the
// heap grows by half the limit (at least 256 MB) more meanwhile, it says so
// and exits with status 1.
// stop ends the watch and restores the soft limit.
func watchMemory(ctx context.Context, cancel context.CancelCauseFunc, limit int64, e scenarios.Estimate, stderr io.Writer) (stop func()) {
	prev := debug.SetMemoryLimit(limit)
	done := make(chan struct{})
	finished := make(chan struct{})
	hard := uint64(limit) + max(uint64(limit)/2, 256<<20)
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: heapMetric}}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		var over *outOfMemory
		var since time.Time
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			heap := sample[0].Value.Uint64()
			switch {
			case over == nil && heap > uint64(limit):
				over = &outOfMemory{heap: heap, limit: uint64(limit), estimate: e}
				since = time.Now()
				cancel(over)
			case over != nil && (heap > hard || time.Since(since) > 10*time.Second):
				over.heap = max(over.heap, heap)
				fmt.Fprintf(stderr, "dbsim: %v; the run did not stop in time\n", over)
				exit(exitRuntime)
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		debug.SetMemoryLimit(prev)
	}
}

// guardRun starts what watches a run: the memory limit and, on a
// terminal, the progress bar. The returned context is the one to run
// with; stop must be called when the run returns.
func guardRun(ctx context.Context, l *limits, e scenarios.Estimate, p *scenarios.Progress, total time.Duration, reps int, quiet bool, stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	stopMem := watchMemory(ctx, cancel, int64(l.maxMemory), e, stderr)
	stopBar := func() {}
	if !quiet && isTerminal(stderr) {
		stopBar = showProgress(stderr, p, total, reps)
	}
	return ctx, func() {
		stopBar()
		stopMem()
		cancel(nil)
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressDelay is how long a run goes before it shows progress: a short
// run stays silent. Tests shorten it.
var progressDelay = 2 * time.Second

// progressOnAnyWriter makes the bar draw on a writer that is not a
// terminal too (mpb is silent there otherwise); for tests.
var progressOnAnyWriter = false

// showProgress draws a bar on w (a terminal) after progressDelay: the
// simulated time reached per replication against the duration, the share
// done and the time left at the average pace so far. It reads p, which
// the replications update between slices of simulated time, so the bar
// cannot change a run. total is the simulated time of all the
// replications together. stop removes the bar.
func showProgress(w io.Writer, p *scenarios.Progress, total time.Duration, reps int) (stop func()) {
	start := time.Now()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-done:
			return
		case <-time.After(progressDelay):
		}
		bars := mpb.New(mpb.WithOutput(w), mpb.WithWidth(30), mpb.WithRefreshRate(250*time.Millisecond),
			mpb.ContainerOptional(mpb.WithAutoRefresh(), progressOnAnyWriter))
		// The bar counts simulated milliseconds: nanoseconds would make
		// the average wall time per unit round to zero in the ETA.
		per := total / time.Duration(max(1, reps))
		label := func(st decor.Statistics) string {
			at := time.Duration(st.Current) * time.Millisecond / time.Duration(max(1, reps))
			s := "simulated " + clock(at, per) + " of " + clock(per, per)
			if reps > 1 {
				s += fmt.Sprintf(" ×%d", reps)
			}
			return s
		}
		bar := bars.New(total.Milliseconds(), mpb.BarStyle(),
			mpb.PrependDecorators(decor.Any(label, decor.WC{W: 28, C: decor.DindentRight})),
			mpb.AppendDecorators(decor.Percentage(decor.WC{W: 5}), decor.Name(" ETA "), decor.NewAverageETA(decor.ET_STYLE_GO, start, nil)),
			mpb.BarRemoveOnComplete())
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			bar.SetCurrent(min(p.Simulated(), total).Milliseconds())
			select {
			case <-done:
				bar.Abort(true)
				bars.Wait()
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// clock writes a simulated time as m:ss, or as h:mm:ss when the run
// (of) lasts an hour or more.
func clock(d, of time.Duration) string {
	s := int64(d / time.Second)
	if of >= time.Hour {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
