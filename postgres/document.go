package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
)

var _ lindungi.DocumentService = (*DB)(nil)

type documentRow struct {
	ID             uuid.UUID  `db:"id"`
	WorkerID       uuid.UUID  `db:"worker_id"`
	Type           string     `db:"type"`
	Number         string     `db:"number"`
	IssuedOn       *time.Time `db:"issued_on"`
	ExpiresOn      *time.Time `db:"expires_on"`
	FileRef        string     `db:"file_ref"`
	CreatedBy      string     `db:"created_by"`
	CreatedAt      time.Time  `db:"created_at"`
	VerifiedBy     *string    `db:"verified_by"`
	VerifiedAt     *time.Time `db:"verified_at"`
	RejectedBy     *string    `db:"rejected_by"`
	RejectedAt     *time.Time `db:"rejected_at"`
	RejectedReason *string    `db:"rejected_reason"`
	SupersededAt   *time.Time `db:"superseded_at"`
	SupersededBy   *uuid.UUID `db:"superseded_by"`
}

func (r documentRow) document() lindungi.Document {
	d := lindungi.Document{
		ID: r.ID, WorkerID: r.WorkerID, Type: lindungi.DocType(r.Type), TypeLabel: lindungi.DocType(r.Type).Label(),
		Number: r.Number, IssuedOn: dateString(r.IssuedOn), ExpiresOn: dateString(r.ExpiresOn), FileRef: r.FileRef,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), VerifiedBy: deref(r.VerifiedBy), VerifiedAt: utc(r.VerifiedAt),
		RejectedBy: deref(r.RejectedBy), RejectedAt: utc(r.RejectedAt), RejectedReason: deref(r.RejectedReason),
		SupersededAt: utc(r.SupersededAt), SupersededBy: r.SupersededBy,
	}
	d.Status = d.CurrentStatus()
	return d
}

const documentColumns = `id, worker_id, type, number, issued_on, expires_on, file_ref, created_by, created_at,
    verified_by, verified_at, rejected_by, rejected_at, rejected_reason, superseded_at, superseded_by`

// docTypeOrder is the order of DocTypes, for ORDER BY array_position.
var docTypeOrder = func() pq.StringArray {
	out := make(pq.StringArray, len(lindungi.DocTypes))
	for i, t := range lindungi.DocTypes {
		out[i] = string(t)
	}
	return out
}()

// docAudit is what the trail records of a document: its type and dates,
// never its number or file reference.
func docAudit(d lindungi.Document) map[string]any {
	m := map[string]any{"type": d.Type, "status": d.Status}
	if d.IssuedOn != "" {
		m["issued_on"] = d.IssuedOn
	}
	if d.ExpiresOn != "" {
		m["expires_on"] = d.ExpiresOn
	}
	return m
}

const supersedeDocumentSQL = `
UPDATE documents SET superseded_at = $3, superseded_by = $4
WHERE worker_id = $1 AND type = $2 AND superseded_at IS NULL
RETURNING ` + documentColumns

const insertDocumentSQL = `
INSERT INTO documents (id, worker_id, type, number, issued_on, expires_on, file_ref, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING ` + documentColumns

// AddDocument adds a document to a worker, superseding the current one of
// the same type, with its audit events (document.add and, for the old one,
// document.supersede) and the answer of the request that added it
// (lindungi.NewContextWithAnswer) in one transaction.
func (db *DB) AddDocument(ctx context.Context, workerID uuid.UUID, nd lindungi.NewDocument, ev lindungi.Event) (lindungi.Document, error) {
	var out lindungi.Document
	err := db.addDocument(ctx, workerID, nd, ev, func(_ *sqlx.Tx, d lindungi.Document, _ time.Time) (any, error) {
		out = d
		return d, nil
	})
	return out, err
}

