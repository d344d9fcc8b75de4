package lindungi

import (
	"context"
	"strings"
	"time"
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

// PolicyService keeps the policy lines of the casbin models and their
// history. Every process reloads its policies after a change.
type PolicyService interface {
	// PolicyRules returns the policy lines of model, in the order they were
	// added. It returns no domain error codes; an unknown model has none.
	PolicyRules(ctx context.Context, model string) ([]PolicyRule, error)
	// PolicyVersions returns the newest limit entries of the policy
	// history, newest first. It returns no domain error codes.
	PolicyVersions(ctx context.Context, limit int) ([]PolicyVersion, error)
	// ChangePolicy applies c if validate accepts the lines it would leave,
	// with a new policy version and its audit event, in one transaction.
	// EINVALID for an unknown model, a line of too many values, or what
	// validate refuses; ENOTFOUND for removing a line that does not exist;
	// ECONFLICT for adding one that does.
	ChangePolicy(ctx context.Context, c PolicyChange, ev Event, validate PolicyValidator) (PolicyVersion, error)
}
