// Package chromium finds the headless Chromium that the tests of rendered
// pages (report.html, the workshop site) drive.
package chromium

import (
	"os"
	"os/exec"
	"testing"
)

// Find returns the path of a Chromium. Where there is none, a test skips
// (saying it skips what), except in CI, where .ci/run installs the Debian
// package chromium and its absence fails the test.
func Find(t testing.TB, what string) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found: .ci/run installs the Debian package chromium")
	}
	t.Skip("chromium not found (apt-get install chromium): skipping " + what)
	return ""
}
