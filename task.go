package lindungi

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// TaskService keeps tasks. Creation and completion happen on behalf of a
// workflow (through activities); people read tasks through the API.
type TaskService interface {
	// FindTask returns a task. ENOTFOUND if there is none.
	FindTask(ctx context.Context, id uuid.UUID) (Task, error)
	// ListTasks returns the tasks in scope, oldest deadline first, then by ID.
	ListTasks(ctx context.Context, scope Scope, f TaskFilter) ([]Task, error)
}

// Scope is what a caller may list: the units at or below Units, and the
// workers of Workers (record delegations).
type Scope struct {
	Units   []string
	Workers []uuid.UUID
}

// TaskMove is where a task goes when it is escalated or reassigned.
type TaskMove struct {
	Unit     string
	Role     string
	Rule     string
	Level    int
	Deadline Deadline
	Reason   string
}

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

// Notification tells a unit (a role in it, or one person) what happened to
// its work, such as a task taken up the escalation chain.
type Notification struct {
	ID            int64      `json:"id"`
	RecipientUnit string     `json:"recipient_unit"`
	RecipientRole string     `json:"recipient_role,omitempty"`
	RecipientUser string     `json:"recipient_user,omitempty"`
	TaskID        *uuid.UUID `json:"task_id,omitempty"`
	Kind          string     `json:"kind"`
	Message       string     `json:"message"`
	CreatedAt     time.Time  `json:"created_at"`
}
