package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// isCloudFormation: a mapping with Resources whose entries have a Type
// "AWS::...".
func isCloudFormation(root *yaml.Node) bool {
	res := key(root, "Resources")
	if res == nil || res.Kind != yaml.MappingNode {
		return false
	}
	for i := 1; i < len(res.Content); i += 2 {
		if strings.HasPrefix(value(key(res.Content[i], "Type")), "AWS::") {
			return true
		}
	}
	return false
}

// cfnTypes maps a CloudFormation resource type to its reader.
var cfnTypes = map[string]func(*obj, *inventory){
	"AWS::RDS::DBInstance":                        readInstance,
	"AWS::RDS::DBCluster":                         readCluster,
	"AWS::DynamoDB::Table":                        readTable,
	"AWS::ApplicationAutoScaling::ScalableTarget": func(o *obj, inv *inventory) { readTarget(o, inv) },
	"AWS::ApplicationAutoScaling::ScalingPolicy":  func(o *obj, inv *inventory) { readPolicy(o, inv) },
}

// physicalName is the property that names each type's resource: what Ref
// returns for it.
var physicalName = map[string]string{
	"AWS::RDS::DBInstance": "DBInstanceIdentifier",
	"AWS::RDS::DBCluster":  "DBClusterIdentifier",
	"AWS::DynamoDB::Table": "TableName",
}

// cfn resolves a template's intrinsic functions statically: parameters
// by their defaults, conditions where they depend only on those, Ref to a
// resource by its name. What cannot be known before the stack is created
// (Fn::GetAtt, Fn::ImportValue, a parameter without a default) is a
// warning, and the property is left out (dbsim's default applies).
type cfn struct {
	src        string
	w          *warnings
	params     *yaml.Node
	conditions *yaml.Node
	mappings   *yaml.Node
	resources  *yaml.Node
	region     string
}

// readKeys are the bookkeeping keys the readers do read (names and what
// links resources): their values are resolved like any other.
var readKeys = map[string]bool{"tablename": true, "name": true, "resourceid": true, "servicenamespace": true}

// noValue stands for AWS::NoValue: the property is removed.
var noValue = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "AWS::NoValue"}

func readCloudFormation(src *source, inv *inventory) {
	c := &cfn{src: src.name, w: &inv.w, params: key(src.root, "Parameters"), conditions: key(src.root, "Conditions"),
		mappings: key(src.root, "Mappings"), resources: key(src.root, "Resources")}
	c.region = c.guessRegion(src.root)
	res := c.resources
	mark := inv.mark()
	var targets = map[string]*scalingTarget{}
	var policies []*scalingPolicy
	var refs []string
	for i := 0; i+1 < len(res.Content); i += 2 {
		name, r := res.Content[i].Value, res.Content[i+1]
		typ := value(key(r, "Type"))
		read, ok := cfnTypes[typ]
		if !ok {
			inv.ignore(src.name, typ, name)
			continue
		}
		path := "Resources." + name
		if cond := key(r, "Condition"); cond != nil {
			on, known := c.condition(cond.Value, path+".Condition")
			if known && !on {
				inv.ignore(src.name, typ, name+" (its Condition "+cond.Value+" is false)")
				continue
			}
			if !known {
				c.w.add(c.src, cond, path+".Condition", "%s cannot be evaluated before the stack is created; the resource is imported", cond.Value)
			}
		}
		props := c.eval(key(r, "Properties"), path+".Properties")
		if props == nil {
			props = &yaml.Node{Kind: yaml.MappingNode, Line: r.Line, Column: r.Column}
		}
		o := newObj(src.name, props, path+".Properties", &inv.w)
		if o == nil {
			continue
		}
		switch typ {
		case "AWS::ApplicationAutoScaling::ScalableTarget":
			targets[name] = readTarget(o, inv)
		case "AWS::ApplicationAutoScaling::ScalingPolicy":
			p := readPolicy(o, inv)
			policies = append(policies, p)
			refs = append(refs, value(key(props, "ScalingTargetId")))
		default:
			read(o, inv)
			nameIfMissing(inv, typ, name)
		}
	}
	// A policy names its target by ScalingTargetId (a Ref: the target's
	// logical id) instead of its resource and dimension.
	for i, p := range policies {
		if t := targets[refs[i]]; t != nil && p.resource == "" {
			p.namespace, p.resource, p.dimension = t.namespace, t.resource, t.dimension
		}
	}
	inv.defaultRegion(mark, c.region)
}

