package dynamodb

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/sim"
)

// streamHarness is a one-partition table (1,000 RCU, 500 WCU: fact 5.3)
// with a stream consumed as cfg says; records are appended directly, as
// the writes' commits would.
func streamHarness(t *testing.T, cfg Stream) *harness {
	t.Helper()
	c := provisioned(1000, 500)
	c.Stream = &cfg
	h := newHarness(t, 1, c, noRetries())
	require.Len(t, h.m.base.parts, 1)
	return h
}

// writeAt appends records to partition 0's shard at rate per second,
// evenly spaced, from from to to, key i for the i-th.
func writeAt(h *harness, rate float64, from, to time.Duration) {
	gap := time.Duration(float64(time.Second) / rate)
	var i uint64
	var next func()
	next = func() {
		if time.Duration(h.k.Now()) >= to {
			return
		}
		i++
		h.m.stream.append(h.m.base.parts[0], mix(i))
		h.k.After(gap, next)
	}
	h.k.At(sim.At(from), next)
}

func fastStream() Stream {
	s := DefaultStream()
	s.Duration = sim.Constant(0.4)
	return s
}

func TestStreamConsumerThroughputPerShardMatchesFormula(t *testing.T) {
	// Facts 13.4–13.6: with a full backlog a lane invokes with BatchSize
	// records, runs Duration, then waits for the shard's next poll (every
	// 250 ms); a shard serves BatchSize × F / (duration + polling gap).
	// A constant 0.4 s: the gap is 0.1 s to the next 250 ms poll, so
	// 100 × 2 / 0.5 = 400 records/s.
	cfg := fastStream()
	cfg.ParallelizationFactor = 2
	h := streamHarness(t, cfg)
	for i := uint64(0); i < 40000; i++ {
		h.m.stream.append(h.m.base.parts[0], mix(i))
	}
	h.k.Run(sim.At(30 * time.Second))
	got := float64(h.m.stream.st.Processed) / 30
	t.Logf("constant 0.4 s, F = 2: %.1f records/s (formula 400)", got)
	assert.InDelta(t, 400, got, 400*0.02, "records/s against 100 × 2 / 0.5 s")

	// A random duration, uniform on [0.1, 0.6] s: spread over two
	// polling intervals, it ends uniformly within one, so the gap to the
	// next poll averages half of it: 100 / (E[d] + 0.125 s) = 210.5/s.
	cfg = DefaultStream()
	cfg.Duration = sim.Uniform(0.1, 0.6)
	h = streamHarness(t, cfg)
	for i := uint64(0); i < 250000; i++ {
		h.m.stream.append(h.m.base.parts[0], mix(i))
	}
	h.k.Run(sim.At(1000 * time.Second))
	want := 100 / (0.35 + 0.125)
	got = float64(h.m.stream.st.Processed) / 1000
	t.Logf("uniform 0.1–0.6 s: %.1f records/s (formula %.1f)", got, want)
	assert.InDelta(t, want, got, want*0.02, "records/s against 100 / (E[d] + poll/2)")
}

func TestBatchingWindowGathersRecords(t *testing.T) {
	// Fact 13.5: with a batching window the mapping invokes once the
	// batch is full or the window has passed. 20 records/s with a 2 s
	// window: the poll that finds records opens the window, the poll 2 s
	// later invokes with what came meanwhile, and the next window opens
	// at the poll after the 0.1 s invocation: 2.25 s cycles of 45
	// records. At 200 records/s the batch of 100 fills first, in half a
	// second, and the window never runs out.
	for _, c := range []struct {
		rate, records float64
	}{{20, 45}, {200, 100}} {
		cfg := DefaultStream()
		cfg.Duration = sim.Constant(0.1)
		cfg.BatchingWindow = 2 * time.Second
		h := streamHarness(t, cfg)
		writeAt(h, c.rate, 0, 90*time.Second)
		h.k.Run(sim.At(90 * time.Second))
		st := h.m.stream.st
		perBatch := float64(st.Processed) / float64(st.Invocations)
		t.Logf("%.0f records/s: %.1f records an invocation (%.0f)", c.rate, perBatch, c.records)
		assert.InDelta(t, c.records, perBatch, c.records*0.05)
	}
}

