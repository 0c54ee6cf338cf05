package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/sim"
)

// loadFixture samples a Load once a second, as the runner does.
func loadFixture(k *sim.Kernel, l *Load, until time.Duration) (util, queued []float64) {
	gs := l.Gauges()
	for s := time.Second; s <= until; s += time.Second {
		k.At(sim.At(s), func() {
			util = append(util, gs[0].Sample())
			queued = append(queued, gs[2].Sample())
		})
	}
	k.Run(sim.At(until))
	return util, queued
}

// hold asks for n of the station's servers at `from`, each kept for span
// once it is granted.
func hold(k *sim.Kernel, st *sim.Station, from, span time.Duration, n int) {
	k.At(sim.At(from), func() {
		for i := 0; i < n; i++ {
			st.Acquire(func(any) { k.After(span, st.Release) }, nil)
		}
	})
}

func TestLoadMeasuresUtilizationAndQueueOverEachSecond(t *testing.T) {
	k := sim.New(1)
	log := NewLog(k)
	h, st := NewHost("db-1", 0), sim.NewStation(k, 2)
	h.SetAccepting(true)
	l := NewLoad(log, "primary", func() (*Host, *sim.Station) { return h, st })
	// Both vCPUs busy from 1.5 s to 3.5 s, two more statements waiting
	// behind them until 3.5 s and running until 4.5 s.
	hold(k, st, 1500*time.Millisecond, 2*time.Second, 2)
	hold(k, st, 1500*time.Millisecond, time.Second, 2)
	util, queued := loadFixture(k, l, 6*time.Second)
	assert.InDeltaSlice(t, []float64{0, 0.5, 1, 1, 0.5, 0}, util, 1e-9, "a half-busy second, then all of the 2 vCPUs")
	assert.InDeltaSlice(t, []float64{0, 1, 2, 1, 0, 0}, queued, 1e-9, "the mean waiting over each second")
	assert.Empty(t, log.Saturations, "2 s at the limit is not an episode")
}

func TestLoadNamesSaturationEpisodes(t *testing.T) {
	k := sim.New(1)
	log := NewLog(k)
	h, st := NewHost("db-1", 0), sim.NewStation(k, 2)
	h.SetAccepting(true)
	h.MaxConns = 10
	l := NewLoad(log, "primary", func() (*Host, *sim.Station) { return h, st })
	hold(k, st, 10*time.Second, 5*time.Second, 2)         // CPU-bound from 0:10 to 0:15
	k.At(sim.At(30*time.Second), func() { h.conns = 10 }) // every connection taken from 0:30 to 0:40
	k.At(sim.At(40*time.Second), func() { h.conns = 3 })
	loadFixture(k, l, time.Minute)
	require.Len(t, log.Saturations, 2)
	cpu, conns := log.Saturations[0], log.Saturations[1]
	assert.Equal(t, sim.At(10*time.Second), cpu.Start)
	assert.Equal(t, sim.At(15*time.Second), cpu.End, "to the second: the last saturated second ends at 0:15")
	assert.Equal(t, 1.0, cpu.PeakUtilization)
	assert.Equal(t, 2, cpu.VCPUs)
	assert.Equal(t, sim.At(29*time.Second), conns.Start, "to the second: the first sample that saw it measured 0:29–0:30")
	assert.Equal(t, 10, conns.PeakConns)
	var texts []string
	for _, e := range log.Events {
		texts = append(texts, e.At.String()+" "+e.Text)
	}
	assert.Equal(t, []string{
		"0:13.000 db-1 (primary) saturated since 0:10.000: 100 % of 2 vCPUs, 0 of 10 connections",
		"0:16.000 db-1 (primary) no longer saturated (for 5s)",
		"0:32.000 db-1 (primary) saturated since 0:29.000: 0 % of 2 vCPUs, all 10 connections taken",
		"0:40.000 db-1 (primary) no longer saturated (for 10s)",
	}, texts)
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1712: "1,712", 262142: "262,142", 1234567: "1,234,567", -1712: "-1,712"} {
		assert.Equal(t, want, thousands(n))
	}
}
