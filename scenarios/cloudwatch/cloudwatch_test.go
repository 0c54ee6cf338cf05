package cloudwatch

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func read(t *testing.T, file string) []Series {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	require.NoError(t, err)
	s, err := Read(data, 0)
	require.NoError(t, err)
	return s
}

func TestReadsTheCLIsOutputNewestFirst(t *testing.T) {
	s := read(t, "get-metric-data.json")
	require.Len(t, s, 2)
	w := s[0]
	assert.Equal(t, "m1", w.ID)
	assert.Equal(t, "ConsumedWriteCapacityUnits", w.Name())
	assert.Equal(t, time.Minute, w.Period)
	assert.Equal(t, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), w.Start.UTC())
	assert.Equal(t, []float64{60000, 60600, 61500, 63000, 66000}, w.Values, "oldest first")
	assert.Equal(t, 5*time.Minute, w.Duration())
	assert.Equal(t, []float64{0, 0, 0, 0, 12}, s[1].Values)
}

func TestReadsEpochSecondsOldestFirst(t *testing.T) {
	s := read(t, "epoch-seconds.json")[0]
	assert.Equal(t, 5*time.Minute, s.Period)
	assert.Equal(t, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), s.Start)
	assert.Equal(t, []float64{30000, 45000, 30000}, s.Values)
}

func TestReadsCSV(t *testing.T) {
	s := read(t, "rates.csv")[0]
	assert.Equal(t, 10*time.Second, s.Period)
	assert.Equal(t, []float64{100, 150, 125.5}, s.Values)
	assert.Equal(t, "", s.Name())
	s = read(t, "seconds.csv")[0]
	assert.Equal(t, 30*time.Second, s.Period)
	assert.Equal(t, []float64{40, 80, 0, 20}, s.Values)
	assert.Equal(t, 1, s.Start.Year(), "seconds from the start: no calendar time")
}

