package cluster

// Host is a machine in an AZ running a database engine. A connection is
// opened to a host at one epoch; a crash or restart starts a new epoch, and
// connections of an older epoch are dead.
type Host struct {
	Name string
	AZ   AZ
	// Serve handles a call that reached the host over a live connection of
	// the current epoch while the engine accepts connections.
	// It answers each call at most once and keeps no reference to it
	// once it has: the client reuses the Call when the answer is back.
	Serve func(c *Call)
	// MaxConns bounds the engine's open connections (0: no limit). A
	// connection holds one statement at a time, so it also bounds the
	// statements the engine can have queued.
	MaxConns int
	// Connect, when set, does a new connection's startup work once it is
	// admitted (authentication, a backend process) and answers the call
	// (Net.Reply): OK, or an error that closes the connection again.
	Connect func(c *Call)
	// ReadOnly, when set, reports whether the engine serves only reads
	// now (a replica, a standby, a demoted writer): what a pool's
	// validation query (MySQL's @@innodb_read_only, PostgreSQL's
	// pg_is_in_recovery()) finds out. Nil: never read-only.
	ReadOnly func() bool

	up        bool
	accepting bool
	epoch     uint32

	conns        int   // open connections (this epoch)
	refusedConns int64 // connections refused over MaxConns
}

// NewHost returns a host that is up, with its engine not yet accepting.
func NewHost(name string, az AZ) *Host { return &Host{Name: name, AZ: az, up: true} }

// Up reports whether the machine is running (it answers packets).
func (h *Host) Up() bool { return h.up }

// Accepting reports whether the engine accepts connections and requests.
func (h *Host) Accepting() bool { return h.up && h.accepting }

// Epoch counts the host's crashes and restarts.
func (h *Host) Epoch() uint32 { return h.epoch }

// Conns is the number of open connections.
func (h *Host) Conns() int { return h.conns }

// RefusedConns counts the connections refused because MaxConns were open.
func (h *Host) RefusedConns() int64 { return h.refusedConns }

// Crash stops the machine: it answers nothing until Restart.
func (h *Host) Crash() {
	h.up, h.accepting = false, false
	h.newEpoch()
}

// Restart brings the machine back with its engine stopped; connections from
// before are dead.
func (h *Host) Restart() {
	h.up, h.accepting = true, false
	h.newEpoch()
}

// newEpoch kills every connection.
func (h *Host) newEpoch() {
	h.epoch++
	h.conns = 0
}

// SetAccepting starts or stops the engine's acceptance of connections. An
// engine that stops accepting drops its connections (a new epoch).
func (h *Host) SetAccepting(on bool) {
	if h.accepting && !on {
		h.newEpoch()
	}
	h.accepting = on && h.up
}
