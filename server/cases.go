package server

import (
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
)

// createCase takes a complaint in at the body's unit: a provisional worker
// for an unknown subject, the case, its number and owner, then its
// workflow.
func (s *Server) createCase(c *gin.Context) {
	var nc lindungi.NewComplaint
	if err := bindJSON(c, &nc); err != nil {
		s.problem(c, err)
		return
	}
	pc, err := s.Cases.Intake(withAnswer(c, http.StatusCreated), actor(c), app.Intake{Complaint: nc})
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Header("Location", "/v1/cases/"+pc.ID.String())
	c.JSON(http.StatusCreated, pc) // stored with the case, in its transaction
}

// getCase shows a case's details. The read is logged with its purpose
// before the data is sent.
func (s *Server) getCase(c *gin.Context) {
	pc, a, ok := s.readableCase(c)
	if !ok {
		return
	}
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	if err := s.logAccess(c, a, "access.case", "case", pc.ID.String(), &pc.WorkerID, purpose, nil); err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, pc)
}

// readableCase loads the :id case if the caller may use this route on one
// of the units that may read it, with the decision that allowed it.
func (s *Server) readableCase(c *gin.Context) (lindungi.Case, app.Actor, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return lindungi.Case{}, app.Actor{}, false
	}
	pc, a, err := s.Cases.Find(c.Request.Context(), actor(c), id)
	if err != nil {
		s.problem(c, err)
		return lindungi.Case{}, app.Actor{}, false
	}
	return pc, a, true
}

// caseList is the answer of the case list.
type caseList struct {
	Items      []lindungi.CaseSummary `json:"items"`
	NextCursor string                 `json:"next_cursor,omitempty"`
}

var unitCodePattern = regexp.MustCompile(`^(ID|[0-9]{2}|[0-9]{4})$`)

// listCases lists the cases the caller may read (lindungi.Case.VisibleUnits
// at or below its unit, and what was delegated to it), filtered, by receipt
// then ID, a page at a time. Items are summaries without personal data.
func (s *Server) listCases(c *gin.Context) {
	var v lindungi.Validation
	f := lindungi.CaseFilter{Step: lindungi.CaseStep(c.Query("step")), Unit: c.Query("unit"),
		Category: lindungi.CaseCategory(c.Query("category")), Limit: 100, Now: s.Now()}
	if f.Step != "" && !f.Step.Valid() {
		v.Add("step", "is not a case step")
	}
	if b, ok := boolParam(c, &v, "open"); ok {
		f.Open = &b
	}
	f.WorkerID = uuidParam(c, &v, "worker", "must be a worker ID")
	if n := c.Query("number"); n != "" {
		var ok bool
		if f.Number, ok = lindungi.NormalizeCaseNumber(n); !ok {
			v.Add("number", "must be a case number such as PGD-33-2026-000042")
		}
	}
	if f.Unit != "" && !unitCodePattern.MatchString(f.Unit) {
		v.Add("unit", "must be a unit code such as 3305, 33 or ID")
	}
	if _, known := lindungi.CategoryLabels[f.Category]; f.Category != "" && !known {
		v.Add("category", "is not a complaint category")
	}
	if d := c.Query("idle_days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 3650 {
			v.Add("idle_days", "must be a number of days from 0 to 3650")
		}
		f.IdleDays = n
	}
	f.Overdue, _ = boolParam(c, &v, "overdue")
	caseDates(c, &v, &f)
	f.Limit, f.AfterStart, f.AfterID = pageParams(c, &v, f.Limit)
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	cases, err := s.Cases.List(c.Request.Context(), actor(c), f)
	if err != nil {
		s.problem(c, err)
		return
	}
	out := caseList{Items: make([]lindungi.CaseSummary, len(cases))}
	for i, pc := range cases {
		out.Items[i] = pc.Summary()
	}
	if len(cases) == f.Limit {
		last := cases[len(cases)-1]
		out.NextCursor = makeCursor(last.ReceivedAt, last.ID)
	}
	c.JSON(http.StatusOK, out)
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

// caseAction takes one handling step of a case through its workflow; the
// answer is the case as stored.
func (s *Server) caseAction(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var body caseActionBody
		id, ok := s.bindOn(c, &body, true)
		if !ok {
			return
		}
		pc, err := s.Cases.Act(c.Request.Context(), actor(c), app.CaseAct{CaseID: id, Action: action, Reason: body.Reason,
			ToUnit: body.ToUnit, ToAgency: body.ToAgency, Consent: body.Consent, Resolution: body.Resolution,
			MoneyRecovered: body.MoneyRecovered, AnsweredInfo: body.AnsweredInfo, Key: keyOf(c)})
		if err != nil {
			s.problem(c, err)
			return
		}
		c.JSON(http.StatusOK, pc) // stored after the workflow answers (idempotency.go)
	}
}

// decisionBody is the body of a decision: why, which a rejection should
// say.
type decisionBody struct {
	Reason string `json:"reason"`
}

// decideCase approves or rejects the case's open decision of kind (a
// closure proposal, a referral, a transfer).
func (s *Server) decideCase(kind lindungi.TaskKind, outcome lindungi.Outcome) gin.HandlerFunc {
	return func(c *gin.Context) {
		var body decisionBody
		id, ok := s.bindOn(c, &body, true)
		if !ok {
			return
		}
		pc, err := s.Cases.Decide(c.Request.Context(), actor(c), app.Decision{CaseID: id, Kind: kind, Outcome: outcome,
			Reason: body.Reason, Key: keyOf(c)})
		if err != nil {
			s.problem(c, err)
			return
		}
		c.JSON(http.StatusOK, pc) // stored after the workflow answers (idempotency.go)
	}
}

// caseDates reads the case filters of the dashboard's lists, for the API
// and the case list page alike: escalated=true and the dates a case was
// received, resolved or closed within (YYYY-MM-DD, WIB).
func caseDates(c *gin.Context, v *lindungi.Validation, f *lindungi.CaseFilter) {
	f.Escalated, _ = boolParam(c, v, "escalated")
	for _, d := range []struct {
		name string
		to   *string
	}{{"received_from", &f.ReceivedFrom}, {"received_to", &f.ReceivedTo}, {"resolved_from", &f.ResolvedFrom},
		{"resolved_to", &f.ResolvedTo}, {"closed_from", &f.ClosedFrom}, {"closed_to", &f.ClosedTo}} {
		s := c.Query(d.name)
		if s == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			v.Add(d.name, "must be a date such as 2026-11-27")
			continue
		}
		*d.to = s
	}
}
