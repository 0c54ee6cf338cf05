package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/metric"
)

func TestHydrationFigure(t *testing.T) {
	// A primary whose volume is restored at 20 s and loads over 40 s.
	res := testResult()
	rep := res.Replications[0]
	ser := rep.Series
	id := metric.OfInstance(metric.Hydrated, "primary")
	col := ser.Column(id.Column())
	for b := range 60 {
		v := 1.0
		if b >= 20 {
			v = min(1, float64(b-20)/40)
		}
		ser.Set(sec(float64(b)), col, v)
	}
	rep.Gauges = append(rep.Gauges, id)
	f := figureNamed(Plots(res), "hydration")
	require.NotNil(t, f, "a restored volume that loads has a hydration figure")
	assert.Contains(t, svgOf(t, f), ">primary volume loaded<")

	// A volume always loaded: no figure.
	res = testResult()
	rep = res.Replications[0]
	col = rep.Series.Column(id.Column())
	for b := range len(rep.Series.Values(col)) {
		rep.Series.Set(sec(float64(b)), col, 1)
	}
	rep.Gauges = append(rep.Gauges, id)
	assert.Nil(t, figureNamed(Plots(res), "hydration"), "nothing to show without a restore")
}
