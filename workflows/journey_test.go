package workflows_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/workflows"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

var acts *activities.Activities

// journeyTest runs a journey against activities that keep tasks in memory.
type journeyTest struct {
	t        *testing.T
	env      *testsuite.TestWorkflowEnvironment
	worker   uuid.UUID
	steps    []lindungi.Step
	created  []activities.TaskRef
	escalate []uuid.UUID
	cancel   []uuid.UUID
	expiring [][]lindungi.DocType // answers of ExpiringDocuments, in order
	topAt    int                  // escalations after which a task is at the top
	errs     []error              // update errors, in order
	// createTakes is how long, on the workflow's clock, CreateTask takes.
	createTakes time.Duration
	completed   []activities.CompleteTaskInput
	// escalateFails, when set, is the error of the n-th EscalateTask call
	// (from 1), or nil for a call that works.
	escalateFails func(n int) error
	escalations   int                         // EscalateTask calls, failed ones included
	flags         []activities.AttentionInput // FlagAttention calls
	// fileScheme is the scheme WorkerScheme reads from the worker's file
	// ("": none, the journey keeps its own).
	fileScheme lindungi.Scheme
}

func newJourneyTest(t *testing.T) *journeyTest {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	jt := &journeyTest{t: t, env: suite.NewTestWorkflowEnvironment(), worker: uuid.New(), topAt: 4}
	env := jt.env
	env.RegisterActivity(acts)
	env.OnActivity(acts.CreateTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CreateTaskInput) (activities.TaskRef, error) {
			unit := "3305"
			if in.Kind == lindungi.TaskPassportVisa || in.Kind == lindungi.TaskOrientation || in.Kind == lindungi.TaskCheckIn {
				unit = "33"
			}
			ref := activities.TaskRef{ID: lindungi.TaskID(in.WorkflowID, in.Step, in.Kind, in.Attempt), Kind: in.Kind, Step: in.Step,
				Attempt: in.Attempt, Unit: unit, HolderRole: "caseworker", UnitPath: path(unit), Rule: "test",
				DueAt: env.Now().Add(time.Duration(in.DueInWorkingDays) * 24 * time.Hour), Status: lindungi.TaskOpen}
			jt.created = append(jt.created, ref)
			return ref, nil
		}).AfterFn(func() time.Duration { return jt.createTakes })
	env.OnActivity(acts.RecordStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordStepInput) error {
			if in.Seq != len(jt.steps) {
				t.Errorf("step %s has seq %d, want %d", in.Step, in.Seq, len(jt.steps))
			}
			jt.steps = append(jt.steps, in.Step)
			return nil
		})
	env.OnActivity(acts.CompleteTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CompleteTaskInput) (lindungi.Task, error) {
			jt.completed = append(jt.completed, in)
			return lindungi.Task{ID: in.TaskID, Status: lindungi.TaskCompleted, Outcome: in.Outcome}, nil
		})
	env.OnActivity(acts.EscalateTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EscalateInput) (activities.EscalateResult, error) {
			jt.escalations++
			if jt.escalateFails != nil {
				if err := jt.escalateFails(jt.escalations); err != nil {
					return activities.EscalateResult{}, err
				}
			}
			jt.escalate = append(jt.escalate, in.TaskID)
			ref := jt.ref(in.TaskID)
			if ref.Level >= jt.topAt {
				ref.AtTop = true
				return activities.EscalateResult{Task: ref, AtTop: true}, nil
			}
			ref.Level++
			ref.Unit, ref.UnitPath = "33", path("33")
			ref.DueAt = env.Now().Add(48 * time.Hour)
			jt.update(ref)
			return activities.EscalateResult{Task: ref}, nil
		})
	env.OnActivity(acts.ExtendDeadline, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ExtendInput) (activities.TaskRef, error) {
			ref := jt.ref(in.TaskID)
			ref.DueAt = ref.DueAt.Add(time.Duration(in.WorkingDays) * 24 * time.Hour)
			jt.update(ref)
			return ref, nil
		})
	env.OnActivity(acts.ReassignTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReassignInput) (activities.TaskRef, error) {
			ref := jt.ref(in.TaskID)
			ref.Unit, ref.UnitPath = in.Unit, path(in.Unit)
			jt.update(ref)
			return ref, nil
		})
	env.OnActivity(acts.CancelTask, mock.Anything, mock.Anything, mock.Anything).Return(
		func(_ context.Context, id uuid.UUID, reason string) error {
			jt.cancel = append(jt.cancel, id)
			return nil
		})
	env.OnActivity(acts.ExpiringDocuments, mock.Anything, mock.Anything, mock.Anything).Return(
		func(context.Context, uuid.UUID, time.Time) ([]lindungi.DocType, error) {
			if len(jt.expiring) == 0 {
				return nil, nil
			}
			next := jt.expiring[0]
			jt.expiring = jt.expiring[1:]
			return next, nil
		})
	env.OnActivity(acts.RecordJourneyEvent, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(acts.FlagAttention, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AttentionInput) error {
			jt.flags = append(jt.flags, in)
			return nil
		})
	env.OnActivity(acts.WorkerScheme, mock.Anything, mock.Anything).Return(
		func(context.Context, uuid.UUID) (lindungi.Scheme, error) { return jt.fileScheme, nil })
	env.OnActivity(acts.ContractEnd, mock.Anything, mock.Anything).Return(
		func(context.Context, uuid.UUID) (time.Time, error) { return env.Now().Add(400 * 24 * time.Hour), nil })
	return jt
}

