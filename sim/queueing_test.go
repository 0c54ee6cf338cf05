package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests validate the kernel, Station and Exponential against closed
// forms from queueing theory. Every queue is built the way a model would
// build it: a Kernel, a Station, Exponential distributions and named random
// streams. Each test runs independent replications (one seed each) and checks
// that the theoretical value lies in the 95% Student-t confidence interval
// of the replication means. The seeds are fixed, so the outcome is
// deterministic; a failure prints the seeds and the interval.

// replicate runs reps independent replications with seeds 1..reps and
// returns, per replication, the mean wait in queue, the mean sojourn, the
// time-average number in system and the observed arrival rate.
func replicate(t *testing.T, reps int, lambda, mu float64, servers, total, warm int) (wq, w, l, rate []float64) {
	t.Helper()
	for seed := uint64(1); seed <= uint64(reps); seed++ {
		m := NewMMC(seed, lambda, mu, servers, total, warm)
		m.Run()
		require.Equal(t, total-warm, m.measured, "seed %d: every measured customer leaves", seed)
		require.Zero(t, m.k.Pending(), "seed %d", seed)
		n := float64(m.measured)
		wq = append(wq, m.waitSum/1e9/n)
		w = append(w, m.sojournSum/1e9/n)
		l = append(l, m.meanInSys)
		rate = append(rate, n/m.t1.Sub(m.t0).Seconds())
	}
	return wq, w, l, rate
}

// ci95 returns the mean of xs and the half-width of its 95% confidence
// interval (MeanCI95; the replication means being approximately normal).
func ci95(xs []float64) (mean, half float64) {
	mean, lo, _ := MeanCI95(xs)
	return mean, mean - lo
}

// scale shrinks a run under -short (used with -race, which is ~20× slower);
// the confidence intervals widen accordingly but stay valid.
func scale(n int) int {
	if testing.Short() {
		return n / 10
	}
	return n
}

// assertInCI checks that want lies in the 95% confidence interval of xs.
func assertInCI(t *testing.T, what string, want float64, xs []float64) {
	t.Helper()
	mean, half := ci95(xs)
	t.Logf("%s: theory %.4f, simulated %.4f ± %.4f (95%% CI, %d replications, seeds 1..%d)",
		what, want, mean, half, len(xs), len(xs))
	assert.InDelta(t, want, mean, half,
		"%s: theory %.4f outside the 95%% CI %.4f ± %.4f (seeds 1..%d)", what, want, mean, half, len(xs))
}

// TestMM1 checks an M/M/1 queue with λ = 0.9, μ = 1 (ρ = 0.9) against
// Kleinrock, Queueing Systems Vol. 1 (1975), §3.2:
//
//	mean wait in queue    Wq = ρ/(μ-λ) = 9
//	mean number in system L  = ρ/(1-ρ) = 9
//
// At ρ = 0.9 the waiting times are strongly correlated (relaxation time
// ≈ 1/(μ(1-√ρ)²) ≈ 380 service times), so each replication simulates 3·10^6
// customers after a warm-up of 10^4 that starts from an empty queue.
func TestMM1(t *testing.T) {
	t.Parallel()
	const lambda, mu, reps = 0.9, 1.0, 10
	rho := lambda / mu
	wq, _, l, _ := replicate(t, reps, lambda, mu, 1, scale(3_010_000), 10_000)
	assertInCI(t, "M/M/1 Wq", rho/(mu-lambda), wq)
	assertInCI(t, "M/M/1 L", rho/(1-rho), l)
}

// erlangC is the probability that an arrival waits in an M/M/c queue with
// offered load a = λ/μ < c (the Erlang C formula; Kleinrock 1975, eq. 3.40):
//
//	C(c, a) = (a^c/c! · c/(c-a)) / (Σ_{k<c} a^k/k! + a^c/c! · c/(c-a))
func erlangC(c int, a float64) float64 {
	var sum, term float64 = 0, 1 // term = a^k/k!
	for k := 0; k < c; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	top := term * float64(c) / (float64(c) - a)
	return top / (sum + top)
}

// TestErlangC pins erlangC to a value worked by hand: c = 4, a = 3 gives
// (81/24 · 4) / (1 + 3 + 9/2 + 27/6 + 81/24 · 4) = 13.5/26.5.
func TestErlangC(t *testing.T) {
	assert.InDelta(t, 13.5/26.5, erlangC(4, 3), 1e-12)
	assert.InDelta(t, 0.9, erlangC(1, 0.9), 1e-12) // M/M/1: P(wait) = ρ
}

// TestMMc checks an M/M/4 queue with λ = 3, μ = 1 (ρ = 0.75) against the
// Erlang C formula (Kleinrock 1975, §3.5):
//
//	Wq = C(c, λ/μ) / (cμ - λ) = 13.5/26.5 ≈ 0.5094
//	L  = λ(Wq + 1/μ) ≈ 4.528 (by Little's law)
func TestMMc(t *testing.T) {
	t.Parallel()
	const lambda, mu, c, reps = 3.0, 1.0, 4, 10
	wantWq := erlangC(c, lambda/mu) / (c*mu - lambda)
	wq, _, l, _ := replicate(t, reps, lambda, mu, c, scale(1_001_000), 1_000)
	assertInCI(t, "M/M/4 Wq", wantWq, wq)
	assertInCI(t, "M/M/4 L", lambda*(wantWq+1/mu), l)
}

// TestLittle checks Little's law L = λW (Little, "A proof for the queuing
// formula L = λW", Operations Research 9(3), 1961) on the simulated data
// alone: the time-average number in system, as the Station measures it,
// against the observed arrival rate times the customers' mean sojourn, as the
// customers measure it. Over a window the two differ only by the customers
// present at its edges, a few in a million here.
func TestLittle(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		lambda, mu float64
		servers    int
	}{
		{"M/M/1", 0.9, 1, 1},
		{"M/M/4", 3, 1, 4},
		{"M/M/8 light", 2, 1, 8},
	} {
		_, w, l, rate := replicate(t, 3, tc.lambda, tc.mu, tc.servers, 201_000, 1_000)
		for i := range w {
			assert.InEpsilon(t, l[i], rate[i]*w[i], 2e-3,
				"%s seed %d: L = %.4f but λW = %.4f × %.4f = %.4f", tc.name, i+1, l[i], rate[i], w[i], rate[i]*w[i])
		}
	}
}
