package dynamodb

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/sim"
)

// provisioned is a provisioned table of rcu/wcu without auto scaling.
func provisioned(rcu, wcu float64) Config {
	cfg := Defaults()
	cfg.Table.RCU, cfg.Table.WCU = rcu, wcu
	return cfg
}

func TestNewTablePartitions(t *testing.T) {
	// Fact 5.3: 5,000 R / 2,000 W start with 4 partitions of 1,250 R /
	// 500 W; raising R to 8,000 splits them into 8 of 1,000 R / 250 W.
	h := newHarness(t, 1, provisioned(5000, 2000), noRetries())
	ps := h.m.Partitions(0)
	require.Len(t, ps, 4)
	for _, p := range ps {
		assert.Equal(t, 1250.0, p.AllocRCU)
		assert.Equal(t, 500.0, p.AllocWCU)
	}
	h.m.UpdateTable(0, 8000, 2000)
	h.k.Run(sim.At(h.m.cfg.UpdateDelay - time.Second))
	assert.Len(t, h.m.Partitions(0), 4, "UpdateTable takes UpdateDelay")
	h.k.Run(sim.At(h.m.cfg.UpdateDelay + time.Second))
	ps = h.m.Partitions(0)
	require.Len(t, ps, 8)
	var lo uint64
	for i, p := range h.m.base.order {
		assert.Equal(t, 1000.0, p.allocR)
		assert.Equal(t, 250.0, p.allocW)
		assert.Equal(t, lo, p.lo, "partition %d: ranges are contiguous", i)
		lo = p.hi + 1
	}
	assert.Equal(t, uint64(0), lo, "the ranges cover the ring")
}

func TestUpdateTableKeepsOmittedDimensionAndSpendsDecreaseQuota(t *testing.T) {
	// Fact 5.9: four decreases in the first hour of a UTC day, then one
	// an hour. An update that only raises is not a decrease.
	h := newHarness(t, 1, provisioned(5000, 2000), noRetries())
	d := h.m.cfg.UpdateDelay
	require.True(t, h.m.UpdateTable(0, 0, 3000), "a raise")
	h.k.Run(sim.At(d))
	rcu, wcu := h.m.Provisioned(0)
	assert.Equal(t, [2]float64{5000, 3000}, [2]float64{rcu, wcu}, "rcu 0 keeps the read throughput")
	for i := 0; i < 4; i++ {
		assert.True(t, h.m.UpdateTable(0, 0, 2900-float64(i)*100), "decrease %d of the first hour", i+1)
	}
	assert.False(t, h.m.UpdateTable(0, 1000, 0), "a fifth decrease within the first hour")
	assert.True(t, h.m.UpdateTable(0, 6000, 0), "raising the reads again is no decrease")
	h.k.Run(sim.At(2 * time.Hour))
	assert.True(t, h.m.UpdateTable(0, 1000, 0), "after an hour without a decrease")
	assert.False(t, h.m.UpdateTable(0, 900, 0), "and then not again within the hour")
	h.k.Run(sim.At(2*time.Hour + d))
	rcu, wcu = h.m.Provisioned(0)
	assert.Equal(t, [2]float64{1000, 2600}, [2]float64{rcu, wcu})
}

func TestHotPartitionUnderZipfBelowTableCapacity(t *testing.T) {
	// Facts 5.1, 5.13: a Zipf workload (s = 1.2 over 10,000 keys) writing
	// 4,500 WCU/s, 64 % of a 7,000 WCU table, still throttles: the
	// partition holding the most popular key needs more than its 1,000 WCU
	// hard limit, which adaptive capacity cannot exceed. The other
	// partitions, but the one with the next most popular keys, idle.
	cfg := provisioned(3000, 7000)
	h := newHarness(t, 1, cfg, noRetries())
	require.Len(t, h.m.Partitions(0), 8)
	z, err := sim.NewZipf(10000, 1.2)
	require.NoError(t, err)
	h.drive("zipf", steady(2250), writes(2*KB, func(r *rand.Rand) uint64 { return z.Sample(r) }))
	h.k.Run(sim.At(3 * time.Minute))

	var total, top int64
	hot, throttling := -1, 0
	for _, p := range h.m.Partitions(0) {
		total += p.Throttles
		if p.Throttles > 0 {
			throttling++
		}
		if p.Throttles > top {
			top, hot = p.Throttles, p.ID
		}
	}
	require.Greater(t, total, int64(10000))
	assert.Equal(t, h.m.PartitionOf(0), hot, "most throttles are on the partition of the most popular key")
	assert.Greater(t, float64(top)/float64(total), 0.6)
	assert.LessOrEqual(t, throttling, 2, "of 8 partitions")
	consumed := h.m.base.lastW
	assert.Less(t, consumed, 0.7*cfg.Table.WCU, "the table is far from its capacity: %.0f WCU/s", consumed)
	hp := h.m.Partitions(0)[hot]
	assert.InDelta(t, 1000, hp.ConsumedWCU/180, 30, "the hot partition runs at its hard limit")
}

