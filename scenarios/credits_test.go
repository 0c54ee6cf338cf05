package scenarios

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/models/rds"
)

// burstExhaustion is when the bundled rds-burstable-credits should run out
// of CPU credits, from the published figures alone: 10 credits at the
// start, spent at the busy vCPU-minutes per minute (fact 10.1: 2,000
// requests/s × the mean service time of the 80/20 mix), earned at a
// db.t3.medium's 24 an hour (fact 10.2).
func burstExhaustion() time.Duration {
	d := rds.Defaults()
	meanService := 0.8*d.Read.Mean() + 0.2*d.Write.Mean() // seconds of one vCPU
	spendPerMin := 2000 * meanService                     // busy vCPUs: credits a minute
	earnPerMin := 24.0 / 60
	return time.Duration(10 / (spendPerMin - earnPerMin) * float64(time.Minute))
}

// medianP99 is the median, over the buckets of [from, to), of each
// bucket's p99 latency of all requests, in ms.
func medianP99(t *testing.T, rep *Replication, from, to time.Duration) float64 {
	t.Helper()
	xs := slices.Clone(span(rep, column(t, rep, "all_p99_ms"), from, to))
	xs = slices.DeleteFunc(xs, func(v float64) bool { return v == 0 }) // buckets without a completion
	require.NotEmpty(t, xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// perSecond is the mean rate of a count column over [from, to).
func perSecond(t *testing.T, rep *Replication, name string, from, to time.Duration) float64 {
	t.Helper()
	xs := span(rep, column(t, rep, name), from, to)
	return sum(xs) / (float64(len(xs)) * rep.Series.Bucket().Seconds())
}

func creditRecord(t *testing.T, rep *Replication) cluster.CreditRecord {
	t.Helper()
	require.Len(t, rep.Credits, 1)
	c := rep.Credits[0]
	require.Equal(t, "primary", c.Name)
	return c
}

func TestBurstableCreditsRunOutWhenTheArithmeticSays(t *testing.T) {
	rep := runBundled(t, "rds-burstable-credits")
	c := creditRecord(t, rep)
	want := burstExhaustion()
	require.InDelta(t, 10.03, want.Minutes(), 0.01, "10 / (1.397 − 0.4) minutes")
	// Tolerance 1 % (6 s): the accounts are brought up to date once a
	// second (up to 1 s late), and the work done in ten minutes is random:
	// 1.2 M Poisson arrivals of log-normal service times sum to 14 credits
	// with a standard deviation of 0.02 credits, about 1.2 s of the net
	// spend of one credit a minute. 6 s is five of those and the tick.
	assert.InDelta(t, want.Seconds(), c.ExhaustedAt.Seconds(), 0.01*want.Seconds(),
		"ran out at %s, closed form %s", time.Duration(c.ExhaustedAt), want)
	assert.Equal(t, cluster.Standard, c.Mode)
	assert.Equal(t, 10.0, c.Start)
	assert.Zero(t, c.Min)
	assert.Zero(t, c.SurplusMax, "standard mode never borrows")

	// Held to its baseline the instance serves 2 × 20 % ÷ 0.70 ms ≈ 573
	// requests/s of the 2,000 that arrive; the queue fills its 200
	// connections and the clients time out: p99 from milliseconds to
	// seconds.
	d := rds.Defaults()
	baseline := 2 * 0.2 / (0.8*d.Read.Mean() + 0.2*d.Write.Mean())
	assert.InDelta(t, baseline, perSecond(t, rep, "ok", 11*time.Minute, 15*time.Minute), 0.05*baseline, "the baseline's throughput")
	before := medianP99(t, rep, 2*time.Minute, 9*time.Minute+30*time.Second)
	after := medianP99(t, rep, 11*time.Minute, 15*time.Minute)
	t.Logf("p99 before %.1f ms, held to the baseline %.0f ms", before, after)
	assert.Less(t, before, 20.0)
	assert.Greater(t, after, 50*before, "p99 held to the baseline")

	// From 15:00, 300 requests/s (10.5 % of the vCPUs' time at full speed)
	// is below the baseline: the instance earns 0.4 − 0.21 credits a
	// minute and is back at full speed once it has 2, about 10.5 minutes
	// later.
	var out, back []cluster.Event
	for _, e := range rep.Events {
		switch e.Mark {
		case cluster.CreditsOut:
			out = append(out, e)
		case cluster.FullSpeed:
			back = append(back, e)
		}
	}
	require.Len(t, out, 1)
	require.Len(t, back, 1)
	assert.Equal(t, c.ExhaustedAt, out[0].At)
	assert.Contains(t, out[0].Text, "db-1 (primary) has spent its CPU credits: held to its baseline")
	assert.Equal(t, "primary out of credits", out[0].Label)
	assert.InDelta(t, 25.5, time.Duration(back[0].At).Minutes(), 1, "%s", back[0].Text)
	assert.True(t, strings.HasPrefix(back[0].Text, "db-1 (primary) has earned 2.0 CPU credits back: above its baseline again"), back[0].Text)
	assert.InDelta(t, back[0].At.Sub(out[0].At).Seconds(), c.Exhausted.Seconds(), 1)
	assert.Less(t, medianP99(t, rep, 27*time.Minute, 30*time.Minute), 20.0, "full speed again")

	// The gauge follows the balance: 10 credits, falling by one a minute.
	bal := column(t, rep, "cpu_credit_balance:primary")
	assert.InDelta(t, 10-5*0.997, bal[int(5*time.Minute/rep.Series.Bucket())], 0.1)
	for _, name := range rep.Series.Names() {
		assert.NotContains(t, name, "cpu_surplus_credit_balance", "no surplus gauge in standard mode")
	}
}

func TestBurstableCreditsUnlimitedNeverSlows(t *testing.T) {
	rep := run(t, variant(t, "rds-burstable-credits", "mode: standard", "mode: unlimited"))
	c := creditRecord(t, rep)
	assert.Equal(t, cluster.Unlimited, c.Mode)
	want := burstExhaustion()
	assert.InDelta(t, want.Seconds(), c.ExhaustedAt.Seconds(), 0.01*want.Seconds(), "the balance runs out just the same")
	// It keeps full speed: every request served, p99 as before.
	assert.Zero(t, rep.Requests.Failed)
	assert.InDelta(t, 2000, perSecond(t, rep, "ok", 11*time.Minute, 15*time.Minute), 60)
	before := medianP99(t, rep, 2*time.Minute, 9*time.Minute+30*time.Second)
	after := medianP99(t, rep, 11*time.Minute, 15*time.Minute)
	assert.InDelta(t, before, after, 0.3*before, "p99 before %.1f ms, after %.1f ms", before, after)
	assert.Empty(t, rep.Saturations)
	for _, e := range rep.Events {
		assert.NotEqual(t, cluster.CreditsOut, e.Mark, "no change of capacity to mark: %s", e.Text)
	}
	// Surplus credits from the exhaustion to 15:00 at about one a minute,
	// paid down from then at 0.19 a minute.
	surplus := (15*time.Minute - want).Minutes() * 0.997
	assert.InDelta(t, surplus, c.SurplusMax, 0.05*surplus)
	assert.InDelta(t, surplus-15*0.19, c.Surplus, 0.3)
	assert.Zero(t, c.Charged, "far below 24 h of earnings")
	spent, earned := c.Window()
	assert.InDelta(t, 29*0.4, earned, 0.05, "29 measured minutes of 0.4 credits")
	assert.Greater(t, spent, earned, "above the baseline on average: billed")
	g := column(t, rep, "cpu_surplus_credit_balance:primary")
	assert.InDelta(t, c.SurplusMax, slices.Max(g), 0.1)
	assert.False(t, math.IsNaN(g[len(g)-1]))
}
