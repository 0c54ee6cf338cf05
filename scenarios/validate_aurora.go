package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"dbsim/models/aurora"
)

var auroraEngines = []string{"aurora-postgresql", "aurora-mysql", aurora.EngineDocDB, aurora.EngineNeptune}

// aurora fills an aurora block's defaults and checks it. Model parameters
// left out keep the model's defaults (aurora.Defaults), applied when the
// system is built.
func (v *validator) aurora(a *AuroraSystem) {
	const p = "system."
	v.defaultString(p+"engine", &a.Engine, auroraDefaults.Engine)
	v.oneOf(p+"engine", "engine", a.Engine, auroraEngines)
	v.siblingEngine(a)
	v.defaultString(p+"instance_class", &a.InstanceClass, auroraDefaults.Class.Name)
	v.auroraClass(p+"instance_class", &a.InstanceClass)
	v.proxy(&a.Proxy) // validate_proxy.go
	v.defaultString(p+"az", &a.AZ, v.firstAZ())
	if v.has(p + "az") {
		v.az(p+"az", a.AZ)
	}
	if !v.has(p + "volume.size") {
		a.Volume.Size = Size(auroraDefaults.VolumeBytes)
	} else if a.Volume.Size <= 0 {
		v.errorf(p+"volume.size", "must be > 0, got %v", a.Volume.Size)
	}

	if len(a.Replicas) > 15 {
		v.errorf(p+"replicas", "at most 15 Aurora replicas (fact 3.17), got %d", len(a.Replicas))
	}
	azs := v.s.Topology.AZs
	for i := range a.Replicas {
		r := &a.Replicas[i]
		rp := fmt.Sprintf("%sreplicas[%d].", p, i)
		// By default replicas go round the AZs after the writer's.
		if !v.has(rp+"az") && len(azs) > 0 {
			w := 0
			for j, name := range azs {
				if name == a.AZ {
					w = j
				}
			}
			r.AZ = azs[(w+1+i)%len(azs)]
		} else {
			v.az(rp+"az", r.AZ)
		}
		if !v.has(rp + "tier") {
			r.Tier = 1 // the console's default promotion tier
		} else if r.Tier < 0 || r.Tier > 15 {
			v.errorf(rp+"tier", "must be 0 (first) to 15 (fact 3.22), got %d", r.Tier)
		}
		v.defaultString(rp+"instance_class", &r.InstanceClass, a.InstanceClass)
		v.auroraClass(rp+"instance_class", &r.InstanceClass)
	}

	v.auroraGlobal(a)
	v.dist(p+"service_time.read", a.ServiceTime.Read)
	v.dist(p+"service_time.write", a.ServiceTime.Write)
	v.dist(p+"service_time.connect", a.ServiceTime.Connect)
	v.maxConnections(p+"max_connections", a.MaxConnections)
	if v.has(p+"cache_miss_ratio") && (a.CacheMissRatio < 0 || a.CacheMissRatio > 1) {
		v.errorf(p+"cache_miss_ratio", "must be in [0, 1], got %g", a.CacheMissRatio)
	}

	st := a.Storage
	v.dist(p+"storage.node_latency", st.NodeLatency)
	v.dist(p+"storage.read_latency", st.ReadLatency)
	v.dist(p+"replication.ship", a.Replication.Ship)
	if v.has(p+"storage.nodes_per_az") && st.NodesPerAZ < 0 {
		v.errorf(p+"storage.nodes_per_az", "must be >= 0 (0: a node per segment), got %d", st.NodesPerAZ)
	}
	if v.has(p+"storage.segment_size") && st.SegmentSize <= 0 {
		v.errorf(p+"storage.segment_size", "must be > 0, got %v", st.SegmentSize)
	}
	quorumsOK := true
	for _, q := range []struct {
		key string
		n   int
	}{{"write_quorum", st.WriteQuorum}, {"read_quorum", st.ReadQuorum}} {
		if v.has(p+"storage."+q.key) && (q.n < 1 || q.n > aurora.Segments) {
			v.errorf(p+"storage."+q.key, "must be 1 to %d (of the 6 segments), got %d", aurora.Segments, q.n)
			quorumsOK = false
		}
	}
	if quorumsOK {
		v.auroraQuorums(p+"storage.", st)
	}
	v.nonNegative(p+"storage.repair_detect", st.RepairDetect)
	if v.has(p+"storage.repair_rate") && st.RepairRate < 0 {
		v.errorf(p+"storage.repair_rate", "must be >= 0 (0 disables repair), got %v", st.RepairRate)
	}

	f := a.Failover
	v.positiveIfSet(p+"failover.detection_interval", f.DetectionInterval)
	if v.has(p+"failover.detection_threshold") && f.DetectionThreshold < 1 {
		v.errorf(p+"failover.detection_threshold", "must be at least 1, got %d", f.DetectionThreshold)
	}
	for _, d := range []struct {
		key string
		val Duration
	}{{"promotion", f.Promotion}, {"engine_start", f.EngineStart}, {"replace_instance", f.ReplaceInstance},
		{"dns_ttl", f.DNSTTL}, {"reader_dns_ttl", f.ReaderDNSTTL}, {"dns_propagation", f.DNSPropagation}} {
		v.nonNegative(p+"failover."+d.key, d.val)
	}

	v.backup(&a.Backup)
	if v.has(p + "serverless") {
		sl := &a.Serverless
		sp := p + "serverless."
		half := func(x float64) bool { return x >= 0 && x <= 256 && math.Abs(x*2-math.Round(x*2)) < 1e-9 }
		if !v.has(sp + "min_acu") {
			sl.MinACU = 0.5
		} else if !half(sl.MinACU) {
			v.errorf(sp+"min_acu", "must be 0 to 256 in 0.5-ACU steps (fact 4.2), got %g", sl.MinACU)
		}
		if !v.has(sp + "max_acu") {
			sl.MaxACU = 128
		} else if !half(sl.MaxACU) || sl.MaxACU < sl.MinACU || sl.MaxACU == 0 {
			v.errorf(sp+"max_acu", "must be 0.5 to 256 in 0.5-ACU steps and at least min_acu, got %g", sl.MaxACU)
		}
		if v.has(sp+"target_utilization") && (sl.TargetUtilization <= 0 || sl.TargetUtilization > 1) {
			v.errorf(sp+"target_utilization", "must be in (0, 1], got %g", sl.TargetUtilization)
		}
		if v.has(sp + "auto_pause") {
			if sl.AutoPause < Duration(300e9) || sl.AutoPause > Duration(86400e9) {
				v.errorf(sp+"auto_pause", "must be 300s to 24h (fact 4.6), got %v", sl.AutoPause)
			}
		}
		v.nonNegative(sp+"resume", sl.Resume)
	}
}

