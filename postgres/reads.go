package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

// What a page that lists people needs: their names in one query, and the
// access events of that read in one transaction.

const workerNamesSQL = `SELECT id, name FROM workers WHERE id = ANY($1)`

// WorkerNames returns the names of the workers ids names, provisional and
// merged ones included, by ID; an unknown ID is absent. It is one query
// whatever the number of IDs. It returns no domain error codes.
func (db *DB) WorkerNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   uuid.UUID `db:"id"`
		Name string    `db:"name"`
	}
	if err := db.db.SelectContext(ctx, &rows, workerNamesSQL, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("worker names: %w", translate(err))
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// RecordAccesses writes access events (reads of personal data, each with
// its purpose) in one transaction: all or none. A page that shows the
// names of twenty workers logs twenty reads at once.
func (db *DB) RecordAccesses(ctx context.Context, evs []lindungi.Event) error {
	if len(evs) == 0 {
		return nil
	}
	now := db.Now().UTC()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, ev := range evs {
			ev.OccurredAt = now
			if err := insertEvent(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

const casesOfWorkflowsSQL = `SELECT workflow_id, id, number FROM cases WHERE workflow_id = ANY($1)`

// CasesOfWorkflows returns the cases whose workflows are named, by
// workflow ID, each with its ID and number only (what a list of tasks
// shows of their cases); a workflow without a case is absent. It is one
// query whatever the number of IDs. It returns no domain error codes.
func (db *DB) CasesOfWorkflows(ctx context.Context, workflowIDs []string) (map[string]lindungi.Case, error) {
	out := make(map[string]lindungi.Case, len(workflowIDs))
	if len(workflowIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		WorkflowID string    `db:"workflow_id"`
		ID         uuid.UUID `db:"id"`
		Number     string    `db:"number"`
	}
	if err := db.db.SelectContext(ctx, &rows, casesOfWorkflowsSQL, pq.StringArray(workflowIDs)); err != nil {
		return nil, fmt.Errorf("cases of workflows: %w", translate(err))
	}
	for _, r := range rows {
		out[r.WorkflowID] = lindungi.Case{ID: r.ID, Number: r.Number, WorkflowID: r.WorkflowID}
	}
	return out, nil
}

const usersOfSQL = `SELECT subject, name, unit, roles FROM users WHERE unit = ANY($1) ORDER BY name, subject LIMIT 500`

// UsersOf returns the users of the directory who work at the units, by
// name (at most 500: a unit's staff). It returns no domain error codes.
func (db *DB) UsersOf(ctx context.Context, units []string) ([]lindungi.User, error) {
	var rows []struct {
		Subject string         `db:"subject"`
		Name    string         `db:"name"`
		Unit    string         `db:"unit"`
		Roles   pq.StringArray `db:"roles"`
	}
	if err := db.db.SelectContext(ctx, &rows, usersOfSQL, pq.StringArray(units)); err != nil {
		return nil, fmt.Errorf("users of %v: %w", units, translate(err))
	}
	out := make([]lindungi.User, len(rows))
	for i, r := range rows {
		out[i] = lindungi.User{Subject: r.Subject, Name: r.Name, Unit: r.Unit, Roles: r.Roles}
	}
	return out, nil
}
