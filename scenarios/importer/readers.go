package importer

import (
	"strings"
)

// The readers below take one resource in any of the three formats: keys
// compare folded (obj.node), and where the formats name a field
// differently every name is listed, the AWS CLI's first, then
// CloudFormation's, then Terraform's.

// Notes on fields that dbsim cannot model, by folded name, for the
// warnings of obj.rest.
var (
	storageNote    = "dbsim's storage has a size only: its latency is in service_time"
	encryptionNote = "encryption has no effect on what dbsim simulates"
	instanceNotes  = map[string]string{
		"storagetype":                     storageNote,
		"iops":                            storageNote,
		"storagethroughput":               storageNote,
		"maxallocatedstorage":             "storage autoscaling is not modelled",
		"storageencrypted":                encryptionNote,
		"kmskeyid":                        encryptionNote,
		"engineversion":                   "dbsim models the engine, not its versions",
		"readreplicadbclusteridentifiers": "a replica cluster of an instance is not modelled",
		"replicamode":                     "mounted replicas are not modelled",
		"multitenant":                     "multi-tenant instances are not modelled",
		"processorfeatures":               "dbsim takes the class's vCPUs",
		"customiaminstanceprofile":        "RDS Custom is not modelled",
	}
	clusterNotes = map[string]string{
		"storagetype":                 storageNote,
		"iops":                        storageNote,
		"storagethroughput":           storageNote,
		"storageencrypted":            encryptionNote,
		"kmskeyid":                    encryptionNote,
		"engineversion":               "dbsim models the engine, not its versions",
		"backtrackwindow":             "backtrack is not modelled",
		"replicationsourceidentifier": "a cross-Region replica cluster is not modelled",
		"readreplicaidentifiers":      "cross-Region replica clusters are not modelled",
		"scalingconfiguration":        "Aurora Serverless v1 is not modelled",
		"scalingconfigurationinfo":    "Aurora Serverless v1 is not modelled",
		"httpendpointenabled":         "the Data API is not modelled",
		"enablehttpendpoint":          "the Data API is not modelled",
		"globalwriteforwardingstatus": "write forwarding is not modelled",
		"enableglobalwriteforwarding": "write forwarding is not modelled",
		"enablelocalwriteforwarding":  "write forwarding is not modelled",
		"limitlessdatabase":           "Aurora Limitless is not modelled",
		"clusterscalabilitytype":      "Aurora Limitless is not modelled",
	}
	tableNotes = map[string]string{
		"ssedescription":                   encryptionNote,
		"ssespecification":                 encryptionNote,
		"serversideencryption":             encryptionNote,
		"timetolivespecification":          "TTL deletes are not modelled",
		"ttl":                              "TTL deletes are not modelled",
		"pointintimerecoveryspecification": "DynamoDB backups are not modelled",
		"pointintimerecovery":              "DynamoDB backups are not modelled",
		"kinesisstreamspecification":       "a Kinesis Data Streams destination is not modelled",
		"archivalsummary":                  "an archived table is not modelled",
		"restoresummary":                   "a restore is not modelled",
		"multiregionconsistency":           "strongly consistent global tables are not modelled",
		"importsourcespecification":        "an import from S3 is not modelled",
		"resourcepolicy":                   "resource policies have no effect here",
	}
	indexNotes = map[string]string{
		"ondemandthroughput": "an index's own on-demand maximum is not modelled",
		"warmthroughput":     "an index's warm throughput is not modelled",
	}
)

