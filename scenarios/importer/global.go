package importer

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// An Aurora Global Database is imported as its primary cluster with
// global.secondaries, one per other Region. Which cluster is the primary
// comes from describe-global-clusters (IsWriter) when it is in the input,
// else from the clusters themselves: the primary holds the master user.

// isSecondary reports whether c is a secondary cluster of a Global
// Database whose primary is also in the input.
func (inv *inventory) isSecondary(c *dbCluster) bool {
	if c.global == "" {
		return false
	}
	if g := inv.global(c.global); g != nil {
		for _, m := range g.members {
			if sameCluster(m.id, c) {
				return !m.writer
			}
		}
	}
	for _, o := range inv.clusters {
		if o == c || !strings.EqualFold(o.global, c.global) {
			continue
		}
		if o.primary && !c.primary || o.primary == c.primary && slices.Index(inv.clusters, o) < slices.Index(inv.clusters, c) {
			return true
		}
	}
	return false
}

// sameCluster reports whether the ARN names the cluster c.
func sameCluster(arn string, c *dbCluster) bool {
	r := regionOfARN(arn)
	return strings.EqualFold(idOfARN(arn), c.id) && (r == "" || c.region == "" || r == c.region)
}

func (inv *inventory) global(id string) *globalCluster {
	for _, g := range inv.globals {
		if strings.EqualFold(g.id, id) {
			return g
		}
	}
	return nil
}

// secondaryRegions are the Regions of c's Global Database other than its
// own, from describe-global-clusters and the other member clusters.
func (inv *inventory) secondaryRegions(c *dbCluster) []string {
	var rs []string
	add := func(r string) {
		if r != "" && r != c.region && !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	if g := inv.global(c.global); g != nil {
		for _, m := range g.members {
			if !sameCluster(m.id, c) {
				add(regionOfARN(m.id))
			}
		}
	}
	for _, o := range inv.clusters {
		if o != c && strings.EqualFold(o.global, c.global) {
			add(o.region)
		}
	}
	return rs
}

// writeGlobal writes global.secondaries for the primary cluster c of a
// Global Database.
func (inv *inventory) writeGlobal(m *yaml.Node, c *dbCluster, t *topo, eng string) {
	if c.global == "" {
		return
	}
	if eng != "aurora-postgresql" && eng != "aurora-mysql" {
		inv.w.add(c.src, c.n, c.path, "Global Database %s: not modelled for %s; not imported", c.global, eng)
		return
	}
	rs := inv.secondaryRegions(c)
	if len(rs) == 0 {
		inv.w.add(c.src, c.n, c.path, "Global Database %s: its secondary clusters are not in the input (add describe-global-clusters, or their describe-db-clusters); not imported", c.global)
		return
	}
	if len(rs) > 10 {
		inv.w.add(c.src, c.n, c.path, "Global Database %s: %d secondary Regions, and a Global Database has at most 10 (fact 3.35): the first 10 imported", c.global, len(rs))
		rs = rs[:10]
	}
	g := mapping(false)
	ss := seq(false)
	for _, r := range rs {
		t.addRegion(r)
		e := mapping(true)
		put(e, "region", text(r), "")
		ss.Content = append(ss.Content, e)
	}
	put(g, "secondaries", ss, "")
	put(m, "global", g, "")
}

// linkGlobals marks the clusters describe-global-clusters lists as
// members of their Global Database (a cluster's own description may not
// name it).
func (inv *inventory) linkGlobals() {
	for _, g := range inv.globals {
		for _, m := range g.members {
			for _, c := range inv.clusters {
				if c.global == "" && sameCluster(m.id, c) {
					c.global = g.id
				}
			}
		}
	}
}
