package sweep

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGridOrderIsNestedLoopsFirstAxisOutermost(t *testing.T) {
	sw := &Sweep{Base: tiny(t), Axes: axes(t,
		"system.instance_class=db.r6g.large,db.r6g.xlarge",
		"workload[0].arrival.rate=100/s,200/s,300/s")}
	require.Equal(t, 6, sw.Size())
	points, err := sw.Points()
	require.NoError(t, err)
	var got []string
	for i, p := range points {
		assert.Equal(t, i, p.Index)
		assert.Equal(t, sw.Steps(i), p.Steps)
		got = append(got, strings.Join(p.Values, " "))
		// The value reached the scenario, parsed as a hand-written one.
		assert.Equal(t, p.Values[0], p.Scenario.System.RDS.InstanceClass)
		assert.Equal(t, p.Values[1], p.Scenario.Workload[0].Arrival.Rate.String())
	}
	assert.Equal(t, []string{
		"db.r6g.large 100/s", "db.r6g.large 200/s", "db.r6g.large 300/s",
		"db.r6g.xlarge 100/s", "db.r6g.xlarge 200/s", "db.r6g.xlarge 300/s",
	}, got)
	assert.Equal(t, []string{"system.instance_class", "workload[0].arrival.rate"}, sw.Columns())
}
