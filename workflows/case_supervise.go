package workflows

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// The supervisors' case actions (ActRecategorise, ActSetRisk, ActAssign),
// through the case-action update like the rest: re-categorise a case, raise
// or lower its risk, give its handling to an officer. Each says why.
//
// Raising a case to high risk routes its open tasks again by the policy,
// as they would be routed for a high-risk case taken in now: the handling
// task goes where the policy sends high-risk handling (the province's
// BP3MI, rule high-risk-to-bp3mi) with the high-risk deadline if that is
// sooner, a closure waiting for approval goes to whom the policy names for
// a high-risk case (the BP3MI head), and the case follows its handling
// task. Decisions of referrals and transfers are routed from the unit that
// decides, which risk does not change. Lowering changes the level only:
// work does not move back by itself (a supervisor there may transfer the
// case). A recategorisation that makes the case high risk by rule
// (trafficking, death abroad) raises it too. These actions are new update
// requests: no recorded history holds them, so they need no GetVersion.

// validateSupervision checks a supervisor's action on an open case against
// its state, before anything is written to history.
func (r *caseRun) validateSupervision(req CaseActionRequest) error {
	if err := lindungi.CheckReason("reason", req.Reason); err != nil {
		return refusal(err)
	}
	switch req.Action {
	case ActRecategorise:
		return refusal(lindungi.CheckCategories(req.Categories))
	case ActSetRisk:
		if err := lindungi.CheckRiskLevel("level", req.Risk); err != nil {
			return refusal(err)
		}
		if req.Risk == r.s.Risk {
			return conflict(fmt.Sprintf("The case is %s risk already.", req.Risk))
		}
	case ActAssign:
		if req.Assignee == "" {
			return invalid("assignee", "is required")
		}
		t, ok := r.handling()
		switch {
		case !ok:
			return conflict("The case has no open handling task to assign.")
		case t.Pending:
			// Its unit is not known yet: the handler checks again once
			// the task exists.
		case !slices.Contains(t.UnitPath, req.AssigneeUnit):
			return invalid("assignee", fmt.Sprintf("works at %s, which does not reach the handling task at %s", req.AssigneeUnit, t.Unit))
		}
	}
	return nil
}

// handling is the case's open (or pending) handling task.
func (r *caseRun) handling() (TaskEntry, bool) {
	i := slices.IndexFunc(r.s.Tasks, func(t TaskEntry) bool {
		return t.Kind == lindungi.TaskCaseHandling && (t.open() || t.Pending)
	})
	if i < 0 {
		return TaskEntry{}, false
	}
	return r.s.Tasks[i], true
}

// supervise carries out a supervisor's action the validator let in.
func (r *caseRun) supervise(ctx workflow.Context, req CaseActionRequest) error {
	s := r.s
	switch req.Action {
	case ActRecategorise:
		err := execute(ctx, nil, a.CaseAction, activities.CaseActionInput{CaseID: s.CaseID, Kind: activities.ChangeCategories,
			Categories: req.Categories, Reason: req.Reason, Actor: req.Actor, RequestID: req.RequestID})
		if err != nil {
			return unwrapActivityError(err)
		}
		if lindungi.HighRisk(req.Categories, nil) && s.Risk != lindungi.RiskHigh {
			return r.setRisk(ctx, lindungi.RiskHigh, req.Reason, req.Actor, req.RequestID)
		}
		return nil
	case ActSetRisk:
		return r.setRisk(ctx, req.Risk, req.Reason, req.Actor, req.RequestID)
	case ActAssign:
		// A handling task still being created is assigned once it is.
		if waited, err := r.l.awaitPending(ctx, lindungi.TaskCaseHandling); err != nil {
			return err
		} else if waited {
			if err := r.validate(req); err != nil {
				return err
			}
		}
		t, ok := r.handling()
		if !ok {
			return conflict("The case has no open handling task to assign.")
		}
		err := execute(ctx, nil, a.CaseAction, activities.CaseActionInput{CaseID: s.CaseID, Kind: activities.ChangeAssign,
			TaskID: t.ID, Assignee: req.Assignee, Reason: req.Reason, Actor: req.Actor, RequestID: req.RequestID})
		return unwrapActivityError(err)
	}
	return nil
}

// setRisk records the case's new risk level; raising it routes the case's
// open tasks again (reroute). Tasks created later are routed, timed and
// escalated by the new level.
func (r *caseRun) setRisk(ctx workflow.Context, level, reason string, actor activities.Actor, requestID string) error {
	err := execute(ctx, nil, a.CaseAction, activities.CaseActionInput{CaseID: r.s.CaseID, Kind: activities.ChangeRisk,
		HighRisk: level == lindungi.RiskHigh, Reason: reason, Actor: actor, RequestID: requestID})
	if err != nil {
		return unwrapActivityError(err)
	}
	r.s.Risk = level
	if level != lindungi.RiskHigh {
		return nil
	}
	return r.reroute(ctx, reason, actor, requestID)
}

// reroute routes the case's open handling task and closure approval again
// by the policy for the case's risk, and gives the case to the unit its
// handling task reaches.
func (r *caseRun) reroute(ctx workflow.Context, reason string, actor activities.Actor, requestID string) error {
	if _, err := r.l.awaitPending(ctx, lindungi.TaskCaseHandling); err != nil {
		return err
	}
	for _, t := range r.l.openOf("") {
		due := 0
		switch t.Kind {
		case lindungi.TaskCaseHandling:
			due = HighRiskDueDays
		case lindungi.TaskClosureApproval:
		default:
			continue
		}
		var ref activities.TaskRef
		err := execute(ctx, &ref, a.RerouteTask, activities.RerouteInput{TaskID: t.ID, DomicileUnit: r.s.OwnerUnit, Risk: r.s.Risk,
			DueDays: due, Reason: reason, Actor: actor, RequestID: requestID})
		if err != nil {
			return unwrapActivityError(err)
		}
		r.l.record(ref)
		if t.Kind == lindungi.TaskCaseHandling && ref.Unit != "" && ref.Unit != r.s.OwnerUnit {
			if err := r.setOwner(ctx, ref.Unit, "high risk: "+reason, actor, requestID); err != nil {
				return err
			}
		}
	}
	return nil
}

// refusal is a domain validation error as an update's refusal, with its
// fields, or nil.
func refusal(err error) error {
	var e *lindungi.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	return temporal.NewApplicationError(e.Message, e.Code, e.Fields)
}
