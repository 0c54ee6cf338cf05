package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLinearTicksHaveNoNegativeZero(t *testing.T) {
	for _, r := range [][2]float64{{0, 108}, {-0.0001, 730}, {99.2, 100.04}} {
		for _, tk := range (linearTicks{}).Ticks(r[0], r[1]) {
			assert.False(t, strings.HasPrefix(tk.Label, "-0"), "%v: %q", r, tk.Label)
		}
	}
	ticks := (linearTicks{}).Ticks(99.2, 100.04)
	var labels []string
	for _, tk := range ticks {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	assert.Equal(t, []string{"99.2", "99.4", "99.6", "99.8", "100.0"}, labels)
}
