package scenarios

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func tiny(t *testing.T) *Scenario {
	t.Helper()
	s, err := Load("testdata/tiny.yaml")
	require.NoError(t, err)
	return s
}

func axes(t *testing.T, sets ...string) []SweepAxis {
	t.Helper()
	var out []SweepAxis
	for _, s := range sets {
		ax, err := ParseSet(s)
		require.NoError(t, err, s)
		out = append(out, ax)
	}
	return out
}

func TestParseSet(t *testing.T) {
	ax, err := ParseSet("system.instance_class=db.r6g.large, db.r6g.xlarge")
	require.NoError(t, err)
	assert.Equal(t, []string{"system.instance_class"}, ax.Paths)
	assert.Equal(t, [][]string{{"db.r6g.large"}, {"db.r6g.xlarge"}}, ax.Values)

	// Commas inside brackets belong to the value (a YAML flow list).
	ax, err = ParseSet("topology.azs=[a, b],[a, b, c]")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"[a, b]"}, {"[a, b, c]"}}, ax.Values)

	// Zipped paths move together.
	ax, err = ParseSet("system.multi_az+system.standby_az=none+~,instance+us-east-1b")
	require.NoError(t, err)
	assert.Equal(t, []string{"system.multi_az", "system.standby_az"}, ax.Paths)
	assert.Equal(t, [][]string{{"none", "~"}, {"instance", "us-east-1b"}}, ax.Values)

	for _, bad := range []struct{ arg, want string }{
		{"system.instance_class", "want PATH=V1,V2"},
		{"=a,b", "want PATH=V1,V2"},
		{"System.Class=a", "keys are lower_case"},
		{"workload[x].name=a", "not an index"},
		{"workload[0=a", "missing ]"},
		{"a.=1", "ends with a dot"},
		{"seed=1,,2", "empty value"},
		{"seed=1,1", "given twice"},
		{"seed+duration=1", "one per path"},
		{"seed+seed=1+2", "named twice"},
	} {
		_, err := ParseSet(bad.arg)
		require.Error(t, err, bad.arg)
		assert.Contains(t, err.Error(), bad.want, bad.arg)
	}
}

func TestGridOrderIsNestedLoopsFirstAxisOutermost(t *testing.T) {
	sw := &Sweep{Base: tiny(t), Axes: axes(t,
		"system.instance_class=db.r6g.large,db.r6g.xlarge",
		"workload[0].arrival.rate=100/s,200/s,300/s")}
	require.Equal(t, 6, sw.Size())
	points, err := sw.Points()
	require.NoError(t, err)
	var got []string
	for i, p := range points {
		assert.Equal(t, i, p.Index)
		assert.Equal(t, sw.Steps(i), p.Steps)
		got = append(got, strings.Join(p.Values, " "))
		// The value reached the scenario, parsed as a hand-written one.
		assert.Equal(t, p.Values[0], p.Scenario.System.RDS.InstanceClass)
		assert.Equal(t, p.Values[1], p.Scenario.Workload[0].Arrival.Rate.String())
	}
	assert.Equal(t, []string{
		"db.r6g.large 100/s", "db.r6g.large 200/s", "db.r6g.large 300/s",
		"db.r6g.xlarge 100/s", "db.r6g.xlarge 200/s", "db.r6g.xlarge 300/s",
	}, got)
	assert.Equal(t, []string{"system.instance_class", "workload[0].arrival.rate"}, sw.Columns())
}

func TestSetWritesKeysTheFileLeavesOut(t *testing.T) {
	base := tiny(t)
	require.False(t, base.Has("system.storage.size"))
	sw := &Sweep{Base: base, Axes: axes(t, "system.storage.size=200GB", "clients.dns_cache=ttl,3m", "system.replication.ack_timeout=3s")}
	points, err := sw.Points()
	require.NoError(t, err)
	require.Len(t, points, 2)
	assert.Equal(t, Size(200<<30), points[0].Scenario.System.RDS.Storage.Size)
	assert.Equal(t, "3m", points[1].Scenario.Clients.DNSCache)
	assert.True(t, points[0].Scenario.Has("system.replication.ack_timeout"))
	// The base scenario is untouched.
	assert.Equal(t, Size(100<<30), base.System.RDS.Storage.Size)
}

func TestZippedSetRemovesAKey(t *testing.T) {
	// A single-AZ point cannot name a standby AZ: zip the two, with ~
	// (null: not written) for the standby of the single-AZ point.
	s, err := LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	_, err = (&Sweep{Base: s, Axes: axes(t, "system.multi_az=none,instance")}).Points()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "system.standby_az: applies only to multi_az: instance")
	assert.Contains(t, err.Error(), "zip")

	points, err := (&Sweep{Base: s, Axes: axes(t, "system.multi_az+system.standby_az=none+~,instance+us-east-1c")}).Points()
	require.NoError(t, err)
	assert.Equal(t, "none", points[0].Scenario.System.RDS.MultiAZ)
	assert.False(t, points[0].Scenario.Has("system.standby_az"))
	assert.Equal(t, "us-east-1c", points[1].Scenario.System.RDS.StandbyAZ)
}

