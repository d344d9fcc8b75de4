// Package policies decides, with casbin, who may do what where (the
// Authorizer) and which unit receives a task (the Router). The models and the
// default policy lines are embedded files; the unit hierarchy comes from the
// units table.
package policies

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
	"github.com/lindungi/lindungi"
)

//go:embed *.conf *.csv
var files embed.FS

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Version identifies the embedded policy set: the first 12 hex digits of the
// SHA-256 of the models and policies. Audit events record it.
func Version() string {
	h := sha256.New()
	for _, name := range []string{"access.conf", "access.csv", "routing.conf", "routing.csv"} {
		h.Write([]byte(mustRead(name)))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// newEnforcer builds an enforcer from a model and policy lines, with the unit
// hierarchy added as grouping lines of type gtype.
func newEnforcer(modelName, policyName, gtype string, units []lindungi.Unit) (*casbin.SyncedEnforcer, error) {
	m, err := model.NewModelFromString(mustRead(modelName))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", modelName, err)
	}
	var b strings.Builder
	b.WriteString(mustRead(policyName))
	b.WriteString("\n")
	for _, u := range units {
		if u.Parent != "" {
			fmt.Fprintf(&b, "%s, %s, %s\n", gtype, u.Code, u.Parent)
		}
	}
	e, err := casbin.NewSyncedEnforcer(m, stringadapter.NewAdapter(b.String()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", policyName, err)
	}
	return e, nil
}

// Authorizer decides whether a principal may call a route on a unit.
type Authorizer struct {
	e *casbin.SyncedEnforcer
}

// NewAuthorizer loads the access model and policy over the given units.
func NewAuthorizer(units []lindungi.Unit) (*Authorizer, error) {
	e, err := newEnforcer("access.conf", "access.csv", "g2", units)
	if err != nil {
		return nil, err
	}
	return &Authorizer{e: e}, nil
}

// Decision is the answer of the Authorizer: whether, and by which rule.
type Decision struct {
	Allowed bool
	Role    string // the caller's role that allowed it
	Rule    string // the policy line that allowed it
}

// Authorize reports whether p may perform act (an HTTP method) on obj (a
// route template) for unit: whether one of p's roles, held at p's unit,
// allows it there.
func (a *Authorizer) Authorize(p lindungi.Principal, unit, obj, act string) (Decision, error) {
	for _, role := range p.Roles {
		ok, explain, err := a.e.EnforceEx(role, p.Unit, unit, obj, act)
		if err != nil {
			return Decision{}, fmt.Errorf("authorize %s %s: %w", act, obj, err)
		}
		if ok {
			return Decision{Allowed: true, Role: role, Rule: "p, " + strings.Join(explain, ", ")}, nil
		}
	}
	return Decision{}, nil
}

// Router chooses the unit that receives a task.
type Router struct {
	e     *casbin.SyncedEnforcer
	units map[string]lindungi.Unit
}

// NewRouter loads the routing model and policy over the given units.
func NewRouter(units []lindungi.Unit) (*Router, error) {
	e, err := newEnforcer("routing.conf", "routing.csv", "g", units)
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]lindungi.Unit, len(units))
	for _, u := range units {
		byCode[u.Code] = u
	}
	return &Router{e: e, units: byCode}, nil
}

// FallbackRule names the route taken when no rule matches.
const FallbackRule = "fallback-province-queue"

// Route returns the unit that receives a task. EINVALID if the worker's unit
// is unknown.
func (r *Router) Route(req lindungi.RouteRequest) (lindungi.Route, error) {
	unit, ok := r.units[req.Unit]
	if !ok {
		return lindungi.Route{}, lindungi.Errorf(lindungi.EINVALID, "Unknown unit %q.", req.Unit)
	}
	risk := req.Risk
	if risk == "" {
		risk = "normal"
	}
	ok, explain, err := r.e.EnforceEx(string(req.Kind), req.Unit, string(req.Scheme), risk)
	if err != nil {
		return lindungi.Route{}, fmt.Errorf("route %s: %w", req.Kind, err)
	}
	if !ok || len(explain) < 7 {
		return lindungi.Route{Unit: r.province(unit), Rule: FallbackRule, Flagged: true}, nil
	}
	rule, target := explain[1], explain[6]
	switch target {
	case "@domicile":
		target = unit.Code
	case "@province":
		target = r.province(unit)
	}
	if _, ok := r.units[target]; !ok {
		return lindungi.Route{Unit: r.province(unit), Rule: FallbackRule, Flagged: true}, nil
	}
	return lindungi.Route{Unit: target, Rule: rule}, nil
}

// province returns the province at or above u, or the top unit.
func (r *Router) province(u lindungi.Unit) string {
	for _, code := range u.Path {
		if r.units[code].Kind == "province" {
			return code
		}
	}
	return u.Path[0]
}

// Ancestors returns the codes of u and the units above it, nearest first.
func (r *Router) Ancestors(code string) []string {
	u, ok := r.units[code]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(u.Path))
	for i := len(u.Path) - 1; i >= 0; i-- {
		out = append(out, u.Path[i])
	}
	return out
}
