package aurora

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// --- health and failover ---

// check is one health check of the writer by the control plane (the Host
// Manager, fact 3.26). It also refreshes the reader endpoint's list of
// healthy replicas.
func (m *Model) check() {
	m.refreshReaders()
	w := m.writer
	healthy := w.host.Accepting() && m.topo.Up(w.host.AZ)
	if healthy && m.fo == nil {
		m.health.Reset()
		for _, in := range m.insts {
			if !in.host.Accepting() {
				m.checkT = m.k.After(m.cfg.DetectionInterval, m.check) // a reader is still down
				break
			}
		}
		return
	}
	m.checkT = m.k.After(m.cfg.DetectionInterval, m.check)
	if m.fo != nil && m.fo.Detected != cluster.Never {
		return // failover under way
	}
	if !m.health.Check(healthy) {
		return
	}
	if m.fo == nil {
		m.fo = m.log.StartFailover("writer unhealthy")
	}
	m.fo.Detected = m.k.Now()
	m.log.Addf("writer failure detected (%s)", m.health.Why())
	m.failover()
}

// failover promotes the best replica or, without one, recreates the writer.
func (m *Model) failover() {
	if t := m.target(); t != nil {
		m.log.Addf("promoting %s (tier %d, %s)", m.describe(t), t.tier, m.size(t))
		m.k.After(m.cfg.Promotion, func() { m.promote(t) })
		return
	}
	if w := m.writer; m.demoted == w && w.host.Up() && m.topo.Up(w.host.AZ) {
		// A manual failover lost its target: the healthy writer it
		// demoted is the only copy left, and reopens in place.
		m.demoted = nil
		m.log.Addf("no replica to fail over to: %s, demoted but healthy, restarts and takes writes again", m.describe(w))
		w.host.Restart()
		w.cpu.Clear()
		m.fo.Promoted = m.k.Now()
		m.recover(w)
		return
	}
	m.log.Addf("no replica to fail over to: the writer is recreated (%v)", m.cfg.ReplaceInstance)
	m.k.After(m.cfg.ReplaceInstance, m.recreate)
}

func (m *Model) size(in *instance) string {
	if m.cfg.Serverless != nil {
		return fmt.Sprintf("%.1f ACU", in.acu)
	}
	return in.class.Name
}

// capacity orders instances by size: vCPUs, or ACUs for Serverless v2.
func (m *Model) capacity(in *instance) float64 {
	if m.cfg.Serverless != nil {
		return in.acu
	}
	return float64(in.class.VCPUs)
}

// target is the failover target: the healthy replica in the best promotion
// tier (0 first), ties going to the largest instance, then to the lowest
// index (fact 3.22: "then arbitrary").
func (m *Model) target() *instance {
	var cands []*instance
	for _, in := range m.insts {
		if in.role == readerRole && in.host.Accepting() && m.topo.Up(in.host.AZ) && !m.remote(in) {
			cands = append(cands, in)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.tier != b.tier {
			return a.tier < b.tier
		}
		if ca, cb := m.capacity(a), m.capacity(b); ca != cb {
			return ca > cb
		}
		return a.idx < b.idx
	})
	return cands[0]
}

// FailoverTarget is the index of the instance a failover would promote now
// (-1 if none).
func (m *Model) FailoverTarget() int {
	if t := m.target(); t != nil {
		return t.idx
	}
	return -1
}

// promote makes t the writer: only the old writer and t restart
// (fact 3.23); t opens the shared volume, which already holds every
// durable record, and the cluster endpoint's DNS record moves to it.
func (m *Model) promote(t *instance) {
	if m.fo == nil || m.fo.Restore != nil {
		return // a global failover took over
	}
	if !(t.role == readerRole && t.host.Accepting() && m.topo.Up(t.host.AZ)) {
		m.log.Addf("promotion target %s lost", m.describe(t))
		m.failover()
		return
	}
	old := m.writer
	old.role, t.role = readerRole, writerRole
	m.writer = t
	m.demoted = nil
	m.fo.Promoted = m.k.Now()
	t.host.Restart()
	t.cpu.Clear()
	t.resetApply()
	t.parked = nil
	m.cluster.Set(t.host)
	m.refreshReaders()
	m.log.Addf("%s promoted; cluster endpoint DNS record now points to it", m.describe(t))
	m.recover(t)
	if old.host.Up() {
		old.host.Restart()
		old.cpu.Clear()
		m.startEngine(old)
	} else {
		m.scheduleReplace(old)
	}
	if m.cfg.RestartReaders {
		n := 0
		for _, in := range m.insts {
			if in == t || in == old || in.role != readerRole || !in.host.Up() || (m.cfg.Global != nil && m.remote(in)) {
				continue
			}
			in.host.Restart()
			in.cpu.Clear()
			m.startEngine(in)
			n++
		}
		if n > 0 {
			m.refreshReaders()
			m.log.Addf("%d other replicas restart with the failover", n)
		}
	}
}

