package dynamodb

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/sim"
)

// A key mass spreads over the partitions whole: each listed key on the
// partition that owns it, the rest in proportion to the hash ranges.
func TestKeyMassSpread(t *testing.T) {
	cfg := Defaults()
	cfg.Table = Capacity{RCU: 3000, WCU: 7000} // 8 partitions (fact 5.3)
	h := newHarness(t, 1, cfg, noRetries())
	m := h.m
	km := &KeyMass{Keys: []KeyShare{{Key: 7, Share: 0.3}, {Key: 8, Share: 0.1}}, Rest: 0.6}
	km.spread(m.base)
	require.Len(t, km.mass, 8)
	total := 0.0
	for _, v := range km.mass {
		total += v
	}
	assert.InDelta(t, 1, total, 1e-12)
	p7 := m.PartitionOf(7)
	assert.GreaterOrEqual(t, km.mass[p7], 0.3+0.6/8-1e-9, "key 7's share on its partition")
	assert.Equal(t, uint64(7), km.top[p7].Key)
}

// One step of a partition's fluid: demand within its allocation passes
// whole; demand above its hard limit (1,000 WCU/s, fact 5.1) is admitted
// at the limit, the rest throttled, and the burst credit (fact 5.11) is
// what lets a partition run above its allocation for a while.
func TestStepAdmitsWhatTheBucketsGive(t *testing.T) {
	cfg := Defaults()
	cfg.Table = Capacity{RCU: 100, WCU: 500} // one partition: 500 WCU/s, 150,000 units of burst
	cfg.Adaptive.Enabled, cfg.Heat.Enabled = false, false
	h := newHarness(t, 1, cfg, noRetries())
	m := h.m
	km := &KeyMass{Rest: 1}
	flow := []Flow{{Keys: km, Op: Op{Kind: PutItem}, Size: KB}}
	step := func(at time.Duration, requests float64) Flow {
		h.k.Run(sim.At(at))
		flow[0].Requests = requests
		m.Step(sim.At(at), sim.At(at+time.Second), flow)
		return flow[0]
	}
	f := step(time.Second, 400)
	assert.InDelta(t, 400, f.Admitted, 1e-9)
	f = step(2*time.Second, 1500) // above the hard limit
	assert.InDelta(t, 1000, f.Admitted, 1e-6)
	assert.InDelta(t, 500, f.Throttled, 1e-6)
	// 900/s on 500/s of allocation: the bucket's initial second of
	// tokens and the 100 unused in the first step are spent in 2 s.
	var admitted float64
	for s := 3; s < 10; s++ {
		admitted += step(time.Duration(s)*time.Second, 900).Admitted
	}
	assert.Less(t, admitted, 7*900.0, "the burst credit runs out")
	assert.GreaterOrEqual(t, admitted, 7*500.0-1e-6, "never below the allocation")
}

// TestPoissonFill checks E[min(N, c)] for N Poisson against a direct sum
// over the distribution, on both sides of the exact/normal switch.
func TestPoissonFill(t *testing.T) {
	direct := func(lambda, c float64) float64 {
		pk, sum := math.Exp(-lambda), 0.0
		for k := 0; k < int(lambda+20*math.Sqrt(lambda)+50); k++ {
			sum += min(float64(k), c) * pk
			pk *= lambda / float64(k+1)
		}
		return sum
	}
	for _, tc := range []struct{ lambda, c float64 }{{5, 3}, {5, 5}, {62.5, 62.5}, {62.5, 70.2}, {150, 140}, {250, 250}, {400, 380}, {600, 650}, {5, 100}} {
		got, want := poissonFill(tc.lambda, tc.c), direct(tc.lambda, tc.c)
		assert.InDelta(t, want, got, 0.002*tc.lambda, "λ %v, c %v", tc.lambda, tc.c)
	}
	assert.Zero(t, poissonFill(10, 0))
}
