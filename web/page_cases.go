package web

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// The complaint and case pages: intake (views/case_new.html), the list and
// lookup (views/cases.html), the case (views/case.html) and the question
// of purpose an auditor answers before reading a case
// (views/case_purpose.html).

// Countries are the destination countries the intake form offers, the
// most common first; the API takes any ISO 3166-1 code.
var Countries = []string{"MY", "TW", "HK", "SG", "BN", "SA", "AE", "QA", "KW", "OM", "BH", "KR", "JP", "KH", "TH", "MM", "PL", "TR"}

// Resolutions are the outcomes the case page offers when a case is
// resolved: codes, so that the audit trail may record them.
var Resolutions = []string{"WAGES_PAID", "REPATRIATED", "COMPENSATION_PAID", "DOCUMENTS_RETURNED", "SETTLED", "OTHER"}

// Check is a checkbox of a group.
type Check struct {
	ID      string
	Name    string
	Value   string
	Label   string
	Checked bool
}

// TextArea is a labelled multi-line input with its hint and error.
type TextArea struct {
	Name      string
	Label     string
	Hint      string
	Value     string
	Error     string
	Rows      int
	MaxLength int
	Required  bool
}

// Choice is a radio button of the subject choice: a worker the search
// found, or a person described by hand.
type Choice struct {
	ID      string
	Value   string
	Label   string
	Sub     string
	Badge   *Badge
	Checked bool
}

// IntakePage is the data of views/case_new.html: the search for the
// subject, then the complaint, each input with its error next to it and
// the values given kept.
type IntakePage struct {
	Page
	Invalid  bool // some input was refused: the summary on top
	Search   Field
	Searched bool   // a search was made: show its matches
	Query    string // the search, posted back with the form
	// Subjects are the workers found and, last, a person never seen.
	Subjects     []Choice
	SubjectError string

	Channel, Unit, Relation Select
	ComplainantName         Field
	ComplainantPhone        Field
	PowerOfAttorney         Check
	PowerOfAttorneyError    string

	SubjectName, SubjectNIK, SubjectBirthDate, SubjectPhone Field
	SubjectDomicile                                         Select

	Categories      []Check
	CategoriesError string
	Country         Select
	Employer        Field
	Company         Field
	Description     TextArea
	RiskFlags       []Check
	RiskFlagsError  string
}

// CaseListPage is the data of views/cases.html: look a case up by its
// number, and the cases of the user's unit.
type CaseListPage struct {
	Page
	Lookup  Field
	Missing string // the number looked up that was not found
	Status  Select
	Cases   Table
	Pager   Pager
	NewURL  string
	// Filtered says, in words, the filters the list was opened with (the
	// dashboard's links), with Keep their parameters for the status form
	// and ClearURL the list without them.
	Filtered []string
	Keep     []Option
	ClearURL string
	// Export downloads the list as filtered, every page (nil for a user
	// who may not).
	Export *ExportLink
}

// CaseListFilters are the case list's filters besides the status: those
// of the lists behind the dashboard's figures.
type CaseListFilters struct {
	Unit, UnitName, Category string
	Overdue, Escalated       bool
	// Dates as YYYY-MM-DD; "" for no bound.
	ReceivedFrom, ReceivedTo, ResolvedFrom, ResolvedTo, ClosedFrom, ClosedTo string
}

