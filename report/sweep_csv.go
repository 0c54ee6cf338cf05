package report

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"

	"dbsim/scenarios/sweep"
)

// WriteSweepCSV writes sweep.csv: a header, then one row per point in index
// order. The columns are the swept paths (their values as given), then for
// each metric (sweep.Metrics) its mean over the point's
// replications and the ends of the Student-t 95% confidence interval of
// that mean, clamped to the metric's range (NAME_mean, NAME_ci95_lo,
// NAME_ci95_hi; see PointResult.Stat; empty when a
// replication had no value), then cost_estimated, and meets_targets when
// the sweep has targets (judged on the means).
func WriteSweepCSV(w io.Writer, r *sweep.Result) error {
	targets, err := SweepTargets(r)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := r.Columns()
	for _, m := range sweep.Metrics {
		header = append(header, m.Column+"_mean", m.Column+"_ci95_lo", m.Column+"_ci95_hi")
	}
	header = append(header, "cost_estimated")
	if len(targets) > 0 {
		header = append(header, "meets_targets")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for i := range r.Results {
		p := &r.Results[i]
		row := append([]string(nil), p.Values...)
		for m := range sweep.Metrics {
			mean, lo, hi := p.Stat(m)
			row = append(row, csvNumber(m, mean), csvNumber(m, lo), csvNumber(m, hi))
		}
		row = append(row, strconv.FormatBool(p.CostEstimated))
		if len(targets) > 0 {
			meets := true
			for _, t := range targets {
				meets = meets && t.Met(p.Mean(t.Metric))
			}
			row = append(row, strconv.FormatBool(meets))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvNumber formats a value of metric m: availability to 9 decimals,
// latencies to 6 significant digits, seconds to the millisecond, counts to
// 3 decimals (a mean of counts), USD to the cent; empty for no value.
func csvNumber(m int, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	var r float64
	switch sweep.Metrics[m].Unit {
	case "fraction":
		r = roundDec(v, fractionDecimals)
	case "ms":
		r = roundSig(v, sigDigits)
	case "s":
		r = roundDec(v, secondDecimals)
	case "usd":
		return strconv.FormatFloat(roundDec(v, 2), 'f', 2, 64)
	default:
		r = roundDec(v, 3)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}
