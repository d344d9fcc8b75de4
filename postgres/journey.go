package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

func lockOpenTask(ctx context.Context, tx *sqlx.Tx, id uuid.UUID) (lindungi.Task, error) {
	var row taskRow
	if err := tx.GetContext(ctx, &row, `SELECT `+taskColumns+` FROM tasks WHERE id = $1 FOR UPDATE`, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Task{}, lindungi.Errorf(lindungi.ENOTFOUND, "Task not found.")
		}
		return lindungi.Task{}, translate(err)
	}
	return row.task(), nil
}

func notify(ctx context.Context, tx *sqlx.Tx, t lindungi.Task, kind, message string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO notifications (recipient_unit, recipient_role, recipient_user, task_id, kind, message, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.Unit, t.HolderRole, t.ClaimedBy, t.ID, kind, message, now)
	return translate(err)
}

// MoveTask escalates or reassigns an open task: it takes the task to
// another unit and role, with a new deadline, tells the previous holder, and
// audits it with the rule or reason. A task already at m.Level with m.Unit
// (a retried call) is returned unchanged.
func (db *DB) MoveTask(ctx context.Context, id uuid.UUID, m lindungi.TaskMove, action string, ev lindungi.Event) (lindungi.Task, error) {
	var out lindungi.Task
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := lockOpenTask(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Unit == m.Unit && before.Level == m.Level && before.HolderRole == m.Role {
			out = before
			return nil
		}
		if before.Status != lindungi.TaskOpen {
			return lindungi.Errorf(lindungi.ECONFLICT, "The task is %s.", before.Status)
		}
		now := db.Now().UTC()
		var row taskRow
		if err := tx.GetContext(ctx, &row, `
UPDATE tasks SET unit = $2, holder_role = $3, level = $4, route_rule = $5, due_at = $6, due_date = $7,
    calendar_fallback = $8, claimed_by = '', claimed_at = NULL, at_top = false
WHERE id = $1 RETURNING `+taskColumns,
			id, m.Unit, m.Role, m.Level, m.Rule, m.Deadline.At, m.Deadline.Date.Format(time.DateOnly), m.Deadline.Fallback); err != nil {
			return fmt.Errorf("move task %s: %w", id, translate(err))
		}
		out = row.task()
		msg := fmt.Sprintf("Tugas %s dipindahkan ke %s (%s): %s / Task moved to %s (%s): %s",
			before.Kind, m.Unit, m.Role, m.Reason, m.Unit, m.Role, m.Reason)
		if err := notify(ctx, tx, before, action, msg, now); err != nil {
			return err
		}
		if ev.Rule == "" {
			ev.Rule = m.Rule
		}
		return auditTask(ctx, tx, ev, action, out, now,
			map[string]any{"unit": before.Unit, "holder_role": before.HolderRole, "level": before.Level, "due_at": before.DueAt, "claimed_by": before.ClaimedBy},
			map[string]any{"unit": out.Unit, "holder_role": out.HolderRole, "level": out.Level, "due_at": out.DueAt, "reason": m.Reason})
	})
	return out, err
}

// MarkTaskAtTop records that an overdue task has no one left above it.
func (db *DB) MarkTaskAtTop(ctx context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Task, error) {
	var out lindungi.Task
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := lockOpenTask(ctx, tx, id)
		if err != nil {
			return err
		}
		out = before
		if before.AtTop || before.Status != lindungi.TaskOpen {
			return nil
		}
		var row taskRow
		if err := tx.GetContext(ctx, &row, `UPDATE tasks SET at_top = true WHERE id = $1 RETURNING `+taskColumns, id); err != nil {
			return translate(err)
		}
		out = row.task()
		now := db.Now().UTC()
		if err := notify(ctx, tx, out, "task.overdue", "Tugas lewat tenggat di ujung rantai eskalasi / Task overdue at the top of its escalation chain", now); err != nil {
			return err
		}
		return auditTask(ctx, tx, ev, "task.overdue", out, now, nil, map[string]any{"at_top": true, "due_at": out.DueAt})
	})
	return out, err
}

// ExtendTask gives an open task a new deadline, with a reason. Extending to
// the deadline it has already changes nothing.
func (db *DB) ExtendTask(ctx context.Context, id uuid.UUID, d lindungi.Deadline, reason string, ev lindungi.Event) (lindungi.Task, error) {
	var out lindungi.Task
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := lockOpenTask(ctx, tx, id)
		if err != nil {
			return err
		}
		out = before
		if before.DueAt.Equal(d.At) {
			return nil
		}
		if before.Status != lindungi.TaskOpen {
			return lindungi.Errorf(lindungi.ECONFLICT, "The task is %s.", before.Status)
		}
		var row taskRow
		if err := tx.GetContext(ctx, &row, `
UPDATE tasks SET due_at = $2, due_date = $3, calendar_fallback = $4, at_top = false WHERE id = $1 RETURNING `+taskColumns,
			id, d.At, d.Date.Format(time.DateOnly), d.Fallback); err != nil {
			return translate(err)
		}
		out = row.task()
		return auditTask(ctx, tx, ev, "task.extend", out, db.Now().UTC(),
			map[string]any{"due_at": before.DueAt}, map[string]any{"due_at": out.DueAt, "reason": reason})
	})
	return out, err
}

