package sim

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// MeanCI95 returns the mean of xs, one value per independent replication,
// and the two-sided Student-t 95% confidence interval of that mean:
// mean ± t(0.975; n−1)·s/√n, with s the sample standard deviation. With one
// value the interval is that value; with none everything is NaN.
func MeanCI95(xs []float64) (mean, lo, hi float64) {
	switch len(xs) {
	case 0:
		return math.NaN(), math.NaN(), math.NaN()
	case 1:
		return xs[0], xs[0], xs[0]
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	n := float64(len(xs))
	h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975) * sd / math.Sqrt(n)
	return mean, mean - h, mean + h
}
