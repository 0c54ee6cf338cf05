package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/report/chromium"
	"dbsim/scenarios"
)

// testComparison is two hand-made runs side by side: testResult as
// "sys-a" (rds) and a copy as "sys-b" (aurora) whose replication 0 has
// its own narrative.
func testComparison(warnings ...string) *Comparison {
	a, b := testResult(), testResult()
	a.Scenario.Name = "sys-a"
	sb := *b.Scenario
	sb.Name, sb.System.Kind = "sys-b", "aurora"
	b.Scenario = &sb
	a.Replications[0].Events = []cluster.Event{{At: sec(300), Text: "primary of sys-a fails"}}
	b.Replications[0].Events = []cluster.Event{{At: sec(300), Text: "writer of sys-b fails"}, {At: sec(320), Text: "replica promoted"}}
	return &Comparison{Results: []*scenarios.Result{a, b}, Warnings: warnings}
}

func TestCompareRowsMatchTheSummaries(t *testing.T) {
	c := testComparison()
	cs := SummarizeComparison(c)
	assert.Equal(t, "sys-a vs sys-b", cs.Name)
	assert.True(t, cs.Comparable)
	require.Len(t, cs.Systems, 2)
	for i, r := range cs.Systems {
		s := Summarize(c.Results[i], nil)
		assert.Equal(t, s.Scenario, r.Scenario)
		assert.Equal(t, s.System, r.System)
		assert.Equal(t, s.LatencyMS.Write.P99, r.WriteP99MS)
		assert.Equal(t, s.LatencyMS.Read.P999, r.ReadP999MS)
		assert.Equal(t, s.Availability, r.Availability)
		assert.Equal(t, s.AvailabilityCI95, r.AvailabilityCI95)
		assert.Equal(t, s.LostWrites, r.LostWrites)
		assert.Equal(t, len(s.Failovers), r.Failovers)
		assert.Equal(t, s.ClientOutageS.Mean, r.ClientOutageS)
	}
	// testResult: availability (1 − 1000/600k + 1 − 2500/600k + 1)/3 over
	// 600 s measured: 3500/1.8M × 600 s = 1.167 s of downtime per run.
	assert.InDelta(t, 1.167, float64(cs.Systems[0].DowntimeS), 0.001)
	assert.Equal(t, "rds", cs.Systems[0].System)
	assert.Equal(t, "aurora", cs.Systems[1].System)
}

func TestCompareCSVAndJSONHaveARowPerSystem(t *testing.T) {
	cs := SummarizeComparison(testComparison("sys-b differs from sys-a in seed (7 vs 42)"))
	var b bytes.Buffer
	require.NoError(t, WriteCompareCSV(&b, cs))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, compareColumns, rows[0])
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	assert.Equal(t, "sys-a", rows[1][col["scenario"]])
	assert.Equal(t, "aurora", rows[2][col["system"]])
	assert.Equal(t, "1.167", rows[1][col["downtime_s"]])
	assert.Equal(t, "", rows[1][col["cost_usd_month"]], "the hand-made rds system has no instance block to price")

	b.Reset()
	require.NoError(t, WriteCompareJSON(&b, cs))
	var back struct {
		Comparable bool
		Warnings   []string
		Systems    []map[string]any
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	assert.False(t, back.Comparable)
	assert.Len(t, back.Warnings, 1)
	require.Len(t, back.Systems, 2)
	for _, key := range []string{"read_p50_ms", "write_p999_ms", "availability_ci95", "downtime_s", "client_outage_s", "lost_writes", "cost_usd_month"} {
		assert.Contains(t, back.Systems[0], key)
	}
}

func TestCompareTextIsSideBySide(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteCompareText(&b, SummarizeComparison(testComparison("sys-b differs from sys-a in seed (7 vs 42)"))))
	out := b.String()
	lines := strings.Split(out, "\n")
	assert.Equal(t, "warning: sys-b differs from sys-a in seed (7 vs 42)", lines[0])
	assert.Contains(t, out, "NOT the same requests")
	head := regexp.MustCompile(`^\s+sys-a\s+sys-b$`)
	found := false
	for _, l := range lines {
		found = found || head.MatchString(l)
	}
	assert.True(t, found, "a header with one column per system:\n%s", out)
	assert.Regexp(t, `(?m)^system\s+rds\s+aurora$`, out)
	assert.Regexp(t, `(?m)^availability\s+\S+%\s+\S+%$`, out)
}

