package scenarios

import (
	"maps"
	"reflect"
	"slices"

	"dbsim/models/aurora"
	"dbsim/models/cache"
	"dbsim/models/client"
	"dbsim/models/rds"
)

// This file tells what the scenario format is to a program that describes
// it (dbsim schema): the system kinds and the values of the enumerated
// keys, from the lists the decoder and the validator check against.

// SystemKind is a value of system.kind and the Go type of the keys that
// kind takes (the kind key aside).
type SystemKind struct {
	Name string
	Type reflect.Type
}

// SystemKinds lists the system kinds, sorted by name.
func SystemKinds() []SystemKind {
	var out []SystemKind
	for _, name := range slices.Sorted(maps.Keys(systemKinds)) {
		block := systemKinds[name](&System{})
		out = append(out, SystemKind{name, reflect.TypeOf(block).Elem()})
	}
	return out
}

// Enum is the values an enumerated key takes: one of Values or, when
// OrDuration, a duration instead (clients.dns_cache: ttl, forever or 3m).
type Enum struct {
	Values     []string
	OrDuration bool
}

// enumKey names a key by the struct type that holds it and its YAML name.
type enumKey struct {
	owner reflect.Type
	key   string
}

// enums are the enumerated keys and the validator's lists of their values.
var enums = map[enumKey]func() Enum{
	{reflect.TypeFor[RDSSystem](), "engine"}:             values(engines),
	{reflect.TypeFor[RDSSystem](), "multi_az"}:           values(multiAZModes),
	{reflect.TypeFor[RDSSystem](), "instance_class"}:     rdsClasses,
	{reflect.TypeFor[RDSReplica](), "instance_class"}:    rdsClasses,
	{reflect.TypeFor[AuroraSystem](), "engine"}:          values(auroraEngines),
	{reflect.TypeFor[AuroraSystem](), "instance_class"}:  auroraClasses,
	{reflect.TypeFor[AuroraReplica](), "instance_class"}: auroraClasses,
	{reflect.TypeFor[DynamoDBTable](), "mode"}:           values(ddbModes),
	{reflect.TypeFor[Scenario](), "mode"}:                values(runModes),
	{reflect.TypeFor[DynamoDBSystem](), "service"}:       values(ddbServices),
	{reflect.TypeFor[Clients](), "sdk"}:                  func() Enum { return Enum{Values: client.SDKNames()} },
	{reflect.TypeFor[Clients](), "dns_cache"}:            func() Enum { return Enum{Values: []string{"ttl", "forever"}, OrDuration: true} },
	{reflect.TypeFor[Retry](), "jitter"}:                 func() Enum { return Enum{Values: names(client.Jitters)} },
	{reflect.TypeFor[Arrival](), "process"}:              values(processes),
	{reflect.TypeFor[Arrival](), "stat"}:                 values(traceStats),
	{reflect.TypeFor[Arrival](), "unit"}:                 values(traceUnits),
	{reflect.TypeFor[Workload](), "reads_from"}:          values(readsFrom),
	{reflect.TypeFor[Workload](), "consistency"}:         values(ddbConsistency),
	{reflect.TypeFor[Workload](), "unprocessed"}:         values(ddbUnprocessed),
	{reflect.TypeFor[Keys](), "dist"}:                    values(keyDists),
	{reflect.TypeFor[Fault](), "kind"}:                   values(faultKindList),
	{reflect.TypeFor[DistSpec](), "dist"}:                values(distNames),
	{reflect.TypeFor[CPUCredits](), "mode"}:              values(creditModes),
	{reflect.TypeFor[Cache](), "node_type"}:              func() Enum { return Enum{Values: cacheNodeTypes()} },
	{reflect.TypeFor[Cache](), "eviction"}:               func() Enum { return Enum{Values: names(cache.Policies)} },
	{reflect.TypeFor[Clients](), "pool_validation"}:      func() Enum { return Enum{Values: names(client.Validations)} },
	{reflect.TypeFor[Clients](), "driver"}:               func() Enum { return Enum{Values: names(client.Drivers)} },
}

// EnumOf returns the values of the key named key in the struct type owner,
// and whether it is an enumerated key.
func EnumOf(owner reflect.Type, key string) (Enum, bool) {
	e, ok := enums[enumKey{owner, key}]
	if !ok {
		return Enum{}, false
	}
	return e(), true
}

// values is an Enum of a validator's list, copied so that no caller can
// change the list.
func values(list []string) func() Enum {
	return func() Enum { return Enum{Values: slices.Clone(list)} }
}

// rdsClasses and auroraClasses are the instance classes validation knows.
func rdsClasses() Enum    { return Enum{Values: rds.ClassNames()} }
func auroraClasses() Enum { return Enum{Values: aurora.ClassNames()} }
