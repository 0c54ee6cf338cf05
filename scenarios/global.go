package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"dbsim/models/aurora"
	"dbsim/models/cluster"
)

// AuroraGlobal makes an aurora cluster the primary of an Aurora Global
// Database.
type AuroraGlobal struct {
	Secondaries  []GlobalSecondary `yaml:"secondaries" doc:"The secondary clusters, one per other Region of topology.regions (1 to 10)."`
	Bandwidth    ByteRate          `yaml:"bandwidth" doc:"Capacity of the inter-Region link that carries the redo to each secondary Region (default 100MB/s; 0: unlimited)."`
	RedoPerWrite Size              `yaml:"redo_per_write" doc:"Redo a write ships to each secondary (default 4KB)."`
	Ship         DistSpec          `yaml:"ship" doc:"The replication server's time, in the primary Region, from a commit to handing its redo to the link."`
	RPOGuard     Duration          `yaml:"rpo_guard" doc:"aurora-postgresql's rds.global_db_rpo, at least 20s: commits block while every secondary lags more (default: off)."`
	Promote      Duration          `yaml:"promote" doc:"A global failover's detach and promotion of a secondary, before its engine restarts as the writer (default 1m)."`
	RoleChange   Duration          `yaml:"role_change" doc:"A global-switchover's role change, after the secondaries have synchronised (default 2m)."`
}

// GlobalSecondary is one secondary cluster.
type GlobalSecondary struct {
	Region        string `yaml:"region" doc:"Its Region, one of topology.regions."`
	AZ            string `yaml:"az" doc:"Its instance's AZ (default: the Region's first)."`
	InstanceClass string `yaml:"instance_class" doc:"Its instance's class (default: the writer's)."`
}

var globalDefaults = aurora.DefaultGlobal()

// auroraGlobal checks an aurora block's global database and fills its
// defaults.
func (v *validator) auroraGlobal(a *AuroraSystem) {
	const p = "system.global"
	if !v.has(p) {
		return
	}
	t := &v.s.Topology
	g := &a.Global
	if n := len(g.Secondaries); n < 1 || n > 10 {
		v.errorf(p+".secondaries", "needs 1 to 10 secondary Regions (fact 3.35), got %d", n)
	}
	others := t.regionNames()[1:]
	for i := range g.Secondaries {
		sc := &g.Secondaries[i]
		sp := fmt.Sprintf("%s.secondaries[%d].", p, i)
		reg := t.region(sc.Region)
		switch {
		case !v.has(sp + "region"):
			v.errorf(sp+"region", "required (allowed: %s; list Regions in topology.regions)", strings.Join(others, ", "))
			continue
		case reg == nil:
			v.errorf(sp+"region", "unknown Region %q%s (allowed: %s; list Regions in topology.regions)", sc.Region, DidYouMean(sc.Region, others), strings.Join(others, ", "))
			continue
		case slices.IndexFunc(g.Secondaries[:i], func(o GlobalSecondary) bool { return o.Region == sc.Region }) >= 0:
			v.errorf(sp+"region", "a Region has one secondary cluster: %s twice", sc.Region)
		}
		if len(reg.AZs) < 3 {
			v.errorf(sp+"region", "%s needs 3 AZs for its volume (fact 3.1), has %d", sc.Region, len(reg.AZs))
		}
		if !v.has(sp + "az") {
			sc.AZ = reg.AZs[0]
		} else if !slices.Contains(reg.AZs, sc.AZ) {
			v.errorf(sp+"az", "unknown AZ %q in %s%s (allowed: %s)", sc.AZ, sc.Region, DidYouMean(sc.AZ, reg.AZs), strings.Join(reg.AZs, ", "))
		}
		v.defaultString(sp+"instance_class", &sc.InstanceClass, a.InstanceClass)
		v.auroraClass(sp+"instance_class", &sc.InstanceClass)
	}
	if !v.has(p + ".bandwidth") {
		g.Bandwidth = ByteRate(globalDefaults.Bandwidth)
	} else if g.Bandwidth < 0 {
		v.errorf(p+".bandwidth", "must be >= 0 (0: unlimited), got %v", g.Bandwidth)
	}
	if !v.has(p + ".redo_per_write") {
		g.RedoPerWrite = Size(globalDefaults.RedoPerWrite)
	} else if g.RedoPerWrite <= 0 {
		v.errorf(p+".redo_per_write", "must be > 0, got %v", g.RedoPerWrite)
	}
	v.dist(p+".ship", g.Ship)
	if v.has(p + ".rpo_guard") {
		switch {
		case a.Engine != "aurora-postgresql":
			v.errorf(p+".rpo_guard", "rds.global_db_rpo is an aurora-postgresql parameter (fact 3.38), not %s's", a.Engine)
		case g.RPOGuard.D() < 20e9:
			v.errorf(p+".rpo_guard", "must be at least 20s (fact 3.38), got %v", g.RPOGuard)
		}
	}
	if !v.has(p + ".promote") {
		g.Promote = Duration(globalDefaults.Promote)
	}
	v.nonNegative(p+".promote", g.Promote)
	if !v.has(p + ".role_change") {
		g.RoleChange = Duration(globalDefaults.RoleChange)
	}
	v.nonNegative(p+".role_change", g.RoleChange)
	if t.regionOf(a.AZ) != t.Region {
		v.errorf("system.az", "the primary cluster's writer runs in topology.region (%s); %s is in %s", t.Region, a.AZ, t.regionOf(a.AZ))
	}
}

// globalSwitchover checks a global-switchover fault: it needs a global
// database, and its region, if given, names a secondary's.
func (v *validator) globalSwitchover(i int) {
	f := &v.s.Faults[i]
	p := fmt.Sprintf("faults[%d]", i)
	a := v.s.System.Aurora
	if a == nil || !v.has("system.global") {
		v.errorf(p+".kind", "global-switchover needs an aurora global database (system.global)")
		return
	}
	var regions []string
	for _, sc := range a.Global.Secondaries {
		regions = append(regions, sc.Region)
	}
	if v.has(p+".region") && !slices.Contains(append(regions, v.s.Topology.Region), f.Region) {
		v.errorf(p+".region", "unknown Region %q%s (allowed: %s)", f.Region, DidYouMean(f.Region, regions), strings.Join(append([]string{v.s.Topology.Region}, regions...), ", "))
	}
}

// globalConfig converts an aurora block's global database.
func (s *Scenario) globalConfig(t *cluster.Topology, class func(string) aurora.Class) (*aurora.Global, error) {
	if !s.Has("system.global") {
		return nil, nil
	}
	a := s.System.Aurora
	g := aurora.DefaultGlobal()
	for _, sc := range a.Global.Secondaries {
		az, err := t.Lookup(sc.AZ)
		if err != nil {
			return nil, err
		}
		g.Secondaries = append(g.Secondaries, aurora.Secondary{AZ: az, Class: class(sc.InstanceClass)})
	}
	g.Bandwidth = float64(a.Global.Bandwidth)
	g.RedoPerWrite = int64(a.Global.RedoPerWrite)
	g.RPOGuard = a.Global.RPOGuard.D()
	g.Promote = a.Global.Promote.D()
	g.RoleChange = a.Global.RoleChange.D()
	if s.Has("system.global.ship") {
		d, err := a.Global.Ship.Sampler()
		if err != nil {
			return nil, fmt.Errorf("system.global.ship: %w", err)
		}
		g.Ship = d
	}
	return &g, nil
}
