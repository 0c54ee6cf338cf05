package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"

	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/sim"
)

var (
	update   = flag.Bool("update", false, "rewrite the golden files in testdata/")
	plotsDir = flag.String("plots", "", "also write the test report into this directory, to look at the plots")
)

// sec is a simulated time in seconds.
func sec(s float64) sim.Time { return sim.Time(s * 1e9) }

// testResult builds a small synthetic run by hand: three replications of
// a 10-minute run with a 1-minute warmup and 1 s buckets. Replication 0
// fails over at 5:00 (detected 5:15, promoted 5:42, writes ok 6:12.3,
// clients ok 6:35.1); replication 1 fails over too but its clients never
// recover (ClientsRecovered = -1); replication 2 has no failover.
func testResult() *scenarios.Result {
	sc := &scenarios.Scenario{
		Name:         "test-failover",
		Description:  "a hand-made run for the report tests",
		Seed:         42,
		Duration:     scenarios.Duration(11 * time.Minute),
		Warmup:       scenarios.Duration(time.Minute),
		Replications: 3,
		Bucket:       scenarios.Duration(time.Second),
		System:       scenarios.System{Kind: "rds"},
	}
	res := &scenarios.Result{Scenario: sc}
	for i := range 3 {
		rep := &scenarios.Replication{
			Index:            i,
			Seed:             uint64(100 + i),
			SimulatedSeconds: 600,
			Latency: scenarios.Latencies{
				Read: sim.NewLatency(), Write: sim.NewLatency(), All: sim.NewLatency(),
			},
		}
		// Known latencies: reads 1..100 ms, writes 10 × (1..10) ms.
		for ms := 1; ms <= 100; ms++ {
			d := time.Duration(ms) * time.Millisecond
			rep.Latency.Read.Record(d)
			rep.Latency.All.Record(d)
		}
		for k := 1; k <= 10; k++ {
			d := time.Duration(10*k) * time.Millisecond
			rep.Latency.Write.Record(d)
			rep.Latency.All.Record(d)
		}
		failed := []int64{1000, 2500, 0}[i]
		rep.Requests = scenarios.Requests{
			Total: 600_000, OK: 600_000 - failed, Failed: failed,
			Throttled: int64(3 * i), Retried: 40 + int64(i),
		}
		switch i {
		case 0:
			rep.Failovers = []scenarios.Failover{{
				Cause: "instance crash", Start: sec(300), Detected: sec(315), Promoted: sec(342),
				Accepting: sec(372.3), ClientsRecovered: sec(395.1), LostWrites: 0,
			}}
			rep.Faults = []scenarios.FaultWindow{{Start: sec(300), End: sec(360), Label: "crash primary"}}
		case 1:
			rep.Failovers = []scenarios.Failover{{
				Cause: "instance crash", Start: sec(240), Detected: sec(256.5), Promoted: sec(280),
				Accepting: sec(311.25), ClientsRecovered: -1, LostWrites: 3,
			}}
			rep.UnreplicatedAcks = 5 // ≥ what its failover lost
			rep.Faults = []scenarios.FaultWindow{{Start: sec(240), End: -1, Label: "crash primary"}}
		}
		// The primary's load: utilization 0.001 × (1..600) per second,
		// 100 + i connections at most, 2 statements queued on average.
		load := scenarios.NewEngineLoad("primary")
		for s := 1; s <= 600; s++ {
			load.Utilization.Add(float64(s) / 1000)
			load.Connections.Add(float64(100 + i))
			load.Limit.Add(1712)
			load.Queued.Add(float64(s%5) * 1)
		}
		// A replica, listed after the primary: a fifth busy, 30
		// connections, nothing queued.
		replica := scenarios.NewEngineLoad("replica-1")
		for range 600 {
			replica.Utilization.Add(0.2)
			replica.Connections.Add(30)
			replica.Queued.Add(0)
		}
		rep.Loads = []*scenarios.EngineLoad{replica, load}
		if i == 0 {
			rep.Saturations = []scenarios.Saturation{{Name: "primary", Start: sec(120), End: sec(180.5),
				PeakUtilization: 1, PeakConns: 800, MaxConns: 1712, VCPUs: 2}}
		}
		rep.Series, rep.Gauges = testSeries(i, rep.Failovers), testGauges()
		res.Replications = append(res.Replications, rep)
	}
	return res
}

