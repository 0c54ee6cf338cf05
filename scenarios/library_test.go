package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBundled runs replication 0 of a bundled scenario.
func runBundled(t *testing.T, name string) *Replication {
	t.Helper()
	s, err := LoadBundled(name)
	require.NoError(t, err)
	rep, err := RunReplication(s, 0)
	require.NoError(t, err)
	return rep
}

// staleSeriesSums checks that the stale_reads series of a run that had
// stale reads adds up, over the buckets after warmup (a whole number of
// buckets), to the summary's count.
func staleSeriesSums(t *testing.T, rep *Replication, warmup time.Duration) {
	t.Helper()
	require.Positive(t, rep.StaleReads)
	col, ok := rep.Series.Lookup("stale_reads")
	require.True(t, ok, "a stale_reads column")
	require.Zero(t, warmup%rep.Series.Bucket())
	var sum, all float64
	for b, v := range rep.Series.Values(col) {
		all += v
		if time.Duration(b)*rep.Series.Bucket() >= warmup {
			sum += v
		}
	}
	assert.Equal(t, float64(rep.StaleReads), sum, "the series after the warmup adds up to the summary")
	if warmup > 0 {
		assert.GreaterOrEqual(t, all, sum)
	}
}

func counter(rep *Replication, name string) int64 {
	for _, c := range rep.Counters {
		if c.ID.Column() == name {
			return c.Value
		}
	}
	return -1
}

func TestEveryBundledScenarioLoads(t *testing.T) {
	for _, b := range Bundled() {
		_, err := LoadBundled(b.Name)
		assert.NoError(t, err, b.Name)
		assert.NotContains(t, b.Summary, "does not load", b.Name)
	}
}

func TestAuroraAZPlusOne(t *testing.T) {
	// fact 3.1, 3.2: an AZ down leaves 4 of 6 segments (writes go on);
	// AZ+1 leaves 3 (writes stop, reads go on); nothing is lost.
	rep := runBundled(t, "aurora-az-plus-one")
	assert.Empty(t, rep.Failovers, "the writer never failed")
	assert.Greater(t, counter(rep, "volume_write_unavailable_ms"), int64(5000), "AZ+1 stalls writes until repair")
	assert.Zero(t, counter(rep, "volume_read_unavailable_ms"), "reads keep their quorum of 3")
	assert.Greater(t, rep.Latency.Write.Max(), 2*time.Second, "writes waited out the stall")
	assert.Less(t, rep.Latency.Read.Max(), 500*time.Millisecond, "reads never stalled")
	assert.Zero(t, counter(rep, "lost_acked_writes"), "no acknowledged write lost")
	staleSeriesSums(t, rep, 30*time.Second) // Aurora replicas' stale reads
}

func TestAuroraFailsOverInAFractionOfRDS(t *testing.T) {
	// fact 3.21: with a replica, Aurora is back typically < 30 s;
	// RDS Multi-AZ takes 60–120 s (fact 1.3). Same workload, same seed.
	a := runBundled(t, "aurora-vs-rds-failover")
	r := runBundled(t, "rds-multi-az-failover")
	require.Len(t, a.Failovers, 1)
	require.Len(t, r.Failovers, 1)
	da := a.Failovers[0].Accepting.Sub(a.Failovers[0].Start)
	dr := r.Failovers[0].Accepting.Sub(r.Failovers[0].Start)
	assert.Less(t, da, 30*time.Second)
	assert.Less(t, da, dr/2, "aurora %v vs rds %v", da, dr)
	assert.Zero(t, a.Failovers[0].LostWrites)
	// Common random numbers: the same arrivals (the totals count finished
	// requests, so the few in flight at the end may differ).
	assert.InDelta(t, a.Requests.Total, r.Requests.Total, 5)
}

func TestServerlessScaleToZero(t *testing.T) {
	// fact 4.6, 4.7: pause after 300 s idle, ~15 s to resume.
	rep := runBundled(t, "serverless-scale-to-zero")
	col, ok := rep.Series.Lookup("capacity_acu")
	require.True(t, ok)
	acu := rep.Series.Values(col)
	bucket := rep.Series.Bucket()
	at := func(d time.Duration) float64 { return acu[int(d/bucket)] }
	assert.Greater(t, at(time.Minute), 0.0, "serving traffic")
	assert.Equal(t, 0.0, at(9*time.Minute), "paused at 0 ACU after 300 s idle")
	assert.Greater(t, at(12*time.Minute), 0.0, "resumed when traffic came back")
	// The first requests after the pause wait for the resume.
	assert.Greater(t, rep.Latency.All.Max(), 14*time.Second)
	assert.Less(t, rep.Latency.All.Max(), 20*time.Second)
	assert.Zero(t, rep.Requests.Failed, "the 30 s client timeout covers the cold start")
}

// BundledNames and BundledSource read the library without parsing it:
// the same names as Bundled, the same bytes as LoadBundled's Source.
func TestBundledSource(t *testing.T) {
	var names []string
	for _, e := range Bundled() {
		names = append(names, e.Name)
	}
	assert.Equal(t, names, BundledNames())
	src, err := BundledSource("client-dns-cache")
	require.NoError(t, err)
	s, err := LoadBundled("client-dns-cache")
	require.NoError(t, err)
	assert.Equal(t, s.Source, src)
	_, err = BundledSource("../library/client-dns-cache")
	assert.ErrorContains(t, err, "no bundled scenario")
}
