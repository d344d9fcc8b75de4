// Package server is Lindungi's HTTP API on gin: routes, authentication,
// authorization against the route template, handlers, and the one place that
// maps domain errors to HTTP problems.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/identity"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/workflows"
)

// Store is what the API reads and writes in the database.
type Store interface {
	lindungi.WorkerService
	lindungi.TaskService
	CreateWorkerIdempotent(ctx context.Context, w lindungi.NewWorker, ev lindungi.Event, key *lindungi.IdempotencyKey) (lindungi.Worker, error)
	MarkJourneyStarted(ctx context.Context, id uuid.UUID) error
	FindResponse(ctx context.Context, subject, key string) (lindungi.StoredResponse, error)
	SaveResponse(ctx context.Context, k lindungi.IdempotencyKey, status int, body json.RawMessage) error
	Ping(ctx context.Context) error

	PolicyRules(ctx context.Context, model string) ([]lindungi.PolicyRule, error)
	PolicyVersions(ctx context.Context, limit int) ([]lindungi.PolicyVersion, error)
	ChangePolicy(ctx context.Context, c lindungi.PolicyChange, ev lindungi.Event, validate lindungi.PolicyValidator) (lindungi.PolicyVersion, error)

	CreateDelegation(ctx context.Context, d lindungi.Delegation, ev lindungi.Event) (lindungi.Delegation, error)
	FindDelegation(ctx context.Context, id uuid.UUID) (lindungi.Delegation, error)
	RevokeDelegation(ctx context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Delegation, error)
	ActiveDelegations(ctx context.Context, subject, unit string, t time.Time) ([]lindungi.Delegation, error)
	ListDelegations(ctx context.Context, scope string, t time.Time, ended bool) ([]lindungi.Delegation, error)

	ClaimTask(ctx context.Context, id uuid.UUID, assignee string, ev lindungi.Event) (lindungi.Task, error)
	ReleaseTask(ctx context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Task, error)
	FindUser(ctx context.Context, subject string) (lindungi.User, error)
	UpsertUsers(ctx context.Context, users []lindungi.User) error
	CaseAsOf(ctx context.Context, id uuid.UUID, at time.Time) (lindungi.Case, error)
	OpenTaskOf(ctx context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error)
	Notifications(ctx context.Context, unit string, limit int) ([]lindungi.Notification, error)

	lindungi.DocumentService

	HolidaysOf(ctx context.Context, year int) ([]lindungi.Holiday, error)
	HolidayYears(ctx context.Context) ([]int, error)
	AddHoliday(ctx context.Context, h lindungi.Holiday, reason string, ev lindungi.Event) (lindungi.Holiday, error)
	RemoveHoliday(ctx context.Context, date, reason string, ev lindungi.Event) (lindungi.Holiday, error)

	AuditStore

	// Protection cases (cases.go).
	CreateCaseIdempotent(ctx context.Context, c lindungi.NewComplaint, ownerUnit string, ev lindungi.Event, key *lindungi.IdempotencyKey) (lindungi.Case, error)
	FindCase(ctx context.Context, id uuid.UUID) (lindungi.Case, error)
	ListCases(ctx context.Context, scope lindungi.Scope, f lindungi.CaseFilter) ([]lindungi.Case, error)
	MarkCaseStarted(ctx context.Context, id uuid.UUID) error
	SearchWorkers(ctx context.Context, q lindungi.WorkerQuery) ([]lindungi.WorkerMatch, error)
	MergeWorkers(ctx context.Context, provisionalID, registeredID uuid.UUID, ev lindungi.Event) error
}

// Authorizer decides whether a principal may call a route on a unit.
type Authorizer interface {
	Authorize(p lindungi.Principal, unit, obj, act string) (policies.Decision, error)
	// AuthorizeAs decides with p's roles held at scope: for delegations.
	AuthorizeAs(p lindungi.Principal, scope, unit, obj, act string) (policies.Decision, error)
	Version() string
}

// Journeys starts and steers workflows.
type Journeys interface {
	StartJourney(ctx context.Context, in workflows.JourneyInput) error
	CompleteTask(ctx context.Context, t lindungi.Task, req workflows.CompleteTaskRequest, updateID string) (workflows.CompleteTaskResult, error)
	TaskAction(ctx context.Context, t lindungi.Task, name string, req workflows.TaskActionRequest, updateID string) (activities.TaskRef, error)
	JourneyAction(ctx context.Context, workerID uuid.UUID, name string, req workflows.JourneyRequest, updateID string, result any) error
}

// Deps are the server's dependencies.
type Deps struct {
	Store         Store
	Authorizer    Authorizer
	Verifier      identity.Verifier
	Journeys      Journeys
	TemporalReady func(ctx context.Context) error
	// Units are the organisational units, for policy validation.
	Units []lindungi.Unit
	// PolicyChanged reloads this process's policies after a change it
	// made; other processes hear of it through the database.
	PolicyChanged func(ctx context.Context) error
	Logger        *slog.Logger
	Now           func() time.Time

	// AuditKey signs audit exports and is the key checkpoints are checked
	// with; without it those routes answer 503.
	AuditKey *auditlog.Key

	// Cases starts the workflow of a case taken in; without it the case is
	// stored and the reconciler starts it.
	Cases CaseStarter
	// CaseActions steers the workflows of protection cases.
	CaseActions CaseActions
	// CaseOwner chooses the unit that owns a complaint at intake: the
	// intake unit, or one level up the escalation chain for a high-risk
	// one. Without it the intake unit owns every case.
	CaseOwner func(c lindungi.NewComplaint) (string, error)
}

// Server serves the API.
type Server struct {
	Deps
	engine *gin.Engine
	users  sync.Map // subject -> unit and roles last written to the directory
}

// New returns a server with every route of routes.go.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{Deps: d, engine: gin.New()}
	s.engine.HandleMethodNotAllowed = true
	s.engine.ContextWithFallback = true
	s.engine.Use(s.requestID, s.logRequests, s.recover)
	s.engine.NoRoute(func(c *gin.Context) { s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "No such endpoint.")) })
	s.engine.NoMethod(func(c *gin.Context) {
		writeProblem(c, http.StatusMethodNotAllowed, "method-not-allowed", "Metode tidak diizinkan (Method not allowed)", "This endpoint does not accept "+c.Request.Method+".", nil)
	})
	for _, r := range s.routes() {
		handlers := []gin.HandlerFunc{}
		if r.auth {
			handlers = append(handlers, s.authenticate, s.authorizeRoute)
		}
		if r.idempotent {
			handlers = append(handlers, s.idempotency)
		}
		s.engine.Handle(r.method, r.path, append(handlers, r.handler)...)
	}
	return s
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// RouteInfo describes a route, for tests and tools.
type RouteInfo struct {
	Method, Path string
	Auth         bool // needs a token and a policy line
}

// Routes lists every route.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range s.routes() {
		out = append(out, RouteInfo{Method: r.method, Path: r.path, Auth: r.auth})
	}
	return out
}