// testGauges are the model gauges of testSeries: a replica's lag, the
// writer's capacity, the primary's load.
func testGauges() []metric.ID {
	return []metric.ID{metric.OfInstance(metric.Lag, "replica-1"), metric.Of(metric.CapacityACU),
		metric.OfInstance(metric.Utilization, "primary"), metric.OfInstance(metric.Connections, "primary"),
		metric.OfInstance(metric.Queued, "primary"), metric.OfInstance(metric.MaxConnections, "primary")}
}

// testSeries fills a 660-bucket series the way the runner does: counts
// per bucket and latency percentiles in ms, NaN where a bucket had no
// successful request of that kind.
func testSeries(seed int, fos []scenarios.Failover) *sim.Series {
	s := sim.NewSeries(time.Second)
	cols := map[string]int{}
	for _, c := range []string{"ok", "failed", "throttled", "retried"} {
		cols[c] = s.Column(c)
	}
	for _, p := range []string{"all", "read", "write"} {
		for _, q := range []string{"p50", "p90", "p99", "p999", "max", "mean"} {
			name := p + "_" + q + "_ms"
			cols[name] = s.ColumnFill(name, math.NaN())
		}
	}
	gauges := testGauges()
	// The primary's load, as cluster.Load records it: saturated from 2:00
	// to 3:00 (testResult's episode), a tenth busy otherwise.
	lag := s.Column(gauges[0].Column())
	acu := s.Column(gauges[1].Column())
	util, conns, queued := s.Column(gauges[2].Column()), s.Column(gauges[3].Column()), s.Column(gauges[4].Column())
	limit := s.Column(gauges[5].Column())
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	down := func(t float64) (writes, clients bool) {
		for _, f := range fos {
			end := f.ClientsRecovered
			if end < 0 {
				end = sim.Forever
			}
			if sec(t) >= f.Start && sec(t) < f.Accepting {
				writes = true
			}
			if sec(t) >= f.Start && sec(t) < end {
				clients = true
			}
		}
		return
	}
	for b := range 660 {
		t := sec(float64(b))
		writesDown, clientsDown := down(float64(b))
		total := 1000 + float64(r.IntN(40))
		failed := 0.0
		if writesDown {
			failed = math.Round(total * 0.3)
		} else if clientsDown {
			failed = math.Round(total * 0.1)
		}
		s.Add(t, cols["ok"], total-failed)
		s.Add(t, cols["failed"], failed)
		if b%97 == 5 {
			s.Add(t, cols["throttled"], 2)
		}
		s.Add(t, cols["retried"], failed/2)
		jit := 1 + r.Float64()*0.2
		slow := 1.0
		if clientsDown {
			slow = 8
		}
		for _, p := range []string{"all", "read", "write"} {
			if p == "write" && writesDown {
				continue // no successful write: NaN
			}
			base := map[string]float64{"all": 1.2, "read": 0.9, "write": 2.5}[p] * jit * slow
			for q, f := range map[string]float64{"p50": 1, "p90": 2, "p99": 4, "p999": 9, "max": 15, "mean": 1.3} {
				s.Set(t, cols[p+"_"+q+"_ms"], math.Round(base*f*1000)/1000)
			}
		}
		if b >= 120 && b < 180 {
			s.Set(t, util, 1)
			s.Set(t, conns, 800)
			s.Set(t, queued, 790)
		} else {
			s.Set(t, util, 0.1+0.02*r.Float64())
			s.Set(t, conns, 100)
			s.Set(t, queued, 0.1)
		}
		s.Set(t, limit, 1712)
		s.Set(t, lag, 20+10*r.Float64())
		s.Set(t, acu, 2)
		if clientsDown {
			s.Set(t, acu, 4)
		}
	}
	return s
}