// What a replay could only guess at is refused, saying where.
func TestRefuses(t *testing.T) {
	js := func(ts, vs string) string {
		return `{"MetricDataResults": [{"Id": "m1", "Label": "X", "Timestamps": [` + ts + `], "Values": [` + vs + `], "StatusCode": "Complete"}]}`
	}
	for _, tc := range []struct{ name, data, want string }{
		{"out of order", js(`"2026-01-01T00:02:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:03:00Z"`, "1, 2, 3"), "Timestamps[1]: time 2026-01-01T00:01:00Z is out of order beside Timestamps[2]"},
		{"duplicate", js(`"2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:02:00Z"`, "1, 2, 3"), "Timestamps[2]: duplicate time"},
		{"gap", js(`"2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:05:00Z"`, "1, 2, 3"), "a gap of 2 periods of 1m0s"},
		{"uneven", js(`"2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:02:30Z"`, "1, 2, 3"), "30s after the previous time (want a constant period of 1m0s)"},
		{"null", js(`"2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"`, "1, null"), "Values[1] is null"},
		{"negative", js(`"2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"`, "1, -2"), "value -2 is not a rate"},
		{"lengths", js(`"2026-01-01T00:01:00Z"`, "1, 2"), "1 Timestamps but 2 Values"},
		{"bad time", js(`"yesterday", "2026-01-01T00:02:00Z"`, "1, 2"), `Timestamps[0] "yesterday" is not an ISO 8601 time`},
		{"one point", js(`"2026-01-01T00:01:00Z"`, "1"), "its period cannot be inferred"},
		{"syntax", "{\n  \"MetricDataResults\": [,]\n}", "line 2 column"},
		{"empty", `{"MetricDataResults": []}`, "no MetricDataResults"},
		{"csv time", "time,rate\n2026-01-01T00:00:00Z,1\nnoon,2\n", `line 3: time "noon" is not RFC 3339`},
		{"csv mixed", "0,1\n2026-01-01T00:00:00Z,2\n", "mixes the forms"},
		{"csv rate", "0,1\n10,lots\n", `line 2: rate "lots" is not a number`},
		{"csv NaN", "0,1\n10,NaN\n", "line 2: value NaN is not a rate"},
		{"csv fields", "0,1,2\n", "CSV: "},
		{"csv order", "0,1\n20,1\n10,1\n", "line 3: time 10s is out of order beside line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read([]byte(tc.data), 0)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// A given period must be the file's.
func TestGivenPeriod(t *testing.T) {
	data, err := os.ReadFile("testdata/get-metric-data.json")
	require.NoError(t, err)
	_, err = Read(data, 5*time.Minute)
	assert.ErrorContains(t, err, "1m0s after the previous time (want a constant period of 5m0s)")
	one := `{"MetricDataResults": [{"Id": "m1", "Timestamps": ["2026-01-01T00:01:00Z"], "Values": [6], "StatusCode": "Complete"}]}`
	s, err := Read([]byte(one), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, time.Minute, s[0].Duration())
}

// Too big a file is refused before it is parsed, with an estimate.
func TestTooLarge(t *testing.T) {
	_, err := Read(bytes.Repeat([]byte(" "), MaxFileBytes+1), 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too large: 32.0 MB, about 838860 data points")
	n := MaxPoints + 1
	var b strings.Builder
	b.WriteString("time,rate\n")
	for i := range n {
		b.WriteString(itoa(i) + ",1\n")
	}
	_, err = Read([]byte(b.String()), 0)
	assert.ErrorContains(t, err, "more than 600000 rows")
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// What dbsim writes it reads back.
func TestStampRoundTrips(t *testing.T) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	r := Response{MetricDataResults: []Result{{ID: "m1", Label: "X", Timestamps: []string{Stamp(at.Add(time.Minute)), Stamp(at)}, Values: []float64{2, 1}, StatusCode: "Complete"}}}
	data, err := json.Marshal(r)
	require.NoError(t, err)
	s, err := Read(data, 0)
	require.NoError(t, err)
	assert.Equal(t, at, s[0].Start.UTC())
	assert.Equal(t, []float64{1, 2}, s[0].Values)
	assert.Equal(t, "2026-03-02T08:00:00+00:00", Stamp(at))
}

func TestReadsAContributorInsightsReport(t *testing.T) {
	data, err := os.ReadFile("testdata/insight-rule-report.json")
	require.NoError(t, err)
	cs, err := ReadInsightReport(data)
	require.NoError(t, err)
	require.Len(t, cs, 2)
	assert.Equal(t, []string{"user#42"}, cs[0].Keys, "largest first")
	assert.InDelta(t, 0.3, cs[0].Share, 1e-12, "36,000 of 120,000")
	assert.InDelta(t, 0.05, cs[1].Share, 1e-12)

	for _, tc := range []struct{ data, want string }{
		{`{"Contributors": [{"Keys": ["a"], "ApproximateAggregateValue": 1}]}`, "no AggregateValue"},
		{`{"AggregateValue": 0, "Contributors": [{"Keys": ["a"], "ApproximateAggregateValue": 1}]}`, "want a number > 0"},
		{`{"AggregateValue": 10, "Contributors": []}`, "no Contributors"},
		{`{"AggregateValue": 10, "Contributors": [{"Keys": ["a"], "ApproximateAggregateValue": 11}]}`, "not between 0 and AggregateValue 10"},
		{`{"AggregateValue": 10, "Contributors": [{"Keys": [], "ApproximateAggregateValue": 1}]}`, "Contributors[0]: no Keys"},
		{`{"AggregateValue": 10, "Contributors": [{"Keys": ["a"], "ApproximateAggregateValue": 6}, {"Keys": ["b"], "ApproximateAggregateValue": 6}]}`, "more than all of it"},
	} {
		_, err := ReadInsightReport([]byte(tc.data))
		assert.ErrorContains(t, err, tc.want)
	}
}
