package scenarios

import (
	"path"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/aurora"
	"dbsim/models/backup"
	"dbsim/models/rds"
)

// runPITR runs rds-point-in-time-restore with its YAML edited by the
// replacer's pairs.
func runPITR(t *testing.T, edits ...string) *Replication {
	t.Helper()
	src, err := library.ReadFile(path.Join("library", "rds-point-in-time-restore.yaml"))
	require.NoError(t, err)
	text := string(src)
	for i := 0; i < len(edits); i += 2 {
		require.Contains(t, text, edits[i])
		text = strings.Replace(text, edits[i], edits[i+1], 1)
	}
	s, err := Parse("rds-point-in-time-restore.yaml", []byte(text))
	require.NoError(t, err)
	rep, err := RunReplication(s, 0)
	require.NoError(t, err)
	return rep
}

func TestPointInTimeRestoreRTOAndRPO(t *testing.T) {
	// Facts 11.3 and 11.5: the log reaches S3 every 5 minutes, so a loss
	// at 30:00 can be restored to 29:59 at once (RPO one second); the
	// restore then provisions an instance, starts the engine and replays
	// the log since the 5:00 snapshot (fact 11.5: restore time grows with
	// the log to replay); the clients follow the endpoint's DNS record.
	rep := runBundled(t, "rds-point-in-time-restore")
	require.Len(t, rep.Failovers, 1)
	f := rep.Failovers[0]
	require.NotNil(t, f.Restore)
	assert.Equal(t, "point-in-time-restore", f.Restore.Kind)
	assert.Equal(t, 30*time.Minute, time.Duration(f.Start))
	assert.Equal(t, time.Second, f.Start.Sub(f.Restore.RestoredTo), "RPO: to the second")

	b, r := backup.Defaults(), rds.Defaults()
	// 200 writes/s from 5:00 to 29:59, 2 KiB of log each, at 10 MB/s.
	replay := 200 * 1499.0 * float64(r.RedoPerWrite) / b.ReplayRate
	restore := b.Provision + r.EngineStart + time.Duration(replay*float64(time.Second))
	assert.InDelta(t, restore.Seconds(), f.Accepting.Sub(f.Start).Seconds(), 0.03*replay+1, "provision, engine start, replay")
	rto := f.ClientsRecovered.Sub(f.Start)
	assert.Greater(t, rto, restore)
	assert.Less(t, rto, restore+r.DNSTTL+r.DNSPropagation+10*time.Second, "the clients follow the DNS record")
	assert.InDelta(t, 11.5, rto.Minutes(), 1, "RTO in minutes")

	// The damaged instance kept acknowledging ~200 writes/s until the
	// cut-over: those are not in the restore.
	gap := f.Accepting.Sub(f.Restore.RestoredTo).Seconds()
	assert.InDelta(t, 200*gap, float64(f.LostWrites), 0.05*200*gap)

	// The restore keeps the application running on the damaged instance:
	// no failed request until the cut-over.
	assert.Equal(t, 1.0, availabilityBetween(t, rep, 29*time.Minute, 41*time.Minute))
}

func TestRestoredInstanceIsSlowUntilHydrated(t *testing.T) {
	// Fact 11.4: the restored instance loads its volume from S3 lazily;
	// fact 11.6: a block's first read costs an S3 GET of tens of ms.
	rep := runBundled(t, "rds-point-in-time-restore")
	p99 := column(t, rep, "all_p99_ms")
	mean := func(from, to time.Duration) float64 {
		xs := span(rep, p99, from, to)
		return sum(xs) / float64(len(xs))
	}
	before := mean(20*time.Minute, 30*time.Minute)
	just := mean(42*time.Minute, 44*time.Minute)
	later := mean(65*time.Minute, 75*time.Minute)
	assert.Greater(t, just, 5*before, "first touches fetch blocks from S3 (p99 %.1f ms vs %.1f ms)", just, before)
	assert.Less(t, later, 1.5*before, "hydrated: as fast as before (p99 %.1f ms vs %.1f ms)", later, before)
	var hydrated, snapshot bool
	for _, e := range rep.Events {
		hydrated = hydrated || strings.Contains(e.Text, "fully loaded from S3")
		snapshot = snapshot || strings.Contains(e.Text, "its I/O is suspended for 3s")
	}
	assert.True(t, hydrated, "the volume finishes loading within the run")
	assert.True(t, snapshot, "the 5:00 snapshot suspends the Single-AZ instance's writes")
	w := column(t, rep, "write_p99_ms")
	assert.Greater(t, w[int(5*time.Minute/rep.Series.Bucket())], 1000.0, "writes wait out the suspension")
}