// auroraQuorums warns about storage quorums that do not overlap (Vr + Vw
// <= 6: a read quorum can miss an acknowledged write; 2 Vw <= 6: two write
// quorums can miss each other). The model allows them on purpose: it
// tracks the writes a later read quorum can miss and counts those a
// failover loses (lost_writes), so a scenario can show why Aurora chose
// 4 and 3. What a key left out stands for is the model's default.
func (v *validator) auroraQuorums(p string, st AuroraStorage) {
	def := aurora.Defaults().Storage
	vw, vr := def.WriteQuorum, def.ReadQuorum
	if v.has(p + "write_quorum") {
		vw = st.WriteQuorum
	}
	if v.has(p + "read_quorum") {
		vr = st.ReadQuorum
	}
	at := p + "write_quorum"
	if !v.has(at) {
		at = p + "read_quorum"
	}
	if vr+vw <= aurora.Segments {
		v.warnf(at, "read quorum %d + write quorum %d of %d segments do not overlap: a read can miss an acknowledged write, and a failover lose it (overlapping: read + write > %d, as Aurora's 3 + 4)",
			vr, vw, aurora.Segments, aurora.Segments)
	}
	if 2*vw <= aurora.Segments {
		v.warnf(p+"write_quorum", "two write quorums of %d of %d segments need not overlap: two writers could both commit (overlapping: 2 × write > %d, as Aurora's 4)",
			vw, aurora.Segments, aurora.Segments)
	}
}

func (v *validator) auroraClass(path string, name *string) {
	c, ok := aurora.LookupClass(*name)
	if !ok {
		v.errorf(path, "%s", unknownClass(*name, aurora.ClassNames()))
		return
	}
	*name = c.Name
	engine := v.s.System.Aurora.Engine
	if !slices.Contains(aurora.EngineClassNames(engine), c.Name) {
		var fams []string
		for _, f := range aurora.EngineFamilies(engine) {
			if strings.Contains(f, ".") {
				fams = append(fams, "db."+f)
			} else {
				fams = append(fams, "db."+f+".*")
			}
		}
		v.errorf(path, "%s does not run on %s (its classes: %s)", c.Name, engine, strings.Join(fams, ", "))
	}
}

// siblingEngine checks what the DocumentDB and Neptune presets of the
// Aurora model leave out: Serverless and global clusters, which both
// services offer with their own rules (facts 3.43, 3.44).
func (v *validator) siblingEngine(a *AuroraSystem) {
	const p = "system."
	if a.Engine != aurora.EngineDocDB && a.Engine != aurora.EngineNeptune {
		return
	}
	for _, key := range []string{"serverless", "global"} {
		if v.has(p + key) {
			v.errorf(p+key, "%s is not modelled for engine %s (only for aurora-postgresql and aurora-mysql)", key, a.Engine)
			v.bad[p+key] = true
		}
	}
}

// hasReplicas reports whether the system has replicas that serve reads.
func (v *validator) hasReplicas() bool {
	a := v.s.System.Aurora
	return (a != nil && len(a.Replicas) > 0) || hasRDSReaders(v.s.System.RDS)
}

// auroraTargets are the instance-failure targets of an Aurora cluster.
func auroraTargets(a *AuroraSystem) []string {
	t := []string{"writer", "primary"}
	for i := range a.Replicas {
		t = append(t, fmt.Sprintf("replica-%d", i+1))
	}
	return t
}
