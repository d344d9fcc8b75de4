package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/workflows"
)

// CaseFlows starts and steers the workflows of protection cases.
type CaseFlows interface {
	StartCase(ctx context.Context, c lindungi.Case, requestID string) error
	CaseAction(ctx context.Context, caseID uuid.UUID, req workflows.CaseActionRequest, updateID string) (workflows.CaseState, error)
	CompleteTask(ctx context.Context, t lindungi.Task, req workflows.CompleteTaskRequest, updateID string) (workflows.CompleteTaskResult, error)
}

// Router routes a task to the unit that receives it.
type Router interface {
	Route(req lindungi.RouteRequest) (lindungi.Route, error)
}

// Cases takes complaints in and handles protection cases.
type Cases struct {
	Store   CaseStore
	Notes   CaseNoteStore
	Tasks   DecisionFinder
	Workers WorkerFinder
	Users   UserFinder // the directory an assignment finds its assignee in
	Flows   CaseFlows
	Router  Router
	Access  *Access
	Units   Units
	// Wake, if set, wakes the reconciler when a case's workflow could not
	// start.
	Wake   Waker
	Logger *slog.Logger
	Now    func() time.Time
}

// Intake is a complaint to take in.
type Intake struct {
	Complaint lindungi.NewComplaint
}

// Intake takes a complaint in at its unit: a provisional worker for a
// subject never seen, the case with its number and owner (Owner), its audit
// events and the answer of the request (lindungi.NewContextWithAnswer),
// then its workflow. If the workflow cannot start now, the reconciler
// starts it. EFORBIDDEN for a known intake unit out of reach, before the
// rest is validated; EINVALID naming bad fields (an unknown unit, a
// worker_id the caller may not see among them).
func (cs *Cases) Intake(ctx context.Context, a Actor, in Intake) (lindungi.Case, error) {
	nc := in.Complaint
	nc.Normalize()
	worker := uuid.Nil
	if nc.WorkerID != nil {
		worker = *nc.WorkerID
	}
	known := cs.Units.Path(nc.Unit) != nil
	if known {
		got, ok, err := cs.Access.Reach(ctx, a, nc.Unit, worker)
		if err != nil {
			return lindungi.Case{}, err
		}
		if !ok {
			return lindungi.Case{}, lindungi.Errorf(lindungi.EFORBIDDEN, "You may not take complaints in for unit %s.", nc.Unit)
		}
		a = got
	}
	today := clock(cs.Now).In(lindungi.WIB)
	nc.FlagMinor(today)
	if err := nc.Validate(today); err != nil {
		return lindungi.Case{}, err
	}
	if !known {
		return lindungi.Case{}, invalid("unit", "is not a known unit")
	}
	if nc.WorkerID != nil {
		// A complaint names only a worker the caller may see, and the same
		// answer serves an unknown and an invisible one.
		w, err := cs.Workers.FindWorker(ctx, worker)
		ok := err == nil
		if ok {
			_, ok, err = cs.Access.Reach(ctx, a, w.DomicileUnit, w.ID)
		}
		if err != nil && lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
			return lindungi.Case{}, err
		}
		if !ok {
			return lindungi.Case{}, invalid("worker_id", "is not a worker you may see; search for the worker first")
		}
	}
	owner, err := cs.Owner(nc)
	if err != nil {
		return lindungi.Case{}, err
	}
	pc, err := cs.Store.CreateCase(ctx, nc, owner, a.Event(ctx))
	if err != nil {
		return lindungi.Case{}, err
	}
	logLaunch(ctx, logger(cs.Logger), cs.Wake, "case", pc.ID, cs.Start(ctx, pc, lindungi.RequestIDFromContext(ctx)))
	return pc, nil
}

// Owner is the unit that owns a complaint at intake: where the routing
// policy sends its handling task, the intake unit or, for a high-risk
// complaint, one level up the escalation chain. Without a router, the
// intake unit.
func (cs *Cases) Owner(c lindungi.NewComplaint) (string, error) {
	if cs.Router == nil {
		return c.Unit, nil
	}
	risk := "normal"
	if lindungi.HighRisk(c.Categories, c.RiskFlags) {
		risk = "high"
	}
	r, err := cs.Router.Route(lindungi.RouteRequest{Kind: lindungi.TaskCaseHandling, Unit: c.Unit, Risk: risk})
	return r.Unit, err
}

// Start starts a saved case's workflow and records that it runs. The
// workflow's ID derives from the case's, so starting it again starts
// nothing new.
func (cs *Cases) Start(ctx context.Context, pc lindungi.Case, requestID string) error {
	return launch(ctx,
		func(ctx context.Context) error { return cs.Flows.StartCase(ctx, pc, requestID) },
		func(ctx context.Context) error { return cs.Store.MarkCaseStarted(ctx, pc.ID) })
}

