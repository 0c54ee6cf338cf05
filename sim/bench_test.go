package sim

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// BenchmarkKernelMM1 runs the kernel on an M/M/1 queue (λ = 0.9, μ = 1),
// built as the models build queues: a Station, Exponential distributions,
// named streams, and events scheduled with AfterArg and method values
// created once. One op is one event; each customer makes two (arrival,
// departure), so an iteration of 10^6 customers is 2·10^6 ops. The
// events/s metric is the kernel's throughput on one core.
//
//	go test -run '^$' -bench KernelMM1 -benchmem ./sim/
//
// The same queue written by hand (handMM1) runs beside it, in turns of
// about 20,000 events each, timed apart: "kernel/hand" is the kernel's
// events/s over the hand-written one's, the share of the practical limit
// the kernel reaches. A load that slows both cancels.
func BenchmarkKernelMM1(b *testing.B) {
	customers := max(b.N/2, 1)
	m := NewMMC(1, 0.9, 1, 1, customers, 0)
	h := newHandMM1(1, 0.9, 1)
	const turn = 11_000 * time.Second // about 20,000 events at λ = 0.9/s
	var kernelTime, handTime time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	m.Start()
	for until := At(turn); m.k.Pending() > 0; until += At(turn) {
		t := time.Now()
		m.k.Run(until)
		kernelTime += time.Since(t)
		t = time.Now()
		h.run(until)
		handTime += time.Since(t)
	}
	b.StopTimer()
	if m.measured != customers {
		b.Fatalf("%d of %d customers left", m.measured, customers)
	}
	kernel := float64(m.k.Fired()) / kernelTime.Seconds()
	b.ReportMetric(kernel, "events/s")
	b.ReportMetric(kernel/(float64(h.fired)/handTime.Seconds()), "kernel/hand")
}

// handMM1 is the M/M/1 of BenchmarkKernelMM1 written by hand, the
// practical limit of an event-list simulator: a four-ary heap of (time,
// sequence, kind) with no callbacks (run switches on the kind), a ring of
// arrival times for the queue, and the same random draws from the same
// streams in the same order. Its customers never stop coming.
type handMM1 struct {
	heap                      []handEvent
	seq, fired                uint64
	arrivals, service         *rand.Rand
	interarrival, serviceTime float64
	queue                     []Time // arrival times of waiting customers, a ring
	head, waiting             int
	busy                      bool
	waited                    float64 // nanoseconds in queue of the customer in service
	waitSum                   float64 // nanoseconds in queue of the customers who left
}

// handEvent is an entry of handMM1's heap: key is seq<<1 | kind.
type handEvent struct {
	at  Time
	key uint64
}

const handArrival, handDeparture = 0, 1

func newHandMM1(seed uint64, lambda, mu float64) *handMM1 {
	h := &handMM1{
		heap:         make([]handEvent, 0, 64),
		arrivals:     NewStream(seed, "arrivals"),
		service:      NewStream(seed, "service"),
		interarrival: 1 / lambda,
		serviceTime:  1 / mu,
		queue:        make([]Time, 1024),
	}
	h.push(Time(Seconds(h.interarrival*h.arrivals.ExpFloat64())), handArrival)
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
			h.push(now+Time(Seconds(h.interarrival*h.arrivals.ExpFloat64())), handArrival)
			if !h.busy {
				h.busy, h.waited = true, 0
				h.push(now+Time(Seconds(h.serviceTime*h.service.ExpFloat64())), handDeparture)
				continue
			}
			if h.waiting == len(h.queue) {
				h.queue = append(h.queue[h.head:], h.queue[:h.head]...)
				h.queue = append(h.queue, make([]Time, len(h.queue))...)
				h.head = 0
			}
			h.queue[(h.head+h.waiting)&(len(h.queue)-1)] = now
			h.waiting++
		case handDeparture:
			h.waitSum += h.waited
			if h.waiting == 0 {
				h.busy = false
				continue
			}
			h.waited = float64(now - h.queue[h.head])
			h.head = (h.head + 1) & (len(h.queue) - 1)
			h.waiting--
			h.push(now+Time(Seconds(h.serviceTime*h.service.ExpFloat64())), handDeparture)
		}
	}
}

// TestHandMM1MatchesMMC checks that handMM1 simulates the queue MMC does:
// the same events and the same waits, to the nanosecond.
func TestHandMM1MatchesMMC(t *testing.T) {
	m := NewMMC(1, 0.9, 1, 1, math.MaxInt, 0)
	m.Start()
	h := newHandMM1(1, 0.9, 1)
	until := At(100_000 * time.Second)
	m.k.Run(until)
	h.run(until)
	if h.fired != m.k.Fired() || h.waitSum != m.waitSum {
		t.Fatalf("hand-written: %d events, waits %g ns; MMC: %d events, waits %g ns", h.fired, h.waitSum, m.k.Fired(), m.waitSum)
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
