package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"dbsim/scenarios"
	"dbsim/scenarios/importer"
)

// importHelp is the help of dbsim import.
var importHelp = help{
	usage: "import FILE... [-o FILE] [--resource NAME]",
	about: `Writes a scenario from what you can export of your AWS configuration,
each file recognised by its content: the AWS CLI's JSON of aws rds
describe-db-instances, describe-db-clusters and describe-global-clusters, aws
dynamodb describe-table,
aws application-autoscaling describe-scalable-targets and
describe-scaling-policies; terraform show -json of a state or a plan, or a
terraform.tfstate file (aws_db_instance, aws_rds_cluster, aws_rds_cluster_instance,
aws_dynamodb_table, aws_appautoscaling_target and _policy); CloudFormation
templates in JSON or YAML (AWS::RDS::DBInstance, AWS::RDS::DBCluster,
AWS::DynamoDB::Table, AWS::ApplicationAutoScaling::ScalableTarget and
ScalingPolicy), their intrinsic functions resolved where they can be
without the stack; and a table's traffic as aws cloudwatch get-metric-data
exports it (ConsumedWriteCapacityUnits replayed as a workload of puts,
ConsumedReadCapacityUnits as one of gets, for the export's length, in
fluid mode when a per-request run would take too long).

Several files combine: a table's describe-table with its scalable targets
and scaling policies, a cluster's describe-db-clusters with its instances'
describe-db-instances. A scenario runs one system: when the files describe
several, name one with --resource.

What the files do not say (the workload above all, the clients, service
times) is dbsim's default, marked "# default: not in the source" in the
YAML. What dbsim cannot model (a storage type, encryption, a TTL, an engine
version, a property it has no key for, resources of other types) is a
warning on stderr and a comment at the top of the YAML. The scenario
written passes dbsim validate and runs as written. A file that is not JSON
or YAML, or of no format above, is an error (exit status 2).`,
	args: []arg{{"FILE...", "exported files (- reads one from stdin)"}},
	examples: []string{
		"dbsim import table.json targets.json policies.json -o orders.yaml",
		"dbsim import table.json metrics.json -o orders.yaml",
		"terraform show -json | dbsim import - --resource aws_rds_cluster.main",
		"dbsim import template.yaml | dbsim run - -o out",
	},
}

func importCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import")
	out := fs.String("o", "", "write the scenario to `FILE` (default: stdout)")
	resource := fs.String("resource", "", "import the system of this `NAME` (identifier, table name, Terraform address or CloudFormation logical id) when the files describe several")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("import", "no file given")
	}
	if err := stdinOnce("import", fs.Args()); err != nil {
		return err
	}
	if *out != "" {
		if fi, err := os.Stat(*out); err == nil && fi.IsDir() {
			return badInput{fmt.Errorf("dbsim import: -o %s: is a directory (want a file)", *out)}
		}
	}
	var files []importer.File
	for _, arg := range fs.Args() {
		data, err := readImportFile(arg)
		if err != nil {
			return err
		}
		name := arg
		if arg == "-" {
			name = stdinName
		}
		files = append(files, importer.File{Name: name, Data: data})
	}
	res, err := importer.Import(files, importer.Options{Resource: *resource, Scenario: *out})
	var es scenarios.Errors
	switch {
	case errors.As(err, &es):
		return badInput{es}
	case err != nil:
		return badInput{fmt.Errorf("dbsim import: %w", err)}
	}
	// The scenario must run as written: one that does not is dbsim's bug.
	// Its trace files are named relative to -o's directory (the working
	// directory for stdout): it is parsed as if it were there.
	name := *out
	if name == "" {
		name = stdinName
	}
	if _, err := scenarios.Parse(name, res.YAML); err != nil {
		return fmt.Errorf("import wrote a scenario that does not validate (a bug in dbsim; please report it with the files):\n%v", err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "warning: %v\n", w)
	}
	if *out == "" {
		_, err := stdout.Write(res.YAML)
		return err
	}
	return writeFileAtomic(*out, res.YAML)
}

// readImportFile reads an exported file (- for stdin), refusing one over
// importer.MaxFileSize unread.
func readImportFile(arg string) ([]byte, error) {
	r := stdin
	name := arg
	if arg != "-" {
		f, err := os.Open(arg)
		if err != nil {
			return nil, badInput{fmt.Errorf("dbsim import: %v", err)}
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return nil, badInput{fmt.Errorf("dbsim import: %s: is a directory (want an exported file)", arg)}
		}
		r = f
	} else {
		name = stdinName
	}
	data, err := io.ReadAll(io.LimitReader(r, importer.MaxFileSize+1))
	if err != nil {
		return nil, badInput{fmt.Errorf("dbsim import: %s: %v", name, err)}
	}
	if len(data) > importer.MaxFileSize {
		return nil, badInput{fmt.Errorf("dbsim import: %s: too large (over %d MB; dbsim import reads files of at most %d MB)", name, importer.MaxFileSize>>20, importer.MaxFileSize>>20)}
	}
	return data, nil
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory, renamed into place: a failed write leaves nothing.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".dbsim-import-*")
	if err != nil {
		return badInput{fmt.Errorf("dbsim import: -o %s: %v", path, cause(err))}
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("dbsim import: -o %s: %v", path, werr)
	}
	return nil
}
