// Package activities holds the Temporal activities: the only code that does
// I/O on behalf of a workflow. Every write is idempotent, keyed by the
// workflow and its step (a task's ID derives from them), so Temporal may
// retry any of them. A completion is checked once, by the workflow's
// update validator (the task is open and the actor's unit may act on it);
// CompleteTask then writes, and its store refuses a write that no longer
// fits the row.
//
//   - activities.go: the Activities struct and its dependencies (Store,
//     CaseStore, Router), the Actor, audit events, the working-day deadline
//     and the mapping of domain errors to non-retryable failures.
//   - task.go: a task's life: create (routed and due by the calendar),
//     complete (with the step's document checks), escalate, reassign,
//     extend, cancel.
//   - journey.go: a journey's steps, its documents and contract, and the
//     audit of requests the journey keeps in its own state.
//   - case.go: the changes a protection case makes to its record
//     (CaseChange).
//   - attention.go: a workflow stuck on a step it cannot do, flagged for
//     the administrators.
//   - audit.go: the scheduled verification of the whole audit trail, which
//     tells the national auditors when it fails.
package activities

import (
	"context"
	"crypto/ed25519"
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
	// FlagAttention stores a notification and its audit event; a retry of
	// the same event (action, subject and request ID) stores nothing more.
	FlagAttention(ctx context.Context, n lindungi.Notification, ev lindungi.Event) error
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
	// Audit is the trail the scheduled verification checks, with the
	// public keys its checkpoints are signed with (nil skips signatures).
	Audit     AuditTrail
	AuditKeys map[string]ed25519.PublicKey
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

// asActivityError gives domain errors the error code as their type, so
// that workflows and the API map them back: those a retry cannot fix
// (refused data, a missing or conflicting record) are non-retryable, and
// an outage (EUNAVAILABLE, ETIMEOUT) is retried by the activity's retry
// policy.
func asActivityError(err error) error {
	var e *lindungi.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	switch e.Code {
	case lindungi.EINVALID, lindungi.EMALFORMED, lindungi.ENOTFOUND, lindungi.ECONFLICT, lindungi.EFORBIDDEN:
		return temporal.NewNonRetryableApplicationError(e.Message, e.Code, err, e.Fields)
	case lindungi.EUNAVAILABLE, lindungi.ETIMEOUT:
		return temporal.NewApplicationErrorWithCause(e.Message, e.Code, err)
	}
	return err
}
