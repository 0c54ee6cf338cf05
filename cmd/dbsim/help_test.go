package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command answers -h, --help and "dbsim help CMD" with the same help
// on stdout, exit status 0: Usage, Arguments, Options and Examples.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, name := range commandNames() {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := run(t, name, "-h")
			require.Equal(t, exitOK, code, errOut)
			assert.Empty(t, errOut)
			assert.True(t, strings.HasPrefix(out, "Usage: dbsim "+name), out)
			last := 0
			for _, section := range []string{"\nArguments:\n", "\nOptions:\n", "\nExamples:\n  dbsim "} {
				i := strings.Index(out, section)
				require.Greater(t, i, last, "%q after the previous section:\n%s", section, out)
				last = i
			}
			assert.Contains(t, out, "  -h, --help")
			for _, line := range strings.Split(out, "\n") {
				assert.LessOrEqual(t, len([]rune(line)), helpWidth, "wrapped: %q", line)
			}

			long, _, code := run(t, name, "--help")
			assert.Equal(t, exitOK, code)
			assert.Equal(t, out, long)
			viaHelp, _, code := run(t, "help", name)
			assert.Equal(t, exitOK, code)
			assert.Equal(t, out, viaHelp)
		})
	}
}

// The options come with their defaults, whatever the flag's type.
func TestHelpShowsDefaults(t *testing.T) {
	out, _, _ := run(t, "sweep", "-h")
	assert.Contains(t, out, "(default out/sweep)")
	assert.Regexp(t, `\n  --plot METRICS +plot these METRICS against each swept field \(default\n +availability,all.p99,write.p99,client.outage,cost\)\n`, out)
	out, _, _ = run(t, "run", "-h")
	assert.Contains(t, out, "\n  --seed N ")
	assert.Contains(t, out, `(default "out", or nothing with`)
}

func TestHelpCommand(t *testing.T) {
	top, _, code := run(t, "help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, top, "Commands:")
	for _, name := range commandNames() {
		assert.Contains(t, top, "\n  "+name+" ")
	}
	dash, _, _ := run(t, "-h")
	assert.Equal(t, top, dash)
	for _, line := range strings.Split(top, "\n") {
		assert.LessOrEqual(t, len([]rune(line)), helpWidth, "wrapped: %q", line)
	}

	out, errOut, code := run(t, "help", "frobnicate")
	assert.Equal(t, exitBadInput, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `unknown command "frobnicate"`)
	_, _, code = run(t, "help", "run", "list")
	assert.Equal(t, exitBadInput, code)
}

// A usage error is printed once, with the command's synopsis, never the
// whole help; exit status 2.
func TestUsageErrorsArePrintedOnce(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--bogus", "rds-multi-az-failover"},
		{"run"},
		{"validate", "-x"},
		{"compare", "--frobnicate"},
		{"sweep", "a", "b"},
		{"merge"},
		{"list", "extra"},
	} {
		out, errOut, code := run(t, args...)
		assert.Equal(t, exitBadInput, code, "%v", args)
		assert.Empty(t, out, "%v", args)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		require.Len(t, lines, 2, "%v: the error and the synopsis:\n%s", args, errOut)
		assert.True(t, strings.HasPrefix(lines[0], "dbsim "+args[0]+": "), lines[0])
		assert.Equal(t, "Usage: dbsim "+commands[args[0]].help.usage+" (dbsim help "+args[0]+" for more)", lines[1])
	}
	_, errOut, code := run(t, "frobnicate")
	assert.Equal(t, exitBadInput, code)
	assert.Equal(t, "dbsim: unknown command \"frobnicate\" (commands: "+strings.Join(commandNames(), ", ")+")\nRun \"dbsim help\" for the commands.\n", errOut)
}

func TestWrap(t *testing.T) {
	assert.Equal(t, "one two\n    three", wrap("one two three", 12, 4))
	assert.Equal(t, "averyveryverylongword\n  x", wrap("averyveryverylongword x", 10, 2), "a long word stays whole")
}
