// Package lindungi holds the domain of Lindungi, a workflow and case-management
// server that protects Indonesian migrant workers (PMI): workers, their journey
// steps, tasks routed to units, principals and audit events. The packages
// postgres, server, policies, workflows and activities talk in its types.
package lindungi

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Scheme is the placement scheme of a worker.
type Scheme string

// Placement schemes (Law 18/2017).
const (
	SchemeG2G     Scheme = "G2G"     // government to government
	SchemeP2P     Scheme = "P2P"     // through a licensed placement company (P3MI)
	SchemeMandiri Scheme = "MANDIRI" // independent, to a legal-entity employer
)

// Valid reports whether s is a known scheme.
func (s Scheme) Valid() bool {
	switch s {
	case SchemeG2G, SchemeP2P, SchemeMandiri:
		return true
	}
	return false
}

// Step is a step of a worker's journey, named as in DOMAIN.md.
type Step string

// Journey steps implemented so far. The journey issue adds the rest.
const (
	StepRegistered Step = "REGISTERED"
	StepVerified   Step = "VERIFIED"
	StepTraining   Step = "TRAINING"
	StepClosed     Step = "CLOSED"
)

// Worker is a prospective or placed migrant worker (CPMI/PMI).
type Worker struct {
	ID           uuid.UUID `json:"id"`
	NIK          string    `json:"nik"`
	Name         string    `json:"name"`
	BirthDate    string    `json:"birth_date"` // YYYY-MM-DD
	DomicileUnit string    `json:"domicile_unit"`
	Phone        string    `json:"phone"`
	Scheme       Scheme    `json:"scheme"`
	// PlacementCompany and JobOrderRef are required for P2P workers.
	PlacementCompany string    `json:"placement_company,omitempty"`
	JobOrderRef      string    `json:"job_order_ref,omitempty"`
	JourneyStep      Step      `json:"journey_step"`
	WorkflowID       string    `json:"journey_workflow_id"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// JourneyWorkflowID is the Temporal workflow ID of a worker's journey.
func JourneyWorkflowID(workerID uuid.UUID) string {
	return "journey/" + workerID.String()
}

// TaskKind says what a human task asks for.
type TaskKind string

// Task kinds.
const (
	TaskVerifyRegistration TaskKind = "VERIFY_REGISTRATION"
)

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

// Outcomes of a verification task.
const (
	OutcomeApproved Outcome = "approved"
	OutcomeRejected Outcome = "rejected"
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
	Status   TaskStatus // empty for any
	Kind     TaskKind   // empty for any
	Unit     string     // only tasks of this unit and the units below it
	Overdue  bool       // only open tasks past their deadline
	Assignee string     // only tasks claimed by this user
	WorkerID uuid.UUID  // only this worker's tasks
	Limit    int
	// After continues a list after the task with this deadline and ID.
	AfterDue time.Time
	AfterID  uuid.UUID
	Now      time.Time // what "overdue" is measured against
}

// Unit is an organisational unit: national, province or district.
type Unit struct {
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	Kind   string   `json:"kind"`
	Parent string   `json:"parent,omitempty"`
	Path   []string `json:"path"` // codes from the root down to this unit
}

// IsDistrict reports whether the unit is a regency (kabupaten) or city (kota).
func (u Unit) IsDistrict() bool { return u.Kind == "regency" || u.Kind == "city" }

// Event is one entry of the audit trail.
type Event struct {
	Actor       string          `json:"actor"`
	ActorUnit   string          `json:"actor_unit"`
	ActorRole   string          `json:"actor_role"`
	Action      string          `json:"action"`
	SubjectType string          `json:"subject_type"`
	SubjectID   string          `json:"subject_id"`
	WorkerID    *uuid.UUID      `json:"worker_id,omitempty"`
	Before      json.RawMessage `json:"before,omitempty"`
	After       json.RawMessage `json:"after,omitempty"`
	Rule        string          `json:"rule,omitempty"`
	Policy      string          `json:"policy_version,omitempty"`
	WorkflowID  string          `json:"workflow_id,omitempty"`
	RunID       string          `json:"run_id,omitempty"`
	RequestID   string          `json:"request_id,omitempty"`
	OccurredAt  time.Time       `json:"occurred_at"`
	// Purpose is why personal data was read; set on access events only.
	Purpose string `json:"purpose,omitempty"`
}

// IdempotencyKey identifies a retried request: the caller, the key it sent,
// the request it was sent with, and the answer first given.
type IdempotencyKey struct {
	Subject     string
	Key         string
	Route       string // method and path, e.g. "POST /v1/workers"
	RequestHash []byte
}

// StoredResponse is the answer kept for an idempotency key.
type StoredResponse struct {
	Route       string
	RequestHash []byte
	Status      int
	Body        json.RawMessage
}
