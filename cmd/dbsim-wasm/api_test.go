//go:build !(js && wasm)

package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCatalogTime(t *testing.T) {
	start := time.Now()
	r := handle(Request{Op: "catalog"}, nil)
	require.Empty(t, r.Errors)
	t.Logf("catalog %v", time.Since(start))
}
