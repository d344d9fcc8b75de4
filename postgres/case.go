package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

var _ lindungi.CaseService = (*DB)(nil)

type caseRow struct {
	ID                  uuid.UUID      `db:"id"`
	Number              string         `db:"number"`
	WorkerID            uuid.UUID      `db:"worker_id"`
	Channel             string         `db:"channel"`
	ComplainantName     string         `db:"complainant_name"`
	ComplainantRelation string         `db:"complainant_relation"`
	ComplainantPhone    string         `db:"complainant_phone"`
	PowerOfAttorney     bool           `db:"power_of_attorney"`
	Categories          pq.StringArray `db:"categories"`
	Country             string         `db:"country"`
	Employer            string         `db:"employer"`
	PlacementCompany    string         `db:"placement_company"`
	Description         string         `db:"description"`
	RiskFlags           pq.StringArray `db:"risk_flags"`
	HighRisk            bool           `db:"high_risk"`
	IntakeUnit          string         `db:"intake_unit"`
	OwnerUnit           string         `db:"owner_unit"`
	ReadUnits           pq.StringArray `db:"read_units"`
	Step                string         `db:"step"`
	StepBeforeClose     *string        `db:"step_before_close"`
	WorkflowID          string         `db:"workflow_id"`
	ReceivedAt          time.Time      `db:"received_at"`
	LastContactAt       time.Time      `db:"last_contact_at"`
	LastActionAt        time.Time      `db:"last_action_at"`
	InfoRequestedAt     *time.Time     `db:"info_requested_at"`
	ToldUnresolvableAt  *time.Time     `db:"told_unresolvable_at"`
	Resolution          string         `db:"resolution"`
	MoneyRecovered      int64          `db:"money_recovered_idr"`
	ClosedReason        string         `db:"closed_reason"`
	ClosedAt            *time.Time     `db:"closed_at"`
	ReopenReason        string         `db:"reopen_reason"`
	WorkerProvisional   bool           `db:"worker_provisional"`
	DaysOpen            int            `db:"days_open"`
	DaysSinceAction     int            `db:"days_since_action"`
	Overdue             bool           `db:"overdue"`
}

func (r caseRow) pcase() lindungi.Case {
	c := lindungi.Case{
		ID: r.ID, Number: r.Number, WorkerID: r.WorkerID, Channel: r.Channel,
		Complainant: lindungi.Complainant{Name: r.ComplainantName, Relation: r.ComplainantRelation,
			Phone: r.ComplainantPhone, PowerOfAttorney: r.PowerOfAttorney},
		Categories: make([]lindungi.CaseCategory, len(r.Categories)), Country: r.Country, Employer: r.Employer,
		PlacementCompany: r.PlacementCompany, Description: r.Description, RiskFlags: []string(r.RiskFlags),
		HighRisk: r.HighRisk, IntakeUnit: r.IntakeUnit, OwnerUnit: r.OwnerUnit, Step: lindungi.CaseStep(r.Step),
		WorkflowID: r.WorkflowID, ReceivedAt: r.ReceivedAt.UTC(), LastContactAt: r.LastContactAt.UTC(),
		LastActionAt: r.LastActionAt.UTC(), Resolution: r.Resolution, MoneyRecovered: r.MoneyRecovered,
		ClosedReason: r.ClosedReason, ClosedAt: utc(r.ClosedAt), InfoRequestedAt: utc(r.InfoRequestedAt),
		ToldUnresolvableAt: utc(r.ToldUnresolvableAt), WorkerProvisional: r.WorkerProvisional,
		ReadUnits: []string{}, DaysOpen: r.DaysOpen, DaysSinceAction: r.DaysSinceAction, Overdue: r.Overdue,
	}
	for i, cat := range r.Categories {
		c.Categories[i] = lindungi.CaseCategory(cat)
	}
	if c.RiskFlags == nil {
		c.RiskFlags = []string{}
	}
	for _, u := range r.ReadUnits {
		if u != r.OwnerUnit && !slices.Contains(c.ReadUnits, u) {
			c.ReadUnits = append(c.ReadUnits, u)
		}
	}
	slices.Sort(c.ReadUnits)
	return c
}

// wibDate is the calendar day (WIB) of a timestamptz expression.
func wibDate(expr string) string { return "((" + expr + ") AT TIME ZONE INTERVAL '+07:00')::date" }

// caseSelect reads cases with what lists show: whether the worker is
// provisional, days open and since the last action (calendar days, WIB)
// and whether an open task of the case is overdue. $1 is now.
var caseSelect = `
SELECT c.id, c.number, c.worker_id, c.channel, c.complainant_name, c.complainant_relation, c.complainant_phone,
    c.power_of_attorney, c.categories, c.country, c.employer, c.placement_company, c.description, c.risk_flags,
    c.high_risk, c.intake_unit, c.owner_unit, c.read_units, c.step, c.step_before_close, c.workflow_id,
    c.received_at, c.last_contact_at, c.last_action_at, c.info_requested_at, c.told_unresolvable_at,
    c.resolution, c.money_recovered_idr, c.closed_reason, c.closed_at, c.reopen_reason,
    w.provisional AS worker_provisional,
    ` + wibDate("coalesce(c.closed_at, $1::timestamptz)") + ` - ` + wibDate("c.received_at") + ` AS days_open,
    ` + wibDate("$1::timestamptz") + ` - ` + wibDate("c.last_action_at") + ` AS days_since_action,
    EXISTS (SELECT 1 FROM tasks t WHERE t.workflow_id = c.workflow_id AND t.status = 'open' AND t.due_at < $1) AS overdue
FROM cases c JOIN workers w ON w.id = c.worker_id`

