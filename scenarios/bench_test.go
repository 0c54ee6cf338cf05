package scenarios

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"
)

// benchScenario is BenchmarkSystems' rds-failover (rds-multi-az-failover
// at 10,000 requests/s) for the given duration, one replication.
func benchScenario(b *testing.B, duration string) *Scenario {
	b.Helper()
	s, err := Parse("bench.yaml", []byte("name: bench\nduration: "+duration+"\n"+benchSystems[0].yaml))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// runMeasured runs s b.N times and returns the requests simulated and
// the largest heap in use after a run.
func runMeasured(b *testing.B, s *Scenario) (requests int64, peak uint64) {
	for i := 0; i < b.N; i++ {
		rep, err := RunReplication(s, 0)
		if err != nil {
			b.Fatal(err)
		}
		requests += rep.Requests.Total
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	return requests, peak
}

// BenchmarkEndToEnd runs a 1-hour Multi-AZ failover scenario at 10,000
// requests/s (36 M requests). Target: under 20 s per run on one core.
func BenchmarkEndToEnd(b *testing.B) {
	for _, d := range []string{"10m", "1h"} {
		b.Run(d, func(b *testing.B) {
			requests, peak := runMeasured(b, benchScenario(b, d))
			b.ReportMetric(float64(requests)/b.Elapsed().Seconds(), "requests/s")
			b.ReportMetric(float64(peak)/(1<<20), "heapMiB")
		})
	}
}

// BenchmarkDynamoDB runs the DynamoDB benchmark scenario: 64
// partitions, 20,000 requests/s (80% eventually consistent gets, 20%
// puts). Target: an hour simulates in under 30 s on one core.
func BenchmarkDynamoDB(b *testing.B) {
	for _, d := range []string{"10m", "1h"} {
		b.Run(d, func(b *testing.B) {
			src := fmt.Sprintf(`
name: ddb-bench
duration: %s
system:
  kind: dynamodb
  table: {mode: provisioned, rcu: 96000, wcu: 32000, size: 1GB, partitions: 64}
clients: {instances: 8, connections: 200, timeout: 2s, sdk: go-v2-standard}
workload:
  - name: app
    arrival: {process: poisson, rate: 20000/s}
    ops: {get: 0.8, put: 0.2}
    keys: {dist: uniform, count: 10000000}
`, d)
			s, err := Parse("bench.yaml", []byte(src))
			if err != nil {
				b.Fatal(err)
			}
			var requests int64
			for i := 0; i < b.N; i++ {
				rep, err := RunReplication(s, 0)
				if err != nil {
					b.Fatal(err)
				}
				requests += rep.Requests.Total
			}
			b.ReportMetric(float64(requests)/b.Elapsed().Seconds(), "requests/s")
		})
	}
}

// fluidTwoWeeks is the long-horizon replay: 14 days of per-minute
// history (20,160 rate changes, built here rather than written out) at an
// average of 5,000 requests/s (6 billion requests) with a daily cycle
// (2,000/s at 04:00 to 8,000/s at 16:00) and weekends at 60 %, through a
// provisioned table with auto scaling, in fluid mode.
func fluidTwoWeeks(tb testing.TB) *Scenario {
	tb.Helper()
	src := `
name: fluid-two-weeks-bench
duration: 336h
bucket: 1m
mode: fluid
system:
  kind: dynamodb
  table:
    mode: provisioned
    rcu: 6000
    wcu: 4000
    size: 50GB
    autoscaling: {target: 0.7, min_rcu: 1000, max_rcu: 40000, min_wcu: 1000, max_wcu: 40000}
clients: {instances: 8, connections: 100, timeout: 2s, sdk: go-v2-standard}
workload:
  - name: app
    arrival: {process: poisson, rate: 2000/s}
    ops: {get: 0.7, put: 0.3}
    keys: {dist: zipf, skew: 0.9, count: 10000000}
`
	s, err := Parse("bench.yaml", []byte(src))
	if err != nil {
		tb.Fatal(err)
	}
	w := &s.Workload[0]
	// Weekdays average 5,000 × 7 / (5 + 2 × 0.6) requests/s so that the
	// fortnight averages 5,000.
	mean := 5000 * 7 / 6.2
	for m := 1; m < 14*24*60; m++ {
		day, h := m/(24*60), float64(m%(24*60))/60
		r := mean * (1 - 0.6*math.Cos(2*math.Pi*(h-4)/24))
		if day%7 >= 5 {
			r *= 0.6
		}
		w.RateChanges = append(w.RateChanges, RateChange{At: Duration(time.Duration(m) * time.Minute), Rate: Rate(r)})
	}
	return s
}

// BenchmarkFluidTwoWeeks replays fluidTwoWeeks: target under 60 s on one
// core, memory flat (the series at 1-minute buckets: 20,160 rows).
func BenchmarkFluidTwoWeeks(b *testing.B) {
	requests, peak := runMeasured(b, fluidTwoWeeks(b))
	b.ReportMetric(float64(requests)/float64(b.N), "requests/run")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
	b.ReportMetric(float64(peak)/(1<<20), "heapMiB")
}

// BenchmarkWorkers measures how replications (and so sweep points, which
// share RunJobs' worker pool) scale with cores: each op runs four
// replications of BenchmarkSystems' aurora case (2 simulated minutes,
// 1.2 M requests each) on one worker and then on two, and "speedup" is the
// first time over the second (target at least 1.8 on two idle cores).
// Taking both in every op lets a machine's changing load touch both alike.
func BenchmarkWorkers(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs two cores")
	}
	s, err := Parse("bench.yaml", []byte("name: bench\nduration: 2m\nreplications: 4\n"+benchSystems[1].yaml))
	if err != nil {
		b.Fatal(err)
	}
	var took [3]time.Duration // by workers
	for i := 0; i < b.N; i++ {
		for _, w := range []int{1, 2} {
			start := time.Now()
			if _, err := Run(s, Options{Workers: w}); err != nil {
				b.Fatal(err)
			}
			took[w] += time.Since(start)
		}
	}
	b.ReportMetric(took[1].Seconds()/took[2].Seconds(), "speedup")
}
