package importer

import (
	"fmt"
	"math"
	"strings"

	"gopkg.in/yaml.v3"
)

// scaling is what the auto scaling targets and policies of one table or
// index say, per dimension.
type scaling struct {
	readTarget, writeTarget *scalingTarget
	readPolicy, writePolicy *scalingPolicy
}

// scalingOf collects the targets and policies of resource ("table/NAME"
// or "table/NAME/index/INDEX"), and marks them used.
func (inv *inventory) scalingOf(resource string, used map[any]bool) scaling {
	var s scaling
	for _, t := range inv.targets {
		if t.namespace != "dynamodb" || t.resource != resource {
			continue
		}
		used[t] = true
		if strings.HasSuffix(t.dimension, "ReadCapacityUnits") {
			s.readTarget = t
		} else if strings.HasSuffix(t.dimension, "WriteCapacityUnits") {
			s.writeTarget = t
		}
	}
	for _, p := range inv.policies {
		if p.namespace != "dynamodb" || p.resource != resource {
			continue
		}
		used[p] = true
		if p.kind != "" && p.kind != "TargetTrackingScaling" {
			inv.w.add(p.src, p.n, p.path, "%s: not modelled (dbsim's auto scaling tracks a target); not imported", p.kind)
			continue
		}
		if strings.HasSuffix(p.dimension, "ReadCapacityUnits") {
			s.readPolicy = p
		} else if strings.HasSuffix(p.dimension, "WriteCapacityUnits") {
			s.writePolicy = p
		}
	}
	return s
}

// node writes the autoscaling block, or nil when there is no target. rcu
// and wcu are the provisioned throughput: a dimension without a target is
// pinned to it.
func (s scaling) node(inv *inventory, rcu, wcu float64) *yaml.Node {
	if s.readTarget == nil && s.writeTarget == nil {
		return nil
	}
	m := mapping(true)
	var target float64
	var notes []string
	switch r, w := s.readPolicy, s.writePolicy; {
	case w != nil && w.hasTarget && r != nil && r.hasTarget && r.target != w.target:
		inv.w.add(r.src, r.n, r.path, "a read target of %g%% and a write target of %g%%: dbsim tracks one target for both; taking the write policy's", r.target, w.target)
		target = w.target
	case w != nil && w.hasTarget:
		target = w.target
	case r != nil && r.hasTarget:
		target = r.target
	}
	if target != 0 && (target < 20 || target > 90) {
		p := s.writePolicy
		if p == nil || !p.hasTarget {
			p = s.readPolicy
		}
		inv.w.add(p.src, p.n, p.path, "a target of %g%%: DynamoDB's target tracking takes 20 to 90 %% (fact 5.22); dbsim's default target is used", target)
		target = 0
	}
	if target > 0 {
		put(m, "target", number(target/100), "")
	} else {
		notes = append(notes, "the target: no scaling policy in the input")
	}
	bounds := func(t *scalingTarget, dim string, cur float64) {
		if t != nil && t.min >= 1 && t.max >= t.min {
			put(m, "min_"+dim, number(t.min), "")
			put(m, "max_"+dim, number(t.max), "")
			return
		}
		if t != nil {
			inv.w.add(t.src, t.n, t.path, "MinCapacity %g and MaxCapacity %g: not a range (at least 1, max at least min); the dimension is pinned at its capacity", t.min, t.max)
		}
		put(m, "min_"+dim, number(cur), "")
		put(m, "max_"+dim, number(cur), "")
		notes = append(notes, fmt.Sprintf("%s pinned at %g (not auto scaled in the source)", dim, cur))
	}
	bounds(s.readTarget, "rcu", rcu)
	bounds(s.writeTarget, "wcu", wcu)
	if len(notes) > 0 {
		m.LineComment = strings.Join(notes, "; ")
	}
	return m
}

