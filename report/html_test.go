package report

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/report/chromium"
)

func TestHTMLIsSelfContained(t *testing.T) {
	res := testResult()
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, res, Summarize(res, nil), Plots(res)))
	page := b.String()
	assert.Equal(t, len(Plots(res)), strings.Count(page, "<svg "), "every plot inlined")
	assert.NotContains(t, page, "<?xml", "SVG prologs stripped")
	assert.NotRegexp(t, regexp.MustCompile(`(src|href)="https?:`), page, "nothing fetched from the network")
	assert.NotContains(t, page, "<script", "no scripts")
	for _, e := range res.Replications[0].Events {
		assert.Contains(t, page, e.Text)
	}
}

// TestHTMLRendersItsPlots opens report.html in headless Chromium and checks,
// from the laid-out page, that each plot is displayed at a readable size
// and the narrative is there. A probe script is appended to a copy of the
// page (the report itself has none); it writes what the browser laid out
// into the DOM, which Chromium dumps.
func TestHTMLRendersItsPlots(t *testing.T) {
	bin := chromium.Find(t, "the rendered-page check")
	res := testResult()
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, res, Summarize(res, nil), Plots(res)))
	lines := renderProbe(t, bin, b.String(), `
const out = [];
for (const s of document.querySelectorAll("figure svg")) {
  const r = s.getBoundingClientRect();
  out.push(s.parentElement.id + " " + Math.round(r.width) + "x" + Math.round(r.height) + " " + s.querySelectorAll("path").length);
}
out.push("narrative " + document.querySelectorAll("ol.narrative li").length);
document.getElementById("probe").textContent = out.join("\n");
`)
	figs := Plots(res)
	require.Len(t, lines, len(figs)+1, "probe: %q", lines)
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

func TestHTMLDescriptionFlows(t *testing.T) {
	// A YAML block's line breaks are not the page's: lines join into
	// paragraphs, blank lines part them.
	assert.Equal(t, []string{"An Aurora cluster loses a whole AZ three minutes in.", "Nothing is lost."},
		paragraphs("An Aurora cluster loses\na whole AZ three minutes in.\n\nNothing is lost.\n"))
	res := testResult()
	res.Scenario.Description = "first line\nsecond line\n\nnext"
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, res, Summarize(res, nil), nil))
	assert.Contains(t, b.String(), `<p class="desc">first line second line</p>`)
	assert.Contains(t, b.String(), `<p class="desc">next</p>`)
}

func TestHTMLCountsReplications(t *testing.T) {
	res := testResult()
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, res, Summarize(res, nil), nil))
	assert.Contains(t, b.String(), "3 replications of 600")
	res.Replications = res.Replications[:1]
	b.Reset()
	require.NoError(t, WriteHTML(&b, res, Summarize(res, nil), nil))
	assert.Contains(t, b.String(), "1 replication of 600")
}
