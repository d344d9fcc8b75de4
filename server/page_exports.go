package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// The list exports: the case list (GET /kasus/unduh), the inbox
// (/unduh) and a worker search (/pekerja/unduh), each with the
// filters of its screen, through the services the screens use. Without
// format the route is a form: what the file will hold (the filter in
// words, the rows counted by the list's own query) and, when the list
// shows personal data (the inbox's and the search's names), the purpose
// it is downloaded for. With format it is the file, streamed: the rows
// are read a page at a time (app.Reports.EachCase, EachTask) and written
// before the next page is read (app.ExportPage rows at a time). A file with personal data is logged once
// (access.export: the list, its filter, the rows, the format, the
// purpose) before its first byte, and says in its head who exported it,
// when and why.

// Routes of the list exports.
const (
	pageExportCases   = "/kasus/unduh"
	pageExportTasks   = "/unduh"
	pageExportWorkers = "/pekerja/unduh"
)

// exportRequest is what an export route read: the format asked ("" for
// the form) and the purpose of a file with personal data.
type exportRequest struct {
	format  string
	purpose string
	// problem is the purpose form's error: the purpose given is not one.
	problem string
}

// readExport reads format and, when personal, the purpose (the query's,
// else the session's: an auditor's purpose of the session serves). A
// format other than csv or xlsx is a 422.
func (s *Server) readExport(c *gin.Context, personal bool) (exportRequest, bool) {
	r := exportRequest{format: c.Query("format")}
	if r.format != "" && r.format != web.FormatCSV && r.format != web.FormatXLSX {
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: "format", Reason: "must be csv or xlsx"}}})
		return r, false
	}
	if !personal {
		return r, true
	}
	p, err := s.purpose(c, true)
	switch {
	case err == nil:
		r.purpose = p
	case c.Query("purpose") != "":
		r.problem = "export.purpose_error"
		r.format = ""
	default:
		r.format = "" // no purpose yet: the form asks for it
	}
	return r, true
}

// exportForm renders the export's form: title, what the file holds, the
// purpose field for personal data.
func (s *Server) exportForm(c *gin.Context, r exportRequest, personal bool, data web.ExportPage) {
	page := data.Page
	if personal {
		value := c.Query("purpose")
		if value == "" {
			value = session(c).Purpose
		}
		data.Purpose = &web.Field{Name: "purpose", Label: page.T("export.purpose"), Value: value, Hint: page.T("export.purpose_hint"),
			Required: true, Autocomplete: "off"}
		if r.problem != "" {
			data.Purpose.Error = page.T(r.problem)
		}
	}
	status := http.StatusOK
	if r.problem != "" {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "export", data)
}

// exportHead is the head of a list's file: its title, the user's unit,
// the filter, the rows, who exported it, when, and why.
func (s *Server) exportHead(c *gin.Context, p *web.Printer, title string, filter []web.Fact, rows int, purpose string) web.SheetHead {
	unit := principal(c).Unit
	lines := [][2]string{{p.T("report.line_unit"), s.unitName(unit) + " (" + unit + ")"}}
	for _, f := range filter {
		lines = append(lines, [2]string{f.Label, f.Value})
	}
	lines = append(lines, [2]string{p.T("export.rows_label"), p.Count(rows)})
	lines = append(lines, s.exportLines(c, p)...)
	if purpose != "" {
		lines = append(lines, [2]string{p.T("export.line_purpose"), purpose})
	}
	return web.SheetHead{Title: title, Lines: lines}
}

// logExport writes the one access event of an export of personal data.
func (s *Server) logExport(c *gin.Context, list string, filter url.Values, rows int, r exportRequest) error {
	asked := map[string]string{}
	for k := range filter {
		asked[k] = filter.Get(k)
	}
	return s.logAccess(c, actor(c), "access.export", "export", list, nil, r.purpose,
		map[string]any{"list": list, "filter": asked, "rows": rows, "format": r.format})
}

// exportName names a list's file: the list and the day.
func (s *Server) exportName(list string) string {
	return list + "-" + s.Now().In(lindungi.WIB).Format("2006-01-02")
}

