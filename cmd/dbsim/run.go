package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"dbsim/report"
	"dbsim/scenarios"
	"dbsim/scenarios/pricing"
)

// runHelp is the help of dbsim run.
var runHelp = help{
	usage: "run SCENARIO|NAME [options]",
	about: `Simulates a scenario and writes its report: summary.json,
timeseries.csv, plots (PNG and SVG) and report.html, and prints a text
summary.

A scenario whose estimate (see dbsim validate) is over the limits is
refused with exit status 2 unless --force; a heap over --max-memory stops
the run with exit status 1; SIGINT or SIGTERM stops it with 130 or 143.
Either way nothing is written. On a terminal a run of more than a few
seconds shows its progress on stderr.`,
	args: []arg{{"SCENARIO|NAME", "a scenario file (YAML; - reads it from stdin), or the name of a bundled scenario (see dbsim list)"}},
	examples: []string{
		"dbsim run rds-multi-az-failover -o out",
		"dbsim run client-dns-cache --json",
		"dbsim run my.yaml --seed 3 --replications 10 -o results/my",
		"dbsim run my.yaml -q -o results/my && echo done",
		"dbsim run dynamodb-autoscaling-lag --cloudwatch-period 5m -o out",
	},
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run")
	out := fs.String("o", "", "write the report into `DIR` (default \"out\", or nothing with --json)")
	seed := fs.Uint64("seed", 0, "override the scenario's seed (`N`)")
	reps := fs.Int("replications", 0, "override the number of replications (`N`)")
	asJSON := fs.Bool("json", false, "print summary.json to stdout instead of the text summary")
	pricesFile := fs.String("prices", "", "price table `FILE` replacing the built-in one (dbsim sweep --print-prices prints it)")
	quiet := fs.Bool("q", false, "quiet: no text summary, warnings or progress; only errors (--json still prints summary.json)")
	cwPeriod := fs.String("cloudwatch-period", "", "the period of cloudwatch.json, `DURATION` such as 5m (default: a replayed trace's, else 1m)")
	lim := addLimitFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("run", "want one scenario, got %d", fs.NArg())
	}
	notes := stderr // warnings and progress: none with -q
	if *quiet {
		notes = io.Discard
	}
	s, err := loadScenario(fs.Arg(0))
	if err != nil {
		return err
	}
	printWarnings(notes, s)
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["seed"] {
		s.Seed = *seed
	}
	if set["replications"] {
		if *reps < 1 {
			return badInput{fmt.Errorf("dbsim run: --replications must be at least 1")}
		}
		s.Replications = *reps
	}
	if set["cloudwatch-period"] {
		d, err := scenarios.ParseDuration(*cwPeriod)
		if err != nil || d < scenarios.Duration(time.Second) || d%scenarios.Duration(time.Second) != 0 {
			return badInput{fmt.Errorf("dbsim run: --cloudwatch-period %q: want whole seconds, at least 1s (e.g. 60s, 5m)", *cwPeriod)}
		}
		s.CloudWatchPeriod = d.D()
	}
	dir := *out
	if dir == "" && !*asJSON {
		dir = "out"
	}
	var prices *pricing.Prices
	if *pricesFile != "" {
		if prices, err = pricing.Load(*pricesFile); err != nil {
			return badInput{err}
		}
	}
	workers := workersOf(0)
	est := estimate([]*scenarios.Scenario{s}, workers)
	if err := checkEstimate(fs.Arg(0), []*scenarios.Scenario{s}, est, lim.force, notes); err != nil {
		return err
	}
	if dir != "" {
		if err := checkOutDir("run", dir); err != nil {
			return err
		}
	}
	var prog scenarios.Progress
	runCtx, stop := guardRun(ctx, lim, est, &prog, s.Duration.D()*time.Duration(s.Replications), s.Replications, *quiet, stderr)
	res, err := scenarios.Run(s, scenarios.Options{Context: runCtx, Progress: &prog, Workers: workers})
	stop()
	if err != nil {
		return err
	}
	sum := report.Summarize(res, prices)
	if dir != "" {
		if err := report.WriteDirContext(ctx, dir, res, prices); err != nil {
			return err
		}
	}
	if *asJSON {
		return report.WriteJSON(stdout, sum)
	}
	if *quiet {
		return nil
	}
	if err := report.WriteText(stdout, sum); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nreport written to %s/\n", dir)
	return nil
}

// loadScenario reads a scenario file, or a bundled scenario by name.
func loadScenario(arg string) (*scenarios.Scenario, error) {
	return loadScenarioOr(arg, false)
}

// loadScenarioOr is loadScenario for a command that also takes a bundled
// comparison (comparisons true), which a mistyped name may then be near.
func loadScenarioOr(arg string, comparisons bool) (*scenarios.Scenario, error) {
	var s *scenarios.Scenario
	var err error
	if arg == "-" {
		s, err = readStdin()
	} else if fi, statErr := os.Stat(arg); statErr == nil && !fi.IsDir() {
		s, err = scenarios.Load(arg)
	} else if scenarios.IsBundled(arg) {
		s, err = scenarios.LoadBundled(arg)
	} else {
		what := "bundled scenario"
		if comparisons {
			what = "bundled scenario or comparison"
		}
		return nil, badInput{fmt.Errorf("%s: no such file, and no %s of that name%s (see dbsim list)", arg, what, scenarios.DidYouMean(arg, bundledNames(comparisons)))}
	}
	if err != nil {
		return nil, badInput{err}
	}
	return s, nil
}

// stdin is what "-" reads a scenario from; tests replace it.
var stdin io.Reader = os.Stdin

// stdinName names the scenario read from stdin in messages.
const stdinName = scenarios.StdinName

// readStdin reads and parses a scenario from stdin, refusing one over
// scenarios.MaxFileSize as a file is.
func readStdin() (*scenarios.Scenario, error) {
	data, err := io.ReadAll(io.LimitReader(stdin, scenarios.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", stdinName, err)
	}
	return scenarios.Parse(stdinName, data)
}

// stdinOnce refuses arguments that name stdin ("-") more than once: the
// second would read nothing.
func stdinOnce(cmd string, args []string) error {
	if n := slices.Index(args, "-"); n >= 0 && slices.Contains(args[n+1:], "-") {
		return usageErrorf(cmd, "- (stdin) can be given once")
	}
	return nil
}

// bundledNames lists the bundled scenarios and, if comparisons, the
// bundled comparisons.
func bundledNames(comparisons bool) []string {
	var names []string
	for _, b := range scenarios.Bundled() {
		names = append(names, b.Name)
	}
	if comparisons {
		for _, c := range scenarios.BundledComparisons() {
			names = append(names, c.Name)
		}
	}
	return names
}
