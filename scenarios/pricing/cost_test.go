package pricing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/sim"
)

func TestDefaultPricesCiteAWSFacts(t *testing.T) {
	p := Default()
	assert.Equal(t, 730.0, p.HoursPerMonth)
	// The table's figures are those of section 7 of models/REFERENCES.md.
	for _, c := range []struct {
		table       []InstancePrice
		class, fact string
		usd         float64
	}{
		{p.RDS.Instances, "db.t3.medium", "7.1", 0.072},
		{p.RDS.Instances, "db.r6g.large", "7.2", 0.225},
		{p.RDS.Instances, "db.r6g.xlarge", "7.3", 0.45},
		{p.Aurora.Instances, "db.t3.medium", "7.8", 0.082},
		{p.Aurora.Instances, "db.r6g.large", "7.9", 0.26},
		{p.Aurora.Instances, "db.r6g.xlarge", "7.10", 0.519},
	} {
		found := false
		for _, e := range c.table {
			if e.Class == c.class && e.Engine == "postgres" {
				found = true
				assert.Equal(t, c.usd, e.USDPerHour, c.class)
				assert.Equal(t, c.fact, e.Fact, c.class)
				assert.NotEmpty(t, e.Date, c.class)
			}
		}
		assert.True(t, found, c.class)
	}
	assert.Equal(t, Multiplier{Compute: 2, Storage: 2}, Multiplier{Compute: p.RDS.MultiAZInstance.Compute, Storage: p.RDS.MultiAZInstance.Storage}) // fact 7.4
	assert.Equal(t, "7.4", p.RDS.MultiAZInstance.Fact)
	assert.Equal(t, 0.115, p.RDS.StorageGP3GBMonth.USD) // fact 7.6
	assert.Equal(t, 1.30, p.Aurora.IOOptimizedFactor.Factor)
	assert.Equal(t, 0.10, p.Aurora.StorageGBMonth.USD)
	assert.Equal(t, 0.225, p.Aurora.IOOptimizedStorageGBMonth.USD)
	assert.Equal(t, 0.20, p.Aurora.IOMillionRequests.USD)
	assert.Equal(t, 0.12, p.Aurora.ServerlessV2ACUHour.USD)
	assert.Equal(t, 0.156, p.Aurora.IOOptimizedServerlessV2ACUHour.USD)
	assert.Equal(t, 0.625, p.DynamoDB.OnDemandMillionWRU.USD)
	assert.Equal(t, 0.125, p.DynamoDB.OnDemandMillionRRU.USD)
	assert.Equal(t, 0.00065, p.DynamoDB.ProvisionedWCUHour.USD)
	assert.Equal(t, 0.00013, p.DynamoDB.ProvisionedRCUHour.USD)
	assert.Equal(t, UnitPrice{USD: 0.25, Free: 25, Citation: Citation{Fact: "7.19", Date: "2025"}}, p.DynamoDB.StorageGBMonth)
}

func TestFormulasOnPlainNumbers(t *testing.T) {
	assert.InDelta(t, 328.5, InstanceMonthlyUSD(0.225, 2, 730), 1e-9)   // 2 × $0.225/h (7.2, 7.4)
	assert.InDelta(t, 23.0, StorageMonthlyUSD(100, 2, 0, 0.115), 1e-9)  // 100 GB × 2 × $0.115 (7.6)
	assert.InDelta(t, 18.75, StorageMonthlyUSD(100, 1, 25, 0.25), 1e-9) // DynamoDB: 75 GB billed (7.19)
	assert.Equal(t, 0.0, StorageMonthlyUSD(10, 1, 25, 0.25))            // all within the free 25 GB
	assert.InDelta(t, 10.0, PerMillionUSD(50e6, 0.20), 1e-9)            // Aurora I/O (7.13)
	assert.InDelta(t, 350.4, UnitHoursUSD(4, 0.12, 730), 1e-9)          // 4 ACU (7.14)
	assert.InDelta(t, 2.628e9, MonthlyCount(1000*60, 60, 730), 1e-3)    // 1000/s for a month
	assert.Equal(t, 0.0, MonthlyCount(5, 0, 730))
	assert.InDelta(t, 0.9, ScaleInstancePrice(0.225, 2, 8), 1e-12) // 2xlarge: 8 of large's 2 vCPUs
}

