package main

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's container recipe (a heredoc, so the repository's top level
// keeps the charter's layout) builds a static binary and copies it alone
// into a scratch image. Docker is not needed to check what matters: the
// recipe's go build line gives a binary with no dynamic loader, and that
// binary runs a bundled scenario in an empty root directory, as in the
// image (needs root for chroot; skipped otherwise).
func TestContainerRecipeBuildsAStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	recipe := readmeBlock(t, "sh", "FROM scratch")
	assert.Contains(t, recipe, "COPY --from=build /dbsim /dbsim")
	assert.Contains(t, recipe, `ENTRYPOINT ["/dbsim"]`)
	m := regexp.MustCompile(`(?m)^RUN (.*go build.* -o )/dbsim( .*)$`).FindStringSubmatch(recipe)
	require.NotNil(t, m, "the recipe's build line (RUN ... go build ... -o /dbsim ...):\n%s", recipe)
	require.Contains(t, m[1], "CGO_ENABLED=0")

	// The build line as written, the binary put in an empty directory.
	root := t.TempDir()
	bin := filepath.Join(root, "dbsim")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "sh", "-c", m[1]+bin+m[2])
	build.Dir = "../.." // the repository's root, as WORKDIR /src
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s: %s", build, out)

	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "a dynamic loader: the binary would not run FROM scratch")
	}
	libs, _ := f.ImportedLibraries()
	assert.Empty(t, libs)

	if os.Geteuid() != 0 {
		t.Skip("running the binary in an empty root needs chroot, so root")
	}
	run := exec.CommandContext(ctx, "/dbsim", "run", "rds-multi-az-failover", "-o", "/out/run")
	run.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	run.Dir = "/"
	run.Env = []string{} // an image has no environment but its own
	out, err = run.CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "report written to /out/run/")
	for _, name := range []string{"summary.json", "report.html", "latency.png"} {
		assert.FileExists(t, filepath.Join(root, "out", "run", name))
	}
}
