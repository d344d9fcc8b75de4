package workflows

import (
	"time"

	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// AuditVerificationName is the type name of the workflow that verifies the
// whole audit trail.
const AuditVerificationName = "AuditVerification"

// AuditScheduleID names the Temporal schedule that starts AuditVerification
// every interval on an installation's task queue (the worker process
// creates or updates it when it starts): audit-verify/<task queue>. A
// schedule, not a loop in each worker process: however many workers run,
// the trail is verified once per interval, and Temporal keeps the record
// of every run.
func AuditScheduleID(taskQueue string) string { return "audit-verify/" + taskQueue }

// AuditVerificationInput is the input of AuditVerification: none, the
// trail is one.
type AuditVerificationInput struct{}

// auditVerifyOptions give the verification an hour (it reads every event
// once) and three tries: the next scheduled run comes anyway.
var auditVerifyOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Hour,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Second, MaximumAttempts: 3},
}

// AuditVerification verifies the whole audit trail once; the activity
// tells the national auditors and logs at error level when it fails. The
// result says what it found.
func AuditVerification(ctx workflow.Context, _ AuditVerificationInput) (activities.AuditCheck, error) {
	ctx = workflow.WithActivityOptions(ctx, auditVerifyOptions)
	var out activities.AuditCheck
	err := workflow.ExecuteActivity(ctx, a.VerifyAuditTrail).Get(ctx, &out)
	return out, err
}
