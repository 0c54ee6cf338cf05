package dynamodb

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// Stream is a table's DynamoDB stream and the Lambda event source mapping
// that consumes it (REFERENCES section 13).
//
// Every successful write of a base-table item appends a record to the
// stream shard of its partition (fact 13.1). A partition split closes its
// shard and opens one child shard on each half; the consumer reads a
// child only once it has read all of its parent (fact 13.2). Records are
// kept for Retention (24 h, fact 13.3); records older than that are
// trimmed, and those the consumer had not processed are lost.
//
// The consumer polls each shard PollsPerSecond times a second (4, fact
// 13.4). With ParallelizationFactor F a shard's records are divided by
// partition key over F lanes, each processed in order, one batch at a
// time (fact 13.6). At a poll, a lane with records takes a batch of up to
// BatchSize records when it holds that many or when its oldest has waited
// BatchingWindow since the poll that first found it (fact 13.5), and
// invokes the function, which takes Duration. A batch that holds a
// poison record fails; it is retried, in order, at the next poll, so the
// lane's later records wait: after MaxRetries retries (-1: until its
// records expire) the batch is discarded and the lane goes on (fact
// 13.7). With BisectOnError a failed batch of more than one record is
// split and its first half retried, without spending a retry (fact 13.8).
type Stream struct {
	// Retention is how long the stream keeps a record.
	Retention time.Duration
	// PollsPerSecond is how often the consumer polls each shard.
	PollsPerSecond float64
	// BatchSize is the most records in one invocation; BatchingWindow the
	// longest the consumer gathers records before invoking with fewer.
	BatchSize      int
	BatchingWindow time.Duration
	// ParallelizationFactor is the number of batches of one shard in
	// flight at once (lanes by partition key).
	ParallelizationFactor int
	// Duration is one invocation's run time, in seconds.
	Duration sim.Dist
	// MemoryMB is the function's memory, which prices its duration.
	MemoryMB int
	// MaxRetries is the retries of a failed batch before it is discarded;
	// -1: retried until its records expire.
	MaxRetries int
	// BisectOnError splits a failed batch in two and retries the first
	// half.
	BisectOnError bool
	// Poison are the times at which a poison record is written: the first
	// record the stream gets at or after each fails every invocation that
	// carries it.
	Poison []time.Duration
	// BehindAfter is the iterator age past which the narrative says the
	// consumer fell behind; it says it caught up when the age is back
	// under a tenth of it.
	BehindAfter time.Duration
}

// DefaultStream is an event source mapping with Lambda's defaults.
func DefaultStream() Stream {
	return Stream{
		Retention:             24 * time.Hour, // fact 13.3: stream records are kept 24 hours
		PollsPerSecond:        4,              // fact 13.4: Lambda polls each shard 4 times a second
		BatchSize:             100,            // fact 13.5: BatchSize default 100
		BatchingWindow:        0,              // fact 13.5: MaximumBatchingWindowInSeconds default 0
		ParallelizationFactor: 1,              // fact 13.6: default 1, at most 10
		Duration:              sim.Constant(0.1),
		// Duration: not published; the function's own time, a scenario's choice.
		MemoryMB:    128, // fact 13.9: the smallest Lambda memory size
		MaxRetries:  -1,  // fact 13.7: MaximumRetryAttempts default -1, until the record expires
		BehindAfter: time.Minute,
		// BehindAfter: not published; a narrative threshold.
	}
}

// StreamStats are a stream's totals since the last ResetCounters.
type StreamStats struct {
	// Records is the records written to the stream; Processed those a
	// successful invocation carried; Lost those trimmed past retention
	// before being processed; Discarded those of batches given up after
	// MaxRetries.
	Records, Processed, Lost, Discarded int64
	// Invocations counts every invocation, retries included; Errors the
	// failed ones.
	Invocations, Errors int64
	// BilledMS is the invocations' run time, each rounded up to a
	// millisecond; MemoryMB the function's memory (GB-seconds =
	// BilledMS/1000 × MemoryMB/1024).
	BilledMS int64
	MemoryMB int
}

// sliceDiv bounds a lane's slices: a record joins the newest slice when
// it comes within max(minSlice, age of the lane's oldest record / sliceDiv)
// of that slice's first record, so a lane holds about sliceDiv slices per
// e-fold of its backlog's age, whatever the write rate, and a record's
// time is known to within 1/sliceDiv of its age.
const (
	sliceDiv = 256
	minSlice = 10 * time.Millisecond
)

