package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string // a substring of the error; "" for success
	}{
		{in: "5s", want: 5 * time.Second},
		{in: "800us", want: 800 * time.Microsecond},
		{in: "800µs", want: 800 * time.Microsecond},       // micro sign
		{in: "800μs", want: 800 * time.Microsecond},       // Greek mu
		{in: "0.8ms", want: 800 * time.Microsecond},       // decimal
		{in: ".5s", want: 500 * time.Millisecond},         // no leading digit
		{in: "15m", want: 15 * time.Minute},               // m is minutes
		{in: "2h", want: 2 * time.Hour},                   //
		{in: "30d", want: 30 * 24 * time.Hour},            // days
		{in: "1m30s", want: 90 * time.Second},             // compound, as Go writes it
		{in: "1d12h", want: 36 * time.Hour},               // compound with days
		{in: "1.5h", want: 90 * time.Minute},              //
		{in: "0.1s", want: 100 * time.Millisecond},        // float noise rounds away
		{in: "7ns", want: 7},                              //
		{in: "-5s", want: -5 * time.Second},               // parsed; validation rejects it
		{in: "+5s", want: 5 * time.Second},                //
		{in: "0", want: 0},                                // zero needs no unit
		{in: "5", err: "duration needs a unit, e.g. 5s"},  // bare number
		{in: "1.5", err: "duration needs a unit"},         //
		{in: "5x", err: `unknown duration unit "x"`},      //
		{in: "5 s", err: `unknown duration unit " s"`},    // no spaces
		{in: "5sec", err: `unknown duration unit "sec"`},  //
		{in: "1m30", err: "30 has no unit"},               // compound missing its last unit
		{in: "", err: "invalid duration"},                 //
		{in: "s", err: "invalid duration"},                // unit without a number
		{in: "abc", err: "invalid duration"},              //
		{in: "1e3s", err: `unknown duration unit "e"`},    // no exponents
		{in: "200000d", err: "too large"},                 // beyond int64 nanoseconds
		{in: "5s..", err: "invalid duration"},             //
		{in: "--5s", err: "invalid duration"},             //
		{in: "1..5s", err: "invalid duration"},            //
		{in: "9999999999999999999999h", err: "too large"}, //
		{in: "0.0000000001ns", want: 0},                   // rounds to whole nanoseconds
		{in: "106751d", want: 106751 * 24 * time.Hour},    // about the largest
		{in: "1h0m0s", want: time.Hour},                   // time.Duration.String's form
		{in: "2m3.5s", want: 2*time.Minute + 3500*time.Millisecond},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.err != "" {
			if assert.Error(t, err, "ParseDuration(%q)", tt.in) {
				assert.Contains(t, err.Error(), tt.err, "ParseDuration(%q)", tt.in)
			}
			continue
		}
		if assert.NoError(t, err, "ParseDuration(%q)", tt.in) {
			assert.Equal(t, tt.want, got.D(), "ParseDuration(%q)", tt.in)
		}
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want float64 // per second
		err  string
	}{
		{in: "2000/s", want: 2000},
		{in: "90/m", want: 1.5},
		{in: "5/h", want: 5.0 / 3600},
		{in: "0.5/s", want: 0.5},
		{in: "2k/s", want: 2000},
		{in: "1.5M/s", want: 1.5e6},
		{in: "10/ms", want: 10000},
		{in: "1e9/s", want: 1e9},
		{in: "2.5E+3/s", want: 2500},
		{in: "1e3k/s", want: 1e6},
		{in: "1e/s", err: "invalid rate"},
		{in: "48/d", want: 48.0 / 86400},
		{in: "-5/s", want: -5}, // parsed; validation rejects it
		{in: "0", want: 0},
		{in: "2000", err: "rate needs a unit of time, e.g. 2000/s"},
		{in: "2000/x", err: `unknown rate unit "/x"`},
		{in: "2000/", err: `unknown rate unit "/"`},
		{in: "2000/sec", err: `unknown rate unit "/sec"`},
		{in: "/s", err: "invalid rate"},
		{in: "2K/s", err: "invalid rate"}, // k and M only
		{in: "2 /s", err: "invalid rate"},
		{in: "fast", err: "invalid rate"},
		{in: "5s", err: "invalid rate"},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if tt.err != "" {
			if assert.Error(t, err, "ParseRate(%q)", tt.in) {
				assert.Contains(t, err.Error(), tt.err, "ParseRate(%q)", tt.in)
			}
			continue
		}
		if assert.NoError(t, err, "ParseRate(%q)", tt.in) {
			assert.InDelta(t, tt.want, float64(got), 1e-12, "ParseRate(%q)", tt.in)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{in: "1B", want: 1},
		{in: "1KB", want: 1024}, // KB is 1024 bytes
		{in: "1KiB", want: 1024},
		{in: "1.5KB", want: 1536},
		{in: "0.3KB", want: 307}, // 307.2 rounds to whole bytes
		{in: "400KB", want: 400 << 10},
		{in: "10MB", want: 10 << 20},
		{in: "100GB", want: 100 << 30},
		{in: "2GiB", want: 2 << 30},
		{in: "1TB", want: 1 << 40},
		{in: "1TiB", want: 1 << 40},
		{in: "-1KB", want: -1024}, // parsed; validation rejects it
		{in: "0", want: 0},
		{in: "4", err: "size needs a unit, e.g. 4KB"},
		{in: "4kb", err: `unknown size unit "kb"`}, // units are case-sensitive
		{in: "4 KB", err: `unknown size unit " KB"`},
		{in: "4PB", err: `unknown size unit "PB"`},
		{in: "KB", err: "invalid size"},
		{in: "", err: "invalid size"},
		{in: "99999999999TB", err: "too large"},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.err != "" {
			if assert.Error(t, err, "ParseSize(%q)", tt.in) {
				assert.Contains(t, err.Error(), tt.err, "ParseSize(%q)", tt.in)
			}
			continue
		}
		if assert.NoError(t, err, "ParseSize(%q)", tt.in) {
			assert.Equal(t, tt.want, int64(got), "ParseSize(%q)", tt.in)
		}
	}
}

