package aurora

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// naiveQuorum is the twin of Quorum written from the definition: count the
// live segments one by one (fact 3.1: V = 6, Vw = 4, Vr = 3).
func naiveQuorum(live [Segments]bool) (write, read bool) {
	n := 0
	for _, up := range live {
		if up {
			n++
		}
	}
	return n >= 4, n >= 3
}

func TestQuorumEverySubsetOfFailedNodes(t *testing.T) {
	// The acceptance: over every subset of failed segments (2^6),
	// writes are available iff at least 4 are up, reads iff at least 3
	// (fact 3.1).
	for failed := 0; failed < 1<<Segments; failed++ {
		var live [Segments]bool
		var up uint8
		for s := range Segments {
			if failed&(1<<s) == 0 {
				live[s] = true
				up |= 1 << s
			}
		}
		w, r := Quorum(up, 4, 3)
		nw, nr := naiveQuorum(live)
		assert.Equal(t, nw, w, "failed set %06b: write", failed)
		assert.Equal(t, nr, r, "failed set %06b: read", failed)
	}
}

func TestQuorumAZPlusOne(t *testing.T) {
	// fact 3.2: losing a whole AZ (2 segments) keeps writes; an AZ plus
	// one more segment stops writes but keeps reads.
	for az := range 3 {
		up := AllSegments &^ AZMask(az)
		w, r := Quorum(up, 4, 3)
		assert.True(t, w, "AZ %d down: writes continue", az)
		assert.True(t, r)
		for s := range Segments {
			if SegmentAZ(s) == az {
				continue
			}
			w, r := Quorum(up&^(1<<s), 4, 3)
			assert.False(t, w, "AZ %d + segment %d down: writes stop", az, s)
			assert.True(t, r, "AZ %d + segment %d down: reads continue", az, s)
		}
	}
}

func TestQuorumsIntersect(t *testing.T) {
	// Nothing acknowledged is lost: every write quorum (>= 4 segments that
	// hold a write) meets every read quorum (>= 3 live segments), for every
	// pair of subsets, because 4 + 3 > 6 (fact 3.1).
	pairs := 0
	for held := 0; held < 1<<Segments; held++ {
		if w, _ := Quorum(uint8(held), 4, 3); !w {
			continue
		}
		for up := 0; up < 1<<Segments; up++ {
			if _, r := Quorum(uint8(up), 4, 3); !r {
				continue
			}
			pairs++
			assert.True(t, Intersects(uint8(held), uint8(up), 3), "held %06b, up %06b", held, up)
		}
	}
	assert.Equal(t, 22*42, pairs, "22 write quorums × 42 read quorums")
	// A 3-of-6 write quorum does not: it can miss a read quorum entirely.
	assert.False(t, Intersects(0b000111, 0b111000, 3))
}

func TestPGUnavailableBinomial(t *testing.T) {
	assert.InDelta(t, 0, PGUnavailable(0, 4), 1e-15)
	assert.InDelta(t, 1, PGUnavailable(1, 4), 1e-15)
	// P(fewer than 4 of 6 up) at u = 0.5 is (1+6+15+20)/64.
	assert.InDelta(t, 42.0/64, PGUnavailable(0.5, 4), 1e-12)
	u := SegmentDownFraction(100*time.Second, 30*time.Second, 15*time.Second)
	require.Greater(t, u, 0.0)
	// E[D] = 30·(1 − e^−0.5) = 11.80 s; u = 11.80 / 111.80.
	assert.InDelta(t, 11.804/111.804, u, 1e-4)
}
