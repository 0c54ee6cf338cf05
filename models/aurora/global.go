package aurora

import (
	"fmt"
	"math"
	"time"

	"dbsim/models/cluster"
	"dbsim/models/metric"
	"dbsim/sim"
)

// Aurora Global Database: the cluster is the primary of a global database
// whose secondary clusters, in other Regions, receive its redo at the
// storage layer (fact 3.35).
//
//   - Every committed record is shipped to each secondary Region: the
//     replication server in the primary Region takes it (Ship), it waits
//     for the inter-Region link (a FIFO of RedoPerWrite bytes per record
//     at Bandwidth), crosses the Regions' one-way delay (the topology's,
//     fact 6.5), and the secondary applies it in LSN order. Lag is therefore
//     about half the inter-Region round trip plus Ship while the link
//     keeps up (fact 3.36: typically under a second), and grows without
//     bound when the write rate outruns the link.
//   - A secondary Region that cannot be reached misses the records meant
//     for it; when it returns, the backlog is shipped in one piece at the
//     link's rate.
//   - The RPO guard (Aurora PostgreSQL's rds.global_db_rpo, fact 3.38):
//     while every secondary lags more than RPOGuard, new commits on the
//     primary block until one catches up.
//   - Unplanned failover (GlobalFailover, fact 3.37): an operator, or
//     automation, detaches and promotes a secondary after the primary
//     Region is lost. Records the primary had not sent when it failed never
//     arrive: the new writer has every write committed before the first of
//     them, and the acknowledged writes from it on are lost.
//   - Switchover (Switchover, fact 3.37/3.40): the primary stops taking
//     writes, every secondary synchronises (applies every record), then
//     the roles move in RoleChange: RPO 0, and the old primary cluster
//     becomes a secondary.
//
// The cluster endpoint stands for the global writer endpoint: it follows
// the writer to its new Region. Secondary instances serve no client reads
// here (they are in no endpoint).

// Global makes the cluster the primary of an Aurora Global Database.
type Global struct {
	// Secondaries are the secondary clusters' instances, one per secondary
	// Region (fact 3.35: up to 5, 10 in the current docs), each in an AZ of
	// another Region of the topology.
	Secondaries []Secondary
	// Bandwidth is the inter-Region link's capacity for the redo stream to
	// each secondary Region, in bytes per second (0: unlimited).
	Bandwidth float64
	// RedoPerWrite is the redo a write ships, in bytes.
	RedoPerWrite int64
	// Ship is the replication server's time, in the primary Region, from
	// a record's commit to its handing to the link, in seconds: what a
	// Region outage catches there is lost.
	Ship sim.Dist
	// RPOGuard, when positive, blocks commits while every secondary lags
	// more than it (Aurora PostgreSQL's rds.global_db_rpo, fact 3.38).
	RPOGuard time.Duration
	// Promote is the control plane's time to detach and promote a
	// secondary in an unplanned failover, before its engine restarts as
	// the writer.
	Promote time.Duration
	// RoleChange is a switchover's time, after the secondaries have
	// synchronised, for the roles to move.
	RoleChange time.Duration
}

// Secondary is one secondary cluster's instance.
type Secondary struct {
	AZ cluster.AZ
	// Class is its instance class; the zero Class means the writer's.
	Class Class
}

// DefaultGlobal returns the global settings a Global Database gets unless
// a scenario says otherwise, without secondaries.
func DefaultGlobal() Global {
	// Not published: the replication server and agent's time per record.
	// Chosen so that the lag over us-east-1 to us-west-2 (43.5 ms one way)
	// is some 100 ms, well under fact 3.36's "typically under a second".
	ship, _ := sim.LogNormalP50P99(50e-3, 150e-3)
	return Global{
		Bandwidth:    100 << 20, // not published: dedicated infrastructure (fact 3.35); 100 MiB/s
		RedoPerWrite: 4 << 10,   // not published: a redo record of a small row change and its page header
		Ship:         ship,
		Promote:      time.Minute,     // fact 3.39 (unconfirmed): a secondary promoted "in under a minute"
		RoleChange:   2 * time.Minute, // fact 3.40 (3rd-party): a switchover takes 1–2 minutes
	}
}

func (g *Global) validate(azs int) error {
	switch {
	case len(g.Secondaries) > 10:
		return fmt.Errorf("aurora: %d secondary Regions; a global database has at most 10 (fact 3.35)", len(g.Secondaries))
	case g.Bandwidth < 0 || g.RedoPerWrite < 0 || g.RPOGuard < 0 || g.Promote < 0 || g.RoleChange < 0:
		return fmt.Errorf("aurora: global settings must not be negative")
	case g.Ship == nil:
		return fmt.Errorf("aurora: global ship distribution missing")
	}
	for i, s := range g.Secondaries {
		if s.AZ < 0 || int(s.AZ) >= azs {
			return fmt.Errorf("aurora: secondary %d AZ %d outside the topology", i+1, s.AZ)
		}
	}
	return nil
}

