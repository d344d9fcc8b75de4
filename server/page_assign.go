package server

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/web"
)

// Bulk assignment from the inbox: supervisors tick tasks and give them to
// one person of the unit through app.Tasks.Assign, the service of
// POST /v1/tasks/assign, which checks and audits each task on its own.

// pageAssign is the page route of bulk assignment.
const pageAssign = web.BulkAssignURL

// bulkAssign is the inbox's bulk assignment form for p, or nil when p's
// roles may not assign. It offers the people of p's unit and of the unit
// the inbox is filtered by (a province's supervisor filtering by a
// district can give its tasks to the district's people) who may take
// tasks at all: one query.
func (s *Server) bulkAssign(c *gin.Context, p lindungi.Principal, filterUnit, back string, page web.Page) (*web.BulkAssign, error) {
	if _, err := s.Access.Route(p, pageAssign, http.MethodPost); err != nil {
		return nil, nil
	}
	units := []string{p.Unit}
	if filterUnit != "" && filterUnit != p.Unit {
		units = append(units, filterUnit)
	}
	users, err := s.Pages.Store.UsersOf(c.Request.Context(), units)
	if err != nil {
		return nil, err
	}
	b := &web.BulkAssign{Back: back, CSRF: page.CSRF, Assignees: []web.Option{{Value: "", Label: page.T("bulk.choose")}}}
	for _, u := range users {
		if _, err := s.Access.Route(lindungi.Principal{Subject: u.Subject, Unit: u.Unit, Roles: u.Roles}, pageClaim, http.MethodPost); err != nil {
			continue // an auditor, say: takes no tasks
		}
		var roles []string
		for _, r := range u.Roles {
			roles = append(roles, page.Role(r))
		}
		b.Assignees = append(b.Assignees, web.Option{Value: u.Subject,
			Label: u.Name + " (" + strings.Join(roles, ", ") + ", " + s.unitName(u.Unit) + ")"})
	}
	return b, nil
}

// assignTasksPage gives the tasks ticked (task, one per task) to assignee
// and goes back to the inbox page the form came from. When every task
// went, it says so; otherwise the inbox shows how many went and, in
// words, why the others did not.
func (s *Server) assignTasksPage(c *gin.Context) {
	back := web.LocalPath(c.PostForm("back"))
	p := web.NewPrinter(web.Lang(c.Request))
	refuse := func(status int, msg string) {
		s.showInbox(c, status, back, web.Flash{Kind: "error", Text: msg})
	}
	var ids []uuid.UUID
	for _, v := range c.PostFormArray("task") {
		id, ok := lindungi.ParseID(v)
		if !ok {
			refuse(http.StatusUnprocessableEntity, p.T("taskerr.not_found"))
			return
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		refuse(http.StatusUnprocessableEntity, p.T("bulk.none"))
		return
	}
	done, err := s.Tasks.Assign(c.Request.Context(), actor(c), app.Assignment{TaskIDs: ids, Assignee: c.PostForm("assignee")})
	if err != nil {
		var e *lindungi.Error
		switch {
		case lindungi.ErrorCode(err) != lindungi.EINVALID:
			s.pageProblem(c, err)
		case errors.As(err, &e) && slices.ContainsFunc(e.Fields, func(f lindungi.FieldError) bool { return f.Field == "assignee" }):
			refuse(statusOf(err), p.T("bulk.unknown"))
		default:
			refuse(statusOf(err), p.TaskError(err))
		}
		return
	}
	var failed []error
	for _, d := range done {
		if d.Err != nil {
			failed = append(failed, d.Err)
		}
	}
	if len(failed) == 0 {
		s.taskDone(c, "flash.tasks_assigned", back)
		return
	}
	var reasons []string
	for _, err := range failed {
		if r := p.TaskError(err); !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	flash := []web.Flash{{Kind: "error", Text: p.T("bulk.failed", "Count", len(failed)) + " " + strings.Join(reasons, " ")}}
	status := http.StatusOK
	if ok := len(done) - len(failed); ok > 0 {
		flash = append([]web.Flash{{Kind: "info", Text: p.T("bulk.done", "Count", ok)}}, flash...)
	} else {
		status = statusOf(failed[0])
	}
	s.showInbox(c, status, back, flash...)
}
