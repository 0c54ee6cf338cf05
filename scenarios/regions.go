package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/rds"
	"dbsim/sim"
)

// Region is another Region of the topology, with its AZs.
type Region struct {
	Name string   `yaml:"name" doc:"The Region, e.g. us-west-2."`
	AZs  []string `yaml:"azs" doc:"Its availability zones (1 to 6; default the Region's a, b and c)."`
	RTT  Duration `yaml:"rtt" doc:"Network round trip between it and topology.region (default: the published average for the pair, fact 6.5)."`
}

// regions checks topology.regions and fills their defaults: the AZs a, b
// and c, and the round trip to the first Region from fact 6.5's table.
func (v *validator) regions() {
	t := &v.s.Topology
	seen := slices.Clone(t.AZs)
	for i := range t.Regions {
		r := &t.Regions[i]
		p := fmt.Sprintf("topology.regions[%d]", i)
		switch {
		case r.Name == "":
			v.errorf(p+".name", "required: the Region's name (e.g. us-west-2)")
			continue
		case r.Name == t.Region:
			v.errorf(p+".name", "%s is topology.region: list only the other Regions", r.Name)
			continue
		case slices.IndexFunc(t.Regions[:i], func(o Region) bool { return o.Name == r.Name }) >= 0:
			v.errorf(p+".name", "duplicate Region %q", r.Name)
			continue
		}
		if !v.has(p + ".azs") {
			r.AZs = []string{r.Name + "a", r.Name + "b", r.Name + "c"}
		} else if len(r.AZs) < 1 || len(r.AZs) > maxAZs {
			v.errorf(p+".azs", "needs 1 to %d AZs, got %d", maxAZs, len(r.AZs))
		}
		for j, az := range r.AZs {
			switch {
			case az == "":
				v.errorf(fmt.Sprintf("%s.azs[%d]", p, j), "an AZ name must not be empty (e.g. %sa)", r.Name)
			case slices.Contains(seen, az):
				v.errorf(fmt.Sprintf("%s.azs[%d]", p, j), "duplicate AZ %q (AZ names are unique across Regions)", az)
			}
			seen = append(seen, az)
		}
		if v.has(p + ".rtt") {
			v.positive(p+".rtt", r.RTT)
		} else if d, ok := rds.InterRegionRTT(t.Region, r.Name); ok {
			r.RTT = Duration(d)
		} else if r.Name != "" {
			v.errorf(p+".rtt", "required: no round trip is known between %s and %s (fact 6.5 lists %s)", t.Region, r.Name, knownRegions)
		}
	}
}

// knownRegions names the Regions of fact 6.5's table, for messages.
const knownRegions = "us-east-1, us-west-1, us-west-2, eu-west-1, eu-central-1, sa-east-1, ap-northeast-1, ap-southeast-1, ap-southeast-2, ..."

// allAZs are the AZs of every Region, the first Region's first.
func (t *Topology) allAZs() []string {
	azs := slices.Clone(t.AZs)
	for _, r := range t.Regions {
		azs = append(azs, r.AZs...)
	}
	return azs
}

// regionOf is the Region the named AZ is in ("" if none).
func (t *Topology) regionOf(az string) string {
	if slices.Contains(t.AZs, az) {
		return t.Region
	}
	for _, r := range t.Regions {
		if slices.Contains(r.AZs, az) {
			return r.Name
		}
	}
	return ""
}

// region is the named other Region, or nil.
func (t *Topology) region(name string) *Region {
	for i := range t.Regions {
		if t.Regions[i].Name == name {
			return &t.Regions[i]
		}
	}
	return nil
}

// regionNames are every Region's names, the first Region first.
func (t *Topology) regionNames() []string {
	names := []string{t.Region}
	for _, r := range t.Regions {
		if !slices.Contains(names, r.Name) {
			names = append(names, r.Name)
		}
	}
	return names
}

