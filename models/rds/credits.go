package rds

import (
	"fmt"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/metric"
)

// CPU credits of the burstable classes (db.t3, db.t4g; facts 10.1–10.7).
// Every host of a burstable class has its account (cluster.CPUCredits),
// brought up to date once a second from its engine's busy vCPUs; a host in
// Standard mode whose balance is spent is held to its baseline (its
// statements run slower, see cluster.CPUCredits) until it has earned some
// back. The primary's and each read replica's record follows its role
// across failovers and promotions, as the load gauges do.

// creditTick is how often the accounts are brought up to date (AWS
// accounts at millisecond resolution, fact 10.1; a second is the time
// series' resolution and far below a balance's minutes).
const creditTick = time.Second

// roleCredits is the credit record of one role and how to find the node
// that holds it now.
type roleCredits struct {
	rec  *cluster.CreditRecord
	node func() *node
}

// startCredits opens the records of the roles that burstable hosts serve
// and starts the accounting, if there are any.
func (m *Model) startCredits() {
	add := func(name string, n func() *node) {
		if a := n().credits; a != nil {
			m.credits = append(m.credits, &roleCredits{rec: cluster.NewCreditRecord(name, a, m.k.Now()), node: n})
		}
	}
	add("primary", func() *node { return m.primary })
	for _, r := range m.replicas {
		add(r.name, func() *node { return r.n })
	}
	if m.hasAccounts() {
		m.k.After(creditTick, m.tickCredits)
	}
}

// hasAccounts reports whether any host has a credit account.
func (m *Model) hasAccounts() bool {
	m.collectNodes()
	return len(m.nodes) > 0
}

// collectNodes lists, in m.nodes, every live host with a credit account
// once: the primary, the Multi-AZ standby, the replicas and cluster
// standbys.
func (m *Model) collectNodes() {
	m.nodes = m.nodes[:0]
	add := func(n *node) {
		if n == nil || n.credits == nil {
			return
		}
		for _, x := range m.nodes {
			if x == n {
				return
			}
		}
		m.nodes = append(m.nodes, n)
	}
	add(m.primary)
	add(m.standby)
	for _, r := range m.readers {
		add(r.n)
	}
}

// tickCredits brings every account up to date, says when a host runs out
// of credits or gets them back, and adds the second to the roles' records.
func (m *Model) tickCredits() {
	m.k.After(creditTick, m.tickCredits)
	now := m.k.Now()
	m.collectNodes()
	for _, n := range m.nodes {
		a := n.credits
		if a.Advance(now, n.host.Up()) {
			m.creditsChanged(n)
		}
	}
	for _, rc := range m.credits {
		rc.rec.Observe(rc.node().credits, now)
	}
}

// roleOf names the role n serves: "primary", "standby", "replica-1".
func (m *Model) roleOf(n *node) string {
	switch {
	case n == m.primary:
		return "primary"
	case n == m.standby:
		return "standby"
	case n.rep != nil:
		return n.rep.name
	}
	return "instance"
}

// creditsChanged tells the narrative that n ran out of credits or got
// them back; in Standard mode its capacity changed, which the plots mark.
func (m *Model) creditsChanged(n *node) {
	a := n.credits
	c := a.Class()
	role := m.roleOf(n)
	who := fmt.Sprintf("%s (%s)", n.host.Name, role)
	switch {
	case a.Out() && a.Mode() == cluster.Standard:
		m.log.Markf(cluster.CreditsOut, role+" out of credits",
			"%s has spent its CPU credits: held to its baseline, %.0f %% of each of its %d vCPUs (%s, Standard mode), until it earns %g back",
			who, 100*c.Baseline(), c.VCPUs, c.Name, float64(cluster.ResumeCreditsPerVCPU*c.VCPUs))
	case a.Out():
		m.log.Addf("%s has spent its CPU credits: it bursts on surplus credits, billed per vCPU-hour unless earnings pay them down (%s, Unlimited mode)",
			who, c.Name)
	case a.Mode() == cluster.Standard:
		m.log.Markf(cluster.FullSpeed, role+" full speed",
			"%s has earned %.1f CPU credits back: above its baseline again, at full speed after %s held to it",
			who, a.Balance(), a.Span().Round(time.Second))
	default:
		m.log.Addf("%s has paid its surplus credits down and earned %.1f CPU credits again, after %s on surplus",
			who, a.Balance(), a.Span().Round(time.Second))
	}
}

// creditGauges are, per role a burstable host serves, its
// metric.CPUCreditBalance and, in Unlimited mode, its
// metric.CPUSurplusCredits (the account of the host that holds the role
// now; 0 while none does).
func (m *Model) creditGauges() []cluster.Gauge {
	var g []cluster.Gauge
	for _, rc := range m.credits {
		g = append(g, cluster.Gauge{ID: metric.OfInstance(metric.CPUCreditBalance, rc.rec.Name), Sample: func() float64 {
			if a := rc.node().credits; a != nil {
				return a.Balance()
			}
			return 0
		}})
		if rc.rec.Mode == cluster.Unlimited {
			g = append(g, cluster.Gauge{ID: metric.OfInstance(metric.CPUSurplusCredits, rc.rec.Name), Sample: func() float64 {
				if a := rc.node().credits; a != nil {
					return a.Surplus()
				}
				return 0
			}})
		}
	}
	return g
}

// CreditRecords implements cluster.Credited: the primary's and each
// burstable read replica's CPU credit record, when the class is
// burstable.
func (m *Model) CreditRecords() []*cluster.CreditRecord {
	out := make([]*cluster.CreditRecord, len(m.credits))
	for i, rc := range m.credits {
		out[i] = rc.rec
	}
	return out
}