// readInstance reads an RDS DB instance: describe-db-instances'
// DBInstances[], AWS::RDS::DBInstance's Properties, aws_db_instance's or
// aws_rds_cluster_instance's values.
func readInstance(o *obj, inv *inventory) {
	d := &dbInstance{at: at{o.src, o.path, o.n}}
	d.id = o.str("DBInstanceIdentifier", "identifier")
	d.engine = o.str("Engine")
	d.class = o.str("DBInstanceClass", "instance_class")
	d.az = o.str("AvailabilityZone")
	d.region = regionOfARN(o.str("DBInstanceArn", "arn"))
	if d.region == "" {
		d.region = regionOfAZ(d.az)
	}
	d.multiAZ = o.flag("MultiAZ")
	d.standbyAZ = o.str("SecondaryAvailabilityZone")
	d.storageGB, _ = o.num("AllocatedStorage")
	d.source = o.str("ReadReplicaSourceDBInstanceIdentifier", "SourceDBInstanceIdentifier", "replicate_source_db")
	d.replicas = o.strs("ReadReplicaDBInstanceIdentifiers", "replicas")
	d.cluster = o.str("DBClusterIdentifier", "cluster_identifier")
	if t, ok := o.num("PromotionTier"); ok {
		d.tier, d.hasTier = int(t), true
	}
	if n := o.node("IsClusterWriter", "writer"); n != nil {
		d.writer, d.writerKnown = strings.EqualFold(n.Value, "true"), true
	}
	d.backupDays, _ = o.num("BackupRetentionPeriod")
	if d.cluster != "" {
		// A cluster member: storage, encryption and version are the
		// cluster's, and warned about there.
		o.node("StorageType", "StorageEncrypted", "KmsKeyId", "EngineVersion", "AllocatedStorage")
	}
	o.rest(instanceNotes)
	inv.instances = append(inv.instances, d)
}

// readCluster reads a DB cluster: describe-db-clusters' DBClusters[],
// AWS::RDS::DBCluster's Properties, aws_rds_cluster's values.
func readCluster(o *obj, inv *inventory) {
	c := &dbCluster{at: at{o.src, o.path, o.n}}
	c.id = o.str("DBClusterIdentifier", "cluster_identifier")
	c.engine = o.str("Engine")
	if m := o.str("EngineMode"); m != "" && m != "provisioned" {
		o.warnf([]string{"EngineMode"}, "%s: not modelled (dbsim models provisioned and Serverless v2 clusters); imported as provisioned", m)
	}
	c.class = o.str("DBClusterInstanceClass")
	c.region = regionOfARN(o.str("DBClusterArn", "arn"))
	c.azs = o.strs("AvailabilityZones")
	if c.region == "" && len(c.azs) > 0 {
		c.region = regionOfAZ(c.azs[0])
	}
	c.storageGB, _ = o.num("AllocatedStorage")
	if o.peek("StorageType") == "aurora" {
		o.node("StorageType") // Aurora Standard: what dbsim models
	}
	if o.peek("ClusterScalabilityType") == "standard" {
		o.node("ClusterScalabilityType") // not Aurora Limitless
	}
	if sv := o.child("ServerlessV2ScalingConfiguration"); sv != nil {
		c.serverless = true
		c.minACU, _ = sv.num("MinCapacity")
		c.maxACU, _ = sv.num("MaxCapacity")
		c.autoPause, _ = sv.num("SecondsUntilAutoPause")
		sv.rest(nil)
	}
	for _, m := range o.list("DBClusterMembers") {
		mb := member{id: m.str("DBInstanceIdentifier"), writer: m.flag("IsClusterWriter")}
		if t, ok := m.num("PromotionTier"); ok {
			mb.tier, mb.hasTier = int(t), true
		}
		m.rest(nil)
		c.members = append(c.members, mb)
	}
	for _, id := range o.strs("cluster_members") {
		c.members = append(c.members, member{id: id})
	}
	c.backupDays, _ = o.num("BackupRetentionPeriod")
	c.global = o.str("GlobalClusterIdentifier")
	c.primary = o.peek("MasterUsername") != "" || o.peek("master_username") != ""
	o.node("MultiAZ", "Capacity", "EngineMode")
	o.rest(clusterNotes)
	inv.clusters = append(inv.clusters, c)
}

