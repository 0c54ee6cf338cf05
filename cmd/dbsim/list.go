package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"

	"dbsim/models/aurora"
	"dbsim/models/cluster"
	"dbsim/models/rds"
	"dbsim/scenarios"
)

// listHelp is the help of dbsim list.
var listHelp = help{
	usage: "list",
	about: `Lists the scenarios built into dbsim, each with the first sentence of
its description (dbsim show NAME prints the whole file), then the bundled
comparisons (dbsim compare NAME runs their scenarios side by side). Any of
them is a NAME for run, validate, show, compare and sweep.

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
	var rows, comparisons [][2]string
	for _, b := range scenarios.Bundled() {
		desc := b.Summary // what a file that does not load shows
		if s, err := scenarios.LoadBundled(b.Name); err == nil {
			desc = s.Description
		}
		rows = append(rows, [2]string{b.Name, desc})
	}
	for _, c := range scenarios.BundledComparisons() {
		desc := c.Summary
		if cmp, err := scenarios.LoadBundledComparison(c.Name); err == nil {
			desc = cmp.Description
		}
		comparisons = append(comparisons, [2]string{c.Name, desc})
	}
	lineWidth := terminalWidth(stdout)
	writeSummaries(stdout, rows, lineWidth)
	if len(comparisons) > 0 {
		fmt.Fprintf(stdout, "\nComparisons (dbsim compare NAME runs their scenarios side by side):\n")
		writeSummaries(stdout, comparisons, lineWidth)
	}
	return nil
}

// summaryLines is how many lines a scenario's summary in dbsim list may
// take, and summaryIndent how far they are indented under its name.
const (
	summaryLines  = 3
	summaryIndent = 4
)

// writeSummaries writes each row's name on a line and, under it, the
// first sentence of its description wrapped into lines of lineWidth
// columns, at most summaryLines of them: a longer sentence is cut at a
// clause or word boundary, with an ellipsis.
func writeSummaries(w io.Writer, rows [][2]string, lineWidth int) {
	text := lineWidth - summaryIndent
	for _, r := range rows {
		// Wrapping loses up to a word's width a line: leave room for it.
		summary := clip(firstSentence(r[1]), summaryLines*(text-12))
		fmt.Fprintf(w, "%s\n%s%s\n", r[0], strings.Repeat(" ", summaryIndent), wrap(summary, lineWidth, summaryIndent))
	}
}

// firstSentence is text's first sentence, its lines joined: up to the
// first word that ends in a full stop and is not an abbreviation.
func firstSentence(text string) string {
	words := strings.Fields(text)
	for i, w := range words {
		if strings.HasSuffix(w, ".") && !slices.Contains(abbreviations, strings.TrimLeft(w, "(")) {
			return strings.Join(words[:i+1], " ")
		}
	}
	return strings.Join(words, " ")
}

// abbreviations end in a full stop that does not end a sentence.
var abbreviations = []string{"e.g.", "i.e.", "etc.", "vs.", "cf.", "approx."}

// clip cuts s to at most n runes and ends it with an ellipsis: after the
// last comma, colon or semicolon outside parentheses in its second half,
// or else before the last word that starts outside parentheses (any last
// word if none does). s as it is when it fits.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	r = r[:n]
	clause, word, anyWord, depth := -1, -1, -1, 0
	for i, c := range r {
		switch {
		case c == '(':
			depth++
		case c == ')':
			depth = max(0, depth-1)
		case c == ' ':
			anyWord = i
			if depth == 0 {
				word = i
				if i > 0 && strings.ContainsRune(",:;", r[i-1]) && i >= n/2 {
					clause = i - 1
				}
			}
		}
	}
	switch {
	case clause >= 0:
		return string(r[:clause]) + " …"
	case word > 0:
		return strings.TrimRight(string(r[:word]), ",:;") + " …"
	case anyWord > 0:
		return strings.TrimRight(string(r[:anyWord]), ",:;") + " …"
	}
	return string(r) + "…"
}

// terminalWidth is the width of the terminal w writes to, or 80 when it is
// not a terminal (a pipe, a file: the output is the same everywhere).
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && isTerminal(w) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols >= 60 {
			return min(cols, 160)
		}
	}
	return 80
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
