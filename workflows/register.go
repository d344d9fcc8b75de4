package workflows

import (
	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Register adds the workflows and activities to a Temporal worker.
func Register(r worker.Registry, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(WorkerJourney, workflow.RegisterOptions{Name: JourneyWorkflowName})
	r.RegisterWorkflowWithOptions(ProtectionCase, workflow.RegisterOptions{Name: CaseWorkflowName})
	r.RegisterWorkflowWithOptions(AuditVerification, workflow.RegisterOptions{Name: AuditVerificationName})
	r.RegisterActivity(acts)
}