// recreate rebuilds the writer on a new host, in its AZ if that is up or
// else in another (the volume spans three AZs).
func (m *Model) recreate() {
	if m.fo == nil || m.fo.Restore != nil {
		return // a global failover took over
	}
	w := m.writer
	az := w.host.AZ
	if !m.topo.Up(az) {
		az = -1
		for _, a := range m.topo.RegionAZs(m.topo.Region(w.host.AZ)) {
			if m.topo.Up(a) {
				az = a
				break
			}
		}
		if az < 0 {
			m.k.After(m.cfg.DetectionInterval, m.recreate)
			return
		}
	}
	w.waitAZ = false
	m.k.Cancel(w.replace)
	m.newHost(w, az)
	if m.cfg.Serverless != nil {
		m.setACU(w, m.cfg.Serverless.floor())
	}
	m.fo.Promoted, m.fo.Replaced = m.k.Now(), true
	m.cluster.Set(w.host)
	m.refreshReaders()
	m.log.Addf("writer recreated as %s; cluster endpoint DNS record now points to it", m.describe(w))
	m.recover(w)
}

// recover opens the volume on the new writer: it needs a read quorum of
// every PG to find the VDL (fact 3.15), and no redo replay, because
// the storage applies redo continuously. Acknowledged writes that the
// read quorum could miss are lost.
func (m *Model) recover(in *instance) {
	if !m.st.readable() {
		m.waitVolume = in
		m.log.Addf("%s waits for a read quorum of every protection group to open the volume", m.describe(in))
		return
	}
	lost := m.LostAcked()
	open := m.st.openTime(in.host.AZ)
	epoch := in.host.Epoch()
	m.k.After(m.cfg.EngineStart+open, func() {
		if m.writer != in || in.host.Epoch() != epoch || !in.host.Up() {
			return
		}
		in.host.SetAccepting(true)
		in.lastActivity = m.k.Now()
		m.health.Reset()
		if m.fo != nil {
			m.fo.LostWrites = lost + m.globalLost
			m.fo.Accepting = m.k.Now()
			if m.fo.Restore == nil {
				m.reship() // the secondaries get what the old writer had not sent
			}
			m.fo = nil
		}
		m.globalLost = 0
		m.refreshReaders()
		m.log.Addf("%s accepting writes after engine start (%v) and volume open (%v); %d acknowledged writes lost",
			m.describe(in), m.cfg.EngineStart, open, lost)
	})
}

// startEngine starts the engine of a reader that restarted.
func (m *Model) startEngine(in *instance) {
	epoch := in.host.Epoch()
	m.k.After(m.cfg.EngineStart, func() {
		if in.host.Epoch() != epoch || !in.host.Up() || in.role != readerRole {
			return
		}
		in.host.SetAccepting(true)
		in.lastVisible = m.k.Now()
		in.lastActivity = m.k.Now()
		if m.cfg.Serverless != nil {
			m.setACU(in, m.cfg.Serverless.floor())
		}
		m.refreshReaders()
		m.log.Addf("%s accepting reads", m.describe(in))
	})
}

// scheduleReplace provisions a new host for a failed reader, in its AZ, or
// waits for the AZ to come back.
func (m *Model) scheduleReplace(in *instance) {
	if !m.topo.Up(in.host.AZ) {
		in.waitAZ = true
		return
	}
	m.k.Cancel(in.replace)
	in.replace = m.k.After(m.cfg.ReplaceInstance, func() {
		if in.host.Up() || in.role != readerRole {
			return
		}
		if !m.topo.Up(in.host.AZ) {
			in.waitAZ = true
			return
		}
		m.newHost(in, in.host.AZ)
		m.log.Addf("%s replaced", m.describe(in))
		m.startEngine(in)
	})
}

