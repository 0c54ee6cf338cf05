# dbsim: `make run` simulates the bundled Multi-AZ failover into ./out;
# `make test` is what CI runs (.ci/run).
GO ?= go

.PHONY: all build run test bench lint fuzz clean

all: build

build:
	$(GO) build -o bin/dbsim ./cmd/dbsim

run: build
	./bin/dbsim run rds-multi-az-failover -o out

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Long benchmarks, kept out of `make test`. Compare runs with benchstat.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 -timeout 30m ./...

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./scenarios/

clean:
	rm -rf bin out
