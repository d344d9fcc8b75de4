package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
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
	matches, err := s.searchWorkersRead(ctx, a, q, purpose)
	if lindungi.ErrorCode(err) == lindungi.EINVALID {
		data.Query.Error = page.T("workers.query_invalid")
		s.render(c, http.StatusBadRequest, "workers", data)
		return
	}
	if err != nil {
		s.problem(c, err)
		return
	}
	data.Searched = true
	data.Results = page.WorkerMatchTable(matches, s.unitNames())
	if len(matches) > 0 {
		data.Export = s.exportLink(c, page, pageExportWorkers, url.Values{"q": {q}})
	}
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

// workerPage is a worker's file: the profile, the journey's timeline, the
// open tasks, the cases and the documents with their scans, through the
// reads of the API (GET /v1/workers/{id}, its documents, the cases
// filtered by worker). A worker out of the user's reach is the 404 page.
// The reads are logged, in one batch, with their purpose (case-work unless
// the user gives one) before the page is sent.
func (s *Server) workerPage(c *gin.Context) {
	s.showWorker(c, http.StatusOK, nil, nil)
}

// workerPageTimeline is the most timeline entries a worker's page shows:
// the latest.
const workerPageTimeline = 100

// workerPageCases is the most cases a worker's page lists.
const workerPageCases = 50

// showWorker renders the :id worker's page with status. upload, when not
// nil, is the upload form as refused (its values and errors), and flash an
// error to show on top.
func (s *Server) showWorker(c *gin.Context, status int, upload *web.UploadForm, flash *web.Flash) {
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
	scans, err := s.Documents.Scans(ctx, actor(c), w.ID)
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
	timeline, err := s.Workers.Timeline(ctx, actor(c), w.ID, workerPageTimeline)
	if err != nil {
		s.problem(c, err)
		return
	}
	cases, err := s.Cases.List(ctx, actor(c), lindungi.CaseFilter{WorkerID: w.ID, Now: now, Limit: workerPageCases})
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
	if flash != nil {
		page.Flash = append(page.Flash, *flash)
	}
	units := s.unitNames()
	p := principal(c)
	may := func(path string) bool {
		_, err := s.Access.Route(p, path, http.MethodPost)
		return err == nil
	}
	mayVerify, mayReject := may(pageVerifyDocument), may(pageRejectDocument)
	data := web.WorkerPage{Page: page, ID: w.ID.String(), Name: w.Name, Provisional: w.NIK == "", Step: page.Step(w.JourneyStep),
		Timeline: page.WorkerTimeline(web.WorkerTimelineInput{Entries: timeline, Units: units}),
		Tasks:    page.WorkerTaskTable(tasks, units), Cases: page.WorkerCaseTable(cases),
		Documents: page.DocumentCards(web.DocumentInput{Docs: docs, Scans: scans,
			MayVerify: func(d lindungi.Document, scan *lindungi.ScanInfo) bool {
				uploader := ""
				if scan != nil {
					uploader = scan.UploadedBy
				}
				return mayVerify && d.CheckVerify(p.Subject) == nil && lindungi.CheckVerifyScan(uploader, p.Subject) == nil
			},
			MayReject: func(d lindungi.Document, _ *lindungi.ScanInfo) bool { return mayReject && d.CheckReject() == nil },
		})}
	if q := c.Query("purpose"); q != "" {
		// The purpose the page was read for is the downloads' too (auditors
		// must give one).
		for i := range data.Documents {
			if data.Documents[i].ScanURL != "" {
				data.Documents[i].ScanURL += "?purpose=" + url.QueryEscape(q)
			}
		}
	}
	if may(pageCorrectWorker) {
		data.CorrectURL = "/pekerja/" + w.ID.String() + "/koreksi"
	}
	if may(pageLetter) && lindungi.CheckRecommendation(w) == nil {
		data.LetterURL = withPurpose("/pekerja/"+w.ID.String()+"/surat-rekomendasi", c.Query("purpose"))
	}
	if may(pageUploadDocument) {
		if upload == nil {
			upload = s.uploadForm(c, w.ID.String(), lindungi.NewDocument{}, nil)
		}
		data.Upload = upload
	}
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
	fact("worker.address", w.Address, "")
	fact("worker.district", s.unitName(w.DomicileUnit), w.DomicileUnit)
	if w.Scheme != "" {
		fact("worker.scheme", page.Scheme(w.Scheme), "")
	}
	fact("worker.company", w.PlacementCompany, "")
	fact("worker.job_order", w.JobOrderRef, "")
	s.render(c, status, "worker", data)
}

