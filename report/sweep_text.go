package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"dbsim/scenarios/sweep"
)

// sweepTextMetrics are the metrics of the terminal table, besides those of
// the targets.
var sweepTextMetrics = []string{"availability", "all.p99", "write.p99", "client.outage", "cost"}

// WriteSweepText writes a sweep for the terminal: one line per point with
// the main metrics (means over replications) and, when the sweep has
// targets, the planner's answer: the cheapest point meeting every target,
// or the closest one and by how much it misses.
func WriteSweepText(w io.Writer, r *sweep.Result) error {
	targets, err := SweepTargets(r)
	if err != nil {
		return err
	}
	var metrics []int
	for _, n := range sweepTextMetrics {
		m, _ := sweep.LookupMetric(n)
		metrics = append(metrics, m)
	}
	for _, t := range targets {
		found := false
		for _, m := range metrics {
			found = found || m == t.Metric
		}
		if !found {
			metrics = append(metrics, t.Metric)
		}
	}
	fmt.Fprintf(w, "%s: %s, %s each; means over replications\n\n", r.Scenario, count(len(r.Results), "point"), count(maxReplications(r), "replication"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"#"}
	head = append(head, r.Columns()...)
	for _, m := range metrics {
		head = append(head, sweep.Metrics[m].Name+" "+textUnit(m))
	}
	if len(targets) > 0 {
		head = append(head, "targets")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for i := range r.Results {
		p := &r.Results[i]
		row := []string{strconv.Itoa(p.Index)}
		row = append(row, p.Values...)
		for _, m := range metrics {
			v := textNumber(m, p.Mean(m))
			if sweep.Metrics[m].Unit == "usd" && p.CostEstimated {
				v += "*"
			}
			row = append(row, v)
		}
		if len(targets) > 0 {
			ok := "met"
			for _, t := range targets {
				if !t.Met(p.Mean(t.Metric)) {
					ok = "missed"
				}
			}
			row = append(row, ok)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i := range r.Results {
		if r.Results[i].CostEstimated {
			fmt.Fprintln(w, "* cost estimated: an instance price extrapolated from its family, or a usage the model does not count (see --print-prices, --prices)")
			break
		}
	}
	if len(targets) == 0 {
		return nil
	}
	var ts []string
	for _, t := range targets {
		ts = append(ts, t.String())
	}
	fmt.Fprintf(w, "\ntargets: %s (judged on the mean over replications)\n", strings.Join(ts, ", "))
	a := r.Answer(targets)
	describe := func(p *sweep.PointResult) string {
		var parts []string
		for i, c := range r.Columns() {
			parts = append(parts, c+"="+p.Values[i])
		}
		return fmt.Sprintf("#%d %s", p.Index, strings.Join(parts, " "))
	}
	costM, _ := sweep.LookupMetric("cost")
	stat := func(p *sweep.PointResult, m int) string {
		mean, lo, hi := p.Stat(m)
		s := sweep.FormatMetric(m, mean)
		if len(p.Replications) > 1 && !math.IsNaN(mean) && lo != hi {
			s += fmt.Sprintf(" (95%% CI %s – %s)", sweep.FormatMetric(m, lo), sweep.FormatMetric(m, hi))
		}
		return s
	}
	if a.Best != nil {
		fmt.Fprintf(w, "cheapest point meeting every target (%d of %s meet them):\n  %s\n", a.Meeting, count(len(r.Results), "point"), describe(a.Best))
		fmt.Fprintf(w, "  cost %s/month%s\n", sweep.FormatMetric(costM, a.Best.Mean(costM)), estimatedNote(a.Best))
		for _, t := range targets {
			_, lo, hi := a.Best.Stat(t.Metric)
			caveat := ""
			if !t.Met(lo) || !t.Met(hi) {
				caveat = "  <- the interval crosses the target"
			}
			fmt.Fprintf(w, "  %s: %s%s\n", sweep.Metrics[t.Metric].Name, stat(a.Best, t.Metric), caveat)
		}
		writeDoubts(w, r, a, targets, describe, stat)
		return nil
	}
	fmt.Fprintf(w, "no point meets the targets; the closest is\n  %s\n", describe(a.Closest))
	fmt.Fprintf(w, "  cost %s/month%s\n", sweep.FormatMetric(costM, a.Closest.Mean(costM)), estimatedNote(a.Closest))
	for i, t := range targets {
		verdict := "met"
		if miss := a.Misses[i]; miss > 0 {
			verdict = "missed"
			if !math.IsInf(miss, 1) {
				verdict += ": " + missText(t, miss)
			}
		}
		fmt.Fprintf(w, "  %s: %s (target %s %s: %s)\n", sweep.Metrics[t.Metric].Name, stat(a.Closest, t.Metric),
			t.Op, sweep.FormatMetric(t.Metric, t.Value), verdict)
	}
	writeDoubts(w, r, a, targets, describe, stat)
	return nil
}

// writeDoubts says where the replications leave the answer open: one
// replication per point gives no interval at all; otherwise every target
// whose 95% interval crosses it at the chosen point, or at a cheaper point
// that might meet it after all, with about how many replications would
// settle it.
func writeDoubts(w io.Writer, r *sweep.Result, a sweep.Answer, targets []sweep.Target,
	describe func(*sweep.PointResult) string, stat func(*sweep.PointResult, int) string) {
	if len(r.Results) > 0 && len(r.Results[0].Replications) == 1 {
		fmt.Fprintln(w, "uncertain: one replication per point gives no confidence interval; run --replications 5 or more to see how sure the answer is")
		return
	}
	doubts := r.Doubts(a, targets)
	if len(doubts) == 0 {
		return
	}
	fmt.Fprintln(w, "uncertain: the replications do not settle these (the 95% interval crosses the target):")
	most := 0
	for _, d := range doubts {
		need := "the mean sits on the target"
		switch n := d.Replications; {
		case n > sweep.MaxSuggested:
			need = fmt.Sprintf("more than %s replications would be needed", thousands(sweep.MaxSuggested))
		case n > 0:
			need = fmt.Sprintf("about %s replications would settle it", thousands(int64(n)))
			most = max(most, n)
		}
		fmt.Fprintf(w, "  %s: %s %s, target %s: %s\n", describe(d.Point), sweep.Metrics[d.Target.Metric].Name,
			stat(d.Point, d.Target.Metric), d.Target, need)
	}
	if most > 0 {
		fmt.Fprintf(w, "  rerun with --replications %d to settle them all\n", most)
	}
}

func estimatedNote(p *sweep.PointResult) string {
	if p.CostEstimated {
		return " (estimated)"
	}
	return ""
}

// missText says how far a target is missed: for availability as a multiple
// of the downtime the target allows, otherwise as a percentage of the
// target ("13% over", "20% under").
func missText(t sweep.Target, miss float64) string {
	if sweep.Metrics[t.Metric].Name == "availability" {
		return fmt.Sprintf("%s× the downtime allowed", strconv.FormatFloat(roundSig(miss+1, 3), 'f', -1, 64))
	}
	side := "over"
	if t.Op == ">" || t.Op == ">=" {
		side = "under"
	}
	return strconv.FormatFloat(roundSig(100*miss, 3), 'f', -1, 64) + "% " + side
}

func textUnit(m int) string {
	switch sweep.Metrics[m].Unit {
	case "fraction":
		return "%"
	case "ms":
		return "ms"
	case "s":
		return "s"
	case "usd":
		return "$/mo"
	}
	return ""
}

func textNumber(m int, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	switch sweep.Metrics[m].Unit {
	case "fraction":
		return strconv.FormatFloat(roundDec(100*v, 4), 'f', -1, 64)
	case "usd":
		return strconv.FormatFloat(v, 'f', 2, 64)
	case "s", "ms":
		return strconv.FormatFloat(roundSig(v, 4), 'f', -1, 64)
	}
	return strconv.FormatFloat(roundSig(v, 4), 'f', -1, 64)
}
