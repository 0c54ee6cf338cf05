package scenarios_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
	"dbsim/scenarios/sweep"
)

// A panic in a replication of a sweep (which runs its replications on
// scenarios.RunJobs) is returned as the run's is: a *PanicError.
func TestPanicInASweepIsAnError(t *testing.T) {
	scenarios.SetReplicationHook(func(s *scenarios.Scenario, i int) {
		if i == 1 {
			panic("injected")
		}
	})
	defer scenarios.SetReplicationHook(nil)
	s, err := scenarios.LoadBundled("rds-multi-az-failover")
	require.NoError(t, err)
	s.Duration = scenarios.Duration(10 * time.Second)
	s.Warmup = 0
	ax, err := sweep.ParseSet("seed=1,2")
	require.NoError(t, err)
	sw := &sweep.Sweep{Base: s, Axes: []sweep.Axis{ax}, Replications: 2}
	_, err = sw.Run(sweep.Options{})
	var pe *scenarios.PanicError
	require.ErrorAs(t, err, &pe, "a sweep returns the panic too")
}
