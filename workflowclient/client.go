// Package workflowclient starts and steers Lindungi's workflows (the
// WorkerJourney and the ProtectionCase of package workflows) on behalf of
// the API and the reconciler: starts with business-key IDs, one Temporal
// Update per request that waits for its result, and Temporal failures
// turned into domain errors. The workflows check every request in their
// update validators against their own task ledger, so an update is sent
// once: a task whose row the API can read is known to its workflow, if
// only as pending, and its update waits in the workflow until it exists.
// It is not workflow code.
package workflowclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/workflows"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Client starts and steers journeys on behalf of the API. It is not workflow
// code: it runs in the API process. Every call to Temporal has a deadline,
// so that a Temporal that is down, or a workflow that does not answer,
// makes the request fail (EUNAVAILABLE, ETIMEOUT) instead of hang.
type Client struct {
	Temporal  client.Client
	TaskQueue string
	// CheckInEvery is how often journeys started from now check on workers
	// abroad; 0 is the default.
	CheckInEvery time.Duration
	// UpdateTimeout bounds the wait for an update's result, a signal and a
	// query; 0 is DefaultUpdateTimeout.
	UpdateTimeout time.Duration
	// StartTimeout bounds a workflow start; 0 is DefaultStartTimeout. A
	// start that fails leaves its record to the reconciler, so it is kept
	// short: a registration does not wait long for a Temporal that is down.
	StartTimeout time.Duration
}

// Defaults of the client's deadlines.
const (
	DefaultUpdateTimeout = 10 * time.Second
	DefaultStartTimeout  = 2 * time.Second
)

// within returns ctx bounded by d, or by def when d is 0.
func within(ctx context.Context, d, def time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		d = def
	}
	return context.WithTimeout(ctx, d)
}

// StartJourney starts the worker's journey. Its workflow ID derives from the
// worker's ID, so starting it again, from a retry or the reconciler, starts
// nothing new.
func (c *Client) StartJourney(ctx context.Context, in workflows.JourneyInput) error {
	opts := client.StartWorkflowOptions{
		ID:                       lindungi.JourneyWorkflowID(in.WorkerID),
		TaskQueue:                c.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		Memo:                     map[string]any{"request_id": in.RequestID},
	}
	if in.CheckInEvery == 0 {
		in.CheckInEvery = c.CheckInEvery
	}
	ctx, cancel := within(ctx, c.StartTimeout, DefaultStartTimeout)
	defer cancel()
	_, err := c.Temporal.ExecuteWorkflow(ctx, opts, workflows.JourneyWorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil // it ran and closed already
	}
	if err != nil {
		return fmt.Errorf("start journey %s: %w", opts.ID, updateError(err))
	}
	return nil
}

// CompleteTask sends the complete-task update to the task's workflow (a
// journey or a case) and waits for its result, so that an answer means the
// database and the workflow agree. updateID makes a retried call return
// the first call's result.
func (c *Client) CompleteTask(ctx context.Context, t lindungi.Task, req workflows.CompleteTaskRequest, updateID string) (workflows.CompleteTaskResult, error) {
	var res workflows.CompleteTaskResult
	err := c.update(ctx, t.WorkflowID, workflows.UpdateCompleteTask, updateID, req, &res)
	return res, err
}

// TaskAction sends escalate-task, reassign-task or extend-deadline to the
// task's workflow and returns the task as the workflow then knows it.
func (c *Client) TaskAction(ctx context.Context, t lindungi.Task, name string, req workflows.TaskActionRequest, updateID string) (activities.TaskRef, error) {
	var ref activities.TaskRef
	err := c.update(ctx, t.WorkflowID, name, updateID, req, &ref)
	return ref, err
}

// JourneyAction sends close-journey, record-return, extend-contract or
// request-rehabilitation to a worker's journey; result receives its answer.
func (c *Client) JourneyAction(ctx context.Context, workerID uuid.UUID, name string, req workflows.JourneyRequest, updateID string, result any) error {
	return c.update(ctx, lindungi.JourneyWorkflowID(workerID), name, updateID, req, result)
}

