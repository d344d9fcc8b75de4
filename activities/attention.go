package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// ActionAttention is the audit action of a workflow flagged for attention.
const ActionAttention = "workflow.attention"

// KindAttention is the kind of the notification that flags a workflow.
const KindAttention = lindungi.NoticeAttention

// AttentionInput says that a workflow could not do a step of its own: the
// database refused it, or the activity's retries ran out. The workflow
// then waits for a person instead of failing or retrying for ever.
type AttentionInput struct {
	WorkerID  uuid.UUID
	Unit      string // the unit the workflow's work belongs to
	Step      string // what the workflow was doing, e.g. "escalate task 0b1c…"
	Error     string // the failure's message (domain messages carry no personal data)
	ErrorType string // the failure's type: a domain error code, or "" for another failure
	// Retrying says the workflow tries again by itself after a while (the
	// failure may pass, as an outage does); otherwise only an operator's
	// retry signal moves it.
	Retrying bool
	Key      string // one per failure, so that a retried activity flags it once
}

// FlagAttention tells the administrators at the top of the unit's chain,
// by a notification and an audit event written together, that a workflow
// is stuck and waits for them.
func (a *Activities) FlagAttention(ctx context.Context, in AttentionInput) error {
	ev := a.event(ctx, System, in.Key)
	wf := ev.WorkflowID
	if wf == "" {
		wf = lindungi.JourneyWorkflowID(in.WorkerID)
	}
	after, err := json.Marshal(map[string]any{"step": in.Step, "error": in.Error, "error_type": in.ErrorType, "retrying": in.Retrying})
	if err != nil {
		return err
	}
	ev.Action, ev.SubjectType, ev.SubjectID, ev.After = ActionAttention, "workflow", wf, after
	if in.WorkerID != uuid.Nil {
		ev.WorkerID = &in.WorkerID
	}
	then := "It waits for an operator to fix the cause and send it the retry signal."
	if in.Retrying {
		then = "It tries again by itself later, or at once on the retry signal."
	}
	n := lindungi.Notification{RecipientUnit: a.top(in.Unit), RecipientRole: lindungi.RoleAdmin, Kind: KindAttention,
		Message: fmt.Sprintf("Workflow %s needs attention: %s failed: %s. %s", wf, in.Step, in.Error, then)}
	return asActivityError(a.Store.FlagAttention(ctx, n, ev))
}

// top is the unit at the top of unit's chain, or the system's unit.
func (a *Activities) top(unit string) string {
	if up := a.Router.Ancestors(unit); len(up) > 0 {
		return up[len(up)-1]
	}
	return System.Unit
}
