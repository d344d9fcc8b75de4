package web

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
)

// The auditors' pages: the purpose of a session of work, a worker's trace,
// the file as it stood at an instant and what changed between two, the
// inspector's questions of the whole trail, the chain's verification, and
// signed exports and their check.

// AuditPage is what every audit page shows besides its content: the
// purpose the session of work reads under, with a link to change it.
type AuditPage struct {
	Page
	Purpose    string
	PurposeURL string // the purpose form, coming back to this page
}

// PurposeURL is the purpose form that comes back to next.
func PurposeURL(next string) string { return withNext("/audit/tujuan", next) }

// AuditPurposePage is the data of views/audit_purpose.html.
type AuditPurposePage struct {
	Page
	Purpose Field
	Next    string
}

// AuditLink is a link to an audit page with a line saying what it shows.
type AuditLink struct {
	URL, Label, Hint string
}

// AuditHomePage is the data of views/audit.html: find a worker, ask a
// question of the whole trail, verify, export.
type AuditHomePage struct {
	AuditPage
	Query    Field
	Searched bool
	Results  Table
	Queries  []AuditLink
	Tools    []AuditLink
}

// AuditTracePage is the data of views/audit_trace.html.
type AuditTracePage struct {
	AuditPage
	Name       string
	WorkerID   string
	Facts      []Fact
	From, To   Field // dates, WIB
	Action     Select
	Actor      Field
	Filtered   bool
	Events     Table
	EventPager Pager
	Reads      Table
	ReadPager  Pager
	AsOfURL    string
	ChangesURL string
}

// AuditAsOfPage is the data of views/audit_asof.html.
type AuditAsOfPage struct {
	AuditPage
	Name      string
	TraceURL  string
	At        Field // datetime-local, WIB
	AtText    string
	NotYet    bool // the worker was not registered yet then
	Facts     []Fact
	Step      string
	Tasks     Table
	Documents Table
	Cases     Table
}

// AuditChangesPage is the data of views/audit_changes.html.
type AuditChangesPage struct {
	AuditPage
	Name       string
	TraceURL   string
	From, To   Field // datetime-local, WIB
	FromText   string
	ToText     string
	Registered bool // the worker existed at From
	Changes    Table
}

// AuditQueryPage is the data of views/audit_query.html: one of the
// inspector's questions, its filters, a page of answers and the CSV of
// all of them.
type AuditQueryPage struct {
	AuditPage
	Title, Intro string
	Action       string // the form's path
	Fields       []Field
	Unit         *Select
	Asked        bool // the question can be answered: show Results
	Results      Table
	Pager        Pager
	CSVURL       string
}

// AuditChainPage is the data of views/audit_chain.html.
type AuditChainPage struct {
	AuditPage
	Ran    bool
	Result AuditResult
}

// AuditResult is a verification report in words.
type AuditResult struct {
	OK      bool
	Title   string
	Facts   []Fact
	Failure []Fact
}

// AuditExportPage is the data of views/audit_export.html.
type AuditExportPage struct {
	AuditPage
	From, To Field
	Unit     Select
}

// AuditCheckPage is the data of views/audit_check.html.
type AuditCheckPage struct {
	AuditPage
	File    Field
	Checked bool
	Result  AuditResult
}

// AuditWorkerTable is what a search from the audit pages found: each
// worker's name, a link to its trace.
func (p *Printer) AuditWorkerTable(ms []lindungi.WorkerMatch, units map[string]string) Table {
	t := Table{
		Caption: p.T("workers.caption", "Count", len(ms)),
		Headers: []string{p.T("table.name"), p.T("worker.district"), p.T("inbox.status")},
		Empty:   p.T("workers.none"),
	}
	for _, m := range ms {
		var badges []Badge
		if m.Provisional {
			badges = append(badges, Badge{Kind: "provisional", Text: p.T("badge.provisional")})
		}
		t.Rows = append(t.Rows, Row{Cells: []Cell{
			{Text: m.Name, Href: "/audit/pekerja/" + m.ID.String(), Strong: true},
			{Text: unitName(units, m.DomicileUnit), Sub: m.DomicileUnit},
			{Badges: badges},
		}})
	}
	return t
}