func TestSetErrorsArePlacedInTheUsersFile(t *testing.T) {
	s, err := LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	file := "scenarios/library/rds-multi-az-failover.yaml"
	for _, c := range []struct{ set, want string }{
		// A key that does not exist: at the enclosing mapping (system: is
		// line 17), with a suggestion.
		{"system.instance_clas=db.r6g.large", file + ":17:1: --set system.instance_clas=db.r6g.large: system.instance_clas does not exist: in system, unknown key \"instance_clas\""},
		{"system.instance_clas=db.r6g.large", "did you mean instance_class?"},
		// An item the file does not have (workload: is line 33).
		{"workload[3].arrival.rate=1/s", file + ":33:1: --set workload[3].arrival.rate=1/s: workload[3] does not exist: workload has 1 item(s)"},
		{"seed.x=1", file + ":8:7: --set seed.x=1: seed is a single value, it has no key \"x\""},
		// A bad value: where the value was written, naming the --set.
		{"system.instance_class=db.r6g.large,db.nope", file + ":20:19: --set system.instance_class=db.nope: system.instance_class: unknown instance class \"db.nope\""},
		{"clients.retry.max_attempts=x", file + ":31:25: --set clients.retry.max_attempts=x: clients.retry.max_attempts: expected an integer, got \"x\""},
		{"workload[0].arrival.rate=1000", "--set workload[0].arrival.rate=1000: workload[0].arrival.rate:"},
		{"seed=[1", "--set seed=[1: value \"[1\": not valid YAML"},
	} {
		_, err := (&Sweep{Base: s, Axes: axes(t, c.set)}).Points()
		require.Error(t, err, c.set)
		assert.Contains(t, err.Error(), c.want, c.set)
		_, ok := err.(SweepErrors)
		assert.True(t, ok, "%T", err)
	}
}

func TestNumberJSONRoundTrip(t *testing.T) {
	r := &SweepResult{Format: SweepFormat, Scenario: "x", Shards: 1, Points: 1, Metrics: sweepMetricNames(),
		Axes:    []SweepAxis{{Paths: []string{"seed"}, Values: [][]string{{"1"}}}},
		Targets: []string{}, Plots: []string{},
		Results: []PointResult{{Index: 0, Values: []string{"1"}, Replications: [][]Number{make([]Number, len(SweepMetrics))}}}}
	vals := r.Results[0].Replications[0]
	vals[0] = 0.1 + 0.2 // not a short decimal
	vals[1] = Number(math.NaN())
	vals[2] = 1e-300
	var b bytes.Buffer
	require.NoError(t, r.WriteJSON(&b))
	assert.Contains(t, b.String(), "null")
	back, err := ReadSweepResult(&b)
	require.NoError(t, err)
	got := back.Results[0].Replications[0]
	assert.Equal(t, vals[0], got[0]) // exactly
	assert.True(t, math.IsNaN(float64(got[1])))
	assert.Equal(t, vals[2], got[2])
}

func TestStatIsStudentTInterval(t *testing.T) {
	m, _ := LookupSweepMetric("write.p99")
	p := &PointResult{Replications: [][]Number{{}, {}, {}}}
	for i, v := range []float64{10, 12, 14} {
		p.Replications[i] = make([]Number, len(SweepMetrics))
		p.Replications[i][m] = Number(v)
	}
	// mean 12, s = 2, t(0.975; 2) = 4.302653: half-width 4.302653·2/√3.
	mean, lo, hi := p.Stat(m)
	assert.Equal(t, 12.0, mean)
	assert.InDelta(t, 12-4.968275, lo, 1e-5)
	assert.InDelta(t, 12+4.968275, hi, 1e-5)
	// Clamped at 0: latencies are not negative.
	p.Replications[0][m] = 0
	p.Replications[1][m] = 0
	p.Replications[2][m] = 9
	_, lo, _ = p.Stat(m)
	assert.Equal(t, 0.0, lo)
	// A replication without a value leaves the mean without one.
	p.Replications[1][m] = Number(math.NaN())
	assert.True(t, math.IsNaN(p.Mean(m)))
}

