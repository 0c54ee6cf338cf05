package importer

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// recogniser is one input format: how to tell it from its content, and
// how to read it into the inventory. A new format is one more entry of
// recognisers.
type recogniser struct {
	// format names it in messages; shape says what it looks like.
	format, shape string
	match         func(root *yaml.Node) bool
	read          func(src *source, inv *inventory)
}

// recognisers are the formats dbsim import reads, tried in order.
var recognisers = []recogniser{
	{"aws rds describe-db-instances", `{"DBInstances": [...]}`,
		hasKey("DBInstances"), cliList("DBInstances", readInstance)},
	{"aws rds describe-db-clusters", `{"DBClusters": [...]}`,
		hasKey("DBClusters"), cliList("DBClusters", readCluster)},
	{"aws rds describe-global-clusters", `{"GlobalClusters": [...]}`,
		hasKey("GlobalClusters"), cliList("GlobalClusters", readGlobalCluster)},
	{"aws rds create-db-instance or modify-db-instance", `{"DBInstance": {...}}`,
		hasKey("DBInstance"), cliOne("DBInstance", readInstance)},
	{"aws rds create-db-cluster or modify-db-cluster", `{"DBCluster": {...}}`,
		hasKey("DBCluster"), cliOne("DBCluster", readCluster)},
	{"aws dynamodb describe-table", `{"Table": {"TableName": ...}}`,
		hasKey("Table"), cliOne("Table", readTable)},
	{"aws dynamodb create-table or update-table", `{"TableDescription": {...}}`,
		hasKey("TableDescription"), cliOne("TableDescription", readTable)},
	{"aws application-autoscaling describe-scalable-targets", `{"ScalableTargets": [...]}`,
		hasKey("ScalableTargets"), cliList("ScalableTargets", func(o *obj, inv *inventory) { readTarget(o, inv) })},
	{"aws application-autoscaling describe-scaling-policies", `{"ScalingPolicies": [...]}`,
		hasKey("ScalingPolicies"), cliList("ScalingPolicies", func(o *obj, inv *inventory) { readPolicy(o, inv) })},
	{"terraform show -json", `{"format_version": ..., "values" or "planned_values": {"root_module": ...}}`,
		isTerraform, readTerraform},
	{"Terraform state file (terraform.tfstate)", `{"version": 4, "resources": [{"type": ..., "instances": [{"attributes": ...}]}]}`,
		isTerraformState, readTerraformState},
	{"CloudFormation template", `Resources: {NAME: {Type: AWS::..., Properties: ...}}`,
		isCloudFormation, readCloudFormation},
	{"aws cloudwatch get-metric-data", `{"MetricDataResults": [{"Label": ..., "Timestamps": [...], "Values": [...]}]}`,
		hasKey("MetricDataResults"), readMetricData},
}

// key returns the value of key in a mapping node, or nil.
func key(n *yaml.Node, k string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return n.Content[i+1]
		}
	}
	return nil
}

func hasKey(k string) func(*yaml.Node) bool {
	return func(root *yaml.Node) bool { return key(root, k) != nil }
}

// cliList reads each object of the list under k.
func cliList(k string, read func(*obj, *inventory)) func(*source, *inventory) {
	return func(src *source, inv *inventory) {
		for _, o := range newObj(src.name, src.root, "", &inv.w).list(k) {
			read(o, inv)
		}
	}
}

// cliOne reads the object under k.
func cliOne(k string, read func(*obj, *inventory)) func(*source, *inventory) {
	return func(src *source, inv *inventory) {
		if o := newObj(src.name, src.root, "", &inv.w).child(k); o != nil {
			read(o, inv)
		}
	}
}

func isTerraform(root *yaml.Node) bool {
	return key(root, "format_version") != nil && (key(root, "values") != nil || key(root, "planned_values") != nil)
}

// terraformTypes maps a Terraform resource type to its reader.
var terraformTypes = map[string]func(*obj, *inventory){
	"aws_db_instance":           readInstance,
	"aws_rds_cluster":           readCluster,
	"aws_rds_cluster_instance":  readInstance,
	"aws_dynamodb_table":        readTable,
	"aws_appautoscaling_target": func(o *obj, inv *inventory) { readTarget(o, inv) },
	"aws_appautoscaling_policy": func(o *obj, inv *inventory) { readPolicy(o, inv) },
}

