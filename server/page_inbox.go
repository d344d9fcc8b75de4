package server

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// inboxPageSize is how many tasks the inbox shows at once: a phone's
// screenful or two.
const inboxPageSize = 25

// inboxPage is the Kotak tugas: the open tasks of the user's unit and
// below (and what was delegated to it), most urgent first, through the
// list the API's GET /v1/tasks uses, with the workers' names. Showing a
// name is a read of personal data: each worker shown is logged, in one
// batch, before the page is sent.
func (s *Server) inboxPage(c *gin.Context) {
	ctx := c.Request.Context()
	now := s.Now()
	var v lindungi.Validation
	f := lindungi.TaskFilter{Status: lindungi.TaskOpen, Now: now}
	f.Limit, f.AfterDue, f.AfterID = pageParams(c, &v, inboxPageSize)
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	a := actor(c)
	tasks, err := s.Tasks.List(ctx, a, f)
	if err != nil {
		s.problem(c, err)
		return
	}
	var ids []uuid.UUID
	for _, t := range tasks {
		if !slices.Contains(ids, t.WorkerID) {
			ids = append(ids, t.WorkerID)
		}
	}
	names, err := s.Pages.Store.WorkerNames(ctx, ids)
	if err != nil {
		s.problem(c, err)
		return
	}
	var reads []lindungi.Event
	for _, id := range ids {
		if _, ok := names[id]; !ok {
			continue
		}
		ev := a.Event(ctx)
		ev.Action, ev.SubjectType, ev.SubjectID, ev.WorkerID, ev.Purpose = "access.inbox", "worker", id.String(), &id, DefaultPurpose
		reads = append(reads, ev)
	}
	if err := s.Pages.Store.RecordAccesses(ctx, reads); err != nil {
		s.problem(c, err)
		return
	}
	cal, err := s.calendar(c, now, tasks)
	if err != nil {
		s.problem(c, err)
		return
	}

	page := s.frame(c, "inbox")
	p := a.Principal
	units := map[string]string{}
	for _, u := range s.Units {
		units[u.Code] = u.Name
	}
	data := web.InboxPage{Page: page, Tasks: page.InboxTable(web.InboxInput{
		Tasks: tasks, Workers: names, Units: units, Me: p.Subject, Calendar: cal, Now: now,
		Own: func(unit string) bool { return slices.Contains(s.Units.Path(unit), p.Unit) },
	})}
	data.Pager.Label = page.T("pager.label")
	if c.Query("cursor") != "" {
		data.Pager.FirstURL, data.Pager.FirstText = "/", page.T("pager.first")
	}
	if len(tasks) == f.Limit {
		last := tasks[len(tasks)-1]
		data.Pager.NextURL, data.Pager.NextText = "/?cursor="+makeCursor(last.DueAt, last.ID), page.T("pager.next")
	}
	s.render(c, http.StatusOK, "inbox", data)
}

// calendar is the working-day calendar of the years from now to the
// tasks' last deadline: one read per year, not per task.
func (s *Server) calendar(c *gin.Context, now time.Time, tasks []lindungi.Task) (*lindungi.Calendar, error) {
	first := now.In(lindungi.WIB).Year()
	last := first
	for _, t := range tasks {
		if d, err := time.Parse(time.DateOnly, t.DueDate); err == nil {
			first, last = min(first, d.Year()), max(last, d.Year())
		}
	}
	var holidays []lindungi.Holiday
	for y := first; y <= last && y <= first+2; y++ {
		cal, err := s.Holidays.Year(c.Request.Context(), y)
		if err != nil {
			return nil, err
		}
		holidays = append(holidays, cal.Holidays...)
	}
	return lindungi.NewCalendar(holidays), nil
}
