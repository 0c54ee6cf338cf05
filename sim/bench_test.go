package sim

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// BenchmarkKernelMM1 runs the kernel on an M/M/1 queue (λ = 0.9, μ = 1):
// bareMM1, whose two events are scheduled as the models schedule theirs,
// with AfterArg and method values created once. One op is one event. The
// events/s metric is the kernel's throughput on one core.
//
//	go test -run '^$' -bench KernelMM1 -benchmem ./sim/
//
// The same queue written by hand (handMM1), which does the same work in
// the same order but keeps its own heap and switches on the kind of
// event, runs beside it in turns of about 20,000 events each, timed
// apart: "kernel/hand" is the kernel's events/s over the hand-written
// one's, the share of the practical limit the kernel reaches. Only the
// event list differs between the two, and a load that slows both
// cancels. (MMC, the M/M/1 as the models build queues, with a Station
// and its time-averages, spends more per event on its model: it is the
// yardstick of BenchmarkSystems in package scenarios.)
func BenchmarkKernelMM1(b *testing.B) {
	m := newBareMM1(1, 0.9, 1)
	h := newHandMM1(1, 0.9, 1)
	const turn = 11_000 * time.Second // about 20,000 events at λ = 0.9/s
	var kernelTime, handTime time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for until := At(turn); m.k.Fired() < uint64(b.N); until += At(turn) {
		t := time.Now()
		m.k.Run(until)
		kernelTime += time.Since(t)
		t = time.Now()
		h.run(until)
		handTime += time.Since(t)
	}
	b.StopTimer()
	kernel := float64(m.k.Fired()) / kernelTime.Seconds()
	b.ReportMetric(kernel, "events/s")
	b.ReportMetric(kernel/(float64(h.fired)/handTime.Seconds()), "kernel/hand")
}

// mm1Line is the queue of BenchmarkKernelMM1's M/M/1 without its events:
// the random draws, a ring of the waiting customers' arrival times, and
// the waits. handMM1 and bareMM1 both run it, so that they do the same
// work and differ only in their event lists. Its customers never stop
// coming.
type mm1Line struct {
	arrivals, service         *rand.Rand
	interarrival, serviceTime float64
	queue                     []Time // arrival times of waiting customers, a ring
	head, waiting             int
	busy                      bool
	waited                    float64 // nanoseconds in queue of the customer in service
	waitSum                   float64 // nanoseconds in queue of the customers who left
}

func newMM1Line(arrivals, service *rand.Rand, lambda, mu float64) mm1Line {
	return mm1Line{arrivals: arrivals, service: service, interarrival: 1 / lambda, serviceTime: 1 / mu, queue: make([]Time, 1024)}
}

// gap draws the time to the next arrival.
func (l *mm1Line) gap() time.Duration { return Seconds(l.interarrival * l.arrivals.ExpFloat64()) }

// serve draws a service time.
func (l *mm1Line) serve() time.Duration { return Seconds(l.serviceTime * l.service.ExpFloat64()) }

// arrive queues a customer arriving at now and reports whether it went
// straight into service (its departure is then to be scheduled).
func (l *mm1Line) arrive(now Time) bool {
	if !l.busy {
		l.busy, l.waited = true, 0
		return true
	}
	if l.waiting == len(l.queue) {
		l.grow()
	}
	l.queue[(l.head+l.waiting)&(len(l.queue)-1)] = now
	l.waiting++
	return false
}

// grow doubles the ring, oldest waiter first.
func (l *mm1Line) grow() {
	l.queue = append(l.queue[l.head:], l.queue[:l.head]...)
	l.queue = append(l.queue, make([]Time, len(l.queue))...)
	l.head = 0
}

// depart lets the customer in service leave at now and reports whether
// the next one began its service (its departure is then to be scheduled).
func (l *mm1Line) depart(now Time) bool {
	l.waitSum += l.waited
	if l.waiting == 0 {
		l.busy = false
		return false
	}
	l.waited = float64(now - l.queue[l.head])
	l.head = (l.head + 1) & (len(l.queue) - 1)
	l.waiting--
	return true
}

