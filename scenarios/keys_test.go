package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/aurora"
	"dbsim/models/cluster"
	"dbsim/models/rds"
	"dbsim/sim"
)

// Every documented key of a system reaches its model: each is set to a
// value other than the model's default and found in the configuration the
// runner builds (TestDynamoDBEveryKeyOverrides does the same for DynamoDB).

func testTopology(s *Scenario) *cluster.Topology {
	return s.Topology.build(sim.New(1))
}

func TestRDSEveryKeyOverrides(t *testing.T) {
	s := mustParse(t, `
name: rds-keys
duration: 1m
topology: {region: us-east-1, azs: [us-east-1a, us-east-1b, us-east-1c]}
system:
  kind: rds
  engine: mysql
  instance_class: db.r6gd.xlarge
  az: us-east-1b
  multi_az: cluster
  cluster_standby_azs: [us-east-1c, us-east-1a]
  read_replicas:
    - {az: us-west-2c, region: us-west-2, instance_class: db.r6gd.2xlarge, apply_workers: 4, apply_time: {dist: constant, value: 1ms}}
  storage: {size: 500GB}
  service_time:
    read: {dist: constant, value: 1ms}
    write: {dist: constant, value: 2ms}
    connect: {dist: constant, value: 3ms}
  max_connections: 300
  replication:
    standby_write: {dist: constant, value: 4ms}
    ack_timeout: 7s
    apply_time: {dist: constant, value: 5ms}
    promote_time: 2m
    local_write: {dist: constant, value: 6ms}
    standby_flush: {dist: constant, value: 7ms}
  failover: {detection_interval: 2s, detection_threshold: 4, promotion: 30s, engine_start: 20s, dns_ttl: 10s,
    dns_propagation: 25s, replace_instance: 8m, cluster_promotion: 12s}
  recovery: {checkpoint_interval: 10m, redo_per_write: 4KB, redo_rate: 40MB/s}
workload: [{name: w, arrival: {rate: 10/s}}]
`)
	cfg, err := s.rdsConfig(testTopology(s))
	require.NoError(t, err)
	def := rds.Defaults()
	dist := func(d sim.Dist) string { return d.String() }
	assert.Equal(t, "mysql", cfg.Engine)
	assert.Equal(t, "db.r6gd.xlarge", cfg.Class.Name)
	assert.Equal(t, cluster.AZ(1), cfg.AZ)
	assert.True(t, cfg.Cluster)
	assert.Equal(t, [2]cluster.AZ{2, 0}, [2]cluster.AZ{cfg.ClusterStandbys[0].AZ, cfg.ClusterStandbys[1].AZ})
	require.Len(t, cfg.Replicas, 1)
	r := cfg.Replicas[0]
	// The replica runs in its Region, which the validator added to the
	// topology: the topology holds the inter-Region delay (fact 6.5).
	assert.Equal(t, cluster.AZ(5), r.AZ)
	assert.Equal(t, "us-west-2", r.Region)
	assert.Zero(t, r.RegionDelay)
	assert.Equal(t, 87*time.Millisecond, testTopology(s).RTT(0, r.AZ))
	assert.Equal(t, "db.r6gd.2xlarge", r.Class.Name)
	assert.Equal(t, 4, r.ApplyWorkers)
	assert.Equal(t, "constant(0.001)", dist(r.ApplyTime))
	assert.Equal(t, int64(500<<30), cfg.StorageBytes)
	for name, got := range map[string]sim.Dist{"constant(0.001)": cfg.Read, "constant(0.002)": cfg.Write, "constant(0.003)": cfg.Connect,
		"constant(0.004)": cfg.StandbyWrite, "constant(0.005)": cfg.ApplyTime, "constant(0.006)": cfg.LocalWrite, "constant(0.007)": cfg.StandbyFlush} {
		assert.Equal(t, name, dist(got))
	}
	assert.Equal(t, 300, cfg.MaxConnections)
	assert.Equal(t, 7*time.Second, cfg.AckTimeout)
	assert.Equal(t, 2*time.Minute, cfg.PromoteTime)
	got := []any{cfg.DetectionInterval, cfg.DetectionThreshold, cfg.Promotion, cfg.EngineStart, cfg.DNSTTL, cfg.DNSPropagation,
		cfg.ReplaceInstance, cfg.ClusterPromotion, cfg.CheckpointInterval, cfg.RedoPerWrite, cfg.RedoRate}
	want := []any{2 * time.Second, 4, 30 * time.Second, 20 * time.Second, 10 * time.Second, 25 * time.Second,
		8 * time.Minute, 12 * time.Second, 10 * time.Minute, int64(4 << 10), float64(40 << 20)}
	assert.Equal(t, want, got)
	for i, d := range []any{def.DetectionInterval, def.DetectionThreshold, def.Promotion, def.EngineStart, def.DNSTTL, def.DNSPropagation,
		def.ReplaceInstance, def.ClusterPromotion, def.CheckpointInterval, def.RedoPerWrite, def.RedoRate} {
		assert.NotEqual(t, d, want[i], "key %d: the test must set a value other than the default", i)
	}

	// The instance deployment's standby.
	s = mustParse(t, `
name: rds-standby
duration: 1m
topology: {region: us-east-1, azs: [us-east-1a, us-east-1b, us-east-1c]}
system: {kind: rds, az: us-east-1a, multi_az: instance, standby_az: us-east-1c}
workload: [{name: w, arrival: {rate: 10/s}}]
`)
	cfg, err = s.rdsConfig(testTopology(s))
	require.NoError(t, err)
	assert.True(t, cfg.MultiAZ)
	assert.Equal(t, cluster.AZ(2), cfg.StandbyAZ)
}