func (inv *inventory) writeTable(sys *system, t *topo) (*yaml.Node, *yaml.Node, string) {
	tb := sys.tbl
	m := mapping(false)
	put(m, "kind", text("dynamodb"), "")
	tm := mapping(false)
	mode := "provisioned"
	if tb.onDemand {
		mode = "on-demand"
	}
	put(tm, "mode", text(mode), "")
	used := map[any]bool{}
	if !tb.onDemand {
		if tb.rcu > 0 {
			put(tm, "rcu", number(tb.rcu), "")
		}
		if tb.wcu > 0 {
			put(tm, "wcu", number(tb.wcu), "")
		}
	}
	if tb.size > 0 {
		put(tm, "size", size(tb.size), "")
	}
	itemSize := tb.itemSize()
	sc := inv.scalingOf("table/"+tb.name, used)
	if tb.onDemand {
		if sc.readTarget != nil || sc.writeTarget != nil {
			inv.w.add(tb.src, tb.n, tb.path, "auto scaling targets for an on-demand table: not modelled (on-demand does not auto scale); not imported")
		}
	} else if a := sc.node(inv, or0(tb.rcu, 1000), or0(tb.wcu, 1000)); a != nil {
		put(tm, "autoscaling", a, "")
	}
	// The default rate: half the provisioned capacity of each dimension
	// (table and indexes), at the item size and eventual reads.
	readUnits := math.Ceil(math.Max(itemSize, 1024)/4096) * 0.5
	writeUnits := math.Ceil(math.Max(itemSize, 1024) / 1024)
	rate := math.Inf(1)
	if !tb.onDemand {
		rate = 0.5 * math.Min(or0(tb.rcu, 1000)/(readShare*readUnits), or0(tb.wcu, 1000)/((1-readShare)*writeUnits))
	}
	if len(tb.gsis) > 0 {
		gs := seq(false)
		for _, g := range tb.gsis {
			e := mapping(true)
			put(e, "name", text(g.name), "")
			if !tb.onDemand {
				if g.rcu > 0 {
					put(e, "rcu", number(g.rcu), "")
				}
				if g.wcu > 0 {
					put(e, "wcu", number(g.wcu), "")
				}
			}
			share := 1.0
			if g.items > 0 && tb.items > 0 {
				share = math.Min(1, math.Round(g.items/tb.items*1000)/1000)
				put(e, "share", number(share), "")
			}
			proj := itemSize
			if g.items > 0 && g.size > 0 {
				proj = math.Max(1, math.Round(g.size/g.items))
				put(e, "projected_size", size(proj), "")
			}
			if !tb.onDemand && g.wcu > 0 && share > 0 {
				rate = math.Min(rate, 0.5*g.wcu/((1-readShare)*share*math.Ceil(math.Max(proj, 1)/1024)))
			}
			gsc := inv.scalingOf("table/"+tb.name+"/index/"+g.name, used)
			if tb.onDemand {
				if gsc.readTarget != nil || gsc.writeTarget != nil {
					inv.w.add(tb.src, tb.n, tb.path, "auto scaling targets for index %s of an on-demand table: not modelled; not imported", g.name)
				}
			} else if a := gsc.node(inv, or0(g.rcu, or0(tb.rcu, 1000)), or0(g.wcu, or0(tb.wcu, 1000))); a != nil {
				e.Style = 0 // a block, to hold the nested autoscaling
				put(e, "autoscaling", a, "")
			}
			gs.Content = append(gs.Content, e)
		}
		put(tm, "gsis", gs, "")
	}
	if len(tb.lsis) > 0 {
		ls := seq(false)
		for _, l := range tb.lsis {
			e := mapping(true)
			put(e, "name", text(l.name), "")
			if l.items > 0 && l.size > 0 {
				put(e, "projected_size", size(math.Max(1, math.Round(l.size/l.items))), "")
			}
			ls.Content = append(ls.Content, e)
		}
		put(tm, "lsis", ls, "")
	}
	var replicas []string
	for _, r := range tb.replicas {
		if r != t.region {
			replicas = append(replicas, r)
		}
	}
	if len(replicas) > 0 {
		if t.region == "" {
			inv.w.add(tb.src, tb.n, tb.path, "the table's own Region is not in the input: taking us-east-1 (the replicas are in %s)", strings.Join(replicas, ", "))
			t.region = "us-east-1"
		}
		rs := seq(false)
		for _, r := range replicas {
			if r == t.region {
				continue
			}
			t.addRegion(r)
			e := mapping(true)
			put(e, "region", text(r), "")
			rs.Content = append(rs.Content, e)
		}
		put(tm, "replicas", rs, "")
	}
	put(m, "table", tm, "")
	od := mapping(true)
	if tb.onDemand {
		if tb.warmRRU > 0 {
			put(od, "initial_rru", number(tb.warmRRU), "")
		}
		if tb.warmWRU > 0 {
			put(od, "initial_wru", number(tb.warmWRU), "")
		}
		if tb.maxRRU > 0 {
			put(od, "max_rru", number(tb.maxRRU), "")
			rate = math.Min(rate, 0.5*tb.maxRRU/(readShare*readUnits))
		}
		if tb.maxWRU > 0 {
			put(od, "max_wru", number(tb.maxWRU), "")
			rate = math.Min(rate, 0.5*tb.maxWRU/((1-readShare)*writeUnits))
		}
	} else if tb.warmRRU > 0 || tb.warmWRU > 0 {
		inv.w.add(tb.src, tb.n, tb.path, "warm throughput of a provisioned table: not modelled (its partitions come from rcu, wcu and size); not imported")
	}
	if len(od.Content) > 0 {
		put(m, "on_demand", od, "")
	}
	// Targets and policies of other resources are not silently dropped.
	for _, x := range inv.targets {
		if !used[x] {
			inv.w.add(x.src, x.n, x.path, "%s %s: not for the imported table %s; not imported", x.resource, x.dimension, tb.name)
		}
	}
	for _, x := range inv.policies {
		if !used[x] {
			inv.w.add(x.src, x.n, x.path, "%s %s: not for the imported table %s; not imported", x.resource, x.dimension, tb.name)
		}
	}
	note := defaultNote + ": half the provisioned capacity at the item size"
	if tb.onDemand {
		rate, note = math.Min(rate, 1000), defaultNote
	}
	work := workload(rate, note, func(w *yaml.Node) {
		if itemSize > 0 {
			put(w, "item_size", size(itemSize), "TableSizeBytes / ItemCount")
		}
		if tb.items > 0 {
			k := mapping(true)
			put(k, "count", number(tb.items), "")
			k.LineComment = "ItemCount"
			put(w, "keys", k, "")
		}
	})
	summary := fmt.Sprintf("DynamoDB table %s, %s", tb.name, mode)
	if len(tb.gsis) > 0 {
		summary += ", " + plural(len(tb.gsis), "global secondary index", "global secondary indexes")
	}
	if len(replicas) > 0 {
		summary += ", a global table with replicas in " + strings.Join(replicas, ", ")
	}
	return m, work, summary
}

// or0 is v, or alt when v is 0.
func or0(v, alt float64) float64 {
	if v == 0 {
		return alt
	}
	return v
}
