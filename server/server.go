// Package server is Lindungi's HTTP API on gin. Its rooms: routes.go lists
// every route; middleware.go authenticates the caller (a token of a unit
// the system does not know is refused), takes the access decision on the
// route template (at the top unit for national routes), which then travels
// in the request context as one app.Actor, and only then checks every
// query parameter with the root's one text check; idempotency.go reserves
// Idempotency-Keys and replays retried requests; paging.go reads
// page parameters; problem.go is the one place that maps domain errors to
// HTTP problems; health.go answers liveness and readiness; and one file per
// noun (journeys, workers, tasks, cases, documents, holidays, delegations,
// policies, audit) holds its handlers. A handler only parses the request,
// asks the access decision, calls an application service (package app) and
// renders the answer.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/identity"
	"github.com/lindungi/lindungi/policies"
	"go.temporal.io/sdk/converter"
)

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
	// Auditing answers auditors: traces, files as of an instant, the
	// inspector's questions, verification and signed exports.
	Auditing *app.Audit
	Stats    *app.Stats
	// Reports reads the monthly recaps and walks the lists exports write.
	Reports *app.Reports

	// What the other reads and the request plumbing need.
	Audit         auditlog.Store
	Notifications lindungi.NotificationService
	Idempotency   lindungi.IdempotencyService
	Users         lindungi.UserService
	Verifier      identity.Verifier
	// Units are the organisational units.
	Units app.Units
	// DatabaseReady and TemporalReady say whether the database and
	// Temporal answer, for /readyz.
	DatabaseReady func(ctx context.Context) error
	TemporalReady func(ctx context.Context) error
	// RequestTimeout bounds the work of each request, database calls and
	// workflow updates included; 0 is DefaultRequestTimeout.
	RequestTimeout time.Duration
	// AuditKey signs audit exports and is the key checkpoints are checked
	// with; without it those routes answer 503.
	AuditKey *auditlog.Key
	Logger   *slog.Logger
	Now      func() time.Time

	// Codec is the payload codec of the workers, served to the Temporal UI
	// (codec.go); nil serves none. CodecOrigins are the browser origins
	// allowed to call it.
	Codec        converter.PayloadCodec
	CodecOrigins []string
	// Pages are what the web pages need besides the services above;
	// without them the page routes answer 404 and the server is the API
	// alone.
	Pages *Pages
}

// DefaultRequestTimeout is how long a request may work at most: longer
// than a workflow update waits (workflowclient.DefaultUpdateTimeout) with
// the database calls around it, shorter than the HTTP server's write
// timeout.
const DefaultRequestTimeout = 30 * time.Second

// StreamTimeout is how long a route that streams a file (a report, a list
// export) may take, to a slow phone connection too.
const StreamTimeout = 10 * time.Minute

// Server serves the API.
type Server struct {
	Deps
	engine  *gin.Engine
	streams map[string]bool // "METHOD /path" of the routes that stream files
	users   sync.Map        // subject -> unit and roles last written to the directory
}

// New returns a server with every route of routes.go.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = DefaultRequestTimeout
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{Deps: d, engine: gin.New(), streams: map[string]bool{}}
	s.engine.HandleMethodNotAllowed = true
	s.engine.ContextWithFallback = true
	s.engine.Use(s.requestID, s.logRequests, s.recover, s.deadline)
	s.engine.NoRoute(func(c *gin.Context) {
		// A browser that asks for a page that is not there gets a page.
		c.Set(pageKey, s.Pages != nil && !strings.HasPrefix(c.Request.URL.Path, "/v1/") &&
			strings.Contains(c.GetHeader("Accept"), "text/html"))
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "No such endpoint."))
	})
	s.engine.NoMethod(func(c *gin.Context) {
		writeProblem(c, http.StatusMethodNotAllowed, "method-not-allowed", "Metode tidak diizinkan (Method not allowed)", "This endpoint does not accept "+c.Request.Method+".", nil)
	})
	for _, r := range s.routes() {
		if r.stream {
			s.streams[r.method+" "+r.path] = true
		}
		handlers := []gin.HandlerFunc{}
		if r.maxBody > 0 {
			handlers = append(handlers, limitBody(r.maxBody))
		}
		if r.cors {
			handlers = append(handlers, s.allowOrigins)
		}
		switch {
		case r.page:
			// A page: the session cookie instead of a bearer token, a
			// CSRF token on every post, then the same access decision.
			handlers = append(handlers, s.pageSession(max(maxForm, r.maxBody)))
			if r.method != http.MethodGet {
				handlers = append(handlers, s.checkCSRF)
			}
			if r.auth {
				handlers = append(handlers, s.signedIn, s.authorizeRoute)
			}
		case r.auth && r.cors:
			handlers = append(handlers, s.authenticateOrSession, s.authorizeRoute)
		case r.auth:
			handlers = append(handlers, s.authenticate, s.authorizeRoute)
		}
		if r.national {
			handlers = append(handlers, s.authorizeNational)
		}
		handlers = append(handlers, s.checkQuery)
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
	Auth         bool // needs a token (a session, for a page) and a policy line
	Idempotent   bool // honours the Idempotency-Key header
	Page         bool // a web page: HTML, signed in by the session cookie
	National     bool // decided at the top unit, before the query or body is read
	Reads        bool // a page post that changes no record
}

// Routes lists every route.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range s.routes() {
		out = append(out, RouteInfo{Method: r.method, Path: r.path, Auth: r.auth, Idempotent: r.idempotent, Page: r.page, National: r.national, Reads: r.reads})
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
			out = append(out, policies.RouteSpec{Method: r.method, Path: r.path, Reads: r.reads})
		}
	}
	return append(out, policies.Actions...)
}
