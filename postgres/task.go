package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

var _ lindungi.TaskService = (*DB)(nil)

type taskRow struct {
	ID               uuid.UUID  `db:"id"`
	WorkflowID       string     `db:"workflow_id"`
	WorkerID         uuid.UUID  `db:"worker_id"`
	Kind             string     `db:"kind"`
	Step             string     `db:"step"`
	Level            int        `db:"level"`
	Attempt          int        `db:"attempt"`
	Unit             string     `db:"unit"`
	HolderRole       string     `db:"holder_role"`
	ClaimedBy        string     `db:"claimed_by"`
	ClaimedAt        *time.Time `db:"claimed_at"`
	AtTop            bool       `db:"at_top"`
	Subject          string     `db:"subject"`
	RouteRule        string     `db:"route_rule"`
	RouteFlagged     bool       `db:"route_flagged"`
	Status           string     `db:"status"`
	DueAt            time.Time  `db:"due_at"`
	DueDate          time.Time  `db:"due_date"`
	CalendarFallback bool       `db:"calendar_fallback"`
	Outcome          *string    `db:"outcome"`
	Note             *string    `db:"note"`
	CompletedBy      *string    `db:"completed_by"`
	CompletedAt      *time.Time `db:"completed_at"`
	CreatedAt        time.Time  `db:"created_at"`
}

func (r taskRow) task() lindungi.Task {
	t := lindungi.Task{
		ID: r.ID, WorkflowID: r.WorkflowID, WorkerID: r.WorkerID, Kind: lindungi.TaskKind(r.Kind),
		Step: lindungi.Step(r.Step), Level: r.Level, Attempt: r.Attempt, Unit: r.Unit, HolderRole: r.HolderRole,
		ClaimedBy: r.ClaimedBy, AtTop: r.AtTop, Subject: r.Subject, RouteRule: r.RouteRule, RouteFlagged: r.RouteFlagged,
		Status: lindungi.TaskStatus(r.Status), DueAt: r.DueAt.UTC(), DueDate: r.DueDate.Format(time.DateOnly),
		CalendarFallback: r.CalendarFallback, CreatedAt: r.CreatedAt.UTC(),
	}
	if r.Outcome != nil {
		t.Outcome = lindungi.Outcome(*r.Outcome)
	}
	if r.Note != nil {
		t.Note = *r.Note
	}
	if r.CompletedBy != nil {
		t.CompletedBy = *r.CompletedBy
	}
	if r.ClaimedAt != nil {
		at := r.ClaimedAt.UTC()
		t.ClaimedAt = &at
	}
	if r.CompletedAt != nil {
		at := r.CompletedAt.UTC()
		t.CompletedAt = &at
	}
	return t
}

const taskColumns = `id, workflow_id, worker_id, kind, step, level, attempt, unit, holder_role, claimed_by, claimed_at, at_top, subject,
    route_rule, route_flagged, status,
    due_at, due_date, calendar_fallback, outcome, note, completed_by, completed_at, created_at`

const insertTaskSQL = `
INSERT INTO tasks (id, workflow_id, worker_id, kind, step, level, unit, route_rule, route_flagged, status,
    due_at, due_date, calendar_fallback, created_at, attempt, holder_role, subject)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT (id) DO NOTHING`

// CreateTask inserts t as an open task and audits it, and tells its unit
// when the kind calls for it (lindungi.ArrivalNotice). The ID is derived
// from the workflow, so a retried call returns the task already stored and
// writes nothing.
func (db *DB) CreateTask(ctx context.Context, t lindungi.Task, ev lindungi.Event) (lindungi.Task, error) {
	var out lindungi.Task
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now().UTC()
		res, err := tx.ExecContext(ctx, insertTaskSQL, t.ID, t.WorkflowID, t.WorkerID, string(t.Kind), string(t.Step),
			t.Level, t.Unit, t.RouteRule, t.RouteFlagged, t.DueAt, t.DueDate, t.CalendarFallback, now, t.Attempt, holderRole(t.HolderRole), t.Subject)
		if err != nil {
			return fmt.Errorf("insert task %s: %w", t.ID, translate(err))
		}
		if n, _ := res.RowsAffected(); n == 1 {
			ev.Rule = t.RouteRule
			if err := auditTask(ctx, tx, ev, "task.create", t, now, nil, map[string]any{"kind": t.Kind, "unit": t.Unit,
				"due_at": t.DueAt, "route_flagged": t.RouteFlagged, "calendar_fallback": t.CalendarFallback}); err != nil {
				return err
			}
			if err := noticeArrival(ctx, tx, t, ev.Actor, now); err != nil {
				return err
			}
		}
		var row taskRow
		if err := tx.GetContext(ctx, &row, `SELECT `+taskColumns+` FROM tasks WHERE id = $1`, t.ID); err != nil {
			return translate(err)
		}
		out = row.task()
		return nil
	})
	return out, err
}