func path(unit string) []string {
	if unit == "33" {
		return []string{"33", "ID"}
	}
	return []string{unit, "33", "ID"}
}

func (jt *journeyTest) ref(id uuid.UUID) activities.TaskRef {
	for i := len(jt.created) - 1; i >= 0; i-- {
		if jt.created[i].ID == id {
			return jt.created[i]
		}
	}
	jt.t.Fatalf("no task %s", id)
	return activities.TaskRef{}
}

func (jt *journeyTest) update(ref activities.TaskRef) { jt.created = append(jt.created, ref) }

func (jt *journeyTest) state() workflows.JourneyState {
	jt.t.Helper()
	v, err := jt.env.QueryWorkflow(workflows.QueryState)
	if err != nil {
		jt.t.Fatal(err)
	}
	var s workflows.JourneyState
	if err := v.Get(&s); err != nil {
		jt.t.Fatal(err)
	}
	return s
}

// open returns the open task of kind in the journey's state.
func (jt *journeyTest) open(kind lindungi.TaskKind) (activities.TaskRef, bool) {
	for _, t := range jt.state().Tasks {
		if t.Kind == kind && t.Status == lindungi.TaskOpen {
			return t.TaskRef, true
		}
	}
	return activities.TaskRef{}, false
}

var kebumenCaseworker = activities.Actor{Subject: "cw-kebumen", Unit: "3305", Role: "caseworker"}
var provinceOfficer = activities.Actor{Subject: "bp3mi", Unit: "33", Role: "bp3mi_officer"}

// send runs an update and records its error.
func (jt *journeyTest) send(name string, arg any) {
	jt.env.UpdateWorkflow(name, uuid.NewString(), &testsuite.TestUpdateCallback{
		OnReject:   func(err error) { jt.errs = append(jt.errs, err) },
		OnAccept:   func() {},
		OnComplete: func(_ interface{}, err error) { jt.errs = append(jt.errs, err) },
	}, arg)
}

// complete completes the open task of kind with outcome.
func (jt *journeyTest) complete(kind lindungi.TaskKind, outcome lindungi.Outcome) {
	jt.t.Helper()
	t, ok := jt.open(kind)
	if !ok {
		jt.t.Errorf("no open %s task; state %+v", kind, jt.state())
		return
	}
	actor := kebumenCaseworker
	if t.Unit == "33" {
		actor = provinceOfficer
	}
	jt.send(workflows.UpdateCompleteTask, workflows.CompleteTaskRequest{TaskID: t.ID, Outcome: outcome, Actor: actor})
}

