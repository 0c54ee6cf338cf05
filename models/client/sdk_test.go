package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// delays samples the backoff before retry n many times and returns the
// smallest and largest.
func delays(t *testing.T, p Retry, n int, s cluster.Status) (lo, hi time.Duration) {
	t.Helper()
	rng := sim.NewStream(1, "test")
	lo = time.Duration(1 << 62)
	for i := 0; i < 20000; i++ {
		d := p.DelayFor(n, s, rng)
		lo, hi = min(lo, d), max(hi, d)
	}
	return lo, hi
}

func preset(t *testing.T, name string) Retry {
	t.Helper()
	p, err := SDKRetry(name)
	require.NoError(t, err)
	return p
}

func TestSDKPresetsAttempts(t *testing.T) {
	// Facts 5.37–5.41: Java v1 10 retries, Java v2 8 retries, Go v2 and
	// boto3 standard 3 attempts, boto3 legacy 10 attempts for DynamoDB.
	want := map[string]int{GoV2Standard: 3, JavaV1: 11, JavaV2: 9, Boto3Legacy: 10, Boto3Standard: 3}
	for _, name := range SDKNames() {
		assert.Equal(t, want[name], preset(t, name).MaxAttempts, name)
	}
	_, err := SDKRetry("cobol")
	assert.Error(t, err)
}

func TestBoto3LegacyIsUnjitteredDoubling(t *testing.T) {
	// Fact 5.40: 0.05 s × 2^(attempt−1), no jitter: 50, 100, 200 … 12,800 ms.
	p := preset(t, Boto3Legacy)
	for n := 1; n < p.MaxAttempts; n++ {
		lo, hi := delays(t, p, n, cluster.Throttled)
		want := 50 * time.Millisecond << (n - 1)
		assert.Equal(t, want, lo, "retry %d", n)
		assert.Equal(t, want, hi, "retry %d", n)
	}
}

func TestGoV2StandardBackoff(t *testing.T) {
	// Fact 5.39: rand[0,1) × 2^attempt s: the first retry waits up to 2 s,
	// the second up to 4 s.
	p := preset(t, GoV2Standard)
	lo, hi := delays(t, p, 1, cluster.Throttled)
	assert.Less(t, lo, 10*time.Millisecond)
	assert.InDelta(t, 2.0, hi.Seconds(), 0.01)
	_, hi = delays(t, p, 2, cluster.Throttled)
	assert.InDelta(t, 4.0, hi.Seconds(), 0.01)
	assert.Equal(t, RetryQuota{Capacity: 500, Cost: 5, TimeoutCost: 10, Refund: 1}, p.Quota)
}

func TestBoto3StandardBackoff(t *testing.T) {
	// Fact 5.41: rand(0,1) × min(2^(attempt−1), 20) s: first retry ≤ 1 s.
	p := preset(t, Boto3Standard)
	_, hi := delays(t, p, 1, cluster.Throttled)
	assert.InDelta(t, 1.0, hi.Seconds(), 0.01)
	_, hi = delays(t, p, 2, cluster.Failed)
	assert.InDelta(t, 2.0, hi.Seconds(), 0.01)
	_, hi = delays(t, p, 9, cluster.Failed)
	assert.InDelta(t, 20.0, hi.Seconds(), 0.05, "capped at 20 s")
}

func TestJavaV1ThrottleBackoff(t *testing.T) {
	// Fact 5.37: non-throttling errors: full jitter on 25 ms·2^retries;
	// throttling: equal jitter on 500 ms·2^retries; max 20 s.
	p := preset(t, JavaV1)
	lo, hi := delays(t, p, 1, cluster.Failed)
	assert.Less(t, lo, time.Millisecond)
	assert.LessOrEqual(t, hi, 25*time.Millisecond)
	assert.Greater(t, hi, 24*time.Millisecond)
	lo, hi = delays(t, p, 1, cluster.Throttled)
	assert.InDelta(t, 0.250, lo.Seconds(), 0.001, "equal jitter: at least half the ceiling")
	assert.InDelta(t, 0.500, hi.Seconds(), 0.001)
	lo, hi = delays(t, p, 10, cluster.Throttled)
	assert.InDelta(t, 10.0, lo.Seconds(), 0.01)
	assert.InDelta(t, 20.0, hi.Seconds(), 0.01)
}

