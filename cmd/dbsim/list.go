package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"dbsim/scenarios"
)

func listCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return badInput{fmt.Errorf("dbsim list takes no arguments")}
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