// EventColumns are the optional columns of an event table.
type EventColumns struct {
	// AsOf, when not "", is the worker whose file as it stood after each
	// event a last column links to.
	AsOf string
	// Worker adds a column linking to each event's worker's trace.
	Worker bool
}

// AuditEventTable is events of the trail, in chain order: when (and the
// seq), what (the action and its subject), who (the actor, role and
// unit), and the details (the purpose of a read, else what the event
// recorded after, and the rule).
func (p *Printer) AuditEventTable(recs []auditlog.Record, units map[string]string, cols EventColumns) Table {
	t := Table{
		Headers: []string{p.T("audit.col.when"), p.T("audit.col.action"), p.T("audit.col.actor"), p.T("audit.col.details")},
		Empty:   p.T("audit.no_events"),
	}
	if cols.Worker {
		t.Headers = append(t.Headers, p.T("audit.col.worker"))
	}
	if cols.AsOf != "" {
		t.Headers = append(t.Headers, p.T("audit.col.file"))
	}
	for _, r := range recs {
		details := Cell{Text: compactJSON(r.After), Sub: r.Rule}
		if r.Purpose != "" {
			details = Cell{Badges: []Badge{{Kind: "info", Text: p.T("audit.purpose_badge")}}, Text: r.Purpose, Sub: compactJSON(r.After)}
		}
		row := Row{Cells: []Cell{
			{Text: p.DateTime(r.OccurredAt), Sub: "#" + strconv.FormatInt(r.Seq, 10)},
			{Text: r.Action, Strong: true, Sub: r.SubjectType + " " + short(r.SubjectID)},
			{Text: r.Actor, Sub: p.Role(r.ActorRole) + " · " + unitName(units, r.ActorUnit)},
			details,
		}}
		if cols.Worker {
			cell := Cell{Text: "—"}
			if r.WorkerID != nil {
				cell = Cell{Text: p.T("audit.open_trace"), Href: "/audit/pekerja/" + r.WorkerID.String(), Sub: short(r.WorkerID.String())}
			}
			row.Cells = append(row.Cells, cell)
		}
		if cols.AsOf != "" {
			row.Cells = append(row.Cells, Cell{Text: p.T("audit.file_then"), Href: AsOfURL(cols.AsOf, r.OccurredAt)})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// AuditReadTable is who read a worker's personal data, when and why.
func (p *Printer) AuditReadTable(recs []auditlog.Record, units map[string]string) Table {
	t := Table{
		Headers: []string{p.T("audit.col.when"), p.T("audit.col.reader"), p.T("audit.col.read"), p.T("audit.col.purpose")},
		Empty:   p.T("audit.no_reads"),
	}
	for _, r := range recs {
		t.Rows = append(t.Rows, Row{Cells: []Cell{
			{Text: p.DateTime(r.OccurredAt), Sub: "#" + strconv.FormatInt(r.Seq, 10)},
			{Text: r.Actor, Strong: true, Sub: p.Role(r.ActorRole) + " · " + unitName(units, r.ActorUnit)},
			{Text: r.Action},
			{Text: r.Purpose},
		}})
	}
	return t
}

// EscalationRow is one escalation that reached the top of its chain, as
// the escalations page lists it.
type EscalationRow struct {
	Top   auditlog.Record
	Task  lindungi.Task
	Path  []string // the units it went through
	Moves int
}

// AuditEscalationTable lists escalations that reached the top of their
// chain: when, the task in words, the units it went through, the worker.
func (p *Printer) AuditEscalationTable(rows []EscalationRow, units map[string]string) Table {
	t := Table{
		Headers: []string{p.T("audit.col.when"), p.T("inbox.task"), p.T("audit.col.path"), p.T("audit.col.worker")},
		Empty:   p.T("audit.no_escalations"),
	}
	for _, e := range rows {
		names := make([]string, len(e.Path))
		for i, u := range e.Path {
			names[i] = unitName(units, u)
		}
		kind := p.T("audit.unknown_task")
		if e.Task.Kind != "" {
			kind = p.TaskKind(e.Task.Kind)
		}
		worker := Cell{Text: "—"}
		if e.Top.WorkerID != nil {
			worker = Cell{Text: p.T("audit.open_trace"), Href: "/audit/pekerja/" + e.Top.WorkerID.String(), Sub: short(e.Top.WorkerID.String())}
		}
		t.Rows = append(t.Rows, Row{Class: "late", Cells: []Cell{
			{Text: p.DateTime(e.Top.OccurredAt), Sub: "#" + strconv.FormatInt(e.Top.Seq, 10)},
			{Text: kind, Strong: true, Sub: short(e.Top.SubjectID)},
			{Text: strings.Join(names, " → "), Sub: p.T("audit.moves", "Count", e.Moves)},
			worker,
		}})
	}
	return t
}

// AuditTaskTable is a worker's tasks as they stood: the task in words,
// its status and outcome, its unit and level, its deadline.
func (p *Printer) AuditTaskTable(tasks []lindungi.Task, units map[string]string) Table {
	t := Table{
		Headers: []string{p.T("inbox.task"), p.T("inbox.status"), p.T("table.unit"), p.T("inbox.deadline")},
		Empty:   p.T("audit.no_tasks"),
	}
	for _, task := range tasks {
		status := Cell{Badges: []Badge{{Kind: "info", Text: p.label("audit.taskstatus.", string(task.Status))}}, Sub: string(task.Outcome)}
		t.Rows = append(t.Rows, Row{Cells: []Cell{
			{Text: p.TaskKind(task.Kind), Strong: true, Sub: short(task.ID.String())},
			status,
			{Text: unitName(units, task.Unit), Sub: p.T("audit.level", "Level", task.Level)},
			{Text: p.Day(task.DueDate)},
		}})
	}
	return t
}

// AuditCaseTable is a worker's cases as they stood: the number, the step,
// the categories, the owner.
func (p *Printer) AuditCaseTable(cases []lindungi.Case, units map[string]string) Table {
	t := Table{
		Headers: []string{p.T("audit.col.case"), p.T("inbox.status"), p.T("audit.col.categories"), p.T("audit.col.owner")},
		Empty:   p.T("audit.no_cases"),
	}
	for _, c := range cases {
		cats := make([]string, len(c.Categories))
		for i, cat := range c.Categories {
			cats[i] = p.Category(cat)
		}
		t.Rows = append(t.Rows, Row{Cells: []Cell{
			{Text: c.Number, Strong: true, Sub: p.Date(c.ReceivedAt)},
			{Text: p.CaseStep(c.Step), Sub: c.Resolution},
			{Text: strings.Join(cats, ", ")},
			{Text: unitName(units, c.OwnerUnit), Sub: c.OwnerUnit},
		}})
	}
	return t
}

// AuditChangeTable is what changed in a worker's file: the record, the
// field, its value before and after.
func (p *Printer) AuditChangeTable(changes []auditlog.Change) Table {
	t := Table{
		Headers: []string{p.T("audit.col.record"), p.T("audit.col.field"), p.T("audit.col.before"), p.T("audit.col.after")},
		Empty:   p.T("audit.no_changes"),
	}
	for _, c := range changes {
		field := Cell{Text: c.Field, Strong: true}
		if c.Field == "" {
			field = Cell{Badges: []Badge{{Kind: "info", Text: p.T("audit.new_record")}}}
		}
		t.Rows = append(t.Rows, Row{Cells: []Cell{
			{Text: p.label("audit.record.", c.Record), Strong: true, Sub: short(c.RecordID)},
			field,
			{Text: compactJSON(c.Before)},
			{Text: compactJSON(c.After)},
		}})
	}
	return t
}

// AuditResultOf puts a verification report in words.
func (p *Printer) AuditResultOf(rep auditlog.Report) AuditResult {
	r := AuditResult{OK: rep.OK && rep.Failure == nil, Title: p.T("audit.chain.ok")}
	r.Facts = []Fact{{Label: p.T("audit.chain.events"), Value: strconv.FormatInt(rep.Events, 10)}}
	if rep.Events > 0 {
		r.Facts = append(r.Facts,
			Fact{Label: p.T("audit.chain.range"), Value: "#" + strconv.FormatInt(rep.FirstSeq, 10) + " – #" + strconv.FormatInt(rep.LastSeq, 10)},
			Fact{Label: p.T("audit.chain.last_hash"), Value: rep.LastHash.String()})
	}
	r.Facts = append(r.Facts, Fact{Label: p.T("audit.chain.checkpoints"), Value: strconv.Itoa(rep.Checkpoints)})
	if c := rep.LastCheckpoint; c != nil {
		r.Facts = append(r.Facts, Fact{Label: p.T("audit.chain.last_checkpoint"), Value: "#" + strconv.FormatInt(c.Seq, 10),
			Sub: p.DateTime(c.SignedAt) + " · " + c.KeyID})
	}
	signatures := p.T("audit.chain.signatures_checked")
	if !rep.SignaturesChecked {
		signatures = p.T("audit.chain.signatures_not_checked")
	}
	r.Facts = append(r.Facts, Fact{Label: p.T("audit.chain.signatures"), Value: signatures})
	if f := rep.Failure; f != nil {
		r.OK, r.Title = false, p.T("audit.chain.failed", "Seq", f.Seq)
		r.Failure = []Fact{
			{Label: p.T("audit.chain.failed_at"), Value: "#" + strconv.FormatInt(f.Seq, 10), Sub: f.EventID},
			{Label: p.T("audit.chain.reason"), Value: p.label("audit.reason.", f.Reason), Sub: f.Reason},
			{Label: p.T("audit.chain.detail"), Value: f.Detail},
		}
	}
	return r
}

// AsOfURL is the page of a worker's file as it stood one second after an
// event at t: the event's own changes are written a moment after its time
// (in its transaction), so the instant itself would not show them yet.
func AsOfURL(worker string, t time.Time) string {
	return "/audit/pekerja/" + worker + "/per-tanggal?at=" + url.QueryEscape(t.Add(time.Second).UTC().Format(time.RFC3339Nano))
}

// Instant writes t as a date and a time to the second in WIB: "27 Nov
// 2026 14.30.05 WIB", for the instants the audit pages compare.
func (p *Printer) Instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	layout := "15.04.05"
	if p.lang == English {
		layout = "15:04:05"
	}
	return p.Date(t) + " " + t.In(wib).Format(layout) + " WIB"
}

// LocalDateTime is t in WIB as a datetime-local input holds it.
func LocalDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(wib).Format("2006-01-02T15:04:05")
}

// ParseLocalDateTime reads a datetime-local value ("2026-12-23T08:30" or
// with seconds) in WIB, as the end of the minute or second it names: the
// file as it stood at 08:30 holds what was done during 08:30.
func ParseLocalDateTime(s string) (time.Time, bool) {
	if t, err := time.ParseInLocation("2006-01-02T15:04:05", s, wib); err == nil {
		return t.Add(time.Second - time.Nanosecond), true
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, wib); err == nil {
		return t.Add(time.Minute - time.Nanosecond), true
	}
	return time.Time{}, false
}

// ParseDay reads a date input ("2026-12-23") as the start of that day in
// WIB.
func ParseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, wib)
	return t, err == nil
}

// short is the first part of an ID, enough to tell records apart on a
// page.
func short(id string) string {
	if len(id) > 8 && strings.Count(id, "-") == 4 {
		return id[:8]
	}
	return id
}

// compactJSON writes a JSON value on one line, at most 300 characters.
func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	s := b.String()
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}
