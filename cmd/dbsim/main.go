// Command dbsim simulates AWS managed databases (RDS, Aurora, DynamoDB)
// under a workload and a fault schedule, and reports what the clients saw.
//
//	dbsim run rds-multi-az-failover -o out
//	dbsim validate my-scenario.yaml
//	dbsim list
//	dbsim help run
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
	help    help
	// run runs the command; ctx is cancelled by SIGINT or SIGTERM (its
	// cause a signalled). Given -h or --help it returns a helpRequested.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"run":      {"simulate a scenario and write its report", runHelp, runCmd},
	"validate": {"check scenario files and list every problem", validateHelp, validateCmd},
	"list":     {"list the bundled scenarios, or the instance classes", listHelp, listCmd},
	"sweep":    {"run a scenario over a grid of field values; cost and targets", sweepHelp, sweepCmd},
	"merge":    {"join the shard results of a sweep into its report", mergeHelp, mergeCmd},
	"compare":  {"run one workload through several systems, side by side", compareHelp, compareCmd},
	"import":   {"write a scenario from AWS CLI, Terraform or CloudFormation exports", importHelp, importCmd},
	"show":     {"print a bundled scenario's YAML, to start your own from", showHelp, showCmd},
	"schema":   {"print the JSON Schema of scenarios, for editors", schemaHelp, schemaCmd},
	"version":  {"print dbsim's version, git revision and Go version", versionHelp, versionCmd},
}

// help is registered here: its command reads the table, which a map
// literal cannot hold without an initialization cycle.
func init() {
	commands["help"] = command{"print the help of dbsim or of a command", helpHelp, helpCmd}
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
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	if args[0] == "--version" {
		args[0] = "version"
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return finish(unknownCommand(args[0]), stdout, stderr)
	}
	return finish(cmd.run(ctx, args[1:], stdout, stderr), stdout, stderr)
}

// finish prints what a command returned, once, and returns the exit
// status: its help on stdout, an error on stderr.
func finish(err error, stdout, stderr io.Writer) int {
	var h helpRequested
	var u usageError
	var bad badInput
	var pe *scenarios.PanicError
	var oom *outOfMemory
	var sig signalled
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &h):
		writeHelp(stdout, commands[h.fs.Name()].help, h.fs)
		return exitOK
	case errors.As(err, &u):
		fmt.Fprintln(stderr, u.err)
		if c, ok := commands[u.cmd]; ok {
			fmt.Fprintf(stderr, "Usage: dbsim %s (dbsim help %s for more)\n", c.help.usage, u.cmd)
		} else {
			fmt.Fprintln(stderr, `Run "dbsim help" for the commands.`)
		}
		return exitBadInput
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
		what := "nothing written"
		var k kept
		if errors.As(err, &k) {
			what = k.note
		}
		fmt.Fprintf(stderr, "dbsim: %v; %s\n", err, what)
		return exitSignal + sig.number()
	default:
		fmt.Fprintf(stderr, "dbsim: %v\n", err)
		return exitRuntime
	}
}

// usage is dbsim's own help: what it does, its commands, examples.
func usage(w io.Writer) {
	fmt.Fprint(w, `dbsim simulates AWS managed databases (RDS, Aurora, DynamoDB) under a
workload and a fault schedule, and reports what the clients saw.

Usage:
  dbsim COMMAND [arguments]

Commands:
`)
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Examples:
  dbsim list
  dbsim show rds-multi-az-failover > my.yaml
  dbsim run rds-multi-az-failover -o out
  dbsim run my-scenario.yaml --seed 7 --replications 20 --json
  dbsim validate scenarios/library/*.yaml

Run "dbsim help COMMAND" (or "dbsim COMMAND -h") for a command's
arguments, options and examples.

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
