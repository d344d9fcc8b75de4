package workflows

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names of the case workflow and its updates. It also serves the task
// updates (UpdateCompleteTask, ...), as the journey does, so that the tasks
// API serves both.
const (
	CaseWorkflowName  = "ProtectionCase"
	QueryCaseState    = "case-state"
	UpdateCaseAction  = "case-action"
	HandlingDueDays   = 10 // working days (a common public-service default)
	HighRiskDueDays   = 3  // working days for trafficking, death abroad and minors
	HandlingExtension = 7  // one extension, in working days
)

// decisionDueDays is the time, in working days, to decide a closure, a
// referral or a transfer.
const decisionDueDays = 5

// Closure rules of BP2MI regulation 6/2024 art. 30: when one holds, the
// case proposes its own closure to a supervisor, who decides.
const (
	ClosureIncomplete    = "art30a: data and documents incomplete 30 days after registration"
	ClosureUnclear       = "art30b: requested information still unclear 15 working days after the request"
	ClosureUnreachable   = "art30c: complainant unreachable for 60 consecutive days"
	ClosureHandedOver    = "art30d: handed to another agency"
	ClosureNoResponse    = "art30e: no response 6 months after being told the case cannot be resolved"
	ClosureResolved      = "resolved"
	incompleteAfter      = 30 * 24 * time.Hour
	unreachableAfter     = 60 * 24 * time.Hour
	noResponseAfter      = 183 * 24 * time.Hour
	unclearAfterWorkDays = 15
)

// Case actions a person takes through the case-action update.
const (
	ActVerify            = "verify"            // data and documents are complete
	ActRequestInfo       = "request-info"      // information was asked for
	ActLogContact        = "log-contact"       // the complainant was reached
	ActClarify           = "clarify"           // the accused party was asked to settle
	ActMediate           = "mediate"           // mediation started
	ActRefer             = "refer"             // referral, with consent or an override
	ActTransfer          = "transfer"          // ownership to another unit, on its acceptance
	ActToldUnresolvable  = "told-unresolvable" // the complainant was told it cannot be resolved
	ActResolve           = "resolve"           // resolved, with the outcome and money recovered
	ActProposeClosure    = "propose-closure"   // by hand, with a reason
	ActReopen            = "reopen"            // a closed case, with a reason
	ActEscalate          = "escalate"          // the case up the chain, with a reason
	ActRecategorise      = "recategorise"      // new categories, with a reason (case_supervise.go)
	ActSetRisk           = "set-risk"          // high or normal risk, with a reason; high re-routes
	ActAssign            = "assign"            // the handling task to an officer, with a reason
	ResolutionRepatriate = "REPATRIATED"       // a resolution that brings the worker home
)

// CaseInput starts a case. It carries IDs and codes only.
type CaseInput struct {
	CaseID     uuid.UUID
	WorkerID   uuid.UUID
	IntakeUnit string
	HighRisk   bool
	RequestID  string
	Resume     *CaseState `json:",omitempty"`
}

// CaseState is what the case workflow knows, returned by its query.
type CaseState struct {
	CaseID           uuid.UUID
	WorkerID         uuid.UUID
	IntakeUnit       string
	OwnerUnit        string
	Risk             string
	Step             lindungi.CaseStep
	Tasks            []TaskEntry // the case's ledger
	ReceivedAt       time.Time
	LastContact      time.Time
	DocsComplete     bool
	InfoDeadline     time.Time // 15 working days after information was asked for
	ToldUnresolvable time.Time
	HandedOver       bool
	Extended         bool
	Proposal         string // the closure rule proposed and waiting for a supervisor
	Rejected         []string
	Reason           string // why it closed
	// Attention names the step that failed for good while the case waits
	// for an operator (SignalRetry); empty otherwise.
	Attention string `json:",omitempty"`
	Rev       int
}

