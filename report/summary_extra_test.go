package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/sim"
)

func TestSummaryMergesLagStaleReadsAndCounters(t *testing.T) {
	lag := func(ms ...int) *sim.Latency {
		l := sim.NewLatency()
		for _, v := range ms {
			l.Record(time.Duration(v) * time.Millisecond)
		}
		return l
	}
	rep := func(stale int64, lagMS []int, throttles int64) *scenarios.Replication {
		return &scenarios.Replication{
			Latency:    scenarios.Latencies{Read: sim.NewLatency(), Write: sim.NewLatency(), All: sim.NewLatency()},
			StaleReads: stale,
			Lag:        []scenarios.NamedLatency{{Name: "replica-1", Dist: lag(lagMS...)}},
			Counters:   []cluster.Counter{{ID: metric.OfPartition(metric.Throttles, "", 0), Value: throttles}},
		}
	}
	s := Summarize(&scenarios.Result{Replications: []*scenarios.Replication{
		rep(3, []int{10, 20}, 5), rep(4, []int{30, 400}, 6),
	}}, nil)
	assert.Equal(t, int64(7), s.StaleReads)
	assert.Equal(t, map[string]int64{"throttles:p0": 11}, s.Counters)
	l := s.ReplicaLagMS["replica-1"]
	assert.InDelta(t, 400, float64(l.Max), 0.5, "max over both replications")
	assert.InDelta(t, 400, float64(l.P99), 1)
	assert.InDelta(t, 20, float64(l.P50), 0.1)
}

// Two failovers of very different lengths: the Student-t interval of the
// mean reaches below 0, which no duration can; it is clamped at 0.
func TestFailoverIntervalsAreNotNegative(t *testing.T) {
	rep := func(start, accepting, clients float64) *scenarios.Replication {
		s := func(x float64) sim.Time { return sim.Time(x * 1e9) }
		return &scenarios.Replication{
			Latency: scenarios.Latencies{Read: sim.NewLatency(), Write: sim.NewLatency(), All: sim.NewLatency()},
			Failovers: []scenarios.Failover{{Cause: "instance crash", Start: s(start), Detected: s(start + 1),
				Promoted: s(start + 1), Accepting: s(accepting), ClientsRecovered: s(clients)}},
		}
	}
	s := Summarize(&scenarios.Result{Replications: []*scenarios.Replication{
		rep(60, 62, 63), rep(60, 160, 200),
	}}, nil)
	for name, iv := range map[string]*Interval{"failover_duration_s": s.FailoverDurationS, "client_outage_s": s.ClientOutageS} {
		assert.Positive(t, float64(iv.Mean), name)
		assert.Equal(t, scenarios.Number(0), iv.CI95[0], "%s: the lower end is clamped at 0", name)
		assert.Greater(t, float64(iv.CI95[1]), float64(iv.Mean), name)
	}
}

// A writer that came back on a new host because no other copy could take
// over is a replacement, not a failover, in the summary and its text.
func TestReplacementIsNotCalledAFailover(t *testing.T) {
	fo := func(replaced bool) scenarios.Failover {
		return scenarios.Failover{Cause: "instance failure", Start: sec(180), Detected: sec(190), Promoted: sec(550),
			Accepting: sec(568), ClientsRecovered: sec(570), Replaced: replaced}
	}
	res := testResult()
	for _, rep := range res.Replications {
		rep.Failovers = []scenarios.Failover{fo(true)}
	}
	sum := Summarize(res, nil)
	require.NotEmpty(t, sum.Failovers)
	assert.Equal(t, "replacement", sum.Failovers[0].Recovery)
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, sum))
	assert.Contains(t, b.String(), "replacements  ")
	assert.Contains(t, b.String(), "replacement at 3:00")
	assert.NotContains(t, b.String(), "failover at")

	res.Replications[0].Failovers = append(res.Replications[0].Failovers, fo(false))
	assert.Equal(t, "failovers, replacements", recoveriesLabel(Summarize(res, nil).Failovers), "some of each")
}

func TestRecoveriesAreReportedApartFromFailovers(t *testing.T) {
	// Replication 0 had a failover; replication 2 a point-in-time restore
	// from a data loss at 10:00 to 9:59, its writes back at 24:30.
	res := testResult()
	res.Replications[2].Failovers = []scenarios.Failover{{Cause: "data loss", Start: sec(600), Detected: sec(600),
		Promoted: sec(1400), Accepting: sec(1460), ClientsRecovered: sec(1470), LostWrites: 7,
		Restore: &cluster.Restore{Kind: "point-in-time-restore", RestoredTo: sec(599)}}}
	sum := Summarize(res, nil)
	require.Len(t, sum.Recoveries, 1)
	r := sum.Recoveries[0]
	assert.Equal(t, Recovery{Replication: 2, Kind: "point-in-time-restore", Cause: "data loss", StartS: 600,
		RestoredToS: 599, EndS: 1460, RTOS: 870, RPOS: 1, LostWrites: 7}, r)
	require.Len(t, sum.Failovers, 2, "a recovery is not a failover")
	assert.Equal(t, scenarios.Number(71.775), sum.FailoverDurationS.Mean, "nor in the failovers' mean")
	assert.Equal(t, int64(3), sum.LostWrites, "its RPO is not a failover's lost writes")

	var b bytes.Buffer
	require.NoError(t, WriteText(&b, sum))
	assert.Contains(t, b.String(), "point-in-time-restore at 10:00 (replication 2): RTO 870.0 s, RPO 1.0 s, lost writes 7")

	assert.NotContains(t, string(summaryJSON(t, testResult())), `"recoveries"`, "omitted without one")
}

func TestGlobalTableLine(t *testing.T) {
	sum := Summarize(testResult(), nil)
	sum.GlobalTable = &GlobalTableSummary{Replicated: 228721, AtRisk: 226,
		ReplicationLatency: LagStats{P50: 630.3, P99: 1450, Max: 121500}}
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, sum))
	assert.Contains(t, b.String(), "global table  228,721 writes replicated, 226 at risk when their Region failed, 0 lost to last writer wins; replication latency p50 630 ms, p99 1.4 s, max 2m2s")
}

// TestTextClockOfARunOfDays: a run of days gives its times as the
// narrative does, "day 2 06:00:00", not as five-digit minutes.
func TestTextClockOfARunOfDays(t *testing.T) {
	res := testResult()
	for _, rep := range res.Replications {
		rep.Failovers = []scenarios.Failover{{Cause: "instance failure", Start: sec(30 * 3600), Detected: sec(30*3600 + 10),
			Promoted: sec(30*3600 + 40), Accepting: sec(30*3600 + 60), ClientsRecovered: sec(30*3600 + 65)}}
	}
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, Summarize(res, nil)))
	assert.Contains(t, b.String(), "failover at 1800:00", "a run of minutes")

	res.Scenario.Duration = scenarios.Duration(14 * 24 * time.Hour)
	b.Reset()
	require.NoError(t, WriteText(&b, Summarize(res, nil)))
	assert.Contains(t, b.String(), "failover at day 2 06:00:00")
}
