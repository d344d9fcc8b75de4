package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/web"
)

// The auditors' pages (/audit/...): the purpose of a session of work, the
// audit home with its worker search, a worker's trace, its file as it
// stood at an instant and what changed between two, through app.Audit, the
// service of the audit API routes. Every page reads under the session's
// purpose, asked once (auditPurpose), and logs its reads with it. The
// inspector's questions, the verification and the exports are in
// page_audit_tools.go.

// How many rows the audit pages show at a time.
const (
	auditEventsPerPage = 25
	auditReadsPerPage  = 10
)

// auditPurpose returns the purpose the audit pages read under: the one the
// request names (?purpose=), else the session's. Without either the
// browser goes to the purpose form, which comes back here; ok is false
// then, and the request is answered.
func (s *Server) auditPurpose(c *gin.Context) (string, bool) {
	p, err := s.purpose(c, true)
	switch {
	case err == nil:
		return p, true
	case c.Query("purpose") != "":
		s.problem(c, err)
		return "", false
	}
	back := c.Request.URL.RequestURI()
	if c.Request.Method != http.MethodGet {
		back = c.Request.URL.Path
	}
	s.redirect(c, web.PurposeURL(back))
	c.Abort()
	return "", false
}

// auditFrame is the frame of an audit page: the page's, with the purpose.
func (s *Server) auditFrame(c *gin.Context, purpose string) web.AuditPage {
	return web.AuditPage{Page: s.frame(c, "audit"), Purpose: purpose, PurposeURL: web.PurposeURL(c.Request.URL.RequestURI())}
}

// auditPurposePage is the form that asks why the auditor reads, once per
// session of work; next is where it goes on to.
func (s *Server) auditPurposePage(c *gin.Context) {
	s.render(c, http.StatusOK, "audit_purpose", s.purposeForm(c, session(c).Purpose, c.Query("next"), ""))
}

// purposeNext is the page the purpose form goes on to: a page of this
// site, the audit home by default.
func purposeNext(next string) string {
	if next = web.LocalPath(next); next == "/" {
		return "/audit"
	}
	return next
}

// purposeForm is the purpose form with its value, its error and the page
// it goes on to.
func (s *Server) purposeForm(c *gin.Context, value, next, problem string) web.AuditPurposePage {
	page := s.frame(c, "audit")
	return web.AuditPurposePage{Page: page, Next: purposeNext(next), Purpose: web.Field{Name: "purpose", Label: page.T("audit.purpose.label"),
		Value: value, Hint: page.T("audit.purpose.hint"), Error: problem, Required: true, Autocomplete: "off"}}
}

// setAuditPurpose keeps the purpose in the session, checked as the API
// checks ?purpose=, and goes on to the page that asked for it. It changes
// no record: the reads made under it are logged with it.
func (s *Server) setAuditPurpose(c *gin.Context) {
	next := c.PostForm("next")
	p, err := lindungi.CheckPurpose(c.PostForm("purpose"))
	if err != nil {
		page := s.purposeForm(c, c.PostForm("purpose"), next, "")
		page.Purpose.Error = page.T("audit.purpose.error")
		s.render(c, http.StatusUnprocessableEntity, "audit_purpose", page)
		return
	}
	sess := session(c)
	sess.Purpose, sess.Flash = p, "flash.purpose_set"
	setSession(c, sess)
	s.redirect(c, purposeNext(next))
}

