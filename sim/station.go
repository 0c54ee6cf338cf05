package sim

// Station is a multi-server FIFO resource: the servers and the waiting line
// of an M/M/c station. A customer calls Acquire with the function to run when
// it gets a server, and Release when it is done with it; Station only hands
// out servers, it does not time the service (the customer schedules its own
// completion on the Kernel).
//
// Callbacks run synchronously: Acquire calls fn at once when a server is
// free, and Release calls the next waiter's fn before returning. The queue is
// a ring buffer that only grows, so in steady state nothing allocates.
//
// Station also keeps the time-averages of the number of busy servers and of
// the number of waiters, measured on the kernel's clock.
type Station struct {
	k       *Kernel
	servers int
	busy    int

	q    []waiter // ring buffer; len(q) is a power of two (or zero)
	head int      // index of the oldest waiter
	n    int      // number of waiters

	start  Time    // when the time-averages started
	last   Time    // when areaQ and areaB were last brought up to date
	areaQ  float64 // ∫ waiters dt, in waiter·ns
	areaB  float64 // ∫ busy dt, in server·ns
	served uint64

	// The same integrals since the station was created, never reset.
	totalQ, totalB float64
}

// waiter is a queued Acquire.
type waiter struct {
	fn  func(any)
	arg any
}

// NewStation returns an idle station with the given number of servers
// (negative counts as 0) whose time-averages start now.
func NewStation(k *Kernel, servers int) *Station {
	return &Station{k: k, servers: max(servers, 0), start: k.Now(), last: k.Now()}
}

// Acquire asks for a server. If one is free and nobody is waiting, it is
// taken and fn(arg) runs immediately, before Acquire returns; otherwise the
// request waits in FIFO order until Release (or SetServers) hands it a server
// and runs fn(arg) then. Passing a pointer as arg and a method value created
// once as fn keeps Acquire allocation-free.
func (s *Station) Acquire(fn func(any), arg any) {
	s.advance()
	if s.busy < s.servers && s.n == 0 {
		s.busy++
		s.served++
		fn(arg)
		return
	}
	s.push(fn, arg)
}

// Release gives back a server. If a request is waiting and the number of
// servers allows it, the server passes straight to the oldest waiter, whose
// fn runs before Release returns. Releasing an idle station does nothing (a
// stale completion after Clear, say).
func (s *Station) Release() {
	s.advance()
	if s.busy == 0 {
		return
	}
	s.busy--
	s.dispatch()
}

// Clear drops every waiter and frees every server, as when the machine the
// station models crashes. It returns the number of waiters dropped. The
// callers' in-flight completions will still call Release (which is harmless
// on an idle station, but would free a server taken since): callers tag their
// work with an epoch of their own and ignore completions from before the
// crash.
func (s *Station) Clear() int {
	s.advance()
	dropped := s.n
	for ; s.n > 0; s.n-- {
		s.q[s.head] = waiter{} // let the garbage collector have them
		s.head = (s.head + 1) & (len(s.q) - 1)
	}
	s.head = 0
	s.busy = 0
	return dropped
}

// SetServers changes the number of servers (negative counts as 0). Growing
// starts waiters at once, oldest first; shrinking takes effect as busy
// servers are released (no request in service is interrupted).
func (s *Station) SetServers(n int) {
	s.advance()
	s.servers = max(n, 0)
	s.dispatch()
}

// Servers is the number of servers.
func (s *Station) Servers() int { return s.servers }

// Busy is the number of servers in use. It may exceed Servers for a while
// after SetServers shrinks the station.
func (s *Station) Busy() int { return s.busy }

// Queued is the number of requests waiting for a server.
func (s *Station) Queued() int { return s.n }

// Served is the number of requests that have been given a server.
func (s *Station) Served() uint64 { return s.served }

// MeanQueued is the time-average number of waiting requests since the
// station was created (or since ResetStats). If no time has passed it is the
// current number.
func (s *Station) MeanQueued() float64 {
	now := s.k.Now()
	if now <= s.start {
		return float64(s.n)
	}
	return (s.areaQ + float64(s.n)*float64(now-s.last)) / float64(now-s.start)
}

// MeanBusy is the time-average number of busy servers since the station was
// created (or since ResetStats); divided by Servers it is the utilisation. If
// no time has passed it is the current number.
func (s *Station) MeanBusy() float64 {
	now := s.k.Now()
	if now <= s.start {
		return float64(s.busy)
	}
	return (s.areaB + float64(s.busy)*float64(now-s.last)) / float64(now-s.start)
}

// Integrals are ∫ busy servers dt and ∫ waiters dt since the station was
// created, in server·ns and waiter·ns; ResetStats does not restart them.
// Their growth over a span, divided by the span, is that span's mean.
func (s *Station) Integrals() (busy, waiting float64) {
	s.advance()
	return s.totalB, s.totalQ
}

// ResetStats restarts the time-averages (MeanQueued, MeanBusy) and the Served
// count from now, e.g. at the end of a warm-up period.
func (s *Station) ResetStats() {
	s.start, s.last = s.k.Now(), s.k.Now()
	s.areaQ, s.areaB = 0, 0
	s.served = 0
}

// advance brings the areas under the curves up to the current time. Every
// state change calls it first.
func (s *Station) advance() {
	now := s.k.Now()
	if now > s.last {
		dt := float64(now - s.last)
		q, b := float64(s.n)*dt, float64(s.busy)*dt
		s.areaQ += q
		s.areaB += b
		s.totalQ += q
		s.totalB += b
		s.last = now
	}
}

// dispatch hands free servers to waiters, oldest first. A callback may
// re-enter the station (Acquire, Release, even Clear); the loop re-reads the
// state after each one.
func (s *Station) dispatch() {
	for s.busy < s.servers && s.n > 0 {
		w := s.q[s.head]
		s.q[s.head] = waiter{}
		s.head = (s.head + 1) & (len(s.q) - 1)
		s.n--
		s.busy++
		s.served++
		w.fn(w.arg)
	}
}

// push appends a waiter, doubling the ring when it is full.
func (s *Station) push(fn func(any), arg any) {
	if s.n == len(s.q) {
		q := make([]waiter, max(2*len(s.q), 16))
		for i := 0; i < s.n; i++ {
			q[i] = s.q[(s.head+i)&(len(s.q)-1)]
		}
		s.q, s.head = q, 0
	}
	s.q[(s.head+s.n)&(len(s.q)-1)] = waiter{fn: fn, arg: arg}
	s.n++
}
