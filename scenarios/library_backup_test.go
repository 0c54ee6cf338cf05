package scenarios

import (
	"path"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