// CaseActionRequest is the argument of the case-action update.
type CaseActionRequest struct {
	Action         string
	Reason         string
	ToUnit         string // refer, transfer
	ToAgency       string // refer
	Consent        bool   // refer: the worker's recorded consent
	Resolution     string // resolve
	MoneyRecovered int64  // resolve, in rupiah
	AnsweredInfo   bool   // log-contact: the requested information came
	Actor          activities.Actor
	RequestID      string

	// Categories are a recategorisation's; Risk is the level set-risk
	// sets (lindungi.RiskHigh or RiskNormal); Assignee is the user an
	// assignment gives the handling task to, and AssigneeUnit the unit
	// they work at, which must reach the task.
	Categories   []lindungi.CaseCategory `json:",omitempty"`
	Risk         string                  `json:",omitempty"`
	Assignee     string                  `json:",omitempty"`
	AssigneeUnit string                  `json:",omitempty"`
}

// caseRun is one run of the case workflow.
type caseRun struct {
	run
	s  *CaseState
	in CaseInput
}

// ProtectionCase handles one complaint: a handling task with a deadline
// that escalates up the chain, the handling steps as a person takes them,
// referral and transfer with acceptance, and the closure rules of art. 30
// as durable timers that propose closure to a supervisor, who approves or
// rejects. Closing always needs that approval; a closed case can reopen.
func ProtectionCase(ctx workflow.Context, in CaseInput) (CaseState, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	r := &caseRun{run: run{ctx: ctx}, in: in}
	if in.Resume != nil {
		r.s = in.Resume
	} else {
		now := workflow.Now(ctx)
		risk := "normal"
		if in.HighRisk {
			risk = "high"
		}
		r.s = &CaseState{CaseID: in.CaseID, WorkerID: in.WorkerID, IntakeUnit: in.IntakeUnit, OwnerUnit: in.IntakeUnit, Risk: risk,
			Step: lindungi.CaseReceived, ReceivedAt: now, LastContact: now}
	}
	ctx = withAttention(ctx, &attention{worker: r.s.WorkerID, unit: func() string { return r.s.OwnerUnit }, note: &r.s.Attention})
	r.ctx = ctx
	r.l = newLedger(ctx, &r.s.Tasks, "case", r.s.WorkerID)
	if in.Resume == nil {
		// The handling task is in the ledger, pending, before any update
		// can ask about it.
		r.l.reserve(r.taskInput(lindungi.TaskCaseHandling, 0))
	}
	if err := r.register(); err != nil {
		return *r.s, err
	}
	if in.Resume == nil {
		// The worker's journey, if there is one, learns of the case.
		_ = workflow.SignalExternalWorkflow(ctx, lindungi.JourneyWorkflowID(in.WorkerID), "", SignalComplaint,
			Complaint{CaseID: in.CaseID.String()}).Get(ctx, nil)
		if _, err := r.task(ctx, lindungi.TaskCaseHandling, 0); err != nil {
			return *r.s, err
		}
		r.setOwnerFromTask(ctx)
	}
	for {
		if err := r.wait(); err != nil {
			return *r.s, err
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			next := r.in
			next.Resume = r.s
			return *r.s, continueAsNew(ctx, ProtectionCase, next)
		}
	}
}

