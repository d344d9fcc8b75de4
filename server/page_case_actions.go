package server

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/web"
	"github.com/lindungi/lindungi/workflows"
)

// The case page's forms: each posts to /kasus/:id/<word> and calls the
// service of the API route it mirrors (app.Cases.Act for the handling
// steps, app.Cases.Decide for the decisions, app.Cases.AddNote for a
// note), then goes back to the case page with a message. A refusal the
// user can act on shows the case page again with the form open and each
// problem next to its field; a case out of reach is the 404 page.

// The page routes of the case's forms, and the API routes they mirror.
const (
	pageCaseNote             = "/kasus/:id/catatan"             // POST /v1/cases/:id/notes
	pageCaseVerify           = "/kasus/:id/verifikasi"          // POST /v1/cases/:id/verify
	pageCaseRequestInfo      = "/kasus/:id/minta-info"          // POST /v1/cases/:id/request-info
	pageCaseContact          = "/kasus/:id/kontak"              // POST /v1/cases/:id/contact
	pageCaseClarify          = "/kasus/:id/klarifikasi"         // POST /v1/cases/:id/clarify
	pageCaseMediate          = "/kasus/:id/mediasi"             // POST /v1/cases/:id/mediate
	pageCaseToldUnresolvable = "/kasus/:id/tidak-terselesaikan" // POST /v1/cases/:id/told-unresolvable
	pageCaseRefer            = "/kasus/:id/rujuk"               // POST /v1/cases/:id/refer
	pageCaseTransfer         = "/kasus/:id/alihkan"             // POST /v1/cases/:id/transfer
	pageCaseResolve          = "/kasus/:id/selesaikan"          // POST /v1/cases/:id/resolve
	pageCaseProposeClosure   = "/kasus/:id/usul-tutup"          // POST /v1/cases/:id/propose-closure
	pageCaseEscalate         = "/kasus/:id/eskalasi"            // POST /v1/cases/:id/escalate
	pageCaseReopen           = "/kasus/:id/buka-kembali"        // POST /v1/cases/:id/reopen
	pageCaseClosureApprove   = "/kasus/:id/penutupan/setujui"   // POST /v1/cases/:id/closure/approve
	pageCaseClosureReject    = "/kasus/:id/penutupan/tolak"     // POST /v1/cases/:id/closure/reject
	pageCaseReferralAccept   = "/kasus/:id/rujukan/terima"      // POST /v1/cases/:id/referral/accept
	pageCaseReferralReject   = "/kasus/:id/rujukan/tolak"       // POST /v1/cases/:id/referral/reject
	pageCaseTransferAccept   = "/kasus/:id/pengalihan/terima"   // POST /v1/cases/:id/transfer/accept
	pageCaseTransferReject   = "/kasus/:id/pengalihan/tolak"    // POST /v1/cases/:id/transfer/reject
	pageCaseRecategorise     = "/kasus/:id/kategori"            // POST /v1/cases/:id/recategorise
	pageCaseRisk             = "/kasus/:id/risiko"              // POST /v1/cases/:id/risk
	pageCaseAssign           = "/kasus/:id/tugaskan"            // POST /v1/cases/:id/assign
)

// casePost is a form of the case page: its name on the page (and in the
// messages), its route, and the handling step (act) or the decision (kind
// and outcome) it takes.
type casePost struct {
	name    string
	path    string
	act     string
	kind    lindungi.TaskKind
	outcome lindungi.Outcome
}

// casePosts are the case page's forms of handling and decision, in the
// order the page offers them.
var casePosts = []casePost{
	{name: "verify", path: pageCaseVerify, act: workflows.ActVerify},
	{name: "request_info", path: pageCaseRequestInfo, act: workflows.ActRequestInfo},
	{name: "contact", path: pageCaseContact, act: workflows.ActLogContact},
	{name: "clarify", path: pageCaseClarify, act: workflows.ActClarify},
	{name: "mediate", path: pageCaseMediate, act: workflows.ActMediate},
	{name: "told_unresolvable", path: pageCaseToldUnresolvable, act: workflows.ActToldUnresolvable},
	{name: "refer", path: pageCaseRefer, act: workflows.ActRefer},
	{name: "transfer", path: pageCaseTransfer, act: workflows.ActTransfer},
	{name: "resolve", path: pageCaseResolve, act: workflows.ActResolve},
	{name: "propose_closure", path: pageCaseProposeClosure, act: workflows.ActProposeClosure},
	{name: "escalate", path: pageCaseEscalate, act: workflows.ActEscalate},
	{name: "reopen", path: pageCaseReopen, act: workflows.ActReopen},
	{name: "closure_approve", path: pageCaseClosureApprove, kind: lindungi.TaskClosureApproval, outcome: lindungi.OutcomeApproved},
	{name: "closure_reject", path: pageCaseClosureReject, kind: lindungi.TaskClosureApproval, outcome: lindungi.OutcomeRejected},
	{name: "referral_accept", path: pageCaseReferralAccept, kind: lindungi.TaskReferralDecision, outcome: lindungi.OutcomeApproved},
	{name: "referral_reject", path: pageCaseReferralReject, kind: lindungi.TaskReferralDecision, outcome: lindungi.OutcomeRejected},
	{name: "transfer_accept", path: pageCaseTransferAccept, kind: lindungi.TaskTransferDecision, outcome: lindungi.OutcomeApproved},
	{name: "transfer_reject", path: pageCaseTransferReject, kind: lindungi.TaskTransferDecision, outcome: lindungi.OutcomeRejected},
	{name: "recategorise", path: pageCaseRecategorise, act: workflows.ActRecategorise},
	{name: "risk", path: pageCaseRisk, act: workflows.ActSetRisk},
	{name: "assign", path: pageCaseAssign, act: workflows.ActAssign},
}

