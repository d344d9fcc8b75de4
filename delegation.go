package lindungi

import (
	"context"
	"time"

	"github.com/google/uuid"
)

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

// Validate names each field of d that does not fit its kind: a record
// delegation names a worker and a user, a queue delegation neither (it
// grants the whole unit), and every delegation ends after it starts. It
// returns EINVALID, or nil.
func (d Delegation) Validate() error {
	var v Validation
	switch d.Kind {
	case DelegateRecord:
		if d.WorkerID == nil {
			v.Add("worker_id", "is required for a record delegation")
		}
		if d.GranteeUser == "" {
			v.Add("grantee_user", "is required for a record delegation")
		}
	case DelegateQueue:
		if d.WorkerID != nil {
			v.Add("worker_id", "must be empty for a queue delegation")
		}
		if d.GranteeUser != "" {
			v.Add("grantee_user", "must be empty for a queue delegation")
		}
	default:
		v.Add("kind", "must be record or queue")
	}
	if !d.ExpiresAt.After(d.StartsAt) {
		v.Add("expires_at", "must be after starts_at")
	}
	return v.Err()
}

// DelegationService keeps delegations. Every write stores its audit event
// in the same transaction.
type DelegationService interface {
	// CreateDelegation stores d, granted by ev.Actor, and audits it.
	// EINVALID for a delegation that does not Validate or names an unknown
	// unit or worker.
	CreateDelegation(ctx context.Context, d Delegation, ev Event) (Delegation, error)
	// FindDelegation returns a delegation. ENOTFOUND if there is none.
	FindDelegation(ctx context.Context, id uuid.UUID) (Delegation, error)
	// RevokeDelegation ends a delegation now and audits it. ENOTFOUND if
	// there is none, ECONFLICT if it has ended already.
	RevokeDelegation(ctx context.Context, id uuid.UUID, ev Event) (Delegation, error)
	// ActiveDelegations returns the delegations that grant something to
	// user subject of unit at t: queue delegations to the unit, record
	// delegations to the user. It returns no domain error codes.
	ActiveDelegations(ctx context.Context, subject, unit string, t time.Time) ([]Delegation, error)
	// ListDelegations returns the delegations granted by or to units at or
	// below scope that have not ended by t, or all of them with ended. It
	// returns no domain error codes.
	ListDelegations(ctx context.Context, scope string, t time.Time, ended bool) ([]Delegation, error)
}
