package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/web"
)

// The complaint intake form (/pengaduan/baru): search before create (the
// service of GET /v1/workers/search), then the complaint, taken in through
// the service of POST /v1/cases (app.Cases.Intake). Success goes to the
// new case's page, which shows its number.

// flashTakenIn is the message of a complaint taken in, which the case
// page completes with the case's number.
const flashTakenIn = "flash.case_taken_in"

// intakeForm is the intake form as posted: the complaint, the subject as
// described (kept for showing the form again), and the worker chosen from
// the search ("" for a person never seen).
type intakeForm struct {
	complaint lindungi.NewComplaint
	subject   lindungi.CaseSubject
	workerID  string
	query     string
}

// intakeFromForm reads the posted form.
func intakeFromForm(c *gin.Context) intakeForm {
	f := intakeForm{workerID: strings.TrimSpace(c.PostForm("worker_id")), query: strings.TrimSpace(c.PostForm("q"))}
	f.complaint = lindungi.NewComplaint{Channel: c.PostForm("channel"), Unit: c.PostForm("unit"),
		Complainant: lindungi.Complainant{Name: c.PostForm("complainant_name"), Relation: c.PostForm("complainant_relation"),
			Phone: c.PostForm("complainant_phone"), PowerOfAttorney: c.PostForm("complainant_power_of_attorney") == "true"},
		Country: c.PostForm("country"), Employer: c.PostForm("employer"), PlacementCompany: c.PostForm("placement_company"),
		Description: c.PostForm("description"), RiskFlags: c.PostFormArray("risk_flags")}
	for _, cat := range c.PostFormArray("categories") {
		f.complaint.Categories = append(f.complaint.Categories, lindungi.CaseCategory(cat))
	}
	f.subject = lindungi.CaseSubject{Name: c.PostForm("subject_name"), NIK: c.PostForm("subject_nik"),
		BirthDate: c.PostForm("subject_birth_date"), Phone: c.PostForm("subject_phone"), DomicileUnit: c.PostForm("subject_domicile_unit")}
	return f
}

// newComplaint is the complaint the form asks the service to take in: the
// worker chosen, or the person described. A worker ID that is not one is
// refused as the service refuses an unknown worker.
func (f intakeForm) newComplaint() (lindungi.NewComplaint, error) {
	nc := f.complaint
	nc.Categories = slices.Clone(nc.Categories)
	nc.RiskFlags = slices.Clone(nc.RiskFlags)
	if f.workerID == "" {
		s := f.subject
		nc.Subject = &s
		return nc, nil
	}
	id, ok := lindungi.ParseID(f.workerID)
	if !ok {
		return nc, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: "worker_id", Reason: "must be a worker ID"}}}
	}
	nc.WorkerID = &id
	return nc, nil
}

// newComplaintPage is the empty intake form, or the form under the
// workers a search found (q). The unit taking the complaint in is the
// user's own; the subject's district too, for a user of a district.
func (s *Server) newComplaintPage(c *gin.Context) {
	f := intakeForm{query: strings.TrimSpace(c.Query("q"))}
	f.complaint.Unit = principal(c).Unit
	if u := principal(c).Unit; len(u) == 4 {
		f.subject.DomicileUnit = u
	}
	s.showIntake(c, http.StatusOK, f, nil)
}

// takeComplaintPage takes the complaint in through app.Cases.Intake, as
// POST /v1/cases does, then shows the case's page with its number.
// Refused input shows the form again, each problem next to its input, the
// values kept; nothing is written.
func (s *Server) takeComplaintPage(c *gin.Context) {
	f := intakeFromForm(c)
	nc, err := f.newComplaint()
	if err == nil {
		var pc lindungi.Case
		pc, err = s.Cases.Intake(c.Request.Context(), actor(c), app.Intake{Complaint: nc})
		if err == nil {
			sess := session(c)
			sess.Flash = flashTakenIn
			setSession(c, sess)
			s.redirect(c, "/kasus/"+pc.ID.String())
			return
		}
	}
	switch lindungi.ErrorCode(err) {
	case lindungi.EINVALID, lindungi.EFORBIDDEN, lindungi.ECONFLICT:
		s.showIntake(c, statusOf(err), f, err)
	default:
		s.problem(c, err)
	}
}