func summaryJSON(t *testing.T, res *scenarios.Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, Summarize(res, nil)))
	return buf.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run `go test ./report/ -update` to create it")
	assert.Equal(t, string(want), string(got), "%s differs; if the change is intended, run `go test ./report/ -update`", path)
}

func TestSummaryGolden(t *testing.T) {
	got := summaryJSON(t, testResult())
	golden(t, "summary.golden.json", got)
	assert.True(t, bytes.HasSuffix(got, []byte("}\n")), "trailing newline")
}

// keys returns the keys of the JSON object at the start of dec, in order,
// skipping their values.
func keys(t *testing.T, dec *json.Decoder) []string {
	t.Helper()
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var out []string
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		out = append(out, k.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return out
}

func TestSummaryKeyOrder(t *testing.T) {
	b := summaryJSON(t, testResult())
	assert.Equal(t, []string{
		"scenario", "description", "system", "seed", "replications", "simulated_seconds",
		"requests", "availability", "availability_ci95", "latency_ms", "failovers",
		"failover_duration_s", "client_outage_s", "lost_writes", "unreplicated_acks", "replica_lag_ms", "utilization", "connections", "queued", "saturations", "stale_reads", "counters", "cost_monthly",
	}, keys(t, json.NewDecoder(bytes.NewReader(b))))

	var m struct {
		Requests  json.RawMessage
		LatencyMS map[string]json.RawMessage `json:"latency_ms"`
		Failovers []json.RawMessage
	}
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, []string{"total", "ok", "failed", "throttled", "retried", "rejected"},
		keys(t, json.NewDecoder(bytes.NewReader(m.Requests))))
	assert.Equal(t, []string{"count", "mean", "p50", "p90", "p99", "p999", "max"},
		keys(t, json.NewDecoder(bytes.NewReader(m.LatencyMS["read"]))))
	require.Len(t, m.Failovers, 2)
	assert.Equal(t, []string{"replication", "cause", "recovery", "start_s", "detected_s", "promoted_s",
		"end_s", "duration_s", "client_outage_s", "lost_writes"},
		keys(t, json.NewDecoder(bytes.NewReader(m.Failovers[0]))))
}

