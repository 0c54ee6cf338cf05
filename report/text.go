package report

import (
	"cmp"
	"dbsim/sim"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"dbsim/scenarios"
)

// maxFailoverLines caps the failovers listed one per line; the rest are
// counted.
const maxFailoverLines = 10

// WriteText writes a short human summary of sum, for the terminal:
// requests, availability with its interval, latency percentiles, one line
// per failover, the lost writes and, when there are any, the stale reads,
// each database instance's load and the episodes of an instance at its
// limits. Columns are aligned with a tabwriter.
func WriteText(w io.Writer, sum *Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }

	head := sum.Scenario
	if head == "" {
		head = "(unnamed scenario)"
	}
	reps := "replications"
	if sum.Replications == 1 {
		reps = "replication"
	}
	p("%s: %s, seed %d, %d %s of %s", head, orDash(sum.System), sum.Seed, sum.Replications, reps, secs(sum.SimulatedSeconds))
	r := sum.Requests
	p("requests\t%s total, %s ok, %s failed, %s throttled, %s retried",
		thousands(r.Total), thousands(r.OK), thousands(r.Failed), thousands(r.Throttled), thousands(r.Retried))
	ci := ""
	if sum.Replications > 1 {
		ci = fmt.Sprintf("  (95%% CI %s – %s)", percent(sum.AvailabilityCI95[0]), percent(sum.AvailabilityCI95[1]))
	}
	p("availability\t%s%s", percent(sum.Availability), ci)
	for _, name := range slices.Sorted(maps.Keys(sum.Workload)) {
		p("arrivals\t%s: %s", name, sum.Workload[name].Arrivals)
	}
	if sum.LatencyNote != "" {
		p("latency\t%s", sum.LatencyNote)
	} else {
		p("latency (ms)\tp50\tp99\tp99.9\tmax\tcount")
		for _, l := range []struct {
			name string
			s    LatencyStats
		}{{"read", sum.LatencyMS.Read}, {"write", sum.LatencyMS.Write}, {"all", sum.LatencyMS.All}} {
			p("  %s\t%s\t%s\t%s\t%s\t%s", l.name, num(l.s.P50), num(l.s.P99), num(l.s.P999), num(l.s.Max), thousands(l.s.Count))
		}
	}
	if n := len(sum.Failovers); n == 0 {
		p("failovers\tnone")
	} else {
		line := fmt.Sprintf("%s\t%d", recoveriesLabel(sum.Failovers), n)
		if d := sum.FailoverDurationS; d != nil {
			line += fmt.Sprintf(", engine mean %s%s", secs(d.Mean), ciSecs(d, n))
		}
		if d := sum.ClientOutageS; d != nil {
			line += fmt.Sprintf(", clients mean %s%s", secs(d.Mean), ciSecs(d, n))
		}
		p("%s", line)
		for i, f := range sum.Failovers {
			if i == maxFailoverLines {
				p("\t... and %d more", n-maxFailoverLines)
				break
			}
			where := ""
			if sum.Replications > 1 {
				where = fmt.Sprintf(" (replication %d)", f.Replication)
			}
			p("\t%s at %s%s: engine %s, clients %s, lost writes %d",
				f.Recovery, sum.clock(f.StartS), where, secsOrNever(f.DurationS), secsOrNever(f.ClientOutageS), f.LostWrites)
		}
	}
	for i, r := range sum.Recoveries {
		if i == maxFailoverLines {
			p("\t... and %d more", len(sum.Recoveries)-maxFailoverLines)
			break
		}
		label := ""
		if i == 0 {
			label = "recoveries"
		}
		where := ""
		if sum.Replications > 1 {
			where = fmt.Sprintf(" (replication %d)", r.Replication)
		}
		p("%s\t%s at %s%s: RTO %s, RPO %s, lost writes %s",
			label, r.Kind, sum.clock(r.StartS), where, secsOrNever(r.RTOS), rpo(r.RPOS), thousands(r.LostWrites))
	}
	if sum.UnreplicatedAcks > 0 {
		p("lost writes\t%s (of %s writes acknowledged with no other copy)", thousands(sum.LostWrites), thousands(sum.UnreplicatedAcks))
	} else {
		p("lost writes\t%s", thousands(sum.LostWrites))
	}
	if n, reads := sum.StaleReads, sum.LatencyMS.Read.Count; n > 0 && reads > 0 {
		p("stale reads\t%s (%.3g %% of successful reads)", thousands(n), 100*float64(n)/float64(reads))
	}
	writeLoad(p, sum)
	writeCredits(p, sum)
	if c := sum.CostMonthly; c != nil && c.TotalUSD > 0 {
		est := ""
		if c.Estimated {
			est = " (estimated: see cost_monthly.items in summary.json)"
		}
		var parts []string
		for _, part := range []struct {
			name string
			usd  float64
		}{{"instances", c.InstancesUSD}, {"capacity", c.CapacityUSD}, {"requests", c.RequestsUSD}, {"I/O", c.IOUSD}, {"storage", c.StorageUSD}, {"transfer", c.TransferUSD}} {
			if part.usd > 0 {
				parts = append(parts, fmt.Sprintf("%s $%.2f", part.name, part.usd))
			}
		}
		p("cost\t$%.2f/month: %s%s", c.TotalUSD, strings.Join(parts, ", "), est)
	}
	return tw.Flush()
}

