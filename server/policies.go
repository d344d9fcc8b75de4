package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
)

type policyList struct {
	Version string                `json:"version"`
	Items   []lindungi.PolicyRule `json:"items"`
}

// listPolicies lists the policy lines of one model, or of both.
func (s *Server) listPolicies(c *gin.Context) {
	models := app.Models
	switch m := c.Query("model"); m {
	case "":
	case lindungi.ModelAccess, lindungi.ModelRouting:
		models = []string{m}
	default:
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "Unknown model.",
			Fields: []lindungi.FieldError{{Field: "model", Reason: "must be access or routing"}}})
		return
	}
	rules, version, err := s.Policies.Rules(c.Request.Context(), models...)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, policyList{Version: version, Items: rules})
}

// changePolicy adds and removes policy lines, if the result passes the
// policy invariants; every process picks the change up within seconds.
func (s *Server) changePolicy(c *gin.Context) {
	var ch lindungi.PolicyChange
	if err := bindJSON(c, &ch); err != nil {
		s.problem(c, err)
		return
	}
	v, err := s.Policies.Change(c.Request.Context(), actor(c), ch)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

type versionList struct {
	Items []lindungi.PolicyVersion `json:"items"`
}

// listPolicyVersions shows the policy history, newest first.
func (s *Server) listPolicyVersions(c *gin.Context) {
	versions, err := s.Policies.Versions(c.Request.Context(), 200)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, versionList{Items: versions})
}
