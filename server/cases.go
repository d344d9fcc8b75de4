package server

import (
	"context"
	"net/http"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// CaseStarter starts the workflow of a protection case. Starting one that
// runs already is not an error.
type CaseStarter interface {
	StartCase(ctx context.Context, c lindungi.Case, requestID string) error
}

// createCase takes a complaint in at the body's unit: a provisional worker
// for an unknown subject, the case, its number and owner, then its
// workflow.
func (s *Server) createCase(c *gin.Context) {
	var nc lindungi.NewComplaint
	if err := bindJSON(c, &nc); err != nil {
		s.problem(c, err)
		return
	}
	nc.Normalize()
	today := s.Now().In(lindungi.WIB)
	nc.FlagMinor(today)
	if err := nc.Validate(today); err != nil {
		s.problem(c, err)
		return
	}
	ctx := c.Request.Context()
	worker := uuid.Nil
	if nc.WorkerID != nil {
		// A complaint names only a worker the caller may see, and the same
		// answer serves an unknown and an invisible one.
		worker = *nc.WorkerID
		w, err := s.Store.FindWorker(ctx, worker)
		ok := err == nil
		if ok {
			ok, err = s.authorizeUnit(c, w.DomicileUnit, w.ID)
		}
		if err != nil && lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
			s.problem(c, err)
			return
		}
		if !ok {
			s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
				Fields: []lindungi.FieldError{{Field: "worker_id", Reason: "is not a worker you may see; search for the worker first"}}})
			return
		}
	}
	// Last, so that the decision the audit event records is the intake's.
	if ok, err := s.authorizeUnit(c, nc.Unit, worker); err != nil || !ok {
		if err == nil {
			err = lindungi.Errorf(lindungi.EFORBIDDEN, "You may not take complaints in for unit %s.", nc.Unit)
		}
		s.problem(c, err)
		return
	}
	owner := nc.Unit
	if s.CaseOwner != nil {
		var err error
		if owner, err = s.CaseOwner(nc); err != nil {
			s.problem(c, err)
			return
		}
	}
	key := idempotencyKeyOf(c)
	pc, err := s.Store.CreateCaseIdempotent(ctx, nc, owner, s.event(c), key)
	if err != nil {
		// A concurrent request with the same key may have won the race.
		if key != nil && lindungi.ErrorCode(err) == lindungi.ECONFLICT && s.replay(c, *key) {
			return
		}
		s.problem(c, err)
		return
	}
	// The case is saved; if its workflow cannot start now, the reconciler
	// starts it.
	switch {
	case s.Cases == nil:
		s.Logger.WarnContext(ctx, "no case workflow starter; the reconciler will start it", "case_id", pc.ID)
	default:
		if err := s.Cases.StartCase(ctx, pc, lindungi.RequestIDFromContext(ctx)); err != nil {
			s.Logger.WarnContext(ctx, "case workflow not started; the reconciler will start it", "case_id", pc.ID, "err", err)
		} else if err := s.Store.MarkCaseStarted(ctx, pc.ID); err != nil {
			s.Logger.WarnContext(ctx, "case workflow start not recorded", "case_id", pc.ID, "err", err)
		}
	}
	c.Header("Location", "/v1/cases/"+pc.ID.String())
	c.JSON(http.StatusCreated, pc)
}

// getCase shows a case's details. The read is logged with its purpose
// before the data is sent.
func (s *Server) getCase(c *gin.Context) {
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	pc, ok := s.readableCase(c)
	if !ok {
		return
	}
	if err := s.logAccess(c, "access.case", "case", pc.ID.String(), &pc.WorkerID, purpose, nil); err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, pc)
}

