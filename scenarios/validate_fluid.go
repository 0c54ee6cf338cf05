package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// Run modes (the scenario's top-level mode).
const (
	ModePerRequest = "per-request"
	ModeFluid      = "fluid"
)

var runModes = []string{ModePerRequest, ModeFluid}

// fluidFaults are the fault kinds the fluid mode applies: they act on
// the partitions' leaders and replicas, which a fluid step reads.
var fluidFaults = []string{"leader-failure", "az-outage"}

// fluid checks the run mode: the fluid mode steps a DynamoDB table's
// partitions with rates (fluid.go), so it refuses what it does not step.
func (v *validator) fluid() {
	s := v.s
	if !v.has("mode") {
		s.Mode = ModePerRequest
	}
	if v.oneOf("mode", "run mode", s.Mode, runModes) && s.Mode == ModeFluid {
		v.fluidLimits()
	}
}

// FluidAllowed reports whether s (validated) could run in fluid mode: nil,
// or what the fluid mode does not model, each at its place in the file.
func FluidAllowed(s *Scenario) error {
	v := &validator{s: s}
	v.fluidLimits()
	if len(v.errs) > 0 {
		return v.errs
	}
	return nil
}

// fluidLimits refuses what the fluid mode does not step.
func (v *validator) fluidLimits() {
	s := v.s
	if s.System.Kind != "dynamodb" {
		v.errorf("mode", "fluid mode steps DynamoDB partitions, not %s (allowed with mode: fluid: system.kind dynamodb; use mode: per-request)", s.System.Kind)
		return
	}
	no := func(path, what string) {
		if v.has(path) {
			v.errorf(path, "%s is not modelled in fluid mode (remove it, or use mode: per-request)", what)
		}
	}
	no("system.table.stream", "a stream")
	no("system.table.replicas", "a global table")
	no("cache", "a cache in front of the table")
	for i := range s.Workload {
		p := fmt.Sprintf("workload[%d].", i)
		for _, k := range []string{"batch-get", "batch-write", "transact-get", "transact-write"} {
			no(p+"ops."+k, "a batch or transaction ("+k+")")
		}
		no(p+"query_index", "a Query of an index")
		no(p+"collection", "an item collection")
		no(p+"unprocessed", "a batch's unprocessed items")
		no(p+"region", "a workload writing in another Region")
		no(p+"arrival.burstiness", "burstiness within a second (a fluid step runs at the mean rate)")
	}
	for i, f := range s.Faults {
		if !slices.Contains(fluidFaults, f.Kind) {
			v.errorf(fmt.Sprintf("faults[%d].kind", i), "fault %s is not modelled in fluid mode (allowed: %s)", f.Kind, strings.Join(fluidFaults, ", "))
		}
	}
	if v.has("clients.max_in_flight") {
		v.warnf("clients.max_in_flight", "fluid mode has no client processes: max_in_flight is not applied")
	}
}
