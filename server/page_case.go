package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/web"
)

// The case page (GET /kasus/:id): the case as GET /v1/cases/:id reads it
// (app.Cases.Find: the owner and above, the intake unit, the units that
// referred it or decide a referral or transfer of it), its open tasks as
// deadlines, its notes, its timeline from the audit trail, and the forms
// the user may post now: those whose route the user's roles may use at
// the unit that decides (the owner, or the unit a decision waits at) and
// that the case's state allows. Reading it is a read of personal data,
// logged (access.case) with its purpose before the page is sent.

// pageCase is the case page's route: its policy line decides who reads it.
const pageCase = "/kasus/:id"

// caseTimelineMax is the most events the timeline shows: the newest.
const caseTimelineMax = 200

// casePage shows a case. An auditor says why first (the purpose form);
// others read for case work unless they give a purpose.
func (s *Server) casePage(c *gin.Context) {
	if principal(c).HasRole(lindungi.RoleAuditor) && strings.TrimSpace(c.Query("purpose")) == "" {
		page := s.frame(c, "cases")
		s.render(c, http.StatusOK, "case_purpose", web.CasePurposePage{Page: page, Action: c.Request.URL.Path,
			Purpose: web.Field{Name: "purpose", Label: page.T("case.purpose"), Required: true, Autocomplete: "off"}})
		return
	}
	purpose, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return
	}
	s.showCase(c, http.StatusOK, purpose, caseForm{})
}

// caseForm is a form of the case page the service refused: its name, the
// error, and the values given, to show again.
type caseForm struct {
	name   string
	err    error
	values map[string]string
}

// caseWaits are the open tasks of a case that decide what may be done
// now: its handling, and the decisions waiting.
type caseWaits struct {
	handling, closure, referral, transfer *lindungi.Task
}

func waitsOf(tasks []lindungi.Task) caseWaits {
	var w caseWaits
	for i := range tasks {
		t := &tasks[i]
		switch t.Kind {
		case lindungi.TaskCaseHandling:
			w.handling = t
		case lindungi.TaskClosureApproval:
			w.closure = t
		case lindungi.TaskReferralDecision:
			w.referral = t
		case lindungi.TaskTransferDecision:
			w.transfer = t
		}
	}
	return w
}

