package policies

import (
	"fmt"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/lindungi/lindungi"
)

// Router chooses the unit that receives a task and the next one on
// escalation. Load replaces its policy at once.
type Router struct {
	units map[string]lindungi.Unit
	list  []lindungi.Unit
	snap  atomic.Pointer[routingSnapshot]
}

type routingSnapshot struct {
	e       *casbin.SyncedEnforcer
	version string
}

// NewRouter loads the routing lines of rules over the given units.
func NewRouter(units []lindungi.Unit, rules []lindungi.PolicyRule, version string) (*Router, error) {
	r := &Router{units: make(map[string]lindungi.Unit, len(units)), list: units}
	for _, u := range units {
		r.units[u.Code] = u
	}
	if err := r.Load(rules, version); err != nil {
		return nil, err
	}
	return r, nil
}

// Load replaces the policy with rules (lines of other models are ignored).
func (r *Router) Load(rules []lindungi.PolicyRule, version string) error {
	e, err := newEnforcer(lindungi.ModelRouting, rules, "g", r.list)
	if err != nil {
		return err
	}
	r.snap.Store(&routingSnapshot{e: e, version: version})
	return nil
}

// Version is the policy version the Router decides by.
func (r *Router) Version() string { return r.snap.Load().version }

// FallbackRule names the route taken when no rule matches.
const FallbackRule = "fallback-province-queue"

// Route returns the unit that receives a task, and the rule that chose it.
// A task no rule matches goes to the province's queue, flagged. EINVALID if
// the worker's unit is unknown.
func (r *Router) Route(req lindungi.RouteRequest) (lindungi.Route, error) {
	unit, ok := r.units[req.Unit]
	if !ok {
		return lindungi.Route{}, lindungi.Errorf(lindungi.EINVALID, "Unknown unit %q.", req.Unit)
	}
	ok, explain, err := r.snap.Load().e.EnforceEx(string(req.Kind), req.Unit, string(req.Scheme), risk(req.Risk))
	if err != nil {
		return lindungi.Route{}, fmt.Errorf("route %s: %w", req.Kind, err)
	}
	if !ok || len(explain) < 8 {
		return lindungi.Route{Unit: r.province(unit), Role: lindungi.RoleProvinceSupervisor, Rule: FallbackRule, Flagged: true}, nil
	}
	target, ok := r.target(explain[6], unit)
	if !ok {
		return lindungi.Route{Unit: r.province(unit), Role: lindungi.RoleProvinceSupervisor, Rule: FallbackRule, Flagged: true}, nil
	}
	return lindungi.Route{Unit: target, Role: explain[7], Rule: explain[1]}, nil
}

// Escalate returns who is next when a task held by role, for a worker of
// req.Unit, passes its deadline. ok is false at the top of the chain.
func (r *Router) Escalate(req lindungi.RouteRequest, holder string) (next lindungi.Route, ok bool, err error) {
	unit, known := r.units[req.Unit]
	if !known {
		return lindungi.Route{}, false, lindungi.Errorf(lindungi.EINVALID, "Unknown unit %q.", req.Unit)
	}
	ctx := casbin.NewEnforceContext("2")
	allowed, explain, err := r.snap.Load().e.EnforceEx(ctx, string(req.Kind), req.Unit, holder, risk(req.Risk))
	if err != nil {
		return lindungi.Route{}, false, fmt.Errorf("escalate %s: %w", req.Kind, err)
	}
	if !allowed || len(explain) < 8 {
		return lindungi.Route{}, false, nil
	}
	target, known := r.target(explain[6], unit)
	if !known {
		return lindungi.Route{}, false, lindungi.Errorf(lindungi.EINVALID, "Escalation rule %s names unknown unit %s.", explain[1], explain[6])
	}
	return lindungi.Route{Unit: target, Role: explain[7], Rule: explain[1]}, true, nil
}

func risk(r string) string {
	if r == "" {
		return "normal"
	}
	return r
}

// target resolves a rule's target for a worker of unit u.
func (r *Router) target(t string, u lindungi.Unit) (string, bool) {
	switch t {
	case "@domicile":
		return u.Code, true
	case "@province":
		return r.province(u), true
	}
	_, ok := r.units[t]
	return t, ok
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

// Ancestors returns the codes of a unit and the units above it, nearest first.
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
