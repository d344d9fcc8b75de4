package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// CaseStore is what the case activities need from the database.
type CaseStore interface {
	SetCaseStep(ctx context.Context, id uuid.UUID, step lindungi.CaseStep, ev lindungi.Event) (lindungi.Case, error)
	LogCaseContact(ctx context.Context, id uuid.UUID, at time.Time, ev lindungi.Event) (lindungi.Case, error)
	MarkInfoRequested(ctx context.Context, id uuid.UUID, at time.Time, ev lindungi.Event) (lindungi.Case, error)
	MarkToldUnresolvable(ctx context.Context, id uuid.UUID, at time.Time, ev lindungi.Event) (lindungi.Case, error)
	SetCaseOwner(ctx context.Context, id uuid.UUID, unit, reason string, ev lindungi.Event) (lindungi.Case, error)
	ResolveCase(ctx context.Context, id uuid.UUID, resolution string, moneyIDR int64, ev lindungi.Event) (lindungi.Case, error)
	CloseCase(ctx context.Context, id uuid.UUID, reason string, ev lindungi.Event) (lindungi.Case, error)
	ReopenCase(ctx context.Context, id uuid.UUID, reason string, ev lindungi.Event) (lindungi.Case, error)
	CreateReferral(ctx context.Context, caseID uuid.UUID, toUnit, toAgency string, consent bool, overrideReason string, ev lindungi.Event) (lindungi.Referral, error)
	DecideReferral(ctx context.Context, id uuid.UUID, accept bool, reason string, ev lindungi.Event) (lindungi.Referral, error)
	CreateTransfer(ctx context.Context, caseID uuid.UUID, toUnit, reason string, ev lindungi.Event) (lindungi.Transfer, error)
	DecideTransfer(ctx context.Context, id uuid.UUID, accept bool, reason string, ev lindungi.Event) (lindungi.Transfer, error)
}

// CaseActionInput is one change to a case record, asked by its workflow.
// Kind says which: step, contact, info-requested, told-unresolvable, owner,
// resolve, close, reopen, refer, transfer, referral-decision,
// transfer-decision.
type CaseActionInput struct {
	CaseID     uuid.UUID
	Kind       string
	Step       lindungi.CaseStep
	At         time.Time
	ToUnit     string
	ToAgency   string
	Consent    bool
	Reason     string
	Resolution string
	Money      int64
	DecisionOf string // referral or transfer ID, for decisions
	Accept     bool
	Actor      Actor
	RequestID  string
}

// CaseActionResult names what an action created: a referral or transfer.
type CaseActionResult struct {
	ID uuid.UUID
}

// CaseAction writes one change of a case and its audit event. Every change
// is keyed by the case and checked against the record, so a retry is safe.
func (a *Activities) CaseAction(ctx context.Context, in CaseActionInput) (CaseActionResult, error) {
	if a.Cases == nil {
		return CaseActionResult{}, fmt.Errorf("case store not configured")
	}
	ev := a.event(ctx, in.Actor, in.RequestID)
	var err error
	var id uuid.UUID
	switch in.Kind {
	case "step":
		_, err = a.Cases.SetCaseStep(ctx, in.CaseID, in.Step, ev)
	case "contact":
		_, err = a.Cases.LogCaseContact(ctx, in.CaseID, in.At, ev)
	case "info-requested":
		_, err = a.Cases.MarkInfoRequested(ctx, in.CaseID, in.At, ev)
	case "told-unresolvable":
		_, err = a.Cases.MarkToldUnresolvable(ctx, in.CaseID, in.At, ev)
	case "owner":
		_, err = a.Cases.SetCaseOwner(ctx, in.CaseID, in.ToUnit, in.Reason, ev)
	case "resolve":
		_, err = a.Cases.ResolveCase(ctx, in.CaseID, in.Resolution, in.Money, ev)
	case "close":
		_, err = a.Cases.CloseCase(ctx, in.CaseID, in.Reason, ev)
	case "reopen":
		_, err = a.Cases.ReopenCase(ctx, in.CaseID, in.Reason, ev)
	case "refer":
		override := ""
		if !in.Consent {
			override = in.Reason
		}
		var r lindungi.Referral
		r, err = a.Cases.CreateReferral(ctx, in.CaseID, in.ToUnit, in.ToAgency, in.Consent, override, ev)
		id = r.ID
	case "transfer":
		var t lindungi.Transfer
		t, err = a.Cases.CreateTransfer(ctx, in.CaseID, in.ToUnit, in.Reason, ev)
		id = t.ID
	case "referral-decision", "transfer-decision":
		var of uuid.UUID
		if of, err = uuid.Parse(in.DecisionOf); err == nil {
			if in.Kind == "referral-decision" {
				_, err = a.Cases.DecideReferral(ctx, of, in.Accept, in.Reason, ev)
			} else {
				_, err = a.Cases.DecideTransfer(ctx, of, in.Accept, in.Reason, ev)
			}
		}
	default:
		err = lindungi.Errorf(lindungi.EINVALID, "Unknown case action %q.", in.Kind)
	}
	return CaseActionResult{ID: id}, asActivityError(err)
}

// WorkingDeadline is n working days after from, by the calendar.
func (a *Activities) WorkingDeadline(ctx context.Context, from time.Time, n int) (time.Time, error) {
	d, err := a.deadline(ctx, from, n)
	return d.At, asActivityError(err)
}
