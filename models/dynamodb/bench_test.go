package dynamodb

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// benchRunWith simulates d of a 64-partition provisioned table taking
// 20,000 requests/s (80 % eventually consistent GetItem, 20 % PutItem of
// 1 KB, uniform over a million keys, as DDB22 §7's YCSB runs, fact 5.30)
// from 8 client processes with the Go SDK v2's standard retries, and
// returns the requests completed. With null the router answers every
// request OK after 2 ms without the model, which measures what the kernel, the
// client fleet and the arrival loop cost on their own.
func benchRunWith(b *testing.B, d time.Duration, null bool) int {
	cfg := Defaults()
	cfg.Table = Capacity{RCU: 40000, WCU: 10000, Partitions: 64}
	retry, _ := client.SDKRetry(client.GoV2Standard)
	ccfg := client.Config{Instances: 8, Connections: 100, ConnectTimeout: 2 * time.Second, Timeout: 2 * time.Second,
		Retry: retry, HandshakeRTTs: 3}
	h := newHarness(b, 1, cfg, ccfg)
	if n := len(h.m.Partitions(0)); n != 64 {
		b.Fatalf("%d partitions", n)
	}
	if null {
		h.m.router.Serve = func(c *cluster.Call) { h.m.answer(c, cluster.OK, 2*time.Millisecond) }
	}
	h.drive("bench", steady(20000), func(rng *rand.Rand, r *client.Request) {
		r.Key, r.Size = rng.Uint64N(1_000_000), KB
		if rng.Float64() < 0.2 {
			r.Op = cluster.Write
		}
	})
	h.k.Run(sim.At(d))
	return h.ok + h.throttled + h.failed
}

// BenchmarkDynamoDB1h simulates one hour at 20,000 requests/s with 64
// partitions (72 M requests). Target: under 30 s per run on one core.
// "10m-null-model" replaces the model by a router that answers at once:
// the difference to "10m" is the model's own cost.
//
//	go test -run '^$' -bench DynamoDB1h -benchtime 1x ./models/dynamodb/
func BenchmarkDynamoDB1h(b *testing.B) {
	for _, c := range []struct {
		name string
		d    time.Duration
		null bool
	}{{"10m", 10 * time.Minute, false}, {"1h", time.Hour, false}, {"10m-null-model", 10 * time.Minute, true}} {
		b.Run(c.name, func(b *testing.B) {
			var requests int
			var peak uint64
			for i := 0; i < b.N; i++ {
				requests += benchRunWith(b, c.d, c.null)
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			b.ReportMetric(float64(requests)/b.Elapsed().Seconds(), "requests/s")
			b.ReportMetric(float64(b.N)*c.d.Seconds()/b.Elapsed().Seconds(), "sim-s/s")
			b.ReportMetric(float64(peak)/(1<<20), "heapMiB")
		})
	}
}
