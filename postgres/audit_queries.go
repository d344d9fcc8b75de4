package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
)

// reachSQL is the condition that an audit event is in the reach of the
// unit whose code is the parameter param: its actor acted from that unit
// or a unit below it, or it is about a worker domiciled there or below.
// The system's own events (the workflows', at the top unit) are in the
// reach of the units of the workers they concern.
func reachSQL(param string) string {
	return `(actor_unit IN (SELECT code FROM units WHERE path @> ARRAY[` + param + `]::text[])
    OR worker_id IN (SELECT w.id FROM workers w JOIN units u ON u.code = w.domicile_unit WHERE u.path @> ARRAY[` + param + `]::text[]))`
}

// auditEventsSQL selects the events of an auditlog.Query in chain order;
// each condition is off when its parameter is empty.
var auditEventsSQL = `
SELECT ` + eventColumns + ` FROM audit_events
WHERE chain_seq > $1
  AND ($2::timestamptz IS NULL OR occurred_at >= $2)
  AND ($3::timestamptz IS NULL OR occurred_at < $3)
  AND ($4 = '' OR actor = $4)
  AND (coalesce(cardinality($5::text[]), 0) = 0 OR action = ANY ($5))
  AND (coalesce(cardinality($6::text[]), 0) = 0 OR subject_id = ANY ($6))
  AND (NOT $7 OR purpose <> '')
  AND ($8 = '' OR ` + reachSQL("$8") + `)
ORDER BY chain_seq
LIMIT $9`

// AuditEvents calls each with every event q selects, in chain order,
// reading the rows as it goes.
func (db *DB) AuditEvents(ctx context.Context, q auditlog.Query, each func(auditlog.Record) error) error {
	var limit any
	if q.Limit > 0 {
		limit = q.Limit
	}
	rows, err := db.db.QueryxContext(ctx, auditEventsSQL, q.After, nullTime(q.From), nullTime(q.To), q.Actor,
		pq.StringArray(q.Actions), pq.StringArray(q.SubjectIDs), q.AccessesOnly, q.Unit, limit)
	if err != nil {
		return fmt.Errorf("audit events: %w", translate(err))
	}
	defer rows.Close()
	for r, err := range scanRecords(rows) {
		if err != nil {
			return fmt.Errorf("audit events: %w", err)
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return nil
}

// workerDocumentsSQL rebuilds a worker's documents as they stood at $2
// from the documents themselves: a document's fields never change, and
// each decision (verified, rejected, superseded) is made once, with its
// time, so a decision taken after $2 is left out.
const workerDocumentsSQL = `
SELECT id, worker_id, type, number, issued_on, expires_on, file_ref, created_by, created_at,
    CASE WHEN verified_at <= $2 THEN verified_by END AS verified_by,
    CASE WHEN verified_at <= $2 THEN verified_at END AS verified_at,
    CASE WHEN rejected_at <= $2 THEN rejected_by END AS rejected_by,
    CASE WHEN rejected_at <= $2 THEN rejected_at END AS rejected_at,
    CASE WHEN rejected_at <= $2 THEN rejected_reason END AS rejected_reason,
    CASE WHEN superseded_at <= $2 THEN superseded_at END AS superseded_at,
    CASE WHEN superseded_at <= $2 THEN superseded_by END AS superseded_by
FROM documents
WHERE worker_id = $1 AND created_at <= $2
ORDER BY array_position($3::text[], type), created_at DESC, id`

func (db *DB) workerDocumentsAsOf(ctx context.Context, id uuid.UUID, at time.Time) ([]lindungi.Document, error) {
	var rows []documentRow
	if err := db.db.SelectContext(ctx, &rows, workerDocumentsSQL, id, at, docTypeOrder); err != nil {
		return nil, fmt.Errorf("documents of %s as of %s: %w", id, at, translate(err))
	}
	return convert(rows, documentRow.document), nil
}

// workerCasesAsOfSelect is caseSelect over the latest version, written at
// or before $1, of each case that was the worker's ($2) then: a case
// merged into another worker's file was the provisional worker's before.
var workerCasesAsOfSelect = strings.Replace(caseSelect, "FROM cases c", `FROM (
    SELECT (jsonb_populate_record(NULL::cases, latest.row_data)).* FROM (
        SELECT DISTINCT ON (case_id) row_data FROM cases_history
        WHERE changed_at <= $1 AND case_id IN (
            SELECT case_id FROM cases_history WHERE row_data ->> 'worker_id' = $2 AND changed_at <= $1)
        ORDER BY case_id, changed_at DESC, history_id DESC) latest
    WHERE latest.row_data ->> 'worker_id' = $2) c`, 1) + `
ORDER BY c.received_at, c.id`

func (db *DB) workerCasesAsOf(ctx context.Context, id uuid.UUID, at time.Time) ([]lindungi.Case, error) {
	var rows []caseRow
	if err := db.db.SelectContext(ctx, &rows, workerCasesAsOfSelect, at, id.String()); err != nil {
		return nil, fmt.Errorf("cases of %s as of %s: %w", id, at, translate(err))
	}
	out := convert(rows, caseRow.pcase)
	for i := range out {
		utcTimes(&out[i])
	}
	return out, nil
}

// TasksByID returns the tasks ids names, by ID, in one query; an ID of
// no task is left out.
func (db *DB) TasksByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]lindungi.Task, error) {
	out := map[uuid.UUID]lindungi.Task{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []taskRow
	if err := db.db.SelectContext(ctx, &rows, `SELECT `+taskColumns+` FROM tasks WHERE id = ANY ($1)`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("tasks by ID: %w", translate(err))
	}
	for _, r := range rows {
		t := r.task()
		out[t.ID] = t
	}
	return out, nil
}
