package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
)

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
// or another unit work this unit's queue, until it expires.
func (s *Server) grantDelegation(c *gin.Context) {
	var req delegationRequest
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	d, err := s.Delegations.Grant(withAnswer(c, http.StatusCreated), actor(c), app.Grant(req))
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusCreated, d) // stored with the delegation, in its transaction
}

type delegationList struct {
	Items []lindungi.Delegation `json:"items"`
}

// listDelegations lists the delegations granted by or to the caller's unit
// and the units below it; ?ended=true includes those that ended.
func (s *Server) listDelegations(c *gin.Context) {
	var v lindungi.Validation
	ended, _ := boolParam(c, &v, "ended")
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	ds, err := s.Delegations.List(c.Request.Context(), actor(c), ended)
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
	d, err := s.Delegations.Revoke(withAnswer(c, http.StatusOK), actor(c), id)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, d) // stored with the revocation, in its transaction
}
