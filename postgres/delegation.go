package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

var _ lindungi.DelegationService = (*DB)(nil)

type delegationRow struct {
	ID          uuid.UUID  `db:"id"`
	Kind        string     `db:"kind"`
	GranteeUser string     `db:"grantee_user"`
	GranteeUnit string     `db:"grantee_unit"`
	TargetUnit  string     `db:"target_unit"`
	WorkerID    *uuid.UUID `db:"worker_id"`
	Reason      string     `db:"reason"`
	GrantedBy   string     `db:"granted_by"`
	StartsAt    time.Time  `db:"starts_at"`
	ExpiresAt   time.Time  `db:"expires_at"`
	RevokedAt   *time.Time `db:"revoked_at"`
	RevokedBy   string     `db:"revoked_by"`
}

func (r delegationRow) delegation() lindungi.Delegation {
	d := lindungi.Delegation{ID: r.ID, Kind: r.Kind, GranteeUser: r.GranteeUser, GranteeUnit: r.GranteeUnit,
		TargetUnit: r.TargetUnit, WorkerID: r.WorkerID, Reason: r.Reason, GrantedBy: r.GrantedBy,
		StartsAt: r.StartsAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), RevokedBy: r.RevokedBy}
	if r.RevokedAt != nil {
		t := r.RevokedAt.UTC()
		d.RevokedAt = &t
	}
	return d
}

const delegationColumns = `id, kind, grantee_user, grantee_unit, target_unit, worker_id, reason, granted_by, starts_at, expires_at, revoked_at, revoked_by`

// unknownReference names the field whose foreign key err violates.
func unknownReference(err error) lindungi.FieldError {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Constraint {
		case "delegations_worker_id_fkey":
			return lindungi.FieldError{Field: "worker_id", Reason: "must be a registered worker"}
		case "delegations_target_unit_fkey":
			return lindungi.FieldError{Field: "target_unit", Reason: "must be a known unit"}
		}
	}
	return lindungi.FieldError{Field: "grantee_unit", Reason: "must be a known unit"}
}

// CreateDelegation stores a delegation, its audit event and the answer of
// the request that granted it (lindungi.NewContextWithAnswer). EINVALID for
// an inconsistent delegation or unknown units or worker.
func (db *DB) CreateDelegation(ctx context.Context, d lindungi.Delegation, ev lindungi.Event) (lindungi.Delegation, error) {
	if err := d.Validate(); err != nil {
		return lindungi.Delegation{}, err
	}
	var out lindungi.Delegation
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now().UTC()
		var row delegationRow
		err := tx.GetContext(ctx, &row, `
INSERT INTO delegations (id, kind, grantee_user, grantee_unit, target_unit, worker_id, reason, granted_by, starts_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING `+delegationColumns,
			uuid.New(), d.Kind, d.GranteeUser, d.GranteeUnit, d.TargetUnit, d.WorkerID, d.Reason, ev.Actor, d.StartsAt, d.ExpiresAt)
		if err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.EINVALID {
				return &lindungi.Error{Code: lindungi.EINVALID, Message: "The delegation names an unknown unit or worker.",
					Fields: []lindungi.FieldError{unknownReference(err)}}
			}
			return fmt.Errorf("insert delegation: %w", translate(err))
		}
		out = row.delegation()
		ev.OccurredAt = now
		ev.Action = "delegation.grant"
		ev.SubjectType, ev.SubjectID, ev.WorkerID = "delegation", out.ID.String(), out.WorkerID
		ev.After = mustJSON(out)
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return db.answer(ctx, tx, out)
	})
	return out, err
}

// FindDelegation returns a delegation. ENOTFOUND if there is none.
func (db *DB) FindDelegation(ctx context.Context, id uuid.UUID) (lindungi.Delegation, error) {
	var row delegationRow
	if err := db.db.GetContext(ctx, &row, `SELECT `+delegationColumns+` FROM delegations WHERE id = $1`, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Delegation{}, lindungi.Errorf(lindungi.ENOTFOUND, "Delegation not found.")
		}
		return lindungi.Delegation{}, translate(err)
	}
	return row.delegation(), nil
}

