# The two commands of the README: `make run` and `make test`.
.PHONY: run test bench temporal-cli chaos

# run starts PostgreSQL, the Temporal dev server, the worker and the API, all
# local, with demo data; Ctrl-C stops everything.
run:
	go run ./cmd/lindungi dev

# test runs every test. It starts its own PostgreSQL and Temporal dev
# server; the temporal CLI is built once into the user cache if missing.
test:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	go vet ./...
	LINDUNGI_TEMPORAL_BIN="$$(go run ./cmd/lindungi temporal-cli)" go test -count=1 -timeout 30m ./...

# chaos runs the long fault suite (fault/): under load, the worker, the API,
# Temporal and PostgreSQL killed with -9 and frozen with SIGSTOP in turn,
# twice; the figures go to the test log and fault/results/. The bounded
# suite runs with LINDUNGI_FAULT=1 go test ./fault.
chaos:
	LINDUNGI_FAULT=chaos LINDUNGI_TEMPORAL_BIN="$$(go run ./cmd/lindungi temporal-cli)" go test -count=1 -timeout 60m -v -run TestFault ./fault

bench:
	go test -run '^$$' -bench . -benchmem ./...

temporal-cli:
	go run ./cmd/lindungi temporal-cli
