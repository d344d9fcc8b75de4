package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"go.temporal.io/sdk/activity"
)

// CreateTaskInput asks for one human task. It carries IDs and codes only.
type CreateTaskInput struct {
	WorkflowID       string
	WorkerID         uuid.UUID
	Kind             lindungi.TaskKind
	Step             lindungi.Step
	Attempt          int // the step's task is created again after a correction
	DomicileUnit     string
	Scheme           lindungi.Scheme
	Risk             string
	DueInWorkingDays int
	RequestID        string
	Subject          string // for case tasks: the case, referral or transfer it decides
}

// TaskRef is what the task activities report of a task: what a workflow's
// ledger keeps of it (workflows.TaskEntry adds the workflow's own marks).
type TaskRef struct {
	ID         uuid.UUID
	Kind       lindungi.TaskKind
	Step       lindungi.Step
	Attempt    int
	Level      int
	Unit       string
	HolderRole string
	UnitPath   []string // the task's unit and those above it: who may complete it
	Rule       string
	Flagged    bool
	DueAt      time.Time
	AtTop      bool // overdue with no one left above
	Status     lindungi.TaskStatus
	Outcome    lindungi.Outcome
	Subject    string
}

// ref is what a workflow keeps of a stored task.
func (a *Activities) ref(t lindungi.Task) TaskRef {
	return TaskRef{ID: t.ID, Kind: t.Kind, Step: t.Step, Attempt: t.Attempt, Level: t.Level, Unit: t.Unit,
		HolderRole: t.HolderRole, UnitPath: a.Router.Ancestors(t.Unit), Rule: t.RouteRule, Flagged: t.RouteFlagged,
		DueAt: t.DueAt, AtTop: t.AtTop, Status: t.Status, Outcome: t.Outcome, Subject: t.Subject}
}

// CreateTask routes a task by policy, computes its deadline on the working-day
// calendar, and stores it. The task ID derives from the workflow, step, kind
// and attempt (lindungi.TaskID), so a retry returns the task stored the
// first time, and the workflow knows the ID before the task exists.
func (a *Activities) CreateTask(ctx context.Context, in CreateTaskInput) (TaskRef, error) {
	route, err := a.Router.Route(lindungi.RouteRequest{Kind: in.Kind, Unit: in.DomicileUnit, Scheme: in.Scheme, Risk: in.Risk})
	if err != nil {
		return TaskRef{}, asActivityError(fmt.Errorf("route task: %w", err))
	}
	due, err := a.deadline(ctx, a.now(), a.dueDays(in.Kind, in.DueInWorkingDays))
	if err != nil {
		return TaskRef{}, asActivityError(err)
	}
	t := lindungi.Task{
		ID:         lindungi.TaskID(in.WorkflowID, in.Step, in.Kind, in.Attempt),
		WorkflowID: in.WorkflowID, WorkerID: in.WorkerID, Kind: in.Kind, Step: in.Step, Attempt: in.Attempt,
		Unit: route.Unit, HolderRole: route.Role, RouteRule: route.Rule, RouteFlagged: route.Flagged,
		DueAt: due.At, DueDate: due.Date.Format(time.DateOnly), CalendarFallback: due.Fallback, Subject: in.Subject,
	}
	stored, err := a.Store.CreateTask(ctx, t, a.event(ctx, System, in.RequestID))
	if err != nil {
		return TaskRef{}, asActivityError(err)
	}
	return a.ref(stored), nil
}

// CompleteTaskInput records a person's completion of a task. The workflow
// has checked that the task is open and that the actor may complete it; it
// also says whose task it is and of which step and kind, so that the
// approval check needs no read of the task. Inputs scheduled before those
// fields existed leave them empty, and the task is read instead.
type CompleteTaskInput struct {
	TaskID    uuid.UUID
	Outcome   lindungi.Outcome
	Note      string
	Actor     Actor
	Rule      string // the access rule (and delegation) that let the actor do it
	RequestID string
	WorkerID  uuid.UUID
	Step      lindungi.Step
	Kind      lindungi.TaskKind
}

// CompleteTask stores the completion of a task and its audit event. A
// step's task is approved only when the step's documents are present and
// verified, and, for a P2P worker's placement agreement, when the placement
// company and job order are on file. A retry after the completion was
// stored returns it again without checking the documents a second time.
func (a *Activities) CompleteTask(ctx context.Context, in CompleteTaskInput) (lindungi.Task, error) {
	retried := activity.IsActivity(ctx) && activity.GetInfo(ctx).Attempt > 1
	return a.completeTask(ctx, in, retried)
}

// completeTask is CompleteTask; retried says Temporal has run it before.
func (a *Activities) completeTask(ctx context.Context, in CompleteTaskInput, retried bool) (lindungi.Task, error) {
	ev := a.event(ctx, in.Actor, in.RequestID)
	ev.Rule = in.Rule
	if in.Outcome == lindungi.OutcomeApproved {
		if err := a.checkApproval(ctx, in, retried); err != nil {
			return lindungi.Task{}, asActivityError(err)
		}
	}
	t, err := a.Store.CompleteTask(ctx, in.TaskID, in.Outcome, in.Note, ev)
	return t, asActivityError(err)
}