// Complaint tells a worker's journey of a protection case, as
// ProtectionCase does itself when a case starts and when it is resolved by
// repatriation.
func (c *Client) Complaint(ctx context.Context, workerID uuid.UUID, complaint workflows.Complaint) error {
	ctx, cancel := within(ctx, c.UpdateTimeout, DefaultUpdateTimeout)
	defer cancel()
	err := c.Temporal.SignalWorkflow(ctx, lindungi.JourneyWorkflowID(workerID), "", workflows.SignalComplaint, complaint)
	if err != nil {
		return updateError(err)
	}
	return nil
}

// State returns the journey's state through its query.
func (c *Client) State(ctx context.Context, workerID uuid.UUID) (workflows.JourneyState, error) {
	ctx, cancel := within(ctx, c.UpdateTimeout, DefaultUpdateTimeout)
	defer cancel()
	v, err := c.Temporal.QueryWorkflow(ctx, lindungi.JourneyWorkflowID(workerID), "", workflows.QueryState)
	if err != nil {
		return workflows.JourneyState{}, updateError(err)
	}
	var s workflows.JourneyState
	return s, v.Get(&s)
}

// update sends an update and waits for its result, at most UpdateTimeout.
// An empty updateID makes a new one.
func (c *Client) update(ctx context.Context, workflowID, name, updateID string, arg, result any) error {
	if updateID == "" {
		updateID = uuid.NewString()
	}
	ctx, cancel := within(ctx, c.UpdateTimeout, DefaultUpdateTimeout)
	defer cancel()
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return updateError(err)
	}
	if err := h.Get(ctx, result); err != nil {
		return updateError(err)
	}
	return nil
}

// updateError turns a Temporal failure into a domain error: a refusal
// keeps its code, a Temporal that cannot be reached is EUNAVAILABLE, and
// a deadline that passed is ETIMEOUT (the request may have been carried
// out: it is retried with the same update ID).
func updateError(err error) error {
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	var unavailable *serviceerror.Unavailable
	var exhausted *serviceerror.ResourceExhausted
	var timedOut *client.WorkflowUpdateServiceTimeoutOrCanceledError
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	switch {
	case errors.As(err, &appErr) && appErr.Type() != "":
		e := &lindungi.Error{Code: appErr.Type(), Message: appErr.Message()}
		var fields []lindungi.FieldError
		if appErr.HasDetails() && appErr.Details(&fields) == nil && len(fields) > 0 {
			e.Fields = fields
		}
		return e
	case errors.As(err, &notFound):
		return lindungi.Errorf(lindungi.ECONFLICT, "The journey or case is not running.")
	case errors.As(err, &unavailable), errors.As(err, &exhausted):
		return fmt.Errorf("%w: %w", lindungi.Errorf(lindungi.EUNAVAILABLE, "The workflow service cannot be reached; retry shortly with the same Idempotency-Key."), err)
	case errors.As(err, &timedOut), errors.As(err, &deadline), errors.As(err, &canceled),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return fmt.Errorf("%w: %w", lindungi.Errorf(lindungi.ETIMEOUT, "The workflow did not answer in time; retry with the same Idempotency-Key."), err)
	}
	return fmt.Errorf("workflow update: %w", err)
}

// StartCase starts the workflow of a protection case. Its ID derives from
// the case's ID, so a retry starts nothing new.
func (c *Client) StartCase(ctx context.Context, pc lindungi.Case, requestID string) error {
	opts := client.StartWorkflowOptions{
		ID:                       lindungi.CaseWorkflowID(pc.ID),
		TaskQueue:                c.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		Memo:                     map[string]any{"request_id": requestID},
	}
	ctx, cancel := within(ctx, c.StartTimeout, DefaultStartTimeout)
	defer cancel()
	_, err := c.Temporal.ExecuteWorkflow(ctx, opts, workflows.CaseWorkflowName, workflows.CaseInput{CaseID: pc.ID, WorkerID: pc.WorkerID,
		IntakeUnit: pc.OwnerUnit, HighRisk: pc.HighRisk, RequestID: requestID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("start case %s: %w", opts.ID, updateError(err))
	}
	return nil
}

// CaseAction sends a case action to the case's workflow and returns the
// case's state after it.
func (c *Client) CaseAction(ctx context.Context, caseID uuid.UUID, req workflows.CaseActionRequest, updateID string) (workflows.CaseState, error) {
	var s workflows.CaseState
	err := c.update(ctx, lindungi.CaseWorkflowID(caseID), workflows.UpdateCaseAction, updateID, req, &s)
	return s, err
}
