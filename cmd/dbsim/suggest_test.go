package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/models/aurora"
	"dbsim/models/rds"
)

// A mistyped name gets the names it looks like a typo of, and exit status 2.
func TestDidYouMean(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "rds-multi-az-failovr"}, "rds-multi-az-failovr: no such file, and no bundled scenario of that name; did you mean rds-multi-az-failover? (see dbsim list)\n"},
		{[]string{"validate", "client-dns-cach"}, "did you mean client-dns-cache?"},
		{[]string{"compare", "rds-vs-aurora-vs-dynamodbb"}, "no bundled scenario or comparison of that name; did you mean rds-vs-aurora-vs-dynamodb?"},
		{[]string{"rn"}, `dbsim: unknown command "rn"; did you mean run? (commands: `},
		{[]string{"help", "valdiate"}, `unknown command "valdiate"; did you mean validate?`},
	} {
		_, errOut, code := run(t, c.args...)
		assert.Equal(t, exitBadInput, code, "%v", c.args)
		assert.Contains(t, errOut, c.want, "%v", c.args)
	}
	_, errOut, _ := run(t, "run", "no-such-scenario-at-all")
	assert.NotContains(t, errOut, "did you mean", "nothing near")

	key := writeTemp(t, "key.yaml", "name: k\nduration: 1m\nsystem:\n  kind: rds\n  instance_clas: db.r6g.large\nworkload: [{arrival: {rate: 10/s}}]\n")
	_, errOut, code := run(t, "validate", key)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errOut, key+`:5:3: system: unknown key "instance_clas"; did you mean instance_class? (allowed: kind, engine, instance_class,`)

	class := writeTemp(t, "class.yaml", "name: c\nduration: 1m\nsystem: {kind: rds, instance_class: db.r6g.larg}\nworkload: [{arrival: {rate: 10/s}}]\n")
	_, errOut, code = run(t, "validate", class)
	assert.Equal(t, exitBadInput, code)
	assert.Equal(t, class+`:3:37: system.instance_class: unknown instance class "db.r6g.larg"; did you mean db.r6g.large? (allowed: 70 classes; dbsim list --classes lists them)`+"\n", errOut)
}

// dbsim list --classes lists every class validation accepts, which the
// message about an unknown class points to.
func TestListClasses(t *testing.T) {
	out, errOut, code := run(t, "list", "--classes")
	require.Equal(t, exitOK, code, errOut)
	i := strings.Index(out, "Aurora (kind: aurora) instance classes:")
	require.Greater(t, i, 0, out)
	for _, n := range rds.ClassNames() {
		assert.Regexp(t, `\n  `+strings.ReplaceAll(n, ".", `\.`)+` +\d+ vCPUs +\d+ GiB\n`, out[:i])
	}
	for _, n := range aurora.ClassNames() {
		assert.Contains(t, out[i:], "\n  "+n+" ")
	}
	assert.Regexp(t, `db\.r6g\.large +2 vCPUs +16 GiB\n +db\.r6g\.xlarge +4 vCPUs`, out, "by family, then size")
}