// casesExportPage exports the case list with its status filter (open,
// closed or all, as GET /kasus). The list holds no personal data: no
// purpose, no access event.
func (s *Server) casesExportPage(c *gin.Context) {
	ctx := c.Request.Context()
	r, ok := s.readExport(c, false)
	if !ok {
		return
	}
	a := actor(c)
	page := s.frame(c, "cases")
	p := page.Printer
	show := c.DefaultQuery("status", "open")
	f := lindungi.CaseFilter{Now: s.Now()}
	var label string
	switch show {
	case "open", "closed":
		open := show == "open"
		f.Open = &open
		label = p.T("cases.status_" + show)
	case "all":
		label = p.T("cases.status_all")
	default:
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: "status", Reason: "must be open, closed or all"}}})
		return
	}
	filter := []web.Fact{{Label: p.T("cases.status"), Value: label}}
	rows, err := s.Reports.CountCases(ctx, a, f)
	if err != nil {
		s.problem(c, err)
		return
	}
	back := "/kasus"
	if show != "open" {
		back += "?status=" + show
	}
	if r.format == "" {
		s.exportForm(c, r, false, web.ExportPage{Page: page, Title: p.T("export.cases_title"), Action: pageExportCases,
			Hidden: []web.Param{{Name: "status", Value: show}}, Filter: filter, Rows: rows, BackURL: back, BackTo: p.T("export.back_cases")})
		return
	}
	sw := s.startFile(c, r.format, s.exportName("pengaduan"), s.exportHead(c, p, p.T("export.cases_file"), filter, rows, ""), p)
	if sw == nil {
		return
	}
	units := s.unitNames()
	if err := sw.Table(p.T("export.cases_sheet"), []string{p.T("case.number"), p.T("case.categories"), p.T("export.col_channel"),
		p.T("export.col_country"), p.T("case.status"), p.T("export.col_high_risk"), p.T("export.col_overdue"), p.T("export.col_owner_code"),
		p.T("case.owner"), p.T("export.col_intake"), p.T("case.received"), p.T("export.col_last_action"), p.T("export.col_days_open"),
		p.T("export.col_days_idle"), p.T("report.money"), p.T("export.col_closed_at")}); err != nil {
		s.endFile(c, sw, err)
		return
	}
	err = s.Reports.EachCase(ctx, a, f, func(cases []lindungi.Case) error {
		for _, pc := range cases {
			var closed any
			if pc.ClosedAt != nil {
				closed = *pc.ClosedAt
			}
			if err := sw.Row(pc.Number, p.Categories(pc.Categories), p.Channel(pc.Channel), p.Country(pc.Country), p.CaseStep(pc.Step),
				pc.HighRisk, pc.Overdue, pc.OwnerUnit, units[pc.OwnerUnit], pc.IntakeUnit, pc.ReceivedAt, pc.LastActionAt, pc.DaysOpen,
				pc.DaysSinceAction, web.Rupiah(pc.MoneyRecovered), closed); err != nil {
				return err
			}
		}
		return nil
	})
	s.endFile(c, sw, err)
}

// tasksExportPage exports the inbox with its filters (kind, unit, overdue,
// mine, worker: as GET /), every page. It holds the workers' names:
// a purpose, one access event.
func (s *Server) tasksExportPage(c *gin.Context) {
	ctx := c.Request.Context()
	var v lindungi.Validation
	q, _, _ := inboxQuery(c.Request.URL.Query(), &v)
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	r, ok := s.readExport(c, true)
	if !ok {
		return
	}
	a := actor(c)
	now := s.Now()
	f := inboxFilter(q, a, now)
	page := s.frame(c, "inbox")
	p := page.Printer
	filter := s.inboxFilterWords(p, q)
	rows, err := s.Reports.CountTasks(ctx, a, f)
	if err != nil {
		s.problem(c, err)
		return
	}
	if r.format == "" {
		s.exportForm(c, r, true, web.ExportPage{Page: page, Title: p.T("export.tasks_title"), Action: pageExportTasks,
			Hidden: params(q.Values()), Filter: filter, Rows: rows, BackURL: q.URL(), BackTo: p.T("export.back_tasks")})
		return
	}
	if err := s.logExport(c, "inbox", q.Values(), rows, r); err != nil {
		s.problem(c, err)
		return
	}
	sw := s.startFile(c, r.format, s.exportName("tugas"), s.exportHead(c, p, p.T("export.tasks_file"), filter, rows, r.purpose), p)
	if sw == nil {
		return
	}
	units := s.unitNames()
	if err := sw.Table(p.T("export.tasks_sheet"), []string{p.T("inbox.worker"), p.T("export.col_worker_id"), p.T("inbox.case_col"),
		p.T("inbox.task"), p.T("export.col_unit_code"), p.T("export.col_unit"), p.T("export.col_due"), p.T("inbox.deadline"),
		p.T("export.col_overdue"), p.T("export.col_level"), p.T("export.col_at_top"), p.T("inbox.holder"), p.T("export.col_claimed_at"),
		p.T("export.col_task_id")}); err != nil {
		s.endFile(c, sw, err)
		return
	}
	err = s.Reports.EachTask(ctx, a, f, func(tasks []lindungi.Task) error {
		// The page's names, cases and calendar: one query each.
		var ids []uuid.UUID
		var flows []string
		for _, t := range tasks {
			if !slices.Contains(ids, t.WorkerID) {
				ids = append(ids, t.WorkerID)
			}
			if strings.HasPrefix(t.WorkflowID, "case/") && !slices.Contains(flows, t.WorkflowID) {
				flows = append(flows, t.WorkflowID)
			}
		}
		names, err := s.Pages.Store.WorkerNames(ctx, ids)
		if err != nil {
			return err
		}
		cases, err := s.Pages.Store.CasesOfWorkflows(ctx, flows)
		if err != nil {
			return err
		}
		cal, err := s.calendar(c, now, tasks)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			days, late := web.WorkingDaysLeft(cal, now, t.DueDate)
			overdue := !now.Before(t.DueAt)
			var claimed any
			if t.ClaimedAt != nil {
				claimed = *t.ClaimedAt
			}
			if err := sw.Row(names[t.WorkerID], t.WorkerID.String(), cases[t.WorkflowID].Number, p.TaskKind(t.Kind), t.Unit, units[t.Unit],
				t.DueAt, p.WorkingDays(days, late || overdue), overdue, t.Level, t.AtTop, t.ClaimedBy, claimed, t.ID.String()); err != nil {
				return err
			}
		}
		return nil
	})
	s.endFile(c, sw, err)
}