// workerForm is the registration form with the values given and, for
// each input the service refused, the error next to it (err's fields, or
// the domicile for a district out of reach, the NIK for one registered).
func (s *Server) workerForm(c *gin.Context, nw lindungi.NewWorker, err error) web.WorkerFormPage {
	page := s.frame(c, "workers")
	errs := map[string]string{}
	var e *lindungi.Error
	switch {
	case err == nil:
	case lindungi.ErrorCode(err) == lindungi.EFORBIDDEN:
		errs["domicile_unit"] = page.T("worker.error.domicile_forbidden")
	case lindungi.ErrorCode(err) == lindungi.ECONFLICT:
		errs["nik"] = page.T("worker.error.nik_taken")
	case errors.As(err, &e):
		for _, f := range e.Fields {
			errs[f.Field] = page.T("worker.error." + f.Field)
		}
	}
	field := func(name, label, value string) web.Field {
		return web.Field{Name: name, Label: page.T(label), Value: value, Error: errs[name], Required: true}
	}
	f := web.WorkerFormPage{Page: page, Invalid: err != nil,
		NIK:       field("nik", "worker.nik", nw.NIK),
		Name:      field("name", "worker.name", nw.Name),
		BirthDate: field("birth_date", "worker.birth_date", nw.BirthDate),
		Phone:     field("phone", "worker.phone", nw.Phone),
		Domicile:  field("domicile_unit", "worker.district", nw.DomicileUnit),
		Company:   field("placement_company", "worker.company", nw.PlacementCompany),
		JobOrder:  field("job_order_ref", "worker.job_order", nw.JobOrderRef),
		Scheme:    web.Select{Name: "scheme", Label: page.T("worker.scheme"), Error: errs["scheme"]},
	}
	f.NIK.InputMode, f.NIK.Hint, f.NIK.Autocomplete = "numeric", page.T("worker_new.nik_hint"), "off"
	f.Name.Autocomplete = "off"
	f.BirthDate.Type = "date"
	f.Phone.Type, f.Phone.InputMode, f.Phone.Hint, f.Phone.Autocomplete = "tel", "tel", page.T("worker_new.phone_hint"), "off"
	f.Domicile.InputMode, f.Domicile.Hint = "numeric", page.T("worker_new.domicile_hint")
	f.Company.Required, f.JobOrder.Required = false, false
	f.Scheme.Options = []web.Option{{Value: "", Label: page.T("scheme.choose")}}
	for _, sc := range []lindungi.Scheme{lindungi.SchemeP2P, lindungi.SchemeG2G, lindungi.SchemeMandiri} {
		f.Scheme.Options = append(f.Scheme.Options, web.Option{Value: string(sc), Label: page.Scheme(sc), Selected: nw.Scheme == sc})
	}
	if err != nil && len(errs) == 0 {
		f.Page.Flash = append(f.Page.Flash, web.Flash{Kind: "error", Text: lindungi.ErrorMessage(err)})
	}
	return f
}

// newWorkerPage is the empty registration form; the district is the
// user's own when the user works at a district.
func (s *Server) newWorkerPage(c *gin.Context) {
	var nw lindungi.NewWorker
	if u := principal(c).Unit; s.Units.Path(u) != nil && len(u) == 4 {
		nw.DomicileUnit = u
	}
	s.render(c, http.StatusOK, "worker_new", s.workerForm(c, nw, nil))
}

// registerWorkerPage registers a worker through the service of
// POST /v1/workers (app.Journeys.Register, which starts the journey and
// so the verification task), then shows the worker's page with a flash.
// Refused input shows the form again, each problem next to its input.
func (s *Server) registerWorkerPage(c *gin.Context) {
	nw := lindungi.NewWorker{NIK: c.PostForm("nik"), Name: c.PostForm("name"), BirthDate: c.PostForm("birth_date"),
		DomicileUnit: c.PostForm("domicile_unit"), Phone: c.PostForm("phone"), Scheme: lindungi.Scheme(c.PostForm("scheme")),
		PlacementCompany: c.PostForm("placement_company"), JobOrderRef: c.PostForm("job_order_ref")}
	w, err := s.Journeys.Register(c.Request.Context(), actor(c), app.Registration{Worker: nw})
	switch code := lindungi.ErrorCode(err); {
	case err == nil:
		sess := session(c)
		sess.Flash = "flash.worker_registered"
		setSession(c, sess)
		s.redirect(c, "/pekerja/"+w.ID.String())
	case code == lindungi.EINVALID || code == lindungi.EFORBIDDEN || code == lindungi.ECONFLICT:
		s.render(c, statusOf(err), "worker_new", s.workerForm(c, nw, err))
	default:
		s.problem(c, err)
	}
}
