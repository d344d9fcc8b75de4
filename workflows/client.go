package workflows

import (
	"context"
	"errors"
	"fmt"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Client starts and steers journeys on behalf of the API. It is not workflow
// code: it runs in the API process.
type Client struct {
	Temporal  client.Client
	TaskQueue string
}

// StartJourney starts the worker's journey. Its workflow ID derives from the
// worker's ID, so starting it again, from a retry or the reconciler, starts
// nothing new.
func (c *Client) StartJourney(ctx context.Context, in JourneyInput) error {
	opts := client.StartWorkflowOptions{
		ID:                       lindungi.JourneyWorkflowID(in.WorkerID),
		TaskQueue:                c.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		Memo:                     map[string]any{"request_id": in.RequestID},
	}
	_, err := c.Temporal.ExecuteWorkflow(ctx, opts, JourneyWorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil // it ran and closed already
	}
	if err != nil {
		return fmt.Errorf("start journey %s: %w", opts.ID, err)
	}
	return nil
}

// CompleteTask sends the complete-task update to the task's journey and waits
// for its result, so that an answer means the database and the workflow
// agree. updateID makes a retried call return the first call's result.
func (c *Client) CompleteTask(ctx context.Context, t lindungi.Task, req CompleteTaskRequest, updateID string) (CompleteTaskResult, error) {
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   t.WorkflowID,
		UpdateID:     updateID,
		UpdateName:   UpdateCompleteTask,
		Args:         []any{req},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return CompleteTaskResult{}, updateError(err)
	}
	var res CompleteTaskResult
	if err := h.Get(ctx, &res); err != nil {
		return CompleteTaskResult{}, updateError(err)
	}
	return res, nil
}

// updateError turns a Temporal failure into a domain error.
func updateError(err error) error {
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &appErr) && appErr.Type() != "":
		return &lindungi.Error{Code: appErr.Type(), Message: appErr.Message()}
	case errors.As(err, &notFound):
		return lindungi.Errorf(lindungi.ECONFLICT, "The task's journey is not running.")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &lindungi.Error{Code: lindungi.EUNAVAILABLE, Message: "The workflow service did not answer in time; retry with the same Idempotency-Key."}
	}
	return fmt.Errorf("complete task: %w", err)
}

// Register adds the workflows and activities to a Temporal worker.
func Register(r worker.Registry, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(WorkerJourney, workflow.RegisterOptions{Name: JourneyWorkflowName})
	r.RegisterActivity(acts)
}
