package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"dbsim/scenarios"
)

// listHelp is the help of dbsim list.
var listHelp = help{
	usage: "list",
	about: `Lists the scenarios built into dbsim, each with the start of its
description, then the bundled comparisons (dbsim compare NAME runs their
scenarios side by side). Any of them is a NAME for run, validate, compare
and sweep.`,
	examples: []string{"dbsim list"},
}

func listCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("list", "takes no arguments, got %d", fs.NArg())
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, b := range scenarios.Bundled() {
		fmt.Fprintf(tw, "%s\t%s\n", b.Name, b.Summary)
	}
	if cs := scenarios.BundledComparisons(); len(cs) > 0 {
		fmt.Fprintf(tw, "\nComparisons (dbsim compare NAME runs their scenarios side by side):\n")
		for _, c := range cs {
			fmt.Fprintf(tw, "%s\t%s\n", c.Name, c.Summary)
		}
	}
	return tw.Flush()
}