// readTable reads a DynamoDB table: describe-table's Table,
// AWS::DynamoDB::Table's Properties, aws_dynamodb_table's values.
func readTable(o *obj, inv *inventory) {
	t := &table{at: at{o.src, o.path, o.n}}
	t.name = o.str("TableName", "name")
	t.region = regionOfARN(o.str("TableArn", "arn"))
	mode := o.str("BillingMode", "billing_mode")
	if bm := o.child("BillingModeSummary"); bm != nil {
		mode = bm.str("BillingMode")
		bm.rest(nil)
	}
	t.onDemand = mode == "PAY_PER_REQUEST"
	readThroughput(o, &t.rcu, &t.wcu)
	t.size, _ = o.num("TableSizeBytes")
	t.items, _ = o.num("ItemCount")
	for _, g := range o.list("GlobalSecondaryIndexes", "global_secondary_index") {
		ix := &index{name: g.str("IndexName", "name")}
		readThroughput(g, &ix.rcu, &ix.wcu)
		ix.size, _ = g.num("IndexSizeBytes")
		ix.items, _ = g.num("ItemCount")
		g.node("Projection", "projection_type", "non_key_attributes", "hash_key", "range_key", "KeySchema", "key_schema")
		g.rest(indexNotes)
		t.gsis = append(t.gsis, ix)
	}
	for _, l := range o.list("LocalSecondaryIndexes", "local_secondary_index") {
		ix := &index{name: l.str("IndexName", "name")}
		ix.size, _ = l.num("IndexSizeBytes")
		ix.items, _ = l.num("ItemCount")
		l.node("Projection", "projection_type", "non_key_attributes", "range_key", "KeySchema")
		l.rest(nil)
		t.lsis = append(t.lsis, ix)
	}
	for _, r := range o.list("Replicas", "replica") {
		if name := r.str("RegionName", "region_name"); name != "" {
			t.replicas = append(t.replicas, name)
		}
		r.node("ReplicaStatus", "ReplicaStatusDescription", "ReplicaStatusPercentProgress", "ReplicaTableClassSummary",
			"propagate_tags", "consistency_mode", "kms_key_arn", "point_in_time_recovery", "stream_arn", "stream_label")
		r.rest(map[string]string{"globalsecondaryindexes": "a replica's own index settings are not modelled",
			"provisionedthroughputoverride": "a replica's own throughput is not modelled"})
	}
	if od := o.child("OnDemandThroughput", "on_demand_throughput"); od != nil {
		if v, ok := od.num("MaxReadRequestUnits"); ok && v > 0 {
			t.maxRRU = v
		}
		if v, ok := od.num("MaxWriteRequestUnits"); ok && v > 0 {
			t.maxWRU = v
		}
		od.rest(nil)
	}
	if wt := o.child("WarmThroughput", "warm_throughput"); wt != nil {
		t.warmRRU, _ = wt.num("ReadUnitsPerSecond")
		t.warmWRU, _ = wt.num("WriteUnitsPerSecond")
		wt.node("Status")
		wt.rest(nil)
	}
	if s := o.child("StreamSpecification"); s != nil && (s.flag("StreamEnabled") || s.str("StreamViewType") != "") {
		o.warnf([]string{"StreamSpecification"}, "the table's stream: its consumer is not in the source; not imported (add table.stream with its consumer to model it)")
	}
	if o.flag("stream_enabled") {
		o.warnf([]string{"stream_enabled"}, "the table's stream: its consumer is not in the source; not imported (add table.stream with its consumer to model it)")
	}
	o.node("stream_view_type")
	tc := o.str("TableClass", "table_class")
	if c := o.child("TableClassSummary"); c != nil {
		tc = c.str("TableClass")
		c.rest(nil)
	}
	if tc != "" && tc != "STANDARD" {
		o.warnf([]string{"TableClassSummary", "TableClass", "table_class"}, "%s: not modelled (dbsim prices the Standard table class); not imported", tc)
	}
	o.rest(tableNotes)
	inv.tables = append(inv.tables, t)
}

