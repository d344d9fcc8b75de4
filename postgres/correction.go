package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

const lockWorkerSQL = `SELECT ` + workerColumns + `, merged_into FROM workers WHERE id = $1 FOR UPDATE`

const correctWorkerSQL = `
UPDATE workers SET nik = $2, name = $3, phone = $4, address = $5, scheme = $6, placement_company = $7,
    job_order_ref = $8, updated_at = $9
WHERE id = $1
RETURNING ` + workerColumns

// CorrectWorker applies a correction to the worker as stored, under its
// row lock (so that the journey's step the scheme check reads cannot move
// meanwhile), and writes its audit event (worker.correct) and the answer
// of the request in one transaction. The event names every changed field
// with its value before and after, personal data masked
// (lindungi.Mask; the history of the row keeps the exact values), and the
// reason, with the changed personal values in it blanked out.
func (db *DB) CorrectWorker(ctx context.Context, id uuid.UUID, c lindungi.WorkerCorrection, ev lindungi.Event) (lindungi.Worker, error) {
	c.Normalize()
	var out lindungi.Worker
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			workerRow
			MergedInto *uuid.UUID `db:"merged_into"`
		}
		if err := tx.GetContext(ctx, &row, lockWorkerSQL, id); err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
				return lindungi.Errorf(lindungi.ENOTFOUND, "Worker not found.")
			}
			return fmt.Errorf("lock worker %s: %w", id, translate(err))
		}
		if row.MergedInto != nil {
			return lindungi.Errorf(lindungi.ECONFLICT, "The record was merged into worker %s: correct that record.", row.MergedInto)
		}
		before := row.worker()
		after, changes, err := c.Check(before)
		if err != nil {
			return err
		}
		now := db.Now().UTC()
		var updated workerRow
		if err := tx.GetContext(ctx, &updated, correctWorkerSQL, id, nullString(after.NIK), after.Name, after.Phone,
			after.Address, nullString(string(after.Scheme)), after.PlacementCompany, after.JobOrderRef, now); err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.ECONFLICT {
				return &lindungi.Error{Code: lindungi.ECONFLICT, Message: "Another worker has this NIK: search for it, a supervisor may merge the records.",
					Fields: []lindungi.FieldError{{Field: "nik", Reason: "belongs to another worker"}}}
			}
			return fmt.Errorf("correct worker %s: %w", id, translate(err))
		}
		out = updated.worker()
		was, is := map[string]any{}, map[string]any{}
		reason := c.Reason
		for _, ch := range changes {
			b, a := ch.Before, ch.After
			if lindungi.PersonalField(ch.Field) {
				for _, v := range []string{b, a} {
					if len([]rune(v)) >= 4 {
						reason = strings.ReplaceAll(reason, v, "[…]")
					}
				}
				b, a = lindungi.Mask(b), lindungi.Mask(a)
			}
			was[ch.Field], is[ch.Field] = b, a
		}
		is["reason"] = reason
		ev.OccurredAt, ev.Action = now, "worker.correct"
		ev.SubjectType, ev.SubjectID, ev.WorkerID = "worker", id.String(), &id
		ev.Before, ev.After = mustJSON(was), mustJSON(is)
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return db.answer(ctx, tx, out)
	})
	return out, err
}
