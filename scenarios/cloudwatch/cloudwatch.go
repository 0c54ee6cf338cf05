// Package cloudwatch reads and writes CloudWatch metric data as a user
// exports it: the JSON that `aws cloudwatch get-metric-data` prints
// (MetricDataResults, each with an Id, a Label, Timestamps and Values;
// REFERENCES fact 15.1) and a plain CSV of time,rate rows. Reading turns
// either into Series: one value per period, oldest first, at a constant
// period, refusing what a replay could only guess at (gaps, duplicates,
// timestamps out of order, negative or missing values, absurd sizes).
package cloudwatch

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Response is get-metric-data's output (fact 15.1).
type Response struct {
	MetricDataResults []Result  `json:"MetricDataResults"`
	Messages          []Message `json:"Messages"`
	NextToken         string    `json:"NextToken,omitempty"`
}

// Result is one MetricDataResult: a metric's values at its timestamps.
// The CLI lists them newest first (ScanBy TimestampDescending, its
// default).
type Result struct {
	ID         string    `json:"Id"`
	Label      string    `json:"Label"`
	Timestamps []string  `json:"Timestamps"`
	Values     []float64 `json:"Values"`
	StatusCode string    `json:"StatusCode"`
	Messages   []Message `json:"Messages,omitempty"`
}

// Message is a note CloudWatch attaches to a response or a result.
type Message struct {
	Code  string `json:"Code"`
	Value string `json:"Value"`
}

// Series is one metric's values at a constant period, oldest first.
type Series struct {
	// ID and Label are the result's (a CSV's series has neither).
	ID, Label string
	// Start is the first value's timestamp; the zero time for a CSV
	// whose times are seconds from its start.
	Start  time.Time
	Period time.Duration
	Values []float64
}

// Name is how a scenario names the series: its Label, else its Id.
func (s *Series) Name() string {
	if s.Label != "" {
		return s.Label
	}
	return s.ID
}

// Duration is the span the series covers: one period per value.
func (s *Series) Duration() time.Duration { return time.Duration(len(s.Values)) * s.Period }

// Limits on what Read accepts. A trace holds one number per period: 14
// days per minute is 20,160; MaxPoints is about a year per minute, and a
// file of MaxFileBytes holds about that many at the CLI's ~40 bytes per
// point (a timestamp and a value).
const (
	MaxPoints    = 600_000
	MaxFileBytes = 32 << 20
	// bytesPerPoint is about what a data point takes in the CLI's JSON.
	bytesPerPoint = 40
)

// TooLarge refuses a file of size bytes, with an estimate of the data
// points it holds.
func TooLarge(size int64) error {
	return fmt.Errorf("too large: %.1f MB, about %d data points (at most %d MB, about %d points: a year at one per minute)",
		float64(size)/(1<<20), size/bytesPerPoint, MaxFileBytes>>20, MaxPoints)
}

// Read parses data, a get-metric-data JSON response or a time,rate CSV
// (told apart by a leading '{'), into its series. period, when positive,
// is the period the file must have; otherwise it is inferred from the
// spacing of the timestamps (which then needs two of them).
func Read(data []byte, period time.Duration) ([]Series, error) {
	if len(data) > MaxFileBytes {
		return nil, TooLarge(int64(len(data)))
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return readJSON(data, period)
	}
	s, err := readCSV(data, period)
	if err != nil {
		return nil, err
	}
	return []Series{*s}, nil
}