// guessRegion is the Region of the first literal AZ the template names,
// or "".
func (c *cfn) guessRegion(root *yaml.Node) string {
	var found string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if found != "" || n == nil {
			return
		}
		if n.Kind == yaml.ScalarNode {
			if azPattern.MatchString(n.Value) {
				found = regionOfAZ(n.Value)
			}
			return
		}
		for _, k := range n.Content {
			walk(k)
		}
	}
	walk(c.resources)
	walk(c.params)
	return found
}

var azPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d[a-z]$`)

// intrinsic returns the function a node calls (Ref, Fn::Sub, ...; the
// short form's tag or the long form's single key) and its argument.
func intrinsic(n *yaml.Node) (string, *yaml.Node) {
	if isShortForm(n.Tag) {
		fn := strings.TrimPrefix(n.Tag, "!")
		if fn != "Ref" && fn != "Condition" {
			fn = "Fn::" + fn
		}
		arg := *n
		arg.Tag = ""
		switch n.Kind {
		case yaml.ScalarNode:
			arg.Tag = "!!str"
		case yaml.SequenceNode:
			arg.Tag = "!!seq"
		case yaml.MappingNode:
			arg.Tag = "!!map"
		}
		return fn, &arg
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, n.Content[1]
		}
	}
	return "", nil
}

// eval returns n with its intrinsic functions resolved: nil where a value
// cannot be known (warned), noValue for AWS::NoValue.
func (c *cfn) eval(n *yaml.Node, path string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		return c.eval(n.Alias, path)
	}
	if fn, arg := intrinsic(n); fn != "" {
		return c.call(fn, arg, n, path)
	}
	switch n.Kind {
	case yaml.MappingNode:
		out := *n
		out.Content = nil
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := norm(n.Content[i].Value); bookkeeping[k] && !readKeys[k] && !strings.Contains(k, "identifier") {
				out.Content = append(out.Content, n.Content[i], n.Content[i+1]) // never read: not resolved, not warned
				continue
			}
			v := c.eval(n.Content[i+1], path+"."+n.Content[i].Value)
			if v == nil || v == noValue {
				continue
			}
			out.Content = append(out.Content, n.Content[i], v)
		}
		return &out
	case yaml.SequenceNode:
		out := *n
		out.Content = nil
		for i, e := range n.Content {
			v := c.eval(e, fmt.Sprintf("%s[%d]", path, i))
			if v == nil || v == noValue {
				continue
			}
			out.Content = append(out.Content, v)
		}
		return &out
	}
	return n
}

// unresolved warns that a function's value cannot be known statically.
func (c *cfn) unresolved(at *yaml.Node, path, fn, why string) *yaml.Node {
	c.w.add(c.src, at, path, "%s %s: cannot be resolved before the stack is created; left out (dbsim's default applies)", fn, why)
	return unresolvedNode(at)
}

// unresolvedTag marks a value that cannot be known statically: read as
// absent (obj.node), but still a value that obj.rest warns about.
const unresolvedTag = "!unresolved"

func unresolvedNode(at *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: unresolvedTag, Line: at.Line, Column: at.Column}
}

// resolved reports whether a function's result can be used: not nil, not
// unresolved.
func resolved(n *yaml.Node) bool { return n != nil && n.Tag != unresolvedTag }

// str makes a string node at the place of at.
func str(at *yaml.Node, s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Line: at.Line, Column: at.Column}
}

func (c *cfn) call(fn string, arg, at *yaml.Node, path string) *yaml.Node {
	args := func() []*yaml.Node {
		if arg.Kind == yaml.SequenceNode {
			return arg.Content
		}
		return nil
	}
	switch fn {
	case "Ref":
		return c.ref(arg.Value, at, path)
	case "Fn::Sub":
		tmpl, vars := arg, (*yaml.Node)(nil)
		if a := args(); len(a) == 2 {
			tmpl, vars = a[0], a[1]
		}
		if tmpl.Kind != yaml.ScalarNode {
			return c.unresolved(at, path, fn, "of a non-string")
		}
		failed := false
		s := subPattern.ReplaceAllStringFunc(tmpl.Value, func(m string) string {
			name := m[2 : len(m)-1]
			if strings.HasPrefix(name, "!") {
				return "${" + name[1:] + "}"
			}
			var v *yaml.Node
			if vn := key(vars, name); vn != nil {
				v = c.eval(vn, path)
			} else if strings.Contains(name, ".") {
				v = c.unresolved(at, path, fn, "${"+name+"} (an attribute)")
			} else {
				v = c.ref(name, at, path)
			}
			if !resolved(v) || v.Kind != yaml.ScalarNode {
				failed = true
				return ""
			}
			return v.Value
		})
		if failed {
			return unresolvedNode(at)
		}
		return str(at, s)
	case "Fn::If":
		a := args()
		if len(a) != 3 {
			return c.unresolved(at, path, fn, "with other than 3 arguments")
		}
		on, known := c.condition(a[0].Value, path)
		if !known {
			c.w.add(c.src, at, path, "Fn::If %s: the condition cannot be evaluated before the stack is created; taking its true branch", a[0].Value)
			on = true
		}
		if on {
			return c.eval(a[1], path)
		}
		return c.eval(a[2], path)
	case "Fn::Join":
		a := args()
		if len(a) != 2 {
			return c.unresolved(at, path, fn, "with other than 2 arguments")
		}
		list := c.eval(a[1], path)
		if !resolved(list) || list.Kind != yaml.SequenceNode {
			return unresolvedNode(at)
		}
		var parts []string
		for _, p := range list.Content {
			if !resolved(p) {
				return unresolvedNode(at)
			}
			parts = append(parts, p.Value)
		}
		return str(at, strings.Join(parts, a[0].Value))
	case "Fn::Select":
		a := args()
		if len(a) != 2 {
			return c.unresolved(at, path, fn, "with other than 2 arguments")
		}
		i, err := strconv.Atoi(value(c.eval(a[0], path)))
		list := c.eval(a[1], path)
		if err != nil || list == nil || list.Kind != yaml.SequenceNode || i < 0 || i >= len(list.Content) {
			return c.unresolved(at, path, fn, "of an unknown list or index")
		}
		return list.Content[i]
	case "Fn::Split":
		a := args()
		if len(a) != 2 {
			return c.unresolved(at, path, fn, "with other than 2 arguments")
		}
		s := c.eval(a[1], path)
		if !resolved(s) || s.Kind != yaml.ScalarNode {
			return unresolvedNode(at)
		}
		out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: at.Line, Column: at.Column}
		for _, p := range strings.Split(s.Value, a[0].Value) {
			out.Content = append(out.Content, str(at, p))
		}
		return out
	case "Fn::FindInMap":
		a := args()
		if len(a) < 3 {
			return c.unresolved(at, path, fn, "with fewer than 3 arguments")
		}
		n := c.mappings
		for _, k := range a[:3] {
			kv := c.eval(k, path)
			if !resolved(kv) {
				return unresolvedNode(at)
			}
			n = key(n, kv.Value)
		}
		if n == nil {
			return c.unresolved(at, path, fn, "of a key the Mappings do not have")
		}
		return c.eval(n, path)
	case "Fn::GetAZs":
		r := value(c.eval(arg, path))
		if r == "" {
			r = c.regionOr(at, path)
		}
		c.w.add(c.src, at, path, "Fn::GetAZs: the AZs depend on the account; taking %sa, %sb and %sc", r, r, r)
		out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: at.Line, Column: at.Column}
		for _, s := range []string{"a", "b", "c"} {
			out.Content = append(out.Content, str(at, r+s))
		}
		return out
	case "Fn::GetAtt":
		name := arg.Value
		if arg.Kind == yaml.SequenceNode {
			var parts []string
			for _, p := range arg.Content {
				parts = append(parts, p.Value)
			}
			name = strings.Join(parts, ".")
		}
		return c.unresolved(at, path, fn, name)
	default:
		return c.unresolved(at, path, fn, "")
	}
}

var subPattern = regexp.MustCompile(`\$\{[^}]+\}`)

// ref resolves Ref: a parameter's default, a pseudo parameter, or a
// resource's name (its name property, else its logical id).
func (c *cfn) ref(name string, at *yaml.Node, path string) *yaml.Node {
	if p := key(c.params, name); p != nil {
		if d := key(p, "Default"); d != nil {
			return d
		}
		c.w.add(c.src, at, path, "Ref %s: the parameter has no Default; left out (dbsim's default applies)", name)
		return unresolvedNode(at)
	}
	switch name {
	case "AWS::NoValue":
		return noValue
	case "AWS::Region":
		return str(at, c.regionOr(at, path))
	case "AWS::StackName", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix", "AWS::StackId", "AWS::NotificationARNs":
		c.w.add(c.src, at, path, "Ref %s: known only when the stack is created; taking %q", name, strings.ToLower(strings.TrimPrefix(name, "AWS::")))
		return str(at, strings.ToLower(strings.TrimPrefix(name, "AWS::")))
	}
	if r := key(c.resources, name); r != nil {
		if prop := physicalName[value(key(r, "Type"))]; prop != "" {
			if v := c.quiet(key(key(r, "Properties"), prop), path); resolved(v) && v.Kind == yaml.ScalarNode {
				return str(at, v.Value)
			}
		}
		return str(at, name)
	}
	return c.unresolved(at, path, "Ref", name+" (neither a parameter nor a resource)")
}

// regionOr is the template's Region (from its AZs), or us-east-1 with a
// warning.
func (c *cfn) regionOr(at *yaml.Node, path string) string {
	if c.region != "" {
		return c.region
	}
	c.w.add(c.src, at, path, "AWS::Region: known only when the stack is created and no AZ names it; taking us-east-1")
	c.region = "us-east-1"
	return c.region
}

// condition evaluates the named condition: its value and whether it
// could be known.
func (c *cfn) condition(name, path string) (on, known bool) {
	n := key(c.conditions, name)
	if n == nil {
		return false, false
	}
	return c.cond(n, path)
}

func (c *cfn) cond(n *yaml.Node, path string) (on, known bool) {
	fn, arg := intrinsic(n)
	var a []*yaml.Node
	if arg != nil && arg.Kind == yaml.SequenceNode {
		a = arg.Content
	}
	switch fn {
	case "Condition":
		return c.condition(arg.Value, path)
	case "Fn::Equals":
		if len(a) != 2 {
			return false, false
		}
		x, y := c.quiet(a[0], path), c.quiet(a[1], path)
		if !resolved(x) || !resolved(y) || x.Kind != yaml.ScalarNode || y.Kind != yaml.ScalarNode {
			return false, false
		}
		return x.Value == y.Value, true
	case "Fn::Not":
		if len(a) != 1 {
			return false, false
		}
		v, k := c.cond(a[0], path)
		return !v, k
	case "Fn::And", "Fn::Or":
		and := fn == "Fn::And"
		for _, e := range a {
			v, k := c.cond(e, path)
			if !k {
				return false, false
			}
			if v != and {
				return v, true
			}
		}
		return and, true
	}
	return false, false
}

// quiet evaluates n for a condition, without warnings: an unknown value
// makes the condition unknown, which is warned where it is used.
func (c *cfn) quiet(n *yaml.Node, path string) *yaml.Node {
	saved := len(c.w.list)
	v := c.eval(n, path)
	c.w.list = c.w.list[:saved]
	return v
}

// isShortForm reports whether a tag is an intrinsic function's short form
// (!Ref, !Sub, ...), not one of YAML's own (!!str).
func isShortForm(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}

// nameIfMissing names the resource just read by its logical id when the
// template does not name it (CloudFormation then generates a name).
func nameIfMissing(inv *inventory, typ, logical string) {
	switch typ {
	case "AWS::RDS::DBInstance":
		if d := inv.instances[len(inv.instances)-1]; d.id == "" {
			d.id = logical
		}
	case "AWS::RDS::DBCluster":
		if c := inv.clusters[len(inv.clusters)-1]; c.id == "" {
			c.id = logical
		}
	case "AWS::DynamoDB::Table":
		if t := inv.tables[len(inv.tables)-1]; t.name == "" {
			t.name = logical
		}
	}
}