func TestCelebrityKeyThrottlesWhateverTheCapacity(t *testing.T) {
	// Facts 5.1, 5.16: one key written at 1,500 WCU/s
	// throttles at the partition's 1,000 WCU hard limit on a 40,000 WCU
	// table, and split for heat does not help: one key cannot be split.
	for _, wcu := range []float64{10000, 40000} {
		h := newHarness(t, 2, provisioned(3000, wcu), noRetries())
		celeb := uint64(42)
		h.drive("celebrity", steady(150), writes(10*KB, func(*rand.Rand) uint64 { return celeb }))
		h.drive("background", steady(200), writes(10*KB, uniform(1_000_000)))
		h.k.Run(sim.At(12 * time.Minute))

		p := h.m.Partitions(0)[h.m.PartitionOf(celeb)]
		rate := p.ConsumedWCU / 720
		assert.LessOrEqual(t, rate, 1000.0+20, "WCU %v: never above the hard limit", wcu)
		assert.Greater(t, rate, 950.0)
		// The partition is offered 1,500 WCU/s from the key plus its share
		// of the 2,000 WCU/s background; it serves 1,000 to the end.
		n := float64(len(h.m.Partitions(0)))
		want := (1500 + 2000/n - 1000) / (10 * KB / WriteUnitBytes)
		late := float64(h.throttlesBetween(600, 720)) / 120
		assert.InDelta(t, want, late, 6, "WCU %v: throttled writes per second in the last 2 min", wcu)
		assert.Zero(t, h.m.heatSplits, "no split for a single hot key")
		assert.Positive(t, h.m.heatRefused, "the hot partition was considered and refused")
	}
}

func TestSplitForHeatRelievesHotKeyRange(t *testing.T) {
	// Fact 5.16: a partition whose many keys together need 1,400 WCU/s
	// throttles at its hard limit until, after minutes, it splits at the
	// median of its traffic and each half serves its 700. The median comes
	// from a sample of 64 requests: with some seeds one half gets ~900 and
	// splits again; seed 4 is one whose first split is even.
	h := newHarness(t, 4, provisioned(3000, 7000), noRetries())
	ks := keysIn(h.m, 0, 400, 0)
	h.drive("hot-range", steady(700), writes(2*KB, func(r *rand.Rand) uint64 { return ks[r.IntN(len(ks))] }))
	h.k.Run(sim.At(5 * time.Minute))
	a0, b0 := h.m.Partitions(0)[0].ConsumedWCU, h.m.Partitions(0)[8].ConsumedWCU
	h.k.Run(sim.At(9 * time.Minute))

	assert.Positive(t, h.throttlesBetween(60, 120), "throttled before the split")
	assert.EqualValues(t, 1, h.m.heatSplits)
	assert.Len(t, h.m.Partitions(0), 9)
	// Detection takes Periods metric periods, then the split Duration.
	split := h.m.cfg.Heat.Duration + time.Duration(h.m.cfg.Heat.Periods)*h.m.cfg.MetricPeriod
	s := int(split.Seconds()) + 10
	assert.Zero(t, h.throttlesBetween(s, 540), "no throttles after the split (at %v)", split)
	a, b := h.m.Partitions(0)[0].ConsumedWCU-a0, h.m.Partitions(0)[8].ConsumedWCU-b0
	assert.InDelta(t, 1, a/b, 0.5, "the load is divided: %.0f and %.0f WCU/s", a/240, b/240)
}

func TestAdaptiveCapacityBoostsThrottledPartition(t *testing.T) {
	// Fact 5.13: a 2,000 WCU table has 3 partitions of 667 WCU; one
	// written at 900 WCU/s throttles only until adaptive capacity gives it
	// the table's unused throughput, a few seconds later.
	cfg := provisioned(3000, 2000)
	h := newHarness(t, 4, cfg, noRetries())
	require.Len(t, h.m.Partitions(0), 3)
	ks := keysIn(h.m, 1, 200, 0)
	h.drive("hot", steady(900), writes(KB, func(r *rand.Rand) uint64 { return ks[r.IntN(len(ks))] }))
	h.k.Run(sim.At(time.Minute))
	assert.Positive(t, h.throttlesBetween(0, 10))
	assert.Zero(t, h.throttlesBetween(10, 60))
	assert.GreaterOrEqual(t, h.m.Partitions(0)[1].AllocWCU, 900.0)
	assert.LessOrEqual(t, h.m.Partitions(0)[1].AllocWCU, 1000.0, "never above the hard limit")

	// Without adaptive capacity it throttles for good.
	cfg.Adaptive.Enabled = false
	h = newHarness(t, 4, cfg, noRetries())
	h.drive("hot", steady(900), writes(KB, func(r *rand.Rand) uint64 { return ks[r.IntN(len(ks))] }))
	h.k.Run(sim.At(time.Minute))
	assert.InDelta(t, 233, float64(h.throttlesBetween(30, 60))/30, 30)
}

