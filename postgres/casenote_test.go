package postgres_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// TestCaseNotes: a note is written with its audit event (the text in it)
// and the request's answer, in one transaction; bad text and unknown cases
// write nothing; notes list oldest first with their authors' names, and
// cannot be changed.
func TestCaseNotes(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	if err := db.UpsertUsers(ctx, []lindungi.User{{Subject: "user:siti", Name: "Siti Petugas", Unit: "3305", Roles: []string{"caseworker"}}}); err != nil {
		t.Fatal(err)
	}
	c := openCase(t, db, walkIn("3305"), "3305")
	other := openCase(t, db, walkIn("3305"), "3305")

	answer, _ := reserve(t, db, "note-1", "POST /v1/cases/"+c.ID.String()+"/notes", 201)
	first, err := db.AddCaseNote(answer, c.ID, "  Keluarga datang lagi.\r\nMembawa slip gaji.  ", clerk("req-note-1"))
	if err != nil {
		t.Fatal(err)
	}
	if first.Text != "Keluarga datang lagi.\nMembawa slip gaji." || first.Author != "user:siti" || first.AuthorUnit != "3305" ||
		first.AuthorRole != "caseworker" || first.CaseID != c.ID || !first.CreatedAt.Equal(t0) {
		t.Errorf("note = %+v", first)
	}
	if s := stored(t, db, "note-1"); s.Pending || s.Status != 201 || !jsonEqual(t, s.Body, first) {
		t.Errorf("stored answer %d %s, want 201 with the note", s.Status, s.Body)
	}
	evs := auditEvents(t, db, "case.note")
	if len(evs) != 1 {
		t.Fatalf("%d case.note events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.SubjectType != "case" || ev.SubjectID != c.ID.String() || ev.WorkerID != c.WorkerID.String() || ev.RequestID != "req-note-1" ||
		ev.After["text"] != first.Text || ev.After["note_id"] != first.ID.String() {
		t.Errorf("case.note event = %+v", ev)
	}

	db.Now = func() time.Time { return t0.Add(time.Minute) }
	if _, err := db.AddCaseNote(ctx, c.ID, "Majikan dihubungi lewat KBRI.", clerk("req-note-2")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddCaseNote(ctx, other.ID, "Catatan kasus lain.", clerk("req-note-3")); err != nil {
		t.Fatal(err)
	}

	// Refused: nothing written.
	before := count(t, db, `SELECT count(*) FROM audit_events`)
	for name, text := range map[string]string{"empty": "  \n ", "NUL": "ada\x00nol", "too long": strings.Repeat("a", lindungi.MaxCaseNote+1)} {
		if _, err := db.AddCaseNote(ctx, c.ID, text, clerk("req-bad")); !isInvalid(err, "text") {
			t.Errorf("%s note: %v, want EINVALID naming text", name, err)
		}
	}
	if _, err := db.AddCaseNote(ctx, uuid.New(), "Catatan untuk kasus yang tidak ada.", clerk("req-none")); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("a note on no case: %v, want ENOTFOUND", err)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events`); n != before {
		t.Errorf("refused notes wrote %d audit events", n-before)
	}

	notes, err := db.CaseNotes(ctx, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[0].ID != first.ID || notes[1].Text != "Majikan dihubungi lewat KBRI." || notes[0].AuthorName != "Siti Petugas" {
		t.Errorf("notes = %+v, want the two of this case, oldest first, with the author's name", notes)
	}
	if newest, _ := db.CaseNotes(ctx, c.ID, 1); len(newest) != 1 || newest[0].Text != "Majikan dihubungi lewat KBRI." {
		t.Errorf("the newest note = %+v", newest)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE case_notes SET text = 'diubah' WHERE id = $1`, first.ID); err == nil {
		t.Error("a note was changed")
	}
}

// TestCaseTimeline: the events about a case and those of its workflow,
// newest first, without the reads of it; and user names in one query.
func TestCaseTimeline(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3305"), "3305")
	openCase(t, db, walkIn("3305"), "3305") // another case: not in the timeline
	step := clerk("req-step")
	step.WorkflowID = c.WorkflowID
	if _, err := db.SetCaseStep(ctx, c.ID, lindungi.CaseVerification, step); err != nil {
		t.Fatal(err)
	}
	read := clerk("req-read")
	read.Action, read.SubjectType, read.SubjectID, read.WorkerID, read.Purpose = "access.case", "case", c.ID.String(), &c.WorkerID, "case-work"
	if err := db.RecordAccess(ctx, read); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddCaseNote(ctx, c.ID, "Pengadu dihubungi.", clerk("req-note")); err != nil {
		t.Fatal(err)
	}
	task := lindungi.Task{ID: uuid.New(), WorkflowID: c.WorkflowID, WorkerID: c.WorkerID, Kind: lindungi.TaskCaseHandling,
		Step: lindungi.StepCase, Unit: "3305", DueAt: t0.Add(72 * time.Hour), DueDate: "2026-12-28"}
	create := clerk("req-task")
	create.WorkflowID = c.WorkflowID
	if _, err := db.CreateTask(ctx, task, create); err != nil {
		t.Fatal(err)
	}

	evs, err := db.CaseTimeline(ctx, c.ID, c.WorkflowID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	if got, want := strings.Join(actions, " "), "task.create case.note case.step case.open"; got != want {
		t.Errorf("timeline = %s, want %s", got, want)
	}
	if evs, _ := db.CaseTimeline(ctx, c.ID, c.WorkflowID, 2); len(evs) != 2 || evs[0].Action != "task.create" {
		t.Errorf("the newest 2: %+v", evs)
	}

	if err := db.UpsertUsers(ctx, []lindungi.User{{Subject: "user:siti", Name: "Siti Petugas", Unit: "3305", Roles: []string{"caseworker"}}}); err != nil {
		t.Fatal(err)
	}
	names, err := db.UserNames(ctx, []string{"user:siti", "system:lindungi"})
	if err != nil || len(names) != 1 || names["user:siti"] != "Siti Petugas" {
		t.Errorf("UserNames = %v, %v", names, err)
	}
	if names, err := db.UserNames(ctx, nil); err != nil || len(names) != 0 {
		t.Errorf("no subjects: %v, %v", names, err)
	}
}

// TestListCasesByNumber: the number filter finds one case, in scope only.
func TestListCasesByNumber(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3305"), "3305")
	openCase(t, db, walkIn("3305"), "3305")
	got, err := db.ListCases(ctx, lindungi.Scope{Units: []string{"3305"}}, lindungi.CaseFilter{Number: c.Number})
	if err != nil || len(got) != 1 || got[0].ID != c.ID {
		t.Errorf("by number %s: %v, %v", c.Number, caseNumbers(got), err)
	}
	if got, _ := db.ListCases(ctx, lindungi.Scope{Units: []string{"3301"}}, lindungi.CaseFilter{Number: c.Number}); len(got) != 0 {
		t.Errorf("Cilacap finds Kebumen's case by number: %v", caseNumbers(got))
	}
	if got, _ := db.ListCases(ctx, lindungi.Scope{Units: []string{"3305"}}, lindungi.CaseFilter{Number: "PGD-33-2026-999999"}); len(got) != 0 {
		t.Errorf("an unknown number finds %v", caseNumbers(got))
	}
}
