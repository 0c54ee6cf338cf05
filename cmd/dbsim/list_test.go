package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/scenarios"
)

// dbsim list shows each scenario's first sentence under its name, within
// 80 columns, whole or cut at a word boundary with an ellipsis, never in
// the middle of a word or of a parenthesis.
func TestListSummariesAreWholeSentencesOrCutCleanly(t *testing.T) {
	out, errOut, code := run(t, "list")
	require.Equal(t, exitOK, code, errOut)
	summaries := map[string]string{}
	var name string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		assert.LessOrEqual(t, len([]rune(line)), 80, line)
		switch {
		case strings.HasPrefix(line, "    "):
			summaries[name] = strings.TrimSpace(summaries[name] + " " + strings.TrimSpace(line))
		case line != "" && !strings.HasPrefix(line, "Comparisons"):
			name = line
		}
	}
	for _, b := range scenarios.Bundled() {
		s, err := scenarios.LoadBundled(b.Name)
		require.NoError(t, err)
		sentence := firstSentence(s.Description)
		got, ok := summaries[b.Name]
		require.True(t, ok, "%s is listed:\n%s", b.Name, out)
		assert.True(t, strings.HasSuffix(sentence, "."), "%s: %q", b.Name, sentence)
		if short, cut := strings.CutSuffix(got, " …"); cut {
			assert.True(t, strings.HasPrefix(sentence, short), "%s: %q is the start of %q", b.Name, short, sentence)
			assert.Contains(t, " ,;:", sentence[len(short):len(short)+1], "%s: cut between words: %q", b.Name, got)
			assert.Equal(t, strings.Count(short, "("), strings.Count(short, ")"), "%s: not inside a parenthesis: %q", b.Name, got)
		} else {
			assert.Equal(t, sentence, got, b.Name)
		}
	}
	assert.Contains(t, summaries["rds-multi-az-failover"], "fails three minutes in.", "a short sentence is whole")
}

func TestFirstSentence(t *testing.T) {
	assert.Equal(t, "One (fact 5.1).", firstSentence("One (fact\n  5.1). boto3 retries."))
	assert.Equal(t, "Units, e.g. 5s, are needed.", firstSentence("Units, e.g. 5s, are needed. More."))
	assert.Equal(t, "No full stop", firstSentence("No full stop"))
}

func TestClip(t *testing.T) {
	assert.Equal(t, "short", clip("short", 10))
	assert.Equal(t, "a long sentence …", clip("a long sentence, with a clause", 20), "at the clause")
	assert.Equal(t, "one two three …", clip("one two three four", 16), "at a word")
	assert.Equal(t, "a service …", clip("a service (2,000 req/s, 70% reads) on RDS", 30), "not inside a parenthesis")
	assert.Equal(t, "abcdef…", clip("abcdefghij", 6), "one long word")
}
