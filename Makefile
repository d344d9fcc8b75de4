# The two commands of the README: `make run` and `make test`.
.PHONY: run test bench temporal-cli

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

bench:
	go test -run '^$$' -bench . -benchmem ./...

temporal-cli:
	go run ./cmd/lindungi temporal-cli