// intakeField is the name of the form's input that an error field of the
// service names: "complainant.name" is complainant_name, "categories[2]"
// is categories.
var intakeIndex = regexp.MustCompile(`\[[0-9]+\]$`)

func intakeField(field string) string {
	return strings.ReplaceAll(intakeIndex.ReplaceAllString(field, ""), ".", "_")
}

// showIntake renders the intake form for f with the errors of err next to
// their inputs, under the workers the search f.query finds (each shown is
// logged as read, in one batch).
func (s *Server) showIntake(c *gin.Context, status int, f intakeForm, err error) {
	ctx := c.Request.Context()
	page := s.frame(c, "cases")
	p := principal(c)
	errs := map[string]string{}
	var e *lindungi.Error
	switch {
	case err == nil:
	case lindungi.ErrorCode(err) == lindungi.EFORBIDDEN:
		errs["unit"] = page.T("intake.error.unit_forbidden")
	case lindungi.ErrorCode(err) == lindungi.ECONFLICT:
		errs["subject_nik"] = page.T("intake.error.subject_nik_taken")
	case errors.As(err, &e):
		for _, fe := range e.Fields {
			name := intakeField(fe.Field)
			if msg := page.T("intake.error." + name); msg != "intake.error."+name {
				errs[name] = msg
			}
		}
	}
	if err != nil && len(errs) == 0 {
		page.Flash = append(page.Flash, web.Flash{Kind: "error", Text: lindungi.ErrorMessage(err)})
	}
	if errs["subject"] != "" && errs["worker_id"] == "" {
		errs["worker_id"] = errs["subject"]
	}

	nc, sub := f.complaint, f.subject
	field := func(name, label, value string) web.Field {
		return web.Field{Name: name, Label: page.T(label), Value: value, Error: errs[name]}
	}
	d := web.IntakePage{Page: page, Invalid: err != nil, Query: f.query,
		Search:           web.Field{Name: "q", Label: page.T("intake.search"), Type: "search", Value: f.query, Hint: page.T("workers.query_hint"), Autocomplete: "off"},
		SubjectError:     errs["worker_id"],
		ComplainantName:  field("complainant_name", "intake.complainant_name", nc.Complainant.Name),
		ComplainantPhone: field("complainant_phone", "intake.complainant_phone", nc.Complainant.Phone),
		PowerOfAttorney: web.Check{ID: "f-complainant_power_of_attorney", Name: "complainant_power_of_attorney", Value: "true",
			Label: page.T("intake.power_of_attorney"), Checked: nc.Complainant.PowerOfAttorney},
		PowerOfAttorneyError: errs["complainant_power_of_attorney"],
		SubjectName:          field("subject_name", "intake.subject_name", sub.Name),
		SubjectNIK:           field("subject_nik", "worker.nik", sub.NIK),
		SubjectBirthDate:     field("subject_birth_date", "worker.birth_date", sub.BirthDate),
		SubjectPhone:         field("subject_phone", "worker.phone", sub.Phone),
		Employer:             field("employer", "intake.employer", nc.Employer),
		Company:              field("placement_company", "worker.company", nc.PlacementCompany),
		Description: web.TextArea{Name: "description", Label: page.T("intake.description"), Hint: page.T("intake.description_hint"),
			Value: nc.Description, Error: errs["description"], Rows: 6, MaxLength: 4000, Required: true},
		CategoriesError: errs["categories"],
		RiskFlagsError:  errs["risk_flags"],
	}
	d.Search.Error = errs["q"]
	d.ComplainantName.Required, d.ComplainantName.Autocomplete = true, "off"
	d.ComplainantPhone.Type, d.ComplainantPhone.InputMode, d.ComplainantPhone.Autocomplete = "tel", "tel", "off"
	d.SubjectNIK.InputMode, d.SubjectNIK.Autocomplete, d.SubjectNIK.Hint = "numeric", "off", page.T("worker_new.nik_hint")
	d.SubjectBirthDate.Type = "date"
	d.SubjectPhone.Type, d.SubjectPhone.InputMode, d.SubjectPhone.Autocomplete = "tel", "tel", "off"
	d.SubjectName.Autocomplete = "off"

	d.Channel = web.Select{Name: "channel", Label: page.T("intake.channel"), Error: errs["channel"],
		Options: web.Options(lindungi.Channels, page.Channel, page.T("intake.channel_choose"), nc.Channel)}
	d.Relation = web.Select{Name: "complainant_relation", Label: page.T("intake.relation"), Error: errs["complainant_relation"],
		Options: web.Options(lindungi.Relations, page.Relation, page.T("intake.relation_choose"), nc.Complainant.Relation)}
	d.Country = web.Select{Name: "country", Label: page.T("intake.country"), Error: errs["country"],
		Options: web.Options(web.Countries, page.Country, page.T("intake.country_choose"), nc.Country)}
	var mine, districts []string
	for _, u := range s.Units {
		if slices.Contains(s.Units.Path(u.Code), p.Unit) {
			mine = append(mine, u.Code)
		}
		if len(u.Code) == 4 {
			districts = append(districts, u.Code)
		}
	}
	d.Unit = web.Select{Name: "unit", Label: page.T("intake.unit"), Error: errs["unit"],
		Options: web.Options(mine, s.unitName, "", nc.Unit)}
	d.SubjectDomicile = web.Select{Name: "subject_domicile_unit", Label: page.T("intake.subject_domicile"), Error: errs["subject_domicile_unit"],
		Options: web.Options(districts, s.unitName, page.T("intake.subject_domicile"), sub.DomicileUnit)}
	for _, cat := range page.SortedCategories() {
		d.Categories = append(d.Categories, web.Check{ID: "f-cat-" + string(cat), Name: "categories", Value: string(cat),
			Label: page.Category(cat), Checked: slices.Contains(nc.Categories, cat)})
	}
	for _, flag := range lindungi.RiskFlags {
		d.RiskFlags = append(d.RiskFlags, web.Check{ID: "f-risk-" + flag, Name: "risk_flags", Value: flag,
			Label: page.RiskFlag(flag), Checked: slices.Contains(nc.RiskFlags, flag)})
	}

	if f.query != "" {
		matches, err := s.searchSubjects(ctx, actor(c), f.query)
		switch {
		case lindungi.ErrorCode(err) == lindungi.EINVALID:
			d.Search.Error = page.T("workers.query_invalid")
		case err != nil:
			s.problem(c, err)
			return
		default:
			d.Searched = true
			units := s.unitNames()
			for _, m := range matches {
				ch := web.Choice{ID: "f-worker-" + m.ID.String(), Value: m.ID.String(), Label: m.Name,
					Sub: unitNameOr(units, m.DomicileUnit), Checked: f.workerID == m.ID.String()}
				if m.Provisional {
					ch.Badge = &web.Badge{Kind: "provisional", Text: page.T("badge.provisional")}
				}
				d.Subjects = append(d.Subjects, ch)
			}
			if len(matches) == 0 {
				d.Search.Hint = page.T("workers.none")
			}
			d.Subjects = append(d.Subjects, web.Choice{ID: "f-worker-new", Value: "", Label: page.T("intake.subject_new"),
				Checked: f.workerID == "" || !slices.ContainsFunc(matches, func(m lindungi.WorkerMatch) bool { return m.ID.String() == f.workerID })})
		}
	}
	s.render(c, status, "case_new", d)
}

// searchSubjects finds the workers the search box names, as the worker
// search does, each logged as read. Merged workers are left out: their
// cases go to the worker they were merged into.
func (s *Server) searchSubjects(ctx context.Context, a app.Actor, q string) ([]lindungi.WorkerMatch, error) {
	matches, err := s.searchWorkersRead(ctx, a, q, DefaultPurpose)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(matches, func(m lindungi.WorkerMatch) bool { return m.MergedInto != nil }), nil
}

// searchWorkersRead finds the workers in a's reach that the search box q
// names (workerQuery) and logs each one found as read (access.search, with
// purpose), in one batch before they are shown: the pages' worker search.
func (s *Server) searchWorkersRead(ctx context.Context, a app.Actor, q, purpose string) ([]lindungi.WorkerMatch, error) {
	matches, err := s.Workers.Search(ctx, a, workerQuery(q))
	if err != nil {
		return nil, err
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
		return nil, err
	}
	return matches, nil
}

// unitNameOr is a unit's name, or its code when the name is not known.
func unitNameOr(units map[string]string, code string) string {
	if n := units[code]; n != "" {
		return n
	}
	return code
}
