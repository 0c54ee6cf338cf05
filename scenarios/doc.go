// Package scenarios is dbsim's scenario format: the YAML a user writes to
// describe a system, a workload and a fault schedule, and the machinery that
// turns it into a run.
//
// # The format
//
// A scenario is one YAML document, a mapping with these top-level keys:
//
//	name: rds-multi-az-failover   # required: [a-z0-9][a-z0-9-]*
//	description: ...
//	seed: 1                       # default 1
//	duration: 15m                 # required
//	warmup: 30s                   # default 0; excluded from the summaries
//	replications: 5               # default 1; independent runs
//	bucket: 5s                    # time-series row; default about duration/600
//	topology: {region: us-east-1, azs: [us-east-1a, us-east-1b, us-east-1c]}
//	system: {kind: rds, instance_class: db.r6g.large, multi_az: instance}
//	clients: {connections: 200, timeout: 2s, retry: {max_attempts: 3}}
//	workload:
//	  - {name: web, arrival: {rate: 2000/s}, mix: {read: 0.8, write: 0.2}}
//	faults:
//	  - {at: 5m, kind: instance-failure}
//	  - {kind: az-outage, az: us-east-1b, mttf: 2h, mttr: 10m}
//
// Every duration, rate and size carries its unit: durations 800us, 1.5ms,
// 1m30s, 2d (ParseDuration); rates 2000/s, 90/m, 2k/s (ParseRate); sizes
// 1KB, 10GB with KB = 1024 bytes (ParseSize); byte rates 50MB/s
// (ParseByteRate). A bare number is an error, except 0.
//
// The system block is polymorphic: its kind (rds, aurora or dynamodb)
// selects which keys may sit next to it. Faults are either
// scheduled (at, and for kinds that last, for) or a random process (mttf,
// and mttr for kinds that last). Faults that last stack: an AZ is down
// while any outage of it lasts, two AZs are apart while any partition
// between them lasts, whether the faults are scheduled or random.
//
// # Strict loading
//
// Load and Parse refuse a malformed scenario before anything runs, and list
// every problem at once, each as
//
//	file:line:col: path: what is wrong (what is allowed)
//
// Unknown keys (with a suggestion for a likely typo), duplicate keys, values
// of the wrong type and numbers without units are errors, as are values out
// of range and combinations that make no sense (an AZ that is not in the
// topology, a reboot-with-failover without a standby). Validation fills the
// generic defaults; defaults that belong to a model (failover timings,
// service times) are left for the runner, which asks Scenario.Has whether
// the file set a value.
//
// # Running
//
// Besides the format, this package holds the workload generators (arrival
// processes and key choosers fed from named random streams), the fault
// schedules, and the runner that wires a scenario to a model on the sim
// kernel and collects a Result. Measure reduces one replication of it to
// the metrics that summaries (package report) and sweeps (package sweep)
// judge it by; what it costs is package pricing's.
package scenarios
