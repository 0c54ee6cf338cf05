package sweep

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
	// Context and Progress are as in scenarios.Options: a cancelled
	// Context stops the sweep (a *scenarios.Interrupted), Progress follows
	// it.
	Context  context.Context
	Progress *scenarios.Progress
}

// Run runs the points of the grid that belong to the shard, every
// replication of every point spread over the workers, and returns their
// results in index order. points is what Points returned.
func (sw *Sweep) Run(points []*Point, opt Options) (*Result, error) {
	shards := max(opt.Shards, 1)
	if opt.Shard < 0 || opt.Shard >= shards {
		return nil, fmt.Errorf("sweep: shard %d of %d does not exist (shards are numbered from 0)", opt.Shard, shards)
	}
	res := &Result{Format: Format, Scenario: sw.Base.Name, Fingerprint: sw.Fingerprint(),
		Shard: opt.Shard, Shards: shards, Points: len(points), Replications: sw.Replications,
		Axes: sw.Axes, Metrics: metricNames(),
		Targets: nonNil(opt.Targets), Plots: nonNil(opt.Plots), Results: []PointResult{}}
	var jobs []scenarios.Job
	var pointOf []int // the index in mine of each job's point
	var mine []*Point
	for _, pt := range points {
		if pt.Index%shards != opt.Shard {
			continue
		}
		res.Results = append(res.Results, PointResult{Index: pt.Index, Values: pt.Values,
			Replications: make([][]scenarios.Number, pt.Scenario.Replications)})
		for r := range pt.Scenario.Replications {
			jobs = append(jobs, scenarios.Job{Scenario: pt.Scenario, Replication: r})
			pointOf = append(pointOf, len(mine))
		}
		mine = append(mine, pt)
	}
	left := make([]int, len(mine))
	for i, pt := range mine {
		left[i] = pt.Scenario.Replications
	}
	err := scenarios.RunJobs(jobs, scenarios.Options{Workers: opt.Workers, Context: opt.Context, Progress: opt.Progress}, func(k int, rep *scenarios.Replication) {
		p, r := pointOf[k], jobs[k].Replication
		pt, pr := mine[p], &res.Results[pointOf[k]]
		cost := sw.Prices.MonthlyCost(pt.Scenario, rep)
		pr.Replications[r] = replicationMetrics(rep, cost)
		pr.CostEstimated = pr.CostEstimated || cost.Estimated
		if left[p]--; left[p] == 0 && opt.Done != nil {
			opt.Done(pt, pr)
		}
	})
	if je := (*scenarios.JobError)(nil); errors.As(err, &je) {
		pt := mine[pointOf[je.Job]]
		return nil, fmt.Errorf("point %d (%s), replication %d: %w", pt.Index, strings.Join(pt.Values, ", "), jobs[je.Job].Replication, je.Err)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
