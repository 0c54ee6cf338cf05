package report

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

func TestTimeAxisUnitFitsTheRun(t *testing.T) {
	for _, c := range []struct {
		secs float64
		unit string
	}{
		{1.5, "ms"}, {15, "s"}, {180, "s"}, {240, "min"}, {27 * 60, "min"},
		{10 * 3600, "h"}, {2 * 86400, "h"}, {14 * 86400, "days"},
	} {
		ax := newTimeAxis(c.secs)
		assert.Equal(t, c.unit, ax.unit.name, "%g s", c.secs)
		assert.Equal(t, "time ("+c.unit+")", ax.title())
		// Round ticks, 4 to 10 labelled, the last at most the end.
		var labels []string
		for _, tk := range ax.ticks().Ticks(0, ax.max()) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		assert.GreaterOrEqual(t, len(labels), 3, "%g s: %v", c.secs, labels)
		assert.LessOrEqual(t, len(labels), 11, "%g s: %v", c.secs, labels)
		first, err := strconv.ParseFloat(labels[0], 64)
		assert.NoError(t, err)
		assert.Zero(t, first, "%g s starts at 0: %v", c.secs, labels)
	}
}

func TestTimeAxisCutsAnIdleTail(t *testing.T) {
	ax := newTimeAxis(15).cutIdleTail(4.25)
	assert.Equal(t, "s", ax.unit.name)
	assert.InDelta(t, 5, ax.max(), 1e-9, "a round end a little after the last event")
	assert.Contains(t, ax.title(), "\nnothing happened after 4.25 s")
	assert.Contains(t, ax.title(), "to 15 s")
	// A run busy to its second half is shown whole.
	assert.Equal(t, 15.0, newTimeAxis(15).cutIdleTail(8).end)
}

// bundledResult runs a bundled scenario with its own settings.
func bundledResult(t *testing.T, name string) *scenarios.Result {
	t.Helper()
	s, err := scenarios.LoadBundled(name)
	require.NoError(t, err)
	res, err := scenarios.Run(s, scenarios.Options{})
	require.NoError(t, err)
	return res
}

func TestShortRunIsDrawnInSeconds(t *testing.T) {
	// dynamodb-retry-storm lasts 15 s and everything happens in its first
	// 4.2: the waves 50, 100, 200 ms apart need an axis in seconds that
	// ends soon after.
	res := bundledResult(t, "dynamodb-retry-storm")
	for _, f := range Plots(res) {
		if f.message != "" {
			continue // no axes: availability, which no bucket settles (see TestAvailabilityOfARunTooShortToSettle)
		}
		assert.True(t, strings.HasPrefix(f.p.X.Label.Text, "time (s)"), "%s: %q", f.Name, f.p.X.Label.Text)
		assert.InDelta(t, 5, f.p.X.Max, 1e-9, f.Name)
		assert.Contains(t, svgOf(t, f), "is not drawn", f.Name)
	}
}
