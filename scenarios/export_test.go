package scenarios

// SetReplicationHook sets replicationHook for the tests of package
// scenarios_test, which run what other packages build on the runner (a
// sweep) and cannot reach it otherwise.
func SetReplicationHook(f func(s *Scenario, i int)) { replicationHook = f }
