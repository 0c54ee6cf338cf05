package cluster

import "dbsim/models/metric"

// Gauge is a quantity a model exposes over time, such as a replica's lag or
// the current capacity. The runner samples every gauge once per second into
// the time series (column ID.Column()) and, for metric.Lag, into a
// distribution for the summary. A NaN sample means "no value now" (a
// replica that is not replicating has no lag): it is left out of both.
type Gauge struct {
	ID     metric.ID
	Sample func() float64
	// Events, when set, is how many events the last Sample averaged (a
	// mean over writes, say): a time-series bucket is then the mean over
	// its events, not over its samples.
	Events func() float64
}

// Gauged is implemented by models that expose gauges.
type Gauged interface {
	Gauges() []Gauge
}

// Counted is implemented by models that count things the summary reports,
// such as throttles per partition.
type Counted interface {
	// Counters returns named totals over the measured window, in a fixed
	// order.
	Counters() []Counter
}

// Acknowledger is implemented by models that count the writes they
// acknowledged to a client while no other copy that could take over as
// writer had them: the only writes a failover may lose.
type Acknowledger interface {
	// UnreplicatedAcks is that count over the whole run.
	UnreplicatedAcks() int64
}

// Settler is implemented by models that complete their records when the
// run ends, such as the lost writes of a failover still under way.
type Settler interface {
	Settle()
}

// Counter is a total a model counts, such as throttles on a partition.
type Counter struct {
	ID    metric.ID
	Value int64
}
