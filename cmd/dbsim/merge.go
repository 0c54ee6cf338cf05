package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"dbsim/scenarios/sweep"
)

// mergeHelp is the help of dbsim merge.
var mergeHelp = help{
	usage: "merge DIR|FILE... [options]",
	about: `Joins the shard results of a sweep (sweep-shard-I-of-N.json, written by
dbsim sweep --shard I/N) into the report one unsharded sweep writes, byte
for byte: sweep.csv, sweep.json and the plots. Every shard 0..N-1 must be
there exactly once, all from the same sweep.`,
	args: []arg{{"DIR|FILE...", "shard files, or directories that stand for every sweep-shard-*.json in them"}},
	examples: []string{
		"dbsim merge shards/ -o results/",
		"dbsim merge a/sweep-shard-0-of-2.json b/sweep-shard-1-of-2.json -o results/",
	},
}

func mergeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge")
	var targets multiFlag
	var plots listFlag
	out := fs.String("o", "", "write sweep.csv, sweep.json and plots into `DIR` (default: the first DIR given, or the first file's directory)")
	fs.Var(&targets, "target", "judge the points against `EXPR` instead of the sweep's own --target (repeatable)")
	fs.Var(&plots, "plot", "plot these `METRICS` instead of the sweep's own --plot")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("merge", "want shard files or directories")
	}
	var files []string
	for _, arg := range fs.Args() {
		fi, err := os.Stat(arg)
		if err != nil {
			return badInput{fmt.Errorf("dbsim merge: %v", err)}
		}
		if !fi.IsDir() {
			files = append(files, arg)
			continue
		}
		found, err := filepath.Glob(filepath.Join(arg, "sweep-shard-*-of-*.json"))
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return badInput{fmt.Errorf("dbsim merge: %s holds no sweep-shard-*.json", arg)}
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	dir := *out
	if dir == "" {
		dir = fs.Arg(0)
		if fi, _ := os.Stat(dir); !fi.IsDir() {
			dir = filepath.Dir(dir)
		}
	}
	if err := checkOutDir("merge", dir); err != nil {
		return err
	}
	var parts []*sweep.Result
	for _, f := range files {
		r, err := readSweep(f)
		if err != nil {
			return badInput{fmt.Errorf("dbsim merge: %s: %v", f, err)}
		}
		parts = append(parts, r)
	}
	merged, err := sweep.Merge(parts, files)
	if err != nil {
		return badInput{err}
	}
	if len(targets) > 0 {
		if _, err := parseTargets(targets); err != nil {
			return err
		}
		merged.Targets = targets
	}
	if len(plots) > 0 {
		if err := checkPlots(plots); err != nil {
			return err
		}
		merged.Plots = plots
	}
	return finishSweep(ctx, stdout, dir, merged)
}

func readSweep(path string) (*sweep.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return sweep.ReadResult(f)
}