func findCase(ctx context.Context, q sqlx.QueryerContext, id uuid.UUID, now time.Time) (lindungi.Case, error) {
	var row caseRow
	if err := sqlx.GetContext(ctx, q, &row, caseSelect+` WHERE c.id = $2`, now, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Case{}, lindungi.Errorf(lindungi.ENOTFOUND, "Case not found.")
		}
		return lindungi.Case{}, fmt.Errorf("find case %s: %w", id, translate(err))
	}
	return row.pcase(), nil
}

// FindCase returns a case by ID.
func (db *DB) FindCase(ctx context.Context, id uuid.UUID) (lindungi.Case, error) {
	return findCase(ctx, db.db, id, db.Now().UTC())
}

func invalid(field, reason string) error {
	return &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
		Fields: []lindungi.FieldError{{Field: field, Reason: reason}}}
}

// unitPath returns the path of a unit (codes from the root down), or nil
// if there is no such unit.
func unitPath(ctx context.Context, tx *sqlx.Tx, code string) ([]string, error) {
	var path pq.StringArray
	err := tx.GetContext(ctx, &path, `SELECT path FROM units WHERE code = $1`, code)
	if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unit %s: %w", code, translate(err))
	}
	return path, nil
}

const nextCaseNumberSQL = `
INSERT INTO case_numbers (province, year, last) VALUES ($1, $2, 1)
ON CONFLICT (province, year) DO UPDATE SET last = case_numbers.last + 1
RETURNING last`

// caseNumber takes the next number of the intake unit's province (the
// national unit counts on its own) in the year of now (WIB).
func caseNumber(ctx context.Context, tx *sqlx.Tx, intakePath []string, now time.Time) (string, error) {
	province := intakePath[0]
	if len(intakePath) > 1 {
		province = intakePath[1]
	}
	year := now.In(lindungi.WIB).Year()
	var n int
	if err := tx.GetContext(ctx, &n, nextCaseNumberSQL, province, year); err != nil {
		return "", fmt.Errorf("case number: %w", translate(err))
	}
	return fmt.Sprintf("PGD-%s-%d-%06d", province, year, n), nil
}

const insertProvisionalWorkerSQL = `
INSERT INTO workers (id, nik, name, birth_date, domicile_unit, phone, provisional, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $8)`

const insertCaseSQL = `
INSERT INTO cases (id, number, worker_id, channel, complainant_name, complainant_relation, complainant_phone,
    power_of_attorney, categories, country, employer, placement_company, description, risk_flags, high_risk,
    intake_unit, owner_unit, read_units, step, workflow_id, received_at, last_contact_at, last_action_at, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, ARRAY[$16], 'RECEIVED', $18,
    $19, $19, $19, $20)`

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateCase records a complaint owned by ownerUnit; see CreateCaseIdempotent.
func (db *DB) CreateCase(ctx context.Context, nc lindungi.NewComplaint, ownerUnit string, ev lindungi.Event) (lindungi.Case, error) {
	return db.CreateCaseIdempotent(ctx, nc, ownerUnit, ev, nil)
}

// CreateCaseIdempotent records a complaint owned by ownerUnit: a
// provisional worker first when the subject is unknown, then the case with
// the next number of its province and year, their audit events
// (worker.provisional, case.open) and, when key is not nil, the answer to
// the request, in one transaction.
func (db *DB) CreateCaseIdempotent(ctx context.Context, nc lindungi.NewComplaint, ownerUnit string, ev lindungi.Event, key *lindungi.IdempotencyKey) (lindungi.Case, error) {
	nc.Normalize()
	now := db.Now().UTC()
	nc.FlagMinor(now.In(lindungi.WIB))
	if err := nc.Validate(now.In(lindungi.WIB)); err != nil {
		return lindungi.Case{}, err
	}
	var out lindungi.Case
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		intake, err := unitPath(ctx, tx, nc.Unit)
		if err != nil {
			return err
		}
		if intake == nil {
			return invalid("unit", "is not a known unit")
		}
		if owner, err := unitPath(ctx, tx, ownerUnit); err != nil {
			return err
		} else if owner == nil {
			return invalid("owner_unit", "is not a known unit")
		}
		id := uuid.New()
		ev.OccurredAt = now
		var workerID uuid.UUID
		if nc.WorkerID != nil {
			workerID = *nc.WorkerID
			if err := checkCaseWorker(ctx, tx, workerID); err != nil {
				return err
			}
		} else {
			if workerID, err = insertProvisionalWorker(ctx, tx, *nc.Subject, id, ev); err != nil {
				return err
			}
		}
		number, err := caseNumber(ctx, tx, intake, now)
		if err != nil {
			return err
		}
		cats := make(pq.StringArray, len(nc.Categories))
		for i, c := range nc.Categories {
			cats[i] = string(c)
		}
		flags := pq.StringArray(nc.RiskFlags)
		if flags == nil {
			flags = pq.StringArray{}
		}
		highRisk := lindungi.HighRisk(nc.Categories, nc.RiskFlags)
		if _, err := tx.ExecContext(ctx, insertCaseSQL, id, number, workerID, nc.Channel, nc.Complainant.Name,
			nc.Complainant.Relation, nc.Complainant.Phone, nc.Complainant.PowerOfAttorney, cats, nc.Country, nc.Employer,
			nc.PlacementCompany, nc.Description, flags, highRisk, nc.Unit, ownerUnit, lindungi.CaseWorkflowID(id), now,
			ev.Actor); err != nil {
			return fmt.Errorf("insert case: %w", translate(err))
		}
		if out, err = findCase(ctx, tx, id, now); err != nil {
			return err
		}
		open := ev
		open.Action = "case.open"
		open.SubjectType, open.SubjectID, open.WorkerID = "case", id.String(), &workerID
		// Codes, units and steps; the personal fields are named, not copied.
		after := map[string]any{"number": out.Number, "channel": out.Channel, "relation": out.Complainant.Relation,
			"power_of_attorney": out.Complainant.PowerOfAttorney, "categories": out.Categories, "risk_flags": out.RiskFlags,
			"high_risk": out.HighRisk, "intake_unit": out.IntakeUnit, "owner_unit": out.OwnerUnit, "step": out.Step,
			"worker_provisional": out.WorkerProvisional, "fields": setFields(map[string]string{
				"complainant.name": nc.Complainant.Name, "complainant.phone": nc.Complainant.Phone,
				"employer": nc.Employer, "placement_company": nc.PlacementCompany, "description": nc.Description})}
		if out.Country != "" {
			after["country"] = out.Country
		}
		open.After = mustJSON(after)
		if err := insertEvent(ctx, tx, open); err != nil {
			return err
		}
		if key != nil {
			body, err := json.Marshal(out)
			if err != nil {
				return err
			}
			return saveIdempotent(ctx, tx, *key, 201, body, now)
		}
		return nil
	})
	return out, err
}