func TestRDSMultiAZCostByHand(t *testing.T) {
	// rds-multi-az-failover: db.r6g.large postgres, Multi-AZ instance,
	// 100 GB gp3 (the default). Instances 2 × $0.225/h × 730 h = $328.50
	// (facts 7.2, 7.4); storage 100 GB × 2 × $0.115 = $23.00 (facts 7.4,
	// 7.6).
	s, err := scenarios.LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	c := MonthlyCost(s, nil)
	assert.Equal(t, 328.50, c.InstancesUSD)
	assert.Equal(t, 23.00, c.StorageUSD)
	assert.Zero(t, c.IOUSD+c.CapacityUSD+c.RequestsUSD)
	assert.Equal(t, 351.50, c.TotalUSD)
	assert.False(t, c.Estimated)
	require.Len(t, c.Items, 2)
	assert.Equal(t, 1460.0, c.Items[0].Quantity) // instance-hours
	assert.Contains(t, c.Items[0].Source, "models/REFERENCES.md 7.2")
	assert.Contains(t, c.Items[0].Source, "models/REFERENCES.md 7.4")
	assert.Contains(t, c.Items[1].Source, "models/REFERENCES.md 7.6")
}

func rdsScenario(t *testing.T, class, engine, multiAZ, storage string) *scenarios.Scenario {
	t.Helper()
	y := `name: c
duration: 1m
system: {kind: rds, engine: ` + engine + `, instance_class: ` + class + `, multi_az: ` + multiAZ + `, storage: {size: ` + storage + `}}
workload: [{name: w, arrival: {rate: 10/s}, mix: {read: 1, write: 0}}]
`
	s, err := scenarios.Parse("c.yaml", []byte(y))
	require.NoError(t, err)
	return s
}

func TestRDSCostSingleAZAndEstimates(t *testing.T) {
	// Single-AZ db.r6g.xlarge (fact 7.3): $0.45 × 730 = $328.50; 200 GB ×
	// $0.115 = $23.00.
	c := MonthlyCost(rdsScenario(t, "db.r6g.xlarge", "postgres", "none", "200GB"), nil)
	assert.Equal(t, 328.50, c.InstancesUSD)
	assert.Equal(t, 23.00, c.StorageUSD)
	assert.Equal(t, 351.50, c.TotalUSD)
	assert.False(t, c.Estimated)

	// db.r6g.2xlarge is not in the table: 8 vCPUs ÷ large's 2 × $0.225 =
	// $0.90/h; Multi-AZ × 2 × 730 h = $1,314.
	c = MonthlyCost(rdsScenario(t, "db.r6g.2xlarge", "postgres", "instance", "100GB"), nil)
	assert.Equal(t, 1314.0, c.InstancesUSD)
	assert.True(t, c.Estimated)
	assert.True(t, c.Items[0].Estimated)
	assert.Contains(t, c.Items[0].Note, "db.r6g.large")
	assert.Contains(t, c.Items[0].Note, "vCPUs")

	// Burstable db.t3.micro scales by memory from db.t3.medium (fact 7.1):
	// 1 GiB ÷ 4 GiB × $0.072 = $0.018/h × 730 = $13.14.
	c = MonthlyCost(rdsScenario(t, "db.t3.micro", "postgres", "none", "20GB"), nil)
	assert.Equal(t, 13.14, c.InstancesUSD)
	assert.Contains(t, c.Items[0].Note, "memory")
	assert.True(t, c.Estimated)

	// MySQL has no entry: PostgreSQL's price of the class, estimated.
	c = MonthlyCost(rdsScenario(t, "db.r6g.large", "mysql", "none", "100GB"), nil)
	assert.Equal(t, 164.25, c.InstancesUSD) // 0.225 × 730
	assert.True(t, c.Estimated)
	assert.Contains(t, c.Items[0].Note, "no mysql price")

	// No m5 price at all: a rough guess per vCPU from db.r6g.large.
	c = MonthlyCost(rdsScenario(t, "db.m5.xlarge", "postgres", "none", "100GB"), nil)
	assert.Equal(t, 328.50, c.InstancesUSD) // 4/2 × 0.225 × 730
	assert.True(t, c.Estimated)
	assert.Contains(t, c.Items[0].Note, "rough guess")
}

