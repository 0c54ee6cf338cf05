package scenarios

import (
	"fmt"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// Dist converts a distribution of spans into a sim.Dist in seconds.
func (d DistSpec) Sampler() (sim.Dist, error) {
	s := func(x Duration) float64 { return x.D().Seconds() }
	switch d.Dist {
	case "constant":
		return sim.Constant(s(d.Value)), nil
	case "uniform":
		return sim.Uniform(s(d.Min), s(d.Max)), nil
	case "exponential":
		return sim.Exponential(s(d.Mean)), nil
	case "normal":
		return sim.Normal(s(d.Mean), s(d.StdDev)), nil
	case "lognormal":
		return sim.LogNormalP50P99(s(d.P50), s(d.P99))
	case "pareto":
		return sim.Pareto(s(d.Xm), d.Alpha), nil
	case "empirical":
		xs := make([]float64, len(d.Samples))
		for i, v := range d.Samples {
			xs[i] = s(v)
		}
		return sim.Empirical(xs)
	}
	return nil, fmt.Errorf("unknown distribution %q", d.Dist)
}

// clientConfig converts the clients block.
func (s *Scenario) clientConfig(t *cluster.Topology) (client.Config, error) {
	c := s.Clients
	az, err := t.Lookup(c.AZ)
	if err != nil {
		return client.Config{}, err
	}
	jitter := named(client.Jitters, c.Retry.Jitter)
	retry := client.Retry{MaxAttempts: c.Retry.MaxAttempts, Base: c.Retry.Base.D(), Cap: c.Retry.Cap.D(), Jitter: jitter}
	if c.SDK != "" {
		// The SDK's preset (its throttling backoff and retry quota), with
		// the four retry keys, which validation filled from the preset
		// where the file leaves them out.
		sdk, err := client.SDKRetry(c.SDK)
		if err != nil {
			return client.Config{}, err
		}
		sdk.MaxAttempts, sdk.Base, sdk.Cap, sdk.Jitter = retry.MaxAttempts, retry.Base, retry.Cap, retry.Jitter
		retry = sdk
	}
	if b := c.Retry.Budget; s.Has("clients.retry.budget") {
		retry.Quota = client.RetryQuota{Capacity: b.Tokens, Cost: b.Cost, TimeoutCost: b.TimeoutCost, Refund: b.Refund}
	}
	return client.Config{
		Validation: named(client.Validations, c.PoolValidation), Driver: named(client.Drivers, c.Driver), TopologyRefresh: c.TopologyRefresh.D(),
		AZ: az, Instances: c.Instances, Connections: c.Connections,
		ConnectTimeout: c.ConnectTimeout.D(), Timeout: c.Timeout.D(), PoolTimeout: c.PoolTimeout.D(),
		MaxInFlight:   c.MaxInFlight,
		Retry:         retry,
		DNSCacheFor:   c.DNSCacheFor,
		HandshakeRTTs: 3, // TCP, TLS, authentication
	}, nil
}
