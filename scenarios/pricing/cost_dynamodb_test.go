package pricing

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"dbsim/models/metric"
	"dbsim/scenarios"
	"dbsim/sim"
)

func TestDynamoDBCostFromTheRun(t *testing.T) {
	series := sim.NewSeries(time.Second)
	var gauges []metric.ID
	set := func(id metric.ID, v float64) {
		gauges = append(gauges, id)
		c := series.Column(id.Column())
		for s := 0; s < 60; s++ {
			series.Set(sim.At(time.Duration(s)*time.Second), c, v)
		}
	}
	set(metric.Of(metric.ProvisionedWCU), 1000)
	set(metric.Of(metric.ProvisionedRCU), 3000)
	set(metric.OfIndex(metric.ProvisionedWCU, "by-status"), 200) // an index: billed too
	set(metric.OfPartition(metric.ConsumedWCU, "", 0), 999)      // a partition: not billed twice
	set(metric.Of(metric.ConsumedWCU), 500)
	set(metric.Of(metric.ConsumedRCU), 2000)
	rep := &scenarios.Replication{Series: series, Gauges: gauges, SimulatedSeconds: 60}

	s := &scenarios.Scenario{System: scenarios.System{Kind: "dynamodb", DynamoDB: &scenarios.DynamoDBSystem{Table: scenarios.DynamoDBTable{Mode: "provisioned"}}}}
	c := Default().MonthlyCost(s, rep)
	// fact 7.17: $0.00065 per WCU-hour, $0.00013 per RCU-hour; 730 h.
	assert.InDelta(t, (1200*0.00065+3000*0.00013)*730, c.TotalUSD, 0.01)

	s.System.DynamoDB.Table.Mode = "on-demand"
	c = Default().MonthlyCost(s, rep)
	// fact 7.16: $0.625 per million WRU, $0.125 per million RRU.
	month := 730 * 3600.0
	assert.InDelta(t, (500*0.625+2000*0.125)*month/1e6, c.TotalUSD, 0.01)
}

func TestKeyspacesIsPricedWithItsOwnPrices(t *testing.T) {
	// Fact 7.30: Amazon Keyspaces' us-east-1 prices, from its own rows of
	// the price table (here set apart from DynamoDB's to show which are
	// used): provisioned $0.00065 per WCU-hour and $0.00013 per RCU-hour,
	// storage $0.25 per GB-month with no free GB.
	s := &scenarios.Scenario{System: scenarios.System{Kind: "dynamodb", DynamoDB: &scenarios.DynamoDBSystem{Service: "keyspaces",
		Table: scenarios.DynamoDBTable{Mode: "provisioned", Size: 100 << 30}}}}
	c := Default().MonthlyCost(s, nil)
	assert.False(t, c.Partial)
	assert.InDelta(t, 100*0.25, c.TotalUSD, 0.01, "no capacity measured: only the 100 GB, none of them free")
	for _, it := range c.Items {
		if it.Category == catStorage {
			assert.Contains(t, it.Source, "7.30")
		}
	}

	p := *Default()
	p.Keyspaces.ProvisionedWCUHour.USD = 0.001
	p.Keyspaces.StorageGBMonth.USD = 0
	u := DynamoDBUsage{WCU: 1000, RCU: 3000, Keyspaces: true}
	assert.InDelta(t, (1000*0.001+3000*0.00013)*730, p.DynamoDBCost(u).TotalUSD, 0.01)
	u.Keyspaces = false
	assert.InDelta(t, (1000*0.00065+3000*0.00013)*730, p.DynamoDBCost(u).TotalUSD, 0.01)

	u = DynamoDBUsage{OnDemand: true, WRUPerMonth: 2e6, RRUPerMonth: 8e6, Keyspaces: true}
	assert.InDelta(t, 2*0.625+8*0.125, Default().DynamoDBCost(u).TotalUSD, 0.001)
}

func TestDynamoDBGlobalTableCost(t *testing.T) {
	// Fact 5.46: every replica table bills each write in replicated write
	// units, priced as the single-Region units: a table of 1,000 WCU with
	// replicas in two other Regions pays 3 × 1,000 write units an hour.
	u := DynamoDBUsage{WCU: 1000, RCU: 100, ReplicaRegions: 2}
	c := Default().DynamoDBCost(u)
	assert.InDelta(t, (3*1000*0.00065+100*0.00013)*730, c.TotalUSD, 0.01)
	u = DynamoDBUsage{OnDemand: true, WRUPerMonth: 4e6, ReplicaRegions: 1}
	c = Default().DynamoDBCost(u)
	assert.InDelta(t, 2*4*0.625, c.TotalUSD, 0.01)
	var unpriced bool
	for _, it := range c.Items {
		unpriced = unpriced || it.Unpriced
	}
	assert.True(t, unpriced, "the replicas' reads, storage and transfer are listed as not priced")
}
