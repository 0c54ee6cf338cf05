package aurora

import (
	"math"
	"math/bits"
	"time"
)

// Segments is the number of copies of each protection group: 6, two in
// each of three AZs (fact 3.1).
const Segments = 6

// AllSegments is the set of all six segments of a protection group, one
// bit per segment.
const AllSegments uint8 = 1<<Segments - 1

// SegmentAZ is the index (0, 1 or 2) of the storage AZ that holds segment
// slot s of every protection group: slots 0–1 in the first, 2–3 in the
// second, 4–5 in the third (two per AZ, fact 3.1).
func SegmentAZ(s int) int { return s / 2 }

// AZMask is the set of the two segments in storage AZ a (0, 1 or 2).
func AZMask(a int) uint8 { return 3 << (2 * a) }

// Quorum decides what a protection group can do when the segments in up
// (bit i set = segment i is up, or has acknowledged) are the live ones: it
// takes writes when at least vw segments are up and serves quorum reads
// (needed only for crash recovery and repair, fact 3.14) when at least
// vr are. Aurora's quorums are vw = 4, vr = 3 of 6 (fact 3.1).
func Quorum(up uint8, vw, vr int) (write, read bool) {
	n := bits.OnesCount8(up & AllSegments)
	return n >= vw, n >= vr
}

// Intersects reports whether every read quorum of vr segments chosen among
// the live ones (up) contains at least one segment of held: the condition
// for a write held by those segments to survive crash recovery. It fails
// exactly when vr or more live segments do not hold the write.
func Intersects(held, up uint8, vr int) bool {
	return bits.OnesCount8(up&^held&AllSegments) < vr
}

// SegmentDownFraction is the long-run fraction of time one segment slot is
// unavailable when the storage node holding it fails on average every mttf
// (exponentially distributed) and a failure ends at the earlier of the
// node's return (exponential with mean mttr) and the segment's repair onto
// another node, repair after the failure (detection plus copy). A down
// period lasts D = min(X, repair), X ~ Exp(mttr), so
// E[D] = mttr·(1 − e^(−repair/mttr)), and u = E[D] / (mttf + E[D]). A repair
// of 0 means no repair: E[D] = mttr.
func SegmentDownFraction(mttf, mttr, repair time.Duration) float64 {
	m := mttr.Seconds()
	d := m
	if repair > 0 && m > 0 {
		d = m * -math.Expm1(-repair.Seconds()/m)
	}
	if d <= 0 {
		return 0
	}
	return d / (mttf.Seconds() + d)
}

// PGUnavailable is the probability that fewer than need of a protection
// group's six segments are up when each is down independently with
// probability u: the binomial tail Σ_{k<need} C(6,k)(1−u)^k u^(6−k). With
// need = 4 it is the probability that the group cannot take writes; with
// need = 3, that it cannot be read by recovery.
func PGUnavailable(u float64, need int) float64 {
	var p float64
	for k := 0; k < need && k <= Segments; k++ {
		p += binom(Segments, k) * math.Pow(1-u, float64(k)) * math.Pow(u, float64(Segments-k))
	}
	return p
}

func binom(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}