func (m *Model) crash(in *instance) {
	m.armCheck()
	in.host.Crash()
	in.cpu.Clear()
	in.resetApply()
	in.parked = nil
	in.resuming = false
	if in != m.writer {
		return
	}
	m.abandon()
	if m.waitVolume == in {
		m.waitVolume = nil
	}
	if m.fo != nil && m.fo.Detected != cluster.Never {
		// The new writer died before it accepted writes: fail over again
		// (after the current event, so that an AZ outage has taken down
		// every instance of its AZ first).
		m.log.Addf("%s lost before it accepted writes", m.describe(in))
		m.k.After(0, m.failover)
	}
}

// --- faults ---

// FailInstance crashes an instance ("instance failure": its host stops
// answering). target is "writer" (or "primary") for the current writer, or
// "replica-N" for the instance configured as the N-th replica (which may be
// the writer after a failover).
func (m *Model) FailInstance(target string) error {
	in, err := m.lookup(target)
	if err != nil {
		return err
	}
	if !in.host.Up() {
		return nil
	}
	m.crash(in)
	if in == m.writer {
		if m.fo == nil {
			m.fo = m.log.StartFailover("instance failure")
		}
		m.log.Addf("%s failed", m.describe(in))
		return nil
	}
	m.log.Addf("%s failed; it is replaced in %v", m.describe(in), m.cfg.ReplaceInstance)
	m.scheduleReplace(in)
	return nil
}

func (m *Model) lookup(target string) (*instance, error) {
	switch t := strings.ToLower(target); {
	case t == "writer" || t == "primary":
		return m.writer, nil
	case strings.HasPrefix(t, "replica-"):
		i, err := strconv.Atoi(strings.TrimPrefix(t, "replica-"))
		if err == nil && i >= 1 && i <= len(m.cfg.Replicas) {
			return m.insts[i], nil
		}
	case strings.HasPrefix(t, "secondary-"):
		i, err := strconv.Atoi(strings.TrimPrefix(t, "secondary-"))
		if err == nil && i >= 1 && i < len(m.insts)-len(m.cfg.Replicas) {
			return m.insts[len(m.cfg.Replicas)+i], nil
		}
	}
	return nil, fmt.Errorf("aurora: unknown instance %q (writer, or replica-1 … replica-%d)", target, len(m.insts)-1)
}

// outage reacts to an AZ going down or coming back: its instances and
// storage nodes go down with it.
func (m *Model) outage(az cluster.AZ, down bool) {
	name := m.topo.Name(az)
	if down && m.cfg.Global != nil && az == m.writer.host.AZ && m.writer.host.Up() {
		m.regionLost(m.k.Now())
	}
	m.st.azChanged(az, down)
	if down {
		for _, in := range m.insts {
			if in.host.AZ != az || !in.host.Up() {
				continue
			}
			m.crash(in)
			in.waitAZ = true
			if in == m.writer {
				if m.fo == nil {
					m.fo = m.log.StartFailover("AZ outage")
				}
				m.log.Addf("%s down: %s lost", name, m.describe(in))
			} else {
				m.log.Addf("%s down: %s lost", name, m.describe(in))
			}
		}
		return
	}
	for _, in := range m.insts {
		if !in.waitAZ || in.host.AZ != az || in.host.Up() || in == m.writer {
			continue
		}
		in.waitAZ = false
		in.host.Restart()
		m.startEngine(in)
	}
	if m.cfg.Global != nil {
		for _, in := range m.insts {
			if in.host.AZ == az && in != m.writer && m.remote(in) {
				m.resync(in)
			}
		}
	}
}

// FailStorageNodes crashes the given storage nodes (ids from
// StorageNodes or SegmentNodes). Their segments are repaired onto new
// nodes after Storage.RepairDetect plus the copy time, unless the nodes
// return first (RecoverStorageNodes). Failures stack: a node failed twice
// returns when both failures have been recovered.
func (m *Model) FailStorageNodes(ids ...int) error {
	for _, id := range ids {
		if id < 0 || id >= len(m.st.nodes) {
			return fmt.Errorf("aurora: no storage node %d", id)
		}
	}
	for _, id := range ids {
		n := m.st.nodes[id]
		n.failed++
		if n.failed > 1 {
			m.log.Addf("storage node %s failed again (it already was down: another failure lasts)", n.name)
			continue
		}
		m.st.failures++
		m.log.Addf("storage node %s failed", n.name)
		m.st.nodeDown(n)
	}
	return nil
}

