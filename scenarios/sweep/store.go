package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"dbsim/scenarios/pricing"
)

// PointFormat identifies the JSON of a stored point.
const PointFormat = "dbsim-sweep-point/1"

// Store keeps a sweep's finished points on disk, one file per point,
// written as each point finishes: a sweep holds only the points in flight,
// and a sweep that was stopped resumes from the points it had finished.
//
// A point's file is named by its key, a hash of everything its numbers
// depend on: the point's scenario as run (the base scenario's text with the
// point's values written in, so its seed too), the --replications
// override, the price table and the metrics. A changed scenario, grid
// value, seed or price gives other keys, so its points run again and are
// never mixed with the old ones; a point that is in two grids (a grid made
// finer) is run once. A file that cannot be read whole (a machine that
// died while writing it) counts as not finished. What the key does not
// hold is dbsim itself: after an upgrade that changes a model, start over
// (Clear).
type Store struct {
	dir string
}

// OpenStore is the store in dir; dir is made when the first point is
// saved.
func OpenStore(dir string) *Store { return &Store{dir: dir} }

// Dir is the store's directory.
func (st *Store) Dir() string { return st.dir }

// storedPoint is a point's file.
type storedPoint struct {
	Format  string   `json:"format"`
	Key     string   `json:"key"`
	Metrics []string `json:"metrics"`
	PointResult
}

// Key is the key of point pt of sw (see Store).
func (sw *Sweep) Key(pt *Point) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%q\n%d\n%q\n", PointFormat, metricNames(), sw.Replications, pt.Scenario.Source)
	prices := sw.Prices
	if prices == nil {
		prices = pricing.Default()
	}
	pj, _ := json.Marshal(prices)
	h.Write(pj)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func (st *Store) path(key string) string { return filepath.Join(st.dir, key+".json") }

// Load returns the stored result, with reps replications, of the point
// with the given key, index and values, or false when the store does not
// hold it whole.
func (st *Store) Load(key string, index int, values []string, reps int) (*PointResult, bool) {
	b, err := os.ReadFile(st.path(key))
	if err != nil {
		return nil, false
	}
	var sp storedPoint
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if dec.Decode(&sp) != nil || sp.Format != PointFormat || sp.Key != key ||
		strings.Join(sp.Metrics, ",") != strings.Join(metricNames(), ",") ||
		len(sp.Replications) != reps {
		return nil, false
	}
	for _, vals := range sp.Replications {
		if len(vals) != len(sp.Metrics) {
			return nil, false
		}
	}
	pr := sp.PointResult
	pr.Index, pr.Values = index, values
	return &pr, true
}

// Save stores a finished point under key: written to a temporary file
// beside it and renamed, so the file is whole or absent.
func (st *Store) Save(key string, pr *PointResult) error {
	if err := os.MkdirAll(st.dir, 0o755); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	b, err := json.Marshal(storedPoint{Format: PointFormat, Key: key, Metrics: metricNames(), PointResult: *pr})
	if err != nil {
		return fmt.Errorf("sweep: point %d: %w", pr.Index, err)
	}
	f, err := os.CreateTemp(st.dir, ".tmp-"+key+"-")
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("sweep: saving point %d: %w", pr.Index, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil { // CreateTemp makes it 0600
		os.Remove(f.Name())
		return fmt.Errorf("sweep: %w", err)
	}
	if err := os.Rename(f.Name(), st.path(key)); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("sweep: saving point %d: %w", pr.Index, err)
	}
	return nil
}

// Clear removes every stored point (and temporary file a stopped sweep
// left), and the directory when nothing else is in it.
func (st *Store) Clear() error {
	entries, err := os.ReadDir(st.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".json") || strings.HasPrefix(n, ".tmp-")) {
			if err := os.Remove(filepath.Join(st.dir, n)); err != nil {
				return fmt.Errorf("sweep: %w", err)
			}
		}
	}
	os.Remove(st.dir) // only if empty
	return nil
}