// Describe fills the page's Filtered, Keep and ClearURL from f.
func (p *Printer) Describe(d *CaseListPage, f CaseListFilters) {
	keep := func(name, value string) {
		if value != "" {
			d.Keep = append(d.Keep, Option{Value: name, Label: value})
		}
	}
	date := func(s string) string {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return s
		}
		return p.Date(t)
	}
	span := func(key, from, to string) {
		if from == "" && to == "" {
			return
		}
		d.Filtered = append(d.Filtered, p.T(key, "From", date(from), "To", date(to)))
	}
	if f.Unit != "" {
		d.Filtered = append(d.Filtered, p.T("cases.filtered.unit", "Unit", f.UnitName))
	}
	if f.Category != "" {
		d.Filtered = append(d.Filtered, p.Category(lindungi.CaseCategory(f.Category)))
	}
	if f.Overdue {
		d.Filtered = append(d.Filtered, p.T("cases.filtered.overdue"))
	}
	if f.Escalated {
		d.Filtered = append(d.Filtered, p.T("cases.filtered.escalated"))
	}
	span("cases.filtered.received", f.ReceivedFrom, f.ReceivedTo)
	span("cases.filtered.resolved", f.ResolvedFrom, f.ResolvedTo)
	span("cases.filtered.closed", f.ClosedFrom, f.ClosedTo)
	keep("unit", f.Unit)
	keep("category", f.Category)
	if f.Overdue {
		keep("overdue", "true")
	}
	if f.Escalated {
		keep("escalated", "true")
	}
	keep("received_from", f.ReceivedFrom)
	keep("received_to", f.ReceivedTo)
	keep("resolved_from", f.ResolvedFrom)
	keep("resolved_to", f.ResolvedTo)
	keep("closed_from", f.ClosedFrom)
	keep("closed_to", f.ClosedTo)
	if len(d.Filtered) > 0 {
		d.ClearURL = "/kasus"
	}
}

// CasePurposePage is the data of views/case_purpose.html: an auditor says
// why before a case is shown.
type CasePurposePage struct {
	Page
	Action  string
	Purpose Field
}

// CasePage is the data of views/case.html.
type CasePage struct {
	Page
	ID          uuid.UUID
	Number      string
	Step        string // the step in words
	Closed      bool
	Badges      []Badge
	Worker      string
	WorkerSub   string
	WorkerURL   string
	SummaryURL  string // the printable summary, when the user may read it
	Provisional bool
	Facts       []Fact
	Description string
	Deadlines   Table
	Timeline    []TimelineEntry
	Notes       []NoteEntry
	NoteForm    *TextArea // nil when the user may not write notes

	// Actions are the forms the user may post now, by name ("refer"), each
	// with its address.
	Actions map[string]string
	// Failed is the form whose post was refused; Errors and Values are its
	// fields' errors and the values given, by field.
	Failed string
	Errors map[string]string
	Values map[string]string

	Units         []Option // the units a case can be referred or transferred to
	Resolutions   []Option
	InfoRequested bool // information was asked for: contact can say it came
	MayOverride   bool // the user may refer without the worker's consent

	// The supervisors' forms: the categories to tick (the case's, or those
	// of a refused form), the risk level the risk form sets (high, or
	// normal for a high-risk case), and the officers the case's handling
	// may be given to.
	CategoryChecks []Check
	HighRisk       bool
	RiskTo         string
	Assignees      []Option
}

// May reports whether the user may post the form name now.
func (p CasePage) May(name string) bool { return p.Actions[name] != "" }

// URL is the address of the form name.
func (p CasePage) URL(name string) string { return p.Actions[name] }

// Open reports whether the form name is the one refused: shown open with
// its errors.
func (p CasePage) Open(name string) bool { return p.Failed == name }

// Err is the error of field in the form name, if that form was refused.
func (p CasePage) Err(name, field string) string {
	if p.Failed != name {
		return ""
	}
	return p.Errors[field]
}

// Val is the value given for field in the form name, if that form was
// refused.
func (p CasePage) Val(name, field string) string {
	if p.Failed != name {
		return ""
	}
	return p.Values[field]
}

// Any reports whether the user may post any of the forms names.
func (p CasePage) Any(names ...string) bool {
	for _, n := range names {
		if p.May(n) {
			return true
		}
	}
	return false
}

// CaseButton is a form of the case page: its name, the message of its
// button, and the reason it asks for (casereason).
type CaseButton struct {
	Case  CasePage
	Name  string
	Label string
	Field CaseField
}

// CaseField is a reason or another text of a form of the case page, with
// its error and the value given.
type CaseField struct {
	ID, Name, Label, Value, Error string
}

// Button is the one-click form name, its button saying label.
func (p CasePage) Button(name, label string) CaseButton {
	return CaseButton{Case: p, Name: name, Label: label}
}

