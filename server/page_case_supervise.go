package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// The supervisors' forms on the case page (/kasus/:id/kategori, /risiko,
// /tugaskan): they post through casePostPage to app.Cases.Act, as POST
// /v1/cases/:id/recategorise, /risk and /assign. caseActions shows them to
// the users whose roles may post them at the case's owner unit, on an open
// case.

// superviseForms fills what the supervisors' forms of case pc show, for
// those d offers: the categories ticked (the case's, or those of the
// refused form f), the level the risk form sets, and the officers of the
// handling task's unit who may take tasks (one query).
func (s *Server) superviseForms(ctx context.Context, d *web.CasePage, pc lindungi.Case, w caseWaits, f caseForm) error {
	d.HighRisk, d.RiskTo = pc.HighRisk, lindungi.RiskLevel(!pc.HighRisk)
	if d.May("recategorise") {
		chosen := pc.Categories
		if f.name == "recategorise" {
			chosen = nil
			for _, cat := range strings.Split(f.values["categories"], ",") {
				chosen = append(chosen, lindungi.CaseCategory(cat))
			}
		}
		for _, cat := range d.SortedCategories() {
			d.CategoryChecks = append(d.CategoryChecks, web.Check{ID: "a-recategorise-" + string(cat), Name: "categories",
				Value: string(cat), Label: d.Category(cat), Checked: slices.Contains(chosen, cat)})
		}
	}
	if d.May("assign") {
		users, err := s.Pages.Store.UsersOf(ctx, []string{w.handling.Unit})
		if err != nil {
			return err
		}
		chosen := w.handling.ClaimedBy
		if f.name == "assign" {
			chosen = f.values["assignee"]
		}
		d.Assignees = []web.Option{{Value: "", Label: d.T("bulk.choose")}}
		for _, u := range users {
			if _, err := s.Access.Route(lindungi.Principal{Subject: u.Subject, Unit: u.Unit, Roles: u.Roles}, pageClaim, http.MethodPost); err != nil {
				continue // an auditor, say: takes no tasks
			}
			roles := make([]string, len(u.Roles))
			for i, r := range u.Roles {
				roles[i] = d.Role(r)
			}
			d.Assignees = append(d.Assignees, web.Option{Value: u.Subject, Label: u.Name + " (" + strings.Join(roles, ", ") + ")",
				Selected: u.Subject == chosen})
		}
	}
	return nil
}

// assigneeOf is the user a case.assign event gave the case to, or "".
func assigneeOf(ev lindungi.Event) string {
	if ev.Action != "case.assign" {
		return ""
	}
	var after struct {
		Assignee string `json:"assignee"`
	}
	_ = json.Unmarshal(ev.After, &after)
	return after.Assignee
}
