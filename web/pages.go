package web

import (
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// The data of each page: its Page and what its template shows. A page's
// handler (package server) loads what the page needs through the
// application services, then builds this data with the functions below.

// SignInPage is the data of views/signin.html.
type SignInPage struct {
	Page
	OIDC      bool   // an identity provider is configured: show its button
	DemoUsers Table  // development only: the demo users, each a button
	Next      string // the page to return to after signing in, "/" by default
}

// OIDCURL starts a sign-in at the identity provider that comes back to
// Next.
func (p SignInPage) OIDCURL() string { return withNext("/masuk/oidc", p.Next) }

// withNext is path with next as its next parameter, unless next is the
// inbox.
func withNext(path, next string) string {
	if next = LocalPath(next); next == "/" {
		return path
	}
	return path + "?next=" + url.QueryEscape(next)
}

// ErrorPage is the data of views/error.html.
type ErrorPage struct {
	Page
	Message string
}

// InboxPage is the data of views/inbox.html.
type InboxPage struct {
	Page
	Tasks  Table
	Pager  Pager
	Filter InboxFilter
	// Actions are what the user may do to each task, one per row of Tasks.
	Actions []TaskActions
	// Bulk is the form that assigns the tasks ticked to one person; nil
	// for a user who may not (no checkboxes then).
	Bulk *BulkAssign
	// Export downloads the inbox as filtered, every page (nil for a user
	// who may not).
	Export *ExportLink
}

// BulkAssign is the supervisors' form under the inbox: each row gets a
// checkbox of this form, which gives the tasks ticked to one person.
type BulkAssign struct {
	Assignees []Option // the people who may take tasks, "" (choose) first
	Back      string
	CSRF      string
}

// BulkAssignURL is where the bulk assignment form posts.
const BulkAssignURL = "/tugas/tetapkan"

// RowActions are the actions of row i of the tasks.
func (p InboxPage) RowActions(i int) TaskActions {
	if i < len(p.Actions) {
		return p.Actions[i]
	}
	return TaskActions{}
}

// DemoUserTable lists the demo users of development, each with a button
// that signs in as them (POST /masuk/dev) and goes to next. units names
// the units by code.
func (p *Printer) DemoUserTable(users []lindungi.User, units map[string]string, csrf, next string) Table {
	t := Table{Headers: []string{p.T("table.name"), p.T("table.unit"), p.T("table.role"), ""}}
	for _, u := range users {
		var roles string
		for i, r := range u.Roles {
			if i > 0 {
				roles += ", "
			}
			roles += p.Role(r)
		}
		t.Rows = append(t.Rows, Row{Cells: []Cell{
			{Text: u.Name, Strong: true},
			{Text: unitName(units, u.Unit), Sub: u.Unit},
			{Text: roles},
			{Action: &Action{URL: withNext("/masuk/dev", next), Name: "sub", Value: u.Subject, Label: p.T("signin.dev.as"),
				Describe: p.T("signin.dev.as") + ": " + u.Name, CSRF: csrf}},
		}})
	}
	return t
}

// InboxInput is what the inbox shows besides the tasks themselves, each
// loaded once for the whole page.
type InboxInput struct {
	Tasks []lindungi.Task
	// Workers are the names of the tasks' workers, by ID.
	Workers map[uuid.UUID]string
	// Units names the units by code.
	Units map[string]string
	// Own reports whether a unit is the user's own or below it; a task of
	// another unit came through a delegation.
	Own func(unit string) bool
	// Cases are the cases of the tasks that belong to one, by workflow ID:
	// the case number shows, linked to the case.
	Cases map[string]lindungi.Case
	// Me is the subject of the user, whose claimed tasks say so.
	Me       string
	Calendar *lindungi.Calendar
	Now      time.Time
}

// InboxTable is the inbox: for each task the worker's name (a link to the
// worker's page), the case number where the task belongs to a case (a
// link to the case; the column shows when some task of the page does), the task in words, its deadline as a date and in
// working days, its badges, and who holds it. Worker names come first:
// that is who the work is for.
func (p *Printer) InboxTable(in InboxInput) Table {
	t := Table{
		Caption: p.T("inbox.caption", "Count", len(in.Tasks)),
		Headers: []string{p.T("inbox.worker"), p.T("inbox.task"), p.T("inbox.deadline"), p.T("inbox.status"), p.T("inbox.holder")},
		Empty:   p.T("inbox.empty"),
	}
	// The case column shows when some task of the page belongs to a case:
	// a narrow screen gives no room to an empty column.
	withCases := false
	for _, task := range in.Tasks {
		_, ok := in.Cases[task.WorkflowID]
		withCases = withCases || ok
	}
	if withCases {
		t.Headers = slices.Insert(t.Headers, 1, p.T("inbox.case_col"))
	}
	cal := in.Calendar
	if cal == nil {
		cal = lindungi.NewCalendar(nil)
	}
	for _, task := range in.Tasks {
		name, ok := in.Workers[task.WorkerID]
		if !ok || name == "" {
			name = p.T("inbox.unknown_worker")
		}
		overdue := task.Status == lindungi.TaskOpen && !in.Now.Before(task.DueAt)
		days, late := WorkingDaysLeft(cal, in.Now, task.DueDate)
		due := Cell{Text: p.Day(task.DueDate), Sub: p.WorkingDays(days, late || overdue)}
		if late || overdue {
			due.SubClass = "late"
		}
		var badges []Badge
		if overdue {
			badges = append(badges, Badge{Kind: "overdue", Text: p.T("badge.overdue")})
		}
		if task.AtTop {
			badges = append(badges, Badge{Kind: "at_top", Text: p.T("badge.at_top")})
		} else if task.Level > 0 {
			badges = append(badges, Badge{Kind: "escalated", Text: p.T("badge.escalated")})
		}
		if in.Own != nil && !in.Own(task.Unit) {
			badges = append(badges, Badge{Kind: "delegated", Text: p.T("badge.delegated")})
		}
		if task.RouteFlagged {
			badges = append(badges, Badge{Kind: "flagged", Text: p.T("badge.flagged")})
		}
		holder := Cell{Text: p.T("inbox.unclaimed")}
		if task.ClaimedBy != "" {
			holder = Cell{Text: task.ClaimedBy}
			if task.ClaimedBy == in.Me {
				holder.Text = p.T("inbox.you")
			}
			if task.ClaimedAt != nil {
				holder.Sub = p.DateTime(*task.ClaimedAt)
			}
		}
		var pcase Cell // empty for a task of a journey
		if c, ok := in.Cases[task.WorkflowID]; ok {
			pcase = Cell{Text: c.Number, Href: "/kasus/" + c.ID.String()}
		}
		who := Cell{Text: name, Strong: true}
		if ok {
			who.Href = "/pekerja/" + task.WorkerID.String()
		}
		row := Row{ID: "task-" + task.ID.String(), Cells: []Cell{
			who,
			{Text: p.TaskKind(task.Kind), Sub: unitName(in.Units, task.Unit)},
			due,
			{Badges: badges},
			holder,
		}}
		if withCases {
			row.Cells = slices.Insert(row.Cells, 1, pcase)
		}
		if overdue {
			row.Class = "late"
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// unitName is a unit's name, or its code when the name is not known.
func unitName(units map[string]string, code string) string {
	if n := units[code]; n != "" {
		return n
	}
	return code
}
