package sim

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// draw returns n sorted samples of d from a fixed stream.
func draw(d Dist, n int) []float64 {
	r := NewStream(1, "dist-test")
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = d.Sample(r)
	}
	slices.Sort(xs)
	return xs
}

func TestDistMeans(t *testing.T) {
	lnP, err := LogNormalP50P99(0.010, 0.100)
	require.NoError(t, err)
	emp, err := Empirical([]float64{1, 2, 2, 7})
	require.NoError(t, err)
	for _, tc := range []struct {
		d    Dist
		mean float64
		str  string
	}{
		{Constant(2.5), 2.5, "constant(2.5)"},
		{Uniform(1, 3), 2, "uniform(1, 3)"},
		{Uniform(3, 1), 2, "uniform(1, 3)"},
		{Exponential(0.5), 0.5, "exponential(mean=0.5)"},
		{Normal(10, 1), 10, "normal(mean=10, stddev=1)"},
		{LogNormal(0, 0.5), math.Exp(0.125), "lognormal(mu=0, sigma=0.5)"},
		{lnP, 0.010 * math.Exp(math.Pow(math.Log(10)/2.3263478740408408, 2)/2), "lognormal(p50=0.01, p99=0.1)"},
		{Pareto(1, 3), 1.5, "pareto(xm=1, alpha=3)"},
		{emp, 3, "empirical(n=4, mean=3)"},
		{Scaled(Exponential(2), 0.25), 0.5, "0.25×exponential(mean=2)"},
	} {
		assert.Equal(t, tc.str, tc.d.String())
		assert.InEpsilon(t, tc.mean, tc.d.Mean(), 1e-9, "%v: Mean", tc.d)
		xs := draw(tc.d, 200_000)
		assert.InEpsilon(t, tc.mean, stat.Mean(xs, nil), 0.01, "%v: sample mean", tc.d)
		assert.GreaterOrEqual(t, xs[0], 0.0, "%v: samples are non-negative", tc.d)
	}
}

func TestDistShapes(t *testing.T) {
	// Exponential: P(X > mean) = 1/e.
	xs := draw(Exponential(2), 200_000)
	assert.InDelta(t, math.Exp(-1), 1-stat.CDF(2, stat.Empirical, xs, nil), 0.005)

	// Uniform stays in [min, max).
	xs = draw(Uniform(1, 3), 10_000)
	assert.GreaterOrEqual(t, xs[0], 1.0)
	assert.Less(t, xs[len(xs)-1], 3.0)

	// LogNormalP50P99 hits its two percentiles.
	d, err := LogNormalP50P99(0.005, 0.050)
	require.NoError(t, err)
	xs = draw(d, 400_000)
	assert.InEpsilon(t, 0.005, stat.Quantile(0.5, stat.Empirical, xs, nil), 0.01)
	assert.InEpsilon(t, 0.050, stat.Quantile(0.99, stat.Empirical, xs, nil), 0.02)

	// Pareto: minimum xm and P(X > x) = (xm/x)^alpha.
	xs = draw(Pareto(2, 1.5), 200_000)
	assert.GreaterOrEqual(t, xs[0], 2.0)
	assert.InDelta(t, math.Pow(2.0/10, 1.5), 1-stat.CDF(10, stat.Empirical, xs, nil), 0.003)
	assert.True(t, math.IsInf(Pareto(1, 1).Mean(), 1))
	assert.True(t, math.IsInf(Pareto(1, 0.5).Mean(), 1))

	// Normal is clamped at 0.
	xs = draw(Normal(0, 1), 10_000)
	assert.Equal(t, 0.0, xs[0])
	assert.InDelta(t, 0.5, stat.CDF(0, stat.Empirical, xs, nil), 0.02)

	// Empirical draws the given values in proportion.
	emp, err := Empirical([]float64{1, 2, 2, 7})
	require.NoError(t, err)
	counts := map[float64]int{}
	for _, x := range draw(emp, 100_000) {
		counts[x]++
	}
	assert.Len(t, counts, 3)
	assert.InDelta(t, 0.25, float64(counts[1])/100_000, 0.01)
	assert.InDelta(t, 0.50, float64(counts[2])/100_000, 0.01)
	assert.InDelta(t, 0.25, float64(counts[7])/100_000, 0.01)
}

