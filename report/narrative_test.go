package report

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/sim"
)

// TestLagEpisodes checks the narrative's replica-lag lines against a lag
// column written by hand: an episode starts at the first sample of a
// second or more, a bucket without a sample neither starts nor ends one,
// it ends at the first sample under a second with its peak, and one still
// open when the samples stop or the run ends says so.
func TestLagEpisodes(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		lag  []float64 // ms, one per 5 s bucket
		want []string
	}{
		{"keeps up", []float64{3, 900, nan, 20}, nil},
		{"falls behind and catches up", []float64{5, 1800, nan, 20000, 19000, 300, 4}, []string{
			"0:05.0 replica-1 fell behind its writer: replica lag 1.8 s",
			"0:25.0 replica-1 caught up (lag under 1.0 s); it had been 20.0 s behind at 0:15.0",
		}},
		{"behind at the end", []float64{5, 4000, 9000, 7000}, []string{
			"0:05.0 replica-1 fell behind its writer: replica lag 4.0 s",
			"0:15.0 replica-1 still 7.0 s behind as the run ends (peak 9.0 s at 0:10.0)",
		}},
		{"stops replicating behind", []float64{5, 2500, 300000, nan, nan}, []string{
			"0:05.0 replica-1 fell behind its writer: replica lag 2.5 s",
			"0:10.0 replica-1's lag, last reported: 300.0 s",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sim.NewSeries(5 * time.Second)
			id := metric.OfInstance(metric.Lag, "replica-1")
			col := s.ColumnFill(id.Column(), nan)
			for i, v := range tc.lag {
				if !math.IsNaN(v) {
					s.Set(sim.At(time.Duration(i)*5*time.Second), col, v)
				}
			}
			s.Extend(sim.At(time.Duration(len(tc.lag)-1) * 5 * time.Second))
			var got []string
			for _, e := range lagEpisodes(&scenarios.Replication{Series: s, Gauges: []metric.ID{id}}) {
				got = append(got, narrativeClock(e.At)+" "+e.Text)
			}
			assert.Equal(t, tc.want, got)
		})
	}
	// In the narrative, an episode sorts among the model's events by time.
	rep := &scenarios.Replication{Series: sim.NewSeries(5 * time.Second), Gauges: []metric.ID{metric.OfInstance(metric.Lag, "replica-1")},
		Events: []cluster.Event{{At: sim.At(3 * time.Second), Text: "a"}, {At: sim.At(12 * time.Second), Text: "b"}}}
	col := rep.Series.ColumnFill("lag_ms:replica-1", nan)
	rep.Series.Set(sim.At(10*time.Second), col, 5000)
	var got []string
	for _, e := range Narrative(&scenarios.Result{Replications: []*scenarios.Replication{rep}}) {
		got = append(got, e.At+" "+e.Text)
	}
	assert.Equal(t, []string{"0:03.0 a", "0:10.0 replica-1 fell behind its writer: replica lag 5.0 s",
		"0:10.0 replica-1 still 5.0 s behind as the run ends", "0:12.0 b"}, got)
}
