package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/metric"
)

// TestStreamConsumerLagStory: dynamodb-stream-consumer-lag against the
// fluid queue of fact 13.10. A shard (4, one per partition) serves μ =
// F × B / (E[duration] + polling gap) = 2 × 50 / (0.9 + 0.125) s = 97.6
// records a second (facts 13.4–13.6; durations uniform over two polling
// intervals end uniformly within one, so the gap averages half of it).
// The writes bring λ₀ = 50 a shard, then λ = 150 for T = 300 s: the
// backlog grows at λ − μ to (λ − μ)T a shard at the burst's end, the
// iterator age peaks at T(λ − μ)/μ when the last record of the burst is
// read, and the consumer catches up (λ − μ)T / (μ − λ₀) after the burst.
// The gauge is the maximum over the 8 lanes, whose service varies by
// about 1 %: the peak and the catch-up of the slowest lane run a few
// per cent past the mean lane's.
func TestStreamConsumerLagStory(t *testing.T) {
	rep := runBundled(t, "dynamodb-stream-consumer-lag")
	const (
		shards = 4.0
		mu     = 2 * 50 / (0.9 + 0.125)
		lam0   = 50.0
		lam    = 150.0
		T      = 300.0
		burst  = 5 * time.Minute
		end    = 10 * time.Minute
	)
	backlog := column(t, rep, metric.Of(metric.StreamBacklog).Column())
	age := column(t, rep, metric.Of(metric.IteratorAge).Column())
	b := rep.Series.Bucket()

	wantBacklog := shards * (lam - mu) * T
	atEnd := backlog[int(end/b)-1]
	t.Logf("backlog at 10:00: %.0f records (fluid queue %.0f)", atEnd, wantBacklog)
	assert.InDelta(t, wantBacklog, atEnd, wantBacklog*0.03)

	// Growth rate: the backlog's slope over the burst's middle minutes.
	slope := (backlog[int(9*time.Minute/b)] - backlog[int(6*time.Minute/b)]) / 180
	t.Logf("backlog growth %.1f records/s (arrival − service %.1f)", slope, shards*(lam-mu))
	assert.InDelta(t, shards*(lam-mu), slope, shards*(lam-mu)*0.03)

	peak, peakAt := 0.0, 0
	for i, y := range age {
		if y > peak {
			peak, peakAt = y, i
		}
	}
	wantPeak := T * (lam - mu) / mu
	wantPeakAt := burst.Seconds() + lam*T/mu
	t.Logf("peak iterator age %.1f s at %v (fluid queue %.1f s at %.0f s)", peak/1000, time.Duration(peakAt)*b, wantPeak, wantPeakAt)
	assert.InDelta(t, wantPeak, peak/1000, wantPeak*0.08)
	assert.InDelta(t, wantPeakAt, (time.Duration(peakAt) * b).Seconds(), 15)

	// Caught up: the first bucket after the burst whose age is back to
	// the idle level (a few seconds).
	drain := 0.0
	for i := int(end / b); i < len(age); i++ {
		if age[i] < 5000 {
			drain = (time.Duration(i)*b - end).Seconds()
			break
		}
	}
	wantDrain := (lam - mu) * T / (mu - lam0)
	t.Logf("caught up %.0f s after the burst (fluid queue %.0f s)", drain, wantDrain)
	assert.InDelta(t, wantDrain, drain, wantDrain*0.10)
	for _, y := range span(rep, age, 17*time.Minute, 20*time.Minute) {
		assert.Less(t, y, 5000.0, "idle again: half the consumer's capacity")
	}

	st := rep.Stream
	require.NotNil(t, st)
	assert.Zero(t, st.Lost)
	assert.Zero(t, st.Errors)
	assert.Equal(t, rep.Requests.OK, st.Records, "a record per successful put")
	var story []string
	for _, e := range rep.Events {
		if strings.HasPrefix(e.Text, "stream:") {
			story = append(story, e.Text)
		}
	}
	require.Len(t, story, 2, "%q", story)
	assert.Contains(t, story[0], "falls behind")
	assert.Contains(t, story[1], "caught up")
}

// TestStreamPoisonRecordVariant: the same table with a poison record
// written at 3:00 and Lambda's default of unlimited retries (fact 13.7),
// a retention of 5 minutes standing in for 24 hours. The poison record's
// lane (one of 8) stalls: its iterator age climbs a second a second to
// the retention, each retry taking an invocation's run time and a
// polling gap (about 1 s); the stuck batch expires unprocessed, and the
// records that waited behind it, at the retention's age themselves
// while the burst outruns the lane, keep expiring until it catches up.
func TestStreamPoisonRecordVariant(t *testing.T) {
	s := variant(t, "dynamodb-stream-consumer-lag", "        memory_mb: 256\n", "        memory_mb: 256\n        poison_at: [3m]\n")
	v, err := Parse("poison.yaml", []byte(strings.Replace(string(s.Source), "    stream:\n", "    stream:\n      retention: 5m\n", 1)))
	require.NoError(t, err)
	rep := run(t, v)
	age := column(t, rep, metric.Of(metric.IteratorAge).Column())
	b := rep.Series.Bucket()
	at := age[int((7*time.Minute+55*time.Second)/b)]
	assert.InDelta(t, 295_000, at, 5000, "age a second a second from 3:00")
	for _, y := range span(rep, age, 8*time.Minute, 12*time.Minute) {
		assert.LessOrEqual(t, y, 301_000.0, "nothing older than the retention")
	}
	st := rep.Stream
	require.NotNil(t, st)
	assert.Greater(t, st.Lost, int64(50), "the stuck batch and the records behind it expired")
	assert.InDelta(t, 300/(0.9+0.125), st.Errors, 30, "a retry per invocation and polling gap for 5 minutes")
	assert.Zero(t, st.Discarded, "unlimited retries: nothing is discarded")
	var texts []string
	for _, e := range rep.Events {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "\n")
	assert.Contains(t, all, "a poison record blocks")
	assert.Contains(t, all, "expire unprocessed")
}