func TestSummaryValues(t *testing.T) {
	s := Summarize(testResult(), nil)
	assert.Equal(t, Requests{Total: 1_800_000, OK: 1_796_500, Failed: 3500, Throttled: 9, Retried: 123}, s.Requests)
	avail := []float64{599000.0 / 600000, 597500.0 / 600000, 1}
	mean := (avail[0] + avail[1] + avail[2]) / 3
	assert.InDelta(t, mean, float64(s.Availability), 1e-9)
	// t(0.975; 2 dof) = 4.302652730; the upper end is capped at 1.
	sd := math.Sqrt((math.Pow(avail[0]-mean, 2) + math.Pow(avail[1]-mean, 2) + math.Pow(avail[2]-mean, 2)) / 2)
	assert.InDelta(t, mean-4.302652730*sd/math.Sqrt(3), float64(s.AvailabilityCI95[0]), 1e-9)
	assert.Equal(t, scenarios.Number(1), s.AvailabilityCI95[1])
	assert.Equal(t, int64(3), s.LostWrites)
	assert.Equal(t, int64(5), s.UnreplicatedAcks, "summed over replications")

	// Latencies are merged over the three replications; HDR quantiles are
	// within 0.1% above the recorded value.
	r := s.LatencyMS.Read
	assert.Equal(t, int64(300), r.Count)
	assert.InDelta(t, 50.5, float64(r.Mean), 1e-9)
	assert.InEpsilon(t, 50, float64(r.P50), 0.002)
	assert.InEpsilon(t, 99, float64(r.P99), 0.002)
	assert.InDelta(t, 100, float64(r.Max), 1e-9)
	assert.Equal(t, r.Max, r.P999, "quantiles capped at the exact max")
	assert.InEpsilon(t, 100, float64(s.LatencyMS.Write.Max), 1e-9)
	assert.Equal(t, int64(330), s.LatencyMS.All.Count)

	require.Len(t, s.Failovers, 2)
	f0, f1 := s.Failovers[0], s.Failovers[1]
	assert.Equal(t, scenarios.Number(300), f0.StartS)
	assert.Equal(t, scenarios.Number(372.3), f0.EndS)
	assert.Equal(t, scenarios.Number(72.3), f0.DurationS)
	assert.Equal(t, scenarios.Number(95.1), f0.ClientOutageS)
	assert.Equal(t, 1, f1.Replication)
	assert.Equal(t, scenarios.Number(71.25), f1.DurationS)
	assert.False(t, f1.ClientOutageS.Valid(), "clients never recovered: null")

	// Engine durations 72.3 and 71.25; only one client outage.
	require.NotNil(t, s.FailoverDurationS)
	assert.Equal(t, scenarios.Number(71.775), s.FailoverDurationS.Mean)
	require.NotNil(t, s.ClientOutageS)
	assert.Equal(t, [2]scenarios.Number{95.1, 95.1}, s.ClientOutageS.CI95)

	b := summaryJSON(t, testResult())
	assert.Contains(t, string(b), `"client_outage_s": null`)
	assert.Contains(t, string(b), `"replica_lag_ms": {}`)
}

func TestMeanCI95(t *testing.T) {
	// By hand: mean 0.994666…, sample sd 0.004509250…, t(0.975; 2 dof) =
	// 4.302652730, half-width = 4.302652730 × 0.004509250 / √3 = 0.011201…
	xs := []float64{0.99, 0.995, 0.999}
	m, lo, hi := meanCI95(xs)
	mean := (0.99 + 0.995 + 0.999) / 3
	sd := math.Sqrt((math.Pow(0.99-mean, 2) + math.Pow(0.995-mean, 2) + math.Pow(0.999-mean, 2)) / 2)
	h := 4.302652730 * sd / math.Sqrt(3)
	assert.InDelta(t, mean, m, 1e-12)
	assert.InDelta(t, mean-h, lo, 1e-9)
	assert.InDelta(t, mean+h, hi, 1e-9)
	assert.InDelta(t, 0.0112016, h, 1e-6)

	// Ten values: t(0.975; 9) = 2.262157163.
	xs = []float64{70, 72, 75, 71, 69, 74, 73, 70, 72, 74}
	m, lo, hi = meanCI95(xs)
	sum, ss := 0.0, 0.0
	for _, x := range xs {
		sum += x
	}
	mean = sum / 10
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	h = 2.262157163 * math.Sqrt(ss/9) / math.Sqrt(10)
	assert.InDelta(t, mean, m, 1e-12)
	assert.InDelta(t, mean-h, lo, 1e-8)
	assert.InDelta(t, mean+h, hi, 1e-8)

	m, lo, hi = meanCI95([]float64{0.97})
	assert.Equal(t, [3]float64{0.97, 0.97, 0.97}, [3]float64{m, lo, hi})
	m, _, _ = meanCI95(nil)
	assert.True(t, math.IsNaN(m))
}

func TestSummaryOneReplicationNoFailover(t *testing.T) {
	res := testResult()
	res.Replications = res.Replications[2:] // the one without a failover
	s := Summarize(res, nil)
	assert.Equal(t, s.Availability, s.AvailabilityCI95[0])
	assert.Equal(t, s.Availability, s.AvailabilityCI95[1])
	assert.Nil(t, s.FailoverDurationS)
	b := summaryJSON(t, res)
	assert.Contains(t, string(b), `"failovers": [],`)
	assert.Contains(t, string(b), `"failover_duration_s": null,`)
}