func TestJavaV2Backoff(t *testing.T) {
	// Fact 5.38: full jitter, base 25 ms, max 20 s.
	p := preset(t, JavaV2)
	_, hi := delays(t, p, 3, cluster.Throttled)
	assert.InDelta(t, 0.100, hi.Seconds(), 0.001)
}

func TestDelayForWithoutThrottleBaseIsDelay(t *testing.T) {
	p := Retry{MaxAttempts: 3, Base: 50 * time.Millisecond, Cap: 2 * time.Second, Jitter: FullJitter}
	a, b := sim.NewStream(3, "x"), sim.NewStream(3, "x")
	for n := 1; n < 6; n++ {
		assert.Equal(t, p.Delay(n, a), p.DelayFor(n, cluster.Throttled, b))
	}
}

// throttler is a host that throttles every call, or answers OK when ok.
type throttler struct {
	net *cluster.Net
	ok  bool
}

func (h *throttler) serve(c *cluster.Call) {
	if h.ok {
		h.net.Reply(c, cluster.OK)
		return
	}
	h.net.Reply(c, cluster.Throttled)
}

type counts struct{ retries, failed, ok int }

func (c *counts) Failed(_ *Request, _ cluster.Status, retry bool) {
	if retry {
		c.retries++
	}
}
func (c *counts) Done(r *Request) {
	if r.Status == cluster.OK {
		c.ok++
	} else {
		c.failed++
	}
}

func TestRetryQuotaLimitsRetries(t *testing.T) {
	// Facts 5.39/5.41: a 500-token bucket at 5 tokens per retry allows 100
	// retries while every attempt fails; then retries stop.
	k := sim.New(1)
	topo := cluster.NewTopology(k, []string{"a"}, 500*time.Microsecond, time.Millisecond)
	net := cluster.NewNet(topo)
	h := &throttler{net: net}
	host := cluster.NewHost("ddb", 0)
	host.Serve = h.serve
	host.SetAccepting(true)
	rec := cluster.NewRecord(k, "ddb", time.Minute, 0, host)
	p := preset(t, GoV2Standard)
	obs := &counts{}
	cl := New(k, net, Config{Instances: 1, Connections: 50, ConnectTimeout: time.Second, Timeout: time.Second,
		Retry: p, HandshakeRTTs: 1}, []*cluster.Record{rec}, obs)
	for i := 0; i < 200; i++ {
		cl.Submit(&Request{ID: uint64(i), Op: cluster.Write, Key: uint64(i)})
	}
	k.Run(sim.At(time.Minute))
	assert.Equal(t, 100, obs.retries, "500 tokens / 5 per retry")
	assert.Equal(t, 200, obs.failed)
	assert.Equal(t, 0, cl.Quota(0))
	assert.Equal(t, int64(200), cl.QuotaDenied(), "100 first failures and the 100 failed retries found the bucket empty")

	// Successful first attempts put 1 token back each.
	h.ok = true
	for i := 0; i < 30; i++ {
		cl.Submit(&Request{ID: uint64(1000 + i), Op: cluster.Write})
	}
	k.Run(sim.At(2 * time.Minute))
	assert.Equal(t, 30, cl.Quota(0))
	assert.Equal(t, 30, obs.ok)
}

func TestRetryQuotaRefundsRetryCostOnSuccess(t *testing.T) {
	// A retry that succeeds returns the 5 tokens it took (facts 5.39/5.41).
	k := sim.New(1)
	topo := cluster.NewTopology(k, []string{"a"}, 500*time.Microsecond, time.Millisecond)
	net := cluster.NewNet(topo)
	n := 0
	host := cluster.NewHost("ddb", 0)
	host.Serve = func(c *cluster.Call) {
		n++
		if n == 1 {
			net.Reply(c, cluster.Throttled)
			return
		}
		net.Reply(c, cluster.OK)
	}
	host.SetAccepting(true)
	rec := cluster.NewRecord(k, "ddb", time.Minute, 0, host)
	obs := &counts{}
	cl := New(k, net, Config{Instances: 1, Connections: 1, ConnectTimeout: time.Second, Timeout: time.Second,
		Retry: preset(t, Boto3Standard), HandshakeRTTs: 1}, []*cluster.Record{rec}, obs)
	cl.Submit(&Request{ID: 1, Op: cluster.Read})
	k.Run(sim.At(10 * time.Second))
	assert.Equal(t, 1, obs.ok)
	assert.Equal(t, 1, obs.retries)
	assert.Equal(t, 500, cl.Quota(0), "took 5, gave 5 back (capped at the capacity)")
}
