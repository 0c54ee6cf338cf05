package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"dbsim/scenarios"
)

func validateCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: dbsim validate FILE|NAME...

Checks scenarios without running them and lists every problem as
file:line:col: what is wrong (what is allowed). Exit status 2 if any has one.
Warnings (suspect but allowed: the scenario runs) go to stderr.

Example:
  dbsim validate scenarios/library/*.yaml
`)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return badInput{errors.New("dbsim validate: no scenario given")}
	}
	var bad []error
	for _, arg := range fs.Args() {
		s, err := loadScenario(arg)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		printWarnings(stderr, s)
		fmt.Fprintf(stdout, "%s: ok\n", arg)
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
