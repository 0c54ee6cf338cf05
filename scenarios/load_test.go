package scenarios

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/rds"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ (expected errors and warnings)")

// TestInvalid loads each testdata/invalid/NAME.yaml and compares the errors
// with NAME.errors. Run with -update to regenerate the .errors files after
// a deliberate change, and review the diff.
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 12)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			s, err := Load(file)
			require.Error(t, err)
			assert.Nil(t, s)
			var errs Errors
			require.True(t, errors.As(err, &errs), "Load returned %T, want Errors", err)
			for _, e := range errs {
				assert.Equal(t, file, e.File)
				assert.GreaterOrEqual(t, e.Line, 1)
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(file, ".yaml") + ".errors"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file; run go test -run TestInvalid -update")
			assert.Equal(t, string(want), got)
		})
	}
}

// TestFull loads a scenario that uses every block and checks the decoded
// values, the defaults filled around them and the recorded positions.
func TestFull(t *testing.T) {
	s, err := Load("testdata/valid/full.yaml")
	require.NoError(t, err)

	assert.Equal(t, "rds-multi-az-failover", s.Name)
	assert.Equal(t, "testdata/valid/full.yaml", s.File)
	assert.NotEmpty(t, s.Source)
	assert.Equal(t, uint64(7), s.Seed)
	assert.Equal(t, 15*time.Minute, s.Duration.D())
	assert.Equal(t, 30*time.Second, s.Warmup.D())
	assert.Equal(t, 5, s.Replications)
	assert.Equal(t, 2*time.Second, s.Bucket.D(), "auto bucket: 15m/600 = 1.5s, rounded up to 2s")

	assert.Equal(t, []string{"us-east-1a", "us-east-1b", "us-east-1c"}, s.Topology.AZs)
	assert.Equal(t, 450*time.Microsecond, s.Topology.SameAZRTT.D())
	assert.Equal(t, time.Millisecond, s.Topology.CrossAZRTT.D())

	require.Equal(t, "rds", s.System.Kind)
	r := s.System.RDS
	require.NotNil(t, r)
	assert.Equal(t, "postgres", r.Engine)
	assert.Equal(t, "db.r6g.large", r.InstanceClass)
	assert.Equal(t, "us-east-1a", r.AZ, "default: the first AZ")
	assert.Equal(t, "instance", r.MultiAZ)
	assert.Equal(t, "us-east-1b", r.StandbyAZ, "default: the first AZ other than az")
	assert.Equal(t, Size(100<<30), r.Storage.Size)
	assert.Equal(t, DistSpec{Dist: "lognormal", P50: Duration(400 * time.Microsecond), P99: Duration(3 * time.Millisecond)}, r.ServiceTime.Read)
	assert.Equal(t, 5*time.Second, r.Failover.DetectionInterval.D())
	assert.Equal(t, 3, r.Failover.DetectionThreshold)
	assert.Zero(t, r.Failover.Promotion, "model defaults are the runner's job")
	assert.Equal(t, Size(1536), r.Recovery.RedoPerWrite)
	assert.Equal(t, ByteRate(50<<20), r.Recovery.RedoRate)

	c := s.Clients
	assert.Equal(t, "us-east-1a", c.AZ)
	assert.Equal(t, 4, c.Instances)
	assert.Equal(t, 200, c.Connections)
	assert.Equal(t, 2*time.Second, c.ConnectTimeout.D())
	assert.Equal(t, Retry{MaxAttempts: 3, Base: Duration(50 * time.Millisecond), Cap: Duration(2 * time.Second), Jitter: "full"}, c.Retry)
	assert.Equal(t, 30*time.Second, c.DNSCacheFor)

	require.Len(t, s.Workload, 1)
	w := s.Workload[0]
	assert.Equal(t, Arrival{Process: "poisson", Rate: 2000, Burstiness: Burstiness{PeakToMean: 1}}, w.Arrival)
	assert.Equal(t, []RateChange{{At: Duration(10 * time.Minute), Rate: 4000}}, w.RateChanges)
	assert.Equal(t, Mix{Read: 0.8, Write: 0.2}, w.Mix)
	assert.Equal(t, "primary", w.ReadsFrom)
	assert.Equal(t, Keys{Dist: "zipf", Count: 1_000_000, Skew: 1.1}, w.Keys)
	assert.Equal(t, Size(1024), w.ItemSize)

	require.Len(t, s.Faults, 3)
	assert.Equal(t, Fault{Kind: "instance-failure", At: Duration(5 * time.Minute), Target: "primary", Scheduled: true}, s.Faults[0])
	assert.Equal(t, Fault{Kind: "az-outage", At: Duration(9 * time.Minute), For: Duration(2 * time.Minute), AZ: "us-east-1b", Scheduled: true}, s.Faults[1])
	assert.Equal(t, Fault{Kind: "network-partition", MTTF: Duration(2 * time.Hour), MTTR: Duration(10 * time.Second), Between: []string{"us-east-1a", "us-east-1c"}}, s.Faults[2])

	// Positions: scalars at their value, mappings and lists at their key,
	// list items at the item.
	positions := map[string]Pos{
		"name":                           {3, 7},
		"duration":                       {7, 11},
		"system":                         {15, 1},
		"system.kind":                    {16, 9},
		"system.failover":                {20, 3},
		"system.failover.dns_ttl":        {20, 71},
		"system.service_time.read.p99":   {22, 47},
		"workload":                       {35, 1},
		"workload[0]":                    {36, 5},
		"workload[0].mix.read":           {39, 17},
		"workload[0].rate_changes[0].at": {38, 25},
		"faults[1].at":                   {45, 10},
		"faults[2].between[1]":           {46, 53},
	}
	for path, want := range positions {
		assert.True(t, s.Has(path), "Has(%q)", path)
		assert.Equal(t, want, s.Pos(path), "Pos(%q)", path)
	}
	// Left out: Has is false, Pos falls back to the nearest written parent.
	for path, want := range map[string]Pos{
		"system.failover.promotion": {20, 3},
		"system.standby_az":         {15, 1},
		"clients.instances":         {29, 1},
		"bucket":                    {3, 1},
	} {
		assert.False(t, s.Has(path), "Has(%q)", path)
		assert.Equal(t, want, s.Pos(path), "Pos(%q)", path)
	}
}

