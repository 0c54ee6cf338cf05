package pricing

import (
	"fmt"

	"dbsim/models/cluster"
	"dbsim/scenarios"
)

// rdsCreditCost prices the surplus CPU credits of the burstable instances
// (db.t3, db.t4g) that run in Unlimited mode, one line per role: the
// credits rep's measured window spent beyond those it earned (its mean use
// above the baseline), held for a month, as vCPU-hours of 60 credits at
// the table's price (fact 7.20). That is what AWS bills once a day's
// surplus is not paid down by the day's earnings (fact 10.6); the credits
// an instance had accrued before the window are left out, as a month's
// bill would hardly notice them. Standard mode is never billed: it slows
// instead. Nothing is priced without a replication.
func (p *Prices) rdsCreditCost(b *costBuilder, r *scenarios.RDSSystem, rep *scenarios.Replication) {
	if rep == nil {
		return
	}
	price := p.RDS.CPUCreditsVCPUHour
	for _, c := range rep.Credits {
		if c.Mode != cluster.Unlimited {
			continue
		}
		what := fmt.Sprintf("%s %s surplus CPU credits (Unlimited mode)", c.Name, c.Class)
		if price == (UnitPrice{}) {
			b.unpriced(catCapacity, what, "the price table has no rds.cpu_credits_vcpu_hour")
			continue
		}
		spent, earned := c.Window()
		hours := MonthlyCount(max(0, spent-earned)/60, rep.SimulatedSeconds, p.HoursPerMonth)
		it := Item{Category: catCapacity, What: what, Quantity: hours, Unit: "vCPU-hours", UnitUSD: price.USD,
			USD: hours * price.USD, Source: price.Citation.String(),
			Note: "the measured window's credits spent beyond those earned (use above the baseline), held all month"}
		if r.Engine != "postgres" && r.Engine != "mysql" && r.Engine != "mariadb" {
			it.Estimated = true
			it.Note += "; the price is RDS for MySQL, MariaDB and PostgreSQL's (RDS for SQL Server's T3 credits cost $0.144, fact 7.20)"
		}
		b.add(it)
	}
}
