package scenarios

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"dbsim/models/aurora"
	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/models/rds"
)

// Generic defaults, filled in by validation for values the file leaves out.
// System-specific defaults (failover timings, service times) belong to the
// models; the runner applies them where Scenario.Has says the file did not
// set the value.
const (
	defaultSeed         = 1
	defaultReplications = 1
	maxReplications     = 10_000
	// maxBuckets bounds the rows of the time series.
	maxBuckets = 100_000

	defaultRegion = "us-east-1"
	maxAZs        = 6

	defaultProcess  = "poisson"
	defaultKeyDist  = "uniform"
	defaultKeyCount = 1_000_000
	defaultItemSize = Size(1 << 10)
	// maxItemSize is DynamoDB's item limit (fact 5.7), a sane bound for
	// every system.
	maxItemSize = Size(400 << 10)
)

// The models' defaults are the scenario's: one place for each.
var (
	rdsDefaults    = rds.Defaults()
	auroraDefaults = aurora.Defaults()
	clientDefaults = client.Defaults()
)

// Allowed values of the enumerated keys.
var (
	engines       = []string{"postgres", "mysql", "mariadb", "oracle", "sqlserver"}
	multiAZModes  = []string{"none", "instance", "cluster"}
	processes     = []string{"poisson", "constant", "trace"}
	readsFrom     = []string{"primary", "replicas", "any"}
	keyDists      = []string{"uniform", "zipf", "hotset"}
	faultKindList = []string{"instance-failure", "reboot-with-failover", "az-outage", "network-partition",
		"storage-node-failure", "storage-node-failures", "replica-failure", "promote-replica", "leader-failure",
		"region-outage", "global-switchover", "cache-node-failure", "cache-flush",
		"manual-failover", "engine-crash", "data-loss"}
)

// faultKinds lists, for each fault kind, which of faultOptionalKeys apply
// to it. Instance failures and reboots are instants: how long they last
// comes from the system's failover, so they take neither for nor mttr.
var faultKinds = map[string][]string{
	"instance-failure":     {"target"},
	"reboot-with-failover": {},
	"az-outage":            {"az", "for", "mttr"},
	"network-partition":    {"between", "for", "mttr"},
	// Aurora's storage nodes: some nodes of one AZ fail (for a while), or
	// every node fails and recovers at random (mttf and mttr per node).
	"storage-node-failure": {"az", "count", "for"},
	// RDS read replicas: one fails (RDS replaces it), or is promoted by hand.
	"replica-failure":       {"target"},
	"promote-replica":       {"target"},
	"storage-node-failures": {"mttr"},
	// DynamoDB: the leader of one partition (target: p3), or of every
	// partition led from an AZ, fails (validate_dynamodb.go).
	"leader-failure": {"target", "az"},
	// A whole Region down (regions.go), and an Aurora Global Database's
	// managed switchover to a secondary Region.
	"region-outage":     {"region", "for", "mttr", "failover_after"},
	"global-switchover": {"region"},
	// The cache in front (validate_cache.go): one node fails, empty when
	// replaced (for: how long it is down), or every node is flushed.
	"cache-node-failure": {"target", "for", "mttr"},
	"cache-flush":        {},
	// The operator's failover-db-cluster, and a database process that
	// crashes and restarts in place (validate_operator.go).
	"manual-failover": {},
	"engine-crash":    {},
	// The application deletes data: a point-in-time restore recovers it
	// (validate_backup.go).
	"data-loss": {"restore_to"},
}

// faultOptionalKeys are the fault keys that only some kinds take.
var faultOptionalKeys = []string{"target", "az", "between", "count", "for", "mttr", "region", "failover_after", "restore_to"}

// distParams lists the parameters each distribution takes; a DistSpec must
// give exactly these.
var distParams = map[string][]string{
	"constant":    {"value"},
	"uniform":     {"min", "max"},
	"exponential": {"mean"},
	"normal":      {"mean", "stddev"},
	"lognormal":   {"p50", "p99"},
	"pareto":      {"xm", "alpha"},
	"empirical":   {"samples"},
}

// distNames lists the distributions in the order the docs give them.
var distNames = []string{"constant", "uniform", "exponential", "normal", "lognormal", "pareto", "empirical"}

// namePattern is what a scenario name may look like; it names output
// directories and bundled scenarios.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// autoBuckets are the bucket widths chosen when the file gives none: the
// first that keeps a run within about 600 rows.
var autoBuckets = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour,
}