func TestSummaryEmptyRun(t *testing.T) {
	// No requests, no latency samples: nulls, never NaN (which would make
	// json.Marshal fail).
	res := &scenarios.Result{Scenario: &scenarios.Scenario{Name: "empty"}, Replications: []*scenarios.Replication{{
		Latency: scenarios.Latencies{Read: sim.NewLatency(), Write: sim.NewLatency(), All: sim.NewLatency()},
	}}}
	b := summaryJSON(t, res)
	assert.Contains(t, string(b), `"availability": null`)
	assert.Contains(t, string(b), `"p99": null`)
	var back Summary
	require.NoError(t, json.Unmarshal(b, &back))
	assert.False(t, back.Availability.Valid())

	var text bytes.Buffer
	require.NoError(t, WriteText(&text, Summarize(res, nil)))
	assert.Contains(t, text.String(), "availability  -")
}

func TestNumberRounding(t *testing.T) {
	assert.Equal(t, 1.23457, roundSig(1.234567, 6))
	assert.Equal(t, 123457.0, roundSig(123456.7, 6))
	assert.Equal(t, 0.1, roundDec(0.1000004, 3))
	assert.Equal(t, 0.0, roundDec(-0.0001, 3))
	b, err := json.Marshal([]scenarios.Number{scenarios.Number(math.Inf(1)), scenarios.Null, 0.5})
	require.NoError(t, err)
	assert.Equal(t, "[null,null,0.5]", string(b))
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, testResult()))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 1+660)

	var lat []string
	for _, p := range []string{"all", "read", "write"} {
		for _, q := range []string{"p50", "p90", "p99", "p999", "max", "mean"} {
			lat = append(lat, p+"_"+q+"_ms")
		}
	}
	assert.Equal(t, "time_s,ok_per_s,failed_per_s,throttled_per_s,retried_per_s,stale_reads_per_s,availability,"+
		strings.Join(lat, ",")+",lag_ms:replica-1,capacity_acu,utilization:primary,connections:primary,queued:primary,max_connections:primary", lines[0])

	// Row of 5:01, during the failover: 30% of the requests fail, no
	// write succeeded (empty write latency cells).
	cells := strings.Split(lines[1+301], ",")
	require.Len(t, cells, 7+18+2+4)
	assert.Equal(t, "4", cells[7+18+1], "capacity_acu")
	assert.Equal(t, "301", cells[0])
	ser := testResult().Replications[0].Series
	okc, _ := ser.Lookup("ok")
	fc, _ := ser.Lookup("failed")
	ok, failed := ser.Values(okc)[301], ser.Values(fc)[301]
	assert.Equal(t, formatCell(ok), cells[1])
	assert.Equal(t, formatCell(failed), cells[2])
	assert.Equal(t, "0", cells[5], "stale_reads_per_s: the series has no such column")
	assert.Equal(t, formatCell(ok/(ok+failed)), cells[6])
	assert.Equal(t, "", cells[7+12], "write_p50_ms during the outage")
	assert.NotEmpty(t, cells[7], "all_p50_ms")

	// The row of bucket 5 has throttles.
	assert.Equal(t, "5", strings.Split(lines[1+5], ",")[0])
	assert.Equal(t, "2", strings.Split(lines[1+5], ",")[3])
}

func TestCSVHalfSecondBuckets(t *testing.T) {
	s := sim.NewSeries(500 * time.Millisecond)
	ok := s.Column("ok")
	s.Column("failed")
	s.Add(sec(0.7), ok, 10)
	s.Extend(sec(1.2))
	res := &scenarios.Result{Replications: []*scenarios.Replication{{Series: s}}}
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, res))
	assert.Equal(t, "time_s,ok_per_s,failed_per_s,throttled_per_s,retried_per_s,stale_reads_per_s,availability\n"+
		"0,0,0,0,0,0,\n"+
		"0.5,20,0,0,0,0,1\n"+
		"1,0,0,0,0,0,\n", buf.String())
}

