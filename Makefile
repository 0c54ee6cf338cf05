# dbsim: `make run` simulates the bundled Multi-AZ failover into ./out;
# `make playground` writes the workshop site (the simulator in a web page)
# into out/playground; `make test` is what CI runs (.ci/run).
GO ?= go
SHELL = /bin/bash

.PHONY: all build run playground test bench pgo lint fuzz clean

all: build

build:
	$(GO) build -o bin/dbsim ./cmd/dbsim

run: build
	./bin/dbsim run rds-multi-az-failover -o out

# The workshop site: static files and dbsim built for WebAssembly. Serve it
# with any static file server, e.g. python3 -m http.server -d out/playground 8000
PLAYGROUND ?= out/playground
playground:
	$(GO) run ./cmd/dbsim-wasm -o $(PLAYGROUND)

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Long benchmarks, kept out of `make test`. Compare runs with benchstat.
# First every system kind at 10,000 requests/s beside the kernel's M/M/1
# (BenchmarkSystems), as go test prints them and then as a table; then
# the rest. They are built as go build builds bin/dbsim, with its profile
# (PGO), so that they time the code users run.
PGO = -pgo=$(CURDIR)/cmd/dbsim/default.pgo
bench:
	set -o pipefail; $(GO) test $(PGO) -run '^$$' -bench '^BenchmarkSystems$$' -benchmem -count 1 ./scenarios/ | awk '$(BENCHTABLE)'
	$(GO) test $(PGO) -run '^$$' -bench . -skip '^BenchmarkSystems$$' -benchmem -count 1 -timeout 30m ./...

# cmd/dbsim/default.pgo is a CPU profile of BenchmarkSystems, which go
# build reads by itself (profile-guided optimisation: it inlines the hot
# calls and calls the usual implementation of a hot interface directly).
# Refresh it after changing a hot path; a stale one still helps, less.
pgo:
	$(GO) test -pgo=off -run '^$$' -bench '^BenchmarkSystems$$' -benchtime 5s -o $$(mktemp -d)/scenarios.test \
		-cpuprofile $(CURDIR)/cmd/dbsim/default.pgo ./scenarios/

# BENCHTABLE passes go test's output through, then tabulates its
# BenchmarkSystems lines: the figures of one core, in one run.
BENCHTABLE = { print } \
	/^BenchmarkSystems\// { n = $$1; sub(/^BenchmarkSystems\//, "", n); sub(/-[0-9]+$$/, "", n); \
		names[++rows] = n; for (i = 3; i < NF; i += 2) v[n, $$(i+1)] = $$i } \
	END { if (!rows) exit; \
		printf "\none core, this run    %14s %11s %11s %14s\n", "per second", "events/req", "allocs/req", "÷ kernel ev/s"; \
		for (r = 1; r <= rows; r++) { n = names[r]; \
			if ((n, "events/s") in v) printf "%-20s %10.2f M ev %11s %11s %14s\n", n, v[n, "events/s"] / 1e6, "", "", ""; \
			else printf "%-20s %9.2f M req %11.2f %11.3f %14.4f\n", n, v[n, "requests/s"] / 1e6, v[n, "events/req"], v[n, "allocs/req"], v[n, "req/kernel-ev"] } }

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./scenarios/

clean:
	rm -rf bin out
