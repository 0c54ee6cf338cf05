package scenarios

import (
	"fmt"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/rds"
	"dbsim/sim"
)

// buildRDS builds an rds system.
func buildRDS(s *Scenario, k *sim.Kernel, net *cluster.Net, log *cluster.Log) (*system, error) {
	cfg, err := s.rdsConfig(net.T)
	if err != nil {
		return nil, err
	}
	m := rds.New(k, net, cfg, log)
	for _, f := range s.Faults {
		if f.Kind == "data-loss" {
			m.RestorePoint(sim.At(f.RestoreTo.D()))
		}
	}
	sys := &system{endpoints: m.Endpoints(), writer: m.Primary, model: m, inject: func(f *Fault, start bool) {
		if !start {
			return
		}
		switch f.Kind {
		case "region-outage":
			// The topology took the Region down; an operator promotes a
			// cross-Region read replica after failover_after if the outage
			// lasts and the primary is in the Region.
			if s.Has(fmt.Sprintf("faults[%d].failover_after", faultIndex(s, f))) {
				k.After(f.FailoverAfter.D(), func() {
					if regionDown(net.T, f.Region) && net.T.Region(m.Primary().AZ) == f.Region {
						m.RegionFailover()
					}
				})
			}
		case "instance-failure":
			m.FailInstance(f.Target)
		case "reboot-with-failover":
			m.RebootWithFailover()
		case "manual-failover":
			m.ManualFailover()
		case "engine-crash":
			m.CrashEngine()
		case "replica-failure":
			m.FailReplica(replicaIndex(f.Target))
		case "promote-replica":
			m.PromoteReplica(replicaIndex(f.Target))
		case "data-loss":
			m.DataLoss(sim.At(f.RestoreTo.D()))
		}
	}}
	return sys, s.withProxy(sys, s.System.RDS.Proxy, k, net, log, m.Primary)
}

// rdsConfig converts an rds system block: the model's defaults, overridden
// by every key the scenario sets.
func (s *Scenario) rdsConfig(t *cluster.Topology) (rds.Config, error) {
	r := s.System.RDS
	cfg := rds.Defaults()
	var errs []error
	set := func(path string, apply func() error) {
		if s.Has("system." + path) {
			if err := apply(); err != nil {
				errs = append(errs, fmt.Errorf("system.%s: %w", path, err))
			}
		}
	}
	cfg.Engine = r.Engine
	if c, ok := rds.LookupClass(r.InstanceClass); ok {
		cfg.Class = c
	} else {
		errs = append(errs, fmt.Errorf("system.instance_class: unknown class %q", r.InstanceClass))
	}
	var err error
	if cfg.AZ, err = t.Lookup(r.AZ); err != nil {
		errs = append(errs, err)
	}
	cfg.MultiAZ = r.MultiAZ == "instance"
	if cfg.MultiAZ {
		if cfg.StandbyAZ, err = t.Lookup(r.StandbyAZ); err != nil {
			errs = append(errs, err)
		}
	}
	cfg.Cluster = r.MultiAZ == "cluster"
	if cfg.Cluster {
		for j, name := range r.ClusterStandbyAZs {
			if cfg.ClusterStandbys[j].AZ, err = t.Lookup(name); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for i, rr := range r.ReadReplicas {
		rc := rds.ReplicaConfig{ApplyWorkers: rr.ApplyWorkers, Region: rr.Region}
		if rc.AZ, err = t.Lookup(rr.AZ); err != nil {
			errs = append(errs, err)
		}
		if c, ok := rds.LookupClass(rr.InstanceClass); ok {
			rc.Class = c
		}
		// A cross-Region replica runs in an AZ of its Region: the topology
		// adds the inter-Region delay (rc.RegionDelay stays 0).
		if s.Has(fmt.Sprintf("system.read_replicas[%d].apply_time", i)) {
			if rc.ApplyTime, err = rr.ApplyTime.Sampler(); err != nil {
				errs = append(errs, err)
			}
		}
		cfg.Replicas = append(cfg.Replicas, rc)
	}
	cfg.StorageBytes = int64(r.Storage.Size)
	dist := func(spec DistSpec, dst *sim.Dist) func() error {
		return func() (err error) { *dst, err = spec.Sampler(); return err }
	}
	set("service_time.read", dist(r.ServiceTime.Read, &cfg.Read))
	set("service_time.write", dist(r.ServiceTime.Write, &cfg.Write))
	set("service_time.connect", dist(r.ServiceTime.Connect, &cfg.Connect))
	cfg.MaxConnections = r.MaxConnections
	set("replication.standby_write", dist(r.Replication.StandbyWrite, &cfg.StandbyWrite))
	set("replication.apply_time", dist(r.Replication.ApplyTime, &cfg.ApplyTime))
	set("replication.local_write", dist(r.Replication.LocalWrite, &cfg.LocalWrite))
	set("replication.standby_flush", dist(r.Replication.StandbyFlush, &cfg.StandbyFlush))
	f, rc := r.Failover, r.Recovery
	spans := []struct {
		path string
		src  Duration
		dst  *time.Duration
	}{
		{"replication.ack_timeout", r.Replication.AckTimeout, &cfg.AckTimeout},
		{"failover.detection_interval", f.DetectionInterval, &cfg.DetectionInterval},
		{"failover.promotion", f.Promotion, &cfg.Promotion},
		{"failover.engine_start", f.EngineStart, &cfg.EngineStart},
		{"failover.dns_ttl", f.DNSTTL, &cfg.DNSTTL},
		{"failover.dns_propagation", f.DNSPropagation, &cfg.DNSPropagation},
		{"failover.replace_instance", f.ReplaceInstance, &cfg.ReplaceInstance},
		{"recovery.checkpoint_interval", rc.CheckpointInterval, &cfg.CheckpointInterval},
		{"replication.promote_time", r.Replication.PromoteTime, &cfg.PromoteTime},
		{"failover.cluster_promotion", f.ClusterPromotion, &cfg.ClusterPromotion},
	}
	for _, sp := range spans {
		sp := sp
		set(sp.path, func() error { *sp.dst = sp.src.D(); return nil })
	}
	set("failover.detection_threshold", func() error { cfg.DetectionThreshold = f.DetectionThreshold; return nil })
	set("recovery.redo_per_write", func() error { cfg.RedoPerWrite = int64(rc.RedoPerWrite); return nil })
	set("recovery.redo_rate", func() error { cfg.RedoRate = float64(rc.RedoRate); return nil })
	set("cpu_credits.mode", func() error {
		cfg.Credits.Mode = cluster.Unlimited
		if r.CPUCredits.Mode == "standard" {
			cfg.Credits.Mode = cluster.Standard
		}
		return nil
	})
	set("cpu_credits.initial", func() error { cfg.Credits.Initial = r.CPUCredits.Initial; return nil })
	if s.Has("system.backup") {
		b, err := s.backupConfig(&r.Backup)
		if err != nil {
			errs = append(errs, err)
		}
		cfg.Backup = &b
	}
	if len(errs) > 0 {
		return cfg, errs[0]
	}
	return cfg, cfg.Validate()
}

// replicaIndex turns a validated "replica-N" into the model's index N-1.
func replicaIndex(target string) int {
	var n int
	fmt.Sscanf(target, "replica-%d", &n)
	return n - 1
}
