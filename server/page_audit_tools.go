package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/web"
)

// The audit pages' questions of the whole trail, each a screen and a CSV
// export (the services of GET /v1/audit/activity, /accesses,
// /policy-changes and /top-escalations); the chain's verification (of
// GET /v1/audit/verify); signed exports (of GET /v1/audit/export) and the
// check of an uploaded export, in the request, without the command line.

// auditRowsPerPage is how many answers a question's page shows.
const auditRowsPerPage = 50

// maxExportUpload is the largest export file the check page takes: an
// export holds at most app.MaxExport events, each well under a kilobyte of
// JSON. The forms of every other page stay under maxForm.
const maxExportUpload = 64 << 20

// auditQuestion is one of the inspector's questions as a page: the
// question (app.Query*), its page's path and the catalogue key of its
// title and intro, and whether it names a user and a unit.
type auditQuestion struct {
	query string
	path  string
	key   string
	user  bool
	unit  bool
}

var (
	questionUser        = auditQuestion{app.QueryUserActivity, "/audit/pengguna", "audit.q.user", true, true}
	questionUnit        = auditQuestion{app.QueryUnitAccesses, "/audit/unit", "audit.q.unit", false, true}
	questionPolicy      = auditQuestion{app.QueryPolicyChanges, "/audit/kebijakan", "audit.q.policy", false, false}
	questionEscalations = auditQuestion{app.QueryTopEscalation, "/audit/eskalasi", "audit.q.escalations", false, true}
)

// auditQuestionPage asks q with the filters of the form (dates, user,
// unit): a page of answers, or with format=csv every answer, streamed
// under rows saying who exported it, when and why. Each is logged
// (access.<question>, its format among the details).
func (s *Server) auditQuestionPage(q auditQuestion) gin.HandlerFunc {
	return func(c *gin.Context) {
		purpose, ok := s.auditPurpose(c)
		if !ok {
			return
		}
		var v lindungi.Validation
		details := map[string]any{"format": c.DefaultQuery("format", "page")}
		req := app.EventsRequest{Query: q.query}
		req.Filter.From = dayParam(c, &v, "from", false, details)
		req.Filter.To = dayParam(c, &v, "to", true, details)
		if q.user {
			req.Filter.Actor = textParam(c, &v, "user", details)
		}
		if q.unit {
			req.Filter.Unit = textParam(c, &v, "unit", details)
		}
		req.Filter.Limit, req.Filter.After = auditRowsPerPage, cursorParam(c, &v, "cursor")
		if f := c.Query("format"); f != "" && f != "csv" {
			v.Add("format", "must be csv")
		}
		if err := v.Err(); err != nil {
			s.problem(c, err)
			return
		}
		req.Read = app.Read{Purpose: purpose, Details: details}
		asked := !q.user || req.Filter.Actor != ""
		if asked && c.Query("format") == "csv" {
			if q.query == app.QueryTopEscalation {
				s.streamEscalations(c, req)
			} else {
				s.streamEvents(c, req)
			}
			return
		}

		page := s.auditFrame(c, purpose)
		data := web.AuditQueryPage{AuditPage: page, Title: page.T(q.key + ".title"), Intro: page.T(q.key + ".intro"), Action: q.path,
			Asked: asked}
		if q.user {
			data.Fields = append(data.Fields, web.Field{Name: "user", Label: page.T("audit.filter.user"), Value: req.Filter.Actor,
				Required: true, Autocomplete: "off"})
		}
		data.Fields = append(data.Fields,
			web.Field{Name: "from", Label: page.T("audit.filter.from"), Type: "date", Value: c.Query("from")},
			web.Field{Name: "to", Label: page.T("audit.filter.to"), Type: "date", Value: c.Query("to")})
		if q.unit {
			data.Unit = &web.Select{Name: "unit", Label: page.T("audit.filter.unit"), Options: s.unitOptions(principal(c), req.Filter.Unit)}
		}
		if !asked {
			s.render(c, http.StatusOK, "audit_query", data)
			return
		}
		units := s.unitNames()
		var next *int64
		if q.query == app.QueryTopEscalation {
			res, err := s.escalationsPage(c, req)
			if err != nil {
				s.problem(c, err)
				return
			}
			rows := make([]web.EscalationRow, len(res.Items))
			for i, e := range res.Items {
				rows[i] = web.EscalationRow{Top: e.Top, Task: e.Task, Path: EscalationPath(e), Moves: len(e.Moves)}
			}
			data.Results, next = page.AuditEscalationTable(rows, units), res.NextCursor
		} else {
			res, err := s.Auditing.EventsPage(c.Request.Context(), actor(c), req)
			if err != nil {
				s.problem(c, err)
				return
			}
			data.Results, next = page.AuditEventTable(res.Items, units, web.EventColumns{Worker: q.query != app.QueryPolicyChanges}), res.Next
		}
		u := c.Request.URL
		data.Pager = web.Pager{Label: data.Title, FirstURL: firstURL(u, "cursor"), FirstText: page.T("pager.first"),
			NextURL: pagerURL(u, "cursor", next), NextText: page.T("pager.next")}
		csv := u.Query()
		csv.Del("cursor")
		csv.Set("format", "csv")
		data.CSVURL = q.path + "?" + csv.Encode()
		s.render(c, http.StatusOK, "audit_query", data)
	}
}