// script runs actions one simulated hour apart.
func (jt *journeyTest) script(actions ...func()) {
	for i, act := range actions {
		jt.env.RegisterDelayedCallback(act, time.Duration(i+1)*time.Hour)
	}
}

func (jt *journeyTest) run(in workflows.JourneyInput) workflows.JourneyState {
	jt.t.Helper()
	if in.WorkerID == uuid.Nil {
		in.WorkerID = jt.worker
	}
	if in.DomicileUnit == "" {
		in.DomicileUnit = "3305"
	}
	jt.env.ExecuteWorkflow(workflows.WorkerJourney, in)
	if !jt.env.IsWorkflowCompleted() {
		jt.t.Fatal("the journey did not finish")
	}
	var s workflows.JourneyState
	if err := jt.env.GetWorkflowError(); err != nil {
		var can *workflow.ContinueAsNewError
		if !errors.As(err, &can) {
			jt.t.Fatalf("journey failed: %v", err)
		}
		var next workflows.JourneyInput
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
			jt.t.Fatal(err)
		}
		return *next.Resume
	}
	if err := jt.env.GetWorkflowResult(&s); err != nil {
		jt.t.Fatal(err)
	}
	return s
}

func (jt *journeyTest) noUpdateErrors() {
	jt.t.Helper()
	for _, err := range jt.errs {
		if err != nil {
			jt.t.Errorf("update error: %v", err)
		}
	}
}

func steps(s ...lindungi.Step) []lindungi.Step { return s }

func TestApprovedVerificationMovesToTraining(t *testing.T) {
	jt := newJourneyTest(t)
	jt.script(
		func() { jt.complete(lindungi.TaskVerifyRegistration, lindungi.OutcomeApproved) },
		func() {
			if s := jt.state(); s.Step != lindungi.StepTraining {
				t.Errorf("step = %s, want TRAINING", s.Step)
			}
			jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Reason: "test over", Actor: kebumenCaseworker})
		},
	)
	s := jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P})
	jt.noUpdateErrors()
	want := steps(lindungi.StepRegistered, lindungi.StepVerified, lindungi.StepTraining, lindungi.StepClosed)
	if diff := cmp.Diff(want, jt.steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if s.Reason != "test over" || len(jt.cancel) != 1 {
		t.Errorf("closed with %q and %d cancelled tasks, want the supervisor's reason and the training task cancelled", s.Reason, len(jt.cancel))
	}
}

func TestRejectedVerificationCloses(t *testing.T) {
	jt := newJourneyTest(t)
	jt.script(func() { jt.complete(lindungi.TaskVerifyRegistration, lindungi.OutcomeRejected) })
	s := jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeG2G})
	jt.noUpdateErrors()
	if s.Step != lindungi.StepClosed || s.Reason != "verification rejected" {
		t.Errorf("result = %s %q, want CLOSED because verification rejected", s.Step, s.Reason)
	}
}

func TestCorrectionLoop(t *testing.T) {
	jt := newJourneyTest(t)
	jt.script(
		func() { jt.complete(lindungi.TaskVerifyRegistration, lindungi.OutcomeNeedsCorrection) },
		func() { jt.complete(lindungi.TaskCorrection, lindungi.OutcomeApproved) },
		func() {
			v, ok := jt.open(lindungi.TaskVerifyRegistration)
			if !ok || v.Attempt != 1 {
				t.Errorf("after the correction: verification task %+v (open %v), want attempt 1", v, ok)
			}
			jt.complete(lindungi.TaskVerifyRegistration, lindungi.OutcomeApproved)
		},
		func() {
			jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Reason: "done", Actor: kebumenCaseworker})
		},
	)
	jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P})
	jt.noUpdateErrors()
	var kinds []string
	for _, c := range jt.created {
		kinds = append(kinds, string(c.Kind))
	}
	want := []string{"VERIFY_REGISTRATION", "CORRECTION", "VERIFY_REGISTRATION", "RECORD_TRAINING"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("tasks created (-want +got):\n%s", diff)
	}
}

