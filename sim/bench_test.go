package sim

import (
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
func BenchmarkKernelMM1(b *testing.B) {
	customers := max(b.N/2, 1)
	m := NewMMC(1, 0.9, 1, 1, customers, 0)
	b.ReportAllocs()
	b.ResetTimer()
	m.Run()
	b.StopTimer()
	b.ReportMetric(float64(m.k.Fired())/b.Elapsed().Seconds(), "events/s")
	if m.measured != customers {
		b.Fatalf("%d of %d customers left", m.measured, customers)
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
