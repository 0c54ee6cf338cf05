package scenarios

import (
	"fmt"
	"time"

	"dbsim/models/aurora"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// buildAurora builds an aurora system.
func buildAurora(s *Scenario, k *sim.Kernel, net *cluster.Net, log *cluster.Log) (*system, error) {
	cfg, err := s.auroraConfig(net.T)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(net.T.AZs()); err != nil {
		return nil, err
	}
	m := aurora.New(k, net, cfg, log)
	for _, f := range s.Faults {
		if f.Kind == "data-loss" {
			m.RestorePoint(sim.At(f.RestoreTo.D()))
		}
	}
	failed := map[*Fault][]int{} // storage nodes each fault took down
	sys := &system{endpoints: m.Endpoints(), writer: m.Writer, model: m, inject: func(f *Fault, start bool) {
		switch f.Kind {
		case "instance-failure":
			if start {
				m.FailInstance(f.Target) // targets are validated
			}
		case "storage-node-failure":
			az, _ := net.T.Lookup(f.AZ)
			if start {
				// Overlapping failures in one AZ take different nodes
				// (FailStorageNodesInAZ); a node also failed by the random
				// process returns when both failures have ended.
				failed[f] = m.FailStorageNodesInAZ(az, f.Count)
				if n := len(failed[f]); n < f.Count {
					log.Addf("%s in %s fail (%d asked: the others have failed already)", nodeCount(n), f.AZ, f.Count)
				} else {
					log.Addf("%s in %s fail", nodeCount(n), f.AZ)
				}
			} else {
				back := m.RecoverStorageNodes(failed[f]...)
				if stay := len(failed[f]) - len(back); stay > 0 {
					log.Addf("storage node failure in %s ends; %d of its %s stay down (another failure or an outage of %s lasts)", f.AZ, stay, nodeCount(len(failed[f])), f.AZ)
				} else {
					log.Addf("the failed %s in %s back", nodeCount(len(failed[f])), f.AZ)
				}
			}
		case "manual-failover":
			if start {
				m.ManualFailover()
			}
		case "engine-crash":
			if start {
				m.CrashEngine()
			}
		case "storage-node-failures":
			if start {
				m.StartStorageFailures(f.MTTF.D(), f.MTTR.D())
			}
		case "region-outage":
			// The topology took the Region down; an operator fails over
			// to a secondary after failover_after if the outage lasts.
			if start && s.Has(fmt.Sprintf("faults[%d].failover_after", faultIndex(s, f))) {
				k.After(f.FailoverAfter.D(), func() {
					if regionDown(net.T, f.Region) && net.T.Region(m.Writer().AZ) == f.Region {
						m.GlobalFailover("")
					}
				})
			}
		case "global-switchover":
			if start {
				m.Switchover(f.Region)
			}
		case "data-loss":
			if start {
				m.DataLoss(sim.At(f.RestoreTo.D()))
			}
		}
	}}
	return sys, s.withProxy(sys, s.System.Aurora.Proxy, k, net, log, m.Writer)
}

// auroraConfig converts an aurora system block: the model's defaults,
// overridden by every key the scenario sets.
func (s *Scenario) auroraConfig(t *cluster.Topology) (aurora.Config, error) {
	a := s.System.Aurora
	cfg := aurora.Defaults()
	var errs []error
	set := func(path string, apply func() error) {
		if s.Has("system." + path) {
			if err := apply(); err != nil {
				errs = append(errs, fmt.Errorf("system.%s: %w", path, err))
			}
		}
	}
	lookupAZ := func(name string) cluster.AZ {
		az, err := t.Lookup(name)
		if err != nil {
			errs = append(errs, err)
		}
		return az
	}
	class := func(name string) aurora.Class {
		c, ok := aurora.LookupClass(name)
		if !ok {
			errs = append(errs, fmt.Errorf("unknown instance class %q", name))
		}
		return c
	}
	cfg.Engine = a.Engine
	// Neptune reboots its replicas in a failover (fact 3.44).
	cfg.RestartReaders = a.Engine == aurora.EngineNeptune
	cfg.Class = class(a.InstanceClass)
	cfg.AZ = lookupAZ(a.AZ)
	cfg.VolumeBytes = int64(a.Volume.Size)
	for _, r := range a.Replicas {
		cfg.Replicas = append(cfg.Replicas, aurora.Replica{AZ: lookupAZ(r.AZ), Tier: r.Tier, Class: class(r.InstanceClass)})
	}
	// The volume's three AZs: the first Region's first three.
	if n := len(t.RegionAZs(t.Regions()[0])); n < 3 {
		errs = append(errs, fmt.Errorf("aurora needs 3 AZs for its storage (fact 3.1), the topology has %d", n))
	}
	if g, err := s.globalConfig(t, class); err != nil {
		errs = append(errs, err)
	} else {
		cfg.Global = g
	}
	dist := func(spec DistSpec, dst *sim.Dist) func() error {
		return func() (err error) { *dst, err = spec.Sampler(); return err }
	}
	set("service_time.read", dist(a.ServiceTime.Read, &cfg.Read))
	set("service_time.write", dist(a.ServiceTime.Write, &cfg.Write))
	set("service_time.connect", dist(a.ServiceTime.Connect, &cfg.Connect))
	cfg.MaxConnections = a.MaxConnections
	set("cache_miss_ratio", func() error { cfg.MissRatio = a.CacheMissRatio; return nil })
	st := a.Storage
	set("storage.node_latency", dist(st.NodeLatency, &cfg.Storage.NodeLatency))
	set("storage.read_latency", dist(st.ReadLatency, &cfg.Storage.ReadLatency))
	set("replication.ship", dist(a.Replication.Ship, &cfg.Replication.Ship))
	set("storage.nodes_per_az", func() error { cfg.Storage.NodesPerAZ = st.NodesPerAZ; return nil })
	set("storage.segment_size", func() error { cfg.Storage.PGBytes = int64(st.SegmentSize); return nil })
	set("storage.write_quorum", func() error { cfg.Storage.WriteQuorum = st.WriteQuorum; return nil })
	set("storage.read_quorum", func() error { cfg.Storage.ReadQuorum = st.ReadQuorum; return nil })
	set("storage.repair_detect", func() error { cfg.Storage.RepairDetect = st.RepairDetect.D(); return nil })
	set("storage.repair_rate", func() error { cfg.Storage.RepairRate = float64(st.RepairRate); return nil })
	f := a.Failover
	for _, sp := range []struct {
		path string
		src  Duration
		dst  *time.Duration
	}{
		{"failover.detection_interval", f.DetectionInterval, &cfg.DetectionInterval},
		{"failover.promotion", f.Promotion, &cfg.Promotion},
		{"failover.engine_start", f.EngineStart, &cfg.EngineStart},
		{"failover.replace_instance", f.ReplaceInstance, &cfg.ReplaceInstance},
		{"failover.dns_ttl", f.DNSTTL, &cfg.ClusterTTL},
		{"failover.reader_dns_ttl", f.ReaderDNSTTL, &cfg.ReaderTTL},
		{"failover.dns_propagation", f.DNSPropagation, &cfg.DNSPropagation},
	} {
		set(sp.path, func() error { *sp.dst = sp.src.D(); return nil })
	}
	set("failover.detection_threshold", func() error { cfg.DetectionThreshold = f.DetectionThreshold; return nil })
	if s.Has("system.serverless") {
		sl := a.Serverless
		sv := aurora.ServerlessDefaults()
		sv.MinACU, sv.MaxACU = sl.MinACU, sl.MaxACU
		set("serverless.target_utilization", func() error { sv.TargetUtilization = sl.TargetUtilization; return nil })
		set("serverless.auto_pause", func() error { sv.AutoPause = sl.AutoPause.D(); return nil })
		set("serverless.resume", func() error { sv.Resume = sl.Resume.D(); return nil })
		cfg.Serverless = &sv
	}
	if s.Has("system.backup") {
		b, err := s.backupConfig(&a.Backup)
		if err != nil {
			errs = append(errs, err)
		}
		cfg.Backup = &b
	}
	if len(errs) > 0 {
		return cfg, errs[0]
	}
	return cfg, nil
}

// nodeCount is "1 storage node" or "n storage nodes".
func nodeCount(n int) string {
	if n == 1 {
		return "1 storage node"
	}
	return fmt.Sprintf("%d storage nodes", n)
}
