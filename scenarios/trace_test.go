package scenarios

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"dbsim/scenarios/cloudwatch"
	"dbsim/sim"
)

// arrivalsPerSecond runs w's arrivals alone for d on a kernel of the given seed
// and returns the arrivals of each second.
func arrivalsPerSecond(t *testing.T, w *Workload, d time.Duration, seed uint64) []float64 {
	t.Helper()
	k := sim.New(seed)
	counts := make([]float64, int(d/time.Second))
	g := &generator{k: k, w: w, arrivals: k.Stream("workload/" + w.Name + "/arrivals"),
		rate: float64(w.Arrival.Rate), poisson: w.Arrival.Process != "constant"}
	g.fire = func(any) {
		g.schedule()
		if s := int(time.Duration(k.Now()) / time.Second); s < len(counts) {
			counts[s]++
		}
	}
	g.startArrivals()
	k.Run(sim.At(d))
	return counts
}

// p99OverMean is the 99th percentile of xs over their mean.
func p99OverMean(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return s[int(0.99*float64(len(s)))] / (sum / float64(len(s)))
}

func TestBurstShapeHitsItsPercentile(t *testing.T) {
	for _, p := range []float64{1.01, 1.5, 2, 3, 5, 10} {
		k := burstShape(p)
		g := distuv.Gamma{Alpha: k, Beta: k}
		assert.InDelta(t, 1, g.Mean(), 1e-12)
		assert.InDelta(t, p, g.Quantile(0.99), 1e-6*p, "peak_to_mean %v: shape %v", p, k)
	}
}

// The burstiness model, measured: at 5,000 requests/s, the 99th
// percentile second over the mean second is peak_to_mean, plus the
// Poisson noise of a second's count (plain Poisson: 1 + z99/√5000 =
// 1.033, the normal approximation of its 99th percentile).
func TestBurstinessSetsThePerSecondPeakToMean(t *testing.T) {
	const rate = 5000
	for _, tc := range []struct {
		peak, lo, hi float64
	}{
		{1, 1.025, 1.042},
		{2, 1.93, 2.08},
		{4, 3.8, 4.2},
	} {
		w := &Workload{Name: "w", Arrival: Arrival{Process: "poisson", Rate: rate, Burstiness: Burstiness{PeakToMean: tc.peak}}}
		counts := arrivalsPerSecond(t, w, 4000*time.Second, 7)
		got := p99OverMean(counts)
		t.Logf("peak_to_mean %v: measured p99/mean of per-second arrivals %.3f", tc.peak, got)
		assert.True(t, got >= tc.lo && got <= tc.hi, "peak_to_mean %v: p99/mean %.3f, want %v to %v", tc.peak, got, tc.lo, tc.hi)
		mean := 0.0
		for _, c := range counts {
			mean += c
		}
		mean /= float64(len(counts))
		assert.InDelta(t, rate, mean, 0.03*rate, "the multiplier has mean 1: the mean rate stays")
	}
}

// A trace replays its rates period by period: the arrivals of each
// period are its rate × its length, within Poisson noise.
func TestTraceReplaysItsRates(t *testing.T) {
	tr := &Trace{Series: cloudwatch.Series{Period: time.Minute, Values: []float64{1, 2, 3}}, Rates: []float64{100, 500, 0, 250}}
	w := &Workload{Name: "w", Arrival: Arrival{Process: "trace", Trace: tr, Burstiness: Burstiness{PeakToMean: 1}}}
	counts := arrivalsPerSecond(t, w, 5*time.Minute, 3)
	for i, want := range []float64{100, 500, 0, 250, 0} {
		got := 0.0
		for _, c := range counts[i*60 : (i+1)*60] {
			got += c
		}
		sd := math.Sqrt(want * 60)
		assert.InDelta(t, want*60, got, 4*sd+1e-9, "period %d", i)
	}
	assert.Equal(t, 500.0, tr.RateAt(90*time.Second))
	assert.Equal(t, 0.0, tr.RateAt(10*time.Minute))
}

func TestUnitsPerRequest(t *testing.T) {
	s := &Scenario{System: System{Kind: "dynamodb", DynamoDB: &DynamoDBSystem{}}}
	w := &Workload{Mix: Mix{Read: 0.5, Write: 0.5}, ItemSize: 2500, Consistency: "eventual"}
	u, err := unitsPerRequest(s, w, true)
	require.NoError(t, err)
	assert.Equal(t, 0.5*3, u, "a 2,500-byte item is 3 write units (1 KB each); half the requests write")
	u, err = unitsPerRequest(s, w, false)
	require.NoError(t, err)
	assert.Equal(t, 0.5*0.5, u, "one 4 KB read unit, halved for an eventually consistent read")
	w.Consistency = "strong"
	u, _ = unitsPerRequest(s, w, false)
	assert.Equal(t, 0.5, u)
	_, err = unitsPerRequest(&Scenario{System: System{Kind: "rds"}}, w, true)
	assert.ErrorContains(t, err, "apply to dynamodb")
}

// A Contributor Insights report sets the hot keys: each contributor
// takes its share of the requests (user#42 30 %, user#7 5 %).
func TestHotKeysFromContributorInsights(t *testing.T) {
	src := `
name: insights
duration: 10m
system: {kind: dynamodb, table: {mode: on-demand}}
workload:
  - name: reads
    arrival: {rate: 100/s}
    hot_keys: [{key: 3, share: 0.1}]
    hot_keys_from: ../cloudwatch/testdata/insight-rule-report.json
`
	s, err := Parse("testdata/insights.yaml", []byte(src))
	require.NoError(t, err)
	w := &s.Workload[0]
	require.Len(t, w.HotKeys, 3)
	assert.Equal(t, "user#42", w.HotKeys[1].Label)
	assert.Equal(t, contributorKey([]string{"user#42"}), w.HotKeys[1].Key)
	assert.InDelta(t, 0.3, w.HotKeys[1].Share, 1e-12)
	assert.Equal(t, s.Duration, w.HotKeys[2].Until)
	assert.Equal(t, "user#42 30 %, user#7 5 %", insightKeys(w.HotKeys))

	k := sim.New(1)
	g := &generator{k: k, w: w, keys: k.Stream("keys")}
	counts := map[uint64]int{}
	const n = 200_000
	for range n {
		counts[g.key()]++
	}
	for _, h := range w.HotKeys {
		got := float64(counts[h.Key]) / n
		assert.InDelta(t, h.Share, got, 4*math.Sqrt(h.Share*(1-h.Share)/n), "key %d (%s)", h.Key, h.Label)
	}

	_, err = Parse("testdata/insights.yaml", []byte(strings.Replace(src, "share: 0.1", "share: 0.7", 1)))
	assert.ErrorContains(t, err, "workload[0].hot_keys_from: with hot_keys active at the start, the hot keys take 1.05 of the requests")
	_, err = Parse("testdata/insights.yaml", []byte(strings.Replace(src, "kind: dynamodb, table: {mode: on-demand}", "kind: rds", 1)))
	assert.ErrorContains(t, err, "hot_keys_from: applies to dynamodb")
}
