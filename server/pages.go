package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// The web pages' plumbing: the session that stands in for a bearer token,
// the CSRF check of every post, the frame every page renders in, and
// errors as pages. One page_*.go file per page holds its handler, which
// parses, asks the access decision (the route's, like the API), calls the
// application services and renders a view of package web.

// Pages are what the web pages need besides the API's services.
type Pages struct {
	Sessions *web.Sessions
	// OIDC signs browsers in at the identity provider; nil without one.
	OIDC *web.OIDCSignIn
	// DemoUsers are whom the development sign-in page offers; empty (as
	// in production) there is no such page.
	DemoUsers []lindungi.User
	Store     PageStore
}

// PageStore is what pages read besides the application services: the
// names of the workers a list shows, in one query, and the access events
// of showing them, in one transaction; and what the case page shows
// besides the case.
type PageStore interface {
	WorkerNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error)
	RecordAccesses(ctx context.Context, evs []lindungi.Event) error

	// The case page's reads (page_case.go), each one query: the open
	// tasks of a case (its deadlines, the decisions waiting), its timeline
	// from the audit trail, and the names of the people in it.
	OpenCaseTasks(ctx context.Context, workflowID string) ([]lindungi.Task, error)
	CaseTimeline(ctx context.Context, caseID uuid.UUID, workflowID string, limit int) ([]lindungi.Event, error)
	UserNames(ctx context.Context, subjects []string) (map[string]string, error)
	// CasesOfWorkflows returns the cases whose workflows are named, by
	// workflow ID, each with its ID and number only: the inbox's case
	// column, in one query.
	CasesOfWorkflows(ctx context.Context, workflowIDs []string) (map[string]lindungi.Case, error)
	// UsersOf returns the users of the directory who work at the units,
	// by name: whom a supervisor may give tasks to.
	UsersOf(ctx context.Context, units []string) ([]lindungi.User, error)
}

const (
	pageKey    = "page"    // set on page routes: errors answer as pages
	sessionKey = "session" // the request's web.Session
	dirtyKey   = "dirty"   // the session changed: the answer saves it
	expiredKey = "expired" // the request's session cookie had expired
)

func isPage(c *gin.Context) bool { return c.GetBool(pageKey) }

// maxForm is the largest form a page accepts.
const maxForm = 64 << 10

// pageSession begins every page route: it marks the request as a page
// (errors become pages), limits the size of a form (to limit bytes) and
// loads the session cookie. A request without a valid session gets a new,
// unsaved one.
func (s *Server) pageSession(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) { s.loadPageSession(c, limit) }
}

func (s *Server) loadPageSession(c *gin.Context, limit int64) {
	c.Set(pageKey, true)
	if s.Pages == nil {
		c.Set(pageKey, false) // no pages here: the API's plain 404
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "No such endpoint."))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	sess, err := s.Pages.Sessions.Load(c.Request)
	if err != nil {
		c.Set(expiredKey, errors.Is(err, web.ErrExpired))
		sess = s.Pages.Sessions.New()
	}
	c.Set(sessionKey, sess)
	if c.Request.ContentLength > limit {
		// Said so rather than read: the CSRF check could not read the
		// form, and would call it expired.
		s.pageProblem(c, errTooLarge(c))
		return
	}
	c.Next()
}

func session(c *gin.Context) web.Session {
	v, _ := c.Get(sessionKey)
	sess, _ := v.(web.Session)
	return sess
}

// setSession makes sess the request's session, which the answer saves.
func setSession(c *gin.Context, sess web.Session) {
	c.Set(sessionKey, sess)
	c.Set(dirtyKey, true)
}

// flushSession writes the session cookie before an answer: the session
// when it changed, else a signed-in session whose idle clock is due to
// restart. One Set-Cookie at most.
func (s *Server) flushSession(c *gin.Context) {
	sess := session(c)
	var err error
	switch {
	case c.GetBool(dirtyKey):
		err = s.Pages.Sessions.Save(c.Writer, sess)
		c.Set(dirtyKey, false)
	case sess.SignedIn():
		err = s.Pages.Sessions.Touch(c.Writer, sess)
	}
	if err != nil {
		s.Logger.ErrorContext(c.Request.Context(), "session not saved", "err", err)
	}
}

// errCSRF refuses a post without the session's CSRF token.
var errCSRF = lindungi.Errorf(lindungi.EFORBIDDEN, "The form's CSRF token is missing or wrong.")

// checkCSRF refuses a post whose CSRF token (the form's csrf_token field,
// or the X-CSRF-Token header htmx sends) is not one of the session's. A
// form larger than the route reads is refused as too large first, in
// words, rather than as a form without its token.
func (s *Server) checkCSRF(c *gin.Context) {
	if err := readForm(c); err != nil {
		s.pageProblem(c, err)
		return
	}
	if !session(c).CheckCSRF(web.RequestCSRF(c.Request)) {
		s.pageProblem(c, errCSRF)
		return
	}
	c.Next()
}

