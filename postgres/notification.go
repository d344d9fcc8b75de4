package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

func notify(ctx context.Context, tx *sqlx.Tx, t lindungi.Task, kind, message string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO notifications (recipient_unit, recipient_role, recipient_user, task_id, kind, message, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.Unit, t.HolderRole, t.ClaimedBy, t.ID, kind, message, now)
	return translate(err)
}

// FlagAttention stores a notification that does not concern one task,
// with its audit event, in one transaction. A retry of the same event (its
// action, subject and request ID) stores nothing more.
func (db *DB) FlagAttention(ctx context.Context, n lindungi.Notification, ev lindungi.Event) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var done bool
		if err := tx.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM audit_events
			WHERE action = $1 AND subject_id = $2 AND request_id = $3)`, ev.Action, ev.SubjectID, ev.RequestID); err != nil {
			return translate(err)
		}
		if done {
			return nil
		}
		now := db.Now().UTC()
		if _, err := tx.ExecContext(ctx, `
INSERT INTO notifications (recipient_unit, recipient_role, kind, message, created_at) VALUES ($1, $2, $3, $4, $5)`,
			n.RecipientUnit, n.RecipientRole, n.Kind, n.Message, now); err != nil {
			return translate(err)
		}
		ev.OccurredAt = now
		return insertEvent(ctx, tx, ev)
	})
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
