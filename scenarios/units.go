package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Units of the scenario format. Every duration, rate and size in a scenario
// is written with its unit; a bare 0 is the only number that needs none.

// durationUnits are the units of a Duration, largest first (the order
// String tries them in).
var durationUnits = []unit{
	{"d", float64(24 * time.Hour)},
	{"h", float64(time.Hour)},
	{"m", float64(time.Minute)},
	{"s", float64(time.Second)},
	{"ms", float64(time.Millisecond)},
	{"us", float64(time.Microsecond)},
	{"ns", 1},
}

// durationAliases are further spellings of durationUnits (micro sign and
// Greek mu, as time.ParseDuration accepts).
var durationAliases = map[string]string{"µs": "us", "μs": "us"}

// sizeUnits are the units of a Size, largest first. KB = 1024 B, as
// DynamoDB's capacity units count.
var sizeUnits = []unit{
	{"TB", 1 << 40},
	{"GB", 1 << 30},
	{"MB", 1 << 20},
	{"KB", 1 << 10},
	{"B", 1},
}

// sizeAliases are the IEC spellings, accepted with the same meaning.
var sizeAliases = map[string]string{"KiB": "KB", "MiB": "MB", "GiB": "GB", "TiB": "TB"}

// rateMultipliers scale the count of a rate: 2k/s is 2000/s.
var rateMultipliers = map[string]float64{"": 1, "k": 1e3, "M": 1e6}

const (
	durationHelp = "units: ns us ms s m h d"
	rateHelp     = "units: /ms /s /m /h /d; k and M multiply, as in 2k/s; 1e6/s is a million a second"
	sizeHelp     = "units: B KB MB GB TB; 1KB = 1024B"
	byteRateHelp = "a size per unit of time; size units: B KB MB GB TB, time units: ms s m h d"
)

// unit is a named multiple of a base quantity (nanoseconds, bytes).
type unit struct {
	name string
	size float64
}

// lookupUnit finds name among units, after mapping an alias to its unit.
func lookupUnit(units []unit, aliases map[string]string, name string) (float64, bool) {
	if a, ok := aliases[name]; ok {
		name = a
	}
	for _, u := range units {
		if u.name == name {
			return u.size, true
		}
	}
	return 0, false
}

// ParseDuration parses a span written as a number and a unit (ns, us, µs,
// ms, s, m, h, d), or a sequence of them as in 1m30s or 1d12h. Decimals are
// allowed (1.5ms) and so is a sign; "0" needs no unit.
func ParseDuration(s string) (Duration, error) {
	body, neg := cutSign(s)
	if body == "" {
		return 0, fmt.Errorf("invalid duration %q (want a number and a unit, e.g. 5s, 1.5ms, 1m30s; %s)", s, durationHelp)
	}
	if body == "0" {
		return 0, nil
	}
	var total float64
	for rest := body; rest != ""; {
		num, after := cutNumber(rest)
		if num == "" {
			return 0, fmt.Errorf("invalid duration %q (want a number and a unit, e.g. 5s, 1.5ms, 1m30s; %s)", s, durationHelp)
		}
		name, after := cutUnit(after)
		switch {
		case name == "" && rest == body && after == "":
			return 0, fmt.Errorf("duration needs a unit, e.g. 5s (%s)", durationHelp)
		case name == "" && after == "":
			return 0, fmt.Errorf("invalid duration %q: %s has no unit (%s)", s, num, durationHelp)
		case name == "":
			return 0, fmt.Errorf("invalid duration %q (want a number and a unit, e.g. 5s, 1.5ms, 1m30s; %s)", s, durationHelp)
		}
		size, ok := lookupUnit(durationUnits, durationAliases, name)
		if !ok {
			return 0, fmt.Errorf("unknown duration unit %q in %q (%s)", name, s, durationHelp)
		}
		f, _ := strconv.ParseFloat(num, 64) // cutNumber only returns valid numbers
		total += f * size
		rest = after
	}
	if total >= math.MaxInt64 {
		return 0, fmt.Errorf("duration %q is too large (at most 106751d)", s)
	}
	d := Duration(math.Round(total))
	if neg {
		d = -d
	}
	return d, nil
}

// String formats d with the largest unit that shows it exactly in at most
// three decimals: 1.5ms, 90s is 1.5m, 30d. ParseDuration reads it back.
func (d Duration) String() string {
	if d == 0 {
		return "0s"
	}
	return formatUnits(float64(d), durationUnits)
}

// ParseRate parses events per unit of time: 2000/s, 90/m, 0.5/s, 2k/s. The
// result is in events per second.
func ParseRate(s string) (Rate, error) {
	count, per, ok := strings.Cut(s, "/")
	if !ok {
		if body, _ := cutSign(s); body == "0" {
			return 0, nil
		}
		if num, rest := cutNumber(strings.TrimLeft(s, "+-")); num != "" && rest == "" {
			return 0, fmt.Errorf("rate needs a unit of time, e.g. 2000/s (%s)", rateHelp)
		}
		return 0, fmt.Errorf("invalid rate %q (want a count per unit of time, e.g. 2000/s; %s)", s, rateHelp)
	}
	body, neg := cutSign(count)
	num, suffix := cutExponent(cutNumber(body))
	mult, okMult := rateMultipliers[suffix]
	if num == "" || !okMult {
		return 0, fmt.Errorf("invalid rate %q (want a count per unit of time, e.g. 2000/s; %s)", s, rateHelp)
	}
	size, ok := lookupUnit(durationUnits, durationAliases, per)
	if !ok {
		return 0, fmt.Errorf("unknown rate unit \"/%s\" in %q (%s)", per, s, rateHelp)
	}
	f, _ := strconv.ParseFloat(num, 64)
	r := f * mult * float64(time.Second) / size
	if math.IsInf(r, 0) {
		return 0, fmt.Errorf("rate %q is too large", s)
	}
	if neg {
		r = -r
	}
	return Rate(r), nil
}

