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

// Grant lets a named user of another unit work one worker's file, or
// another unit work a unit's queue, until it expires (at most
// MaxDelegation ahead), with a reason. The caller must hold the action at
// the target unit by its own role, not by a delegation. EINVALID naming bad
// fields, EFORBIDDEN for a target unit out of reach.
func (ds *Delegations) Grant(ctx context.Context, a Actor, g Grant) (lindungi.Delegation, error) {
	g.Reason = strings.TrimSpace(g.Reason)
	now := clock(ds.Now)
	var v lindungi.Validation
	switch g.Kind {
	case lindungi.DelegateRecord:
		if g.WorkerID == nil {
			v.Add("worker_id", "is required for a record delegation")
		}
		if strings.TrimSpace(g.GranteeUser) == "" {
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
	if g.GranteeUnit == "" {
		v.Add("grantee_unit", "is required")
	}
	if len([]rune(g.Reason)) < 5 || len([]rune(g.Reason)) > 500 {
		v.Add("reason", "must say why, in 5 to 500 characters")
	}
	switch {
	case g.ExpiresAt.IsZero():
		v.Add("expires_at", "is required")
	case !g.ExpiresAt.After(now):
		v.Add("expires_at", "must be in the future")
	case g.ExpiresAt.Sub(now) > MaxDelegation:
		v.Add("expires_at", "must be at most 90 days from now")
	}
	if err := v.Err(); err != nil {
		return lindungi.Delegation{}, err
	}
	if g.Kind == lindungi.DelegateRecord {
		w, err := ds.Workers.FindWorker(ctx, *g.WorkerID)
		if err != nil {
			return lindungi.Delegation{}, err
		}
		g.TargetUnit = w.DomicileUnit
	}
	if g.TargetUnit == g.GranteeUnit {
		return lindungi.Delegation{}, &lindungi.Error{Code: lindungi.EINVALID, Message: "A unit needs no delegation to its own records.",
			Fields: []lindungi.FieldError{{Field: "grantee_unit", Reason: "must differ from the target unit"}}}
	}
	a, ok, err := ds.Access.At(a, g.TargetUnit)
	if err != nil {
		return lindungi.Delegation{}, err
	}
	if !ok {
		return lindungi.Delegation{}, lindungi.Errorf(lindungi.EFORBIDDEN, "You may not delegate the records of %s.", g.TargetUnit)
	}
	return ds.Store.CreateDelegation(ctx, lindungi.Delegation{Kind: g.Kind, GranteeUser: strings.TrimSpace(g.GranteeUser),
		GranteeUnit: g.GranteeUnit, TargetUnit: g.TargetUnit, WorkerID: g.WorkerID, Reason: g.Reason,
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
