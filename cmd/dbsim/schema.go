package main

import (
	"context"
	"io"

	"dbsim/scenarios/schema"
)

// schemaHelp is the help of dbsim schema.
var schemaHelp = help{
	usage: "schema",
	about: `Prints a JSON Schema (draft 2020-12) of the scenario format: every key
with its description and unit, the values of the enumerated keys, the keys
each system kind takes. Editors with the YAML language server (VS Code's
YAML extension, Neovim or Helix with yaml-language-server) then complete keys and
values and flag mistakes as you type, when a scenario's first line names
the schema:

# yaml-language-server: $schema=./dbsim.schema.json

The schema checks a scenario's shape; dbsim validate checks the rest
(ranges, which keys a fault kind takes, AZs named in the topology...).`,
	examples: []string{
		"dbsim schema > dbsim.schema.json",
		"echo '# yaml-language-server: $schema=./dbsim.schema.json' > my.yaml",
		"dbsim show rds-multi-az-failover >> my.yaml",
	},
}

func schemaCmd(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("schema")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("schema", "takes no arguments, got %d", fs.NArg())
	}
	data, err := schema.JSON()
	if err != nil {
		return err
	}
	_, err = stdout.Write(data)
	return err
}