func TestStreamBurstBacklogAndIteratorAgeFollowTheQueue(t *testing.T) {
	// A deterministic fluid queue: arrivals λ = 300/s for T = 60 s into a
	// consumer serving μ = 100 / 0.5 s = 200/s. The backlog grows at
	// λ − μ to (λ − μ)T = 6,000 records and drains in D = (λ − μ)T / μ =
	// 30 s; the iterator age grows until the last record of the burst
	// is read, which waited D: the peak age is D = 30 s.
	h := streamHarness(t, fastStream())
	writeAt(h, 300, 0, 60*time.Second)
	var peak time.Duration
	var drained sim.Time = -1
	var backlogAtT int64
	var tick func()
	tick = func() {
		age, _ := h.m.stream.iteratorAge()
		peak = max(peak, age)
		if h.k.Now() == sim.At(60*time.Second) {
			backlogAtT = h.m.stream.backlog()
		}
		if h.k.Now() > sim.At(60*time.Second) && drained < 0 && h.m.stream.backlog() == 0 {
			drained = h.k.Now()
		}
		h.k.After(100*time.Millisecond, tick)
	}
	h.k.After(0, tick)
	h.k.Run(sim.At(200 * time.Second))
	// The fluid queue leaves out the first polls, whose batches were not
	// yet full (about a batch and a half here).
	t.Logf("backlog at T %d (6,000), drained at %.2f s (90), peak age %.2f s (30)", backlogAtT, drained.Seconds(), peak.Seconds())
	assert.InDelta(t, 6000, backlogAtT, 200, "backlog (λ − μ)T at the burst's end")
	require.True(t, drained > 0)
	assert.InDelta(t, 90, drained.Seconds(), 1, "drained at T + D")
	assert.InDelta(t, 30, peak.Seconds(), 1, "peak iterator age D")
	st := h.m.stream.st
	assert.InDelta(t, 18000, st.Records, 1)
	assert.Equal(t, st.Records, st.Processed)
	assert.Zero(t, st.Lost)
}

func TestStreamRecordsPastRetentionAreLost(t *testing.T) {
	// Fact 13.3 (with a retention of 60 s to keep the test short): λ =
	// 300/s against μ = 200/s for 600 s. The age reaches the retention at
	// R / (1 − μ/λ) = 180 s; from then on the consumer still reads μ a
	// second and the rest expires: lost = λT − μT − (what is within the
	// retention at the end, ≤ λR).
	cfg := fastStream()
	cfg.Retention = time.Minute
	h := streamHarness(t, cfg)
	writeAt(h, 300, 0, 600*time.Second)
	h.k.Run(sim.At(600 * time.Second))
	st := h.m.stream.st
	assert.Equal(t, st.Records, st.Processed+st.Lost+st.Discarded+h.m.stream.backlog(), "every record is processed, lost or waiting")
	assert.InDelta(t, 120000, st.Processed, 1200, "the consumer reads μ a second throughout")
	assert.InDelta(t, 180000-120000-18000, st.Lost, 1500)
	age, _ := h.m.stream.iteratorAge()
	assert.LessOrEqual(t, age, time.Minute+time.Second, "nothing older than the retention is left")
	assert.True(t, hasEvent(h, "expire unprocessed"))
}

func TestPoisonRecordStallsItsLaneUntilItExpires(t *testing.T) {
	// Fact 13.7: retries default to -1, until the record expires. A
	// poison record written at 10 s blocks its lane: the iterator age
	// grows a second per second to the retention (120 s here), when the
	// poison record expires and the lane drains what waited behind it.
	cfg := DefaultStream()
	cfg.Duration = sim.Constant(0.1)
	cfg.Retention = 2 * time.Minute
	cfg.Poison = []time.Duration{10 * time.Second}
	h := streamHarness(t, cfg)
	writeAt(h, 50, 0, 300*time.Second)
	var peak time.Duration
	var tick func()
	tick = func() {
		age, _ := h.m.stream.iteratorAge()
		peak = max(peak, age)
		h.k.After(250*time.Millisecond, tick)
	}
	h.k.After(0, tick)
	h.k.Run(sim.At(300 * time.Second))
	st := h.m.stream.st
	assert.InDelta(t, 120, peak.Seconds(), 1, "blocked until the poison record's retention ends")
	assert.LessOrEqual(t, st.Lost, int64(100), "only the stuck batch expires")
	assert.Greater(t, st.Lost, int64(0))
	// One retry a poll while blocked: 0.1 s run, then the next 250 ms poll.
	assert.InDelta(t, 120/0.25, st.Errors, 10)
	age, _ := h.m.stream.iteratorAge()
	assert.Less(t, age, time.Second, "drained after the poison record expired")
	assert.True(t, hasEvent(h, "poison record blocks"))
}