func TestAuroraEveryKeyOverrides(t *testing.T) {
	s := mustParse(t, `
name: aurora-keys
duration: 1m
topology: {region: us-east-1, azs: [us-east-1a, us-east-1b, us-east-1c]}
system:
  kind: aurora
  engine: aurora-mysql
  instance_class: db.r6g.xlarge
  az: us-east-1b
  volume: {size: 300GB}
  replicas: [{az: us-east-1c, tier: 2, instance_class: db.r6g.2xlarge}]
  service_time:
    read: {dist: constant, value: 1ms}
    write: {dist: constant, value: 2ms}
    connect: {dist: constant, value: 3ms}
  max_connections: 400
  cache_miss_ratio: 0.3
  storage: {nodes_per_az: 5, segment_size: 5GB, write_quorum: 5, read_quorum: 2,
    node_latency: {dist: constant, value: 4ms}, read_latency: {dist: constant, value: 5ms},
    repair_detect: 9s, repair_rate: 2GB/s}
  replication: {ship: {dist: constant, value: 6ms}}
  failover: {detection_interval: 2s, detection_threshold: 4, promotion: 9s, engine_start: 8s, replace_instance: 7m,
    dns_ttl: 3s, reader_dns_ttl: 2s, dns_propagation: 15s}
  serverless: {min_acu: 1, max_acu: 32, target_utilization: 0.6, auto_pause: 10m, resume: 20s}
workload: [{name: w, arrival: {rate: 10/s}}]
`)
	cfg, err := s.auroraConfig(testTopology(s))
	require.NoError(t, err)
	def := aurora.Defaults()
	assert.Equal(t, "aurora-mysql", cfg.Engine)
	assert.Equal(t, "db.r6g.xlarge", cfg.Class.Name)
	assert.Equal(t, cluster.AZ(1), cfg.AZ)
	assert.Equal(t, int64(300<<30), cfg.VolumeBytes)
	require.Len(t, cfg.Replicas, 1)
	assert.Equal(t, aurora.Replica{AZ: 2, Tier: 2, Class: cfg.Replicas[0].Class}, cfg.Replicas[0])
	assert.Equal(t, "db.r6g.2xlarge", cfg.Replicas[0].Class.Name)
	for name, got := range map[string]sim.Dist{"constant(0.001)": cfg.Read, "constant(0.002)": cfg.Write, "constant(0.003)": cfg.Connect,
		"constant(0.004)": cfg.Storage.NodeLatency, "constant(0.005)": cfg.Storage.ReadLatency, "constant(0.006)": cfg.Replication.Ship} {
		assert.Equal(t, name, got.String())
	}
	assert.Equal(t, 400, cfg.MaxConnections)
	assert.Equal(t, 0.3, cfg.MissRatio)
	st := cfg.Storage
	assert.Equal(t, []any{5, int64(5 << 30), 5, 2, 9 * time.Second, float64(2 << 30)},
		[]any{st.NodesPerAZ, st.PGBytes, st.WriteQuorum, st.ReadQuorum, st.RepairDetect, st.RepairRate})
	got := []any{cfg.DetectionInterval, cfg.DetectionThreshold, cfg.Promotion, cfg.EngineStart, cfg.ReplaceInstance,
		cfg.ClusterTTL, cfg.ReaderTTL, cfg.DNSPropagation}
	want := []any{2 * time.Second, 4, 9 * time.Second, 8 * time.Second, 7 * time.Minute, 3 * time.Second, 2 * time.Second, 15 * time.Second}
	assert.Equal(t, want, got)
	for i, d := range []any{def.DetectionInterval, def.DetectionThreshold, def.Promotion, def.EngineStart, def.ReplaceInstance,
		def.ClusterTTL, def.ReaderTTL, def.DNSPropagation} {
		assert.NotEqual(t, d, want[i], "key %d: the test must set a value other than the default", i)
	}
	require.NotNil(t, cfg.Serverless)
	sv := cfg.Serverless
	assert.Equal(t, []any{1.0, 32.0, 0.6, 10 * time.Minute, 20 * time.Second},
		[]any{sv.MinACU, sv.MaxACU, sv.TargetUtilization, sv.AutoPause, sv.Resume})
}