func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		in, metric, op string
		value          float64
	}{
		{"write.p99<20ms", "write.p99", "<", 20},
		{"write.p99 < 0.02s", "write.p99", "<", 20},
		{"p99<=5ms", "all.p99", "<=", 5},
		{"availability>=0.9995", "availability", ">=", 0.9995},
		{"availability >= 99.95%", "availability", ">=", 0.9995},
		{"failover.duration<90s", "failover.duration", "<", 90},
		{"failover.duration<1.5m", "failover.duration", "<", 90},
		{"client_outage<2m", "client.outage", "<", 120},
		{"cost<500", "cost", "<", 500},
		{"cost<$500", "cost", "<", 500},
		{"lost_writes<=0", "lost_writes", "<=", 0},
		{"write_p999_ms<100ms", "write.p999", "<", 100},
	} {
		tg, err := ParseTarget(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.metric, SweepMetrics[tg.Metric].Name, c.in)
		assert.Equal(t, c.op, tg.Op, c.in)
		assert.InDelta(t, c.value, tg.Value, 1e-9, c.in)
	}
	for _, c := range []struct{ in, want string }{
		{"write.p99", "want METRIC OP VALUE"},
		{"write.p99=20ms", "unknown comparison"},
		{"write.p42<20ms", "unknown metric"},
		{"write.p99<20", "duration"},
		{"availability>1.5", "fraction"},
		{"cost<cheap", "not a number"},
		{"cost<", "no value"},
	} {
		_, err := ParseTarget(c.in)
		require.Error(t, err, c.in)
		assert.Contains(t, err.Error(), c.want, c.in)
	}
	tg, _ := ParseTarget("write.p99<20ms")
	assert.Equal(t, "write.p99 < 20 ms", tg.String())
	assert.True(t, tg.Met(19.9))
	assert.False(t, tg.Met(20))
	assert.False(t, tg.Met(math.NaN()))
	assert.InDelta(t, 0.5, tg.Miss(30), 1e-12)
	av, _ := ParseTarget("availability>=99.95%")
	assert.InDelta(t, 1.0, av.Miss(0.999), 1e-9) // twice the allowed downtime
}

// synthetic builds a result from per-point (write p99, availability, cost)
// means, one replication each.
func synthetic(points ...[3]float64) *SweepResult {
	r := &SweepResult{Format: SweepFormat, Shards: 1, Points: len(points), Metrics: sweepMetricNames()}
	wm, _ := LookupSweepMetric("write.p99")
	am, _ := LookupSweepMetric("availability")
	cm, _ := LookupSweepMetric("cost")
	for i, p := range points {
		vals := make([]Number, len(SweepMetrics))
		vals[wm], vals[am], vals[cm] = Number(p[0]), Number(p[1]), Number(p[2])
		r.Results = append(r.Results, PointResult{Index: i, Replications: [][]Number{vals}})
	}
	return r
}

func TestAnswerCheapestMeetingEveryTarget(t *testing.T) {
	p99, _ := ParseTarget("write.p99<20ms")
	avail, _ := ParseTarget("availability>=0.999")
	r := synthetic(
		[3]float64{30, 0.9999, 100}, // too slow
		[3]float64{10, 0.9999, 400},
		[3]float64{15, 0.9995, 300}, // the cheapest that meets both
		[3]float64{12, 0.99, 200},   // not available enough
	)
	a := r.Answer([]SweepTarget{p99, avail})
	require.NotNil(t, a.Best)
	assert.Equal(t, 2, a.Best.Index)
	assert.Equal(t, 2, a.Meeting)
	assert.Nil(t, a.Closest)

	// Nothing meets 5 ms: the closest is the one with the smallest
	// relative miss (10 ms: 100%), not the cheapest.
	strict, _ := ParseTarget("write.p99<5ms")
	a = r.Answer([]SweepTarget{strict})
	assert.Nil(t, a.Best)
	require.NotNil(t, a.Closest)
	assert.Equal(t, 1, a.Closest.Index)
	assert.InDelta(t, 1.0, a.Misses[0], 1e-12)
}

func TestShardRunsDoNotDependOnTheShard(t *testing.T) {
	sw := &Sweep{Base: tiny(t), Axes: axes(t, "workload[0].arrival.rate=100/s,200/s,300/s"), Replications: 1}
	points, err := sw.Points()
	require.NoError(t, err)
	all, err := sw.Run(points, SweepOptions{Workers: 1})
	require.NoError(t, err)
	var parts []*SweepResult
	for i := range 2 {
		part, err := sw.Run(points, SweepOptions{Shard: i, Shards: 2, Workers: 3})
		require.NoError(t, err)
		for _, p := range part.Results {
			assert.Equal(t, i, p.Index%2)
			assert.Equal(t, all.Results[p.Index], p, "point %d", p.Index)
		}
		parts = append(parts, part)
	}
	merged, err := MergeSweeps([]*SweepResult{parts[1], parts[0]}, []string{"b", "a"})
	require.NoError(t, err)
	assert.Equal(t, all, merged)

	_, err = MergeSweeps(parts[:1], []string{"a"})
	assert.ErrorContains(t, err, "missing shard(s) 1 of 2")
	_, err = MergeSweeps([]*SweepResult{parts[0], parts[0]}, []string{"a", "a2"})
	assert.ErrorContains(t, err, "given twice")
	other := *parts[1]
	other.Fingerprint = "0000"
	_, err = MergeSweeps([]*SweepResult{parts[0], &other}, []string{"a", "b"})
	assert.ErrorContains(t, err, "another sweep")
	_, err = sw.Run(points, SweepOptions{Shard: 2, Shards: 2})
	assert.ErrorContains(t, err, "does not exist")
}

func TestSetTheSameFieldTwiceIsRefused(t *testing.T) {
	_, err := (&Sweep{Base: tiny(t), Axes: axes(t, "system.failover.promotion=5s,10s", "system.failover={promotion: 1s}")}).Points()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "system.failover overlaps system.failover.promotion")
	_, err = (&Sweep{Base: tiny(t), Axes: axes(t, "seed=1,2", "seed=3")}).Points()
	assert.ErrorContains(t, err, "seed overlaps seed")
}