// TestMinimal checks every generic default on the smallest valid scenario.
func TestMinimal(t *testing.T) {
	s, err := Parse("min.yaml", []byte(`
name: min
duration: 1h
system: {kind: rds}
workload:
  - arrival: {rate: 10/s}
faults:
  - {at: 10m, kind: az-outage, az: us-east-1c}
`))
	require.NoError(t, err)
	assert.Equal(t, uint64(1), s.Seed)
	assert.Equal(t, 1, s.Replications)
	assert.Zero(t, s.Warmup)
	assert.Equal(t, 10*time.Second, s.Bucket.D(), "1h/600 = 6s, rounded up to 10s")
	assert.Equal(t, Topology{
		Region:     "us-east-1",
		AZs:        []string{"us-east-1a", "us-east-1b", "us-east-1c"},
		SameAZRTT:  Duration(450 * time.Microsecond),
		CrossAZRTT: Duration(time.Millisecond),
	}, s.Topology)
	assert.Equal(t, &RDSSystem{
		Engine: "postgres", InstanceClass: "db.r6g.large", AZ: "us-east-1a", MultiAZ: "none",
		Storage: Storage{Size: 100 << 30},
	}, s.System.RDS)
	assert.Equal(t, Clients{
		AZ: "us-east-1a", Instances: 4, Connections: 50, PoolTimeout: Duration(2 * time.Second), MaxInFlight: 10_000,
		ConnectTimeout: Duration(2 * time.Second), Timeout: Duration(2 * time.Second),
		Retry:    Retry{MaxAttempts: 3, Base: Duration(50 * time.Millisecond), Cap: Duration(20 * time.Second), Jitter: "full"},
		DNSCache: "ttl", DNSCacheFor: 0,
		Driver: "dns", PoolValidation: "none",
	}, s.Clients)
	assert.Equal(t, Workload{
		Arrival:   Arrival{Process: "poisson", Rate: 10, Burstiness: Burstiness{PeakToMean: 1}},
		Mix:       Mix{Read: 1},
		ReadsFrom: "primary",
		Keys:      Keys{Dist: "uniform", Count: 1_000_000},
		ItemSize:  1024,
	}, s.Workload[0])
	assert.True(t, s.Faults[0].Scheduled)
	assert.False(t, s.Has("seed"))
	assert.True(t, s.Has("faults[0].az"))
}