// FindTask returns a task by ID.
func (db *DB) FindTask(ctx context.Context, id uuid.UUID) (lindungi.Task, error) {
	var row taskRow
	if err := db.db.GetContext(ctx, &row, `SELECT `+taskColumns+` FROM tasks WHERE id = $1`, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Task{}, lindungi.Errorf(lindungi.ENOTFOUND, "Task not found.")
		}
		return lindungi.Task{}, fmt.Errorf("find task %s: %w", id, translate(err))
	}
	return row.task(), nil
}

const listTasksSQL = `
SELECT ` + taskColumns + ` FROM tasks
WHERE (unit IN (SELECT code FROM units WHERE path && $1::text[]) OR worker_id = ANY ($2::uuid[]))
  AND ($3 = '' OR status = $3)
  AND ($4 = '' OR kind = $4)
  AND ($5 = '' OR unit IN (SELECT code FROM units WHERE $5 = ANY (path)))
  AND (NOT $6 OR (status = 'open' AND due_at < $7))
  AND ($8 = '' OR claimed_by = $8)
  AND ($9::uuid IS NULL OR worker_id = $9)
  AND ($10::timestamptz IS NULL OR (due_at, id) > ($10, $11::uuid))
  AND (NOT $13 OR level > 0)
ORDER BY due_at, id
LIMIT $12`

// ListTasks returns the tasks of units at or below scope.Units and of the
// workers in scope.Workers that pass the filter, by deadline then ID.
func (db *DB) ListTasks(ctx context.Context, scope lindungi.Scope, f lindungi.TaskFilter) ([]lindungi.Task, error) {
	var rows []taskRow
	if err := db.db.SelectContext(ctx, &rows, listTasksSQL, db.listTasksArgs(scope, f, pageSize(f.Limit, 100, 500))...); err != nil {
		return nil, fmt.Errorf("list tasks: %w", translate(err))
	}
	return convert(rows, taskRow.task), nil
}

// listTasksArgs are the arguments of listTasksSQL: scope, f and limit (nil
// for every task, as CountTasks counts them).
func (db *DB) listTasksArgs(scope lindungi.Scope, f lindungi.TaskFilter, limit any) []any {
	afterDue, afterID := pageAfter(f.AfterDue, f.AfterID)
	return []any{pq.StringArray(scope.Units), pq.Array(scope.Workers),
		string(f.Status), string(f.Kind), f.Unit, f.Overdue, db.nowOr(f.Now), f.Assignee, nullUUID(f.WorkerID), afterDue, afterID,
		limit, f.Escalated}
}

const completeTaskSQL = `
UPDATE tasks SET status = 'completed', outcome = $2, note = $3, completed_by = $4, completed_at = $5
WHERE id = $1 AND status = 'open' AND (claimed_by = '' OR claimed_by = $4)
RETURNING ` + taskColumns

// CompleteTask marks an open task completed and audits it. Completing a task
// that this same completion already closed returns it unchanged, so a retried
// activity is harmless; ECONFLICT if another completion closed it.
func (db *DB) CompleteTask(ctx context.Context, id uuid.UUID, outcome lindungi.Outcome, note string, ev lindungi.Event) (lindungi.Task, error) {
	var out lindungi.Task
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now().UTC()
		var row taskRow
		err := tx.GetContext(ctx, &row, completeTaskSQL, id, string(outcome), note, ev.Actor, now)
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			if err := tx.GetContext(ctx, &row, `SELECT `+taskColumns+` FROM tasks WHERE id = $1`, id); err != nil {
				return translate(err)
			}
			done := row.task()
			if done.Status == lindungi.TaskOpen {
				return lindungi.Errorf(lindungi.ECONFLICT, "The task is claimed by %s; only the assignee may complete it.", done.ClaimedBy)
			}
			if done.Outcome == outcome && done.Note == note && done.CompletedBy == ev.Actor {
				out = done
				return nil
			}
			return lindungi.Errorf(lindungi.ECONFLICT, "The task is already %s.", done.Status)
		}
		if err != nil {
			return fmt.Errorf("complete task %s: %w", id, translate(err))
		}
		out = row.task()
		return auditTask(ctx, tx, ev, "task.complete", out, now,
			map[string]any{"status": lindungi.TaskOpen}, map[string]any{"status": out.Status, "outcome": out.Outcome})
	})
	return out, err
}

