package dynamodb

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/client"
	"dbsim/models/cluster"
	"dbsim/sim"
)

// staleRun writes one hot key at 400/s and reads it at 1,200/s with the
// given consistency for 20 s, and returns the reads and the stale ones.
func staleRun(t *testing.T, cfg Config, consistent bool) (reads, stale int) {
	t.Helper()
	h := newHarness(t, 31, cfg, noRetries())
	const key = 7
	h.drive("writes", steady(400), func(_ *rand.Rand, r *client.Request) { r.Op, r.Key = cluster.Write, key })
	get := &Op{Kind: GetItem, Consistent: consistent}
	h.drive("reads", steady(1200), func(_ *rand.Rand, r *client.Request) { r.Op, r.Key, r.Detail = cluster.Read, key, get })
	h.done = func(r *client.Request) {
		if r.Op == cluster.Read && r.Status == cluster.OK {
			reads++
			if r.Stale {
				stale++
			}
		}
	}
	h.k.Run(sim.At(20 * time.Second))
	require.Greater(t, reads, 20000)
	return reads, stale
}

func TestEventualReadsOfAHotKeyAreSometimesStale(t *testing.T) {
	// Fact 8.6 (a modelling assumption): a write is acknowledged once two
	// of three replicas have it, so only the third can lag it, and an
	// eventually consistent read goes to a random replica: at most a
	// third of the reads can be stale, and the slower the replicas' log
	// writes, the more are.
	cfg := provisioned(5000, 1000)
	reads, stale := staleRun(t, cfg, false)
	frac := float64(stale) / float64(reads)
	assert.Greater(t, stale, 0, "the lagging replica is read now and then")
	assert.Less(t, frac, 0.01)

	slow := cfg
	slow.LogWrite = mustLogNormal(0.5e-3, 20e-3) // a replica's persist with a long tail
	reads, stale = staleRun(t, slow, false)
	slowFrac := float64(stale) / float64(reads)
	assert.Greater(t, slowFrac, 5*frac, "a slow log write leaves the third replica behind for longer")
	assert.LessOrEqual(t, slowFrac, 1.0/3, "at most the one replica in three outside the quorum")

	_, stale = staleRun(t, slow, true)
	assert.Zero(t, stale, "the leader serves strong reads: never stale")
}

func TestReplicasApplyThePartitionLogInOrder(t *testing.T) {
	// A write commits when two replicas have applied it, and a replica
	// applies a write only after the ones before it: with both followers
	// still applying an earlier write for 50 ms, a new write waits.
	h := newHarness(t, 32, provisioned(1000, 1000), noRetries())
	h.k.Run(sim.At(time.Second))
	p := h.m.base.locate(h.m.base.point(1))
	for j := range p.applied {
		if j != p.leader {
			p.applied[j] = h.k.Now().Add(50 * time.Millisecond)
		}
	}
	h.cl.Submit(&client.Request{ID: 1, Op: cluster.Write, Key: 1})
	h.k.Run(sim.At(2 * time.Second))
	require.Equal(t, 1, h.ok)
	assert.Greater(t, h.lat.Quantile(0.5), 50*time.Millisecond)
}

func TestRepairedReplicaHasTheWritesItMissed(t *testing.T) {
	// A follower that was down misses a write: a read from it is stale
	// until it is replaced, and the log replica that replaces it (fact
	// 5.27) starts from the log, so reads from it are not.
	h := newHarness(t, 33, provisioned(1000, 1000), noRetries())
	h.k.Run(sim.At(time.Second))
	p := h.m.base.locate(h.m.base.point(1))
	j := (p.leader + 1) % len(p.reps)
	h.m.failReplica(p, j, "test")
	h.cl.Submit(&client.Request{ID: 1, Op: cluster.Write, Key: 1})
	h.k.Run(sim.At(2 * time.Second))
	require.Equal(t, 1, h.ok)
	require.Len(t, h.m.recent.Writes(1), 1)
	assert.True(t, h.m.staleRead(1, h.k.Now(), h.k.Now(), j), "the down replica lacks the write")
	h.k.Run(sim.At(time.Second + h.m.cfg.ReplicaRepair + time.Second))
	require.True(t, p.reps[j].up, "replaced")
	assert.False(t, h.m.staleRead(1, h.k.Now(), h.k.Now(), j), "the new replica has it")
}