// validator fills defaults into a decoded scenario and collects every
// problem with its value.
type validator struct {
	s     *Scenario
	bad   map[string]bool // paths that failed to decode: stay quiet about them
	errs  Errors
	warns Errors // become s.Warnings
	// azsOK is false when topology.azs itself is unusable, so that AZ
	// references are not all reported as unknown.
	azsOK bool
}

// validate fills s's generic defaults and checks its values. bad holds the
// paths the decoder already reported.
func validate(s *Scenario, bad map[string]bool) Errors {
	v := &validator{s: s, bad: bad}
	v.top()
	v.topology()
	v.system()
	v.clients()
	v.clientSDK()
	if len(s.Workload) == 0 {
		v.errorf("workload", "at least one workload is required (e.g. - {name: web, arrival: {rate: 100/s}})")
	}
	names := map[string]int{}
	for i, w := range s.Workload {
		v.workload(i)
		if j, dup := names[w.Name]; dup && w.Name != "" {
			v.errorf(fmt.Sprintf("workload[%d].name", i), "duplicate workload name %q (also workload[%d])", w.Name, j)
		}
		names[w.Name] = i
	}
	v.traceBucket()
	v.cache()
	for i := range s.Faults {
		v.fault(i)
	}
	v.fluid()
	s.Warnings = v.warns.sorted()
	return v.errs
}