func TestDefaultsThatDependOnOtherValues(t *testing.T) {
	s, err := Parse("x.yaml", []byte(`
name: x
seed: 0
duration: 30d
topology: {region: eu-west-1}
system: {kind: rds, multi_az: instance, az: eu-west-1b, instance_class: DB.R5.XLARGE}
clients: {dns_cache: forever}
workload: [{arrival: {rate: 1/s}}]
`))
	require.NoError(t, err)
	assert.Equal(t, uint64(0), s.Seed, "seed 0 is allowed when written")
	assert.Equal(t, 2*time.Hour, s.Bucket.D(), "30d/600 = 72m, rounded up to whole hours")
	assert.Equal(t, []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}, s.Topology.AZs)
	assert.Equal(t, "eu-west-1a", s.System.RDS.StandbyAZ, "the first AZ other than az")
	assert.Equal(t, "db.r5.xlarge", s.System.RDS.InstanceClass, "class names are normalised")
	assert.Equal(t, "eu-west-1a", s.Clients.AZ)
	assert.Equal(t, time.Duration(-1), s.Clients.DNSCacheFor)
}

func TestAutoBucket(t *testing.T) {
	for d, want := range map[time.Duration]time.Duration{
		time.Second:         time.Second,
		10 * time.Minute:    time.Second, // exactly 600 rows
		601 * time.Second:   2 * time.Second,
		15 * time.Minute:    2 * time.Second,
		time.Hour:           10 * time.Second,
		24 * time.Hour:      5 * time.Minute,
		600 * time.Hour:     time.Hour,
		601 * time.Hour:     2 * time.Hour,
		30 * 24 * time.Hour: 2 * time.Hour,
	} {
		assert.Equal(t, want, autoBucket(d), "autoBucket(%s)", d)
	}
}

// TestNullMeansAbsent: `key:` with no value (or ~) counts as not written,
// so the default applies.
func TestNullMeansAbsent(t *testing.T) {
	s, err := Parse("x.yaml", []byte("name: x\nduration: 1m\nseed:\nclients: ~\nsystem: {kind: rds}\nworkload: [{arrival: {rate: 1/s}}]\nfaults:\n"))
	require.NoError(t, err)
	assert.False(t, s.Has("seed"))
	assert.Equal(t, uint64(1), s.Seed)
	assert.Equal(t, 50, s.Clients.Connections)
	assert.Empty(t, s.Faults)
}

func TestErrorFormat(t *testing.T) {
	errs := Errors{
		{File: "a.yaml", Line: 3, Col: 5, Path: "workload[0].mix", Msg: "read + write = 1.1, must sum to 1"},
		{File: "a.yaml", Line: 7, Msg: "YAML syntax: did not find expected key"},
		{Line: 1, Col: 1, Msg: "the scenario is empty"},
	}
	assert.Equal(t, "a.yaml:3:5: workload[0].mix: read + write = 1.1, must sum to 1\n"+
		"a.yaml:7: YAML syntax: did not find expected key\n"+
		"1:1: the scenario is empty", errs.Error())
}

func TestErrorsSorted(t *testing.T) {
	errs := Errors{
		{Line: 9, Col: 1, Msg: "c"},
		{Line: 2, Col: 8, Msg: "b"},
		{Line: 2, Col: 3, Msg: "a"},
		{Line: 9, Col: 1, Msg: "c"}, // an exact repeat is dropped
		{Line: 9, Col: 1, Msg: "d"}, // same place: keeps its order
	}.sorted()
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Msg)
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, msgs)
}