// Reason is the form name that asks why, its button saying label.
func (p CasePage) Reason(name, label string) CaseButton {
	return CaseButton{Case: p, Name: name, Label: label, Field: p.Field(name, "reason", "task.reason")}
}

// Field is the text field of the form name, labelled by the message label.
func (p CasePage) Field(name, field, label string) CaseField {
	return CaseField{ID: "a-" + name + "-" + field, Name: field, Label: p.T(label), Value: p.Val(name, field), Error: p.Err(name, field)}
}

// TimelineEntry is one thing that happened to a case: what, when (WIB) and
// who.
type TimelineEntry struct {
	When   string
	At     string // machine-readable time
	What   string
	Detail string
	Who    string
	WhoSub string
}

// NoteEntry is a note as the case page shows it.
type NoteEntry struct {
	Text   string
	Who    string
	WhoSub string
	When   string
	At     string
}

// Channel is an intake channel in words: "Datang langsung".
func (p *Printer) Channel(c string) string { return p.label("channel.", c) }

// Relation is who complained, in words: "Keluarga".
func (p *Printer) Relation(r string) string { return p.label("relation.", r) }

// Country is a country in words: "Malaysia".
func (p *Printer) Country(c string) string { return p.label("country.", c) }

// Resolution is the outcome of a case in words: "Gaji dibayarkan".
func (p *Printer) Resolution(r string) string { return p.label("resolution.", r) }

// RiskFlag is a risk flag in words.
func (p *Printer) RiskFlag(f string) string { return p.label("risk.", f) }

// ClosureReason is why a case closed, in words: a closure rule of art. 30
// or "resolved"; a person's reason as it was given.
func (p *Printer) ClosureReason(reason string) string {
	rule, _, _ := strings.Cut(reason, ":")
	if messages.has(p.lang, "closure."+rule) {
		return p.T("closure." + rule)
	}
	return reason
}

// Categories are the categories of a case in words, joined.
func (p *Printer) Categories(cs []lindungi.CaseCategory) string {
	words := make([]string, len(cs))
	for i, c := range cs {
		words[i] = p.Category(c)
	}
	return strings.Join(words, ", ")
}

// SortedCategories are the complaint categories in the order of their
// words, for a list a person scans.
func (p *Printer) SortedCategories() []lindungi.CaseCategory {
	out := make([]lindungi.CaseCategory, 0, len(lindungi.CategoryLabels))
	for c := range lindungi.CategoryLabels {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b lindungi.CaseCategory) int { return strings.Compare(p.Category(a), p.Category(b)) })
	return out
}

// Options are codes as options of a select with their words, first the
// choice of none (when none is not ""), selected the one given.
func Options(codes []string, words func(string) string, none, selected string) []Option {
	var out []Option
	if none != "" {
		out = append(out, Option{Value: "", Label: none, Selected: selected == ""})
	}
	for _, c := range codes {
		out = append(out, Option{Value: c, Label: words(c), Selected: c == selected})
	}
	return out
}

// CaseListInput is what the list of cases shows.
type CaseListInput struct {
	Cases []lindungi.Case
	Units map[string]string
	// Purpose is carried to the case pages the list links to (auditors).
	Purpose string
}

