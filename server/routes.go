package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/workflows"
)

// route is one endpoint. auth routes need a bearer token and a policy line
// for the caller's role; national routes need it held at the top unit
// (they act on the whole country: the calendar, the policies, the export).
// Both are decided before the request's query or body is read; the
// application services then check the record's unit (app.Access.Reach).
// page routes are web pages: they answer HTML, read the session cookie
// instead of a bearer token (auth pages need someone signed in, and a
// policy line for the page's own route), and check a CSRF token on every
// post.
type route struct {
	method     string
	path       string
	handler    gin.HandlerFunc
	auth       bool
	page       bool
	national   bool
	idempotent bool // honours the Idempotency-Key header
	cors       bool // callable from the browser origins of CodecOrigins
	// maxBody is the largest body the route reads: 0 is maxForm for a
	// page, maxBody for the API. Only uploads need more.
	maxBody int64
	// reads marks a post that changes no record: the caller's own state
	// (marking notifications read), the session's purpose, the check of
	// an uploaded file, the payload codec. Read-only roles may use it, it
	// writes no audit event, and it needs no Idempotency-Key.
	reads bool
	// stream marks a route that answers a file it writes as it reads:
	// its deadline, and its answer's write deadline, are StreamTimeout.
	stream bool
}

// routes is the whole API and every web page.
func (s *Server) routes() []route {
	return []route{
		{method: http.MethodGet, path: "/healthz", handler: s.healthz},
		{method: http.MethodGet, path: "/readyz", handler: s.readyz},
		{method: http.MethodGet, path: "/openapi.yaml", handler: s.openapi},

		// The web pages (pages.go, one page_*.go per page).
		{method: http.MethodGet, path: "/static/*file", handler: s.static, page: true},
		{method: http.MethodGet, path: "/masuk", handler: s.signInPage, page: true},
		{method: http.MethodPost, path: "/masuk/dev", handler: s.devSignIn, page: true},
		{method: http.MethodGet, path: "/masuk/oidc", handler: s.oidcSignIn, page: true},
		{method: http.MethodGet, path: "/masuk/callback", handler: s.oidcCallback, page: true},
		{method: http.MethodPost, path: "/keluar", handler: s.signOut, page: true},
		{method: http.MethodGet, path: "/bahasa/:lang", handler: s.switchLanguage, page: true},
		{method: http.MethodGet, path: "/", handler: s.inboxPage, page: true, auth: true},
		// The inbox's task actions (page_task.go), each as its /v1/tasks/:id/... route.
		{method: http.MethodPost, path: pageClaim, handler: s.claimTaskPage, page: true, auth: true},
		{method: http.MethodPost, path: pageRelease, handler: s.releaseTaskPage, page: true, auth: true},
		{method: http.MethodPost, path: pageComplete, handler: s.completeTaskPage, page: true, auth: true},
		{method: http.MethodPost, path: pageEscalate, handler: s.moveTaskPage("flash.task_escalated", (*app.Tasks).Escalate), page: true, auth: true},
		{method: http.MethodPost, path: pageReassign, handler: s.moveTaskPage("flash.task_reassigned", (*app.Tasks).Reassign), page: true, auth: true},
		{method: http.MethodPost, path: pageExtend, handler: s.moveTaskPage("flash.task_extended", (*app.Tasks).Extend), page: true, auth: true},
		// Notifications (page_notices.go) and bulk assignment from the inbox
		// (page_assign.go), as GET /v1/notifications, POST
		// /v1/notifications/read and POST /v1/tasks/assign.
		{method: http.MethodGet, path: pageNotices, handler: s.noticesPage, page: true, auth: true},
		{method: http.MethodPost, path: pageMarkRead, handler: s.markReadPage, page: true, auth: true, reads: true},
		{method: http.MethodPost, path: pageAssign, handler: s.assignTasksPage, page: true, auth: true},
		// The worker file (page_workers.go).
		{method: http.MethodGet, path: "/pekerja", handler: s.workerSearchPage, page: true, auth: true},
		{method: http.MethodGet, path: "/pekerja/:id", handler: s.workerPage, page: true, auth: true},
		{method: http.MethodGet, path: "/pekerja/baru", handler: s.newWorkerPage, page: true, auth: true},
		{method: http.MethodPost, path: "/pekerja/baru", handler: s.registerWorkerPage, page: true, auth: true},
		// The rest of the worker file: corrections (page_worker_correct.go),
		// documents with their scans and decisions (page_documents.go).
		{method: http.MethodGet, path: pageCorrectWorker, handler: s.correctWorkerPage, page: true, auth: true},
		{method: http.MethodPost, path: pageCorrectWorker, handler: s.submitCorrectionPage, page: true, auth: true},
		{method: http.MethodPost, path: pageUploadDocument, handler: s.uploadDocumentPage, page: true, auth: true, maxBody: maxUploadForm},
		{method: http.MethodGet, path: pageDownloadScan, handler: s.downloadScanPage, page: true, auth: true},
		{method: http.MethodPost, path: pageVerifyDocument, handler: s.verifyDocumentPage, page: true, auth: true},
		{method: http.MethodPost, path: pageRejectDocument, handler: s.rejectDocumentPage, page: true, auth: true},
		// Complaint intake (page_intake.go), the list and lookup of cases
		// (page_cases.go), the case page (page_case.go) and its forms
		// (page_case_actions.go), each as the /v1/cases route it mirrors.
		{method: http.MethodGet, path: "/pengaduan/baru", handler: s.newComplaintPage, page: true, auth: true},
		{method: http.MethodPost, path: "/pengaduan/baru", handler: s.takeComplaintPage, page: true, auth: true},
		{method: http.MethodGet, path: "/kasus", handler: s.casesPage, page: true, auth: true},
		{method: http.MethodGet, path: pageCase, handler: s.casePage, page: true, auth: true},
		{method: http.MethodPost, path: pageCaseNote, handler: s.caseNotePage, page: true, auth: true},
		{method: http.MethodPost, path: pageCaseVerify, handler: s.casePostPage(pageCaseVerify), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseRequestInfo, handler: s.casePostPage(pageCaseRequestInfo), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseContact, handler: s.casePostPage(pageCaseContact), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseClarify, handler: s.casePostPage(pageCaseClarify), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseMediate, handler: s.casePostPage(pageCaseMediate), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseToldUnresolvable, handler: s.casePostPage(pageCaseToldUnresolvable), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseRefer, handler: s.casePostPage(pageCaseRefer), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseTransfer, handler: s.casePostPage(pageCaseTransfer), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseResolve, handler: s.casePostPage(pageCaseResolve), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseProposeClosure, handler: s.casePostPage(pageCaseProposeClosure), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseEscalate, handler: s.casePostPage(pageCaseEscalate), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseReopen, handler: s.casePostPage(pageCaseReopen), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseClosureApprove, handler: s.casePostPage(pageCaseClosureApprove), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseClosureReject, handler: s.casePostPage(pageCaseClosureReject), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseReferralAccept, handler: s.casePostPage(pageCaseReferralAccept), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseReferralReject, handler: s.casePostPage(pageCaseReferralReject), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseTransferAccept, handler: s.casePostPage(pageCaseTransferAccept), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseTransferReject, handler: s.casePostPage(pageCaseTransferReject), page: true, auth: true},
		// The supervisors' forms on the case page, as /v1/cases/:id/recategorise, /risk and /assign.
		{method: http.MethodPost, path: pageCaseRecategorise, handler: s.casePostPage(pageCaseRecategorise), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseRisk, handler: s.casePostPage(pageCaseRisk), page: true, auth: true},
		{method: http.MethodPost, path: pageCaseAssign, handler: s.casePostPage(pageCaseAssign), page: true, auth: true},

		// The audit pages (page_audit.go, page_audit_tools.go), as the
		// audit API routes. The purpose form and the check of an uploaded
		// export change no record (reads).
		{method: http.MethodGet, path: "/audit", handler: s.auditHomePage, page: true, auth: true},
		{method: http.MethodGet, path: "/audit/tujuan", handler: s.auditPurposePage, page: true, auth: true},
		{method: http.MethodPost, path: "/audit/tujuan", handler: s.setAuditPurpose, page: true, auth: true, reads: true},
		{method: http.MethodGet, path: "/audit/pekerja/:id", handler: s.auditTracePage, page: true, auth: true},
		{method: http.MethodGet, path: "/audit/pekerja/:id/per-tanggal", handler: s.auditAsOfPage, page: true, auth: true},
		{method: http.MethodGet, path: "/audit/pekerja/:id/perubahan", handler: s.auditChangesPage, page: true, auth: true},
		{method: http.MethodGet, path: "/audit/pengguna", handler: s.auditQuestionPage(questionUser), page: true, auth: true},
		{method: http.MethodGet, path: "/audit/unit", handler: s.auditQuestionPage(questionUnit), page: true, auth: true},
		{method: http.MethodGet, path: "/audit/kebijakan", handler: s.auditQuestionPage(questionPolicy), page: true, auth: true},
		{method: http.MethodGet, path: "/audit/eskalasi", handler: s.auditQuestionPage(questionEscalations), page: true, auth: true},
		{method: http.MethodGet, path: "/audit/rantai", handler: s.auditChainPage, page: true, auth: true},
		{method: http.MethodGet, path: "/audit/ekspor", handler: s.auditExportPage, page: true, auth: true},
		{method: http.MethodGet, path: "/audit/periksa-ekspor", handler: s.auditCheckPage, page: true, auth: true},
		{method: http.MethodPost, path: "/audit/periksa-ekspor", handler: s.checkExportPage, page: true, auth: true, reads: true,
			maxBody: maxExportUpload + 1<<20},

		// Reports and exports (page_reports.go, page_exports.go) and the
		// printable papers (page_papers.go): reads, each through the service
		// of the screen or API route it mirrors. Files stream (a longer
		// deadline).
		{method: http.MethodGet, path: "/laporan", handler: s.reportPage, page: true, auth: true},
		{method: http.MethodGet, path: pageComplaintReport, handler: s.complaintReportFile, page: true, auth: true, stream: true},
		{method: http.MethodGet, path: pagePlacementReport, handler: s.placementReportFile, page: true, auth: true, stream: true},
		{method: http.MethodGet, path: pageExportCases, handler: s.casesExportPage, page: true, auth: true, stream: true},
		{method: http.MethodGet, path: pageExportTasks, handler: s.tasksExportPage, page: true, auth: true, stream: true},
		{method: http.MethodGet, path: pageExportWorkers, handler: s.workersExportPage, page: true, auth: true, stream: true},
		{method: http.MethodGet, path: pageCaseSummary, handler: s.caseSummaryPage, page: true, auth: true},
		{method: http.MethodGet, path: pageLetter, handler: s.letterPage, page: true, auth: true},
		{method: http.MethodGet, path: "/v1/reports/complaints", handler: s.complaintReport, auth: true, stream: true},
		{method: http.MethodGet, path: "/v1/reports/placements", handler: s.placementReport, auth: true, stream: true},

		{method: http.MethodPost, path: "/v1/workers", handler: s.registerWorker, auth: true, idempotent: true},
		{method: http.MethodGet, path: "/v1/workers/:id", handler: s.getWorker, auth: true},

		{method: http.MethodGet, path: "/v1/tasks", handler: s.listTasks, auth: true},
		{method: http.MethodGet, path: "/v1/tasks/:id", handler: s.getTask, auth: true},
		{method: http.MethodPost, path: "/v1/tasks/:id/complete", handler: s.completeTask, auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/tasks/:id/claim", handler: s.claimTask, auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/tasks/:id/release", handler: s.releaseTask, auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/tasks/:id/escalate", handler: s.moveTask((*app.Tasks).Escalate), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/tasks/:id/reassign", handler: s.moveTask((*app.Tasks).Reassign), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/tasks/:id/extend", handler: s.moveTask((*app.Tasks).Extend), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/tasks/assign", handler: s.assignTasks, auth: true, idempotent: true},
		{method: http.MethodGet, path: "/v1/notifications", handler: s.listNotifications, auth: true},
		{method: http.MethodPost, path: "/v1/notifications/read", handler: s.markNotificationsRead, auth: true, idempotent: true, reads: true},

		{method: http.MethodPost, path: "/v1/workers/:id/journey/close", handler: s.journeyAction(app.CloseJourney), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/workers/:id/journey/return", handler: s.journeyAction(app.RecordReturn), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/workers/:id/journey/contract", handler: s.journeyAction(app.ExtendContract), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/workers/:id/journey/rehabilitation", handler: s.journeyAction(app.RequestRehabilitation), auth: true, idempotent: true},

		{method: http.MethodGet, path: "/v1/workers/:id/documents", handler: s.listDocuments, auth: true},
		{method: http.MethodPost, path: "/v1/workers/:id/documents", handler: s.addDocument, auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/documents/:id/verify", handler: s.verifyDocument, auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/documents/:id/reject", handler: s.rejectDocument, auth: true, idempotent: true},
		// Corrections and scans (corrections.go, scans.go).
		{method: http.MethodPost, path: "/v1/workers/:id/corrections", handler: s.correctWorker, auth: true, idempotent: true},
		{method: http.MethodPut, path: "/v1/documents/:id/file", handler: s.attachScan, auth: true, idempotent: true, maxBody: maxScanBody + 1},
		{method: http.MethodGet, path: "/v1/documents/:id/file", handler: s.downloadScan, auth: true},

		{method: http.MethodGet, path: "/v1/holidays", handler: s.listHolidays, auth: true},
		{method: http.MethodPost, path: "/v1/holidays", handler: s.addHoliday, auth: true, national: true, idempotent: true},
		{method: http.MethodDelete, path: "/v1/holidays/:date", handler: s.removeHoliday, auth: true, national: true, idempotent: true},

		{method: http.MethodPost, path: "/v1/cases", handler: s.createCase, auth: true, idempotent: true},
		{method: http.MethodGet, path: "/v1/cases", handler: s.listCases, auth: true},
		{method: http.MethodGet, path: "/v1/cases/:id", handler: s.getCase, auth: true},
		{method: http.MethodGet, path: "/v1/workers/search", handler: s.searchWorkers, auth: true},
		{method: http.MethodPost, path: "/v1/workers/:id/merge", handler: s.mergeWorker, auth: true, idempotent: true},

		{method: http.MethodPost, path: "/v1/cases/:id/verify", handler: s.caseAction(workflows.ActVerify), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/request-info", handler: s.caseAction(workflows.ActRequestInfo), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/contact", handler: s.caseAction(workflows.ActLogContact), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/clarify", handler: s.caseAction(workflows.ActClarify), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/mediate", handler: s.caseAction(workflows.ActMediate), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/refer", handler: s.caseAction(workflows.ActRefer), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/transfer", handler: s.caseAction(workflows.ActTransfer), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/told-unresolvable", handler: s.caseAction(workflows.ActToldUnresolvable), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/resolve", handler: s.caseAction(workflows.ActResolve), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/propose-closure", handler: s.caseAction(workflows.ActProposeClosure), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/escalate", handler: s.caseAction(workflows.ActEscalate), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/reopen", handler: s.caseAction(workflows.ActReopen), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/closure/approve", handler: s.decideCase(lindungi.TaskClosureApproval, lindungi.OutcomeApproved), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/closure/reject", handler: s.decideCase(lindungi.TaskClosureApproval, lindungi.OutcomeRejected), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/referral/accept", handler: s.decideCase(lindungi.TaskReferralDecision, lindungi.OutcomeApproved), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/referral/reject", handler: s.decideCase(lindungi.TaskReferralDecision, lindungi.OutcomeRejected), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/transfer/accept", handler: s.decideCase(lindungi.TaskTransferDecision, lindungi.OutcomeApproved), auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/transfer/reject", handler: s.decideCase(lindungi.TaskTransferDecision, lindungi.OutcomeRejected), auth: true, idempotent: true},
		// The supervisors' case actions (cases_supervise.go).
		{method: http.MethodPost, path: "/v1/cases/:id/recategorise", handler: s.recategoriseCase, auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/risk", handler: s.setCaseRisk, auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/cases/:id/assign", handler: s.assignCase, auth: true, idempotent: true},
		// Case notes (casenotes.go).
		{method: http.MethodPost, path: "/v1/cases/:id/notes", handler: s.addCaseNote, auth: true, idempotent: true},
		{method: http.MethodGet, path: "/v1/cases/:id/notes", handler: s.listCaseNotes, auth: true},

		{method: http.MethodGet, path: "/v1/delegations", handler: s.listDelegations, auth: true},
		{method: http.MethodPost, path: "/v1/delegations", handler: s.grantDelegation, auth: true, idempotent: true},
		{method: http.MethodPost, path: "/v1/delegations/:id/revoke", handler: s.revokeDelegation, auth: true, idempotent: true},

		{method: http.MethodGet, path: "/v1/policies", handler: s.listPolicies, auth: true},
		{method: http.MethodPost, path: "/v1/policies", handler: s.changePolicy, auth: true, national: true, idempotent: true},
		{method: http.MethodGet, path: "/v1/policies/versions", handler: s.listPolicyVersions, auth: true},

		// The figures of a unit and below (stats.go), and the dashboard that
		// shows them (page_dashboard.go).
		{method: http.MethodGet, path: "/dasbor", handler: s.dashboardPage, page: true, auth: true},
		{method: http.MethodGet, path: "/v1/stats/tasks", handler: statsRoute(s, (*app.Stats).Tasks), auth: true},
		{method: http.MethodGet, path: "/v1/stats/cases", handler: statsRoute(s, (*app.Stats).Cases), auth: true},
		{method: http.MethodGet, path: "/v1/stats/resolution", handler: statsRoute(s, (*app.Stats).Resolution), auth: true},
		{method: http.MethodGet, path: "/v1/stats/recovery", handler: statsRoute(s, (*app.Stats).Recovery), auth: true},
		{method: http.MethodGet, path: "/v1/stats/journeys", handler: statsRoute(s, (*app.Stats).Journeys), auth: true},
		{method: http.MethodGet, path: "/v1/stats/workload", handler: statsRoute(s, (*app.Stats).Workload), auth: true},

		// The Temporal UI's remote codec (codec.go): administrators only.
		{method: http.MethodOptions, path: "/codec/encode", handler: s.preflight, cors: true, reads: true},
		{method: http.MethodOptions, path: "/codec/decode", handler: s.preflight, cors: true, reads: true},
		{method: http.MethodPost, path: "/codec/encode", handler: s.codecEncode, auth: true, cors: true, reads: true},
		{method: http.MethodPost, path: "/codec/decode", handler: s.codecDecode, auth: true, cors: true, reads: true},

		// The audit trail (audit.go): read-only, every call logged with its
		// purpose. The export is not national: app.Audit.Export keeps the
		// events within the caller's reach, every unit's for the top unit.
		{method: http.MethodGet, path: "/v1/workers/:id/trace", handler: s.workerTrace, auth: true},
		{method: http.MethodGet, path: "/v1/workers/:id/accesses", handler: s.workerAccesses, auth: true},
		{method: http.MethodGet, path: "/v1/workers/:id/as-of", handler: s.workerAsOf, auth: true},
		{method: http.MethodGet, path: "/v1/cases/:id/as-of", handler: s.caseAsOf, auth: true},
		{method: http.MethodGet, path: "/v1/audit/verify", handler: s.verifyAudit, auth: true},
		{method: http.MethodGet, path: "/v1/audit/key", handler: s.getAuditKey, auth: true},
		{method: http.MethodGet, path: "/v1/audit/export", handler: s.exportAudit, auth: true},
		// The inspector's questions of the whole trail, as JSON pages or CSV.
		{method: http.MethodGet, path: "/v1/audit/activity", handler: s.auditEvents(app.QueryUserActivity, true), auth: true},
		{method: http.MethodGet, path: "/v1/audit/accesses", handler: s.auditEvents(app.QueryUnitAccesses, false), auth: true},
		{method: http.MethodGet, path: "/v1/audit/policy-changes", handler: s.auditEvents(app.QueryPolicyChanges, false), auth: true},
		{method: http.MethodGet, path: "/v1/audit/top-escalations", handler: s.topEscalations, auth: true},
	}
}