// readThroughput reads provisioned throughput: ProvisionedThroughput's
// ReadCapacityUnits and WriteCapacityUnits, or Terraform's read_capacity
// and write_capacity.
func readThroughput(o *obj, rcu, wcu *float64) {
	if pt := o.child("ProvisionedThroughput"); pt != nil {
		*rcu, _ = pt.num("ReadCapacityUnits")
		*wcu, _ = pt.num("WriteCapacityUnits")
		pt.rest(nil)
		return
	}
	*rcu, _ = o.num("read_capacity")
	*wcu, _ = o.num("write_capacity")
}

// readTarget reads a scalable target: describe-scalable-targets'
// ScalableTargets[], AWS::ApplicationAutoScaling::ScalableTarget,
// aws_appautoscaling_target.
func readTarget(o *obj, inv *inventory) *scalingTarget {
	t := &scalingTarget{at: at{o.src, o.path, o.n}}
	t.namespace = o.str("ServiceNamespace")
	t.resource = o.str("ResourceId")
	t.dimension = o.str("ScalableDimension")
	t.min, _ = o.num("MinCapacity")
	t.max, _ = o.num("MaxCapacity")
	if s := o.child("SuspendedState"); s != nil && isSet(s.n) {
		o.warnf([]string{"SuspendedState"}, "suspended scaling is not modelled; imported as active")
	}
	if n := o.node("ScheduledActions", "scheduled_action"); n != nil && isSet(n) {
		o.warnf([]string{"ScheduledActions"}, "scheduled scaling is not modelled; not imported (table.updates can stand for it)")
	}
	o.rest(nil)
	inv.targets = append(inv.targets, t)
	return t
}

// readPolicy reads a scaling policy: describe-scaling-policies'
// ScalingPolicies[], AWS::ApplicationAutoScaling::ScalingPolicy,
// aws_appautoscaling_policy.
func readPolicy(o *obj, inv *inventory) *scalingPolicy {
	p := &scalingPolicy{at: at{o.src, o.path, o.n}}
	p.namespace = o.str("ServiceNamespace")
	p.resource = o.str("ResourceId")
	p.dimension = o.str("ScalableDimension")
	p.kind = o.str("PolicyType")
	if tt := o.child("TargetTrackingScalingPolicyConfiguration"); tt != nil {
		p.target, p.hasTarget = tt.num("TargetValue")
		tt.node("PredefinedMetricSpecification", "predefined_metric_specification")
		for _, k := range []string{"ScaleInCooldown", "ScaleOutCooldown"} {
			tt.warnSet([]string{k}, "cooldowns are not modelled (dbsim's scaling waits its alarms' data points and the decrease quota); not imported")
		}
		tt.warnSet([]string{"DisableScaleIn"}, "a policy that never scales in is not modelled; imported as one that does")
		tt.rest(map[string]string{"customizedmetricspecification": "dbsim tracks the consumed-capacity utilization only"})
	}
	o.node("ScalingTargetId")
	o.rest(map[string]string{"stepscalingpolicyconfiguration": "step scaling is not modelled"})
	inv.policies = append(inv.policies, p)
	return p
}

// readGlobalCluster reads an Aurora Global Database:
// describe-global-clusters' GlobalClusters[].
func readGlobalCluster(o *obj, inv *inventory) {
	g := &globalCluster{at: at{o.src, o.path, o.n}, id: o.str("GlobalClusterIdentifier")}
	for _, m := range o.list("GlobalClusterMembers") {
		g.members = append(g.members, member{id: m.str("DBClusterArn"), writer: m.flag("IsWriter")})
		m.node("Readers", "GlobalWriteForwardingStatus", "SynchronizationStatus")
		m.rest(nil)
	}
	o.node("GlobalClusterResourceId", "GlobalClusterArn", "Engine", "EngineVersion", "StorageEncrypted", "DeletionProtection", "DatabaseName", "FailoverState", "Endpoint", "EngineLifecycleSupport")
	o.rest(nil)
	inv.globals = append(inv.globals, g)
}
