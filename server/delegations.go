package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// MaxDelegation is the longest a delegation may last.
const MaxDelegation = 90 * 24 * time.Hour

type delegationRequest struct {
	Kind        string     `json:"kind"`
	GranteeUser string     `json:"grantee_user"`
	GranteeUnit string     `json:"grantee_unit"`
	TargetUnit  string     `json:"target_unit"`
	WorkerID    *uuid.UUID `json:"worker_id"`
	Reason      string     `json:"reason"`
	ExpiresAt   time.Time  `json:"expires_at"`
}

// grantDelegation lets a named user of another unit work one worker's file,
// or another unit work this unit's queue, until it expires. The granter
// must hold the right to delegate at the target unit by its own role, not
// by a delegation.
func (s *Server) grantDelegation(c *gin.Context) {
	var req delegationRequest
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	req.Reason = strings.TrimSpace(req.Reason)
	now := s.Now()
	var v lindungi.Validation
	switch req.Kind {
	case lindungi.DelegateRecord:
		if req.WorkerID == nil {
			v.Add("worker_id", "is required for a record delegation")
		}
		if strings.TrimSpace(req.GranteeUser) == "" {
			v.Add("grantee_user", "is required for a record delegation")
		}
		if req.TargetUnit != "" {
			v.Add("target_unit", "must be empty for a record delegation: it is the worker's district")
		}
	case lindungi.DelegateQueue:
		if req.TargetUnit == "" {
			v.Add("target_unit", "is required for a queue delegation")
		}
		if req.WorkerID != nil || req.GranteeUser != "" {
			v.Add("worker_id", "a queue delegation names a unit, not a worker or a user")
		}
	default:
		v.Add("kind", "must be record or queue")
	}
	if req.GranteeUnit == "" {
		v.Add("grantee_unit", "is required")
	}
	if len([]rune(req.Reason)) < 5 || len([]rune(req.Reason)) > 500 {
		v.Add("reason", "must say why, in 5 to 500 characters")
	}
	switch {
	case req.ExpiresAt.IsZero():
		v.Add("expires_at", "is required")
	case !req.ExpiresAt.After(now):
		v.Add("expires_at", "must be in the future")
	case req.ExpiresAt.Sub(now) > MaxDelegation:
		v.Add("expires_at", "must be at most 90 days from now")
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	ctx := c.Request.Context()
	if req.Kind == lindungi.DelegateRecord {
		w, err := s.Store.FindWorker(ctx, *req.WorkerID)
		if err != nil {
			s.problem(c, err)
			return
		}
		req.TargetUnit = w.DomicileUnit
	}
	if req.TargetUnit == req.GranteeUnit {
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "A unit needs no delegation to its own records.",
			Fields: []lindungi.FieldError{{Field: "grantee_unit", Reason: "must differ from the target unit"}}})
		return
	}
	d, err := s.Authorizer.Authorize(principal(c), req.TargetUnit, c.FullPath(), c.Request.Method)
	if err != nil {
		s.problem(c, err)
		return
	}
	if !d.Allowed {
		s.problem(c, lindungi.Errorf(lindungi.EFORBIDDEN, "You may not delegate the records of %s.", req.TargetUnit))
		return
	}
	s.allowed(c, d, nil)
	out, err := s.Store.CreateDelegation(ctx, lindungi.Delegation{Kind: req.Kind, GranteeUser: strings.TrimSpace(req.GranteeUser),
		GranteeUnit: req.GranteeUnit, TargetUnit: req.TargetUnit, WorkerID: req.WorkerID, Reason: req.Reason,
		StartsAt: now, ExpiresAt: req.ExpiresAt}, s.event(c))
	if err != nil {
		s.problem(c, err)
		return
	}
	s.storeResponse(c, http.StatusCreated, out)
	c.JSON(http.StatusCreated, out)
}

type delegationList struct {
	Items []lindungi.Delegation `json:"items"`
}

// listDelegations lists the delegations granted by or to the caller's unit
// and the units below it; ?ended=true includes those that ended.
func (s *Server) listDelegations(c *gin.Context) {
	ended := c.Query("ended") == "true"
	ds, err := s.Store.ListDelegations(c.Request.Context(), principal(c).Unit, s.Now(), ended)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, delegationList{Items: ds})
}

// revokeDelegation ends a delegation now.
func (s *Server) revokeDelegation(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	del, err := s.Store.FindDelegation(ctx, id)
	if err != nil {
		s.problem(c, err)
		return
	}
	d, err := s.Authorizer.Authorize(principal(c), del.TargetUnit, c.FullPath(), c.Request.Method)
	if err != nil {
		s.problem(c, err)
		return
	}
	if !d.Allowed {
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "Delegation not found."))
		return
	}
	s.allowed(c, d, nil)
	out, err := s.Store.RevokeDelegation(ctx, id, s.event(c))
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
