package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// The complaints page (GET /kasus): look a case up by its number, and the
// cases the user's unit may read, a page at a time, through the service
// of GET /v1/cases. The list holds no personal data (as the API's
// summaries), so showing it logs nothing; a case's page does.

// casePageSize is how many cases the list shows at once.
const casePageSize = 25

// casesPage answers the lookup (q: a case number) with the case's page, or
// says the number was not found (a case out of reach is not found
// either), and lists the user's cases: open ones unless status says
// closed or all.
func (s *Server) casesPage(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	page := s.frame(c, "cases")
	q := strings.TrimSpace(c.Query("q"))
	purpose := strings.TrimSpace(c.Query("purpose"))
	data := web.CaseListPage{Page: page, Lookup: web.Field{Name: "q", Label: page.T("cases.lookup_label"), Type: "search",
		Value: q, Hint: page.T("cases.lookup_hint"), Autocomplete: "off"}}
	if _, err := s.Access.Route(a.Principal, "/pengaduan/baru", http.MethodPost); err == nil {
		data.NewURL = "/pengaduan/baru"
	}
	status := http.StatusOK
	if q != "" {
		number, ok := lindungi.NormalizeCaseNumber(q)
		if !ok {
			data.Lookup.Error, status = page.T("cases.lookup_invalid"), http.StatusUnprocessableEntity
		} else {
			found, err := s.Cases.List(ctx, a, lindungi.CaseFilter{Number: number, Limit: 1, Now: s.Now()})
			if err != nil {
				s.problem(c, err)
				return
			}
			if len(found) == 1 {
				to := "/kasus/" + found[0].ID.String()
				if purpose != "" {
					to += "?purpose=" + url.QueryEscape(purpose)
				}
				s.redirect(c, to)
				return
			}
			data.Missing, status = number, http.StatusNotFound
		}
	}

	var v lindungi.Validation
	show := c.DefaultQuery("status", "open")
	f := lindungi.CaseFilter{Limit: casePageSize, Now: s.Now()}
	switch show {
	case "open", "closed":
		open := show == "open"
		f.Open = &open
	case "all":
	default:
		v.Add("status", "must be open, closed or all")
	}
	f.Unit, f.Category = c.Query("unit"), lindungi.CaseCategory(c.Query("category"))
	if f.Unit != "" && !unitCodePattern.MatchString(f.Unit) {
		v.Add("unit", "must be a unit code such as 3305, 33 or ID")
	}
	if _, known := lindungi.CategoryLabels[f.Category]; f.Category != "" && !known {
		v.Add("category", "is not a complaint category")
	}
	f.Overdue, _ = boolParam(c, &v, "overdue")
	caseDates(c, &v, &f)
	cursor := c.Query("cursor")
	if cursor != "" {
		var ok bool
		if f.AfterStart, f.AfterID, ok = parseCursor(cursor); !ok {
			v.Add("cursor", "is not a cursor this page gave")
		}
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	cases, err := s.Cases.List(ctx, a, f)
	if err != nil {
		s.problem(c, err)
		return
	}
	data.Status = web.Select{Name: "status", Label: page.T("cases.status"), Options: []web.Option{
		{Value: "open", Label: page.T("cases.status_open"), Selected: show == "open"},
		{Value: "closed", Label: page.T("cases.status_closed"), Selected: show == "closed"},
		{Value: "all", Label: page.T("cases.status_all"), Selected: show == "all"},
	}}
	data.Cases = page.CaseTable(web.CaseListInput{Cases: cases, Units: s.unitNames(), Purpose: purpose})
	page.Describe(&data, web.CaseListFilters{Unit: f.Unit, UnitName: s.unitName(f.Unit), Category: string(f.Category),
		Overdue: f.Overdue, Escalated: f.Escalated, ReceivedFrom: f.ReceivedFrom, ReceivedTo: f.ReceivedTo,
		ResolvedFrom: f.ResolvedFrom, ResolvedTo: f.ResolvedTo, ClosedFrom: f.ClosedFrom, ClosedTo: f.ClosedTo})
	listURL := func(extra ...string) string {
		q := url.Values{}
		for _, k := range data.Keep {
			q.Set(k.Value, k.Label)
		}
		if show != "open" {
			q.Set("status", show)
		}
		if purpose != "" {
			q.Set("purpose", purpose)
		}
		for i := 0; i+1 < len(extra); i += 2 {
			q.Set(extra[i], extra[i+1])
		}
		if len(q) == 0 {
			return "/kasus"
		}
		return "/kasus?" + q.Encode()
	}
	data.Export = s.exportLink(c, page, pageExportCases, url.Values{"status": {show}})
	data.Pager.Label = page.T("pager.label")
	if cursor != "" {
		data.Pager.FirstURL, data.Pager.FirstText = listURL(), page.T("pager.first")
	}
	if len(cases) == f.Limit {
		last := cases[len(cases)-1]
		data.Pager.NextURL, data.Pager.NextText = listURL("cursor", makeCursor(last.ReceivedAt, last.ID)), page.T("pager.next")
	}
	s.render(c, status, "cases", data)
}
