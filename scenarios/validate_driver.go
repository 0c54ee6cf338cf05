package scenarios

import (
	"time"

	"dbsim/models/client"
)

// clientDriver checks the clients' driver and pool keys.
func (v *validator) clientDriver(c *Clients) {
	const p = "clients."
	v.defaultString(p+"pool_validation", &c.PoolValidation, client.NoValidation.String())
	v.oneOf(p+"pool_validation", "pool_validation", c.PoolValidation, names(client.Validations))

	v.defaultString(p+"driver", &c.Driver, client.DNSDriver.String())
	v.oneOf(p+"driver", "driver", c.Driver, names(client.Drivers))
	if c.Driver != client.TopologyAware.String() {
		if v.has(p + "topology_refresh") {
			v.errorf(p+"topology_refresh", "applies only to driver: topology-aware")
		}
		return
	}
	v.defaultPositive(p+"topology_refresh", &c.TopologyRefresh, Duration(5*time.Second)) // fact 3.25
	rdsSys, auroraSys := v.s.System.RDS, v.s.System.Aurora
	switch {
	case rdsSys == nil && auroraSys == nil:
		v.errorf(p+"driver", "topology-aware reads an aurora or rds cluster's topology")
	case rdsSys != nil && rdsSys.MultiAZ != "cluster":
		v.errorf(p+"driver", "topology-aware needs a cluster topology: aurora or rds multi_az: cluster (a Multi-AZ instance has none)")
	case v.has("system.proxy"):
		v.errorf(p+"driver", "topology-aware connects to the writer directly, bypassing system.proxy: use one or the other")
	}
}
