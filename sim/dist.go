package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// Dist is a distribution of non-negative float64 values (seconds when it
// describes a span; use Seconds(d.Sample(r)) to get a time.Duration).
//
// Sample draws from the random source it is given, never from a global one,
// and does not allocate. Mean is the distribution's nominal mean (it may be
// +Inf). String describes the distribution and its parameters.
//
// The constructors that return no error do not validate their parameters
// (the scenario loader does); degenerate parameters give degenerate but
// non-negative samples, as each constructor documents.
type Dist interface {
	Sample(r *rand.Rand) float64
	Mean() float64
	String() string
}

// Constant returns the distribution that always yields v (0 if v < 0).
func Constant(v float64) Dist { return constantDist{v: math.Max(v, 0)} }

type constantDist struct{ v float64 }

func (d constantDist) Sample(*rand.Rand) float64 { return d.v }
func (d constantDist) Mean() float64             { return d.v }
func (d constantDist) String() string            { return fmt.Sprintf("constant(%g)", d.v) }

// Uniform returns the continuous uniform distribution on [min, max). The
// bounds are swapped if min > max and clamped at 0.
func Uniform(min, max float64) Dist {
	if min > max {
		min, max = max, min
	}
	min, max = math.Max(min, 0), math.Max(max, 0)
	return uniformDist{lo: min, width: max - min}
}

type uniformDist struct{ lo, width float64 }

func (d uniformDist) Sample(r *rand.Rand) float64 { return d.lo + d.width*r.Float64() }
func (d uniformDist) Mean() float64               { return d.lo + d.width/2 }
func (d uniformDist) String() string {
	return fmt.Sprintf("uniform(%g, %g)", d.lo, d.lo+d.width)
}

// Exponential returns the exponential distribution with the given mean
// (rate 1/mean). A mean <= 0 always yields 0.
func Exponential(mean float64) Dist { return expDist{mean: math.Max(mean, 0)} }

type expDist struct{ mean float64 }

func (d expDist) Sample(r *rand.Rand) float64 { return d.mean * r.ExpFloat64() }
func (d expDist) Mean() float64               { return d.mean }
func (d expDist) String() string              { return fmt.Sprintf("exponential(mean=%g)", d.mean) }

// Normal returns the normal distribution with the given mean and standard
// deviation, with samples clamped at 0. Mean reports the nominal mean, which
// is the true mean only when the mass below 0 is negligible (stddev well
// below mean).
func Normal(mean, stddev float64) Dist { return normalDist{mean: mean, sd: math.Abs(stddev)} }

type normalDist struct{ mean, sd float64 }

func (d normalDist) Sample(r *rand.Rand) float64 {
	return math.Max(d.mean+d.sd*r.NormFloat64(), 0)
}
func (d normalDist) Mean() float64 { return d.mean }
func (d normalDist) String() string {
	return fmt.Sprintf("normal(mean=%g, stddev=%g)", d.mean, d.sd)
}

// LogNormal returns the log-normal distribution exp(N(mu, sigma²)): its
// median is exp(mu) and its mean exp(mu + sigma²/2).
func LogNormal(mu, sigma float64) Dist { return newLogNormal(mu, math.Abs(sigma), 0, 0) }

// lnBins is the number of equal-probability bins of a log-normal's
// quantile table.
const lnBins = 1024

// logNormalDist is sampled by inverting its CDF: linear interpolation in a
// table of lnBins+1 quantiles, exact in the bottom and top bins (below the
// 0.1st and above the 99.9th percentiles), so the tails are the
// distribution's own. A uniform draw and a table lookup cost less than a
// normal draw and an exp, which matters at several samples a request. Its
// methods take a pointer: through the Dist interface a value receiver
// would copy the 48-byte struct at every sample.
type logNormalDist struct {
	mu, sigma float64
	p50, p99  float64 // set by LogNormalP50P99, only to describe it
	q         *[lnBins + 1]float64
}

func newLogNormal(mu, sigma, p50, p99 float64) *logNormalDist {
	d := &logNormalDist{mu: mu, sigma: sigma, p50: p50, p99: p99, q: new([lnBins + 1]float64)}
	for i := 1; i < lnBins; i++ {
		d.q[i] = d.quantile(float64(i) / lnBins)
	}
	return d
}

// quantile is the exact inverse CDF at u in (0, 1).
func (d *logNormalDist) quantile(u float64) float64 {
	return math.Exp(d.mu + d.sigma*math.Sqrt2*math.Erfinv(2*u-1))
}