func holderRole(r string) string {
	if r == "" {
		return lindungi.RoleCaseworker
	}
	return r
}

// OpenTaskOf returns the oldest open task of kind in a workflow. ENOTFOUND
// if there is none.
func (db *DB) OpenTaskOf(ctx context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error) {
	var row taskRow
	err := db.db.GetContext(ctx, &row, `SELECT `+taskColumns+` FROM tasks
WHERE workflow_id = $1 AND kind = $2 AND status = 'open' ORDER BY created_at, id LIMIT 1`, workflowID, string(kind))
	if err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Task{}, lindungi.Errorf(lindungi.ENOTFOUND, "No open %s task.", kind)
		}
		return lindungi.Task{}, fmt.Errorf("open %s task of %s: %w", kind, workflowID, translate(err))
	}
	return row.task(), nil
}

// LastTaskOf returns the newest task of kind in a workflow, open or not.
// ENOTFOUND if there is none.
func (db *DB) LastTaskOf(ctx context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error) {
	var row taskRow
	err := db.db.GetContext(ctx, &row, `SELECT `+taskColumns+` FROM tasks
WHERE workflow_id = $1 AND kind = $2 ORDER BY created_at DESC, id DESC LIMIT 1`, workflowID, string(kind))
	if err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Task{}, lindungi.Errorf(lindungi.ENOTFOUND, "No %s task.", kind)
		}
		return lindungi.Task{}, fmt.Errorf("last %s task of %s: %w", kind, workflowID, translate(err))
	}
	return row.task(), nil
}

// auditTask appends the event of a change to task t inside tx: the action,
// the values before it (nil when none matter) and after it.
func auditTask(ctx context.Context, tx *sqlx.Tx, ev lindungi.Event, action string, t lindungi.Task, now time.Time, before, after map[string]any) error {
	ev.OccurredAt, ev.Action = now, action
	ev.SubjectType, ev.SubjectID, ev.WorkerID = "task", t.ID.String(), &t.WorkerID
	if before != nil {
		ev.Before = mustJSON(before)
	}
	ev.After = mustJSON(after)
	return insertEvent(ctx, tx, ev)
}

// lockTask reads task id and locks it until tx ends. ENOTFOUND if there is
// none.
func lockTask(ctx context.Context, tx *sqlx.Tx, id uuid.UUID) (lindungi.Task, error) {
	var row taskRow
	if err := tx.GetContext(ctx, &row, `SELECT `+taskColumns+` FROM tasks WHERE id = $1 FOR UPDATE`, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Task{}, lindungi.Errorf(lindungi.ENOTFOUND, "Task not found.")
		}
		return lindungi.Task{}, translate(err)
	}
	return row.task(), nil
}

// changeTask locks task id and calls change with it as it stands; change
// writes and audits, and returns the task as it is afterwards (before
// itself when it leaves the task as it is, a repeated call).
func (db *DB) changeTask(ctx context.Context, id uuid.UUID, change func(tx *sqlx.Tx, before lindungi.Task, now time.Time) (lindungi.Task, error)) (lindungi.Task, error) {
	var out lindungi.Task
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := lockTask(ctx, tx, id)
		if err != nil {
			return err
		}
		out, err = change(tx, before, db.Now().UTC())
		return err
	})
	return out, err
}

