package workflows_test

import (
	"context"
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
	"go.temporal.io/sdk/testsuite"
)

// caseTest runs a case against activities that record what they are asked.
type caseTest struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	tasks   []activities.TaskRef
	actions []activities.CaseChange      // kinds of CaseAction, in order
	changes []activities.CaseActionInput // the CaseAction inputs, in order
	closed  string
	errs    []error
	inputs  []activities.CreateTaskInput
	// createTakes is how long, on the workflow's clock, CreateTask takes.
	createTakes time.Duration
	// escalateErr, when set, is the error of every EscalateTask call.
	escalateErr error
	escalations int
	flags       []activities.AttentionInput
}

func newCaseTest(t *testing.T, handlingDays int) *caseTest {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	ct := &caseTest{t: t, env: suite.NewTestWorkflowEnvironment()}
	env := ct.env
	env.RegisterActivity(acts)
	env.OnActivity(acts.CreateTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CreateTaskInput) (activities.TaskRef, error) {
			ct.inputs = append(ct.inputs, in)
			days := in.DueInWorkingDays
			if in.Kind == lindungi.TaskCaseHandling {
				days = handlingDays
			}
			ref := activities.TaskRef{ID: lindungi.TaskID(in.WorkflowID, in.Step, in.Kind, in.Attempt), Kind: in.Kind, Step: in.Step,
				Attempt: in.Attempt, Unit: in.DomicileUnit, HolderRole: "caseworker", UnitPath: []string{in.DomicileUnit, "33", "ID"},
				DueAt: env.Now().Add(time.Duration(days) * 24 * time.Hour), Status: lindungi.TaskOpen, Subject: in.Subject}
			ct.tasks = append(ct.tasks, ref)
			return ref, nil
		}).AfterFn(func() time.Duration { return ct.createTakes })
	env.OnActivity(acts.CaseAction, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CaseActionInput) (activities.CaseActionResult, error) {
			ct.actions = append(ct.actions, in.Kind)
			ct.changes = append(ct.changes, in)
			if in.Kind == activities.ChangeClose {
				ct.closed = in.Reason
			}
			return activities.CaseActionResult{ID: uuid.New()}, nil
		})
	env.OnActivity(acts.WorkingDeadline, mock.Anything, mock.Anything, mock.Anything).Return(
		func(_ context.Context, from time.Time, n int) (time.Time, error) {
			return from.Add(time.Duration(n) * 24 * time.Hour * 7 / 5), nil
		})
	env.OnActivity(acts.EscalateTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EscalateInput) (activities.EscalateResult, error) {
			ct.escalations++
			if ct.escalateErr != nil {
				return activities.EscalateResult{}, ct.escalateErr
			}
			for _, t := range ct.tasks {
				if t.ID == in.TaskID {
					t.Level++
					t.Unit, t.UnitPath = "33", []string{"33", "ID"}
					t.DueAt = env.Now().Add(100 * 24 * time.Hour)
					return activities.EscalateResult{Task: t}, nil
				}
			}
			return activities.EscalateResult{}, nil
		})
	env.OnActivity(acts.CompleteTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CompleteTaskInput) (lindungi.Task, error) {
			return lindungi.Task{ID: in.TaskID, Status: lindungi.TaskCompleted, Outcome: in.Outcome}, nil
		})
	env.OnActivity(acts.CancelTask, mock.Anything, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(acts.FlagAttention, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AttentionInput) error {
			ct.flags = append(ct.flags, in)
			return nil
		})
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, workflows.SignalComplaint, mock.Anything).Return(nil)
	env.OnActivity(acts.ReassignTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReassignInput) (activities.TaskRef, error) {
			return activities.TaskRef{ID: in.TaskID, Kind: lindungi.TaskCaseHandling, Unit: in.Unit, Status: lindungi.TaskOpen}, nil
		})
	return ct
}

func (ct *caseTest) state() workflows.CaseState {
	v, err := ct.env.QueryWorkflow(workflows.QueryCaseState)
	if err != nil {
		ct.t.Fatal(err)
	}
	var s workflows.CaseState
	v.Get(&s)
	return s
}

func (ct *caseTest) send(name string, arg any) {
	ct.env.UpdateWorkflow(name, uuid.NewString(), &testsuite.TestUpdateCallback{
		OnReject: func(err error) { ct.errs = append(ct.errs, err) }, OnAccept: func() {},
		OnComplete: func(_ interface{}, err error) { ct.errs = append(ct.errs, err) },
	}, arg)
}

var supervisor33 = activities.Actor{Subject: "kepala-seksi", Unit: "33", Role: "province_supervisor"}

// decide approves (or rejects) the open closure proposal.
func (ct *caseTest) decide(outcome lindungi.Outcome) {
	s := ct.state()
	for _, t := range s.Tasks {
		if t.Kind == lindungi.TaskClosureApproval && t.Status == lindungi.TaskOpen {
			ct.send(workflows.UpdateCompleteTask, workflows.CompleteTaskRequest{TaskID: t.ID, Outcome: outcome,
				Note: "keputusan pengawas", Actor: supervisor33})
			return
		}
	}
	ct.t.Errorf("no closure proposal is open; proposal %q", s.Proposal)
}

