package report

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A write stopped halfway (a signal while the plots render) leaves
// neither the directory nor its hidden temporary sibling.
func TestWriteStoppedHalfwayLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("SIGINT")
	outs := []output{
		{"a.txt", func(w io.Writer) error { _, err := io.WriteString(w, "a"); cancel(cause); return err }},
		{"b.txt", func(w io.Writer) error { _, err := io.WriteString(w, "b"); return err }},
	}
	err := writeDirContext(ctx, dir, outs)
	assert.ErrorIs(t, err, cause)
	assert.ErrorContains(t, err, "interrupted before writing b.txt")
	left, _ := os.ReadDir(parent)
	assert.Empty(t, left, "no out/, no .out.tmp-*")

	require.NoError(t, WriteDirContext(context.Background(), dir, testResult(), nil))
	assert.FileExists(t, filepath.Join(dir, "summary.json"))
}

// A comparison written after a signal leaves nothing either.
func TestCompareWriteAfterASignalLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("SIGTERM"))
	err := WriteCompareDir(ctx, filepath.Join(parent, "cmp"), testComparison())
	assert.ErrorContains(t, err, "SIGTERM")
	left, _ := os.ReadDir(parent)
	assert.Empty(t, left)
}
