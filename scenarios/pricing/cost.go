package pricing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"dbsim/models/metric"
	"dbsim/models/rds"
	"dbsim/scenarios"
)

// Cost is what a scenario's system would cost per month (Prices.HoursPerMonth,
// 730 h by default) at list price, broken down by what is billed. For request-
// and capacity-priced systems (Aurora I/O, Serverless v2, DynamoDB on-demand)
// the usage measured over the replication's window is taken to last the whole
// month. Amounts are USD rounded to the cent.
type Cost struct {
	InstancesUSD float64 `json:"instances_usd"`
	StorageUSD   float64 `json:"storage_usd"`
	IOUSD        float64 `json:"io_usd"`
	CapacityUSD  float64 `json:"capacity_usd"`
	RequestsUSD  float64 `json:"requests_usd"`
	// TransferUSD is data sent between Regions (a Global Database's redo,
	// a cross-Region read replica's log); left out when there is none.
	TransferUSD float64 `json:"transfer_usd,omitempty"`
	TotalUSD    float64 `json:"total_usd"`
	// Estimated is true when some item was not in the price table and was
	// extrapolated (an instance class scaled from its family's price), or
	// could not be priced at all; the items say which and how.
	Estimated bool `json:"estimated"`
	// Partial is true when some item could not be priced at all (no price
	// in the table, or no cost model for the system yet): it counts 0, so
	// the total is only a lower bound. A sweep reports no cost for it.
	Partial bool `json:"partial"`
	// Items are the billed lines the totals add up, in a fixed order.
	Items []Item `json:"items"`
}