func TestText(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteText(&buf, Summarize(testResult(), nil)))
	golden(t, "summary.golden.txt", buf.Bytes())
	out := buf.String()
	assert.Contains(t, out, "failover at 5:00 (replication 0): engine 72.3 s, clients 95.1 s, lost writes 0")
	assert.Contains(t, out, "failover at 4:00 (replication 1): engine 71.3 s, clients never, lost writes 3")

	res := testResult()
	res.Replications = res.Replications[:1]
	buf.Reset()
	require.NoError(t, WriteText(&buf, Summarize(res, nil)))
	assert.Contains(t, buf.String(), "failover at 5:00: engine 72.3 s, clients 95.1 s, lost writes 0")
	assert.NotContains(t, buf.String(), "stale reads", "none: no line")

	sum := Summarize(res, nil)
	sum.StaleReads, sum.LatencyMS.Read.Count = 25, 1000
	buf.Reset()
	require.NoError(t, WriteText(&buf, sum))
	assert.Contains(t, buf.String(), "stale reads   25 (2.5 % of successful reads)")
	assert.Contains(t, buf.String(), "load          primary: utilization mean 30 %, p99 59 %; connections max 100 of 1,712\n"+
		"              replica-1: utilization mean 20 %, p99 20 %; connections max 30\n")
	assert.Contains(t, buf.String(), "saturated     primary 2:00–3:00.5 (100 % of 2 vCPUs, 800 of 1,712 connections)\n")

	sum.Saturations[0].VCPUs = 1
	buf.Reset()
	require.NoError(t, WriteText(&buf, sum))
	assert.Contains(t, buf.String(), "(100 % of 1 vCPU, 800 of 1,712 connections)")

	// No instances (DynamoDB): neither line.
	sum.Utilization, sum.Connections, sum.Saturations = map[string]UtilizationStats{}, map[string]ConnectionStats{}, []SaturationEpisode{}
	buf.Reset()
	require.NoError(t, WriteText(&buf, sum))
	assert.NotContains(t, buf.String(), "load")
	assert.NotContains(t, buf.String(), "saturated")
}

func TestCompareInstances(t *testing.T) {
	names := []string{"replica-10", "standby-1", "replica-2", "writer", "replica-1"}
	slices.SortFunc(names, compareInstances)
	assert.Equal(t, []string{"writer", "replica-1", "replica-2", "replica-10", "standby-1"}, names)
	names = []string{"standby-2", "primary", "replica-1", "standby-1"}
	slices.SortFunc(names, compareInstances)
	assert.Equal(t, []string{"primary", "replica-1", "standby-1", "standby-2"}, names)
}

// wantFiles are the files WriteDir writes for testResult.
var wantFiles = []string{
	"availability.png", "availability.svg", "capacity.png", "capacity.svg", "cloudwatch.json", "lag.png", "lag.svg",
	"latency.png", "latency.svg", "load.png", "load.svg", "report.html", "summary.json", "throughput.png",
	"throughput.svg", "timeseries.csv",
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = b
	}
	return out
}

func names(m map[string][]byte) []string { return slices.Sorted(maps.Keys(m)) }

