package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

// A referral and a transfer are both hand-overs: a case leaves its owner's
// hands when the receiving unit accepts. Each kind has its table and its
// create method; one algorithm, decideHandOver, decides either, and
// handOverKind says what differs.

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

const (
	selectReferralSQL = `SELECT ` + referralColumns + ` FROM case_referrals WHERE id = $1`
	listReferralsSQL  = `SELECT ` + referralColumns + ` FROM case_referrals WHERE case_id = $1 ORDER BY created_at, id`
	decideReferralSQL = `
UPDATE case_referrals SET status = $2, decided_by = $3, decided_at = $4, reason = $5 WHERE id = $1 RETURNING ` + referralColumns
)

// referrals are decided by the receiving unit; accepting one to a unit
// moves the case to step REFERRED.
var referrals = handOverKind{name: "referral", notFound: "Referral not found.",
	selectSQL: selectReferralSQL, decideSQL: decideReferralSQL, acceptStep: lindungi.CaseReferred}

// DecideReferral accepts or rejects a pending referral, and audits it
// (case.referral.accept or .reject). Accepting a referral to a unit gives
// the case to that unit at step REFERRED; the referring unit keeps reading
// it. The same decision by the same person again changes nothing; any
// other decision of a decided referral is ECONFLICT.
func (db *DB) DecideReferral(ctx context.Context, id uuid.UUID, accept bool, reason string, ev lindungi.Event) (lindungi.Referral, error) {
	row, err := decideHandOver[referralRow](ctx, db, referrals, id, accept, reason, ev)
	return row.referral(), err
}

// FindReferral returns a referral by ID. ENOTFOUND if there is none.
func (db *DB) FindReferral(ctx context.Context, id uuid.UUID) (lindungi.Referral, error) {
	row, err := findHandOver[referralRow](ctx, db.db, referrals, id)
	return row.referral(), err
}

