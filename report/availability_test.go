package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

// withClients gives res clients whose requests live up to 12.15 s: 3
// attempts of up to 2 s for a connection and 2 s for an answer, 50 and
// 100 ms of backoff between them.
func withClients(res *scenarios.Result) *scenarios.Result {
	d := func(x time.Duration) scenarios.Duration { return scenarios.Duration(x) }
	res.Scenario.Clients = scenarios.Clients{Timeout: d(2 * time.Second), PoolTimeout: d(2 * time.Second), ConnectTimeout: d(2 * time.Second),
		Retry: scenarios.Retry{MaxAttempts: 3, Base: d(50 * time.Millisecond), Cap: d(2 * time.Second)}}
	return res
}

func TestLastBucketsAvailabilityIsNotFinal(t *testing.T) {
	// A request that arrived in the last 12.15 s of the run may not have
	// finished: it is in neither count, so its bucket's availability is
	// left out of the CSV, and drawn faint.
	res := withClients(testResult())
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, res))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 1+660)
	avail := func(b int) string { return strings.Split(lines[1+b], ",")[6] }
	assert.NotEmpty(t, avail(646), "646 s + 1 + 12.15 < 660: settled")
	for b := 647; b < 660; b++ {
		assert.Empty(t, avail(b), "bucket %d could still have requests in flight", b)
	}
	f := figureNamed(Plots(res), "availability")
	require.NotNil(t, f)
	assert.Contains(t, svgOf(t, f), ">not final from 10:47.0<")
	// The throughput by arrival too: a saturated run's last successes are
	// still queued at the end, and its ok line would fall to zero there.
	f = figureNamed(Plots(res), "throughput")
	require.NotNil(t, f)
	svg := svgOf(t, f)
	assert.Contains(t, svg, ">not final from 10:47.0<")
	assert.Contains(t, svg, ">ok/s, by arrival<")
	assert.Contains(t, svg, "stroke-dasharray:1,2", "the faint end")

	// Without clients (no bound known), every bucket is final.
	buf.Reset()
	require.NoError(t, WriteCSV(&buf, testResult()))
	lines = strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	assert.NotEmpty(t, avail(659))
}

func TestAvailabilityOfARunTooShortToSettle(t *testing.T) {
	// dynamodb-retry-storm: 15 s, requests that may retry for 65 s: no
	// bucket is final, and the figure says so rather than draw nothing.
	f := figureNamed(Plots(bundledResult(t, "dynamodb-retry-storm")), "availability")
	require.NotNil(t, f)
	assert.Contains(t, f.message, "No bucket's availability is final")
	assert.Contains(t, f.message, "3,000 of 3,000 succeeded")
}
