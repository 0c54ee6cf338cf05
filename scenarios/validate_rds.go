package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"dbsim/models/rds"
)

// rdsReplicas checks a Multi-AZ DB cluster's standbys and the read
// replicas, filling their defaults.
func (v *validator) rdsReplicas(r *RDSSystem) {
	const p = "system."
	azs := v.s.Topology.AZs
	if r.MultiAZ == "cluster" {
		if v.azsOK && len(azs) < 3 {
			v.errorf(p+"multi_az", "cluster needs 3 AZs in topology.azs (fact 1.12), got %d", len(azs))
		}
		if r.Engine != "postgres" && r.Engine != "mysql" {
			v.errorf(p+"multi_az", "a Multi-AZ DB cluster runs postgres or mysql (fact 1.12), not %s", r.Engine)
		}
		if !v.has(p + "cluster_standby_azs") {
			for _, az := range azs {
				if az != r.AZ && len(r.ClusterStandbyAZs) < 2 {
					r.ClusterStandbyAZs = append(r.ClusterStandbyAZs, az)
				}
			}
		} else if len(r.ClusterStandbyAZs) != 2 || r.ClusterStandbyAZs[0] == r.ClusterStandbyAZs[1] ||
			r.ClusterStandbyAZs[0] == r.AZ || r.ClusterStandbyAZs[1] == r.AZ {
			v.errorf(p+"cluster_standby_azs", "needs 2 AZs, different from each other and from az (%s)", r.AZ)
		} else {
			for i, az := range r.ClusterStandbyAZs {
				v.az(fmt.Sprintf("%scluster_standby_azs[%d]", p, i), az)
			}
		}
	} else if v.has(p + "cluster_standby_azs") {
		v.errorf(p+"cluster_standby_azs", "applies only to multi_az: cluster")
	}

	limit := 15 // fact 2.11
	if r.Engine == "oracle" {
		limit = 5
	}
	if len(r.ReadReplicas) > limit {
		v.errorf(p+"read_replicas", "%s allows at most %d read replicas (fact 2.11), got %d", r.Engine, limit, len(r.ReadReplicas))
	}
	for i := range r.ReadReplicas {
		rr := &r.ReadReplicas[i]
		rp := fmt.Sprintf("%sread_replicas[%d].", p, i)
		v.replicaRegion(rp, rr, r.AZ)
		v.defaultString(rp+"instance_class", &rr.InstanceClass, r.InstanceClass)
		if c, ok := rds.LookupClass(rr.InstanceClass); ok {
			rr.InstanceClass = c.Name
		} else {
			v.errorf(rp+"instance_class", "%s", unknownClass(rr.InstanceClass, rds.ClassNames()))
		}
		if !v.has(rp + "apply_workers") {
			rr.ApplyWorkers = 1
		} else if rr.ApplyWorkers < 1 {
			v.errorf(rp+"apply_workers", "must be at least 1, got %d", rr.ApplyWorkers)
		} else if rr.ApplyWorkers > 1 && r.Engine == "postgres" {
			v.errorf(rp+"apply_workers", "PostgreSQL applies WAL in a single process (fact 2.6): must be 1")
		}
		v.dist(rp+"apply_time", rr.ApplyTime)
	}
	v.dist(p+"replication.apply_time", r.Replication.ApplyTime)
	v.dist(p+"replication.local_write", r.Replication.LocalWrite)
	v.dist(p+"replication.standby_flush", r.Replication.StandbyFlush)
	v.nonNegative(p+"replication.promote_time", r.Replication.PromoteTime)
	v.nonNegative(p+"failover.cluster_promotion", r.Failover.ClusterPromotion)
}

// replicaRegion places a read replica: in the primary's AZ by default, or,
// for a cross-Region replica, in an AZ of its Region (the first by
// default). A Region that topology.regions does not list is added with
// its default AZs and fact 6.5's round trip, so the replica runs there and
// an outage of the primary's Region does not reach it.
func (v *validator) replicaRegion(rp string, rr *RDSReplica, primaryAZ string) {
	t := &v.s.Topology
	if !v.has(rp+"region") || rr.Region == t.Region {
		v.defaultString(rp+"az", &rr.AZ, primaryAZ)
		if v.has(rp + "az") {
			v.az(rp+"az", rr.AZ)
			if v.has(rp+"region") && t.regionOf(rr.AZ) != t.Region {
				v.errorf(rp+"az", "%s is not in %s (the replica's region)", rr.AZ, rr.Region)
			}
		}
		return
	}
	reg := t.region(rr.Region)
	if reg == nil {
		d, ok := rds.InterRegionRTT(t.Region, rr.Region)
		if !ok {
			v.errorf(rp+"region", "no round-trip time known between %s and %s: list it in topology.regions with its rtt (fact 6.5 lists %s)", t.Region, rr.Region, knownRegions)
			return
		}
		t.Regions = append(t.Regions, Region{Name: rr.Region, AZs: []string{rr.Region + "a", rr.Region + "b", rr.Region + "c"}, RTT: Duration(d)})
		reg = &t.Regions[len(t.Regions)-1]
	}
	if !v.has(rp + "az") {
		rr.AZ = reg.AZs[0]
	} else if !slices.Contains(reg.AZs, rr.AZ) {
		v.errorf(rp+"az", "unknown AZ %q in %s%s (allowed: %s)", rr.AZ, rr.Region, DidYouMean(rr.AZ, reg.AZs), strings.Join(reg.AZs, ", "))
	}
}

// rdsTargets are the instance-failure targets of an RDS deployment.
func rdsTargets(r *RDSSystem) []string {
	t := []string{"primary"}
	switch r.MultiAZ {
	case "instance":
		t = append(t, "standby")
	case "cluster":
		t = append(t, "standby-1", "standby-2")
	}
	for i := range r.ReadReplicas {
		t = append(t, fmt.Sprintf("replica-%d", i+1))
	}
	return t
}

// hasRDSReaders reports whether an rds deployment has instances that
// serve reads besides the primary.
func hasRDSReaders(r *RDSSystem) bool {
	return r != nil && (len(r.ReadReplicas) > 0 || r.MultiAZ == "cluster")
}
