// Package server is Lindungi's HTTP API on gin. Its rooms: routes.go lists
// every route; middleware.go authenticates the caller and takes the access
// decision on the route template, which then travels in the request context
// as one app.Actor; idempotency.go replays retried requests; paging.go reads
// page parameters; problem.go is the one place that maps domain errors to
// HTTP problems; health.go answers liveness and readiness; and one file per
// noun (journeys, workers, tasks, cases, documents, holidays, delegations,
// policies, audit) holds its handlers. A handler only parses the request,
// asks the access decision, calls an application service (package app) and
// renders the answer.
package server

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/identity"
	"github.com/lindungi/lindungi/policies"
)

// AccessLog records the reads of personal data.
type AccessLog interface {
	// RecordAccess writes an access event (a read of personal data, with
	// its purpose) in a transaction of its own.
	RecordAccess(ctx context.Context, ev lindungi.Event) error
}

// AuditStore is what the audit views need from the store.
type AuditStore interface {
	// AuditTrace returns the events about a worker in chain order.
	AuditTrace(ctx context.Context, worker uuid.UUID, f auditlog.Filter) ([]auditlog.Record, error)
	// WorkerAsOf returns a worker and its tasks as they stood at an
	// instant. ENOTFOUND if the worker did not exist yet.
	WorkerAsOf(ctx context.Context, id uuid.UUID, at time.Time) (lindungi.Worker, []lindungi.Task, error)
	// VerifyAudit re-checks the whole trail and names the first failure.
	VerifyAudit(ctx context.Context, keys map[string]ed25519.PublicKey) (auditlog.Report, error)
	// AuditExport returns a contiguous stretch of the chain. EINVALID when
	// it holds more than max events.
	AuditExport(ctx context.Context, from, to time.Time, max int) (auditlog.ExportPayload, error)
}

// IdempotencyStore keeps the answers of requests sent with an
// Idempotency-Key.
type IdempotencyStore interface {
	// FindResponse returns the answer stored for a caller's key.
	// ENOTFOUND if there is none.
	FindResponse(ctx context.Context, subject, key string) (lindungi.StoredResponse, error)
	// SaveResponse stores the answer to a request made with a key.
	SaveResponse(ctx context.Context, k lindungi.IdempotencyKey, status int, body json.RawMessage) error
}

// UserDirectory keeps the people who sign in.
type UserDirectory interface {
	UpsertUsers(ctx context.Context, users []lindungi.User) error
}

// Notifications tells a unit what happened to its work.
type Notifications interface {
	Notifications(ctx context.Context, unit string, limit int) ([]lindungi.Notification, error)
}

// Deps are the server's dependencies: one field per service.
type Deps struct {
	// The application services: every action, and the reads that check the
	// caller may see the record.
	Access      *app.Access
	Journeys    *app.Journeys
	Workers     *app.Workers
	Tasks       *app.Tasks
	Cases       *app.Cases
	Documents   *app.Documents
	Delegations *app.Delegations
	Holidays    *app.Holidays
	Policies    *app.Policies

	// What the other reads and the request plumbing need.
	AccessLog     AccessLog
	Audit         AuditStore
	Notifications Notifications
	Idempotency   IdempotencyStore
	Users         UserDirectory
	Verifier      identity.Verifier
	// Units are the organisational units.
	Units app.Units
	// DatabaseReady and TemporalReady say whether the database and
	// Temporal answer, for /readyz.
	DatabaseReady func(ctx context.Context) error
	TemporalReady func(ctx context.Context) error
	// AuditKey signs audit exports and is the key checkpoints are checked
	// with; without it those routes answer 503.
	AuditKey *auditlog.Key
	Logger   *slog.Logger
	Now      func() time.Time
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

// Governed lists what the access policy governs: every authenticated route
// and the named actions (policies.Actions). A policy change must leave each
// usable.
func Governed() []policies.RouteSpec {
	var out []policies.RouteSpec
	for _, r := range (&Server{}).routes() {
		if r.auth {
			out = append(out, policies.RouteSpec{Method: r.method, Path: r.path})
		}
	}
	return append(out, policies.Actions...)
}
