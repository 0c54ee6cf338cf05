// Command dbsim simulates AWS managed databases (RDS, Aurora, DynamoDB)
// under a workload and a fault schedule, and reports what the clients saw.
//
//	dbsim run rds-multi-az-failover -o out
//	dbsim validate my-scenario.yaml
//	dbsim list
//
// Exit status: 0 on success; 1 on a runtime or internal failure (out of
// memory included); 2 on bad input (a scenario too big to run included);
// 128+N when stopped by signal N (130 for SIGINT, 143 for SIGTERM).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"

	"dbsim/scenarios"
)

// Exit statuses.
const (
	exitOK       = 0
	exitRuntime  = 1
	exitBadInput = 2
	// exitSignal plus the signal's number is the status of a run stopped
	// by a signal, as a shell reports a process killed by it.
	exitSignal = 128
)

// badInput marks an error caused by the user's input (exit status 2).
type badInput struct{ err error }

func (b badInput) Error() string { return b.err.Error() }
func (b badInput) Unwrap() error { return b.err }

type command struct {
	summary string
	// run runs the command; ctx is cancelled by SIGINT or SIGTERM (its
	// cause a signalled).
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
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
	ctx, stop := withSignals(context.Background())
	code := MainContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Main runs the command line and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	return MainContext(context.Background(), args, stdout, stderr)
}

// MainContext runs the command line until ctx is cancelled and returns the
// exit status. A panic is an internal error: exit status 1, its stack on
// stderr.
func MainContext(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "dbsim: internal error: %v (a bug in dbsim; please report it with the scenario)\n%s", r, debug.Stack())
			code = exitRuntime
		}
	}()
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
	err := cmd.run(ctx, args[1:], stdout, stderr)
	var bad badInput
	var pe *scenarios.PanicError
	var oom *outOfMemory
	var sig signalled
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &bad):
		fmt.Fprintln(stderr, bad.err)
		return exitBadInput
	case errors.As(err, &pe):
		fmt.Fprintf(stderr, "dbsim: internal error: %v (a bug in dbsim; please report it with the scenario)\n%s", pe, pe.Stack)
		return exitRuntime
	case errors.As(err, &oom):
		fmt.Fprintf(stderr, "dbsim: %v; nothing written\n", oom)
		return exitRuntime
	case errors.As(err, &sig):
		fmt.Fprintf(stderr, "dbsim: %v; nothing written\n", err)
		return exitSignal + sig.number()
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

Before it runs anything, dbsim estimates a scenario's work (requests,
events, wall time, peak memory) and refuses one over its limits (2e10
events, 4 GB) unless given --force; a run whose heap passes --max-memory
stops. SIGINT or SIGTERM stops a run and writes nothing. On a terminal, a
run of more than a few seconds shows its progress on stderr.

Exit status: 0 success; 1 runtime or internal failure, out of memory
included; 2 bad input, a scenario too big to run included; 130 after
SIGINT, 143 after SIGTERM (nothing written).
`)
}