// RevokeDelegation ends a delegation now, audits it and stores the answer
// of the request that revoked it (lindungi.NewContextWithAnswer). ECONFLICT
// if it has ended already.
func (db *DB) RevokeDelegation(ctx context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Delegation, error) {
	var out lindungi.Delegation
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now().UTC()
		var row delegationRow
		err := tx.GetContext(ctx, &row, `
UPDATE delegations SET revoked_at = $2, revoked_by = $3
WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING `+delegationColumns, id, now, ev.Actor)
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			var exists bool
			if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM delegations WHERE id = $1)`, id); err != nil {
				return translate(err)
			}
			if !exists {
				return lindungi.Errorf(lindungi.ENOTFOUND, "Delegation not found.")
			}
			return lindungi.Errorf(lindungi.ECONFLICT, "The delegation has ended already.")
		}
		if err != nil {
			return translate(err)
		}
		out = row.delegation()
		ev.OccurredAt = now
		ev.Action = "delegation.revoke"
		ev.SubjectType, ev.SubjectID, ev.WorkerID = "delegation", id.String(), out.WorkerID
		ev.Before = mustJSON(map[string]any{"expires_at": out.ExpiresAt})
		ev.After = mustJSON(map[string]any{"revoked_at": now, "revoked_by": ev.Actor})
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return db.answer(ctx, tx, out)
	})
	return out, err
}

// ActiveDelegations returns the delegations that grant something to a user
// of unit at t: queue delegations to the unit, record delegations to the user.
func (db *DB) ActiveDelegations(ctx context.Context, subject, unit string, t time.Time) ([]lindungi.Delegation, error) {
	var rows []delegationRow
	err := db.db.SelectContext(ctx, &rows, `
SELECT `+delegationColumns+` FROM delegations
WHERE revoked_at IS NULL AND starts_at <= $3 AND expires_at > $3
  AND ((kind = 'queue' AND grantee_unit = $2) OR (kind = 'record' AND grantee_user = $1 AND grantee_unit = $2))
ORDER BY expires_at, id`, subject, unit, t)
	if err != nil {
		return nil, fmt.Errorf("active delegations: %w", translate(err))
	}
	return convert(rows, delegationRow.delegation), nil
}

// ListDelegations returns the delegations granted by or to units at or below
// scope that have not ended by t, or all of them with ended.
func (db *DB) ListDelegations(ctx context.Context, scope string, t time.Time, ended bool) ([]lindungi.Delegation, error) {
	var rows []delegationRow
	err := db.db.SelectContext(ctx, &rows, `
SELECT `+delegationColumns+` FROM delegations
WHERE (target_unit IN (SELECT code FROM units WHERE $1 = ANY (path)) OR grantee_unit IN (SELECT code FROM units WHERE $1 = ANY (path)))
  AND ($3 OR (revoked_at IS NULL AND expires_at > $2))
ORDER BY starts_at DESC, id LIMIT 500`, scope, t, ended)
	if err != nil {
		return nil, fmt.Errorf("list delegations: %w", translate(err))
	}
	return convert(rows, delegationRow.delegation), nil
}

// AuditExpiredDelegations writes a delegation.expire event for every
// delegation that ran out by t and has none yet. Concurrent callers write
// each event once.
func (db *DB) AuditExpiredDelegations(ctx context.Context, t time.Time) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []delegationRow
		if err := tx.SelectContext(ctx, &rows, `
UPDATE delegations SET expiry_audited = true
WHERE id IN (SELECT id FROM delegations WHERE NOT expiry_audited AND revoked_at IS NULL AND expires_at <= $1
             ORDER BY expires_at LIMIT 500 FOR UPDATE SKIP LOCKED)
RETURNING `+delegationColumns, t); err != nil {
			return translate(err)
		}
		for _, r := range rows {
			d := r.delegation()
			ev := lindungi.Event{Actor: "system:lindungi", ActorUnit: "ID", ActorRole: "system", OccurredAt: db.Now().UTC(),
				Action: "delegation.expire", SubjectType: "delegation", SubjectID: d.ID.String(), WorkerID: d.WorkerID,
				After: mustJSON(map[string]any{"expired_at": d.ExpiresAt})}
			if err := insertEvent(ctx, tx, ev); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	return n, err
}
