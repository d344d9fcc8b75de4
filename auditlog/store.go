package auditlog

import (
	"context"
	"crypto/ed25519"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// Store is the audit trail's service: what the audit routes and their
// views read from, and write to, the store. Every other write appends its
// event in its own transaction; Store writes only the events of reads.
// It lives here rather than in package lindungi because it talks in this
// package's types, and this package imports lindungi.
type Store interface {
	// RecordAccess writes an access event (a read of personal data, with
	// its purpose) in a transaction of its own. It returns no domain error
	// codes.
	RecordAccess(ctx context.Context, ev lindungi.Event) error
	// AuditTrace returns the events about a worker in chain order,
	// filtered by f. It returns no domain error codes; an unknown worker
	// has no events.
	AuditTrace(ctx context.Context, worker uuid.UUID, f Filter) ([]Record, error)
	// WorkerAsOf returns a worker's file (the worker, its tasks, its
	// documents and its cases) as it stood at an instant. ENOTFOUND if the
	// worker did not exist yet.
	WorkerAsOf(ctx context.Context, id uuid.UUID, at time.Time) (WorkerFile, error)
	// AuditEvents calls each with every event q selects, in chain order,
	// reading them as it goes (a CSV export streams). It stops at the
	// first error each returns, and returns it. It returns no domain
	// error codes of its own.
	AuditEvents(ctx context.Context, q Query, each func(Record) error) error
	// VerifyAudit re-checks the whole trail, and the checkpoints' signatures
	// with keys (by key ID; nil skips them), and names the first failure in
	// the report. It returns no domain error codes: a broken trail is a
	// report, not an error.
	VerifyAudit(ctx context.Context, keys map[string]ed25519.PublicKey) (Report, error)
	// AuditExport returns the stretch of the chain from the first event at
	// or after from to the last event before to: every event of it when
	// unit is "", else the events in the reach of unit (as Query.Unit
	// selects them; ExportPayload.Scope). EINVALID when it would hold more
	// than max events.
	AuditExport(ctx context.Context, from, to time.Time, unit string, max int) (ExportPayload, error)
}
