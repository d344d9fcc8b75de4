package app

import (
	"context"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// NewCaseNote is a note to write on a case.
type NewCaseNote struct {
	CaseID uuid.UUID
	Text   string
}

// AddNote writes a note on a case, with its audit event (case.note) and,
// with ctx from the request's reservation, the request's answer, in one
// transaction. Any unit that may read the case may write on it (Find: the
// owner and above, the intake unit, the units that referred it or decide
// a referral or transfer of it): a note records, it does not act. It
// returns ENOTFOUND for a case out of reach, then EINVALID naming text
// (lindungi.CheckCaseNote).
func (cs *Cases) AddNote(ctx context.Context, a Actor, n NewCaseNote) (lindungi.CaseNote, error) {
	pc, a, err := cs.Find(ctx, a, n.CaseID)
	if err != nil {
		return lindungi.CaseNote{}, err
	}
	text := lindungi.TrimText(n.Text)
	if err := lindungi.CheckCaseNote(text); err != nil {
		return lindungi.CaseNote{}, err
	}
	if cs.Notes == nil {
		return lindungi.CaseNote{}, lindungi.Errorf(lindungi.EINTERNAL, "Case notes are not configured.")
	}
	return cs.Notes.AddCaseNote(ctx, pc.ID, text, a.Event(ctx))
}

// ListNotes returns the notes of a case the caller may read (Find), oldest
// first, at most limit (the newest), with the case and the decision that
// allowed the read, for its access event. ENOTFOUND for a case out of
// reach.
func (cs *Cases) ListNotes(ctx context.Context, a Actor, id uuid.UUID, limit int) ([]lindungi.CaseNote, lindungi.Case, Actor, error) {
	pc, a, err := cs.Find(ctx, a, id)
	if err != nil {
		return nil, lindungi.Case{}, a, err
	}
	if cs.Notes == nil {
		return nil, pc, a, lindungi.Errorf(lindungi.EINTERNAL, "Case notes are not configured.")
	}
	notes, err := cs.Notes.CaseNotes(ctx, pc.ID, limit)
	return notes, pc, a, err
}
