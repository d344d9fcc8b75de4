package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
)

// noteStore holds one case and the notes written on it.
type noteStore struct {
	store
	pcase lindungi.Case
	notes []lindungi.CaseNote
}

func (s *noteStore) FindCase(_ context.Context, id uuid.UUID) (lindungi.Case, error) {
	if id != s.pcase.ID {
		return lindungi.Case{}, lindungi.Errorf(lindungi.ENOTFOUND, "Case not found.")
	}
	return s.pcase, nil
}

func (s *noteStore) AddCaseNote(_ context.Context, caseID uuid.UUID, text string, ev lindungi.Event) (lindungi.CaseNote, error) {
	n := lindungi.CaseNote{ID: uuid.New(), CaseID: caseID, Text: text, Author: ev.Actor, AuthorUnit: ev.ActorUnit, AuthorRole: ev.ActorRole}
	s.notes = append(s.notes, n)
	return n, nil
}

func (s *noteStore) CaseNotes(_ context.Context, caseID uuid.UUID, _ int) ([]lindungi.CaseNote, error) {
	return s.notes, nil
}

// TestCaseNotes: a unit that may read the case writes a note (trimmed,
// under the route's decision); one that may not learns nothing, not even
// what is wrong with its text; a bad text writes nothing.
func TestCaseNotes(t *testing.T) {
	s := &noteStore{store: store{workers: map[uuid.UUID]lindungi.Worker{}}}
	s.pcase = lindungi.Case{ID: uuid.New(), WorkerID: uuid.New(), IntakeUnit: "3329", OwnerUnit: "33", ReadUnits: []string{"3329"}}
	_, cases := services(t, &s.store, &flows{}, time.Now)
	cases.Store, cases.Notes = s, s
	ctx := context.Background()
	actor := func(unit string) app.Actor {
		t.Helper()
		a, err := cases.Access.Route(lindungi.Principal{Subject: "cw-" + unit, Unit: unit, Roles: []string{lindungi.RoleCaseworker}},
			"/v1/cases/:id/notes", "POST")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	// Brebes took the complaint in; the province owns it now: both may write.
	for _, unit := range []string{"3329", "33"} {
		n, err := cases.AddNote(ctx, actor(unit), app.NewCaseNote{CaseID: s.pcase.ID, Text: "  Keluarga menelepon.\r\n"})
		if err != nil || n.Text != "Keluarga menelepon." || n.Author != "cw-"+unit || n.AuthorRole != lindungi.RoleCaseworker {
			t.Errorf("note by %s = %+v, %v", unit, n, err)
		}
	}
	// Cilacap may not read the case: not found, whatever the text.
	for _, text := range []string{"Catatan dari Cilacap.", "a\x00b"} {
		if _, err := cases.AddNote(ctx, actor("3301"), app.NewCaseNote{CaseID: s.pcase.ID, Text: text}); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
			t.Errorf("Cilacap's note %q: %v, want ENOTFOUND", text, err)
		}
	}
	if _, err := cases.AddNote(ctx, actor("3329"), app.NewCaseNote{CaseID: s.pcase.ID, Text: "a\x00b"}); !fieldErr(err, "text") {
		t.Errorf("a NUL in the note: %v, want EINVALID naming text", err)
	}
	if len(s.notes) != 2 {
		t.Errorf("%d notes written, want the two allowed", len(s.notes))
	}
	if notes, pc, _, err := cases.ListNotes(ctx, actor("33"), s.pcase.ID, 0); err != nil || len(notes) != 2 || pc.ID != s.pcase.ID {
		t.Errorf("Notes = %d, %v", len(notes), err)
	}
	if _, _, _, err := cases.ListNotes(ctx, actor("3301"), s.pcase.ID, 0); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("Cilacap reading the notes: %v, want ENOTFOUND", err)
	}
}

// fieldErr reports whether err is EINVALID naming field.
func fieldErr(err error, field string) bool {
	e, ok := err.(*lindungi.Error)
	return ok && e.Code == lindungi.EINVALID && len(e.Fields) == 1 && e.Fields[0].Field == field
}
