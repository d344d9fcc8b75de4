package server

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// What the pages share beyond pages.go: parts of pages for htmx, the
// header's count of unread notifications, and the address the language
// switch returns to.

// hxTarget is the ID of the element an htmx request will swap its answer
// into, or "" for a request that wants a whole page: no htmx, or htmx
// restoring a page from history.
func hxTarget(c *gin.Context) string {
	if c.GetHeader("HX-Request") != "true" || c.GetHeader("HX-History-Restore-Request") == "true" {
		return ""
	}
	return c.GetHeader("HX-Target")
}

// renderPage writes page name, or only its "partial" template when htmx
// asked for the element part (its ID) of it; data's Page must then have
// Partial set, which the caller does through partial.
func (s *Server) renderPage(c *gin.Context, status int, name string, partial bool, data any) {
	if !partial {
		s.render(c, status, name, data)
		return
	}
	s.flushSession(c)
	if err := web.RenderPart(c.Writer, status, name, "partial", data); err != nil {
		s.Logger.ErrorContext(c.Request.Context(), "part of page not rendered", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "Internal error.")
	}
	c.Abort()
}

// unread counts the user's unread notifications for the header: one
// query per page. A failure leaves the count out rather than the page.
func (s *Server) unread(c *gin.Context, p lindungi.Principal) int {
	if s.Notifications == nil {
		return 0
	}
	n, err := s.Notifications.UnreadNotifications(c.Request.Context(), lindungi.ReaderOf(p))
	if err != nil {
		s.Logger.ErrorContext(c.Request.Context(), "unread notifications not counted", "err", err,
			"request_id", lindungi.RequestIDFromContext(c.Request.Context()))
		return 0
	}
	return n
}

// pagePath is the page a request shows, for the language switch to come
// back to: the address of a GET; for a post (a form shown again with its
// errors, an error page), the page the form came from (its back field,
// else the referring page of this site), since the post's own address
// may have no page to show.
func pagePath(c *gin.Context) string {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		return web.LocalPath(c.Request.URL.RequestURI())
	}
	if back := c.PostForm("back"); back != "" {
		return web.LocalPath(back)
	}
	if ref, err := url.Parse(c.GetHeader("Referer")); err == nil && ref.Host == c.Request.Host && ref.Path != "" {
		return web.LocalPath(ref.RequestURI())
	}
	return "/"
}
