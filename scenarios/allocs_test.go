package scenarios

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"dbsim/sim"
)

// TestSteadyStateAllocations runs each system kind of BenchmarkSystems,
// without its fault, at 10,000 and at 20,000 requests/s, and counts the
// heap allocations of a window of simulated time after a warm-up, when
// the pools of requests, calls and connections hold what the load needs.
// Doubling the requests must not add allocations: fewer than one per
// 10,000 added requests (what is left is a pool's rare new high of
// requests in flight). What a window allocates at all, fewer than one per
// 1,000 requests, grows with simulated time, not with requests: the
// per-second rows of the series, DynamoDB's adaptive capacity. A request
// that allocates even once in a thousand requests fails it.
func TestSteadyStateAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 3.6 million requests")
	}
	const from, to = 30 * time.Second, 60 * time.Second
	window := (to - from).Seconds()
	for _, sys := range benchSystems {
		t.Run(strings.TrimSuffix(sys.name, "-failover"), func(t *testing.T) {
			single := windowAllocations(t, sys.yaml, 10_000, from, to)
			double := windowAllocations(t, sys.yaml, 20_000, from, to)
			requests := 10_000 * window
			t.Logf("%s: %d allocations in %v of simulated time at 10,000 requests/s, %d at 20,000 requests/s",
				sys.name, single, to-from, double)
			profile := "profile with go test -run '^$' -bench 'Systems/" + sys.name + "' -memprofile mem.out ./scenarios/"
			if perRequest := float64(single) / requests; perRequest >= 1e-3 {
				t.Errorf("%s allocates %.5f times a request in steady state (%d allocations for about %.0f requests); want none: %s",
					sys.name, perRequest, single, requests, profile)
			}
			if added := float64(double) - float64(single); added >= 1e-4*requests {
				t.Errorf("%s: %.0f more requests made %.0f more allocations in steady state; want none: %s",
					sys.name, requests, added, profile)
			}
		})
	}
}

// windowAllocations runs the scenario yaml, without its faults, at rate
// requests/s for a minute and returns the heap allocations made between
// simulated times from and to.
func windowAllocations(t *testing.T, yaml string, rate int, from, to time.Duration) uint64 {
	t.Helper()
	if i := strings.Index(yaml, "faults:"); i >= 0 {
		yaml = yaml[:i]
	}
	yaml = strings.Replace(yaml, "rate: 10000/s", "rate: "+strconv.Itoa(rate)+"/s", 1)
	s, err := Parse("allocs.yaml", []byte("name: allocs\nduration: 1m\n"+yaml))
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	var mallocs uint64
	kernelHook = func(k *sim.Kernel) {
		k.At(sim.At(from), func() {
			runtime.ReadMemStats(&ms)
			mallocs = ms.Mallocs
		})
		k.At(sim.At(to), func() {
			runtime.ReadMemStats(&ms)
			mallocs = ms.Mallocs - mallocs
		})
	}
	defer func() { kernelHook = nil }()
	if _, err := RunReplication(s, 0); err != nil {
		t.Fatal(err)
	}
	return mallocs
}
