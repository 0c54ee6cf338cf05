package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHTMLIsSelfContained(t *testing.T) {
	res := testResult()
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, res, Summarize(res), Plots(res)))
	page := b.String()
	assert.Equal(t, len(Plots(res)), strings.Count(page, "<svg "), "every plot inlined")
	assert.NotContains(t, page, "<?xml", "SVG prologs stripped")
	assert.NotRegexp(t, regexp.MustCompile(`(src|href)="https?:`), page, "nothing fetched from the network")
	assert.NotContains(t, page, "<script", "no scripts")
	for _, e := range res.Replications[0].Events {
		assert.Contains(t, page, e.Text)
	}
}

// chromium finds a headless Chromium. Outside CI the test that needs it
// skips when it is absent; in CI (.ci/run installs it) it must be there.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found: .ci/run installs the Debian package chromium")
	}
	t.Skip("chromium not found (apt-get install chromium): skipping the rendered-page check")
	return ""
}

// TestHTMLRendersItsPlots opens report.html in headless Chromium and checks,
// from the laid-out page, that each plot is displayed at a readable size
// and the narrative is there. A probe script is appended to a copy of the
// page (the report itself has none); it writes what the browser laid out
// into the DOM, which Chromium dumps.
func TestHTMLRendersItsPlots(t *testing.T) {
	bin := chromium(t)
	res := testResult()
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, res, Summarize(res), Plots(res)))
	probe := `<pre id="probe"></pre><script>
const out = [];
for (const s of document.querySelectorAll("figure svg")) {
  const r = s.getBoundingClientRect();
  out.push(s.parentElement.id + " " + Math.round(r.width) + "x" + Math.round(r.height) + " " + s.querySelectorAll("path").length);
}
out.push("narrative " + document.querySelectorAll("ol.narrative li").length);
document.getElementById("probe").textContent = out.join("\n");
</script>`
	page := strings.Replace(b.String(), "</body>", probe+"</body>", 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
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
	lines := strings.Split(strings.TrimSpace(string(m[1])), "\n")
	figs := Plots(res)
	require.Len(t, lines, len(figs)+1, "probe: %s", m[1])
	size := regexp.MustCompile(`^(\S+) (\d+)x(\d+) (\d+)$`)
	for i, f := range figs {
		g := size.FindStringSubmatch(lines[i])
		require.NotNil(t, g, lines[i])
		assert.Equal(t, f.Name, g[1])
		assert.GreaterOrEqual(t, atoi(g[2]), 800, "%s is displayed at least 800 px wide", f.Name)
		assert.GreaterOrEqual(t, atoi(g[3]), 300, "%s is displayed at least 300 px high", f.Name)
		assert.Greater(t, atoi(g[4]), 20, "%s has drawn paths", f.Name)
	}
	assert.Equal(t, "narrative "+strconv.Itoa(len(res.Replications[0].Events)), lines[len(figs)])
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
