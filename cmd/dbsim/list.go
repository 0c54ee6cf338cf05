package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"dbsim/models/aurora"
	"dbsim/models/cluster"
	"dbsim/models/rds"
	"dbsim/scenarios"
)

// listHelp is the help of dbsim list.
var listHelp = help{
	usage: "list",
	about: `Lists the scenarios built into dbsim, each with the start of its
description, then the bundled comparisons (dbsim compare NAME runs their
scenarios side by side). Any of them is a NAME for run, validate, compare
and sweep.

With --classes it lists the instance classes instead, the values of
system.instance_class: RDS's and Aurora's, with their vCPUs (the engine's
concurrency) and memory.`,
	examples: []string{"dbsim list", "dbsim list --classes"},
}

func listCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("list")
	classes := fs.Bool("classes", false, "list the RDS and Aurora instance classes instead of the scenarios")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("list", "takes no arguments, got %d", fs.NArg())
	}
	if *classes {
		return listClasses(stdout)
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

// listClasses prints the instance classes of RDS and of Aurora, by family
// and size.
func listClasses(w io.Writer) error {
	for i, sys := range []struct {
		heading string
		names   []string
		lookup  func(string) (cluster.Class, bool)
	}{
		{"RDS (kind: rds)", rds.ClassNames(), rds.LookupClass},
		{"Aurora (kind: aurora)", aurora.ClassNames(), aurora.LookupClass},
	} {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s instance classes:\n", sys.heading)
		var list []cluster.Class
		width := 0
		for _, n := range sys.names {
			c, _ := sys.lookup(n)
			list = append(list, c)
			width = max(width, len(c.Name))
		}
		slices.SortFunc(list, func(a, b cluster.Class) int {
			return cmp.Or(strings.Compare(family(a.Name), family(b.Name)), cmp.Compare(a.VCPUs, b.VCPUs), cmp.Compare(a.MemoryGiB, b.MemoryGiB))
		})
		for _, c := range list {
			if _, err := fmt.Fprintf(w, "  %-*s  %2d vCPUs  %4g GiB\n", width, c.Name, c.VCPUs, c.MemoryGiB); err != nil {
				return err
			}
		}
	}
	return nil
}

// family is a class's name without its size: db.r6g for db.r6g.large.
func family(class string) string {
	return class[:max(0, strings.LastIndexByte(class, '.'))]
}
