package sweep

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"dbsim/scenarios"
)

// Options choose what part of a sweep runs and how.
type Options struct {
	// Shard and Shards: run only the points whose index % Shards == Shard
	// (Shards 0 or 1: all).
	Shard, Shards int
	// Workers bounds the replications that run at once (0: GOMAXPROCS).
	// Results do not depend on it.
	Workers int
	// Targets and Plots are recorded in the result.
	Targets, Plots []string
	// Done, if set, is called as each point finishes (from the goroutine
	// that finished it, one call at a time), for progress reports.
	Done func(pt *Point, r *PointResult)
	// Store, if set, keeps each finished point on disk as it finishes and
	// holds the points a stopped sweep had finished (see Store).
	Store *Store
	// Context and Progress are as in scenarios.Options: a cancelled
	// Context stops the sweep (a *scenarios.Interrupted), Progress follows
	// it.
	Context  context.Context
	Progress *scenarios.Progress
}

// Run runs the points of the grid that belong to the shard, every
// replication of every point spread over the workers, and returns their
// results in index order. It builds each point as the workers come to it
// and keeps a point only while it runs: with a Store, each finished point
// is saved at once, a point the store already holds is not run again,
// and the result is read back from the store at the
// end; without one, the results are kept in memory.
func (sw *Sweep) Run(opt Options) (*Result, error) {
	shards := max(opt.Shards, 1)
	if opt.Shard < 0 || opt.Shard >= shards {
		return nil, fmt.Errorf("sweep: shard %d of %d does not exist (shards are numbered from 0)", opt.Shard, shards)
	}
	g, err := sw.prepare()
	if err != nil {
		return nil, err
	}
	res := &Result{Format: Format, Scenario: sw.Base.Name, Fingerprint: sw.Fingerprint(),
		Shard: opt.Shard, Shards: shards, Points: sw.Size(), Replications: sw.Replications,
		Axes: sw.Axes, Metrics: metricNames(),
		Targets: nonNil(opt.Targets), Plots: nonNil(opt.Plots), Results: []PointResult{}}

	// A point in flight: its results so far and the replications to go.
	type running struct {
		pt   *Point
		key  string
		pr   *PointResult
		left int
	}
	type job struct {
		p *running
		r int
	}
	var (
		mu       sync.Mutex      // inFlight: the jobs' goroutine adds, done removes
		inFlight = map[int]job{} // by job number
		kept     = map[int]*PointResult{}
		stored   []storedAt // the shard's points in order, with a Store
		buildErr error
		saveErr  error
	)
	keep := func(p *running) {
		if opt.Store == nil {
			kept[p.pt.Index] = p.pr
		} else if err := opt.Store.Save(p.key, p.pr); err != nil && saveErr == nil {
			saveErr = err
		}
	}
	jobs := func(yield func(scenarios.Job) bool) {
		k := 0
		for i := opt.Shard; i < res.Points; i += shards {
			pt, errs, err := g.point(i)
			if err == nil && len(errs) > 0 {
				err = errs
			}
			if err != nil {
				buildErr = fmt.Errorf("sweep: point %d: %w", i, err)
				return
			}
			p := &running{pt: pt, left: pt.Scenario.Replications,
				pr: &PointResult{Index: i, Values: pt.Values, Replications: make([][]scenarios.Number, pt.Scenario.Replications)}}
			if opt.Store != nil {
				p.key = sw.Key(pt)
				stored = append(stored, storedAt{p.key, pt.Scenario.Replications})
				if _, ok := opt.Store.Load(p.key, i, pt.Values, pt.Scenario.Replications); ok {
					continue
				}
			}
			for r := range pt.Scenario.Replications {
				mu.Lock()
				inFlight[k] = job{p, r}
				mu.Unlock()
				if !yield(scenarios.Job{Scenario: pt.Scenario, Replication: r}) {
					return
				}
				k++
			}
		}
	}
	err = scenarios.RunJobSeq(jobs, sw.runsOf(g, opt.Shard, shards), scenarios.Options{Workers: opt.Workers, Context: opt.Context, Progress: opt.Progress}, func(k int, rep *scenarios.Replication) {
		// Called one at a time (under RunJobSeq's lock).
		mu.Lock()
		j := inFlight[k]
		delete(inFlight, k)
		mu.Unlock()
		p := j.p
		cost := sw.Prices.MonthlyCost(p.pt.Scenario, rep)
		p.pr.Replications[j.r] = replicationMetrics(rep, cost)
		p.pr.CostEstimated = p.pr.CostEstimated || cost.Estimated
		if p.left--; p.left == 0 {
			keep(p)
			if opt.Done != nil {
				opt.Done(p.pt, p.pr)
			}
		}
	})
	if je := (*scenarios.JobError)(nil); errors.As(err, &je) {
		mu.Lock()
		j := inFlight[je.Job]
		mu.Unlock()
		return nil, fmt.Errorf("point %d (%s), replication %d: %w", j.p.pt.Index, strings.Join(j.p.pt.Values, ", "), j.r, je.Err)
	}
	if err != nil {
		return nil, err
	}
	if buildErr != nil {
		return nil, buildErr
	}
	if saveErr != nil {
		return nil, saveErr
	}
	for n, i := 0, opt.Shard; i < res.Points; n, i = n+1, i+shards {
		pr := kept[i]
		if opt.Store != nil {
			var ok bool
			if pr, ok = opt.Store.Load(stored[n].key, i, sw.values(i), stored[n].reps); !ok {
				return nil, fmt.Errorf("sweep: point %d is missing from %s (removed while the sweep ran?)", i, opt.Store.Dir())
			}
		}
		res.Results = append(res.Results, *pr)
	}
	return res, nil
}

// runsOf is the number of replications of the shard's points: for the
// count of an interruption, without building every point unless the
// replications themselves are swept.
func (sw *Sweep) runsOf(g *grid, shard, shards int) int {
	points := (sw.Size() - shard + shards - 1) / shards
	if sw.Replications > 0 {
		return points * sw.Replications
	}
	swept := false
	for _, ax := range sw.Axes {
		for _, p := range ax.Paths {
			swept = swept || p == "replications"
		}
	}
	if !swept {
		return points * sw.Base.Replications
	}
	n := 0
	for i := shard; i < sw.Size(); i += shards {
		if pt, errs, err := g.point(i); err == nil && len(errs) == 0 {
			n += pt.Scenario.Replications
		}
	}
	return n
}

// storedAt is where a point of the shard is in the Store.
type storedAt struct {
	key  string
	reps int
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
