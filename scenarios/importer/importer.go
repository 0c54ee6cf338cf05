package importer

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"dbsim/scenarios"
)

// File is one input: its name (for messages) and its content.
type File struct {
	Name string
	Data []byte
}

// Options are the importer's choices.
type Options struct {
	// Resource picks the system when the input describes several: a DB
	// instance or cluster identifier, a table name, a Terraform address
	// or a CloudFormation logical id.
	Resource string
	// Scenario is the file the scenario will be written to, "" for
	// standard output: a CloudWatch export is named relative to its
	// directory (to the working directory for standard output).
	Scenario string
}

// Result is an imported scenario.
type Result struct {
	// YAML is the scenario, warnings and defaults marked in comments.
	YAML []byte
	// Warnings are what dbsim cannot model, also listed at the top of
	// YAML.
	Warnings scenarios.Errors
}

// Import reads the files and writes the one scenario they describe. A
// file that is not JSON or YAML, or whose format is not recognised, and an
// input with no system or several (without Options.Resource) are errors,
// each naming the file and, where there is one, the line and column.
func Import(files []File, opt Options) (*Result, error) {
	inv := &inventory{}
	var errs scenarios.Errors
	for _, f := range files {
		src, err := parse(f.Name, f.Data)
		if err != nil {
			var e *scenarios.Error
			if errors.As(err, &e) {
				errs = append(errs, e)
				continue
			}
			return nil, err
		}
		rec := recognise(src.root)
		if rec == nil {
			errs = append(errs, unrecognised(src))
			continue
		}
		src.ref = traceRef(f.Name, opt.Scenario)
		rec.read(src, inv)
		inv.files = append(inv.files, fmt.Sprintf("%s (%s)", f.Name, rec.format))
	}
	errs = append(errs, inv.errs...)
	if len(errs) > 0 {
		return nil, errs
	}
	sys, err := inv.choose(opt.Resource)
	if err != nil {
		return nil, err
	}
	doc := inv.write(sys)
	if len(inv.traffic) > 0 && sys.tbl != nil {
		if err := chooseMode(doc, opt.Scenario); err != nil {
			return nil, err
		}
	}
	data, err := encode(doc)
	if err != nil {
		return nil, err
	}
	return &Result{YAML: data, Warnings: inv.w.list}, nil
}

// recognise returns the first recogniser that matches root, or nil.
func recognise(root *yaml.Node) *recogniser {
	for i := range recognisers {
		if recognisers[i].match(root) {
			return &recognisers[i]
		}
	}
	return nil
}

// unrecognised explains a file of no known format: what was found, and
// what each format looks like.
func unrecognised(src *source) *scenarios.Error {
	var keys []string
	if src.root.Kind == yaml.MappingNode {
		for i := 0; i < len(src.root.Content) && len(keys) < 5; i += 2 {
			keys = append(keys, src.root.Content[i].Value)
		}
	}
	found := "a " + map[yaml.Kind]string{yaml.MappingNode: "mapping", yaml.SequenceNode: "list", yaml.ScalarNode: "scalar"}[src.root.Kind]
	if len(keys) > 0 {
		found += " of " + strings.Join(keys, ", ")
	}
	var shapes []string
	for _, r := range recognisers {
		shapes = append(shapes, fmt.Sprintf("%s %s", r.format, r.shape))
	}
	return &scenarios.Error{File: src.name, Line: src.root.Line, Col: src.root.Column,
		Msg: fmt.Sprintf("not a format dbsim import reads: found %s (recognised: %s)", found, strings.Join(shapes, "; "))}
}

// system is the one system a scenario runs.
type system struct {
	kind    string // "RDS DB instance", "RDS Multi-AZ DB cluster", "Aurora DB cluster", "DynamoDB table"
	name    string
	inst    *dbInstance
	cluster *dbCluster
	members []*dbInstance
	tbl     *table
	at      at
}

