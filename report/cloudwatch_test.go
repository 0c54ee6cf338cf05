package report

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
	"dbsim/scenarios/cloudwatch"
)

// result finds the result labelled label.
func result(t *testing.T, r *cloudwatch.Response, label string) cloudwatch.Result {
	t.Helper()
	i := slices.IndexFunc(r.MetricDataResults, func(x cloudwatch.Result) bool { return x.Label == label })
	require.GreaterOrEqual(t, i, 0, "a result labelled %s", label)
	return r.MetricDataResults[i]
}

// oldestFirst is a result's values in time order.
func oldestFirst(r cloudwatch.Result) []float64 {
	v := slices.Clone(r.Values)
	slices.Reverse(v)
	return v
}

// The bundled replay's cloudwatch.json: the trace's period and clock,
// CloudWatch's names, and consumed capacity that is the replayed export's
// where nothing throttled (within the Poisson noise of a minute's puts).
func TestCloudWatchOfAReplay(t *testing.T) {
	res := bundledResult(t, "dynamodb-cloudwatch-replay")
	cw := CloudWatch(res)
	require.NotNil(t, cw)
	var labels []string
	for _, r := range cw.MetricDataResults {
		labels = append(labels, r.Label)
		assert.Equal(t, "Complete", r.StatusCode)
		assert.Len(t, r.Values, len(r.Timestamps))
	}
	assert.Equal(t, []string{"ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits", "ProvisionedReadCapacityUnits",
		"ProvisionedWriteCapacityUnits", "ReadThrottleEvents", "WriteThrottleEvents", "ThrottledRequests", "SuccessfulRequestLatency"}, labels)

	w := result(t, cw, "ConsumedWriteCapacityUnits")
	require.Len(t, w.Values, 120, "two hours of minutes")
	assert.Equal(t, "2026-03-02T08:00:00+00:00", w.Timestamps[119], "the trace's first timestamp, listed last as the CLI does")
	assert.Equal(t, "2026-03-02T09:59:00+00:00", w.Timestamps[0])

	trace := res.Scenario.FirstTrace()
	sim := oldestFirst(w)
	for i := range 50 { // before the spike: nothing throttles
		want := trace.Series.Values[i]
		sd := 16 * math.Sqrt(want/16) // a minute's puts are Poisson, 16 WCU each
		assert.InDelta(t, want, sim[i], 4*sd, "minute %d", i)
	}
	thr := oldestFirst(result(t, cw, "WriteThrottleEvents"))
	for i := 50; i < 54; i++ {
		assert.Positive(t, thr[i], "the spike throttles in minute %d", i)
	}
	total := 0.0
	for _, v := range result(t, cw, "ThrottledRequests").Values {
		total += v
	}
	assert.Equal(t, float64(res.Replications[0].Requests.Throttled), total, "the periods add up to the run's throttled attempts")

	var buf bytes.Buffer
	require.NoError(t, WriteCloudWatch(&buf, res))
	series, err := cloudwatch.Read(buf.Bytes(), 0)
	require.NoError(t, err, "dbsim reads back what it writes")
	assert.Len(t, series, len(labels))

	f := measuredFigure("x", res, newAnnotations(res, nil))
	require.NotNil(t, f, "the export holds WriteThrottleEvents")
	assert.NotNil(t, f.lower, "and the replayed ConsumedWriteCapacityUnits: two panels")
	assert.Contains(t, f.Title, "WriteThrottleEvents and ConsumedWriteCapacityUnits (per 60 s")
}

// A run without a trace writes CloudWatch's one-minute periods from the
// fixed epoch; RDS metrics are per instance, in CloudWatch's units.
func TestCloudWatchOfAnRDSRun(t *testing.T) {
	res := bundledResult(t, "rds-multi-az-failover")
	cw := CloudWatch(res)
	require.NotNil(t, cw)
	cpu := result(t, cw, "primary CPUUtilization")
	assert.Equal(t, "cpuutilization_primary", cpu.ID)
	last := len(cpu.Timestamps) - 1
	assert.Equal(t, "2026-01-01T00:00:00+00:00", cpu.Timestamps[last])
	at, err := time.Parse(time.RFC3339, cpu.Timestamps[last-1])
	require.NoError(t, err)
	assert.Equal(t, scenarios.CloudWatchEpoch.Add(time.Minute), at.UTC())
	for _, v := range cpu.Values {
		assert.True(t, v >= 0 && v <= 100, "a percentage: %v", v)
	}
	result(t, cw, "primary DatabaseConnections")
	lat := result(t, cw, "WriteLatency")
	for _, v := range lat.Values {
		assert.Less(t, v, 10.0, "seconds, not milliseconds")
	}
	assert.Nil(t, measuredFigure("x", res, newAnnotations(res, nil)), "no export, no measured figure")
	var doc map[string]any
	var buf bytes.Buffer
	require.NoError(t, WriteCloudWatch(&buf, res))
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	assert.Contains(t, doc, "Messages")
}
