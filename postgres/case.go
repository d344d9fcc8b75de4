package postgres

import (
	"context"
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

// caseAsOfSelect is caseSelect over the case's latest version written at or
// before $1, from the history a trigger keeps of every change.
var caseAsOfSelect = strings.Replace(caseSelect, "FROM cases c", `FROM (
    SELECT (jsonb_populate_record(NULL::cases, row_data)).* FROM cases_history
    WHERE case_id = $2 AND changed_at <= $1
    ORDER BY changed_at DESC, history_id DESC LIMIT 1) c`, 1)

// CaseAsOf returns a case as it stood at the instant at. ENOTFOUND if it
// was not taken in yet.
func (db *DB) CaseAsOf(ctx context.Context, id uuid.UUID, at time.Time) (lindungi.Case, error) {
	var row caseRow
	if err := db.db.GetContext(ctx, &row, caseAsOfSelect, at, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Case{}, lindungi.Errorf(lindungi.ENOTFOUND, "The case was not taken in yet at %s.", at.UTC().Format(time.RFC3339))
		}
		return lindungi.Case{}, fmt.Errorf("case %s as of %s: %w", id, at, translate(err))
	}
	c := row.pcase()
	utcTimes(&c)
	return c, nil
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

const insertCaseSQL = `
INSERT INTO cases (id, number, worker_id, channel, complainant_name, complainant_relation, complainant_phone,
    power_of_attorney, categories, country, employer, placement_company, description, risk_flags, high_risk,
    intake_unit, owner_unit, read_units, step, workflow_id, received_at, last_contact_at, last_action_at, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, ARRAY[$16], 'RECEIVED', $18,
    $19, $19, $19, $20)`

// CreateCase records a complaint owned by ownerUnit: a provisional worker
// first when the subject is unknown, then the case with the next number of
// its province and year, their audit events (worker.provisional,
// case.open) and the answer of the request that made it
// (lindungi.NewContextWithAnswer), in one transaction.
func (db *DB) CreateCase(ctx context.Context, nc lindungi.NewComplaint, ownerUnit string, ev lindungi.Event) (lindungi.Case, error) {
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
		return db.answer(ctx, tx, out)
	})
	return out, err
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
	if err := lindungi.CheckResolution(resolution, moneyIDR); err != nil {
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
UPDATE cases SET step = 'RESOLVED', resolution = $2, money_recovered_idr = $3, last_action_at = $4, resolved_at = $4 WHERE id = $1`,
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

// listCasesSQL: $1 now, $2 scope units, $3 scope workers, then the filter
// ($14: one case number, or empty for any).
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
      AND ($14 = '' OR c.number = $14)
      AND ($15 = '' OR ` + wibDate("c.received_at") + ` >= $15::date) AND ($16 = '' OR ` + wibDate("c.received_at") + ` <= $16::date)
      AND ($17 = '' OR ` + wibDate("c.resolved_at") + ` >= $17::date) AND ($18 = '' OR ` + wibDate("c.resolved_at") + ` <= $18::date)
      AND ($19 = '' OR ` + wibDate("c.closed_at") + ` >= $19::date) AND ($20 = '' OR ` + wibDate("c.closed_at") + ` <= $20::date)
      AND (NOT $21 OR EXISTS (SELECT 1 FROM tasks t WHERE t.workflow_id = c.workflow_id AND t.status = 'open' AND t.level > 0))
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
	var rows []caseRow
	if err := db.db.SelectContext(ctx, &rows, listCasesSQL, db.listCasesArgs(scope, f, pageSize(f.Limit, 100, 500))...); err != nil {
		return nil, fmt.Errorf("list cases: %w", translate(err))
	}
	return convert(rows, caseRow.pcase), nil
}

// listCasesArgs are the arguments of listCasesSQL: scope, f and limit (nil
// for every case, as CountCases counts them).
func (db *DB) listCasesArgs(scope lindungi.Scope, f lindungi.CaseFilter, limit any) []any {
	var open any
	if f.Open != nil {
		open = *f.Open
	}
	afterStart, afterID := pageAfter(f.AfterStart, f.AfterID)
	return []any{db.nowOr(f.Now).UTC(), pq.StringArray(scope.Units), pq.Array(scope.Workers),
		string(f.Step), open, f.Unit, string(f.Category), afterStart, afterID, f.IdleDays, f.Overdue, limit,
		nullUUID(f.WorkerID), f.Number, f.ReceivedFrom, f.ReceivedTo, f.ResolvedFrom, f.ResolvedTo, f.ClosedFrom, f.ClosedTo,
		f.Escalated}
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
	return convert(rows, caseRow.pcase), nil
}
