package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
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
// A route that streams a file gets StreamTimeout instead, for its work
// and for writing its answer (past the HTTP server's write timeout).
func (s *Server) deadline(c *gin.Context) {
	timeout := s.RequestTimeout
	if s.streams[c.Request.Method+" "+c.FullPath()] {
		timeout = StreamTimeout
		// Not every writer has a deadline (a test's recorder): nothing to move then.
		_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(timeout))
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), timeout)
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
	if err == nil {
		err = s.checkPrincipal(p)
	}
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Request = c.Request.WithContext(lindungi.NewContextWithPrincipal(c.Request.Context(), p))
	s.rememberUser(c, p)
	c.Next()
}

// authenticateOrSession authenticates a bearer token when the request has
// one, else the web session cookie of someone signed in to the pages (the
// Temporal UI calls the codec from the browser with the cookies of this
// site when told to include credentials).
func (s *Server) authenticateOrSession(c *gin.Context) {
	if c.GetHeader("Authorization") != "" || s.Pages == nil {
		s.authenticate(c)
		return
	}
	sess, err := s.Pages.Sessions.Load(c.Request)
	if err != nil || !sess.SignedIn() {
		s.problem(c, lindungi.Errorf(lindungi.EUNAUTHORIZED, "Send Authorization: Bearer <token>, or sign in to the web pages."))
		return
	}
	c.Request = c.Request.WithContext(lindungi.NewContextWithPrincipal(c.Request.Context(), sess.Principal()))
	c.Next()
}

// checkPrincipal refuses (EUNAUTHORIZED) a verified token whose principal
// is malformed or belongs to a unit the server does not know: such a
// caller reaches no record, and must not be answered as if it did (an
// empty list), nor written to the user directory.
func (s *Server) checkPrincipal(p lindungi.Principal) error {
	if err := p.Validate(); err != nil {
		return lindungi.Errorf(lindungi.EUNAUTHORIZED, "The token's sub, unit or roles are malformed.")
	}
	if s.Units.Path(p.Unit) == nil {
		return lindungi.Errorf(lindungi.EUNAUTHORIZED, "The token's unit %s is not a unit of this system.", p.Unit)
	}
	return nil
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

// authorizeNational lets a request to a national route through when the
// caller may use the route at the top unit (by its role there, or by a
// delegation), before its query or body is read.
func (s *Server) authorizeNational(c *gin.Context) {
	a, ok, err := s.Access.Reach(c.Request.Context(), actor(c), s.Units.Top(), uuid.Nil)
	if err == nil && !ok {
		err = lindungi.Errorf(lindungi.EFORBIDDEN, "Only roles held at the national level may use %s %s.", c.Request.Method, c.FullPath())
	}
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), actorKey{}, a))
	c.Next()
}

// checkQuery refuses a query string that is not well formed, or any of
// whose parameters is given twice or breaks lindungi.QueryText (a control
// character, invalid UTF-8), naming the parameter: no handler sees such a
// value. Each parameter then has its handler's own check.
func (s *Server) checkQuery(c *gin.Context) {
	var v lindungi.Validation
	seen := map[string]bool{}
	for pair := range strings.SplitSeq(c.Request.URL.RawQuery, "&") {
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, kerr := url.QueryUnescape(rawKey)
		value, verr := url.QueryUnescape(rawValue)
		switch {
		case kerr != nil:
			v.Add(rawKey, "must be URL-encoded")
		case lindungi.QueryText.Problem(key) != "" || key == "":
			v.Add(key, "is not a parameter name")
		case verr != nil || strings.Contains(pair, ";"):
			v.Add(key, "must be URL-encoded, parameters separated by &")
		case seen[key]:
			v.Add(key, "must be given once")
		default:
			lindungi.QueryText.Check(&v, key, value)
		}
		seen[key] = true
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
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
		// The unit was checked at authentication, so this is not the
		// caller's doing: the directory (and assignment to this user) is
		// behind until the next request writes it.
		s.Logger.ErrorContext(c.Request.Context(), "user directory not updated", "sub", p.Subject, "unit", p.Unit,
			"roles", p.Roles, "err", err, "request_id", lindungi.RequestIDFromContext(c.Request.Context()))
		return
	}
	s.users.Store(p.Subject, key)
}
