package sweep

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

// tinyPoint is a scenario whose points run in a millisecond: a second of
// a few requests, no fault.
const tinyPoint = `name: mem
seed: 1
duration: 1s
replications: 1
system: {kind: rds, instance_class: db.r6g.large}
clients: {connections: 2}
workload:
  - name: w
    arrival: {rate: 20/s}
`

// peakHeap runs f and returns the largest heap (bytes allocated and not
// yet freed) seen while it ran, sampled every 2 ms, with the
// collector at a low target so that the heap follows the live bytes.
func peakHeap(f func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	runtime.GC()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	return peak
}

// A sweep keeps only the points in flight: with a store, its peak heap
// does not grow with the number of points (it held every point's scenario
// and result before).
func TestSweepMemoryIsFlatInThePoints(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 2,200 points")
	}
	base, err := scenarios.Parse("mem.yaml", []byte(tinyPoint))
	require.NoError(t, err)
	sweepOf := func(n int) *Sweep {
		seeds := make([]string, n)
		for i := range seeds {
			seeds[i] = fmt.Sprint(i + 1)
		}
		ax, err := ParseSet("seed=" + strings.Join(seeds, ","))
		require.NoError(t, err)
		return &Sweep{Base: base, Axes: []Axis{ax}}
	}
	peak := map[int]uint64{}
	for _, n := range []int{200, 2000} {
		sw := sweepOf(n)
		var res *Result
		start := time.Now()
		peak[n] = peakHeap(func() {
			res, err = sw.Run(Options{Workers: 2, Store: OpenStore(t.TempDir())})
		})
		require.NoError(t, err)
		require.Len(t, res.Results, n)
		t.Logf("%5d points: peak heap %.1f MB, %v", n, float64(peak[n])/1e6, time.Since(start).Round(time.Millisecond))
	}
	// The result itself (a few hundred bytes a point) is all that may grow.
	assert.Less(t, peak[2000], peak[200]+2_000_000, "peak heap of 2,000 points (%d B) against 200 (%d B)", peak[2000], peak[200])
}
