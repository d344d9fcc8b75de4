// Package activities holds the Temporal activities: the only code that does
// I/O on behalf of a workflow. Every write is idempotent, keyed by the
// workflow and its step, so Temporal may retry any of them.
package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Store is what the activities need from the database.
type Store interface {
	CreateTask(ctx context.Context, t lindungi.Task, ev lindungi.Event) (lindungi.Task, error)
	CompleteTask(ctx context.Context, id uuid.UUID, outcome lindungi.Outcome, note string, ev lindungi.Event) (lindungi.Task, error)
	RecordStep(ctx context.Context, workerID uuid.UUID, seq int, step lindungi.Step, reason string, ev lindungi.Event) error
	MarkJourneyStarted(ctx context.Context, id uuid.UUID) error
	Holidays(ctx context.Context) ([]lindungi.Holiday, error)
}

// Router chooses the unit that receives a task.
type Router interface {
	Route(req lindungi.RouteRequest) (lindungi.Route, error)
	// Ancestors returns a unit's code and the codes above it, nearest first.
	Ancestors(code string) []string
	// Version is the policy version the router decides by.
	Version() string
}

// Activities carries the dependencies of every activity.
type Activities struct {
	Store  Store
	Router Router
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
	Level            int
	DomicileUnit     string
	Scheme           lindungi.Scheme
	Risk             string
	DueInWorkingDays int
	RequestID        string
}

// TaskRef is what a workflow keeps of a task it created.
type TaskRef struct {
	ID       uuid.UUID
	Kind     lindungi.TaskKind
	Step     lindungi.Step
	Unit     string
	UnitPath []string // the task's unit and those above it: who may complete it
	Rule     string
	Flagged  bool
	DueAt    time.Time
	Status   lindungi.TaskStatus
}

// CreateTask routes a task by policy, computes its deadline on the working-day
// calendar, and stores it. The task ID derives from the workflow, step, kind
// and level, so a retry returns the task stored the first time.
func (a *Activities) CreateTask(ctx context.Context, in CreateTaskInput) (TaskRef, error) {
	route, err := a.Router.Route(lindungi.RouteRequest{Kind: in.Kind, Unit: in.DomicileUnit, Scheme: in.Scheme, Risk: in.Risk})
	if err != nil {
		return TaskRef{}, asActivityError(fmt.Errorf("route task: %w", err))
	}
	holidays, err := a.Store.Holidays(ctx)
	if err != nil {
		return TaskRef{}, asActivityError(fmt.Errorf("load calendar: %w", err))
	}
	due := lindungi.NewCalendar(holidays).AddWorkingDays(a.now(), in.DueInWorkingDays, lindungi.WIB)
	t := lindungi.Task{
		ID:         lindungi.TaskID(in.WorkflowID, in.Step, in.Kind, in.Level),
		WorkflowID: in.WorkflowID, WorkerID: in.WorkerID, Kind: in.Kind, Step: in.Step, Level: in.Level,
		Unit: route.Unit, RouteRule: route.Rule, RouteFlagged: route.Flagged,
		DueAt: due.At, DueDate: due.Date.Format(time.DateOnly), CalendarFallback: due.Fallback,
	}
	stored, err := a.Store.CreateTask(ctx, t, a.event(ctx, System, in.RequestID))
	if err != nil {
		return TaskRef{}, asActivityError(err)
	}
	return TaskRef{
		ID: stored.ID, Kind: stored.Kind, Step: stored.Step, Unit: stored.Unit, UnitPath: a.Router.Ancestors(stored.Unit),
		Rule: stored.RouteRule, Flagged: stored.RouteFlagged, DueAt: stored.DueAt, Status: stored.Status,
	}, nil
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

// CompleteTask stores the completion of a task and its audit event.
func (a *Activities) CompleteTask(ctx context.Context, in CompleteTaskInput) (lindungi.Task, error) {
	ev := a.event(ctx, in.Actor, in.RequestID)
	ev.Rule = in.Rule
	t, err := a.Store.CompleteTask(ctx, in.TaskID, in.Outcome, in.Note, ev)
	return t, asActivityError(err)
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
		return temporal.NewNonRetryableApplicationError(e.Message, e.Code, err)
	}
	return err
}