// slice is a run of consecutive records of a lane: seq0 is the first's
// sequence number, n how many, t0 and t1 the first's and last's write
// times; the times in between are interpolated.
type slice struct {
	seq0   int64
	n      int64
	t0, t1 sim.Time
}

func (s *slice) at(seq int64) sim.Time {
	if s.n <= 1 {
		return s.t0
	}
	return s.t0 + sim.Time(float64(s.t1-s.t0)*float64(seq-s.seq0)/float64(s.n-1))
}

// lane is one in-order sequence of a shard's records (a shard has
// ParallelizationFactor of them).
type lane struct {
	sh     *shard
	id     int
	slices []slice // oldest first
	head   int64   // the next record not processed
	next   int64   // the next sequence number written
	poison []int64 // sequence numbers of poison records not yet past

	busy     bool     // an invocation in flight
	polling  bool     // a poll scheduled
	opened   sim.Time // when a poll first found its oldest records (batching window); -1: not yet
	limit    int      // the next batch's size limit (bisection halves it)
	failures int      // consecutive failures of the batch at head
	blocked  bool     // told the narrative a poison record blocks it
	expiring bool     // told the narrative its records expire
}

// shard is the stream shard of one partition during one stretch of its
// life: a split closes it and opens one child on each half.
type shard struct {
	id     int
	name   string
	parent *shard
	closed bool
	lanes  []*lane
	kids   []*shard
	phase  sim.Time // its polls fall at phase + k × poll interval
}

func (s *shard) pending() int64 {
	var n int64
	for _, l := range s.lanes {
		n += l.next - l.head
	}
	return n
}

// drained reports whether the consumer has read all of a closed shard.
func (s *shard) drained() bool {
	if !s.closed {
		return false
	}
	for _, l := range s.lanes {
		if l.busy || l.head < l.next {
			return false
		}
	}
	return true
}

// readable reports whether the consumer may read s: its parent, if any,
// is drained.
func (s *shard) readable() bool { return s.parent == nil || s.parent.drained() }

// streamModel is a running stream and its consumer.
type streamModel struct {
	m      *Model
	cfg    Stream
	rng    *rand.Rand
	poll   time.Duration
	shards []*shard // not yet drained and dropped, by id
	nextID int
	poison []time.Duration // still to come

	st     StreamStats
	behind bool
	peak   time.Duration // max iterator age while behind
	from   sim.Time      // when it fell behind
}

func newStream(m *Model, cfg Stream) *streamModel {
	s := &streamModel{m: m, cfg: cfg, rng: m.k.Stream("dynamodb/stream"), poison: cfg.Poison,
		poll: time.Duration(float64(time.Second) / cfg.PollsPerSecond)}
	s.st.MemoryMB = cfg.MemoryMB
	for _, p := range m.base.parts {
		p.shard = s.newShard(p, nil)
	}
	if cfg.BehindAfter > 0 {
		m.k.After(time.Second, s.watch)
	}
	return s
}

func (s *streamModel) newShard(p *partition, parent *shard) *shard {
	id := s.nextID
	s.nextID++
	sh := &shard{id: id, name: fmt.Sprintf("shard %d (%s)", id, p.name()), parent: parent,
		phase: sim.Time(mix(uint64(id)+0x51) % uint64(s.poll))}
	for i := 0; i < max(s.cfg.ParallelizationFactor, 1); i++ {
		sh.lanes = append(sh.lanes, &lane{sh: sh, id: i, opened: -1, limit: s.cfg.BatchSize})
	}
	if parent != nil {
		parent.kids = append(parent.kids, sh)
	}
	s.shards = append(s.shards, sh)
	return sh
}

// split closes p's shard and opens a child on p and on q, its new half.
func (s *streamModel) split(p, q *partition) {
	parent := p.shard
	parent.closed = true
	p.shard = s.newShard(p, parent)
	q.shard = s.newShard(q, parent)
	s.drop()
}

// append adds the record of a write of key to p's shard.
func (s *streamModel) append(p *partition, key uint64) {
	now := s.m.k.Now()
	sh := p.shard
	l := sh.lanes[0]
	if len(sh.lanes) > 1 {
		l = sh.lanes[mix(key^0x7f4a7c159e3779b9)%uint64(len(sh.lanes))]
	}
	seq := l.next
	l.next++
	s.st.Records++
	if len(s.poison) > 0 && time.Duration(now) >= s.poison[0] {
		s.poison = s.poison[1:]
		l.poison = append(l.poison, seq)
		s.m.log.Addf("stream: a poison record is written to %s (every invocation that carries it fails)", sh.name)
	}
	if n := len(l.slices); n > 0 {
		last := &l.slices[n-1]
		width := max(minSlice, time.Duration(now-l.oldest())/sliceDiv)
		if time.Duration(now-last.t0) <= width {
			last.n++
			last.t1 = now
			s.kick(l)
			return
		}
	}
	l.slices = append(l.slices, slice{seq0: seq, n: 1, t0: now, t1: now})
	s.kick(l)
}

