package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

const insertNotificationSQL = `
INSERT INTO notifications (recipient_unit, recipient_role, recipient_user, task_id, kind, message, other_unit, reason, actor, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`

// notify stores n inside tx, the transaction of the change it tells of.
func notify(ctx context.Context, tx *sqlx.Tx, n lindungi.Notification, now time.Time) error {
	_, err := tx.ExecContext(ctx, insertNotificationSQL, n.RecipientUnit, n.RecipientRole, n.RecipientUser, n.TaskID,
		n.Kind, n.Message, n.OtherUnit, n.Reason, n.Actor, now)
	return translate(err)
}

// taskNotice is a notification of kind about task t, changed by actor, to
// the unit and role that hold it, and to whom claimed it.
func taskNotice(t lindungi.Task, kind, message, actor string) lindungi.Notification {
	id := t.ID
	return lindungi.Notification{RecipientUnit: t.Unit, RecipientRole: t.HolderRole, RecipientUser: t.ClaimedBy,
		TaskID: &id, Kind: kind, Message: message, Actor: actor}
}

// noticeMove tells of a move of a task (action is task.escalate or
// task.reassign) from before to after: the unit it left, that it went
// (with whoever had claimed it), and the unit it reached, that it came; a
// move to another role of the same unit tells that unit once, as arrived.
func noticeMove(ctx context.Context, tx *sqlx.Tx, before, after lindungi.Task, action, reason, actor string, now time.Time) error {
	in := lindungi.NoticeReassignedIn
	if action == "task.escalate" {
		in = lindungi.NoticeEscalatedIn
	}
	if before.Unit != after.Unit {
		away := taskNotice(before, action, fmt.Sprintf("Tugas %s dipindahkan ke %s (%s): %s / Task moved to %s (%s): %s",
			before.Kind, after.Unit, after.HolderRole, reason, after.Unit, after.HolderRole, reason), actor)
		away.OtherUnit, away.Reason = after.Unit, reason
		if err := notify(ctx, tx, away, now); err != nil {
			return err
		}
	}
	arrived := taskNotice(after, in, fmt.Sprintf("Tugas %s masuk dari %s (%s): %s / Task arrived from %s (%s): %s",
		after.Kind, before.Unit, before.HolderRole, reason, before.Unit, before.HolderRole, reason), actor)
	arrived.OtherUnit, arrived.Reason = before.Unit, reason
	if before.Unit == after.Unit {
		arrived.RecipientUser = before.ClaimedBy // the one it was taken from is told too
	}
	return notify(ctx, tx, arrived, now)
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
		if err := notify(ctx, tx, lindungi.Notification{RecipientUnit: n.RecipientUnit, RecipientRole: n.RecipientRole,
			Kind: n.Kind, Message: n.Message}, now); err != nil {
			return err
		}
		ev.OccurredAt = now
		return insertEvent(ctx, tx, ev)
	})
}

var _ lindungi.NotificationService = (*DB)(nil)

// A reader's notifications are their unit's and those addressed to them,
// but for the changes they made themselves; one is read when the reader's
// mark reaches it or a read names it.
const (
	readerSees = `(n.recipient_unit = $1 OR ($2 <> '' AND n.recipient_user = $2)) AND ($2 = '' OR n.actor <> $2)`
	readerRead = `(n.id <= COALESCE((SELECT read_up_to FROM notification_marks WHERE subject = $2), 0)
    OR EXISTS (SELECT 1 FROM notification_reads r WHERE r.subject = $2 AND r.notification_id = n.id))`
)

const notificationsSQL = `
SELECT n.id, n.recipient_unit, n.recipient_role, n.recipient_user, n.task_id, n.kind, n.message, n.other_unit, n.reason,
    n.actor, n.created_at, t.kind AS task_kind, t.worker_id, c.id AS case_id, c.number AS case_number, ` + readerRead + ` AS read
FROM notifications n
LEFT JOIN tasks t ON t.id = n.task_id
LEFT JOIN cases c ON c.workflow_id = t.workflow_id
WHERE ` + readerSees + `
  AND ($3::bigint = 0 OR n.id < $3)
  AND (NOT $4::boolean OR NOT ` + readerRead + `)
ORDER BY n.id DESC
LIMIT $5`

type notificationRow struct {
	ID            int64      `db:"id"`
	RecipientUnit string     `db:"recipient_unit"`
	RecipientRole string     `db:"recipient_role"`
	RecipientUser string     `db:"recipient_user"`
	TaskID        *uuid.UUID `db:"task_id"`
	Kind          string     `db:"kind"`
	Message       string     `db:"message"`
	OtherUnit     string     `db:"other_unit"`
	Reason        string     `db:"reason"`
	Actor         string     `db:"actor"`
	CreatedAt     time.Time  `db:"created_at"`
	TaskKind      *string    `db:"task_kind"`
	WorkerID      *uuid.UUID `db:"worker_id"`
	CaseID        *uuid.UUID `db:"case_id"`
	CaseNumber    *string    `db:"case_number"`
	Read          bool       `db:"read"`
}

