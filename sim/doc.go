// Package sim is dbsim's discrete-event kernel. It knows nothing of
// databases: it owns the virtual clock, the event queue, seeded random
// streams, probability distributions, queueing primitives (a multi-server
// FIFO station, a token bucket) and bounded-memory metric recorders.
//
// A Kernel is single-threaded and callback-driven. An event is a time plus a
// function; events at the same time fire in the order they were scheduled,
// so a run is a pure function of its inputs and seed. Nothing here reads the
// wall clock or the global random source. Parallelism belongs one level up:
// independent replications each run their own Kernel on their own goroutine.
//
// Time is an integer count of simulated nanoseconds (Time); spans are
// time.Duration.
package sim
