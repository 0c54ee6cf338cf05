package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/sim"
)

// dynamoResult is a DynamoDB-shaped run: 8 partitions, p3 hot (1,200 of
// the 1,000 WCU/s limit, fact 5.1), a split at bucket splitAt that
// makes p8, provisioned WCU stepped up by auto-scaling, one index and
// rows for partitions that never existed (p9..p15, all 0).
func dynamoResult(buckets, rows int) *scenarios.Result {
	const splitAt = 40
	ser := sim.NewSeries(5 * time.Second)
	at := func(b int) sim.Time { return sim.Time(b) * sim.Time(5*time.Second) }
	cols := map[string]int{}
	col := func(name string) int {
		if i, ok := cols[name]; ok {
			return i
		}
		cols[name] = ser.Column(name)
		return cols[name]
	}
	var gauges []metric.ID
	gauge := func(id metric.ID) int {
		if _, ok := cols[id.Column()]; !ok {
			gauges = append(gauges, id)
		}
		return col(id.Column())
	}
	for _, n := range []string{"ok", "failed", "throttled"} {
		col(n)
	}
	for _, k := range []metric.Kind{metric.ConsumedRCU, metric.ConsumedWCU, metric.ProvisionedRCU, metric.ProvisionedWCU, metric.Partitions} {
		gauge(metric.Of(k))
	}
	for p := range rows {
		gauge(metric.OfPartition(metric.ConsumedRCU, "", p))
		gauge(metric.OfPartition(metric.ConsumedWCU, "", p))
	}
	for _, k := range []metric.Kind{metric.ConsumedWCU, metric.ProvisionedWCU, metric.ConsumedRCU} {
		gauge(metric.OfIndex(k, "by-status"))
	}
	for b := range buckets {
		t := at(b)
		parts := 8
		if b >= splitAt {
			parts = 9
		}
		total := 0.0
		for p := 0; p < min(parts, rows); p++ {
			w := 300 + float64((p*37+b*11)%200)
			if p == 3 {
				w = 1200
			}
			ser.Set(t, gauge(metric.OfPartition(metric.ConsumedWCU, "", p)), w)
			total += w
		}
		prov := 7000.0
		if b >= buckets/2 {
			prov = 9000
		}
		ser.Set(t, col("ok"), 5000)
		ser.Set(t, col("throttled"), 40)
		ser.Set(t, gauge(metric.Of(metric.ConsumedWCU)), total)
		ser.Set(t, gauge(metric.Of(metric.ProvisionedWCU)), prov)
		ser.Set(t, gauge(metric.Of(metric.ProvisionedRCU)), 3000)
		ser.Set(t, gauge(metric.Of(metric.Partitions)), float64(parts))
		ser.Set(t, gauge(metric.OfIndex(metric.ConsumedWCU, "by-status")), 180)
		ser.Set(t, gauge(metric.OfIndex(metric.ProvisionedWCU, "by-status")), 200)
	}
	sc := &scenarios.Scenario{
		Name: "test-dynamodb", Seed: 1, Replications: 1,
		Duration: scenarios.Duration(time.Duration(buckets) * 5 * time.Second),
		Bucket:   scenarios.Duration(5 * time.Second),
		System:   scenarios.System{Kind: "dynamodb"},
	}
	rep := &scenarios.Replication{
		SimulatedSeconds: float64(buckets * 5),
		Latency:          scenarios.Latencies{Read: sim.NewLatency(), Write: sim.NewLatency(), All: sim.NewLatency()},
		Series:           ser,
		Gauges:           gauges,
		Faults:           []scenarios.FaultWindow{{Start: at(20), End: at(30), Label: "hot key"}},
	}
	return &scenarios.Result{Scenario: sc, Replications: []*scenarios.Replication{rep}}
}

func figureNames(figs []*Figure) []string {
	var out []string
	for _, f := range figs {
		out = append(out, f.Name)
	}
	return out
}

func TestDynamoFiguresOnlyForDynamoDB(t *testing.T) {
	got := figureNames(Plots(dynamoResult(84, 16)))
	assert.Equal(t, []string{"latency", "availability", "throughput", "capacity", "partitions"}, got)

	// An RDS run (no consumed_/provisioned_ columns) has neither.
	rds := figureNames(Plots(testResult()))
	assert.NotContains(t, rds, "partitions")
	assert.Equal(t, 1, countOf(rds, "capacity"), "one capacity plot: Aurora's, not DynamoDB's")
}