func (d *logNormalDist) Sample(r *rand.Rand) float64 {
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
func (d *logNormalDist) Mean() float64 { return math.Exp(d.mu + d.sigma*d.sigma/2) }
func (d *logNormalDist) String() string {
	if d.p50 > 0 {
		return fmt.Sprintf("lognormal(p50=%g, p99=%g)", d.p50, d.p99)
	}
	return fmt.Sprintf("lognormal(mu=%g, sigma=%g)", d.mu, d.sigma)
}

// z99 is the 0.99 quantile of the standard normal distribution (≈ 2.3263).
var z99 = distuv.UnitNormal.Quantile(0.99)

// LogNormalP50P99 returns the log-normal distribution whose median is p50
// and whose 99th percentile is p99: mu = ln p50 and
// sigma = ln(p99/p50) / z, where z ≈ 2.3263 is the standard normal 0.99
// quantile. This is the natural way to describe a latency from the two
// figures people usually know about it. It fails unless 0 < p50 < p99.
func LogNormalP50P99(p50, p99 float64) (Dist, error) {
	if !(p50 > 0) || math.IsInf(p50, 0) {
		return nil, fmt.Errorf("lognormal: p50 must be positive and finite, got %g", p50)
	}
	if !(p99 > p50) || math.IsInf(p99, 0) {
		return nil, fmt.Errorf("lognormal: p99 (%g) must be finite and greater than p50 (%g)", p99, p50)
	}
	return newLogNormal(math.Log(p50), math.Log(p99/p50)/z99, p50, p99), nil
}

// Pareto returns the Pareto (type I) distribution with scale xm (the
// minimum value) and shape alpha: P(X > x) = (xm/x)^alpha for x >= xm. Its
// mean is alpha·xm/(alpha-1), or +Inf when alpha <= 1. Samples are drawn as
// xm·exp(E/alpha) with E standard exponential. A negative xm is taken as 0;
// alpha must be positive (the caller validates it).
func Pareto(xm, alpha float64) Dist { return paretoDist{xm: math.Max(xm, 0), alpha: alpha} }

type paretoDist struct{ xm, alpha float64 }

func (d paretoDist) Sample(r *rand.Rand) float64 {
	return d.xm * math.Exp(r.ExpFloat64()/d.alpha)
}
func (d paretoDist) Mean() float64 {
	if d.alpha <= 1 {
		return math.Inf(1)
	}
	return d.alpha * d.xm / (d.alpha - 1)
}
func (d paretoDist) String() string {
	return fmt.Sprintf("pareto(xm=%g, alpha=%g)", d.xm, d.alpha)
}

// Empirical returns the empirical distribution of samples: each Sample
// returns one of the given values, chosen uniformly at random (so repeated
// values are proportionally more likely). The slice is copied. It fails if
// samples is empty or holds a negative, NaN or infinite value.
func Empirical(samples []float64) (Dist, error) {
	if len(samples) == 0 {
		return nil, errors.New("empirical: no samples")
	}
	var sum float64
	for i, v := range samples {
		if !(v >= 0) || math.IsInf(v, 1) {
			return nil, fmt.Errorf("empirical: sample %d is %g, want a finite value >= 0", i, v)
		}
		sum += v
	}
	return empiricalDist{v: append([]float64(nil), samples...), mean: sum / float64(len(samples))}, nil
}

type empiricalDist struct {
	v    []float64
	mean float64
}

func (d empiricalDist) Sample(r *rand.Rand) float64 { return d.v[r.IntN(len(d.v))] }
func (d empiricalDist) Mean() float64               { return d.mean }
func (d empiricalDist) String() string {
	return fmt.Sprintf("empirical(n=%d, mean=%g)", len(d.v), d.mean)
}

// Scaled returns d with every sample multiplied by factor (clamped at 0),
// e.g. a service time slowed down by a degraded disk.
func Scaled(d Dist, factor float64) Dist { return scaledDist{d: d, f: math.Max(factor, 0)} }

type scaledDist struct {
	d Dist
	f float64
}

func (d scaledDist) Sample(r *rand.Rand) float64 { return d.f * d.d.Sample(r) }
func (d scaledDist) Mean() float64               { return d.f * d.d.Mean() }
func (d scaledDist) String() string              { return fmt.Sprintf("%g×%v", d.f, d.d) }

// Zipf samples ranks in [0, n) with P(rank = k) ∝ 1/(k+1)^s: rank 0 is the
// most popular key. Unlike math/rand's Zipf it accepts any exponent s > 0,
// including the common s <= 1. It uses rejection-inversion (W. Hörmann and
// G. Derflinger, "Rejection-inversion to generate variates from monotone
// discrete distributions", ACM TOMACS 6(3), 1996), following Apache Commons
// RNG's RejectionInversionZipfSampler: O(1) expected time per sample, no
// allocation.
//
// Sample draws exactly what the plain algorithm (sampleSlow) draws from
// the same stream, but looks the first zipfTableRanks ranks up in a table
// (zipfTable) instead of evaluating exp and log per draw.
type Zipf struct {
	n        uint64
	exponent float64
	hX1      float64 // hIntegral(1.5) - 1
	hN       float64 // hIntegral(n + 0.5)
	sq       float64 // acceptance shortcut: 2 - hIntegralInverse(hIntegral(2.5) - h(2))
	tab      zipfTable
}

// NewZipf returns a sampler of n ranks with exponent s. It fails unless
// n >= 1 and s is positive and finite.
func NewZipf(n uint64, s float64) (*Zipf, error) {
	if n == 0 {
		return nil, errors.New("zipf: need at least one key")
	}
	if !(s > 0) || math.IsInf(s, 1) {
		return nil, fmt.Errorf("zipf: exponent must be positive and finite, got %g", s)
	}
	z := &Zipf{n: n, exponent: s}
	z.hX1 = z.hIntegral(1.5) - 1
	z.hN = z.hIntegral(float64(n) + 0.5)
	z.sq = 2 - z.hIntegralInverse(z.hIntegral(2.5)-z.h(2))
	z.tab = newZipfTable(z)
	return z, nil
}

// N is the number of ranks.
func (z *Zipf) N() uint64 { return z.n }

// Exponent is the exponent s.
func (z *Zipf) Exponent() float64 { return z.exponent }

// String describes the sampler.
func (z *Zipf) String() string { return fmt.Sprintf("zipf(n=%d, s=%g)", z.n, z.exponent) }

// Sample returns a rank in [0, n); rank 0 is the most popular.
func (z *Zipf) Sample(r *rand.Rand) uint64 {
	for {
		u := z.draw(r)
		c := z.tab.cell(u)
		if g := z.tab.guide[c]; g&zipfWhole != 0 {
			return uint64(g &^ zipfWhole) // a cell wholly of one rank, accepted
		}
		e, k, ok := z.tab.rank(u, c)
		if !ok {
			// Beyond the table, or too close to a boundary.
			if k, ok := z.accept(u); ok {
				return k - 1
			}
			continue
		}
		// accept's two tests in the other order: the exact bound first
		// (the table's, the same float64 computation), and only when it
		// fails, a few draws in a hundred, x for the squeeze.
		if u >= e.accept || float64(k)-z.hIntegralInverse(u) <= z.sq {
			return k - 1
		}
	}
}

// sampleSlow is Sample without the table: the algorithm as published,
// which Sample matches draw for draw (TestZipfTableMatchesSlow).
func (z *Zipf) sampleSlow(r *rand.Rand) uint64 {
	for {
		if k, ok := z.accept(z.draw(r)); ok {
			return k - 1
		}
	}
}

// accept is one step of the algorithm: the 1-based rank k of draw u, and
// whether k is accepted, with probability h(k)-normalised. The first test
// is a cheap squeeze that accepts most draws (about 98 %) without
// evaluating h.
func (z *Zipf) accept(u float64) (uint64, bool) {
	x := z.hIntegralInverse(u)
	k := z.rankAt(x)
	return k, float64(k)-x <= z.sq || u >= z.hIntegral(float64(k)+0.5)-z.h(float64(k))
}

// draw is one uniform draw u in (hX1, hN]: the inverse of the integral of
// the hat function h maps it onto [0.5, n+0.5].
func (z *Zipf) draw(r *rand.Rand) float64 { return z.hN + r.Float64()*(z.hX1-z.hN) }

// rankAt is the 1-based rank k of x, the hat's inverse at a draw: x
// rounded, clamped to [1, n] (ranks are 1-based in the paper; Sample
// returns k-1).
func (z *Zipf) rankAt(x float64) uint64 {
	kf := math.Floor(x + 0.5)
	switch {
	case kf < 1:
		return 1
	case kf >= float64(z.n):
		return z.n
	}
	return uint64(kf)
}

// zipfTableRanks is the number of ranks a Zipf sampler tabulates (about
// 130 KB of tables), which take the draws of s = 1.2 over 10,000 keys
// 97 % of the time, of s = 1.1 over a million 77 %.
const zipfTableRanks = 4096

// zipfTable finds the rank of a draw u without exp and log. Rank k
// (1-based) owns the u between the boundaries hIntegral(k-0.5) and
// hIntegral(k+0.5), where the hat's inverse crosses a half-integer. A
// boundary is computed in floating point, as is the inverse at a draw,
// so within a hair of one the table cannot promise the rank the plain
// computation gives: rank reports false there (a band of a billionth of
// the position each side, a million times the rounding error of either
// computation, which fewer than one draw in a million hits) and beyond
// the table, and Sample computes the rank as sampleSlow does.
type zipfTable struct {
	ranks []zipfRank // ranks[k-1] is rank k's
	// guide[c] is a 0-based rank at or below that of every u of cell c
	// of the draws' range, cut into len(guide) equal cells (Chen and
	// Asau's guide table): rank scans up from it. With zipfWhole set,
	// every u of the cell is surely of that rank and at or above its
	// acceptance bound: Sample returns the rank without reading ranks,
	// for about two draws in three (s = 1.1 over a million keys), as
	// the cells of the popular ranks are.
	guide    []uint16
	lo, invW float64 // cell c holds u with (u-lo)·invW in [c, c+1)
}

// zipfRank is what a draw of one rank reads, side by side: one cache
// line or two, where three arrays cost three.
type zipfRank struct {
	// above is the upper edge of the band over the rank's upper
	// boundary: u above it is surely of a higher rank; sure is the
	// band's lower edge, the largest u surely of this rank or below.
	above, sure float64
	accept      float64 // the exact acceptance bound hIntegral(k+0.5) - h(k)
}

// zipfBand is the relative half-width of the band around a boundary.
const zipfBand = 1e-9

func newZipfTable(z *Zipf) zipfTable {
	n := int(min(z.n, zipfTableRanks))
	t := zipfTable{ranks: make([]zipfRank, n), guide: make([]uint16, 4*n), lo: z.hX1}
	for i := range n {
		k := float64(i + 1)
		t.ranks[i] = zipfRank{
			above:  z.hIntegral((k + 0.5) * (1 + zipfBand)),
			sure:   z.hIntegral((k + 0.5) * (1 - zipfBand)),
			accept: z.hIntegral(k+0.5) - z.h(k),
		}
	}
	if uint64(n) == z.n {
		// The last rank takes every u above it (rankAt clamps).
		t.ranks[n-1].sure, t.ranks[n-1].above = math.Inf(1), math.Inf(1)
	}
	t.invW = float64(len(t.guide)) / (z.hN - z.hX1)
	// A margin for the rounding of cell: far wider than its error, far
	// narrower than a cell.
	margin := zipfBand * (z.hN - z.hX1)
	k := 0 // 0-based
	for c := range t.guide {
		start := t.lo + float64(c)/t.invW
		end := t.lo + float64(c+1)/t.invW
		for k < n-1 && t.ranks[k].above < start {
			k++
		}
		below := math.Inf(-1) // the upper edge of the band below rank k
		if k > 0 {
			below = t.ranks[k-1].above
		}
		e := &t.ranks[k]
		if start-margin > below && start-margin >= e.accept && end+margin <= e.sure {
			t.guide[c] = uint16(k) | zipfWhole
			continue
		}
		// One rank lower, for the rounding of the cell of a u near the
		// cell's start.
		t.guide[c] = uint16(max(k-1, 0))
	}
	return t
}

// zipfWhole marks a guide cell wholly of one rank, and accepted.
const zipfWhole = 1 << 15

// cell is the guide cell of draw u.
func (t *zipfTable) cell(u float64) int { return min(int((u-t.lo)*t.invW), len(t.guide)-1) }

// rank is the 1-based rank k of draw u, of cell c, with its entry, and
// false if the table cannot tell it (see zipfTable).
func (t *zipfTable) rank(u float64, c int) (*zipfRank, uint64, bool) {
	k := int(t.guide[c] &^ zipfWhole)
	for u > t.ranks[k].above {
		k++
		if k == len(t.ranks) {
			return nil, 0, false
		}
	}
	// Now u is above the band over rank k-1 (or k is rank 1).
	e := &t.ranks[k]
	if u > e.sure {
		return nil, 0, false // in the band over rank k
	}
	return e, uint64(k + 1), true
}

// h is the hat density x^-s.
func (z *Zipf) h(x float64) float64 { return math.Exp(-z.exponent * math.Log(x)) }

// hIntegral is an antiderivative of h: (x^(1-s) - 1)/(1-s), or log x at s=1,
// computed stably for s near 1.
func (z *Zipf) hIntegral(x float64) float64 {
	logX := math.Log(x)
	return expm1x((1-z.exponent)*logX) * logX
}

// hIntegralInverse inverts hIntegral.
func (z *Zipf) hIntegralInverse(x float64) float64 {
	t := x * (1 - z.exponent)
	if t < -1 {
		// Rounding can push t just below -1, the edge of the domain.
		t = -1
	}
	return math.Exp(log1px(t) * x)
}

// log1px returns log(1+x)/x, continuous at 0.
func log1px(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Log1p(x) / x
	}
	return 1 - x*(0.5-x*(1.0/3-0.25*x))
}

// expm1x returns (exp(x)-1)/x, continuous at 0.
func expm1x(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Expm1(x) / x
	}
	return 1 + x*0.5*(1+x*(1.0/3)*(1+0.25*x))
}