func TestInvalidCompletionsAreRejected(t *testing.T) {
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
		{"a delegation lends the authority", func(id uuid.UUID) workflows.CompleteTaskRequest {
			return workflows.CompleteTaskRequest{TaskID: id, Outcome: "maybe",
				Actor: activities.Actor{Subject: "cw-cilacap", Unit: "3301", Role: "caseworker", ActingFor: "3305"}}
		}, lindungi.EINVALID},
		{"unknown outcome", func(id uuid.UUID) workflows.CompleteTaskRequest {
			return workflows.CompleteTaskRequest{TaskID: id, Outcome: "maybe", Actor: kebumenCaseworker}
		}, lindungi.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jt := newJourneyTest(t)
			jt.script(
				func() {
					v, _ := jt.open(lindungi.TaskVerifyRegistration)
					jt.send(workflows.UpdateCompleteTask, tt.req(v.ID))
				},
				func() {
					if s := jt.state(); s.Step != lindungi.StepRegistered {
						t.Errorf("state after a rejected update = %s, want REGISTERED", s.Step)
					}
					if _, ok := jt.open(lindungi.TaskVerifyRegistration); !ok {
						t.Error("the task is no longer open after a rejected update")
					}
					jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Actor: kebumenCaseworker})
				},
			)
			jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P})
			var appErr *temporal.ApplicationError
			if len(jt.errs) == 0 || !errors.As(jt.errs[0], &appErr) || appErr.Type() != tt.wantType {
				t.Errorf("update errors = %v, want an application error of type %s first", jt.errs, tt.wantType)
			}
			jt.env.AssertNotCalled(t, "CompleteTask", mock.Anything, mock.Anything)
		})
	}
}

// TestCompletionWhileTaskIsCreated sends completions while the activity
// creating the task has not answered (its row is visible to the API by
// then): they wait for it instead of being told the task is unknown, and
// are then checked like any other.
func TestCompletionWhileTaskIsCreated(t *testing.T) {
	jt := newJourneyTest(t)
	jt.createTakes = 2 * time.Hour
	cilacap := activities.Actor{Subject: "cw-cilacap", Unit: "3301", Role: "caseworker"}
	jt.script(
		func() {
			s := jt.state()
			if len(s.Tasks) != 1 || !s.Tasks[0].Pending || s.Tasks[0].Kind != lindungi.TaskVerifyRegistration {
				t.Fatalf("tasks while the verification task is created: %+v, want it pending", s.Tasks)
			}
			id := s.Tasks[0].ID
			jt.send(workflows.UpdateCompleteTask, workflows.CompleteTaskRequest{TaskID: id, Outcome: lindungi.OutcomeApproved, Actor: cilacap})
			jt.send(workflows.UpdateCompleteTask, workflows.CompleteTaskRequest{TaskID: id, Outcome: lindungi.OutcomeApproved, Actor: kebumenCaseworker})
		},
		func() {},
		func() {},
		func() {
			if s := jt.state(); s.Step != lindungi.StepTraining {
				t.Errorf("step = %s, want TRAINING", s.Step)
			}
			jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Actor: kebumenCaseworker})
		},
	)
	jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P})
	// Another district is refused once the task exists: because the task
	// is not its unit's, or because Kebumen's completion took it first.
	var refused []string
	for _, err := range jt.errs {
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) {
			refused = append(refused, appErr.Type())
		} else if err != nil {
			t.Errorf("update error %v, want only refusals", err)
		}
	}
	if len(jt.errs) != 3 || len(refused) != 1 || (refused[0] != lindungi.EFORBIDDEN && refused[0] != lindungi.ECONFLICT) {
		t.Errorf("update errors = %v, want one refusal and two successes (the completion and the close)", jt.errs)
	}
	want := []activities.CompleteTaskInput{{TaskID: jt.created[0].ID, Outcome: lindungi.OutcomeApproved, Actor: kebumenCaseworker,
		WorkerID: jt.worker, Step: lindungi.StepRegistered, Kind: lindungi.TaskVerifyRegistration}}
	if diff := cmp.Diff(want, jt.completed); diff != "" {
		t.Errorf("completions written (-want +got):\n%s", diff)
	}
	wantSteps := steps(lindungi.StepRegistered, lindungi.StepVerified, lindungi.StepTraining, lindungi.StepClosed)
	if diff := cmp.Diff(wantSteps, jt.steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestSecondCompletionIsRejected(t *testing.T) {
	jt := newJourneyTest(t)
	var id uuid.UUID
	jt.script(
		func() {
			v, _ := jt.open(lindungi.TaskVerifyRegistration)
			id = v.ID
			jt.send(workflows.UpdateCompleteTask, workflows.CompleteTaskRequest{TaskID: id, Outcome: lindungi.OutcomeApproved, Actor: kebumenCaseworker})
		},
		func() {
			jt.send(workflows.UpdateCompleteTask, workflows.CompleteTaskRequest{TaskID: id, Outcome: lindungi.OutcomeApproved, Actor: kebumenCaseworker})
		},
		func() { jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Actor: kebumenCaseworker}) },
	)
	jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P})
	var appErr *temporal.ApplicationError
	if len(jt.errs) < 2 || jt.errs[0] != nil || !errors.As(jt.errs[1], &appErr) || (appErr.Type() != lindungi.ECONFLICT && appErr.Type() != lindungi.ENOTFOUND) {
		t.Errorf("update errors = %v, want success then a conflict", jt.errs)
	}
}

