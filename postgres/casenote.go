package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

// The notes of cases: written once, with their audit event, never changed.

type caseNoteRow struct {
	ID         uuid.UUID `db:"id"`
	CaseID     uuid.UUID `db:"case_id"`
	Text       string    `db:"text"`
	Author     string    `db:"author"`
	AuthorName string    `db:"author_name"`
	AuthorUnit string    `db:"author_unit"`
	AuthorRole string    `db:"author_role"`
	CreatedAt  time.Time `db:"created_at"`
}

func (r caseNoteRow) note() lindungi.CaseNote {
	return lindungi.CaseNote{ID: r.ID, CaseID: r.CaseID, Text: r.Text, Author: r.Author, AuthorName: r.AuthorName,
		AuthorUnit: r.AuthorUnit, AuthorRole: r.AuthorRole, CreatedAt: r.CreatedAt.UTC()}
}

const insertCaseNoteSQL = `
INSERT INTO case_notes (id, case_id, text, author, author_unit, author_role, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, case_id, text, author, '' AS author_name, author_unit, author_role, created_at`

// AddCaseNote writes a note on a case and its audit event (case.note, with
// the text), and the request's answer, in one transaction.
func (db *DB) AddCaseNote(ctx context.Context, caseID uuid.UUID, text string, ev lindungi.Event) (lindungi.CaseNote, error) {
	text = lindungi.TrimText(text)
	if err := lindungi.CheckCaseNote(text); err != nil {
		return lindungi.CaseNote{}, err
	}
	var out lindungi.CaseNote
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var workerID uuid.UUID
		if err := tx.GetContext(ctx, &workerID, `SELECT worker_id FROM cases WHERE id = $1`, caseID); err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
				return lindungi.Errorf(lindungi.ENOTFOUND, "Case not found.")
			}
			return fmt.Errorf("case of note: %w", translate(err))
		}
		now := db.Now().UTC().Truncate(time.Microsecond)
		var row caseNoteRow
		if err := tx.GetContext(ctx, &row, insertCaseNoteSQL, uuid.New(), caseID, text, ev.Actor, ev.ActorUnit,
			ev.ActorRole, now); err != nil {
			return fmt.Errorf("insert case note: %w", translate(err))
		}
		out = row.note()
		ev.OccurredAt, ev.Action = now, "case.note"
		ev.SubjectType, ev.SubjectID, ev.WorkerID = "case", caseID.String(), &workerID
		ev.After = mustJSON(map[string]any{"note_id": out.ID, "text": out.Text})
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return db.answer(ctx, tx, out)
	})
	return out, err
}

// caseNotesSQL: the newest $2 notes of case $1, with their authors' names.
const caseNotesSQL = `
SELECT * FROM (
    SELECT n.id, n.case_id, n.text, n.author, coalesce(u.name, '') AS author_name, n.author_unit, n.author_role, n.created_at
    FROM case_notes n LEFT JOIN users u ON u.subject = n.author
    WHERE n.case_id = $1
    ORDER BY n.created_at DESC, n.id DESC
    LIMIT $2) newest
ORDER BY created_at, id`

// CaseNotes returns a case's notes, oldest first: the newest limit of them
// (100 when limit is not 1 to 1000).
func (db *DB) CaseNotes(ctx context.Context, caseID uuid.UUID, limit int) ([]lindungi.CaseNote, error) {
	var rows []caseNoteRow
	if err := db.db.SelectContext(ctx, &rows, caseNotesSQL, caseID, pageSize(limit, 100, 1000)); err != nil {
		return nil, fmt.Errorf("case notes: %w", translate(err))
	}
	return convert(rows, caseNoteRow.note), nil
}