func (r *caseRun) register() error {
	s := r.s
	if err := workflow.SetQueryHandler(r.ctx, QueryCaseState, func() (CaseState, error) { return *s, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(r.ctx, UpdateCaseAction, r.act,
		workflow.UpdateHandlerOptions{Validator: r.validate}); err != nil {
		return err
	}
	return r.l.register(r.ctx, taskUpdates{completeRules: caseOutcome, completed: r.completed,
		actionRules: r.extensionRules, escalate: r.escalateByHand, changed: r.taskChanged})
}

func (r *caseRun) validate(req CaseActionRequest) error {
	s := r.s
	closed := s.Step == lindungi.CaseClosed
	switch req.Action {
	case ActReopen:
		if !closed {
			return conflict("Only a closed case can be reopened.")
		}
		if len(req.Reason) < 5 {
			return invalid("reason", "must say why, in 5 to 500 characters")
		}
		return nil
	case ActEscalate:
		if !slices.ContainsFunc(s.Tasks, func(t TaskEntry) bool {
			return t.Kind == lindungi.TaskCaseHandling && (t.open() || t.Pending)
		}) {
			return temporal.NewApplicationError("The case has no open handling task to escalate.", lindungi.ENOTFOUND)
		}
	case ActVerify, ActRequestInfo, ActLogContact, ActClarify, ActMediate, ActToldUnresolvable:
	case ActRecategorise, ActSetRisk, ActAssign:
		if closed {
			return conflict("The case is closed; reopen it first.")
		}
		return r.validateSupervision(req)
	case ActRefer:
		if req.ToUnit == "" && req.ToAgency == "" {
			return invalid("to_unit", "name the unit or the agency to refer to")
		}
		if !req.Consent && len(req.Reason) < 5 {
			return invalid("consent", "referral needs the worker's recorded consent, or a supervisor's override with a reason")
		}
	case ActTransfer:
		if req.ToUnit == "" || req.ToUnit == s.OwnerUnit {
			return invalid("to_unit", "must be another unit")
		}
	case ActResolve:
		if req.Resolution == "" {
			return invalid("resolution", "is required")
		}
		if req.MoneyRecovered < 0 {
			return invalid("money_recovered_idr", "must not be negative")
		}
	case ActProposeClosure:
		if len(req.Reason) < 5 {
			return invalid("reason", "must say why, in 5 to 500 characters")
		}
	default:
		return invalid("action", "is not a case action")
	}
	if closed {
		return conflict("The case is closed; reopen it first.")
	}
	if s.Proposal != "" && (req.Action == ActProposeClosure || req.Action == ActResolve) {
		return conflict("A closure proposal is waiting for a supervisor.")
	}
	return nil
}

// act carries out a case action and answers with the state after it.
func (r *caseRun) act(ctx workflow.Context, req CaseActionRequest) (CaseState, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	s := r.s
	now := workflow.Now(ctx)
	r.by, r.req = req.Actor, req.RequestID
	do := func(in activities.CaseActionInput) error {
		in.CaseID, in.Actor, in.RequestID = s.CaseID, req.Actor, req.RequestID
		err := execute(ctx, nil, a.CaseAction, in)
		return unwrapActivityError(err)
	}
	step := func(st lindungi.CaseStep) error {
		if err := do(activities.CaseActionInput{Kind: activities.ChangeStep, Step: st}); err != nil {
			return err
		}
		s.Step = st
		return nil
	}
	var err error
	switch req.Action {
	case ActVerify:
		s.DocsComplete = true
		err = step(lindungi.CaseVerification)
	case ActRequestInfo:
		var due time.Time
		if err = execute(ctx, &due, a.WorkingDeadline, now, unclearAfterWorkDays); err == nil {
			s.InfoDeadline = due
			err = do(activities.CaseActionInput{Kind: activities.ChangeInfoRequested, At: now})
		}
	case ActLogContact:
		s.LastContact = now
		if req.AnsweredInfo {
			s.InfoDeadline = time.Time{}
		}
		s.ToldUnresolvable = time.Time{}
		err = do(activities.CaseActionInput{Kind: activities.ChangeContact, At: now})
	case ActClarify:
		err = step(lindungi.CaseClarification)
	case ActMediate:
		err = step(lindungi.CaseMediation)
	case ActToldUnresolvable:
		s.ToldUnresolvable = now
		err = do(activities.CaseActionInput{Kind: activities.ChangeToldUnresolvable, At: now})
	case ActRefer:
		err = r.refer(ctx, req)
	case ActTransfer:
		err = r.transfer(ctx, req)
	case ActResolve:
		if err = do(activities.CaseActionInput{Kind: activities.ChangeResolve, Resolution: req.Resolution, Money: req.MoneyRecovered}); err == nil {
			s.Step = lindungi.CaseResolved
			if req.Resolution == ResolutionRepatriate {
				_ = workflow.SignalExternalWorkflow(ctx, lindungi.JourneyWorkflowID(s.WorkerID), "", SignalComplaint,
					Complaint{CaseID: s.CaseID.String(), Repatriation: true}).Get(ctx, nil)
			}
			r.by, r.req = req.Actor, req.RequestID
			err = r.propose(ctx, ClosureResolved)
		}
	case ActProposeClosure:
		r.by, r.req = req.Actor, req.RequestID
		err = r.propose(ctx, req.Reason)
	case ActEscalate:
		// A handling task still being created is escalated once it is.
		if waited, werr := r.l.awaitPending(ctx, lindungi.TaskCaseHandling); werr != nil {
			err = werr
		} else if waited {
			err = r.validate(req)
		}
		if err == nil {
			err = r.escalate(ctx, req.Reason, req.Actor, req.RequestID)
		}
	case ActRecategorise, ActSetRisk, ActAssign:
		err = r.supervise(ctx, req)
	case ActReopen:
		if err = do(activities.CaseActionInput{Kind: activities.ChangeReopen, Reason: req.Reason}); err == nil {
			s.Step, s.Reason, s.Proposal, s.LastContact = lindungi.CaseVerification, "", "", now
			if _, err = r.task(ctx, lindungi.TaskCaseHandling, r.l.count(lindungi.TaskCaseHandling)); err == nil {
				r.setOwnerFromTask(ctx)
			}
		}
	}
	if err != nil {
		return *s, err
	}
	s.Rev++
	return *s, nil
}

// refer hands the case to another unit (which accepts or rejects) or to an
// outside agency (handed over: art. 30d proposes closure).
func (r *caseRun) refer(ctx workflow.Context, req CaseActionRequest) error {
	var ref activities.CaseActionResult
	err := execute(ctx, &ref, a.CaseAction, activities.CaseActionInput{CaseID: r.s.CaseID, Kind: activities.ChangeRefer,
		ToUnit: req.ToUnit, ToAgency: req.ToAgency, Consent: req.Consent, Reason: req.Reason, Actor: req.Actor,
		RequestID: req.RequestID})
	if err != nil {
		return unwrapActivityError(err)
	}
	if req.ToUnit == "" {
		r.s.HandedOver, r.s.Step = true, lindungi.CaseReferred
		return nil
	}
	_, err = r.decisionTask(ctx, lindungi.TaskReferralDecision, req.ToUnit, ref.ID)
	return err
}

func (r *caseRun) transfer(ctx workflow.Context, req CaseActionRequest) error {
	var t activities.CaseActionResult
	err := execute(ctx, &t, a.CaseAction, activities.CaseActionInput{CaseID: r.s.CaseID, Kind: activities.ChangeTransfer,
		ToUnit: req.ToUnit, Reason: req.Reason, Actor: req.Actor, RequestID: req.RequestID})
	if err != nil {
		return unwrapActivityError(err)
	}
	_, err = r.decisionTask(ctx, lindungi.TaskTransferDecision, req.ToUnit, t.ID)
	return err
}

// decisionTask asks the receiving unit to accept or reject a referral or a
// transfer; the task's attempt number is the decision's place in the list.
func (r *caseRun) decisionTask(ctx workflow.Context, kind lindungi.TaskKind, unit string, id uuid.UUID) (TaskEntry, error) {
	return r.l.create(ctx, activities.CreateTaskInput{
		WorkerID: r.s.WorkerID, Kind: kind, Step: lindungi.StepCase, Attempt: r.l.count(kind),
		DomicileUnit: unit, Risk: r.s.Risk, DueInWorkingDays: decisionDueDays, RequestID: r.requestID(), Subject: id.String(),
	})
}

// requestID is the request the case acts on now: a person's, or the
// intake's.
func (r *caseRun) requestID() string {
	if r.req != "" {
		return r.req
	}
	return r.in.RequestID
}

// taskInput asks for a task of the case routed from its owner unit.
func (r *caseRun) taskInput(kind lindungi.TaskKind, attempt int) activities.CreateTaskInput {
	days := HandlingDueDays
	switch {
	case kind == lindungi.TaskClosureApproval:
		days = decisionDueDays
	case r.s.Risk == "high":
		days = HighRiskDueDays
	}
	return activities.CreateTaskInput{
		WorkerID: r.s.WorkerID, Kind: kind, Step: lindungi.StepCase, Attempt: attempt,
		DomicileUnit: r.s.OwnerUnit, Risk: r.s.Risk, DueInWorkingDays: days, RequestID: r.requestID(),
		Subject: r.s.CaseID.String(),
	}
}

// task creates a task of the case routed from its owner unit.
func (r *caseRun) task(ctx workflow.Context, kind lindungi.TaskKind, attempt int) (TaskEntry, error) {
	t, err := r.l.create(ctx, r.taskInput(kind, attempt))
	if err != nil {
		return t, fmt.Errorf("create %s task: %w", kind, err)
	}
	return t, nil
}

// setOwnerFromTask makes the unit of the open handling task the case's owner.
func (r *caseRun) setOwnerFromTask(ctx workflow.Context) {
	for _, t := range r.l.openOf(lindungi.TaskCaseHandling) {
		if t.Unit != r.s.OwnerUnit {
			err := execute(ctx, nil, a.CaseAction, activities.CaseActionInput{CaseID: r.s.CaseID, Kind: activities.ChangeOwner,
				ToUnit: t.Unit, Reason: "routed by " + t.Rule, Actor: activities.System, RequestID: r.in.RequestID})
			if err == nil {
				r.s.OwnerUnit = t.Unit
			}
		}
	}
}

// propose asks a supervisor to approve closing the case, for reason.
func (r *caseRun) propose(ctx workflow.Context, reason string) error {
	if r.s.Proposal != "" {
		return nil
	}
	r.s.Proposal = reason
	_, err := r.task(ctx, lindungi.TaskClosureApproval, r.l.count(lindungi.TaskClosureApproval))
	if err != nil {
		r.s.Proposal = "" // no task asks a supervisor: the proposal may be made again
	}
	return err
}

// extensionRules allow the handling deadline one extension, of
// HandlingExtension working days.
func (r *caseRun) extensionRules(t TaskEntry, name string, req TaskActionRequest) error {
	switch {
	case name != UpdateExtendDeadline || t.Kind != lindungi.TaskCaseHandling:
	case r.s.Extended:
		return conflict("The handling deadline was extended once already.")
	case req.WorkingDays != HandlingExtension:
		return invalid("working_days", "the handling deadline extends once, by 7 working days")
	}
	return nil
}

// caseOutcome allows a case's decisions to be approved or rejected (a
// closure rejected with a reason); the handling task is not completed by
// hand.
func caseOutcome(t TaskEntry, req CompleteTaskRequest) error {
	switch {
	case req.Outcome != lindungi.OutcomeApproved && req.Outcome != lindungi.OutcomeRejected:
		return temporal.NewApplicationError("The outcome must be approved or rejected.", lindungi.EINVALID)
	case req.Outcome == lindungi.OutcomeRejected && t.Kind == lindungi.TaskClosureApproval && len(req.Note) < 5:
		return invalid("note", "rejecting a closure needs a reason")
	case t.Kind == lindungi.TaskCaseHandling:
		return conflict("The handling task completes when the case is resolved or closed.")
	}
	return nil
}

// completed carries out the decision a completion recorded: on a closure
// proposal, a referral or a transfer.
func (r *caseRun) completed(ctx workflow.Context, req CompleteTaskRequest, task lindungi.Task, t TaskEntry) (CompleteTaskResult, error) {
	var err error
	r.by, r.req = req.Actor, req.RequestID
	accept := req.Outcome == lindungi.OutcomeApproved
	decide := func(kind activities.CaseChange) error {
		err := execute(ctx, nil, a.CaseAction, activities.CaseActionInput{CaseID: r.s.CaseID, Kind: kind,
			DecisionOf: t.Subject, Accept: accept, Reason: req.Note, Actor: req.Actor, RequestID: req.RequestID})
		return unwrapActivityError(err)
	}
	switch t.Kind {
	case lindungi.TaskClosureApproval:
		if accept {
			err = r.close(ctx, r.s.Proposal, req.Actor, req.RequestID)
		} else {
			r.s.Rejected = append(r.s.Rejected, r.s.Proposal)
			r.resetRule(r.s.Proposal, workflow.Now(ctx))
			r.s.Proposal = ""
		}
	case lindungi.TaskReferralDecision:
		if err = decide(activities.ChangeReferralDecision); err == nil && accept {
			r.s.Step = lindungi.CaseReferred
			err = r.moveOwner(ctx, t.Unit, "referral accepted", req.Actor, req.RequestID)
		}
	case lindungi.TaskTransferDecision:
		if err = decide(activities.ChangeTransferDecision); err == nil && accept {
			err = r.moveOwner(ctx, t.Unit, "transfer accepted", req.Actor, req.RequestID)
		}
	}
	if err != nil {
		return CompleteTaskResult{}, err
	}
	r.s.Rev++
	return CompleteTaskResult{Task: task, JourneyStep: lindungi.Step(r.s.Step)}, nil
}

// resetRule restarts the clock of a closure rule a supervisor rejected, so
// that it does not propose again at once.
func (r *caseRun) resetRule(rule string, now time.Time) {
	switch rule {
	case ClosureIncomplete:
		r.s.ReceivedAt = now
	case ClosureUnreachable:
		r.s.LastContact = now
	case ClosureUnclear:
		r.s.InfoDeadline = time.Time{}
	case ClosureNoResponse:
		r.s.ToldUnresolvable = time.Time{}
	case ClosureHandedOver:
		r.s.HandedOver = false
	}
}

// moveOwner gives the case and its open handling task to another unit.
func (r *caseRun) moveOwner(ctx workflow.Context, unit, reason string, actor activities.Actor, requestID string) error {
	if err := r.setOwner(ctx, unit, reason, actor, requestID); err != nil {
		return err
	}
	for _, t := range r.l.openOf(lindungi.TaskCaseHandling) {
		if t.Unit != unit {
			if _, err := r.l.reassign(ctx, activities.ReassignInput{TaskID: t.ID, Unit: unit,
				Reason: reason, Actor: actor, RequestID: requestID}); err != nil {
				return unwrapActivityError(err)
			}
		}
	}
	return nil
}

// setOwner records the case's new owner unit.
func (r *caseRun) setOwner(ctx workflow.Context, unit, reason string, actor activities.Actor, requestID string) error {
	err := execute(ctx, nil, a.CaseAction, activities.CaseActionInput{CaseID: r.s.CaseID, Kind: activities.ChangeOwner,
		ToUnit: unit, Reason: reason, Actor: actor, RequestID: requestID})
	if err != nil {
		return unwrapActivityError(err)
	}
	r.s.OwnerUnit = unit
	return nil
}

// escalate moves the handling task, and the case with it, up the chain.
func (r *caseRun) escalate(ctx workflow.Context, reason string, actor activities.Actor, requestID string) error {
	for _, t := range r.l.openOf(lindungi.TaskCaseHandling) {
		res, err := r.l.escalate(ctx, activities.EscalateInput{TaskID: t.ID, DomicileUnit: r.s.OwnerUnit,
			Risk: r.s.Risk, DueDays: HandlingDueDays, Reason: reason, Actor: actor, RequestID: requestID}, true)
		if err != nil {
			return unwrapActivityError(err)
		}
		if res.AtTop {
			return nil
		}
		if res.Task.Unit != r.s.OwnerUnit {
			if err := r.setOwner(ctx, res.Task.Unit, "escalated: "+reason, actor, requestID); err != nil {
				return err
			}
		}
	}
	return nil
}

// escalateOther moves a task other than the handling task up the chain.
func (r *caseRun) escalateOther(ctx workflow.Context, id uuid.UUID, reason string, actor activities.Actor, requestID string) (activities.TaskRef, error) {
	res, err := r.l.escalate(ctx, activities.EscalateInput{TaskID: id, DomicileUnit: r.s.OwnerUnit,
		Risk: r.s.Risk, DueDays: decisionDueDays, Reason: reason, Actor: actor, RequestID: requestID}, true)
	return res.Task, err
}

// escalateByHand moves a task up its chain for a supervisor: the handling
// task takes the case with it.
func (r *caseRun) escalateByHand(ctx workflow.Context, t TaskEntry, req TaskActionRequest) (activities.TaskRef, error) {
	if t.Kind != lindungi.TaskCaseHandling {
		return r.escalateOther(ctx, t.ID, req.Reason, req.Actor, req.RequestID)
	}
	err := r.escalate(ctx, req.Reason, req.Actor, req.RequestID)
	return r.l.find(t.ID).TaskRef, err
}

// taskChanged wakes the case after a task action; extending the handling
// deadline uses up its one extension.
func (r *caseRun) taskChanged(name string, t TaskEntry) {
	if name == UpdateExtendDeadline && t.Kind == lindungi.TaskCaseHandling {
		r.s.Extended = true
	}
	r.s.Rev++
}

// close closes the case with a supervisor's approval: the case record, its
// open tasks, the reason.
func (r *caseRun) close(ctx workflow.Context, reason string, actor activities.Actor, requestID string) error {
	err := execute(ctx, nil, a.CaseAction, activities.CaseActionInput{CaseID: r.s.CaseID, Kind: activities.ChangeClose,
		Reason: reason, Actor: actor, RequestID: requestID})
	if err != nil {
		return unwrapActivityError(err)
	}
	for _, t := range r.l.openOf("") {
		if err := execute(ctx, nil, a.CancelTask, t.ID, "case closed: "+reason); err != nil {
			return err
		}
		r.l.cancel(t.ID)
	}
	r.s.Step, r.s.Reason, r.s.Proposal = lindungi.CaseClosed, reason, ""
	return nil
}

// nextRule returns the closure rule that will hold first, and when; ""
// when none can.
func (r *caseRun) nextRule() (string, time.Time) {
	s := r.s
	if s.Step == lindungi.CaseClosed || s.Proposal != "" {
		return "", time.Time{}
	}
	type rule struct {
		name string
		at   time.Time
	}
	var rules []rule
	if !s.DocsComplete {
		rules = append(rules, rule{ClosureIncomplete, s.ReceivedAt.Add(incompleteAfter)})
	}
	if !s.InfoDeadline.IsZero() {
		rules = append(rules, rule{ClosureUnclear, s.InfoDeadline})
	}
	rules = append(rules, rule{ClosureUnreachable, s.LastContact.Add(unreachableAfter)})
	if s.HandedOver {
		rules = append(rules, rule{ClosureHandedOver, workflow.Now(r.ctx)})
	}
	if !s.ToldUnresolvable.IsZero() {
		rules = append(rules, rule{ClosureNoResponse, s.ToldUnresolvable.Add(noResponseAfter)})
	}
	first := rules[0]
	for _, ru := range rules[1:] {
		if ru.at.Before(first.at) {
			first = ru
		}
	}
	return first.name, first.at
}

// wait sleeps until the state changes, a closure rule holds (then it
// proposes closure), or a task's deadline passes (then it escalates).
func (r *caseRun) wait() error {
	r.by, r.req = activities.Actor{}, ""
	rule, at := r.nextRule()
	due, err := sleep(r.ctx, r.l.next(at), &r.s.Rev)
	if err != nil || !due {
		return err
	}
	now := workflow.Now(r.ctx)
	if rule != "" && !at.After(now) {
		r.by, r.req = activities.System, r.in.RequestID
		if err := r.propose(r.ctx, rule); err != nil {
			return err
		}
	}
	for _, t := range r.l.overdue(now) {
		var err error
		if t.Kind == lindungi.TaskCaseHandling {
			err = r.escalate(r.ctx, "handling deadline passed", activities.System, r.in.RequestID)
		} else {
			_, err = r.escalateOther(r.ctx, t.ID, "", activities.System, r.in.RequestID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