func (ct *caseTest) run(highRisk bool) {
	ct.env.ExecuteWorkflow(workflows.ProtectionCase, workflows.CaseInput{CaseID: uuid.New(), WorkerID: uuid.New(), IntakeUnit: "3329", HighRisk: highRisk})
}

// TestClosureRules lets each art. 30 rule hold and sees it propose closure,
// which a supervisor approves.
func TestClosureRules(t *testing.T) {
	caseworker := activities.Actor{Subject: "cw", Unit: "3329", Role: "caseworker"}
	act := func(a string) workflows.CaseActionRequest {
		return workflows.CaseActionRequest{Action: a, Actor: caseworker, Consent: true}
	}
	tests := []struct {
		name    string
		actions []workflows.CaseActionRequest // one simulated hour apart, from the start
		decide  time.Duration                 // when the proposal is decided
		want    string
	}{
		{"a: documents incomplete after 30 days", nil, 31 * 24 * time.Hour, workflows.ClosureIncomplete},
		{"b: information unclear 15 working days after the request",
			[]workflows.CaseActionRequest{act(workflows.ActVerify), act(workflows.ActRequestInfo)}, 22 * 24 * time.Hour, workflows.ClosureUnclear},
		{"c: unreachable for 60 days", []workflows.CaseActionRequest{act(workflows.ActVerify)}, 61 * 24 * time.Hour, workflows.ClosureUnreachable},
		{"d: handed to another agency", []workflows.CaseActionRequest{act(workflows.ActVerify),
			{Action: workflows.ActRefer, ToAgency: "Polda Jawa Tengah", Consent: true, Actor: caseworker}}, 3 * time.Hour, workflows.ClosureHandedOver},
		{"e: no response six months after being told", []workflows.CaseActionRequest{act(workflows.ActVerify), act(workflows.ActToldUnresolvable)}, // Contact before the telling resets nothing after it.
			59 * 24 * time.Hour, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := newCaseTest(t, 1000) // a handling deadline far away: only the rule fires
			for i, a := range tt.actions {
				ct.env.RegisterDelayedCallback(func() { ct.send(workflows.UpdateCaseAction, a) }, time.Duration(i+1)*time.Hour)
			}
			ct.env.RegisterDelayedCallback(func() {
				if tt.want == "" {
					if p := ct.state().Proposal; p != "" {
						t.Errorf("proposal %q before the rule holds", p)
					}
					ct.env.CancelWorkflow()
					return
				}
				if p := ct.state().Proposal; p != tt.want {
					t.Errorf("proposal = %q, want %q", p, tt.want)
				}
				ct.decide(lindungi.OutcomeApproved)
			}, tt.decide)
			ct.env.RegisterDelayedCallback(func() {
				if tt.want != "" && ct.state().Step != lindungi.CaseClosed {
					t.Errorf("after approval the case is %s, want CLOSED", ct.state().Step)
				}
				ct.env.CancelWorkflow()
			}, tt.decide+time.Hour)
			ct.run(false)
			if tt.want != "" && ct.closed != tt.want {
				t.Errorf("closed because %q, want %q", ct.closed, tt.want)
			}
		})
	}
}

// TestNoResponseAfterBeingTold: a supervisor rejects the proposals of art.
// 30c (unreachable) as they come, and six months after the complainant was
// told the case cannot be resolved, art. 30e holds.
func TestNoResponseAfterBeingTold(t *testing.T) {
	ct := newCaseTest(t, 1000)
	caseworker := activities.Actor{Subject: "cw", Unit: "3329", Role: "caseworker"}
	ct.env.RegisterDelayedCallback(func() {
		ct.send(workflows.UpdateCaseAction, workflows.CaseActionRequest{Action: workflows.ActVerify, Actor: caseworker})
		ct.send(workflows.UpdateCaseAction, workflows.CaseActionRequest{Action: workflows.ActToldUnresolvable, Actor: caseworker})
	}, time.Hour)
	for _, day := range []int{61, 122, 183} {
		ct.env.RegisterDelayedCallback(func() {
			if p := ct.state().Proposal; p != workflows.ClosureUnreachable {
				t.Errorf("day %d: proposal %q, want art. 30c", day, p)
			}
			ct.decide(lindungi.OutcomeRejected)
		}, time.Duration(day)*24*time.Hour)
	}
	ct.env.RegisterDelayedCallback(func() {
		if p := ct.state().Proposal; p != workflows.ClosureNoResponse {
			t.Errorf("proposal = %q, want art. 30e", p)
		}
		ct.decide(lindungi.OutcomeApproved)
	}, 185*24*time.Hour)
	ct.env.RegisterDelayedCallback(func() { ct.env.CancelWorkflow() }, 186*24*time.Hour)
	ct.run(false)
	if ct.closed != workflows.ClosureNoResponse {
		t.Errorf("closed because %q, want art. 30e", ct.closed)
	}
	for _, err := range ct.errs {
		if err != nil {
			t.Errorf("update error: %v", err)
		}
	}
}

