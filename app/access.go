package app

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/policies"
)

// Actor is the access decision a request acts under: who asks (Principal),
// what for (Obj and Act: the route template and HTTP method of an API call,
// or the API route a page mirrors), and what allowed it: the caller's role,
// the policy line and its version, and the unit whose authority a
// delegation lends (ActingFor, empty without one). Every audit event and
// workflow request of the action records it.
type Actor struct {
	Principal lindungi.Principal
	Obj, Act  string
	Role      string
	Rule      string
	Policy    string
	ActingFor string
}

// Event starts an audit event for the actor, with the request ID of ctx.
func (a Actor) Event(ctx context.Context) lindungi.Event {
	return lindungi.Event{Actor: a.Principal.Subject, ActorUnit: a.Principal.Unit, ActorRole: a.Role,
		Rule: a.Rule, Policy: a.Policy, RequestID: lindungi.RequestIDFromContext(ctx)}
}

// workflow is the actor as a workflow records it.
func (a Actor) workflow() activities.Actor {
	return activities.Actor{Subject: a.Principal.Subject, Unit: a.Principal.Unit, Role: a.Role, ActingFor: a.ActingFor}
}

// decided returns a with the decision d, taken through the delegation via
// (nil for none) acting for scope.
func (a Actor) decided(d policies.Decision, via *lindungi.Delegation, scope string) Actor {
	a.Role, a.Rule, a.Policy = d.Role, d.Rule, d.Version
	if via != nil {
		a.Rule += " via delegation " + via.ID.String()
		a.ActingFor = scope
	}
	return a
}

// Authorizer decides whether a principal may do act on obj at a unit.
type Authorizer interface {
	Authorize(p lindungi.Principal, unit, obj, act string) (policies.Decision, error)
	// AuthorizeAs decides with p's roles held at scope: for delegations.
	AuthorizeAs(p lindungi.Principal, scope, unit, obj, act string) (policies.Decision, error)
	// Version is the policy version in force.
	Version() string
}

// Access is the access decision: the policy, then the delegations in force
// where the policy alone says no.
type Access struct {
	Authorizer  Authorizer
	Delegations DelegationFinder
	Now         func() time.Time
}

// Route decides whether p's roles, at p's own unit, may do act on obj at
// all: the first check of every request. EFORBIDDEN if not.
func (x *Access) Route(p lindungi.Principal, obj, act string) (Actor, error) {
	a := Actor{Principal: p, Obj: obj, Act: act}
	d, err := x.Authorizer.Authorize(p, p.Unit, obj, act)
	if err != nil {
		return a, err
	}
	if !d.Allowed {
		return a, lindungi.Errorf(lindungi.EFORBIDDEN, "Your role may not use %s %s.", act, obj)
	}
	return a.decided(d, nil, ""), nil
}

// At decides by the policy alone whether a may do its action at unit, and
// returns a with that decision when it may.
func (x *Access) At(a Actor, unit string) (Actor, bool, error) {
	d, err := x.Authorizer.Authorize(a.Principal, unit, a.Obj, a.Act)
	if err != nil || !d.Allowed {
		return a, false, err
	}
	return a.decided(d, nil, ""), true, nil
}

// Reach decides whether a may do its action on a record of unit belonging
// to worker (uuid.Nil for none): by the policy at the caller's own unit, or
// else through a delegation in force. A queue delegation lets the caller's
// unit work the target unit's records as that unit would; a record
// delegation lets the named user work one worker's records. It returns a
// with the decision that allowed it.
func (x *Access) Reach(ctx context.Context, a Actor, unit string, worker uuid.UUID) (Actor, bool, error) {
	if got, ok, err := x.At(a, unit); err != nil || ok {
		return got, ok, err
	}
	p := a.Principal
	delegations, err := x.Delegations.ActiveDelegations(ctx, p.Subject, p.Unit, clock(x.Now))
	if err != nil {
		return a, false, err
	}
	for _, del := range delegations {
		scope := del.TargetUnit
		if del.Kind == lindungi.DelegateRecord {
			if del.WorkerID == nil || *del.WorkerID != worker {
				continue
			}
			scope = unit
		}
		d, err := x.Authorizer.AuthorizeAs(p, scope, unit, a.Obj, a.Act)
		if err != nil {
			return a, false, err
		}
		if d.Allowed {
			return a.decided(d, &del, scope), true, nil
		}
	}
	return a, false, nil
}

// Visible is Reach answering ENOTFOUND with notFound when a may not reach
// the record, so that a record's existence does not leak across units.
func (x *Access) Visible(ctx context.Context, a Actor, unit string, worker uuid.UUID, notFound string) (Actor, error) {
	got, ok, err := x.Reach(ctx, a, unit, worker)
	if err != nil {
		return a, err
	}
	if !ok {
		return a, lindungi.Errorf(lindungi.ENOTFOUND, "%s", notFound)
	}
	return got, nil
}

// Scope is what p may list: its unit and the units below it, the units
// whose queues were delegated to its unit, and the workers delegated to it
// by name.
func (x *Access) Scope(ctx context.Context, p lindungi.Principal) (lindungi.Scope, error) {
	scope := lindungi.Scope{Units: []string{p.Unit}}
	delegations, err := x.Delegations.ActiveDelegations(ctx, p.Subject, p.Unit, clock(x.Now))
	if err != nil {
		return lindungi.Scope{}, err
	}
	for _, d := range delegations {
		switch {
		case d.Kind == lindungi.DelegateQueue:
			scope.Units = append(scope.Units, d.TargetUnit)
		case d.WorkerID != nil:
			scope.Workers = append(scope.Workers, *d.WorkerID)
		}
	}
	return scope, nil
}

// may reports whether p may do the named action act on obj at unit, by the
// policy alone: for capabilities checked inside an action, such as
// referring a case without the worker's consent.
func (x *Access) may(p lindungi.Principal, unit, obj, act string) bool {
	d, err := x.Authorizer.Authorize(p, unit, obj, act)
	return err == nil && d.Allowed
}