func TestBurstCapacityWorkedExample(t *testing.T) {
	// Fact 5.11: 150 RCU idle for 5 min bank 45,000 units, which sustain
	// 200 RCU for 900 s; then reads throttle down to 150/s.
	cfg := provisioned(150, 10)
	h := newHarness(t, 5, cfg, noRetries())
	idle := 5 * time.Minute
	h.drive("reads", func(t time.Duration) float64 {
		if t < idle {
			return 0
		}
		return 200
	}, func(_ *rand.Rand, r *client.Request) {
		r.Op, r.Size, r.Key, r.Detail = cluster.Read, 4*KB, 7, &strongGet
	})
	h.k.Run(sim.At(idle + 1000*time.Second))
	first := -1
	for s := range h.thr {
		if h.thr[s] > 0 {
			first = s - 1
			break
		}
	}
	assert.InDelta(t, (idle + 900*time.Second).Seconds(), float64(first), 30, "first throttle at %d s", first)
	assert.InDelta(t, 50, float64(h.throttlesBetween(1250, 1300))/50, 8, "then 200 − 150 per second throttle")
}

var strongGet = Op{Kind: GetItem, Consistent: true}

func TestPerSecondEnforcementPerMinuteMetrics(t *testing.T) {
	// Fact 5.18: 60 WCU is 3,600 writes a minute, yet 3,600 writes in one
	// second throttle; the minute's metric shows a table far below its
	// capacity. (Burst credit is off, as in the documentation's example.)
	cfg := provisioned(60, 60)
	cfg.BurstWindow = cfg.HardWindow
	h := newHarness(t, 6, cfg, noRetries())
	h.drive("burst", func(t time.Duration) float64 {
		if t >= 10*time.Second && t < 11*time.Second {
			return 3600
		}
		return 0
	}, writes(KB, uniform(1000)))
	h.k.Run(sim.At(time.Minute + time.Second))
	assert.Greater(t, float64(h.throttled)/float64(h.throttled+h.ok), 0.95)
	assert.Less(t, h.m.base.lastW, 3.0, "the per-minute average is ~2 WCU/s of 60")
}

func TestAutoScalingIgnoresShortSpikeAbsorbsSustainedRise(t *testing.T) {
	// Facts 5.22, 5.23: scaling up needs 2 consecutive 1-minute
	// data points above the 70 % target, then UpdateTable takes minutes:
	// a 70 s spike is over before capacity changes; a sustained rise is
	// absorbed, minutes late. Burst credit is off to isolate the alarms.
	base := func() Config {
		cfg := provisioned(3000, 1000)
		cfg.BurstWindow = cfg.HardWindow
		cfg.Table.AutoScaling.Enabled = true
		cfg.Table.AutoScaling.MinWCU, cfg.Table.AutoScaling.MaxWCU = 100, 10000
		cfg.Table.AutoScaling.MinRCU, cfg.Table.AutoScaling.MaxRCU = 3000, 3000
		return cfg
	}
	const item = 4 * KB // 4 WCU per write
	t.Run("spike", func(t *testing.T) {
		h := newHarness(t, 7, base(), noRetries())
		spikeFrom, spikeTo := 310*time.Second, 380*time.Second
		h.drive("w", func(t time.Duration) float64 {
			if t >= spikeFrom && t < spikeTo {
				return 1500 / 4
			}
			return 500 / 4
		}, writes(item, uniform(1_000_000)))
		var during float64
		h.k.At(sim.At(spikeTo), func() { _, during = h.m.Provisioned(0) })
		h.k.Run(sim.At(12 * time.Minute))
		assert.Equal(t, 1000.0, during, "capacity unchanged while the spike lasted")
		assert.Greater(t, h.throttlesBetween(315, 380), int64(60*100), "the spike throttles")
		assert.Zero(t, h.m.scaleUps, "a 70 s spike makes one data point above target, not two")
	})
	t.Run("sustained", func(t *testing.T) {
		h := newHarness(t, 7, base(), noRetries())
		rise := 5 * time.Minute
		h.drive("w", func(t time.Duration) float64 {
			if t >= rise {
				return 1500 / 4
			}
			return 500 / 4
		}, writes(item, uniform(1_000_000)))
		var at10 float64
		h.k.At(sim.At(rise+5*time.Minute-time.Second), func() { _, at10 = h.m.Provisioned(0) })
		h.k.Run(sim.At(22 * time.Minute))
		assert.Equal(t, 1000.0, at10, "no new capacity within 2 data points + the provisioning delay")
		assert.Greater(t, h.throttlesBetween(360, 590), int64(200*100))
		_, wcu := h.m.Provisioned(0)
		assert.GreaterOrEqual(t, wcu, 1500/0.7*0.9, "tracks 1,500 WCU at the 70 % target")
		assert.Zero(t, h.throttlesBetween(17*60, 22*60), "absorbed, minutes late")
		assert.GreaterOrEqual(t, h.m.scaleUps, int64(2), "consumption is capped at the provisioned rate, so it takes steps of 1/0.7")
	})
}

