package web

import (
	"strings"
	"time"

	"github.com/lindungi/lindungi"
)

// The two papers: a case summary and a worker's recommendation letter.

// Letterhead is the head of a unit's papers: its government and its
// labour office, in capitals ("PEMERINTAH KABUPATEN KEBUMEN", "DINAS
// TENAGA KERJA"); the national level's is the ministry's.
func (p *Printer) Letterhead(u lindungi.Unit) []string {
	if u.Kind == "national" {
		return []string{p.T("paper.head_national"), p.T("paper.head_ministry")}
	}
	return []string{strings.ToUpper(p.T("paper.head_government", "Unit", u.Name)), p.T("paper.head_office")}
}

// CaseSummaryInput is what a case summary shows.
type CaseSummaryInput struct {
	Case      lindungi.Case
	Owner     lindungi.Unit
	Worker    string // the worker's name
	Units     map[string]string
	Notes     []lindungi.CaseNote
	Events    []lindungi.Event // the timeline, newest first
	Names     map[string]string
	PrintedBy string
	Now       time.Time
}

// CaseSummary is a case on paper: the owner unit's letterhead, the number,
// the facts of the complaint, its description, its notes and what was
// done, and who printed it when.
func (p *Printer) CaseSummary(in CaseSummaryInput) Paper {
	c := in.Case
	worker := in.Worker
	if worker == "" {
		worker = p.T("inbox.unknown_worker")
	}
	workerSub := ""
	if c.WorkerProvisional {
		workerSub = p.T("badge.provisional")
	}
	facts := append([]Fact{
		{Label: p.T("case.number"), Value: c.Number},
		{Label: p.T("case.status"), Value: p.CaseStep(c.Step)},
		{Label: p.T("summary.worker"), Value: worker, Sub: workerSub},
	}, p.CaseFacts(c, in.Units)...)
	notes := Table{Headers: []string{p.T("summary.note_when"), p.T("summary.note_who"), p.T("summary.note_text")}, Empty: p.T("summary.none")}
	for _, n := range p.NoteEntries(in.Notes, in.Units) {
		notes.Rows = append(notes.Rows, Row{Cells: []Cell{{Text: n.When}, {Text: n.Who, Sub: n.WhoSub}, {Text: n.Text}}})
	}
	done := Table{Headers: []string{p.T("summary.note_when"), p.T("summary.what"), p.T("summary.note_who")}, Empty: p.T("summary.none")}
	for _, e := range p.Timeline(TimelineInput{Events: in.Events, Units: in.Units, Names: in.Names}) {
		done.Rows = append(done.Rows, Row{Cells: []Cell{{Text: e.When}, {Text: e.What, Sub: e.Detail}, {Text: e.Who, Sub: e.WhoSub}}})
	}
	return Paper{Kind: "summary", Head: p.Letterhead(in.Owner), Title: p.T("summary.title"), Number: c.Number,
		Blocks: []PaperBlock{
			{Heading: p.T("summary.case"), Facts: facts},
			{Heading: p.T("summary.description"), Text: paragraphs(c.Description)},
			{Heading: p.T("summary.notes"), Table: &notes},
			{Heading: p.T("summary.timeline"), Table: &done},
		},
		Foot: p.T("paper.printed", "Name", in.PrintedBy, "When", p.DateTime(in.Now)),
	}
}

// paragraphs splits text at its blank lines.
func paragraphs(text string) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			out = append(out, para)
		}
	}
	return out
}

// LetterInput is what a recommendation letter states.
type LetterInput struct {
	Worker    lindungi.Worker
	Unit      lindungi.Unit // the worker's district, which issues it
	PrintedBy string
	Now       time.Time
}

// RecommendationLetter is the district's letter that a worker is a
// registered, verified prospective migrant worker at a step of the
// journey: the letterhead, the number to be written by the office, the
// worker's data, the statement, and the place and date over the head of
// the office's signature. Its words are the catalogue's.
func (p *Printer) RecommendationLetter(in LetterInput) Paper {
	w := in.Worker
	facts := []Fact{
		{Label: p.T("letter.name"), Value: w.Name},
		{Label: p.T("letter.nik"), Value: w.NIK},
		{Label: p.T("letter.birth"), Value: p.longDay(w.BirthDate)},
	}
	if w.Address != "" {
		facts = append(facts, Fact{Label: p.T("letter.address"), Value: w.Address})
	}
	facts = append(facts, Fact{Label: p.T("letter.district"), Value: in.Unit.Name},
		Fact{Label: p.T("letter.scheme"), Value: p.Scheme(w.Scheme)})
	if w.PlacementCompany != "" {
		facts = append(facts, Fact{Label: p.T("letter.company"), Value: w.PlacementCompany})
	}
	if w.JobOrderRef != "" {
		facts = append(facts, Fact{Label: p.T("letter.job_order"), Value: w.JobOrderRef})
	}
	facts = append(facts, Fact{Label: p.T("letter.registered"), Value: p.LongDate(w.CreatedAt)})
	return Paper{Kind: "letter", Head: p.Letterhead(in.Unit), Title: p.T("letter.title"), Number: p.T("letter.number"),
		Blocks: []PaperBlock{
			{Text: []string{p.T("letter.opening", "Unit", in.Unit.Name)}, Facts: facts},
			{Text: []string{
				p.T("letter.body", "Unit", in.Unit.Name, "Step", p.Step(w.JourneyStep)),
				p.T("letter.closing"),
			}},
		},
		Sign: &PaperSign{
			PlaceDate: p.T("letter.place_date", "Place", Place(in.Unit.Name), "Date", p.LongDate(in.Now)),
			Office:    []string{p.T("letter.office"), in.Unit.Name},
			Name:      p.T("letter.signer"),
			ID:        p.T("letter.signer_id"),
		},
		Foot: p.T("paper.printed", "Name", in.PrintedBy, "When", p.DateTime(in.Now)),
	}
}

// longDay writes a date given as YYYY-MM-DD like LongDate.
func (p *Printer) longDay(date string) string {
	d, err := time.ParseInLocation(time.DateOnly, date, wib)
	if err != nil {
		return date
	}
	return p.LongDate(d)
}
