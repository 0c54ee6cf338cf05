// Package sweep runs one scenario over a grid of parameter values and
// judges the points against targets: dbsim sweep and dbsim merge.
//
// Every point of the grid is the scenario with some fields changed, run
// for its replications. A field is changed by editing the scenario's YAML
// and parsing the result again, so a swept value is validated exactly as a
// hand-written one (set.go: --set and the YAML editing; grid.go: the grid
// and its points).
//
// Points are numbered in the order of nested loops over the axes in the
// order given, the first axis outermost. Every point runs with the seed its
// scenario says (common random numbers: two points see the same arrivals
// unless the seed itself is swept), so a point's results depend only on the
// scenario and the point, never on which shard or worker ran it (run.go,
// on scenarios.RunJobs).
//
// A point reports, per replication, every metric of the catalogue
// (metrics.go); a Result holds them, is written as JSON, and merges with
// the other shards of its sweep (result.go). Targets on the metrics' means
// pick the cheapest point that meets them (target.go). Package report
// turns a Result into sweep.csv, plots and a text table.
package sweep