func readJSON(data []byte, period time.Duration) ([]Series, error) {
	var r struct {
		MetricDataResults []struct {
			ID         string            `json:"Id"`
			Label      string            `json:"Label"`
			Timestamps []json.RawMessage `json:"Timestamps"`
			Values     []*float64        `json:"Values"`
			StatusCode string            `json:"StatusCode"`
		} `json:"MetricDataResults"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("not get-metric-data JSON: %v", jsonError(data, err))
	}
	if len(r.MetricDataResults) == 0 {
		return nil, errors.New("no MetricDataResults (want the output of aws cloudwatch get-metric-data)")
	}
	var out []Series
	for i, m := range r.MetricDataResults {
		at := fmt.Sprintf("MetricDataResults[%d]", i)
		if m.Label != "" {
			at += " (" + m.Label + ")"
		}
		if len(m.Timestamps) != len(m.Values) {
			return nil, fmt.Errorf("%s: %d Timestamps but %d Values (want one value per timestamp)", at, len(m.Timestamps), len(m.Values))
		}
		if len(m.Values) > MaxPoints {
			return nil, fmt.Errorf("%s: %d data points (at most %d, about a year at one per minute)", at, len(m.Values), MaxPoints)
		}
		pts := make([]point, len(m.Values))
		for j, raw := range m.Timestamps {
			t, err := timestamp(raw)
			if err != nil {
				return nil, fmt.Errorf("%s: Timestamps[%d] %s is not an ISO 8601 time such as 2026-03-01T12:00:00Z, nor seconds since 1970", at, j, raw)
			}
			if m.Values[j] == nil {
				return nil, fmt.Errorf("%s: Values[%d] is null (want a number)", at, j)
			}
			pts[j] = point{t: t, v: *m.Values[j], where: fmt.Sprintf("Timestamps[%d]", j)}
		}
		s, err := series(pts, period, true)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", at, err)
		}
		s.ID, s.Label = m.ID, m.Label
		out = append(out, *s)
	}
	return out, nil
}

// timestamp reads a timestamp as the CLI prints it (an ISO 8601 string)
// or as the API's JSON protocol does (seconds since 1970, fact 15.1).
func timestamp(raw json.RawMessage) (time.Time, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return time.Parse(time.RFC3339, s)
	}
	var secs float64
	if err := json.Unmarshal(raw, &secs); err != nil || secs < 0 {
		return time.Time{}, errors.New("not a time")
	}
	return time.Unix(0, int64(secs*1e9)).UTC(), nil
}

// jsonError adds the line and column of a JSON syntax error.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	line, col := 1, 1
	for _, c := range data[:min(int(se.Offset), len(data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d column %d: %v", line, col, err)
}

// point is one value at its time, and where the file gave it.
type point struct {
	t     time.Time
	v     float64
	where string
}

// series checks pts (in either time order when either is true, else
// increasing) and returns them as a Series at a constant period.
func series(pts []point, period time.Duration, eitherOrder bool) (*Series, error) {
	if len(pts) == 0 {
		return nil, errors.New("no data points")
	}
	if eitherOrder && len(pts) > 1 && pts[1].t.Before(pts[0].t) {
		for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
			pts[i], pts[j] = pts[j], pts[i]
		}
	}
	for _, p := range pts {
		if math.IsNaN(p.v) || math.IsInf(p.v, 0) || p.v < 0 {
			return nil, fmt.Errorf("%s: value %v is not a rate (want a finite number >= 0)", p.where, p.v)
		}
	}
	if period <= 0 {
		if len(pts) < 2 {
			return nil, errors.New("one data point: its period cannot be inferred (give arrival.period)")
		}
		period = pts[1].t.Sub(pts[0].t)
	}
	for i := 1; i < len(pts); i++ {
		d := pts[i].t.Sub(pts[i-1].t)
		switch {
		case d == 0:
			return nil, fmt.Errorf("%s: duplicate time %s", pts[i].where, stamp(pts[i].t))
		case d < 0:
			return nil, fmt.Errorf("%s: time %s is out of order beside %s (%s; the times must all rise, or all fall as the CLI lists them)",
				pts[i].where, stamp(pts[i].t), pts[i-1].where, stamp(pts[i-1].t))
		case d > period && d%period == 0:
			return nil, fmt.Errorf("%s: a gap of %d periods of %s between %s and %s (CloudWatch leaves out periods without data; fill them, e.g. with the metric math FILL(m1, 0): fact 15.7)",
				pts[i].where, d/period-1, period, stamp(pts[i-1].t), stamp(pts[i].t))
		case d != period:
			return nil, fmt.Errorf("%s: %s after the previous time (want a constant period of %s)", pts[i].where, d, period)
		}
	}
	s := &Series{Start: pts[0].t, Period: period, Values: make([]float64, len(pts))}
	for i, p := range pts {
		s.Values[i] = p.v
	}
	return s, nil
}

// stamp formats t as the files do: RFC 3339, or seconds from the start.
func stamp(t time.Time) string {
	if t.Year() == 1 {
		return strconv.FormatFloat(t.Sub(time.Time{}).Seconds(), 'f', -1, 64) + "s"
	}
	return t.UTC().Format(time.RFC3339)
}

// number matches a time given as seconds from the start.
var number = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// readCSV reads time,rate rows (an optional header first): time as RFC
// 3339 or seconds from the start, rate per second. Rows must increase in
// time.
func readCSV(data []byte, period time.Duration) (*Series, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 2
	r.Comment = '#'
	r.TrimLeadingSpace = true
	var pts []point
	seconds := -1 // 1: times are seconds, 0: RFC 3339
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("CSV: %v (want time,rate rows)", err)
		}
		line, _ := r.FieldPos(0)
		where := fmt.Sprintf("line %d", line)
		tf, vf := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if len(pts) == 0 && strings.EqualFold(tf, "time") {
			continue // the header
		}
		if len(pts) >= MaxPoints {
			return nil, fmt.Errorf("more than %d rows (about a year at one per minute)", MaxPoints)
		}
		var t time.Time
		isNum := number.MatchString(tf)
		switch {
		case isNum && seconds != 0:
			sec, _ := strconv.ParseFloat(tf, 64)
			t = time.Time{}.Add(time.Duration(sec * float64(time.Second)))
			seconds = 1
		case !isNum && seconds != 1:
			t, err = time.Parse(time.RFC3339, tf)
			if err != nil {
				return nil, fmt.Errorf("%s: time %q is not RFC 3339 (2026-03-01T12:00:00Z) nor seconds from the start", where, tf)
			}
			seconds = 0
		default:
			return nil, fmt.Errorf("%s: time %q mixes the forms of the rows above (all RFC 3339, or all seconds from the start)", where, tf)
		}
		v, err := strconv.ParseFloat(vf, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: rate %q is not a number", where, vf)
		}
		pts = append(pts, point{t: t, v: v, where: where})
	}
	return series(pts, period, false)
}

// Stamp formats t as the AWS CLI prints a timestamp: ISO 8601 in UTC with
// an offset, 2026-01-01T00:00:00+00:00.
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// Contributor is one of a Contributor Insights rule's contributors: the
// values of the rule's keys and its share of the rule's aggregate value.
type Contributor struct {
	Keys  []string
	Share float64
}

// maxContributors bounds the contributors read from a report (the API
// returns at most 100, fact 15.10).
const maxContributors = 100

// ReadInsightReport parses the JSON of `aws cloudwatch
// get-insight-rule-report` (fact 15.10): its Contributors, each with Keys
// and an ApproximateAggregateValue, as shares of the report's
// AggregateValue (the sum over every contributor that matched the rule),
// largest first.
func ReadInsightReport(data []byte) ([]Contributor, error) {
	if len(data) > MaxFileBytes {
		return nil, TooLarge(int64(len(data)))
	}
	var r struct {
		AggregateValue *float64 `json:"AggregateValue"`
		Contributors   []struct {
			Keys                      []string `json:"Keys"`
			ApproximateAggregateValue *float64 `json:"ApproximateAggregateValue"`
		} `json:"Contributors"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("not get-insight-rule-report JSON: %v", jsonError(data, err))
	}
	switch {
	case r.AggregateValue == nil:
		return nil, errors.New("no AggregateValue (want the output of aws cloudwatch get-insight-rule-report)")
	case !(*r.AggregateValue > 0) || math.IsInf(*r.AggregateValue, 0):
		return nil, fmt.Errorf("AggregateValue %v: want a number > 0 (the rule matched nothing?)", *r.AggregateValue)
	case len(r.Contributors) == 0:
		return nil, errors.New("no Contributors")
	case len(r.Contributors) > maxContributors:
		return nil, fmt.Errorf("%d Contributors (at most %d)", len(r.Contributors), maxContributors)
	}
	var out []Contributor
	sum := 0.0
	for i, c := range r.Contributors {
		at := fmt.Sprintf("Contributors[%d]", i)
		switch v := c.ApproximateAggregateValue; {
		case len(c.Keys) == 0:
			return nil, fmt.Errorf("%s: no Keys", at)
		case v == nil:
			return nil, fmt.Errorf("%s: no ApproximateAggregateValue", at)
		case *v < 0 || math.IsNaN(*v) || *v > *r.AggregateValue:
			return nil, fmt.Errorf("%s: ApproximateAggregateValue %v is not between 0 and AggregateValue %v", at, *v, *r.AggregateValue)
		}
		share := *c.ApproximateAggregateValue / *r.AggregateValue
		sum += share
		out = append(out, Contributor{Keys: c.Keys, Share: share})
	}
	if sum > 1+1e-9 {
		return nil, fmt.Errorf("the Contributors' values add up to %.4g of AggregateValue, more than all of it", sum)
	}
	slices.SortStableFunc(out, func(a, b Contributor) int { return cmp.Compare(b.Share, a.Share) })
	return out, nil
}