func TestAuroraCostByHand(t *testing.T) {
	p := Default()
	// Standard: writer and one replica db.r6g.large, 2 × $0.26 × 730 =
	// $379.60 (fact 7.9); 100 GB × $0.10 = $10 (7.12); 50 M I/Os × $0.20/M
	// = $10 (7.13).
	c := p.AuroraCost(AuroraUsage{Engine: "postgres", Classes: []string{"db.r6g.large", "db.r6g.large"},
		StorageGB: 100, IORequestsPerMonth: 50e6})
	assert.Equal(t, 379.60, c.InstancesUSD)
	assert.Equal(t, 10.0, c.StorageUSD)
	assert.Equal(t, 10.0, c.IOUSD)
	assert.Equal(t, 399.60, c.TotalUSD)
	assert.False(t, c.Estimated)

	// I/O-Optimized: instances × 1.30 (7.11): 2 × 0.338 × 730 = $493.48;
	// storage 100 × $0.225 = $22.50 (7.12); no I/O charge.
	c = p.AuroraCost(AuroraUsage{Engine: "postgres", Classes: []string{"db.r6g.large", "db.r6g.large"},
		IOOptimized: true, StorageGB: 100, IORequestsPerMonth: 50e6})
	assert.Equal(t, 493.48, c.InstancesUSD)
	assert.Equal(t, 22.50, c.StorageUSD)
	assert.Zero(t, c.IOUSD)
	assert.Equal(t, 515.98, c.TotalUSD)

	// Serverless v2 at a mean 4 ACUs: 4 × $0.12 × 730 = $350.40, or
	// × $0.156 = $455.52 I/O-Optimized (7.14).
	c = p.AuroraCost(AuroraUsage{Engine: "postgres", MeanACU: 4})
	assert.Equal(t, 350.40, c.CapacityUSD)
	c = p.AuroraCost(AuroraUsage{Engine: "postgres", MeanACU: 4, IOOptimized: true})
	assert.Equal(t, 455.52, c.CapacityUSD)
}

func TestDynamoDBCostByHand(t *testing.T) {
	p := Default()
	month := 730 * 3600.0
	// On-demand (7.16): 1000 writes/s = 2,628 M WRU × $0.625 = $1,642.50;
	// 4000 reads/s = 10,512 M RRU × $0.125 = $1,314; storage (100 − 25 free)
	// GB × $0.25 = $18.75 (7.19).
	c := p.DynamoDBCost(DynamoDBUsage{OnDemand: true, WRUPerMonth: 1000 * month, RRUPerMonth: 4000 * month, StorageGB: 100})
	assert.Equal(t, 2956.50, c.RequestsUSD)
	assert.Equal(t, 18.75, c.StorageUSD)
	assert.Equal(t, 2975.25, c.TotalUSD)

	// Provisioned (7.17): 1000 WCU × $0.00065 × 730 = $474.50; 4000 RCU ×
	// $0.00013 × 730 = $379.60.
	c = p.DynamoDBCost(DynamoDBUsage{WCU: 1000, RCU: 4000, StorageGB: 100})
	assert.Equal(t, 854.10, c.CapacityUSD)
	assert.Equal(t, 872.85, c.TotalUSD)
}

func TestGaugeMeanOverTheMeasuredWindow(t *testing.T) {
	ser := sim.NewSeries(time.Second)
	acu := metric.Of(metric.CapacityACU)
	col := ser.Column(acu.Column())
	for i, v := range []float64{100, 100, 2, 4, 6} { // the first two are warmup
		ser.Add(sim.At(time.Duration(i)*time.Second), col, v)
	}
	m, ok := GaugeMean(&scenarios.Replication{Series: ser}, 2*time.Second, acu)
	require.True(t, ok)
	assert.Equal(t, 4.0, m)
	_, ok = GaugeMean(&scenarios.Replication{Series: ser}, 0, metric.Of(metric.Lag))
	assert.False(t, ok)
}

