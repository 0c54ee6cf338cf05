package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"dbsim/scenarios"
)

// MaxFileSize bounds an input file. A describe-* output or a template is
// kilobytes; a Terraform state of a large estate a few megabytes. A file
// past it is refused before it is parsed (its nodes would take memory in
// proportion).
const MaxFileSize = 32 << 20

// source is one input file, parsed into YAML nodes (JSON included) so
// that every value keeps its line and column.
type source struct {
	name string
	root *yaml.Node
	// data is the file's content; ref how the written scenario names the
	// file (relative to its directory).
	data []byte
	ref  string
}

// parse reads data as JSON (when it starts with { or [) or YAML. A syntax
// error is returned at its line and column.
func parse(name string, data []byte) (*source, error) {
	if len(data) > MaxFileSize {
		return nil, &scenarios.Error{File: name, Msg: fmt.Sprintf("too large (%.1f MB; dbsim import reads files of at most %d MB)", float64(len(data))/(1<<20), MaxFileSize>>20)}
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return nil, &scenarios.Error{File: name, Line: 1, Col: 1, Msg: "the file is empty"}
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		root, err := parseJSON(name, data)
		if err != nil {
			return nil, err
		}
		return &source{name: name, root: root, data: data}, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, scenarios.SyntaxError(name, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, &scenarios.Error{File: name, Line: 1, Col: 1, Msg: "the file is empty"}
	}
	return &source{name: name, root: doc.Content[0], data: data}, nil
}

// parseJSON parses a JSON document into YAML nodes that carry the line and
// column of each value. Numbers keep their text.
func parseJSON(name string, data []byte) (*yaml.Node, error) {
	p := &jsonParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	for i, b := range data {
		if b == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	n, err := p.value()
	if err == nil {
		end := p.start(int(p.dec.InputOffset()))
		if _, e := p.dec.Token(); !errors.Is(e, io.EOF) {
			line, col := p.pos(end)
			return nil, &scenarios.Error{File: name, Line: line, Col: col, Msg: "JSON syntax: more after the document's end (one JSON value per file)"}
		}
		return n, nil
	}
	off := int(p.dec.InputOffset())
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = int(se.Offset)
	}
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		off, msg = len(data), "unexpected end of the file (an unclosed { or [?)"
	}
	line, col := p.pos(min(off, len(data)))
	return nil, &scenarios.Error{File: name, Line: line, Col: col, Msg: "JSON syntax: " + strings.TrimPrefix(msg, "json: ")}
}

type jsonParser struct {
	data  []byte
	dec   *json.Decoder
	lines []int // offsets at which lines 2, 3, ... start
}

// start skips the white space and separators from off to the next token.
func (p *jsonParser) start(off int) int {
	for off < len(p.data) && strings.IndexByte(" \t\r\n,:", p.data[off]) >= 0 {
		off++
	}
	return off
}

// pos turns a byte offset into a 1-based line and column.
func (p *jsonParser) pos(off int) (line, col int) {
	i := sort.SearchInts(p.lines, off+1)
	start := 0
	if i > 0 {
		start = p.lines[i-1]
	}
	return i + 1, off - start + 1
}

func (p *jsonParser) value() (*yaml.Node, error) {
	line, col := p.pos(p.start(int(p.dec.InputOffset())))
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	n := &yaml.Node{Line: line, Column: col}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			for p.dec.More() {
				kl, kc := p.pos(p.start(int(p.dec.InputOffset())))
				k, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				ks, ok := k.(string)
				if !ok {
					return nil, &json.SyntaxError{Offset: p.dec.InputOffset()}
				}
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ks, Line: kl, Column: kc}, v)
			}
		case '[':
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			for p.dec.More() {
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing } or ]
			return nil, err
		}
	case string:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!str", t
	case json.Number:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!int", t.String()
		if strings.ContainsAny(n.Value, ".eE") {
			n.Tag = "!!float"
		}
	case bool:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", strconv.FormatBool(t)
	case nil:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
	}
	return n, nil
}

// warnings collects what dbsim cannot model, at the place of each value.
type warnings struct{ list []*scenarios.Error }