// Item is one billed line: Quantity Units at UnitUSD each.
type Item struct {
	// Category is the Cost field the line adds to: "instances", "storage",
	// "io", "capacity", "requests" or "transfer".
	Category string  `json:"category"`
	What     string  `json:"what"`
	Quantity float64 `json:"quantity"`
	Unit     string  `json:"unit"`
	UnitUSD  float64 `json:"unit_usd"`
	USD      float64 `json:"usd"`
	// Source cites the price table entries used ("fact 7.2 (2025)").
	Source    string `json:"source"`
	Estimated bool   `json:"estimated,omitempty"`
	// Unpriced marks a line the table could not price (USD 0).
	Unpriced bool   `json:"unpriced,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Cost categories, the order of Cost's fields.
const (
	catInstances = "instances"
	catStorage   = "storage"
	catIO        = "io"
	catCapacity  = "capacity"
	catRequests  = "requests"
	catTransfer  = "transfer"
)

// --- formulas on plain numbers ---

// InstanceMonthlyUSD is instances running all month at usdPerHour:
// usdPerHour × instances × hours.
func InstanceMonthlyUSD(usdPerHour, instances, hours float64) float64 {
	return usdPerHour * instances * hours
}

// StorageMonthlyUSD is gb stored in copies billed copies, less free GB
// (counted once), at usdPerGBMonth: max(0, gb·copies − free) × usdPerGBMonth.
func StorageMonthlyUSD(gb, copies, free, usdPerGBMonth float64) float64 {
	return max(0, gb*copies-free) * usdPerGBMonth
}

// PerMillionUSD is count requests (or request units) at usdPerMillion.
func PerMillionUSD(count, usdPerMillion float64) float64 {
	return count / 1e6 * usdPerMillion
}

// UnitHoursUSD is units held all month at usdPerUnitHour each: Serverless
// v2 ACUs (at the mean capacity), DynamoDB provisioned WCUs or RCUs.
func UnitHoursUSD(units, usdPerUnitHour, hours float64) float64 {
	return units * usdPerUnitHour * hours
}

// MonthlyCount scales a count measured over seconds to a month of hours:
// count ÷ seconds × hours × 3600. It is 0 for an empty window.
func MonthlyCount(count, seconds, hours float64) float64 {
	if !(seconds > 0) {
		return 0
	}
	return count / seconds * hours * 3600
}

// ScaleInstancePrice extrapolates a class's price from a reference class
// of the same family, in proportion to size (vCPUs, or memory for
// burstable classes): refUSD × size ÷ refSize.
func ScaleInstancePrice(refUSD, refSize, size float64) float64 {
	return refUSD * size / refSize
}

// cents rounds to the cent.
func cents(usd float64) float64 { return math.Round(usd*100) / 100 }

// --- costing a scenario ---

// MonthlyCost prices s with the built-in table; see Prices.MonthlyCost.
func MonthlyCost(s *scenarios.Scenario, rep *scenarios.Replication) Cost {
	return Default().MonthlyCost(s, rep)
}

// MonthlyCost is what the system of s costs per month at p's prices (nil
// p: the built-in table). rep is a replication of s: systems billed by use
// (requests, capacity) are priced on what it measured, held for a month;
// RDS is billed by provisioned size, and rep may be nil, except for the
// surplus CPU credits of a burstable class in Unlimited mode.
//
// RDS: instances × the class's hourly price (× 2 for a Multi-AZ instance
// deployment, fact 7.4) × hours per month, plus gp3 storage per GB-month
// (× 2 Multi-AZ, facts 7.4 and 7.6), plus the surplus CPU credits rep's
// burstable instances spent (cost_credits.go). A class missing from the
// table is priced from its family (see InstanceHourly) and marked
// estimated. A read replica in another Region than the table's is priced
// at the table's price, marked estimated, and its log crosses the Regions
// at the inter-Region transfer price (fact 7.23): rep's writes, held for a
// month, × the WAL a write ships (recovery.redo_per_write).
func (p *Prices) MonthlyCost(s *scenarios.Scenario, rep *scenarios.Replication) Cost {
	if p == nil {
		p = Default()
	}
	var b costBuilder
	switch {
	case s.System.Kind == "rds" && s.System.RDS != nil:
		p.rdsCost(&b, s, rep)
		p.rdsCreditCost(&b, s.System.RDS, rep)
		if proxyOn(s, s.System.RDS.Proxy) {
			p.rdsProxyCost(&b, s.System.RDS) // cost_proxy.go
		}
		p.rdsBackupCost(&b, s, rep)
	case s.System.Kind == "aurora" && s.System.Aurora != nil:
		b.items = p.auroraCost(s, rep).Items
	case s.System.Kind == "dynamodb" && s.System.DynamoDB != nil:
		b.items = p.dynamodbCost(s, rep).Items
		p.streamCost(&b, s, rep)
	default:
		b.unpriced(catInstances, s.System.Kind, "no cost model for system kind "+strconv.Quote(s.System.Kind)+" yet")
	}
	p.cacheCost(&b, s)
	return b.cost()
}

// MeanMonthlyCost is MonthlyCost averaged over replications, line by
// line (quantities and amounts): the cost a run's summary reports. For
// systems billed by provisioned size (RDS) every replication costs the
// same; for those billed by use it is the mean use.
func (p *Prices) MeanMonthlyCost(s *scenarios.Scenario, reps []*scenarios.Replication) Cost {
	var costs []Cost
	for _, r := range reps {
		if r != nil {
			costs = append(costs, p.MonthlyCost(s, r))
		}
	}
	if len(costs) == 0 {
		return p.MonthlyCost(s, nil)
	}
	var b costBuilder
	for i, it := range costs[0].Items {
		q, usd := 0.0, 0.0
		for _, c := range costs {
			if len(c.Items) != len(costs[0].Items) {
				return costs[0] // different lines: no line-by-line mean
			}
			q += c.Items[i].Quantity
			usd += c.Items[i].USD
		}
		it.Quantity, it.USD = q/float64(len(costs)), usd/float64(len(costs))
		if it.Unpriced {
			b.items = append(b.items, it)
			continue
		}
		b.add(it)
	}
	return b.cost()
}

func (p *Prices) rdsCost(b *costBuilder, s *scenarios.Scenario, rep *scenarios.Replication) {
	r := s.System.RDS
	deploy, mult := "Single-AZ", Multiplier{Compute: 1, Storage: 1}
	var multSrc string
	switch r.MultiAZ {
	case "instance":
		deploy, mult = "Multi-AZ instance", p.RDS.MultiAZInstance
		multSrc = mult.Citation.String()
	case "cluster":
		deploy, mult = "Multi-AZ cluster", p.RDS.MultiAZCluster
		multSrc = mult.Citation.String()
	}
	if mult.Compute == 0 {
		b.unpriced(catInstances, deploy, "the price table has no multiplier for a "+deploy+" deployment")
		return
	}
	hours := p.HoursPerMonth
	ip := p.InstanceHourly(p.RDS.Instances, r.Engine, r.InstanceClass)
	src := joinSources(ip.Source, multSrc)
	if ip.Unpriced {
		b.unpriced(catInstances, r.InstanceClass, ip.Note)
	} else {
		n := mult.Compute
		b.add(Item{Category: catInstances,
			What:     fmt.Sprintf("%s × %s %s (%s)", formatCount(n), r.InstanceClass, r.Engine, deploy),
			Quantity: n * hours, Unit: "instance-hours", UnitUSD: ip.USD,
			USD: InstanceMonthlyUSD(ip.USD, n, hours), Source: src, Estimated: ip.Estimated, Note: ip.Note})
	}
	st := p.RDS.StorageGP3GBMonth
	gb := float64(r.Storage.Size) / (1 << 30)
	if st == (UnitPrice{}) {
		b.unpriced(catStorage, "gp3 storage", "the price table has no rds.storage_gp3_gb_month")
		return
	}
	b.add(Item{Category: catStorage,
		What:     fmt.Sprintf("%s GB gp3 × %s copies (%s)", formatCount(gb), formatCount(mult.Storage), deploy),
		Quantity: gb * mult.Storage, Unit: "GB-months", UnitUSD: st.USD,
		USD:    StorageMonthlyUSD(gb, mult.Storage, st.Free, st.USD),
		Source: joinSources(st.Citation.String(), multSrc),
		Note:   "3,000 IOPS and 125 MB/s included; extra IOPS not priced"})
	// Each read replica is one more single-AZ instance with its own volume.
	for i, rr := range r.ReadReplicas {
		rp := p.InstanceHourly(p.RDS.Instances, r.Engine, rr.InstanceClass)
		if rp.Unpriced {
			b.unpriced(catInstances, rr.InstanceClass, rp.Note)
			continue
		}
		remote := rr.Region != "" && rr.Region != s.Topology.Region
		if remote {
			rp = p.inRegion(rp, rr.Region)
		}
		b.add(Item{Category: catInstances,
			What:     fmt.Sprintf("read replica %d: %s %s", i+1, rr.InstanceClass, r.Engine),
			Quantity: hours, Unit: "instance-hours", UnitUSD: rp.USD,
			USD: InstanceMonthlyUSD(rp.USD, 1, hours), Source: rp.Source, Estimated: rp.Estimated, Note: rp.Note})
		b.add(Item{Category: catStorage,
			What:     fmt.Sprintf("read replica %d: %s GB gp3", i+1, formatCount(gb)),
			Quantity: gb, Unit: "GB-months", UnitUSD: st.USD,
			USD: StorageMonthlyUSD(gb, 1, st.Free, st.USD), Source: st.Citation.String()})
		if remote && rr.Region != p.Region {
			it := &b.items[len(b.items)-1]
			it.Estimated = true
			it.Note = fmt.Sprintf("the table's prices are %s's; %s's may differ", p.Region, rr.Region)
		}
		if remote {
			redo := rds.Defaults().RedoPerWrite
			if s.Has("system.recovery.redo_per_write") {
				redo = int64(r.Recovery.RedoPerWrite)
			}
			p.transfer(b, fmt.Sprintf("read replica %d: log shipped to %s", i+1, rr.Region), rep, float64(redo),
				"the writes measured × recovery.redo_per_write")
		}
	}
}

// inRegion marks a price as estimated when the instance runs in another
// Region than the table's: the table has no price for it there.
func (p *Prices) inRegion(hp HourlyPrice, region string) HourlyPrice {
	if region == p.Region {
		return hp
	}
	hp.Estimated = true
	hp.Note = joinNotes(hp.Note, fmt.Sprintf("the table's prices are %s's; %s's may differ", p.Region, region))
	return hp
}

// transfer adds the inter-Region transfer of bytesPerWrite for each write
// rep measured, held for a month (fact 7.23); how says how the bytes are
// counted. With no replication to measure, it is an unpriced line.
func (p *Prices) transfer(b *costBuilder, what string, rep *scenarios.Replication, bytesPerWrite float64, how string) {
	if rep == nil || rep.Latency.Write == nil {
		b.unpriced(catTransfer, what, "no measured writes to count the bytes of")
		return
	}
	writes := MonthlyCount(float64(rep.Latency.Write.Count()), rep.SimulatedSeconds, p.HoursPerMonth)
	gb := writes * bytesPerWrite / 1e9
	price := p.DataTransfer.InterRegionGB
	b.unit(catTransfer, what, gb, "GB", price, gb*price.USD)
	if it := &b.items[len(b.items)-1]; !it.Unpriced {
		it.Estimated = true
		it.Note = joinNotes(it.Note, "estimated: "+how)
	}
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// HourlyPrice is the price of an instance class found or extrapolated from
// a table of instance prices.
type HourlyPrice struct {
	USD       float64
	Source    string
	Estimated bool
	// Unpriced is true when nothing in the table could price the class.
	Unpriced bool
	Note     string
}

// InstanceHourly prices engine on class from table. A listed (engine,
// class) is used as is. Otherwise, the price is extrapolated and marked
// estimated, from the first of:
//
//  1. the same family and engine: its "large" entry if listed, else the
//     first entry of the family, scaled by vCPUs, or by memory for the
//     burstable t3/t4g families (all their sizes up to large have 2 vCPUs
//     while the price doubles with each size, as the memory does; an
//     assumption, not an entry of models/REFERENCES.md);
//  2. the same family under another engine (RDS MySQL and PostgreSQL list
//     prices are close; license-included Oracle and SQL Server cost much
//     more: price them in your own table);
//  3. the first non-burstable "large" entry of any family, per vCPU, a
//     rough guess said so in the note.
func (p *Prices) InstanceHourly(table []InstancePrice, engine, class string) HourlyPrice {
	class = strings.ToLower(class)
	for _, e := range table {
		if e.Engine == engine && strings.ToLower(e.Class) == class {
			return HourlyPrice{USD: e.USDPerHour, Source: e.Citation.String()}
		}
	}
	want, ok := rds.LookupClass(class)
	if !ok {
		return HourlyPrice{Unpriced: true, Note: "unknown instance class " + strconv.Quote(class)}
	}
	family, _ := classFamily(class)
	pick := func(match func(e InstancePrice, c rds.Class) bool) (InstancePrice, rds.Class, bool) {
		var first *InstancePrice
		var firstClass rds.Class
		for i := range table {
			e := &table[i]
			c, ok := rds.LookupClass(e.Class)
			if !ok || !match(*e, c) {
				continue
			}
			if _, size := classFamily(c.Name); size == "large" {
				return *e, c, true
			}
			if first == nil {
				first, firstClass = e, c
			}
		}
		if first == nil {
			return InstancePrice{}, rds.Class{}, false
		}
		return *first, firstClass, true
	}
	sameFamily := func(e InstancePrice, c rds.Class) bool { f, _ := classFamily(c.Name); return f == family }
	scale := func(ref InstancePrice, rc rds.Class, note string) HourlyPrice {
		usd, by := ScaleInstancePrice(ref.USDPerHour, float64(rc.VCPUs), float64(want.VCPUs)), "vCPUs"
		if want.Burstable && rc.Burstable {
			usd, by = ScaleInstancePrice(ref.USDPerHour, rc.MemoryGiB, want.MemoryGiB), "memory"
		}
		n := fmt.Sprintf("%s not in the price table: %s $%s/h × %s %s ÷ %s", class, ref.Class, formatCount(ref.USDPerHour), by,
			formatCount(sizeOf(want, by)), formatCount(sizeOf(rc, by)))
		if note != "" {
			n += "; " + note
		}
		return HourlyPrice{USD: usd, Source: ref.Citation.String(), Estimated: true, Note: n}
	}
	if ref, rc, ok := pick(func(e InstancePrice, c rds.Class) bool { return e.Engine == engine && sameFamily(e, c) }); ok {
		return scale(ref, rc, "")
	}
	if ref, rc, ok := pick(sameFamily); ok {
		return scale(ref, rc, fmt.Sprintf("no %s price in the table, used %s's", engine, ref.Engine))
	}
	if ref, rc, ok := pick(func(e InstancePrice, c rds.Class) bool { return !c.Burstable && e.Engine == engine }); ok {
		return scale(ref, rc, "no "+family+" price in the table: a rough guess per vCPU from another family")
	}
	if ref, rc, ok := pick(func(e InstancePrice, c rds.Class) bool { return !c.Burstable }); ok {
		return scale(ref, rc, "no "+family+" or "+engine+" price in the table: a rough guess per vCPU from another family and engine")
	}
	return HourlyPrice{Unpriced: true, Note: "the price table has no instance price to extrapolate " + class + " from"}
}

func sizeOf(c rds.Class, by string) float64 {
	if by == "memory" {
		return c.MemoryGiB
	}
	return float64(c.VCPUs)
}

// classFamily splits "db.r6g.xlarge" into "r6g" and "xlarge".
func classFamily(class string) (family, size string) {
	parts := strings.Split(strings.ToLower(class), ".")
	if len(parts) != 3 {
		return class, ""
	}
	return parts[1], parts[2]
}

// --- Aurora and DynamoDB: priced from plain usage numbers ---

// AuroraUsage is what an Aurora cluster uses in a month. The Aurora model
// will fill it from a scenario and a replication: MeanACU from the mean of
// the capacity gauges over the measured window (GaugeMean),
// IORequestsPerMonth from its storage I/O count (MonthlyCount).
type AuroraUsage struct {
	Engine string
	// Classes has one entry per provisioned instance, writer first; a
	// Serverless v2 instance is not listed (it is MeanACU).
	Classes     []string
	IOOptimized bool
	// MeanACU is the mean Serverless v2 capacity over the month.
	MeanACU            float64
	StorageGB          float64
	IORequestsPerMonth float64
	// Secondaries are a Global Database's secondary clusters, one
	// instance each; WriteIOsPerMonth are the write I/Os the primary
	// replicates to each, RedoGBPerMonth the redo it ships to each.
	Secondaries      []AuroraSecondary
	WriteIOsPerMonth float64
	RedoGBPerMonth   float64
}

// AuroraSecondary is one secondary cluster of a Global Database.
type AuroraSecondary struct {
	Region, Class string
}

// AuroraCost prices u: instances (× the I/O-Optimized factor, fact 7.11)
// per hour (facts 7.8–7.10), storage per GB-month (Standard or
// I/O-Optimized, fact 7.12), I/O per million requests (Standard only, fact
// 7.13), Serverless v2 ACU-hours (fact 7.14). Each Global Database
// secondary adds its instance and its copy of the volume, priced as the
// primary's (fact 7.24; estimated in a Region other than the table's),
// the write I/Os replicated to it (Aurora Standard only, fact 7.22) and
// the redo shipped to it (inter-Region transfer, fact 7.23).
func (p *Prices) AuroraCost(u AuroraUsage) Cost {
	if p == nil {
		p = Default()
	}
	var b costBuilder
	a := p.Aurora
	hours := p.HoursPerMonth
	factor, factorSrc := 1.0, ""
	if u.IOOptimized {
		factor, factorSrc = a.IOOptimizedFactor.Factor, a.IOOptimizedFactor.Citation.String()
		if factor == 0 {
			b.unpriced(catInstances, "I/O-Optimized", "the price table has no aurora.io_optimized_factor")
			factor = 1
		}
	}
	for i, class := range u.Classes {
		ip := p.InstanceHourly(a.Instances, u.Engine, class)
		if ip.Unpriced {
			b.unpriced(catInstances, class, ip.Note)
			continue
		}
		role := "writer"
		if i > 0 {
			role = fmt.Sprintf("replica %d", i)
		}
		b.add(Item{Category: catInstances, What: fmt.Sprintf("%s %s %s", class, u.Engine, role),
			Quantity: hours, Unit: "instance-hours", UnitUSD: ip.USD * factor,
			USD: InstanceMonthlyUSD(ip.USD*factor, 1, hours), Source: joinSources(ip.Source, factorSrc),
			Estimated: ip.Estimated, Note: ip.Note})
	}
	acu, storage := a.ServerlessV2ACUHour, a.StorageGBMonth
	if u.IOOptimized {
		acu, storage = a.IOOptimizedServerlessV2ACUHour, a.IOOptimizedStorageGBMonth
	}
	if u.MeanACU > 0 {
		b.unit(catCapacity, "Serverless v2 capacity (mean ACUs held all month)", u.MeanACU*hours, "ACU-hours", acu,
			UnitHoursUSD(u.MeanACU, acu.USD, hours))
	}
	b.unit(catStorage, "cluster volume", u.StorageGB, "GB-months", storage,
		StorageMonthlyUSD(u.StorageGB, 1, storage.Free, storage.USD))
	if !u.IOOptimized {
		io := a.IOMillionRequests
		b.unit(catIO, "storage I/O requests", u.IORequestsPerMonth/1e6, "million requests", io,
			PerMillionUSD(u.IORequestsPerMonth, io.USD))
	}
	for _, sc := range u.Secondaries {
		ip := p.InstanceHourly(a.Instances, u.Engine, sc.Class)
		if ip.Unpriced {
			b.unpriced(catInstances, sc.Class, ip.Note)
		} else {
			ip = p.inRegion(ip, sc.Region)
			b.add(Item{Category: catInstances, What: fmt.Sprintf("%s %s secondary in %s", sc.Class, u.Engine, sc.Region),
				Quantity: hours, Unit: "instance-hours", UnitUSD: ip.USD * factor,
				USD: InstanceMonthlyUSD(ip.USD*factor, 1, hours), Source: joinSources(ip.Source, factorSrc),
				Estimated: ip.Estimated, Note: ip.Note})
		}
		b.unit(catStorage, "secondary volume in "+sc.Region, u.StorageGB, "GB-months", storage,
			StorageMonthlyUSD(u.StorageGB, 1, storage.Free, storage.USD))
		if sc.Region != p.Region {
			it := &b.items[len(b.items)-1]
			if !it.Unpriced {
				it.Estimated = true
				it.Note = joinNotes(it.Note, fmt.Sprintf("the table's prices are %s's; %s's may differ", p.Region, sc.Region))
			}
		}
		if !u.IOOptimized {
			rw := a.GlobalReplicatedWriteIOMillion
			b.unit(catIO, "write I/Os replicated to "+sc.Region, u.WriteIOsPerMonth/1e6, "million requests", rw,
				PerMillionUSD(u.WriteIOsPerMonth, rw.USD))
		}
		tr := p.DataTransfer.InterRegionGB
		b.unit(catTransfer, "redo shipped to "+sc.Region, u.RedoGBPerMonth, "GB", tr, u.RedoGBPerMonth*tr.USD)
	}
	return b.cost()
}

// DynamoDBUsage is what a DynamoDB table uses in a month.
type DynamoDBUsage struct {
	// OnDemand bills request units; otherwise provisioned capacity units
	// are billed per hour.
	OnDemand bool
	// WRUPerMonth and RRUPerMonth are consumed write and read request units
	// (on-demand).
	WRUPerMonth, RRUPerMonth float64
	// WCU and RCU are the mean provisioned capacity (auto scaling moves it).
	WCU, RCU  float64
	StorageGB float64
	// ReplicaRegions is a global table's replica tables in other Regions
	// (0: not a global table). Each replicates every write: its write
	// units are billed as replicated write units (rWCU, rWRU), priced as
	// WCU and WRU (fact 5.46).
	ReplicaRegions int
	// Keyspaces prices an Amazon Keyspaces table, from its own prices
	// (fact 7.30), not DynamoDB's.
	Keyspaces bool
}

// DynamoDBCost prices u: on-demand per million WRU/RRU (fact 7.16) or
// provisioned per WCU/RCU-hour (fact 7.17), storage per GB-month beyond the
// free GB (fact 7.19); an Amazon Keyspaces table (u.Keyspaces) the same
// units at Keyspaces' prices (fact 7.30).
func (p *Prices) DynamoDBCost(u DynamoDBUsage) Cost {
	if p == nil {
		p = Default()
	}
	var b costBuilder
	d := p.DynamoDB
	if u.Keyspaces {
		d = p.Keyspaces
	}
	hours := p.HoursPerMonth
	if u.OnDemand {
		b.unit(catRequests, "write request units (on-demand)", u.WRUPerMonth/1e6, "million WRU", d.OnDemandMillionWRU,
			PerMillionUSD(u.WRUPerMonth, d.OnDemandMillionWRU.USD))
		b.unit(catRequests, "read request units (on-demand)", u.RRUPerMonth/1e6, "million RRU", d.OnDemandMillionRRU,
			PerMillionUSD(u.RRUPerMonth, d.OnDemandMillionRRU.USD))
	} else {
		b.unit(catCapacity, "provisioned write capacity", u.WCU*hours, "WCU-hours", d.ProvisionedWCUHour,
			UnitHoursUSD(u.WCU, d.ProvisionedWCUHour.USD, hours))
		b.unit(catCapacity, "provisioned read capacity", u.RCU*hours, "RCU-hours", d.ProvisionedRCUHour,
			UnitHoursUSD(u.RCU, d.ProvisionedRCUHour.USD, hours))
	}
	if n := float64(u.ReplicaRegions); n > 0 {
		// Each replica table is provisioned as the source (AWS advises
		// identical write capacity) or, on-demand, writes every write once.
		what := fmt.Sprintf("replicated writes in %d other Region(s)", u.ReplicaRegions)
		if u.OnDemand {
			b.unit(catRequests, what+" (rWRU, priced as WRU)", n*u.WRUPerMonth/1e6, "million rWRU", d.OnDemandMillionWRU,
				PerMillionUSD(n*u.WRUPerMonth, d.OnDemandMillionWRU.USD))
		} else {
			b.unit(catCapacity, what+" (rWCU, priced as WCU)", n*u.WCU*hours, "rWCU-hours", d.ProvisionedWCUHour,
				UnitHoursUSD(n*u.WCU, d.ProvisionedWCUHour.USD, hours))
		}
		b.unpriced(catStorage, "replica tables' reads, storage and cross-Region transfer", "dbsim prices only the replicated writes of a global table")
	}
	st := d.StorageGBMonth
	what := "table storage"
	if st.Free > 0 {
		what = fmt.Sprintf("table storage (first %s GB free)", formatCount(st.Free))
	}
	b.unit(catStorage, what, max(0, u.StorageGB-st.Free),
		"GB-months", st, StorageMonthlyUSD(u.StorageGB, 1, st.Free, st.USD))
	return b.cost()
}

// GaugeMean is the mean of gauge id's column in rep's time series over
// the measured window (the buckets that start at or after warmup): e.g.
// the writer's mean capacity in a Serverless v2 run. It reports false when
// the series has no such column or no bucket in the window.
func GaugeMean(rep *scenarios.Replication, warmup time.Duration, id metric.ID) (float64, bool) {
	if rep == nil || rep.Series == nil {
		return 0, false
	}
	col, ok := rep.Series.Lookup(id.Column())
	if !ok {
		return 0, false
	}
	vals := rep.Series.Values(col)
	bucket := rep.Series.Bucket()
	sum, n := 0.0, 0
	for i, v := range vals {
		if time.Duration(i)*bucket < warmup {
			continue
		}
		sum += v
		n++
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// --- building a Cost ---

type costBuilder struct{ items []Item }

func (b *costBuilder) add(it Item) {
	it.USD = cents(it.USD)
	b.items = append(b.items, it)
}

// unit adds a line priced by a unit price; an absent price makes it an
// unpriced line.
func (b *costBuilder) unit(cat, what string, qty float64, unit string, price UnitPrice, usd float64) {
	if price == (UnitPrice{}) {
		b.unpriced(cat, what, "the price table has no price for "+what)
		return
	}
	b.add(Item{Category: cat, What: what, Quantity: qty, Unit: unit, UnitUSD: price.USD, USD: usd,
		Source: price.Citation.String(), Note: price.Note})
}

// unpriced adds a line the table could not price: 0 USD, estimated.
func (b *costBuilder) unpriced(cat, what, note string) {
	b.items = append(b.items, Item{Category: cat, What: what, Estimated: true, Unpriced: true, Note: "not priced: " + note})
}

func (b *costBuilder) cost() Cost {
	c := Cost{Items: b.items}
	if c.Items == nil {
		c.Items = []Item{}
	}
	for _, it := range b.items {
		switch it.Category {
		case catInstances:
			c.InstancesUSD += it.USD
		case catStorage:
			c.StorageUSD += it.USD
		case catIO:
			c.IOUSD += it.USD
		case catCapacity:
			c.CapacityUSD += it.USD
		case catRequests:
			c.RequestsUSD += it.USD
		case catTransfer:
			c.TransferUSD += it.USD
		}
		c.Estimated = c.Estimated || it.Estimated
		c.Partial = c.Partial || it.Unpriced
	}
	c.InstancesUSD, c.StorageUSD, c.IOUSD = cents(c.InstancesUSD), cents(c.StorageUSD), cents(c.IOUSD)
	c.CapacityUSD, c.RequestsUSD, c.TransferUSD = cents(c.CapacityUSD), cents(c.RequestsUSD), cents(c.TransferUSD)
	c.TotalUSD = cents(c.InstancesUSD + c.StorageUSD + c.IOUSD + c.CapacityUSD + c.RequestsUSD + c.TransferUSD)
	return c
}

func joinSources(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// formatCount writes a quantity without float noise: 2, 0.5, 100 (up to
// 12 significant digits, no exponent, as scenario values are written).
func formatCount(v float64) string {
	rounded, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return strconv.FormatFloat(rounded, 'f', -1, 64)
}
