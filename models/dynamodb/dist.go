package dynamodb

import (
	"fmt"
	"math"
	"math/rand/v2"

	"dbsim/sim"
)

// lnBins is the number of equal-probability bins of a LogNormal's
// quantile table.
const lnBins = 1024

// z99 is the standard normal's 99th percentile.
const z99 = 2.3263478740408408

// LogNormal is the log-normal distribution with the given median and 99th
// percentile (seconds), as sim.LogNormalP50P99, sampled by inverting its
// CDF: linear interpolation in a table of lnBins+1 quantiles, exact in
// the bottom and top bins (below the 0.1st and above the 99.9th
// percentiles), so the tails are the distribution's own. It costs a uniform draw and a table lookup instead
// of a normal draw and an exp, which matters at three samples a request.
type LogNormal struct {
	mu, sigma float64
	q         *[lnBins + 1]float64
}

// NewLogNormal returns the log-normal distribution with median p50 and
// 99th percentile p99 (0 < p50 ≤ p99).
func NewLogNormal(p50, p99 float64) (LogNormal, error) {
	if !(p50 > 0) || !(p99 >= p50) || math.IsInf(p99, 1) {
		return LogNormal{}, fmt.Errorf("lognormal: need 0 < p50 ≤ p99, got %g, %g", p50, p99)
	}
	d := LogNormal{mu: math.Log(p50), sigma: math.Log(p99/p50) / z99, q: new([lnBins + 1]float64)}
	for i := 1; i < lnBins; i++ {
		d.q[i] = d.quantile(float64(i) / lnBins)
	}
	return d, nil
}

func mustLogNormal(p50, p99 float64) LogNormal {
	d, err := NewLogNormal(p50, p99)
	if err != nil {
		panic(err)
	}
	return d
}

// quantile is the exact inverse CDF at u in (0, 1).
func (d LogNormal) quantile(u float64) float64 {
	return math.Exp(d.mu + d.sigma*math.Sqrt2*math.Erfinv(2*u-1))
}

// Sample draws a value in seconds.
func (d LogNormal) Sample(r *rand.Rand) float64 {
	x := r.Float64() * lnBins
	i := int(x)
	if i == 0 || i >= lnBins-1 {
		// The bottom and top bins: exact.
		u := x / lnBins
		if u <= 0 || u >= 1 {
			u = 0.5 / lnBins
		}
		return d.quantile(u)
	}
	f := x - float64(i)
	return d.q[i] + f*(d.q[i+1]-d.q[i])
}

// Mean is exp(μ + σ²/2).
func (d LogNormal) Mean() float64 { return math.Exp(d.mu + d.sigma*d.sigma/2) }

func (d LogNormal) String() string {
	return fmt.Sprintf("lognormal(p50=%g, p99=%g)", math.Exp(d.mu), math.Exp(d.mu+z99*d.sigma))
}

var _ sim.Dist = LogNormal{}
