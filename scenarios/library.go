package scenarios

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
)

//go:embed library/*.yaml
var library embed.FS

// traceFiles are the traces bundled scenarios replay (trace.go), read
// from dbsim itself so that `dbsim run NAME` works anywhere.
//
//go:embed library/traces
var traceFiles embed.FS

// Entry is a bundled scenario.
type Entry struct {
	Name string
	// Summary is the first line of its description.
	Summary string
}

// BundledNames lists the names of the bundled scenarios, sorted, without
// loading them.
func BundledNames() []string {
	files, _ := library.ReadDir("library")
	var out []string
	for _, f := range files {
		if !f.IsDir() {
			out = append(out, strings.TrimSuffix(f.Name(), ".yaml"))
		}
	}
	sort.Strings(out)
	return out
}

// BundledSource returns a bundled scenario's file as embedded in dbsim,
// byte for byte, unparsed.
func BundledSource(name string) ([]byte, error) {
	if !IsBundled(name) {
		return nil, fmt.Errorf("no bundled scenario %q", name)
	}
	return library.ReadFile(path.Join("library", name+".yaml"))
}

// Bundled lists the scenarios built into dbsim, sorted by name.
func Bundled() []Entry {
	var out []Entry
	for _, name := range BundledNames() {
		s, err := LoadBundled(name)
		summary := "(does not load: " + firstLine(errString(err)) + ")"
		if err == nil {
			summary = firstLine(s.Description)
		}
		out = append(out, Entry{Name: name, Summary: summary})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// IsBundled reports whether name is a bundled scenario.
func IsBundled(name string) bool {
	_, err := library.ReadFile(path.Join("library", name+".yaml"))
	return err == nil && !strings.ContainsAny(name, "/\\")
}

// LoadBundled loads a bundled scenario by name.
func LoadBundled(name string) (*Scenario, error) {
	file := path.Join("library", name+".yaml")
	data, err := library.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse("scenarios/"+file, data)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
