package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's walkthrough runs as written, as on a fresh clone: its
// commands in a directory holding only bin/dbsim and the example files,
// and its answer is the one the README prints. Then the imported
// scenario runs as written.
func TestREADMEWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	block := readmeBlock(t, "sh", "throttled<1%")
	require.Contains(t, block, "bin/dbsim import")
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	bin := buildDBSim(t)
	require.NoError(t, os.Rename(bin, filepath.Join(dir, "bin", "dbsim")))
	const examples = "scenarios/importer/testdata/walkthrough"
	require.NoError(t, os.MkdirAll(filepath.Join(dir, examples), 0o755))
	for _, f := range []string{"table.json", "export.json"} {
		data, err := os.ReadFile(filepath.Join("../..", examples, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, examples, f), data, 0o644))
	}
	sh := exec.Command("sh", "-e", "-c", block)
	sh.Dir = dir
	out, err := sh.CombinedOutput()
	require.NoError(t, err, "%s", out)

	// The answer, as the README prints it.
	src, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(src)
	start := strings.Index(readme, "cheapest point meeting every target (")
	require.Positive(t, start, "the README prints the walkthrough's answer")
	answer := readme[start : start+strings.Index(readme[start:], "```")]
	assert.Contains(t, string(out), answer, "the walkthrough's answer is the README's")
	assert.Contains(t, answer, "target: 0.9")

	// The imported scenario: the export replayed in fluid mode, named
	// relative to walk.yaml; it runs as written.
	walk, err := os.ReadFile(filepath.Join(dir, "walk.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(walk), "mode: fluid")
	assert.Contains(t, string(walk), "file: "+examples+"/export.json, metric: ConsumedWriteCapacityUnits")
	assert.Contains(t, string(walk), "duration: 2d")
	run := exec.Command(filepath.Join(dir, "bin", "dbsim"), "run", "walk.yaml", "-o", "out/run", "-q")
	run.Dir = dir
	out, err = run.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.FileExists(t, filepath.Join(dir, "out", "run", "summary.json"))
}
