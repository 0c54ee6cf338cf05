package importer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

// Sparse or odd inputs of a recognised format import into a scenario that
// validates (what is missing is defaulted), or fail with an error: never
// a panic, never a scenario that does not run.
func TestSparseInputsImportOrFail(t *testing.T) {
	for _, in := range []string{
		`{"DBInstances": [{}]}`,
		`{"DBInstances": []}`,
		`{"DBInstances": "none"}`,
		`{"DBInstances": [{"DBInstanceIdentifier": "x", "Engine": "db2-se", "DBInstanceClass": "db.z9.huge", "MultiAZ": true}]}`,
		`{"DBInstances": [{"DBInstanceIdentifier": "x", "Engine": "oracle-ee", "ReadReplicaSourceDBInstanceIdentifier": "elsewhere"}]}`,
		`{"DBInstances": [{"DBInstanceIdentifier": "a", "Engine": "aurora-mysql", "DBClusterIdentifier": "c"}, {"DBInstanceIdentifier": "b", "Engine": "aurora-mysql", "DBClusterIdentifier": "c", "DBInstanceClass": "db.serverless"}]}`,
		`{"DBClusters": [{"Engine": "aurora-postgresql"}]}`,
		`{"DBClusters": [{"DBClusterIdentifier": "d", "Engine": "docdb", "ServerlessV2ScalingConfiguration": {"MinCapacity": 1, "MaxCapacity": 4}}]}`,
		`{"DBClusters": [{"DBClusterIdentifier": "m", "Engine": "postgres", "EngineMode": "serverless"}]}`,
		`{"DBInstances": [{"DBInstanceIdentifier": "p", "Engine": "mysql", "AvailabilityZone": "me-central-1a", "ReadReplicaDBInstanceIdentifiers": ["arn:aws:rds:af-south-1:1:db:r"]}]}`,
		`{"Table": {}}`,
		`{"Table": {"TableName": "t", "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}, "Replicas": [{"RegionName": "us-west-2"}]}}`,
		`{"Table": {"TableName": "t", "ProvisionedThroughput": {"ReadCapacityUnits": "many"}, "TableSizeBytes": 1, "ItemCount": 1000}}`,
		`{"ScalableTargets": [], "ScalingPolicies": []}`,
		`{"format_version": "1.0", "values": {}}`,
		`{"format_version": "1.0", "planned_values": {"root_module": {"resources": [{"type": "aws_dynamodb_table", "mode": "managed", "address": "aws_dynamodb_table.x", "values": {"billing_mode": "PAY_PER_REQUEST"}}]}}}`,
		"Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties: !If [Nope, {}, {}]\n",
		"Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Sub '${AWS::StackName}-${Missing}'\n      ProvisionedThroughput: {ReadCapacityUnits: !FindInMap [M, a, b], WriteCapacityUnits: !Select [5, [1]]}\n",
		"Resources:\n  T:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: !Join ['', [my, sql]]\n      DBInstanceClass: !Join ['.', !Split [',', 'db,r6g,large']]\n      AvailabilityZone: !Select [0, !GetAZs '']\n",
		"[]",
		"just a string",
		"{}",
	} {
		res, err := Import([]File{{Name: "in", Data: []byte(in)}}, Options{})
		if err != nil {
			assert.NotContains(t, err.Error(), "panic", in)
			continue
		}
		s, perr := scenarios.Parse("imported.yaml", res.YAML)
		require.NoError(t, perr, "%s imported as\n%s", in, res.YAML)
		s.Duration = scenarios.Duration(2 * time.Second)
		s.Warmup = 0
		_, rerr := scenarios.RunReplication(s, 0)
		require.NoError(t, rerr, "%s", in)
	}
}