// Find returns a case if a may do its action at one of the units that may
// read it (lindungi.Case.VisibleUnits): at or above its owner, its intake
// unit, a unit that referred it, a unit it is referred or being
// transferred to. ENOTFOUND otherwise.
func (cs *Cases) Find(ctx context.Context, a Actor, id uuid.UUID) (lindungi.Case, Actor, error) {
	pc, err := cs.Store.FindCase(ctx, id)
	if err != nil {
		return lindungi.Case{}, a, err
	}
	for _, unit := range pc.VisibleUnits() {
		got, ok, err := cs.Access.Reach(ctx, a, unit, pc.WorkerID)
		if err != nil {
			return lindungi.Case{}, a, err
		}
		if ok {
			return pc, got, nil
		}
	}
	return lindungi.Case{}, a, lindungi.Errorf(lindungi.ENOTFOUND, "Case not found.")
}

// List returns the cases the caller may read (lindungi.Case.VisibleUnits
// at or below its unit, and what was delegated to it) that pass f, by
// receipt then ID.
func (cs *Cases) List(ctx context.Context, a Actor, f lindungi.CaseFilter) ([]lindungi.Case, error) {
	if f.Unit != "" && cs.Units.Path(f.Unit) == nil {
		return nil, invalid("unit", "is not a known unit")
	}
	scope, err := cs.Access.Scope(ctx, a.Principal)
	if err != nil {
		return nil, err
	}
	return cs.Store.ListCases(ctx, scope, f)
}

// AsOf returns a case the caller may read as it stood at an instant.
func (cs *Cases) AsOf(ctx context.Context, id uuid.UUID, at time.Time) (lindungi.Case, error) {
	return cs.Store.CaseAsOf(ctx, id, at)
}

// CaseAct is one handling step of a case: one of workflows.ActVerify,
// ActRequestInfo, ... with what it needs. Key is the request's
// Idempotency-Key, if any.
type CaseAct struct {
	CaseID         uuid.UUID
	Action         string
	Reason         string
	ToUnit         string
	ToAgency       string
	Consent        bool
	Resolution     string
	MoneyRecovered int64
	AnsweredInfo   bool
	// The supervisors' actions: a recategorisation's Categories, the risk
	// Level set-risk sets (lindungi.RiskHigh or RiskNormal), and the user
	// (subject) an assignment gives the case's handling to.
	Categories []lindungi.CaseCategory
	Level      string
	Assignee   string
	Key        string
}

// Normalize trims the text of a case action, and upper-cases its
// categories.
func (r *CaseAct) Normalize() {
	r.Reason, r.Resolution = lindungi.TrimText(r.Reason), lindungi.TrimText(r.Resolution)
	r.ToUnit, r.ToAgency = strings.TrimSpace(r.ToUnit), strings.Join(strings.Fields(r.ToAgency), " ")
	r.Categories = slices.Clone(r.Categories)
	lindungi.NormalizeCategories(r.Categories)
	r.Level, r.Assignee = strings.ToLower(strings.TrimSpace(r.Level)), strings.TrimSpace(r.Assignee)
}

// Validate names the bad fields of a case action: every text field it
// carries, whatever the action, and what the action needs. A person's
// escalation, a closure proposal, a reopening and the supervisors'
// actions say why (lindungi.CheckReason); a referral and a transfer pass
// lindungi.CheckReferral and lindungi.CheckTransfer, a resolution
// lindungi.CheckResolution, a recategorisation lindungi.CheckCategories, a
// risk level lindungi.CheckRiskLevel; an assignment names a user. The
// workflow checks the action against the case's state.
func (r CaseAct) Validate() error {
	var v lindungi.Validation
	switch r.Action {
	case workflows.ActEscalate, workflows.ActProposeClosure, workflows.ActReopen:
		v.Merge(lindungi.CheckReason("reason", r.Reason))
	case workflows.ActRefer:
		v.Merge(lindungi.CheckReferral(r.ToUnit, r.ToAgency, r.Consent, r.Reason))
	case workflows.ActTransfer:
		v.Merge(lindungi.CheckTransfer(r.ToUnit, r.Reason))
	case workflows.ActResolve:
		v.Merge(lindungi.CheckResolution(r.Resolution, r.MoneyRecovered))
		v.Merge(lindungi.CheckOptionalReason("reason", r.Reason))
	case workflows.ActRecategorise:
		v.Merge(lindungi.CheckCategories(r.Categories))
		v.Merge(lindungi.CheckReason("reason", r.Reason))
	case workflows.ActSetRisk:
		v.Merge(lindungi.CheckRiskLevel("level", r.Level))
		v.Merge(lindungi.CheckReason("reason", r.Reason))
	case workflows.ActAssign:
		lindungi.Text{Min: 1, Max: 200}.Check(&v, "assignee", r.Assignee)
		v.Merge(lindungi.CheckReason("reason", r.Reason))
	default:
		v.Merge(lindungi.CheckOptionalReason("reason", r.Reason))
	}
	if r.Action != workflows.ActRefer && r.Action != workflows.ActTransfer && r.ToUnit != "" && !lindungi.IsUnitCode(r.ToUnit) {
		v.Add("to_unit", "must be a unit code such as 3305, 33 or ID")
	}
	if r.Action != workflows.ActRefer {
		lindungi.Text{Max: 200}.Check(&v, "to_agency", r.ToAgency)
	}
	if r.Action != workflows.ActResolve {
		lindungi.Text{Max: 2000, Free: true}.Check(&v, "resolution", r.Resolution)
	}
	return v.Err()
}

