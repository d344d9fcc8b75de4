// Package workflows holds Lindungi's Temporal workflows: deterministic
// orchestration of a worker's journey. Workflows carry IDs and codes only,
// never names, NIK or phone numbers; every I/O goes through activities.
package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names of the journey's workflow type, queries and updates.
const (
	JourneyWorkflowName = "WorkerJourney"
	QueryState          = "state"
	UpdateCompleteTask  = "complete-task"
)

// VerificationWorkingDays is the time a district has to verify a
// registration (DOMAIN.md: letter within 2 working days).
const VerificationWorkingDays = 2

// JourneyInput starts a journey. It carries IDs and codes only.
type JourneyInput struct {
	WorkerID     uuid.UUID
	DomicileUnit string
	Scheme       lindungi.Scheme
	RequestID    string
}

// JourneyState is what the journey knows, returned by the state query.
type JourneyState struct {
	WorkerID uuid.UUID
	Step     lindungi.Step
	Seq      int // position of Step in the journey
	Tasks    []activities.TaskRef
	Reason   string // why the journey closed, when it did
}

// CompleteTaskRequest is the argument of the complete-task update.
type CompleteTaskRequest struct {
	TaskID    uuid.UUID
	Outcome   lindungi.Outcome
	Note      string
	Actor     activities.Actor
	Rule      string // the access rule that let the actor do it
	RequestID string
}

// CompleteTaskResult is the answer of the complete-task update: the task
// and the journey step after it.
type CompleteTaskResult struct {
	Task        lindungi.Task
	JourneyStep lindungi.Step
}

// taskCompleting marks a task whose completion is being written.
const taskCompleting lindungi.TaskStatus = "completing"

var activityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// a is used only for method references; activities run on the worker.
var a *activities.Activities

// WorkerJourney is one worker's journey. This slice covers registration and
// district verification: it records REGISTERED, creates the verification
// task for the domicile district, and on approval records VERIFIED and moves
// to TRAINING, where it waits for the steps the journey issue adds. A
// rejected verification closes the journey with the reason recorded.
func WorkerJourney(ctx workflow.Context, in JourneyInput) (JourneyState, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	s := &JourneyState{WorkerID: in.WorkerID, Step: lindungi.StepRegistered}
	wfID := workflow.GetInfo(ctx).WorkflowExecution.ID

	if err := workflow.SetQueryHandler(ctx, QueryState, func() (JourneyState, error) { return *s, nil }); err != nil {
		return *s, err
	}
	verified := false
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCompleteTask,
		func(ctx workflow.Context, req CompleteTaskRequest) (CompleteTaskResult, error) {
			return completeTask(ctx, s, in, req, &verified)
		},
		workflow.UpdateHandlerOptions{Validator: func(req CompleteTaskRequest) error { return validateCompletion(s, req) }},
	); err != nil {
		return *s, err
	}

	if err := recordStep(ctx, s, in.WorkerID, lindungi.StepRegistered, "", activities.System, in.RequestID, 0); err != nil {
		return *s, err
	}
	var task activities.TaskRef
	err := workflow.ExecuteActivity(ctx, a.CreateTask, activities.CreateTaskInput{
		WorkflowID: wfID, WorkerID: in.WorkerID, Kind: lindungi.TaskVerifyRegistration, Step: lindungi.StepRegistered,
		DomicileUnit: in.DomicileUnit, Scheme: in.Scheme, DueInWorkingDays: VerificationWorkingDays, RequestID: in.RequestID,
	}).Get(ctx, &task)
	if err != nil {
		return *s, fmt.Errorf("create verification task: %w", err)
	}
	s.Tasks = append(s.Tasks, task)

	if err := workflow.Await(ctx, func() bool { return verified || s.Step == lindungi.StepClosed }); err != nil {
		return *s, err
	}
	if s.Step != lindungi.StepClosed {
		// The journey issue adds the steps after TRAINING; until then the
		// journey waits here.
		if err := workflow.Await(ctx, func() bool { return s.Step != lindungi.StepTraining }); err != nil {
			return *s, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return *s, err
	}
	return *s, nil
}

