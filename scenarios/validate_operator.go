package scenarios

import "fmt"

// operatorFault checks the faults an operator triggers: a manual failover
// needs a copy to fail over to (a Multi-AZ DB cluster, an aurora cluster
// with replicas); an engine crash needs a database engine (rds, aurora).
func (v *validator) operatorFault(i int) {
	f := &v.s.Faults[i]
	p := fmt.Sprintf("faults[%d].kind", i)
	rdsSys, auroraSys := v.s.System.RDS, v.s.System.Aurora
	switch f.Kind {
	case "manual-failover":
		switch {
		case auroraSys != nil && len(auroraSys.Replicas) == 0:
			v.errorf(p, "manual-failover needs an aurora replica to promote (system.replicas)")
		case rdsSys != nil && rdsSys.MultiAZ != "cluster":
			v.errorf(p, "manual-failover applies to a Multi-AZ DB cluster (multi_az: cluster); a Multi-AZ instance takes reboot-with-failover")
		case rdsSys == nil && auroraSys == nil:
			v.errorf(p, "manual-failover applies to rds (multi_az: cluster) and aurora")
		}
	case "engine-crash":
		if rdsSys == nil && auroraSys == nil {
			v.errorf(p, "engine-crash applies to rds and aurora")
		}
	}
}
