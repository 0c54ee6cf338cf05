package report

import (
	"context"
	"fmt"
	"io"

	"dbsim/scenarios/sweep"
)

// A sweep's outputs: sweep.csv (one row per point), sweep.json (the raw
// per-replication numbers, the same format as a shard's), and plots of
// chosen metrics against each swept parameter. All of them are a pure
// function of the sweep.Result, so the merge of a sharded sweep writes the
// same bytes as the unsharded run.

// DefaultSweepPlots are the metrics plotted when a sweep names none; the
// metrics of its targets are added to them.
var DefaultSweepPlots = []string{"availability", "all.p99", "write.p99", "client.outage", "cost"}

// SweepShardFile is the file name of a shard's result.
func SweepShardFile(shard, shards int) string {
	return fmt.Sprintf("sweep-shard-%d-of-%d.json", shard, shards)
}

// WriteSweepShard writes a shard's result into dir as
// sweep-shard-I-of-N.json (atomically, as WriteDir does; other files in dir
// are left alone, so shards may share a directory); ctx can stop it as it
// does WriteDirContext.
func WriteSweepShard(ctx context.Context, dir string, r *sweep.Result) error {
	return writeDirContext(ctx, dir, []output{{SweepShardFile(r.Shard, r.Shards), r.WriteJSON}})
}

// WriteSweepDir writes a whole sweep's report into dir: sweep.csv,
// sweep.json and the plots as PNG and SVG (see SweepPlots); ctx can stop
// it as it does WriteDirContext.
func WriteSweepDir(ctx context.Context, dir string, r *sweep.Result) error {
	figs, err := SweepPlots(r)
	if err != nil {
		return err
	}
	outs := []output{
		{"sweep.csv", func(w io.Writer) error { return WriteSweepCSV(w, r) }},
		{"sweep.json", r.WriteJSON},
	}
	for _, f := range figs {
		outs = append(outs, output{f.Name + ".png", f.WritePNG}, output{f.Name + ".svg", f.WriteSVG})
	}
	return writeDirContext(ctx, dir, outs)
}

// SweepTargets parses the targets recorded in r.
func SweepTargets(r *sweep.Result) ([]sweep.Target, error) {
	var ts []sweep.Target
	for _, s := range r.Targets {
		t, err := sweep.ParseTarget(s)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}