// writeLoad writes a line per database instance with its utilization and
// connections ("load"), when the summary has any, and a line per
// saturation episode ("saturated"), at most maxFailoverLines of them.
func writeLoad(p func(string, ...any), sum *Summary) {
	insts := make([]string, 0, len(sum.Utilization))
	for inst := range sum.Utilization {
		insts = append(insts, inst)
	}
	slices.SortFunc(insts, compareInstances)
	head := "load"
	for _, inst := range insts {
		u := sum.Utilization[inst]
		conns := "connections max " + thousands(sum.Connections[inst].Max)
		if lim := sum.Connections[inst].Limit; lim > 0 {
			conns += " of " + thousands(lim)
		}
		p("%s	%s: utilization mean %s, p99 %s; %s", head, inst, pct(u.Mean), pct(u.P99), conns)
		head = ""
	}
	if x := sum.Stream; x != nil {
		p("stream\t%s records, %s processed, %s lost past retention, %s discarded; %s invocations, %s errors; iterator age p50 %s, p99 %s, max %s",
			thousands(x.Records), thousands(x.Processed), thousands(x.LostPastRetention), thousands(x.Discarded),
			thousands(x.Invocations), thousands(x.Errors), ageText(x.IteratorAgeMS.P50), ageText(x.IteratorAgeMS.P99), ageText(x.IteratorAgeMS.Max))
	}
	if g := sum.GlobalTable; g != nil {
		p("global table\t%s writes replicated, %s at risk when their Region failed, %s lost to last writer wins; replication latency p50 %s, p99 %s, max %s",
			thousands(g.Replicated), thousands(g.AtRisk), thousands(g.Conflicts), ageText(g.ReplicationLatency.P50), ageText(g.ReplicationLatency.P99), ageText(g.ReplicationLatency.Max))
		if len(g.Pairs) > 2 || (len(g.Pairs) > 0 && g.Conflicts > 0) {
			for _, q := range g.Pairs {
				p("\t%s → %s: %s replicated, %s discarded by last writer wins; latency p50 %s, p99 %s",
					q.From, q.To, thousands(q.Replicated), thousands(q.Conflicts), ageText(q.ReplicationLatency.P50), ageText(q.ReplicationLatency.P99))
			}
		}
	}
	if c := sum.Cache; c != nil {
		p("cache\t%s hit ratio: %s hits, %s misses; %d × %s, %s items when full", percent(c.HitRatio),
			thousands(c.Hits), thousands(c.Misses), c.Nodes, c.NodeType, thousands(c.CapacityItems))
	}
	head = "saturated"
	for i, e := range sum.Saturations {
		if i == maxFailoverLines {
			p("\t... and %d more", len(sum.Saturations)-maxFailoverLines)
			break
		}
		where := ""
		if sum.Replications > 1 {
			where = fmt.Sprintf(" in replication %d", e.Replication)
		}
		conns := thousands(int64(e.PeakConnections)) + " connections"
		if e.MaxConnections > 0 {
			conns = thousands(int64(e.PeakConnections)) + " of " + thousands(int64(e.MaxConnections)) + " connections"
		}
		vcpus := fmt.Sprintf("%d vCPUs", e.VCPUs)
		if e.VCPUs == 1 {
			vcpus = "1 vCPU"
		}
		p("%s\t%s %s–%s%s (%s of %s, %s)", head, e.Instance, sum.clock(e.StartS), sum.clock(e.EndS), where,
			pct(e.PeakUtilization), vcpus, conns)
		head = ""
	}
}

// writeCredits writes a line per CPU credit account of a burstable
// instance ("cpu credits"), at most maxFailoverLines of them: its balance
// at the start and the end, and when and for how long it was out.
func writeCredits(p func(string, ...any), sum *Summary) {
	head := "cpu credits"
	for i, c := range sum.CPUCredits {
		if i == maxFailoverLines {
			p("\t... and %d more", len(sum.CPUCredits)-maxFailoverLines)
			break
		}
		where := ""
		if sum.Replications > 1 {
			where = fmt.Sprintf(" in replication %d", c.Replication)
		}
		line := fmt.Sprintf("%s\t%s %s (%s)%s: %s → %s credits, lowest %s", head, c.Instance, c.Class, c.Mode, where,
			num(c.Start), num(c.End), num(c.Min))
		switch {
		case !c.ExhaustedAtS.Valid():
			line += "; never out"
		case c.Mode == "standard":
			line += fmt.Sprintf("; out at %s, %s held to its %s baseline", sum.clock(c.ExhaustedAtS), secs(c.ExhaustedS), pct(c.Baseline))
		default:
			line += fmt.Sprintf("; out at %s, %s on surplus credits (%s at most, %s at the end)", sum.clock(c.ExhaustedAtS),
				secs(c.ExhaustedS), num(c.SurplusMax), num(c.Surplus))
		}
		p("%s", line)
		head = ""
	}
}