// handMM1 is the M/M/1 of BenchmarkKernelMM1 written by hand, the
// practical limit of an event-list simulator: a four-ary heap of (time,
// sequence, kind) with no callbacks (run switches on the kind) running
// an mm1Line.
type handMM1 struct {
	mm1Line
	heap       []handEvent
	seq, fired uint64
}

// handEvent is an entry of handMM1's heap: key is seq<<1 | kind.
type handEvent struct {
	at  Time
	key uint64
}

const handArrival, handDeparture = 0, 1

func newHandMM1(seed uint64, lambda, mu float64) *handMM1 {
	h := &handMM1{
		mm1Line: newMM1Line(NewStream(seed, "arrivals"), NewStream(seed, "service"), lambda, mu),
		heap:    make([]handEvent, 0, 64),
	}
	h.push(Time(h.gap()), handArrival)
	return h
}

func (h *handMM1) push(at Time, kind uint64) {
	h.seq++
	e := handEvent{at, h.seq<<1 | kind}
	heap := append(h.heap, e)
	i := len(heap) - 1
	for i > 0 {
		p := (i - 1) / 4
		if q := heap[p]; q.at < e.at || q.at == e.at && q.key < e.key {
			break
		}
		heap[i] = heap[p]
		i = p
	}
	heap[i] = e
	h.heap = heap
}

func (h *handMM1) pop() handEvent {
	heap := h.heap
	top := heap[0]
	n := len(heap) - 1
	e := heap[n]
	heap = heap[:n]
	h.heap = heap
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < min(c+4, n); j++ {
			if q := heap[j]; q.at < heap[m].at || q.at == heap[m].at && q.key < heap[m].key {
				m = j
			}
		}
		if q := heap[m]; e.at < q.at || e.at == q.at && e.key < q.key {
			break
		}
		heap[i] = heap[m]
		i = m
	}
	heap[i] = e
	return top
}

// run fires the events up to until.
func (h *handMM1) run(until Time) {
	for h.heap[0].at <= until {
		e := h.pop()
		h.fired++
		now := e.at
		switch e.key & 1 {
		case handArrival:
			h.push(now+Time(h.gap()), handArrival)
			if h.arrive(now) {
				h.push(now+Time(h.serve()), handDeparture)
			}
		case handDeparture:
			if h.depart(now) {
				h.push(now+Time(h.serve()), handDeparture)
			}
		}
	}
}

// TestMM1sMatchMMC checks that handMM1 and bareMM1 simulate the queue MMC
// does: the same events and the same waits, to the nanosecond.
func TestMM1sMatchMMC(t *testing.T) {
	m := NewMMC(1, 0.9, 1, 1, math.MaxInt, 0)
	m.Start()
	h := newHandMM1(1, 0.9, 1)
	q := newBareMM1(1, 0.9, 1)
	until := At(100_000 * time.Second)
	m.k.Run(until)
	h.run(until)
	q.k.Run(until)
	if h.fired != m.k.Fired() || h.waitSum != m.waitSum {
		t.Errorf("hand-written: %d events, waits %g ns; MMC: %d events, waits %g ns", h.fired, h.waitSum, m.k.Fired(), m.waitSum)
	}
	if q.k.Fired() != m.k.Fired() || q.waitSum != m.waitSum {
		t.Errorf("bare: %d events, waits %g ns; MMC: %d events, waits %g ns", q.k.Fired(), q.waitSum, m.k.Fired(), m.waitSum)
	}
}

// bareMM1 is handMM1's queue with its events on the Kernel, scheduled as
// the models schedule theirs: AfterArg and method values created once.
type bareMM1 struct {
	mm1Line
	k                  *Kernel
	arriveFn, departFn func(any)
}

