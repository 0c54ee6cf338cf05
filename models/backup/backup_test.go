package backup

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/sim"
)

func TestLatestRestorableLagsByUpToTheLogUpload(t *testing.T) {
	// Fact 11.3: RDS uploads the transaction log to S3 every five minutes,
	// so the latest restorable time is "typically within the last five
	// minutes".
	a := NewArchive(Defaults())
	for s := 0; s < 3600; s += 7 {
		now := sim.At(time.Duration(s) * time.Second)
		lag := now.Sub(a.LatestRestorable(now))
		assert.GreaterOrEqual(t, lag, time.Duration(0))
		assert.Less(t, lag, 5*time.Minute)
	}
	// A moment not yet uploaded becomes restorable at the next upload.
	now := sim.At(30 * time.Minute)
	assert.Equal(t, sim.At(30*time.Minute), a.Restorable(now-sim.At(time.Second), now))
	assert.Equal(t, sim.At(31*time.Minute), a.Restorable(sim.At(29*time.Minute), sim.At(31*time.Minute)), "already restorable")
	assert.Equal(t, sim.At(35*time.Minute), a.Restorable(sim.At(31*time.Minute), sim.At(31*time.Minute)))
}

func TestReplayStartsFromTheLatestSnapshotBeforeTheRestorePoint(t *testing.T) {
	cfg := Defaults()
	cfg.WindowStart = 5 * time.Minute
	a := NewArchive(cfg)
	assert.Equal(t, sim.At(5*time.Minute), a.NextSnapshot(0))
	assert.Equal(t, sim.At(5*time.Minute+Day), a.NextSnapshot(sim.At(5*time.Minute)))
	for i := 0; i < 100; i++ {
		a.Wrote()
	}
	a.Snap(sim.At(5 * time.Minute))
	for i := 0; i < 600; i++ {
		a.Wrote()
	}
	a.Remember(sim.At(20 * time.Minute))
	a.Wrote()
	w, d := a.Replay(sim.At(20*time.Minute), 1<<10)
	assert.EqualValues(t, 600, w, "the log from the 0:05 snapshot to 0:20")
	assert.InDelta(t, 600.0*1024/cfg.ReplayRate, d.Seconds(), 1e-9)
	assert.Equal(t, sim.At(5*time.Minute), a.Base(sim.At(20*time.Minute)).At)
	assert.Equal(t, sim.Time(0), a.Base(sim.At(4*time.Minute)).At, "before the window: the snapshot the run started with")
}

func TestSnapshotsPastTheRetentionAreForgotten(t *testing.T) {
	cfg := Defaults()
	cfg.Retention = 2 * Day
	a := NewArchive(cfg)
	for d := 1; d <= 30; d++ {
		a.Snap(sim.At(time.Duration(d) * Day))
	}
	assert.LessOrEqual(t, len(a.snaps), 3, "memory bounded by the retention")
	assert.Equal(t, sim.At(28*Day), a.Earliest())
}

func TestHydrationFollowsTheCouponCollector(t *testing.T) {
	// Theory: n touches of uniformly random blocks leave a share
	// (1 - 1/B)^n of B blocks unloaded. With no background loading the
	// volume's hydrated share must follow it.
	k := sim.New(7)
	cfg := Defaults()
	cfg.HydrateRate = 0
	cfg.Fetch = sim.Constant(0.01)
	v := NewVolume(k, k.Stream("fetch"), cfg, 1<<30, nil) // 1 GiB: 2,048 blocks
	require.EqualValues(t, 2048, v.Blocks())
	keys := k.Stream("keys")
	n := 0
	for _, touches := range []int{1000, 2000, 4000, 8000} {
		for ; n < touches; n++ {
			v.Touch(keys.Uint64())
		}
		k.Run(k.Now() + sim.At(time.Second)) // every fetch lands
		want := 1 - math.Pow(1-1.0/2048, float64(touches))
		assert.InDelta(t, want, v.Hydrated(), 0.03, "after %d touches", touches)
	}
}

func TestARequestWaitsForItsBlockOnce(t *testing.T) {
	k := sim.New(1)
	cfg := Defaults()
	cfg.HydrateRate = 0
	cfg.Fetch = sim.Constant(0.02)
	v := NewVolume(k, k.Stream("fetch"), cfg, 100<<30, nil)
	assert.Equal(t, 20*time.Millisecond, v.Touch(42))
	k.Run(sim.At(5 * time.Millisecond))
	assert.Equal(t, 15*time.Millisecond, v.Touch(42), "a second request joins the fetch under way")
	k.Run(sim.At(30 * time.Millisecond))
	assert.Zero(t, v.Touch(42), "loaded")
}

func TestBackgroundLoadingHydratesTheWholeVolume(t *testing.T) {
	k := sim.New(1)
	cfg := Defaults()
	cfg.HydrateRate = 64 << 20 // 1 GiB in 16 s
	full := sim.Time(-1)
	v := NewVolume(k, k.Stream("fetch"), cfg, 1<<30, func() { full = k.Now() })
	k.Run(sim.At(time.Minute))
	assert.Equal(t, 1.0, v.Hydrated())
	assert.Equal(t, sim.At(16*time.Second), full)
}
