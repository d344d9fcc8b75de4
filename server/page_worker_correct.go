package server

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// The correction of a worker's profile (/pekerja/:id/koreksi): a form
// prefilled with the file's values, through the service of
// POST /v1/workers/{id}/corrections (app.Workers.Correct). The NIK field is
// shown only to those who may correct it (the policy's worker correct-nik),
// and the service refuses a NIK posted by anyone else.

// correctionForm is the correction form of w, with the values given (nil:
// the file's) and, for each input the service refused, the error next to
// it.
func (s *Server) correctionForm(c *gin.Context, w lindungi.Worker, given *lindungi.WorkerCorrection, err error) web.CorrectionPage {
	page := s.frame(c, "workers")
	errs := map[string]string{}
	unchanged := false
	var e *lindungi.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			switch {
			case f.Field == "" && e.Code == lindungi.EINVALID:
				unchanged = true
			case e.Code == lindungi.ECONFLICT:
				errs[f.Field] = page.T("correct.conflict." + f.Field)
			default:
				errs[f.Field] = page.T("correct.error." + f.Field)
			}
		}
	}
	var g lindungi.WorkerCorrection // nothing given: the file's values
	if given != nil {
		g = *given
	}
	value := func(p *string, current string) string {
		if p != nil {
			return *p
		}
		return current
	}
	field := func(name, label, v string) web.Field {
		return web.Field{Name: name, Label: page.T(label), Value: v, Error: errs[name]}
	}
	id := w.ID.String()
	f := web.CorrectionPage{Page: page, Name: w.Name, Action: "/pekerja/" + id + "/koreksi", Back: "/pekerja/" + id,
		FullName: field("name", "worker.name", value(g.Name, w.Name)),
		Phone:    field("phone", "worker.phone", value(g.Phone, w.Phone)),
		Address:  field("address", "worker.address", value(g.Address, w.Address)),
		Company:  field("placement_company", "worker.company", value(g.PlacementCompany, w.PlacementCompany)),
		JobOrder: field("job_order_ref", "worker.job_order", value(g.JobOrderRef, w.JobOrderRef)),
		Reason:   field("reason", "correct.reason", g.Reason),
		Invalid:  err != nil && !unchanged, Unchanged: unchanged,
	}
	f.FullName.Required, f.Reason.Required = true, true
	f.FullName.Autocomplete, f.Address.Autocomplete = "off", "off"
	f.Phone.Type, f.Phone.InputMode, f.Phone.Autocomplete, f.Phone.Hint = "tel", "tel", "off", page.T("worker_new.phone_hint")
	f.Reason.Hint = page.T("correct.reason_hint")
	f.Company.Hint = page.T("correct.p2p_hint")
	if s.Workers.MayCorrectNIK(principal(c), w.DomicileUnit) {
		nik := field("nik", "worker.nik", value(g.NIK, w.NIK))
		nik.InputMode, nik.Autocomplete, nik.Hint = "numeric", "off", page.T("correct.nik_hint")
		f.NIK = &nik
	}
	if w.Scheme != "" {
		scheme := w.Scheme
		if g.Scheme != nil {
			scheme = *g.Scheme
		}
		sel := &web.Select{Name: "scheme", Label: page.T("worker.scheme"), Error: errs["scheme"]}
		for _, sc := range []lindungi.Scheme{lindungi.SchemeP2P, lindungi.SchemeG2G, lindungi.SchemeMandiri} {
			sel.Options = append(sel.Options, web.Option{Value: string(sc), Label: page.Scheme(sc), Selected: scheme == sc})
		}
		f.Scheme = sel
		if !lindungi.SchemeCorrectable(w.JourneyStep) {
			f.SchemeNote = page.T("correct.scheme_fixed")
		}
	}
	if err != nil && len(errs) == 0 && !unchanged {
		f.Page.Flash = append(f.Page.Flash, web.Flash{Kind: "error", Text: lindungi.ErrorMessage(err)})
	}
	return f
}

// correctWorkerPage is the correction form of the :id worker, prefilled.
func (s *Server) correctWorkerPage(c *gin.Context) {
	w, _, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	s.render(c, http.StatusOK, "worker_correct", s.correctionForm(c, w, nil, nil))
}

// correctionOf reads the correction form: each input posted is a value
// the worker should have; the NIK only when its field was posted at all.
func correctionOf(c *gin.Context) lindungi.WorkerCorrection {
	var corr lindungi.WorkerCorrection
	posted := func(name string) *string {
		if v, ok := c.GetPostForm(name); ok {
			return &v
		}
		return nil
	}
	corr.Name, corr.Phone, corr.Address = posted("name"), posted("phone"), posted("address")
	corr.PlacementCompany, corr.JobOrderRef, corr.NIK = posted("placement_company"), posted("job_order_ref"), posted("nik")
	if v := posted("scheme"); v != nil {
		sc := lindungi.Scheme(*v)
		corr.Scheme = &sc
	}
	corr.Reason = c.PostForm("reason")
	return corr
}

// submitCorrectionPage corrects the :id worker through app.Workers.Correct,
// then shows the worker's page with a flash. Refused input shows the form
// again with the values given, each problem next to its input, and a
// correction that changes nothing says so; a NIK posted by someone who may
// not correct it is refused (403) with nothing written.
func (s *Server) submitCorrectionPage(c *gin.Context) {
	w, _, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	corr := correctionOf(c)
	_, err := s.Workers.Correct(c.Request.Context(), actor(c), w.ID, corr)
	switch code := lindungi.ErrorCode(err); {
	case err == nil:
		sess := session(c)
		sess.Flash = "flash.worker_corrected"
		setSession(c, sess)
		s.redirect(c, "/pekerja/"+w.ID.String())
	case code == lindungi.EINVALID || code == lindungi.ECONFLICT:
		s.render(c, statusOf(err), "worker_correct", s.correctionForm(c, w, &corr, err))
	default:
		s.pageProblem(c, err)
	}
}
