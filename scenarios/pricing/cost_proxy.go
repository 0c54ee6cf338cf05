package pricing

import (
	"fmt"
	"math"

	"dbsim/models/aurora"
	"dbsim/models/rds"
	"dbsim/scenarios"
)

// proxyMinACU is the least Serverless v2 capacity RDS Proxy bills, in
// ACUs (fact 7.25).
const proxyMinACU = 8

// proxyOn reports whether the scenario puts RDS Proxy in front of its
// system.
func proxyOn(s *scenarios.Scenario, px scenarios.RDSProxy) bool {
	return s.Has("system.proxy") && px.Enabled
}

// rdsProxyCost adds RDS Proxy's line for an RDS deployment: the vCPUs of
// the instances that serve (the primary, a cluster's two standbys, the
// read replicas) × the price per vCPU-hour (fact 7.25). Whether a Multi-AZ
// instance's standby is billed is not published: dbsim leaves it out and
// marks the line estimated.
func (p *Prices) rdsProxyCost(b *costBuilder, r *scenarios.RDSSystem) {
	vcpus := 0
	add := func(class string) {
		if c, ok := rds.LookupClass(class); ok {
			vcpus += c.VCPUs
		}
	}
	add(r.InstanceClass)
	if r.MultiAZ == "cluster" {
		add(r.InstanceClass)
		add(r.InstanceClass)
	}
	for _, rr := range r.ReadReplicas {
		add(rr.InstanceClass)
	}
	p.proxyLine(b, float64(vcpus), "vCPU", p.RDS.ProxyVCPUHour, r.MultiAZ == "instance",
		"whether the Multi-AZ standby's vCPUs are billed is not published: left out")
}

// auroraProxyCost adds RDS Proxy's line for an Aurora cluster: the vCPUs
// of the writer and replicas, or for Serverless v2 the mean ACUs summed
// (at least 8), × the price per unit-hour (fact 7.25).
func (p *Prices) auroraProxyCost(c Cost, s *scenarios.Scenario, meanACU float64) Cost {
	a := s.System.Aurora
	b := costBuilder{items: c.Items}
	if s.Has("system.serverless") {
		p.proxyLine(&b, math.Max(meanACU, proxyMinACU), "ACU", p.Aurora.ProxyACUHour, false, "")
		return b.cost()
	}
	vcpus := 0
	for _, name := range append([]string{a.InstanceClass}, replicaClasses(a)...) {
		if cl, ok := aurora.LookupClass(name); ok {
			vcpus += cl.VCPUs
		}
	}
	p.proxyLine(&b, float64(vcpus), "vCPU", p.RDS.ProxyVCPUHour, false, "")
	return b.cost()
}

func replicaClasses(a *scenarios.AuroraSystem) []string {
	var out []string
	for _, r := range a.Replicas {
		c := r.InstanceClass
		if c == "" {
			c = a.InstanceClass
		}
		out = append(out, c)
	}
	return out
}

func (p *Prices) proxyLine(b *costBuilder, units float64, unit string, price UnitPrice, estimated bool, note string) {
	what := fmt.Sprintf("RDS Proxy: %s %ss", formatCount(units), unit)
	if price == (UnitPrice{}) {
		b.unpriced(catInstances, what, "the price table has no RDS Proxy price")
		return
	}
	hours := p.HoursPerMonth
	it := Item{Category: catInstances, What: what, Quantity: units * hours, Unit: unit + "-hours", UnitUSD: price.USD,
		USD: UnitHoursUSD(units, price.USD, hours), Source: price.Citation.String(), Estimated: estimated, Note: price.Note}
	if note != "" {
		it.Note = note
	}
	b.add(it)
}
