package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"dbsim/models/cluster"
	"dbsim/sim"
)

// Two failovers whose clients are back at different times, the second
// begun before the first's clients were all back (a restore overlapping
// a failure of the damaged instance): each gets its own moment.
func TestClientsRecoveredPerFailover(t *testing.T) {
	k := sim.New(1)
	log := cluster.NewLog(k)
	r := &recorder{k: k, log: log, instances: 2, clientsOK: map[*cluster.Failover]sim.Time{}}
	at := func(s float64, f func()) { k.At(sim.At(time.Duration(s*float64(time.Second))), f) }

	var first, second *cluster.Failover
	at(10, func() { first = log.StartFailover("data loss") })
	at(11, func() { second = log.StartFailover("instance failure") })
	at(20, func() { second.Accepting = k.Now() })
	at(21, func() { r.noteSuccess(0) })
	at(30, func() { first.Accepting = k.Now() })
	at(31, func() { r.noteSuccess(1) }) // both back for the second; one for the first
	at(32, func() { r.noteSuccess(0) }) // both back for the first too
	k.Run(sim.At(time.Minute))

	assert.Equal(t, sim.At(31*time.Second), r.clientsOK[second])
	assert.Equal(t, sim.At(32*time.Second), r.clientsOK[first], "its own clients' successes after its writer accepted")
	assert.Empty(t, r.open, "nothing left to watch")
}
