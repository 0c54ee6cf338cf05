package importer

import (
	"strings"

	"gopkg.in/yaml.v3"

	"dbsim/scenarios"
)

// inventory is every resource the input files describe, in the terms the
// scenario needs, whatever the format they came from.
type inventory struct {
	instances []*dbInstance
	clusters  []*dbCluster
	tables    []*table
	globals   []*globalCluster
	targets   []*scalingTarget
	policies  []*scalingPolicy
	// ignored lists resources of types dbsim does not import, as
	// "TYPE NAME", with the file they are in.
	ignored map[string][]string
	// traffic are the consumed capacity series of CloudWatch exports;
	// errs what made an export unreadable.
	traffic []*traffic
	errs    scenarios.Errors
	w       warnings
	// files are the recognised files, with their format.
	files []string
}

// at is where a resource was read: its file, path and node, for warnings
// about it later.
type at struct {
	src  string
	path string
	n    *yaml.Node
}

// dbInstance is an RDS DB instance (also an Aurora cluster's member).
type dbInstance struct {
	at
	id, engine, class, az, region string
	multiAZ                       bool
	standbyAZ                     string
	storageGB                     float64
	// source is the instance this one is a read replica of; replicas the
	// instances that are read replicas of this one (ids or ARNs).
	source   string
	replicas []string
	// cluster is the DB cluster this instance is a member of.
	cluster string
	tier    int
	hasTier bool
	// writer: the member is its cluster's writer (writerKnown: the
	// source says so).
	writer, writerKnown bool
	backupDays          float64
}

// dbCluster is an Aurora cluster or an RDS Multi-AZ DB cluster.
type dbCluster struct {
	at
	id, engine, class, region string
	azs                       []string
	storageGB                 float64
	serverless                bool
	minACU, maxACU            float64
	autoPause                 float64
	members                   []member
	backupDays                float64
	// global is the Aurora Global Database the cluster belongs to;
	// primary says it holds the master user (a secondary does not).
	global  string
	primary bool
}

// globalCluster is an Aurora Global Database: its member clusters by ARN,
// the writer's marked.
type globalCluster struct {
	at
	id      string
	members []member // id: the member cluster's ARN
}

// member is a cluster member as the cluster lists it.
type member struct {
	id      string
	writer  bool
	tier    int
	hasTier bool
}

// table is a DynamoDB table.
type table struct {
	at
	name, region string
	onDemand     bool
	rcu, wcu     float64
	size, items  float64
	gsis         []*index
	lsis         []*index
	replicas     []string
	maxRRU       float64
	maxWRU       float64
	warmRRU      float64
	warmWRU      float64
}

// index is a secondary index of a table.
type index struct {
	name        string
	rcu, wcu    float64
	size, items float64
}

// scalingTarget is an Application Auto Scaling scalable target.
type scalingTarget struct {
	at
	namespace, resource, dimension string
	min, max                       float64
}

// scalingPolicy is an Application Auto Scaling policy.
type scalingPolicy struct {
	at
	namespace, resource, dimension, kind string
	target                               float64
	hasTarget                            bool
}

// regionOfAZ is the Region of an AZ name (us-east-1a: us-east-1), or "".
func regionOfAZ(az string) string {
	if len(az) < 2 {
		return ""
	}
	last := az[len(az)-1]
	if last < 'a' || last > 'z' {
		return ""
	}
	r := az[:len(az)-1]
	if strings.Count(r, "-") < 2 {
		return ""
	}
	return r
}

// regionOfARN is the Region field of an ARN, or "".
func regionOfARN(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[3]
}

// idOfARN is the last field of an ARN (the resource's name), or s itself.
func idOfARN(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return s
	}
	parts := strings.Split(s, ":")
	return parts[len(parts)-1]
}