func TestLoadPricesReplacesTheTable(t *testing.T) {
	dir := t.TempDir()
	own := `hours_per_month: 730
rds:
  instances:
    - {engine: postgres, class: db.r6g.large, usd_per_hour: 0.1, source: "our rate card", date: "2025-06"}
  multi_az_instance: {compute: 2, storage: 2, fact: "7.4", date: "2023"}
  storage_gp3_gb_month: {usd: 0.1, source: "our rate card", date: "2025-06"}
`
	path := filepath.Join(dir, "p.yaml")
	require.NoError(t, os.WriteFile(path, []byte(own), 0o644))
	p, err := Load(path)
	require.NoError(t, err)
	s, err := scenarios.LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	c := p.MonthlyCost(s, nil)
	assert.Equal(t, 146.0, c.InstancesUSD) // 2 × 0.1 × 730
	assert.Equal(t, 20.0, c.StorageUSD)    // 100 × 2 × 0.1
	assert.Contains(t, c.Items[0].Source, "our rate card (2025-06)")

	for _, bad := range []struct{ yaml, want string }{
		{"hours_per_month: 730\nrds: {instancez: []}\n", "instancez"},
		{"hours_per_month: 0\n", "hours_per_month"},
		{"hours_per_month: 730\nrds: {storage_gp3_gb_month: {usd: 0.1, fact: \"7.6\"}}\n", "date"},
		{"hours_per_month: 730\nrds: {storage_gp3_gb_month: {usd: -1, fact: \"7.6\", date: x}}\n", "≥ 0"},
		{"hours_per_month: 730\nrds: {storage_gp3_gb_month: {usd: 1, date: x}}\n", "fact"},
		{"hours_per_month: 730\nrds: {instances: [{engine: postgres, class: db.r6g.large, usd_per_hour: 1, fact: a, date: b}, {engine: postgres, class: db.r6g.large, usd_per_hour: 2, fact: a, date: b}]}\n", "already priced"},
	} {
		_, err := Parse("p.yaml", []byte(bad.yaml))
		require.Error(t, err, bad.yaml)
		assert.Contains(t, err.Error(), bad.want, bad.yaml)
		assert.True(t, strings.HasPrefix(err.Error(), "p.yaml"), err.Error())
	}

	// A table without the price a system needs: priced at 0, said so.
	p, err = Parse("p.yaml", []byte("hours_per_month: 730\n"))
	require.NoError(t, err)
	c = p.MonthlyCost(s, nil)
	assert.True(t, c.Estimated)
	assert.True(t, c.Partial)
	assert.True(t, c.Items[0].Unpriced)
	assert.Contains(t, c.Items[0].Note, "not priced")
	// A sweep then has no cost for the point (package sweep's
	// TestUnpricedPointHasNoCost).
}

func TestMeanMonthlyCostOfARun(t *testing.T) {
	s, err := scenarios.LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	// RDS is billed by size: every replication costs the same, $351.50
	// (facts 7.2, 7.4, 7.6); with no replication the scenario is priced alone.
	c := (*Prices)(nil).MeanMonthlyCost(s, []*scenarios.Replication{{}, {}})
	assert.Equal(t, 351.50, c.TotalUSD)
	assert.Equal(t, MonthlyCost(s, nil), c)
	assert.Equal(t, 351.50, Default().MeanMonthlyCost(s, nil).TotalUSD)
}

