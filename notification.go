package lindungi

import (
	"context"
	"time"

	"github.com/google/uuid"
)

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

// NotificationService reads notifications. They are written with the task
// change they tell of, by TaskService's callers on behalf of a workflow.
type NotificationService interface {
	// Notifications returns the newest limit notifications of unit, newest
	// first. It returns no domain error codes.
	Notifications(ctx context.Context, unit string, limit int) ([]Notification, error)
}
