// Package activities holds the Temporal activities: the only code that does
// I/O on behalf of a workflow. Every write is idempotent, keyed by the
// workflow and its step, so Temporal may retry any of them.
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Store is what the activities need from the database.
type Store interface {
	CreateTask(ctx context.Context, t lindungi.Task, ev lindungi.Event) (lindungi.Task, error)
	FindTask(ctx context.Context, id uuid.UUID) (lindungi.Task, error)
	CompleteTask(ctx context.Context, id uuid.UUID, outcome lindungi.Outcome, note string, ev lindungi.Event) (lindungi.Task, error)
	MoveTask(ctx context.Context, id uuid.UUID, m lindungi.TaskMove, action string, ev lindungi.Event) (lindungi.Task, error)
	MarkTaskAtTop(ctx context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Task, error)
	ExtendTask(ctx context.Context, id uuid.UUID, d lindungi.Deadline, reason string, ev lindungi.Event) (lindungi.Task, error)
	CancelTask(ctx context.Context, id uuid.UUID, reason string, ev lindungi.Event) (lindungi.Task, error)
	RecordStep(ctx context.Context, workerID uuid.UUID, seq int, step lindungi.Step, reason string, ev lindungi.Event) error
	MarkJourneyStarted(ctx context.Context, id uuid.UUID) error
	Holidays(ctx context.Context) ([]lindungi.Holiday, error)
	FindWorker(ctx context.Context, id uuid.UUID) (lindungi.Worker, error)
	MissingDocuments(ctx context.Context, workerID uuid.UUID, required []lindungi.DocType, at time.Time) ([]lindungi.DocumentProblem, error)
	ExpiringDocuments(ctx context.Context, workerID uuid.UUID, types []lindungi.DocType, before time.Time) ([]lindungi.Document, error)
	ListDocuments(ctx context.Context, workerID uuid.UUID, includeSuperseded bool) ([]lindungi.Document, error)
	RecordEvent(ctx context.Context, ev lindungi.Event) error
}

// Router chooses the unit that receives a task, and who is next.
type Router interface {
	Route(req lindungi.RouteRequest) (lindungi.Route, error)
	Escalate(req lindungi.RouteRequest, holder string) (lindungi.Route, bool, error)
	// Ancestors returns a unit's code and the codes above it, nearest first.
	Ancestors(code string) []string
	// Version is the policy version the router decides by.
	Version() string
}

// Activities carries the dependencies of every activity.
type Activities struct {
	Store  Store
	Cases  CaseStore
	Router Router
	// DueDays overrides the default deadline (in working days) of task kinds.
	DueDays map[lindungi.TaskKind]int
	// FixedDeadline, when set, makes every deadline this long from now
	// instead of working days: for demos and end-to-end tests of
	// escalation, never production.
	FixedDeadline time.Duration
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// Actor is who a workflow acts for: a person through the API, or the system.
type Actor struct {
	Subject string `json:"sub"`
	Unit    string `json:"unit"`
	Role    string `json:"role"`
	// ActingFor is the unit whose authority the actor uses: Unit, or the
	// unit that delegated to it.
	ActingFor string `json:"acting_for,omitempty"`
}

// Authority is the unit whose authority the actor acts with.
func (a Actor) Authority() string {
	if a.ActingFor != "" {
		return a.ActingFor
	}
	return a.Unit
}

// System is the actor of the steps a workflow takes on its own.
var System = Actor{Subject: "system:lindungi", Unit: "ID", Role: "system"}

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

// TaskRef is what a workflow keeps of a task it created.
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

// dueDays is the deadline of a kind of task in working days.
func (a *Activities) dueDays(kind lindungi.TaskKind, fallback int) int {
	if n, ok := a.DueDays[kind]; ok && n > 0 {
		return n
	}
	return fallback
}

// deadline is n working days from now by the calendar in the database.
func (a *Activities) deadline(ctx context.Context, from time.Time, n int) (lindungi.Deadline, error) {
	if a.FixedDeadline > 0 {
		at := a.now().Add(a.FixedDeadline)
		local := at.In(lindungi.WIB)
		return lindungi.Deadline{Date: time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, lindungi.WIB), At: at}, nil
	}
	holidays, err := a.Store.Holidays(ctx)
	if err != nil {
		return lindungi.Deadline{}, fmt.Errorf("load calendar: %w", err)
	}
	return lindungi.NewCalendar(holidays).AddWorkingDays(from, n, lindungi.WIB), nil
}

// CreateTask routes a task by policy, computes its deadline on the working-day
// calendar, and stores it. The task ID derives from the workflow, step, kind
// and level, so a retry returns the task stored the first time.
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

// CompleteTaskInput records a person's completion of a task.
type CompleteTaskInput struct {
	TaskID    uuid.UUID
	Outcome   lindungi.Outcome
	Note      string
	Actor     Actor
	Rule      string // the access rule (and delegation) that let the actor do it
	RequestID string
}

