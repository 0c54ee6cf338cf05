package scenarios

import (
	"os"
	"regexp"
	"strings"
	"testing"

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
