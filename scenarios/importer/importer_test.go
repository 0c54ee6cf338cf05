package importer

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// importCases are the fixtures of testdata (README.md there says which AWS
// documentation page each one's shape follows), alone or together, and
// the golden file of what dbsim import writes of them: the scenario, or
// the error.
var importCases = []struct {
	golden   string
	files    []string
	resource string
}{
	{"cli-rds-instance", []string{"cli-rds-instances.json"}, ""},
	{"cli-aurora", []string{"cli-aurora-clusters.json", "cli-aurora-instances.json"}, ""},
	{"cli-aurora-global", []string{"cli-aurora-clusters.json", "cli-aurora-instances.json", "cli-global-clusters.json"}, ""},
	{"cli-aurora-serverless", []string{"cli-aurora-serverless.json"}, ""},
	{"cli-multiaz-cluster", []string{"cli-multiaz-cluster.json"}, ""},
	{"cli-dynamodb-autoscaling", []string{"cli-table.json", "cli-scalable-targets.json", "cli-scaling-policies.json"}, ""},
	{"cli-dynamodb-global-ondemand", []string{"cli-table-global-ondemand.json"}, ""},
	{"tf-state-aurora", []string{"tf-state-aurora.json"}, ""},
	{"tf-state-rds", []string{"tf-state-rds.json"}, ""},
	{"tf-plan-dynamodb", []string{"tf-plan-dynamodb.json"}, ""},
	{"tfstate-dynamodb", []string{"tfstate-dynamodb.json"}, ""},
	{"cfn-rds", []string{"cfn-rds.yaml"}, ""},
	{"cfn-aurora", []string{"cfn-aurora.json"}, ""},
	{"cfn-dynamodb", []string{"cfn-dynamodb.yaml"}, ""},
	{"pick-resource", []string{"cli-rds-instances.json", "cli-table.json"}, "orders"},
	// Errors.
	{"two-systems", []string{"cli-rds-instances.json", "cli-table.json"}, ""},
	{"unknown-resource", []string{"cli-table.json"}, "order"},
	{"no-system", []string{"cli-scalable-targets.json"}, ""},
	{"malformed-json", []string{"malformed.json"}, ""},
	{"malformed-yaml", []string{"malformed.yaml", "unrecognised.json"}, ""},
	{"unrecognised", []string{"unrecognised.json"}, ""},
}

func importFiles(t *testing.T, names []string, resource string) (*Result, error) {
	t.Helper()
	var files []File
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("testdata", n))
		require.NoError(t, err)
		files = append(files, File{Name: n, Data: data})
	}
	return Import(files, Options{Resource: resource})
}

// Each case writes its golden scenario (or error); each scenario written
// loads, validates and runs as written (20 s of it).
func TestImportGoldens(t *testing.T) {
	for _, c := range importCases {
		t.Run(c.golden, func(t *testing.T) {
			res, err := importFiles(t, c.files, c.resource)
			var got []byte
			ext := ".yaml"
			if err != nil {
				got, ext = []byte(err.Error()+"\n"), ".err"
			} else {
				got = res.YAML
			}
			golden := filepath.Join("testdata", "golden", c.golden+ext)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, got, 0o644))
				other := strings.TrimSuffix(golden, ext) + map[string]string{".yaml": ".err", ".err": ".yaml"}[ext]
				if err := os.Remove(other); err != nil && !os.IsNotExist(err) {
					require.NoError(t, err)
				}
			}
			want, rerr := os.ReadFile(golden)
			require.NoError(t, rerr, "no golden file (go test ./scenarios/importer -update)")
			assert.Equal(t, string(want), string(got), "golden %s (go test ./scenarios/importer -update)", golden)
			if err != nil {
				return
			}
			for _, w := range res.Warnings {
				assert.Contains(t, string(res.YAML), "#   "+w.Error(), "every warning is in the YAML's header")
			}
			s, perr := scenarios.Parse(c.golden+".yaml", res.YAML)
			require.NoError(t, perr, "the imported scenario validates:\n%s", res.YAML)
			assert.Empty(t, s.Warnings, "no validation warnings")
			s.Duration = scenarios.Duration(20 * time.Second)
			s.Warmup = 0
			s.Replications = 1
			rep, rerr2 := scenarios.RunReplication(s, 0)
			require.NoError(t, rerr2)
			assert.Positive(t, rep.Requests.OK, "requests served")
		})
	}
}

// Every case of importCases has a golden file, and every golden file a
// case.
func TestEveryGoldenHasACase(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*")
	require.NoError(t, err)
	cases := map[string]bool{}
	for _, c := range importCases {
		cases[c.golden] = true
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		assert.True(t, cases[name], "%s has no case", f)
		assert.False(t, seen[name], "%s: one golden file per case, a scenario or an error", f)
		seen[name] = true
	}
}