func countOf(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

func TestPartitionHeatmapRows(t *testing.T) {
	res := dynamoResult(84, 16)
	var heat *Figure
	for _, f := range Plots(res) {
		if f.Name == "partitions" {
			heat = f
		}
	}
	require.NotNil(t, heat)
	// Writes dominate (p3 at 120 % of 1,000 WCU/s, fact 5.1): the
	// write limit is the 100 %, and the split is announced.
	assert.Contains(t, heat.Title, "writes per partition")
	assert.Contains(t, heat.Title, "1,000 WCU/s")
	assert.Contains(t, heat.Title, "splits")
	// p0..p8 ever consumed; p9..p15 never existed and are dropped. The
	// index follows, as a whole (the run has no figures per partition
	// of it).
	ticks := heat.p.Y.Tick.Marker.Ticks(heat.p.Y.Min, heat.p.Y.Max)
	var labels []string
	for _, tk := range ticks {
		labels = append(labels, tk.Label)
	}
	assert.Equal(t, []string{"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "by-status"}, labels)
	assert.Contains(t, heat.Title, "index by-status as a whole: % of its provisioned WCU/s")

	// The hot partition's cells are in the top class, the others not.
	d := newSeriesData(res.Replications[0])
	_, _, _, _, g := partitionHeat(d)
	require.NotNil(t, g)
	top := float64(len(heatColors) - 1)
	for b := 0; b < d.n; b++ {
		assert.Equal(t, top, g.class[3*d.n+b], "p3 at its limit in bucket %d", b)
		assert.Less(t, g.class[0*d.n+b], top)
	}
	// p8 is "not yet created" (NaN) before the split, a class after.
	assert.True(t, g.class[8*d.n+0] != g.class[8*d.n+0])
	assert.False(t, g.class[8*d.n+50] != g.class[8*d.n+50])
}

func TestHeatClass(t *testing.T) {
	// The last class starts at 95 % of the partition limit (fact 5.1).
	assert.Equal(t, 0, heatClass(0))
	assert.Equal(t, 0, heatClass(0.099))
	assert.Equal(t, 1, heatClass(0.10))
	assert.Equal(t, len(heatColors)-2, heatClass(0.949))
	assert.Equal(t, len(heatColors)-1, heatClass(0.95))
	assert.Equal(t, len(heatColors)-1, heatClass(1.3))
	assert.Len(t, heatLabels, len(heatColors))
}

func TestDynamoFiguresDeterministic(t *testing.T) {
	render := func() map[string][]byte {
		out := map[string][]byte{}
		for _, f := range Plots(dynamoResult(84, 16)) {
			var png, svg bytes.Buffer
			require.NoError(t, f.WritePNG(&png))
			require.NoError(t, f.WriteSVG(&svg))
			out[f.Name+".png"], out[f.Name+".svg"] = png.Bytes(), svg.Bytes()
		}
		return out
	}
	a, b := render(), render()
	for name := range a {
		assert.True(t, bytes.Equal(a[name], b[name]), "%s differs between two renders", name)
	}
}

// dynamoWantFiles are the files WriteDir writes for dynamoResult.
var dynamoWantFiles = []string{
	"availability.png", "availability.svg", "capacity.png", "capacity.svg", "cloudwatch.json",
	"latency.png", "latency.svg", "partitions.png", "partitions.svg", "report.html",
	"summary.json", "throughput.png", "throughput.svg", "timeseries.csv",
}

func TestWriteDirDynamoDB(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, WriteDir(dir, dynamoResult(84, 16)))
	got := readDir(t, dir)
	assert.Equal(t, dynamoWantFiles, names(got))
	html := got["report.html"]
	assert.True(t, bytes.Contains(html, []byte(`<figure id="partitions">`)))
	assert.True(t, bytes.Contains(html, []byte(`<figure id="capacity">`)))
	assert.True(t, bytes.Contains(got["partitions.svg"], []byte("% of the limit")))
	if *plotsDir != "" {
		require.NoError(t, os.MkdirAll(*plotsDir, 0o755))
		require.NoError(t, WriteDir(filepath.Join(*plotsDir, "dynamodb"), dynamoResult(84, 16)))
	}
}

func TestCapacityOmitsUnusedDimension(t *testing.T) {
	for _, f := range Plots(dynamoResult(20, 16)) {
		if f.Name == "capacity" {
			var svg bytes.Buffer
			require.NoError(t, f.WriteSVG(&svg))
			assert.True(t, bytes.Contains(svg.Bytes(), []byte("consumed WCU/s")))
			assert.False(t, bytes.Contains(svg.Bytes(), []byte("consumed RCU/s")), "no reads: RCU left out")
			assert.True(t, bytes.Contains(svg.Bytes(), []byte("index by-status: provisioned WCU/s")))
		}
	}
}

// BenchmarkPartitionHeatmap renders the largest heatmap the model gives:
// 64 partition rows × 1,000 buckets.
func BenchmarkPartitionHeatmap(b *testing.B) {
	res := dynamoResult(1000, 64)
	for b.Loop() {
		for _, f := range Plots(res) {
			if f.Name == "partitions" {
				var png, svg bytes.Buffer
				_ = f.WritePNG(&png)
				_ = f.WriteSVG(&svg)
			}
		}
	}
}

func TestUpdateTableMarked(t *testing.T) {
	// A planner's scheduled UpdateTable calls are labelled lines where
	// they were asked for; the capacity steps update_delay later.
	res := dynamoResult(84, 16)
	res.Scenario.System.DynamoDB = &scenarios.DynamoDBSystem{Table: scenarios.DynamoDBTable{
		Updates: []scenarios.DynamoDBUpdate{{At: scenarios.Duration(2 * time.Minute), WCU: 9000}},
		GSIs: []scenarios.DynamoDBGSI{{Name: "by-status",
			Updates: []scenarios.DynamoDBUpdate{{At: scenarios.Duration(3 * time.Minute), RCU: 500, WCU: 400}}}},
	}}
	a := newAnnotations(res, newSeriesData(res.Replications[0]))
	var texts []string
	var lines []float64
	for _, l := range a.lines {
		texts = append(texts, a.labels[l.label].text)
		lines = append(lines, l.x)
	}
	assert.Contains(t, texts, "UpdateTable 9,000 WCU")
	assert.Contains(t, texts, "by-status UpdateTable 500 RCU 400 WCU")
	assert.Contains(t, lines, 120.0, "at 2:00 (annotations keep seconds)")
	assert.Contains(t, lines, 180.0)
}

// capacitySVG is the SVG of res's DynamoDB capacity figure.
func capacitySVG(t *testing.T, res *scenarios.Result) (*Figure, string) {
	t.Helper()
	f := figureNamed(Plots(res), "capacity")
	require.NotNil(t, f)
	return f, svgOf(t, f)
}

func TestCapacityShowsWhatWasAskedFor(t *testing.T) {
	// Throttled attempts are capacity asked for and refused: the figure
	// draws them between consumption and what was requested.
	_, svg := capacitySVG(t, dynamoResult(84, 16))
	for _, want := range []string{">provisioned WCU/s<", ">consumed WCU/s<", ">requested WCU/s<", ">throttled WCU/s<"} {
		assert.Contains(t, svg, want)
	}
}

func TestOnDemandCapacityIsNotCalledProvisioned(t *testing.T) {
	res := dynamoResult(84, 16)
	res.Scenario.System.DynamoDB = &scenarios.DynamoDBSystem{Table: scenarios.DynamoDBTable{Mode: "on-demand"}}
	f, svg := capacitySVG(t, res)
	assert.NotContains(t, svg, "provisioned")
	assert.NotContains(t, f.Title, "provisioned")
	assert.Contains(t, svg, ">on-demand ceiling WRU/s<")
	assert.Contains(t, svg, "request units per second")
}

func TestCapacityOfABurstIsPerSecond(t *testing.T) {
	// dynamodb-retry-storm records 50 ms buckets: 1,000 WCU taken in one
	// of them is not 20,000 WCU/s against 900 provisioned, but 1,000 in
	// that second.
	res := bundledResult(t, "dynamodb-retry-storm")
	f, svg := capacitySVG(t, res)
	assert.Contains(t, f.p.Y.Label.Text, "1 s means")
	d := newSeriesData(res.Replications[0]).perSecond()
	assert.InDelta(t, 1, d.bucket, 1e-9)
	assert.InDelta(t, 1000, maxFinite(d.gauge(metric.Of(metric.ConsumedWCU))), 1)
	assert.Contains(t, svg, ">requested WCU/s<")
	heat := figureNamed(Plots(res), "partitions")
	require.NotNil(t, heat)
	assert.Contains(t, heat.Title, "highest 100 %")
}

func TestHeatmapHasIndexRows(t *testing.T) {
	// dynamodb-gsi-backpressure: the index, not a table partition, is at
	// its limit; the heatmap shows it as a row group of its own.
	res := bundledResult(t, "dynamodb-gsi-backpressure")
	heat := figureNamed(Plots(res), "partitions")
	require.NotNil(t, heat)
	var labels []string
	for _, tk := range heat.p.Y.Tick.Marker.Ticks(heat.p.Y.Min, heat.p.Y.Max) {
		labels = append(labels, tk.Label)
	}
	require.NotEmpty(t, labels)
	assert.Equal(t, "by-status", labels[len(labels)-1], "rows %v", labels)
	assert.Equal(t, "p0", labels[0])
	d := newSeriesData(res.Replications[0]).perSecond()
	_, rows, _, _, g := partitionHeat(d)
	require.NotNil(t, g)
	assert.Equal(t, "by-status", rows[g.peakRow].label, "the index is the row nearest its limit")
}

func TestNoEmptyHeatmap(t *testing.T) {
	// A table far below its partitions' limits gets a message, not a
	// white panel.
	res := dynamoResult(84, 16)
	ser := res.Replications[0].Series
	for p := range 16 {
		if i, ok := ser.Lookup(metric.OfPartition(metric.ConsumedWCU, "", p).Column()); ok {
			vals := ser.Values(i)
			for b := range vals {
				ser.Set(sim.Time(b)*sim.Time(5*time.Second), i, 20) // 2 % of 1,000 WCU/s
			}
		}
	}
	i, _ := ser.Lookup(metric.OfIndex(metric.ConsumedWCU, "by-status").Column())
	for b := range 84 {
		ser.Set(sim.Time(b)*sim.Time(5*time.Second), i, 5) // 2.5 % of 200 provisioned
	}
	heat := figureNamed(Plots(res), "partitions")
	require.NotNil(t, heat)
	assert.Contains(t, heat.message, "No partition reached 10 % of its limit")
	assert.Equal(t, messageHeight, heat.height())
	svg := svgOf(t, heat)
	assert.Contains(t, svg, "No partition reached 10 %")
	assert.NotContains(t, svg, "% of the limit", "no heatmap legend")
}

func TestHeatmapIndexPartitionRows(t *testing.T) {
	// When the run records an index's partitions, each is a row of the
	// index's group, against the partition limit.
	res := dynamoResult(84, 16)
	rep := res.Replications[0]
	for p := range 2 {
		id := metric.OfPartition(metric.ConsumedWCU, "by-status", p)
		col := rep.Series.Column(id.Column())
		for b := range 84 {
			rep.Series.Set(sim.Time(b)*sim.Time(5*time.Second), col, 400+100*float64(p))
		}
		rep.Gauges = append(rep.Gauges, id)
	}
	d := newSeriesData(rep)
	_, rows, _, _, g := partitionHeat(d)
	require.NotNil(t, g)
	var labels []string
	for _, r := range rows {
		labels = append(labels, r.label)
	}
	assert.Equal(t, []string{"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "by-status p0", "by-status p1"}, labels)
	assert.Equal(t, float64(heatClass(0.5)), g.class[10*d.n+3], "by-status p1 at 500 of 1,000 WCU/s")
}

func TestThroughputOfShortBucketsIsCounted(t *testing.T) {
	// 2,000 throttled attempts in 50 ms are drawn as 2,000 per bucket,
	// not 40,000 a second; ok and failed are by arrival, throttles when
	// made.
	f := figureNamed(Plots(bundledResult(t, "dynamodb-retry-storm")), "throughput")
	require.NotNil(t, f)
	assert.Equal(t, "requests per 50 ms bucket", f.p.Y.Label.Text)
	svg := svgOf(t, f)
	assert.Contains(t, svg, ">ok, by arrival<")
	assert.Contains(t, svg, ">throttled attempts, when made<")
	assert.InDelta(t, 3000*1.05, f.p.Y.Max, 1, "the 3,000 writes that arrived in one bucket")
}

func TestHeatmapSVGFillsItsBox(t *testing.T) {
	// The heatmap's raster must stretch to the data area, as in the PNG,
	// not keep its own aspect ratio (SVG's default).
	heat := figureNamed(Plots(dynamoResult(84, 16)), "partitions")
	require.NotNil(t, heat)
	svg := svgOf(t, heat)
	assert.Contains(t, svg, `<image preserveAspectRatio="none" `)
}
