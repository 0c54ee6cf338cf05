package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/cluster"
)

// marks are the replication's marked events of kind m, as "m:ss label".
func marks(rep *Replication, m cluster.Mark) []string {
	var out []string
	for _, e := range rep.Events {
		if e.Mark == m {
			d := time.Duration(e.At).Round(time.Second)
			out = append(out, fmtClock(d)+" "+e.Label)
		}
	}
	return out
}

func fmtClock(d time.Duration) string {
	return time.Time{}.Add(d).Format("4:05")
}

// The model events that explain a turn in a curve are marked, at the
// moment they happen, with a label a plot can show.
func TestModelEventsAreMarked(t *testing.T) {
	load := func(name string) *Replication {
		s, err := LoadBundled(name)
		require.NoError(t, err)
		return run(t, s)
	}
	t.Run("a repair that ends a write stall", func(t *testing.T) {
		// Two segments of PG 0 down (an AZ and a node): no write quorum
		// until the failed node's segment is re-replicated, 15 s later.
		rep := load("aurora-az-plus-one")
		assert.Equal(t, []string{"4:15 PG 0 writable"}, marks(rep, cluster.Repaired))
	})
	t.Run("serverless pause and resume", func(t *testing.T) {
		rep := load("serverless-scale-to-zero")
		assert.Equal(t, []string{"7:00 writer paused"}, marks(rep, cluster.Paused))
		require.Len(t, marks(rep, cluster.Resumed), 1)
		assert.Contains(t, marks(rep, cluster.Resumed)[0], "writer resumed")
	})
	t.Run("auto scaling and heat splits", func(t *testing.T) {
		assert.NotEmpty(t, marks(load("dynamodb-autoscaling-lag"), cluster.ScaleUp))
		splits := marks(load("dynamodb-hot-partition"), cluster.HeatSplit)
		require.NotEmpty(t, splits)
		assert.Contains(t, splits[0], "split")
	})
}
