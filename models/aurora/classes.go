package aurora

import (
	"strings"

	"dbsim/models/cluster"
)

// Class is an Aurora DB instance class: its vCPUs set the engine's
// concurrency (one worker per vCPU), and break failover-target ties
// (fact 3.22: the largest instance wins).
type Class = cluster.Class

// classes lists the provisioned classes Aurora offers in its common
// families. vCPU and memory are the published EC2 sizes (db.r* 8 GiB per
// vCPU, db.x2g 16 GiB per vCPU, t3/t4g as listed by AWS). Serverless v2
// instances ("db.serverless") are sized by Config.Serverless instead.
var classes = func() cluster.Classes {
	m := cluster.Classes{}
	sizes := []struct {
		size  string
		vcpus int
	}{{"large", 2}, {"xlarge", 4}, {"2xlarge", 8}, {"4xlarge", 16}, {"8xlarge", 32}, {"12xlarge", 48}, {"16xlarge", 64}, {"24xlarge", 96}}
	add := func(family string, gibPerVCPU float64, upTo string) {
		for _, s := range sizes {
			name := "db." + family + "." + s.size
			m[name] = Class{Name: name, VCPUs: s.vcpus, MemoryGiB: gibPerVCPU * float64(s.vcpus)}
			if s.size == upTo {
				return
			}
		}
	}
	add("r5", 8, "24xlarge")
	add("r6g", 8, "16xlarge")
	add("r6i", 8, "24xlarge")
	add("r7g", 8, "16xlarge")
	add("r8g", 8, "24xlarge")
	add("x2g", 16, "16xlarge")
	for _, f := range []string{"t3", "t4g"} {
		// CPU credits per hour: fact 10.2 (the Aurora model does not spend them yet).
		m["db."+f+".medium"] = Class{Name: "db." + f + ".medium", VCPUs: 2, MemoryGiB: 4, Burstable: true, CreditsPerHour: 24}
		m["db."+f+".large"] = Class{Name: "db." + f + ".large", VCPUs: 2, MemoryGiB: 8, Burstable: true, CreditsPerHour: 36}
	}
	return m
}()

// LookupClass returns the class with the given name, e.g. "db.r6g.large".
func LookupClass(name string) (Class, bool) { return classes.Lookup(name) }

// ClassNames lists the known classes in sorted order.
func ClassNames() []string { return classes.Names() }

// Engines on Aurora's quorum storage: Aurora's own, and the sibling
// services that run on the same storage, DocumentDB (MongoDB-compatible,
// fact 3.43) and Neptune (graph, fact 3.44).
const (
	EngineDocDB   = "docdb"
	EngineNeptune = "neptune"
)

// engineFamilies are the instance families DocumentDB and Neptune offer
// among the classes above (facts 3.43, 3.44); their burstable classes
// are the .medium ones only. Aurora's engines take every class.
var engineFamilies = map[string][]string{
	EngineDocDB:   {"r5", "r6g", "t3.medium", "t4g.medium"},
	EngineNeptune: {"r5", "r6g", "r6i", "x2g", "t3.medium", "t4g.medium"},
}

// EngineClassNames lists, sorted, the classes an engine runs on.
func EngineClassNames(engine string) []string {
	fams, ok := engineFamilies[engine]
	if !ok {
		return ClassNames()
	}
	var out []string
	for _, name := range ClassNames() {
		for _, f := range fams {
			if strings.HasPrefix(name, "db."+f+".") || name == "db."+f {
				out = append(out, name)
			}
		}
	}
	return out
}

// EngineFamilies lists the instance families (and single burstable
// classes) DocumentDB or Neptune offer; nil for Aurora's engines.
func EngineFamilies(engine string) []string { return engineFamilies[engine] }