// link is the redo stream to one secondary Region.
type link struct {
	region string
	free   sim.Time // when the link has sent what it was given
}

// remote reports whether in is in another Region than the writer: a
// secondary cluster's instance.
func (m *Model) remote(in *instance) bool { return !m.topo.SameRegion(in.host.AZ, m.writer.host.AZ) }

// linkTo is the link to the Region of zone az.
func (m *Model) linkTo(az cluster.AZ) *link {
	r := m.topo.Region(az)
	for _, l := range m.links {
		if l.region == r {
			return l
		}
	}
	l := &link{region: r}
	m.links = append(m.links, l)
	return l
}

// send puts bytes on the link to az's Region now and returns when they
// have left the primary Region.
func (m *Model) send(az cluster.AZ, bytes int64, now sim.Time) sim.Time {
	l := m.linkTo(az)
	g := m.cfg.Global
	start := max(l.free, now)
	if g.Bandwidth > 0 {
		start = start.Add(time.Duration(float64(bytes) / g.Bandwidth * 1e9))
	}
	l.free = start
	return start
}

// feedRemote ships one committed record to a secondary instance.
func (m *Model) feedRemote(in *instance, lsn uint64, now sim.Time, acked bool) {
	waz := m.writer.host.AZ
	if !m.topo.Reachable(waz, in.host.AZ) {
		if in.missedFrom == cluster.Never {
			in.missedFrom, in.missedLSN = now, lsn
		}
		return
	}
	g := m.cfg.Global
	// The replication server in the primary Region reads the record and
	// hands it to the link (Ship); it leaves the Region when the link has
	// sent it, and arrives a one-way trip later.
	sent := m.send(in.host.AZ, g.RedoPerWrite, now.Add(sim.Seconds(g.Ship.Sample(m.lrng))))
	arrive := sent.Add(m.topo.OneWay(waz, in.host.AZ))
	v := max(in.lastVisible, arrive).Add(m.cfg.Replication.ApplyPerRecord)
	in.lastVisible = v
	r := rec{lsn: lsn, commit: now, visible: v, sent: sent}
	if acked {
		r.acked = 1
	}
	in.push(r)
}

// regionLost follows the writer's AZ going down: the records not yet sent
// to the secondaries never leave (visible Forever), unless a new writer
// in the Region ships them again (reship).
func (m *Model) regionLost(now sim.Time) {
	for _, in := range m.insts {
		if in == m.writer || !m.remote(in) {
			continue
		}
		for i := in.recHead; i < len(in.recs); i++ {
			if in.recs[i].sent > now {
				in.recs[i].visible = sim.Forever
			}
		}
	}
}

// reship sends the secondaries again what the old writer had not sent: a
// new writer in the same Region reads it from the volume.
func (m *Model) reship() {
	if m.cfg.Global == nil {
		return
	}
	now := m.k.Now()
	for _, in := range m.insts {
		if in == m.writer || !m.remote(in) {
			continue
		}
		for i := in.recHead; i < len(in.recs); i++ {
			r := &in.recs[i]
			if r.visible == sim.Forever {
				sent := m.send(in.host.AZ, m.cfg.Global.RedoPerWrite, now)
				r.visible = max(in.lastVisible, sent.Add(m.topo.OneWay(m.writer.host.AZ, in.host.AZ)))
				in.lastVisible = r.visible
			}
		}
	}
}

// resync ships a secondary that comes back the backlog it missed, in one
// piece at the link's rate.
func (m *Model) resync(in *instance) {
	if in.missedFrom == cluster.Never || !m.topo.Reachable(m.writer.host.AZ, in.host.AZ) {
		return
	}
	now := m.k.Now()
	n := int64(m.lsn - in.missedLSN + 1)
	sent := m.send(in.host.AZ, n*m.cfg.Global.RedoPerWrite, now)
	v := max(in.lastVisible, sent.Add(m.topo.OneWay(m.writer.host.AZ, in.host.AZ)))
	in.lastVisible = v
	in.recs = append(in.recs, rec{lsn: in.missedLSN, commit: in.missedFrom, visible: v, sent: sent, n: uint32(min(n, math.MaxUint32))})
	m.log.Addf("%s reachable again: the %d records it missed are shipped (%v on the link)", m.describe(in), n, sent.Sub(now))
	in.missedFrom = cluster.Never
}

// globalLag is a secondary's lag now: the age of the oldest record
// committed on the primary that it has not applied.
func (m *Model) globalLag(in *instance) time.Duration {
	now := m.k.Now()
	in.catchUp(now)
	switch {
	case in.missedFrom != cluster.Never:
		return now.Sub(in.missedFrom)
	case in.recHead < len(in.recs):
		return now.Sub(in.recs[in.recHead].commit)
	}
	return 0
}

