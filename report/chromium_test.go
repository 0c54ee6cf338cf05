package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// renderProbe opens page in headless Chromium with a probe script appended
// (the reports themselves have none): the script writes what the browser
// laid out into <pre id="probe">, one fact a line, and Chromium dumps the
// DOM. It returns the probe's lines.
func renderProbe(t *testing.T, bin, page, script string) []string {
	t.Helper()
	probe := `<pre id="probe"></pre><script>` + script + `</script>`
	page = strings.Replace(page, "</body>", probe+"</body>", 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "page.html")
	require.NoError(t, os.WriteFile(file, []byte(page), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1200,900", "--dump-dom", "file://"+file)
	out, err := cmd.Output()
	require.NoError(t, err, "chromium: %s", out)
	m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindSubmatch(out)
	require.NotNil(t, m, "probe output missing from the rendered page")
	return strings.Split(strings.TrimSpace(string(m[1])), "\n")
}
