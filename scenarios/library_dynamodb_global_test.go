package scenarios

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDynamoDBGlobalTablesStory: dynamodb-global-tables-region-outage
// against fact 5.32 (items usually reach every replica within a second)
// and the queue its replication is: the writes in flight when us-east-1
// fails are the write rate times the mean replication latency (Little's
// law).
func TestDynamoDBGlobalTablesStory(t *testing.T) {
	rep := runBundled(t, "dynamodb-global-tables-region-outage")
	g := rep.Global
	require.NotNil(t, g)

	// The default delay, lognormal with p50 0.5 s and p99 1.5 s, has a
	// mean of p50·exp(σ²/2); the Regions' one-way delay is half of fact
	// 6.5's 87 ms.
	sigma := math.Log(1.5/0.5) / 2.3263
	meanDelay := 0.5*math.Exp(sigma*sigma/2) + 0.087/2 // ≈ 0.602 s
	lat := column(t, rep, "replication_latency_ms:us-east-1>us-west-2")
	steady := mean(span(rep, lat, 30*time.Second, 3*time.Minute))
	assert.InDelta(t, meanDelay*1000, steady, 15, "replication latency while both Regions are up")
	assert.Less(t, steady, 1000.0, "fact 5.32: typically within a second")

	// us-west-2 down from 3:00 to 5:00: no write reaches it, none is
	// refused in us-east-1, and what waited arrives when it returns,
	// the oldest two minutes late.
	for i, v := range span(rep, lat, 3*time.Minute+5*time.Second, 5*time.Minute) {
		assert.True(t, math.IsNaN(v), "bucket %d of the outage has a replication latency %v", i, v)
	}
	ok := column(t, rep, ColumnWriteOK)
	assert.InDelta(t, 400*120, sum(span(rep, ok, 3*time.Minute, 5*time.Minute)), 400*120*0.03, "us-east-1 keeps serving")
	assert.InDelta(t, 120+meanDelay, g.Latency.Max().Seconds(), 1.5, "the oldest held write")
	// The bucket of its return is the mean over the writes it received:
	// two minutes of held writes (0 to 120 s late, 60 s on average)
	// outweigh the bucket's few on time, as CloudWatch's average would.
	back := span(rep, lat, 5*time.Minute, 5*time.Minute+5*time.Second)
	require.Len(t, back, 1)
	assert.InDelta(t, 60_000*24_000/(24_000+2_000.0), back[0], 8_000, "the mean over the bucket's writes, not over its seconds")

	// us-east-1 fails at 8:00: at risk are the writes in flight then.
	inFlight := 400 * meanDelay // ≈ 241
	assert.InDelta(t, inFlight, float64(g.AtRisk), 0.2*inFlight, "at risk: rate × mean replication latency")

	// Every write acknowledged is applied in us-west-2 (give or take the
	// writes in flight at the warm-up's end and the run's).
	assert.InDelta(t, float64(rep.Requests.OK), float64(g.Replicated), 2*inFlight)
}

// TestDynamoDBGlobalTableWithoutReplicas: without replicas the table
// reports no global table and no replication latency column.
func TestDynamoDBGlobalTableWithoutReplicas(t *testing.T) {
	s := variant(t, "dynamodb-global-tables-region-outage", "    replicas:\n      - {region: us-west-2}\n", "")
	rep := run(t, s)
	assert.Nil(t, rep.Global)
	_, has := rep.Series.Lookup("replication_latency_ms:us-east-1>us-west-2")
	assert.False(t, has)
}

// meanReplicationDelay is the mean replication latency between us-east-1
// and us-west-2 with the default delay: a lognormal of p50 0.5 s and p99
// 1.5 s has the mean p50·exp(σ²/2); the Regions' one-way delay is half
// of fact 6.5's 87 ms.
func meanReplicationDelay() float64 {
	sigma := math.Log(1.5/0.5) / 2.3263
	return 0.5*math.Exp(sigma*sigma/2) + 0.087/2 // ≈ 0.602 s
}

// twoWriters is a global table in us-east-1 and us-west-2, each Region's
// clients putting rate items a second for 5 minutes, keys drawn as keys
// says.
func twoWriters(t *testing.T, rate int, keys string) *Scenario {
	t.Helper()
	src := fmt.Sprintf(`name: two-writers
seed: 7
duration: 330s
warmup: 30s
topology:
  region: us-east-1
  regions: [{name: us-west-2}]
system:
  kind: dynamodb
  table:
    mode: on-demand
    replicas: [{region: us-west-2}]
workload:
  - {name: east, arrival: {rate: %[1]d/s}, ops: {put: 1}, keys: %[2]s}
  - {name: west, region: us-west-2, arrival: {rate: %[1]d/s}, ops: {put: 1}, keys: %[2]s}
`, rate, keys)
	s, err := Parse("two-writers.yaml", []byte(src))
	require.NoError(t, err)
	return s
}