// setFields names the fields of m that are set, in order.
func setFields(m map[string]string) []string {
	out := []string{}
	for k, v := range m {
		if v != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

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

// changeCase locks case id and calls change with it as it stands; change
// writes and audits, or returns false to leave the case as it is (a
// repeated call). The answer is the case as stored afterwards.
func (db *DB) changeCase(ctx context.Context, id uuid.UUID, change func(tx *sqlx.Tx, before lindungi.Case, now time.Time) (bool, error)) (lindungi.Case, error) {
	var out lindungi.Case
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var locked uuid.UUID
		if err := tx.GetContext(ctx, &locked, `SELECT id FROM cases WHERE id = $1 FOR UPDATE`, id); err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
				return lindungi.Errorf(lindungi.ENOTFOUND, "Case not found.")
			}
			return fmt.Errorf("lock case %s: %w", id, translate(err))
		}
		now := db.Now().UTC()
		before, err := findCase(ctx, tx, id, now)
		if err != nil {
			return err
		}
		changed, err := change(tx, before, now)
		if err != nil {
			return err
		}
		if !changed {
			out = before
			return nil
		}
		out, err = findCase(ctx, tx, id, now)
		return err
	})
	return out, err
}

// caseEvent completes ev as an event about case c.
func caseEvent(ev lindungi.Event, action string, c lindungi.Case, now time.Time, before, after map[string]any) lindungi.Event {
	ev.OccurredAt, ev.Action = now, action
	ev.SubjectType, ev.SubjectID, ev.WorkerID = "case", c.ID.String(), &c.WorkerID
	if before != nil {
		ev.Before = mustJSON(before)
	}
	if after != nil {
		ev.After = mustJSON(after)
	}
	return ev
}

func errClosed() error {
	return lindungi.Errorf(lindungi.ECONFLICT, "The case is closed; reopen it first.")
}

// SetCaseStep moves an open case to a handling step, records the action
// time, and audits it (case.step). Moving a case to the step it is at
// changes nothing. RESOLVED and CLOSED have their own methods.
func (db *DB) SetCaseStep(ctx context.Context, id uuid.UUID, step lindungi.CaseStep, ev lindungi.Event) (lindungi.Case, error) {
	switch {
	case !step.Valid():
		return lindungi.Case{}, invalid("step", "is not a case step")
	case step == lindungi.CaseResolved || step == lindungi.CaseClosed:
		return lindungi.Case{}, invalid("step", "a case is resolved or closed with its outcome or reason")
	}
	return db.changeCase(ctx, id, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		switch {
		case c.Step == lindungi.CaseClosed:
			return false, errClosed()
		case c.Step == step:
			return false, nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET step = $2, last_action_at = $3 WHERE id = $1`, id, string(step), now); err != nil {
			return false, fmt.Errorf("case step: %w", translate(err))
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.step", c, now,
			map[string]any{"step": c.Step}, map[string]any{"step": step}))
	})
}

// markCase sets the time column of an open case to at (and the last action
// to at if later), and audits action. Setting the time it already holds
// changes nothing.
func (db *DB) markCase(ctx context.Context, id uuid.UUID, column, action string, at time.Time, ev lindungi.Event,
	current func(lindungi.Case) *time.Time) (lindungi.Case, error) {
	at = at.UTC().Truncate(time.Microsecond)
	if at.IsZero() {
		return lindungi.Case{}, invalid("at", "is required")
	}
	return db.changeCase(ctx, id, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		prev := current(c)
		switch {
		case c.Step == lindungi.CaseClosed:
			return false, errClosed()
		case prev != nil && !at.After(*prev):
			return false, nil // recorded already, or something later was
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET `+column+` = $2, last_action_at = greatest(last_action_at, $2) WHERE id = $1`, id, at); err != nil {
			return false, fmt.Errorf("%s: %w", action, translate(err))
		}
		var before map[string]any
		if prev != nil {
			before = map[string]any{column: *prev}
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, action, c, now, before, map[string]any{column: at}))
	})
}

// LogCaseContact records that the complainant was reached at at, which is
// also an action on the case (case.contact). A contact at or before the
// last one recorded changes nothing.
func (db *DB) LogCaseContact(ctx context.Context, id uuid.UUID, at time.Time, ev lindungi.Event) (lindungi.Case, error) {
	return db.markCase(ctx, id, "last_contact_at", "case.contact", at, ev, func(c lindungi.Case) *time.Time { return &c.LastContactAt })
}

// MarkInfoRequested records that information was asked of the complainant
// at at (case.info_requested), which starts art. 30b's clock.
func (db *DB) MarkInfoRequested(ctx context.Context, id uuid.UUID, at time.Time, ev lindungi.Event) (lindungi.Case, error) {
	return db.markCase(ctx, id, "info_requested_at", "case.info_requested", at, ev, func(c lindungi.Case) *time.Time { return c.InfoRequestedAt })
}

