package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"dbsim/report"
	"dbsim/scenarios"
	"dbsim/scenarios/pricing"
)

// compareHelp is the help of dbsim compare.
var compareHelp = help{
	usage: "compare SCENARIO|NAME SCENARIO|NAME... [options]",
	about: `Runs one workload through several systems and reports them side by side.

Scenarios with the same seed and the same workload see the same arrivals
(common random numbers), so the differences come from the systems. dbsim
checks that the seeds, workloads, faults, durations and warmups agree and
warns, naming what differs, when they do not; --seed gives every scenario
one seed.

Writes compare.csv and compare.json (one row per system), the plots
compare-write-p99 and compare-availability (PNG and SVG, one line per
system) and compare.html, and prints the table.`,
	args: []arg{{"SCENARIO|NAME...", "two or more scenario files (- reads one from stdin) or bundled scenarios, or a bundled comparison (a named set of scenarios: see dbsim list)"}},
	examples: []string{
		"dbsim compare rds-vs-aurora-vs-dynamodb",
		"dbsim compare order-processing-rds order-processing-aurora --replications 10",
		"dbsim compare mine-rds.yaml mine-aurora.yaml --seed 7 --json",
	},
}

func compareCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare")
	out := fs.String("o", "", "write compare.csv, compare.json, plots and compare.html into `DIR` (default \"out/compare\", or nothing with --json)")
	seed := fs.Uint64("seed", 0, "give every scenario this seed (`N`)")
	reps := fs.Int("replications", 0, "give every scenario this number of replications (`N`)")
	asJSON := fs.Bool("json", false, "print compare.json to stdout instead of the table")
	pricesFile := fs.String("prices", "", "price table `FILE` replacing the built-in one (dbsim sweep --print-prices prints it)")
	workers := fs.Int("workers", 0, "replications run at once (`N`; default: the number of CPUs)")
	quiet := fs.Bool("q", false, "no progress line on stderr")
	lim := addLimitFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["replications"] && *reps < 1 {
		return badInput{fmt.Errorf("dbsim compare: --replications must be at least 1")}
	}
	if fs.NArg() == 0 {
		return usageErrorf("compare", "name at least two scenarios, or a bundled comparison")
	}
	if err := stdinOnce("compare", fs.Args()); err != nil {
		return err
	}
	name, list, err := loadComparison(fs.Args())
	if err != nil {
		return err
	}
	for _, s := range list {
		if set["seed"] {
			s.Seed = *seed
		}
		if set["replications"] {
			s.Replications = *reps
		}
	}
	var prices *pricing.Prices
	if *pricesFile != "" {
		if prices, err = pricing.Load(*pricesFile); err != nil {
			return badInput{err}
		}
	}
	dir := *out
	if dir == "" && !*asJSON {
		dir = "out/compare"
	}

	c := &report.Comparison{Name: name, Warnings: scenarios.Comparability(list), Prices: prices}
	est := estimate(list, workersOf(*workers))
	if err := checkEstimate(strings.Join(fs.Args(), " "), list, est, lim.force, stderr); err != nil {
		return err
	}
	if dir != "" {
		if err := checkOutDir("compare", dir); err != nil {
			return err
		}
	}
	runs, total := 0, time.Duration(0)
	for _, s := range list {
		runs += s.Replications
		total += s.Duration.D() * time.Duration(s.Replications)
	}
	if !*quiet {
		fmt.Fprintf(stderr, "comparing %d systems: %d simulation runs\n", len(list), runs)
	}
	var prog scenarios.Progress
	runCtx, stop := guardRun(ctx, lim, est, &prog, total, runs, *quiet, stderr)
	c.Results, err = runAll(runCtx, list, *workers, &prog)
	stop()
	if err != nil {
		return err
	}
	if dir != "" {
		if err := report.WriteCompareDir(ctx, dir, c); err != nil {
			return err
		}
	}
	cs := report.SummarizeComparison(c)
	if *asJSON {
		return report.WriteCompareJSON(stdout, cs)
	}
	if err := report.WriteCompareText(stdout, cs); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ncomparison written to %s/ (compare.html, compare.csv, compare.json, plots)\n", dir)
	return nil
}

// loadComparison loads the scenarios that args name, in order, a bundled
// comparison standing for its scenarios. The name is the comparison's when
// args is one bundled comparison, "" otherwise. Fewer than two scenarios,
// or two with one name, are bad input.
func loadComparison(args []string) (string, []*scenarios.Scenario, error) {
	var name string
	var list []*scenarios.Scenario
	for _, arg := range args {
		if fi, err := os.Stat(arg); (err != nil || fi.IsDir()) && !scenarios.IsBundled(arg) && scenarios.IsBundledComparison(arg) {
			cmp, err := scenarios.LoadBundledComparison(arg)
			if err != nil {
				return "", nil, err // a broken bundled file is dbsim's fault
			}
			for _, n := range cmp.Scenarios {
				s, err := loadScenario(n)
				if err != nil {
					return "", nil, err
				}
				list = append(list, s)
			}
			if len(args) == 1 {
				name = cmp.Name
			}
			continue
		}
		s, err := loadScenarioOr(arg, true)
		if err != nil {
			return "", nil, err
		}
		list = append(list, s)
	}
	if len(list) < 2 {
		return "", nil, badInput{fmt.Errorf("dbsim compare: %d scenario given, at least two needed (or a bundled comparison: see dbsim list)", len(list))}
	}
	where := map[string]string{}
	for _, s := range list {
		from := s.File
		if prev, ok := where[s.Name]; ok {
			return "", nil, badInput{fmt.Errorf("dbsim compare: two scenarios are named %q (%s and %s): each system needs its own name", s.Name, prev, from)}
		}
		where[s.Name] = from
	}
	return name, list, nil
}

// runAll runs every replication of every scenario, at most workers at once
// (0: GOMAXPROCS), until ctx is cancelled (a *scenarios.Interrupted), and
// adds to prog as they go. Each replication is a pure function of its
// scenario and index, so the results do not depend on the scheduling.
func runAll(ctx context.Context, list []*scenarios.Scenario, workers int, prog *scenarios.Progress) ([]*scenarios.Result, error) {
	var jobs []scenarios.Job
	var sys []int // each job's index in list
	results := make([]*scenarios.Result, len(list))
	for i, s := range list {
		results[i] = &scenarios.Result{Scenario: s, Replications: make([]*scenarios.Replication, s.Replications)}
		for r := 0; r < s.Replications; r++ {
			jobs = append(jobs, scenarios.Job{Scenario: s, Replication: r})
			sys = append(sys, i)
		}
	}
	err := scenarios.RunJobs(jobs, scenarios.Options{Workers: workers, Context: ctx, Progress: prog}, func(k int, rep *scenarios.Replication) {
		results[sys[k]].Replications[jobs[k].Replication] = rep
	})
	if je := (*scenarios.JobError)(nil); errors.As(err, &je) {
		return nil, fmt.Errorf("%s: %w", list[sys[je.Job]].Name, je.Err)
	}
	if err != nil {
		return nil, err
	}
	return results, nil
}