// casePostPage answers the form of the case page posted to path: the
// handling step through app.Cases.Act, or the decision through
// app.Cases.Decide, as the API route it mirrors.
func (s *Server) casePostPage(path string) gin.HandlerFunc {
	var cp casePost
	for _, p := range casePosts {
		if p.path == path {
			cp = p
		}
	}
	if cp.name == "" {
		panic("server: no case form posts to " + path)
	}
	return func(c *gin.Context) {
		id, ok := s.pathID(c)
		if !ok {
			return
		}
		values := map[string]string{}
		for _, f := range caseFormFields[cp.name] {
			values[f] = strings.Join(c.PostFormArray(f), ",") // the categories ticked, or the one value
		}
		ctx := c.Request.Context()
		var err error
		if cp.kind != "" {
			_, err = s.Cases.Decide(ctx, actor(c), app.Decision{CaseID: id, Kind: cp.kind, Outcome: cp.outcome, Reason: c.PostForm("reason")})
		} else {
			r := app.CaseAct{CaseID: id, Action: cp.act, Reason: c.PostForm("reason"), ToUnit: c.PostForm("to_unit"),
				ToAgency: c.PostForm("to_agency"), Resolution: c.PostForm("resolution"), AnsweredInfo: c.PostForm("answered_info") == "true"}
			if err = readCaseForm(c, cp.act, &r); err == nil {
				_, err = s.Cases.Act(ctx, actor(c), r)
			}
		}
		s.afterCasePost(c, id, cp.name, values, err)
	}
}

// readCaseForm reads what a form says in words or numbers into r: the
// answer to the consent question of a referral (required: yes or no), the
// money recovered of a resolution, as people write rupiah, and what the
// supervisors' forms choose (categories, level, assignee).
func readCaseForm(c *gin.Context, act string, r *app.CaseAct) error {
	var v lindungi.Validation
	switch act {
	case workflows.ActRefer:
		switch c.PostForm("consent") {
		case "yes":
			r.Consent = true
		case "no":
		default:
			v.Add("consent", "answer whether the worker consented: yes or no")
		}
	case workflows.ActResolve:
		n, ok := web.ParseRupiah(c.PostForm("money_recovered_idr"))
		if !ok {
			v.Add("money_recovered_idr", "must be an amount of rupiah, not negative")
		}
		r.MoneyRecovered = n
	case workflows.ActRecategorise:
		for _, cat := range c.PostFormArray("categories") {
			r.Categories = append(r.Categories, lindungi.CaseCategory(cat))
		}
	case workflows.ActSetRisk:
		r.Level = c.PostForm("level")
	case workflows.ActAssign:
		r.Assignee = c.PostForm("assignee")
	}
	return v.Err()
}

// caseNotePage writes a note on the case through app.Cases.AddNote, as
// POST /v1/cases/:id/notes does.
func (s *Server) caseNotePage(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	text := c.PostForm("text")
	_, err := s.Cases.AddNote(c.Request.Context(), actor(c), app.NewCaseNote{CaseID: id, Text: text})
	s.afterCasePost(c, id, "note", map[string]string{"text": text}, err)
}

// afterCasePost goes back to the case page saying what was done, or shows
// it again with the refused form open (a refusal the user can act on), or
// the error page (a case out of reach, a failure).
func (s *Server) afterCasePost(c *gin.Context, id uuid.UUID, name string, values map[string]string, err error) {
	switch lindungi.ErrorCode(err) {
	case "":
		sess := session(c)
		sess.Flash = "flash.case." + name
		setSession(c, sess)
		s.redirect(c, "/kasus/"+id.String())
	case lindungi.EINVALID, lindungi.EMALFORMED, lindungi.ECONFLICT, lindungi.EFORBIDDEN:
		s.showCase(c, statusOf(err), DefaultPurpose, caseForm{name: name, err: err, values: values})
	default:
		s.problem(c, err)
	}
}