// TestHandlingDeadlineEscalates: the handling task's deadline passes and
// the case goes up with it.
func TestHandlingDeadlineEscalates(t *testing.T) {
	ct := newCaseTest(t, 14)
	ct.env.RegisterDelayedCallback(func() {
		s := ct.state()
		if s.OwnerUnit != "33" {
			t.Errorf("after the deadline the case is owned by %s, want 33", s.OwnerUnit)
		}
		ct.env.CancelWorkflow()
	}, 20*24*time.Hour)
	ct.run(false)
	owners := 0
	for _, a := range ct.actions {
		if a == activities.ChangeOwner {
			owners++
		}
	}
	if owners != 1 {
		t.Errorf("%d owner changes, want one (the escalation)", owners)
	}
}

// TestEscalateWhileHandlingTaskIsCreated: a supervisor escalates a case
// whose handling task is still being created; the escalation waits for it
// instead of being refused, and the case goes up with the task.
func TestEscalateWhileHandlingTaskIsCreated(t *testing.T) {
	ct := newCaseTest(t, 1000)
	ct.createTakes = 2 * time.Hour
	ct.env.RegisterDelayedCallback(func() {
		if s := ct.state(); len(s.Tasks) != 1 || !s.Tasks[0].Pending {
			t.Errorf("tasks while the handling task is created: %+v, want it pending", s.Tasks)
		}
		ct.send(workflows.UpdateCaseAction, workflows.CaseActionRequest{Action: workflows.ActEscalate, Reason: "indikasi TPPO", Actor: supervisor33})
	}, time.Hour)
	ct.env.RegisterDelayedCallback(func() {
		if s := ct.state(); s.OwnerUnit != "33" || len(s.Tasks) != 1 || s.Tasks[0].Level != 1 {
			t.Errorf("after the escalation: owner %s, tasks %+v; want 33 with the handling task at level 1", s.OwnerUnit, s.Tasks)
		}
		ct.env.CancelWorkflow()
	}, 3*time.Hour)
	ct.run(false)
	if len(ct.errs) != 1 || ct.errs[0] != nil {
		t.Errorf("update errors %v, want the escalation accepted", ct.errs)
	}
}

// TestClosingNeedsApproval: resolving proposes closure; nothing closes by
// itself, and a closed case reopens with a reason.
func TestClosingNeedsApproval(t *testing.T) {
	ct := newCaseTest(t, 1000)
	caseworker := activities.Actor{Subject: "cw", Unit: "3329", Role: "caseworker"}
	ct.env.RegisterDelayedCallback(func() {
		ct.send(workflows.UpdateCaseAction, workflows.CaseActionRequest{Action: workflows.ActResolve, Resolution: "WAGES_PAID",
			MoneyRecovered: 42000000, Actor: caseworker})
	}, time.Hour)
	ct.env.RegisterDelayedCallback(func() {
		if s := ct.state(); s.Step != lindungi.CaseResolved || s.Proposal != workflows.ClosureResolved {
			t.Errorf("after resolving: %s with proposal %q, want RESOLVED waiting for approval", s.Step, s.Proposal)
		}
		ct.decide(lindungi.OutcomeApproved)
	}, 2*time.Hour)
	ct.env.RegisterDelayedCallback(func() {
		ct.send(workflows.UpdateCaseAction, workflows.CaseActionRequest{Action: workflows.ActReopen, Actor: supervisor33})
		ct.send(workflows.UpdateCaseAction, workflows.CaseActionRequest{Action: workflows.ActReopen, Reason: "Bukti baru", Actor: supervisor33})
	}, 3*time.Hour)
	ct.env.RegisterDelayedCallback(func() {
		if s := ct.state(); s.Step != lindungi.CaseVerification {
			t.Errorf("after reopening: %s, want VERIFICATION", s.Step)
		}
		ct.env.CancelWorkflow()
	}, 4*time.Hour)
	ct.run(false)
	if len(ct.errs) != 4 || ct.errs[0] != nil || ct.errs[1] != nil || ct.errs[2] == nil || ct.errs[3] != nil {
		t.Errorf("update errors %v, want only the reopening without a reason refused", ct.errs)
	}
}

// TestHighRiskCaseHasATighterDeadline: a high-risk case's handling task is
// due in 3 working days, an ordinary one's in 10.
func TestHighRiskCaseHasATighterDeadline(t *testing.T) {
	for _, tt := range []struct {
		high bool
		want int
	}{{false, workflows.HandlingDueDays}, {true, workflows.HighRiskDueDays}} {
		ct := newCaseTest(t, 1000)
		ct.env.RegisterDelayedCallback(func() { ct.env.CancelWorkflow() }, time.Hour)
		ct.run(tt.high)
		if len(ct.inputs) == 0 || ct.inputs[0].Kind != lindungi.TaskCaseHandling || ct.inputs[0].DueInWorkingDays != tt.want || (ct.inputs[0].Risk == "high") != tt.high {
			t.Errorf("high risk %v: first task %+v, want CASE_HANDLING due in %d working days", tt.high, ct.inputs, tt.want)
		}
	}
}
