package cluster

import (
	"fmt"
	"time"

	"dbsim/sim"
)

// AZ identifies an availability zone by its index in the topology.
type AZ int

// Topology is the region: its AZs and the network between them. Traffic
// between two AZs flows when both are up and no partition separates them.
type Topology struct {
	k       *sim.Kernel
	names   []string
	sameAZ  time.Duration // one-way delay inside an AZ
	crossAZ time.Duration // one-way delay between AZs
	down    []bool
	cut     [][]bool
	watch   []func(az AZ, down bool)
}

// NewTopology returns a region with the named AZs. The round-trip times are
// those of a packet and its answer; a one-way trip takes half.
func NewTopology(k *sim.Kernel, azs []string, sameAZRTT, crossAZRTT time.Duration) *Topology {
	n := len(azs)
	t := &Topology{k: k, names: append([]string(nil), azs...), sameAZ: sameAZRTT / 2, crossAZ: crossAZRTT / 2,
		down: make([]bool, n), cut: make([][]bool, n)}
	for i := range t.cut {
		t.cut[i] = make([]bool, n)
	}
	return t
}

// Kernel is the kernel the topology lives on.
func (t *Topology) Kernel() *sim.Kernel { return t.k }

// AZs is the number of zones.
func (t *Topology) AZs() int { return len(t.names) }

// Name is the zone's name, e.g. "us-east-1a".
func (t *Topology) Name(a AZ) string { return t.names[a] }

// Lookup finds a zone by name.
func (t *Topology) Lookup(name string) (AZ, error) {
	for i, n := range t.names {
		if n == name {
			return AZ(i), nil
		}
	}
	return 0, fmt.Errorf("unknown AZ %q", name)
}

// OneWay is the one-way network delay from a to b.
func (t *Topology) OneWay(a, b AZ) time.Duration {
	if a == b {
		return t.sameAZ
	}
	return t.crossAZ
}

// RTT is the round-trip time between a and b.
func (t *Topology) RTT(a, b AZ) time.Duration { return 2 * t.OneWay(a, b) }

// Up reports whether zone a is up.
func (t *Topology) Up(a AZ) bool { return !t.down[a] }

// Reachable reports whether a packet from a gets to b now.
func (t *Topology) Reachable(a, b AZ) bool { return !t.down[a] && !t.down[b] && !t.cut[a][b] }

// SetDown takes zone a down (an AZ outage) or brings it back, and tells the
// watchers.
func (t *Topology) SetDown(a AZ, down bool) {
	if t.down[a] == down {
		return
	}
	t.down[a] = down
	for _, w := range t.watch {
		w(a, down)
	}
}

// SetCut partitions zones a and b from each other, or heals the partition.
func (t *Topology) SetCut(a, b AZ, cut bool) { t.cut[a][b], t.cut[b][a] = cut, cut }

// WatchOutages calls fn whenever a zone goes down or comes back.
func (t *Topology) WatchOutages(fn func(az AZ, down bool)) { t.watch = append(t.watch, fn) }
