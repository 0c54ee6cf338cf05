package scenarios

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"dbsim/sim"
)

// TestSteadyStateAllocations runs each system kind of BenchmarkSystems,
// without its fault, at 10,000 requests/s and counts the heap
// allocations of a window of simulated time after a warm-up, when the
// pools of requests, calls and connections hold what the load needs:
// they must be fewer than one per 1,000 requests. What remains is what
// grows with simulated time, not with requests: the per-second rows of
// the series, a pool's rare new high of requests in flight (about a
// hundred in 30 s at 10,000 requests/s); a request that allocates even
// once in a hundred requests fails it.
func TestSteadyStateAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 1.2 million requests")
	}
	const from, to = 30 * time.Second, 60 * time.Second
	for _, sys := range benchSystems {
		t.Run(strings.TrimSuffix(sys.name, "-failover"), func(t *testing.T) {
			src := sys.yaml
			if i := strings.Index(src, "faults:"); i >= 0 {
				src = src[:i]
			}
			s, err := Parse("allocs.yaml", []byte("name: allocs\nduration: 1m\n"+src))
			if err != nil {
				t.Fatal(err)
			}
			var ms runtime.MemStats
			var mallocs uint64
			var k *sim.Kernel
			var fired uint64
			kernelHook = func(kk *sim.Kernel) {
				k = kk
				k.At(sim.At(from), func() {
					runtime.ReadMemStats(&ms)
					mallocs, fired = ms.Mallocs, k.Fired()
				})
				k.At(sim.At(to), func() {
					runtime.ReadMemStats(&ms)
					mallocs, fired = ms.Mallocs-mallocs, k.Fired()-fired
				})
			}
			defer func() { kernelHook = nil }()
			if _, err := RunReplication(s, 0); err != nil {
				t.Fatal(err)
			}
			requests := 10_000 * (to - from).Seconds()
			perRequest := float64(mallocs) / requests
			t.Logf("%s: %d allocations in %v of simulated time (%d events, about %.0f requests): %.5f a request",
				sys.name, mallocs, to-from, fired, requests, perRequest)
			if perRequest >= 1e-3 {
				t.Errorf("%s allocates %.5f times a request in steady state (%d allocations for about %.0f requests); want none: profile with go test -run '^$' -bench 'Systems/%s' -memprofile mem.out ./scenarios/",
					sys.name, perRequest, mallocs, requests, sys.name)
			}
		})
	}
}
