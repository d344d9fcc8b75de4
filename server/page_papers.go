package server

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// The printable papers: a case's summary (GET /kasus/:id/ringkasan) and a
// worker's recommendation letter (GET /pekerja/:id/surat-rekomendasi), as
// a page or, with ?format=pdf, a PDF drawn from the same paper. Each reads
// through the service of the page it comes from (app.Cases.Find,
// app.Workers.Find: the same reach, a 404 out of it) and is a read of
// personal data, logged with its purpose (case-work; an auditor gives the
// session's) before it is sent.

// Routes of the papers.
const (
	pageCaseSummary = "/kasus/:id/ringkasan"
	pageLetter      = "/pekerja/:id/surat-rekomendasi"
)

// paperPurpose is the purpose a paper is read for: an auditor's (the
// query's or the session's; without one the purpose form, which comes
// back); case-work for everyone else. ok is false when the request was
// answered.
func (s *Server) paperPurpose(c *gin.Context) (string, bool) {
	if principal(c).HasRole(lindungi.RoleAuditor) {
		return s.auditPurpose(c)
	}
	p, err := s.purpose(c, false)
	if err != nil {
		s.problem(c, err)
		return "", false
	}
	return p, true
}

// paperFormat reads format: "" for the page, pdf for the PDF.
func (s *Server) paperFormat(c *gin.Context) (string, bool) {
	f := c.Query("format")
	if f != "" && f != "pdf" {
		s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
			Fields: []lindungi.FieldError{{Field: "format", Reason: "must be pdf, or absent for the page"}}})
		return "", false
	}
	return f, true
}

// unit is the unit of code, or one with the code for its name.
func (s *Server) unit(code string) lindungi.Unit {
	for _, u := range s.Units {
		if u.Code == code {
			return u
		}
	}
	return lindungi.Unit{Code: code, Name: code}
}

// showPaper answers the paper as a page, or as a PDF named name.pdf.
func (s *Server) showPaper(c *gin.Context, format, name string, paper web.Paper) {
	if format != "pdf" {
		s.render(c, http.StatusOK, "paper", paper)
		return
	}
	s.flushSession(c)
	h := c.Writer.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	if err := paper.WritePDF(c.Writer); err != nil {
		s.Logger.ErrorContext(c.Request.Context(), "pdf not written", "err", err)
	}
	c.Abort()
}

// caseSummaryPage is a case's summary on paper: the owner unit's
// letterhead, the number, the complaint, its notes and what was done.
func (s *Server) caseSummaryPage(c *gin.Context) {
	ctx := c.Request.Context()
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	format, ok := s.paperFormat(c)
	if !ok {
		return
	}
	pc, a, err := s.Cases.Find(ctx, actor(c), id)
	if err != nil {
		s.problem(c, err)
		return
	}
	purpose, ok := s.paperPurpose(c)
	if !ok {
		return
	}
	notes, _, _, err := s.Cases.ListNotes(ctx, actor(c), pc.ID, caseNotesMax)
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
	ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID, ev.Purpose = "access.case_summary", "case", pc.ID.String(), &pc.WorkerID, purpose
	ev.After, _ = json.Marshal(map[string]any{"format": formatName(format)})
	if err := s.Pages.Store.RecordAccesses(ctx, []lindungi.Event{ev}); err != nil {
		s.problem(c, err)
		return
	}
	page := s.frame(c, "cases")
	paper := page.CaseSummary(web.CaseSummaryInput{Case: pc, Owner: s.unit(pc.OwnerUnit), Worker: workers[pc.WorkerID],
		Units: s.unitNames(), Notes: notes, Events: events, Names: people, PrintedBy: s.exporter(c), Now: s.Now()})
	paper.Page = page
	paper.PDFURL, paper.BackURL, paper.BackTo = pdfURL(c), "/kasus/"+pc.ID.String(), page.T("summary.back")
	s.showPaper(c, format, "ringkasan-"+pc.Number, paper)
}

// letterPage is a worker's recommendation letter, issued in the worker's
// district: only for a registered worker past verification and before
// departure (lindungi.CheckRecommendation; the page says why not, 409).
// Its words are always Indonesian, as an official letter's must be; the
// page around it speaks the user's language.
func (s *Server) letterPage(c *gin.Context) {
	ctx := c.Request.Context()
	format, ok := s.paperFormat(c)
	if !ok {
		return
	}
	w, a, ok := s.visibleWorker(c)
	if !ok {
		return
	}
	purpose, ok := s.paperPurpose(c)
	if !ok {
		return
	}
	page := s.frame(c, "workers")
	if err := lindungi.CheckRecommendation(w); err != nil {
		s.render(c, http.StatusConflict, "error", web.ErrorPage{Page: page, Message: page.T("letter.not_available")})
		return
	}
	ev := a.Event(ctx)
	ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID, ev.Purpose = "access.letter", "worker", w.ID.String(), &w.ID, purpose
	ev.After, _ = json.Marshal(map[string]any{"format": formatName(format)})
	if err := s.Pages.Store.RecordAccesses(ctx, []lindungi.Event{ev}); err != nil {
		s.problem(c, err)
		return
	}
	paper := web.NewPrinter(web.Indonesian).RecommendationLetter(web.LetterInput{Worker: w, Unit: s.unit(w.DomicileUnit),
		PrintedBy: s.exporter(c), Now: s.Now()})
	paper.Page = page
	paper.PDFURL, paper.BackURL, paper.BackTo = pdfURL(c), "/pekerja/"+w.ID.String(), page.T("letter.back")
	s.showPaper(c, format, "surat-rekomendasi-"+w.ID.String()[:8], paper)
}

// pdfURL is the paper's PDF, read for the purpose the page was.
func pdfURL(c *gin.Context) string {
	q := url.Values{"format": {"pdf"}}
	if p := c.Query("purpose"); p != "" {
		q.Set("purpose", p)
	}
	return c.Request.URL.Path + "?" + q.Encode()
}

// withPurpose is path with the purpose it is read for, if any.
func withPurpose(path, purpose string) string {
	if purpose == "" {
		return path
	}
	return path + "?" + url.Values{"purpose": {purpose}}.Encode()
}

// formatName is how the access event names the format read.
func formatName(format string) string {
	if format == "" {
		return "page"
	}
	return format
}
