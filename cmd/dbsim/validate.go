package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"dbsim/scenarios"
)

// validateHelp is the help of dbsim validate.
var validateHelp = help{
	usage: "validate SCENARIO|NAME... [--force]",
	about: `Checks scenarios without running them and lists every problem as
file:line:col: path: what is wrong (what is allowed), then estimates the
work of each valid one: simulated requests, attempts, kernel events, wall
time and peak memory on this machine. A scenario over the limits (2e10
events, 4 GB, more fault events than requests) is an error, as dbsim run
would refuse it, unless --force. Exit status 2 if any has a problem.

Warnings (suspect but allowed: the scenario runs) go to stderr.`,
	args: []arg{{"SCENARIO|NAME...", "scenario files (- reads one from stdin), or names of bundled scenarios (see dbsim list)"}},
	examples: []string{
		"dbsim validate my.yaml",
		"dbsim show rds-multi-az-failover | dbsim validate -",
		"dbsim validate scenarios/library/*.yaml",
	},
}

func validateCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate")
	force := fs.Bool("force", false, "only warn about a scenario too big to run")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("validate", "no scenario given")
	}
	if err := stdinOnce("validate", fs.Args()); err != nil {
		return err
	}
	var bad []error
	for _, arg := range fs.Args() {
		s, err := loadScenario(arg)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		printWarnings(stderr, s)
		est := estimate([]*scenarios.Scenario{s}, workersOf(0))
		if err := checkEstimate(arg, []*scenarios.Scenario{s}, est, *force, stderr); err != nil {
			bad = append(bad, err)
			continue
		}
		fmt.Fprintf(stdout, "%s: ok; %s\n", arg, est)
	}
	if len(bad) > 0 {
		return badInput{errors.Join(bad...)}
	}
	return nil
}

// printWarnings writes what validation found suspect in s, one a line.
func printWarnings(w io.Writer, s *scenarios.Scenario) {
	for _, e := range s.Warnings {
		fmt.Fprintln(w, e)
	}
}