func TestPoisonBatchDiscardedAfterMaxRetries(t *testing.T) {
	// Fact 13.7: MaximumRetryAttempts 2: the batch is tried three times
	// and discarded. With bisection (fact 13.8) the halves that succeed
	// are processed and only the poison record is discarded.
	for _, bisect := range []bool{false, true} {
		cfg := DefaultStream()
		cfg.Duration = sim.Constant(0.1)
		cfg.MaxRetries = 2
		cfg.BisectOnError = bisect
		cfg.Poison = []time.Duration{10 * time.Second}
		h := streamHarness(t, cfg)
		for i := uint64(0); i < 100; i++ {
			h.m.stream.append(h.m.base.parts[0], mix(i))
		}
		h.k.At(sim.At(10*time.Second), func() {
			for i := uint64(0); i < 100; i++ {
				h.m.stream.append(h.m.base.parts[0], mix(1000+i))
			}
		})
		h.k.Run(sim.At(60 * time.Second))
		st := h.m.stream.st
		assert.Equal(t, int64(200), st.Records)
		if !bisect {
			assert.Equal(t, int64(3), st.Errors, "tried, then retried twice")
			assert.Equal(t, int64(100), st.Discarded, "the whole batch")
		} else {
			assert.Equal(t, int64(1), st.Discarded, "bisection isolates the poison record")
		}
		assert.Equal(t, st.Records, st.Processed+st.Discarded)
	}
}

func TestChildShardsReadAfterTheirParent(t *testing.T) {
	// Fact 13.2: a split closes the partition's shard and opens a child on
	// each half; the consumer reads a child only once it has read all of
	// the parent, so a backlog on the parent holds back the children.
	h := streamHarness(t, fastStream())
	for i := uint64(0); i < 2000; i++ { // 10 s of work at 200 records/s
		h.m.stream.append(h.m.base.parts[0], mix(i))
	}
	p := h.m.base.parts[0]
	parent := p.shard
	h.k.At(sim.At(time.Second), func() {
		q := h.m.base.split(p, p.lo+(p.hi-p.lo)/2+1)
		require.NotSame(t, parent, p.shard)
		require.Same(t, parent, q.shard.parent)
		for i := uint64(0); i < 200; i++ {
			h.m.stream.append(p, mix(5000+i))
			h.m.stream.append(q, mix(7000+i))
		}
	})
	childEarly := false
	var drainedAt sim.Time = -1
	var tick func()
	tick = func() {
		if !parent.drained() {
			for _, sh := range h.m.stream.shards {
				if sh.parent == parent && sh.lanes[0].head > 0 {
					childEarly = true
				}
			}
		} else if drainedAt < 0 {
			drainedAt = h.k.Now()
		}
		h.k.After(50*time.Millisecond, tick)
	}
	h.k.After(0, tick)
	h.k.Run(sim.At(30 * time.Second))
	assert.False(t, childEarly, "no child record read before the parent is drained")
	assert.InDelta(t, 10, drainedAt.Seconds(), 0.6, "2,000 records at 200 a second")
	st := h.m.stream.st
	assert.Equal(t, int64(2400), st.Processed, "children read after")
	assert.Len(t, h.m.stream.shards, 2, "the drained parent is forgotten")
}

func TestStreamMemoryBoundedUnderLongBacklog(t *testing.T) {
	// A consumer at half the write rate for two hours (200 writes/s
	// against 100 / 1 s, 1.44 million records, 30 min retention): its
	// lane holds about sliceDiv slices per e-fold of its backlog's age,
	// not a record per write, and everything but what it reads and the
	// last 30 minutes expires: λT − μT − λR = 1.44M − 0.72M − 0.36M.
	cfg := DefaultStream()
	cfg.Duration = sim.Constant(1)
	cfg.Retention = 30 * time.Minute
	h := streamHarness(t, cfg)
	writeAt(h, 200, 0, 2*time.Hour)
	most := 0
	var tick func()
	tick = func() {
		most = max(most, len(h.m.base.parts[0].shard.lanes[0].slices))
		h.k.After(time.Minute, tick)
	}
	h.k.After(0, tick)
	h.k.Run(sim.At(2 * time.Hour))
	bound := sliceDiv*math.Log(float64(30*time.Minute)/float64(minSlice)) + 2
	assert.Less(t, float64(most), bound)
	st := h.m.stream.st
	assert.Equal(t, st.Records, st.Processed+st.Lost+h.m.stream.backlog())
	assert.InDelta(t, 720000, st.Processed, 720000*0.01)
	assert.InDelta(t, 360000, st.Lost, 360000*0.02)
}

func hasEvent(h *harness, s string) bool {
	for _, e := range h.log.Events {
		if contains(e.Text, s) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
