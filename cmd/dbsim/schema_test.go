package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios/schema"
)

// dbsim schema prints the scenario format's JSON Schema (which package
// schema tests against the scenarios).
func TestSchemaCommand(t *testing.T) {
	out, errOut, code := run(t, "schema")
	require.Equal(t, exitOK, code, errOut)
	want, err := schema.JSON()
	require.NoError(t, err)
	assert.Equal(t, string(want), out)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", doc["$schema"])
	_, _, code = run(t, "schema", "extra")
	assert.Equal(t, exitBadInput, code)
}