// --- the RPO guard ---

// guardBlocks reports whether the RPO guard holds commits now: every
// secondary lags more than RPOGuard (fact 3.38).
func (m *Model) guardBlocks() bool {
	g := m.cfg.Global
	if g == nil || g.RPOGuard <= 0 {
		return false
	}
	any := false
	for _, in := range m.insts {
		if in == m.writer || !m.remote(in) {
			continue
		}
		any = true
		if m.globalLag(in) <= g.RPOGuard {
			return false
		}
	}
	return any
}

// guardPoll is how often blocked commits check the secondaries' lag.
const guardPoll = 100 * time.Millisecond

// hold parks a write the RPO guard blocks, and watches for its release.
func (m *Model) hold(c *cluster.Call) {
	if len(m.guardWait) == 0 && !m.k.Scheduled(m.guardT) {
		m.log.Addf("RPO guard: every secondary lags more than %v: commits block", m.cfg.Global.RPOGuard)
		m.guardT = m.k.After(guardPoll, m.release)
	}
	m.guardWait = append(m.guardWait, c)
}

// release lets the held writes go once a secondary has caught up enough.
func (m *Model) release() {
	if m.guardBlocks() {
		m.guardT = m.k.After(guardPoll, m.release)
		return
	}
	m.log.Addf("RPO guard: a secondary lags %v or less again: %d blocked commits go on", m.cfg.Global.RPOGuard, len(m.guardWait))
	wait := m.guardWait
	m.guardWait = nil
	for _, c := range wait {
		if c.Epoch == m.writer.host.Epoch() && c.Host == m.writer.host {
			m.issue(c)
		}
	}
}

// --- failover and switchover ---

// secondaryIn is the first secondary instance in region ("": any other
// Region than the writer's) that is up.
func (m *Model) secondaryIn(region string) *instance {
	for _, in := range m.insts {
		if in == m.writer || !m.remote(in) || !m.topo.Up(in.host.AZ) || !in.host.Up() {
			continue
		}
		if region == "" || m.topo.Region(in.host.AZ) == region {
			return in
		}
	}
	return nil
}

// GlobalFailover is an operator's unplanned failover to a secondary
// Region (region, or "" for the first that is up): the secondary is
// detached and promoted (Global.Promote), its engine restarts as the
// writer on its own copy of the volume, and the cluster (global writer)
// endpoint moves to it. It is refused if no secondary is up.
func (m *Model) GlobalFailover(region string) {
	t := m.secondaryIn(region)
	if m.cfg.Global == nil || t == nil {
		m.log.Addf("global failover refused: no secondary is up")
		return
	}
	if m.fo == nil {
		m.fo = m.log.StartFailover("primary Region lost")
	}
	if m.fo.Detected == cluster.Never {
		m.fo.Detected = m.k.Now()
	}
	if w := m.writer.host.AZ; len(m.topo.RegionAZs(m.topo.Region(w))) > 0 && !m.regionUp(m.topo.Region(w)) {
		m.fo.Cause = "Region outage" // the outage's first AZ opened it
	}
	fo := m.fo
	m.log.Addf("global failover: the operator detaches and promotes %s (%v)", m.describe(t), m.cfg.Global.Promote)
	m.k.After(m.cfg.Global.Promote, func() {
		if m.fo != fo || fo.Promoted != cluster.Never {
			return // the primary Region came back and recovered first
		}
		m.promoteGlobal(t, "global-failover")
	})
}

// Switchover moves the writer to a secondary Region (region, or "" for
// the first) with no loss: the writer stops taking writes, every
// secondary applies every record, then the roles move (Global.RoleChange)
// and the old primary cluster becomes a secondary. It is refused while a
// failover or another switchover is under way.
func (m *Model) Switchover(region string) {
	t := m.secondaryIn(region)
	if m.cfg.Global == nil || t == nil || m.fo != nil || !m.writer.host.Accepting() {
		m.log.Addf("global switchover refused: it needs a healthy primary and a secondary that is up")
		return
	}
	m.fo = m.log.StartFailover("global switchover")
	m.fo.Detected = m.k.Now()
	fo := m.fo
	m.writer.host.SetAccepting(false)
	m.log.Addf("global switchover to %s: the writer stops taking writes while the secondaries synchronise", m.describe(t))
	var wait func()
	wait = func() {
		if m.fo != fo {
			return
		}
		if !m.synchronised() {
			m.k.After(time.Millisecond, wait)
			return
		}
		m.log.Addf("secondaries synchronised after %v; the roles move (%v)", m.k.Now().Sub(fo.Start), m.cfg.Global.RoleChange)
		m.k.After(m.cfg.Global.RoleChange, func() {
			if m.fo == fo && fo.Promoted == cluster.Never {
				m.promoteGlobal(t, "global-switchover")
			}
		})
	}
	wait()
}