// addDocument adds a document as AddDocument describes, then runs then in
// the same transaction with the document added and the time of the
// change; what then returns is stored as the request's answer.
func (db *DB) addDocument(ctx context.Context, workerID uuid.UUID, nd lindungi.NewDocument, ev lindungi.Event,
	then func(tx *sqlx.Tx, d lindungi.Document, now time.Time) (any, error)) error {
	nd.Normalize()
	now := db.Now().UTC()
	if err := nd.Validate(now.In(lindungi.WIB)); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		// Locking the worker serializes additions to one worker, so two
		// documents of a type added at once supersede one another in turn.
		var locked uuid.UUID
		if err := tx.GetContext(ctx, &locked, `SELECT id FROM workers WHERE id = $1 FOR NO KEY UPDATE`, workerID); err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
				return lindungi.Errorf(lindungi.ENOTFOUND, "Worker not found.")
			}
			return fmt.Errorf("lock worker %s: %w", workerID, translate(err))
		}
		id := uuid.New()
		var old []documentRow
		if err := tx.SelectContext(ctx, &old, supersedeDocumentSQL, workerID, string(nd.Type), now, id); err != nil {
			return fmt.Errorf("supersede %s: %w", nd.Type, translate(err))
		}
		var row documentRow
		if err := tx.GetContext(ctx, &row, insertDocumentSQL, id, workerID, string(nd.Type), nd.Number,
			nullString(nd.IssuedOn), nullString(nd.ExpiresOn), nd.FileRef, ev.Actor, now); err != nil {
			return fmt.Errorf("insert document: %w", translate(err))
		}
		out := row.document()

		ev.OccurredAt = now
		ev.WorkerID = &workerID
		add := ev
		add.Action = "document.add"
		add.SubjectType, add.SubjectID = "document", id.String()
		after := docAudit(out)
		after["fields"] = []string{"number", "file_ref"} // set, but not recorded here
		if len(old) > 0 {
			after["supersedes"] = old[0].ID
		}
		add.After = mustJSON(after)
		if err := insertEvent(ctx, tx, add); err != nil {
			return err
		}
		for _, o := range old {
			prev := o
			prev.SupersededAt, prev.SupersededBy = nil, nil
			sup := ev
			sup.Action = "document.supersede"
			sup.SubjectType, sup.SubjectID = "document", o.ID.String()
			sup.Before = mustJSON(docAudit(prev.document()))
			sup.After = mustJSON(map[string]any{"status": lindungi.DocSuperseded, "superseded_by": id})
			if err := insertEvent(ctx, tx, sup); err != nil {
				return err
			}
		}
		answer, err := then(tx, out, now)
		if err != nil {
			return err
		}
		return db.answer(ctx, tx, answer)
	})
}

// VerifyDocument records that ev.Actor verified a document, with its audit
// event (document.verify). Neither the person who added the document nor
// the one who uploaded its scan may.
func (db *DB) VerifyDocument(ctx context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Document, error) {
	return db.decideDocument(ctx, id, ev, "document.verify", func(ctx context.Context, tx *sqlx.Tx, d lindungi.Document) error {
		if err := d.CheckVerify(ev.Actor); err != nil {
			return err
		}
		by, err := scanUploader(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		return lindungi.CheckVerifyScan(by, ev.Actor)
	},
		`UPDATE documents SET verified_by = $2, verified_at = $3 WHERE id = $1 RETURNING `+documentColumns, ev.Actor)
}

// RejectDocument records that ev.Actor rejected a document for reason, with
// its audit event (document.reject).
func (db *DB) RejectDocument(ctx context.Context, id uuid.UUID, reason string, ev lindungi.Event) (lindungi.Document, error) {
	reason = strings.TrimSpace(reason)
	if err := lindungi.CheckReason("reason", reason); err != nil {
		return lindungi.Document{}, err
	}
	return db.decideDocument(ctx, id, ev, "document.reject", func(_ context.Context, _ *sqlx.Tx, d lindungi.Document) error { return d.CheckReject() },
		`UPDATE documents SET rejected_by = $2, rejected_at = $3, rejected_reason = $4 WHERE id = $1 RETURNING `+documentColumns,
		ev.Actor, reason)
}

// decideDocument locks a document, lets check refuse, runs update with the
// ID, the actor, the time and args, audits action and stores the answer of
// the request that decided (lindungi.NewContextWithAnswer).
func (db *DB) decideDocument(ctx context.Context, id uuid.UUID, ev lindungi.Event, action string,
	check func(context.Context, *sqlx.Tx, lindungi.Document) error, update, actor string, args ...any) (lindungi.Document, error) {
	var out lindungi.Document
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var row documentRow
		if err := tx.GetContext(ctx, &row, `SELECT `+documentColumns+` FROM documents WHERE id = $1 FOR UPDATE`, id); err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
				return lindungi.Errorf(lindungi.ENOTFOUND, "Document not found.")
			}
			return fmt.Errorf("find document %s: %w", id, translate(err))
		}
		before := row.document()
		if err := check(ctx, tx, before); err != nil {
			return err
		}
		now := db.Now().UTC()
		if err := tx.GetContext(ctx, &row, update, append([]any{id, actor, now}, args...)...); err != nil {
			return fmt.Errorf("%s %s: %w", action, id, translate(err))
		}
		out = row.document()
		ev.OccurredAt = now
		ev.Action = action
		ev.SubjectType, ev.SubjectID, ev.WorkerID = "document", id.String(), &out.WorkerID
		ev.Before = mustJSON(map[string]any{"status": before.Status})
		after := docAudit(out)
		if out.RejectedReason != "" {
			// The reason is free text; keep the number out of the trail even
			// when the reason quotes it.
			after["reason"] = strings.ReplaceAll(out.RejectedReason, out.Number, "[nomor]")
		}
		ev.After = mustJSON(after)
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return db.answer(ctx, tx, out)
	})
	return out, err
}