// TestAliasBomb: aliases that expand a small file into a huge tree are cut
// off with an error instead of eating memory and time.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: bomb\nduration: 1m\nsystem: {kind: rds}\nworkload:\n")
	b.WriteString("  - arrival: {rate: 1/s}\n    rate_changes: &r [" + strings.Repeat("{at: 1s, rate: 1/s}, ", 100) + "]\n")
	b.WriteString(strings.Repeat("  - {arrival: {rate: 1/s}, rate_changes: *r}\n", 1000))
	_, err := Parse("bomb.yaml", []byte(b.String()))
	require.Error(t, err)
	assert.Equal(t, "bomb.yaml:1:1: too large: more than 100000 values (are aliases expanding?)", err.Error())
}

func TestSuggestion(t *testing.T) {
	allowed := []string{"process", "rate"}
	assert.Equal(t, `unknown key "rat"; did you mean rate? (allowed: process, rate)`, unknownKey("rat", allowed))
	assert.Equal(t, `unknown key "Rate"; did you mean rate? (allowed: process, rate)`, unknownKey("Rate", allowed))
	assert.Equal(t, `unknown key "colour" (allowed: process, rate)`, unknownKey("colour", allowed))
	assert.Equal(t, 3, editDistance("kitten", "sitting"))
}

func TestNearest(t *testing.T) {
	classes := rds.ClassNames()
	assert.Equal(t, []string{"db.r6g.large"}, Nearest("db.r6g.larg", classes, 3), "one typo")
	assert.Equal(t, []string{"db.r6g.large"}, Nearest("DB.R6G.LARG", classes, 3), "case is ignored")
	assert.Equal(t, []string{"db.r6g.4xlarge"}, Nearest("db.r6g.4x", classes, 3), "the start of a name")
	assert.Len(t, Nearest("db.r6", classes, 3), 3, "at most n")
	assert.Empty(t, Nearest("db.x9.huge", classes, 3), "nothing near")
	assert.Empty(t, Nearest("us-east-1d", []string{"us-east-1a", "us-east-1b", "us-east-1c"}, 3), "all as near: no help")
	assert.Equal(t, []string{"instance_class"}, Nearest("instance_clas", fieldNames(reflect.TypeFor[RDSSystem]()), 3))

	assert.Equal(t, "; did you mean run?", DidYouMean("rn", []string{"run", "list"}))
	assert.Equal(t, "; did you mean db.r6g.2xlarge or db.r6g.4xlarge?", DidYouMean("db.r6g.xxlarge", []string{"db.r6g.2xlarge", "db.r6g.4xlarge", "db.r6g.large"}))
	assert.Empty(t, DidYouMean("frobnicate", []string{"run", "list"}))
}

// fieldNames lists the YAML keys of a struct type.
func fieldNames(t reflect.Type) []string {
	var names []string
	for _, f := range fieldsOf(t) {
		names = append(names, f.name)
	}
	return names
}