// auditChainPage runs the verification of the whole chain when asked
// (run=1) and shows its report: the first event that fails, if any, and
// how far the chain and its signed checkpoints hold.
func (s *Server) auditChainPage(c *gin.Context) {
	purpose, ok := s.auditPurpose(c)
	if !ok {
		return
	}
	page := s.auditFrame(c, purpose)
	data := web.AuditChainPage{AuditPage: page}
	if c.Query("run") == "1" {
		rep, err := s.Auditing.Verify(c.Request.Context(), actor(c), app.Read{Purpose: purpose, Details: map[string]any{"page": "chain"}})
		if err != nil {
			s.problem(c, err)
			return
		}
		data.Ran, data.Result = true, page.AuditResultOf(rep)
	}
	s.render(c, http.StatusOK, "audit_chain", data)
}

// auditExportPage is the form of a signed export (dates and the unit whose
// events it keeps); with format=json it is the export itself, a download,
// through the service of GET /v1/audit/export.
func (s *Server) auditExportPage(c *gin.Context) {
	purpose, ok := s.auditPurpose(c)
	if !ok {
		return
	}
	var v lindungi.Validation
	details := map[string]any{"page": "export"}
	from := dayParam(c, &v, "from", false, details)
	to := dayParam(c, &v, "to", true, details)
	unit := textParam(c, &v, "unit", details)
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	if c.Query("format") == "json" {
		ex, p, err := s.Auditing.Export(c.Request.Context(), actor(c), from, to, unit, app.Read{Purpose: purpose, Details: details})
		if err != nil {
			s.problem(c, err)
			return
		}
		s.flushSession(c)
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, exportName(p)))
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusOK, ex)
		return
	}
	page := s.auditFrame(c, purpose)
	s.render(c, http.StatusOK, "audit_export", web.AuditExportPage{AuditPage: page,
		From: web.Field{Name: "from", Label: page.T("audit.filter.from"), Type: "date", Value: c.Query("from")},
		To:   web.Field{Name: "to", Label: page.T("audit.filter.to"), Type: "date", Value: c.Query("to")},
		Unit: web.Select{Name: "unit", Label: page.T("audit.export.unit"), Options: s.unitOptions(principal(c), unit)}})
}

// checkForm is the upload form of the check page, with the error next to
// the file.
func (s *Server) checkForm(c *gin.Context, purpose, problem string) web.AuditCheckPage {
	page := s.auditFrame(c, purpose)
	return web.AuditCheckPage{AuditPage: page, File: web.Field{Name: "export", Label: page.T("audit.check.file"),
		Hint: page.T("audit.check.file_hint", "MB", strconv.Itoa(maxExportUpload>>20)), Error: problem}}
}

// auditCheckPage is the form to upload an export for checking.
func (s *Server) auditCheckPage(c *gin.Context) {
	purpose, ok := s.auditPurpose(c)
	if !ok {
		return
	}
	s.render(c, http.StatusOK, "audit_check", s.checkForm(c, purpose, ""))
}

// checkExportPage checks an uploaded export in the request (its signature
// with the server's key, its chain), as `lindungi audit verify --export`
// does, and shows the result; it is logged (access.check_export) with
// what the file covers. The upload is limited to maxExportUpload bytes.
func (s *Server) checkExportPage(c *gin.Context) {
	purpose, ok := s.auditPurpose(c)
	if !ok {
		return
	}
	page := s.checkForm(c, purpose, "")
	refuse := func(status int, key string) {
		page.File.Error = page.T(key, "MB", strconv.Itoa(maxExportUpload>>20))
		s.render(c, status, "audit_check", page)
	}
	fh, err := c.FormFile("export")
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		refuse(http.StatusRequestEntityTooLarge, "audit.check.too_large")
		return
	case err != nil:
		refuse(http.StatusUnprocessableEntity, "audit.check.missing")
		return
	case fh.Size > maxExportUpload:
		refuse(http.StatusRequestEntityTooLarge, "audit.check.too_large")
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.problem(c, err)
		return
	}
	defer f.Close()
	file, err := io.ReadAll(io.LimitReader(f, maxExportUpload+1))
	if err != nil {
		s.problem(c, err)
		return
	}
	rep, err := s.Auditing.CheckExport(c.Request.Context(), actor(c), file, app.Read{Purpose: purpose,
		Details: map[string]any{"file": fh.Filename, "bytes": len(file)}})
	switch {
	case lindungi.ErrorCode(err) == lindungi.EINVALID:
		refuse(http.StatusUnprocessableEntity, "audit.check.not_export")
		return
	case err != nil:
		s.problem(c, err)
		return
	}
	page.Checked, page.Result = true, s.exportResult(page.AuditPage.Page, rep)
	s.render(c, http.StatusOK, "audit_check", page)
}

// exportResult is the check of an export file in words: the chain's
// report, and what the file says of itself and who signed it.
func (s *Server) exportResult(page web.Page, rep auditlog.ExportReport) web.AuditResult {
	r := page.AuditResultOf(rep.Report)
	if r.OK {
		r.Title = page.T("audit.check.ok")
	}
	scope := page.T("audit.check.scope_all")
	if rep.Scope != "" {
		scope = s.unitName(rep.Scope) + " (" + rep.Scope + ")"
	}
	signed := page.T("audit.check.signed_by_server")
	if !rep.KeyTrusted {
		signed = page.T("audit.check.signed_by_file")
	}
	r.Facts = append([]web.Fact{
		{Label: page.T("audit.check.scope"), Value: scope},
		{Label: page.T("audit.check.exported"), Value: rep.ExportedBy, Sub: page.DateTime(rep.ExportedAt)},
		{Label: page.T("audit.check.key"), Value: rep.KeyID, Sub: signed},
	}, r.Facts...)
	return r
}