// CompleteTask stores the completion of a task and its audit event. A
// step's task is approved only when the step's documents are present and
// verified, and, for a P2P worker's placement agreement, when the placement
// company and job order are on file.
func (a *Activities) CompleteTask(ctx context.Context, in CompleteTaskInput) (lindungi.Task, error) {
	if in.Outcome == lindungi.OutcomeApproved {
		if err := a.checkApproval(ctx, in.TaskID); err != nil {
			return lindungi.Task{}, asActivityError(err)
		}
	}
	ev := a.event(ctx, in.Actor, in.RequestID)
	ev.Rule = in.Rule
	t, err := a.Store.CompleteTask(ctx, in.TaskID, in.Outcome, in.Note, ev)
	return t, asActivityError(err)
}

func (a *Activities) checkApproval(ctx context.Context, id uuid.UUID) error {
	t, err := a.Store.FindTask(ctx, id)
	if err != nil {
		return err
	}
	spec, ok := lindungi.SpecOf(t.Step)
	if !ok || spec.Task != t.Kind {
		return nil
	}
	problems, err := a.Store.MissingDocuments(ctx, t.WorkerID, spec.Documents, a.now())
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
	if t.Step == lindungi.StepPlacementAgreement {
		w, err := a.Store.FindWorker(ctx, t.WorkerID)
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

// ExpiringDocuments names the passport and visa types that expire within
// the validity margin after at (departure).
func (a *Activities) ExpiringDocuments(ctx context.Context, workerID uuid.UUID, at time.Time) ([]lindungi.DocType, error) {
	docs, err := a.Store.ExpiringDocuments(ctx, workerID, []lindungi.DocType{lindungi.DocPassport, lindungi.DocWorkVisa}, at.Add(lindungi.DocumentValidityMargin))
	if err != nil {
		return nil, asActivityError(err)
	}
	var types []lindungi.DocType
	for _, d := range docs {
		types = append(types, d.Type)
	}
	return types, nil
}

// RecordStepInput records that a journey entered a step.
type RecordStepInput struct {
	WorkerID  uuid.UUID
	Seq       int
	Step      lindungi.Step
	Reason    string
	Actor     Actor
	RequestID string
}

// RecordStep stores the journey's new step. The first step also marks the
// journey as running, which stops the reconciler from starting it again.
func (a *Activities) RecordStep(ctx context.Context, in RecordStepInput) error {
	if err := a.Store.RecordStep(ctx, in.WorkerID, in.Seq, in.Step, in.Reason, a.event(ctx, in.Actor, in.RequestID)); err != nil {
		return asActivityError(err)
	}
	if in.Seq == 0 {
		return asActivityError(a.Store.MarkJourneyStarted(ctx, in.WorkerID))
	}
	return nil
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// event starts an audit event for actor, with the workflow run that asked.
func (a *Activities) event(ctx context.Context, actor Actor, requestID string) lindungi.Event {
	ev := lindungi.Event{Actor: actor.Subject, ActorUnit: actor.Unit, ActorRole: actor.Role,
		Policy: a.Router.Version(), RequestID: requestID}
	if activity.IsActivity(ctx) {
		info := activity.GetInfo(ctx)
		ev.WorkflowID, ev.RunID = info.WorkflowExecution.ID, info.WorkflowExecution.RunID
	}
	return ev
}

// asActivityError makes domain errors that a retry cannot fix non-retryable,
// with the error code as the type so that callers can map it back.
func asActivityError(err error) error {
	var e *lindungi.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	switch e.Code {
	case lindungi.EINVALID, lindungi.ENOTFOUND, lindungi.ECONFLICT, lindungi.EFORBIDDEN:
		return temporal.NewNonRetryableApplicationError(e.Message, e.Code, err, e.Fields)
	}
	return err
}

// ContractEnd returns the end of the worker's current work contract (the
// expiry of the WORK_CONTRACT document), or the zero time if none gives one.
func (a *Activities) ContractEnd(ctx context.Context, workerID uuid.UUID) (time.Time, error) {
	docs, err := a.Store.ListDocuments(ctx, workerID, false)
	if err != nil {
		return time.Time{}, asActivityError(err)
	}
	for _, d := range docs {
		if d.Type != lindungi.DocWorkContract || d.ExpiresOn == "" {
			continue
		}
		end, err := time.ParseInLocation(time.DateOnly, d.ExpiresOn, lindungi.WIB)
		if err != nil {
			return time.Time{}, asActivityError(err)
		}
		return end, nil
	}
	return time.Time{}, nil
}

// JourneyEventInput audits a request a journey keeps in its own state.
type JourneyEventInput struct {
	WorkerID  uuid.UUID
	Action    string
	After     map[string]any
	Actor     Actor
	RequestID string
}

// RecordJourneyEvent writes the audit event of a journey request.
func (a *Activities) RecordJourneyEvent(ctx context.Context, in JourneyEventInput) error {
	ev := a.event(ctx, in.Actor, in.RequestID)
	ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID = in.Action, "worker", in.WorkerID.String(), &in.WorkerID
	after, err := json.Marshal(in.After)
	if err != nil {
		return err
	}
	ev.After = after
	return asActivityError(a.Store.RecordEvent(ctx, ev))
}
