package cluster

import (
	"math"
	"slices"
	"strings"
)

// Class is a DB instance class: its vCPUs set an engine's concurrency (one
// worker per vCPU).
type Class struct {
	Name      string
	VCPUs     int
	MemoryGiB float64
	// Burstable classes (t3, t4g) run on CPU credits (credits.go): they
	// earn CreditsPerHour (fact 10.2) and spend one credit per vCPU-minute
	// of work (fact 10.1).
	Burstable      bool
	CreditsPerHour float64
}

// CreditLimit is the most earned credits a burstable class can hold: what
// it earns in 24 hours (fact 10.3). 0 for other classes.
func (c Class) CreditLimit() float64 { return 24 * c.CreditsPerHour }

// Baseline is the share of each vCPU a burstable class can use for ever on
// what it earns: credits per hour ÷ vCPUs ÷ 60 (fact 10.2), 0.2 for a
// db.t3.medium. 1 for other classes.
func (c Class) Baseline() float64 {
	if !c.Burstable || c.VCPUs <= 0 {
		return 1
	}
	return c.CreditsPerHour / 60 / float64(c.VCPUs)
}

// Classes is a catalogue of instance classes by lower-case name.
type Classes map[string]Class

// Lookup returns the class with the given name, e.g. "db.r6g.large", in
// any case.
func (cs Classes) Lookup(name string) (Class, bool) {
	c, ok := cs[strings.ToLower(name)]
	return c, ok
}

// Names lists the classes in sorted order.
func (cs Classes) Names() []string {
	names := make([]string, 0, len(cs))
	for n := range cs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ClassMemoryShare is the share of an instance class's memory that RDS
// counts as DBInstanceClassMemory, the memory left to the engine once the
// operating system and RDS's own processes have theirs. Not published as a
// figure; fitted to observed defaults: PostgreSQL's formula gives
// max_connections 1,660 on a 15.25 GiB db.r4.large and 413 on a 4 GiB
// db.t2.medium (shares 0.97 and 0.92).
const ClassMemoryShare = 0.95

// DefaultMaxConnections is the max_connections an engine gets from RDS's
// default parameter group on an instance with memGiB of memory (RDS User
// Guide, "Maximum number of database connections"; Aurora User Guide,
// "Maximum connections to an Aurora MySQL DB instance"):
//
//	postgres, aurora-postgresql  LEAST(DBInstanceClassMemory/9531392, 5000)
//	mysql, mariadb               DBInstanceClassMemory/12582880
//	oracle                       LEAST(DBInstanceClassMemory/9868951, 20000)
//	sqlserver                    no limit of its own: 32,767 (the engine's maximum)
//	aurora-mysql                 GREATEST(log2(DBInstanceClassMemory/805306368)×45,
//	                                      log2(DBInstanceClassMemory/8187281408)×1000)
//
// (Aurora MySQL's formula gives the published 1,000 for db.r6g.large and
// 2,000 for db.r6g.xlarge, rounded.)
func DefaultMaxConnections(engine string, memGiB float64) int {
	mem := memGiB * ClassMemoryShare * (1 << 30)
	switch engine {
	case "mysql", "mariadb":
		return max(int(mem/12582880), 1)
	case "oracle":
		return max(min(int(mem/9868951), 20000), 1)
	case "sqlserver":
		return 32767
	case "aurora-mysql":
		small := math.Log2(mem/805306368) * 45
		large := math.Log2(mem/8187281408) * 1000
		return max(int(math.Round(math.Max(small, large))), 1)
	}
	return max(min(int(mem/9531392), 5000), 1) // postgres, aurora-postgresql
}
