package scenarios

import (
	"math"
	"runtime"
	"testing"
	"time"

	"dbsim/sim"
)

// benchSystems are the scenarios of BenchmarkSystems: each system kind at
// 10,000 requests/s (80 % reads, 20 % writes, Zipf keys), the RDS one
// with a failover of its writer at 5 minutes (as BenchmarkEndToEnd).
var benchSystems = []struct{ name, yaml string }{
	{"rds-failover", `
system: {kind: rds, multi_az: instance, instance_class: db.r6g.4xlarge}
clients: {instances: 8, connections: 100}
workload:
  - name: web
    arrival: {process: poisson, rate: 10000/s}
    mix: {read: 0.8, write: 0.2}
    keys: {dist: zipf, skew: 1.1, count: 1000000}
faults:
  - {at: 5m, kind: instance-failure}
`},
	{"aurora", `
system:
  kind: aurora
  instance_class: db.r6g.4xlarge
  az: us-east-1a
  replicas: [{az: us-east-1b, tier: 0}]
clients: {instances: 8, connections: 100}
workload:
  - name: web
    arrival: {process: poisson, rate: 10000/s}
    mix: {read: 0.8, write: 0.2}
    keys: {dist: zipf, skew: 1.1, count: 1000000}
`},
	{"dynamodb", `
system:
  kind: dynamodb
  table: {mode: provisioned, rcu: 48000, wcu: 16000, size: 1GB, partitions: 64}
clients: {instances: 8, connections: 200, timeout: 2s, sdk: go-v2-standard}
workload:
  - name: app
    arrival: {process: poisson, rate: 10000/s}
    ops: {get: 0.8, put: 0.2}
    keys: {dist: uniform, count: 10000000}
`},
}

// benchDuration is the simulated span of one op of BenchmarkSystems (6
// million requests), benchSeconds the same in seconds.
const (
	benchDuration = "10m"
	benchSeconds  = 600
)

// burstSpan is the simulated span of the M/M/1 that BenchmarkSystems
// runs beside every simulated second of a system.
const burstSpan = 11_000 * time.Second

// BenchmarkSystems measures, in one run, the kernel on an M/M/1 queue
// built as the models build queues ("mmc": sim.MMC, a Station and its
// time-averages; sim's BenchmarkKernelMM1 times the kernel on a bare
// M/M/1 beside the same queue written by hand) and then each system
// kind end to end at 10,000 requests/s: simulated requests per
// wall-clock second, kernel events per request, and heap allocations per
// request (setup included).
//
// A shared machine's load changes from one second to the next, so each
// system is also measured against the kernel side by side: every
// simulated second of the system, the M/M/1 runs a burst of about 20,000
// events (a millisecond or so), timed apart from the system, and
// "req/kernel-ev" is the system's requests/s over the bursts' events/s.
// A load that slows both cancels; a regression of the system's hot path
// shows. One op of a system is one replication of benchDuration, its
// bursts included (requests/s leaves them out); of mmc, one event.
// make bench prints a table after them.
//
//	make bench
//	go test -run '^$' -bench Systems -benchmem -count 5 ./scenarios/ | tee new.txt
func BenchmarkSystems(b *testing.B) {
	b.Run("mmc", func(b *testing.B) {
		customers := max(b.N/2, 1)
		m := sim.NewMMC(1, 0.9, 1, 1, customers, 0)
		b.ReportAllocs()
		b.ResetTimer()
		m.Run()
		b.StopTimer()
		if m.Measured() != customers {
			b.Fatalf("%d of %d customers left", m.Measured(), customers)
		}
		b.ReportMetric(float64(m.Kernel().Fired())/b.Elapsed().Seconds(), "events/s")
	})
	for _, sys := range benchSystems {
		b.Run(sys.name, func(b *testing.B) {
			s, err := Parse("bench.yaml", []byte("name: bench\nduration: "+benchDuration+"\n"+sys.yaml))
			if err != nil {
				b.Fatal(err)
			}
			// The M/M/1 beside the system: λ = 0.9/s, so a burst of
			// 11,000 simulated seconds is about 20,000 events.
			mm := sim.NewMMC(1, 0.9, 1, 1, math.MaxInt, 0)
			mm.Start()
			mk := mm.Kernel()
			mk.Run(sim.At(burstSpan)) // warm its free lists
			var kernelEvents uint64
			var kernelTime time.Duration
			burst := func() {
				f, t := mk.Fired(), time.Now()
				mk.Run(mk.Now() + sim.At(burstSpan))
				kernelTime += time.Since(t)
				kernelEvents += mk.Fired() - f
			}
			var events uint64
			var kernels []*sim.Kernel
			kernelHook = func(k *sim.Kernel) {
				kernels = append(kernels, k)
				var tick func()
				tick = func() { burst(); k.After(time.Second, tick) }
				k.After(time.Second, tick)
			}
			defer func() { kernelHook = nil }()
			var requests int64
			var before, after runtime.MemStats
			b.ReportAllocs()
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rep, err := RunReplication(s, 0)
				if err != nil {
					b.Fatal(err)
				}
				requests += rep.Requests.Total
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			for _, k := range kernels {
				events += k.Fired()
			}
			// Take the bursts out: the figures are the system's own.
			events -= uint64(len(kernels)) * uint64(benchSeconds)
			perSecond := float64(requests) / (b.Elapsed() - kernelTime).Seconds()
			b.ReportMetric(perSecond, "requests/s")
			b.ReportMetric(float64(events)/float64(requests), "events/req")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(requests), "allocs/req")
			b.ReportMetric(perSecond/(float64(kernelEvents)/kernelTime.Seconds()), "req/kernel-ev")
		})
	}
}