// inboxFilterWords are the inbox's filters in words, for the form and the
// file's head; none is said so.
func (s *Server) inboxFilterWords(p *web.Printer, q web.InboxQuery) []web.Fact {
	var out []web.Fact
	if q.Kind != "" {
		out = append(out, web.Fact{Label: p.T("filter.kind"), Value: p.TaskKind(lindungi.TaskKind(q.Kind))})
	}
	if q.Unit != "" {
		out = append(out, web.Fact{Label: p.T("filter.unit"), Value: s.unitName(q.Unit) + " (" + q.Unit + ")"})
	}
	if q.Overdue {
		out = append(out, web.Fact{Label: p.T("export.filter"), Value: p.T("filter.overdue")})
	}
	if q.Mine {
		out = append(out, web.Fact{Label: p.T("export.filter"), Value: p.T("filter.mine")})
	}
	if q.Worker != "" {
		out = append(out, web.Fact{Label: p.T("export.col_worker_id"), Value: q.Worker})
	}
	if len(out) == 0 {
		out = append(out, web.Fact{Label: p.T("export.filter"), Value: p.T("export.filter_none")})
	}
	return out
}

// params are the hidden fields of a form that carries vals.
func params(vals url.Values) []web.Param {
	var out []web.Param
	for k := range vals {
		out = append(out, web.Param{Name: k, Value: vals.Get(k)})
	}
	slices.SortFunc(out, func(a, b web.Param) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// workersExportPage exports a worker search (q, as GET /pekerja): the
// same matches the page shows. It holds names: a purpose, one access
// event.
func (s *Server) workersExportPage(c *gin.Context) {
	ctx := c.Request.Context()
	q := strings.TrimSpace(c.Query("q"))
	if q == "" {
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: "q", Reason: "is required: the search to export"}}})
		return
	}
	r, ok := s.readExport(c, true)
	if !ok {
		return
	}
	a := actor(c)
	page := s.frame(c, "workers")
	p := page.Printer
	matches, err := s.Workers.Search(ctx, a, workerQuery(q))
	if err != nil {
		s.problem(c, err)
		return
	}
	filter := []web.Fact{{Label: p.T("workers.query"), Value: q}}
	back := "/pekerja?" + url.Values{"q": {q}}.Encode()
	if r.format == "" {
		s.exportForm(c, r, true, web.ExportPage{Page: page, Title: p.T("export.workers_title"), Action: pageExportWorkers,
			Hidden: []web.Param{{Name: "q", Value: q}}, Filter: filter, Rows: len(matches), BackURL: back, BackTo: p.T("export.back_workers")})
		return
	}
	if err := s.logExport(c, "workers", url.Values{"q": {q}}, len(matches), r); err != nil {
		s.problem(c, err)
		return
	}
	sw := s.startFile(c, r.format, s.exportName("pekerja"), s.exportHead(c, p, p.T("export.workers_file"), filter, len(matches), r.purpose), p)
	if sw == nil {
		return
	}
	units := s.unitNames()
	err = sw.Table(p.T("export.workers_sheet"), []string{p.T("table.name"), p.T("export.col_worker_id"), p.T("export.col_unit_code"),
		p.T("worker.district"), p.T("export.col_provisional"), p.T("export.col_matched_by")})
	for _, m := range matches {
		if err != nil {
			break
		}
		err = sw.Row(m.Name, m.ID.String(), m.DomicileUnit, units[m.DomicileUnit], m.Provisional, strings.Join(m.MatchedBy, ", "))
	}
	s.endFile(c, sw, err)
}

// exportLink is a list page's link to its export, shown to users who may
// use the export's route.
func (s *Server) exportLink(c *gin.Context, page web.Page, route string, vals url.Values) *web.ExportLink {
	if _, err := s.Access.Route(principal(c), route, http.MethodGet); err != nil {
		return nil
	}
	u := route
	if len(vals) > 0 {
		u += "?" + vals.Encode()
	}
	return &web.ExportLink{URL: u, Label: page.T("export.link"), Hint: page.T("export.link_hint")}
}
