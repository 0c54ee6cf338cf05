package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/dynamodb"
	"dbsim/sim"
)

// buildDynamoDB builds a dynamodb system. Its request router stands in
// the clients' AZ (the regional endpoint has routers in every AZ).
func buildDynamoDB(s *Scenario, k *sim.Kernel, net *cluster.Net, log *cluster.Log) (*system, error) {
	cfg, err := s.dynamodbConfig()
	if err != nil {
		return nil, err
	}
	if cfg.RouterAZ, err = net.T.Lookup(s.Clients.AZ); err != nil {
		return nil, err
	}
	for _, r := range s.System.DynamoDB.Table.Replicas {
		azs := net.T.RegionAZs(r.Region)
		if len(azs) == 0 {
			return nil, fmt.Errorf("system.table.replicas: unknown Region %q", r.Region)
		}
		writes := slices.ContainsFunc(s.Workload, func(w Workload) bool { return w.Region == r.Region })
		cfg.Replicas = append(cfg.Replicas, dynamodb.Replica{Region: r.Region, AZ: azs[0], Writes: writes})
	}
	m := dynamodb.New(k, net, cfg, log)
	update := func(index int, us []DynamoDBUpdate) {
		for _, u := range us {
			k.At(sim.At(u.At.D()), func() { m.UpdateTable(index, u.RCU, u.WCU) })
		}
	}
	update(0, s.System.DynamoDB.Table.Updates)
	for i, g := range s.System.DynamoDB.Table.GSIs {
		update(i+1, g.Updates)
	}
	return &system{endpoints: m.Endpoints(), model: m, inject: func(f *Fault, start bool) {
		if !start || f.Kind != "leader-failure" {
			return
		}
		if f.AZ != "" {
			az, _ := net.T.Lookup(f.AZ) // validated
			m.FailLeadersIn(az)
			return
		}
		id, _ := strconv.Atoi(f.Target[1:]) // validated: "p" and a number
		m.FailLeader(id)
	}}, nil
}

