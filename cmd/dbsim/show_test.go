package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

// withStdin makes "-" read text for the rest of the test.
func withStdin(t *testing.T, text string) {
	t.Helper()
	stdin = strings.NewReader(text)
	t.Cleanup(func() { stdin = os.Stdin })
}

// dbsim show prints each bundled scenario byte for byte as its file, and
// what it prints validates from stdin: dbsim show NAME | dbsim validate -.
func TestShowPrintsTheBundledFile(t *testing.T) {
	for _, b := range scenarios.Bundled() {
		out, errOut, code := run(t, "show", b.Name)
		require.Equal(t, exitOK, code, errOut)
		file, err := os.ReadFile("../../scenarios/library/" + b.Name + ".yaml")
		require.NoError(t, err)
		assert.Equal(t, string(file), out, b.Name)

		withStdin(t, out)
		got, errOut, code := run(t, "validate", "-")
		assert.Equal(t, exitOK, code, "%s: %s", b.Name, errOut)
		assert.True(t, strings.HasPrefix(got, "-: ok; "), got)
	}
	for _, c := range scenarios.BundledComparisons() {
		out, errOut, code := run(t, "show", c.Name)
		require.Equal(t, exitOK, code, errOut)
		file, err := os.ReadFile("../../scenarios/library/compare/" + c.Name + ".yaml")
		require.NoError(t, err)
		assert.Equal(t, string(file), out, c.Name)
	}

	out, errOut, code := run(t, "show", "rds-multi-az-failovr")
	assert.Equal(t, exitBadInput, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `no bundled scenario or comparison "rds-multi-az-failovr"; did you mean rds-multi-az-failover?`)
	_, _, code = run(t, "show")
	assert.Equal(t, exitBadInput, code)
}

// "-" reads a scenario from stdin, named <stdin> in messages, once.
func TestStdin(t *testing.T) {
	withStdin(t, "name: x\nduration: 1m\nsystem: {kind: rds, engine: postgress}\nworkload: [{arrival: {rate: 10/s}}]\n")
	_, errOut, code := run(t, "validate", "-")
	assert.Equal(t, exitBadInput, code)
	assert.Equal(t, `<stdin>:3:29: system.engine: unknown engine "postgress"; did you mean postgres? (allowed: postgres, mysql, mariadb, oracle, sqlserver)`+"\n", errOut)

	tiny, err := os.ReadFile("../../scenarios/testdata/tiny.yaml")
	require.NoError(t, err)
	withStdin(t, string(tiny))
	s, _ := runJSON(t, "run", "-")
	assert.Positive(t, s.Availability)

	_, errOut, code = run(t, "compare", "-", "-")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "- (stdin) can be given once")
}