func TestParseByteRate(t *testing.T) {
	tests := []struct {
		in   string
		want float64 // bytes per second
		err  string
	}{
		{in: "50MB/s", want: 50 << 20},
		{in: "1.5GB/s", want: 1.5 * (1 << 30)},
		{in: "60KB/m", want: 1024},
		{in: "100B/ms", want: 100_000},
		{in: "0", want: 0},
		{in: "50MB", err: "byte rate needs a unit of time, e.g. 50MB/s"},
		{in: "50/s", err: `invalid byte rate "50/s"`},
		{in: "50Mb/s", err: `invalid byte rate "50Mb/s"`},
		{in: "50MB/x", err: `unknown time unit "/x"`},
	}
	for _, tt := range tests {
		got, err := ParseByteRate(tt.in)
		if tt.err != "" {
			if assert.Error(t, err, "ParseByteRate(%q)", tt.in) {
				assert.Contains(t, err.Error(), tt.err, "ParseByteRate(%q)", tt.in)
			}
			continue
		}
		if assert.NoError(t, err, "ParseByteRate(%q)", tt.in) {
			assert.InDelta(t, tt.want, float64(got), 1e-6, "ParseByteRate(%q)", tt.in)
		}
	}
}

// TestUnitStrings pins the formatting, and that each form parses back to
// the same value.
func TestUnitStrings(t *testing.T) {
	durations := map[time.Duration]string{
		0:                       "0s",
		7:                       "7ns",
		450 * time.Microsecond:  "450us",
		1500 * time.Microsecond: "1.5ms",
		50 * time.Millisecond:   "50ms",
		2 * time.Second:         "2s",
		45 * time.Second:        "45s",
		90 * time.Second:        "1.5m",
		15 * time.Minute:        "15m",
		time.Hour + time.Second: "3601s", // not exact in 3 decimals of m or h
		30 * 24 * time.Hour:     "30d",
		-5 * time.Second:        "-5s",
	}
	for d, want := range durations {
		got := Duration(d).String()
		assert.Equal(t, want, got, "Duration(%d)", int64(d))
		back, err := ParseDuration(got)
		require.NoError(t, err)
		assert.Equal(t, d, back.D(), "round trip of %s", got)
	}

	rates := map[Rate]string{0: "0/s", 2000: "2000/s", 1.5: "1.5/s", 0.5: "30/m", 5.0 / 3600: "5/h", -5: "-5/s"}
	for r, want := range rates {
		got := r.String()
		assert.Equal(t, want, got)
		back, err := ParseRate(got)
		require.NoError(t, err)
		assert.InDelta(t, float64(r), float64(back), 1e-12, "round trip of %s", got)
	}

	sizes := map[Size]string{0: "0B", 1: "1B", 1000: "1000B", 1024: "1KB", 1536: "1.5KB", 1537: "1537B", 100 << 30: "100GB", 2 << 40: "2TB"}
	for s, want := range sizes {
		got := s.String()
		assert.Equal(t, want, got)
		back, err := ParseSize(got)
		require.NoError(t, err)
		assert.Equal(t, s, back, "round trip of %s", got)
	}

	assert.Equal(t, "50MB/s", ByteRate(50<<20).String())
	assert.Equal(t, "0B/s", ByteRate(0).String())
}

func TestWrapWords(t *testing.T) {
	assert.Equal(t, "short one", WrapWords("short  one", 20))
	assert.Equal(t, "on-demand +\n(unset)", WrapWords("on-demand + (unset)", 12))
	assert.Equal(t, "averyverylongword\nfits", WrapWords("averyverylongword fits", 8))
}
