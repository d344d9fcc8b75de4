package web

import (
	"strconv"

	"github.com/lindungi/lindungi"
)

// The notifications page (GET /pemberitahuan) and the count in the header.

// NoticesPage is the data of views/notices.html.
type NoticesPage struct {
	Page
	Notices []Notice
	// AnyUnread says the user has unread notifications (here or on other
	// pages): offer to mark them all read.
	AnyUnread bool
	Pager     Pager
}

// Notice is one notification in words: what happened, why, when, and
// where to look at it.
type Notice struct {
	ID       int64
	Text     string
	Reason   string // the person's reason, in their words; "" for none
	Detail   string // the stored message, where the words are generic
	When     string
	Read     bool
	Link     string // the case, or the task's row in the inbox; "" for none
	LinkText string
}

// MarkReadURL is where the forms that mark notifications read post.
const MarkReadURL = "/pemberitahuan/baca"

// UnreadText is the header's count of unread notifications: "3", or "99+"
// when there are lindungi.MaxUnread or more.
func (u *User) UnreadText() string {
	if u.Unread >= lindungi.MaxUnread {
		return strconv.Itoa(lindungi.MaxUnread-1) + "+"
	}
	return strconv.Itoa(u.Unread)
}

// NoticeInput is what the notifications show besides the notifications
// themselves.
type NoticeInput struct {
	Notices []lindungi.Notification
	Units   map[string]string // unit names by code
	Me      string            // the user's subject: a task given to them says "you"
}

// Notices says each notification in words, with the link to what it is
// about: a case's page, or the row of the task in an inbox showing the
// worker's open tasks. The words come from the catalogue by the
// notification's kind ("notice.task.escalate"); a kind without words
// shows its stored message.
func (p *Printer) Notices(in NoticeInput) []Notice {
	out := make([]Notice, 0, len(in.Notices))
	for _, n := range in.Notices {
		other := p.T("notices.another_unit")
		if n.OtherUnit != "" {
			other = unitName(in.Units, n.OtherUnit)
		}
		user := n.RecipientUser
		if user == in.Me {
			user = p.T("notices.you")
		}
		task := p.T("notices.a_task")
		if n.TaskKind != "" {
			task = p.TaskKind(n.TaskKind)
		}
		id := "notice." + n.Kind
		if n.OtherUnit != "" && n.OtherUnit == n.RecipientUnit && messages.has(p.lang, id+".same") {
			id += ".same" // a move to another role of the same unit
		}
		item := Notice{ID: n.ID, Reason: n.Reason, When: p.DateTime(n.CreatedAt), Read: n.Read}
		if messages.has(p.lang, id) {
			item.Text = p.T(id, "Task", task, "Unit", other, "Role", p.Role(n.RecipientRole), "User", user)
		} else {
			item.Text = n.Message
		}
		if n.Kind == lindungi.NoticeAttention {
			item.Detail = n.Message // the workflow and the failure, for the administrator
		}
		switch {
		case n.CaseID != nil:
			item.Link, item.LinkText = "/kasus/"+n.CaseID.String(), p.T("notices.open_case", "Number", n.CaseNumber)
		case n.WorkerID != nil && n.TaskID != nil:
			item.Link = InboxQuery{Worker: n.WorkerID.String()}.URL() + "#task-" + n.TaskID.String()
			item.LinkText = p.T("notices.open_task")
		}
		out = append(out, item)
	}
	return out
}
