package workflows_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/workflows"
	"github.com/stretchr/testify/mock"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

var acts *activities.Activities

type journeyTest struct {
	env    *testsuite.TestWorkflowEnvironment
	worker uuid.UUID
	task   activities.TaskRef
	steps  []lindungi.Step
}

func newJourneyTest(t *testing.T) *journeyTest {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	jt := &journeyTest{env: suite.NewTestWorkflowEnvironment(), worker: uuid.New()}
	jt.task = activities.TaskRef{
		ID: uuid.New(), Kind: lindungi.TaskVerifyRegistration, Step: lindungi.StepRegistered,
		Unit: "3305", UnitPath: []string{"3305", "33", "ID"}, Rule: "verify-at-domicile-district",
		DueAt: time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC), Status: lindungi.TaskOpen,
	}
	jt.env.RegisterActivity(acts)
	jt.env.OnActivity(acts.CreateTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CreateTaskInput) (activities.TaskRef, error) {
			if in.DomicileUnit != "3305" || in.Kind != lindungi.TaskVerifyRegistration || in.DueInWorkingDays != 2 {
				t.Errorf("CreateTask input = %+v", in)
			}
			return jt.task, nil
		})
	jt.env.OnActivity(acts.RecordStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordStepInput) error {
			if in.Seq != len(jt.steps) {
				t.Errorf("step %s has seq %d, want %d", in.Step, in.Seq, len(jt.steps))
			}
			jt.steps = append(jt.steps, in.Step)
			return nil
		})
	jt.env.OnActivity(acts.CompleteTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CompleteTaskInput) (lindungi.Task, error) {
			return lindungi.Task{ID: in.TaskID, Status: lindungi.TaskCompleted, Outcome: in.Outcome}, nil
		})
	return jt
}

// update sends a complete-task update after delay and records its outcome.
func (jt *journeyTest) update(delay time.Duration, req workflows.CompleteTaskRequest, got *error, res *workflows.CompleteTaskResult) {
	jt.env.RegisterDelayedCallback(func() {
		jt.env.UpdateWorkflow(workflows.UpdateCompleteTask, uuid.NewString(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { *got = err },
			OnAccept: func() {},
			OnComplete: func(r interface{}, err error) {
				*got = err
				if err == nil && res != nil {
					*res = r.(workflows.CompleteTaskResult)
				}
			},
		}, req)
	}, delay)
}