// oldest is the write time of l's oldest record not processed.
func (l *lane) oldest() sim.Time {
	if len(l.slices) == 0 {
		return 0
	}
	return l.slices[0].at(l.head)
}

// advance drops l's records before seq.
func (l *lane) advance(seq int64) {
	l.head = max(l.head, seq)
	i := 0
	for i < len(l.slices) && l.slices[i].seq0+l.slices[i].n <= l.head {
		i++
	}
	l.slices = l.slices[i:]
	if len(l.slices) == 0 {
		l.slices = nil
	}
	for len(l.poison) > 0 && l.poison[0] < l.head {
		l.poison = l.poison[1:]
		l.blocked = false // the poison record is past: a new one blocks anew
	}
}

// trim drops l's records older than the retention, counting those not
// processed as lost.
func (s *streamModel) trim(l *lane) {
	if s.cfg.Retention <= 0 || len(l.slices) == 0 {
		return
	}
	cut := s.m.k.Now() - sim.Time(s.cfg.Retention)
	seq := l.head
	for _, sl := range l.slices {
		if sl.t0 >= cut {
			break
		}
		if sl.t1 < cut || sl.n <= 1 {
			seq = sl.seq0 + sl.n
			continue
		}
		// The records of the slice written before cut.
		k := int64(math.Ceil(float64(cut-sl.t0)/float64(sl.t1-sl.t0)*float64(sl.n-1) - 1e-9))
		seq = max(seq, sl.seq0+min(k, sl.n))
		break
	}
	if seq <= l.head {
		return
	}
	lost := seq - l.head
	s.st.Lost += lost
	if !l.expiring {
		l.expiring = true
		s.m.log.Markf(cluster.RecordsExpired, "records expire", "stream: records of %s expire unprocessed after %v (%d so far on the lane)", l.sh.name, s.cfg.Retention, lost)
	}
	l.advance(seq)
	l.failures, l.limit = 0, s.cfg.BatchSize
}

// kick schedules l's next poll if it may read and has records.
func (s *streamModel) kick(l *lane) {
	if l.busy || l.polling || l.head >= l.next || !l.sh.readable() {
		return
	}
	l.polling = true
	now := s.m.k.Now()
	// The next of the shard's polls at or after now.
	p := sim.Time(s.poll)
	at := l.sh.phase + (now-l.sh.phase+p-1)/p*p
	if at < now {
		at = now
	}
	s.m.k.AtArg(at, s.pollLane, l)
}

// pollLane is a poll of lane l: it invokes the function with a batch
// when it has a full one or the batching window has passed.
func (s *streamModel) pollLane(a any) {
	l := a.(*lane)
	l.polling = false
	s.trim(l)
	n := l.next - l.head
	if n <= 0 || l.busy {
		l.opened = -1
		return
	}
	now := s.m.k.Now()
	if l.opened < 0 {
		l.opened = now
	}
	size := int64(l.limit)
	if n < size && now < l.opened+sim.Time(s.cfg.BatchingWindow) {
		// Gather: look again at the next poll, until the batch fills or
		// the window has passed.
		l.polling = true
		p := sim.Time(s.poll)
		s.m.k.AtArg(now+p, s.pollLane, l)
		return
	}
	size = min(size, n)
	from, to := l.head, l.head+size
	fails := len(l.poison) > 0 && l.poison[0] < to
	l.busy = true
	d := max(sim.Seconds(s.cfg.Duration.Sample(s.rng)), 0)
	s.st.Invocations++
	s.st.BilledMS += int64(math.Ceil(float64(d) / float64(time.Millisecond)))
	s.m.k.After(d, func() { s.done(l, from, to, fails) })
}