// readTerraform reads `terraform show -json`: a state's values or a plan's
// planned_values, the root module and its child modules. Data sources are
// read, not managed, and left out; managed resources of other types are
// listed as ignored.
func readTerraform(src *source, inv *inventory) {
	vals := key(src.root, "planned_values")
	if vals == nil {
		vals = key(src.root, "values")
	}
	var walk func(mod *yaml.Node)
	walk = func(mod *yaml.Node) {
		if r := key(mod, "resources"); r != nil {
			for _, res := range r.Content {
				if m := key(res, "mode"); m != nil && m.Value != "managed" {
					continue
				}
				typ, addr := value(key(res, "type")), value(key(res, "address"))
				read, ok := terraformTypes[typ]
				if !ok {
					inv.ignore(src.name, "", addr)
					continue
				}
				if o := newObj(src.name, key(res, "values"), addr, &inv.w); o != nil {
					read(o, inv)
				}
			}
		}
		if c := key(mod, "child_modules"); c != nil {
			for _, m := range c.Content {
				walk(m)
			}
		}
	}
	mark := inv.mark()
	walk(key(vals, "root_module"))
	// A plan does not know the ARNs of resources it creates: their Region
	// is the provider's, when the configuration gives it as a constant.
	inv.defaultRegion(mark, value(key(key(key(key(key(key(src.root, "configuration"), "provider_config"), "aws"), "expressions"), "region"), "constant_value")))
}

// mark is how many resources of each kind the inventory holds.
type mark struct{ instances, clusters, tables int }

func (inv *inventory) mark() mark {
	return mark{len(inv.instances), len(inv.clusters), len(inv.tables)}
}

// defaultRegion gives region to the resources read since m that have
// none.
func (inv *inventory) defaultRegion(m mark, region string) {
	if region == "" {
		return
	}
	for _, d := range inv.instances[m.instances:] {
		d.region = or(d.region, region)
	}
	for _, c := range inv.clusters[m.clusters:] {
		c.region = or(c.region, region)
	}
	for _, t := range inv.tables[m.tables:] {
		t.region = or(t.region, region)
	}
}

// value is a scalar node's text, or "".
func value(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// ignore records a resource of a type dbsim does not import.
func (inv *inventory) ignore(file, typ, name string) {
	if inv.ignored == nil {
		inv.ignored = map[string][]string{}
	}
	inv.ignored[file] = append(inv.ignored[file], strings.TrimSpace(fmt.Sprintf("%s %s", typ, name)))
}

// isTerraformState: a state file as Terraform writes it (format version
// 4), whose resources carry their instances' attributes.
func isTerraformState(root *yaml.Node) bool {
	r := key(root, "resources")
	return key(root, "terraform_version") != nil && r != nil && r.Kind == yaml.SequenceNode
}

// readTerraformState reads a terraform.tfstate file: each managed
// resource's instances, their attributes as `terraform show -json` gives
// its values.
func readTerraformState(src *source, inv *inventory) {
	for _, res := range key(src.root, "resources").Content {
		if m := key(res, "mode"); m != nil && m.Value != "managed" {
			continue
		}
		typ, name := value(key(res, "type")), value(key(res, "name"))
		addr := typ + "." + name
		if mod := value(key(res, "module")); mod != "" {
			addr = mod + "." + addr
		}
		read, ok := terraformTypes[typ]
		if !ok {
			inv.ignore(src.name, "", addr)
			continue
		}
		insts := key(res, "instances")
		if insts == nil {
			continue
		}
		for i, in := range insts.Content {
			a := addr
			if k := key(in, "index_key"); k != nil {
				if k.Tag == "!!str" {
					a = fmt.Sprintf("%s[%q]", addr, k.Value)
				} else {
					a = fmt.Sprintf("%s[%s]", addr, k.Value)
				}
			} else if len(insts.Content) > 1 {
				a = fmt.Sprintf("%s[%d]", addr, i)
			}
			if o := newObj(src.name, key(in, "attributes"), a, &inv.w); o != nil {
				read(o, inv)
			}
		}
	}
}
