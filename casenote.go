package lindungi

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// A case's notes: free text a case worker or a supervisor writes down as
// the case goes (a call with the family, what the employer's agent said).
// Notes are kept, never edited or removed; each is audited with its text.

// MaxCaseNote is the longest note, in characters once trimmed.
const MaxCaseNote = 4000

// CaseNoteText is the rule of a note: 1 to MaxCaseNote characters of free
// text (line breaks and tabs allowed).
var CaseNoteText = Text{Min: 1, Max: MaxCaseNote, Free: true}

// CaseNote is one note on a case. Its text is personal data: it is shown
// only with the case, whose read is logged.
type CaseNote struct {
	ID     uuid.UUID `json:"id"`
	CaseID uuid.UUID `json:"case_id"`
	Text   string    `json:"text"`
	// Author is the subject of the user who wrote it; AuthorName the
	// user's name in the directory, when it is there.
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name,omitempty"`
	AuthorUnit string    `json:"author_unit"`
	AuthorRole string    `json:"author_role"`
	CreatedAt  time.Time `json:"created_at"`
}

// CheckCaseNote returns EINVALID naming text unless the note (trimmed,
// TrimText) keeps CaseNoteText.
func CheckCaseNote(text string) error { return CheckText("text", text, CaseNoteText) }

// caseNumber is a case number as intake gives it: PGD, the province of the
// intake unit (ID at the national level), the year, and the number within
// them.
var caseNumber = regexp.MustCompile(`^PGD-(ID|[0-9]{2})-[0-9]{4}-[0-9]{6,9}$`)

// NormalizeCaseNumber returns s as a case number (trimmed, upper-cased:
// "pgd-33-2026-000042" is PGD-33-2026-000042) and whether it has the form
// of one.
func NormalizeCaseNumber(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	return s, caseNumber.MatchString(s)
}

// CaseNoteService keeps the notes of cases.
type CaseNoteService interface {
	// AddCaseNote writes a note (CheckCaseNote, trimmed) on a case by
	// ev.Actor, with its audit event (case.note, the text with it) and
	// the answer of the request that wrote it
	// (lindungi.NewContextWithAnswer) in one transaction. EINVALID for a
	// bad text; ENOTFOUND for an unknown case.
	AddCaseNote(ctx context.Context, caseID uuid.UUID, text string, ev Event) (CaseNote, error)
	// CaseNotes returns a case's notes, oldest first, at most limit (the
	// newest ones when there are more). It returns no domain error codes.
	CaseNotes(ctx context.Context, caseID uuid.UUID, limit int) ([]CaseNote, error)
}
