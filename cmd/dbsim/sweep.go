package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dbsim/report"
	"dbsim/scenarios"
	"dbsim/scenarios/pricing"
	"dbsim/scenarios/sweep"
)

// multiFlag is a repeatable string flag.
type multiFlag []string

// String implements flag.Value.
func (m *multiFlag) String() string { return strings.Join(*m, " ") }

// Set implements flag.Value: each use adds one value.
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// listFlag is a comma-separated list flag, repeatable.
type listFlag []string

// String implements flag.Value.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set implements flag.Value: each use adds its comma-separated values.
func (l *listFlag) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*l = append(*l, x)
		}
	}
	return nil
}

// sweepHelp is the help of dbsim sweep.
var sweepHelp = help{
	usage: "sweep SCENARIO|NAME --set PATH=V1,V2,... [--set ...] [options]",
	about: `Runs a scenario at every point of a grid of field values (the
cartesian product of the --set axes, the first --set outermost) and writes,
per point, every metric's mean and 95% confidence interval over the
replications (sweep.csv), the raw numbers (sweep.json) and plots of metrics
against each swept field. With --target it names the cheapest point that
meets every target (judged on the means).

Each point is kept in DIR/points/ as soon as it finishes: a sweep that
was stopped (Ctrl-C, SIGTERM) resumes when the same command runs again,
running only the points it had not finished, with the same results as a
sweep never stopped. A changed scenario, value, seed, --replications or
price table runs its points again; --fresh forgets every kept point.

PATH is a field path as error messages print it: system.instance_class,
workload[0].arrival.rate, clients.retry.max_attempts, system.multi_az. A
value is YAML, checked as if written in the file; ~ removes the key so
that its default applies.

Metrics: availability, {read,write,all}.{p50,p99,p999} (ms),
failover.duration (s), client.outage (s), lost_writes, cost (USD/month).`,
	args: []arg{{"SCENARIO|NAME", "a scenario file (- reads it from stdin), or the name of a bundled scenario (see dbsim list)"}},
	examples: []string{
		"dbsim sweep rds-multi-az-failover --replications 5 \\",
		"    --set system.instance_class=db.r6g.large,db.r6g.xlarge \\",
		"    --set 'workload[0].arrival.rate=1000/s,3000/s' --target 'write.p99<20ms'",
		"dbsim sweep my.yaml --target 'availability>=0.9995' --target 'cost<800' \\",
		"    --set system.multi_az+system.standby_az=none+~,instance+us-east-1b",
		"dbsim sweep my.yaml --set clients.retry.max_attempts=1,3,5 --shard 2/8 -o out",
		"dbsim sweep --print-prices > prices.yaml",
	},
}

func sweepCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sweep")
	var sets, targets multiFlag
	var plots listFlag
	fs.Var(&sets, "set", "sweep a field: `PATH=V1,V2,...` (repeat for a grid; P1+P2=V1+W1,V2+W2 moves two fields together)")
	fs.Var(&targets, "target", "a goal on a metric's mean: `EXPR` such as 'write.p99<20ms', 'availability>=0.9995', 'cost<500' (repeatable)")
	fs.Var(&plots, "plot", "plot these `METRICS` against each swept field (default availability,all.p99,write.p99,client.outage,cost)")
	out := fs.String("o", "out/sweep", "write sweep.csv, sweep.json and plots (or a shard's result) into `DIR`")
	shard := fs.String("shard", "", "run only shard `i/n` (0-based): the points whose index % n == i; merge with dbsim merge")
	reps := fs.Int("replications", 0, "replications per point (`N`; default: the scenario's)")
	pricesFile := fs.String("prices", "", "price table `FILE` replacing the built-in one (see --print-prices)")
	workers := fs.Int("workers", 0, "replications run at once (`N`; default: the number of CPUs)")
	quiet := fs.Bool("q", false, "no progress lines on stderr")
	fresh := fs.Bool("fresh", false, "forget the points a stopped sweep kept in DIR/points and run every point again")
	printPrices := fs.Bool("print-prices", false, "print the built-in price table (a starting point for --prices) and exit")
	lim := addLimitFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *printPrices {
		_, err := stdout.Write(pricing.DefaultYAML())
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("sweep", "want one scenario, got %d", fs.NArg())
	}
	if len(sets) == 0 {
		return badInput{fmt.Errorf("dbsim sweep: no --set: name at least one field to sweep, e.g. --set system.instance_class=db.r6g.large,db.r6g.xlarge")}
	}
	s, err := loadScenario(fs.Arg(0))
	if err != nil {
		return err
	}
	var axes []sweep.Axis
	for _, arg := range sets {
		ax, err := sweep.ParseSet(arg)
		if err != nil {
			return badInput{err}
		}
		axes = append(axes, ax)
	}
	if _, err := parseTargets(targets); err != nil {
		return err
	}
	if err := checkPlots(plots); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["replications"] && *reps < 1 {
		return badInput{fmt.Errorf("dbsim sweep: --replications must be at least 1")}
	}
	shardI, shardN, err := parseShard(*shard)
	if err != nil {
		return err
	}
	var prices *pricing.Prices
	if *pricesFile != "" {
		if prices, err = pricing.Load(*pricesFile); err != nil {
			return badInput{err}
		}
	}
	sw := &sweep.Sweep{Base: s, Axes: axes, Replications: *reps, Prices: prices}
	if err := checkOutDir("sweep", *out); err != nil {
		return err
	}
	store := sweep.OpenStore(filepath.Join(*out, "points"))
	if *fresh {
		if err := store.Clear(); err != nil {
			return err
		}
	}

	// Every point is checked before anything runs, one at a time; those
	// of the shard that the store holds are not run again.
	runs, mine, resumed := 0, 0, 0
	var est scenarios.Estimate
	total := time.Duration(0)
	workersN := workersOf(*workers)
	err = sw.Check(func(pt *sweep.Point) {
		if pt.Index%shardN != shardI {
			return
		}
		mine++
		if _, ok := store.Load(sw.Key(pt), pt.Index, pt.Values, pt.Scenario.Replications); ok {
			resumed++
			return
		}
		runs += pt.Scenario.Replications
		addEstimate(&est, pt.Scenario, workersN)
		total += pt.Scenario.Duration.D() * time.Duration(pt.Scenario.Replications)
	})
	if err != nil {
		return badInput{err}
	}
	if err := checkEstimate(fs.Arg(0)+" (sweep)", nil, est, lim.force, stderr); err != nil {
		return err
	}
	if !*quiet {
		where := ""
		if shardN > 1 {
			where = fmt.Sprintf(" (shard %d of %d: %d of the %d points)", shardI, shardN, mine, sw.Size())
		}
		fmt.Fprintf(stderr, "sweeping %s: %d points, %d simulation runs%s\n", s.Name, sw.Size(), runs, where)
		if resumed > 0 {
			fmt.Fprintf(stderr, "resuming: %d of the %d points are already in %s; running the other %d (--fresh starts over)\n",
				resumed, mine, store.Dir(), mine-resumed)
		}
	}
	done := resumed // points finished, those resumed included
	cols := sw.Columns()
	opt := sweep.Options{Shard: shardI, Shards: shardN, Workers: *workers, Targets: targets, Plots: plots, Store: store,
		Done: func(pt *sweep.Point, _ *sweep.PointResult) {
			done++
			if *quiet {
				return
			}
			var parts []string
			for i, c := range cols {
				parts = append(parts, c+"="+pt.Values[i])
			}
			fmt.Fprintf(stderr, "  [%d/%d] point %d: %s\n", done, mine, pt.Index, strings.Join(parts, " "))
		}}
	var prog scenarios.Progress
	// No bar: the sweep prints a line per point as it finishes.
	runCtx, stop := guardRun(ctx, lim, est, &prog, total, runs, true, stderr)
	opt.Context, opt.Progress = runCtx, &prog
	res, err := sw.Run(opt)
	stop()
	if err != nil {
		var in *scenarios.Interrupted
		if errors.As(err, &in) {
			return kept{err, fmt.Sprintf("%d of the %d points are kept in %s: the same command resumes from them", done, mine, store.Dir())}
		}
		return err
	}
	if shardN > 1 {
		if err := report.WriteSweepShard(ctx, *out, res); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "shard %d of %d: %d points written to %s\nwhen every shard is done: dbsim merge %s\n",
			shardI, shardN, len(res.Results), filepath.Join(*out, report.SweepShardFile(shardI, shardN)), *out)
		return nil
	}
	return finishSweep(ctx, stdout, *out, res)
}

// kept is the error of a stopped sweep: what it kept on disk (note)
// replaces "nothing written".
type kept struct {
	error
	note string
}

// Unwrap returns the sweep's error.
func (k kept) Unwrap() error { return k.error }

// finishSweep writes a whole sweep's report and prints its table and
// answer.
func finishSweep(ctx context.Context, stdout io.Writer, dir string, res *sweep.Result) error {
	if err := report.WriteSweepDir(ctx, dir, res); err != nil {
		return err
	}
	if err := report.WriteSweepText(stdout, res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nsweep written to %s/ (sweep.csv, sweep.json, plots)\n", dir)
	return nil
}

// parseShard parses "i/n" (0 ≤ i < n); "" is the whole sweep.
func parseShard(s string) (i, n int, err error) {
	if s == "" {
		return 0, 1, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, badInput{fmt.Errorf("dbsim sweep: --shard %q: want i/n with 0 ≤ i < n, e.g. 0/4 … 3/4", s)}
	}
	return i, n, nil
}

func parseTargets(args []string) ([]sweep.Target, error) {
	var ts []sweep.Target
	for _, a := range args {
		t, err := sweep.ParseTarget(a)
		if err != nil {
			return nil, badInput{err}
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func checkPlots(names []string) error {
	for _, n := range names {
		if _, ok := sweep.LookupMetric(n); !ok {
			var all []string
			for _, m := range sweep.Metrics {
				all = append(all, m.Name)
			}
			return badInput{fmt.Errorf("--plot: unknown metric %q (allowed: %s)", n, strings.Join(all, ", "))}
		}
	}
	return nil
}
