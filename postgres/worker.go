package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
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
	Address      string         `db:"address"`
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
		DomicileUnit: r.DomicileUnit, Phone: r.Phone, Address: r.Address, Scheme: lindungi.Scheme(r.Scheme.String),
		PlacementCompany: r.Company, JobOrderRef: r.JobOrder,
		JourneyStep: lindungi.Step(r.JourneyStep.String), WorkflowID: r.WorkflowID.String,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

const workerColumns = `id, nik, name, birth_date, domicile_unit, phone, address, scheme, placement_company, job_order_ref,
    journey_step, journey_workflow_id, created_at, updated_at`

const insertWorkerSQL = `
INSERT INTO workers (id, nik, name, birth_date, domicile_unit, phone, scheme, journey_step, journey_workflow_id,
    created_by, created_at, updated_at, placement_company, job_order_ref)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)
RETURNING ` + workerColumns

const districtExistsSQL = `SELECT EXISTS (SELECT 1 FROM units WHERE code = $1 AND kind IN ('regency', 'city'))`

// CreateWorker registers a worker, its audit event and the answer of the
// request that made it (lindungi.NewContextWithAnswer), in one transaction.
func (db *DB) CreateWorker(ctx context.Context, nw lindungi.NewWorker, ev lindungi.Event) (lindungi.Worker, error) {
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
		return db.answer(ctx, tx, w)
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

// entryOf is the step a registration's journey starts at.
func entryOf(nw lindungi.NewWorker) lindungi.Step {
	if nw.Entry == "" {
		return lindungi.StepRegistered
	}
	return nw.Entry
}

const insertProvisionalWorkerSQL = `
INSERT INTO workers (id, nik, name, birth_date, domicile_unit, phone, provisional, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $8)`

// checkCaseWorker refuses a worker that does not exist or was merged.
func checkCaseWorker(ctx context.Context, tx *sqlx.Tx, id uuid.UUID) error {
	var w struct {
		MergedInto *uuid.UUID `db:"merged_into"`
	}
	err := tx.GetContext(ctx, &w, `SELECT merged_into FROM workers WHERE id = $1 FOR SHARE`, id)
	switch {
	case lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND:
		return invalid("worker_id", "is not a known worker")
	case err != nil:
		return fmt.Errorf("case worker %s: %w", id, translate(err))
	case w.MergedInto != nil:
		return invalid("worker_id", "was merged into worker "+w.MergedInto.String()+": use that ID")
	}
	return nil
}

// insertProvisionalWorker records an unknown subject as a provisional
// worker, and audits it (worker.provisional).
func insertProvisionalWorker(ctx context.Context, tx *sqlx.Tx, s lindungi.CaseSubject, caseID uuid.UUID, ev lindungi.Event) (uuid.UUID, error) {
	var ok bool
	if err := tx.GetContext(ctx, &ok, districtExistsSQL, s.DomicileUnit); err != nil {
		return uuid.Nil, translate(err)
	}
	if !ok {
		return uuid.Nil, invalid("subject.domicile_unit", "is not a known district")
	}
	known := &lindungi.Error{Code: lindungi.ECONFLICT, Message: "A worker with this NIK is already known: search for it and give its worker_id.",
		Fields: []lindungi.FieldError{{Field: "subject.nik", Reason: "belongs to a worker already known; give worker_id instead"}}}
	if s.NIK != "" {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM workers WHERE nik = $1 AND merged_into IS NULL`, s.NIK); err != nil {
			return uuid.Nil, translate(err)
		}
		if n > 0 {
			return uuid.Nil, known
		}
	}
	id := uuid.New()
	if _, err := tx.ExecContext(ctx, insertProvisionalWorkerSQL, id, nullString(s.NIK), s.Name, nullString(s.BirthDate),
		s.DomicileUnit, s.Phone, ev.Actor, ev.OccurredAt); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ECONFLICT {
			return uuid.Nil, known
		}
		return uuid.Nil, fmt.Errorf("insert provisional worker: %w", translate(err))
	}
	ev.Action = "worker.provisional"
	ev.SubjectType, ev.SubjectID, ev.WorkerID = "worker", id.String(), &id
	ev.After = mustJSON(map[string]any{"domicile_unit": s.DomicileUnit, "provisional": true, "case_id": caseID,
		"fields": setFields(map[string]string{"name": s.Name, "nik": s.NIK, "birth_date": s.BirthDate, "phone": s.Phone})})
	return id, insertEvent(ctx, tx, ev)
}

// likePattern is s as a case-insensitive substring pattern for ILIKE, with
// its wildcards escaped.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

const searchWorkersSQL = `
SELECT id, name, domicile_unit, provisional, merged_into, by_nik, by_name, by_phone FROM (
    SELECT w.id, w.name, w.domicile_unit, w.provisional, w.merged_into,
        ($1 <> '' AND w.nik = $1) AS by_nik,
        ($2 <> '' AND w.name ILIKE $2 AND ($3::date IS NULL OR w.birth_date = $3::date)) AS by_name,
        ($4 <> '' AND w.phone = $4) AS by_phone
    FROM workers w
    WHERE (w.domicile_unit IN (SELECT code FROM units WHERE path && $5::text[]) OR w.id = ANY ($6::uuid[]))
      AND (($1 <> '' AND w.nik = $1) OR ($2 <> '' AND w.name ILIKE $2) OR ($4 <> '' AND w.phone = $4))
) m
WHERE by_nik OR by_name OR by_phone
ORDER BY by_nik::int + by_name::int + by_phone::int DESC, provisional, name, id
LIMIT $7`

// SearchWorkers finds the workers in q.Scope, provisional ones included,
// whose NIK is q.NIK, whose name contains q.Name (case-insensitive) with
// birth date q.BirthDate when given, or whose phone is q.Phone; those that
// match most criteria first. Each match says which criteria it met.
func (db *DB) SearchWorkers(ctx context.Context, q lindungi.WorkerQuery) ([]lindungi.WorkerMatch, error) {
	q.Normalize()
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var name string
	if q.Name != "" {
		name = likePattern(q.Name)
	}
	var rows []struct {
		ID           uuid.UUID  `db:"id"`
		Name         string     `db:"name"`
		DomicileUnit string     `db:"domicile_unit"`
		Provisional  bool       `db:"provisional"`
		MergedInto   *uuid.UUID `db:"merged_into"`
		ByNIK        bool       `db:"by_nik"`
		ByName       bool       `db:"by_name"`
		ByPhone      bool       `db:"by_phone"`
	}
	if err := db.db.SelectContext(ctx, &rows, searchWorkersSQL, q.NIK, name, nullString(q.BirthDate), q.Phone,
		pq.StringArray(q.Scope.Units), pq.Array(q.Scope.Workers), pageSize(q.Limit, 20, 50)); err != nil {
		return nil, fmt.Errorf("search workers: %w", translate(err))
	}
	out := make([]lindungi.WorkerMatch, len(rows))
	for i, r := range rows {
		m := lindungi.WorkerMatch{ID: r.ID, Name: r.Name, DomicileUnit: r.DomicileUnit, Provisional: r.Provisional,
			MergedInto: r.MergedInto, MatchedBy: []string{}}
		for _, by := range []struct {
			ok   bool
			name string
		}{{r.ByNIK, "nik"}, {r.ByName, "name"}, {r.ByPhone, "phone"}} {
			if by.ok {
				m.MatchedBy = append(m.MatchedBy, by.name)
			}
		}
		out[i] = m
	}
	return out, nil
}

// MergeWorkers links a provisional worker to the registered worker it
// turned out to be: its cases and tasks move to the registered worker,
// the provisional row records merged_into, and both rows stay, with their
// audit trails. It audits worker.merge on both workers and case.worker on
// each case moved, in one transaction. Documents stay with the provisional
// record. ECONFLICT if the first is not provisional or already merged, or
// the second is not a registered worker. The answer of the request that
// merged (lindungi.NewContextWithAnswer) is stored in the transaction too.
func (db *DB) MergeWorkers(ctx context.Context, provisionalID, registeredID uuid.UUID, ev lindungi.Event) (lindungi.WorkerMerge, error) {
	if provisionalID == registeredID {
		return lindungi.WorkerMerge{}, invalid("into", "must be another worker")
	}
	out := lindungi.WorkerMerge{WorkerID: provisionalID, MergedInto: registeredID}
	return out, db.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []struct {
			ID          uuid.UUID  `db:"id"`
			Provisional bool       `db:"provisional"`
			MergedInto  *uuid.UUID `db:"merged_into"`
		}
		// Locking in ID order keeps two merges from deadlocking.
		if err := tx.SelectContext(ctx, &rows, `
SELECT id, provisional, merged_into FROM workers WHERE id IN ($1, $2) ORDER BY id FOR UPDATE`, provisionalID, registeredID); err != nil {
			return fmt.Errorf("lock workers: %w", translate(err))
		}
		if len(rows) != 2 {
			return lindungi.Errorf(lindungi.ENOTFOUND, "Worker not found.")
		}
		prov, reg := rows[0], rows[1]
		if prov.ID != provisionalID {
			prov, reg = reg, prov
		}
		switch {
		case !prov.Provisional:
			return lindungi.Errorf(lindungi.ECONFLICT, "The worker is registered, not provisional: only a provisional record is merged.")
		case prov.MergedInto != nil:
			return lindungi.Errorf(lindungi.ECONFLICT, "The worker was merged into %s already.", prov.MergedInto)
		case reg.Provisional:
			return &lindungi.Error{Code: lindungi.ECONFLICT, Message: "Merge into a registered worker, not a provisional record.",
				Fields: []lindungi.FieldError{{Field: "into", Reason: "is a provisional record"}}}
		}
		now := db.Now().UTC()
		var cases []uuid.UUID
		if err := tx.SelectContext(ctx, &cases, `UPDATE cases SET worker_id = $2 WHERE worker_id = $1 RETURNING id`,
			provisionalID, registeredID); err != nil {
			return fmt.Errorf("move cases: %w", translate(err))
		}
		slices.SortFunc(cases, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET worker_id = $2 WHERE worker_id = $1`, provisionalID, registeredID)
		if err != nil {
			return fmt.Errorf("move tasks: %w", translate(err))
		}
		tasks, _ := res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `UPDATE workers SET merged_into = $2, updated_at = $3 WHERE id = $1`,
			provisionalID, registeredID, now); err != nil {
			return fmt.Errorf("merge worker: %w", translate(err))
		}
		if cases == nil {
			cases = []uuid.UUID{}
		}
		ev.OccurredAt, ev.Action, ev.SubjectType = now, "worker.merge", "worker"
		from := ev
		from.SubjectID, from.WorkerID = provisionalID.String(), &provisionalID
		from.Before = mustJSON(map[string]any{"merged_into": nil})
		from.After = mustJSON(map[string]any{"merged_into": registeredID, "cases": cases, "tasks": tasks})
		if err := insertEvent(ctx, tx, from); err != nil {
			return err
		}
		into := ev
		into.SubjectID, into.WorkerID = registeredID.String(), &registeredID
		into.After = mustJSON(map[string]any{"merged_from": provisionalID, "cases": cases, "tasks": tasks})
		if err := insertEvent(ctx, tx, into); err != nil {
			return err
		}
		for _, id := range cases {
			moved := ev
			moved.Action, moved.SubjectType, moved.SubjectID, moved.WorkerID = "case.worker", "case", id.String(), &registeredID
			moved.Before = mustJSON(map[string]any{"worker_id": provisionalID})
			moved.After = mustJSON(map[string]any{"worker_id": registeredID, "reason": "worker.merge"})
			if err := insertEvent(ctx, tx, moved); err != nil {
				return err
			}
		}
		return db.answer(ctx, tx, out)
	})
}