// checkApproval refuses to approve a step's task while the step's
// documents or, for a P2P placement agreement, its placement company and
// job order are missing. A retried completion that was stored already is
// left to the store, which returns it unchanged.
func (a *Activities) checkApproval(ctx context.Context, in CompleteTaskInput, retried bool) error {
	if retried || in.Kind == "" {
		t, err := a.Store.FindTask(ctx, in.TaskID)
		if err != nil {
			return err
		}
		if t.Status == lindungi.TaskCompleted && t.Outcome == in.Outcome && t.CompletedBy == in.Actor.Subject {
			return nil
		}
		in.WorkerID, in.Step, in.Kind = t.WorkerID, t.Step, t.Kind
	}
	spec, ok := lindungi.SpecOf(in.Step)
	if !ok || spec.Task != in.Kind {
		return nil
	}
	problems, err := a.Store.MissingDocuments(ctx, in.WorkerID, spec.Documents, a.now())
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		e := &lindungi.Error{Code: lindungi.EINVALID, Message: "The step's documents are not complete: " + describe(problems) + "."}
		for _, p := range problems {
			e.Fields = append(e.Fields, lindungi.FieldError{Field: "documents." + string(p.Type), Reason: string(p.Problem)})
		}
		return e
	}
	if in.Step == lindungi.StepPlacementAgreement {
		w, err := a.Store.FindWorker(ctx, in.WorkerID)
		if err != nil {
			return err
		}
		if w.Scheme == lindungi.SchemeP2P && (w.PlacementCompany == "" || w.JobOrderRef == "") {
			return lindungi.Errorf(lindungi.EINVALID, "A P2P placement agreement needs the placement company and the job order on file.")
		}
	}
	return nil
}

func describe(problems []lindungi.DocumentProblem) string {
	var parts []string
	for _, p := range problems {
		parts = append(parts, string(p.Type)+" "+string(p.Problem))
	}
	return strings.Join(parts, ", ")
}

// EscalateInput asks to move a task up its escalation chain: by its
// deadline passing (Actor is System), or by a supervisor with a reason.
type EscalateInput struct {
	TaskID       uuid.UUID
	DomicileUnit string
	Risk         string
	DueDays      int // the deadline at the new level, in working days
	Reason       string
	Actor        Actor
	RequestID    string
}

// EscalateResult is the task after an escalation; AtTop when no one is left above.
type EscalateResult struct {
	Task  TaskRef
	AtTop bool
}

// EscalateTask moves an open task to whoever the escalation policy names
// next, with a new deadline, tells the previous holder, and records the rule.
// At the top of the chain it marks the task and leaves it where it is.
func (a *Activities) EscalateTask(ctx context.Context, in EscalateInput) (EscalateResult, error) {
	t, err := a.Store.FindTask(ctx, in.TaskID)
	if err != nil {
		return EscalateResult{}, asActivityError(err)
	}
	if t.Status != lindungi.TaskOpen {
		return EscalateResult{Task: a.ref(t)}, nil
	}
	next, ok, err := a.Router.Escalate(lindungi.RouteRequest{Kind: t.Kind, Unit: in.DomicileUnit, Risk: in.Risk}, t.HolderRole)
	if err != nil {
		return EscalateResult{}, asActivityError(err)
	}
	ev := a.event(ctx, in.Actor, in.RequestID)
	if !ok {
		t, err := a.Store.MarkTaskAtTop(ctx, in.TaskID, ev)
		return EscalateResult{Task: a.ref(t), AtTop: true}, asActivityError(err)
	}
	due, err := a.deadline(ctx, a.now(), a.dueDays(t.Kind, in.DueDays))
	if err != nil {
		return EscalateResult{}, asActivityError(err)
	}
	// The trail says who moved the task: the deadline (the workflow acts
	// as System) or a person, whose reason it keeps as given.
	by, reason := lindungi.MovedByPerson, in.Reason
	if in.Actor.Subject == System.Subject {
		by = lindungi.MovedByDeadline
		if reason == "" {
			reason = "deadline passed"
		}
	}
	moved, err := a.Store.MoveTask(ctx, in.TaskID, lindungi.TaskMove{Unit: next.Unit, Role: next.Role, Rule: next.Rule,
		Level: t.Level + 1, Deadline: due, Reason: reason, By: by}, "task.escalate", ev)
	return EscalateResult{Task: a.ref(moved)}, asActivityError(err)
}

// ReassignInput moves a task to another unit at the same level, by hand.
type ReassignInput struct {
	TaskID    uuid.UUID
	Unit      string
	Role      string // "" keeps the holder role
	Reason    string
	Actor     Actor
	RequestID string
}

