package scenarios

import (
	"fmt"

	"dbsim/models/cluster"
	"dbsim/models/proxy"
	"dbsim/sim"
)

// withProxy puts RDS Proxy in front of a built rds or aurora system when
// the scenario turns it on: the clients' writer endpoint becomes the
// proxy's; a reader endpoint stays the database's (the proxy's read-only
// endpoints are not modelled).
func (s *Scenario) withProxy(sys *system, px RDSProxy, k *sim.Kernel, net *cluster.Net, log *cluster.Log,
	writer func() *cluster.Host) error {
	if !s.Has("system.proxy") || !px.Enabled {
		return nil
	}
	cfg := proxy.Defaults()
	az, err := net.T.Lookup(s.Clients.AZ)
	if err != nil {
		return err
	}
	cfg.AZ = az
	if s.Has("system.proxy.latency") {
		if cfg.Latency, err = px.Latency.Sampler(); err != nil {
			return fmt.Errorf("system.proxy.latency: %w", err)
		}
	}
	if s.Has("system.proxy.max_connections_percent") {
		cfg.MaxConnectionsPercent = px.MaxConnectionsPercent
	}
	if s.Has("system.proxy.borrow_timeout") {
		cfg.BorrowTimeout = px.BorrowTimeout.D()
	}
	cfg.Pinned = px.Pinned
	if s.Has("system.proxy.monitor_interval") {
		cfg.Monitor = px.MonitorInterval.D()
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	p := proxy.New(k, net, cfg, writer, log)
	eps := append([]*cluster.Record(nil), sys.endpoints...)
	eps[0] = p.Endpoint()
	sys.endpoints = eps
	return nil
}
