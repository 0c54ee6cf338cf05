package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// versionHelp is the help of dbsim version.
var versionHelp = help{
	usage: "version",
	about: `Prints dbsim's version: the module version, the git revision it was
built from ("(modified)" when the working tree had uncommitted changes),
and the Go version and platform it was built with, as the Go toolchain
recorded them in the binary. A binary built without version control
information (go build -buildvcs=false, a git worktree, or a copy of the
sources outside git) says the revision is unknown.`,
	examples: []string{"dbsim version", "dbsim --version"},
}

func versionCmd(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("version")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("version", "takes no arguments, got %d", fs.NArg())
	}
	info, ok := debug.ReadBuildInfo()
	_, err := io.WriteString(stdout, versionText(info, ok))
	return err
}

// versionText is what dbsim version prints for the build information
// info (ok false: none): only what the build recorded, so the same binary
// always prints the same.
func versionText(info *debug.BuildInfo, ok bool) string {
	version, goVersion := "(devel)", runtime.Version()
	settings := map[string]string{}
	if ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "dbsim %s\n", version)
	switch rev := settings["vcs.revision"]; {
	case rev == "":
		b.WriteString("revision unknown (built without version control information)\n")
	case settings["vcs.modified"] == "true":
		fmt.Fprintf(&b, "revision %s (modified)\n", rev)
	default:
		fmt.Fprintf(&b, "revision %s\n", rev)
	}
	if t := settings["vcs.time"]; t != "" {
		fmt.Fprintf(&b, "committed %s\n", t)
	}
	fmt.Fprintf(&b, "%s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}
