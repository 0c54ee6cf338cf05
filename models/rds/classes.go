package rds

import "dbsim/models/cluster"

// Class is an RDS DB instance class: its size sets the engine's
// concurrency (one worker per vCPU) and its price.
type Class = cluster.Class

// classes lists common classes. vCPU and memory are the published EC2 sizes
// of each family (db.m* 4 GiB per vCPU, db.r* 8 GiB per vCPU; t3/t4g as
// listed by AWS).
var classes = func() cluster.Classes {
	m := cluster.Classes{}
	add := func(family string, burst bool, gibPerVCPU float64, sizes map[string]int) {
		for size, v := range sizes {
			name := "db." + family + "." + size
			m[name] = Class{Name: name, VCPUs: v, MemoryGiB: gibPerVCPU * float64(v), Burstable: burst}
		}
	}
	gen := map[string]int{"large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64}
	// The "d" families have local NVMe storage: the only ones a Multi-AZ DB
	// cluster runs on (fact 1.16).
	for _, f := range []string{"m5", "m6g", "m5d", "m6gd"} {
		add(f, false, 4, gen)
	}
	for _, f := range []string{"r5", "r6g", "r5d", "r6gd"} {
		add(f, false, 8, gen)
	}
	m["db.m5.24xlarge"] = Class{Name: "db.m5.24xlarge", VCPUs: 96, MemoryGiB: 384}
	m["db.r5.24xlarge"] = Class{Name: "db.r5.24xlarge", VCPUs: 96, MemoryGiB: 768}
	// Burstable classes: vCPUs and memory from the RDS hardware table
	// (fact 10.8), CPU credits earned per hour from the EC2 credit table
	// (fact 10.2; the same for t3 and t4g).
	for _, f := range []string{"t3", "t4g"} {
		for _, c := range []struct {
			size    string
			vcpus   int
			mem     float64
			credits float64
		}{{"micro", 2, 1, 12}, {"small", 2, 2, 24}, {"medium", 2, 4, 24}, {"large", 2, 8, 36}, {"xlarge", 4, 16, 96}, {"2xlarge", 8, 32, 192}} {
			name := "db." + f + "." + c.size
			m[name] = Class{Name: name, VCPUs: c.vcpus, MemoryGiB: c.mem, Burstable: true, CreditsPerHour: c.credits}
		}
	}
	return m
}()

// LookupClass returns the class with the given name, e.g. "db.r6g.large".
func LookupClass(name string) (Class, bool) { return classes.Lookup(name) }

// ClassNames lists the known classes in sorted order.
func ClassNames() []string { return classes.Names() }
