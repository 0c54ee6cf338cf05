package cluster

import (
	"fmt"
	"time"

	"dbsim/sim"
)

// AZ identifies an availability zone by its index in the topology.
type AZ int

// Topology is the Regions, their AZs and the network between them: the
// first Region's AZs come from NewTopology, other Regions' from AddRegion.
// Traffic between two AZs flows when both are up and no partition
// separates them. Outages and partitions stack: a zone is down while any
// outage of it lasts, two zones are cut apart while any partition between
// them lasts.
type Topology struct {
	k       *sim.Kernel
	names   []string
	sameAZ  time.Duration // one-way delay inside an AZ
	crossAZ time.Duration // one-way delay between AZs of a Region
	down    []int         // outages of each zone that last now
	cut     [][]int       // partitions between each pair that last now
	faults  int           // outages and partitions that last now, all zones
	watch   []func(az AZ, down bool)

	region  []int             // each zone's Region (index into regions)
	regions []string          // Region names; the first is NewTopology's
	far     [][]time.Duration // one-way delay between two Regions
}

// Round trips a region has unless a scenario says otherwise.
const (
	// DefaultSameAZRTT is the measured round trip inside one AZ (fact 6.3).
	DefaultSameAZRTT = 450 * time.Microsecond
	// DefaultCrossAZRTT is a round trip between AZs: "usually < 1 ms"
	// (fact 6.2), 1.33 ms and 2.11 ms measured (fact 6.3).
	DefaultCrossAZRTT = time.Millisecond
)

// NewTopology returns a region with the named AZs. The round-trip times are
// those of a packet and its answer; a one-way trip takes half.
func NewTopology(k *sim.Kernel, azs []string, sameAZRTT, crossAZRTT time.Duration) *Topology {
	n := len(azs)
	t := &Topology{k: k, names: append([]string(nil), azs...), sameAZ: sameAZRTT / 2, crossAZ: crossAZRTT / 2,
		down: make([]int, n), cut: make([][]int, n), region: make([]int, n), regions: []string{""},
		far: [][]time.Duration{{0}}}
	for i := range t.cut {
		t.cut[i] = make([]int, n)
	}
	return t
}

// NameRegion names the first Region, the one NewTopology's AZs are in.
func (t *Topology) NameRegion(name string) { t.regions[0] = name }

// AddRegion adds another Region with its AZs. rtt gives the round trip
// between it and each Region already in the topology, by name (fact 6.5's
// inter-Region figures); AZs of one Region are crossAZRTT apart as in the
// first. Add Regions before the models are built.
func (t *Topology) AddRegion(name string, azs []string, rtt func(other string) time.Duration) {
	r := len(t.regions)
	for i := range t.far {
		d := rtt(t.regions[i]) / 2
		t.far[i] = append(t.far[i], d)
	}
	row := make([]time.Duration, r+1)
	for i := range r {
		row[i] = t.far[i][r]
	}
	t.far = append(t.far, row)
	t.regions = append(t.regions, name)
	n := len(t.names) + len(azs)
	t.names = append(t.names, azs...)
	for range azs {
		t.down = append(t.down, 0)
		t.region = append(t.region, r)
	}
	for i := range t.cut {
		t.cut[i] = append(t.cut[i], make([]int, n-len(t.cut[i]))...)
	}
	for len(t.cut) < n {
		t.cut = append(t.cut, make([]int, n))
	}
}

// Regions are the Region names, the first Region first.
func (t *Topology) Regions() []string { return t.regions }

// Region is the name of the Region zone a is in.
func (t *Topology) Region(a AZ) string { return t.regions[t.region[a]] }

// SameRegion reports whether zones a and b are in one Region.
func (t *Topology) SameRegion(a, b AZ) bool { return t.region[a] == t.region[b] }

// RegionAZs are the zones of the named Region, in order (none if the
// topology has no such Region).
func (t *Topology) RegionAZs(name string) []AZ {
	var azs []AZ
	for a := range t.names {
		if t.regions[t.region[a]] == name {
			azs = append(azs, AZ(a))
		}
	}
	return azs
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

// OneWay is the one-way network delay from a to b: half the inter-Region
// round trip between zones of two Regions.
func (t *Topology) OneWay(a, b AZ) time.Duration {
	switch {
	case a == b:
		return t.sameAZ
	case len(t.regions) > 1 && t.region[a] != t.region[b]: // one Region: no zone lookups
		return t.far[t.region[a]][t.region[b]]
	}
	return t.crossAZ
}

// RTT is the round-trip time between a and b.
func (t *Topology) RTT(a, b AZ) time.Duration { return 2 * t.OneWay(a, b) }

// Up reports whether zone a is up.
func (t *Topology) Up(a AZ) bool { return t.down[a] == 0 }

// Reachable reports whether a packet from a gets to b now. Every call
// and answer asks, so the common case, no outage or partition anywhere,
// is one comparison.
func (t *Topology) Reachable(a, b AZ) bool {
	return t.faults == 0 || t.down[a] == 0 && t.down[b] == 0 && t.cut[a][b] == 0
}

// Outages is the number of outages of zone a that last now.
func (t *Topology) Outages(a AZ) int { return t.down[a] }

// Partitions is the number of partitions between zones a and b that last
// now.
func (t *Topology) Partitions(a, b AZ) int { return t.cut[a][b] }

// SetDown starts an outage of zone a (down) or ends one. Outages stack:
// the zone is down from the start of the first until the end of the last,
// and the watchers hear only those two moments. Ending an outage that
// never started does nothing.
func (t *Topology) SetDown(a AZ, down bool) {
	was := t.down[a] > 0
	switch {
	case down:
		t.down[a]++
		t.faults++
	case t.down[a] > 0:
		t.down[a]--
		t.faults--
	}
	if now := t.down[a] > 0; now != was {
		for _, w := range t.watch {
			w(a, now)
		}
	}
}

// SetCut starts a partition between zones a and b (cut) or heals one.
// Partitions stack as outages do: the zones stay apart until the last
// partition between them heals.
func (t *Topology) SetCut(a, b AZ, cut bool) {
	switch {
	case cut:
		t.cut[a][b]++
		t.faults++
	case t.cut[a][b] > 0:
		t.cut[a][b]--
		t.faults--
	}
	t.cut[b][a] = t.cut[a][b]
}

// WatchOutages calls fn whenever a zone goes down or comes back.
func (t *Topology) WatchOutages(fn func(az AZ, down bool)) { t.watch = append(t.watch, fn) }