// TestIgnoredTaskEscalatesUpTheChain lets every deadline pass: the task
// escalates at each one until the top, then waits there.
func TestIgnoredTaskEscalatesUpTheChain(t *testing.T) {
	jt := newJourneyTest(t)
	jt.topAt = 3
	jt.env.RegisterDelayedCallback(func() {
		v, ok := jt.open(lindungi.TaskVerifyRegistration)
		if !ok || v.Level != 3 || !v.AtTop {
			t.Errorf("after 60 days the task is %+v, want level 3 at the top", v)
		}
		jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Reason: "never verified", Actor: kebumenCaseworker})
	}, 60*24*time.Hour)
	jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P})
	jt.noUpdateErrors()
	// Deadlines at 2, 4, 6 days escalate to levels 1..3; at 8 days the
	// escalation finds the top; nothing after that.
	if len(jt.escalate) != 4 {
		t.Errorf("%d escalations, want 4 (three moves and the top)", len(jt.escalate))
	}
}

// TestHandActions escalates, reassigns and extends by hand.
func TestHandActions(t *testing.T) {
	jt := newJourneyTest(t)
	var id uuid.UUID
	jt.script(
		func() {
			v, _ := jt.open(lindungi.TaskVerifyRegistration)
			id = v.ID
			jt.send(workflows.UpdateExtendDeadline, workflows.TaskActionRequest{TaskID: id, WorkingDays: 10, Reason: "waiting for KK", Actor: kebumenCaseworker})
		},
		func() {
			jt.send(workflows.UpdateExtendDeadline, workflows.TaskActionRequest{TaskID: id, WorkingDays: 0, Reason: "x", Actor: kebumenCaseworker})
		},
		func() {
			jt.send(workflows.UpdateReassignTask, workflows.TaskActionRequest{TaskID: id, Unit: "3301", Reason: "LTSA Cilacap", Actor: kebumenCaseworker})
		},
		func() {
			jt.send(workflows.UpdateEscalateTask, workflows.TaskActionRequest{TaskID: id, Reason: "risk of trafficking", Actor: kebumenCaseworker})
		},
		func() {
			v, _ := jt.open(lindungi.TaskVerifyRegistration)
			if v.Level != 1 || v.Unit != "33" {
				t.Errorf("after the hand escalation: %+v, want level 1 at 33", v)
			}
			jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Actor: kebumenCaseworker})
		},
	)
	jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P})
	if len(jt.errs) != 5 || jt.errs[0] != nil || jt.errs[1] == nil || jt.errs[2] != nil || jt.errs[3] != nil || jt.errs[4] != nil {
		t.Errorf("update errors = %v, want only the zero-day extension refused", jt.errs)
	}
	// The extension moved the deadline past the 5 hours the script took:
	// no automatic escalation happened.
	if len(jt.escalate) != 1 {
		t.Errorf("%d escalations, want only the one by hand", len(jt.escalate))
	}
}

