package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFileOverTheLimitIsRefusedUnread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte("# padding\n"), 500_000), 0o644)) // 5 MB
	_, err := Load(path)
	var errs Errors
	require.ErrorAs(t, err, &errs)
	assert.Equal(t, path+": too large (4.8 MB; scenarios are at most 4 MB)", err.Error())

	_, err = Parse("big.yaml", make([]byte, MaxFileSize+1))
	assert.ErrorContains(t, err, "big.yaml: too large")
}

// peakHeap runs f and returns the highest heap (live and not yet
// collected objects) sampled while it ran, and the heap before.
func peakHeap(f func()) (before, peak uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	before = read()
	var max atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			if h := read(); h > max.Load() {
				max.Store(h)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	<-stopped
	if h := read(); h > max.Load() {
		max.Store(h)
	}
	return before, max.Load()
}

func TestManyUnknownKeysReportFiftyProblemsInBoundedMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: keys\nduration: 1m\nsystem: {kind: rds}\nworkload: [{name: w, arrival: {rate: 1/s}}]\n")
	n := 0
	for b.Len() < 3<<20 {
		fmt.Fprintf(&b, "unknown_key_%07d: value\n", n)
		n++
	}
	data := []byte(b.String())
	var err error
	before, peak := peakHeap(func() { _, err = Parse("keys.yaml", data) })
	var errs Errors
	require.True(t, errors.As(err, &errs))
	require.Len(t, errs, maxErrors+1)
	assert.Equal(t, "keys.yaml:5:1: unknown key \"unknown_key_0000000\"", errs[0].Error()[:len("keys.yaml:5:1: unknown key \"unknown_key_0000000\"")])
	assert.Equal(t, fmt.Sprintf("keys.yaml: ... and %d more problems", n-maxErrors), errs[maxErrors].Error())
	// The YAML node tree is most of the peak and is garbage once Parse
	// returns; the problems it returns are what stays (116,000 messages
	// of 250 bytes each, 28 MB, before they were capped).
	runtime.GC()
	_, after := peakHeap(func() {})
	grown, kept := (float64(peak)-float64(before))/(1<<20), (float64(after)-float64(before))/(1<<20)
	runtime.KeepAlive(err)
	t.Logf("%d unknown keys in %d bytes: heap %.0f MB at peak (%.0f MB above the start), %.1f MB kept", n, len(data), float64(peak)/(1<<20), grown, kept)
	assert.Less(t, grown, 200.0, "parsing a 3 MB file should not take more than about 60 times its size")
	assert.Less(t, kept, 2.0, "the problems of one file should fit in a few kilobytes")
}