// label names a system in messages: kind, name and where it was read.
func (s *system) label() string {
	return fmt.Sprintf("%s %s (%s)", s.kind, s.name, s.at.src)
}

// choose returns the one system of the inventory, or the one named.
func (inv *inventory) choose(name string) (*system, error) {
	all := inv.systems()
	if name != "" {
		var names []string
		for _, s := range all {
			if s.matches(name) {
				return s, nil
			}
			names = append(names, s.name)
		}
		return nil, fmt.Errorf("--resource %s: no such system in the input%s (found: %s)", name, scenarios.DidYouMean(name, names), labels(all))
	}
	switch len(all) {
	case 0:
		return nil, fmt.Errorf("no database in the input: %s describe no RDS DB instance or cluster and no DynamoDB table (auto scaling targets and policies need their table's description too)", strings.Join(inv.files, ", "))
	case 1:
		return all[0], nil
	}
	return nil, fmt.Errorf("%d systems in the input, and dbsim runs one per scenario: pick one with --resource NAME (found: %s)", len(all), labels(all))
}

func labels(all []*system) string {
	var l []string
	for _, s := range all {
		l = append(l, s.label())
	}
	return strings.Join(l, "; ")
}

// matches reports whether name names the system: its identifier, its
// Terraform address, or its CloudFormation logical id.
func (s *system) matches(name string) bool {
	p := strings.TrimSuffix(strings.TrimPrefix(s.at.path, "Resources."), ".Properties")
	return strings.EqualFold(name, s.name) || name == p
}

// systems lists the systems of the inventory: each cluster with its
// members, each instance that is neither a member nor a replica of
// another instance of the input, each table.
func (inv *inventory) systems() []*system {
	var out []*system
	inv.linkGlobals()
	clusters := slices.Clone(inv.clusters)
	// Members whose cluster is not described make a cluster of their own.
	for _, d := range inv.instances {
		if d.cluster != "" && findCluster(clusters, d.cluster) == nil {
			c := &dbCluster{at: d.at, id: d.cluster, engine: d.engine, region: d.region}
			clusters = append(clusters, c)
		}
	}
	for _, c := range clusters {
		if inv.isSecondary(c) {
			continue // imported with its primary, as global.secondaries
		}
		s := &system{name: c.id, cluster: c, at: c.at}
		for _, d := range inv.instances {
			if d.cluster != "" && strings.EqualFold(d.cluster, c.id) || c.hasMember(d.id) {
				s.members = append(s.members, d)
			}
		}
		s.kind = "Aurora DB cluster"
		if e := c.engine; e == "postgres" || e == "mysql" {
			s.kind = "RDS Multi-AZ DB cluster"
		} else if e == "" && len(s.members) > 0 {
			c.engine = s.members[0].engine
		}
		out = append(out, s)
	}
	for _, d := range inv.instances {
		if d.cluster != "" || slices.ContainsFunc(out, func(s *system) bool { return slices.Contains(s.members, d) }) {
			continue
		}
		if d.source != "" && inv.instance(d.source) != nil {
			continue // a read replica, imported with its source
		}
		out = append(out, &system{kind: "RDS DB instance", name: d.id, inst: d, at: d.at})
	}
	for _, t := range inv.tables {
		out = append(out, &system{kind: "DynamoDB table", name: t.name, tbl: t, at: t.at})
	}
	return out
}

func findCluster(cs []*dbCluster, id string) *dbCluster {
	for _, c := range cs {
		if strings.EqualFold(c.id, id) {
			return c
		}
	}
	return nil
}

func (c *dbCluster) hasMember(id string) bool {
	for _, m := range c.members {
		if id != "" && strings.EqualFold(m.id, id) {
			return true
		}
	}
	return false
}

// instance finds an instance by identifier or ARN.
func (inv *inventory) instance(id string) *dbInstance {
	id = idOfARN(id)
	for _, d := range inv.instances {
		if d.id != "" && strings.EqualFold(d.id, id) {
			return d
		}
	}
	return nil
}
