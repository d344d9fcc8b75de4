package lindungi

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// TaskKind says what a human task asks for.
type TaskKind string

// Task kinds: those of the journey, then those of protection cases.
const (
	TaskVerifyRegistration TaskKind = "VERIFY_REGISTRATION"
	TaskOutreachFollowUp   TaskKind = "OUTREACH_FOLLOW_UP"
	TaskRecordTraining     TaskKind = "RECORD_TRAINING"
	TaskMedicalCheck       TaskKind = "MEDICAL_CHECK"
	TaskPlacementAgreement TaskKind = "PLACEMENT_AGREEMENT"
	TaskSocialSecurity     TaskKind = "SOCIAL_SECURITY"
	TaskPassportVisa       TaskKind = "PASSPORT_VISA"
	TaskWorkContract       TaskKind = "WORK_CONTRACT"
	TaskOrientation        TaskKind = "ORIENTATION"
	TaskConfirmDeparture   TaskKind = "CONFIRM_DEPARTURE"
	TaskCheckIn            TaskKind = "CHECK_IN"
	TaskContractEnd        TaskKind = "CONTRACT_END"
	TaskRecordReturn       TaskKind = "RECORD_RETURN"
	TaskRehabilitation     TaskKind = "REHABILITATION"
	TaskReintegration      TaskKind = "REINTEGRATION"
	TaskCorrection         TaskKind = "CORRECTION"
	TaskRenewDocuments     TaskKind = "RENEW_DOCUMENTS"

	// Tasks of protection cases.
	TaskCaseHandling     TaskKind = "CASE_HANDLING"
	TaskClosureApproval  TaskKind = "CLOSURE_APPROVAL"
	TaskReferralDecision TaskKind = "REFERRAL_DECISION"
	TaskTransferDecision TaskKind = "TRANSFER_DECISION"
)

// TaskKinds lists every task kind, of the journey and of protection cases.
var TaskKinds = []TaskKind{
	TaskOutreachFollowUp, TaskVerifyRegistration, TaskRecordTraining, TaskMedicalCheck, TaskPlacementAgreement,
	TaskSocialSecurity, TaskPassportVisa, TaskWorkContract, TaskOrientation, TaskConfirmDeparture, TaskCheckIn,
	TaskContractEnd, TaskRecordReturn, TaskRehabilitation, TaskReintegration, TaskCorrection, TaskRenewDocuments,
	TaskCaseHandling, TaskClosureApproval, TaskReferralDecision, TaskTransferDecision,
}

// TaskStatus is the state of a task.
type TaskStatus string

// Task statuses.
const (
	TaskOpen      TaskStatus = "open"
	TaskCompleted TaskStatus = "completed"
	TaskCancelled TaskStatus = "cancelled" // the journey closed or moved on without it
)

// Outcome is the result a case worker records when completing a task.
type Outcome string

// Outcomes of a task. OutcomeNeedsCorrection sends the step back to the
// worker: a correction task follows, then the step's task again.
const (
	OutcomeApproved        Outcome = "approved"
	OutcomeRejected        Outcome = "rejected"
	OutcomeNeedsCorrection Outcome = "needs_correction"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	return o == OutcomeApproved || o == OutcomeRejected || o == OutcomeNeedsCorrection
}

