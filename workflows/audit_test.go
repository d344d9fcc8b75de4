package workflows_test

import (
	"testing"

	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/workflows"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
)

// TestAuditVerification runs the scheduled verification once and answers
// what the activity found; an activity that fails every try fails the run
// (the schedule starts the next one).
func TestAuditVerification(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	var act *activities.Activities
	found := activities.AuditCheck{Events: 41, Failure: &auditlog.Failure{Seq: 7, Reason: auditlog.Changed}}
	env.OnActivity(act.VerifyAuditTrail, mock.Anything).Return(found, nil).Once()
	env.ExecuteWorkflow(workflows.AuditVerification, workflows.AuditVerificationInput{})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var got activities.AuditCheck
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.OK || got.Failure == nil || got.Failure.Seq != 7 || got.Events != 41 {
		t.Errorf("result %+v, want the failure at seq 7", got)
	}
	env.AssertExpectations(t)
}
