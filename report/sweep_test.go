package report

import (
	"bytes"
	"encoding/csv"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
	"dbsim/scenarios/sweep"
)

// syntheticSweep is a 2 × 2 grid (instance class × rate) with two
// replications per point; write p99 is bad for the large class at the high
// rate and missing for one point's client outage.
func syntheticSweep(t *testing.T, targets ...string) *sweep.Result {
	t.Helper()
	metric := func(name string) int {
		m, ok := sweep.LookupMetric(name)
		require.True(t, ok, name)
		return m
	}
	r := &sweep.Result{Format: sweep.Format, Scenario: "synthetic", Shards: 1, Points: 4,
		Axes: []sweep.Axis{
			{Paths: []string{"system.instance_class"}, Values: [][]string{{"db.r6g.large"}, {"db.r6g.xlarge"}}},
			{Paths: []string{"workload[0].arrival.rate"}, Values: [][]string{{"1000/s"}, {"3000/s"}}},
		},
		Targets: targets, Plots: []string{}}
	for _, m := range sweep.Metrics {
		r.Metrics = append(r.Metrics, m.Name)
	}
	for i := range 4 {
		large, fast := i < 2, i%2 == 1
		p := sweep.PointResult{Index: i, Values: []string{[]string{"db.r6g.large", "db.r6g.xlarge"}[i/2], []string{"1000/s", "3000/s"}[i%2]}}
		for rep := range 2 {
			v := make([]scenarios.Number, len(sweep.Metrics))
			for m := range v {
				v[m] = scenarios.Number(1 + float64(rep))
			}
			p99 := 8.0 + float64(rep)
			if large && fast {
				p99 = 900 + 100*float64(rep)
			}
			v[metric("write.p99")] = scenarios.Number(p99)
			v[metric("availability")] = scenarios.Number(0.999 - 0.0005*float64(rep))
			v[metric("cost")] = 351.5
			if !large {
				v[metric("cost")] = 680
			}
			if large && fast {
				v[metric("client.outage")] = scenarios.Number(math.NaN())
			}
			p.Replications = append(p.Replications, v)
		}
		r.Results = append(r.Results, p)
	}
	return r
}

func TestSweepCSV(t *testing.T) {
	r := syntheticSweep(t, "write.p99<20ms")
	var b bytes.Buffer
	require.NoError(t, WriteSweepCSV(&b, r))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 5)
	head := rows[0]
	assert.Equal(t, []string{"system.instance_class", "workload[0].arrival.rate",
		"availability_mean", "availability_ci95_lo", "availability_ci95_hi", "read_p50_ms_mean"}, head[:6])
	assert.Equal(t, []string{"cost_usd_month_mean", "cost_usd_month_ci95_lo", "cost_usd_month_ci95_hi", "cost_estimated", "meets_targets"}, head[len(head)-5:])
	assert.Len(t, head, 2+3*len(sweep.Metrics)+2)
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	row := rows[1]
	assert.Equal(t, "db.r6g.large", row[0])
	assert.Equal(t, "0.99875", row[col("availability_mean")])
	// Two replications 0.999 and 0.9985: t(0.975; 1) = 12.7062, s/√2 =
	// 0.00025, half-width 0.003176551: the upper end is clamped to 1.
	assert.Equal(t, "0.995573449", row[col("availability_ci95_lo")])
	assert.Equal(t, "1", row[col("availability_ci95_hi")])
	assert.Equal(t, "8.5", row[col("write_p99_ms_mean")])
	assert.Equal(t, "351.50", row[col("cost_usd_month_mean")])
	assert.Equal(t, "true", row[col("meets_targets")])
	assert.Equal(t, "false", rows[2][col("meets_targets")])   // 950 ms
	assert.Equal(t, "", rows[2][col("client_outage_s_mean")]) // no value
}

func TestSweepXNumericOrCategorical(t *testing.T) {
	x := newSweepX(sweep.Axis{Paths: []string{"workload[0].arrival.rate"}, Values: [][]string{{"1000/s"}, {"2k/s"}}})
	assert.True(t, x.numeric)
	assert.Equal(t, []float64{1000, 2000}, x.pos)
	assert.Equal(t, "workload[0].arrival.rate (per s)", x.title)
	x = newSweepX(sweep.Axis{Paths: []string{"clients.timeout"}, Values: [][]string{{"500ms"}, {"2s"}}})
	assert.Equal(t, []float64{0.5, 2}, x.pos)
	x = newSweepX(sweep.Axis{Paths: []string{"clients.retry.max_attempts"}, Values: [][]string{{"1"}, {"3"}}})
	assert.True(t, x.numeric)
	for _, vals := range [][][]string{{{"db.r6g.large"}, {"db.r6g.xlarge"}}, {{"true"}, {"false"}}, {{"1000/s"}, {"5s"}}} {
		x = newSweepX(sweep.Axis{Paths: []string{"p"}, Values: vals})
		assert.False(t, x.numeric, "%v", vals)
		assert.Equal(t, []float64{0, 1}, x.pos)
	}
}

