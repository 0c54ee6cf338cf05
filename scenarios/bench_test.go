package scenarios

import (
	"fmt"
	"runtime"
	"testing"
)

// benchScenario is rds-multi-az-failover scaled to 10,000 requests/s for
// the given duration, one replication.
func benchScenario(b *testing.B, duration string) *Scenario {
	b.Helper()
	src := fmt.Sprintf(`
name: bench
duration: %s
system: {kind: rds, multi_az: instance, instance_class: db.r6g.4xlarge}
clients: {instances: 8, connections: 100}
workload:
  - name: web
    arrival: {process: poisson, rate: 10000/s}
    mix: {read: 0.8, write: 0.2}
    keys: {dist: zipf, skew: 1.1, count: 1000000}
faults:
  - {at: 5m, kind: instance-failure}
`, duration)
	s, err := Parse("bench.yaml", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkEndToEnd runs a 1-hour Multi-AZ failover scenario at 10,000
// requests/s (36 M requests). Target: under 20 s per run on one core.
func BenchmarkEndToEnd(b *testing.B) {
	for _, d := range []string{"10m", "1h"} {
		b.Run(d, func(b *testing.B) {
			s := benchScenario(b, d)
			var requests int64
			var peak uint64
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
