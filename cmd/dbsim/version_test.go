package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersion(t *testing.T) {
	out, errOut, code := run(t, "version")
	require.Equal(t, exitOK, code, errOut)
	assert.True(t, strings.HasPrefix(out, "dbsim "), out)
	assert.Contains(t, out, runtime.GOOS+"/"+runtime.GOARCH+"\n")
	again, _, _ := run(t, "--version")
	assert.Equal(t, out, again, "--version is dbsim version, and it prints the same each time")
	_, _, code = run(t, "version", "extra")
	assert.Equal(t, exitBadInput, code)
}

// The version comes from what the build recorded: the module version, the
// git revision and whether the tree was modified, the Go version.
func TestVersionText(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Path: "dbsim", Version: "v0.0.0-20260101000000-0123456789ab+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef"},
			{Key: "vcs.time", Value: "2026-01-01T00:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	platform := runtime.GOOS + "/" + runtime.GOARCH
	assert.Equal(t, "dbsim v0.0.0-20260101000000-0123456789ab+dirty\nrevision 0123456789abcdef (modified)\ncommitted 2026-01-01T00:00:00Z\ngo1.99.1 "+platform+"\n", versionText(info, true))

	info.Settings[3].Value = "false"
	assert.Contains(t, versionText(info, true), "revision 0123456789abcdef\n")

	bare := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Path: "dbsim", Version: "(devel)"}}
	assert.Equal(t, "dbsim (devel)\nrevision unknown (built without version control information)\ngo1.99.1 "+platform+"\n", versionText(bare, true))
	assert.Equal(t, "dbsim (devel)\nrevision unknown (built without version control information)\n"+runtime.Version()+" "+platform+"\n", versionText(nil, false))
}