func TestAutoScalingScaleDownNeeds15Points(t *testing.T) {
	// Fact 5.23: scale down after 15 consecutive data points below target.
	cfg := provisioned(3000, 2000)
	cfg.Table.AutoScaling.Enabled = true
	cfg.Table.AutoScaling.MinWCU, cfg.Table.AutoScaling.MinRCU, cfg.Table.AutoScaling.MaxRCU = 100, 3000, 3000
	h := newHarness(t, 8, cfg, noRetries())
	h.drive("w", steady(100), writes(4*KB, uniform(1_000_000))) // 400 WCU/s: 20 % utilization
	var at16 float64
	h.k.At(sim.At(15*time.Minute+cfg.Table.AutoScaling.Delay-time.Second), func() { _, at16 = h.m.Provisioned(0) })
	h.k.Run(sim.At(20 * time.Minute))
	assert.Equal(t, 2000.0, at16)
	_, wcu := h.m.Provisioned(0)
	assert.InDelta(t, 400/0.7, wcu, 40)
	assert.EqualValues(t, 1, h.m.scaleDowns)
	assert.Len(t, h.m.Partitions(0), 3, "partitions never merge (fact 5.3)")
}

func TestOnDemandDoublingRule(t *testing.T) {
	// Facts 5.19–5.21: a new on-demand table serves 4,000 WRU/s at once;
	// 6,000 WRU/s throttle down to that until a level sustained for 30 min
	// raises the previous peak, after which 2× the new peak is served.
	cfg := Defaults()
	cfg.Mode = OnDemand
	h := newHarness(t, 9, cfg, noRetries())
	require.Len(t, h.m.Partitions(0), 8)
	const item = 20 * KB // 20 WRU a write
	jump := 10 * time.Minute
	h.drive("w", func(t time.Duration) float64 {
		if t < jump {
			return 3500 / 20
		}
		return 6000 / 20
	}, writes(item, uniform(1_000_000)))
	h.k.Run(sim.At(36 * time.Minute))
	assert.Zero(t, h.throttlesBetween(0, 600), "3,500 WRU/s: within the initial 4,000")
	mid := float64(h.throttlesBetween(15*60, 25*60)) / 600
	assert.InDelta(t, 2000.0/20, mid, 15, "6,000 offered, 4,000 served: a third throttled")
	assert.Zero(t, h.throttlesBetween(31*60, 36*60), "the new peak is in place after 30 min")
	_, w := h.m.Provisioned(0)
	assert.GreaterOrEqual(t, w, 6000.0, "2 × the level sustained for 30 min")
	assert.Len(t, h.m.Partitions(0), 16, "partitions split to hold it")
}

func TestOnDemandPartitionLimitStillApplies(t *testing.T) {
	// Fact 5.1: on-demand partitions keep their 1,000 WCU hard limit.
	cfg := Defaults()
	cfg.Mode = OnDemand
	h := newHarness(t, 10, cfg, noRetries())
	h.drive("celebrity", steady(150), writes(10*KB, func(*rand.Rand) uint64 { return 9 }))
	h.k.Run(sim.At(time.Minute))
	assert.InDelta(t, 50, float64(h.throttlesBetween(10, 60))/50, 8)
}

func TestGSIBackPressureThrottlesBaseWrites(t *testing.T) {
	// Fact 5.33: a base write succeeds only if every index it updates has
	// write capacity: a 200 WCU index throttles a 4,000 WCU table's writes
	// down to ~200/s, until the index gets more capacity.
	cfg := provisioned(3000, 4000)
	cfg.UpdateDelay = 30 * time.Second
	cfg.GSIs = []GSI{{Name: "by-status", Capacity: Capacity{RCU: 100, WCU: 200}}}
	h := newHarness(t, 11, cfg, noRetries())
	h.drive("w", steady(1000), writes(KB, uniform(1_000_000)))
	h.k.At(sim.At(time.Minute), func() { h.m.UpdateTable(1, 100, 2000) })
	h.k.Run(sim.At(2 * time.Minute))
	assert.InDelta(t, 800, float64(h.throttlesBetween(10, 60))/50, 40, "throttled base writes per second")
	assert.Equal(t, h.m.throttledWrites, h.m.backpressure, "every throttle came from the index")
	for _, p := range h.m.Partitions(0) {
		assert.Zero(t, p.Throttles, "base partitions have capacity")
	}
	assert.Positive(t, h.m.Partitions(1)[0].Throttles)
	assert.Zero(t, h.throttlesBetween(95, 120), "after UpdateTable on the index")
	cs := h.m.Counters()
	assert.Equal(t, "throttles:by-status:p0", cs[len(h.m.base.parts)].ID.Column())
}