// build makes the run's topology: the first Region's AZs, then each other
// Region's. Two other Regions are the published round trip apart (fact
// 6.5) or, if the table lacks the pair, the sum of their round trips to
// the first Region (a route through it: an upper bound).
func (t *Topology) build(k *sim.Kernel) *cluster.Topology {
	topo := cluster.NewTopology(k, t.AZs, t.SameAZRTT.D(), t.CrossAZRTT.D())
	topo.NameRegion(t.Region)
	for i, r := range t.Regions {
		topo.AddRegion(r.Name, r.AZs, func(other string) time.Duration {
			if other == t.Region {
				return r.RTT.D()
			}
			if d, ok := rds.InterRegionRTT(r.Name, other); ok {
				return d
			}
			return r.RTT.D() + t.region(other).RTT.D()
		})
		_ = i
	}
	return topo
}

// regionFault checks a region-outage's or a global-switchover's keys.
func (v *validator) regionFault(i int) {
	f := &v.s.Faults[i]
	p := fmt.Sprintf("faults[%d]", i)
	t := &v.s.Topology
	if f.Kind == "global-switchover" {
		v.globalSwitchover(i)
		return
	}
	v.defaultString(p+".region", &f.Region, t.Region)
	if names := t.regionNames(); v.has(p+".region") && !slices.Contains(names, f.Region) {
		v.errorf(p+".region", "unknown Region %q%s (allowed: %s; list others in topology.regions)", f.Region, DidYouMean(f.Region, names), strings.Join(names, ", "))
	}
	if v.has(p + ".failover_after") {
		v.nonNegative(p+".failover_after", f.FailoverAfter)
		if !v.crossRegionCopy(f.Region) {
			copyKind := "an aurora global secondary"
			if v.s.System.RDS != nil {
				copyKind = "a read replica with a region"
			}
			v.errorf(p+".failover_after", "nothing to fail over to: the system has no copy outside %s (%s)", f.Region, copyKind)
		}
	} else if v.crossRegionCopy(f.Region) {
		v.warnf(p, "no failover_after: nobody fails over to the copy in another Region; the system is down until %s returns", f.Region)
	}
}

// crossRegionCopy reports whether the system keeps a copy of its data
// outside the named Region that an operator can promote.
func (v *validator) crossRegionCopy(region string) bool {
	t := &v.s.Topology
	if r := v.s.System.RDS; r != nil {
		for _, rr := range r.ReadReplicas {
			if r := t.regionOf(rr.AZ); r != "" && r != region {
				return true
			}
		}
	}
	if a := v.s.System.Aurora; a != nil && v.has("system.global") {
		// After a switchover the primary's Region holds a secondary.
		if region != t.Region {
			return true
		}
		for _, sec := range a.Global.Secondaries {
			if sec.Region != region {
				return true
			}
		}
	}
	return false
}

// regionDown reports whether every AZ of the named Region is down.
func regionDown(t *cluster.Topology, region string) bool {
	for _, a := range t.RegionAZs(region) {
		if t.Up(a) {
			return false
		}
	}
	return true
}

// faultIndex is f's index in s.Faults.
func faultIndex(s *Scenario, f *Fault) int {
	for i := range s.Faults {
		if &s.Faults[i] == f {
			return i
		}
	}
	return -1
}

// regionOutage takes every AZ of f's Region down (start) or ends one
// outage of each. Outages stack per AZ as az-outage's do.
func regionOutage(topo *cluster.Topology, log *cluster.Log, f *Fault, start bool) {
	azs := topo.RegionAZs(f.Region)
	if start {
		log.Addf("Region outage: %s down (its %d AZs)", f.Region, len(azs))
	}
	for _, a := range azs {
		topo.SetDown(a, start)
	}
	if !start {
		if regionDown(topo, f.Region) {
			log.Addf("outage of %s ends; it stays down (another outage lasts)", f.Region)
		} else {
			log.Addf("%s back up", f.Region)
		}
	}
}