// signedIn lets through a session someone signed in to, with its
// principal in the request context as authenticate puts a token's; anyone
// else goes to the sign-in page, and comes back after.
func (s *Server) signedIn(c *gin.Context) {
	sess := session(c)
	if !sess.SignedIn() {
		if c.GetBool(expiredKey) {
			sess.Flash = "flash.session_expired"
			setSession(c, sess)
		}
		to := "/masuk"
		if c.Request.Method == http.MethodGet && c.Request.URL.RequestURI() != "/" {
			to += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
		}
		s.redirect(c, to)
		c.Abort()
		return
	}
	c.Request = c.Request.WithContext(lindungi.NewContextWithPrincipal(c.Request.Context(), sess.Principal()))
	c.Next()
}

// redirect sends the browser to a page of this site after a request: 303,
// so that a post is followed by a get; for htmx, HX-Redirect.
func (s *Server) redirect(c *gin.Context, to string) {
	s.flushSession(c)
	if c.GetHeader("HX-Request") == "true" {
		c.Header("HX-Redirect", to)
		c.Status(http.StatusNoContent)
		return
	}
	c.Redirect(http.StatusSeeOther, to)
}

// frame is what every page shows around its content: the signed-in user,
// the language, the CSRF token of its forms, and the flash message the
// session carried (shown once). nav is the menu item of the page.
func (s *Server) frame(c *gin.Context, nav string) web.Page {
	p := web.NewPrinter(web.Lang(c.Request))
	sess := session(c)
	page := web.Page{Printer: p, Nav: nav, Path: pagePath(c)}
	if sess.SignedIn() {
		page.User = &web.User{Name: sess.Name, Unit: sess.Unit, UnitName: s.unitName(sess.Unit), Roles: sess.Roles}
		if nav != "" { // a page of the menu, not the sign-in or an error page
			page.User.Unread = s.unread(c, sess.Principal())
		}
		if s.Access != nil {
			_, err := s.Access.Route(sess.Principal(), "/audit", http.MethodGet)
			page.Audit = err == nil
			_, err = s.Access.Route(sess.Principal(), "/laporan", http.MethodGet)
			page.Reports = err == nil
		}
	}
	if sess.Flash != "" {
		page.Flash = append(page.Flash, web.Flash{Kind: "info", Text: p.T(sess.Flash, "Name", sess.Name)})
		sess.Flash = ""
		setSession(c, sess)
	}
	if len(sess.Secret) > 0 {
		page.CSRF = sess.CSRFToken()
	}
	return page
}

// unitName is a unit's name, or its code for a unit not known.
func (s *Server) unitName(code string) string {
	for _, u := range s.Units {
		if u.Code == code {
			return u.Name
		}
	}
	return code
}

// render writes a page; a view that fails to render is a 500.
func (s *Server) render(c *gin.Context, status int, name string, data any) {
	s.flushSession(c)
	if err := web.Render(c.Writer, status, name, data); err != nil {
		s.Logger.ErrorContext(c.Request.Context(), "page not rendered", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "Internal error.")
	}
	c.Abort()
}

// pageProblem answers err as a page: the sign-in page for someone not
// signed in, else the error page with the status of err (statusOf, the
// one mapping of codes to statuses). Internal causes are logged, never
// shown.
func (s *Server) pageProblem(c *gin.Context, err error) {
	status := statusOf(err)
	if status == http.StatusUnauthorized {
		s.redirect(c, "/masuk")
		c.Abort()
		return
	}
	if c.GetHeader("HX-Request") == "true" {
		// htmx asked for a part of a page: the error page replaces the
		// page's body instead.
		c.Header("HX-Retarget", "body")
		c.Header("HX-Reswap", "innerHTML")
	}
	page := s.frame(c, "")
	msg := page.T("error.500")
	switch {
	case errors.Is(err, errCSRF):
		msg = page.T("error.csrf")
	case status == http.StatusForbidden:
		msg = page.T("error.403")
	case status == http.StatusNotFound:
		msg = page.T("error.404")
	case status == http.StatusRequestEntityTooLarge:
		msg = page.T("error.413", "MiB", fileLimit(c)>>20)
	case status < 500:
		msg = lindungi.ErrorMessage(err)
	default:
		s.Logger.ErrorContext(c.Request.Context(), "page failed", "err", err, "request_id", lindungi.RequestIDFromContext(c.Request.Context()))
	}
	s.render(c, status, "error", web.ErrorPage{Page: page, Message: strings.TrimSpace(msg)})
}