// MarkToldUnresolvable records that the complainant was told at at that the
// case cannot be resolved (case.told_unresolvable), which starts art.
// 30e's clock.
func (db *DB) MarkToldUnresolvable(ctx context.Context, id uuid.UUID, at time.Time, ev lindungi.Event) (lindungi.Case, error) {
	return db.markCase(ctx, id, "told_unresolvable_at", "case.told_unresolvable", at, ev, func(c lindungi.Case) *time.Time { return c.ToldUnresolvableAt })
}

// SetCaseOwner gives an open case to unit, for reason (an escalation, an
// accepted referral or transfer), and audits it (case.owner). Giving it to
// its owner changes nothing.
func (db *DB) SetCaseOwner(ctx context.Context, id uuid.UUID, unit, reason string, ev lindungi.Event) (lindungi.Case, error) {
	reason = strings.TrimSpace(reason)
	if err := lindungi.CheckOptionalReason("reason", reason); err != nil {
		return lindungi.Case{}, err
	}
	return db.changeCase(ctx, id, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		switch {
		case c.OwnerUnit == unit:
			return false, nil
		case c.Step == lindungi.CaseClosed:
			return false, errClosed()
		}
		if path, err := unitPath(ctx, tx, unit); err != nil {
			return false, err
		} else if path == nil {
			return false, invalid("unit", "is not a known unit")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET owner_unit = $2, last_action_at = $3 WHERE id = $1`, id, unit, now); err != nil {
			return false, fmt.Errorf("case owner: %w", translate(err))
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.owner", c, now,
			map[string]any{"owner_unit": c.OwnerUnit}, map[string]any{"owner_unit": unit, "reason": reason}))
	})
}

// resolutionCode is a resolution the trail may record as it is: a code
// such as REPATRIATED, never free text.
var resolutionCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)

// ResolveCase records the outcome of an open case and the money recovered
// for the worker (unpaid wages, claims paid), in rupiah, and audits it
// (case.resolve). The same outcome again changes nothing; another one on a
// resolved case is ECONFLICT.
func (db *DB) ResolveCase(ctx context.Context, id uuid.UUID, resolution string, moneyIDR int64, ev lindungi.Event) (lindungi.Case, error) {
	resolution = strings.TrimSpace(resolution)
	var v lindungi.Validation
	switch n := len([]rune(resolution)); {
	case n == 0:
		v.Add("resolution", "is required")
	case n > 2000:
		v.Add("resolution", "must be at most 2000 characters")
	}
	if moneyIDR < 0 {
		v.Add("money_recovered_idr", "must not be negative")
	}
	if err := v.Err(); err != nil {
		return lindungi.Case{}, err
	}
	return db.changeCase(ctx, id, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		switch {
		case c.Step == lindungi.CaseClosed:
			return false, errClosed()
		case c.Step == lindungi.CaseResolved && c.Resolution == resolution && c.MoneyRecovered == moneyIDR:
			return false, nil
		case c.Step == lindungi.CaseResolved:
			return false, lindungi.Errorf(lindungi.ECONFLICT, "The case is resolved already, with another outcome.")
		}
		if _, err := tx.ExecContext(ctx, `
UPDATE cases SET step = 'RESOLVED', resolution = $2, money_recovered_idr = $3, last_action_at = $4 WHERE id = $1`,
			id, resolution, moneyIDR, now); err != nil {
			return false, fmt.Errorf("resolve case: %w", translate(err))
		}
		after := map[string]any{"step": lindungi.CaseResolved, "money_recovered_idr": moneyIDR}
		if resolutionCode.MatchString(resolution) {
			after["resolution"] = resolution
		} else {
			after["fields"] = []string{"resolution"}
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.resolve", c, now, map[string]any{"step": c.Step}, after))
	})
}

// CloseCase closes a case for reason (a supervisor approved it) and audits
// it (case.close); the step it was at is kept for a reopening. Closing a
// case closed for the same reason changes nothing.
func (db *DB) CloseCase(ctx context.Context, id uuid.UUID, reason string, ev lindungi.Event) (lindungi.Case, error) {
	reason = strings.TrimSpace(reason)
	if err := lindungi.CheckReason("reason", reason); err != nil {
		return lindungi.Case{}, err
	}
	return db.changeCase(ctx, id, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		switch {
		case c.Step == lindungi.CaseClosed && c.ClosedReason == reason:
			return false, nil
		case c.Step == lindungi.CaseClosed:
			return false, lindungi.Errorf(lindungi.ECONFLICT, "The case is closed already, for another reason.")
		}
		if _, err := tx.ExecContext(ctx, `
UPDATE cases SET step = 'CLOSED', step_before_close = step, closed_at = $2, closed_reason = $3, reopen_reason = '',
    last_action_at = $2 WHERE id = $1`, id, now, reason); err != nil {
			return false, fmt.Errorf("close case: %w", translate(err))
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.close", c, now,
			map[string]any{"step": c.Step}, map[string]any{"step": lindungi.CaseClosed, "reason": reason}))
	})
}

// ReopenCase reopens a closed case for reason and audits it (case.reopen):
// it goes back to the step it was closed at, or to VERIFICATION when that
// was RESOLVED. Reopening a case just reopened for the same reason changes
// nothing; an open case is otherwise ECONFLICT.
func (db *DB) ReopenCase(ctx context.Context, id uuid.UUID, reason string, ev lindungi.Event) (lindungi.Case, error) {
	reason = strings.TrimSpace(reason)
	if err := lindungi.CheckReason("reason", reason); err != nil {
		return lindungi.Case{}, err
	}
	return db.changeCase(ctx, id, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		var stepBefore *string
		if err := tx.GetContext(ctx, &stepBefore, `SELECT step_before_close FROM cases WHERE id = $1`, id); err != nil {
			return false, translate(err)
		}
		if c.Step != lindungi.CaseClosed {
			var last string
			if err := tx.GetContext(ctx, &last, `SELECT reopen_reason FROM cases WHERE id = $1`, id); err != nil {
				return false, translate(err)
			}
			if last == reason {
				return false, nil
			}
			return false, lindungi.Errorf(lindungi.ECONFLICT, "Only a closed case can be reopened.")
		}
		step := lindungi.CaseVerification
		if stepBefore != nil && lindungi.CaseStep(*stepBefore).Open() && lindungi.CaseStep(*stepBefore) != lindungi.CaseResolved {
			step = lindungi.CaseStep(*stepBefore)
		}
		if _, err := tx.ExecContext(ctx, `
UPDATE cases SET step = $2, closed_at = NULL, closed_reason = '', reopen_reason = $3, last_action_at = $4 WHERE id = $1`,
			id, string(step), reason, now); err != nil {
			return false, fmt.Errorf("reopen case: %w", translate(err))
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.reopen", c, now,
			map[string]any{"step": c.Step, "closed_reason": c.ClosedReason}, map[string]any{"step": step, "reason": reason}))
	})
}

// refreshReadUnits recomputes the units besides the owner that may read a
// case: the intake unit, every unit it was referred from, the units it is
// referred to (pending or accepted) or being transferred to (pending).
func refreshReadUnits(ctx context.Context, tx *sqlx.Tx, caseID uuid.UUID) error {
	_, err := tx.ExecContext(ctx, `
UPDATE cases c SET read_units = ARRAY(
    SELECT DISTINCT u FROM (
        SELECT c.intake_unit AS u
        UNION SELECT r.from_unit FROM case_referrals r WHERE r.case_id = c.id
        UNION SELECT r.to_unit FROM case_referrals r WHERE r.case_id = c.id AND r.to_unit IS NOT NULL AND r.status <> 'rejected'
        UNION SELECT t.to_unit FROM case_transfers t WHERE t.case_id = c.id AND t.status = 'pending') x
    ORDER BY u)
WHERE c.id = $1`, caseID)
	if err != nil {
		return fmt.Errorf("case read units: %w", translate(err))
	}
	return nil
}

type referralRow struct {
	ID             uuid.UUID  `db:"id"`
	CaseID         uuid.UUID  `db:"case_id"`
	FromUnit       string     `db:"from_unit"`
	ToUnit         *string    `db:"to_unit"`
	ToAgency       *string    `db:"to_agency"`
	Consent        bool       `db:"consent"`
	OverrideReason string     `db:"override_reason"`
	Status         string     `db:"status"`
	CreatedBy      string     `db:"created_by"`
	CreatedAt      time.Time  `db:"created_at"`
	DecidedBy      *string    `db:"decided_by"`
	DecidedAt      *time.Time `db:"decided_at"`
	Reason         string     `db:"reason"`
}

func (r referralRow) referral() lindungi.Referral {
	return lindungi.Referral{ID: r.ID, CaseID: r.CaseID, FromUnit: r.FromUnit, ToUnit: deref(r.ToUnit), ToAgency: deref(r.ToAgency),
		Consent: r.Consent, OverrideReason: r.OverrideReason, Status: lindungi.ReferralStatus(r.Status),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), DecidedBy: deref(r.DecidedBy), DecidedAt: utc(r.DecidedAt), Reason: r.Reason}
}

const referralColumns = `id, case_id, from_unit, to_unit, to_agency, consent, override_reason, status, created_by, created_at,
    decided_by, decided_at, reason`

// CreateReferral refers an open case to a unit (which then accepts or
// rejects) or to an outside agency (handed over: the case is REFERRED at
// once), with the worker's consent or a supervisor's override reason, and
// audits it (case.refer). The same referral asked again while it waits
// changes nothing; another referral to a unit while one waits is
// ECONFLICT.
func (db *DB) CreateReferral(ctx context.Context, caseID uuid.UUID, toUnit, toAgency string, consent bool, overrideReason string, ev lindungi.Event) (lindungi.Referral, error) {
	toUnit, toAgency = strings.TrimSpace(toUnit), strings.Join(strings.Fields(toAgency), " ")
	overrideReason = strings.TrimSpace(overrideReason)
	if consent {
		overrideReason = ""
	}
	var v lindungi.Validation
	switch {
	case (toUnit == "") == (toAgency == ""):
		v.Add("to_unit", "name the unit or the agency to refer to, not both")
	case len([]rune(toAgency)) > 200:
		v.Add("to_agency", "must be at most 200 characters")
	}
	if !consent {
		if overrideReason == "" {
			v.Add("consent", "referral needs the worker's recorded consent, or a supervisor's override with a reason")
		} else if err := lindungi.CheckReason("override_reason", overrideReason); err != nil {
			v.Add("override_reason", "must say why, in 5 to 500 characters")
		}
	}
	if err := v.Err(); err != nil {
		return lindungi.Referral{}, err
	}
	var out lindungi.Referral
	_, err := db.changeCase(ctx, caseID, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		if c.Step == lindungi.CaseClosed {
			return false, errClosed()
		}
		var pending []referralRow
		if err := tx.SelectContext(ctx, &pending, `SELECT `+referralColumns+` FROM case_referrals
WHERE case_id = $1 AND status = 'pending' ORDER BY created_at`, caseID); err != nil {
			return false, translate(err)
		}
		for _, p := range pending {
			r := p.referral()
			if r.ToUnit == toUnit && r.ToAgency == toAgency && r.Consent == consent && r.OverrideReason == overrideReason {
				out = r
				return false, nil
			}
			if toUnit != "" && r.ToUnit != "" {
				return false, lindungi.Errorf(lindungi.ECONFLICT, "A referral to %s is waiting for its decision.", r.ToUnit)
			}
		}
		if toUnit != "" {
			// A referral may stay within a unit code: at 33 sit both the
			// province's labour office and BP3MI, told apart by role.
			if path, err := unitPath(ctx, tx, toUnit); err != nil {
				return false, err
			} else if path == nil {
				return false, invalid("to_unit", "is not a known unit")
			}
		}
		id := uuid.New()
		var row referralRow
		if err := tx.GetContext(ctx, &row, `
INSERT INTO case_referrals (id, case_id, from_unit, to_unit, to_agency, consent, override_reason, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+referralColumns,
			id, caseID, c.OwnerUnit, nullString(toUnit), nullString(toAgency), consent, overrideReason, ev.Actor, now); err != nil {
			return false, fmt.Errorf("insert referral: %w", translate(err))
		}
		out = row.referral()
		step := c.Step
		if toAgency != "" {
			step = lindungi.CaseReferred
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET step = $2, last_action_at = $3 WHERE id = $1`, caseID, string(step), now); err != nil {
			return false, fmt.Errorf("refer case: %w", translate(err))
		}
		if err := refreshReadUnits(ctx, tx, caseID); err != nil {
			return false, err
		}
		after := map[string]any{"referral_id": id, "from_unit": c.OwnerUnit, "consent": consent, "status": out.Status, "step": step}
		if toUnit != "" {
			after["to_unit"] = toUnit
		} else {
			after["to_agency"] = toAgency
		}
		if overrideReason != "" {
			after["override_reason"] = overrideReason
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.refer", c, now, map[string]any{"step": c.Step}, after))
	})
	return out, err
}

// DecideReferral accepts or rejects a pending referral, and audits it
// (case.referral.accept or .reject). Accepting a referral to a unit gives
// the case to that unit at step REFERRED; the referring unit keeps reading
// it. The same decision by the same person again changes nothing; any
// other decision of a decided referral is ECONFLICT.
func (db *DB) DecideReferral(ctx context.Context, id uuid.UUID, accept bool, reason string, ev lindungi.Event) (lindungi.Referral, error) {
	reason = strings.TrimSpace(reason)
	if err := lindungi.CheckOptionalReason("reason", reason); err != nil {
		return lindungi.Referral{}, err
	}
	r, err := db.FindReferral(ctx, id)
	if err != nil {
		return r, err
	}
	var out lindungi.Referral
	_, err = db.changeCase(ctx, r.CaseID, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		var row referralRow
		if err := tx.GetContext(ctx, &row, `SELECT `+referralColumns+` FROM case_referrals WHERE id = $1 FOR UPDATE`, id); err != nil {
			return false, translate(err)
		}
		before := row.referral()
		status := decision(accept)
		if done, err := decidedAlready(before.Status, before.DecidedBy, before.Reason, status, ev.Actor, reason, "referral"); done || err != nil {
			out = before
			return false, err
		}
		if c.Step == lindungi.CaseClosed {
			return false, errClosed()
		}
		if err := tx.GetContext(ctx, &row, `
UPDATE case_referrals SET status = $2, decided_by = $3, decided_at = $4, reason = $5 WHERE id = $1 RETURNING `+referralColumns,
			id, string(status), ev.Actor, now, reason); err != nil {
			return false, fmt.Errorf("decide referral: %w", translate(err))
		}
		out = row.referral()
		caseBefore := map[string]any{"referral_status": before.Status}
		after := map[string]any{"referral_id": id, "referral_status": status}
		if reason != "" {
			after["reason"] = reason
		}
		if accept && out.ToUnit != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET owner_unit = $2, step = 'REFERRED', last_action_at = $3 WHERE id = $1`,
				c.ID, out.ToUnit, now); err != nil {
				return false, fmt.Errorf("refer case: %w", translate(err))
			}
			caseBefore["owner_unit"], caseBefore["step"] = c.OwnerUnit, c.Step
			after["owner_unit"], after["step"] = out.ToUnit, lindungi.CaseReferred
		} else if _, err := tx.ExecContext(ctx, `UPDATE cases SET last_action_at = $2 WHERE id = $1`, c.ID, now); err != nil {
			return false, translate(err)
		}
		if err := refreshReadUnits(ctx, tx, c.ID); err != nil {
			return false, err
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.referral."+map[bool]string{true: "accept", false: "reject"}[accept], c, now, caseBefore, after))
	})
	return out, err
}

