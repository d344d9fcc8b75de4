package web

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// The rest of the worker file: the journey's timeline, the worker's cases,
// the documents with their scans and decisions, and the forms that correct
// the profile and upload a scan.

// TimelineItem is one entry of a worker's timeline: what happened, in
// words, when (WIB) and who did it. Step marks the journey's steps.
type TimelineItem struct {
	When string
	What string
	Who  string
	Step bool
}

// WorkerTimelineInput is what the worker timeline shows besides the entries: the
// units' names, by code.
type WorkerTimelineInput struct {
	Entries []lindungi.TimelineEntry
	Units   map[string]string
}

// WorkerTimeline writes a worker's timeline in words: each step of the journey,
// each task completed with its outcome, each correction and document
// decision, and who did it, with their role and unit.
func (p *Printer) WorkerTimeline(in WorkerTimelineInput) []TimelineItem {
	out := make([]TimelineItem, 0, len(in.Entries))
	for _, e := range in.Entries {
		var after map[string]any
		_ = json.Unmarshal(e.After, &after)
		str := func(k string) string { s, _ := after[k].(string); return s }
		item := TimelineItem{When: p.DateTime(e.OccurredAt), Who: p.actor(e, in.Units)}
		switch e.Action {
		case "journey.step":
			item.Step = true
			item.What = p.T("timeline.journey.step", "Step", p.Step(lindungi.Step(str("journey_step"))))
		case "task.complete":
			item.What = p.T("worker_timeline.task.complete", "Task", p.TaskKind(e.TaskKind), "Outcome", p.label("outcome_done.", str("outcome")))
		case "task.escalate":
			item.What = p.T("worker_timeline.task.escalate", "Task", p.TaskKind(e.TaskKind))
		case "document.add", "document.scan", "document.verify", "document.reject":
			item.What = p.T("timeline."+e.Action, "Doc", p.DocType(lindungi.DocType(str("type"))))
		case "worker.correct":
			var fields []string
			for _, f := range []string{"nik", "name", "phone", "address", "scheme", "placement_company", "job_order_ref"} {
				if _, ok := after[f]; ok {
					fields = append(fields, p.T("correct.field."+f))
				}
			}
			item.What = p.T("timeline.worker.correct", "Fields", strings.Join(fields, ", "))
		case "case.open":
			item.What = p.T("worker_timeline.case.open", "Number", str("number"))
		default:
			item.What = p.label("timeline.", e.Action)
		}
		out = append(out, item)
	}
	return out
}

// actor is who did what an entry records: the system, or a person's name
// (the subject when the directory does not know it), role and unit.
func (p *Printer) actor(e lindungi.TimelineEntry, units map[string]string) string {
	if strings.HasPrefix(e.Actor, "system:") {
		return p.T("timeline.system")
	}
	name := e.ActorName
	if name == "" {
		name = e.Actor
	}
	parts := []string{name}
	if e.ActorRole != "" {
		parts = append(parts, p.Role(e.ActorRole))
	}
	if e.ActorUnit != "" {
		parts = append(parts, unitName(units, e.ActorUnit))
	}
	return strings.Join(parts, " · ")
}

// WorkerCaseTable is a worker's protection cases: the case number (a link
// to the case's page), the categories in words, where it stands, and when
// it was received.
func (p *Printer) WorkerCaseTable(cases []lindungi.Case) Table {
	t := Table{
		Headers: []string{p.T("case.number"), p.T("case.categories"), p.T("inbox.status"), p.T("case.received")},
		Empty:   p.T("worker.no_cases"),
	}
	for _, c := range cases {
		cats := make([]string, len(c.Categories))
		for i, cat := range c.Categories {
			cats[i] = p.Category(cat)
		}
		var badges []Badge
		if c.HighRisk {
			badges = append(badges, Badge{Kind: "overdue", Text: p.T("badge.high_risk")})
		}
		t.Rows = append(t.Rows, Row{Cells: []Cell{
			{Text: c.Number, Href: "/kasus/" + c.ID.String(), Strong: true},
			{Text: strings.Join(cats, ", ")},
			{Text: p.CaseStep(c.Step), Badges: badges},
			{Text: p.Date(c.ReceivedAt)},
		}})
	}
	return t
}

