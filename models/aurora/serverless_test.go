package aurora

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/sim"
)

func serverless(min, max float64) Config {
	cfg := Defaults()
	sv := ServerlessDefaults()
	sv.MinACU, sv.MaxACU = min, max
	cfg.Serverless = &sv
	return cfg
}

// meanServiceVCPUSeconds is the mean CPU work of one request of the 80/20
// read/write mix with the default service times (log-normal means).
func meanServiceVCPUSeconds(cfg Config) float64 {
	return 0.8*cfg.Read.Mean() + 0.2*cfg.Write.Mean()
}

func TestServerlessCapacityFollowsLoadWithALag(t *testing.T) {
	// fact 4.1–4.4: capacity in 0.5-ACU steps between min and max,
	// tracking CPU load, with larger steps at larger capacity (4.3); the
	// rate is not published (4.4), so the test checks the mechanism: the
	// capacity settles where utilisation meets the target, some seconds
	// after the load arrives, and returns to the minimum after it leaves.
	cfg := serverless(0.5, 64)
	h := newIdleHarness(t, 1, cfg, clients())
	const rate = 2000.0
	sv := cfg.Serverless
	want := rate * meanServiceVCPUSeconds(cfg) / sv.TargetUtilization / sv.VCPUPerACU
	gauge := h.m.Gauges()[0]
	require.Equal(t, "capacity_acu", gauge.ID.Column())

	h.k.Run(sim.At(30 * time.Second))
	assert.Equal(t, 0.5, gauge.Sample(), "idle at the minimum")
	h.k.At(sim.At(30*time.Second), func() { h.start(rate) })
	var series []float64
	var reached90 time.Duration
	for s := 31; s <= 120; s++ {
		h.k.Run(sim.At(time.Duration(s) * time.Second))
		c := gauge.Sample()
		series = append(series, c)
		assert.Zero(t, math.Mod(c*2, 1), "0.5-ACU steps")
		if reached90 == 0 && c >= 0.9*want {
			reached90 = time.Duration(s-30) * time.Second
		}
	}
	t.Logf("want ≈ %.1f ACU; capacity over the first 20 s of load: %v; 90%% after %v", want, series[:20], reached90)
	assert.LessOrEqual(t, series[0], 1.0, "one second in, capacity has barely moved (it lags the load)")
	assert.Greater(t, reached90, 3*time.Second)
	assert.Less(t, reached90, 30*time.Second)
	final := series[len(series)-1]
	assert.InDelta(t, want, final, 0.3*want, "settles near load / target utilisation")
	// Larger steps at larger capacity (fact 4.3).
	var smallStep, bigStep float64
	for i := 1; i < len(series); i++ {
		d := series[i] - series[i-1]
		if series[i-1] <= 2 {
			smallStep = math.Max(smallStep, d)
		} else if series[i-1] >= 8 {
			bigStep = math.Max(bigStep, d)
		}
	}
	assert.Equal(t, 0.5, smallStep)
	assert.GreaterOrEqual(t, bigStep, 2.0)

	h.rate = 0 // the load leaves
	h.k.Run(sim.At(4 * time.Minute))
	assert.Equal(t, 0.5, gauge.Sample(), "back to the minimum")
}

func TestServerlessPausesAndResumes(t *testing.T) {
	// fact 4.6: with min 0 ACU the instance pauses after
	// SecondsUntilAutoPause (default 300 s) without activity; 4.7: the next
	// connection resumes it in ~15 s (~30 s after more than 24 h).
	cfg := serverless(0, 16)
	cc := clients()
	cc.Timeout, cc.Retry.MaxAttempts = time.Minute, 1 // see the wait, not a timeout
	h := newIdleHarness(t, 1, cfg, cc)
	h.start(100)
	h.k.Run(sim.At(60 * time.Second))
	h.rate = 0
	lastRequest := h.k.Now()
	h.k.Run(lastRequest + sim.At(299*time.Second))
	assert.False(t, h.m.Paused(0), "not before 300 s")
	h.k.Run(lastRequest + sim.At(302*time.Second))
	assert.True(t, h.m.Paused(0))
	assert.Zero(t, h.m.Gauges()[0].Sample(), "0 ACU while paused")

	// One request resumes it; it waits for the resume.
	firstAfterPause := func(at sim.Time) time.Duration {
		before := h.writeLat.Count() + h.readLat.Count()
		h.k.At(at, func() { h.submit(1) })
		h.k.Run(at + sim.At(time.Minute))
		require.Equal(t, before+1, h.writeLat.Count()+h.readLat.Count())
		return h.lastLatency
	}
	d := firstAfterPause(sim.At(10 * time.Minute))
	t.Logf("first request after a short pause: %v", d)
	assert.InDelta(t, 15, d.Seconds(), 0.5)
	assert.False(t, h.m.Paused(0))
	assert.Equal(t, 0.5, h.m.ACU(0))

	// Paused again, for more than a day: ~30 s.
	h.k.Run(sim.At(27 * time.Hour))
	require.True(t, h.m.Paused(0))
	d = firstAfterPause(sim.At(27 * time.Hour))
	t.Logf("first request after a pause > 24 h: %v", d)
	assert.InDelta(t, 30, d.Seconds(), 0.5)
}

func TestServerlessTier01ReadersFollowTheWriter(t *testing.T) {
	// fact 4.5: readers in tiers 0–1 scale with the writer; tiers 2–15
	// scale on their own load. 4.6: the writer and tier 0–1 readers pause
	// and resume together.
	cfg := serverless(0, 32)
	cfg.Replicas = []Replica{{AZ: 1, Tier: 0}, {AZ: 2, Tier: 2}}
	h := newHarness(t, 1, cfg, clients(), 1500) // everything on the writer
	h.k.Run(sim.At(60 * time.Second))
	w, r0, r2 := h.m.ACU(0), h.m.ACU(1), h.m.ACU(2)
	t.Logf("writer %.1f ACU, tier-0 reader %.1f, tier-2 reader %.1f", w, r0, r2)
	assert.Greater(t, w, 2.0)
	assert.GreaterOrEqual(t, r0, w, "the tier-0 reader keeps the writer's capacity")
	assert.Equal(t, 0.5, r2, "the idle tier-2 reader stays small")

	h.rate = 0
	h.k.Run(sim.At(60*time.Second + 6*time.Minute))
	assert.True(t, h.m.Paused(0))
	assert.True(t, h.m.Paused(1), "pauses with the writer")
	assert.True(t, h.m.Paused(2), "idle too: pauses on its own")
}
