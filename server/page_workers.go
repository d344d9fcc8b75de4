package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// The worker file: search before create (GET /pekerja), the worker's page
// (GET /pekerja/:id) and the registration form (/pekerja/baru), through
// the services of GET /v1/workers/search, GET /v1/workers/{id} with its
// documents, and POST /v1/workers.

// workerPageTasks is the most open tasks a worker's page lists.
const workerPageTasks = 50

// workerSearchPage finds the workers in the user's reach by NIK, name or
// phone (one box, q). Each worker shown is a read of personal data,
// logged as the API logs a search, in one batch before the page is sent.
func (s *Server) workerSearchPage(c *gin.Context) {
	ctx := c.Request.Context()
	page := s.frame(c, "workers")
	q := strings.TrimSpace(c.Query("q"))
	data := web.WorkerSearchPage{Page: page, Query: web.Field{Name: "q", Label: page.T("workers.query"), Type: "search",
		Value: q, Hint: page.T("workers.query_hint"), Autocomplete: "off"}}
	if _, err := s.Access.Route(principal(c), "/pekerja/baru", http.MethodPost); err == nil {
		data.NewURL = "/pekerja/baru"
	}
	if q == "" {
		s.render(c, http.StatusOK, "workers", data)
		return
	}
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	a := actor(c)
	matches, err := s.Workers.Search(ctx, a, workerQuery(q))
	if lindungi.ErrorCode(err) == lindungi.EINVALID {
		data.Query.Error = page.T("workers.query_invalid")
		s.render(c, http.StatusBadRequest, "workers", data)
		return
	}
	if err != nil {
		s.problem(c, err)
		return
	}
	reads := make([]lindungi.Event, 0, len(matches))
	for _, m := range matches {
		id := m.ID
		ev := a.Event(ctx)
		ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID, ev.Purpose = "access.search", "worker", id.String(), &id, purpose
		ev.After, _ = json.Marshal(map[string]any{"matched_by": m.MatchedBy})
		reads = append(reads, ev)
	}
	if err := s.Pages.Store.RecordAccesses(ctx, reads); err != nil {
		s.problem(c, err)
		return
	}
	data.Searched = true
	data.Results = page.WorkerMatchTable(matches, s.unitNames())
	s.render(c, http.StatusOK, "workers", data)
}

// workerQuery reads the search box: 16 digits are a NIK, a number of
// digits (with +, spaces or dashes) a phone, anything else a name.
func workerQuery(q string) lindungi.WorkerQuery {
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, q)
	allDigits := digits != "" && strings.IndexFunc(strings.TrimPrefix(digits, "+"), func(r rune) bool { return r < '0' || r > '9' }) < 0
	switch {
	case allDigits && len(digits) == 16:
		return lindungi.WorkerQuery{NIK: digits}
	case allDigits:
		return lindungi.WorkerQuery{Phone: digits}
	}
	return lindungi.WorkerQuery{Name: q}
}

// unitNames names the units by code.
func (s *Server) unitNames() map[string]string {
	units := map[string]string{}
	for _, u := range s.Units {
		units[u.Code] = u.Name
	}
	return units
}

// workerPage is a worker's file: the profile, the journey step in words,
// the open tasks and the documents, through the reads of the API's
// GET /v1/workers/{id} and its documents list. A worker out of the user's
// reach is the 404 page. The reads are logged, in one batch, with their
// purpose (case-work unless the user gives one) before the page is sent.
func (s *Server) workerPage(c *gin.Context) {
	ctx := c.Request.Context()
	w, a, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	docs, _, err := s.Documents.List(ctx, actor(c), w.ID, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	now := s.Now()
	tasks, err := s.Tasks.List(ctx, actor(c), lindungi.TaskFilter{Status: lindungi.TaskOpen, WorkerID: w.ID, Now: now, Limit: workerPageTasks})
	if err != nil {
		s.problem(c, err)
		return
	}
	var reads []lindungi.Event
	for _, action := range []string{"access.worker", "access.document"} {
		ev := a.Event(ctx)
		ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID, ev.Purpose = action, "worker", w.ID.String(), &w.ID, purpose
		reads = append(reads, ev)
	}
	if err := s.Pages.Store.RecordAccesses(ctx, reads); err != nil {
		s.problem(c, err)
		return
	}

	page := s.frame(c, "workers")
	units := s.unitNames()
	data := web.WorkerPage{Page: page, Name: w.Name, Provisional: w.NIK == "", Step: page.Step(w.JourneyStep),
		Documents: page.DocumentTable(docs), Tasks: page.WorkerTaskTable(tasks, units)}
	fact := func(key, value, sub string) {
		if value != "" {
			data.Profile = append(data.Profile, web.Fact{Label: page.T(key), Value: value, Sub: sub})
		}
	}
	fact("worker.nik", w.NIK, "")
	if w.BirthDate != "" {
		fact("worker.birth_date", page.Day(w.BirthDate), "")
	}
	fact("worker.phone", w.Phone, "")
	fact("worker.district", s.unitName(w.DomicileUnit), w.DomicileUnit)
	if w.Scheme != "" {
		fact("worker.scheme", page.Scheme(w.Scheme), "")
	}
	fact("worker.company", w.PlacementCompany, "")
	fact("worker.job_order", w.JobOrderRef, "")
	s.render(c, http.StatusOK, "worker", data)
}