func decision(accept bool) lindungi.ReferralStatus {
	if accept {
		return lindungi.ReferralAccepted
	}
	return lindungi.ReferralRejected
}

// decidedAlready reports whether a referral or transfer was decided:
// (true, nil) when exactly this decision was made already by actor (a
// retry), ECONFLICT for any other decision.
func decidedAlready(status lindungi.ReferralStatus, by, reason string, want lindungi.ReferralStatus, actor, wantReason, what string) (bool, error) {
	switch {
	case status == lindungi.ReferralPending:
		return false, nil
	case status == want && by == actor && reason == wantReason:
		return true, nil
	}
	return true, lindungi.Errorf(lindungi.ECONFLICT, "The %s is %s already.", what, status)
}

// FindReferral returns a referral by ID.
func (db *DB) FindReferral(ctx context.Context, id uuid.UUID) (lindungi.Referral, error) {
	var row referralRow
	if err := db.db.GetContext(ctx, &row, `SELECT `+referralColumns+` FROM case_referrals WHERE id = $1`, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Referral{}, lindungi.Errorf(lindungi.ENOTFOUND, "Referral not found.")
		}
		return lindungi.Referral{}, fmt.Errorf("find referral %s: %w", id, translate(err))
	}
	return row.referral(), nil
}

// ListReferrals returns a case's referrals, oldest first.
func (db *DB) ListReferrals(ctx context.Context, caseID uuid.UUID) ([]lindungi.Referral, error) {
	var rows []referralRow
	if err := db.db.SelectContext(ctx, &rows, `SELECT `+referralColumns+` FROM case_referrals
WHERE case_id = $1 ORDER BY created_at, id`, caseID); err != nil {
		return nil, fmt.Errorf("list referrals of %s: %w", caseID, translate(err))
	}
	out := make([]lindungi.Referral, len(rows))
	for i, r := range rows {
		out[i] = r.referral()
	}
	return out, nil
}

