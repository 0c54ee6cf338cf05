package dynamodb

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// storm sends a herd of n writes to a one-partition table within 10 ms at
// t = 10 s, with clients of the named SDK, and returns the retries that
// reached the router in 50 ms buckets over the following 4 s, and the
// attempts the router saw in all.
func storm(t *testing.T, sdk string, n int) (buckets []int, attempts int) {
	t.Helper()
	retry, err := client.SDKRetry(sdk)
	require.NoError(t, err)
	ccfg := client.Config{Instances: 4, Connections: 2000, ConnectTimeout: 2 * time.Second, Timeout: 2 * time.Second,
		Retry: retry, HandshakeRTTs: 3}
	h := newHarness(t, 21, provisioned(100, 900), ccfg)
	require.Len(t, h.m.Partitions(0), 1)
	start := sim.At(10 * time.Second)
	const bucket = 50 * time.Millisecond
	buckets = make([]int, 80)
	h.m.trace = func(c *cluster.Call) {
		attempts++
		r := c.Owner.(*client.Request)
		if i := int(h.k.Now().Sub(start) / bucket); r.Attempts > 1 && i >= 0 && i < len(buckets) {
			buckets[i]++
		}
	}
	h.drive("herd", func(t time.Duration) float64 {
		if t >= 10*time.Second && t < 10*time.Second+10*time.Millisecond {
			return float64(n) * 100
		}
		return 0
	}, writes(KB, uniform(1_000_000)))
	h.k.Run(sim.At(time.Minute))
	return buckets, attempts
}

// peakToMean is the largest bucket over the mean bucket, and empty the
// share of buckets without a retry, over the first second (20 buckets).
func peakToMean(b []int) (ratio, empty float64) {
	first := b[:20]
	peak, sum, zero := 0, 0, 0
	for _, v := range first {
		peak, sum = max(peak, v), sum+v
		if v == 0 {
			zero++
		}
	}
	return float64(peak) / (float64(sum) / float64(len(first))), float64(zero) / float64(len(first))
}

func TestRetryStormLegacyRetriesComeInWaves(t *testing.T) {
	// Facts 5.40, 5.41: a herd of 3,000 writes meets a partition's
	// 1,000 WCU/s hard limit. boto3's legacy mode retries every throttled
	// write exactly 50, 100, 200 … ms later: the retries arrive in
	// synchronised waves that each find the bucket empty again. The
	// standard mode's jitter (rand × 1 s, 2 s) spreads them out.
	legacy, legacyAttempts := storm(t, client.Boto3Legacy, 3000)
	std, stdAttempts := storm(t, client.Boto3Standard, 3000)
	lr, le := peakToMean(legacy)
	sr, se := peakToMean(std)
	t.Logf("retries per 50 ms over the first second, peak/mean: legacy %.1f (%.0f%% of buckets empty), standard %.1f (%.0f%% empty)",
		lr, 100*le, sr, 100*se)
	t.Logf("attempts for 3,000 writes: legacy %d, standard %d", legacyAttempts, stdAttempts)
	assert.Greater(t, lr, 4.0, "legacy retries arrive in a few waves")
	assert.Greater(t, le, 0.7)
	assert.Less(t, sr, 2.5, "jittered retries are spread")
	assert.Zero(t, se)
	// The waves: 50, 150, 350, 750, 1,550, 3,150 ms after the herd.
	for _, ms := range []int{50, 150, 350, 750, 1550, 3150} {
		assert.Greater(t, legacy[ms/50], 100, "a wave at +%d ms", ms)
	}
	assert.Greater(t, legacyAttempts, 2*stdAttempts, "unjittered retries multiply the offered load")
}

func TestRetryQuotaCapsTheStorm(t *testing.T) {
	// Facts 5.39, 5.41: the standard mode's 500-token bucket (5 per retry)
	// lets each client process retry at most 100 times while nothing
	// succeeds, so 4 processes add at most ~400 retries plus what the
	// successes refund.
	_, attempts := storm(t, client.Boto3Standard, 3000)
	assert.Less(t, attempts, 3000+400+1000)
	_, goAttempts := storm(t, client.GoV2Standard, 3000)
	assert.Less(t, goAttempts, 3000+400+1000)
}
