package lindungi

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Policy models. Each is a casbin model with its own policy lines.
const (
	ModelAccess  = "access"  // who may call which route on which unit
	ModelRouting = "routing" // which unit receives a task, and who is next on escalation
)

// PolicyRule is one casbin policy line: its type (p, g, g2, e, ...) and values.
type PolicyRule struct {
	Model  string   `json:"model"`
	PType  string   `json:"ptype"`
	Values []string `json:"values"`
}

// String renders the rule as a line of a casbin CSV file.
func (r PolicyRule) String() string {
	return r.PType + ", " + strings.Join(r.Values, ", ")
}

// PolicyChange adds and removes policy lines, with the reason given.
type PolicyChange struct {
	Add    []PolicyRule `json:"add"`
	Remove []PolicyRule `json:"remove"`
	Reason string       `json:"reason"`
}

// PolicyVersion is one entry of the policy history.
type PolicyVersion struct {
	Version   int64        `json:"version"`
	Actor     string       `json:"actor"`
	ActorUnit string       `json:"actor_unit"`
	Reason    string       `json:"reason"`
	Added     []PolicyRule `json:"added"`
	Removed   []PolicyRule `json:"removed"`
	CreatedAt time.Time    `json:"created_at"`
}

// PolicyValidator checks the policy lines a change would leave, by model,
// before the change takes effect. It returns EINVALID naming what is wrong.
type PolicyValidator func(next map[string][]PolicyRule) error

// Delegation kinds.
const (
	DelegateRecord = "record" // a named user may act on one worker's file
	DelegateQueue  = "queue"  // a unit may work another unit's queue
)

// Delegation grants access across units for a limited time, with a reason
// (DOMAIN.md: cross-district work happens by explicit delegation).
type Delegation struct {
	ID          uuid.UUID  `json:"id"`
	Kind        string     `json:"kind"`
	GranteeUser string     `json:"grantee_user,omitempty"` // record delegations
	GranteeUnit string     `json:"grantee_unit"`
	TargetUnit  string     `json:"target_unit"`         // the unit whose queue or record it is
	WorkerID    *uuid.UUID `json:"worker_id,omitempty"` // record delegations
	Reason      string     `json:"reason"`
	GrantedBy   string     `json:"granted_by"`
	StartsAt    time.Time  `json:"starts_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
	RevokedBy   string     `json:"revoked_by,omitempty"`
}

// Active reports whether d grants access at t.
func (d Delegation) Active(t time.Time) bool {
	return d.RevokedAt == nil && !t.Before(d.StartsAt) && t.Before(d.ExpiresAt)
}