type transferRow struct {
	ID             uuid.UUID  `db:"id"`
	CaseID         uuid.UUID  `db:"case_id"`
	FromUnit       string     `db:"from_unit"`
	ToUnit         string     `db:"to_unit"`
	Reason         string     `db:"reason"`
	Status         string     `db:"status"`
	CreatedBy      string     `db:"created_by"`
	CreatedAt      time.Time  `db:"created_at"`
	DecidedBy      *string    `db:"decided_by"`
	DecidedAt      *time.Time `db:"decided_at"`
	DecisionReason string     `db:"decision_reason"`
}

func (r transferRow) transfer() lindungi.Transfer {
	return lindungi.Transfer{ID: r.ID, CaseID: r.CaseID, FromUnit: r.FromUnit, ToUnit: r.ToUnit, Reason: r.Reason,
		Status: lindungi.ReferralStatus(r.Status), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		DecidedBy: deref(r.DecidedBy), DecidedAt: utc(r.DecidedAt), Decision: r.DecisionReason}
}

const transferColumns = `id, case_id, from_unit, to_unit, reason, status, created_by, created_at, decided_by, decided_at, decision_reason`

// CreateTransfer asks unit toUnit to take an open case over, and audits it
// (case.transfer); the owner changes when toUnit accepts. The same
// transfer asked again while it waits changes nothing; another one while
// one waits is ECONFLICT.
func (db *DB) CreateTransfer(ctx context.Context, caseID uuid.UUID, toUnit, reason string, ev lindungi.Event) (lindungi.Transfer, error) {
	toUnit, reason = strings.TrimSpace(toUnit), strings.TrimSpace(reason)
	var v lindungi.Validation
	if toUnit == "" {
		v.Add("to_unit", "is required")
	}
	v.Merge(lindungi.CheckOptionalReason("reason", reason))
	if err := v.Err(); err != nil {
		return lindungi.Transfer{}, err
	}
	var out lindungi.Transfer
	_, err := db.changeCase(ctx, caseID, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		if c.Step == lindungi.CaseClosed {
			return false, errClosed()
		}
		var pending []transferRow
		if err := tx.SelectContext(ctx, &pending, `SELECT `+transferColumns+` FROM case_transfers
WHERE case_id = $1 AND status = 'pending'`, caseID); err != nil {
			return false, translate(err)
		}
		for _, p := range pending {
			if p.ToUnit == toUnit && p.Reason == reason {
				out = p.transfer()
				return false, nil
			}
			return false, lindungi.Errorf(lindungi.ECONFLICT, "A transfer to %s is waiting for its decision.", p.ToUnit)
		}
		if toUnit == c.OwnerUnit {
			return false, invalid("to_unit", "is the unit that owns the case")
		}
		if path, err := unitPath(ctx, tx, toUnit); err != nil {
			return false, err
		} else if path == nil {
			return false, invalid("to_unit", "is not a known unit")
		}
		id := uuid.New()
		var row transferRow
		if err := tx.GetContext(ctx, &row, `
INSERT INTO case_transfers (id, case_id, from_unit, to_unit, reason, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+transferColumns, id, caseID, c.OwnerUnit, toUnit, reason, ev.Actor, now); err != nil {
			return false, fmt.Errorf("insert transfer: %w", translate(err))
		}
		out = row.transfer()
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET last_action_at = $2 WHERE id = $1`, caseID, now); err != nil {
			return false, translate(err)
		}
		if err := refreshReadUnits(ctx, tx, caseID); err != nil {
			return false, err
		}
		after := map[string]any{"transfer_id": id, "from_unit": c.OwnerUnit, "to_unit": toUnit, "status": out.Status}
		if reason != "" {
			after["reason"] = reason
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.transfer", c, now, nil, after))
	})
	return out, err
}