// ReassignTask moves an open task to another unit, keeping its deadline.
func (a *Activities) ReassignTask(ctx context.Context, in ReassignInput) (TaskRef, error) {
	t, err := a.Store.FindTask(ctx, in.TaskID)
	if err != nil {
		return TaskRef{}, asActivityError(err)
	}
	if a.Router.Ancestors(in.Unit) == nil {
		return TaskRef{}, asActivityError(&lindungi.Error{Code: lindungi.EINVALID, Message: "Unknown unit.",
			Fields: []lindungi.FieldError{{Field: "unit", Reason: "is not a known unit"}}})
	}
	role := in.Role
	if role == "" {
		role = t.HolderRole
	}
	due, err := time.ParseInLocation(time.DateOnly, t.DueDate, lindungi.WIB)
	if err != nil {
		return TaskRef{}, asActivityError(err)
	}
	ev := a.event(ctx, in.Actor, in.RequestID)
	moved, err := a.Store.MoveTask(ctx, in.TaskID, lindungi.TaskMove{Unit: in.Unit, Role: role, Rule: t.RouteRule,
		Level: t.Level, Deadline: lindungi.Deadline{Date: due, At: t.DueAt, Fallback: t.CalendarFallback}, Reason: in.Reason,
		By: lindungi.MovedByPerson}, "task.reassign", ev)
	return a.ref(moved), asActivityError(err)
}

// RerouteInput asks to route an open task again by policy, as a new task
// of its kind for DomicileUnit and Risk would be routed now: after a
// case's risk was raised.
type RerouteInput struct {
	TaskID       uuid.UUID
	DomicileUnit string
	Risk         string
	// DueDays, when not 0, brings the deadline of a task that moves to at
	// most this many working days from now; 0 keeps its deadline.
	DueDays   int
	Reason    string
	Actor     Actor
	RequestID string
}

// RerouteTask moves an open task to the unit and role the routing policy
// names for it now, with the rule that chose them, and tells the unit it
// left and the unit it reached (as a reassignment by the policy). Work
// moves up, never down: a task at the unit the policy names, or above it
// (escalated there), stays where it is, with its deadline. A task that is
// not open is returned as it is.
func (a *Activities) RerouteTask(ctx context.Context, in RerouteInput) (TaskRef, error) {
	t, err := a.Store.FindTask(ctx, in.TaskID)
	if err != nil {
		return TaskRef{}, asActivityError(err)
	}
	if t.Status != lindungi.TaskOpen {
		return a.ref(t), nil
	}
	route, err := a.Router.Route(lindungi.RouteRequest{Kind: t.Kind, Unit: in.DomicileUnit, Risk: in.Risk})
	if err != nil {
		return TaskRef{}, asActivityError(fmt.Errorf("route task: %w", err))
	}
	if slices.Contains(a.Router.Ancestors(route.Unit), t.Unit) {
		return a.ref(t), nil // at the unit the policy names, or above it
	}
	date, err := time.ParseInLocation(time.DateOnly, t.DueDate, lindungi.WIB)
	if err != nil {
		return TaskRef{}, asActivityError(err)
	}
	due := lindungi.Deadline{Date: date, At: t.DueAt, Fallback: t.CalendarFallback}
	if in.DueDays > 0 {
		sooner, err := a.deadline(ctx, a.now(), a.dueDays(t.Kind, in.DueDays))
		if err != nil {
			return TaskRef{}, asActivityError(err)
		}
		if sooner.At.Before(due.At) {
			due = sooner
		}
	}
	moved, err := a.Store.MoveTask(ctx, in.TaskID, lindungi.TaskMove{Unit: route.Unit, Role: route.Role, Rule: route.Rule,
		Level: t.Level, Deadline: due, Reason: in.Reason, By: lindungi.MovedByPolicy}, "task.reassign", a.event(ctx, in.Actor, in.RequestID))
	return a.ref(moved), asActivityError(err)
}

// ExtendInput moves a task's deadline later by working days, with a reason.
type ExtendInput struct {
	TaskID      uuid.UUID
	WorkingDays int
	Reason      string
	Actor       Actor
	RequestID   string
}

// ExtendDeadline gives a task WorkingDays more working days after its
// current deadline (or after today, if that has passed).
func (a *Activities) ExtendDeadline(ctx context.Context, in ExtendInput) (TaskRef, error) {
	t, err := a.Store.FindTask(ctx, in.TaskID)
	if err != nil {
		return TaskRef{}, asActivityError(err)
	}
	from := t.DueAt.Add(-time.Second)
	if now := a.now(); from.Before(now) {
		from = now
	}
	due, err := a.deadline(ctx, from, in.WorkingDays)
	if err != nil {
		return TaskRef{}, asActivityError(err)
	}
	extended, err := a.Store.ExtendTask(ctx, in.TaskID, due, in.Reason, a.event(ctx, in.Actor, in.RequestID))
	return a.ref(extended), asActivityError(err)
}

// CancelTask ends a task the journey no longer needs.
func (a *Activities) CancelTask(ctx context.Context, id uuid.UUID, reason string) error {
	_, err := a.Store.CancelTask(ctx, id, reason, a.event(ctx, System, ""))
	return asActivityError(err)
}
