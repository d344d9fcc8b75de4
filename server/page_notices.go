package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// The notifications page: what happened to the work of the user's unit
// (and what was addressed to the user), newest first, through the reads of
// GET /v1/notifications; and marking them read, as
// POST /v1/notifications/read. The header counts the unread ones on every
// page (frame).

// The page routes of the notifications.
const (
	pageNotices  = "/pemberitahuan"
	pageMarkRead = web.MarkReadURL
)

// noticesPageSize is how many notifications the page shows at once.
const noticesPageSize = 25

// noticesPage lists the user's notifications, a page at a time (cursor:
// the last ID of the previous page).
func (s *Server) noticesPage(c *gin.Context) {
	s.showNotices(c, http.StatusOK, c.Request.URL.RequestURI())
}

// showNotices renders the notifications page at address at (its path and
// query), or only its list for htmx.
func (s *Server) showNotices(c *gin.Context, status int, at string) {
	u, err := url.Parse(web.LocalPath(at))
	if err != nil || u.Path != pageNotices {
		u = &url.URL{Path: pageNotices}
	}
	var v lindungi.Validation
	q := lindungi.NotificationQuery{Reader: lindungi.ReaderOf(principal(c)), Limit: noticesPageSize}
	if cur := u.Query().Get("cursor"); cur != "" {
		n, err := strconv.ParseInt(cur, 10, 64)
		if err != nil || n < 1 {
			v.Add("cursor", "must be the next page's cursor")
		}
		q.Before = n
	}
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	ns, err := s.Notifications.Notifications(c.Request.Context(), q)
	if err != nil {
		s.problem(c, err)
		return
	}
	page := s.frame(c, "notices")
	page.Path = u.RequestURI()
	page.Partial = hxTarget(c) == "notice-list"
	data := web.NoticesPage{Page: page, AnyUnread: page.User != nil && page.User.Unread > 0,
		Notices: page.Notices(web.NoticeInput{Notices: ns, Units: s.unitNames(), Me: q.Reader.Subject})}
	data.Pager.Label = page.T("pager.label")
	if q.Before != 0 {
		data.Pager.FirstURL, data.Pager.FirstText = pageNotices, page.T("pager.first")
	}
	if len(ns) == q.Limit {
		data.Pager.NextURL, data.Pager.NextText = pageNotices+"?cursor="+strconv.FormatInt(ns[len(ns)-1].ID, 10), page.T("pager.next")
	}
	s.renderPage(c, status, "notices", page.Partial, data)
}

// markReadPage marks one notification read (id) or all of the user's
// (all=true). With next, it then goes on to what the notification is
// about: opening a notification reads it. Otherwise it goes back to the
// notifications page (back), or for htmx answers that page's list with the
// header's new count. Marking read changes the user's own read state, no
// record, so it writes no audit event (as the API's).
func (s *Server) markReadPage(c *gin.Context) {
	m := lindungi.MarkRead{All: c.PostForm("all") == "true"}
	if id := c.PostForm("id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			n = -1 // MarkRead names the field
		}
		m.IDs = []int64{n}
	}
	if _, err := s.Notifications.MarkNotificationsRead(c.Request.Context(), lindungi.ReaderOf(principal(c)), m); err != nil {
		s.pageProblem(c, err)
		return
	}
	if next := c.PostForm("next"); next != "" {
		s.redirect(c, web.LocalPath(next))
		return
	}
	back := web.LocalPath(c.PostForm("back"))
	if back == "/" {
		back = pageNotices
	}
	if hxTarget(c) == "notice-list" {
		s.showNotices(c, http.StatusOK, back)
		return
	}
	if m.All {
		sess := session(c)
		sess.Flash = "flash.notices_read"
		setSession(c, sess)
	}
	s.redirect(c, back)
}