// compareInstances orders instance names as a reader expects: the writer
// ("primary", "writer") first, then by name, numbers in names by value
// (replica-2 before replica-10).
func compareInstances(a, b string) int {
	writer := func(s string) bool { return s == "primary" || s == "writer" }
	if writer(a) != writer(b) {
		if writer(a) {
			return -1
		}
		return 1
	}
	split := func(s string) (string, int) {
		i := strings.LastIndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) + 1
		n, err := strconv.Atoi(s[i:])
		if err != nil {
			return s, -1
		}
		return s[:i], n
	}
	pa, na := split(a)
	pb, nb := split(b)
	if c := strings.Compare(pa, pb); c != 0 {
		return c
	}
	return cmp.Compare(na, nb)
}

// pct formats a share (0–1) as a whole percentage: "48 %".
func pct(n scenarios.Number) string {
	if !n.Valid() {
		return "-"
	}
	return strconv.FormatFloat(math.Round(100*float64(n)), 'f', 0, 64) + " %"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ciSecs is the interval of d when it is a real interval.
func ciSecs(d *Interval, n int) string {
	if n < 2 || !d.CI95[0].Valid() || d.CI95[0] == d.CI95[1] {
		return ""
	}
	return fmt.Sprintf(" (95%% CI %s – %s)", oneDecimal(float64(d.CI95[0])), secs(d.CI95[1]))
}

// secs formats seconds with one decimal: "72.3 s".
func secs(n scenarios.Number) string {
	if !n.Valid() {
		return "-"
	}
	return oneDecimal(float64(n)) + " s"
}

func secsOrNever(n scenarios.Number) string {
	if !n.Valid() {
		return "never"
	}
	return secs(n)
}

// rpo formats a recovery point objective: in ms below a second (a Global
// Database's RPO is the lag, a tenth of a second, which "0.0 s" would
// hide), else as secs.
func rpo(n scenarios.Number) string {
	if v := float64(n); n.Valid() && v > 0 && v < 1 {
		return num(scenarios.Number(v*1000)) + " ms"
	}
	return secsOrNever(n)
}

// num formats a latency in ms with three significant digits.
func num(n scenarios.Number) string {
	if !n.Valid() {
		return "-"
	}
	v := float64(n)
	if math.Abs(v) >= 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// oneDecimal formats v with one decimal, halves rounded away from zero
// (71.25 → "71.3"), as a reader rounds.
func oneDecimal(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
}

// percent formats an availability as a percentage with enough decimals to
// show two significant digits of the unavailability: 99.63%, 99.9988%.
func percent(n scenarios.Number) string {
	if !n.Valid() {
		return "-"
	}
	a := float64(n)
	u := (1 - a) * 100
	d := 2
	if u > 0 {
		d = max(2, min(7, 1-int(math.Floor(math.Log10(u)))))
	}
	return strconv.FormatFloat(a*100, 'f', d, 64) + "%"
}

// clock is clock(n), or for a run of days its day and time of day.
func (s *Summary) clock(n scenarios.Number) string {
	if s.days && n.Valid() {
		return dayClock(sim.Time(math.Round(float64(n)) * 1e9))
	}
	return clock(n)
}

// clock formats seconds since the start as m:ss, with milliseconds only
// when they are not zero: "5:00", "5:00.250".
func clock(n scenarios.Number) string {
	if !n.Valid() {
		return "never"
	}
	ms := int64(math.Round(float64(n) * 1000))
	m, s, frac := ms/60000, (ms/1000)%60, ms%1000
	if frac == 0 {
		return fmt.Sprintf("%d:%02d", m, s)
	}
	return strings.TrimRight(fmt.Sprintf("%d:%02d.%03d", m, s, frac), "0")
}

// count is n and the noun, plural unless n is 1: "1 point", "4 points",
// "12,000 replications".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(int64(n)) + " " + noun + "s"
}

// thousands formats n with comma separators: 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// recoveriesLabel names the summary's failovers line: "failovers", or
// "replacements" when no other copy ever took over (a Single-AZ
// instance), "failovers, replacements" when some did and some did not.
func recoveriesLabel(fs []Failover) string {
	n := 0
	for _, f := range fs {
		if f.Recovery == "replacement" {
			n++
		}
	}
	switch n {
	case 0:
		return "failovers"
	case len(fs):
		return "replacements"
	}
	return "failovers, replacements"
}

// ageText writes an iterator age given in milliseconds: "120 ms", "4.5 s",
// "3 min 20 s".
func ageText(ms scenarios.Number) string {
	v := float64(ms)
	switch {
	case math.IsNaN(v):
		return "n/a"
	case v < 1000:
		return fmt.Sprintf("%.0f ms", v)
	case v < 60_000:
		return fmt.Sprintf("%.1f s", v/1000)
	}
	return time.Duration(v * float64(time.Millisecond)).Round(time.Second).String()
}
