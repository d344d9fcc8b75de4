package lindungi

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Notification tells a unit (a role in it, or one person) what happened to
// its work, such as a task taken up the escalation chain. Every user of
// RecipientUnit sees it, and RecipientUser wherever they work, except the
// Actor who made the change; each reads it on their own (Read).
type Notification struct {
	ID            int64      `json:"id"`
	RecipientUnit string     `json:"recipient_unit"`
	RecipientRole string     `json:"recipient_role,omitempty"`
	RecipientUser string     `json:"recipient_user,omitempty"`
	TaskID        *uuid.UUID `json:"task_id,omitempty"`
	Kind          string     `json:"kind"`
	Message       string     `json:"message"`
	// OtherUnit is the other side of a move: where the task went (told to
	// the unit it left) or where it came from (told to the unit it
	// reached). Reason is the person's reason for it.
	OtherUnit string `json:"other_unit,omitempty"`
	Reason    string `json:"reason,omitempty"`
	// Actor made the change; they are not told of it (it is not among
	// their notifications).
	Actor     string    `json:"actor,omitempty"`
	CreatedAt time.Time `json:"created_at"`

	// What the notification is about, read with it: the task's kind and
	// worker, and the case when the task belongs to one.
	TaskKind   TaskKind   `json:"task_kind,omitempty"`
	WorkerID   *uuid.UUID `json:"worker_id,omitempty"`
	CaseID     *uuid.UUID `json:"case_id,omitempty"`
	CaseNumber string     `json:"case_number,omitempty"`

	// Read says whether the user who asked has read it.
	Read bool `json:"read"`
}

// Kinds of notification. A move tells both sides: the unit the
// task left (the move's audit action as kind) and the unit it reached
// (the ..._in kinds); a move within one unit, to another role, tells it once,
// as arrived.
const (
	NoticeEscalated    = "task.escalate"      // the task went up the chain, away from the recipient
	NoticeReassigned   = "task.reassign"      // the task was given to another unit
	NoticeEscalatedIn  = "task.escalated_in"  // the task came up the chain to the recipient
	NoticeReassignedIn = "task.reassigned_in" // the task was given to the recipient
	NoticeAssigned     = "task.assigned"      // a supervisor gave the task to RecipientUser
	NoticeOverdueAtTop = "task.overdue"       // overdue with no one left above
	NoticeReferralIn   = "referral.arrived"   // a case was referred to the recipient, to accept or reject
	NoticeTransferIn   = "transfer.arrived"   // a case's transfer to the recipient waits for its decision
	NoticeAttention    = "attention"          // a workflow stopped and waits for the recipient administrators
)

// ArrivalNotice is the kind of notification the unit of a new task of kind
// k gets, if any. Routine steps of a journey or a case tell no one (the
// inbox lists them); a case handed over from another unit does, since the
// unit must decide on work it did not start.
func ArrivalNotice(k TaskKind) (string, bool) {
	switch k {
	case TaskReferralDecision:
		return NoticeReferralIn, true
	case TaskTransferDecision:
		return NoticeTransferIn, true
	}
	return "", false
}

// Reader is whose notifications a request reads or marks: a user and the
// unit they work at.
type Reader struct {
	Subject string
	Unit    string
}

// ReaderOf is the reader a principal is.
func ReaderOf(p Principal) Reader { return Reader{Subject: p.Subject, Unit: p.Unit} }

// NotificationQuery selects a page of a reader's notifications, newest
// first: those with an ID below Before (0 for the newest), Unread ones
// only if asked.
type NotificationQuery struct {
	Reader Reader
	Unread bool
	Before int64
	Limit  int
}

// MaxUnread is the most unread notifications counted; a page shows more as
// "99+".
const MaxUnread = 100

// MarkRead marks notifications read: those named (IDs, at most
// MaxMarkRead), or All of the reader's.
type MarkRead struct {
	IDs []int64 `json:"ids"`
	All bool    `json:"all"`
}

// MaxMarkRead is the most notifications one MarkRead may name.
const MaxMarkRead = 100

// Validate names what is wrong with m: it names 1 to MaxMarkRead
// notifications by positive ID, or asks for all, not both. It returns
// EINVALID, or nil.
func (m MarkRead) Validate() error {
	var v Validation
	switch {
	case m.All && len(m.IDs) > 0:
		v.Add("ids", "must be left out when all is true")
	case !m.All && (len(m.IDs) == 0 || len(m.IDs) > MaxMarkRead):
		v.Add("ids", "must hold 1 to 100 notification IDs, or set all to true")
	}
	for _, id := range m.IDs {
		if id <= 0 {
			v.Add("ids", "must be notification IDs (positive integers)")
			break
		}
	}
	return v.Err()
}

// NotificationService reads notifications and keeps who read which. They
// are written with the task change they tell of, by TaskService's callers
// on behalf of a workflow.
type NotificationService interface {
	// Notifications returns a page of the reader's notifications, newest
	// first, each with whether the reader read it. It returns no domain
	// error codes.
	Notifications(ctx context.Context, q NotificationQuery) ([]Notification, error)
	// UnreadNotifications counts the reader's unread notifications, up to
	// MaxUnread. It returns no domain error codes.
	UnreadNotifications(ctx context.Context, r Reader) (int, error)
	// MarkNotificationsRead marks notifications read for the reader (it
	// changes nothing for anyone else) and returns how many stay unread.
	// Marking one read twice is harmless. EINVALID when m does not
	// Validate, or names a notification that is not the reader's.
	MarkNotificationsRead(ctx context.Context, r Reader, m MarkRead) (int, error)
}
