package server

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/web"
)

// The monthly report page (GET /laporan) and its files
// (/laporan/pengaduan, /laporan/penempatan), through app.Reports, the
// service of GET /v1/reports/...: the recaps of a month for the user's
// unit or a unit below it, printable (the menu and the forms are not
// printed), with each recap as XLSX or CSV. The recaps count; they show no
// personal data, so showing them logs nothing.

// Routes of the report page's files.
const (
	pageComplaintReport = "/laporan/pengaduan"
	pagePlacementReport = "/laporan/penempatan"
)

// reportPage shows the recaps of the month and unit asked (this month and
// the user's unit by default). A month that cannot be read, or one still
// to come, is said next to its field.
func (s *Server) reportPage(c *gin.Context) {
	ctx := c.Request.Context()
	page := s.frame(c, "reports")
	a := actor(c)
	now := s.Now()
	req := app.Recap{Unit: c.DefaultQuery("unit", a.Principal.Unit), Month: lindungi.MonthOf(now)}
	data := web.ReportPage{Page: page,
		Month: web.Field{Name: "month", Label: page.T("report.month"), Type: "month", Value: c.DefaultQuery("month", req.Month.String()),
			Hint: page.T("report.month_hint"), Required: true},
	}
	var options []web.Option
	for _, u := range s.Units {
		if slices.Contains(s.Units.Path(u.Code), a.Principal.Unit) {
			options = append(options, web.Option{Value: u.Code, Label: u.Name, Selected: u.Code == req.Unit})
		}
	}
	data.Unit = web.Select{Name: "unit", Label: page.T("report.unit"), Options: options}
	status := http.StatusOK
	m, ok := lindungi.ParseMonth(data.Month.Value)
	if ok && lindungi.CheckMonth("month", m, now) == nil {
		req.Month = m
	} else {
		data.Month.Error, status = page.T("report.month_invalid"), http.StatusUnprocessableEntity
	}
	if status == http.StatusOK {
		complaints, err := s.Reports.Complaints(ctx, a, req)
		if err != nil {
			s.problem(c, err)
			return
		}
		placements, err := s.Reports.Placements(ctx, a, req)
		if err != nil {
			s.problem(c, err)
			return
		}
		p, units := page.Printer, s.unitNames()
		data.Head = web.SheetHead{Title: p.T("report.head_title"), Lines: append([][2]string{
			{p.T("report.line_unit"), s.unitName(req.Unit) + " (" + req.Unit + ")"},
			{p.T("report.line_month"), p.MonthName(req.Month)},
			{p.T("report.line_period"), p.T("report.period", "From", p.Date(placements.From), "To", p.Date(placements.To.Add(-1)))},
		}, [2]string{p.T("report.line_printed_by"), s.exporter(c)}, [2]string{p.T("report.line_printed_at"), p.DateTime(now)})}
		data.Recaps = []web.RecapSection{
			recapSection(p, "complaints", p.T("report.complaints"), p.ComplaintTotals(complaints), p.ComplaintTables(complaints, units),
				pageComplaintReport, req),
			recapSection(p, "placements", p.T("report.placements"), p.PlacementTotals(placements), p.PlacementTables(placements, units),
				pagePlacementReport, req),
		}
	}
	s.render(c, status, "report", data)
}

// recapSection is a recap as the page shows it, with its downloads at
// path.
func recapSection(p *web.Printer, id, title string, totals []web.Fact, tables []web.ReportTable, path string, req app.Recap) web.RecapSection {
	sec := web.RecapSection{ID: id, Title: title, Totals: totals, Downloads: []web.Link{
		{URL: web.ReportURL(path, req.Month, req.Unit, web.FormatXLSX), Label: p.T("report.download_xlsx")},
		{URL: web.ReportURL(path, req.Month, req.Unit, web.FormatCSV), Label: p.T("report.download_csv")},
	}}
	for _, t := range tables {
		sec.Tables = append(sec.Tables, p.HTML(t))
	}
	return sec
}

// complaintReportFile is the complaints recap of the report page as XLSX
// or CSV, in the page's language.
func (s *Server) complaintReportFile(c *gin.Context) {
	req, format, ok := s.recapRequest(c, web.FormatXLSX, web.FormatCSV)
	if !ok {
		return
	}
	r, err := s.Reports.Complaints(c.Request.Context(), actor(c), req)
	if err != nil {
		s.problem(c, err)
		return
	}
	p := web.NewPrinter(web.Lang(c.Request))
	s.writeRecap(c, format, "pengaduan", req.Month, r.Unit, s.recapHead(c, p, "report.complaints_title", r.Unit, req.Month),
		p.ComplaintTables(r, s.unitNames()), p)
}

// placementReportFile is the placements recap of the report page as XLSX
// or CSV.
func (s *Server) placementReportFile(c *gin.Context) {
	req, format, ok := s.recapRequest(c, web.FormatXLSX, web.FormatCSV)
	if !ok {
		return
	}
	r, err := s.Reports.Placements(c.Request.Context(), actor(c), req)
	if err != nil {
		s.problem(c, err)
		return
	}
	p := web.NewPrinter(web.Lang(c.Request))
	s.writeRecap(c, format, "penempatan", req.Month, r.Unit, s.recapHead(c, p, "report.placements_title", r.Unit, req.Month),
		p.PlacementTables(r, s.unitNames()), p)
}