func (w *warnings) add(src string, n *yaml.Node, path, format string, args ...any) {
	e := &scenarios.Error{File: src, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	w.list = append(w.list, e)
}

// obj reads a mapping of an input file: each key read is marked used, so
// that what is left (rest) can be warned about.
type obj struct {
	src  string
	n    *yaml.Node
	path string
	w    *warnings
	used map[string]bool
}

func newObj(src string, n *yaml.Node, path string, w *warnings) *obj {
	if n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 1 {
		n = n.Content[0] // a Terraform nested block: a list of one
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	return &obj{src: src, n: n, path: path, w: w, used: map[string]bool{}}
}

// at joins the object's path and a key.
func (o *obj) at(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

// node returns the value of the first of keys the object has (nil if
// absent or null) and marks them used. Keys compare folded (norm), so
// that one reader takes the AWS CLI's, CloudFormation's and Terraform's
// spellings of a field: "AllocatedStorage", "allocated_storage".
func (o *obj) node(keys ...string) *yaml.Node {
	if o == nil {
		return nil
	}
	for _, key := range keys {
		o.used[norm(key)] = true
	}
	for _, key := range keys {
		if i := o.index(key); i >= 0 {
			v := o.n.Content[i+1]
			if v.Kind == yaml.ScalarNode && (v.Tag == "!!null" || v.Tag == unresolvedTag || v.Value == "" && v.Tag != "!!str") {
				return nil
			}
			return v
		}
	}
	return nil
}

// index is the position of key's node in the mapping's content, or -1.
func (o *obj) index(key string) int {
	k := norm(key)
	for i := 0; i+1 < len(o.n.Content); i += 2 {
		if norm(o.n.Content[i].Value) == k {
			return i
		}
	}
	return -1
}

// keyNode is the node of the first of keys the object has, for a
// warning's position (the object's own when none).
func (o *obj) keyNode(keys ...string) *yaml.Node {
	for _, key := range keys {
		if i := o.index(key); i >= 0 {
			return o.n.Content[i]
		}
	}
	return o.n
}

// pathOf is the path of the first of keys the object has, as written.
func (o *obj) pathOf(keys ...string) string {
	for _, key := range keys {
		if i := o.index(key); i >= 0 {
			return o.at(o.n.Content[i].Value)
		}
	}
	return o.at(keys[0])
}

// peek is a scalar's text, without marking its key used.
func (o *obj) peek(key string) string {
	if i := o.index(key); i >= 0 {
		if v := o.n.Content[i+1]; v.Kind == yaml.ScalarNode && v.Tag != "!!null" && v.Tag != unresolvedTag {
			return v.Value
		}
	}
	return ""
}

func (o *obj) str(keys ...string) string {
	if n := o.node(keys...); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

// num reads a number, also written as a string (CloudFormation's
// "AllocatedStorage": "100").
func (o *obj) num(keys ...string) (float64, bool) {
	n := o.node(keys...)
	if n == nil || n.Kind != yaml.ScalarNode {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64)
	if err != nil {
		o.warnf(keys, "%q is not a number; not imported", n.Value)
		return 0, false
	}
	return f, true
}

// flag reads a boolean, also written as a string ("true").
func (o *obj) flag(keys ...string) bool {
	n := o.node(keys...)
	return n != nil && n.Kind == yaml.ScalarNode && strings.EqualFold(n.Value, "true")
}

func (o *obj) child(keys ...string) *obj {
	if o == nil {
		return nil
	}
	return newObj(o.src, o.node(keys...), o.pathOf(keys...), o.w)
}

func (o *obj) list(keys ...string) []*obj {
	if o == nil {
		return nil
	}
	n, p := o.node(keys...), o.pathOf(keys...)
	if n == nil || n.Kind != yaml.SequenceNode {
		if m := newObj(o.src, n, p, o.w); m != nil {
			return []*obj{m} // a single object where a list is allowed
		}
		return nil
	}
	var out []*obj
	for i, c := range n.Content {
		if m := newObj(o.src, c, fmt.Sprintf("%s[%d]", p, i), o.w); m != nil {
			out = append(out, m)
		}
	}
	return out
}

func (o *obj) strs(keys ...string) []string {
	n := o.node(keys...)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		if c.Kind == yaml.ScalarNode {
			out = append(out, c.Value)
		}
	}
	return out
}

// warnf warns about the first of keys the object has, at its place.
func (o *obj) warnf(keys []string, format string, args ...any) {
	if o == nil {
		return
	}
	for _, key := range keys {
		o.used[norm(key)] = true
	}
	o.w.add(o.src, o.keyNode(keys...), o.pathOf(keys...), format, args...)
}

// warnSet warns, as warnf, when the first of keys the object has holds a
// value (isSet).
func (o *obj) warnSet(keys []string, format string, args ...any) {
	if n := o.node(keys...); n != nil && isSet(n) {
		o.warnf(keys, format, args...)
	}
}

// rest warns about every key that was not read, holds a value, and is
// not bookkeeping (identity, status, network, monitoring: no bearing on
// what dbsim simulates). notes explains some keys; the others are "dbsim
// has no key for it".
func (o *obj) rest(notes map[string]string) {
	if o == nil {
		return
	}
	for i := 0; i+1 < len(o.n.Content); i += 2 {
		k, v := o.n.Content[i].Value, o.n.Content[i+1]
		if o.used[norm(k)] || !isSet(v) || bookkeeping[norm(k)] {
			continue
		}
		why, ok := notes[norm(k)]
		if !ok {
			why = "dbsim has no key for it"
		}
		o.w.add(o.src, o.n.Content[i], o.at(k), "%s: not modelled (%s); not imported", short(v), why)
	}
}

// isSet reports whether a value says anything: not null, empty, false or
// zero.
func isSet(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == unresolvedTag {
			return true
		}
		v := strings.ToLower(n.Value)
		return n.Tag != "!!null" && v != "" && v != "false" && v != "0" && v != "null"
	case yaml.AliasNode:
		return isSet(n.Alias)
	default:
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 {
				continue
			}
			if isSet(c) {
				return true
			}
		}
		return false
	}
}

// short is a value as a warning quotes it: a scalar's text, or {...}.
func short(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == unresolvedTag {
			return "(unresolved)"
		}
		if len(n.Value) > 40 {
			return n.Value[:37] + "..."
		}
		return n.Value
	case yaml.SequenceNode:
		return "[...]"
	default:
		return "{...}"
	}
}