// showCase renders the :id case with status, read for purpose, and the
// refused form f (if any) open with its errors. A case out of reach is
// the 404 page.
func (s *Server) showCase(c *gin.Context, status int, purpose string, f caseForm) {
	ctx := c.Request.Context()
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	p := principal(c)
	read, err := s.Access.Route(p, pageCase, http.MethodGet)
	if err != nil {
		s.problem(c, err)
		return
	}
	pc, a, err := s.Cases.Find(ctx, read, id)
	if err != nil {
		s.problem(c, err)
		return
	}
	tasks, err := s.Pages.Store.OpenCaseTasks(ctx, pc.WorkflowID)
	if err != nil {
		s.problem(c, err)
		return
	}
	notes, _, _, err := s.Cases.ListNotes(ctx, read, pc.ID, caseNotesMax)
	if err != nil {
		s.problem(c, err)
		return
	}
	events, people, err := s.caseTimeline(ctx, pc)
	if err != nil {
		s.problem(c, err)
		return
	}
	workers, err := s.Pages.Store.WorkerNames(ctx, []uuid.UUID{pc.WorkerID})
	if err != nil {
		s.problem(c, err)
		return
	}
	ev := a.Event(ctx)
	ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID, ev.Purpose = "access.case", "case", pc.ID.String(), &pc.WorkerID, purpose
	if err := s.Pages.Store.RecordAccesses(ctx, []lindungi.Event{ev}); err != nil {
		s.problem(c, err)
		return
	}
	now := s.Now()
	cal, err := s.calendar(c, now, tasks)
	if err != nil {
		s.problem(c, err)
		return
	}

	justTaken := session(c).Flash == flashTakenIn
	page := s.frame(c, "cases")
	if justTaken && len(page.Flash) == 1 { // the intake's message, with the number to give the complainant
		page.Flash[0].Text = page.T("flash.case_taken_in_number", "Number", pc.Number)
	}
	units := s.unitNames()
	waits := waitsOf(tasks)
	d := web.CasePage{Page: page, ID: pc.ID, Number: pc.Number, Step: page.CaseStep(pc.Step), Closed: pc.Step == lindungi.CaseClosed,
		Badges: page.CaseBadges(pc), Worker: workers[pc.WorkerID], Provisional: pc.WorkerProvisional,
		Facts: page.CaseFacts(pc, units), Description: pc.Description,
		Deadlines:     page.DeadlineTable(tasks, units, cal, now),
		Timeline:      page.Timeline(web.TimelineInput{Events: events, Units: units, Names: people}),
		Notes:         page.NoteEntries(notes, units),
		Actions:       s.caseActions(ctx, p, pc, waits),
		InfoRequested: pc.InfoRequestedAt != nil,
		Resolutions:   web.Options(web.Resolutions, page.Resolution, "", ""),
	}
	if d.Worker == "" {
		d.Worker = page.T("inbox.unknown_worker")
	}
	for _, b := range []struct {
		t   *lindungi.Task
		key string
	}{{waits.closure, "badge.waiting_closure"}, {waits.referral, "badge.waiting_referral"}, {waits.transfer, "badge.waiting_transfer"}} {
		if b.t != nil {
			d.Badges = append(d.Badges, web.Badge{Kind: "escalated", Text: page.T(b.key)})
		}
	}
	if _, err := s.Access.Route(p, "/pekerja/:id", http.MethodGet); err == nil {
		d.WorkerURL = "/pekerja/" + pc.WorkerID.String()
		if p.HasRole(lindungi.RoleAuditor) {
			d.WorkerURL += "?purpose=" + url.QueryEscape(purpose)
		}
	}
	if _, err := s.Access.Route(p, pageCaseSummary, http.MethodGet); err == nil {
		d.SummaryURL = "/kasus/" + pc.ID.String() + "/ringkasan"
		if p.HasRole(lindungi.RoleAuditor) {
			d.SummaryURL = withPurpose(d.SummaryURL, purpose)
		}
	}
	for _, u := range s.Units {
		if u.Code != pc.OwnerUnit {
			d.Units = append(d.Units, web.Option{Value: u.Code, Label: u.Name})
		}
	}
	_, d.MayOverride, _ = s.Access.At(app.Actor{Principal: p, Obj: policies.ObjCase, Act: policies.ActReferWithoutConsent}, pc.OwnerUnit)
	if d.Actions["note"] != "" {
		d.NoteForm = &web.TextArea{Name: "text", Label: page.T("case.note"), Hint: page.T("case.note_hint"), Rows: 4,
			MaxLength: lindungi.MaxCaseNote, Required: true}
	}
	if err := s.superviseForms(ctx, &d, pc, waits, f); err != nil {
		s.problem(c, err)
		return
	}
	if f.name != "" {
		d.Failed, d.Values = f.name, f.values
		var flash string
		d.Errors, flash = caseErrors(page.Printer, f.name, f.err)
		d.Page.Flash = append(d.Page.Flash, web.Flash{Kind: "error", Text: flash})
		if f.name == "note" && d.NoteForm != nil {
			d.NoteForm.Value, d.NoteForm.Error = f.values["text"], d.Errors["text"]
		}
	}
	s.render(c, status, "case", d)
}

// caseActions are the forms the user p may post on case pc now, by name,
// with their addresses: each one's route must be the user's (the policy
// line of the page route, as of its API route), at the unit that decides
// (the owner for handling, the deciding unit for a decision, reached by
// the policy or a delegation), and the case's state must allow it.
func (s *Server) caseActions(ctx context.Context, p lindungi.Principal, pc lindungi.Case, w caseWaits) map[string]string {
	open := pc.Step != lindungi.CaseClosed
	resolved := pc.Step == lindungi.CaseResolved
	allowed := map[string]bool{
		"verify":            open && pc.Step == lindungi.CaseReceived,
		"request_info":      open && !resolved,
		"contact":           open,
		"clarify":           open && !resolved && pc.Step != lindungi.CaseClarification,
		"mediate":           open && !resolved && pc.Step != lindungi.CaseMediation,
		"told_unresolvable": open && !resolved && pc.ToldUnresolvableAt == nil,
		"refer":             open && !resolved && w.referral == nil,
		"transfer":          open && !resolved && w.transfer == nil,
		"resolve":           open && !resolved && w.closure == nil,
		"propose_closure":   open && w.closure == nil,
		"escalate":          open && w.handling != nil && !w.handling.AtTop,
		"reopen":            !open,
		"closure_approve":   w.closure != nil,
		"closure_reject":    w.closure != nil,
		"referral_accept":   w.referral != nil,
		"referral_reject":   w.referral != nil,
		"transfer_accept":   w.transfer != nil,
		"transfer_reject":   w.transfer != nil,
		// The supervisors' forms: a case high risk by rule is not lowered.
		"recategorise": open,
		"risk":         open && !(pc.HighRisk && lindungi.HighRisk(pc.Categories, pc.RiskFlags)),
		"assign":       open && w.handling != nil,
	}
	deciding := map[lindungi.TaskKind]*lindungi.Task{lindungi.TaskClosureApproval: w.closure,
		lindungi.TaskReferralDecision: w.referral, lindungi.TaskTransferDecision: w.transfer}
	reach := s.reacher(ctx, p, pc.WorkerID)
	base := "/kasus/" + pc.ID.String() + "/"
	out := map[string]string{}
	if _, err := s.Access.Route(p, pageCaseNote, http.MethodPost); err == nil {
		out["note"] = base + strings.TrimPrefix(pageCaseNote, pageCase+"/")
	}
	for _, cp := range casePosts {
		if !allowed[cp.name] {
			continue
		}
		unit := pc.OwnerUnit
		if cp.kind != "" {
			unit = deciding[cp.kind].Unit
		}
		if reach(cp.path, unit) {
			out[cp.name] = base + strings.TrimPrefix(cp.path, pageCase+"/")
		}
	}
	return out
}

