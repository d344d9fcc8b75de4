package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/web"
)

// inboxPageSize is how many tasks the inbox shows at once: a phone's
// screenful or two.
const inboxPageSize = 25

// inboxPage is the Kotak tugas: the open tasks of the user's unit and
// below (and what was delegated to it), most urgent first, through the
// list the API's GET /v1/tasks uses, with the workers' names and the
// cases' numbers (one query each for the page). Showing a name is a read
// of personal data: each worker shown is logged, in one batch, before the
// page is sent. An htmx request for the results (the filters, the pager,
// a task action) gets only them.
func (s *Server) inboxPage(c *gin.Context) {
	s.showInbox(c, http.StatusOK, c.Request.URL.RequestURI())
}

// inboxQuery reads the inbox's filters and cursor from the query of its
// address, naming each bad one.
func inboxQuery(vals url.Values, v *lindungi.Validation) (q web.InboxQuery, afterDue time.Time, afterID uuid.UUID) {
	q = web.InboxQuery{Kind: vals.Get("kind"), Unit: vals.Get("unit"), Assignee: vals.Get("assignee")}
	if q.Kind != "" && !slices.Contains(lindungi.TaskKinds, lindungi.TaskKind(q.Kind)) {
		v.Add("kind", "is not a task kind")
	}
	for name, to := range map[string]*bool{"overdue": &q.Overdue, "escalated": &q.Escalated, "mine": &q.Mine} {
		switch vals.Get(name) {
		case "", "false":
		case "true":
			*to = true
		default:
			v.Add(name, "must be true or false")
		}
	}
	if w := vals.Get("worker"); w != "" {
		if _, ok := lindungi.ParseID(w); !ok {
			v.Add("worker", "must be a worker ID")
		}
		q.Worker = w
	}
	if cur := vals.Get("cursor"); cur != "" {
		var ok bool
		if afterDue, afterID, ok = parseCursor(cur); !ok {
			v.Add("cursor", "is not a cursor this API gave")
		}
	}
	return q, afterDue, afterID
}

// inboxFilter is the task filter of the inbox's filters q for a, at now:
// the inbox and its export (page_exports.go) list the same tasks.
func inboxFilter(q web.InboxQuery, a app.Actor, now time.Time) lindungi.TaskFilter {
	f := lindungi.TaskFilter{Status: lindungi.TaskOpen, Kind: lindungi.TaskKind(q.Kind), Unit: q.Unit, Overdue: q.Overdue,
		Escalated: q.Escalated, Assignee: q.Assignee, Now: now}
	if q.Mine {
		f.Assignee = a.Principal.Subject
	}
	if q.Worker != "" {
		f.WorkerID, _ = lindungi.ParseID(q.Worker)
	}
	return f
}

// showInbox renders the inbox at address at (its path and query: the
// filters and the page) with status and the flash messages: for GET /,
// and for a task action the service refused, which shows its reason on
// the inbox page the form came from.
func (s *Server) showInbox(c *gin.Context, status int, at string, flash ...web.Flash) {
	ctx := c.Request.Context()
	now := s.Now()
	var v lindungi.Validation
	a := actor(c)
	u, err := url.Parse(web.LocalPath(at))
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	q, afterDue, afterID := inboxQuery(u.Query(), &v)
	f := inboxFilter(q, a, now)
	f.Limit, f.AfterDue, f.AfterID = inboxPageSize, afterDue, afterID
	if err := v.Err(); err != nil {
		s.problem(c, err)
		return
	}
	tasks, err := s.Tasks.List(ctx, a, f)
	if err != nil {
		s.problem(c, err)
		return
	}
	var ids []uuid.UUID
	var flows []string // the tasks' workflows that may be cases'
	for _, t := range tasks {
		if !slices.Contains(ids, t.WorkerID) {
			ids = append(ids, t.WorkerID)
		}
		if strings.HasPrefix(t.WorkflowID, "case/") && !slices.Contains(flows, t.WorkflowID) {
			flows = append(flows, t.WorkflowID)
		}
	}
	names, err := s.Pages.Store.WorkerNames(ctx, ids)
	if err != nil {
		s.problem(c, err)
		return
	}
	cases, err := s.Pages.Store.CasesOfWorkflows(ctx, flows)
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
	page.Path = u.RequestURI()
	page.Flash = append(page.Flash, flash...)
	page.Partial = hxTarget(c) == "inbox-results"
	if page.Partial && slices.ContainsFunc(flash, func(f web.Flash) bool { return f.Kind == "error" }) {
		// A refusal scrolls its reason into view; success leaves the
		// user where they are, at the row that changed.
		c.Header("HX-Reswap", "innerHTML show:#flash:top")
	}
	p := a.Principal
	units := map[string]string{}
	for _, u := range s.Units {
		units[u.Code] = u.Name
	}
	data := web.InboxPage{Page: page, Tasks: page.InboxTable(web.InboxInput{
		Tasks: tasks, Workers: names, Cases: cases, Units: units, Me: p.Subject, Calendar: cal, Now: now,
		Own: func(unit string) bool { return slices.Contains(s.Units.Path(unit), p.Unit) },
	})}
	var mine [][2]string // the units the user may filter by: its own and below
	for _, u := range s.Units {
		if slices.Contains(s.Units.Path(u.Code), p.Unit) {
			mine = append(mine, [2]string{u.Code, u.Name})
		}
	}
	data.Filter = page.InboxFilterForm(q, mine)
	back := u.RequestURI()
	may := s.taskActionsAllowed(p)
	for _, t := range tasks {
		data.Actions = append(data.Actions, s.taskActions(p, may, t, names[t.WorkerID], back, page.CSRF))
	}
	if data.Bulk, err = s.bulkAssign(c, p, q.Unit, back, page); err != nil {
		s.problem(c, err)
		return
	}
	data.Export = s.exportLink(c, page, pageExportTasks, q.Values())
	data.Pager.Label = page.T("pager.label")
	if u.Query().Get("cursor") != "" {
		data.Pager.FirstURL, data.Pager.FirstText = q.URL(), page.T("pager.first")
	}
	if len(tasks) == f.Limit {
		last := tasks[len(tasks)-1]
		data.Pager.NextURL, data.Pager.NextText = q.URL("cursor", makeCursor(last.DueAt, last.ID)), page.T("pager.next")
	}
	s.renderPage(c, status, "inbox", page.Partial, data)
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
