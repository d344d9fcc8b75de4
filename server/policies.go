package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/policies"
)

type policyList struct {
	Version string                `json:"version"`
	Items   []lindungi.PolicyRule `json:"items"`
}

// listPolicies lists the policy lines of one model, or of both.
func (s *Server) listPolicies(c *gin.Context) {
	models := []string{lindungi.ModelAccess, lindungi.ModelRouting}
	switch m := c.Query("model"); m {
	case "":
	case lindungi.ModelAccess, lindungi.ModelRouting:
		models = []string{m}
	default:
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "Unknown model.",
			Fields: []lindungi.FieldError{{Field: "model", Reason: "must be access or routing"}}})
		return
	}
	out := policyList{Version: s.Authorizer.Version(), Items: []lindungi.PolicyRule{}}
	for _, m := range models {
		rules, err := s.Store.PolicyRules(c.Request.Context(), m)
		if err != nil {
			s.problem(c, err)
			return
		}
		out.Items = append(out.Items, rules...)
	}
	c.JSON(http.StatusOK, out)
}

// changePolicy adds and removes policy lines, if the result passes the
// policy invariants; every process picks the change up within seconds.
func (s *Server) changePolicy(c *gin.Context) {
	var ch lindungi.PolicyChange
	if err := bindJSON(c, &ch); err != nil {
		s.problem(c, err)
		return
	}
	ch.Reason = strings.TrimSpace(ch.Reason)
	var v lindungi.Validation
	if len([]rune(ch.Reason)) < 5 || len([]rune(ch.Reason)) > 500 {
		v.Add("reason", "must say why, in 5 to 500 characters")
	}
	if len(ch.Add)+len(ch.Remove) == 0 {
		v.Add("add", "add or remove at least one line")
	}
	for i, r := range ch.Add {
		checkRule(&v, "add["+strconv.Itoa(i)+"]", r)
	}
	for i, r := range ch.Remove {
		checkRule(&v, "remove["+strconv.Itoa(i)+"]", r)
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	// The policies are the whole country's: only a role held at the top
	// unit may change them.
	if d, err := s.Authorizer.Authorize(principal(c), s.topUnit(), c.FullPath(), c.Request.Method); err != nil || !d.Allowed {
		if err == nil {
			err = lindungi.Errorf(lindungi.EFORBIDDEN, "Only national administrators may change the policies.")
		}
		s.problem(c, err)
		return
	}
	ctx := c.Request.Context()
	var before []lindungi.PolicyRule
	for _, m := range []string{lindungi.ModelAccess, lindungi.ModelRouting} {
		rules, err := s.Store.PolicyRules(ctx, m)
		if err != nil {
			s.problem(c, err)
			return
		}
		before = append(before, rules...)
	}
	routes := s.policyRoutes()
	validate := func(next map[string][]lindungi.PolicyRule) error {
		return policies.Validate(s.Units, routes, before, append(append([]lindungi.PolicyRule{}, next[lindungi.ModelAccess]...), next[lindungi.ModelRouting]...))
	}
	version, err := s.Store.ChangePolicy(ctx, ch, s.event(c), validate)
	if err != nil {
		s.problem(c, err)
		return
	}
	if s.PolicyChanged != nil {
		if err := s.PolicyChanged(ctx); err != nil {
			s.Logger.ErrorContext(ctx, "policy reload after change", "err", err)
		}
	}
	c.JSON(http.StatusOK, version)
}

// topUnit is the unit above all others.
func (s *Server) topUnit() string {
	for _, u := range s.Units {
		if u.Parent == "" {
			return u.Code
		}
	}
	return ""
}

// checkRule names what is wrong with a policy line in a request.
func checkRule(v *lindungi.Validation, field string, r lindungi.PolicyRule) {
	switch r.Model {
	case lindungi.ModelAccess, lindungi.ModelRouting:
	default:
		v.Add(field+".model", "must be access or routing")
	}
	if r.PType == "" {
		v.Add(field+".ptype", "is required")
	}
	if len(r.Values) == 0 || len(r.Values) > 8 {
		v.Add(field+".values", "must hold 1 to 8 values")
	}
	for _, val := range r.Values {
		if strings.TrimSpace(val) != val || val == "" || strings.ContainsAny(val, ",\n\"") {
			v.Add(field+".values", "values must be non-empty, without surrounding spaces, commas, quotes or line breaks")
			break
		}
	}
}

// policyRoutes are the routes the access policy governs.
func (s *Server) policyRoutes() []policies.RouteSpec {
	var out []policies.RouteSpec
	for _, r := range s.routes() {
		if r.auth {
			out = append(out, policies.RouteSpec{Method: r.method, Path: r.path})
		}
	}
	return out
}

type versionList struct {
	Items []lindungi.PolicyVersion `json:"items"`
}

// listPolicyVersions shows the policy history, newest first.
func (s *Server) listPolicyVersions(c *gin.Context) {
	versions, err := s.Store.PolicyVersions(c.Request.Context(), 200)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, versionList{Items: versions})
}