func TestDistErrors(t *testing.T) {
	for _, tc := range [][2]float64{{0, 1}, {-1, 1}, {1, 1}, {2, 1}, {math.NaN(), 1}, {1, math.Inf(1)}} {
		_, err := LogNormalP50P99(tc[0], tc[1])
		assert.Error(t, err, "p50=%g p99=%g", tc[0], tc[1])
	}
	_, err := Empirical(nil)
	assert.EqualError(t, err, "empirical: no samples")
	_, err = Empirical([]float64{1, -2})
	assert.EqualError(t, err, "empirical: sample 1 is -2, want a finite value >= 0")
	_, err = Empirical([]float64{math.NaN()})
	assert.Error(t, err)

	in := []float64{1, 2}
	d, err := Empirical(in)
	require.NoError(t, err)
	in[0] = 100
	assert.Equal(t, 1.5, d.Mean(), "Empirical copies its input")
}

func TestDistDegenerateParameters(t *testing.T) {
	r := NewStream(1, "x")
	assert.Equal(t, 0.0, Constant(-1).Sample(r))
	assert.Equal(t, 0.0, Exponential(-1).Sample(r))
	assert.Equal(t, 0.0, Scaled(Constant(1), -2).Sample(r))
	assert.GreaterOrEqual(t, Uniform(-2, -1).Sample(r), 0.0)
}

func TestDistSampleDoesNotAllocate(t *testing.T) {
	lnP, _ := LogNormalP50P99(1, 2)
	emp, _ := Empirical([]float64{1, 2})
	z, _ := NewZipf(1000, 0.99)
	r := NewStream(1, "x")
	for _, d := range []Dist{Constant(1), Uniform(0, 1), Exponential(1), Normal(1, 1), LogNormal(0, 1), lnP, Pareto(1, 2), emp, Scaled(Exponential(1), 2)} {
		assert.Zero(t, testing.AllocsPerRun(100, func() { d.Sample(r) }), "%v", d)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { z.Sample(r) }), "zipf")
}

// zipfProbs is the exact Zipf distribution: P(rank k) = (k+1)^-s / H(n, s).
func zipfProbs(n int, s float64) []float64 {
	p := make([]float64, n)
	var h float64
	for k := range p {
		p[k] = math.Pow(float64(k+1), -s)
		h += p[k]
	}
	for k := range p {
		p[k] /= h
	}
	return p
}

// TestZipfMatchesExactProbabilities draws from small Zipf distributions and
// compares the frequencies with the exact probabilities: a chi-square test at
// the 0.1% level, and a bound on the largest absolute error.
func TestZipfMatchesExactProbabilities(t *testing.T) {
	const draws = 300_000
	for _, n := range []int{1, 2, 10, 50} {
		for _, s := range []float64{0.5, 1.0, 1.2, 2.5} {
			z, err := NewZipf(uint64(n), s)
			require.NoError(t, err)
			r := NewStream(uint64(n), "zipf")
			counts := make([]float64, n)
			for i := 0; i < draws; i++ {
				k := z.Sample(r)
				if k >= uint64(n) {
					t.Fatalf("n=%d s=%g: rank %d out of range", n, s, k)
				}
				counts[k]++
			}
			p := zipfProbs(n, s)
			var chi2, maxErr float64
			for k := range p {
				e := p[k] * draws
				chi2 += (counts[k] - e) * (counts[k] - e) / e
				maxErr = max(maxErr, math.Abs(counts[k]/draws-p[k]))
			}
			assert.Less(t, maxErr, 0.004, "n=%d s=%g: frequencies %v, want %v", n, s, counts, p)
			if n > 1 {
				crit := distuv.ChiSquared{K: float64(n - 1)}.Quantile(0.999)
				assert.Less(t, chi2, crit, "n=%d s=%g: chi-square %.1f above the 0.1%% critical value %.1f", n, s, chi2, crit)
			}
		}
	}
}

