// Package importer writes a scenario from what a user can export of their
// AWS configuration: the AWS CLI's describe-* JSON (RDS instances and
// clusters, DynamoDB tables, Application Auto Scaling targets and
// policies), Terraform's `terraform show -json` (state or plan) and
// CloudFormation templates (JSON or YAML, short-form intrinsic tags
// included); and a table's traffic as `aws cloudwatch get-metric-data`
// exports it, replayed by the trace arrival process (traffic.go).
//
// Each file is recognised by its content, not its name: recognisers is a
// list, one entry per format, and every entry reads what it knows into one
// inventory of resources. The inventory must describe one system (dbsim
// runs one per scenario), or Options.Resource picks one. The scenario is
// then written as YAML nodes so that it can carry comments: a key the
// source does not give is either left out (dbsim's default) or written
// with a "# default: not in the source" comment, and what dbsim cannot
// model is a warning, returned and listed at the top of the YAML.
package importer
