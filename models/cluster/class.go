package cluster

import (
	"slices"
	"strings"
)

// Class is a DB instance class: its vCPUs set an engine's concurrency (one
// worker per vCPU).
type Class struct {
	Name      string
	VCPUs     int
	MemoryGiB float64
	// Burstable classes (t3, t4g) run on CPU credits; dbsim does not model
	// the credits, only the vCPUs.
	Burstable bool
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