// updateTask runs query, an UPDATE of one task that returns taskColumns,
// with args, and returns the task as updated.
func updateTask(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (lindungi.Task, error) {
	var row taskRow
	if err := tx.GetContext(ctx, &row, query, args...); err != nil {
		return lindungi.Task{}, fmt.Errorf("update task %v: %w", args[0], translate(err))
	}
	return row.task(), nil
}

const moveTaskSQL = `
UPDATE tasks SET unit = $2, holder_role = $3, level = $4, route_rule = $5, due_at = $6, due_date = $7,
    calendar_fallback = $8, claimed_by = '', claimed_at = NULL, at_top = false
WHERE id = $1 RETURNING ` + taskColumns

// MoveTask escalates or reassigns an open task: it takes the task to
// another unit and role, with a new deadline, tells the unit it left and
// the unit it reached (noticeMove), and audits it with the rule or reason. A task already at m.Level with m.Unit
// (a retried call) is returned unchanged.
func (db *DB) MoveTask(ctx context.Context, id uuid.UUID, m lindungi.TaskMove, action string, ev lindungi.Event) (lindungi.Task, error) {
	return db.changeTask(ctx, id, func(tx *sqlx.Tx, before lindungi.Task, now time.Time) (lindungi.Task, error) {
		if before.Unit == m.Unit && before.Level == m.Level && before.HolderRole == m.Role {
			return before, nil
		}
		if before.Status != lindungi.TaskOpen {
			return lindungi.Task{}, lindungi.Errorf(lindungi.ECONFLICT, "The task is %s.", before.Status)
		}
		out, err := updateTask(ctx, tx, moveTaskSQL,
			id, m.Unit, m.Role, m.Level, m.Rule, m.Deadline.At, m.Deadline.Date.Format(time.DateOnly), m.Deadline.Fallback)
		if err != nil {
			return out, err
		}
		if err := noticeMove(ctx, tx, before, out, action, m.Reason, ev.Actor, now); err != nil {
			return out, err
		}
		if ev.Rule == "" {
			ev.Rule = m.Rule
		}
		after := map[string]any{"unit": out.Unit, "holder_role": out.HolderRole, "level": out.Level, "due_at": out.DueAt, "reason": m.Reason}
		if m.By != "" {
			after["by"] = m.By
		}
		return out, auditTask(ctx, tx, ev, action, out, now,
			map[string]any{"unit": before.Unit, "holder_role": before.HolderRole, "level": before.Level, "due_at": before.DueAt, "claimed_by": before.ClaimedBy},
			after)
	})
}

// MarkTaskAtTop records that an overdue task has no one left above it.
func (db *DB) MarkTaskAtTop(ctx context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Task, error) {
	return db.changeTask(ctx, id, func(tx *sqlx.Tx, before lindungi.Task, now time.Time) (lindungi.Task, error) {
		if before.AtTop || before.Status != lindungi.TaskOpen {
			return before, nil
		}
		out, err := updateTask(ctx, tx, `UPDATE tasks SET at_top = true WHERE id = $1 RETURNING `+taskColumns, id)
		if err != nil {
			return before, err
		}
		if err := notify(ctx, tx, taskNotice(out, lindungi.NoticeOverdueAtTop, "Tugas lewat tenggat di ujung rantai eskalasi / Task overdue at the top of its escalation chain", ev.Actor), now); err != nil {
			return out, err
		}
		return out, auditTask(ctx, tx, ev, "task.overdue", out, now, nil, map[string]any{"at_top": true, "due_at": out.DueAt})
	})
}

const extendTaskSQL = `
UPDATE tasks SET due_at = $2, due_date = $3, calendar_fallback = $4, at_top = false WHERE id = $1 RETURNING ` + taskColumns

// ExtendTask gives an open task a new deadline, with a reason. Extending to
// the deadline it has already changes nothing.
func (db *DB) ExtendTask(ctx context.Context, id uuid.UUID, d lindungi.Deadline, reason string, ev lindungi.Event) (lindungi.Task, error) {
	return db.changeTask(ctx, id, func(tx *sqlx.Tx, before lindungi.Task, now time.Time) (lindungi.Task, error) {
		if before.DueAt.Equal(d.At) {
			return before, nil
		}
		if before.Status != lindungi.TaskOpen {
			return before, lindungi.Errorf(lindungi.ECONFLICT, "The task is %s.", before.Status)
		}
		out, err := updateTask(ctx, tx, extendTaskSQL, id, d.At, d.Date.Format(time.DateOnly), d.Fallback)
		if err != nil {
			return before, err
		}
		return out, auditTask(ctx, tx, ev, "task.extend", out, now,
			map[string]any{"due_at": before.DueAt}, map[string]any{"due_at": out.DueAt, "reason": reason})
	})
}

const cancelTaskSQL = `
UPDATE tasks SET status = 'cancelled', completed_at = $2, note = $3 WHERE id = $1 RETURNING ` + taskColumns

// CancelTask ends an open task the journey no longer needs. A task that is
// not open is returned unchanged.
func (db *DB) CancelTask(ctx context.Context, id uuid.UUID, reason string, ev lindungi.Event) (lindungi.Task, error) {
	return db.changeTask(ctx, id, func(tx *sqlx.Tx, before lindungi.Task, now time.Time) (lindungi.Task, error) {
		if before.Status != lindungi.TaskOpen {
			return before, nil
		}
		out, err := updateTask(ctx, tx, cancelTaskSQL, id, now, reason)
		if err != nil {
			return before, err
		}
		return out, auditTask(ctx, tx, ev, "task.cancel", out, now, nil, map[string]any{"status": lindungi.TaskCancelled, "reason": reason})
	})
}

// ClaimTask makes a person the assignee of an open task, and stores the
// answer of the request that claimed it (lindungi.NewContextWithAnswer).
// An assignment by someone else (ev.Action task.assign) is told to the
// task's unit and the assignee.
// ECONFLICT if someone else holds it.
func (db *DB) ClaimTask(ctx context.Context, id uuid.UUID, assignee string, ev lindungi.Event) (lindungi.Task, error) {
	return db.changeTask(ctx, id, func(tx *sqlx.Tx, before lindungi.Task, now time.Time) (lindungi.Task, error) {
		switch {
		case before.Status != lindungi.TaskOpen:
			return lindungi.Task{}, lindungi.Errorf(lindungi.ECONFLICT, "The task is %s.", before.Status)
		case before.ClaimedBy == assignee:
			return before, db.answer(ctx, tx, before)
		case before.ClaimedBy != "" && ev.Action != "task.assign":
			return lindungi.Task{}, lindungi.Errorf(lindungi.ECONFLICT, "The task is claimed by %s.", before.ClaimedBy)
		}
		out, err := updateTask(ctx, tx, `UPDATE tasks SET claimed_by = $2, claimed_at = $3 WHERE id = $1 RETURNING `+taskColumns, id, assignee, now)
		if err != nil {
			return lindungi.Task{}, err
		}
		action := ev.Action
		if action == "" {
			action = "task.claim"
		}
		if err := auditTask(ctx, tx, ev, action, out, now, map[string]any{"claimed_by": before.ClaimedBy}, map[string]any{"claimed_by": assignee}); err != nil {
			return lindungi.Task{}, err
		}
		if action == "task.assign" {
			n := taskNotice(out, lindungi.NoticeAssigned, fmt.Sprintf("Tugas %s ditetapkan kepada %s oleh %s / Task assigned to %s by %s",
				out.Kind, assignee, ev.Actor, assignee, ev.Actor), ev.Actor)
			if err := notify(ctx, tx, n, now); err != nil {
				return lindungi.Task{}, err
			}
		}
		return out, db.answer(ctx, tx, out)
	})
}

// ReleaseTask gives a claimed task back to its unit's queue, and stores the
// answer of the request that released it (lindungi.NewContextWithAnswer).
func (db *DB) ReleaseTask(ctx context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Task, error) {
	return db.changeTask(ctx, id, func(tx *sqlx.Tx, before lindungi.Task, now time.Time) (lindungi.Task, error) {
		if before.ClaimedBy == "" {
			return before, db.answer(ctx, tx, before)
		}
		out, err := updateTask(ctx, tx, `UPDATE tasks SET claimed_by = '', claimed_at = NULL WHERE id = $1 RETURNING `+taskColumns, id)
		if err != nil {
			return before, err
		}
		if err := auditTask(ctx, tx, ev, "task.release", out, now, map[string]any{"claimed_by": before.ClaimedBy}, map[string]any{"claimed_by": ""}); err != nil {
			return lindungi.Task{}, err
		}
		return out, db.answer(ctx, tx, out)
	})
}
