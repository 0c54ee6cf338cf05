package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"dbsim/scenarios"
)

// This file is the commands' help: the text "dbsim CMD -h" and
// "dbsim help CMD" print, and the parsing of flags that leads to it or to a
// usage error.

// helpWidth is the width the help text is wrapped to.
const helpWidth = 80

// help is a command's help text. The options come from its flag set.
type help struct {
	// usage is the synopsis after "dbsim ", e.g. "run SCENARIO|NAME [options]".
	usage string
	// about says what the command does, in paragraphs.
	about string
	// args are the command's arguments, in the order the synopsis gives them.
	args []arg
	// examples are command lines, each with an optional "# comment".
	examples []string
}

// arg is one argument of a command: its name in the synopsis and what it
// may be.
type arg struct{ name, about string }

// helpRequested is returned by a command given -h or --help: its flag set
// has the options to print.
type helpRequested struct{ fs *flag.FlagSet }

// Error names the command whose help was asked for.
func (h helpRequested) Error() string { return "help requested for " + h.fs.Name() }

// usageError is bad input in the command line itself (an unknown flag, a
// missing argument): exit status 2, and the command's synopsis after the
// message.
type usageError struct {
	cmd string
	err error
}

// Error is the message without the synopsis.
func (u usageError) Error() string { return u.err.Error() }

// Unwrap returns the error.
func (u usageError) Unwrap() error { return u.err }

// usageErrorf is a usageError of the command cmd, its message prefixed
// with "dbsim CMD: ".
func usageErrorf(cmd, format string, args ...any) error {
	return usageError{cmd, fmt.Errorf("dbsim "+cmd+": "+format, args...)}
}

// newFlagSet returns an empty flag set for the command name that prints
// nothing itself: parseFlags returns what went wrong, and MainContext
// prints it once.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses flags and positional arguments in any order. -h or
// --help anywhere is a helpRequested; a bad flag a usageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return helpRequested{fs}
			}
			return usageErrorf(fs.Name(), "%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// writeHelp prints a command's help: Usage, what it does, Arguments,
// Options (its flags, with their defaults) and Examples.
func writeHelp(w io.Writer, h help, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: dbsim %s\n\n", h.usage)
	for _, para := range strings.Split(strings.TrimSpace(h.about), "\n\n") {
		fmt.Fprintf(w, "%s\n\n", wrap(strings.Join(strings.Fields(para), " "), helpWidth, 0))
	}
	fmt.Fprintln(w, "Arguments:")
	if len(h.args) == 0 {
		fmt.Fprintln(w, "  none")
	}
	var rows [][2]string
	for _, a := range h.args {
		rows = append(rows, [2]string{a.name, a.about})
	}
	writeTable(w, rows)
	fmt.Fprintln(w, "\nOptions:")
	writeTable(w, optionRows(fs))
	fmt.Fprintln(w, "\nExamples:")
	for _, e := range h.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

// optionRows lists the flags of fs, sorted by name, as rows of a table:
// "-o DIR" or "--seed N", and what it does with its default. A default
// that is the zero value is not shown, nor one the text states itself.
// -h, --help comes last.
func optionRows(fs *flag.FlagSet) [][2]string {
	var rows [][2]string
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		dashes := "--"
		if len(f.Name) == 1 {
			dashes = "-"
		}
		left := dashes + f.Name
		if name != "" {
			left += " " + name
		}
		if !slices.Contains([]string{"", "0", "false"}, f.DefValue) && !strings.Contains(usage, "default") {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		rows = append(rows, [2]string{left, usage})
	})
	return append(rows, [2]string{"-h, --help", "print this help"})
}

// writeTable writes two-column rows, the second column wrapped and aligned
// after the widest first one (at most 24 characters wide: a wider name
// puts its text on the next line).
func writeTable(w io.Writer, rows [][2]string) {
	const maxLeft = 24
	width := 0
	for _, r := range rows {
		if n := len([]rune(r[0])); n <= maxLeft {
			width = max(width, n)
		}
	}
	indent := 2 + width + 2
	for _, r := range rows {
		text := wrap(r[1], helpWidth, indent)
		if n := len([]rune(r[0])); n > maxLeft {
			fmt.Fprintf(w, "  %s\n%s%s\n", r[0], strings.Repeat(" ", indent), text)
			continue
		}
		fmt.Fprintf(w, "  %-*s  %s\n", width, r[0], text)
	}
}

// wrap breaks text into lines of at most width columns (a longer word
// stays whole), every line after the first indented by indent spaces; the
// first line is taken to start at column indent.
func wrap(text string, width, indent int) string {
	var b strings.Builder
	col := indent
	for i, word := range strings.Fields(text) {
		n := len([]rune(word))
		switch {
		case i == 0:
		case col+1+n > width:
			b.WriteString("\n" + strings.Repeat(" ", indent))
			col = indent
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += n
	}
	return b.String()
}

// helpHelp is the help of dbsim help.
var helpHelp = help{
	usage: "help [COMMAND]",
	about: `Prints the list of commands, or a command's help: what it does, its
arguments, its options with their defaults, and examples. "dbsim help
COMMAND" is "dbsim COMMAND -h".`,
	args:     []arg{{"COMMAND", "a command (run, validate, list, compare, sweep, merge, ...); none: the list of commands"}},
	examples: []string{"dbsim help", "dbsim help run", "dbsim sweep -h"},
}

func helpCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("help")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch fs.NArg() {
	case 0:
		usage(stdout)
		return nil
	case 1:
		name := fs.Arg(0)
		cmd, ok := commands[name]
		if !ok {
			return unknownCommand(name)
		}
		return cmd.run(ctx, []string{"-h"}, stdout, stderr)
	default:
		return usageErrorf("help", "want one command, got %d", fs.NArg())
	}
}

// unknownCommand is the usage error of a command name dbsim does not have.
func unknownCommand(name string) error {
	return usageError{"", fmt.Errorf("dbsim: unknown command %q%s (commands: %s)", name, scenarios.DidYouMean(name, commandNames()), strings.Join(commandNames(), ", "))}
}

// commandNames lists the commands, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
