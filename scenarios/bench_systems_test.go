package scenarios

import (
	"runtime"
	"testing"

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

// benchDuration is the simulated span of one op of BenchmarkSystems:
// 6 million requests.
const benchDuration = "10m"

// BenchmarkSystems measures, in one run, the kernel on its M/M/1 queue
// (sim.MMC, as BenchmarkKernelMM1) and then each system kind end to end
// at 10,000 requests/s: simulated requests per wall-clock second, kernel
// events per request, heap allocations per request (setup included), and
// requests/s as a share of the kernel's events/s in the same run
// ("req/kernel-ev"), which a noisy machine slows alike and so cancels.
// One op of a system is one replication of benchDuration; of the kernel,
// one event. make bench prints a table of the figures after them.
//
//	make bench
//	go test -run '^$' -bench Systems -benchmem -count 5 ./scenarios/ | tee new.txt
func BenchmarkSystems(b *testing.B) {
	var kernel float64 // events/s of the kernel's M/M/1 in this run
	b.Run("kernel-mm1", func(b *testing.B) {
		customers := max(b.N/2, 1)
		m := sim.NewMMC(1, 0.9, 1, 1, customers, 0)
		b.ReportAllocs()
		b.ResetTimer()
		m.Run()
		b.StopTimer()
		if m.Measured() != customers {
			b.Fatalf("%d of %d customers left", m.Measured(), customers)
		}
		kernel = float64(m.Kernel().Fired()) / b.Elapsed().Seconds()
		b.ReportMetric(kernel, "events/s")
	})
	for _, sys := range benchSystems {
		b.Run(sys.name, func(b *testing.B) {
			s, err := Parse("bench.yaml", []byte("name: bench\nduration: "+benchDuration+"\n"+sys.yaml))
			if err != nil {
				b.Fatal(err)
			}
			var events uint64
			var kernels []*sim.Kernel
			kernelHook = func(k *sim.Kernel) { kernels = append(kernels, k) }
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
			perSecond := float64(requests) / b.Elapsed().Seconds()
			b.ReportMetric(perSecond, "requests/s")
			b.ReportMetric(float64(events)/float64(requests), "events/req")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(requests), "allocs/req")
			if kernel > 0 {
				b.ReportMetric(perSecond/kernel, "req/kernel-ev")
			}
		})
	}
}