// The CPU credit keys of a burstable class reach the RDS model; left out,
// the model's defaults apply (RDS's Unlimited mode, no launch credits).
func TestRDSCreditKeysOverride(t *testing.T) {
	s := mustParse(t, `
name: rds-credit-keys
duration: 1m
system:
  kind: rds
  instance_class: db.t4g.large
  cpu_credits: {mode: standard, initial: 100}
workload: [{name: w, arrival: {rate: 10/s}}]
`)
	cfg, err := s.rdsConfig(testTopology(s))
	require.NoError(t, err)
	def := rds.Defaults()
	assert.Equal(t, cluster.CreditConfig{Mode: cluster.Standard, Initial: 100}, cfg.Credits)
	assert.NotEqual(t, def.Credits.Mode, cfg.Credits.Mode, "the test must set a value other than the default")
	assert.NotEqual(t, def.Credits.Initial, cfg.Credits.Initial, "the test must set a value other than the default")
	assert.Equal(t, 36.0, cfg.Class.CreditsPerHour, "a db.t4g.large earns 36 credits an hour (fact 10.2)")

	// A read replica of a burstable class takes the keys too; left out,
	// they are RDS's.
	s = mustParse(t, `
name: rds-credit-defaults
duration: 1m
system:
  kind: rds
  instance_class: db.r6g.large
  read_replicas: [{instance_class: db.t3.small}]
  cpu_credits: {initial: 5}
workload: [{name: w, arrival: {rate: 10/s}}]
`)
	cfg, err = s.rdsConfig(testTopology(s))
	require.NoError(t, err)
	assert.Equal(t, cluster.CreditConfig{Mode: cluster.Unlimited, Initial: 5}, cfg.Credits)
	assert.Equal(t, "unlimited", s.System.RDS.CPUCredits.Mode, "the default is filled in")
}
