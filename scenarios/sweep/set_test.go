package sweep

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

func tiny(t *testing.T) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load("../testdata/tiny.yaml")
	require.NoError(t, err)
	return s
}

func axes(t *testing.T, sets ...string) []Axis {
	t.Helper()
	var out []Axis
	for _, s := range sets {
		ax, err := ParseSet(s)
		require.NoError(t, err, s)
		out = append(out, ax)
	}
	return out
}

func TestParseSet(t *testing.T) {
	ax, err := ParseSet("system.instance_class=db.r6g.large, db.r6g.xlarge")
	require.NoError(t, err)
	assert.Equal(t, []string{"system.instance_class"}, ax.Paths)
	assert.Equal(t, [][]string{{"db.r6g.large"}, {"db.r6g.xlarge"}}, ax.Values)

	// Commas inside brackets belong to the value (a YAML flow list).
	ax, err = ParseSet("topology.azs=[a, b],[a, b, c]")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"[a, b]"}, {"[a, b, c]"}}, ax.Values)

	// Zipped paths move together.
	ax, err = ParseSet("system.multi_az+system.standby_az=none+~,instance+us-east-1b")
	require.NoError(t, err)
	assert.Equal(t, []string{"system.multi_az", "system.standby_az"}, ax.Paths)
	assert.Equal(t, [][]string{{"none", "~"}, {"instance", "us-east-1b"}}, ax.Values)

	for _, bad := range []struct{ arg, want string }{
		{"system.instance_class", "want PATH=V1,V2"},
		{"=a,b", "want PATH=V1,V2"},
		{"System.Class=a", "keys are lower_case"},
		{"workload[x].name=a", "not an index"},
		{"workload[0=a", "missing ]"},
		{"a.=1", "ends with a dot"},
		{"seed=1,,2", "empty value"},
		{"seed=1,1", "given twice"},
		{"seed+duration=1", "one per path"},
		{"seed+seed=1+2", "named twice"},
	} {
		_, err := ParseSet(bad.arg)
		require.Error(t, err, bad.arg)
		assert.Contains(t, err.Error(), bad.want, bad.arg)
	}
}

func TestSetWritesKeysTheFileLeavesOut(t *testing.T) {
	base := tiny(t)
	require.False(t, base.Has("system.storage.size"))
	sw := &Sweep{Base: base, Axes: axes(t, "system.storage.size=200GB", "clients.dns_cache=ttl,3m", "system.replication.ack_timeout=3s")}
	points, err := sw.Points()
	require.NoError(t, err)
	require.Len(t, points, 2)
	assert.Equal(t, scenarios.Size(200<<30), points[0].Scenario.System.RDS.Storage.Size)
	assert.Equal(t, "3m", points[1].Scenario.Clients.DNSCache)
	assert.True(t, points[0].Scenario.Has("system.replication.ack_timeout"))
	// The base scenario is untouched.
	assert.Equal(t, scenarios.Size(100<<30), base.System.RDS.Storage.Size)
}

func TestZippedSetRemovesAKey(t *testing.T) {
	// A single-AZ point cannot name a standby AZ: zip the two, with ~
	// (null: not written) for the standby of the single-AZ point.
	s, err := scenarios.LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	_, err = (&Sweep{Base: s, Axes: axes(t, "system.multi_az=none,instance")}).Points()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "system.standby_az: applies only to multi_az: instance")
	assert.Contains(t, err.Error(), "zip")

	points, err := (&Sweep{Base: s, Axes: axes(t, "system.multi_az+system.standby_az=none+~,instance+us-east-1c")}).Points()
	require.NoError(t, err)
	assert.Equal(t, "none", points[0].Scenario.System.RDS.MultiAZ)
	assert.False(t, points[0].Scenario.Has("system.standby_az"))
	assert.Equal(t, "us-east-1c", points[1].Scenario.System.RDS.StandbyAZ)
}

func TestSetErrorsArePlacedInTheUsersFile(t *testing.T) {
	s, err := scenarios.LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	file := "scenarios/library/rds-multi-az-failover.yaml"
	for _, c := range []struct{ set, want string }{
		// A key that does not exist: at the enclosing mapping (system: is
		// line 17), with a suggestion.
		{"system.instance_clas=db.r6g.large", file + ":17:1: --set system.instance_clas=db.r6g.large: system.instance_clas does not exist: in system, unknown key \"instance_clas\""},
		{"system.instance_clas=db.r6g.large", "did you mean instance_class?"},
		// An item the file does not have (workload: is line 33).
		{"workload[3].arrival.rate=1/s", file + ":33:1: --set workload[3].arrival.rate=1/s: workload[3] does not exist: workload has 1 item(s)"},
		{"seed.x=1", file + ":8:7: --set seed.x=1: seed is a single value, it has no key \"x\""},
		// A bad value: where the value was written, naming the --set.
		{"system.instance_class=db.r6g.large,db.nope", file + ":20:19: --set system.instance_class=db.nope: system.instance_class: unknown instance class \"db.nope\""},
		{"clients.retry.max_attempts=x", file + ":31:25: --set clients.retry.max_attempts=x: clients.retry.max_attempts: expected an integer, got \"x\""},
		{"workload[0].arrival.rate=1000", "--set workload[0].arrival.rate=1000: workload[0].arrival.rate:"},
		{"seed=[1", "--set seed=[1: value \"[1\": not valid YAML"},
	} {
		_, err := (&Sweep{Base: s, Axes: axes(t, c.set)}).Points()
		require.Error(t, err, c.set)
		assert.Contains(t, err.Error(), c.want, c.set)
		_, ok := err.(Errors)
		assert.True(t, ok, "%T", err)
	}
}

func TestSetTheSameFieldTwiceIsRefused(t *testing.T) {
	_, err := (&Sweep{Base: tiny(t), Axes: axes(t, "system.failover.promotion=5s,10s", "system.failover={promotion: 1s}")}).Points()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "system.failover overlaps system.failover.promotion")
	_, err = (&Sweep{Base: tiny(t), Axes: axes(t, "seed=1,2", "seed=3")}).Points()
	assert.ErrorContains(t, err, "seed overlaps seed")
}