// cutExponent moves a decimal exponent ("e9", "E+6") from the front of
// rest to the end of num, so that a count can be written 1e9.
func cutExponent(num, rest string) (string, string) {
	if num == "" || len(rest) < 2 || (rest[0] != 'e' && rest[0] != 'E') {
		return num, rest
	}
	i := 1
	if rest[i] == '+' || rest[i] == '-' {
		i++
	}
	j := i
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	if j == i {
		return num, rest
	}
	return num + rest[:j], rest[j:]
}

// String formats r per second, or per minute or hour when it is below one
// a second: 2000/s, 30/m, 5/h.
func (r Rate) String() string {
	v := float64(r)
	switch {
	case v == 0 || math.Abs(v) >= 1:
		return formatNumber(v) + "/s"
	case math.Abs(v)*60 >= 1:
		return formatNumber(v*60) + "/m"
	default:
		return formatNumber(v*3600) + "/h"
	}
}

// ParseSize parses a byte count written with a unit: B, KB, MB, GB, TB
// (1024-based; KiB, MiB, GiB, TiB are the same). Decimals are allowed and
// rounded to whole bytes (1.5KB is 1536 bytes); "0" needs no unit.
func ParseSize(s string) (Size, error) {
	f, err := parseSizeFloat(s)
	if err != nil {
		return 0, err
	}
	if math.Abs(f) >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return Size(math.Round(f)), nil
}

// parseSizeFloat is ParseSize without the rounding to whole bytes.
func parseSizeFloat(s string) (float64, error) {
	body, neg := cutSign(s)
	if body == "0" {
		return 0, nil
	}
	num, name := cutNumber(body)
	if num == "" {
		return 0, fmt.Errorf("invalid size %q (want a number and a unit, e.g. 4KB; %s)", s, sizeHelp)
	}
	if name == "" {
		return 0, fmt.Errorf("size needs a unit, e.g. 4KB (%s)", sizeHelp)
	}
	size, ok := lookupUnit(sizeUnits, sizeAliases, name)
	if !ok {
		return 0, fmt.Errorf("unknown size unit %q in %q (%s)", name, s, sizeHelp)
	}
	f, _ := strconv.ParseFloat(num, 64)
	if neg {
		f = -f
	}
	return f * size, nil
}

// String formats s with the largest unit that shows it exactly in at most
// three decimals: 1KB, 1.5KB, 100GB, 1000B.
func (s Size) String() string {
	if s == 0 {
		return "0B"
	}
	return formatUnits(float64(s), sizeUnits)
}

// ParseByteRate parses a size per unit of time, such as 50MB/s. The result
// is in bytes per second.
func ParseByteRate(s string) (ByteRate, error) {
	amount, per, ok := strings.Cut(s, "/")
	if !ok {
		if body, _ := cutSign(s); body == "0" {
			return 0, nil
		}
		return 0, fmt.Errorf("byte rate needs a unit of time, e.g. 50MB/s (%s)", byteRateHelp)
	}
	f, err := parseSizeFloat(amount)
	if err != nil {
		return 0, fmt.Errorf("invalid byte rate %q (want %s, e.g. 50MB/s)", s, byteRateHelp)
	}
	size, ok := lookupUnit(durationUnits, durationAliases, per)
	if !ok {
		return 0, fmt.Errorf("unknown time unit \"/%s\" in byte rate %q (want %s, e.g. 50MB/s)", per, s, byteRateHelp)
	}
	b := f * float64(time.Second) / size
	if math.IsInf(b, 0) {
		return 0, fmt.Errorf("byte rate %q is too large", s)
	}
	return ByteRate(b), nil
}

// String formats b as a size per second: 50MB/s.
func (b ByteRate) String() string {
	if b == 0 {
		return "0B/s"
	}
	return formatUnits(float64(b), sizeUnits) + "/s"
}

// cutSign removes a leading + or - and reports whether it was a minus.
func cutSign(s string) (string, bool) {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		return s[1:], s[0] == '-'
	}
	return s, false
}

// cutNumber splits s after a leading unsigned decimal number (12, 1.5, .5,
// 3.). It returns "" as the number when s does not start with one.
func cutNumber(s string) (num, rest string) {
	i, digits := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return "", s
	}
	return s[:i], s[i:]
}

// cutUnit splits s before the next digit or dot: "ms30us" is "ms", "30us".
func cutUnit(s string) (name, rest string) {
	i := strings.IndexAny(s, "0123456789.")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// formatUnits writes v (in the base unit) with the first of units, largest
// first, that shows it exactly in at most three decimals; the last unit is
// the base and always fits.
func formatUnits(v float64, units []unit) string {
	for _, u := range units {
		if math.Abs(v) < u.size && u.size != 1 {
			continue
		}
		s := strconv.FormatFloat(v/u.size, 'f', -1, 64)
		if dot := strings.IndexByte(s, '.'); dot < 0 || len(s)-dot-1 <= 3 || u.size == 1 {
			return s + u.name
		}
	}
	return strconv.FormatFloat(v, 'f', -1, 64) // unreachable: the base unit fits
}

// formatNumber writes v with up to 12 significant digits and no exponent,
// so that float noise (5.000000000000001) does not show.
func formatNumber(v float64) string {
	rounded, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return strconv.FormatFloat(rounded, 'f', -1, 64)
}

// WrapWords breaks text into lines of about width characters at its
// spaces (a word longer than width keeps its own line), for the comments
// and labels that carry a scenario's words.
func WrapWords(s string, width int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}