// reacher answers whether p may post a page route on a record of worker at
// a unit, as app.Access.Reach decides: by the policy, or through a
// delegation in force. The delegations are read once, and only when the
// policy alone says no.
func (s *Server) reacher(ctx context.Context, p lindungi.Principal, worker uuid.UUID) func(path, unit string) bool {
	var delegated *bool
	return func(path, unit string) bool {
		a, err := s.Access.Route(p, path, http.MethodPost)
		if err != nil {
			return false
		}
		if _, ok, err := s.Access.At(a, unit); err == nil && ok {
			return true
		}
		if delegated == nil {
			ds, err := s.Access.Delegations.ActiveDelegations(ctx, p.Subject, p.Unit, s.Now())
			has := err == nil && len(ds) > 0
			delegated = &has
		}
		if !*delegated {
			return false
		}
		_, ok, err := s.Access.Reach(ctx, a, unit, worker)
		return err == nil && ok
	}
}

// caseFormFields are the inputs each form of the case page shows; an
// error of another field goes into the message on top.
var caseFormFields = map[string][]string{
	"refer":           {"to_unit", "to_agency", "consent", "reason"},
	"transfer":        {"to_unit", "reason"},
	"resolve":         {"resolution", "money_recovered_idr"},
	"propose_closure": {"reason"},
	"escalate":        {"reason"},
	"reopen":          {"reason"},
	"closure_reject":  {"reason"},
	"referral_reject": {"reason"},
	"transfer_reject": {"reason"},
	"note":            {"text"},
	"recategorise":    {"categories", "reason"},
	"risk":            {"level", "reason"},
	"assign":          {"assignee", "reason"},
}

// caseErrors says in words why the form name was refused: each field's
// error, to show next to it, and the message on top.
func caseErrors(p *web.Printer, name string, err error) (map[string]string, string) {
	errs := map[string]string{}
	var e *lindungi.Error
	if !errors.As(err, &e) {
		return errs, p.T("error.500")
	}
	top := p.T("caseerr.invalid")
	switch e.Code {
	case lindungi.ECONFLICT:
		return errs, p.T("caseerr.conflict")
	case lindungi.EFORBIDDEN:
		if len(e.Fields) == 0 {
			return errs, p.T("caseerr.forbidden")
		}
	case lindungi.EINVALID, lindungi.EMALFORMED:
	default:
		return errs, p.T("error.500")
	}
	var other []string
	for _, fe := range e.Fields {
		field := fe.Field
		if field == "note" { // a decision's reason, as the workflow names it
			field = "reason"
		}
		if !slices.Contains(caseFormFields[name], field) {
			other = append(other, fe.Field+" "+fe.Reason)
			continue
		}
		switch key := "caseerr." + name + "." + field; {
		case e.Code == lindungi.EFORBIDDEN && field == "consent":
			errs[field] = p.T("caseerr.consent_override")
		case p.T(key) != key:
			errs[field] = p.T(key)
		case p.T("caseerr."+field) != "caseerr."+field:
			errs[field] = p.T("caseerr." + field)
		default:
			errs[field] = fe.Reason
		}
	}
	if len(other) > 0 {
		top += " " + strings.Join(other, "; ") + "."
	}
	return errs, top
}

// caseTimeline reads a case's timeline (the newest caseTimelineMax events
// about it and its workflow) and the names of the people in it, actors and
// assignees, in two queries: for the case page and its printable summary.
func (s *Server) caseTimeline(ctx context.Context, pc lindungi.Case) ([]lindungi.Event, map[string]string, error) {
	events, err := s.Pages.Store.CaseTimeline(ctx, pc.ID, pc.WorkflowID, caseTimelineMax)
	if err != nil {
		return nil, nil, err
	}
	var subjects []string
	for _, ev := range events {
		if !slices.Contains(subjects, ev.Actor) {
			subjects = append(subjects, ev.Actor)
		}
		if who := assigneeOf(ev); who != "" && !slices.Contains(subjects, who) {
			subjects = append(subjects, who) // named in the timeline too
		}
	}
	people, err := s.Pages.Store.UserNames(ctx, subjects)
	if err != nil {
		return nil, nil, err
	}
	return events, people, nil
}
