// Package cluster holds what every database model shares: the region's
// availability zones and the network between them (round-trip times, AZ
// outages, partitions), hosts that can crash and restart, DNS records whose
// changes take time to propagate, the Call that travels between a client
// and a host, and the log of what happened (the narrative and the
// failovers). It is built only on sim.
package cluster
