// Package fault is Lindungi's fault suite: it runs the production shape
// (PostgreSQL, a Temporal dev server, and `lindungi migrate`, `serve` and
// `worker` as separate processes of one binary), drives a load of clients
// that retry with their Idempotency-Keys, kills and freezes each component
// in turn, and then checks in SQL, in Temporal and through the API that
// nothing was lost, doubled, wedged or answered twice differently.
//
// The suite is only tests; it runs when LINDUNGI_FAULT is set:
//
//	LINDUNGI_FAULT=1 go test -count=1 -v ./fault       # bounded, a few minutes
//	LINDUNGI_FAULT=chaos go test -count=1 -v ./fault   # long (make chaos)
//
// Figures (requests, retries, lost, duplicated, recovery per fault) go to
// the test log and to fault/results/ (git-ignored), or to the folder named
// by LINDUNGI_FAULT_OUT.
package fault
