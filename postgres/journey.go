package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

// JourneyStart is what the reconciler needs to start a missing journey.
type JourneyStart struct {
	WorkerID     uuid.UUID `db:"id"`
	DomicileUnit string    `db:"domicile_unit"`
	Scheme       string    `db:"scheme"`
	Entry        string    `db:"journey_step"` // a journey not yet started is still at its entry
}

// WorkersWithoutJourney returns up to limit workers registered before
// olderThan whose journey is not known to run. Provisional workers have no
// journey.
func (db *DB) WorkersWithoutJourney(ctx context.Context, olderThan time.Time, limit int) ([]JourneyStart, error) {
	var rows []JourneyStart
	err := db.db.SelectContext(ctx, &rows, `
SELECT id, domicile_unit, scheme, journey_step FROM workers
WHERE journey_started_at IS NULL AND created_at < $1 AND NOT provisional
ORDER BY created_at LIMIT $2`, olderThan, limit)
	return rows, translate(err)
}

// RecordStep records that the journey entered step at position seq, moves
// the worker's current step, and audits it. A repeated call for the same seq
// changes nothing.
func (db *DB) RecordStep(ctx context.Context, workerID uuid.UUID, seq int, step lindungi.Step, reason string, ev lindungi.Event) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now().UTC()
		res, err := tx.ExecContext(ctx, `
INSERT INTO journey_steps (worker_id, seq, step, reason, workflow_id, run_id, entered_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (worker_id, seq) DO NOTHING`,
			workerID, seq, string(step), reason, ev.WorkflowID, ev.RunID, now)
		if err != nil {
			return fmt.Errorf("record step: %w", translate(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already recorded by an earlier attempt
		}
		var before string
		if err := tx.GetContext(ctx, &before, `
UPDATE workers w SET journey_step = $2, updated_at = $3
FROM (SELECT journey_step FROM workers WHERE id = $1 FOR UPDATE) old
WHERE w.id = $1 RETURNING old.journey_step`, workerID, string(step), now); err != nil {
			return fmt.Errorf("move journey step: %w", translate(err))
		}
		ev.OccurredAt = now
		ev.Action = "journey.step"
		ev.SubjectType, ev.SubjectID, ev.WorkerID = "worker", workerID.String(), &workerID
		ev.Before = mustJSON(map[string]any{"journey_step": before})
		after := map[string]any{"journey_step": step, "seq": seq}
		if reason != "" {
			after["reason"] = reason
		}
		ev.After = mustJSON(after)
		return insertEvent(ctx, tx, ev)
	})
}
