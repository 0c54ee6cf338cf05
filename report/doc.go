// Package report turns a finished run (a scenarios.Result) into the
// outputs the README describes under "Outputs":
//
//   - summary.json: Summarize builds a Summary, WriteJSON writes it with a
//     fixed key order, units in the key names, floats rounded so that the
//     same run always gives the same bytes, and null where a value is
//     undefined (a failover that never completed, a latency with no
//     samples). NaN and Inf never reach the JSON.
//   - timeseries.csv: WriteCSV writes one row per time bucket of
//     replication 0, rates per second and every column the run recorded.
//   - a terminal summary: WriteText, a dozen aligned lines for a human.
//   - plots (PNG and SVG) of replication 0: latency percentiles on a log
//     axis, availability and throughput over time, each RDS or Aurora
//     instance's load (utilization; connections and queued statements
//     below), plus replica lag and capacity when the run recorded them.
//     Fault windows are shaded red, saturation episodes purple,
//     each failover amber from the failure until the clients recovered, and
//     its phases (failure, detected, promoted, writes ok, clients ok) are
//     dashed vertical lines labelled above the data, so the failover window
//     is visible without reading a number. Figure gives access to single
//     plots, e.g. to inline the SVGs in a page.
//
// WriteDir writes all of them into a directory atomically: everything is
// rendered into a temporary directory next to the target first, and only
// moved into place once every file rendered. A failed render leaves the
// target untouched.
//
// The other commands' outputs are here too: a comparison's
// (WriteCompareDir, compare.go) and a sweep's (WriteSweepDir, sweep.go:
// sweep.csv in sweep_csv.go, the figures in sweep_figures.go and
// sweep_axes.go, the terminal table in sweep_text.go).
//
// Times in every output are seconds since the start of the run, warmup
// included, as the narrative gives them; a plot's time axis is in the unit
// that fits the span it shows (timeaxis.go: milliseconds, seconds,
// minutes, hours or days), and ends soon after the last event of a run
// that idles for most of its length.
//
// Every writer takes an io.Writer and nothing here prints to the terminal;
// that is cmd's job. Outputs are deterministic: two calls with the same
// Result give byte-identical files.
package report
