package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/workflows"
	"go.temporal.io/sdk/temporal"
)

// refused is what an activity answers when the database refused its data
// (issue 10: a NUL byte in a reason).
var refused = temporal.NewNonRetryableApplicationError("The database refused a value of the request.", lindungi.EINVALID, nil)

// unavailable is what an activity answers while the database is down.
var unavailable = temporal.NewApplicationError("The database cannot be reached or did not answer in time; try again shortly.", lindungi.EUNAVAILABLE)

// The verification task's deadline passes two days after registration.
const verificationDue = 48 * time.Hour

// An escalation the database refuses is not retried: the journey flags
// itself for the administrators, keeps running and waits, without trying
// again, until an operator sends the retry signal; then the escalation
// goes through and the flag is lifted.
func TestRefusedEscalationWaitsForAnOperator(t *testing.T) {
	jt := newJourneyTest(t)
	jt.escalateFails = func(n int) error {
		if n == 1 {
			return refused
		}
		return nil
	}
	jt.env.RegisterDelayedCallback(func() {
		s := jt.state()
		if jt.escalations != 1 {
			t.Errorf("a refused escalation ran %d times by itself, want once", jt.escalations)
		}
		if s.Attention == "" || s.Step != lindungi.StepRegistered {
			t.Errorf("while waiting: attention %q at step %s, want the failure named at REGISTERED", s.Attention, s.Step)
		}
		if len(jt.flags) != 1 || jt.flags[0].ErrorType != lindungi.EINVALID || jt.flags[0].Retrying || jt.flags[0].Step != "EscalateTask" ||
			jt.flags[0].WorkerID != jt.worker || jt.flags[0].Unit != "3305" {
			t.Errorf("flags = %+v, want one for the refused EscalateTask, waiting for an operator", jt.flags)
		}
		jt.env.SignalWorkflow(workflows.SignalRetry, nil)
	}, 10*24*time.Hour)
	jt.env.RegisterDelayedCallback(func() {
		s := jt.state()
		if s.Attention != "" {
			t.Errorf("after the retry: attention %q, want none", s.Attention)
		}
		if v, ok := jt.open(lindungi.TaskVerifyRegistration); !ok || v.Level != 1 {
			t.Errorf("after the retry: verification task %+v (open %v), want it escalated to level 1", v, ok)
		}
		jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Reason: "test over", Actor: kebumenCaseworker})
	}, 10*24*time.Hour+time.Hour)
	s := jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P})
	jt.noUpdateErrors()
	if s.Step != lindungi.StepClosed || jt.escalations != 2 {
		t.Errorf("ended at %s after %d escalation calls, want CLOSED after 2", s.Step, jt.escalations)
	}
}

// An escalation that fails while the database is down is retried at most
// MaxActivityAttempts times; then the journey flags itself, keeps running,
// and tries again by itself after AttentionRetry, which succeeds once the
// database is back.
func TestExhaustedEscalationWaitsAndRetries(t *testing.T) {
	jt := newJourneyTest(t)
	jt.escalateFails = func(n int) error {
		if n <= workflows.MaxActivityAttempts {
			return unavailable
		}
		return nil
	}
	jt.env.RegisterDelayedCallback(func() {
		s := jt.state()
		if jt.escalations != workflows.MaxActivityAttempts {
			t.Errorf("escalation ran %d times, want %d before the journey waits", jt.escalations, workflows.MaxActivityAttempts)
		}
		if s.Attention == "" {
			t.Error("no attention while waiting")
		}
		if len(jt.flags) != 1 || jt.flags[0].ErrorType != lindungi.EUNAVAILABLE || !jt.flags[0].Retrying {
			t.Errorf("flags = %+v, want one for the unavailable database, retrying by itself", jt.flags)
		}
	}, verificationDue+45*time.Minute)
	jt.env.RegisterDelayedCallback(func() {
		if s := jt.state(); s.Attention != "" {
			t.Errorf("after the retry: attention %q, want none", s.Attention)
		}
		if v, ok := jt.open(lindungi.TaskVerifyRegistration); !ok || v.Level != 1 {
			t.Errorf("after the retry: verification task %+v (open %v), want it escalated", v, ok)
		}
		jt.send(workflows.UpdateCloseJourney, workflows.JourneyRequest{Reason: "test over", Actor: kebumenCaseworker})
	}, verificationDue+workflows.AttentionRetry+time.Hour)
	s := jt.run(workflows.JourneyInput{Scheme: lindungi.SchemeP2P})
	jt.noUpdateErrors()
	if s.Step != lindungi.StepClosed || jt.escalations != workflows.MaxActivityAttempts+1 {
		t.Errorf("ended at %s after %d escalation calls, want CLOSED after %d", s.Step, jt.escalations, workflows.MaxActivityAttempts+1)
	}
}

// A case escalated by hand with a reason the database refuses answers the
// refusal to the caller at once (the API answers 422) instead of retrying
// the escalation for ever; the case goes on.
func TestRefusedCaseEscalationAnswersTheCaller(t *testing.T) {
	ct := newCaseTest(t, 1000)
	ct.escalateErr = refused
	ct.env.RegisterDelayedCallback(func() {
		ct.send(workflows.UpdateCaseAction, workflows.CaseActionRequest{Action: workflows.ActEscalate, Reason: "a\x00b", Actor: supervisor33})
	}, time.Hour)
	ct.env.RegisterDelayedCallback(func() {
		var appErr *temporal.ApplicationError
		if len(ct.errs) != 1 || !errors.As(ct.errs[0], &appErr) || appErr.Type() != lindungi.EINVALID {
			t.Errorf("update errors = %v, want one %s", ct.errs, lindungi.EINVALID)
		}
		if ct.escalations != 1 || len(ct.flags) != 0 {
			t.Errorf("%d escalation calls and %d flags, want one call and no flag: the caller was told", ct.escalations, len(ct.flags))
		}
		ct.env.CancelWorkflow()
	}, 2*time.Hour)
	ct.run(false)
}

// A case whose handling deadline passes while the database refuses the
// escalation flags itself and waits instead of failing.
func TestRefusedCaseDeadlineWaitsForAnOperator(t *testing.T) {
	ct := newCaseTest(t, 2)
	ct.escalateErr = refused
	ct.env.RegisterDelayedCallback(func() {
		s := ct.state()
		if s.Attention == "" || ct.escalations != 1 {
			t.Errorf("attention %q after %d escalation calls, want the failure named after one", s.Attention, ct.escalations)
		}
		if len(ct.flags) != 1 || ct.flags[0].Unit != "3329" || ct.flags[0].Retrying {
			t.Errorf("flags = %+v, want one for unit 3329, waiting for an operator", ct.flags)
		}
		ct.env.CancelWorkflow()
	}, 30*24*time.Hour)
	ct.run(false)
	if !ct.env.IsWorkflowCompleted() {
		t.Fatal("the case did not end")
	}
	if err := ct.env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Errorf("the case ended with %v, want cancelled by the test (not failed)", err)
	}
}