// dynamodbConfig converts a dynamodb system block: the model's defaults,
// overridden by every key the scenario sets. The router's AZ is the
// caller's (the clients').
func (s *Scenario) dynamodbConfig() (dynamodb.Config, error) {
	d := s.System.DynamoDB
	cfg := dynamodb.Defaults()
	var errs []error
	set := func(path string, apply func() error) {
		if s.Has("system." + path) {
			if err := apply(); err != nil {
				errs = append(errs, fmt.Errorf("system.%s: %w", path, err))
			}
		}
	}
	num := func(dst *float64, v float64) func() error { return func() error { *dst = v; return nil } }
	count := func(dst *int, v int) func() error { return func() error { *dst = v; return nil } }
	span := func(dst *time.Duration, v Duration) func() error { return func() error { *dst = v.D(); return nil } }
	dist := func(dst *sim.Dist, spec DistSpec) func() error {
		return func() (err error) { *dst, err = spec.Sampler(); return err }
	}

	if d.Service == "keyspaces" {
		cfg.MaxItemBytes = int(keyspacesMaxRow) // fact 5.44
	}
	t := d.Table
	if t.Mode == "on-demand" {
		cfg.Mode = dynamodb.OnDemand
	}
	set("table.rcu", num(&cfg.Table.RCU, t.RCU))
	set("table.wcu", num(&cfg.Table.WCU, t.WCU))
	set("table.size", func() error { cfg.SizeBytes = int64(t.Size); return nil })
	set("table.partitions", count(&cfg.Table.Partitions, t.Partitions))
	cfg.Table.AutoScaling = s.ddbAutoScaling("system.table.autoscaling", t.AutoScaling)
	for i, g := range t.GSIs {
		gp := fmt.Sprintf("table.gsis[%d].", i)
		// An index's throughput defaults to the table's (AWS recommends
		// index WCU ≥ table WCU, fact 5.33).
		x := dynamodb.GSI{Name: g.Name, Capacity: dynamodb.Capacity{RCU: cfg.Table.RCU, WCU: cfg.Table.WCU}}
		set(gp+"rcu", num(&x.Capacity.RCU, g.RCU))
		set(gp+"wcu", num(&x.Capacity.WCU, g.WCU))
		set(gp+"partitions", count(&x.Capacity.Partitions, g.Partitions))
		set(gp+"share", num(&x.Share, g.Share))
		set(gp+"keys", func() error { x.Keys = g.Keys; return nil })
		set(gp+"projected_size", func() error { x.ProjectedBytes = int(g.ProjectedSize); return nil })
		x.Capacity.AutoScaling = s.ddbAutoScaling("system."+gp+"autoscaling", g.AutoScaling)
		cfg.GSIs = append(cfg.GSIs, x)
	}

	for i, x := range t.LSIs {
		lsi := dynamodb.LSI{Name: x.Name}
		set(fmt.Sprintf("table.lsis[%d].projected_size", i), func() error { lsi.ProjectedBytes = int(x.ProjectedSize); return nil })
		cfg.LSIs = append(cfg.LSIs, lsi)
	}

	l := d.Limits
	set("limits.partition_rcu", num(&cfg.Limits.RCU, l.PartitionRCU))
	set("limits.partition_wcu", num(&cfg.Limits.WCU, l.PartitionWCU))
	set("limits.partition_size", func() error { cfg.Limits.Bytes = int64(l.PartitionSize); return nil })
	set("limits.collection_size", func() error { cfg.Limits.CollectionBytes = int64(l.CollectionSize); return nil })
	set("burst_window", span(&cfg.BurstWindow, d.BurstWindow))
	set("hard_window", span(&cfg.HardWindow, d.HardWindow))
	set("adaptive.enabled", func() error { cfg.Adaptive.Enabled = d.Adaptive.Enabled; return nil })
	set("adaptive.interval", span(&cfg.Adaptive.Interval, d.Adaptive.Interval))
	h := d.SplitForHeat
	set("split_for_heat.enabled", func() error { cfg.Heat.Enabled = h.Enabled; return nil })
	set("split_for_heat.threshold", num(&cfg.Heat.Threshold, h.Threshold))
	set("split_for_heat.periods", count(&cfg.Heat.Periods, h.Periods))
	set("split_for_heat.duration", span(&cfg.Heat.Duration, h.Duration))
	set("split_for_heat.single_key_share", num(&cfg.Heat.SingleKeyShare, h.SingleKeyShare))
	od := d.OnDemand
	set("on_demand.initial_rru", num(&cfg.OnDemand.InitialRRU, od.InitialRRU))
	set("on_demand.initial_wru", num(&cfg.OnDemand.InitialWRU, od.InitialWRU))
	set("on_demand.peak_multiple", num(&cfg.OnDemand.PeakMultiple, od.PeakMultiple))
	set("on_demand.peak_window", span(&cfg.OnDemand.PeakWindow, od.PeakWindow))
	set("on_demand.max_rru", num(&cfg.OnDemand.MaxRRU, od.MaxRRU))
	set("on_demand.max_wru", num(&cfg.OnDemand.MaxWRU, od.MaxWRU))
	set("metric_period", span(&cfg.MetricPeriod, d.MetricPeriod))
	set("update_delay", span(&cfg.UpdateDelay, d.UpdateDelay))
	set("router_latency", dist(&cfg.RouterLatency, d.RouterLatency))
	set("read_service", dist(&cfg.ReadService, d.ReadService))
	set("log_write", dist(&cfg.LogWrite, d.LogWrite))
	set("replication_delay", dist(&cfg.ReplicationDelay, d.ReplicationDelay))
	set("lease", span(&cfg.Lease, d.Lease))
	set("election", span(&cfg.Election, d.Election))
	set("replica_repair", span(&cfg.ReplicaRepair, d.ReplicaRepair))
	set("gauge_partitions", count(&cfg.GaugePartitions, d.GaugePartitions))
	if s.Has("system.table.stream") {
		st := dynamodb.DefaultStream()
		sd, c := t.Stream, t.Stream.Consumer
		const sp = "table.stream."
		set(sp+"retention", span(&st.Retention, sd.Retention))
		set(sp+"behind_after", span(&st.BehindAfter, sd.BehindAfter))
		set(sp+"consumer.batch_size", count(&st.BatchSize, c.BatchSize))
		set(sp+"consumer.batching_window", span(&st.BatchingWindow, c.BatchingWindow))
		set(sp+"consumer.parallelization_factor", count(&st.ParallelizationFactor, c.ParallelizationFactor))
		set(sp+"consumer.duration", dist(&st.Duration, c.Duration))
		set(sp+"consumer.memory_mb", count(&st.MemoryMB, c.MemoryMB))
		set(sp+"consumer.max_retries", count(&st.MaxRetries, c.MaxRetries))
		set(sp+"consumer.bisect_on_error", func() error { st.BisectOnError = c.BisectOnError; return nil })
		set(sp+"consumer.polls_per_second", num(&st.PollsPerSecond, c.PollsPerSecond))
		for _, at := range c.PoisonAt {
			st.Poison = append(st.Poison, at.D())
		}
		slices.Sort(st.Poison)
		cfg.Stream = &st
	}
	if len(errs) > 0 {
		return cfg, errs[0]
	}
	return cfg, nil
}

// ddbAutoScaling converts the autoscaling block at path: present (even
// empty) enables target tracking with the model's defaults
// (dynamodb.DefaultAutoScaling), overridden by the keys it sets.
func (s *Scenario) ddbAutoScaling(path string, a DynamoDBAutoScaling) dynamodb.AutoScaling {
	as := dynamodb.DefaultAutoScaling()
	if !s.Has(path) {
		return as
	}
	as.Enabled = true
	has := func(key string) bool { return s.Has(path + "." + key) }
	for _, x := range []struct {
		key string
		src float64
		dst *float64
	}{{"target", a.Target, &as.Target}, {"min_rcu", a.MinRCU, &as.MinRCU}, {"max_rcu", a.MaxRCU, &as.MaxRCU},
		{"min_wcu", a.MinWCU, &as.MinWCU}, {"max_wcu", a.MaxWCU, &as.MaxWCU}, {"scale_down_margin", a.ScaleDownMargin, &as.ScaleDownMargin}} {
		if has(x.key) {
			*x.dst = x.src
		}
	}
	for _, x := range []struct {
		key string
		src int
		dst *int
	}{{"scale_up_points", a.ScaleUpPoints, &as.ScaleUpPoints}, {"scale_down_points", a.ScaleDownPoints, &as.ScaleDownPoints},
		{"decreases_first_hour", a.DecreasesFirstHour, &as.Quota.FirstHour}} {
		if has(x.key) {
			*x.dst = x.src
		}
	}
	for _, x := range []struct {
		key string
		src Duration
		dst *time.Duration
	}{{"delay", a.Delay, &as.Delay}, {"decrease_spacing", a.DecreaseSpacing, &as.Quota.Spacing}, {"day_start", a.DayStart, &as.Quota.DayStart}} {
		if has(x.key) {
			*x.dst = x.src.D()
		}
	}
	return as
}