func newBareMM1(seed uint64, lambda, mu float64) *bareMM1 {
	k := New(seed)
	q := &bareMM1{mm1Line: newMM1Line(k.Stream("arrivals"), k.Stream("service"), lambda, mu), k: k}
	q.arriveFn, q.departFn = q.arrival, q.departure
	k.AfterArg(q.gap(), q.arriveFn, nil)
	return q
}

func (q *bareMM1) arrival(any) {
	q.k.AfterArg(q.gap(), q.arriveFn, nil)
	if q.arrive(q.k.Now()) {
		q.k.AfterArg(q.serve(), q.departFn, nil)
	}
}

func (q *bareMM1) departure(any) {
	if q.depart(q.k.Now()) {
		q.k.AfterArg(q.serve(), q.departFn, nil)
	}
}

// BenchmarkKernelHold is the classic "hold" benchmark of event-list
// implementations: a queue of pending events of fixed size; each op pops
// the earliest and schedules a replacement a random span later. It measures
// the heap at the sizes a large model keeps pending.
func BenchmarkKernelHold(b *testing.B) {
	for _, size := range []int{16, 1024, 65536} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			k := New(1)
			r := k.Stream("hold")
			d := Exponential(1)
			var fn func(any)
			fn = func(any) { k.AfterArg(Seconds(d.Sample(r)), fn, nil) }
			for i := 0; i < size; i++ {
				k.AfterArg(Seconds(d.Sample(r)), fn, nil)
			}
			k.Run(k.Now()) // nothing: warm the tables
			b.ReportAllocs()
			b.ResetTimer()
			start := k.Fired()
			for k.Fired()-start < uint64(b.N) {
				// Run in slices of simulated time; fn keeps the size constant.
				k.Run(k.Now() + At(time.Second))
			}
			b.StopTimer()
			b.ReportMetric(float64(k.Fired()-start)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkKernelScheduleCancel measures a timeout that is set and then
// cancelled before it fires, as a request with a deadline does.
func BenchmarkKernelScheduleCancel(b *testing.B) {
	k := New(1)
	fn := func(any) {}
	for i := 0; i < 100; i++ {
		k.AfterArg(time.Hour, fn, nil)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.Cancel(k.AfterArg(time.Second, fn, nil))
	}
}

// BenchmarkStation measures one Acquire and one Release on a busy
// two-server station with a short queue.
func BenchmarkStation(b *testing.B) {
	k := New(1)
	st := NewStation(k, 2)
	fn := func(any) {}
	arg := new(int)
	for i := 0; i < 10; i++ {
		st.Acquire(fn, arg)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st.Acquire(fn, arg)
		st.Release()
	}
}

// BenchmarkTokenBucketTake measures Take with the clock advancing.
func BenchmarkTokenBucketTake(b *testing.B) {
	tb := NewTokenBucket(1e6, 100, 0)
	var now Time
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now += 700
		tb.Take(now, 1)
	}
}

// BenchmarkLatencyRecord measures recording one latency.
func BenchmarkLatencyRecord(b *testing.B) {
	l := NewLatency()
	r := NewStream(1, "latency")
	d := LogNormal(-7, 1)
	spans := make([]time.Duration, 4096)
	for i := range spans {
		spans[i] = Seconds(d.Sample(r))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Record(spans[i&4095])
	}
}

// BenchmarkLatencySeriesRecord measures recording into per-second buckets
// at 10^4 samples per simulated second (the bucket flush included).
func BenchmarkLatencySeriesRecord(b *testing.B) {
	ls := NewLatencySeries(NewSeries(time.Second), "op")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ls.Record(Time(i)*100_000, time.Millisecond)
	}
}

// BenchmarkZipf measures one Zipf draw over 10^6 keys with s = 0.99.
func BenchmarkZipf(b *testing.B) {
	z, _ := NewZipf(1_000_000, 0.99)
	r := NewStream(1, "zipf")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		z.Sample(r)
	}
}
