// Package e2e drives the public HTTP API of the real `lindungi` binary,
// running as separate serve and worker processes against a real PostgreSQL
// and a real Temporal dev server, and checks every request and response
// against the OpenAPI document.
package e2e
