package sim

import "math/rand/v2"

// MMC is an M/M/c queue built the way the models build queues: a Kernel,
// a Station, Exponential distributions, named random streams, and events
// scheduled with AfterArg and method values created once. It is the
// kernel's reference workload: the queueing tests check it against closed
// forms, and the benchmarks (BenchmarkKernelMM1 here, BenchmarkSystems in
// package scenarios, which measures every system kind beside it in one
// run) time the kernel on it. Each customer makes two events, its arrival
// and its departure.
type MMC struct {
	k            *Kernel
	st           *Station
	arrivals     *rand.Rand
	service      *rand.Rand
	interarrival Dist
	serviceTime  Dist

	total int // customers to generate
	warm  int // index of the first measured customer
	n     int // customers generated so far

	// Measurements over the customers with index >= warm, and over the
	// window [t0, t1] from the arrival of the first measured customer to the
	// last arrival.
	waitSum    float64 // nanoseconds in queue
	sojournSum float64 // nanoseconds in system
	measured   int
	t0, t1     Time
	meanInSys  float64 // time-average number in system over [t0, t1]

	free                        []*customer
	arriveFn, startFn, departFn func(any)
}

// customer is one job in an MMC queue; customers are recycled so that a run
// does not allocate per customer.
type customer struct {
	id        int
	at, start Time
}

// NewMMC returns an M/M/c queue on a kernel seeded with seed: Poisson
// arrivals at rate lambda, c servers of exponential service at rate mu,
// FIFO; it generates total customers, of which those from index warm on
// are measured.
func NewMMC(seed uint64, lambda, mu float64, servers, total, warm int) *MMC {
	k := New(seed)
	m := &MMC{
		k:            k,
		st:           NewStation(k, servers),
		arrivals:     k.Stream("arrivals"),
		service:      k.Stream("service"),
		interarrival: Exponential(1 / lambda),
		serviceTime:  Exponential(1 / mu),
		total:        total,
		warm:         warm,
	}
	m.arriveFn, m.startFn, m.departFn = m.arrive, m.start, m.depart
	return m
}

// Run simulates all customers until the last one leaves.
func (m *MMC) Run() {
	m.Start()
	m.k.Run(Forever)
}

// Start schedules the first arrival, for a caller that runs the kernel
// in slices of simulated time itself.
func (m *MMC) Start() {
	m.k.AfterArg(Seconds(m.interarrival.Sample(m.arrivals)), m.arriveFn, nil)
}

func (m *MMC) arrive(any) {
	var c *customer
	if n := len(m.free); n > 0 {
		c, m.free = m.free[n-1], m.free[:n-1]
	} else {
		c = new(customer)
	}
	c.id, c.at = m.n, m.k.Now()
	m.n++
	if c.id == m.warm {
		m.st.ResetStats()
		m.t0 = m.k.Now()
	}
	if m.n < m.total {
		m.k.AfterArg(Seconds(m.interarrival.Sample(m.arrivals)), m.arriveFn, nil)
	}
	m.st.Acquire(m.startFn, c)
	if m.n == m.total {
		m.t1 = m.k.Now()
		m.meanInSys = m.st.MeanQueued() + m.st.MeanBusy()
	}
}

func (m *MMC) start(a any) {
	c := a.(*customer)
	c.start = m.k.Now()
	m.k.AfterArg(Seconds(m.serviceTime.Sample(m.service)), m.departFn, c)
}

func (m *MMC) depart(a any) {
	c := a.(*customer)
	if c.id >= m.warm {
		m.waitSum += float64(c.start - c.at) // summed in ns: Seconds() divides
		m.sojournSum += float64(m.k.Now() - c.at)
		m.measured++
	}
	m.free = append(m.free, c)
	m.st.Release()
}

// Kernel is the queue's kernel (for its Fired count).
func (m *MMC) Kernel() *Kernel { return m.k }

// Measured is the number of measured customers that have left.
func (m *MMC) Measured() int { return m.measured }