// completeAll approves each step's task as it appears, one simulated hour
// apart, for the given steps.
func (jt *journeyTest) completeAll(kinds ...lindungi.TaskKind) []func() {
	var out []func()
	for _, k := range kinds {
		out = append(out, func() { jt.complete(k, lindungi.OutcomeApproved) })
	}
	return out
}

// TestBeforeDeparturePaths walks each scheme's path to departure and checks
// the journey continues as new when the worker goes abroad.
func TestBeforeDeparturePaths(t *testing.T) {
	common := []lindungi.TaskKind{lindungi.TaskVerifyRegistration, lindungi.TaskRecordTraining, lindungi.TaskMedicalCheck}
	after := []lindungi.TaskKind{lindungi.TaskSocialSecurity, lindungi.TaskPassportVisa, lindungi.TaskWorkContract,
		lindungi.TaskOrientation, lindungi.TaskConfirmDeparture}
	for _, tt := range []struct {
		scheme    lindungi.Scheme
		placement bool
	}{{lindungi.SchemeP2P, true}, {lindungi.SchemeG2G, true}, {lindungi.SchemeMandiri, false}} {
		t.Run(string(tt.scheme), func(t *testing.T) {
			jt := newJourneyTest(t)
			kinds := slices.Clone(common)
			if tt.placement {
				kinds = append(kinds, lindungi.TaskPlacementAgreement)
			}
			kinds = append(kinds, after...)
			jt.script(jt.completeAll(kinds...)...)
			s := jt.run(workflows.JourneyInput{Scheme: tt.scheme})
			jt.noUpdateErrors()
			if s.Step != lindungi.StepAbroad {
				t.Fatalf("continued as new at %s, want ABROAD", s.Step)
			}
			hasPlacement := slices.Contains(jt.steps, lindungi.StepPlacementAgreement)
			if hasPlacement != tt.placement {
				t.Errorf("steps %v: placement agreement %v, want %v", jt.steps, hasPlacement, tt.placement)
			}
			if last := jt.steps[len(jt.steps)-1]; last != lindungi.StepAbroad {
				t.Errorf("last step %s, want ABROAD", last)
			}
		})
	}
}

// TestCorrectedSchemeChoosesThePath: a P2P journey whose worker's scheme
// was corrected to MANDIRI before the medical check reads the file's
// scheme when the check is approved, and skips the placement agreement.
func TestCorrectedSchemeChoosesThePath(t *testing.T) {
	jt := newJourneyTest(t)
	jt.fileScheme = lindungi.SchemeMandiri
	jt.script(append(jt.completeAll(lindungi.TaskVerifyRegistration, lindungi.TaskRecordTraining, lindungi.TaskMedicalCheck),
		func() {
			jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Reason: "test over", Actor: kebumenCaseworker})
		})...)
	s := jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P})
	jt.noUpdateErrors()
	want := steps(lindungi.StepRegistered, lindungi.StepVerified, lindungi.StepTraining, lindungi.StepMedical,
		lindungi.StepSocialSecurity, lindungi.StepClosed)
	if diff := cmp.Diff(want, jt.steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if s.Scheme != lindungi.SchemeMandiri {
		t.Errorf("the journey's scheme is %s, want the corrected MANDIRI", s.Scheme)
	}
}

