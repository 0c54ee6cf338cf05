// Command dbsim simulates AWS managed databases (RDS, Aurora, DynamoDB)
// under a workload and a fault schedule, and reports what the clients saw.
//
//	dbsim run rds-multi-az-failover -o out
//	dbsim validate my-scenario.yaml
//	dbsim list
//
// Exit status: 0 on success, 1 on a runtime error, 2 on bad input.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
)

// Exit statuses.
const (
	exitOK       = 0
	exitRuntime  = 1
	exitBadInput = 2
)

// badInput marks an error caused by the user's input (exit status 2).
type badInput struct{ err error }

func (b badInput) Error() string { return b.err.Error() }
func (b badInput) Unwrap() error { return b.err }

type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"run":      {"simulate a scenario and write its report", runCmd},
	"validate": {"check scenario files and list every problem", validateCmd},
	"list":     {"list the bundled scenarios", listCmd},
	"sweep":    {"run a scenario over a grid of field values; cost and targets", sweepCmd},
	"merge":    {"join the shard results of a sweep into its report", mergeCmd},
	"compare":  {"run one workload through several systems, side by side", compareCmd},
}

func main() {
	// A run keeps little live memory (tens of MB, flat in simulated time)
	// but allocates per request: a higher GC target trades a little memory
	// for fewer collections. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs the command line and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dbsim: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitBadInput
	}
	err := cmd.run(args[1:], stdout, stderr)
	var bad badInput
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &bad):
		fmt.Fprintln(stderr, bad.err)
		return exitBadInput
	default:
		fmt.Fprintf(stderr, "dbsim: %v\n", err)
		return exitRuntime
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `dbsim simulates AWS managed databases (RDS, Aurora, DynamoDB) under a
workload and a fault schedule, and reports what the clients saw.

Usage:
  dbsim COMMAND [arguments]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Examples:
  dbsim list
  dbsim run rds-multi-az-failover -o out
  dbsim run my-scenario.yaml --seed 7 --replications 20 --json
  dbsim validate scenarios/library/*.yaml

Run "dbsim COMMAND -h" for a command's options.
Exit status: 0 success, 1 runtime error, 2 bad input.
`)
}