// readableCase loads the :id case if the caller may use this route on one
// of the units that may read it (lindungi.Case.VisibleUnits): at or above
// its owner, its intake unit, a unit that referred it, a unit it is
// referred or being transferred to. Otherwise the case is not found.
func (s *Server) readableCase(c *gin.Context) (lindungi.Case, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return lindungi.Case{}, false
	}
	pc, err := s.Store.FindCase(c.Request.Context(), id)
	if err == nil {
		err = lindungi.Errorf(lindungi.ENOTFOUND, "Case not found.")
		for _, unit := range pc.VisibleUnits() {
			ok, aerr := s.authorizeUnit(c, unit, pc.WorkerID)
			if aerr != nil || ok {
				err = aerr
				break
			}
		}
	}
	if err != nil {
		s.problem(c, err)
		return lindungi.Case{}, false
	}
	return pc, true
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
	if w := c.Query("worker"); w != "" {
		id, err := uuid.Parse(w)
		if err != nil {
			v.Add("worker", "must be a worker ID")
		}
		f.WorkerID = id
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
	f.Limit, f.AfterStart, f.AfterID = pageParams(c, &v, f.Limit)
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	scope, err := s.scope(c)
	if err != nil {
		s.problem(c, err)
		return
	}
	cases, err := s.Store.ListCases(c.Request.Context(), scope, f)
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

// boolParam reads an optional true/false query parameter; ok says it was
// given and well formed.
func boolParam(c *gin.Context, v *lindungi.Validation, name string) (value, ok bool) {
	switch c.Query(name) {
	case "":
		return false, false
	case "true":
		return true, true
	case "false":
		return false, true
	}
	v.Add(name, "must be true or false")
	return false, false
}

// workerMatches is the answer of a worker search.
type workerMatches struct {
	Items []lindungi.WorkerMatch `json:"items"`
}

// searchWorkers finds the workers the caller may see by NIK, name (with
// birth date, or at least 3 characters) or phone, before a complaint is
// recorded. Each worker found is a read of personal data, logged with the
// purpose.
func (s *Server) searchWorkers(c *gin.Context) {
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	q := lindungi.WorkerQuery{NIK: c.Query("nik"), Name: c.Query("name"), BirthDate: c.Query("birth_date"), Phone: c.Query("phone")}
	q.Normalize()
	if err := q.Validate(); err != nil {
		s.problem(c, err)
		return
	}
	if q.Scope, err = s.scope(c); err != nil {
		s.problem(c, err)
		return
	}
	matches, err := s.Store.SearchWorkers(c.Request.Context(), q)
	if err != nil {
		s.problem(c, err)
		return
	}
	for _, m := range matches {
		if err := s.logAccess(c, "access.search", "worker", m.ID.String(), &m.ID, purpose,
			map[string]any{"matched_by": m.MatchedBy}); err != nil {
			s.problem(c, err)
			return
		}
	}
	if matches == nil {
		matches = []lindungi.WorkerMatch{}
	}
	c.JSON(http.StatusOK, workerMatches{Items: matches})
}

type mergeRequest struct {
	Into string `json:"into"`
}

type mergeResponse struct {
	WorkerID   uuid.UUID `json:"worker_id"`
	MergedInto uuid.UUID `json:"merged_into"`
}

// mergeWorker merges the :id provisional worker into the registered
// worker the body names: its cases and tasks move, both records stay. The
// caller must see both workers.
func (s *Server) mergeWorker(c *gin.Context) {
	var req mergeRequest
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	into, err := uuid.Parse(req.Into)
	if err != nil {
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: "into", Reason: "must be the ID of the registered worker"}}})
		return
	}
	w, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	if into == w.ID {
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: "into", Reason: "must be another worker"}}})
		return
	}
	ctx := c.Request.Context()
	target, err := s.Store.FindWorker(ctx, into)
	ok = err == nil
	if ok {
		ok, err = s.authorizeUnit(c, target.DomicileUnit, target.ID)
	}
	if err != nil && lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		s.problem(c, err)
		return
	}
	if !ok {
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: "into", Reason: "is not a worker you may see"}}})
		return
	}
	// The decision recorded is the one on the worker merged away.
	if _, err := s.authorizeUnit(c, w.DomicileUnit, w.ID); err != nil {
		s.problem(c, err)
		return
	}
	if err := s.Store.MergeWorkers(ctx, w.ID, into, s.event(c)); err != nil {
		s.problem(c, err)
		return
	}
	out := mergeResponse{WorkerID: w.ID, MergedInto: into}
	s.storeResponse(c, http.StatusOK, out)
	c.JSON(http.StatusOK, out)
}
