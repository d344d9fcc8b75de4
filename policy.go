package lindungi

import (
	"context"
	"regexp"
	"strconv"
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

// Limits of a policy change.
const (
	maxPolicyValues = 8
	maxPolicyValue  = 200
)

// policyType is a casbin policy type: p, g, g2, e, ...
var policyType = regexp.MustCompile(`^[a-z][a-z0-9]{0,7}$`)

// Normalize trims the reason of a change.
func (c *PolicyChange) Normalize() { c.Reason = TrimText(c.Reason) }

// Validate names what is wrong with a change: its reason (CheckReason),
// no line at all, and each malformed line ("add[0].values"). Whether the
// lines leave a usable policy is the policies package's to say.
func (c PolicyChange) Validate() error {
	var v Validation
	checkReason(&v, "reason", c.Reason)
	if len(c.Add)+len(c.Remove) == 0 {
		v.Add("add", "add or remove at least one line")
	}
	for i, r := range c.Add {
		r.check(&v, "add["+strconv.Itoa(i)+"]")
	}
	for i, r := range c.Remove {
		r.check(&v, "remove["+strconv.Itoa(i)+"]")
	}
	return v.Err()
}

// check names what is wrong with a policy line of a change.
func (r PolicyRule) check(v *Validation, field string) {
	switch r.Model {
	case ModelAccess, ModelRouting:
	default:
		v.Add(field+".model", "must be access or routing")
	}
	if !policyType.MatchString(r.PType) {
		v.Add(field+".ptype", "must be a policy type such as p, g or g2")
	}
	if len(r.Values) == 0 || len(r.Values) > maxPolicyValues {
		v.Add(field+".values", "must hold 1 to 8 values")
	}
	for i, val := range r.Values {
		f := field + ".values[" + strconv.Itoa(i) + "]"
		if !(Text{Min: 1, Max: maxPolicyValue}).Check(v, f, val) {
			continue
		}
		if strings.TrimSpace(val) != val || strings.ContainsAny(val, ",\"") {
			v.Add(f, "must have no surrounding spaces, commas or quotes")
		}
	}
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
