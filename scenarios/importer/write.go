package importer

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"dbsim/models/aurora"
	"dbsim/models/rds"
	"dbsim/scenarios"
)

// defaultNote marks a value the source does not give.
const defaultNote = "default: not in the source"

// The scenario is built as YAML nodes, so that values carry comments.

func mapping(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func seq(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func text(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func number(f float64) *yaml.Node {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(int64(f), 10)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(f, 'g', -1, 64)}
}

// put adds key: v to the mapping m; a comment goes beside the value (a
// block value's beside its key).
func put(m *yaml.Node, key string, v *yaml.Node, comment string) {
	k := text(key)
	if comment != "" {
		if v.Kind == yaml.ScalarNode || v.Style == yaml.FlowStyle {
			v.LineComment = comment
		} else {
			k.LineComment = comment
		}
	}
	m.Content = append(m.Content, k, v)
}

func size(bytes float64) *yaml.Node { return text(scenarios.Size(int64(bytes)).String()) }

// topo collects the Regions and AZs the system is placed in: its own
// Region first, each AZ in the order the system names it.
type topo struct {
	region string
	azs    []string
	others []string            // other Regions, in order
	more   map[string][]string // their AZs
}

func (t *topo) addAZ(az string) {
	r := regionOfAZ(az)
	switch {
	case az == "" || r == "":
	case r == t.region:
		if !slices.Contains(t.azs, az) {
			t.azs = append(t.azs, az)
		}
	default:
		t.addRegion(r)
		if !slices.Contains(t.more[r], az) {
			t.more[r] = append(t.more[r], az)
		}
	}
}

func (t *topo) addRegion(r string) {
	if r == "" || r == t.region || slices.Contains(t.others, r) {
		return
	}
	if t.more == nil {
		t.more = map[string][]string{}
	}
	t.others = append(t.others, r)
}

// pad fills a Region's AZs up to three with its a, b and c.
func pad(region string, azs []string) ([]string, bool) {
	padded := false
	for _, s := range []string{"a", "b", "c"} {
		if len(azs) >= 3 {
			break
		}
		if az := region + s; !slices.Contains(azs, az) {
			azs, padded = append(azs, az), true
		}
	}
	return azs, padded
}

func strs(list []string) *yaml.Node {
	n := seq(true)
	for _, s := range list {
		n.Content = append(n.Content, text(s))
	}
	return n
}

func (t *topo) node(inv *inventory, sys *system, known bool) *yaml.Node {
	m := mapping(false)
	note := ""
	if !known {
		note = defaultNote
	}
	put(m, "region", text(t.region), note)
	azs, padded := pad(t.region, slices.Clone(t.azs))
	note = ""
	if padded {
		note = "the Region's a, b, c where the source names fewer AZs"
	}
	put(m, "azs", strs(azs), note)
	if len(t.others) > 0 {
		rs := seq(false)
		for _, r := range t.others {
			e := mapping(true)
			put(e, "name", text(r), "")
			azs, _ := pad(r, slices.Clone(t.more[r]))
			put(e, "azs", strs(azs), "")
			if _, ok := rds.InterRegionRTT(t.region, r); !ok {
				put(e, "rtt", text("100ms"), "")
				e.LineComment = "default: no published round trip between " + t.region + " and " + r
				inv.w.add(sys.at.src, sys.at.n, sys.at.path, "no published round trip between %s and %s (fact 6.5's table): the scenario assumes 100ms; set topology.regions[].rtt to your measurement", t.region, r)
			}
			rs.Content = append(rs.Content, e)
		}
		put(m, "regions", rs, "")
	}
	return m
}

// write builds the scenario of sys.
func (inv *inventory) write(sys *system) *yaml.Node {
	root := mapping(false)
	put(root, "name", text(scenarioName(sys.name)), "")
	t := &topo{}
	var sysNode, work *yaml.Node
	var summary string
	var left []string
	switch {
	case sys.tbl != nil:
		t.region = sys.tbl.region
		sysNode, work, summary = inv.writeTable(sys, t)
		left = []string{"request router and storage latencies", "partition limits", "adaptive capacity and split for heat", "the clients' SDK retry policy"}
	case sys.inst != nil:
		t.region = sys.inst.region
		sysNode, work, summary = inv.writeInstance(sys, t)
		left = []string{"service_time", "max_connections", "failover, recovery and replication timings", "the clients (pools, timeouts, retries)"}
	case sys.kind == "RDS Multi-AZ DB cluster":
		t.region = sys.cluster.region
		sysNode, work, summary = inv.writeMultiAZCluster(sys, t)
		left = []string{"service_time", "max_connections", "failover and replication timings", "the clients (pools, timeouts, retries)"}
	default:
		t.region = sys.cluster.region
		sysNode, work, summary = inv.writeAurora(sys, t)
		left = []string{"service_time", "max_connections", "storage and failover timings", "the clients (pools, timeouts, retries)"}
	}
	known := t.region != ""
	if !known {
		t.region = "us-east-1"
	}
	var tw *yaml.Node
	var span time.Duration
	if sys.tbl != nil {
		tw, span = inv.trafficWorkloads(sys.tbl)
	} else {
		for _, x := range inv.traffic {
			inv.w.add(x.src, x.n, x.path, "%s: consumed capacity replays against a DynamoDB table, not a %s; not imported", x.series.Name(), sys.kind)
		}
	}
	about := "The workload is a default: replace it with your traffic."
	if tw != nil {
		about = "The workload replays the CloudWatch export."
	}
	put(root, "description", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.LiteralStyle,
		Value: scenarios.WrapWords(fmt.Sprintf("Imported by dbsim import: %s. %s", summary, about), 78) + "\n"}, "")
	put(root, "seed", number(1), "")
	workNote := defaultNote + ": replace it with your traffic"
	if tw != nil {
		put(root, "duration", text(scenarios.Duration(span).String()), "the CloudWatch export's length")
		work, workNote = tw, "the CloudWatch export replayed: consumed write units as puts, read units as gets"
	} else {
		put(root, "duration", text("10m"), defaultNote)
	}
	put(root, "topology", t.node(inv, sys, known), "")
	put(root, "system", sysNode, "")
	put(root, "workload", work, workNote)

	var head []string
	head = append(head, "Written by dbsim import from:")
	for _, f := range inv.files {
		head = append(head, "  "+f)
	}
	head = append(head,
		"Values marked \""+defaultNote+"\" are dbsim's choices, not yours:",
		"the workload above all. Left out, at dbsim's defaults (README, Scenarios):",
		"  "+strings.Join(left, ", ")+".")
	if sys.tbl == nil {
		for _, x := range inv.targets {
			inv.w.add(x.src, x.n, x.path, "%s %s: auto scaling of an RDS or Aurora system is not modelled; not imported", x.resource, x.dimension)
		}
		for _, x := range inv.policies {
			inv.w.add(x.src, x.n, x.path, "%s %s: auto scaling of an RDS or Aurora system is not modelled; not imported", x.resource, x.dimension)
		}
	}
	inv.keepWarnings(sys)
	for file, list := range inv.ignoredSorted() {
		inv.w.list = append(inv.w.list, &scenarios.Error{File: file, Msg: "resources dbsim does not import, ignored: " + strings.Join(list, ", ")})
	}
	inv.sortWarnings()
	if len(inv.w.list) > 0 {
		head = append(head, "", fmt.Sprintf("Not imported: what dbsim cannot model (%s):", plural(len(inv.w.list), "warning", "warnings")))
		for _, e := range inv.w.list {
			head = append(head, "  "+e.Error())
		}
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	for i, l := range head {
		head[i] = strings.TrimRight("# "+l, " ")
	}
	doc.HeadComment = strings.Join(head, "\n")
	return doc
}

// ignoredSorted yields the ignored resources per file, files in the order
// they were read.
func (inv *inventory) ignoredSorted() func(yield func(string, []string) bool) {
	return func(yield func(string, []string) bool) {
		var files []string
		for f := range inv.ignored {
			files = append(files, f)
		}
		slices.Sort(files)
		for _, f := range files {
			if !yield(f, inv.ignored[f]) {
				return
			}
		}
	}
}

// scenarioName makes a scenario name (lowercase letters, digits, dashes)
// of a resource's name.
func scenarioName(s string) string {
	s = strings.Trim(nonName.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if s == "" {
		return "imported"
	}
	return s
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// mix is the default workload's share of reads.
const readShare = 0.8

// workload is the default request stream at rate per second, with its
// note (how the rate was chosen).
func workload(rate float64, note string, extra func(w *yaml.Node)) *yaml.Node {
	ws := seq(false)
	w := mapping(false)
	put(w, "name", text("app"), "")
	arr := mapping(true)
	put(arr, "process", text("poisson"), "")
	put(arr, "rate", text(scenarios.Rate(round2(rate)).String()), "")
	arr.LineComment = note
	put(w, "arrival", arr, "")
	mix := mapping(true)
	put(mix, "read", number(readShare), "")
	put(mix, "write", number(1-readShare), "")
	put(w, "mix", mix, "")
	if extra != nil {
		extra(w)
	}
	ws.Content = append(ws.Content, w)
	return ws
}

// round2 rounds a rate down to two significant digits, at least 1.
func round2(r float64) float64 {
	if r < 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(r))-1)
	return math.Floor(r/p) * p
}

// perVCPU is the default workload's rate per vCPU of the writer: 40 % of
// the ~1,400 requests/s at 80 % reads that a vCPU sustains at the default
// service times (README, "What the defaults give").
const perVCPU = 0.4 * 1400

// engine maps an RDS engine name to dbsim's, warning about what the
// mapping leaves out.
func (inv *inventory) engine(a at, e string) (string, bool) {
	switch {
	case e == "postgres" || e == "mysql" || e == "mariadb":
		return e, true
	case strings.HasPrefix(e, "oracle-") || strings.HasPrefix(e, "custom-oracle"):
		inv.w.add(a.src, a.n, a.path, "engine %s: modelled as oracle (the edition is not modelled)", e)
		return "oracle", true
	case strings.HasPrefix(e, "sqlserver-") || strings.HasPrefix(e, "custom-sqlserver"):
		inv.w.add(a.src, a.n, a.path, "engine %s: modelled as sqlserver (the edition is not modelled)", e)
		return "sqlserver", true
	case e == "":
		return "", false
	}
	inv.w.add(a.src, a.n, a.path, "engine %s: not modelled (dbsim's RDS engines: postgres, mysql, mariadb, oracle, sqlserver); the default engine is used", e)
	return "", false
}

// rdsClass is the class if dbsim knows it, else "" with a warning, and
// the vCPUs it sustains: a burstable class's baseline, what its CPU
// credits earn (one credit a vCPU-minute, facts 10.1, 10.2).
func (inv *inventory) rdsClass(a at, c string) (string, float64) {
	if c == "" {
		return "", 0
	}
	if k, ok := rds.LookupClass(c); ok {
		if k.Burstable {
			return k.Name, k.CreditsPerHour / 60
		}
		return k.Name, float64(k.VCPUs)
	}
	inv.w.add(a.src, a.n, a.path, "instance class %s: not in dbsim's class table (dbsim list --classes); the default class is used", c)
	return "", 0
}

func (inv *inventory) writeInstance(sys *system, t *topo) (*yaml.Node, *yaml.Node, string) {
	d := sys.inst
	if d.source != "" {
		inv.w.add(d.src, d.n, d.path, "a read replica of %s, which is not in the input: imported as a standalone instance", d.source)
	}
	m := mapping(false)
	put(m, "kind", text("rds"), "")
	eng, ok := inv.engine(d.at, d.engine)
	if ok {
		put(m, "engine", text(eng), "")
	} else {
		put(m, "engine", text(rds.Defaults().Engine), defaultNote)
	}
	class, vcpus := inv.rdsClass(d.at, d.class)
	if class != "" {
		put(m, "instance_class", text(class), "")
	} else {
		class = rds.Defaults().Class.Name
		vcpus = float64(rds.Defaults().Class.VCPUs)
		put(m, "instance_class", text(class), defaultNote)
	}
	if d.az != "" {
		t.addAZ(d.az)
		put(m, "az", text(d.az), "")
	}
	mode := "none"
	if d.multiAZ {
		mode = "instance"
	}
	put(m, "multi_az", text(mode), "")
	if d.multiAZ && d.standbyAZ != "" && d.standbyAZ != d.az {
		t.addAZ(d.standbyAZ)
		put(m, "standby_az", text(d.standbyAZ), "")
	}
	if d.storageGB > 0 {
		st := mapping(true)
		put(st, "size", size(d.storageGB*(1<<30)), "")
		put(m, "storage", st, "")
	}
	// Read replicas: those the instance lists, and those that name it.
	var reps []string
	for _, r := range d.replicas {
		if !slices.ContainsFunc(reps, func(x string) bool { return strings.EqualFold(idOfARN(x), idOfARN(r)) }) {
			reps = append(reps, r)
		}
	}
	for _, o := range inv.instances {
		if o.source != "" && inv.instance(o.source) == d && !slices.ContainsFunc(reps, func(x string) bool { return strings.EqualFold(idOfARN(x), o.id) }) {
			reps = append(reps, o.id)
		}
	}
	if len(reps) > 0 {
		rs := seq(false)
		for _, r := range reps {
			e := mapping(true)
			rd := inv.instance(r)
			region := regionOfARN(r)
			if rd != nil {
				if rd.region != "" {
					region = rd.region
				}
				if rd.multiAZ {
					inv.w.add(rd.src, rd.n, rd.path, "a Multi-AZ read replica: its standby is not modelled")
				}
			}
			if region != "" && region != d.region && d.region != "" {
				t.addRegion(region)
				put(e, "region", text(region), "")
			}
			if rd != nil && rd.az != "" {
				t.addAZ(rd.az)
				put(e, "az", text(rd.az), "")
			} else {
				e.LineComment = "default: its AZ is not in the source (" + idOfARN(r) + ")"
			}
			if rd != nil {
				if c, _ := inv.rdsClass(rd.at, rd.class); c != "" && c != class {
					put(e, "instance_class", text(c), "")
				}
			}
			rs.Content = append(rs.Content, e)
		}
		put(m, "read_replicas", rs, "")
	}
	writeBackup(m, d.backupDays)
	summary := fmt.Sprintf("RDS DB instance %s, %s on %s, multi_az %s, %s", d.id, or(eng, "default engine"), class, mode, plural(len(reps), "read replica", "read replicas"))
	return m, workload(perVCPU*vcpus, fmt.Sprintf("%s: 40%% of what %s sustains%s", defaultNote, class, baseline(class)), nil), summary
}

// baseline says, for a burstable class, that what it sustains is its
// baseline.
func baseline(class string) string {
	if k, ok := rds.LookupClass(class); ok && k.Burstable {
		return " on its CPU credits' baseline"
	}
	return ""
}

// plural is "1 replica", "2 replicas", "no replicas".
func plural(n int, one, many string) string {
	switch n {
	case 0:
		return "no " + many
	case 1:
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// writeBackup writes backup: {retention} for a retention of days > 0.
func writeBackup(m *yaml.Node, days float64) {
	if days <= 0 {
		return
	}
	b := mapping(true)
	put(b, "retention", text(scenarios.Duration(time.Duration(days)*24*time.Hour).String()), "")
	put(m, "backup", b, "")
}

// writer splits a cluster's members into its writer and its readers
// (sorted by promotion tier, then name).
func (inv *inventory) writer(sys *system) (*dbInstance, []*dbInstance) {
	c := sys.cluster
	members := slices.Clone(sys.members)
	isWriter := func(d *dbInstance) bool {
		if d.writerKnown {
			return d.writer
		}
		for _, m := range c.members {
			if strings.EqualFold(m.id, d.id) {
				return m.writer
			}
		}
		return false
	}
	tier := func(d *dbInstance) int {
		if d.hasTier {
			return d.tier
		}
		for _, m := range c.members {
			if strings.EqualFold(m.id, d.id) && m.hasTier {
				return m.tier
			}
		}
		return 1
	}
	for _, d := range members {
		if !d.hasTier {
			d.tier, d.hasTier = tier(d), true
		}
	}
	slices.SortStableFunc(members, func(a, b *dbInstance) int {
		if a.tier != b.tier {
			return a.tier - b.tier
		}
		return strings.Compare(a.id, b.id)
	})
	w := slices.IndexFunc(members, isWriter)
	if w < 0 {
		if len(members) == 0 {
			return nil, nil
		}
		w = 0
		if len(members) > 1 {
			inv.w.add(c.src, c.n, c.path, "which member is the writer is not in the input (describe-db-clusters' DBClusterMembers[].IsClusterWriter says): taking %s, the first by promotion tier", members[0].id)
		}
	}
	writer := members[w]
	return writer, slices.Delete(members, w, w+1)
}

func (inv *inventory) writeMultiAZCluster(sys *system, t *topo) (*yaml.Node, *yaml.Node, string) {
	c := sys.cluster
	writer, readers := inv.writer(sys)
	m := mapping(false)
	put(m, "kind", text("rds"), "")
	put(m, "engine", text(c.engine), "")
	cls := c.class
	if cls == "" && writer != nil {
		cls = writer.class
	}
	class, vcpus := inv.rdsClass(c.at, cls)
	if class != "" {
		put(m, "instance_class", text(class), "")
	} else {
		class, vcpus = rds.Defaults().Class.Name, float64(rds.Defaults().Class.VCPUs)
		put(m, "instance_class", text(class), defaultNote)
	}
	az := ""
	if writer != nil {
		az = writer.az
	}
	for _, a := range c.azs {
		t.addAZ(a)
	}
	if az != "" {
		t.addAZ(az)
		put(m, "az", text(az), "")
	}
	put(m, "multi_az", text("cluster"), "")
	var standbys []string
	for _, r := range readers {
		if r.az != "" && r.az != az && !slices.Contains(standbys, r.az) {
			standbys = append(standbys, r.az)
		}
	}
	if az != "" && len(standbys) == 2 {
		put(m, "cluster_standby_azs", strs(standbys), "")
	}
	if c.storageGB > 0 {
		st := mapping(true)
		put(st, "size", size(c.storageGB*(1<<30)), "")
		put(m, "storage", st, "")
	}
	writeBackup(m, c.backupDays)
	// The standbys come first in the topology's AZs only after the
	// writer's: make the writer's AZ first.
	if az != "" {
		i := slices.Index(t.azs, az)
		t.azs = append([]string{az}, slices.Delete(t.azs, i, i+1)...)
	}
	summary := fmt.Sprintf("RDS Multi-AZ DB cluster %s, %s on %s", c.id, c.engine, class)
	return m, workload(perVCPU*vcpus, fmt.Sprintf("%s: 40%% of what the writer (%s) sustains", defaultNote, class), nil), summary
}

// auroraEngine maps an Aurora engine name to dbsim's.
func auroraEngine(e string) string {
	switch e {
	case "aurora", "aurora-mysql":
		return "aurora-mysql"
	case "aurora-postgresql", aurora.EngineDocDB, aurora.EngineNeptune:
		return e
	}
	return ""
}

// auroraClass is the class if dbsim knows it for the engine, else "".
func (inv *inventory) auroraClass(a at, engine, c string) (string, float64) {
	if c == "" || c == "db.serverless" {
		return "", 0
	}
	k, ok := aurora.LookupClass(c)
	if !ok || !slices.Contains(aurora.EngineClassNames(engine), k.Name) {
		inv.w.add(a.src, a.n, a.path, "instance class %s: not in dbsim's class table for %s (dbsim list --classes); the default class is used", c, engine)
		return "", 0
	}
	return k.Name, float64(k.VCPUs)
}

func (inv *inventory) writeAurora(sys *system, t *topo) (*yaml.Node, *yaml.Node, string) {
	c := sys.cluster
	writer, readers := inv.writer(sys)
	m := mapping(false)
	put(m, "kind", text("aurora"), "")
	eng := auroraEngine(c.engine)
	if eng == "" {
		inv.w.add(c.src, c.n, c.path, "engine %s: not modelled (dbsim's Aurora engines: aurora-postgresql, aurora-mysql, docdb, neptune); the default engine is used", c.engine)
		eng = aurora.Defaults().Engine
		put(m, "engine", text(eng), defaultNote)
	} else {
		put(m, "engine", text(eng), "")
	}
	wclass := ""
	if writer != nil {
		wclass = writer.class
	}
	serverless := wclass == "db.serverless" || (wclass == "" && c.serverless)
	if serverless && (eng == aurora.EngineDocDB || eng == aurora.EngineNeptune) {
		inv.w.add(c.src, c.n, c.path, "Serverless for %s: not modelled; imported as provisioned", eng)
		serverless = false
	}
	if c.serverless && !serverless && wclass != "" {
		inv.w.add(c.src, c.n, c.path, "ServerlessV2ScalingConfiguration: the writer is %s, not db.serverless, and dbsim makes every instance Serverless v2 or none: imported as provisioned", wclass)
	}
	class, vcpus := inv.auroraClass(c.at, eng, wclass)
	switch {
	case serverless:
	case class != "":
		put(m, "instance_class", text(class), "")
	default:
		class, vcpus = aurora.Defaults().Class.Name, float64(aurora.Defaults().Class.VCPUs)
		if eng == aurora.EngineDocDB || eng == aurora.EngineNeptune {
			names := aurora.EngineClassNames(eng)
			class = names[0]
			for _, n := range names {
				if strings.HasSuffix(n, ".large") {
					class = n
					break
				}
			}
			k, _ := aurora.LookupClass(class)
			vcpus = float64(k.VCPUs)
		}
		put(m, "instance_class", text(class), defaultNote)
	}
	for _, a := range c.azs {
		t.addAZ(a)
	}
	if writer != nil && writer.az != "" {
		t.addAZ(writer.az)
		i := slices.Index(t.azs, writer.az)
		t.azs = append([]string{writer.az}, slices.Delete(t.azs, i, i+1)...)
		put(m, "az", text(writer.az), "")
	}
	if len(readers) > 0 {
		rs := seq(false)
		for _, r := range readers {
			e := mapping(true)
			if r.az != "" {
				t.addAZ(r.az)
				put(e, "az", text(r.az), "")
			}
			put(e, "tier", number(float64(r.tier)), "")
			rc := r.class
			if serverless != (rc == "db.serverless") && rc != "" {
				inv.w.add(r.src, r.n, r.path, "%s is %s while the writer is %s: dbsim makes every instance Serverless v2 or none", r.id, rc, or(wclass, "unknown"))
			} else if k, _ := inv.auroraClass(r.at, eng, rc); k != "" && k != class {
				put(e, "instance_class", text(k), "")
			}
			rs.Content = append(rs.Content, e)
		}
		put(m, "replicas", rs, "")
	}
	if serverless {
		sl := mapping(true)
		if c.serverless {
			put(sl, "min_acu", number(c.minACU), "")
			put(sl, "max_acu", number(c.maxACU), "")
			if c.minACU == 0 && c.autoPause > 0 {
				put(sl, "auto_pause", text(scenarios.Duration(time.Duration(c.autoPause)*time.Second).String()), "")
			}
		} else {
			sl.LineComment = defaultNote + ": the ACU range"
		}
		put(m, "serverless", sl, "")
		vcpus = 1 // 4 ACU: the default workload's share of a scaled-up instance
		class = "4 ACU"
	}
	inv.writeGlobal(m, c, t, eng)
	writeBackup(m, c.backupDays)
	summary := fmt.Sprintf("Aurora DB cluster %s, %s, %s", c.id, eng, plural(len(readers), "replica", "replicas"))
	if serverless {
		summary += ", Serverless v2"
	}
	if rs := inv.secondaryRegions(c); c.global != "" && len(rs) > 0 && (eng == "aurora-postgresql" || eng == "aurora-mysql") {
		summary += ", the primary of Global Database " + c.global + " (secondaries in " + strings.Join(rs, ", ") + ")"
	}
	return m, workload(perVCPU*vcpus, fmt.Sprintf("%s: 40%% of what %s sustains", defaultNote, class), nil), summary
}
