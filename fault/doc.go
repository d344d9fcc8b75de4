// Package fault is Lindungi's fault suite: it runs the production shape
// (PostgreSQL, a Temporal dev server, and `lindungi migrate`, `serve` and
// `worker` as separate processes of one binary), drives a load of clients
// that retry with their Idempotency-Keys, kills and freezes each component
// in turn, and then checks in SQL, in Temporal and through the API that
// nothing was lost, doubled, wedged or answered twice differently; then it
// probes the races, the NUL bytes and the refusals of issue 10.
//
// The suite is only tests. Its bounded run is part of every
// `go test ./...` (and so of `make test`): 40 registrations and 6
// complaints, each fault once, about two minutes. LINDUNGI_FAULT chooses:
//
//	go test -count=1 -v ./fault                        # bounded (LINDUNGI_FAULT unset or 1)
//	LINDUNGI_FAULT=chaos go test -count=1 -v ./fault   # long, about 15 minutes (make chaos)
//	LINDUNGI_FAULT=off go test ./...                   # skip it (so does -short)
//
// Like the other tests it needs PostgreSQL's binaries and the temporal
// CLI (LINDUNGI_TEMPORAL_BIN, or built once into the user cache).
//
// A client retries a request with its key on no answer, a 5xx, 408, 429
// and a 409 with Retry-After (the key is held by a request still running);
// during an outage the API must answer 503 (with Retry-After) or 504, never
// 500 and never hang.
//
// Figures (requests, retries, lost, duplicated, recovery per fault) go to
// the test log and to fault/results/ (git-ignored), or to the folder named
// by LINDUNGI_FAULT_OUT.
package fault
