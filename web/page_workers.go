package web

import (
	"github.com/lindungi/lindungi"
)

// The worker file's pages: search, the worker, and the registration form.

// WorkerSearchPage is the data of views/workers.html: search before
// create.
type WorkerSearchPage struct {
	Page
	Query    Field
	Searched bool  // a query was given: show Results
	Results  Table // the workers found
	NewURL   string
	// Export downloads the workers found (nil for a user who may not).
	Export *ExportLink
}

// WorkerPage is the data of views/worker.html.
type WorkerPage struct {
	Page
	ID          string
	Name        string
	Provisional bool
	Step        string // the journey step in words
	Profile     []Fact
	CorrectURL  string // the correction form, when the user may correct
	LetterURL   string // the recommendation letter, when the worker may have one
	Timeline    []TimelineItem
	Tasks       Table
	Cases       Table
	Documents   []DocumentCard
	Upload      *UploadForm // nil when the user may not add documents
}

// Fact is a labelled value of a profile.
type Fact struct {
	Label string
	Value string
	Sub   string
}

// WorkerFormPage is the data of views/worker_new.html: each input with its
// error next to it, and the values given kept.
type WorkerFormPage struct {
	Page
	NIK, Name, BirthDate, Phone, Domicile Field
	Scheme                                Select
	Company, JobOrder                     Field
	Invalid                               bool // some input was refused: the summary on top
}

// Select is a labelled drop-down with its error.
type Select struct {
	Name    string
	Label   string
	Error   string
	Options []Option
}

// Scheme is a placement scheme in words.
func (p *Printer) Scheme(s lindungi.Scheme) string { return p.label("scheme.", string(s)) }

// DocStatus is a document's status in words.
func (p *Printer) DocStatus(s lindungi.DocStatus) string { return p.label("docstatus.", string(s)) }

// WorkerMatchTable is what a search found: each worker's name (a link to
// the worker's page), district, and whether the record is provisional.
func (p *Printer) WorkerMatchTable(ms []lindungi.WorkerMatch, units map[string]string) Table {
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
			{Text: m.Name, Href: "/pekerja/" + m.ID.String(), Strong: true},
			{Text: unitName(units, m.DomicileUnit), Sub: m.DomicileUnit},
			{Badges: badges},
		}})
	}
	return t
}

// DocumentTable is a worker's documents: the type in words, the status,
// the dates.
func (p *Printer) DocumentTable(docs []lindungi.Document) Table {
	t := Table{
		Headers: []string{p.T("doc.type"), p.T("inbox.status"), p.T("doc.valid"), p.T("doc.added")},
		Empty:   p.T("worker.no_documents"),
	}
	for _, d := range docs {
		valid := ""
		if d.IssuedOn != "" {
			valid = p.Day(d.IssuedOn)
		}
		if d.ExpiresOn != "" {
			valid += " – " + p.Day(d.ExpiresOn)
		}
		kind := "info"
		switch d.Status {
		case lindungi.DocRejected:
			kind = "overdue"
		case lindungi.DocPending:
			kind = "escalated"
		}
		t.Rows = append(t.Rows, Row{Cells: []Cell{
			{Text: p.DocType(d.Type), Strong: true, Sub: d.Number},
			{Badges: []Badge{{Kind: kind, Text: p.DocStatus(d.Status)}}, Sub: d.RejectedReason},
			{Text: valid},
			{Text: p.Date(d.CreatedAt)},
		}})
	}
	return t
}

// WorkerTaskTable is a worker's open tasks: the task in words, its unit,
// its deadline, who holds it.
func (p *Printer) WorkerTaskTable(tasks []lindungi.Task, units map[string]string) Table {
	t := Table{
		Headers: []string{p.T("inbox.task"), p.T("inbox.deadline"), p.T("inbox.holder")},
		Empty:   p.T("worker.no_tasks"),
	}
	for _, task := range tasks {
		holder := p.T("inbox.unclaimed")
		if task.ClaimedBy != "" {
			holder = task.ClaimedBy
		}
		t.Rows = append(t.Rows, Row{Cells: []Cell{
			{Text: p.TaskKind(task.Kind), Strong: true, Sub: unitName(units, task.Unit)},
			{Text: p.Day(task.DueDate)},
			{Text: holder},
		}})
	}
	return t
}
