# The two commands of the README: `make run` and `make test`.
.PHONY: run test bench temporal-cli chaos

# run starts PostgreSQL, the Temporal dev server, the worker and the API, all
# local, with demo data; Ctrl-C stops everything.
run:
	go run ./cmd/lindungi dev

# test runs every test, the bounded fault suite (fault/, about two minutes)
# among them. It starts its own PostgreSQL and Temporal dev server; the
# temporal CLI is built once into the user cache if missing.
# LINDUNGI_FAULT=off make test skips the fault suite.
test:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	go vet ./...
	LINDUNGI_TEMPORAL_BIN="$$(go run ./cmd/lindungi temporal-cli)" go test -count=1 -timeout 30m ./...

# chaos runs the long fault suite (fault/, about 15 minutes): under load,
# the worker, the API, Temporal and PostgreSQL killed with -9 and frozen
# with SIGSTOP in turn, twice, PostgreSQL frozen 40 s and Temporal down
# 45 s; the figures go to the test log and fault/results/.
chaos:
	LINDUNGI_FAULT=chaos LINDUNGI_TEMPORAL_BIN="$$(go run ./cmd/lindungi temporal-cli)" go test -count=1 -timeout 60m -v -run TestFault ./fault

bench:
	go test -run '^$$' -bench . -benchmem ./...

temporal-cli:
	go run ./cmd/lindungi temporal-cli
