package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

// Every bundled scenario's summary.json, byte for byte: a change in a
// model shows up here as a diff a reviewer reads. After an intended change,
// rewrite them with `go test ./report/ -run TestBundledSummaries -update`
// and read the diff.
func TestBundledSummaries(t *testing.T) {
	for _, b := range scenarios.Bundled() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			s, err := scenarios.LoadBundled(b.Name)
			require.NoError(t, err)
			res, err := scenarios.Run(s, scenarios.Options{})
			require.NoError(t, err)
			var got bytes.Buffer
			require.NoError(t, WriteJSON(&got, Summarize(res, nil)))
			path := filepath.Join("testdata", "golden", b.Name+".summary.json")
			if *update {
				require.NoError(t, os.WriteFile(path, got.Bytes(), 0o644))
				return
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "no golden summary: run `go test ./report/ -run TestBundledSummaries -update`")
			assert.Equal(t, string(want), got.String(),
				"%s differs; if the change is intended, run `go test ./report/ -run TestBundledSummaries -update` and read the diff", path)
		})
	}
}
