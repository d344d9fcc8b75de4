package lindungi

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Event is one entry of the audit trail. Every write of a service stores
// its event in the same transaction; package auditlog chains, signs and
// reads the trail.
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

// PurposeText is the rule of a purpose: why someone reads personal data,
// such as an audit assignment ("BPK-2026-07"), one line of 3 to 200
// characters.
var PurposeText = Text{Min: 3, Max: 200}

// CheckPurpose returns purpose trimmed, or EINVALID naming the field
// "purpose" when it breaks PurposeText.
func CheckPurpose(purpose string) (string, error) {
	var v Validation
	if p := PurposeText.Problem(purpose); p != "" {
		v.Add("purpose", p)
		return "", v.Err()
	}
	return strings.TrimSpace(purpose), nil
}