// An unknown instance class names the nearest known ones and how to list
// them all, not all 70.
func TestUnknownClassSuggests(t *testing.T) {
	_, err := Parse("c.yaml", []byte("name: c\nduration: 1m\nsystem: {kind: rds, instance_class: db.r6g.larg}\nworkload: [{arrival: {rate: 1/s}}]\n"))
	require.Error(t, err)
	assert.Equal(t, `c.yaml:3:37: system.instance_class: unknown instance class "db.r6g.larg"; did you mean db.r6g.large? (allowed: 70 classes; dbsim list --classes lists them)`, err.Error())
	_, err = Parse("c.yaml", []byte("name: c\nduration: 1m\nsystem: {kind: aurora, instance_class: db.r7g.xlarg}\nworkload: [{arrival: {rate: 1/s}}]\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown instance class "db.r7g.xlarg"; did you mean db.r7g.xlarge? (allowed: `)
}

// TestSyntaxErrorLines pins the line of YAML syntax errors. yaml.v3 counts
// its parser's lines from 0 and its scanner's from 1, and gives no line for
// bad characters; syntaxError makes them all 1-based.
func TestSyntaxErrorLines(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a: 1\nb: {c: 1\nd: 2\n", "f:2: YAML syntax: did not find expected ',' or '}'"},           // parser
		{"a: 1\nb: [1, 2\nc: 3\n", "f:2: YAML syntax: did not find expected ',' or ']'"},           // parser
		{"a: 1\n- b\n", "f:2: YAML syntax: did not find expected key"},                             // parser
		{"a:\n  - 1\n  b: 2\n", "f:2: YAML syntax: did not find expected '-' indicator"},           // parser
		{"{a: 1\n", "f:2: YAML syntax: did not find expected ',' or '}'"},                          // parser, at the end
		{"a: 1\n  b: 2\n", "f:2: YAML syntax: mapping values are not allowed in this context"},     // scanner
		{"a: 1\nb: c: d\n", "f:2: YAML syntax: mapping values are not allowed in this context"},    // scanner
		{"a: 1\nb: '\n", "f:2: YAML syntax: found unexpected end of stream"},                       // scanner
		{"a: \x01\n", "f:1:4: YAML syntax: control characters are not allowed"},                    // reader
		{"a: 1\nbb: \xff\n", "f:2:5: YAML syntax: invalid leading UTF-8 octet"},                    // reader
		{"a: *x\n", "f:1: YAML syntax: unknown anchor 'x' referenced"},                             // no line given
		{"%YAML 1.1\n%YAML 1.1\n---\na: 1\n", "f:2: YAML syntax: found duplicate %YAML directive"}, // parser
	}
	for _, tt := range tests {
		_, err := Parse("f", []byte(tt.in))
		if assert.Error(t, err, "%q", tt.in) {
			assert.Equal(t, tt.want, err.Error(), "%q", tt.in)
		}
	}
}

// TestNoFollowOnErrors: a value that failed to decode is reported once;
// checks that depend on it (warmup < duration, mix sums to 1) stay quiet.
func TestNoFollowOnErrors(t *testing.T) {
	_, err := Parse("f", []byte(`
name: x
duration: 10x
warmup: 5m
system: {kind: rds}
clients: {retry: {base: 1y, cap: 1ms}}
workload:
  - arrival: {rate: 1/s}
    mix: {read: lots, write: 0.5}
    rate_changes: [{at: 1m, rate: 2/s}, {at: 1q, rate: 1/s}, {at: 30s, rate: 3/s}]
`))
	require.Error(t, err)
	assert.Equal(t, `f:3:11: duration: unknown duration unit "x" in "10x" (units: ns us ms s m h d)
f:6:25: clients.retry.base: unknown duration unit "y" in "1y" (units: ns us ms s m h d)
f:9:17: workload[0].mix.read: expected a number, got "lots"
f:10:46: workload[0].rate_changes[1].at: unknown duration unit "q" in "1q" (units: ns us ms s m h d)`, err.Error())
}

// TestWarnings loads each testdata/warnings/NAME.yaml, a scenario that runs
// but is suspect, and compares its warnings with NAME.warnings (-update
// regenerates them).
func TestWarnings(t *testing.T) {
	files, err := filepath.Glob("testdata/warnings/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			s, err := Load(file)
			require.NoError(t, err)
			require.NotEmpty(t, s.Warnings)
			got := s.Warnings.Error() + "\n"
			golden := strings.TrimSuffix(file, ".yaml") + ".warnings"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file; run go test -run TestWarnings -update")
			assert.Equal(t, string(want), got)
		})
	}
}

// Aurora's own quorums (4 and 3), written or left to the defaults, and
// overlapping ones, draw no warning; a write quorum of 3 misses the default
// read quorum and itself; 5 and 1 miss only each other.
func TestAuroraQuorumWarnings(t *testing.T) {
	src := func(storage string) string {
		return "name: q\nduration: 1m\nsystem: {kind: aurora" + storage + "}\nworkload:\n  - {name: w, arrival: {rate: 10/s}}\n"
	}
	for _, st := range []string{"", ", storage: {write_quorum: 4, read_quorum: 3}", ", storage: {write_quorum: 6, read_quorum: 1}", ", storage: {write_quorum: 4}"} {
		assert.Empty(t, mustParse(t, src(st)).Warnings, "storage%s", st)
	}
	w := mustParse(t, src(", storage: {write_quorum: 3}")).Warnings
	require.Len(t, w, 2, "3 + the default 3 = 6: no overlap; 2 × 3 = 6 neither")
	w = mustParse(t, src(", storage: {write_quorum: 5, read_quorum: 1}")).Warnings
	require.Len(t, w, 1)
	assert.Contains(t, w[0].Msg, "read quorum 1 + write quorum 5")
}
