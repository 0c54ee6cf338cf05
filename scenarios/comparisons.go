package scenarios

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// A bundled comparison is a named set of bundled scenarios that run the
// same workload through different systems, for "dbsim compare NAME". Its
// file, library/compare/NAME.yaml, holds:
//
//	name: rds-vs-aurora-vs-dynamodb
//	description: |
//	  One order-processing workload and AZ outage on three systems.
//	scenarios: [order-processing-rds, order-processing-aurora]

//go:embed library/compare/*.yaml
var comparisons embed.FS

// Comparison is a bundled comparison: the scenarios it runs side by side.
type Comparison struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Scenarios   []string `yaml:"scenarios"`
}

// BundledComparisons lists the comparisons built into dbsim, sorted by
// name; Summary is the first line of the description.
func BundledComparisons() []Entry {
	files, _ := comparisons.ReadDir("library/compare")
	var out []Entry
	for _, f := range files {
		name := strings.TrimSuffix(f.Name(), ".yaml")
		c, err := LoadBundledComparison(name)
		summary := "(does not load: " + firstLine(errString(err)) + ")"
		if err == nil {
			summary = firstLine(c.Description)
		}
		out = append(out, Entry{Name: name, Summary: summary})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// IsBundledComparison reports whether name is a bundled comparison.
func IsBundledComparison(name string) bool {
	_, err := comparisons.ReadFile(path.Join("library/compare", name+".yaml"))
	return err == nil && !strings.ContainsAny(name, "/\\")
}

// LoadBundledComparison reads a bundled comparison by name. Its file is
// decoded strictly (unknown keys are errors), must list at least two
// scenarios, each a bundled scenario named once, and must be named after
// its file.
func LoadBundledComparison(name string) (*Comparison, error) {
	file := path.Join("library/compare", name+".yaml")
	data, err := comparisons.ReadFile(file)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Comparison
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("scenarios/%s: %w", file, err)
	}
	var probs []string
	if c.Name != name {
		probs = append(probs, fmt.Sprintf("name %q is not the file's name %q", c.Name, name))
	}
	if len(c.Scenarios) < 2 {
		probs = append(probs, fmt.Sprintf("scenarios: %d listed, at least 2 needed", len(c.Scenarios)))
	}
	seen := map[string]bool{}
	for _, s := range c.Scenarios {
		switch {
		case !IsBundled(s):
			probs = append(probs, fmt.Sprintf("scenarios: %q is not a bundled scenario", s))
		case seen[s]:
			probs = append(probs, fmt.Sprintf("scenarios: %q listed twice", s))
		}
		seen[s] = true
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("scenarios/%s: %s", file, strings.Join(probs, "; "))
	}
	return &c, nil
}