func TestLowCardinalityIndexHotPartition(t *testing.T) {
	// Fact 5.33 with a hot index key: 3 distinct index values each get a
	// third of 3,600 WCU/s of base writes: 1,200 > the index partition's
	// 1,000 WCU hard limit, whatever the index's provisioned capacity.
	cfg := provisioned(3000, 6000)
	cfg.GSIs = []GSI{{Name: "by-type", Keys: 3, Capacity: Capacity{RCU: 100, WCU: 10000}}}
	h := newHarness(t, 12, cfg, noRetries())
	h.drive("w", steady(1800), writes(2*KB, uniform(1_000_000)))
	h.k.Run(sim.At(40 * time.Second))
	assert.Positive(t, h.throttlesBetween(20, 40))
	assert.Equal(t, h.m.throttledWrites, h.m.backpressure)
}

func TestLeaderFailoverBlocksWritesNotEventualReads(t *testing.T) {
	// Fact 5.26: a new leader waits for the old one's lease ("a couple of
	// seconds"); writes and strong reads to the partition fail meanwhile,
	// eventual reads go on at the followers (fact 5.25).
	cfg := provisioned(3000, 1000)
	h := newHarness(t, 13, cfg, noRetries())
	ks := keysIn(h.m, 0, 100, 0)
	key := func(r *rand.Rand) uint64 { return ks[r.IntN(len(ks))] }
	var firstFail, lastFail sim.Time = -1, -1
	failedBy := map[string]int{}
	h.done = func(r *client.Request) {
		if r.Status == cluster.OK {
			return
		}
		kind := "write"
		if r.Op == cluster.Read {
			kind = "strong"
			if !r.Detail.(*Op).Consistent {
				kind = "eventual"
			}
		}
		failedBy[kind]++
		if firstFail < 0 {
			firstFail = h.k.Now()
		}
		lastFail = h.k.Now()
	}
	eventual := Op{Kind: GetItem}
	h.drive("w", steady(200), writes(KB, key))
	h.drive("strong", steady(100), func(rng *rand.Rand, r *client.Request) { r.Op, r.Key, r.Detail = cluster.Read, key(rng), &strongGet })
	h.drive("eventual", steady(100), func(rng *rand.Rand, r *client.Request) { r.Op, r.Key, r.Detail = cluster.Read, key(rng), &eventual })
	h.k.At(sim.At(10*time.Second), func() { h.m.FailLeader(0) })
	h.k.Run(sim.At(30 * time.Second))

	require.Len(t, h.log.Failovers, 1)
	f := h.log.Failovers[0]
	assert.Equal(t, cfg.Lease+cfg.Election, f.Accepting.Sub(f.Start))
	assert.Zero(t, failedBy["eventual"], "followers serve eventual reads")
	assert.InDelta(t, 2.1*200, failedBy["write"], 60)
	assert.InDelta(t, 2.1*100, failedBy["strong"], 40)
	assert.InDelta(t, 10.0, firstFail.Seconds(), 0.05)
	assert.InDelta(t, 12.1, lastFail.Seconds(), 0.05)
	// A replacement replica is in place after ReplicaRepair (fact 5.27).
	for _, r := range h.m.base.parts[0].reps {
		assert.True(t, r.up)
	}
}

func TestAZOutageFailsOverLeadersInTheZone(t *testing.T) {
	// Facts 5.25–5.27: losing an AZ loses one replica of every partition:
	// partitions whose leader was there fail over after the lease; writes
	// keep their 2-of-3 quorum with the two survivors.
	cfg := provisioned(3000, 5000)
	h := newHarness(t, 14, cfg, noRetries())
	inB := 0
	for _, p := range h.m.Partitions(0) {
		if p.LeaderAZ == 1 {
			inB++
		}
	}
	require.Positive(t, inB)
	h.drive("w", steady(1000), writes(KB, uniform(1_000_000)))
	h.k.At(sim.At(10*time.Second), func() { h.topo.SetDown(1, true) })
	h.k.Run(sim.At(40 * time.Second))
	assert.Len(t, h.log.Failovers, inB)
	assert.Positive(t, h.unavail[12]-h.unavail[10])
	assert.Zero(t, h.unavail[40]-h.unavail[13], "writes go on after the lease")
	for _, p := range h.m.Partitions(0) {
		assert.NotEqual(t, cluster.AZ(1), p.LeaderAZ)
	}
}