func TestWriteDir(t *testing.T) {
	parent := t.TempDir()
	a, b := filepath.Join(parent, "a"), filepath.Join(parent, "b")
	require.NoError(t, WriteDir(a, testResult()))
	require.NoError(t, WriteDir(b, testResult()))

	fa, fb := readDir(t, a), readDir(t, b)
	assert.Equal(t, wantFiles, names(fa))
	for name, content := range fa {
		assert.NotEmpty(t, content, name)
		assert.True(t, bytes.Equal(content, fb[name]), "%s differs between two runs", name)
	}
	assert.Equal(t, summaryJSON(t, testResult()), fa["summary.json"])
	assert.True(t, bytes.HasPrefix(fa["latency.png"], []byte("\x89PNG")))
	for _, label := range []string{"crash primary", "detected", "promoted", "writes ok", "clients ok", "warmup"} {
		assert.True(t, bytes.Contains(fa["availability.svg"], []byte(">"+label+"<")), "label %q on the plot", label)
	}
	fi, err := os.Stat(a)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm())

	// No temporary directories are left behind.
	ents, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, ents, 2)

	if *plotsDir != "" {
		require.NoError(t, WriteDir(*plotsDir, testResult()))
	}
}

func TestWriteDirReplacesFilesKeepsOthers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "summary.json"), []byte("old"), 0o644))

	require.NoError(t, WriteDir(dir, testResult()))
	got := readDir(t, dir)
	assert.Equal(t, "mine", string(got["notes.txt"]))
	assert.Equal(t, summaryJSON(t, testResult()), got["summary.json"])
	assert.Len(t, got, len(wantFiles)+1)
	ents, err := os.ReadDir(filepath.Dir(dir))
	require.NoError(t, err)
	assert.Len(t, ents, 1, "temporary directory removed")
}

func TestWriteDirRemovesFiguresOfAnEarlierRun(t *testing.T) {
	// An RDS run, then a DynamoDB run into the same directory: the RDS
	// run's load, lag and capacity... figures go, the user's files stay.
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, WriteDir(dir, testResult()))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
	require.NoError(t, WriteDir(dir, dynamoResult(84, 16)))
	got := readDir(t, dir)
	assert.Equal(t, slices.Sorted(slices.Values(append([]string{"notes.txt"}, dynamoWantFiles...))), names(got))
	assert.NotContains(t, string(got["report.html"]), `<figure id="load">`)

	// And back: the RDS figures return, the partition heatmap goes.
	require.NoError(t, WriteDir(dir, testResult()))
	assert.Equal(t, slices.Sorted(slices.Values(append([]string{"notes.txt"}, wantFiles...))), names(readDir(t, dir)))
}

func TestWriteDirFailureLeavesNothing(t *testing.T) {
	boom := errors.New("boom")
	failing := func(res *scenarios.Result) []output {
		outs := outputs(res, nil)
		// Fail on the last file, after all others rendered.
		outs = append(outs, output{"broken.png", func(w io.Writer) error {
			_, _ = w.Write([]byte("half"))
			return boom
		}})
		return outs
	}
	panicking := func(res *scenarios.Result) []output {
		return append(outputs(res, nil), output{"panic.svg", func(io.Writer) error { panic("log scale") }})
	}

	for name, outs := range map[string]func(*scenarios.Result) []output{"error": failing, "panic": panicking} {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			// A new directory is not created.
			fresh := filepath.Join(parent, "fresh")
			err := writeDir(fresh, outs(testResult()))
			require.Error(t, err)
			if name == "error" {
				assert.ErrorIs(t, err, boom)
			}
			assert.NoDirExists(t, fresh)

			// An existing one is untouched.
			old := filepath.Join(parent, "old")
			require.NoError(t, os.Mkdir(old, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(old, "summary.json"), []byte("old"), 0o644))
			require.Error(t, writeDir(old, outs(testResult())))
			assert.Equal(t, map[string][]byte{"summary.json": []byte("old")}, readDir(t, old))

			ents, err := os.ReadDir(parent)
			require.NoError(t, err)
			assert.Len(t, ents, 1, "only old/ is left: no temporary directory")
		})
	}
}

