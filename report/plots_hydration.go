package report

import (
	"math"

	"dbsim/models/cluster"
	"dbsim/models/metric"
)

// hydrationFigure plots the share of each instance's volume that is local
// (metric.Hydrated), in %: 100 % until a restore puts the instance on a
// volume that loads from S3 block by block, then its climb back as the
// requests touch blocks and the background loader walks the volume. Only
// drawn when some volume was not fully loaded.
func hydrationFigure(name string, d *seriesData, ids []metric.ID, marks *annotations) *Figure {
	f := newFigure("hydration", name+": restored volume loaded from S3", "volume loaded (%)", marks)
	for i, id := range ids {
		ys := d.gauge(id)
		pct := make([]float64, len(ys))
		for b, y := range ys {
			pct[b] = 100 * y
		}
		f.addLine(d, pct, id.Subject()+" volume loaded", lineStyle(i, 1.2))
	}
	f.p.Y.Min, f.p.Y.Max = 0, 102
	f.p.Y.Tick.Marker = percentTicks{}
	f.showMarks(cluster.Hydrated)
	return f
}

// minFinite is the smallest finite value of ys, +Inf when none is.
func minFinite(ys []float64) float64 {
	lo := math.Inf(1)
	for _, y := range ys {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			lo = math.Min(lo, y)
		}
	}
	return lo
}