// errorf reports a problem with the value at path, placed where the value
// (or, if it was left out, its nearest written parent) is in the file.
func (v *validator) errorf(path, format string, args ...any) {
	if v.broken(path) {
		return
	}
	p := v.s.Pos(path)
	v.errs = append(v.errs, &Error{File: v.s.File, Line: max(p.Line, 1), Col: p.Col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// warnf reports, as errorf does, something suspect that the models allow:
// the scenario still runs. The message starts with "warning: ".
func (v *validator) warnf(path, format string, args ...any) {
	if v.broken(path) {
		return
	}
	p := v.s.Pos(path)
	v.warns = append(v.warns, &Error{File: v.s.File, Line: max(p.Line, 1), Col: p.Col, Path: path, Msg: "warning: " + fmt.Sprintf(format, args...)})
}

// broken reports whether path, a parent of it or a part of it failed to
// decode: a check of the whole (mix shares summing to 1) says nothing
// useful when a part of it is already reported.
func (v *validator) broken(path string) bool {
	for p := path; ; p = parent(p) {
		if v.bad[p] {
			return true
		}
		if p == "" {
			break
		}
	}
	for b := range v.bad {
		if strings.HasPrefix(b, path+".") || strings.HasPrefix(b, path+"[") {
			return true
		}
	}
	return false
}

func (v *validator) has(path string) bool { return v.s.Has(path) }

// durationOK reports whether the scenario's duration is usable for checks
// that compare against it.
func (v *validator) durationOK() bool {
	return v.has("duration") && !v.broken("duration") && v.s.Duration > 0
}

func (v *validator) top() {
	s := v.s
	switch {
	case !v.has("name"):
		v.errorf("name", "required (lowercase letters, digits and dashes, e.g. rds-failover)")
	case !namePattern.MatchString(s.Name):
		v.errorf("name", "%q is not a valid name (lowercase letters, digits and dashes, starting with a letter or digit)", s.Name)
	}
	if !v.has("seed") {
		s.Seed = defaultSeed
	}
	if !v.has("replications") {
		s.Replications = defaultReplications
	} else if s.Replications < 1 || s.Replications > maxReplications {
		v.errorf("replications", "must be between 1 and %d, got %d", maxReplications, s.Replications)
	}
	if !v.has("duration") {
		v.errorf("duration", "required (how much simulated time to run, e.g. 15m)")
	} else {
		v.positive("duration", s.Duration)
	}
	if v.nonNegative("warmup", s.Warmup) && v.durationOK() && s.Warmup >= s.Duration {
		v.errorf("warmup", "must be shorter than duration (%s), got %s", s.Duration, s.Warmup)
	}
	switch {
	case v.has("bucket"):
		if v.positive("bucket", s.Bucket) && v.durationOK() && s.Duration/s.Bucket > maxBuckets {
			v.errorf("bucket", "%s makes %d rows over duration %s (at most %d; use a wider bucket)", s.Bucket, s.Duration/s.Bucket, s.Duration, maxBuckets)
		}
	case v.durationOK():
		s.Bucket = Duration(autoBucket(s.Duration.D()))
	}
}

// autoBucket is the bucket width for a run of length d: d/600 rounded up to
// a round width (1s, 2s, 5s, ... 1h), or to whole hours beyond that.
func autoBucket(d time.Duration) time.Duration {
	want := (d + 599) / 600
	for _, b := range autoBuckets {
		if b >= want {
			return b
		}
	}
	return (want + time.Hour - 1) / time.Hour * time.Hour
}

func (v *validator) topology() {
	t := &v.s.Topology
	if !v.has("topology.region") {
		t.Region = defaultRegion
	} else if t.Region == "" {
		v.errorf("topology.region", "must not be empty (e.g. us-east-1)")
	}
	v.azsOK = !v.broken("topology.azs")
	if !v.has("topology.azs") {
		t.AZs = []string{t.Region + "a", t.Region + "b", t.Region + "c"}
	} else if len(t.AZs) < 1 || len(t.AZs) > maxAZs {
		v.errorf("topology.azs", "needs 1 to %d AZs, got %d", maxAZs, len(t.AZs))
	}
	for i, az := range t.AZs {
		p := fmt.Sprintf("topology.azs[%d]", i)
		switch {
		case az == "":
			v.errorf(p, "an AZ name must not be empty (e.g. %sa)", t.Region)
		case slices.Index(t.AZs, az) < i:
			v.errorf(p, "duplicate AZ %q", az)
		}
	}
	if !v.has("topology.same_az_rtt") {
		t.SameAZRTT = Duration(cluster.DefaultSameAZRTT)
	}
	if !v.has("topology.cross_az_rtt") {
		t.CrossAZRTT = Duration(cluster.DefaultCrossAZRTT)
	}
	v.nonNegative("topology.same_az_rtt", t.SameAZRTT)
	v.nonNegative("topology.cross_az_rtt", t.CrossAZRTT)
	v.regions()
}

// az checks that the AZ named at path is one of topology.azs.
func (v *validator) az(path, name string) {
	if azs := v.s.Topology.allAZs(); v.azsOK && !slices.Contains(azs, name) {
		v.errorf(path, "unknown AZ %q%s (allowed: %s)", name, DidYouMean(name, azs), strings.Join(azs, ", "))
	}
}

// firstAZ is the first AZ of the topology, or "" if there is none.
func (v *validator) firstAZ() string {
	if len(v.s.Topology.AZs) == 0 {
		return ""
	}
	return v.s.Topology.AZs[0]
}

func (v *validator) system() {
	sys := &v.s.System
	if sys.Kind == "" {
		v.errorf("system.kind", "required (allowed: %s)", strings.Join(slices.Sorted(maps.Keys(systemKinds)), ", "))
	}
	if sys.RDS != nil {
		v.rds(sys.RDS)
	}
	if sys.Aurora != nil {
		v.aurora(sys.Aurora)
	}
	if sys.DynamoDB != nil {
		v.dynamodb(sys.DynamoDB)
	}
}

func (v *validator) rds(r *RDSSystem) {
	const p = "system."
	v.defaultString(p+"engine", &r.Engine, rdsDefaults.Engine)
	v.oneOf(p+"engine", "engine", r.Engine, engines)

	v.defaultString(p+"instance_class", &r.InstanceClass, rdsDefaults.Class.Name)
	if c, ok := rds.LookupClass(r.InstanceClass); ok {
		r.InstanceClass = c.Name
	} else {
		v.errorf(p+"instance_class", "%s", unknownClass(r.InstanceClass, rds.ClassNames()))
	}

	v.defaultString(p+"az", &r.AZ, v.firstAZ())
	if v.has(p + "az") {
		v.az(p+"az", r.AZ)
	}

	v.defaultString(p+"multi_az", &r.MultiAZ, "none")
	v.oneOf(p+"multi_az", "multi_az mode", r.MultiAZ, multiAZModes)
	v.rdsReplicas(r)
	v.backup(&r.Backup)
	multi := r.MultiAZ == "instance"
	if multi && v.azsOK && len(v.s.Topology.AZs) < 2 {
		v.errorf(p+"multi_az", "instance needs at least 2 AZs in topology.azs, got %d", len(v.s.Topology.AZs))
	}
	switch {
	case v.has(p+"standby_az") && !multi:
		v.errorf(p+"standby_az", "applies only to multi_az: instance")
	case v.has(p + "standby_az"):
		v.az(p+"standby_az", r.StandbyAZ)
		if r.StandbyAZ == r.AZ {
			v.errorf(p+"standby_az", "must differ from the primary's az (%s)", r.AZ)
		}
	case multi:
		for _, az := range v.s.Topology.AZs {
			if az != r.AZ {
				r.StandbyAZ = az
				break
			}
		}
	}

	if !v.has(p + "storage.size") {
		r.Storage.Size = Size(rdsDefaults.StorageBytes)
	} else if r.Storage.Size <= 0 {
		v.errorf(p+"storage.size", "must be > 0, got %s", r.Storage.Size)
	}

	v.dist(p+"service_time.read", r.ServiceTime.Read)
	v.dist(p+"service_time.write", r.ServiceTime.Write)
	v.dist(p+"service_time.connect", r.ServiceTime.Connect)
	v.maxConnections(p+"max_connections", r.MaxConnections)
	v.dist(p+"replication.standby_write", r.Replication.StandbyWrite)
	v.positiveIfSet(p+"replication.ack_timeout", r.Replication.AckTimeout)

	f := r.Failover
	v.positiveIfSet(p+"failover.detection_interval", f.DetectionInterval)
	if v.has(p+"failover.detection_threshold") && f.DetectionThreshold < 1 {
		v.errorf(p+"failover.detection_threshold", "must be at least 1, got %d", f.DetectionThreshold)
	}
	v.nonNegative(p+"failover.promotion", f.Promotion)
	v.nonNegative(p+"failover.engine_start", f.EngineStart)
	v.nonNegative(p+"failover.dns_ttl", f.DNSTTL)
	v.nonNegative(p+"failover.dns_propagation", f.DNSPropagation)
	v.nonNegative(p+"failover.replace_instance", f.ReplaceInstance)

	v.positiveIfSet(p+"recovery.checkpoint_interval", r.Recovery.CheckpointInterval)
	if r.Recovery.RedoPerWrite < 0 {
		v.errorf(p+"recovery.redo_per_write", "must not be negative, got %s", r.Recovery.RedoPerWrite)
	}
	if v.has(p+"recovery.redo_rate") && r.Recovery.RedoRate <= 0 {
		v.errorf(p+"recovery.redo_rate", "must be > 0, got %s", r.Recovery.RedoRate)
	}
	v.rdsCredits(r) // validate_credits.go
	v.proxy(&r.Proxy)
}

// unknownClass explains an unknown instance class: the nearest known
// ones, and how to list them all (there are too many to print).
func unknownClass(name string, known []string) string {
	return fmt.Sprintf("unknown instance class %q%s (allowed: %d classes; dbsim list --classes lists them)", name, DidYouMean(name, known), len(known))
}

// maxConnections checks a connection limit that the scenario sets.
func (v *validator) maxConnections(path string, n int) {
	if v.has(path) && (n < 1 || n > 262142) {
		v.errorf(path, "must be 1 to 262,142 (PostgreSQL's maximum), got %d", n)
	}
}

// retryBudget fills a retry budget's defaults (the AWS SDKs' standard
// mode) and checks it.
func (v *validator) retryBudget(p string, b *RetryBudget) {
	if !v.has(p) {
		return
	}
	for _, f := range []struct {
		key   string
		n     *int
		def   int
		least int
	}{{"tokens", &b.Tokens, 500, 1}, {"cost", &b.Cost, 5, 0}, {"timeout_cost", &b.TimeoutCost, 10, 0}, {"refund", &b.Refund, 1, 0}} {
		v.defaultAtLeast(p+"."+f.key, f.n, f.def, f.least)
	}
}

func (v *validator) clients() {
	c := &v.s.Clients
	const p = "clients."
	v.defaultString(p+"az", &c.AZ, v.firstAZ())
	if v.has(p + "az") {
		v.az(p+"az", c.AZ)
	}
	d := clientDefaults
	v.defaultAtLeast(p+"instances", &c.Instances, d.Instances, 1)
	v.defaultAtLeast(p+"connections", &c.Connections, d.Connections, 1)
	v.defaultPositive(p+"connect_timeout", &c.ConnectTimeout, Duration(d.ConnectTimeout))
	v.defaultPositive(p+"timeout", &c.Timeout, Duration(d.Timeout))
	v.defaultPositive(p+"pool_timeout", &c.PoolTimeout, c.Timeout)
	v.defaultAtLeast(p+"max_in_flight", &c.MaxInFlight, d.MaxInFlight, 1)

	r := &c.Retry
	v.defaultAtLeast(p+"retry.max_attempts", &r.MaxAttempts, d.Retry.MaxAttempts, 1)
	v.defaultPositive(p+"retry.base", &r.Base, Duration(d.Retry.Base))
	if !v.has(p + "retry.cap") {
		r.Cap = Duration(d.Retry.Cap)
	} else if r.Cap < r.Base && !v.broken(p+"retry.base") {
		v.errorf(p+"retry.cap", "must be at least retry.base (%s), got %s", r.Base, r.Cap)
	}
	v.defaultString(p+"retry.jitter", &r.Jitter, d.Retry.Jitter.String())
	v.oneOf(p+"retry.jitter", "jitter", r.Jitter, names(client.Jitters))
	v.retryBudget(p+"retry.budget", &r.Budget)

	switch v.defaultString(p+"dns_cache", &c.DNSCache, "ttl"); c.DNSCache {
	case "ttl":
		c.DNSCacheFor = 0
	case "forever":
		c.DNSCacheFor = -1
	default:
		d, err := ParseDuration(c.DNSCache)
		if err != nil || d <= 0 {
			v.errorf(p+"dns_cache", "%q is not ttl, forever or a duration such as 30s", c.DNSCache)
		}
		c.DNSCacheFor = d.D()
	}
	v.clientDriver(c)
}

func (v *validator) workload(i int) {
	w := &v.s.Workload[i]
	p := fmt.Sprintf("workload[%d].", i)

	v.defaultString(p+"arrival.process", &w.Arrival.Process, defaultProcess)
	v.oneOf(p+"arrival.process", "process", w.Arrival.Process, processes)
	switch {
	case w.Arrival.Process == "trace":
	case !v.has(p + "arrival.rate"):
		v.errorf(p+"arrival.rate", "required (e.g. 2000/s)")
	default:
		v.positiveRate(p+"arrival.rate", w.Arrival.Rate)
	}
	v.burstiness(p, w)

	for j, rc := range w.RateChanges {
		rp := fmt.Sprintf("%srate_changes[%d].", p, j)
		if !v.has(rp + "at") {
			v.errorf(rp+"at", "required (when the new rate starts, e.g. 10m)")
		} else {
			v.within(rp+"at", rc.At)
			prev := fmt.Sprintf("%srate_changes[%d].at", p, j-1)
			if j > 0 && v.has(prev) && !v.broken(prev) && rc.At <= w.RateChanges[j-1].At {
				v.errorf(rp+"at", "%s is not after the previous change's %s (rate changes must be in time order)", rc.At, w.RateChanges[j-1].At)
			}
		}
		if !v.has(rp + "rate") {
			v.errorf(rp+"rate", "required (e.g. 4000/s)")
		} else {
			// A change may pause the workload (0/s): idle periods matter
			// (Serverless v2 pauses after one).
			if rc.Rate < 0 {
				v.errorf(rp+"rate", "must be >= 0, got %v", rc.Rate)
			}
		}
	}

	if !v.has(p + "mix") {
		w.Mix = Mix{Read: 1, Write: 0}
	} else {
		ok := v.share(p+"mix.read", w.Mix.Read)
		ok = v.share(p+"mix.write", w.Mix.Write) && ok
		if sum := w.Mix.Read + w.Mix.Write; ok && math.Abs(sum-1) > 1e-9 {
			v.errorf(p+"mix", "read + write = %s, must sum to 1", formatNumber(sum))
		}
	}

	v.dynamodbWorkload(i) // before reads_from, which does not apply to dynamodb

	v.defaultString(p+"reads_from", &w.ReadsFrom, "primary")
	if v.oneOf(p+"reads_from", "reads_from", w.ReadsFrom, readsFrom) && w.ReadsFrom != "primary" && !v.hasReplicas() {
		v.errorf(p+"reads_from", "%q needs replicas (aurora: system.replicas; rds: system.read_replicas or multi_az: cluster; allowed here: primary)", w.ReadsFrom)
	}

	k := &w.Keys
	v.defaultString(p+"keys.dist", &k.Dist, defaultKeyDist)
	v.oneOf(p+"keys.dist", "key distribution", k.Dist, keyDists)
	if !v.has(p + "keys.count") {
		k.Count = defaultKeyCount
	} else if k.Count < 1 {
		v.errorf(p+"keys.count", "must be at least 1, got %d", k.Count)
	}
	v.keyParam(p+"keys.skew", k.Dist == "zipf", "zipf", func() {
		if k.Skew <= 0 {
			v.errorf(p+"keys.skew", "must be > 0, got %s", formatNumber(k.Skew))
		}
	})
	for _, hot := range []struct {
		key string
		val float64
	}{{"hot_fraction", k.HotFraction}, {"hot_share", k.HotShare}} {
		v.keyParam(p+"keys."+hot.key, k.Dist == "hotset", "hotset", func() {
			if hot.val <= 0 || hot.val >= 1 {
				v.errorf(p+"keys."+hot.key, "must be between 0 and 1 (exclusive), got %s", formatNumber(hot.val))
			}
		})
	}

	if !v.has(p + "item_size") {
		w.ItemSize = defaultItemSize
	} else if most := v.maxItemSize(); w.ItemSize <= 0 || w.ItemSize > most {
		v.errorf(p+"item_size", "must be > 0 and at most %s, got %s", most, w.ItemSize)
	}
	v.trace(i) // after the mix, ops and item size its units depend on
	v.hotKeysFrom(i)
}

// keyParam checks a parameter of one key distribution: required and checked
// by check when applies, an error when given for another distribution.
func (v *validator) keyParam(path string, applies bool, dist string, check func()) {
	key := path[strings.LastIndexByte(path, '.')+1:]
	switch {
	case applies && !v.has(path):
		v.errorf(path, "required for dist %s", dist)
	case applies:
		check()
	case v.has(path):
		v.errorf(path, "%s applies only to dist %s", key, dist)
	}
}

func (v *validator) fault(i int) {
	f := &v.s.Faults[i]
	p := fmt.Sprintf("faults[%d]", i)
	keys, known := faultKinds[f.Kind]
	switch {
	case !v.has(p + ".kind"):
		v.errorf(p+".kind", "required (allowed: %s)", strings.Join(faultKindList, ", "))
	case !known:
		v.errorf(p+".kind", "unknown fault kind %q%s (allowed: %s)", f.Kind, DidYouMean(f.Kind, faultKindList), strings.Join(faultKindList, ", "))
	}

	hasAt, hasMTTF := v.has(p+".at"), v.has(p+".mttf")
	f.Scheduled = hasAt
	switch {
	case hasAt && hasMTTF:
		v.errorf(p+".mttf", "give either at (a single fault) or mttf (a random process of faults), not both")
	case !hasAt && !hasMTTF:
		v.errorf(p, "needs at (when the fault happens, e.g. 5m) or mttf (the mean time between random faults, e.g. 2h)")
	case hasAt:
		v.within(p+".at", f.At)
	case hasMTTF:
		v.positive(p+".mttf", f.MTTF)
	}

	if known {
		for _, key := range faultOptionalKeys {
			if v.has(p+"."+key) && !slices.Contains(keys, key) {
				v.errorf(p+"."+key, "does not apply to %s (keys of %s: %s)", f.Kind, f.Kind, strings.Join(append([]string{"kind", "at", "mttf"}, keys...), ", "))
			}
		}
	}
	lasting := slices.Contains(keys, "for") // the kind has an extent in time
	if lasting && v.has(p+".for") {
		if hasMTTF && !hasAt {
			v.errorf(p+".for", "applies to a scheduled fault (at); a random process takes mttr")
		} else {
			v.nonNegative(p+".for", f.For)
		}
	}
	if lasting && hasMTTF && !hasAt {
		if !v.has(p + ".mttr") {
			v.errorf(p+".mttr", "required with mttf (the mean time to repair, e.g. 10m)")
		} else {
			v.positive(p+".mttr", f.MTTR)
		}
	}
	if lasting && hasAt && v.has(p+".mttr") {
		v.errorf(p+".mttr", "applies only with mttf; a scheduled fault lasts for")
	}

	v.dynamodbFault(i)
	v.cacheFault(i)
	v.operatorFault(i)
	v.dataLossFault(i)
	rdsSys, auroraSys := v.s.System.RDS, v.s.System.Aurora
	switch f.Kind {
	case "instance-failure":
		v.defaultString(p+".target", &f.Target, "primary")
		if auroraSys != nil {
			v.oneOf(p+".target", "target", f.Target, auroraTargets(auroraSys))
			break
		}
		if rdsSys != nil {
			v.oneOf(p+".target", "target", f.Target, rdsTargets(rdsSys))
		}
	case "reboot-with-failover":
		if rdsSys == nil {
			v.errorf(p+".kind", "reboot-with-failover applies to rds")
		} else if rdsSys.MultiAZ == "none" {
			v.errorf(p+".kind", "reboot-with-failover needs a standby (multi_az: instance)")
		}
	case "replica-failure", "promote-replica":
		if rdsSys == nil || len(rdsSys.ReadReplicas) == 0 {
			v.errorf(p+".kind", "%s needs rds read replicas (system.read_replicas)", f.Kind)
			break
		}
		var replicas []string
		for i := range rdsSys.ReadReplicas {
			replicas = append(replicas, fmt.Sprintf("replica-%d", i+1))
		}
		if !v.has(p + ".target") {
			v.errorf(p+".target", "required (allowed: %s)", strings.Join(replicas, ", "))
		} else {
			v.oneOf(p+".target", "target", f.Target, replicas)
		}
	case "storage-node-failure", "storage-node-failures":
		if auroraSys == nil {
			v.errorf(p+".kind", "%s applies to aurora's storage nodes", f.Kind)
			break
		}
		if f.Kind == "storage-node-failures" {
			if !hasMTTF || hasAt {
				v.errorf(p+".mttf", "storage-node-failures is a random process: every node fails after mttf on average")
			}
			if !v.has(p + ".mttr") {
				v.errorf(p+".mttr", "required (the mean time a failed node stays down, e.g. 1h)")
			} else {
				v.positive(p+".mttr", f.MTTR)
			}
			break
		}
		if !v.has(p + ".az") {
			v.errorf(p+".az", "required: the AZ whose storage nodes fail (allowed: %s)", strings.Join(v.s.Topology.AZs, ", "))
		} else {
			v.az(p+".az", f.AZ)
		}
		if !v.has(p + ".count") {
			f.Count = 1
		} else if f.Count < 1 || f.Count > 2 {
			v.errorf(p+".count", "must be 1 or 2 (an AZ holds 2 segments of each protection group), got %d", f.Count)
		}
	case "az-outage":
		if !v.has(p + ".az") {
			v.errorf(p+".az", "required for az-outage (allowed: %s)", strings.Join(v.s.Topology.AZs, ", "))
		} else {
			v.az(p+".az", f.AZ)
		}
	case "region-outage", "global-switchover":
		v.regionFault(i)
	case "network-partition":
		switch {
		case !v.has(p + ".between"):
			v.errorf(p+".between", "required for network-partition: the two AZs cut apart, e.g. [%s]", strings.Join(v.s.Topology.AZs[:min(2, len(v.s.Topology.AZs))], ", "))
		case len(f.Between) != 2:
			v.errorf(p+".between", "needs exactly 2 AZs, got %d", len(f.Between))
		case f.Between[0] == f.Between[1]:
			v.errorf(p+".between", "needs 2 different AZs, got %s twice", f.Between[0])
		}
		for j, az := range f.Between {
			v.az(fmt.Sprintf("%s.between[%d]", p, j), az)
		}
	}
}

// dist checks the distribution spec at path, if the file gives one: a known
// dist with exactly its parameters, each in range.
func (v *validator) dist(path string, d DistSpec) {
	if !v.has(path) {
		return
	}
	if !v.has(path + ".dist") {
		v.errorf(path+".dist", "required (allowed: %s)", strings.Join(distNames, ", "))
		return
	}
	want, ok := distParams[d.Dist]
	if !ok {
		v.errorf(path+".dist", "unknown dist %q%s (allowed: %s)", d.Dist, DidYouMean(d.Dist, distNames), strings.Join(distNames, ", "))
		return
	}
	var missing []string
	for _, f := range fieldsOf(reflect.TypeFor[DistSpec]()) {
		given := v.has(path + "." + f.name)
		switch {
		case f.name == "dist":
		case given && !slices.Contains(want, f.name):
			v.errorf(path+"."+f.name, "does not apply to dist %s (it takes %s)", d.Dist, strings.Join(want, ", "))
		case !given && slices.Contains(want, f.name):
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		v.errorf(path, "dist %s needs %s (missing %s)", d.Dist, strings.Join(want, " and "), strings.Join(missing, " and "))
		return
	}
	at := func(param string) string { return path + "." + param }
	switch d.Dist {
	case "constant":
		v.nonNegative(at("value"), d.Value)
	case "uniform":
		if v.nonNegative(at("min"), d.Min) && d.Max <= d.Min {
			v.errorf(at("max"), "must be greater than min (%s), got %s", d.Min, d.Max)
		}
	case "exponential":
		v.positive(at("mean"), d.Mean)
	case "normal":
		v.positive(at("mean"), d.Mean)
		v.positive(at("stddev"), d.StdDev)
	case "lognormal":
		if v.positive(at("p50"), d.P50) && d.P99 <= d.P50 {
			v.errorf(at("p99"), "must be greater than p50 (%s), got %s", d.P50, d.P99)
		}
	case "pareto":
		v.positive(at("xm"), d.Xm)
		if d.Alpha <= 0 {
			v.errorf(at("alpha"), "must be > 0, got %s", formatNumber(d.Alpha))
		}
	case "empirical":
		if len(d.Samples) == 0 {
			v.errorf(at("samples"), "must not be empty (e.g. [1ms, 2ms, 5ms])")
		}
		for j, s := range d.Samples {
			v.nonNegative(fmt.Sprintf("%s[%d]", at("samples"), j), s)
		}
	}
}

// defaultString sets *s to def when path was not written.
func (v *validator) defaultString(path string, s *string, def string) {
	if !v.has(path) {
		*s = def
	}
}

// defaultAtLeast sets *n to def when path was not written, else checks
// that it is at least least.
func (v *validator) defaultAtLeast(path string, n *int, def, least int) {
	if !v.has(path) {
		*n = def
	} else if *n < least {
		v.errorf(path, "must be at least %d, got %d", least, *n)
	}
}

// defaultPositive sets *d to def when path was not written, else checks
// that it is > 0.
func (v *validator) defaultPositive(path string, d *Duration, def Duration) {
	if !v.has(path) {
		*d = def
	} else {
		v.positive(path, *d)
	}
}

// oneOf checks that val is one of allowed; noun names the kind of value in
// the message.
func (v *validator) oneOf(path, noun, val string, allowed []string) bool {
	if slices.Contains(allowed, val) {
		return true
	}
	v.errorf(path, "unknown %s %q%s (allowed: %s)", noun, val, DidYouMean(val, allowed), strings.Join(allowed, ", "))
	return false
}

// positive checks d > 0 and reports whether it is.
func (v *validator) positive(path string, d Duration) bool {
	if d <= 0 {
		v.errorf(path, "must be > 0, got %s", d)
		return false
	}
	return true
}

// positiveIfSet checks d > 0 when path was written.
func (v *validator) positiveIfSet(path string, d Duration) {
	if v.has(path) {
		v.positive(path, d)
	}
}

// nonNegative checks d >= 0 and reports whether it is.
func (v *validator) nonNegative(path string, d Duration) bool {
	if d < 0 {
		v.errorf(path, "must not be negative, got %s", d)
		return false
	}
	return true
}

// within checks that a point in time lies in the run: 0 <= at < duration.
func (v *validator) within(path string, at Duration) {
	switch {
	case at < 0:
		v.errorf(path, "must not be negative, got %s", at)
	case v.durationOK() && at >= v.s.Duration:
		v.errorf(path, "must be before the end of the run (duration %s), got %s", v.s.Duration, at)
	}
}

// positiveRate checks r > 0.
func (v *validator) positiveRate(path string, r Rate) {
	if r <= 0 {
		v.errorf(path, "must be > 0, got %s", r)
	}
}

// share checks that x is a share in [0, 1] and reports whether it is.
func (v *validator) share(path string, x float64) bool {
	if x < 0 || x > 1 {
		v.errorf(path, "must be between 0 and 1, got %s", formatNumber(x))
		return false
	}
	return true
}

// names are the names of an enumeration's values (client.Jitters,
// client.Drivers...), in its order: what a key naming one accepts.
func names[T fmt.Stringer](values []T) []string {
	var out []string
	for _, x := range values {
		out = append(out, x.String())
	}
	return out
}

// named is the value of values whose name is name (a key the validator
// checked against names), or the zero value when none is.
func named[T fmt.Stringer](values []T, name string) T {
	for _, x := range values {
		if x.String() == name {
			return x
		}
	}
	var zero T
	return zero
}