// norm folds a key for comparison across formats: "StorageType" and
// "storage_type" are both "storagetype".
func norm(k string) string {
	return strings.ToLower(strings.ReplaceAll(k, "_", ""))
}

// bookkeeping are keys (normalised) that identify, place on a network,
// secure, monitor or schedule a resource: they have no bearing on what
// dbsim simulates, and are not warned about.
var bookkeeping = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Fields(`
		id arn tags tagslist tagsall timeouts status address endpoint port hostedzoneid readerendpoint customendpoints
		dbinstanceidentifier identifier identifierprefix dbinstancearn dbiresourceid resourceid dbclusteridentifier clusteridentifier
		clusteridentifierprefix dbclusterarn dbclusterresourceid clusterresourceid clustermembers clustercreatetime instancecreatetime
		dbinstancestatus dbname databasename masterusername username password managemasteruserpassword masterusersecret
		masteruserpassword mastersecretkmskeyid masteruserpasswordwo masteruserpasswordwoversion
		dbsecuritygroups vpcsecuritygroups vpcsecuritygroupids securitygroupnames dbsubnetgroup dbsubnetgroupname subnetgroupname
		dbparametergroups parametergroupname dbparametergroupname dbclusterparametergroup dbclusterparametergroupname
		dbinstanceparametergroupname optiongroupmemberships optiongroupname preferredbackupwindow backupwindow
		preferredmaintenancewindow maintenancewindow pendingmodifiedvalues latestrestorabletime earliestrestorabletime
		automaticrestarttime autominorversionupgrade allowmajorversionupgrade applyimmediately licensemodel
		charactersetname ncharcharactersetname timezone publiclyaccessible networktype cacertificateidentifier cacertidentifier
		certificatedetails dbinstanceport dbclusterport domain domainmemberships domainiamrolename associatedroles iamroles
		iamdatabaseauthenticationenabled iamdatabaseauthentication copytagstosnapshot deletionprotection deletionprotectionenabled
		skipfinalsnapshot finalsnapshotidentifier deleteautomatedbackups monitoringinterval monitoringrolearn enhancedmonitoringresourcearn
		performanceinsightsenabled performanceinsightskmskeyid performanceinsightsretentionperiod enableperformanceinsights
		enabledcloudwatchlogsexports enablecloudwatchlogsexports customerownedipenabled activitystreamstatus statusinfos
		dbinstanceautomatedbackupsreplications backuptarget tagsall dedicatedlogvolume isstoragevolumeenabled
		replicatesourcedbarn engineversionactual engineversion_actual latestreststorabletime snapshotidentifier
		tablename tablearn tableid tablestatus creationdatetime keyschema attributedefinitions attribute hashkey rangekey
		indexarn indexstatus backfilling lateststreamarn lateststreamarn lateststreamlabel streamarn streamlabel
		numberofdecreasestoday lastincreasedatetime lastdecreasedatetime globaltableversion tablestatus
		rolearn creationtime policyarn policyname alarms servicenamespace name
		contributorinsightsspecification contributorinsights provider providername mode schemaversion sensitivevalues
		dbclusteroptiongroupmemberships hostedzone crossaccountclone httpendpointenabled2 engineversionactual
		localwriteforwardingstatus autominorversion dbsystemid upgraderolloutorder
		dbclusterparametergroupstatus parameterapplystatus lastupdatetopayperrequestdatetime
		enginelifecyclesupport databaseinsightsmode cacertificatevalidtill alarmarns predictedcapacity scalabletargetarn
		isstorageconfigupgradeavailable awsbackuprecoverypointarn serverlessv2platformversion storagevolumestatus
		automationmode resumefullautomationmodetime iooptimizednextallowedmodificationtime forcedestroy
	`) {
		m[k] = true
	}
	return m
}()