// Act takes one handling step of a case through its workflow, which
// validates it against the case's state; only the owner unit (or above, or
// by delegation) acts, and referring without the worker's consent needs
// the policy's refer-without-consent action there. It returns the case as
// stored after. ENOTFOUND for a case out of reach, EFORBIDDEN for an
// override the caller may not make, then EINVALID naming bad fields
// (CaseAct.Validate; for an assignment, an assignee who may not hold the
// case's handling), ECONFLICT for a closed case (but to reopen it), a step
// its state does not allow, or lowering the risk of a case that is high
// risk by rule (lindungi.ErrHighRiskByRule).
func (cs *Cases) Act(ctx context.Context, a Actor, r CaseAct) (lindungi.Case, error) {
	r.Normalize()
	pc, err := cs.Store.FindCase(ctx, r.CaseID)
	if err != nil {
		return lindungi.Case{}, err
	}
	if a, err = cs.Access.Visible(ctx, a, pc.OwnerUnit, pc.WorkerID, "Case not found."); err != nil {
		return lindungi.Case{}, err
	}
	if r.Action == workflows.ActRefer && !r.Consent && !cs.Access.may(a.Principal, pc.OwnerUnit, policies.ObjCase, policies.ActReferWithoutConsent) {
		return lindungi.Case{}, &lindungi.Error{Code: lindungi.EFORBIDDEN, Message: "Referral without the worker's consent needs a supervisor's override.",
			Fields: []lindungi.FieldError{{Field: "consent", Reason: "is false and you may not override it"}}}
	}
	if err := r.Validate(); err != nil {
		return lindungi.Case{}, err
	}
	if r.ToUnit != "" && cs.Units.Path(r.ToUnit) == nil {
		return lindungi.Case{}, &lindungi.Error{Code: lindungi.EINVALID, Message: "Unknown unit.",
			Fields: []lindungi.FieldError{{Field: "to_unit", Reason: "is not a known unit"}}}
	}
	// A request with a key may be the retry of one whose update ran before
	// its process died: the workflow, which knows the update by its ID,
	// answers it as the first time, so the case's state is not checked here.
	if pc.Step == lindungi.CaseClosed && r.Action != workflows.ActReopen && r.Key == "" {
		return lindungi.Case{}, lindungi.Errorf(lindungi.ECONFLICT, "The case is closed; reopen it first.")
	}
	req := workflows.CaseActionRequest{Action: r.Action, Reason: r.Reason,
		ToUnit: r.ToUnit, ToAgency: r.ToAgency, Consent: r.Consent,
		Resolution: r.Resolution, MoneyRecovered: r.MoneyRecovered, AnsweredInfo: r.AnsweredInfo,
		Categories: r.Categories, Risk: r.Level,
		Actor: a.workflow(), RequestID: lindungi.RequestIDFromContext(ctx)}
	switch {
	case r.Action == workflows.ActAssign:
		u, err := cs.assignee(ctx, pc, r.Assignee, r.Key)
		if err != nil {
			return lindungi.Case{}, err
		}
		req.Assignee, req.AssigneeUnit = u.Subject, u.Unit
	case r.Action == workflows.ActSetRisk && r.Level == lindungi.RiskNormal && r.Key == "" && lindungi.HighRisk(pc.Categories, pc.RiskFlags):
		return lindungi.Case{}, lindungi.ErrHighRiskByRule()
	}
	_, err = cs.Flows.CaseAction(ctx, pc.ID, req, updateID(a, "case/"+r.Action+"/"+pc.ID.String(), r.Key))
	if err != nil {
		return lindungi.Case{}, err
	}
	return cs.Store.FindCase(ctx, pc.ID)
}

// claimRoute is the route of claiming a task: whoever a case's handling is
// given to must be allowed it at the task's unit.
const claimRoute, claimMethod = "/v1/tasks/:id/claim", "POST"