// What CloudFormation's intrinsic functions resolve to, where they can be
// resolved without the stack.
func TestCloudFormationIntrinsics(t *testing.T) {
	tmpl := `
Parameters:
  Env: {Type: String, Default: prod}
  Size: {Type: Number, Default: 250}
  NoDefault: {Type: String}
Mappings:
  Classes:
    prod: {db: db.r6g.2xlarge}
    dev: {db: db.t4g.medium}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref NoDefault, x]
  Both: !And [!Condition IsProd, !Not [!Equals [!Ref Env, dev]]]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: !Sub "${Env}-db"
      Engine: !If [IsDev, mysql, postgres]
      DBInstanceClass: !FindInMap [Classes, !Ref Env, db]
      AllocatedStorage: !Ref Size
      MultiAZ: !If [Both, true, false]
      AvailabilityZone: !Select [2, !Split [",", "us-west-2a,us-west-2b,us-west-2c"]]
      BackupRetentionPeriod: !If [Unknown, 3, 9]
      StorageType: !If [IsProd, !Ref AWS::NoValue, gp2]
`
	res, err := Import([]File{{Name: "t.yaml", Data: []byte(tmpl)}}, Options{})
	require.NoError(t, err)
	y := string(res.YAML)
	for _, want := range []string{"name: prod-db", "engine: postgres", "instance_class: db.r6g.2xlarge", "storage: {size: 250GB}",
		"multi_az: instance", "az: us-west-2c", "region: us-west-2", "backup: {retention: 3d}"} {
		assert.Contains(t, y, want)
	}
	assert.NotContains(t, y, "StorageType", "AWS::NoValue removes the property")
	assert.Contains(t, y, "t.yaml:25:30: Resources.Db.Properties.BackupRetentionPeriod: Fn::If Unknown: the condition cannot be evaluated before the stack is created; taking its true branch")
}

// A JSON file's values keep their line and column, for the warnings.
func TestJSONPositions(t *testing.T) {
	src, err := parse("x.json", []byte("{\n  \"a\": [1,\n    {\"b\": true}],\n\t\"c\": null\n}"))
	require.NoError(t, err)
	a := key(src.root, "a")
	assert.Equal(t, [2]int{2, 8}, [2]int{a.Line, a.Column})
	b := key(a.Content[1], "b")
	assert.Equal(t, [2]int{3, 11}, [2]int{b.Line, b.Column})
	assert.Equal(t, "!!bool", b.Tag)
	c := key(src.root, "c")
	assert.Equal(t, [2]int{4, 7}, [2]int{c.Line, c.Column})
	_, err = parse("x.json", []byte("{\"a\": 1}\n{\"b\": 2}"))
	assert.EqualError(t, err, "x.json:2:1: JSON syntax: more after the document's end (one JSON value per file)")
	_, err = parse("x.json", []byte("{\"a\": [1, 2"))
	assert.EqualError(t, err, "x.json:1:12: JSON syntax: unexpected end of the file (an unclosed { or [?)")
}

// Each fixture is recognised by exactly one recogniser: the formats do
// not overlap.
func TestRecognisersDoNotOverlap(t *testing.T) {
	for _, name := range []string{"cli-rds-instances.json", "cli-aurora-clusters.json", "cli-table.json", "cli-scalable-targets.json",
		"cli-scaling-policies.json", "tf-state-rds.json", "tf-plan-dynamodb.json", "cfn-rds.yaml", "cfn-aurora.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		src, err := parse(name, data)
		require.NoError(t, err)
		n := 0
		for _, r := range recognisers {
			if r.match(src.root) {
				n++
			}
		}
		assert.Equal(t, 1, n, "%s matches %d recognisers", name, n)
	}
}

// What dbsim cannot model is warned, at its place, never dropped: one
// warning for each thing the fixtures hold that has no scenario key.
func TestWarningsNameWhatIsNotModelled(t *testing.T) {
	for _, c := range []struct {
		files []string
		want  []string
	}{
		{[]string{"cli-rds-instances.json"}, []string{
			"cli-rds-instances.json:60:13: DBInstances[0].StorageType: gp3: not modelled",
			"DBInstances[0].StorageEncrypted: true: not modelled (encryption",
			"DBInstances[0].MaxAllocatedStorage: 1000: not modelled (storage autoscaling",
			"DBInstances[0].EngineVersion: 16.3: not modelled"}},
		{[]string{"cli-table-global-ondemand.json"}, []string{
			"Table.StreamSpecification: the table's stream: its consumer is not in the source",
			"Table.TableClassSummary: STANDARD_INFREQUENT_ACCESS: not modelled"}},
		{[]string{"cfn-dynamodb.yaml"}, []string{
			"Resources.CartTable.Properties.TimeToLiveSpecification: {...}: not modelled (TTL",
			"Resources.CartTable.Properties.KinesisStreamSpecification: {...}: not modelled (a Kinesis",
			"cfn-dynamodb.yaml: resources dbsim does not import, ignored: AWS::Kinesis::Stream CartStream"}},
		{[]string{"cfn-rds.yaml"}, []string{"Fn::GetAZs: the AZs depend on the account"}},
		{[]string{"cfn-aurora.json"}, []string{"Ref ReaderClass: the parameter has no Default"}},
		{[]string{"cli-table.json", "cli-scalable-targets.json", "cli-scaling-policies.json"}, []string{
			"ScaleOutCooldown: cooldowns are not modelled",
			"ScalableTargets[3]: table/sessions dynamodb:table:WriteCapacityUnits: not for the imported table orders"}},
		{[]string{"tf-state-aurora.json"}, []string{"ignored: aws_security_group.db"}},
	} {
		res, err := importFiles(t, c.files, "")
		require.NoError(t, err)
		var all []string
		for _, w := range res.Warnings {
			all = append(all, w.Error())
		}
		for _, want := range c.want {
			assert.True(t, slices.ContainsFunc(all, func(w string) bool { return strings.Contains(w, want) }), "%v: no warning %q in\n%s", c.files, want, strings.Join(all, "\n"))
		}
	}
}