// TestGlobalTableConflictRateMatchesTheAnalyticRate checks last writer
// wins against the rate of concurrent writes. Two Regions write one item
// with probability p_k per write, at rates λ₁ and λ₂ (Poisson); a write
// of Region 1 at s and one of Region 2 at u are concurrent when each
// commits before the other arrives: −D₂₁ < s − u < D₁₂, a window of mean
// E[D₁₂] + E[D₂₁]. Each concurrent pair loses one write, so for small
// λ·D·p_k (at most one other write per item in the window)
//
//	conflicts per second ≈ λ₁ λ₂ (E[D₁₂] + E[D₂₁]) Σ_k p_k²,
//
// Σ p_k² = 1/N for N uniform keys. The reference is this derivation; the
// tolerance, 10 %, is three Poisson standard deviations of the count
// (about 1,450 conflicts: 2.6 % each) plus the neglected second order
// (λ·D·p ≈ 1 %).
func TestGlobalTableConflictRateMatchesTheAnalyticRate(t *testing.T) {
	const rate, n, seconds = 200.0, 10000.0, 300.0
	rep := run(t, twoWriters(t, rate, "{dist: uniform, count: 10000}"))
	g := rep.Global
	require.NotNil(t, g)
	want := rate * rate * 2 * meanReplicationDelay() / n * seconds // ≈ 1,446
	t.Logf("uniform: %d conflicts measured, %.0f analytic", g.Conflicts, want)
	assert.InEpsilon(t, want, float64(g.Conflicts), 0.10, "conflicts: measured %d, analytic %.0f", g.Conflicts, want)
	require.Len(t, g.Pairs, 2)
	var pairs int64
	for _, p := range g.Pairs {
		pairs += p.Conflicts
		// Each Region loses about half of them.
		assert.InEpsilon(t, want/2, float64(p.Conflicts), 0.15, "%s>%s", p.From, p.To)
	}
	assert.Equal(t, g.Conflicts, pairs, "two Regions: each lost write is discarded in one Region, the winner's")

	// A hot set (half the writes on a tenth of the items) multiplies
	// Σ p_k² by (0.5²/1000 + 0.5²/9000)·10000 ≈ 2.78: λ·D·p reaches 6 %
	// on the hot items, so the tolerance is 15 %.
	hot := run(t, twoWriters(t, rate, "{dist: hotset, count: 10000, hot_fraction: 0.1, hot_share: 0.5}"))
	sumP2 := 0.5*0.5/1000 + 0.5*0.5/9000
	wantHot := rate * rate * 2 * meanReplicationDelay() * sumP2 * seconds // ≈ 4,020
	t.Logf("hot set: %d conflicts measured, %.0f analytic", hot.Global.Conflicts, wantHot)
	assert.InEpsilon(t, wantHot, float64(hot.Global.Conflicts), 0.15, "hot set: measured %d, analytic %.0f", hot.Global.Conflicts, wantHot)
}

// TestDynamoDBGlobalTablesConflictsStory: dynamodb-global-tables-conflicts.
// Two Regions write 200 items a second each over 20,000 items: last
// writer wins loses about 200 × 200 × 2 × 0.6 s / 20,000 ≈ 2.4 writes a
// second while both write (the derivation of
// TestGlobalTableConflictRateMatchesTheAnalyticRate); us-west-2's outage
// puts its unreplicated writes at risk (rate × mean latency, Little's
// law), and most of those lose, when they arrive two minutes late, to
// the writes us-east-1 made to their items meanwhile.
func TestDynamoDBGlobalTablesConflictsStory(t *testing.T) {
	rep := runBundled(t, "dynamodb-global-tables-conflicts")
	g := rep.Global
	require.NotNil(t, g)
	d := meanReplicationDelay()

	// Four pairs of series and summaries: each writing Region to each
	// other Region; eu-west-1 only receives.
	require.Len(t, g.Pairs, 4)
	for _, p := range g.Pairs {
		lat := column(t, rep, "replication_latency_ms:"+p.From+">"+p.To)
		steady := mean(span(rep, lat, 30*time.Second, 6*time.Minute))
		assert.Less(t, steady, 1000.0, "%s>%s: fact 5.32, typically within a second", p.From, p.To)
		assert.Greater(t, steady, 500.0, "%s>%s", p.From, p.To)
	}

	// While both Regions write (0:30–6:00 and 8:00–10:00, 450 s), and at
	// us-west-2's return: its at-risk writes lose where us-east-1 wrote
	// the item in the two minutes, 1 − exp(−200 × 120 / 20,000) ≈ 70 %.
	atRisk := 200 * d // ≈ 120
	assert.InDelta(t, atRisk, float64(g.AtRisk), 0.25*atRisk, "at risk: rate × mean replication latency")
	want := 200*200*2*d/20000*450 + float64(g.AtRisk)*(1-math.Exp(-200*120.0/20000))
	assert.InEpsilon(t, want, float64(g.Conflicts), 0.12, "conflicts: measured %d, expected %.0f", g.Conflicts, want)

	// us-east-1 keeps serving through us-west-2's outage; us-west-2's
	// clients fail.
	ok := column(t, rep, ColumnWriteOK)
	assert.InDelta(t, 200*120, sum(span(rep, ok, 6*time.Minute+5*time.Second, 8*time.Minute+5*time.Second)), 200*120*0.05)
	assert.InDelta(t, 400*120, sum(span(rep, ok, 3*time.Minute, 5*time.Minute)), 400*120*0.03, "both Regions before")
	var named bool
	for _, e := range rep.Events {
		named = named || strings.Contains(e.Text, "lost update")
	}
	assert.True(t, named, "the narrative names a lost update")
}