// CaseTable is a list of cases without personal data: the number (a link
// to the case), the categories, the step in words with badges, the owner
// unit, the day it was received and the days since the last action.
func (p *Printer) CaseTable(in CaseListInput) Table {
	t := Table{
		Caption: p.T("cases.caption", "Count", len(in.Cases)),
		Headers: []string{p.T("case.number"), p.T("case.categories"), p.T("case.status"), p.T("case.owner"), p.T("case.received")},
		Empty:   p.T("cases.none"),
	}
	for _, c := range in.Cases {
		href := "/kasus/" + c.ID.String()
		if in.Purpose != "" {
			href += "?purpose=" + url.QueryEscape(in.Purpose)
		}
		row := Row{Cells: []Cell{
			{Text: c.Number, Href: href, Strong: true},
			{Text: p.Categories(c.Categories), Sub: p.Country(c.Country)},
			{Text: p.CaseStep(c.Step), Badges: p.CaseBadges(c)},
			{Text: unitName(in.Units, c.OwnerUnit), Sub: c.OwnerUnit},
			{Text: p.Date(c.ReceivedAt), Sub: p.T("case.days_since_action", "Count", c.DaysSinceAction)},
		}}
		if c.Overdue {
			row.Class = "late"
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// CaseBadges are the badges of a case: high risk, overdue.
func (p *Printer) CaseBadges(c lindungi.Case) []Badge {
	var out []Badge
	if c.HighRisk {
		out = append(out, Badge{Kind: "overdue", Text: p.T("badge.high_risk")})
	}
	if c.Overdue {
		out = append(out, Badge{Kind: "overdue", Text: p.T("badge.overdue")})
	}
	return out
}

// CaseFacts are the details of a case: what, who complained, where, who
// owns it, and its outcome.
func (p *Printer) CaseFacts(c lindungi.Case, units map[string]string) []Fact {
	var out []Fact
	fact := func(key, value, sub string) {
		if value != "" {
			out = append(out, Fact{Label: p.T(key), Value: value, Sub: sub})
		}
	}
	fact("case.categories", p.Categories(c.Categories), "")
	complainant := c.Complainant.Name
	sub := p.Relation(c.Complainant.Relation)
	if c.Complainant.Phone != "" {
		sub += " · " + c.Complainant.Phone
	}
	fact("case.complainant", complainant, sub)
	fact("case.channel", p.Channel(c.Channel), "")
	if c.Country != "" {
		fact("case.country", p.Country(c.Country), "")
	}
	fact("case.employer", c.Employer, "")
	fact("case.company", c.PlacementCompany, "")
	var flags []string
	for _, f := range c.RiskFlags {
		flags = append(flags, p.RiskFlag(f))
	}
	fact("case.risk_flags", strings.Join(flags, ", "), "")
	fact("case.owner", unitName(units, c.OwnerUnit), c.OwnerUnit)
	fact("case.intake", unitName(units, c.IntakeUnit), c.IntakeUnit)
	fact("case.received", p.DateTime(c.ReceivedAt), p.T("case.days_open", "Count", c.DaysOpen))
	fact("case.last_contact", p.DateTime(c.LastContactAt), "")
	if c.InfoRequestedAt != nil {
		fact("case.info_requested", p.DateTime(*c.InfoRequestedAt), "")
	}
	if c.ToldUnresolvableAt != nil {
		fact("case.told_unresolvable", p.DateTime(*c.ToldUnresolvableAt), "")
	}
	out = append(out, Fact{Label: p.T("case.money"), Value: p.Money(c.MoneyRecovered)})
	if c.Resolution != "" {
		fact("case.resolution", p.Resolution(c.Resolution), "")
	}
	if c.ClosedAt != nil {
		fact("case.closed", p.DateTime(*c.ClosedAt), p.ClosureReason(c.ClosedReason))
	}
	return out
}

// DeadlineTable is a case's open tasks: what waits, at which unit, by
// when, in working days, and who holds it.
func (p *Printer) DeadlineTable(tasks []lindungi.Task, units map[string]string, cal *lindungi.Calendar, now time.Time) Table {
	t := Table{
		Headers: []string{p.T("inbox.task"), p.T("inbox.deadline"), p.T("inbox.holder")},
		Empty:   p.T("case.no_deadlines"),
	}
	if cal == nil {
		cal = lindungi.NewCalendar(nil)
	}
	for _, task := range tasks {
		overdue := !now.Before(task.DueAt)
		days, late := WorkingDaysLeft(cal, now, task.DueDate)
		due := Cell{Text: p.Day(task.DueDate), Sub: p.WorkingDays(days, late || overdue)}
		if late || overdue {
			due.SubClass = "late"
		}
		holder := p.T("inbox.unclaimed")
		if task.ClaimedBy != "" {
			holder = task.ClaimedBy
		}
		row := Row{Cells: []Cell{{Text: p.TaskKind(task.Kind), Strong: true, Sub: unitName(units, task.Unit)}, due, {Text: holder}}}
		if overdue {
			row.Class = "late"
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// TimelineInput is what the timeline of a case shows.
type TimelineInput struct {
	Events []lindungi.Event // newest first
	Units  map[string]string
	// Names are the names of the people in the events, by subject.
	Names map[string]string
}

// systemActor is the subject under which workflows act.
const systemActor = "system:lindungi"

// Timeline is what happened to a case, newest first, in words: each event
// with its time in WIB, who did it (name, role and unit) and the detail
// that matters (the step reached, the unit it went to, the money, the
// task).
func (p *Printer) Timeline(in TimelineInput) []TimelineEntry {
	kinds := map[string]lindungi.TaskKind{} // task ID -> kind, from the tasks' creation
	for _, ev := range in.Events {
		if ev.Action == "task.create" {
			var after struct {
				Kind lindungi.TaskKind `json:"kind"`
			}
			if json.Unmarshal(ev.After, &after) == nil {
				kinds[ev.SubjectID] = after.Kind
			}
		}
	}
	out := make([]TimelineEntry, 0, len(in.Events))
	for _, ev := range in.Events {
		e := TimelineEntry{When: p.DateTime(ev.OccurredAt), At: ev.OccurredAt.UTC().Format(time.RFC3339), What: p.label("timeline.", ev.Action)}
		e.Who, e.WhoSub = p.who(ev.Actor, ev.ActorRole, ev.ActorUnit, in.Names, in.Units)
		e.Detail = p.eventDetail(ev, kinds, in.Units, in.Names)
		out = append(out, e)
	}
	return out
}

// who names the actor of an event: the user's name (or subject), and the
// role and unit; "Sistem" for the workflows.
func (p *Printer) who(subject, role, unit string, names, units map[string]string) (string, string) {
	if subject == systemActor {
		return p.T("timeline.system"), ""
	}
	name := names[subject]
	if name == "" {
		name = subject
	}
	sub := unitName(units, unit)
	if role != "" {
		sub = p.Role(role) + " · " + sub
	}
	return name, sub
}

// eventDetail is the part of an event's change a reader needs, in words.
func (p *Printer) eventDetail(ev lindungi.Event, kinds map[string]lindungi.TaskKind, units, names map[string]string) string {
	var a struct {
		Step       lindungi.CaseStep `json:"step"`
		OwnerUnit  string            `json:"owner_unit"`
		ToUnit     string            `json:"to_unit"`
		ToAgency   string            `json:"to_agency"`
		Consent    *bool             `json:"consent"`
		Override   string            `json:"override_reason"`
		Money      *int64            `json:"money_recovered_idr"`
		Resolution string            `json:"resolution"`
		Reason     string            `json:"reason"`
		Kind       lindungi.TaskKind `json:"kind"`
		Unit       string            `json:"unit"`
		Outcome    lindungi.Outcome  `json:"outcome"`
		DueAt      time.Time         `json:"due_at"`
	}
	_ = json.Unmarshal(ev.After, &a)
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	person := ev.Actor != systemActor
	switch {
	case strings.HasPrefix(ev.Action, "task."):
		kind := a.Kind
		if kind == "" {
			kind = kinds[ev.SubjectID]
		}
		if kind != "" {
			add(p.TaskKind(kind))
		}
		if a.Unit != "" && ev.Action != "task.create" {
			add(p.T("timeline.to", "Unit", unitName(units, a.Unit)))
		}
		if a.Outcome != "" {
			add(p.label("outcome_done.", string(a.Outcome)))
		}
		if !a.DueAt.IsZero() && (ev.Action == "task.create" || ev.Action == "task.extend") {
			// A deadline is the end of its last working day: midnight after it.
			add(p.T("timeline.due", "Date", p.Date(a.DueAt.Add(-time.Nanosecond))))
		}
	case ev.Action == "case.resolve":
		if a.Resolution != "" {
			add(p.Resolution(a.Resolution))
		}
		if a.Money != nil {
			add(p.T("timeline.money", "Money", p.Money(*a.Money)))
		}
	case ev.Action == "case.close":
		add(p.ClosureReason(a.Reason))
		person = false // the reason is said already
	case ev.Action == "case.refer":
		if a.ToUnit != "" {
			add(p.T("timeline.to", "Unit", unitName(units, a.ToUnit)))
		}
		if a.ToAgency != "" {
			add(p.T("timeline.to", "Unit", a.ToAgency))
		}
		if a.Consent != nil && *a.Consent {
			add(p.T("timeline.consent_yes"))
		} else if a.Consent != nil {
			add(p.T("timeline.consent_no"))
			add(a.Override)
		}
	case ev.Action == "case.transfer":
		add(p.T("timeline.to", "Unit", unitName(units, a.ToUnit)))
	case ev.Action == "case.step":
		add(p.CaseStep(a.Step))
	case ev.Action == "case.recategorise" || ev.Action == "case.risk" || ev.Action == "case.assign":
		add(p.supervisionDetail(ev, names))
	}
	if a.OwnerUnit != "" && strings.HasPrefix(ev.Action, "case.") {
		add(p.T("timeline.owner", "Unit", unitName(units, a.OwnerUnit)))
		person = person && ev.Action != "case.owner" // an owner's reason is the system's words
	}
	if a.Step != "" && ev.Action != "case.step" && ev.Action != "case.refer" && strings.HasPrefix(ev.Action, "case.") {
		add(p.CaseStep(a.Step))
	}
	if person && a.Reason != "" {
		add(p.reason(a.Reason))
	}
	return strings.Join(parts, " · ")
}

// supervisionDetail is what a supervisor's change of a case did, in
// words: the new categories, the risk level, or who the case was given to.
func (p *Printer) supervisionDetail(ev lindungi.Event, names map[string]string) string {
	var a struct {
		Categories []lindungi.CaseCategory `json:"categories"`
		HighRisk   *bool                   `json:"high_risk"`
		Assignee   string                  `json:"assignee"`
	}
	_ = json.Unmarshal(ev.After, &a)
	switch {
	case ev.Action == "case.recategorise":
		return p.Categories(a.Categories)
	case ev.Action == "case.risk" && a.HighRisk != nil:
		return p.T("timeline.risk." + lindungi.RiskLevel(*a.HighRisk))
	case ev.Action == "case.assign" && a.Assignee != "":
		name := names[a.Assignee]
		if name == "" {
			name = a.Assignee
		}
		return p.T("timeline.assignee", "Name", name)
	}
	return ""
}

// reason is a reason as the timeline shows it: a person's as written; the
// reasons the case's workflow gives its own moves, in words ("referral
// accepted" is "rujukan diterima"), or nothing where the event says it
// already.
func (p *Printer) reason(r string) string {
	switch {
	case r == "referral accepted":
		return p.T("timeline.reason_referral")
	case r == "transfer accepted":
		return p.T("timeline.reason_transfer")
	case r == "handling deadline passed":
		return p.T("timeline.reason_deadline")
	case strings.HasPrefix(r, "escalated: "):
		return strings.TrimPrefix(r, "escalated: ")
	case strings.HasPrefix(r, "high risk: "):
		return strings.TrimPrefix(r, "high risk: ")
	case strings.HasPrefix(r, "case closed: "), strings.HasPrefix(r, "routed by "):
		return ""
	}
	return r
}

// NoteEntries are a case's notes, newest first.
func (p *Printer) NoteEntries(notes []lindungi.CaseNote, units map[string]string) []NoteEntry {
	out := make([]NoteEntry, 0, len(notes))
	for i := len(notes) - 1; i >= 0; i-- {
		n := notes[i]
		names := map[string]string{n.Author: n.AuthorName}
		e := NoteEntry{Text: n.Text, When: p.DateTime(n.CreatedAt), At: n.CreatedAt.UTC().Format(time.RFC3339)}
		e.Who, e.WhoSub = p.who(n.Author, n.AuthorRole, n.AuthorUnit, names, units)
		out = append(out, e)
	}
	return out
}

// ParseRupiah reads an amount of rupiah as people type it: "42000000",
// "42.000.000", "Rp 42.000.000". It reports false for anything else, or a
// negative amount.
func ParseRupiah(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "Rp"), "rp"))
	s = strings.NewReplacer(".", "", " ", "").Replace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