// Auto scaling settings dbsim's validation refuses (a target outside 20 to
// 90 %, an empty range) are warned and left at the default, so that the
// scenario still runs as written.
func TestOutOfRangeScalingIsWarned(t *testing.T) {
	table := `{"Table": {"TableName": "t", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}}`
	tmpl := `Resources:
  P:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties: {ServiceNamespace: dynamodb, ResourceId: table/t, ScalableDimension: dynamodb:table:WriteCapacityUnits, PolicyType: TargetTrackingScaling, TargetTrackingScalingPolicyConfiguration: {TargetValue: 95}}
  T:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties: {ServiceNamespace: dynamodb, ResourceId: table/t, ScalableDimension: dynamodb:table:WriteCapacityUnits, MinCapacity: 0, MaxCapacity: 0}
`
	res, err := Import([]File{{Name: "t.json", Data: []byte(table)}, {Name: "s.yaml", Data: []byte(tmpl)}}, Options{})
	require.NoError(t, err)
	_, err = scenarios.Parse("imported.yaml", res.YAML)
	require.NoError(t, err, "%s", res.YAML)
	assert.Contains(t, string(res.YAML), "autoscaling: {min_rcu: 5, max_rcu: 5, min_wcu: 5, max_wcu: 5}")
	assert.Contains(t, res.Warnings.Error(), "a target of 95%: DynamoDB's target tracking takes 20 to 90 %")
	assert.Contains(t, res.Warnings.Error(), "MinCapacity 0 and MaxCapacity 0: not a range")
}

// Two clusters of one Global Database (Terraform's primary and secondary
// aws_rds_cluster) are one system: the primary, the one with the master
// user, with the other's Region as a secondary.
func TestGlobalDatabaseFromTerraform(t *testing.T) {
	state := `{"format_version": "1.0", "values": {"root_module": {"resources": [
  {"address": "aws_rds_global_cluster.g", "mode": "managed", "type": "aws_rds_global_cluster", "values": {"global_cluster_identifier": "g"}},
  {"address": "aws_rds_cluster.secondary", "mode": "managed", "type": "aws_rds_cluster", "values": {"cluster_identifier": "b", "engine": "aurora-mysql",
    "arn": "arn:aws:rds:us-west-2:1:cluster:b", "global_cluster_identifier": "g", "master_username": null}},
  {"address": "aws_rds_cluster.primary", "mode": "managed", "type": "aws_rds_cluster", "values": {"cluster_identifier": "a", "engine": "aurora-mysql",
    "arn": "arn:aws:rds:us-east-1:1:cluster:a", "global_cluster_identifier": "g", "master_username": "admin"}}]}}}`
	res, err := Import([]File{{Name: "s.json", Data: []byte(state)}}, Options{})
	require.NoError(t, err)
	y := string(res.YAML)
	assert.Contains(t, y, "name: a\n")
	assert.Contains(t, y, "secondaries:\n      - {region: us-west-2}")
	assert.Contains(t, y, "ignored: aws_rds_global_cluster.g")
	_, err = scenarios.Parse("imported.yaml", res.YAML)
	require.NoError(t, err, y)
}