// synchronised reports whether every write is committed and every
// reachable secondary has applied every record.
func (m *Model) synchronised() bool {
	if m.inHead < len(m.inflight) || len(m.guardWait) > 0 {
		return false
	}
	now := m.k.Now()
	for _, in := range m.insts {
		if in == m.writer || !m.remote(in) || !m.topo.Reachable(m.writer.host.AZ, in.host.AZ) {
			continue
		}
		in.catchUp(now)
		if in.recHead < len(in.recs) {
			return false
		}
	}
	return true
}

// promoteGlobal makes secondary t the writer: the volume is now its
// Region's copy, the cluster endpoint points to it, and the other
// Region's instances become a secondary.
func (m *Model) promoteGlobal(t *instance, kind string) {
	if !t.host.Up() || !m.topo.Up(t.host.AZ) {
		m.log.Addf("promotion target %s lost", m.describe(t))
		return
	}
	now := m.k.Now()
	fo := m.fo
	restored, lost := fo.Start, int64(0)
	t.catchUp(now)
	for i := t.recHead; i < len(t.recs); i++ {
		if r := t.recs[i]; r.visible == sim.Forever {
			if restored == fo.Start {
				restored = r.commit
			}
			lost += int64(r.acked)
		}
	}
	fo.Restore = &cluster.Restore{Kind: kind, RestoredTo: restored}
	m.globalLost = lost
	old := m.writer
	old.role, t.role = readerRole, writerRole
	m.writer = t
	fo.Promoted = now
	t.host.Restart()
	t.cpu.Clear()
	t.resetApply()
	t.missedFrom = cluster.Never
	t.parked = nil
	m.links = nil
	m.st.relocate(m.regionStorageAZs(t.host.AZ))
	m.cluster.Set(t.host)
	for _, in := range m.insts {
		// The old primary Region's instances are a secondary now: what they
		// held beyond the new writer's history is gone.
		if in != t && m.remote(in) {
			in.resetApply()
			in.lastVisible = now
			in.missedFrom = cluster.Never
			if !m.topo.Reachable(t.host.AZ, in.host.AZ) {
				in.missedFrom, in.missedLSN = now, m.lsn+1
			}
			if in.host.Up() && in.host.Accepting() {
				in.host.Restart()
				in.cpu.Clear()
				m.startEngine(in)
			}
		}
	}
	m.refreshReaders()
	if kind == "global-failover" {
		m.log.Addf("%s promoted: it has every write committed before %v (RPO %v); %d acknowledged writes it never received are lost; the global writer endpoint now points to it",
			m.describe(t), time.Duration(restored), fo.Start.Sub(restored), lost)
	} else {
		m.log.Addf("%s is the primary; the old primary cluster is a secondary; the global writer endpoint now points to it", m.describe(t))
	}
	m.recover(t)
}

// regionUp reports whether some AZ of the named Region is up.
func (m *Model) regionUp(region string) bool {
	for _, a := range m.topo.RegionAZs(region) {
		if m.topo.Up(a) {
			return true
		}
	}
	return false
}

// regionStorageAZs are the three AZs of az's Region that hold the
// volume's segments: its first three.
func (m *Model) regionStorageAZs(az cluster.AZ) [3]cluster.AZ {
	azs := m.topo.RegionAZs(m.topo.Region(az))
	var out [3]cluster.AZ
	for i := range out {
		out[i] = azs[i%len(azs)]
	}
	return out
}

// --- gauges ---

// regionGauges are each Region's Global Database lag (metric.Lag of the
// Region's name): the largest lag of its instances; no value in the
// writer's Region, nor while the writer takes no writes or the Region is
// down (there is no lag to speak of while the primary is down, and a
// Region that is down lacks everything since: its backlog is shipped when
// it returns).
func (m *Model) regionGauges() []cluster.Gauge {
	var gs []cluster.Gauge
	for _, r := range m.topo.Regions() {
		var ins []*instance
		for _, in := range m.insts {
			if m.topo.Region(in.host.AZ) == r && (in.idx == 0 || in.idx > len(m.cfg.Replicas)) {
				ins = append(ins, in)
			}
		}
		if len(ins) == 0 {
			continue
		}
		gs = append(gs, cluster.Gauge{ID: metric.OfInstance(metric.Lag, r), Sample: func() float64 {
			if !m.writer.host.Accepting() || !m.regionUp(r) || m.topo.Region(m.writer.host.AZ) == r {
				return math.NaN()
			}
			lag := time.Duration(0)
			for _, in := range ins {
				if in != m.writer && m.remote(in) {
					lag = max(lag, m.globalLag(in))
				}
			}
			return float64(lag) / 1e6
		}})
	}
	return gs
}