// assignee is the user of the directory named subject, to whom case pc's
// handling may be given: their unit reaches the case's open handling task
// (reaches, as Tasks.Assign decides) and their roles may take tasks there
// (claimRoute, by the policy). EINVALID naming assignee otherwise;
// ECONFLICT when the case has no open handling task. A retry with an
// Idempotency-Key whose task was closed since goes on to the workflow,
// which answers it as the first time.
func (cs *Cases) assignee(ctx context.Context, pc lindungi.Case, subject, key string) (lindungi.User, error) {
	refuse := func(reason string) error {
		return &lindungi.Error{Code: lindungi.EINVALID, Message: "The case cannot be given to " + subject + ".",
			Fields: []lindungi.FieldError{{Field: "assignee", Reason: reason}}}
	}
	u, err := cs.Users.FindUser(ctx, subject)
	if lindungi.ErrorCode(err) == lindungi.ENOTFOUND {
		return lindungi.User{}, refuse("is not a known user")
	}
	if err != nil {
		return lindungi.User{}, err
	}
	t, err := cs.Tasks.OpenTaskOf(ctx, pc.WorkflowID, lindungi.TaskCaseHandling)
	switch {
	case lindungi.ErrorCode(err) == lindungi.ENOTFOUND && key != "":
		return u, nil
	case lindungi.ErrorCode(err) == lindungi.ENOTFOUND:
		return lindungi.User{}, lindungi.Errorf(lindungi.ECONFLICT, "The case has no open handling task to assign.")
	case err != nil:
		return lindungi.User{}, err
	case !reaches(cs.Units, u.Unit, t.Unit):
		return lindungi.User{}, refuse(fmt.Sprintf("works at %s, which does not reach the case's handling at %s", u.Unit, t.Unit))
	case !cs.Access.may(lindungi.Principal{Subject: u.Subject, Unit: u.Unit, Roles: u.Roles}, t.Unit, claimRoute, claimMethod):
		return lindungi.User{}, refuse("has no role that takes tasks")
	}
	return u, nil
}

// Decision approves or rejects what waits for a case's decision: a closure
// proposal, a referral or a transfer (Kind), with a reason. Key is the
// request's Idempotency-Key, if any.
type Decision struct {
	CaseID  uuid.UUID
	Kind    lindungi.TaskKind
	Outcome lindungi.Outcome
	Reason  string
	Key     string
}

// Validate names the bad fields of a decision: its reason, which may be
// empty, is free text of at most 500 characters.
func (d Decision) Validate() error { return lindungi.CheckOptionalReason("reason", d.Reason) }

// Decide completes the case's open decision task of the kind asked, by a
// caller who reaches the task's unit (the deciding unit), and returns the
// case as stored after. A decision retried with its key after the task was
// decided goes to the workflow with the last task of the kind, and the
// workflow answers it as the first time. ENOTFOUND for a case out of reach,
// ECONFLICT when no such decision waits, then EINVALID naming bad fields.
func (cs *Cases) Decide(ctx context.Context, a Actor, d Decision) (lindungi.Case, error) {
	d.Reason = lindungi.TrimText(d.Reason)
	pc, _, err := cs.Find(ctx, a, d.CaseID)
	if err != nil {
		return lindungi.Case{}, err
	}
	task, err := cs.Tasks.OpenTaskOf(ctx, pc.WorkflowID, d.Kind)
	if lindungi.ErrorCode(err) == lindungi.ENOTFOUND && d.Key != "" {
		task, err = cs.Tasks.LastTaskOf(ctx, pc.WorkflowID, d.Kind)
	}
	if lindungi.ErrorCode(err) == lindungi.ENOTFOUND {
		err = lindungi.Errorf(lindungi.ECONFLICT, "The case has no open %s decision.", d.Kind)
	}
	if err != nil {
		return lindungi.Case{}, err
	}
	if a, err = cs.Access.Visible(ctx, a, task.Unit, pc.WorkerID, "Case not found."); err != nil {
		return lindungi.Case{}, err
	}
	if err := d.Validate(); err != nil {
		return lindungi.Case{}, err
	}
	_, err = cs.Flows.CompleteTask(ctx, task, workflows.CompleteTaskRequest{TaskID: task.ID, Outcome: d.Outcome,
		Note: d.Reason, Actor: a.workflow(), Rule: a.Rule, RequestID: lindungi.RequestIDFromContext(ctx)},
		updateID(a, "case/decide/"+string(d.Kind)+"/"+pc.ID.String(), d.Key))
	if err != nil {
		return lindungi.Case{}, err
	}
	return cs.Store.FindCase(ctx, pc.ID)
}