func TestComparePlotsOverlayTheSystems(t *testing.T) {
	c := testComparison()
	figs := ComparePlots(c)
	require.Len(t, figs, 2)
	assert.Equal(t, "compare-write-p99", figs[0].Name)
	assert.Equal(t, "compare-availability", figs[1].Name)
	for _, f := range figs {
		var svg, png bytes.Buffer
		require.NoError(t, f.WriteSVG(&svg))
		require.NoError(t, f.WritePNG(&png))
		assert.Greater(t, png.Len(), 10_000, f.Name)
		for _, name := range []string{"sys-a", "sys-b", "fault", "crash primary"} {
			assert.Contains(t, svg.String(), name, "%s names %s", f.Name, name)
		}
		// The x axis covers the whole run (11 minutes).
		assert.InDelta(t, 11, f.p.X.Max, 0.01, f.Name)
	}
	// The same colour for a system in both plots.
	assert.Equal(t, compareStyle(1), compareStyle(1))
	assert.NotEqual(t, compareStyle(0).Color, compareStyle(1).Color)
	assert.NotEqual(t, compareStyle(0).Dashes, compareStyle(1).Dashes)
}

func TestCompareHTMLIsSelfContained(t *testing.T) {
	c := testComparison("sys-b differs from sys-a in seed (7 vs 42)")
	cs := SummarizeComparison(c)
	var b bytes.Buffer
	require.NoError(t, WriteCompareHTML(&b, c, cs, ComparePlots(c)))
	page := b.String()
	assert.Equal(t, 2, strings.Count(page, "<svg "), "both plots inlined")
	assert.NotContains(t, page, "<?xml")
	assert.NotContains(t, page, "<script")
	assert.NotRegexp(t, regexp.MustCompile(`(src|href)="https?:`), page)
	for _, s := range []string{"primary of sys-a fails", "writer of sys-b fails", "replica promoted",
		"Warning:", "seed (7 vs 42)", ">sys-a<", ">sys-b<", "downtime per run"} {
		assert.Contains(t, page, s)
	}
}

// TestCompareHTMLRenders opens compare.html in headless Chromium: the two
// plots are displayed at a readable size and both narratives are there.
func TestCompareHTMLRenders(t *testing.T) {
	bin := chromium.Find(t, "the rendered-page check")
	c := testComparison()
	var b bytes.Buffer
	require.NoError(t, WriteCompareHTML(&b, c, SummarizeComparison(c), ComparePlots(c)))
	lines := renderProbe(t, bin, b.String(), `
const out = [];
for (const s of document.querySelectorAll("figure svg")) {
  const r = s.getBoundingClientRect();
  out.push(s.parentElement.id + " " + Math.round(r.width) + "x" + Math.round(r.height));
}
out.push("events " + document.querySelectorAll("ol.narrative li").length);
out.push("columns " + document.querySelectorAll("table.compare thead th").length);
document.getElementById("probe").textContent = out.join("\n");
`)
	require.Len(t, lines, 4, "probe: %q", lines)
	size := regexp.MustCompile(`^(\S+) (\d+)x(\d+)$`)
	for i, name := range []string{"compare-write-p99", "compare-availability"} {
		g := size.FindStringSubmatch(lines[i])
		require.NotNil(t, g, lines[i])
		assert.Equal(t, name, g[1])
		assert.GreaterOrEqual(t, atoi(g[2]), 800, "%s at least 800 px wide", name)
		assert.GreaterOrEqual(t, atoi(g[3]), 300, "%s at least 300 px high", name)
	}
	assert.Equal(t, "events 3", lines[2])
	assert.Equal(t, "columns 3", lines[3], "a label column and one per system")
}

func TestWriteCompareDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "cmp")
	require.NoError(t, WriteCompareDir(context.Background(), dir, testComparison()))
	for _, f := range []string{"compare.csv", "compare.json", "compare.html",
		"compare-write-p99.png", "compare-write-p99.svg", "compare-availability.png", "compare-availability.svg"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	entries, err := os.ReadDir(filepath.Dir(dir))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary directory left behind")
}
