package pricing

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Prices is a price table: the embedded default (prices.yaml, from section
// 7 of models/REFERENCES.md) or a user's replacement read by Load. Every
// entry carries its citation.
type Prices struct {
	Region   string `yaml:"region"`
	Currency string `yaml:"currency"`
	// HoursPerMonth converts hourly prices to monthly ones (730).
	HoursPerMonth float64        `yaml:"hours_per_month"`
	RDS           RDSPrices      `yaml:"rds"`
	Aurora        AuroraPrices   `yaml:"aurora"`
	DynamoDB      DynamoDBPrices `yaml:"dynamodb"`
	// Keyspaces prices an Amazon Keyspaces table, metered in DynamoDB's
	// units (streams_100k_read_units does not apply).
	Keyspaces DynamoDBPrices `yaml:"keyspaces"`
	// ElastiCache prices a cache in front of any system (cost_cache.go).
	ElastiCache ElastiCachePrices `yaml:"elasticache"`
	// DataTransfer prices the data a system ships between Regions.
	DataTransfer TransferPrices `yaml:"data_transfer"`
	// Lambda prices the function that consumes a DynamoDB stream
	// (cost_stream.go).
	Lambda LambdaPrices `yaml:"lambda"`

	// File is where the table was read from ("" for the default).
	File string `yaml:"-" json:"-"`
}

// Citation says where a price comes from: an id in models/REFERENCES.md (Fact) or free
// text (Source), and when it was read (Date).
type Citation struct {
	Fact   string `yaml:"fact"`
	Source string `yaml:"source"`
	Date   string `yaml:"date"`
	Note   string `yaml:"note"`
}

// String formats the citation for a cost item: "fact 7.2 (2025)".
func (c Citation) String() string {
	s := c.Source
	if c.Fact != "" {
		s = "models/REFERENCES.md " + c.Fact
	}
	if c.Date != "" {
		s += " (" + c.Date + ")"
	}
	return s
}

// InstancePrice is the Single-AZ on-demand price of one instance class
// running one engine.
type InstancePrice struct {
	Engine     string  `yaml:"engine"`
	Class      string  `yaml:"class"`
	USDPerHour float64 `yaml:"usd_per_hour"`
	Citation   `yaml:",inline"`
}

// UnitPrice is a price per unit; the unit is in the key that holds it
// (storage_gb_month, io_million_requests, ...). Free units per month, if
// any, are not billed.
type UnitPrice struct {
	USD      float64 `yaml:"usd"`
	Free     float64 `yaml:"free"`
	Citation `yaml:",inline"`
}

// Multiplier is how many times a deployment bills compute and storage.
type Multiplier struct {
	Compute  float64 `yaml:"compute"`
	Storage  float64 `yaml:"storage"`
	Citation `yaml:",inline"`
}

// Factor is a multiple of another price.
type Factor struct {
	Factor   float64 `yaml:"factor"`
	Citation `yaml:",inline"`
}

// RDSPrices are RDS (not Aurora) prices.
type RDSPrices struct {
	Instances         []InstancePrice `yaml:"instances"`
	MultiAZInstance   Multiplier      `yaml:"multi_az_instance"`
	MultiAZCluster    Multiplier      `yaml:"multi_az_cluster"`
	StorageGP3GBMonth UnitPrice       `yaml:"storage_gp3_gb_month"`
	// CPUCreditsVCPUHour is the price of surplus CPU credits of the
	// burstable classes in Unlimited mode, per vCPU-hour.
	CPUCreditsVCPUHour UnitPrice `yaml:"cpu_credits_vcpu_hour"`
	// ProxyVCPUHour is RDS Proxy's price per vCPU-hour of the instances
	// behind it, RDS and provisioned Aurora alike.
	ProxyVCPUHour UnitPrice `yaml:"proxy_vcpu_hour"`
	// BackupGBMonth is the price of backup storage beyond the free
	// allowance (as much as the provisioned storage), per GB-month.
	BackupGBMonth UnitPrice `yaml:"backup_gb_month"`
}

// AuroraPrices are Aurora prices (Standard and I/O-Optimized, provisioned
// and Serverless v2).
type AuroraPrices struct {
	Instances                      []InstancePrice `yaml:"instances"`
	IOOptimizedFactor              Factor          `yaml:"io_optimized_factor"`
	StorageGBMonth                 UnitPrice       `yaml:"storage_gb_month"`
	IOOptimizedStorageGBMonth      UnitPrice       `yaml:"io_optimized_storage_gb_month"`
	IOMillionRequests              UnitPrice       `yaml:"io_million_requests"`
	ServerlessV2ACUHour            UnitPrice       `yaml:"serverless_v2_acu_hour"`
	IOOptimizedServerlessV2ACUHour UnitPrice       `yaml:"io_optimized_serverless_v2_acu_hour"`
	// GlobalReplicatedWriteIOMillion is the price of the write I/Os a
	// Global Database replicates to each secondary Region (Aurora
	// Standard only), per million.
	GlobalReplicatedWriteIOMillion UnitPrice `yaml:"global_replicated_write_io_million"`
	// ProxyACUHour is RDS Proxy's price per ACU-hour of Serverless v2
	// capacity behind it (8 ACUs at least, fact 7.25).
	ProxyACUHour UnitPrice `yaml:"proxy_acu_hour"`
}

// TransferPrices are data transfer prices.
type TransferPrices struct {
	// InterRegionGB is the price of a GB sent from the table's Region to
	// another Region.
	InterRegionGB UnitPrice `yaml:"inter_region_gb"`
}

// DynamoDBPrices are DynamoDB prices (Standard table class).
type DynamoDBPrices struct {
	OnDemandMillionWRU UnitPrice `yaml:"on_demand_million_wru"`
	OnDemandMillionRRU UnitPrice `yaml:"on_demand_million_rru"`
	ProvisionedWCUHour UnitPrice `yaml:"provisioned_wcu_hour"`
	ProvisionedRCUHour UnitPrice `yaml:"provisioned_rcu_hour"`
	StorageGBMonth     UnitPrice `yaml:"storage_gb_month"`
	// Streams100KReadUnits is DynamoDB Streams' price per 100,000 read
	// request units (GetRecords calls); Lambda's reads are free.
	Streams100KReadUnits UnitPrice `yaml:"streams_100k_read_units"`
}

// LambdaPrices are AWS Lambda's on-demand prices (x86).
type LambdaPrices struct {
	MillionRequests UnitPrice `yaml:"million_requests"`
	GBSecond        UnitPrice `yaml:"gb_second"`
}

// ElastiCachePrices are ElastiCache's node-based on-demand prices.
type ElastiCachePrices struct {
	Nodes []NodePrice `yaml:"nodes"`
}

// NodePrice is the on-demand price of one cache node type, per
// node-hour.
type NodePrice struct {
	NodeType   string  `yaml:"node_type"`
	USDPerHour float64 `yaml:"usd_per_hour"`
	Citation   `yaml:",inline"`
}

//go:embed prices.yaml
var defaultYAML []byte

// DefaultYAML returns the text of the built-in price table, a
// starting point for a user's own (dbsim ... --prices FILE).
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

var defaultTable = sync.OnceValue(func() *Prices {
	p, err := Parse("scenarios/pricing/prices.yaml", defaultYAML)
	if err != nil {
		panic("dbsim: the built-in price table is invalid: " + err.Error())
	}
	return p
})

// Default returns the built-in price table (scenarios/pricing/prices.yaml).
// The same table is returned on every call: do not modify it.
func Default() *Prices { return defaultTable() }

// Load reads a price table that replaces the built-in one entirely.
func Load(path string) (*Prices, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes and checks a price table; file names it in errors.
// Unknown keys are errors; every price must be ≥ 0 with a date and a fact
// or source; multipliers and hours_per_month must be > 0.
func Parse(file string, data []byte) (*Prices, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	p := &Prices{}
	if err := dec.Decode(p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the price table is empty", file)
		}
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	p.File = file
	if errs := p.check(); len(errs) > 0 {
		return nil, fmt.Errorf("%s: %s", file, strings.Join(errs, "; "))
	}
	return p, nil
}

// check lists the table's problems.
func (p *Prices) check() []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if !(p.HoursPerMonth > 0) {
		bad("hours_per_month must be > 0, got %v", p.HoursPerMonth)
	}
	cite := func(path string, c Citation) {
		if c.Fact == "" && c.Source == "" {
			bad("%s: needs a fact (an id in models/REFERENCES.md) or a source", path)
		}
		if c.Date == "" {
			bad("%s: needs the date the price was read", path)
		}
	}
	unit := func(path string, u UnitPrice) {
		if u == (UnitPrice{}) {
			return // absent: the item is reported as unpriced if a system needs it
		}
		if !(u.USD >= 0) || math.IsInf(u.USD, 0) || !(u.Free >= 0) {
			bad("%s: usd and free must be ≥ 0", path)
		}
		cite(path, u.Citation)
	}
	instances := func(path string, list []InstancePrice) {
		seen := map[string]int{}
		for i, e := range list {
			at := fmt.Sprintf("%s[%d]", path, i)
			if e.Engine == "" || e.Class == "" {
				bad("%s: needs an engine and a class", at)
			}
			if !(e.USDPerHour >= 0) || math.IsInf(e.USDPerHour, 0) {
				bad("%s: usd_per_hour must be ≥ 0", at)
			}
			key := e.Engine + " " + strings.ToLower(e.Class)
			if j, dup := seen[key]; dup {
				bad("%s: %s is already priced at %s[%d]", at, key, path, j)
			}
			seen[key] = i
			cite(at, e.Citation)
		}
	}
	mult := func(path string, m Multiplier) {
		if m == (Multiplier{}) {
			return
		}
		if !(m.Compute > 0) || !(m.Storage > 0) {
			bad("%s: compute and storage must be > 0", path)
		}
		cite(path, m.Citation)
	}
	instances("rds.instances", p.RDS.Instances)
	mult("rds.multi_az_instance", p.RDS.MultiAZInstance)
	mult("rds.multi_az_cluster", p.RDS.MultiAZCluster)
	unit("rds.storage_gp3_gb_month", p.RDS.StorageGP3GBMonth)
	unit("rds.cpu_credits_vcpu_hour", p.RDS.CPUCreditsVCPUHour)
	unit("rds.proxy_vcpu_hour", p.RDS.ProxyVCPUHour)
	unit("aurora.proxy_acu_hour", p.Aurora.ProxyACUHour)
	unit("rds.backup_gb_month", p.RDS.BackupGBMonth)
	a := p.Aurora
	instances("aurora.instances", a.Instances)
	if a.IOOptimizedFactor != (Factor{}) {
		if !(a.IOOptimizedFactor.Factor > 0) {
			bad("aurora.io_optimized_factor: factor must be > 0")
		}
		cite("aurora.io_optimized_factor", a.IOOptimizedFactor.Citation)
	}
	unit("aurora.storage_gb_month", a.StorageGBMonth)
	unit("aurora.io_optimized_storage_gb_month", a.IOOptimizedStorageGBMonth)
	unit("aurora.io_million_requests", a.IOMillionRequests)
	unit("aurora.serverless_v2_acu_hour", a.ServerlessV2ACUHour)
	unit("aurora.io_optimized_serverless_v2_acu_hour", a.IOOptimizedServerlessV2ACUHour)
	unit("aurora.global_replicated_write_io_million", a.GlobalReplicatedWriteIOMillion)
	unit("data_transfer.inter_region_gb", p.DataTransfer.InterRegionGB)
	d := p.DynamoDB
	unit("dynamodb.on_demand_million_wru", d.OnDemandMillionWRU)
	unit("dynamodb.on_demand_million_rru", d.OnDemandMillionRRU)
	unit("dynamodb.provisioned_wcu_hour", d.ProvisionedWCUHour)
	unit("dynamodb.provisioned_rcu_hour", d.ProvisionedRCUHour)
	unit("dynamodb.storage_gb_month", d.StorageGBMonth)
	unit("dynamodb.streams_100k_read_units", d.Streams100KReadUnits)
	k := p.Keyspaces
	unit("keyspaces.on_demand_million_wru", k.OnDemandMillionWRU)
	unit("keyspaces.on_demand_million_rru", k.OnDemandMillionRRU)
	unit("keyspaces.provisioned_wcu_hour", k.ProvisionedWCUHour)
	unit("keyspaces.provisioned_rcu_hour", k.ProvisionedRCUHour)
	unit("keyspaces.storage_gb_month", k.StorageGBMonth)
	if k.Streams100KReadUnits != (UnitPrice{}) {
		bad("keyspaces.streams_100k_read_units: does not apply (DynamoDB Streams are DynamoDB's)")
	}
	unit("lambda.million_requests", p.Lambda.MillionRequests)
	unit("lambda.gb_second", p.Lambda.GBSecond)
	seen := map[string]int{}
	for i, n := range p.ElastiCache.Nodes {
		at := fmt.Sprintf("elasticache.nodes[%d]", i)
		if n.NodeType == "" {
			bad("%s: needs a node_type", at)
		}
		if !(n.USDPerHour >= 0) || math.IsInf(n.USDPerHour, 0) {
			bad("%s: usd_per_hour must be ≥ 0", at)
		}
		if j, dup := seen[n.NodeType]; dup {
			bad("%s: %s is already priced at elasticache.nodes[%d]", at, n.NodeType, j)
		}
		seen[n.NodeType] = i
		cite(at, n.Citation)
	}
	return errs
}