// validateCompletion rejects, before anything is written to history, a
// completion of a task this journey does not have open, by a unit that does
// not own it, or with an unknown outcome.
func validateCompletion(s *JourneyState, req CompleteTaskRequest) error {
	i := slices.IndexFunc(s.Tasks, func(t activities.TaskRef) bool { return t.ID == req.TaskID })
	switch {
	case i < 0:
		return temporal.NewApplicationError("The task does not belong to this journey.", lindungi.ENOTFOUND)
	case s.Tasks[i].Status != lindungi.TaskOpen:
		return temporal.NewApplicationError(fmt.Sprintf("The task is %s, not open.", s.Tasks[i].Status), lindungi.ECONFLICT)
	case !slices.Contains(s.Tasks[i].UnitPath, req.Actor.Authority()):
		return temporal.NewApplicationError("The task belongs to another unit.", lindungi.EFORBIDDEN)
	case !req.Outcome.Valid():
		return temporal.NewApplicationError("The outcome must be approved or rejected.", lindungi.EINVALID)
	}
	return nil
}

func completeTask(ctx workflow.Context, s *JourneyState, in JourneyInput, req CompleteTaskRequest, verified *bool) (CompleteTaskResult, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	// Validators of updates queued behind this one see the task as taken.
	if err := validateCompletion(s, req); err != nil {
		return CompleteTaskResult{}, err
	}
	i := slices.IndexFunc(s.Tasks, func(t activities.TaskRef) bool { return t.ID == req.TaskID })
	s.Tasks[i].Status = taskCompleting
	var task lindungi.Task
	err := workflow.ExecuteActivity(ctx, a.CompleteTask, activities.CompleteTaskInput{
		TaskID: req.TaskID, Outcome: req.Outcome, Note: req.Note, Actor: req.Actor, Rule: req.Rule, RequestID: req.RequestID,
	}).Get(ctx, &task)
	if err != nil {
		s.Tasks[i].Status = lindungi.TaskOpen
		return CompleteTaskResult{}, unwrapActivityError(err)
	}
	s.Tasks[i].Status = lindungi.TaskCompleted

	switch req.Outcome {
	case lindungi.OutcomeApproved:
		if err := recordStep(ctx, s, in.WorkerID, lindungi.StepVerified, "", req.Actor, req.RequestID, s.Seq+1); err != nil {
			return CompleteTaskResult{}, err
		}
		if err := recordStep(ctx, s, in.WorkerID, lindungi.StepTraining, "", req.Actor, req.RequestID, s.Seq+1); err != nil {
			return CompleteTaskResult{}, err
		}
		*verified = true
	case lindungi.OutcomeRejected:
		if err := recordStep(ctx, s, in.WorkerID, lindungi.StepClosed, "verification rejected", req.Actor, req.RequestID, s.Seq+1); err != nil {
			return CompleteTaskResult{}, err
		}
		s.Reason = "verification rejected"
	}
	return CompleteTaskResult{Task: task, JourneyStep: s.Step}, nil
}

// recordStep stores the step at position seq and makes it the current one.
func recordStep(ctx workflow.Context, s *JourneyState, workerID uuid.UUID, step lindungi.Step, reason string, actor activities.Actor, requestID string, seq int) error {
	err := workflow.ExecuteActivity(ctx, a.RecordStep, activities.RecordStepInput{
		WorkerID: workerID, Seq: seq, Step: step, Reason: reason, Actor: actor, RequestID: requestID,
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("record step %s: %w", step, err)
	}
	s.Step, s.Seq = step, seq
	return nil
}

// unwrapActivityError returns the domain failure inside an activity error,
// so that the update's caller sees the activity's own error type.
func unwrapActivityError(err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr
	}
	return err
}
