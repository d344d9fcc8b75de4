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