// RecoverStorageNodes ends one failure of each given storage node (from
// FailStorageNodes) and returns the ids of those that are up again, with
// their data unless their segments were repaired elsewhere meanwhile: not
// those that another failure or their AZ's outage keeps down.
func (m *Model) RecoverStorageNodes(ids ...int) []int {
	var back []int
	for _, id := range ids {
		if id < 0 || id >= len(m.st.nodes) {
			continue
		}
		n := m.st.nodes[id]
		if n.failed == 0 {
			continue
		}
		n.failed--
		if n.failed == 0 && m.topo.Up(n.az) {
			m.st.nodeUp(n)
			back = append(back, id)
		}
	}
	return back
}

// FailStorageNodesInAZ fails count storage nodes of az that hold segments
// and have not failed already, lowest ids first (the first PGs' segments),
// and returns their ids: with an outage of another AZ, count = 1 is the
// "AZ+1" failure. A second failure in an AZ thus takes other nodes, as
// two independent failures would; nodes down only for their AZ's outage
// can fail (and then stay down after it). If fewer than count nodes are
// left, it fails those.
func (m *Model) FailStorageNodesInAZ(az cluster.AZ, count int) []int {
	var ids []int
	for _, n := range m.st.nodes {
		if len(ids) == count {
			break
		}
		if n.az == az && n.failed == 0 && len(n.segs) > 0 {
			ids = append(ids, n.id)
		}
	}
	_ = m.FailStorageNodes(ids...)
	return ids
}

// SlowStorageNodesInAZ multiplies the persist and read times of count
// storage nodes of az (lowest ids first, the first PGs' segments) by
// factor, and returns their ids.
func (m *Model) SlowStorageNodesInAZ(az cluster.AZ, count int, factor float64) []int {
	var ids []int
	for _, n := range m.st.nodes {
		if len(ids) == count {
			break
		}
		if n.az == az && len(n.segs) > 0 {
			n.slow = factor
			ids = append(ids, n.id)
		}
	}
	return ids
}

// StartStorageFailures starts random failures of every storage node: on
// average every mttf, each lasting an exponential time of mean mttr unless
// the node's segments are repaired elsewhere first.
func (m *Model) StartStorageFailures(mttf, mttr time.Duration) { m.st.startFailures(mttf, mttr) }

// SlowStorageNode multiplies a storage node's persist and read times by
// factor (1 restores it).
func (m *Model) SlowStorageNode(id int, factor float64) { m.st.nodes[id].slow = factor }

// SetNodeLatency gives one storage node its own persist-time distribution
// (nil restores Storage.NodeLatency).
func (m *Model) SetNodeLatency(id int, d sim.Dist) { m.st.nodes[id].lat = d }

// PGs is the number of protection groups of the volume.
func (m *Model) PGs() int { return len(m.st.pgs) }

// PGOf is the protection group that holds key.
func (m *Model) PGOf(key uint64) int { return m.st.pgOf(key).idx }

// SegmentNodes are the ids of the storage nodes holding the six segments of
// protection group pg, slot order (two per storage AZ).
func (m *Model) SegmentNodes(pg int) [Segments]int {
	var ids [Segments]int
	for s, n := range m.st.pgs[pg].seg {
		ids[s] = n.id
	}
	return ids
}

// StorageNodes are the ids of the storage nodes in az that hold segments.
func (m *Model) StorageNodes(az cluster.AZ) []int {
	var ids []int
	for _, n := range m.st.nodes {
		if n.az == az && len(n.segs) > 0 {
			ids = append(ids, n.id)
		}
	}
	return ids
}

// StorageAvailability is the time, so far, that the volume could not take
// writes (some PG below the write quorum), could not be read by recovery
// (some PG below the read quorum), and the PG-time below the write quorum
// summed over PGs.
func (m *Model) StorageAvailability() (writeDown, readDown, pgWriteDown time.Duration) {
	m.st.account()
	return m.st.writeDown, m.st.readDown, m.st.pgWriteDown
}

// StorageFailures and SegmentRepairs count node failures and repairs so far.
func (m *Model) StorageFailures() (failures, repairs int64) { return m.st.failures, m.st.repairs }