// TestRenewalBeforeDeparture raises a renewal task when the passport
// expires within six months of departure.
func TestRenewalBeforeDeparture(t *testing.T) {
	jt := newJourneyTest(t)
	jt.expiring = [][]lindungi.DocType{{lindungi.DocPassport}}
	state := &workflows.JourneyState{WorkerID: jt.worker, DomicileUnit: "3305", Scheme: lindungi.SchemeG2G, Risk: "normal",
		Step: lindungi.StepOrientation, Seq: 9}
	jt.steps = make([]lindungi.Step, 10)
	jt.script(
		func() { jt.complete(lindungi.TaskRenewDocuments, lindungi.OutcomeApproved) },
		func() { jt.complete(lindungi.TaskOrientation, lindungi.OutcomeApproved) },
		func() { jt.complete(lindungi.TaskConfirmDeparture, lindungi.OutcomeApproved) },
	)
	s := jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeG2G, Resume: state})
	jt.noUpdateErrors()
	if s.Step != lindungi.StepAbroad {
		t.Errorf("step %s, want ABROAD", s.Step)
	}
	if jt.created[0].Kind != lindungi.TaskRenewDocuments {
		t.Errorf("first task %s, want RENEW_DOCUMENTS", jt.created[0].Kind)
	}
}

// TestAbroadAndReturn follows a worker abroad: check-ins every six months,
// a contract extension, a return, rehabilitation with consent, and closure.
func TestAbroadAndReturn(t *testing.T) {
	jt := newJourneyTest(t)
	start := jt.env.Now()
	state := &workflows.JourneyState{WorkerID: jt.worker, DomicileUnit: "3305", Scheme: lindungi.SchemeP2P, Risk: "normal",
		Step: lindungi.StepAbroad, Seq: 12}
	jt.steps = make([]lindungi.Step, 13)
	jt.env.RegisterDelayedCallback(func() {
		s := jt.state()
		if s.CheckIns != 2 {
			t.Errorf("after a year abroad: %d check-ins, want 2", s.CheckIns)
		}
		jt.send(workflows.UpdateExtendContract, workflows.JourneyRequest{At: start.Add(500 * 24 * time.Hour), Actor: provinceOfficer})
	}, 370*24*time.Hour)
	jt.env.RegisterDelayedCallback(func() {
		if _, ok := jt.open(lindungi.TaskContractEnd); !ok {
			t.Error("no contract-end task at the extended end")
		}
		jt.send(workflows.UpdateRecordReturn, workflows.JourneyRequest{Actor: provinceOfficer})
	}, 505*24*time.Hour)
	s := jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P, Resume: state})
	jt.noUpdateErrors()
	if s.Step != lindungi.StepReturned || s.ArrivedAt.IsZero() {
		t.Fatalf("continued as new at %s (arrived %v), want RETURNED with an arrival", s.Step, s.ArrivedAt)
	}
	var contractEnds int
	for _, c := range jt.created {
		if c.Kind == lindungi.TaskContractEnd {
			contractEnds++
		}
	}
	if contractEnds != 1 {
		t.Errorf("%d contract-end tasks, want one at the extended end (none at the first end)", contractEnds)
	}

	// After return: rehabilitation needs consent and the year; then closure.
	after := newJourneyTest(t)
	after.worker = jt.worker
	after.steps = make([]lindungi.Step, 14)
	s.Seq = 13
	after.script(
		func() {
			after.send(workflows.UpdateRequestRehabilitation, workflows.JourneyRequest{FamilyConsent: false, Actor: provinceOfficer})
		},
		func() {
			after.send(workflows.UpdateRequestRehabilitation, workflows.JourneyRequest{FamilyConsent: true, Actor: provinceOfficer})
		},
		func() { after.complete(lindungi.TaskRecordReturn, lindungi.OutcomeApproved) },
		func() { after.complete(lindungi.TaskRehabilitation, lindungi.OutcomeApproved) },
		func() { after.complete(lindungi.TaskReintegration, lindungi.OutcomeApproved) },
	)
	final := after.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P, Resume: &s})
	if len(after.errs) != 5 || after.errs[0] == nil || after.errs[1] != nil {
		t.Errorf("update errors %v, want the request without consent refused and the rest accepted", after.errs)
	}
	want := steps(lindungi.StepRehabilitation, lindungi.StepReintegration, lindungi.StepClosed)
	if diff := cmp.Diff(want, after.steps[14:]); diff != "" {
		t.Errorf("steps after return (-want +got):\n%s", diff)
	}
	if final.Reason != "reintegration completed" {
		t.Errorf("closed because %q, want reintegration completed", final.Reason)
	}
}

