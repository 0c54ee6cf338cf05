package main

import (
	"context"
	"fmt"
	"io"

	"dbsim/scenarios"
)

// showHelp is the help of dbsim show.
var showHelp = help{
	usage: "show NAME",
	about: `Prints a bundled scenario's YAML exactly as it is built into dbsim: a
starting point for a scenario of your own. For a bundled comparison it
prints the comparison's file, which names its scenarios.`,
	args: []arg{{"NAME", "a bundled scenario or comparison (see dbsim list)"}},
	examples: []string{
		"dbsim show rds-multi-az-failover > my.yaml",
		"dbsim show rds-multi-az-failover | dbsim validate -",
		"dbsim show rds-vs-aurora-vs-dynamodb",
	},
}

func showCmd(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("show")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("show", "want one bundled scenario or comparison, got %d", fs.NArg())
	}
	name := fs.Arg(0)
	var src []byte
	switch {
	case scenarios.IsBundled(name):
		s, err := scenarios.LoadBundled(name)
		if err != nil {
			return err // a broken bundled file is dbsim's fault
		}
		src = s.Source
	case scenarios.IsBundledComparison(name):
		var err error
		if src, err = scenarios.BundledComparisonSource(name); err != nil {
			return err
		}
	default:
		return badInput{fmt.Errorf("dbsim show: no bundled scenario or comparison %q%s (see dbsim list)", name, scenarios.DidYouMean(name, bundledNames(true)))}
	}
	_, err := stdout.Write(src)
	return err
}
