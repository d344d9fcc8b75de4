package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

var _ lindungi.WorkerService = (*DB)(nil)

// workerRow is a row of workers. A provisional worker (made at a
// complaint's intake) may lack NIK and birth date and has no scheme and no
// journey: those columns are NULL for it, and "" in lindungi.Worker.
type workerRow struct {
	ID           uuid.UUID      `db:"id"`
	NIK          sql.NullString `db:"nik"`
	Name         string         `db:"name"`
	BirthDate    *time.Time     `db:"birth_date"`
	DomicileUnit string         `db:"domicile_unit"`
	Phone        string         `db:"phone"`
	Scheme       sql.NullString `db:"scheme"`
	Company      string         `db:"placement_company"`
	JobOrder     string         `db:"job_order_ref"`
	JourneyStep  sql.NullString `db:"journey_step"`
	WorkflowID   sql.NullString `db:"journey_workflow_id"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
}

func (r workerRow) worker() lindungi.Worker {
	return lindungi.Worker{
		ID: r.ID, NIK: r.NIK.String, Name: r.Name, BirthDate: dateString(r.BirthDate),
		DomicileUnit: r.DomicileUnit, Phone: r.Phone, Scheme: lindungi.Scheme(r.Scheme.String),
		PlacementCompany: r.Company, JobOrderRef: r.JobOrder,
		JourneyStep: lindungi.Step(r.JourneyStep.String), WorkflowID: r.WorkflowID.String,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

const workerColumns = `id, nik, name, birth_date, domicile_unit, phone, scheme, placement_company, job_order_ref,
    journey_step, journey_workflow_id, created_at, updated_at`

const insertWorkerSQL = `
INSERT INTO workers (id, nik, name, birth_date, domicile_unit, phone, scheme, journey_step, journey_workflow_id,
    created_by, created_at, updated_at, placement_company, job_order_ref)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)
RETURNING ` + workerColumns

const districtExistsSQL = `SELECT EXISTS (SELECT 1 FROM units WHERE code = $1 AND kind IN ('regency', 'city'))`

// CreateWorker registers a worker, its audit event and, when key is not nil,
// the idempotency record of the request, all in one transaction.
func (db *DB) CreateWorker(ctx context.Context, nw lindungi.NewWorker, ev lindungi.Event) (lindungi.Worker, error) {
	return db.CreateWorkerIdempotent(ctx, nw, ev, nil)
}

// CreateWorkerIdempotent is CreateWorker that also stores the answer under key.
func (db *DB) CreateWorkerIdempotent(ctx context.Context, nw lindungi.NewWorker, ev lindungi.Event, key *lindungi.IdempotencyKey) (lindungi.Worker, error) {
	var w lindungi.Worker
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var ok bool
		if err := tx.GetContext(ctx, &ok, districtExistsSQL, nw.DomicileUnit); err != nil {
			return translate(err)
		}
		if !ok {
			return &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
				Fields: []lindungi.FieldError{{Field: "domicile_unit", Reason: "is not a known district"}}}
		}
		id := uuid.New()
		now := db.Now().UTC()
		var row workerRow
		err := tx.GetContext(ctx, &row, insertWorkerSQL, id, nw.NIK, nw.Name, nw.BirthDate, nw.DomicileUnit,
			nw.Phone, string(nw.Scheme), string(entryOf(nw)), lindungi.JourneyWorkflowID(id), ev.Actor, now,
			nw.PlacementCompany, nw.JobOrderRef)
		if err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.ECONFLICT {
				return &lindungi.Error{Code: lindungi.ECONFLICT, Message: "A worker with this NIK is already registered.",
					Fields: []lindungi.FieldError{{Field: "nik", Reason: "is already registered"}}}
			}
			return fmt.Errorf("insert worker: %w", translate(err))
		}
		w = row.worker()
		ev.OccurredAt = now
		ev.Action = "worker.register"
		ev.SubjectType, ev.SubjectID, ev.WorkerID = "worker", id.String(), &id
		// The trail records which fields were set, not the personal data itself.
		ev.After = mustJSON(map[string]any{"domicile_unit": w.DomicileUnit, "scheme": w.Scheme,
			"journey_step": w.JourneyStep, "fields": []string{"nik", "name", "birth_date", "phone"}})
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		if key != nil {
			body, err := json.Marshal(w)
			if err != nil {
				return err
			}
			return saveIdempotent(ctx, tx, *key, 201, body, now)
		}
		return nil
	})
	return w, err
}

// FindWorker returns a worker by ID.
func (db *DB) FindWorker(ctx context.Context, id uuid.UUID) (lindungi.Worker, error) {
	var row workerRow
	err := db.db.GetContext(ctx, &row, `SELECT `+workerColumns+` FROM workers WHERE id = $1`, id)
	if err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Worker{}, lindungi.Errorf(lindungi.ENOTFOUND, "Worker not found.")
		}
		return lindungi.Worker{}, fmt.Errorf("find worker %s: %w", id, translate(err))
	}
	return row.worker(), nil
}

// MarkJourneyStarted records that the worker's journey workflow runs.
func (db *DB) MarkJourneyStarted(ctx context.Context, id uuid.UUID) error {
	_, err := db.db.ExecContext(ctx,
		`UPDATE workers SET journey_started_at = $2 WHERE id = $1 AND journey_started_at IS NULL`, id, db.Now().UTC())
	return translate(err)
}

// JourneyStart is what the reconciler needs to start a missing journey.
type JourneyStart struct {
	WorkerID     uuid.UUID `db:"id"`
	DomicileUnit string    `db:"domicile_unit"`
	Scheme       string    `db:"scheme"`
	Entry        string    `db:"journey_step"` // a journey not yet started is still at its entry
}

// entryOf is the step a registration's journey starts at.
func entryOf(nw lindungi.NewWorker) lindungi.Step {
	if nw.Entry == "" {
		return lindungi.StepRegistered
	}
	return nw.Entry
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
