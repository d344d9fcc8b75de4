package app

import (
	"context"
	"log/slog"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
)

// Policies administers the policy lines. They are the whole country's: only
// a role held at the top unit changes them.
type Policies struct {
	Store  lindungi.PolicyService
	Access *Access
	Units  Units
	// Governed are the routes and named actions the access policy governs;
	// a change must leave each usable (policies.Validate).
	Governed []policies.RouteSpec
	// Reload loads this process's policies again after a change it made;
	// other processes hear of it through the database.
	Reload func(ctx context.Context) error
	Logger *slog.Logger
}

// Models are the policy models, in the order lists show them.
var Models = []string{lindungi.ModelAccess, lindungi.ModelRouting}

// Rules returns the lines of the models asked, and the version in force.
func (ps *Policies) Rules(ctx context.Context, models ...string) ([]lindungi.PolicyRule, string, error) {
	out := []lindungi.PolicyRule{}
	for _, m := range models {
		rules, err := ps.Store.PolicyRules(ctx, m)
		if err != nil {
			return nil, "", err
		}
		out = append(out, rules...)
	}
	return out, ps.Access.Authorizer.Version(), nil
}

// Versions returns the policy history, newest first.
func (ps *Policies) Versions(ctx context.Context, limit int) ([]lindungi.PolicyVersion, error) {
	return ps.Store.PolicyVersions(ctx, limit)
}

// Change adds and removes policy lines, with a reason, if the result
// passes the policy invariants (policies.Validate); the lines, a new
// version and its audit event are written in one transaction, and every
// process picks the change up within seconds. EFORBIDDEN below the top
// unit, checked first; then EINVALID naming bad lines
// (lindungi.PolicyChange.Validate) or the invariant broken.
func (ps *Policies) Change(ctx context.Context, a Actor, ch lindungi.PolicyChange) (lindungi.PolicyVersion, error) {
	a, ok, err := ps.Access.At(a, ps.Units.Top())
	if err == nil && !ok {
		err = lindungi.Errorf(lindungi.EFORBIDDEN, "Only national administrators may change the policies.")
	}
	if err != nil {
		return lindungi.PolicyVersion{}, err
	}
	ch.Normalize()
	if err := ch.Validate(); err != nil {
		return lindungi.PolicyVersion{}, err
	}
	before, _, err := ps.Rules(ctx, Models...)
	if err != nil {
		return lindungi.PolicyVersion{}, err
	}
	validate := func(next map[string][]lindungi.PolicyRule) error {
		var after []lindungi.PolicyRule
		for _, m := range Models {
			after = append(after, next[m]...)
		}
		return policies.Validate(ps.Units, ps.Governed, before, after)
	}
	version, err := ps.Store.ChangePolicy(ctx, ch, a.Event(ctx), validate)
	if err != nil {
		return lindungi.PolicyVersion{}, err
	}
	if ps.Reload != nil {
		if err := ps.Reload(ctx); err != nil {
			logger(ps.Logger).ErrorContext(ctx, "policy reload after change", "err", err)
		}
	}
	return version, nil
}
