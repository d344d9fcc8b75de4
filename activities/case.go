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
	SetCaseCategories(ctx context.Context, id uuid.UUID, categories []lindungi.CaseCategory, reason string, ev lindungi.Event) (lindungi.Case, error)
	SetCaseRisk(ctx context.Context, id uuid.UUID, high bool, reason string, ev lindungi.Event) (lindungi.Case, error)
	AssignCase(ctx context.Context, id, taskID uuid.UUID, assignee, reason string, ev lindungi.Event) (lindungi.Task, error)
}

// CaseChange names the change to a case record that a CaseAction writes.
// The case workflow asks for them; the API's case actions
// (workflows.ActVerify, ...) are what people ask of the workflow, which
// turns each into none, one or several changes.
type CaseChange string

// The changes CaseAction writes, with the fields of CaseActionInput each uses.
const (
	ChangeStep             CaseChange = "step"              // Step
	ChangeContact          CaseChange = "contact"           // At: the complainant was reached
	ChangeInfoRequested    CaseChange = "info-requested"    // At
	ChangeToldUnresolvable CaseChange = "told-unresolvable" // At
	ChangeOwner            CaseChange = "owner"             // ToUnit, Reason
	ChangeResolve          CaseChange = "resolve"           // Resolution, Money
	ChangeClose            CaseChange = "close"             // Reason
	ChangeReopen           CaseChange = "reopen"            // Reason
	ChangeRefer            CaseChange = "refer"             // ToUnit or ToAgency, Consent, Reason; answers the referral's ID
	ChangeTransfer         CaseChange = "transfer"          // ToUnit, Reason; answers the transfer's ID
	ChangeReferralDecision CaseChange = "referral-decision" // DecisionOf, Accept, Reason
	ChangeTransferDecision CaseChange = "transfer-decision" // DecisionOf, Accept, Reason
	ChangeCategories       CaseChange = "categories"        // Categories, Reason
	ChangeRisk             CaseChange = "risk"              // HighRisk, Reason
	ChangeAssign           CaseChange = "assign"            // TaskID, Assignee, Reason
)

// CaseActionInput is one change to a case record, asked by its workflow;
// Kind says which.
type CaseActionInput struct {
	CaseID     uuid.UUID
	Kind       CaseChange
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
	Categories []lindungi.CaseCategory `json:",omitempty"`
	HighRisk   bool                    `json:",omitempty"`
	TaskID     uuid.UUID               `json:",omitzero"`
	Assignee   string                  `json:",omitempty"`
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
	case ChangeStep:
		_, err = a.Cases.SetCaseStep(ctx, in.CaseID, in.Step, ev)
	case ChangeContact:
		_, err = a.Cases.LogCaseContact(ctx, in.CaseID, in.At, ev)
	case ChangeInfoRequested:
		_, err = a.Cases.MarkInfoRequested(ctx, in.CaseID, in.At, ev)
	case ChangeToldUnresolvable:
		_, err = a.Cases.MarkToldUnresolvable(ctx, in.CaseID, in.At, ev)
	case ChangeOwner:
		_, err = a.Cases.SetCaseOwner(ctx, in.CaseID, in.ToUnit, in.Reason, ev)
	case ChangeResolve:
		_, err = a.Cases.ResolveCase(ctx, in.CaseID, in.Resolution, in.Money, ev)
	case ChangeClose:
		_, err = a.Cases.CloseCase(ctx, in.CaseID, in.Reason, ev)
	case ChangeReopen:
		_, err = a.Cases.ReopenCase(ctx, in.CaseID, in.Reason, ev)
	case ChangeRefer:
		override := ""
		if !in.Consent {
			override = in.Reason
		}
		var r lindungi.Referral
		r, err = a.Cases.CreateReferral(ctx, in.CaseID, in.ToUnit, in.ToAgency, in.Consent, override, ev)
		id = r.ID
	case ChangeTransfer:
		var t lindungi.Transfer
		t, err = a.Cases.CreateTransfer(ctx, in.CaseID, in.ToUnit, in.Reason, ev)
		id = t.ID
	case ChangeReferralDecision, ChangeTransferDecision:
		var of uuid.UUID
		if of, err = uuid.Parse(in.DecisionOf); err == nil {
			if in.Kind == ChangeReferralDecision {
				_, err = a.Cases.DecideReferral(ctx, of, in.Accept, in.Reason, ev)
			} else {
				_, err = a.Cases.DecideTransfer(ctx, of, in.Accept, in.Reason, ev)
			}
		}
	case ChangeCategories:
		_, err = a.Cases.SetCaseCategories(ctx, in.CaseID, in.Categories, in.Reason, ev)
	case ChangeRisk:
		_, err = a.Cases.SetCaseRisk(ctx, in.CaseID, in.HighRisk, in.Reason, ev)
	case ChangeAssign:
		_, err = a.Cases.AssignCase(ctx, in.CaseID, in.TaskID, in.Assignee, in.Reason, ev)
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
