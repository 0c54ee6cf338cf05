package report

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"dbsim/scenarios"
	"dbsim/scenarios/pricing"
)

// output is one file of a report directory and how to render it. An
// output without render is a file the report does not have: a figure of
// an earlier run into the same directory, removed once the new files are
// in place.
type output struct {
	name   string
	render func(io.Writer) error
}

// outputs lists every file WriteDir writes for res, its cost at prices,
// in a fixed order.
func outputs(res *scenarios.Result, prices *pricing.Prices) []output {
	sum := Summarize(res, prices)
	outs := []output{
		{"summary.json", func(w io.Writer) error { return WriteJSON(w, sum) }},
		{"timeseries.csv", func(w io.Writer) error { return WriteCSV(w, res) }},
		{"cloudwatch.json", func(w io.Writer) error { return WriteCloudWatch(w, res) }},
	}
	figs := Plots(res)
	drawn := map[string]bool{}
	for _, f := range figs {
		outs = append(outs,
			output{f.Name + ".png", f.WritePNG},
			output{f.Name + ".svg", f.WriteSVG},
		)
		drawn[f.Name] = true
	}
	for _, name := range runFigures {
		if !drawn[name] { // a DynamoDB run has no load figure, ...
			outs = append(outs, output{name: name + ".png"}, output{name: name + ".svg"})
		}
	}
	outs = append(outs, output{"report.html", func(w io.Writer) error { return WriteHTML(w, res, sum, figs) }})
	return outs
}

// WriteDir writes the report of res into dir: summary.json,
// timeseries.csv, latency, availability and throughput plots as PNG and
// SVG (load, lag and capacity too when the run recorded them), and
// report.html. The cost is at the built-in prices (see WriteDirContext).
//
// The write is atomic in the sense that matters to a reader: every file is
// first rendered into a fresh temporary directory next to dir, and only
// when all of them rendered are they moved into place. If dir does not
// exist the temporary directory is renamed to dir; if it does, each file
// replaces its namesake with a rename and other files in dir are left
// alone, but for the figures of a run that this run did not draw (the
// load figure of an RDS run, where a DynamoDB run is written now), which
// are removed so that every figure in dir is of the same run. Missing
// parent directories are created. A failure before the
// moves removes the temporary directory (and any parent it created) and
// leaves dir untouched.
func WriteDir(dir string, res *scenarios.Result) error {
	return writeDir(dir, outputs(res, nil))
}

// WriteDirContext is WriteDir that ctx can stop, with the cost at prices
// (nil: the built-in table, as WriteDir prices it): cancelled before the
// files are moved into place (a signal while the plots render), it removes
// the temporary directory, leaves dir untouched and returns an error that
// wraps context.Cause(ctx).
func WriteDirContext(ctx context.Context, dir string, res *scenarios.Result, prices *pricing.Prices) error {
	return writeDirContext(ctx, dir, outputs(res, prices))
}

func writeDir(dir string, outs []output) error {
	return writeDirContext(context.Background(), dir, outs)
}

// writeDirContext writes outs into dir atomically (see WriteDir), checking
// ctx before each file and before the moves.
func writeDirContext(ctx context.Context, dir string, outs []output) (err error) {
	dir = filepath.Clean(dir)
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("report: %s exists and is not a directory", dir)
	}
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	// Missing parents are made (as mkdir -p would) and, on failure,
	// removed again.
	if created := firstMissing(parent); created != "" {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		defer func() {
			if err != nil {
				os.RemoveAll(created)
			}
		}()
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer func() {
		// Whatever is left in tmp (everything on failure, nothing after a
		// rename of the whole directory) goes.
		if rerr := os.RemoveAll(tmp); rerr != nil && err == nil {
			err = fmt.Errorf("report: %w", rerr)
		}
	}()

	for _, o := range outs {
		if ctx.Err() != nil {
			return fmt.Errorf("report: interrupted before writing %s: %w", o.name, context.Cause(ctx))
		}
		if o.render == nil {
			continue
		}
		if err := renderFile(filepath.Join(tmp, o.name), o.render); err != nil {
			return fmt.Errorf("report: writing %s: %w", o.name, err)
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("report: interrupted before moving the files into place: %w", context.Cause(ctx))
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes it 0700
		return fmt.Errorf("report: %w", err)
	}

	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(tmp, dir); err == nil {
			return nil
		}
		// dir appeared meanwhile, or the rename failed otherwise: fall
		// back to moving the files one by one.
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	for _, o := range outs {
		if o.render == nil {
			continue
		}
		if err := os.Rename(filepath.Join(tmp, o.name), filepath.Join(dir, o.name)); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	// The figures this run did not draw go once its files are in place.
	for _, o := range outs {
		if o.render != nil {
			continue
		}
		if err := os.Remove(filepath.Join(dir, o.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("report: %w", err)
		}
	}
	return nil
}

// firstMissing returns the outermost ancestor of dir (or dir itself) that
// does not exist, or "" when dir exists.
func firstMissing(dir string) string {
	missing := ""
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, os.ErrNotExist) {
			return missing
		}
		missing = d
		if filepath.Dir(d) == d {
			return missing
		}
	}
}

// renderFile creates path and renders into it. A panic while rendering
// (a plotting library's complaint) becomes an error, so that the temporary
// directory is still cleaned up.
func renderFile(path string, render func(io.Writer) error) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			f.Close()
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	bw := bufio.NewWriter(f)
	err = render(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