// DecideTransfer accepts or rejects a pending transfer, and audits it
// (case.transfer.accept or .reject). Accepting gives the case to the
// receiving unit in the same transaction. The same decision by the same
// person again changes nothing; any other decision of a decided transfer
// is ECONFLICT.
func (db *DB) DecideTransfer(ctx context.Context, id uuid.UUID, accept bool, reason string, ev lindungi.Event) (lindungi.Transfer, error) {
	reason = strings.TrimSpace(reason)
	if err := lindungi.CheckOptionalReason("reason", reason); err != nil {
		return lindungi.Transfer{}, err
	}
	t, err := db.FindTransfer(ctx, id)
	if err != nil {
		return t, err
	}
	var out lindungi.Transfer
	_, err = db.changeCase(ctx, t.CaseID, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		var row transferRow
		if err := tx.GetContext(ctx, &row, `SELECT `+transferColumns+` FROM case_transfers WHERE id = $1 FOR UPDATE`, id); err != nil {
			return false, translate(err)
		}
		before := row.transfer()
		status := decision(accept)
		if done, err := decidedAlready(before.Status, before.DecidedBy, before.Decision, status, ev.Actor, reason, "transfer"); done || err != nil {
			out = before
			return false, err
		}
		if c.Step == lindungi.CaseClosed {
			return false, errClosed()
		}
		if err := tx.GetContext(ctx, &row, `
UPDATE case_transfers SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5 WHERE id = $1 RETURNING `+transferColumns,
			id, string(status), ev.Actor, now, reason); err != nil {
			return false, fmt.Errorf("decide transfer: %w", translate(err))
		}
		out = row.transfer()
		caseBefore := map[string]any{"transfer_status": before.Status}
		after := map[string]any{"transfer_id": id, "transfer_status": status}
		if reason != "" {
			after["reason"] = reason
		}
		owner := c.OwnerUnit
		if accept {
			owner = out.ToUnit
			caseBefore["owner_unit"], after["owner_unit"] = c.OwnerUnit, owner
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET owner_unit = $2, last_action_at = $3 WHERE id = $1`, c.ID, owner, now); err != nil {
			return false, fmt.Errorf("transfer case: %w", translate(err))
		}
		if err := refreshReadUnits(ctx, tx, c.ID); err != nil {
			return false, err
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case.transfer."+map[bool]string{true: "accept", false: "reject"}[accept], c, now, caseBefore, after))
	})
	return out, err
}

// FindTransfer returns a transfer by ID.
func (db *DB) FindTransfer(ctx context.Context, id uuid.UUID) (lindungi.Transfer, error) {
	var row transferRow
	if err := db.db.GetContext(ctx, &row, `SELECT `+transferColumns+` FROM case_transfers WHERE id = $1`, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Transfer{}, lindungi.Errorf(lindungi.ENOTFOUND, "Transfer not found.")
		}
		return lindungi.Transfer{}, fmt.Errorf("find transfer %s: %w", id, translate(err))
	}
	return row.transfer(), nil
}

// ListTransfers returns a case's transfers, oldest first.
func (db *DB) ListTransfers(ctx context.Context, caseID uuid.UUID) ([]lindungi.Transfer, error) {
	var rows []transferRow
	if err := db.db.SelectContext(ctx, &rows, `SELECT `+transferColumns+` FROM case_transfers
WHERE case_id = $1 ORDER BY created_at, id`, caseID); err != nil {
		return nil, fmt.Errorf("list transfers of %s: %w", caseID, translate(err))
	}
	out := make([]lindungi.Transfer, len(rows))
	for i, r := range rows {
		out[i] = r.transfer()
	}
	return out, nil
}

// listCasesSQL: $1 now, $2 scope units, $3 scope workers, then the filter.
var listCasesSQL = `
WITH scope AS (SELECT array_agg(code) AS units FROM units WHERE path && $2::text[])
SELECT * FROM (` + caseSelect + `
    WHERE (c.owner_unit = ANY ((SELECT units FROM scope)::text[]) OR c.read_units && (SELECT units FROM scope)::text[]
        OR c.worker_id = ANY ($3::uuid[]))
      AND ($4 = '' OR c.step = $4)
      AND ($5::boolean IS NULL OR (c.step <> 'CLOSED') = $5)
      AND ($6 = '' OR c.owner_unit IN (SELECT code FROM units WHERE $6 = ANY (path)))
      AND ($7 = '' OR $7 = ANY (c.categories))
      AND ($8::timestamptz IS NULL OR (c.received_at, c.id) > ($8, $9::uuid))
      AND ($13::uuid IS NULL OR c.worker_id = $13)
) listed
WHERE ($10 = 0 OR days_since_action >= $10)
  AND (NOT $11 OR overdue)
ORDER BY received_at, id
LIMIT $12`

// ListCases returns the cases a caller with scope may read, that pass f,
// by receipt then ID. A case is in scope when its owner unit, its intake
// unit, a unit that referred it, or a unit it is referred or being
// transferred to is at or below scope.Units, or its worker is in
// scope.Workers.
func (db *DB) ListCases(ctx context.Context, scope lindungi.Scope, f lindungi.CaseFilter) ([]lindungi.Case, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	now := f.Now
	if now.IsZero() {
		now = db.Now()
	}
	var open any
	if f.Open != nil {
		open = *f.Open
	}
	var worker any
	if f.WorkerID != uuid.Nil {
		worker = f.WorkerID
	}
	var afterStart, afterID any
	if !f.AfterStart.IsZero() {
		afterStart, afterID = f.AfterStart, f.AfterID
	}
	var rows []caseRow
	if err := db.db.SelectContext(ctx, &rows, listCasesSQL, now.UTC(), pq.StringArray(scope.Units), pq.Array(scope.Workers),
		string(f.Step), open, f.Unit, string(f.Category), afterStart, afterID, f.IdleDays, f.Overdue, limit, worker); err != nil {
		return nil, fmt.Errorf("list cases: %w", translate(err))
	}
	out := make([]lindungi.Case, len(rows))
	for i, r := range rows {
		out[i] = r.pcase()
	}
	return out, nil
}

// MarkCaseStarted records that the case's workflow runs.
func (db *DB) MarkCaseStarted(ctx context.Context, id uuid.UUID) error {
	_, err := db.db.ExecContext(ctx,
		`UPDATE cases SET workflow_started_at = $2 WHERE id = $1 AND workflow_started_at IS NULL`, id, db.Now().UTC())
	return translate(err)
}

// CasesWithoutWorkflow returns up to limit open cases received before
// olderThan whose workflow is not known to run, oldest first: for the
// reconciler that starts them.
func (db *DB) CasesWithoutWorkflow(ctx context.Context, olderThan time.Time, limit int) ([]lindungi.Case, error) {
	var rows []caseRow
	if err := db.db.SelectContext(ctx, &rows, caseSelect+`
WHERE c.workflow_started_at IS NULL AND c.received_at < $2 AND c.step <> 'CLOSED'
ORDER BY c.received_at, c.id LIMIT $3`, db.Now().UTC(), olderThan, limit); err != nil {
		return nil, fmt.Errorf("cases without workflow: %w", translate(err))
	}
	out := make([]lindungi.Case, len(rows))
	for i, r := range rows {
		out[i] = r.pcase()
	}
	return out, nil
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
	limit := q.Limit
	if limit <= 0 || limit > 50 {
		limit = 20
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
		pq.StringArray(q.Scope.Units), pq.Array(q.Scope.Workers), limit); err != nil {
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
// the second is not a registered worker.
func (db *DB) MergeWorkers(ctx context.Context, provisionalID, registeredID uuid.UUID, ev lindungi.Event) error {
	if provisionalID == registeredID {
		return invalid("into", "must be another worker")
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
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
		return nil
	})
}