func TestBatchWriteReturnsUnprocessedItems(t *testing.T) {
	// Fact 5.35: a batch whose items lack capacity answers OK with those
	// items unprocessed; one with none processed fails as throttled.
	cfg := provisioned(3000, 1000)
	cfg.BurstWindow = cfg.HardWindow
	h := newHarness(t, 15, cfg, noRetries())
	var ops []*Op
	h.drive("batch", steady(100), func(rng *rand.Rand, r *client.Request) {
		op := &Op{Kind: BatchWriteItem, Items: 25}
		ops = append(ops, op)
		r.Op, r.Key, r.Size, r.Detail = cluster.Write, rng.Uint64(), 2*KB, op
	})
	h.k.Run(sim.At(20 * time.Second))
	// 100 batches × 25 items × 2 WCU = 5,000 WCU/s offered to 1,000.
	partial := 0
	for _, op := range ops {
		if op.Unprocessed > 0 && op.Unprocessed < 25 {
			partial++
		}
	}
	assert.Positive(t, partial)
	assert.Positive(t, h.ok)
	served := h.m.base.cumW / 20
	assert.InDelta(t, 1000, served, 100)
	assert.Greater(t, h.m.unprocessed, int64(20*100*25*3/4-2000))
}

func TestTransactionsCostDoubleAndAreAllOrNothing(t *testing.T) {
	// Facts 5.5, 5.6: a TransactWriteItems of two 3 KB items costs 2 × 6
	// WCU; a transaction that cannot get all its capacity consumes none.
	h := newHarness(t, 16, provisioned(3000, 1000), noRetries())
	op := &Op{Kind: TransactWriteItems, Keys: []uint64{1, 2}}
	h.cl.Submit(&client.Request{ID: 1, Op: cluster.Write, Size: 3 * KB, Detail: op})
	h.k.Run(sim.At(time.Second))
	assert.Equal(t, 1, h.ok)
	assert.Equal(t, 12.0, h.m.base.cumW)

	get := &Op{Kind: TransactGetItems, Keys: []uint64{1, 2, 3}}
	h.cl.Submit(&client.Request{ID: 2, Op: cluster.Read, Size: 8 * KB, Detail: get})
	h.k.Run(sim.At(2 * time.Second))
	assert.Equal(t, 3*4.0, h.m.base.cumR, "8 KB transactional reads cost 4 each")

	// Drain one item's partition: the whole transaction is refused.
	p := h.m.base.locate(h.m.base.point(1))
	p.hw.take(h.k.Now(), p.hw.limit)
	before := h.m.base.cumW
	h.cl.Submit(&client.Request{ID: 3, Op: cluster.Write, Size: 3 * KB, Detail: op})
	h.k.Run(sim.At(2*time.Second + 10*time.Millisecond))
	assert.Equal(t, 1, h.throttled)
	assert.Equal(t, before, h.m.base.cumW)
}

func TestQueryPricedByItemCollection(t *testing.T) {
	// Fact 5.5: a Query of 10 × 1 KB items reads 10 KB: 3 RCU strongly
	// consistent; on an index (eventual only) 1.5 RCU of the index.
	cfg := provisioned(3000, 1000)
	cfg.GSIs = []GSI{{Name: "gsi", Capacity: Capacity{RCU: 1000, WCU: 1000}}}
	h := newHarness(t, 17, cfg, noRetries())
	h.cl.Submit(&client.Request{ID: 1, Op: cluster.Read, Size: KB, Key: 5, Detail: &Op{Kind: Query, Items: 10, Consistent: true}})
	h.cl.Submit(&client.Request{ID: 2, Op: cluster.Read, Size: KB, Key: 5, Detail: &Op{Kind: Query, Items: 10, Index: 1, Consistent: true}})
	h.cl.Submit(&client.Request{ID: 3, Op: cluster.Read, Size: 500 * KB})
	h.k.Run(sim.At(time.Second))
	assert.Equal(t, 3.0, h.m.base.cumR)
	assert.Equal(t, 1.5, h.m.gsis[0].cumR)
	assert.EqualValues(t, 1, h.m.invalid, "fact 5.7: items are at most 400 KB")
}

func TestLatencySingleDigitMilliseconds(t *testing.T) {
	// Fact 5.30: "single-digit millisecond" latency (p50/p99 unpublished).
	h := newHarness(t, 18, provisioned(3000, 1000), noRetries())
	h.drive("w", steady(300), writes(KB, uniform(1_000_000)))
	h.drive("r", steady(700), func(rng *rand.Rand, r *client.Request) { r.Op, r.Key = cluster.Read, rng.Uint64N(1_000_000) })
	h.k.Run(sim.At(30 * time.Second))
	p50, p99 := h.lat.Quantile(0.5), h.lat.Quantile(0.99)
	assert.Greater(t, p50, time.Millisecond)
	assert.Less(t, p50, 4*time.Millisecond)
	assert.Less(t, p99, 10*time.Millisecond)
	t.Logf("latency p50 %v p99 %v", p50, p99)
}