func TestRehabilitationOnlyWithinAYear(t *testing.T) {
	jt := newJourneyTest(t)
	state := &workflows.JourneyState{WorkerID: jt.worker, DomicileUnit: "3305", Scheme: lindungi.SchemeP2P, Risk: "normal",
		Step: lindungi.StepReturned, Seq: 13, ArrivedAt: jt.env.Now().Add(-400 * 24 * time.Hour)}
	jt.steps = make([]lindungi.Step, 14)
	jt.script(
		func() {
			jt.send(workflows.UpdateRequestRehabilitation, workflows.JourneyRequest{FamilyConsent: true, Actor: provinceOfficer})
		},
		func() { jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Actor: provinceOfficer}) },
	)
	jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P, Resume: state})
	var appErr *temporal.ApplicationError
	if len(jt.errs) == 0 || !errors.As(jt.errs[0], &appErr) || appErr.Type() != lindungi.EINVALID {
		t.Errorf("update errors %v, want the late request refused as invalid", jt.errs)
	}
}

// TestEntryAtOutreach starts at outreach; the follow-up leads to registration.
func TestEntryAtOutreach(t *testing.T) {
	jt := newJourneyTest(t)
	jt.script(
		func() { jt.complete(lindungi.TaskOutreachFollowUp, lindungi.OutcomeApproved) },
		func() { jt.complete(lindungi.TaskVerifyRegistration, lindungi.OutcomeRejected) },
	)
	s := jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeMandiri, Entry: lindungi.StepOutreach})
	jt.noUpdateErrors()
	want := steps(lindungi.StepOutreach, lindungi.StepRegistered, lindungi.StepClosed)
	if diff := cmp.Diff(want, jt.steps); diff != "" || s.Reason != "verification rejected" {
		t.Errorf("steps (-want +got):\n%s reason %q", diff, s.Reason)
	}
}

// TestComplaintRepatriationReturnsWorker uses the complaint hook.
func TestComplaintRepatriationReturnsWorker(t *testing.T) {
	jt := newJourneyTest(t)
	state := &workflows.JourneyState{WorkerID: jt.worker, DomicileUnit: "3305", Scheme: lindungi.SchemeP2P, Risk: "normal",
		Step: lindungi.StepAbroad, Seq: 12}
	jt.steps = make([]lindungi.Step, 13)
	jt.env.RegisterDelayedCallback(func() {
		jt.env.SignalWorkflow(workflows.SignalComplaint, workflows.Complaint{CaseID: "case-1"})
	}, time.Hour)
	jt.env.RegisterDelayedCallback(func() {
		if s := jt.state(); s.Step != lindungi.StepAbroad || len(s.Cases) != 1 {
			t.Errorf("after a complaint: %s with cases %v, want still ABROAD with the case", s.Step, s.Cases)
		}
		jt.env.SignalWorkflow(workflows.SignalComplaint, workflows.Complaint{CaseID: "case-1", Repatriation: true})
	}, 2*time.Hour)
	s := jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P, Resume: state})
	if s.Step != lindungi.StepReturned {
		t.Errorf("after repatriation: %s, want RETURNED", s.Step)
	}
}
