package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/workflows"
)

// CaseActions steers the workflows of protection cases.
type CaseActions interface {
	CaseAction(ctx context.Context, caseID uuid.UUID, req workflows.CaseActionRequest, updateID string) (workflows.CaseState, error)
}

type caseActionBody struct {
	Reason         string `json:"reason"`
	ToUnit         string `json:"to_unit"`
	ToAgency       string `json:"to_agency"`
	Consent        bool   `json:"consent"`
	Resolution     string `json:"resolution"`
	MoneyRecovered int64  `json:"money_recovered_idr"`
	AnsweredInfo   bool   `json:"answered_info"`
}

// caseAction takes one handling step of a case through its workflow, which
// validates it against the case's state; the answer is the case as stored.
func (s *Server) caseAction(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var body caseActionBody
		if c.Request.ContentLength != 0 {
			if err := bindJSON(c, &body); err != nil {
				s.problem(c, err)
				return
			}
		}
		body.Reason = strings.TrimSpace(body.Reason)
		if len([]rune(body.Reason)) > 500 {
			s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
				Fields: []lindungi.FieldError{{Field: "reason", Reason: "must be at most 500 characters"}}})
			return
		}
		pc, ok := s.actionableCase(c)
		if !ok {
			return
		}
		if action == workflows.ActRefer && !body.Consent {
			// Without the worker's consent, only a supervisor may refer.
			d, err := s.Authorizer.Authorize(principal(c), pc.OwnerUnit, "/v1/cases/:id/escalate", http.MethodPost)
			if err != nil || !d.Allowed {
				s.problem(c, &lindungi.Error{Code: lindungi.EFORBIDDEN, Message: "Referral without the worker's consent needs a supervisor's override.",
					Fields: []lindungi.FieldError{{Field: "consent", Reason: "is false and you may not override it"}}})
				return
			}
		}
		if body.ToUnit != "" && s.ancestors(body.ToUnit) == nil {
			s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "Unknown unit.",
				Fields: []lindungi.FieldError{{Field: "to_unit", Reason: "is not a known unit"}}})
			return
		}
		ctx := c.Request.Context()
		_, err := s.CaseActions.CaseAction(ctx, pc.ID, workflows.CaseActionRequest{Action: action, Reason: body.Reason,
			ToUnit: body.ToUnit, ToAgency: strings.TrimSpace(body.ToAgency), Consent: body.Consent,
			Resolution: strings.TrimSpace(body.Resolution), MoneyRecovered: body.MoneyRecovered, AnsweredInfo: body.AnsweredInfo,
			Actor: s.actor(c), RequestID: lindungi.RequestIDFromContext(ctx)}, s.updateID(c, "case/"+action+"/"+pc.ID.String()))
		if err != nil {
			s.problem(c, err)
			return
		}
		s.answerCase(c, pc.ID)
	}
}

// decideCase approves or rejects the case's open decision of kind (a
// closure proposal, a referral, a transfer) by completing its task.
func (s *Server) decideCase(kind lindungi.TaskKind, outcome lindungi.Outcome) gin.HandlerFunc {
	return func(c *gin.Context) {
		var body caseActionBody
		if c.Request.ContentLength != 0 {
			if err := bindJSON(c, &body); err != nil {
				s.problem(c, err)
				return
			}
		}
		id, ok := s.pathID(c)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		pc, err := s.Store.FindCase(ctx, id)
		if err != nil {
			s.problem(c, err)
			return
		}
		task, err := s.Store.OpenTaskOf(ctx, pc.WorkflowID, kind)
		if lindungi.ErrorCode(err) == lindungi.ENOTFOUND {
			err = lindungi.Errorf(lindungi.ECONFLICT, "The case has no open %s decision.", kind)
		}
		if err != nil {
			s.problem(c, err)
			return
		}
		if err := s.visible(c, task.Unit, pc.WorkerID, "Case not found."); err != nil {
			s.problem(c, err)
			return
		}
		_, err = s.Journeys.CompleteTask(ctx, task, workflows.CompleteTaskRequest{TaskID: task.ID, Outcome: outcome,
			Note: strings.TrimSpace(body.Reason), Actor: s.actor(c), Rule: c.GetString(ruleKey), RequestID: lindungi.RequestIDFromContext(ctx)},
			s.updateID(c, "case/decide/"+task.ID.String()))
		if err != nil {
			s.problem(c, err)
			return
		}
		s.answerCase(c, pc.ID)
	}
}

// actionableCase loads the :id case if the caller may act on it: at its
// owner unit (or above, or by delegation).
func (s *Server) actionableCase(c *gin.Context) (lindungi.Case, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return lindungi.Case{}, false
	}
	pc, err := s.Store.FindCase(c.Request.Context(), id)
	if err == nil {
		err = s.visible(c, pc.OwnerUnit, pc.WorkerID, "Case not found.")
	}
	if err != nil {
		s.problem(c, err)
		return lindungi.Case{}, false
	}
	if pc.Step == lindungi.CaseClosed && !strings.HasSuffix(c.FullPath(), "/reopen") {
		s.problem(c, lindungi.Errorf(lindungi.ECONFLICT, "The case is closed; reopen it first."))
		return lindungi.Case{}, false
	}
	return pc, true
}

func (s *Server) answerCase(c *gin.Context, id uuid.UUID) {
	pc, err := s.Store.FindCase(c.Request.Context(), id)
	if err != nil {
		s.problem(c, err)
		return
	}
	s.storeResponse(c, http.StatusOK, pc)
	c.JSON(http.StatusOK, pc)
}