func (jt *journeyTest) state(t *testing.T) workflows.JourneyState {
	t.Helper()
	v, err := jt.env.QueryWorkflow(workflows.QueryState)
	if err != nil {
		t.Fatal(err)
	}
	var s workflows.JourneyState
	if err := v.Get(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

var kebumenCaseworker = activities.Actor{Subject: "cw-kebumen", Unit: "3305", Role: "caseworker"}

func TestJourneyApprovedVerificationMovesToTraining(t *testing.T) {
	jt := newJourneyTest(t)
	var err error
	var res workflows.CompleteTaskResult
	jt.update(time.Hour, workflows.CompleteTaskRequest{TaskID: jt.task.ID, Outcome: lindungi.OutcomeApproved, Note: "lengkap", Actor: kebumenCaseworker}, &err, &res)
	jt.env.RegisterDelayedCallback(func() {
		if err != nil {
			t.Errorf("update: %v", err)
		}
		if res.JourneyStep != lindungi.StepTraining {
			t.Errorf("update answered step %s, want TRAINING", res.JourneyStep)
		}
		s := jt.state(t)
		if s.Step != lindungi.StepTraining || s.Tasks[0].Status != lindungi.TaskCompleted {
			t.Errorf("state = %+v, want TRAINING with the task completed", s)
		}
		jt.env.CancelWorkflow()
	}, 2*time.Hour)
	jt.env.ExecuteWorkflow(workflows.WorkerJourney, workflows.JourneyInput{WorkerID: jt.worker, DomicileUnit: "3305", Scheme: lindungi.SchemeP2P})
	want := []lindungi.Step{lindungi.StepRegistered, lindungi.StepVerified, lindungi.StepTraining}
	if len(jt.steps) != len(want) {
		t.Fatalf("steps = %v, want %v", jt.steps, want)
	}
	for i := range want {
		if jt.steps[i] != want[i] {
			t.Errorf("steps = %v, want %v", jt.steps, want)
		}
	}
	if !jt.env.IsWorkflowCompleted() {
		t.Error("workflow still running after cancel")
	}
}

func TestJourneyRejectedVerificationCloses(t *testing.T) {
	jt := newJourneyTest(t)
	var err error
	jt.update(time.Hour, workflows.CompleteTaskRequest{TaskID: jt.task.ID, Outcome: lindungi.OutcomeRejected, Actor: kebumenCaseworker}, &err, nil)
	jt.env.ExecuteWorkflow(workflows.WorkerJourney, workflows.JourneyInput{WorkerID: jt.worker, DomicileUnit: "3305", Scheme: lindungi.SchemeG2G})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if !jt.env.IsWorkflowCompleted() || jt.env.GetWorkflowError() != nil {
		t.Fatalf("workflow completed = %v, err = %v; want completed without error", jt.env.IsWorkflowCompleted(), jt.env.GetWorkflowError())
	}
	var s workflows.JourneyState
	if err := jt.env.GetWorkflowResult(&s); err != nil {
		t.Fatal(err)
	}
	if s.Step != lindungi.StepClosed || s.Reason != "verification rejected" {
		t.Errorf("result = %+v, want CLOSED because verification rejected", s)
	}
}

func TestJourneyRejectsInvalidCompletions(t *testing.T) {
	tests := []struct {
		name     string
		req      func(task uuid.UUID) workflows.CompleteTaskRequest
		wantType string
	}{
		{"unknown task", func(uuid.UUID) workflows.CompleteTaskRequest {
			return workflows.CompleteTaskRequest{TaskID: uuid.New(), Outcome: lindungi.OutcomeApproved, Actor: kebumenCaseworker}
		}, lindungi.ENOTFOUND},
		{"another district", func(id uuid.UUID) workflows.CompleteTaskRequest {
			return workflows.CompleteTaskRequest{TaskID: id, Outcome: lindungi.OutcomeApproved,
				Actor: activities.Actor{Subject: "cw-cilacap", Unit: "3301", Role: "caseworker"}}
		}, lindungi.EFORBIDDEN},
		{"unknown outcome", func(id uuid.UUID) workflows.CompleteTaskRequest {
			return workflows.CompleteTaskRequest{TaskID: id, Outcome: "maybe", Actor: kebumenCaseworker}
		}, lindungi.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jt := newJourneyTest(t)
			var err error
			jt.update(time.Hour, tt.req(jt.task.ID), &err, nil)
			jt.env.RegisterDelayedCallback(func() {
				if s := jt.state(t); s.Step != lindungi.StepRegistered || s.Tasks[0].Status != lindungi.TaskOpen {
					t.Errorf("state after a rejected update = %+v, want REGISTERED with the task open", s)
				}
				jt.env.CancelWorkflow()
			}, 2*time.Hour)
			jt.env.ExecuteWorkflow(workflows.WorkerJourney, workflows.JourneyInput{WorkerID: jt.worker, DomicileUnit: "3305", Scheme: lindungi.SchemeP2P})
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || appErr.Type() != tt.wantType {
				t.Errorf("update error = %v, want an application error of type %s", err, tt.wantType)
			}
			jt.env.AssertNotCalled(t, "CompleteTask", mock.Anything, mock.Anything)
		})
	}
}

func TestJourneySecondCompletionIsRejected(t *testing.T) {
	jt := newJourneyTest(t)
	var first, second error
	req := workflows.CompleteTaskRequest{TaskID: jt.task.ID, Outcome: lindungi.OutcomeApproved, Actor: kebumenCaseworker}
	jt.update(time.Hour, req, &first, nil)
	jt.update(2*time.Hour, req, &second, nil)
	jt.env.RegisterDelayedCallback(func() { jt.env.CancelWorkflow() }, 3*time.Hour)
	jt.env.ExecuteWorkflow(workflows.WorkerJourney, workflows.JourneyInput{WorkerID: jt.worker, DomicileUnit: "3305", Scheme: lindungi.SchemeP2P})
	if first != nil {
		t.Errorf("first completion: %v", first)
	}
	var appErr *temporal.ApplicationError
	if !errors.As(second, &appErr) || appErr.Type() != lindungi.ECONFLICT {
		t.Errorf("second completion error = %v, want %s", second, lindungi.ECONFLICT)
	}
}