// CancelTask ends an open task the journey no longer needs. A task that is
// not open is returned unchanged.
func (db *DB) CancelTask(ctx context.Context, id uuid.UUID, reason string, ev lindungi.Event) (lindungi.Task, error) {
	var out lindungi.Task
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := lockOpenTask(ctx, tx, id)
		if err != nil {
			return err
		}
		out = before
		if before.Status != lindungi.TaskOpen {
			return nil
		}
		now := db.Now().UTC()
		var row taskRow
		if err := tx.GetContext(ctx, &row, `
UPDATE tasks SET status = 'cancelled', completed_at = $2, note = $3 WHERE id = $1 RETURNING `+taskColumns, id, now, reason); err != nil {
			return translate(err)
		}
		out = row.task()
		return auditTask(ctx, tx, ev, "task.cancel", out, now, nil, map[string]any{"status": lindungi.TaskCancelled, "reason": reason})
	})
	return out, err
}

// ClaimTask makes a person the assignee of an open task. ECONFLICT if
// someone else holds it.
func (db *DB) ClaimTask(ctx context.Context, id uuid.UUID, assignee string, ev lindungi.Event) (lindungi.Task, error) {
	var out lindungi.Task
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := lockOpenTask(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case before.Status != lindungi.TaskOpen:
			return lindungi.Errorf(lindungi.ECONFLICT, "The task is %s.", before.Status)
		case before.ClaimedBy == assignee:
			out = before
			return nil
		case before.ClaimedBy != "" && ev.Action != "task.assign":
			return lindungi.Errorf(lindungi.ECONFLICT, "The task is claimed by %s.", before.ClaimedBy)
		}
		now := db.Now().UTC()
		var row taskRow
		if err := tx.GetContext(ctx, &row, `
UPDATE tasks SET claimed_by = $2, claimed_at = $3 WHERE id = $1 RETURNING `+taskColumns, id, assignee, now); err != nil {
			return translate(err)
		}
		out = row.task()
		action := ev.Action
		if action == "" {
			action = "task.claim"
		}
		return auditTask(ctx, tx, ev, action, out, now, map[string]any{"claimed_by": before.ClaimedBy}, map[string]any{"claimed_by": assignee})
	})
	return out, err
}

// ReleaseTask gives a claimed task back to its unit's queue.
func (db *DB) ReleaseTask(ctx context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Task, error) {
	var out lindungi.Task
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := lockOpenTask(ctx, tx, id)
		if err != nil {
			return err
		}
		out = before
		if before.ClaimedBy == "" {
			return nil
		}
		now := db.Now().UTC()
		var row taskRow
		if err := tx.GetContext(ctx, &row, `UPDATE tasks SET claimed_by = '', claimed_at = NULL WHERE id = $1 RETURNING `+taskColumns, id); err != nil {
			return translate(err)
		}
		out = row.task()
		return auditTask(ctx, tx, ev, "task.release", out, now, map[string]any{"claimed_by": before.ClaimedBy}, map[string]any{"claimed_by": ""})
	})
	return out, err
}

var _ lindungi.NotificationService = (*DB)(nil)

// Notifications returns the newest notifications of a unit.
func (db *DB) Notifications(ctx context.Context, unit string, limit int) ([]lindungi.Notification, error) {
	var rows []struct {
		ID            int64      `db:"id"`
		RecipientUnit string     `db:"recipient_unit"`
		RecipientRole string     `db:"recipient_role"`
		RecipientUser string     `db:"recipient_user"`
		TaskID        *uuid.UUID `db:"task_id"`
		Kind          string     `db:"kind"`
		Message       string     `db:"message"`
		CreatedAt     time.Time  `db:"created_at"`
	}
	if err := db.db.SelectContext(ctx, &rows, `
SELECT id, recipient_unit, recipient_role, recipient_user, task_id, kind, message, created_at FROM notifications
WHERE recipient_unit = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, unit, limit); err != nil {
		return nil, translate(err)
	}
	out := make([]lindungi.Notification, len(rows))
	for i, r := range rows {
		out[i] = lindungi.Notification{ID: r.ID, RecipientUnit: r.RecipientUnit, RecipientRole: r.RecipientRole,
			RecipientUser: r.RecipientUser, TaskID: r.TaskID, Kind: r.Kind, Message: r.Message, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// RecordEvent audits a change that lives only in a workflow's state (a
// contract extension, a rehabilitation request). A retry of the same
// request (same action, subject and request ID) writes nothing more.
func (db *DB) RecordEvent(ctx context.Context, ev lindungi.Event) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if ev.RequestID != "" {
			var done bool
			if err := tx.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM audit_events
				WHERE action = $1 AND subject_id = $2 AND request_id = $3)`, ev.Action, ev.SubjectID, ev.RequestID); err != nil {
				return translate(err)
			}
			if done {
				return nil
			}
		}
		ev.OccurredAt = db.Now().UTC()
		return insertEvent(ctx, tx, ev)
	})
}