func TestSweepPlotsAreDeterministic(t *testing.T) {
	r := syntheticSweep(t, "write.p99<20ms", "lost_writes<=0")
	figs, err := SweepPlots(r)
	require.NoError(t, err)
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
	}
	// Default metrics, then the targets' metrics not among them; one plot
	// per axis.
	assert.Equal(t, []string{
		"sweep-availability-by-system.instance_class", "sweep-availability-by-workload0.arrival.rate",
		"sweep-all_p99_ms-by-system.instance_class", "sweep-all_p99_ms-by-workload0.arrival.rate",
		"sweep-write_p99_ms-by-system.instance_class", "sweep-write_p99_ms-by-workload0.arrival.rate",
		"sweep-client_outage_s-by-system.instance_class", "sweep-client_outage_s-by-workload0.arrival.rate",
		"sweep-cost_usd_month-by-system.instance_class", "sweep-cost_usd_month-by-workload0.arrival.rate",
		"sweep-lost_writes-by-system.instance_class", "sweep-lost_writes-by-workload0.arrival.rate",
	}, names)
	render := func() [][]byte {
		figs, err := SweepPlots(r)
		require.NoError(t, err)
		var out [][]byte
		for _, f := range figs {
			var png, svg bytes.Buffer
			require.NoError(t, f.WritePNG(&png))
			require.NoError(t, f.WriteSVG(&svg))
			assert.True(t, bytes.HasPrefix(png.Bytes(), []byte("\x89PNG")))
			assert.Contains(t, svg.String(), "Liberation Sans")
			out = append(out, png.Bytes(), svg.Bytes())
		}
		return out
	}
	assert.Equal(t, render(), render())

	// The write p99 plot shows the target and goes to a log axis (8 ms
	// next to 950 ms).
	f := figs[5]
	assert.Contains(t, f.p.Y.Label.Text, "log scale")
	var svg bytes.Buffer
	require.NoError(t, f.WriteSVG(&svg))
	assert.Contains(t, svg.String(), "target: write.p99 &lt; 20 ms")

	// One replication: no interval, and the plots still draw.
	for i := range r.Results {
		r.Results[i].Replications = r.Results[i].Replications[:1]
	}
	figs, err = SweepPlots(r)
	require.NoError(t, err)
	for _, f := range figs {
		require.NoError(t, f.WritePNG(&bytes.Buffer{}))
	}
}

func TestWriteSweepTextAnswers(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteSweepText(&b, syntheticSweep(t, "write.p99<20ms")))
	out := b.String()
	assert.Contains(t, out, "targets: write.p99 < 20 ms (judged on the mean over replications)")
	assert.Contains(t, out, "cheapest point meeting every target (3 of 4 points meet them):\n  #0 system.instance_class=db.r6g.large workload[0].arrival.rate=1000/s\n  cost $351.50/month")

	b.Reset()
	require.NoError(t, WriteSweepText(&b, syntheticSweep(t, "write.p99<4ms")))
	out = b.String()
	// (8.5 − 4) ÷ 4 = 112.5%, shown to 3 digits.
	assert.Contains(t, out, "no point meets the targets; the closest is\n  #0 ")
	assert.Contains(t, out, "(target < 4 ms: missed: 112% over)")
	// 8 and 9 ms in two replications: the interval (2.1, 14.9) crosses
	// 4 ms, and the answer says so with the replications that would tell.
	assert.Contains(t, out, "target write.p99 < 4 ms: about 3 replications would settle it")

	// At 9 ms the gap is 0.5 ms: t(0.975, 10)·0.71/√11 = 0.47 first.
	b.Reset()
	require.NoError(t, WriteSweepText(&b, syntheticSweep(t, "write.p99<9ms")))
	out = b.String()
	assert.Contains(t, out, "uncertain: the replications do not settle these (the 95% interval crosses the target):\n  #0 ")
	assert.Contains(t, out, "target write.p99 < 9 ms: about 11 replications would settle it")
	assert.Contains(t, out, "rerun with --replications 11 to settle them all")

	// One replication: no interval at all, and the answer admits it.
	r := syntheticSweep(t, "write.p99<20ms")
	for i := range r.Results {
		r.Results[i].Replications = r.Results[i].Replications[:1]
	}
	b.Reset()
	require.NoError(t, WriteSweepText(&b, r))
	assert.Contains(t, b.String(), "uncertain: one replication per point gives no confidence interval")
}