// done ends an invocation of l with records [from, to).
func (s *streamModel) done(l *lane, from, to int64, failed bool) {
	l.busy = false
	l.opened = -1
	if !failed {
		if to > l.head {
			s.st.Processed += to - max(from, l.head)
		}
		l.advance(to)
		l.failures, l.limit = 0, s.cfg.BatchSize
		s.after(l)
		return
	}
	s.st.Errors++
	if s.cfg.BisectOnError && to-from > 1 {
		// Split and retry the first half; splitting spends no retry
		// (not published: dbsim's reading), so a poison record is
		// isolated before its retries count.
		l.limit = int((to - from + 1) / 2)
		s.logBlocked(l)
		s.after(l)
		return
	}
	l.failures++
	s.logBlocked(l)
	if s.cfg.MaxRetries >= 0 && l.failures > s.cfg.MaxRetries {
		if to > l.head {
			s.st.Discarded += to - max(from, l.head)
		}
		s.m.log.Addf("stream: %s: a batch of %d records discarded after %d retries; the lane goes on", l.sh.name, to-from, s.cfg.MaxRetries)
		l.advance(to)
		l.failures, l.limit = 0, s.cfg.BatchSize
	}
	s.after(l)
}

// logBlocked tells the narrative, once per poison record, that it
// blocks l.
func (s *streamModel) logBlocked(l *lane) {
	if l.blocked {
		return
	}
	l.blocked = true
	retries := "until its records expire"
	if s.cfg.MaxRetries >= 0 {
		retries = fmt.Sprintf("up to %d times", s.cfg.MaxRetries)
	}
	s.m.log.Markf(cluster.ShardBlocked, "shard blocked", "stream: a poison record blocks %s: its batch fails and is retried in order %s; the lane's later records wait",
		l.sh.name, retries)
}

// after polls l again and, when its shard is drained, opens its children.
func (s *streamModel) after(l *lane) {
	s.kick(l)
	if l.sh.drained() {
		for _, k := range l.sh.kids {
			for _, kl := range k.lanes {
				s.kick(kl)
			}
		}
		s.drop()
	}
}

// drop forgets drained shards whose children are readable: nothing will
// read them again.
func (s *streamModel) drop() {
	keep := s.shards[:0]
	for _, sh := range s.shards {
		if !sh.drained() {
			keep = append(keep, sh)
		}
	}
	for i := len(keep); i < len(s.shards); i++ {
		s.shards[i] = nil
	}
	s.shards = keep
	for _, sh := range s.shards {
		if sh.parent != nil && sh.parent.drained() {
			sh.parent = nil // readable now; let the parent go
		}
	}
}

// iteratorAge is the age of the oldest record the consumer has not
// processed, over every shard (0 when it has processed them all), and
// the shard it is on.
func (s *streamModel) iteratorAge() (time.Duration, *shard) {
	now := s.m.k.Now()
	var age time.Duration
	var at *shard
	for _, sh := range s.shards {
		for _, l := range sh.lanes {
			if l.head < l.next {
				if a := time.Duration(now - l.oldest()); a > age || at == nil {
					age, at = a, sh
				}
			}
		}
	}
	return age, at
}

// partitionAge is the iterator age of p's records: the oldest not
// processed on its shard or on an ancestor still being read (0 when
// there is none).
func (s *streamModel) partitionAge(p *partition) time.Duration {
	now := s.m.k.Now()
	var age time.Duration
	for sh := p.shard; sh != nil; sh = sh.parent {
		for _, l := range sh.lanes {
			if l.head < l.next {
				age = max(age, time.Duration(now-l.oldest()))
			}
		}
	}
	return age
}

func (s *streamModel) backlog() int64 {
	var n int64
	for _, sh := range s.shards {
		n += sh.pending()
	}
	return n
}

// watch tells the narrative, once a second, when the consumer falls
// behind (iterator age past BehindAfter) and when it catches up again;
// it also trims lanes nobody polls (blocked behind a parent).
func (s *streamModel) watch() {
	s.m.k.After(time.Second, s.watch)
	for _, sh := range s.shards {
		for _, l := range sh.lanes {
			if !l.busy && !l.polling {
				s.trim(l)
			}
		}
	}
	age, sh := s.iteratorAge()
	switch {
	case !s.behind && age > s.cfg.BehindAfter:
		s.behind, s.peak, s.from = true, age, s.m.k.Now()
		s.m.log.Markf(cluster.StreamBehind, "consumer behind",
			"stream: the consumer falls behind: iterator age %v on %s, %d records waiting", age.Round(time.Second), sh.name, s.backlog())
	case s.behind && age < s.cfg.BehindAfter/10:
		s.behind = false
		s.m.log.Markf(cluster.StreamCaughtUp, "caught up",
			"stream: the consumer caught up (iterator age under %v), %v after falling behind; peak iterator age %v",
			s.cfg.BehindAfter/10, time.Duration(s.m.k.Now()-s.from).Round(time.Second), s.peak.Round(time.Second))
	case s.behind:
		s.peak = max(s.peak, age)
	}
}
