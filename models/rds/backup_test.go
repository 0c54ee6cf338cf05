package rds

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/backup"
	"dbsim/sim"
)

func withBackups(multiAZ bool) Config {
	cfg := Defaults()
	cfg.MultiAZ = multiAZ
	b := backup.Defaults()
	b.WindowStart = 2 * time.Minute
	cfg.Backup = &b
	return cfg
}

func TestSnapshotSuspendsSingleAZWritesOnly(t *testing.T) {
	// Fact 11.1: a Single-AZ instance's I/O is suspended briefly while
	// the snapshot initializes; a Multi-AZ one's snapshot comes from the
	// standby, with no suspension on the primary.
	for _, multi := range []bool{false, true} {
		h := newHarness(t, 1, withBackups(multi), clients(), 500)
		h.k.Run(sim.At(4 * time.Minute))
		var slow int
		for _, d := range h.writeLat {
			if d > time.Second {
				slow++
			}
		}
		if multi {
			assert.Zero(t, slow, "Multi-AZ: no write waits for the snapshot")
		} else {
			// 100 writes/s wait out the 3 s suspension: those of its
			// first 2 s wait over a second.
			assert.InDelta(t, 200, slow, 40, "Single-AZ: the writes of the 3 s suspension wait")
		}
	}
}

func TestPointInTimeRestoreTakesWaitProvisionReplay(t *testing.T) {
	cfg := withBackups(false)
	h := newHarness(t, 1, cfg, clients(), 500)
	loss, to := sim.At(10*time.Minute), sim.At(10*time.Minute-time.Second)
	h.m.RestorePoint(to)
	h.k.At(loss, func() { h.m.DataLoss(to) })
	h.k.Run(sim.At(30 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	require.NotNil(t, f.Restore)
	assert.Equal(t, to, f.Restore.RestoredTo)
	// The log up to 9:59 is uploaded at 10:00; provisioning then takes
	// 10 min; the engine starts and replays the ~100 writes/s since the
	// 2:00 snapshot (480 s × 100 × 2 KiB ≈ 94 MB at 10 MB/s ≈ 9.4 s).
	replay := 480.0 * 100 * 2048 / cfg.Backup.ReplayRate
	want := 10*time.Minute + cfg.Backup.Provision + cfg.EngineStart + sim.Seconds(replay)
	assert.InDelta(t, want.Seconds(), f.Accepting.Seconds(), 1.5)
	// The damaged instance acknowledged ~100 writes/s from 9:59 until the
	// cut-over: lost.
	gap := f.Accepting.Sub(to).Seconds()
	assert.InDelta(t, 100*gap, float64(f.LostWrites), 0.05*100*gap)
	assert.Less(t, h.m.Hydrated(), 1.0, "the restored volume is still loading")
	assert.Greater(t, h.m.Hydrated(), 0.0)
}

func TestMultiAZRestoreGetsANewStandby(t *testing.T) {
	cfg := withBackups(true)
	h := newHarness(t, 2, cfg, clients(), 500)
	to := sim.At(10*time.Minute - time.Second)
	h.m.RestorePoint(to)
	h.k.At(sim.At(10*time.Minute), func() { h.m.DataLoss(to) })
	h.k.Run(sim.At(30 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	assert.Equal(t, to, f.Restore.RestoredTo)
	assert.Greater(t, f.Accepting, sim.At(20*time.Minute))
	assert.True(t, h.m.inSync, "the restored instance's new standby has synchronised")
}

func TestSnapshotRestoreLosesTheWritesSinceTheSnapshot(t *testing.T) {
	// A snapshot restore (say, of a cross-Region copy) replays no log: its
	// RPO is the snapshot's age and it loses every write acknowledged since.
	cfg := withBackups(false)
	h := newHarness(t, 3, cfg, clients(), 500)
	h.k.At(sim.At(10*time.Minute), func() {
		s := h.m.Archive().Base(h.k.Now())
		require.Equal(t, sim.At(2*time.Minute), s.At, "the 2:00 snapshot")
		h.m.RestoreSnapshot(nil, s, 1)
	})
	h.k.Run(sim.At(30 * time.Minute))
	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	assert.Equal(t, "snapshot-restore", f.Restore.Kind)
	assert.Equal(t, sim.At(2*time.Minute), f.Restore.RestoredTo)
	want := 10*time.Minute + cfg.Backup.Provision + cfg.EngineStart
	assert.Equal(t, want, time.Duration(f.Accepting), "no log to replay")
	gap := f.Accepting.Sub(f.Restore.RestoredTo).Seconds()
	assert.InDelta(t, 100*gap, float64(f.LostWrites), 0.05*100*gap)
	assert.Equal(t, 1, int(h.m.Primary().AZ), "restored in the AZ asked for")
}
