package web

import (
	"errors"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// The inbox's filters and the actions on each of its tasks.

// Option is one choice of a select.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// InboxFilter is the inbox's filter form (GET /): the task kind, the unit
// (and below), only overdue tasks, only escalated ones, only the tasks the
// user claimed; and the holder the dashboard's links may name (Assignee).
type InboxFilter struct {
	Kinds     []Option // the task kinds in words, "" for all first
	Units     []Option // the user's unit and the units below it, "" for all first
	Overdue   bool
	Escalated bool
	Mine      bool
	Worker    string // one worker's tasks only (a hidden field)
	Assignee  string // one officer's tasks only (a hidden field)
	Active    bool   // some filter is set: offer to clear them
}

// InboxQuery is the filter as the inbox's query parameters, for its links
// (the next page) and for the forms to come back to.
type InboxQuery struct {
	Kind      string
	Unit      string
	Overdue   bool
	Escalated bool
	Mine      bool
	Worker    string // one worker's tasks, by ID: where a notification leads
	Assignee  string // the tasks one officer claimed (the dashboard's workload)
}

// Values are the query parameters of q; empty when no filter is set.
func (q InboxQuery) Values() url.Values {
	v := url.Values{}
	if q.Kind != "" {
		v.Set("kind", q.Kind)
	}
	if q.Unit != "" {
		v.Set("unit", q.Unit)
	}
	if q.Overdue {
		v.Set("overdue", "true")
	}
	if q.Escalated {
		v.Set("escalated", "true")
	}
	if q.Mine {
		v.Set("mine", "true")
	}
	if q.Worker != "" {
		v.Set("worker", q.Worker)
	}
	if q.Assignee != "" {
		v.Set("assignee", q.Assignee)
	}
	return v
}

// URL is the inbox with q's filters and the extra parameters.
func (q InboxQuery) URL(extra ...string) string {
	v := q.Values()
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// InboxFilterForm is the filter form of q. units are the units the user
// may filter by, as code and name pairs in order.
func (p *Printer) InboxFilterForm(q InboxQuery, units [][2]string) InboxFilter {
	f := InboxFilter{Overdue: q.Overdue, Escalated: q.Escalated, Mine: q.Mine, Worker: q.Worker, Assignee: q.Assignee, Active: len(q.Values()) > 0}
	f.Kinds = append(f.Kinds, Option{Value: "", Label: p.T("filter.all_kinds"), Selected: q.Kind == ""})
	for _, k := range lindungi.TaskKinds {
		f.Kinds = append(f.Kinds, Option{Value: string(k), Label: p.TaskKind(k), Selected: q.Kind == string(k)})
	}
	f.Units = append(f.Units, Option{Value: "", Label: p.T("filter.all_units"), Selected: q.Unit == ""})
	for _, u := range units {
		f.Units = append(f.Units, Option{Value: u[0], Label: u[1], Selected: q.Unit == u[0]})
	}
	return f
}

// TaskActions are what the user may do to one task of the inbox; each
// form posts back with Back, the inbox page to return to.
type TaskActions struct {
	TaskID   uuid.UUID
	Worker   string // the worker's name, for the buttons' screen-reader labels
	Back     string
	CSRF     string
	Claim    bool
	Release  bool
	Complete bool
	// The supervisors' moves, each with its reason.
	Escalate bool
	Reassign bool
	Extend   bool
}

// Any reports whether the user may do anything to the task.
func (a TaskActions) Any() bool {
	return a.Claim || a.Release || a.Complete || a.Escalate || a.Reassign || a.Extend
}

// URL is the address of the task's action name ("ambil", "selesai").
func (a TaskActions) URL(name string) string { return "/tugas/" + a.TaskID.String() + "/" + name }

// Outcomes are the outcomes of a completion, in words, approval first.
func (p *Printer) Outcomes() []Option {
	return []Option{
		{Value: string(lindungi.OutcomeApproved), Label: p.T("outcome.approved")},
		{Value: string(lindungi.OutcomeNeedsCorrection), Label: p.T("outcome.needs_correction")},
		{Value: string(lindungi.OutcomeRejected), Label: p.T("outcome.rejected")},
	}
}

// TaskError says in words why an action on a task failed: the field
// errors of an invalid request (the documents a step still lacks, each by
// name), a task someone else holds or that is no longer open, or one out
// of reach. Internal errors are not said (the caller logs them).
func (p *Printer) TaskError(err error) string {
	var e *lindungi.Error
	if !errors.As(err, &e) {
		return p.T("error.500")
	}
	switch e.Code {
	case lindungi.ECONFLICT:
		if strings.Contains(e.Message, "top") {
			return p.T("taskerr.at_top")
		}
		return p.T("taskerr.conflict")
	case lindungi.ENOTFOUND:
		return p.T("taskerr.not_found")
	case lindungi.EFORBIDDEN:
		if len(e.Fields) > 0 {
			return p.T("taskerr.invalid") + " " + p.T("field.unit") + "."
		}
		return p.T("taskerr.forbidden")
	case lindungi.EINVALID, lindungi.EMALFORMED:
	default:
		return p.T("error.500")
	}
	var docs, other []string
	for _, f := range e.Fields {
		if t, ok := strings.CutPrefix(f.Field, "documents."); ok {
			docs = append(docs, p.DocType(lindungi.DocType(t))+" "+p.label("docproblem.", f.Reason))
			continue
		}
		if messages.has(p.lang, "field."+f.Field) {
			other = append(other, p.label("field.", f.Field))
		} else {
			other = append(other, f.Field+" "+f.Reason)
		}
	}
	var out []string
	if len(docs) > 0 {
		out = append(out, p.T("taskerr.documents")+" "+strings.Join(docs, "; ")+".")
	}
	if len(other) > 0 || len(docs) == 0 {
		msg := p.T("taskerr.invalid")
		if len(other) > 0 {
			msg += " " + strings.Join(other, "; ") + "."
		} else {
			msg += " " + e.Message
		}
		out = append(out, msg)
	}
	return strings.Join(out, " ")
}
