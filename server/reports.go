package server

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/web"
)

// The monthly recaps as the API answers them (GET /v1/reports/complaints,
// /v1/reports/placements): JSON, or a CSV or XLSX file with its head (who
// exported it and when). The report page (page_reports.go) reads the same
// service and writes the same files.

// recapRequest reads month (YYYY-MM, this month by default), unit (the
// caller's own by default) and format (json, csv or xlsx; formats lists
// those allowed), naming each bad one.
func (s *Server) recapRequest(c *gin.Context, formats ...string) (app.Recap, string, bool) {
	var v lindungi.Validation
	req := app.Recap{Unit: c.Query("unit"), Month: lindungi.MonthOf(s.Now())}
	if m := c.Query("month"); m != "" {
		var ok bool
		if req.Month, ok = lindungi.ParseMonth(m); !ok {
			v.Add("month", "must be a month such as 2026-11")
		}
	}
	if req.Unit != "" && !lindungi.IsUnitCode(req.Unit) {
		v.Add("unit", "must be a unit code such as 3305, 33 or ID")
	}
	format := c.DefaultQuery("format", formats[0])
	if !slices.Contains(formats, format) {
		v.Add("format", "must be one of "+strings.Join(formats, ", "))
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return app.Recap{}, "", false
	}
	return req, format, true
}

// complaintReport answers GET /v1/reports/complaints.
func (s *Server) complaintReport(c *gin.Context) {
	req, format, ok := s.recapRequest(c, "json", web.FormatCSV, web.FormatXLSX)
	if !ok {
		return
	}
	r, err := s.Reports.Complaints(c.Request.Context(), actor(c), req)
	if err != nil {
		s.problem(c, err)
		return
	}
	if format == "json" {
		c.JSON(http.StatusOK, r)
		return
	}
	p := web.NewPrinter(web.Indonesian)
	s.writeRecap(c, format, "pengaduan", req.Month, r.Unit, s.recapHead(c, p, "report.complaints_title", r.Unit, req.Month),
		p.ComplaintTables(r, s.unitNames()), p)
}

// placementReport answers GET /v1/reports/placements.
func (s *Server) placementReport(c *gin.Context) {
	req, format, ok := s.recapRequest(c, "json", web.FormatCSV, web.FormatXLSX)
	if !ok {
		return
	}
	r, err := s.Reports.Placements(c.Request.Context(), actor(c), req)
	if err != nil {
		s.problem(c, err)
		return
	}
	if format == "json" {
		c.JSON(http.StatusOK, r)
		return
	}
	p := web.NewPrinter(web.Indonesian)
	s.writeRecap(c, format, "penempatan", req.Month, r.Unit, s.recapHead(c, p, "report.placements_title", r.Unit, req.Month),
		p.PlacementTables(r, s.unitNames()), p)
}

// exporter names who exports: the session's name on a page, else the
// directory's name of the token's subject, with the subject.
func (s *Server) exporter(c *gin.Context) string {
	p := principal(c)
	name := ""
	if isPage(c) {
		name = session(c).Name
	} else if s.Users != nil {
		if u, err := s.Users.FindUser(c.Request.Context(), p.Subject); err == nil {
			name = u.Name
		}
	}
	if name == "" || name == p.Subject {
		return p.Subject
	}
	return name + " (" + p.Subject + ")"
}

// exportLines are the lines every exported file's head ends with: who
// exported it, and when.
func (s *Server) exportLines(c *gin.Context, p *web.Printer) [][2]string {
	return [][2]string{{p.T("report.line_by"), s.exporter(c)}, {p.T("report.line_at"), p.DateTime(s.Now())}}
}

// recapHead is the head of a recap's file: its title, the unit, the month,
// who exported it and when.
func (s *Server) recapHead(c *gin.Context, p *web.Printer, title, unit string, m lindungi.Month) web.SheetHead {
	lines := [][2]string{{p.T("report.line_unit"), s.unitName(unit) + " (" + unit + ")"}, {p.T("report.line_month"), p.MonthName(m)}}
	return web.SheetHead{Title: p.T(title), Lines: append(lines, s.exportLines(c, p)...)}
}

// writeRecap writes a recap's tables as a file of format, named after the
// report, the unit and the month.
func (s *Server) writeRecap(c *gin.Context, format, name string, m lindungi.Month, unit string, head web.SheetHead, tables []web.ReportTable, p *web.Printer) {
	sw := s.startFile(c, format, fmt.Sprintf("%s-%s-%s", name, unit, m), head, p)
	if sw == nil {
		return
	}
	s.endFile(c, sw, web.WriteReport(sw, tables))
}

// startFile begins an answer that is a file: its headers (an attachment
// of the format's type, named name.format), then the file's head. It
// answers the problem and returns nil when the file cannot start.
func (s *Server) startFile(c *gin.Context, format, name string, head web.SheetHead, p *web.Printer) web.SheetWriter {
	s.flushSession(c)
	h := c.Writer.Header()
	h.Set("Content-Type", web.ContentTypes[format])
	h.Set("Content-Disposition", `attachment; filename="`+url.PathEscape(name)+"."+format+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	sw, err := web.NewSheetWriter(c.Writer, format, head, p)
	if err != nil {
		s.problem(c, err)
		return nil
	}
	return sw
}

// endFile ends a file: an error once it began cuts it short (logged: its
// 200 is sent), as the audit exports do.
func (s *Server) endFile(c *gin.Context, sw web.SheetWriter, err error) {
	if err == nil {
		err = sw.Close()
	}
	if err != nil && c.Request.Context().Err() == nil { // not the client going away
		s.Logger.ErrorContext(c.Request.Context(), "file cut short", "err", err,
			"request_id", lindungi.RequestIDFromContext(c.Request.Context()))
	}
	c.Abort()
}