// DocumentCard is one document of the worker's page: what it is, where it
// stands, its scan, and the decisions the user may take on it.
type DocumentCard struct {
	ID        string
	Type      string
	Number    string
	Status    Badge
	Valid     string
	Added     string
	Reason    string // why it was rejected
	ScanURL   string // the download, when it has a scan
	ScanLabel string // "PDF, 120 KB"
	NoScan    string // said when it has none
	VerifyURL string // when the user may verify it
	RejectURL string // when the user may reject it
}

// DocumentInput is what the document cards show besides the documents.
type DocumentInput struct {
	Docs  []lindungi.Document
	Scans map[uuid.UUID]lindungi.ScanInfo // by document ID
	// MayVerify and MayReject say whether the user may take the decision on
	// a document (its route, its status, the four-eyes rule).
	MayVerify, MayReject func(d lindungi.Document, scan *lindungi.ScanInfo) bool
}

// DocumentCards are a worker's documents as the page shows them.
func (p *Printer) DocumentCards(in DocumentInput) []DocumentCard {
	out := make([]DocumentCard, 0, len(in.Docs))
	for _, d := range in.Docs {
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
		case lindungi.DocVerified:
			kind = "verified"
		}
		card := DocumentCard{ID: d.ID.String(), Type: p.DocType(d.Type), Number: d.Number,
			Status: Badge{Kind: kind, Text: p.DocStatus(d.Status)}, Valid: valid, Reason: d.RejectedReason,
			Added: p.DateTime(d.CreatedAt), NoScan: p.T("doc.no_scan")}
		var scan *lindungi.ScanInfo
		if s, ok := in.Scans[d.ID]; ok {
			scan = &s
			card.ScanURL = "/dokumen/" + d.ID.String() + "/berkas"
			card.ScanLabel = p.T("doc.scan_label", "Kind", strings.ToUpper(strings.TrimPrefix(s.Extension(), ".")), "Size", p.Bytes(s.Size))
		}
		if in.MayVerify != nil && in.MayVerify(d, scan) {
			card.VerifyURL = "/dokumen/" + d.ID.String() + "/verifikasi"
		}
		if in.MayReject != nil && in.MayReject(d, scan) {
			card.RejectURL = "/dokumen/" + d.ID.String() + "/tolak"
		}
		out = append(out, card)
	}
	return out
}

// Bytes writes a size: "850 B", "120 KB", "2,4 MB" (a decimal comma in
// Indonesian).
func (p *Printer) Bytes(n int) string {
	switch {
	case n < 1<<10:
		return strconv.Itoa(n) + " B"
	case n < 1<<20:
		return strconv.Itoa((n+1<<9)>>10) + " KB"
	}
	s := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
	if p.lang == Indonesian {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " MB"
}

// UploadForm is the form that adds a document with its scan, each input
// with its error next to it.
type UploadForm struct {
	Action                      string
	Type                        Select
	Number, IssuedOn, ExpiresOn Field
	File                        Field
	Invalid                     bool
	Open                        bool // shown opened: it was just refused
}

// CorrectionPage is the data of views/worker_correct.html: the worker's
// profile in a form, prefilled, each input with its error next to it, and
// the reason.
type CorrectionPage struct {
	Page
	Name       string // the worker's name as on file, for the heading
	Action     string
	Back       string
	NIK        *Field // nil: the user may not correct the NIK
	FullName   Field
	Phone      Field
	Address    Field
	Scheme     *Select // nil for a provisional record, which has no scheme
	Company    Field
	JobOrder   Field
	Reason     Field
	Invalid    bool
	Unchanged  bool // the correction changed nothing
	SchemeNote string
}

// DocumentError says in words why a decision on a document was refused.
func (p *Printer) DocumentError(err error) string {
	switch lindungi.ErrorCode(err) {
	case lindungi.EFORBIDDEN:
		return p.T("docerr.four_eyes")
	case lindungi.ECONFLICT:
		return p.T("docerr.decided")
	case lindungi.EINVALID:
		return p.T("docerr.reason")
	}
	return p.T("error.500")
}
