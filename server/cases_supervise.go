package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/workflows"
)

// The supervisors' case actions: re-categorise a case, raise or lower its
// risk, give its handling to an officer; each with a reason, through the
// case's workflow (app.Cases.Act). The answer is the case as stored.

// recategoriseBody is the body of POST /v1/cases/:id/recategorise.
type recategoriseBody struct {
	Categories []lindungi.CaseCategory `json:"categories"`
	Reason     string                  `json:"reason"`
}

// riskBody is the body of POST /v1/cases/:id/risk: the level is
// lindungi.RiskHigh or lindungi.RiskNormal.
type riskBody struct {
	Level  string `json:"level"`
	Reason string `json:"reason"`
}

// assignCaseBody is the body of POST /v1/cases/:id/assign: the subject of
// the user the case's handling goes to.
type assignCaseBody struct {
	Assignee string `json:"assignee"`
	Reason   string `json:"reason"`
}

// recategoriseCase gives a case new categories; trafficking or a death
// abroad makes it high risk, which routes its open tasks again.
func (s *Server) recategoriseCase(c *gin.Context) {
	var body recategoriseBody
	if id, ok := s.bindOn(c, &body, false); ok {
		s.superviseCase(c, app.CaseAct{CaseID: id, Action: workflows.ActRecategorise, Categories: body.Categories, Reason: body.Reason})
	}
}

// setCaseRisk raises a case to high risk (its open tasks routed again by
// the policy) or lowers it.
func (s *Server) setCaseRisk(c *gin.Context) {
	var body riskBody
	if id, ok := s.bindOn(c, &body, false); ok {
		s.superviseCase(c, app.CaseAct{CaseID: id, Action: workflows.ActSetRisk, Level: body.Level, Reason: body.Reason})
	}
}

// assignCase gives a case's open handling task to an officer, who is told.
func (s *Server) assignCase(c *gin.Context) {
	var body assignCaseBody
	if id, ok := s.bindOn(c, &body, false); ok {
		s.superviseCase(c, app.CaseAct{CaseID: id, Action: workflows.ActAssign, Assignee: body.Assignee, Reason: body.Reason})
	}
}

func (s *Server) superviseCase(c *gin.Context, r app.CaseAct) {
	r.Key = keyOf(c)
	pc, err := s.Cases.Act(c.Request.Context(), actor(c), r)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, pc) // stored after the workflow answers (idempotency.go)
}