func TestRestoreWaitsForTheLogUpload(t *testing.T) {
	// Fact 11.3: the latest restorable time lags by up to 5 minutes. A loss
	// at 32:00 can be restored to 31:59 only once the 35:00 upload is done:
	// the restore starts 3 minutes later and replays 2 more minutes of log.
	base := runBundled(t, "rds-point-in-time-restore").Failovers[0]
	late := runPITR(t, "at: 30m", "at: 32m").Failovers[0]
	d0, d1 := base.Accepting.Sub(base.Start), late.Accepting.Sub(late.Start)
	extraReplay := 200 * 120 * float64(rds.Defaults().RedoPerWrite) / backup.Defaults().ReplayRate
	assert.InDelta(t, (3*time.Minute).Seconds()+extraReplay, (d1 - d0).Seconds(), 2)
	assert.Equal(t, time.Second, late.Start.Sub(late.Restore.RestoredTo))

	// A faster provisioning shortens the RTO by as much.
	quick := runPITR(t, "retention: 7d", "retention: 7d\n    provision: 4m").Failovers[0]
	assert.InDelta(t, 6*60, (d0 - quick.Accepting.Sub(quick.Start)).Seconds(), 2)
}

// auroraPITR is rds-point-in-time-restore's workload and data loss on an
// Aurora cluster without replicas.
const auroraPITR = `
name: aurora-point-in-time-restore
duration: 75m
warmup: 1m
system:
  kind: aurora
  engine: aurora-postgresql
  instance_class: db.r6g.large
  volume: {size: 50GB}
  backup: {retention: 7d}
clients:
  instances: 4
  connections: 50
  timeout: 2s
  retry: {max_attempts: 3, base: 50ms, cap: 2s, jitter: full}
workload:
  - name: web
    arrival: {process: poisson, rate: 1000/s}
    mix: {read: 0.8, write: 0.2}
    keys: {dist: zipf, skew: 1.1, count: 1000000}
    item_size: 1KB
faults:
  - {at: 30m, kind: data-loss}
`

func TestAuroraRestoreReplaysNoLogAndLoadsNoLazily(t *testing.T) {
	// Fact 11.7: Aurora's backup is continuous: its restore provisions a
	// cluster and starts the writer, with no log to replay from a snapshot
	// (so the time since the last snapshot does not matter), and fact
	// 11.4: its volume is loaded before the cluster is available, so the
	// restored writer is as fast as before at once. RDS replays the log
	// since its snapshot: 25 minutes of it here, 30 without the 5:00
	// snapshot.
	s, err := Parse("aurora.yaml", []byte(auroraPITR))
	require.NoError(t, err)
	rep, err := RunReplication(s, 0)
	require.NoError(t, err)
	require.Len(t, rep.Failovers, 1)
	a := rep.Failovers[0]
	require.NotNil(t, a.Restore)
	assert.Equal(t, time.Second, a.Start.Sub(a.Restore.RestoredTo))
	b := backup.Defaults()
	assert.InDelta(t, (b.Provision + aurora.Defaults().EngineStart).Seconds(), a.Accepting.Sub(a.Start).Seconds(), 1)
	p99 := column(t, rep, "all_p99_ms")
	mean := func(from, to time.Duration) float64 {
		xs := span(rep, p99, from, to)
		return sum(xs) / float64(len(xs))
	}
	assert.Less(t, mean(43*time.Minute, 45*time.Minute), 1.5*mean(20*time.Minute, 30*time.Minute), "no hydration")
	gap := a.Accepting.Sub(a.Restore.RestoredTo).Seconds()
	assert.InDelta(t, 200*gap, float64(a.LostWrites), 0.05*200*gap)

	// RDS with its snapshot at 5:00 replays 25 minutes of log; with the
	// day's snapshot due only at 12:00 it replays the 30 minutes since
	// the run's start: a minute longer. Aurora does neither.
	r := runBundled(t, "rds-point-in-time-restore").Failovers[0]
	noSnap := runPITR(t, "window_start: 5m", "window_start: 12h").Failovers[0]
	dr, dn := r.Accepting.Sub(r.Start), noSnap.Accepting.Sub(noSnap.Start)
	replay := func(seconds float64) float64 {
		return 200 * seconds * float64(rds.Defaults().RedoPerWrite) / b.ReplayRate
	}
	assert.InDelta(t, replay(1799)-replay(1499), (dn - dr).Seconds(), 2)
	assert.Greater(t, dr, a.Accepting.Sub(a.Start), "RDS: provision, engine start and replay; Aurora: provision and engine start")
}
