package server

import "github.com/lindungi/lindungi"

// RequestBodies is, for each route that reads a JSON body, a value of the
// type it decodes the body into, keyed by "METHOD /path". The input tests
// put a NUL in every string it holds; a route that reads a body must be
// listed here, and one that reads none in BodilessRoutes.
var RequestBodies = map[string]any{
	"POST /v1/workers":                            lindungi.NewWorker{},
	"POST /codec/encode":                          codecRequest{},
	"POST /codec/decode":                          codecRequest{},
	"POST /v1/tasks/:id/complete":                 completeRequest{},
	"POST /v1/tasks/:id/escalate":                 taskMoveRequest{},
	"POST /v1/tasks/:id/reassign":                 taskMoveRequest{},
	"POST /v1/tasks/:id/extend":                   taskMoveRequest{},
	"POST /v1/tasks/assign":                       assignRequest{},
	"POST /v1/workers/:id/journey/close":          journeyActionRequest{},
	"POST /v1/workers/:id/journey/return":         journeyActionRequest{},
	"POST /v1/workers/:id/journey/contract":       journeyActionRequest{},
	"POST /v1/workers/:id/journey/rehabilitation": journeyActionRequest{},
	"POST /v1/workers/:id/documents":              lindungi.NewDocument{},
	"POST /v1/documents/:id/reject":               rejectRequest{},
	"POST /v1/holidays":                           holidayRequest{},
	"POST /v1/cases":                              lindungi.NewComplaint{},
	"POST /v1/workers/:id/merge":                  mergeRequest{},
	"POST /v1/cases/:id/verify":                   caseActionBody{},
	"POST /v1/cases/:id/request-info":             caseActionBody{},
	"POST /v1/cases/:id/contact":                  caseActionBody{},
	"POST /v1/cases/:id/clarify":                  caseActionBody{},
	"POST /v1/cases/:id/mediate":                  caseActionBody{},
	"POST /v1/cases/:id/refer":                    caseActionBody{},
	"POST /v1/cases/:id/transfer":                 caseActionBody{},
	"POST /v1/cases/:id/told-unresolvable":        caseActionBody{},
	"POST /v1/cases/:id/resolve":                  caseActionBody{},
	"POST /v1/cases/:id/propose-closure":          caseActionBody{},
	"POST /v1/cases/:id/escalate":                 caseActionBody{},
	"POST /v1/cases/:id/reopen":                   caseActionBody{},
	"POST /v1/cases/:id/closure/approve":          decisionBody{},
	"POST /v1/cases/:id/closure/reject":           decisionBody{},
	"POST /v1/cases/:id/referral/accept":          decisionBody{},
	"POST /v1/cases/:id/referral/reject":          decisionBody{},
	"POST /v1/cases/:id/transfer/accept":          decisionBody{},
	"POST /v1/cases/:id/transfer/reject":          decisionBody{},
	"POST /v1/cases/:id/notes":                    caseNoteBody{},
	"POST /v1/cases/:id/recategorise":             recategoriseBody{},
	"POST /v1/cases/:id/risk":                     riskBody{},
	"POST /v1/cases/:id/assign":                   assignCaseBody{},
	"POST /v1/delegations":                        delegationRequest{},
	"POST /v1/policies":                           lindungi.PolicyChange{},
	"POST /v1/workers/:id/corrections":            lindungi.WorkerCorrection{},
	"POST /v1/notifications/read":                 lindungi.MarkRead{},
}

// FileRoutes are the routes whose body is a file, not JSON: any byte may
// be in it (a NUL too), and its type is sniffed from its bytes.
var FileRoutes = []string{"PUT /v1/documents/:id/file"}

// BodilessRoutes are the routes with a method that may carry a body that
// read none.
var BodilessRoutes = []string{
	"POST /v1/tasks/:id/claim",
	"POST /v1/tasks/:id/release",
	"POST /v1/documents/:id/verify",
	"POST /v1/delegations/:id/revoke",
	"DELETE /v1/holidays/:date",
	"OPTIONS /codec/encode",
	"OPTIONS /codec/decode",
}

// WorkerQuery reads the worker search box of the pages.
var WorkerQuery = workerQuery