func TestZipfLargeN(t *testing.T) {
	// With a billion keys and s = 0.99 the head still dominates: rank 0 has
	// probability 1/H(1e9, 0.99) ≈ 0.0415.
	z, err := NewZipf(1_000_000_000, 0.99)
	require.NoError(t, err)
	r := NewStream(1, "zipf")
	var zeros int
	for i := 0; i < 200_000; i++ {
		k := z.Sample(r)
		if k >= 1_000_000_000 {
			t.Fatalf("rank %d out of range", k)
		}
		if k == 0 {
			zeros++
		}
	}
	var h float64 // H(1e9, 0.99) by Euler–Maclaurin: Σ_{k<=m} + ∫_m^n + corrections
	const m = 1000
	for k := 1; k <= m; k++ {
		h += math.Pow(float64(k), -0.99)
	}
	h += (math.Pow(1e9, 0.01) - math.Pow(m, 0.01)) / 0.01
	h += (math.Pow(1e9, -0.99) - math.Pow(m, -0.99)) / 2
	assert.InDelta(t, 1/h, float64(zeros)/200_000, 0.002)
}

func TestZipfErrors(t *testing.T) {
	for _, tc := range []struct {
		n uint64
		s float64
	}{{0, 1}, {10, 0}, {10, -1}, {10, math.NaN()}, {10, math.Inf(1)}} {
		_, err := NewZipf(tc.n, tc.s)
		assert.Error(t, err, "n=%d s=%g", tc.n, tc.s)
	}
	z, err := NewZipf(10, 1)
	require.NoError(t, err)
	assert.Equal(t, "zipf(n=10, s=1)", z.String())
	assert.Equal(t, uint64(10), z.N())
	assert.Equal(t, 1.0, z.Exponent())
}

// TestZipfTableMatchesSlow checks that the table draws exactly what the
// published algorithm draws from the same stream (so scenarios keep their
// keys), over table sizes from one rank to zipfTableRanks with a tail
// beyond, and that the rank the table gives next to every boundary it
// holds is the plain computation's.
func TestZipfTableMatchesSlow(t *testing.T) {
	for _, tc := range []struct {
		n uint64
		s float64
	}{{1, 1}, {2, 0.5}, {10, 2.5}, {1000, 0.99}, {10_000, 1.2}, {4096, 1}, {1_000_000, 1.1}, {1_000_000_000, 0.99}, {100, 1 + 1e-10}} {
		z, err := NewZipf(tc.n, tc.s)
		require.NoError(t, err)
		fast, slow := NewStream(7, "zipf"), NewStream(7, "zipf")
		for i := 0; i < 200_000; i++ {
			a, b := z.Sample(fast), z.sampleSlow(slow)
			if a != b {
				t.Fatalf("n=%d s=%g: draw %d is %d, the published algorithm's %d", tc.n, tc.s, i, a, b)
			}
		}
		tab := &z.tab
		rankOf := func(u float64) uint64 { return z.rankAt(z.hIntegralInverse(u)) }
		rankAt := func(u float64) uint64 {
			if _, k, ok := tab.rank(u, tab.cell(u)); ok {
				return k
			}
			return rankOf(u)
		}
		for i, e := range tab.ranks {
			k := float64(i + 1)
			for _, edge := range []float64{z.hIntegral(k + 0.5), e.sure, e.above} {
				if math.IsInf(edge, 1) {
					continue
				}
				u := edge
				for range 40 {
					u = math.Nextafter(u, math.Inf(-1))
				}
				for range 80 {
					if u > z.hX1 && u <= z.hN {
						require.Equal(t, rankOf(u), rankAt(u), "n=%d s=%g: rank at u=%v next to rank %d's boundary", tc.n, tc.s, u, i+1)
					}
					u = math.Nextafter(u, math.Inf(1))
				}
			}
		}
		// A cell marked whole is of one rank, accepted, up to its edges.
		whole := 0
		for c, g := range tab.guide {
			if g&zipfWhole == 0 {
				continue
			}
			whole++
			k := uint64(g&^zipfWhole) + 1
			for _, edge := range []float64{tab.lo + float64(c)/tab.invW, tab.lo + float64(c+1)/tab.invW} {
				u := edge
				for range 8 {
					u = math.Nextafter(u, math.Inf(-1))
				}
				for range 16 {
					if tab.cell(u) == c && u > z.hX1 && u <= z.hN {
						got, ok := z.accept(u)
						require.True(t, ok && got == k, "n=%d s=%g: u=%v in whole cell %d of rank %d: the algorithm gives rank %d, accepted %v", tc.n, tc.s, u, c, k, got, ok)
					}
					u = math.Nextafter(u, math.Inf(1))
				}
			}
		}
		t.Logf("n=%d s=%g: %d of %d cells whole", tc.n, tc.s, whole, len(tab.guide))
	}
}
