package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture is the path of one of the importer's test files.
func fixture(name string) string {
	return filepath.Join("..", "..", "scenarios", "importer", "testdata", name)
}

// An import writes the scenario on stdout and the warnings on stderr, and
// what it writes validates and runs as written, read back from stdin.
func TestImportThenValidateAndRun(t *testing.T) {
	out, errOut, code := run(t, "import", fixture("cli-table.json"), fixture("cli-scalable-targets.json"), fixture("cli-scaling-policies.json"))
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "kind: dynamodb")
	assert.Contains(t, out, "autoscaling: {target: 0.7, min_rcu: 200, max_rcu: 4000, min_wcu: 100, max_wcu: 2000}")
	assert.Contains(t, errOut, "warning: "+fixture("cli-table.json")+":49:9: Table.SSEDescription: ")
	for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
		assert.True(t, strings.HasPrefix(line, "warning: "), line)
		assert.Contains(t, out, "#   "+strings.TrimPrefix(line, "warning: "), "each warning is in the YAML too")
	}

	withStdin(t, out)
	vout, verr, code := run(t, "validate", "-")
	require.Equal(t, exitOK, code, verr)
	assert.Contains(t, vout, ": ok;")

	// Shortened, so that the test is quick: the run is the same code path.
	withStdin(t, strings.Replace(out, "duration: 10m", "duration: 10s", 1))
	rout, rerr, code := run(t, "run", "-", "--json")
	require.Equal(t, exitOK, code, rerr)
	assert.Contains(t, rout, `"system": "dynamodb"`)
}

// -o writes the file (and only it); a directory is refused.
func TestImportToFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rds.yaml")
	out, errOut, code := run(t, "import", fixture("cfn-rds.yaml"), "-o", path)
	require.Equal(t, exitOK, code, errOut)
	assert.Empty(t, out)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), "name: payments-prod")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary file left")

	_, errOut, code = run(t, "import", fixture("cfn-rds.yaml"), "-o", dir)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "is a directory")
}

// Bad input is exit status 2, with the file and, where there is one, the
// line and column; nothing is written.
func TestImportBadInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.yaml")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{fixture("malformed.json")}, "malformed.json:6:13: JSON syntax: "},
		{[]string{fixture("malformed.yaml")}, "malformed.yaml:5: YAML syntax: "},
		{[]string{fixture("unrecognised.json")}, "unrecognised.json:1:1: not a format dbsim import reads"},
		{[]string{fixture("cli-rds-instances.json"), fixture("cli-table.json")}, "dbsim import: 2 systems in the input"},
		{[]string{fixture("cli-table.json"), "--resource", "nope"}, "dbsim import: --resource nope: no such system"},
		{[]string{fixture("no-such-file.json")}, "no such file"},
	} {
		out, errOut, code := run(t, append(append([]string{"import"}, c.args...), "-o", path)...)
		assert.Equal(t, exitBadInput, code, "%v: %s", c.args, errOut)
		assert.Empty(t, out)
		assert.Contains(t, errOut, c.want, "%v", c.args)
		assert.NoFileExists(t, path)
	}
	_, errOut, code := run(t, "import")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, "dbsim import: no file given")
}

// --resource picks one system of several.
func TestImportPicksResource(t *testing.T) {
	out, errOut, code := run(t, "import", fixture("cli-rds-instances.json"), fixture("cli-table.json"), "--resource", "orders-db")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "kind: rds")
	assert.Contains(t, errOut, "DynamoDB table orders: not imported (--resource picked orders-db")
}