func TestGlobalDatabaseCostByHand(t *testing.T) {
	p := Default()
	// A secondary db.r6g.large in us-west-2, priced as us-east-1's $0.26/h
	// (facts 7.9, 7.24; estimated: the table is us-east-1's): $189.80;
	// its volume 100 GB × $0.10 = $10 (7.12); 30 M replicated write I/Os
	// × $0.20/M = $6 (7.22); 120 GB of redo × $0.02 = $2.40 (7.23).
	u := AuroraUsage{Engine: "postgres", Classes: []string{"db.r6g.large"}, StorageGB: 100, IORequestsPerMonth: 50e6,
		Secondaries: []AuroraSecondary{{Region: "us-west-2", Class: "db.r6g.large"}}, WriteIOsPerMonth: 30e6, RedoGBPerMonth: 120}
	c := p.AuroraCost(u)
	assert.Equal(t, 379.60, c.InstancesUSD)
	assert.Equal(t, 20.0, c.StorageUSD)
	assert.Equal(t, 16.0, c.IOUSD)
	assert.Equal(t, 2.40, c.TransferUSD)
	assert.Equal(t, 418.0, c.TotalUSD)
	assert.True(t, c.Estimated, "us-west-2 priced at us-east-1's prices")
	var sec Item
	for _, it := range c.Items {
		if it.Category == catInstances && strings.Contains(it.What, "secondary") {
			sec = it
		}
	}
	assert.Equal(t, "db.r6g.large postgres secondary in us-west-2", sec.What)
	assert.True(t, sec.Estimated)
	assert.Contains(t, sec.Note, "us-east-1's")

	// I/O-Optimized: no replicated write I/O charge (7.22), instances and
	// storage at its prices (7.11, 7.12); the transfer is the same.
	u.IOOptimized = true
	c = p.AuroraCost(u)
	assert.Zero(t, c.IOUSD)
	assert.Equal(t, 493.48, c.InstancesUSD) // 2 × $0.26 × 1.30 × 730
	assert.Equal(t, 45.0, c.StorageUSD)     // 2 × 100 GB × $0.225
	assert.Equal(t, 2.40, c.TransferUSD)

	// A secondary in the table's own Region is not estimated.
	c = p.AuroraCost(AuroraUsage{Engine: "postgres", Classes: []string{"db.r6g.large"}, StorageGB: 100,
		Secondaries: []AuroraSecondary{{Region: "us-east-1", Class: "db.r6g.large"}}})
	assert.False(t, c.Estimated)
}

func TestGlobalDatabaseCostOfARun(t *testing.T) {
	// aurora-global-failover: 150 writes/s of 1 KB items (one 4 KB I/O
	// unit each) and 4 KB of redo per write (system.global's default),
	// held for a month: 150 × 2.628e6 s ≈ 394 M replicated write I/Os
	// ($78.84, fact 7.22) and 1,615 GB of redo ($32.29, fact 7.23).
	s, err := scenarios.LoadBundled("aurora-global-failover")
	require.NoError(t, err)
	lat := sim.NewLatency()
	for range 150 * 60 {
		lat.Record(time.Millisecond)
	}
	rep := &scenarios.Replication{SimulatedSeconds: 60, Series: sim.NewSeries(time.Second), Latency: scenarios.Latencies{Write: lat, Read: sim.NewLatency()}}
	c := MonthlyCost(s, rep)
	var replicated, redo Item
	for _, it := range c.Items {
		switch {
		case strings.HasPrefix(it.What, "write I/Os replicated"):
			replicated = it
		case it.Category == catTransfer:
			redo = it
		}
	}
	assert.Equal(t, "write I/Os replicated to us-west-2", replicated.What)
	assert.InDelta(t, 394.2, replicated.Quantity, 0.1)
	assert.Equal(t, 78.84, replicated.USD)
	assert.True(t, replicated.Estimated)
	assert.Equal(t, "redo shipped to us-west-2", redo.What)
	assert.InDelta(t, 150*2.628e6*4096/1e9, redo.Quantity, 0.01)
	assert.Equal(t, 32.29, redo.USD)
	assert.Equal(t, redo.USD, c.TransferUSD)
}

func TestCrossRegionReplicaTransferCost(t *testing.T) {
	// promote-lagging-replica: a MySQL replica in us-west-2 receives the
	// log of 500 writes/s, 2 KB each (recovery.redo_per_write's default),
	// for a month: 500 × 2.628e6 × 2048 B ≈ 2,691 GB × $0.02 = $53.82
	// (fact 7.23). Its instance is priced at us-east-1's price, estimated.
	s, err := scenarios.LoadBundled("promote-lagging-replica")
	require.NoError(t, err)
	lat := sim.NewLatency()
	for range 500 * 60 {
		lat.Record(time.Millisecond)
	}
	c := MonthlyCost(s, &scenarios.Replication{SimulatedSeconds: 60, Latency: scenarios.Latencies{Write: lat}})
	assert.Equal(t, 53.82, c.TransferUSD)
	last := c.Items[len(c.Items)-1]
	assert.Equal(t, "read replica 1: log shipped to us-west-2", last.What)
	assert.Contains(t, last.Note, "estimated")
	// Without a run there are no writes to count: the line is unpriced.
	c = MonthlyCost(s, nil)
	assert.True(t, c.Partial)
	assert.Zero(t, c.TransferUSD)
}