func (r notificationRow) notification() lindungi.Notification {
	n := lindungi.Notification{ID: r.ID, RecipientUnit: r.RecipientUnit, RecipientRole: r.RecipientRole,
		RecipientUser: r.RecipientUser, TaskID: r.TaskID, Kind: r.Kind, Message: r.Message, OtherUnit: r.OtherUnit,
		Reason: r.Reason, Actor: r.Actor, CreatedAt: r.CreatedAt.UTC(), WorkerID: r.WorkerID, CaseID: r.CaseID, Read: r.Read}
	if r.TaskKind != nil {
		n.TaskKind = lindungi.TaskKind(*r.TaskKind)
	}
	if r.CaseNumber != nil {
		n.CaseNumber = *r.CaseNumber
	}
	return n
}

// Notifications returns a page of a reader's notifications, newest first,
// with what each is about and whether the reader read it: one query.
func (db *DB) Notifications(ctx context.Context, q lindungi.NotificationQuery) ([]lindungi.Notification, error) {
	var rows []notificationRow
	if err := db.db.SelectContext(ctx, &rows, notificationsSQL, q.Reader.Unit, q.Reader.Subject, q.Before, q.Unread,
		pageSize(q.Limit, 100, 500)); err != nil {
		return nil, fmt.Errorf("notifications of %s: %w", q.Reader.Subject, translate(err))
	}
	return convert(rows, notificationRow.notification), nil
}

const unreadSQL = `
SELECT count(*) FROM (SELECT 1 FROM notifications n WHERE ` + readerSees + ` AND NOT ` + readerRead + ` LIMIT $3) unread`

// UnreadNotifications counts a reader's unread notifications, up to
// lindungi.MaxUnread: one query, which a page's header may afford.
func (db *DB) UnreadNotifications(ctx context.Context, r lindungi.Reader) (int, error) {
	var n int
	if err := db.db.GetContext(ctx, &n, unreadSQL, r.Unit, r.Subject, lindungi.MaxUnread); err != nil {
		return 0, fmt.Errorf("unread notifications of %s: %w", r.Subject, translate(err))
	}
	return n, nil
}

const (
	markAllSQL = `
INSERT INTO notification_marks (subject, read_up_to, marked_at)
SELECT $2::text, max(n.id), $3::timestamptz FROM notifications n WHERE ` + readerSees + ` HAVING max(n.id) IS NOT NULL
ON CONFLICT (subject) DO UPDATE SET read_up_to = GREATEST(notification_marks.read_up_to, EXCLUDED.read_up_to),
    marked_at = EXCLUDED.marked_at
RETURNING read_up_to`
	ownNotificationsSQL = `SELECT n.id FROM notifications n WHERE ` + readerSees + ` AND n.id = ANY($3)`
	markOneSQL          = `
INSERT INTO notification_reads (subject, notification_id, read_at)
SELECT $2::text, n.id, $3::timestamptz FROM notifications n WHERE n.id = ANY($1) AND NOT ` + readerRead + `
ON CONFLICT DO NOTHING`
)

// MarkNotificationsRead marks the reader's notifications read: all of them
// by moving the reader's mark to the newest (and dropping the single reads
// it now covers), or those named, each by a read. A notification that
// arrives while "all" is marked may get an ID below the mark before it
// commits and so count as read; notifications are hints about work the
// inbox lists anyway, so that rare race is accepted.
func (db *DB) MarkNotificationsRead(ctx context.Context, r lindungi.Reader, m lindungi.MarkRead) (int, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now().UTC()
		if m.All {
			var upTo int64
			err := tx.GetContext(ctx, &upTo, markAllSQL, r.Unit, r.Subject, now)
			if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
				return nil // nothing to read
			}
			if err != nil {
				return fmt.Errorf("mark all read: %w", translate(err))
			}
			_, err = tx.ExecContext(ctx, `DELETE FROM notification_reads WHERE subject = $1 AND notification_id <= $2`, r.Subject, upTo)
			return translate(err)
		}
		var own []int64
		if err := tx.SelectContext(ctx, &own, ownNotificationsSQL, r.Unit, r.Subject, pq.Int64Array(m.IDs)); err != nil {
			return fmt.Errorf("mark read: %w", translate(err))
		}
		for _, id := range m.IDs {
			if !slices.Contains(own, id) {
				return &lindungi.Error{Code: lindungi.EINVALID, Message: "You may mark only your own notifications read.",
					Fields: []lindungi.FieldError{{Field: "ids", Reason: fmt.Sprintf("%d is not one of your notifications", id)}}}
			}
		}
		_, err := tx.ExecContext(ctx, markOneSQL, pq.Int64Array(m.IDs), r.Subject, now)
		return translate(err)
	})
	if err != nil {
		return 0, err
	}
	return db.UnreadNotifications(ctx, r)
}

// noticeArrival tells the unit of new task t that it arrived, when its
// kind calls for it (lindungi.ArrivalNotice): a case referred or being
// transferred there, from the unit that owns the case.
func noticeArrival(ctx context.Context, tx *sqlx.Tx, t lindungi.Task, actor string, now time.Time) error {
	kind, ok := lindungi.ArrivalNotice(t.Kind)
	if !ok {
		return nil
	}
	var from string
	if err := tx.GetContext(ctx, &from, `SELECT owner_unit FROM cases WHERE workflow_id = $1`, t.WorkflowID); err != nil &&
		lindungi.ErrorCode(translate(err)) != lindungi.ENOTFOUND {
		return translate(err)
	}
	n := taskNotice(t, kind, fmt.Sprintf("Kasus masuk dari %s: %s / A case arrived from %s: %s", from, t.Kind, from, t.Kind), actor)
	n.RecipientRole, n.OtherUnit = holderRole(t.HolderRole), from
	return notify(ctx, tx, n, now)
}