// ListReferrals returns a case's referrals, oldest first.
func (db *DB) ListReferrals(ctx context.Context, caseID uuid.UUID) ([]lindungi.Referral, error) {
	rows, err := listHandOvers[referralRow](ctx, db.db, listReferralsSQL, "referrals", caseID)
	if err != nil {
		return nil, err
	}
	return convert(rows, referralRow.referral), nil
}

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
	if err := lindungi.CheckReferral(toUnit, toAgency, consent, overrideReason); err != nil {
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

const (
	selectTransferSQL = `SELECT ` + transferColumns + ` FROM case_transfers WHERE id = $1`
	listTransfersSQL  = `SELECT ` + transferColumns + ` FROM case_transfers WHERE case_id = $1 ORDER BY created_at, id`
	decideTransferSQL = `
UPDATE case_transfers SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5 WHERE id = $1 RETURNING ` + transferColumns
)

// transfers are decided by the receiving unit; accepting one changes only
// the case's owner.
var transfers = handOverKind{name: "transfer", notFound: "Transfer not found.",
	selectSQL: selectTransferSQL, decideSQL: decideTransferSQL}

// DecideTransfer accepts or rejects a pending transfer, and audits it
// (case.transfer.accept or .reject). Accepting gives the case to the
// receiving unit in the same transaction. The same decision by the same
// person again changes nothing; any other decision of a decided transfer
// is ECONFLICT.
func (db *DB) DecideTransfer(ctx context.Context, id uuid.UUID, accept bool, reason string, ev lindungi.Event) (lindungi.Transfer, error) {
	row, err := decideHandOver[transferRow](ctx, db, transfers, id, accept, reason, ev)
	return row.transfer(), err
}

// FindTransfer returns a transfer by ID. ENOTFOUND if there is none.
func (db *DB) FindTransfer(ctx context.Context, id uuid.UUID) (lindungi.Transfer, error) {
	row, err := findHandOver[transferRow](ctx, db.db, transfers, id)
	return row.transfer(), err
}

// ListTransfers returns a case's transfers, oldest first.
func (db *DB) ListTransfers(ctx context.Context, caseID uuid.UUID) ([]lindungi.Transfer, error) {
	rows, err := listHandOvers[transferRow](ctx, db.db, listTransfersSQL, "transfers", caseID)
	if err != nil {
		return nil, err
	}
	return convert(rows, transferRow.transfer), nil
}

// CreateTransfer asks unit toUnit to take an open case over, and audits it
// (case.transfer); the owner changes when toUnit accepts. The same
// transfer asked again while it waits changes nothing; another one while
// one waits is ECONFLICT.
func (db *DB) CreateTransfer(ctx context.Context, caseID uuid.UUID, toUnit, reason string, ev lindungi.Event) (lindungi.Transfer, error) {
	toUnit, reason = strings.TrimSpace(toUnit), strings.TrimSpace(reason)
	if err := lindungi.CheckTransfer(toUnit, reason); err != nil {
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

// handOverRow is the row of a referral or of a transfer.
type handOverRow interface {
	referralRow | transferRow
	handOver() handOver
}

// handOver is what a decision needs of a referral or a transfer.
type handOver struct {
	CaseID    uuid.UUID
	ToUnit    string // "" for a referral to an outside agency
	Status    lindungi.ReferralStatus
	DecidedBy string
	Reason    string // why it was accepted or rejected
}

func (r referralRow) handOver() handOver {
	return handOver{CaseID: r.CaseID, ToUnit: deref(r.ToUnit), Status: lindungi.ReferralStatus(r.Status),
		DecidedBy: deref(r.DecidedBy), Reason: r.Reason}
}

func (r transferRow) handOver() handOver {
	return handOver{CaseID: r.CaseID, ToUnit: r.ToUnit, Status: lindungi.ReferralStatus(r.Status),
		DecidedBy: deref(r.DecidedBy), Reason: r.DecisionReason}
}

// handOverKind says what differs between deciding a referral and deciding
// a transfer.
type handOverKind struct {
	name      string // "referral" or "transfer": in messages, audit actions and audit fields
	notFound  string // the message of ENOTFOUND
	selectSQL string // selects the hand-over with ID $1
	decideSQL string // records a decision: $1 ID, $2 status, $3 by, $4 at, $5 reason
	// acceptStep is the step an accepted hand-over to a unit moves the
	// case to; "" leaves the step as it is.
	acceptStep lindungi.CaseStep
}

func findHandOver[R handOverRow](ctx context.Context, q sqlx.QueryerContext, k handOverKind, id uuid.UUID) (R, error) {
	var row R
	if err := sqlx.GetContext(ctx, q, &row, k.selectSQL, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return row, &lindungi.Error{Code: lindungi.ENOTFOUND, Message: k.notFound}
		}
		return row, fmt.Errorf("find %s %s: %w", k.name, id, translate(err))
	}
	return row, nil
}

func listHandOvers[R handOverRow](ctx context.Context, q sqlx.QueryerContext, query, what string, caseID uuid.UUID) ([]R, error) {
	var rows []R
	if err := sqlx.SelectContext(ctx, q, &rows, query, caseID); err != nil {
		return nil, fmt.Errorf("list %s of %s: %w", what, caseID, translate(err))
	}
	return rows, nil
}

const handOverCaseSQL = `UPDATE cases SET owner_unit = $2, step = $3, last_action_at = $4 WHERE id = $1`

// decideHandOver accepts or rejects the pending hand-over id of kind k,
// records the action on the case and audits it (case.<kind>.accept or
// .reject), with the case locked, in one transaction. Accepting a
// hand-over to a unit gives the case to that unit, at k.acceptStep if
// there is one; the units it was handed over from keep reading it. The
// same decision by the same person again changes nothing; any other
// decision of a decided hand-over is ECONFLICT, and so is deciding one of
// a closed case. The answer is the hand-over as stored afterwards.
func decideHandOver[R handOverRow](ctx context.Context, db *DB, k handOverKind, id uuid.UUID, accept bool, reason string, ev lindungi.Event) (R, error) {
	var out R
	reason = strings.TrimSpace(reason)
	if err := lindungi.CheckOptionalReason("reason", reason); err != nil {
		return out, err
	}
	found, err := findHandOver[R](ctx, db.db, k, id)
	if err != nil {
		return out, err
	}
	_, err = db.changeCase(ctx, found.handOver().CaseID, func(tx *sqlx.Tx, c lindungi.Case, now time.Time) (bool, error) {
		var row R
		if err := tx.GetContext(ctx, &row, k.selectSQL+` FOR UPDATE`, id); err != nil {
			return false, translate(err)
		}
		before := row.handOver()
		status := decision(accept)
		if done, err := decidedAlready(before, status, ev.Actor, reason, k.name); done || err != nil {
			out = row
			return false, err
		}
		if c.Step == lindungi.CaseClosed {
			return false, errClosed()
		}
		if err := tx.GetContext(ctx, &out, k.decideSQL, id, string(status), ev.Actor, now, reason); err != nil {
			return false, fmt.Errorf("decide %s: %w", k.name, translate(err))
		}
		caseBefore := map[string]any{k.name + "_status": before.Status}
		after := map[string]any{k.name + "_id": id, k.name + "_status": status}
		if reason != "" {
			after["reason"] = reason
		}
		owner, step := c.OwnerUnit, c.Step
		if to := out.handOver().ToUnit; accept && to != "" {
			owner = to
			caseBefore["owner_unit"], after["owner_unit"] = c.OwnerUnit, owner
			if k.acceptStep != "" {
				step = k.acceptStep
				caseBefore["step"], after["step"] = c.Step, step
			}
		}
		if _, err := tx.ExecContext(ctx, handOverCaseSQL, c.ID, owner, string(step), now); err != nil {
			return false, fmt.Errorf("hand over case: %w", translate(err))
		}
		if err := refreshReadUnits(ctx, tx, c.ID); err != nil {
			return false, err
		}
		verb := "reject"
		if accept {
			verb = "accept"
		}
		return true, insertEvent(ctx, tx, caseEvent(ev, "case."+k.name+"."+verb, c, now, caseBefore, after))
	})
	return out, err
}

func decision(accept bool) lindungi.ReferralStatus {
	if accept {
		return lindungi.ReferralAccepted
	}
	return lindungi.ReferralRejected
}

// decidedAlready reports whether hand-over h was decided: (true, nil) when
// exactly this decision (want, for reason) was made already by actor (a
// retry), ECONFLICT for any other decision.
func decidedAlready(h handOver, want lindungi.ReferralStatus, actor, reason, what string) (bool, error) {
	switch {
	case h.Status == lindungi.ReferralPending:
		return false, nil
	case h.Status == want && h.DecidedBy == actor && h.Reason == reason:
		return true, nil
	}
	return true, lindungi.Errorf(lindungi.ECONFLICT, "The %s is %s already.", what, h.Status)
}
