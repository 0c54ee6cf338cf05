package scenarios

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's scenario examples are scenarios: each must load. Those that
// show only a system get a name, a duration and a workload around them.
func TestREADMEExamplesLoad(t *testing.T) {
	src, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(src), -1)
	n := 0
	for _, b := range blocks {
		y := b[1]
		if !strings.Contains(y, "\nsystem:") && !strings.HasPrefix(y, "system:") {
			continue // not a scenario (a Kubernetes Job, ...)
		}
		if !strings.Contains(y, "\nname:") && !strings.HasPrefix(y, "name:") {
			y = "name: readme\nduration: 15m\n" + y
		}
		if !strings.Contains(y, "\nworkload:") {
			y += "\nworkload: [{arrival: {rate: 100/s}}]\n"
		}
		_, err := Parse("README.md", []byte(y))
		require.NoError(t, err, "README example:\n%s", y)
		n++
	}
	require.GreaterOrEqual(t, n, 4, "the README's scenario examples")
}

// The README's first example is a tour of the RDS keys: it must do what
// its description says, a failover at 3:00 that the standby takes over
// in one to two minutes and a 30 s partition, and nothing else.
func TestREADMETourDoesWhatItSays(t *testing.T) {
	src, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	y := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindStringSubmatch(string(src))[1]
	require.Contains(t, y, "name: rds-multi-az-tour")
	s, err := Parse("README.md", []byte(y))
	require.NoError(t, err)
	s.Replications = 1
	rep := run(t, s)
	require.Len(t, rep.Failovers, 1)
	f := rep.Failovers[0]
	assert.Equal(t, 3*time.Minute, time.Duration(f.Start))
	assert.InDelta(t, 90, f.Accepting.Sub(f.Start).Seconds(), 30, "detection, promotion and DNS: 60–120 s")
	avail := float64(rep.Requests.OK) / float64(rep.Requests.Total)
	assert.Greater(t, avail, 0.8, "down for the failover and the partition only")
}