// Task is a piece of human work owned by one unit.
type Task struct {
	ID               uuid.UUID  `json:"id"`
	WorkflowID       string     `json:"workflow_id"`
	WorkerID         uuid.UUID  `json:"worker_id"`
	Kind             TaskKind   `json:"kind"`
	Step             Step       `json:"step"`
	Level            int        `json:"level"`
	Attempt          int        `json:"attempt"`
	Unit             string     `json:"unit"`
	HolderRole       string     `json:"holder_role"`
	ClaimedBy        string     `json:"claimed_by,omitempty"`
	ClaimedAt        *time.Time `json:"claimed_at,omitempty"`
	AtTop            bool       `json:"at_top"`            // overdue with no one left above on the escalation chain
	Subject          string     `json:"subject,omitempty"` // what a case task decides: a case, referral or transfer ID
	RouteRule        string     `json:"route_rule"`
	RouteFlagged     bool       `json:"route_flagged"`
	Status           TaskStatus `json:"status"`
	DueAt            time.Time  `json:"due_at"`
	DueDate          string     `json:"due_date"`
	CalendarFallback bool       `json:"calendar_fallback"`
	Outcome          Outcome    `json:"outcome,omitempty"`
	Note             string     `json:"note,omitempty"`
	CompletedBy      string     `json:"completed_by,omitempty"`
	CompletedAt      *time.Time `json:"completed_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
}

// TaskID derives a task's ID from the workflow, the step, the kind and the
// attempt (the how-many-th task of that kind in the step), so that a
// retried activity finds the task it already created. Escalation moves a
// task without changing its ID.
func TaskID(workflowID string, step Step, kind TaskKind, attempt int) uuid.UUID {
	return uuid.NewSHA1(taskNamespace, []byte(workflowID+"|"+string(step)+"|"+string(kind)+"|"+strconv.Itoa(attempt)))
}

var taskNamespace = uuid.MustParse("5b0c8a4e-6f5e-4d8f-9a57-0e7c3a1b2d11")

// TaskFilter selects tasks for an inbox.
type TaskFilter struct {
	Status  TaskStatus // empty for any
	Kind    TaskKind   // empty for any
	Unit    string     // only tasks of this unit and the units below it
	Overdue bool       // only open tasks past their deadline
	// Escalated keeps only the tasks moved up the escalation chain.
	Escalated bool
	Assignee  string    // only tasks claimed by this user
	WorkerID  uuid.UUID // only this worker's tasks
	Limit     int
	// After continues a list after the task with this deadline and ID.
	AfterDue time.Time
	AfterID  uuid.UUID
	Now      time.Time // what "overdue" is measured against
}

// Scope is what a caller may list: the units at or below Units, and the
// workers of Workers (record delegations).
type Scope struct {
	Units   []string
	Workers []uuid.UUID
}

// TaskMove is where a task goes when it is escalated or reassigned, and
// who moved it (By): a person, with the person's reason, or the deadline
// passing. The audit event records both.
type TaskMove struct {
	Unit     string
	Role     string
	Rule     string
	Level    int
	Deadline Deadline
	Reason   string
	By       string // MovedByPerson, MovedByDeadline or MovedByPolicy
}

// Who moves a task.
const (
	MovedByPerson   = "person"   // a supervisor, by hand, with a reason
	MovedByDeadline = "deadline" // the workflow, when the deadline passed
	MovedByPolicy   = "policy"   // the routing policy, when the case's risk was raised
)

// RouteRequest describes a task to be routed.
type RouteRequest struct {
	Kind   TaskKind
	Unit   string // the worker's domicile unit
	Scheme Scheme
	Risk   string // "normal" or "high"
}

// Route is where a task goes and why.
type Route struct {
	Unit    string
	Role    string // for escalations: the role that handles it there
	Rule    string // the routing rule that matched
	Flagged bool   // no rule matched: the task went to the province's queue
}

// TaskService keeps tasks. Creation and completion happen on behalf of a
// workflow (through activities); people read tasks through the API.
type TaskService interface {
	// FindTask returns a task. ENOTFOUND if there is none.
	FindTask(ctx context.Context, id uuid.UUID) (Task, error)
	// ListTasks returns the tasks in scope that pass f, oldest deadline
	// first, then by ID. It returns no domain error codes.
	ListTasks(ctx context.Context, scope Scope, f TaskFilter) ([]Task, error)
	// OpenTaskOf returns the oldest open task of kind in a workflow.
	// ENOTFOUND if there is none.
	OpenTaskOf(ctx context.Context, workflowID string, kind TaskKind) (Task, error)
	// LastTaskOf returns the newest task of kind in a workflow, open or
	// not. ENOTFOUND if there is none.
	LastTaskOf(ctx context.Context, workflowID string, kind TaskKind) (Task, error)
	// ClaimTask makes assignee the holder of an open task and audits it
	// (task.claim, or ev.Action such as task.assign, which may take a task
	// from its holder). Claiming a task one holds changes nothing.
	// ENOTFOUND if there is none; ECONFLICT if it is not open, or someone
	// else holds it and ev.Action is not task.assign.
	ClaimTask(ctx context.Context, id uuid.UUID, assignee string, ev Event) (Task, error)
	// ReleaseTask gives a claimed task back to its unit's queue and audits
	// it (task.release). Releasing an unclaimed task changes nothing.
	// ENOTFOUND if there is none.
	ReleaseTask(ctx context.Context, id uuid.UUID, ev Event) (Task, error)
}
