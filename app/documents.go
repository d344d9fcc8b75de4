package app

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// Documents keeps workers' documents: added, verified by a second person,
// or rejected with a reason.
type Documents struct {
	Store   DocumentStore
	Workers WorkerFinder
	Access  *Access
	Now     func() time.Time
}

// Add adds a document to a worker in the caller's reach; a current
// document of the same type is superseded and kept. ENOTFOUND for a
// worker out of reach, then EINVALID naming bad fields.
func (ds *Documents) Add(ctx context.Context, a Actor, workerID uuid.UUID, nd lindungi.NewDocument) (lindungi.Document, error) {
	w, a, err := findWorker(ctx, ds.Workers, ds.Access, a, workerID)
	if err != nil {
		return lindungi.Document{}, err
	}
	nd.Normalize()
	if err := nd.Validate(clock(ds.Now).In(lindungi.WIB)); err != nil {
		return lindungi.Document{}, err
	}
	return ds.Store.AddDocument(ctx, w.ID, nd, a.Event(ctx))
}

// List returns a worker's current documents (and the superseded ones when
// asked), with the decision that let the caller read them. ENOTFOUND for a
// worker out of reach.
func (ds *Documents) List(ctx context.Context, a Actor, workerID uuid.UUID, superseded bool) ([]lindungi.Document, Actor, error) {
	w, a, err := findWorker(ctx, ds.Workers, ds.Access, a, workerID)
	if err != nil {
		return nil, a, err
	}
	docs, err := ds.Store.ListDocuments(ctx, w.ID, superseded)
	return docs, a, err
}

// Verify records that the caller verified a pending document. EFORBIDDEN
// for the person who added it (four-eyes rule), ECONFLICT for a document
// decided or superseded already.
func (ds *Documents) Verify(ctx context.Context, a Actor, id uuid.UUID) (lindungi.Document, error) {
	d, a, err := ds.find(ctx, a, id)
	if err != nil {
		return lindungi.Document{}, err
	}
	return ds.Store.VerifyDocument(ctx, d.ID, a.Event(ctx))
}

// Reject records that the caller rejected a pending document for a reason;
// the worker's file then needs a new document of the type. ENOTFOUND for a
// document out of reach, then EINVALID for a bad reason.
func (ds *Documents) Reject(ctx context.Context, a Actor, id uuid.UUID, reason string) (lindungi.Document, error) {
	d, a, err := ds.find(ctx, a, id)
	if err != nil {
		return lindungi.Document{}, err
	}
	reason = lindungi.TrimText(reason)
	if err := lindungi.CheckReason("reason", reason); err != nil {
		return lindungi.Document{}, err
	}
	return ds.Store.RejectDocument(ctx, d.ID, reason, a.Event(ctx))
}

// find loads a document if a reaches its worker's records (the worker's
// domicile unit). ENOTFOUND otherwise.
func (ds *Documents) find(ctx context.Context, a Actor, id uuid.UUID) (lindungi.Document, Actor, error) {
	d, err := ds.Store.FindDocument(ctx, id)
	if err != nil {
		return lindungi.Document{}, a, err
	}
	w, err := ds.Workers.FindWorker(ctx, d.WorkerID)
	if err != nil {
		return lindungi.Document{}, a, err
	}
	a, err = ds.Access.Visible(ctx, a, w.DomicileUnit, w.ID, "Document not found.")
	return d, a, err
}

// AddWithScan adds a document to a worker in the caller's reach with the
// scan uploaded with it (content): the document's file reference is the
// scan (lindungi.ScanRef), and both are written in one transaction with
// their audit events. ENOTFOUND for a worker out of reach, then EINVALID
// naming the bad fields of the document and of the file (field "file":
// empty, or not a PDF, JPEG or PNG by its bytes), ETOOLARGE for a file
// over lindungi.MaxScanSize.
func (ds *Documents) AddWithScan(ctx context.Context, a Actor, workerID uuid.UUID, nd lindungi.NewDocument, content []byte) (lindungi.Document, lindungi.ScanInfo, error) {
	w, a, err := findWorker(ctx, ds.Workers, ds.Access, a, workerID)
	if err != nil {
		return lindungi.Document{}, lindungi.ScanInfo{}, err
	}
	scan, scanErr := lindungi.SniffScan("file", content)
	if lindungi.ErrorCode(scanErr) == lindungi.ETOOLARGE {
		return lindungi.Document{}, lindungi.ScanInfo{}, scanErr
	}
	nd.Normalize()
	nd.FileRef = lindungi.ScanRef(scan.SHA256)
	var v lindungi.Validation
	v.Merge(nd.Validate(clock(ds.Now).In(lindungi.WIB)))
	v.Merge(scanErr)
	if err := v.Err(); err != nil {
		return lindungi.Document{}, lindungi.ScanInfo{}, err
	}
	return ds.Store.AddDocumentWithScan(ctx, w.ID, nd, scan, a.Event(ctx))
}

// Attach stores the scan (content) of a pending document in the caller's
// reach, replacing the one it had; the document's file reference becomes
// the scan. ENOTFOUND for a document out of reach, then EINVALID (field
// "file") or ETOOLARGE for the file, ECONFLICT for a document verified,
// rejected or superseded.
func (ds *Documents) Attach(ctx context.Context, a Actor, id uuid.UUID, content []byte) (lindungi.ScanInfo, error) {
	d, a, err := ds.find(ctx, a, id)
	if err != nil {
		return lindungi.ScanInfo{}, err
	}
	scan, err := lindungi.SniffScan("file", content)
	if err != nil {
		return lindungi.ScanInfo{}, err
	}
	return ds.Store.AttachScan(ctx, d.ID, scan, a.Event(ctx))
}

// Scan returns the scan of a document in the caller's reach, with the
// document and the decision that allowed the read (which the caller logs
// with its purpose before it serves the bytes). ENOTFOUND for a document
// out of reach or without a scan.
func (ds *Documents) Scan(ctx context.Context, a Actor, id uuid.UUID) (lindungi.Scan, lindungi.Document, Actor, error) {
	d, a, err := ds.find(ctx, a, id)
	if err != nil {
		return lindungi.Scan{}, lindungi.Document{}, a, err
	}
	s, err := ds.Store.FindScan(ctx, d.ID)
	return s, d, a, err
}

// Scans returns what is known of the scans of the documents of a worker in
// the caller's reach, by document ID. ENOTFOUND for a worker out of reach.
func (ds *Documents) Scans(ctx context.Context, a Actor, workerID uuid.UUID) (map[uuid.UUID]lindungi.ScanInfo, error) {
	w, _, err := findWorker(ctx, ds.Workers, ds.Access, a, workerID)
	if err != nil {
		return nil, err
	}
	return ds.Store.ScansOf(ctx, w.ID)
}
