package app

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// Delegations grants and revokes work across units.
type Delegations struct {
	Store   lindungi.DelegationService
	Workers WorkerFinder
	Access  *Access
	Units   Units
	Now     func() time.Time
}

// MaxDelegation is the longest a delegation may last.
const MaxDelegation = 90 * 24 * time.Hour

// Grant is a request for a delegation: a record delegation names a worker
// and a user of another unit; a queue delegation names the target unit
// whose queue the grantee unit may work.
type Grant struct {
	Kind        string
	GranteeUser string
	GranteeUnit string
	TargetUnit  string
	WorkerID    *uuid.UUID
	Reason      string
	ExpiresAt   time.Time
}

// Normalize trims the text of a grant.
func (g *Grant) Normalize() {
	g.Kind, g.GranteeUser, g.Reason = strings.TrimSpace(g.Kind), strings.TrimSpace(g.GranteeUser), lindungi.TrimText(g.Reason)
	g.GranteeUnit, g.TargetUnit = strings.TrimSpace(g.GranteeUnit), strings.TrimSpace(g.TargetUnit)
}

// Validate names the bad fields of a grant at the instant now and among
// units: a record delegation names a worker and a user (one line of 1 to
// 200 characters) and no target unit, which is the worker's district; a
// queue delegation names a target unit and no worker or user; both name a
// known grantee unit and a reason (lindungi.CheckReason), and expire in
// the future, at most MaxDelegation ahead.
func (g Grant) Validate(now time.Time, units Units) error {
	var v lindungi.Validation
	switch g.Kind {
	case lindungi.DelegateRecord:
		if g.WorkerID == nil {
			v.Add("worker_id", "is required for a record delegation")
		}
		if g.GranteeUser == "" {
			v.Add("grantee_user", "is required for a record delegation")
		}
		if g.TargetUnit != "" {
			v.Add("target_unit", "must be empty for a record delegation: it is the worker's district")
		}
	case lindungi.DelegateQueue:
		if g.TargetUnit == "" {
			v.Add("target_unit", "is required for a queue delegation")
		}
		if g.WorkerID != nil || g.GranteeUser != "" {
			v.Add("worker_id", "a queue delegation names a unit, not a worker or a user")
		}
	default:
		v.Add("kind", "must be record or queue")
	}
	lindungi.Text{Max: 200}.Check(&v, "grantee_user", g.GranteeUser)
	checkKnownUnit(&v, units, "grantee_unit", g.GranteeUnit, true)
	checkKnownUnit(&v, units, "target_unit", g.TargetUnit, false)
	v.Merge(lindungi.CheckReason("reason", g.Reason))
	switch {
	case g.ExpiresAt.IsZero():
		v.Add("expires_at", "is required")
	case !g.ExpiresAt.After(now):
		v.Add("expires_at", "must be in the future")
	case g.ExpiresAt.Sub(now) > MaxDelegation:
		v.Add("expires_at", "must be at most 90 days from now")
	}
	return v.Err()
}

// checkKnownUnit adds to v why code is not one of units (empty is fine
// unless required).
func checkKnownUnit(v *lindungi.Validation, units Units, field, code string, required bool) {
	switch {
	case code == "" && required:
		v.Add(field, "is required")
	case code == "":
	case !lindungi.IsUnitCode(code):
		v.Add(field, "must be a unit code such as 3305, 33 or ID")
	case units.Path(code) == nil:
		v.Add(field, "is not a known unit")
	}
}

// Grant lets a named user of another unit work one worker's file, or
// another unit work a unit's queue, until it expires (at most
// MaxDelegation ahead), with a reason. The caller must hold the action at
// the target unit by its own role, not by a delegation: that is checked
// first, when the target is known (a queue delegation's known target unit,
// a record delegation's worker). EFORBIDDEN for a target unit out of
// reach, EINVALID naming bad fields (Grant.Validate), ENOTFOUND for an
// unknown worker.
func (ds *Delegations) Grant(ctx context.Context, a Actor, g Grant) (lindungi.Delegation, error) {
	g.Normalize()
	now := clock(ds.Now)
	target := ""
	switch {
	case g.Kind == lindungi.DelegateRecord && g.WorkerID != nil:
		w, err := ds.Workers.FindWorker(ctx, *g.WorkerID)
		if err != nil {
			return lindungi.Delegation{}, err
		}
		target = w.DomicileUnit
	case g.Kind == lindungi.DelegateQueue && ds.Units.Path(g.TargetUnit) != nil:
		target = g.TargetUnit
	}
	if target != "" {
		got, ok, err := ds.Access.At(a, target)
		if err != nil {
			return lindungi.Delegation{}, err
		}
		if !ok {
			return lindungi.Delegation{}, lindungi.Errorf(lindungi.EFORBIDDEN, "You may not delegate the records of %s.", target)
		}
		a = got
	}
	if err := g.Validate(now, ds.Units); err != nil {
		return lindungi.Delegation{}, err
	}
	if target == g.GranteeUnit {
		return lindungi.Delegation{}, &lindungi.Error{Code: lindungi.EINVALID, Message: "A unit needs no delegation to its own records.",
			Fields: []lindungi.FieldError{{Field: "grantee_unit", Reason: "must differ from the target unit"}}}
	}
	return ds.Store.CreateDelegation(ctx, lindungi.Delegation{Kind: g.Kind, GranteeUser: g.GranteeUser,
		GranteeUnit: g.GranteeUnit, TargetUnit: target, WorkerID: g.WorkerID, Reason: g.Reason,
		StartsAt: now, ExpiresAt: g.ExpiresAt}, a.Event(ctx))
}

// Revoke ends a delegation now. The caller must hold the action at the
// target unit by its own role; ENOTFOUND otherwise.
func (ds *Delegations) Revoke(ctx context.Context, a Actor, id uuid.UUID) (lindungi.Delegation, error) {
	del, err := ds.Store.FindDelegation(ctx, id)
	if err != nil {
		return lindungi.Delegation{}, err
	}
	a, ok, err := ds.Access.At(a, del.TargetUnit)
	if err != nil {
		return lindungi.Delegation{}, err
	}
	if !ok {
		return lindungi.Delegation{}, lindungi.Errorf(lindungi.ENOTFOUND, "Delegation not found.")
	}
	return ds.Store.RevokeDelegation(ctx, id, a.Event(ctx))
}

// List returns the delegations granted by or to the caller's unit and the
// units below it: those in force, or every one with ended.
func (ds *Delegations) List(ctx context.Context, a Actor, ended bool) ([]lindungi.Delegation, error) {
	return ds.Store.ListDelegations(ctx, a.Principal.Unit, clock(ds.Now), ended)
}
