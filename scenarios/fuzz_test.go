package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, that every problem it reports
// carries a line, and that what it accepts holds the basic invariants the
// runner relies on. Seeded with every scenario in testdata and the library;
// run with go test -fuzz FuzzParse ./scenarios/. Crashers land in
// testdata/fuzz/FuzzParse and then run as ordinary tests.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/*/*.yaml", "library/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("Parse returned %T %v, want non-empty Errors", err, err)
			}
			if s != nil {
				t.Fatalf("Parse returned a scenario with errors")
			}
			for _, e := range errs {
				if e.Line < 1 || e.Col < 0 || e.File != "fuzz.yaml" || e.Msg == "" {
					t.Fatalf("malformed error %#v", e)
				}
			}
			return
		}
		switch {
		case s == nil:
			t.Fatal("Parse returned neither a scenario nor an error")
		case s.Duration <= 0 || s.Bucket <= 0 || s.Warmup < 0 || s.Warmup >= s.Duration:
			t.Fatalf("bad times: duration %s bucket %s warmup %s", s.Duration, s.Bucket, s.Warmup)
		case len(s.Workload) == 0 || len(s.Topology.AZs) == 0:
			t.Fatal("accepted without a workload or AZs")
		case s.System.Kind == "rds" && s.System.RDS == nil:
			t.Fatal("kind rds without an RDS block")
		}
		for _, w := range s.Workload {
			noRate := w.Arrival.Rate <= 0 && (w.Arrival.Trace == nil || len(w.Arrival.Trace.Rates) == 0)
			if noRate || w.Keys.Count < 1 || w.ItemSize <= 0 {
				t.Fatalf("accepted workload %+v", w)
			}
		}
	})
}