func TestLatencyFlatWithLoad(t *testing.T) {
	// Fact 5.30: from 100k to 1M ops/s, p50 and p99 "stay flat" (DDB22
	// §7, YCSB on a table provisioned for the load). A 64-partition table
	// at 2,000 and at 20,000 requests/s (80 % eventual reads, 20 % writes,
	// uniform keys): per-partition load ×10, latency the same.
	quantiles := func(rate float64) (time.Duration, time.Duration) {
		cfg := provisioned(96000, 32000)
		cfg.Table.Partitions = 64
		h := newHarness(t, 21, cfg, noRetries())
		h.drive("mix", steady(rate), func(rng *rand.Rand, r *client.Request) {
			r.Op, r.Key, r.Size = cluster.Read, rng.Uint64N(1_000_000), KB
			if rng.Float64() < 0.2 {
				r.Op = cluster.Write
			}
		})
		h.k.Run(sim.At(10 * time.Second))
		return h.lat.Quantile(0.5), h.lat.Quantile(0.99)
	}
	p50lo, p99lo := quantiles(2000)
	p50hi, p99hi := quantiles(20000)
	t.Logf("2,000/s: p50 %v p99 %v; 20,000/s: p50 %v p99 %v", p50lo, p99lo, p50hi, p99hi)
	assert.InEpsilon(t, float64(p50lo), float64(p50hi), 0.05)
	assert.InEpsilon(t, float64(p99lo), float64(p99hi), 0.10)
	assert.Less(t, p99hi, 10*time.Millisecond, "single-digit milliseconds")
}

func TestGaugesReportConsumedCapacity(t *testing.T) {
	cfg := provisioned(3000, 7000)
	h := newHarness(t, 19, cfg, noRetries())
	gs := h.m.Gauges()
	byName := map[string]cluster.Gauge{}
	for _, g := range gs {
		byName[g.ID.Column()] = g
	}
	require.Contains(t, byName, "consumed_wcu:p15", "twice the 8 initial partitions")
	require.NotContains(t, byName, "consumed_wcu:p16")
	h.drive("w", steady(2000), writes(KB, uniform(1_000_000)))
	h.k.Run(sim.At(time.Second))
	for _, g := range gs {
		g.Sample()
	}
	h.k.Run(sim.At(11 * time.Second))
	assert.InDelta(t, 2000, byName["consumed_wcu"].Sample(), 60)
	assert.Equal(t, 7000.0, byName["provisioned_wcu"].Sample())
	assert.InDelta(t, 250, byName["consumed_wcu:p3"].Sample(), 30)
	assert.Zero(t, byName["consumed_wcu:p12"].Sample(), "a row for a partition not yet split off")
}

func TestDeterministic(t *testing.T) {
	run := func() []cluster.Counter {
		h := newHarness(t, 20, provisioned(3000, 2000), noRetries())
		z, _ := sim.NewZipf(1000, 1.2)
		h.drive("w", steady(1500), writes(KB, func(r *rand.Rand) uint64 { return z.Sample(r) }))
		h.k.Run(sim.At(20 * time.Second))
		return h.m.Counters()
	}
	assert.Equal(t, run(), run())
}

func TestLastGaugeRowCarriesTheRest(t *testing.T) {
	// Gauge rows are bounded: with 4 rows, row p3 sums partitions 3 and up.
	cfg := provisioned(3000, 7000) // 8 partitions
	cfg.GaugePartitions = 4
	h := newHarness(t, 22, cfg, noRetries())
	var last cluster.Gauge
	n := 0
	for _, g := range h.m.Gauges() {
		if g.ID.Kind == metric.ConsumedWCU && g.ID.PerPartition {
			n++
			last = g
		}
	}
	require.Equal(t, 4, n)
	require.Equal(t, metric.OfPartition(metric.ConsumedWCU, "", 3), last.ID)
	h.drive("w", steady(1600), writes(KB, uniform(1_000_000)))
	h.k.Run(sim.At(10 * time.Second))
	assert.InDelta(t, 1000, last.Sample(), 100, "5 of 8 partitions at 200 WCU/s each")
}

