package pricing

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"dbsim/scenarios"
	"dbsim/sim"
)

func TestDynamoDBCostFromTheRun(t *testing.T) {
	series := sim.NewSeries(time.Second)
	set := func(name string, v float64) {
		c := series.Column(name)
		for s := 0; s < 60; s++ {
			series.Set(sim.At(time.Duration(s)*time.Second), c, v)
		}
	}
	set("provisioned_wcu", 1000)
	set("provisioned_rcu", 3000)
	set("provisioned_wcu:by-status", 200) // an index: billed too
	set("consumed_wcu:p0", 999)           // a partition: not billed twice
	set("consumed_wcu", 500)
	set("consumed_rcu", 2000)
	rep := &scenarios.Replication{Series: series, SimulatedSeconds: 60}

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
