package server

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestID takes the caller's X-Request-ID when it is well formed, or makes
// one, and puts it in the context, the logs and the response.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		id = uuid.NewString()
	}
	c.Header("X-Request-ID", id)
	c.Request = c.Request.WithContext(lindungi.NewContextWithRequestID(c.Request.Context(), id))
	c.Next()
}

func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.Logger.InfoContext(c.Request.Context(), "request",
		"method", c.Request.Method, "route", c.FullPath(), "status", c.Writer.Status(),
		"duration_ms", time.Since(start).Milliseconds(), "request_id", lindungi.RequestIDFromContext(c.Request.Context()))
}

// recover turns a panic into a 500 problem.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.problem(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// deadline bounds the request's work, so that a dependency that does not
// answer makes it fail rather than hang: every database call and workflow
// update of the request runs under its context.
func (s *Server) deadline(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// authenticate checks the bearer token and puts the principal in the context.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		s.problem(c, lindungi.Errorf(lindungi.EUNAUTHORIZED, "Send Authorization: Bearer <token>."))
		return
	}
	p, err := s.Verifier.Verify(c.Request.Context(), strings.TrimSpace(token))
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Request = c.Request.WithContext(lindungi.NewContextWithPrincipal(c.Request.Context(), p))
	s.rememberUser(c, p)
	c.Next()
}

// authorizeRoute lets a request through when the caller's roles, at the
// caller's own unit, may use the route at all, and puts that decision in
// the request context (actor). The application services check the
// record's unit again.
func (s *Server) authorizeRoute(c *gin.Context) {
	a, err := s.Access.Route(principal(c), c.FullPath(), c.Request.Method)
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), actorKey{}, a))
	c.Next()
}

// actorKey is the context key of the access decision.
type actorKey struct{}

// actor is the access decision the request acts under.
func actor(c *gin.Context) app.Actor {
	a, _ := c.Request.Context().Value(actorKey{}).(app.Actor)
	return a
}

// principal is the authenticated caller.
func principal(c *gin.Context) lindungi.Principal {
	p, _ := lindungi.PrincipalFromContext(c.Request.Context())
	return p
}

// rememberUser keeps the user directory current with the people who sign
// in (their unit and roles come from the token), writing only when a user
// is new to this process or changed.
func (s *Server) rememberUser(c *gin.Context, p lindungi.Principal) {
	key := p.Unit + "|" + strings.Join(p.Roles, ",")
	if seen, ok := s.users.Load(p.Subject); ok && seen == key {
		return
	}
	u := lindungi.User{Subject: p.Subject, Name: p.Subject, Unit: p.Unit, Roles: p.Roles}
	if err := s.Users.UpsertUsers(c.Request.Context(), []lindungi.User{u}); err != nil {
		s.Logger.WarnContext(c.Request.Context(), "user directory not updated", "sub", p.Subject, "err", err)
		return
	}
	s.users.Store(p.Subject, key)
}