// ListDocuments returns a worker's current documents, and superseded ones
// if includeSuperseded, in the order of lindungi.DocTypes and newest first
// within a type.
func (db *DB) ListDocuments(ctx context.Context, workerID uuid.UUID, includeSuperseded bool) ([]lindungi.Document, error) {
	var rows []documentRow
	err := db.db.SelectContext(ctx, &rows, `SELECT `+documentColumns+` FROM documents
WHERE worker_id = $1 AND ($2 OR superseded_at IS NULL)
ORDER BY array_position($3::text[], type), created_at DESC, id`, workerID, includeSuperseded, docTypeOrder)
	if err != nil {
		return nil, fmt.Errorf("list documents of %s: %w", workerID, translate(err))
	}
	return convert(rows, documentRow.document), nil
}

// FindDocument returns a document by ID.
func (db *DB) FindDocument(ctx context.Context, id uuid.UUID) (lindungi.Document, error) {
	var row documentRow
	if err := db.db.GetContext(ctx, &row, `SELECT `+documentColumns+` FROM documents WHERE id = $1`, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Document{}, lindungi.Errorf(lindungi.ENOTFOUND, "Document not found.")
		}
		return lindungi.Document{}, fmt.Errorf("find document %s: %w", id, translate(err))
	}
	return row.document(), nil
}

// MissingDocuments names each required type whose current document is
// missing, rejected, expired at at, or unverified.
func (db *DB) MissingDocuments(ctx context.Context, workerID uuid.UUID, required []lindungi.DocType, at time.Time) ([]lindungi.DocumentProblem, error) {
	if err := lindungi.CheckDocTypes("required", required); err != nil {
		return nil, err
	}
	if _, err := db.FindWorker(ctx, workerID); err != nil {
		return nil, err
	}
	current, err := db.ListDocuments(ctx, workerID, false)
	if err != nil {
		return nil, err
	}
	return lindungi.DocumentProblems(current, required, at), nil
}

// ExpiringDocuments returns the current documents of types that stop being
// valid at or before the instant before, in the order of lindungi.DocTypes.
func (db *DB) ExpiringDocuments(ctx context.Context, workerID uuid.UUID, types []lindungi.DocType, before time.Time) ([]lindungi.Document, error) {
	if err := lindungi.CheckDocTypes("types", types); err != nil {
		return nil, err
	}
	current, err := db.ListDocuments(ctx, workerID, false)
	if err != nil {
		return nil, err
	}
	out := []lindungi.Document{}
	for _, d := range current {
		for _, t := range types {
			if d.Type == t && d.ExpiresBefore(before) {
				out = append(out, d)
				break
			}
		}
	}
	return out, nil
}
