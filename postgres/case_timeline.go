package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

// What the case page reads besides the case: its timeline from the audit
// trail, and the names of the people in it, each in one query.

// caseTimelineSQL: the newest $3 changes (not reads) about case $1 or made
// by its workflow $2, newest first. Each half walks an index.
const caseTimelineSQL = `
SELECT ` + eventColumns + ` FROM audit_events
WHERE seq IN (
    (SELECT seq FROM audit_events WHERE subject_type = 'case' AND subject_id = $1 AND purpose = ''
     ORDER BY seq DESC LIMIT $3)
    UNION
    (SELECT seq FROM audit_events WHERE workflow_id = $2 AND workflow_id <> '' AND purpose = ''
     ORDER BY seq DESC LIMIT $3))
ORDER BY seq DESC
LIMIT $3`

// CaseTimeline returns what happened to a case, newest first: the events
// about the case and those its workflow wrote (its tasks), without the
// reads of it; at most limit (200 when limit is not 1 to 1000). It returns
// no domain error codes.
func (db *DB) CaseTimeline(ctx context.Context, caseID uuid.UUID, workflowID string, limit int) ([]lindungi.Event, error) {
	var rows []eventRow
	if err := db.db.SelectContext(ctx, &rows, caseTimelineSQL, caseID.String(), workflowID, pageSize(limit, 200, 1000)); err != nil {
		return nil, fmt.Errorf("case timeline: %w", translate(err))
	}
	out := make([]lindungi.Event, len(rows))
	for i, r := range rows {
		out[i] = r.record().Event
	}
	return out, nil
}

// UserNames returns the names of the users subjects names, by subject; a
// subject not in the directory is absent. One query whatever their number.
// It returns no domain error codes.
func (db *DB) UserNames(ctx context.Context, subjects []string) (map[string]string, error) {
	out := make(map[string]string, len(subjects))
	if len(subjects) == 0 {
		return out, nil
	}
	var rows []struct {
		Subject string `db:"subject"`
		Name    string `db:"name"`
	}
	if err := db.db.SelectContext(ctx, &rows, `SELECT subject, name FROM users WHERE subject = ANY($1)`, pq.StringArray(subjects)); err != nil {
		return nil, fmt.Errorf("user names: %w", translate(err))
	}
	for _, r := range rows {
		out[r.Subject] = r.Name
	}
	return out, nil
}

// OpenCaseTasks returns the open tasks of a case's workflow (its handling
// and the decisions waiting), by deadline: what the case waits for. It
// returns no domain error codes.
func (db *DB) OpenCaseTasks(ctx context.Context, workflowID string) ([]lindungi.Task, error) {
	var rows []taskRow
	if err := db.db.SelectContext(ctx, &rows, `SELECT `+taskColumns+` FROM tasks
WHERE workflow_id = $1 AND status = 'open' ORDER BY due_at, id LIMIT 50`, workflowID); err != nil {
		return nil, fmt.Errorf("open case tasks: %w", translate(err))
	}
	return convert(rows, taskRow.task), nil
}