// auditHomePage finds workers by NIK, name or phone (their traces are a
// click away) and lists the questions and tools of the audit pages. Each
// worker found is a read, logged as the search page logs it.
func (s *Server) auditHomePage(c *gin.Context) {
	purpose, ok := s.auditPurpose(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	page := s.auditFrame(c, purpose)
	q := strings.TrimSpace(c.Query("q"))
	link := func(path, key string) web.AuditLink {
		return web.AuditLink{URL: path, Label: page.T(key + ".title"), Hint: page.T(key + ".hint")}
	}
	data := web.AuditHomePage{AuditPage: page,
		Query: web.Field{Name: "q", Label: page.T("audit.search.label"), Type: "search", Value: q, Hint: page.T("workers.query_hint"), Autocomplete: "off"},
		Queries: []web.AuditLink{link("/audit/pengguna", "audit.q.user"), link("/audit/unit", "audit.q.unit"),
			link("/audit/kebijakan", "audit.q.policy"), link("/audit/eskalasi", "audit.q.escalations")},
		Tools: []web.AuditLink{link("/audit/rantai", "audit.tool.chain"), link("/audit/ekspor", "audit.tool.export"),
			link("/audit/periksa-ekspor", "audit.tool.check")},
	}
	if q == "" {
		s.render(c, http.StatusOK, "audit", data)
		return
	}
	a := actor(c)
	matches, err := s.searchWorkersRead(ctx, a, q, purpose)
	if lindungi.ErrorCode(err) == lindungi.EINVALID {
		data.Query.Error = page.T("workers.query_invalid")
		s.render(c, http.StatusBadRequest, "audit", data)
		return
	}
	if err != nil {
		s.problem(c, err)
		return
	}
	data.Searched = true
	data.Results = page.AuditWorkerTable(matches, s.unitNames())
	s.render(c, http.StatusOK, "audit", data)
}

// traceActions are the action prefixes the trace page filters by, with
// the words of each.
var traceActions = []string{"worker.", "journey.", "task.", "document.", "case.", "delegation.", "access."}

// dayParam reads a date input as the start of its day (WIB); end makes it
// the start of the next day, for an inclusive last day.
func dayParam(c *gin.Context, v *lindungi.Validation, name string, end bool, details map[string]any) time.Time {
	s := c.Query(name)
	if s == "" {
		return time.Time{}
	}
	t, ok := web.ParseDay(s)
	if !ok {
		v.Add(name, "must be a date such as 2026-12-23")
		return time.Time{}
	}
	details[name] = s
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// cursorParam reads a cursor of the audit pages: the seq of the last event
// of the page before.
func cursorParam(c *gin.Context, v *lindungi.Validation, name string) int64 {
	s := c.Query(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		v.Add(name, "must be the cursor of the page before")
	}
	return n
}

// pagerURL is u with its query's cursor parameter set to next.
func pagerURL(u *url.URL, name string, next *int64) string {
	if next == nil {
		return ""
	}
	q := u.Query()
	q.Set(name, strconv.FormatInt(*next, 10))
	return u.Path + "?" + q.Encode()
}

// firstURL is u without the cursor parameter, when it has one.
func firstURL(u *url.URL, name string) string {
	q := u.Query()
	if q.Get(name) == "" {
		return ""
	}
	q.Del(name)
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Encode()
}

// auditTracePage is a worker's trace: every event about the worker in
// chain order, filtered by dates, action and actor and paged, with the
// reads of the worker's data (who, when, why) below, through the service
// of GET /v1/workers/{id}/trace. One event logs the page (access.trace).
func (s *Server) auditTracePage(c *gin.Context) {
	w, ok := s.auditWorker(c)
	if !ok {
		return
	}
	purpose, ok := s.auditPurpose(c)
	if !ok {
		return
	}
	var v lindungi.Validation
	details := map[string]any{"page": "trace"}
	events := auditlog.Filter{Limit: auditEventsPerPage, After: cursorParam(c, &v, "cursor")}
	events.From = dayParam(c, &v, "from", false, details)
	events.To = dayParam(c, &v, "to", true, details)
	if a := c.Query("action"); a != "" {
		if !slices.Contains(traceActions, a) {
			v.Add("action", "is not an action this page filters by")
		}
		events.ActionPrefix, details["action"] = a, a
	}
	events.Actor = textParam(c, &v, "actor", details)
	reads := auditlog.Filter{Limit: auditReadsPerPage, After: cursorParam(c, &v, "reads")}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	tr, err := s.Auditing.Trace(c.Request.Context(), actor(c), w.ID, app.TraceRequest{Read: app.Read{Purpose: purpose, Details: details},
		Events: &events, Reads: &reads})
	if err != nil {
		s.problem(c, err)
		return
	}
	page := s.auditFrame(c, purpose)
	units := s.unitNames()
	w = tr.Worker
	u := c.Request.URL
	data := web.AuditTracePage{AuditPage: page, Name: w.Name, WorkerID: w.ID.String(),
		From: web.Field{Name: "from", Label: page.T("audit.filter.from"), Type: "date", Value: c.Query("from")},
		To:   web.Field{Name: "to", Label: page.T("audit.filter.to"), Type: "date", Value: c.Query("to")},
		Action: web.Select{Name: "action", Label: page.T("audit.filter.action"),
			Options: []web.Option{{Value: "", Label: page.T("audit.actions.all"), Selected: events.ActionPrefix == ""}}},
		Actor:    web.Field{Name: "actor", Label: page.T("audit.filter.actor"), Value: events.Actor, Autocomplete: "off"},
		Filtered: events.ActionPrefix != "" || events.Actor != "" || !events.From.IsZero() || !events.To.IsZero(),
		Events:   page.AuditEventTable(tr.Events.Items, units, web.EventColumns{AsOf: w.ID.String()}),
		EventPager: web.Pager{Label: page.T("audit.trace.events"), FirstURL: firstURL(u, "cursor"), FirstText: page.T("pager.first"),
			NextURL: pagerURL(u, "cursor", tr.Events.Next), NextText: page.T("pager.next")},
		Reads: page.AuditReadTable(tr.Reads.Items, units),
		ReadPager: web.Pager{Label: page.T("audit.trace.reads"), FirstURL: firstURL(u, "reads"), FirstText: page.T("pager.first"),
			NextURL: pagerURL(u, "reads", tr.Reads.Next), NextText: page.T("pager.next")},
		AsOfURL:    "/audit/pekerja/" + w.ID.String() + "/per-tanggal",
		ChangesURL: "/audit/pekerja/" + w.ID.String() + "/perubahan",
	}
	for _, a := range traceActions {
		data.Action.Options = append(data.Action.Options, web.Option{Value: a, Label: page.T("audit.actions." + strings.TrimSuffix(a, ".")),
			Selected: events.ActionPrefix == a})
	}
	data.Facts = s.workerFacts(page.Page, w)
	s.render(c, http.StatusOK, "audit_trace", data)
}

// workerFacts are what the audit pages show of a worker: who, where, at
// which step.
func (s *Server) workerFacts(page web.Page, w lindungi.Worker) []web.Fact {
	var out []web.Fact
	fact := func(key, value, sub string) {
		if value != "" {
			out = append(out, web.Fact{Label: page.T(key), Value: value, Sub: sub})
		}
	}
	fact("worker.nik", w.NIK, "")
	if w.BirthDate != "" {
		fact("worker.birth_date", page.Day(w.BirthDate), "")
	}
	fact("worker.district", s.unitName(w.DomicileUnit), w.DomicileUnit)
	if w.Scheme != "" {
		fact("worker.scheme", page.Scheme(w.Scheme), "")
	}
	if w.JourneyStep != "" {
		fact("worker.step", page.Step(w.JourneyStep), "")
	}
	fact("audit.fact.updated", page.DateTime(w.UpdatedAt), "")
	fact("audit.fact.id", w.ID.String(), "")
	return out
}

// instantParam reads a datetime-local input (WIB) as the end of the
// minute or second it names; def when it is not given.
func instantParam(c *gin.Context, v *lindungi.Validation, name string, def time.Time, details map[string]any) time.Time {
	s := c.Query(name)
	if s == "" {
		return def
	}
	t, ok := web.ParseLocalDateTime(s)
	if !ok {
		v.Add(name, "must be a date and time such as 2026-12-23T08:30")
		return def
	}
	details[name] = s
	return t
}

// auditWorker finds the :id worker in the user's reach before the page
// reads its query (authority first); what the page shows of the worker is
// logged by the read the page makes next, through app.Audit, which checks
// the reach again.
func (s *Server) auditWorker(c *gin.Context) (lindungi.Worker, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return lindungi.Worker{}, false
	}
	w, _, err := s.Workers.Find(c.Request.Context(), actor(c), id)
	if err != nil {
		s.problem(c, err)
		return w, false
	}
	return w, true
}

// auditAsOfPage is a worker's file as it stood at an instant: the worker
// and its step, its documents with the decisions taken on them by then,
// its cases and its tasks, through the service of
// GET /v1/workers/{id}/as-of (logged as access.as_of). Before the
// registration the page says so.
func (s *Server) auditAsOfPage(c *gin.Context) {
	w, ok := s.auditWorker(c)
	if !ok {
		return
	}
	purpose, ok := s.auditPurpose(c)
	if !ok {
		return
	}
	var v lindungi.Validation
	details := map[string]any{"page": "as_of"}
	// at is exact, as the trace's links give it: the file just after an
	// event; pada is the form's input.
	at := timeParam(c, &v, "at", details)
	if at.IsZero() {
		at = instantParam(c, &v, "pada", s.Now(), details)
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	file, err := s.Auditing.AsOf(c.Request.Context(), actor(c), w.ID, at, app.Read{Purpose: purpose, Details: details})
	notYet := lindungi.ErrorCode(err) == lindungi.ENOTFOUND
	if err != nil && !notYet {
		s.problem(c, err)
		return
	}
	page := s.auditFrame(c, purpose)
	units := s.unitNames()
	data := web.AuditAsOfPage{AuditPage: page, Name: w.Name, TraceURL: "/audit/pekerja/" + w.ID.String(), NotYet: notYet,
		At:     web.Field{Name: "pada", Label: page.T("audit.asof.at"), Type: "datetime-local", Value: web.LocalDateTime(at), Hint: page.T("audit.asof.at_hint")},
		AtText: page.Instant(at)}
	if !notYet {
		data.Name = file.Worker.Name
		data.Facts = s.workerFacts(page.Page, file.Worker)
		data.Tasks = page.AuditTaskTable(file.Tasks, units)
		data.Documents = page.DocumentTable(file.Documents)
		data.Cases = page.AuditCaseTable(file.Cases, units)
	}
	s.render(c, http.StatusOK, "audit_asof", data)
}

// auditChangesPage is what changed in a worker's file between two
// instants (the last day by default), field by field, through
// app.Audit.Changes (logged as access.changes).
func (s *Server) auditChangesPage(c *gin.Context) {
	w, ok := s.auditWorker(c)
	if !ok {
		return
	}
	purpose, ok := s.auditPurpose(c)
	if !ok {
		return
	}
	var v lindungi.Validation
	details := map[string]any{"page": "changes"}
	now := s.Now()
	to := instantParam(c, &v, "sampai", now, details)
	from := instantParam(c, &v, "dari", to.Add(-24*time.Hour), details)
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	ch, err := s.Auditing.Changes(c.Request.Context(), actor(c), w.ID, from, to, app.Read{Purpose: purpose, Details: details})
	if err != nil {
		s.problem(c, err)
		return
	}
	page := s.auditFrame(c, purpose)
	s.render(c, http.StatusOK, "audit_changes", web.AuditChangesPage{AuditPage: page, Name: ch.To.Worker.Name,
		TraceURL: "/audit/pekerja/" + w.ID.String(), Registered: ch.Registered,
		From:     web.Field{Name: "dari", Label: page.T("audit.changes.from"), Type: "datetime-local", Value: web.LocalDateTime(from)},
		To:       web.Field{Name: "sampai", Label: page.T("audit.changes.to"), Type: "datetime-local", Value: web.LocalDateTime(to)},
		FromText: page.Instant(from), ToText: page.Instant(to),
		Changes: page.AuditChangeTable(ch.Changes)})
}

// unitOptions are the units a user may scope an audit question to: the
// user's own and every unit below it, the own one chosen unless selected
// names another.
func (s *Server) unitOptions(p lindungi.Principal, selected string) []web.Option {
	if selected == "" {
		selected = p.Unit
	}
	var out []web.Option
	for _, u := range s.Units {
		if slices.Contains(u.Path, p.Unit) {
			out = append(out, web.Option{Value: u.Code, Label: u.Name + " (" + u.Code + ")", Selected: u.Code == selected})
		}
	}
	return out
}
