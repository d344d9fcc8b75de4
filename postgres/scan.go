package postgres

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

var _ lindungi.ScanService = (*DB)(nil)

// scanRow is a row of document_scans without its content.
type scanRow struct {
	DocumentID  uuid.UUID `db:"document_id"`
	ContentType string    `db:"content_type"`
	Size        int       `db:"size"`
	SHA256      []byte    `db:"sha256"`
	UploadedBy  string    `db:"uploaded_by"`
	UploadedAt  time.Time `db:"uploaded_at"`
}

func (r scanRow) info() lindungi.ScanInfo {
	return lindungi.ScanInfo{DocumentID: r.DocumentID, ContentType: r.ContentType, Size: r.Size,
		SHA256: hex.EncodeToString(r.SHA256), UploadedBy: r.UploadedBy, UploadedAt: r.UploadedAt.UTC()}
}

const scanColumns = `document_id, content_type, size, sha256, uploaded_by, uploaded_at`

const upsertScanSQL = `
INSERT INTO document_scans (document_id, content_type, size, sha256, content, uploaded_by, uploaded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (document_id) DO UPDATE SET content_type = EXCLUDED.content_type, size = EXCLUDED.size,
    sha256 = EXCLUDED.sha256, content = EXCLUDED.content, uploaded_by = EXCLUDED.uploaded_by, uploaded_at = EXCLUDED.uploaded_at
RETURNING ` + scanColumns

// scanAudit is what the trail records of a scan: its type, size and
// digest, never its bytes.
func scanAudit(s lindungi.ScanInfo) map[string]any {
	return map[string]any{"content_type": s.ContentType, "size": s.Size, "sha256": s.SHA256}
}

// storeScan writes the scan of document d (replacing one it had, which
// before describes, or nil) and audits document.scan, inside tx.
func storeScan(ctx context.Context, tx *sqlx.Tx, d lindungi.Document, s lindungi.NewScan, before *scanRow, ev lindungi.Event, now time.Time) (lindungi.ScanInfo, error) {
	var row scanRow
	if err := tx.GetContext(ctx, &row, upsertScanSQL, d.ID, s.ContentType, len(s.Content), s.SHA256, s.Content, ev.Actor, now); err != nil {
		return lindungi.ScanInfo{}, fmt.Errorf("store scan of %s: %w", d.ID, translate(err))
	}
	info := row.info()
	ev.OccurredAt, ev.Action = now, "document.scan"
	ev.SubjectType, ev.SubjectID, ev.WorkerID = "document", d.ID.String(), &d.WorkerID
	if before != nil {
		ev.Before = mustJSON(scanAudit(before.info()))
	}
	after := scanAudit(info)
	after["type"] = d.Type
	ev.After = mustJSON(after)
	return info, insertEvent(ctx, tx, ev)
}

// AddDocumentWithScan adds a document whose file reference is its scan and
// stores the scan, with the audit events of both, in one transaction.
func (db *DB) AddDocumentWithScan(ctx context.Context, workerID uuid.UUID, nd lindungi.NewDocument, s lindungi.NewScan, ev lindungi.Event) (lindungi.Document, lindungi.ScanInfo, error) {
	nd.FileRef = lindungi.ScanRef(s.SHA256)
	var d lindungi.Document
	var info lindungi.ScanInfo
	err := db.addDocument(ctx, workerID, nd, ev, func(tx *sqlx.Tx, added lindungi.Document, now time.Time) (any, error) {
		var err error
		d = added
		info, err = storeScan(ctx, tx, added, s, nil, ev, now)
		return d, err
	})
	return d, info, err
}

// AttachScan stores the scan of a pending document and points its file
// reference at it, audited, with the answer of the request, in one
// transaction.
func (db *DB) AttachScan(ctx context.Context, id uuid.UUID, s lindungi.NewScan, ev lindungi.Event) (lindungi.ScanInfo, error) {
	var out lindungi.ScanInfo
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var row documentRow
		if err := tx.GetContext(ctx, &row, `SELECT `+documentColumns+` FROM documents WHERE id = $1 FOR UPDATE`, id); err != nil {
			if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
				return lindungi.Errorf(lindungi.ENOTFOUND, "Document not found.")
			}
			return fmt.Errorf("find document %s: %w", id, translate(err))
		}
		d := row.document()
		if d.Status != lindungi.DocPending {
			return lindungi.Errorf(lindungi.ECONFLICT, "The document is %s: its scan was decided on and stays; add a new document instead.", d.Status)
		}
		var old []scanRow
		if err := tx.SelectContext(ctx, &old, `SELECT `+scanColumns+` FROM document_scans WHERE document_id = $1`, id); err != nil {
			return fmt.Errorf("scan of %s: %w", id, translate(err))
		}
		var before *scanRow
		if len(old) == 1 {
			before = &old[0]
		}
		now := db.Now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET file_ref = $2 WHERE id = $1`, id, lindungi.ScanRef(s.SHA256)); err != nil {
			return fmt.Errorf("file reference of %s: %w", id, translate(err))
		}
		var err error
		if out, err = storeScan(ctx, tx, d, s, before, ev, now); err != nil {
			return err
		}
		return db.answer(ctx, tx, out)
	})
	return out, err
}

// FindScan returns a document's scan with its bytes.
func (db *DB) FindScan(ctx context.Context, id uuid.UUID) (lindungi.Scan, error) {
	var row struct {
		scanRow
		Content []byte `db:"content"`
	}
	if err := db.db.GetContext(ctx, &row, `SELECT `+scanColumns+`, content FROM document_scans WHERE document_id = $1`, id); err != nil {
		if lindungi.ErrorCode(translate(err)) == lindungi.ENOTFOUND {
			return lindungi.Scan{}, lindungi.Errorf(lindungi.ENOTFOUND, "The document has no scan.")
		}
		return lindungi.Scan{}, fmt.Errorf("scan of %s: %w", id, translate(err))
	}
	return lindungi.Scan{ScanInfo: row.info(), Content: row.Content}, nil
}

// ScansOf returns what is known of the scans of a worker's documents, by
// document ID, in one query.
func (db *DB) ScansOf(ctx context.Context, workerID uuid.UUID) (map[uuid.UUID]lindungi.ScanInfo, error) {
	var rows []scanRow
	if err := db.db.SelectContext(ctx, &rows, `
SELECT s.document_id, s.content_type, s.size, s.sha256, s.uploaded_by, s.uploaded_at
FROM document_scans s JOIN documents d ON d.id = s.document_id
WHERE d.worker_id = $1`, workerID); err != nil {
		return nil, fmt.Errorf("scans of %s: %w", workerID, translate(err))
	}
	out := make(map[uuid.UUID]lindungi.ScanInfo, len(rows))
	for _, r := range rows {
		out[r.DocumentID] = r.info()
	}
	return out, nil
}

// scanUploader is who uploaded the scan of document id, or "" if it has
// none, read inside tx.
func scanUploader(ctx context.Context, tx *sqlx.Tx, id uuid.UUID) (string, error) {
	var by []string
	if err := tx.SelectContext(ctx, &by, `SELECT uploaded_by FROM document_scans WHERE document_id = $1`, id); err != nil {
		return "", fmt.Errorf("scan uploader of %s: %w", id, translate(err))
	}
	if len(by) == 0 {
		return "", nil
	}
	return by[0], nil
}
