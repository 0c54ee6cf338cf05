package scenarios

import "dbsim/models/rds"

// creditModes are the values of system.cpu_credits.mode: RDS's own first
// (fact 10.7).
var creditModes = []string{"unlimited", "standard"}

// rdsCredits fills and checks system.cpu_credits: the CPU credits of the
// burstable classes (db.t3, db.t4g). The key applies only when the primary
// or a read replica is of such a class; then the mode defaults to RDS's.
func (v *validator) rdsCredits(r *RDSSystem) {
	const p = "system.cpu_credits"
	c := &r.CPUCredits
	var burstable []rds.Class
	known := true
	classes := []string{r.InstanceClass}
	for _, rr := range r.ReadReplicas {
		classes = append(classes, rr.InstanceClass)
	}
	for _, name := range classes {
		cl, ok := rds.LookupClass(name)
		known = known && ok
		if ok && cl.Burstable {
			burstable = append(burstable, cl)
		}
	}
	if len(burstable) == 0 {
		if known && v.has(p) { // an unknown class is reported as such already
			v.errorf(p, "applies only to burstable instance classes, which run on CPU credits (fact 10.2), and %s is not one (allowed: db.t3.* or db.t4g.* as instance_class or a read replica's class)", r.InstanceClass)
		}
		return
	}
	v.defaultString(p+".mode", &c.Mode, rdsDefaults.Credits.Mode.String())
	v.oneOf(p+".mode", "cpu_credits mode", c.Mode, creditModes)
	if v.has(p + ".initial") {
		least := burstable[0]
		for _, cl := range burstable[1:] {
			if cl.CreditLimit() < least.CreditLimit() {
				least = cl
			}
		}
		if c.Initial < 0 || c.Initial > least.CreditLimit() {
			v.errorf(p+".initial", "must be 0 to %s credits, got %s (a %s holds at most the %s credits it earns in 24 h, fact 10.3; RDS starts it with 0, fact 10.4)",
				formatNumber(least.CreditLimit()), formatNumber(c.Initial), least.Name, formatNumber(least.CreditLimit()))
		}
	}
}