func TestResetCountersAndLeadersInAZ(t *testing.T) {
	cfg := provisioned(3000, 5000)
	h := newHarness(t, 23, cfg, noRetries())
	h.drive("w", steady(500), writes(KB, uniform(1_000_000)))
	h.k.At(sim.At(5*time.Second), func() { h.m.FailLeadersIn(2) })
	h.k.Run(sim.At(10 * time.Second))
	var inC int
	for _, p := range h.m.Partitions(0) {
		assert.NotEqual(t, cluster.AZ(2), p.LeaderAZ)
	}
	for _, f := range h.log.Failovers {
		if f.Accepting.Sub(f.Start) == cfg.Lease+cfg.Election {
			inC++
		}
	}
	assert.Positive(t, inC)
	assert.Equal(t, len(h.log.Failovers), inC)
	byName := func() map[string]int64 {
		out := map[string]int64{}
		for _, c := range h.m.Counters() {
			out[c.ID.Column()] = c.Value
		}
		return out
	}
	assert.EqualValues(t, inC, byName()["leader_failovers"])
	assert.Positive(t, byName()["unavailable"])
	h.m.ResetCounters()
	assert.Zero(t, byName()["leader_failovers"])
	_, listed := byName()["partitions"]
	assert.False(t, listed, "the partition count is a level (a gauge), not a total to sum over replications")
}

func TestAutoScalingDecreasesRespectTheQuota(t *testing.T) {
	// Facts 5.9, 5.24: a load falling by a quarter every 10 minutes asks
	// for a decrease every 10 minutes; the quota allows 4 in the first
	// hour of the day, then one an hour (at 0:31 the fourth, then 1:31,
	// 2:31, 3:31). One data point below target suffices here, to isolate
	// the quota from the 15-point alarm.
	cfg := provisioned(3000, 40000)
	cfg.Table.AutoScaling.Enabled = true
	cfg.Table.AutoScaling.ScaleDownPoints = 1
	cfg.Table.AutoScaling.Delay = time.Second
	cfg.Table.AutoScaling.MinRCU, cfg.Table.AutoScaling.MaxRCU, cfg.Table.AutoScaling.MinWCU = 3000, 3000, 1
	h := newHarness(t, 24, cfg, noRetries())
	h.drive("w", func(t time.Duration) float64 {
		return 4000 * math.Pow(0.75, math.Floor(t.Minutes()/10)) / 100
	}, writes(100*KB, uniform(1_000_000)))
	h.k.Run(sim.At(3*time.Hour + 35*time.Minute))
	assert.EqualValues(t, 4+3, h.m.scaleDowns, "4 in the first hour, then 1 in each of the next 3")
	assert.Equal(t, []time.Duration{time.Minute, 11 * time.Minute, 21 * time.Minute, 31 * time.Minute,
		91 * time.Minute, 151 * time.Minute, 211 * time.Minute}, h.m.base.decreases)
}

// Facts 5.1, 5.18: a partition idle for two seconds, then flooded on one
// key at three times its hard limit, never serves more than the limit in
// any second, not even in the first (a bucket one second deep, full after
// the idle second, let twice the limit through). The table's burst credit
// (provisioned, 300 s of it) is ample: only the hard limit binds.
func TestHardLimitHoldsInEverySecondAfterIdle(t *testing.T) {
	for _, write := range []bool{true, false} {
		h := newHarness(t, 12, provisioned(100000, 40000), noRetries())
		key := uint64(42)
		p := h.m.base.parts[h.m.PartitionOf(key)]
		limit, rate := h.m.cfg.Limits.WCU, 3000.0
		fill := writes(KB, func(*rand.Rand) uint64 { return key }) // 1 WCU
		if !write {
			limit, rate = h.m.cfg.Limits.RCU, 9000
			fill = func(rng *rand.Rand, r *client.Request) { // 1 RCU
				r.Op, r.Size, r.Key, r.Detail = cluster.Read, 4*KB, key, &strongGet
			}
		}
		h.drive("flood", func(t time.Duration) float64 {
			if t >= 2*time.Second {
				return rate
			}
			return 0
		}, fill)
		// Consumption sampled every 100 µs: cum[i] at i × 100 µs.
		const step = 100 * time.Microsecond
		var cum []float64
		var sample func()
		sample = func() {
			cum = append(cum, map[bool]float64{true: p.cumW, false: p.cumR}[write])
			h.k.After(step, sample)
		}
		h.k.After(0, sample)
		h.k.Run(sim.At(6 * time.Second))
		per := int(time.Second / step)
		most, at := 0.0, 0
		for i := 0; i+per < len(cum); i++ {
			if c := cum[i+per] - cum[i]; c > most {
				most, at = c, i
			}
		}
		t.Logf("write %v: at most %.0f units in a second (from %v), limit %.0f", write, most, time.Duration(at)*step, limit)
		assert.LessOrEqual(t, most, limit+1, "write %v: one request's units of slack at most", write)
		assert.Greater(t, most, 0.95*limit, "write %v: the flood runs at the limit", write)
	}
}
