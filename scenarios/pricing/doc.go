// Package pricing says what a scenario's system costs per month at list
// price: the price table (the built-in prices.yaml, every entry citing
// models/REFERENCES.md, or a user's own, table.go) and the cost models of
// RDS, Aurora and DynamoDB (cost.go and one file per system), which price
// a scenario from its configuration and, for what is billed by use, from
// what a replication measured.
//
// Package scenarios does not price anything: the commands, the reports
// and sweeps price a run's Result with a *Prices (nil is the built-in
// table).
package pricing