func TestWriteDirMakesParents(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "out")
	require.NoError(t, WriteDir(dir, testResult()))
	assert.FileExists(t, filepath.Join(dir, "summary.json"))

	// On failure the parents made are removed again.
	bad := filepath.Join(root, "x", "y", "out")
	outs := append(outputs(testResult(), nil), output{"bad", func(io.Writer) error { return errors.New("boom") }})
	require.Error(t, writeDir(bad, outs))
	assert.NoDirExists(t, filepath.Join(root, "x"))
}

func TestWriteDirUnwritableParent(t *testing.T) {
	// The parent is a file, so no temporary directory can be made there
	// (a permission check would not do: tests may run as root).
	parent := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(parent, []byte("x"), 0o644))
	err := WriteDir(filepath.Join(parent, "out"), testResult())
	require.Error(t, err)
	b, rerr := os.ReadFile(parent)
	require.NoError(t, rerr)
	assert.Equal(t, "x", string(b))

	// dir itself being a file is an error too, and the file stays.
	err = WriteDir(parent, testResult())
	require.Error(t, err)
	b, _ = os.ReadFile(parent)
	assert.Equal(t, "x", string(b))
}

func TestWriteDirEmptyRun(t *testing.T) {
	// No series, no failovers: still every core file.
	dir := filepath.Join(t.TempDir(), "out")
	res := &scenarios.Result{Scenario: &scenarios.Scenario{Name: "empty"}, Replications: []*scenarios.Replication{{
		Latency: scenarios.Latencies{Read: sim.NewLatency(), Write: sim.NewLatency(), All: sim.NewLatency()},
	}}}
	require.NoError(t, WriteDir(dir, res))
	files := readDir(t, dir)
	assert.Len(t, files, 10)
	assert.JSONEq(t, `{"MetricDataResults": [], "Messages": []}`, string(files["cloudwatch.json"]))
}

func TestLog10Ticks(t *testing.T) {
	labels := func(ts []plot.Tick) []string {
		var out []string
		for _, t := range ts {
			if t.Label != "" {
				out = append(out, t.Label)
			}
		}
		return out
	}
	lg := math.Log10
	assert.Equal(t, []string{"0.1", "0.2", "0.5", "1", "2", "5", "10"}, labels(log10Ticks{}.Ticks(lg(0.1), lg(10))))
	assert.Equal(t, []string{"0.1", "1", "10", "100", "1000", "10000"}, labels(log10Ticks{}.Ticks(lg(0.1), lg(10000))))
	assert.Equal(t, []string{"2", "5", "10", "20"}, labels(log10Ticks{}.Ticks(lg(1.5), lg(25))))
	assert.Equal(t, []string{"2", "3", "4", "5", "6", "7", "8", "9", "10"}, labels(log10Ticks{}.Ticks(lg(1.5), lg(12))))
	assert.Equal(t, "0.05", decimal(5, -2))
	assert.Equal(t, "2000", decimal(2, 3))
}

func TestAvailabilityFloor(t *testing.T) {
	for worst, want := range map[float64]float64{
		0: 0, 30: 0, 70: 50, 95: 90, 99.5: 99, 99.95: 99.9, 99.9: 99, 99.999: 99.99, 100: 99.9,
	} {
		assert.Equal(t, want, availabilityFloor(worst), "worst %v", worst)
	}
}

func TestPercentTicks(t *testing.T) {
	labels := func(min, max float64) []string {
		var out []string
		for _, tk := range (percentTicks{}).Ticks(min, max) {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	assert.Equal(t, []string{"100", "80", "60", "40", "20", "0"}, labels(0, 102))
	assert.Equal(t, []string{"100.00", "99.98", "99.96", "99.94", "99.92", "99.90"}, labels(99.9, 100.002))
	assert.Equal(t, []string{"100", "95", "90", "85", "80"}, labels(80, 100.4))
	assert.Equal(t, []string{"100.0", "99.8", "99.6", "99.4", "99.2", "99.0"}, labels(99, 100.02))
}
