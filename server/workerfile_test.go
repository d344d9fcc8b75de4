package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// The fakes and helpers of the rest of the worker file: corrections,
// timelines and scans.

// testPDF is the start of a PDF file: enough for http.DetectContentType.
var testPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// rawBodies are the bodies of the routes that take raw bytes, keyed by
// "METHOD /path".
var rawBodies = map[string][]byte{"PUT /v1/documents/:id/file": testPDF}

// The matrix rows of the worker file: a change by those who work records
// (status on success), and a read everyone with a role may do (auditors
// with a purpose), each on a worker of 3305.
func workerFileChange(ok string) map[string]string {
	row := ok + " " + ok + " 404 " + ok
	return map[string]string{
		"caseworker": row, "verifier": row, "supervisor": row, "province_supervisor": row, "bp3mi_officer": row,
		"bp3mi_head": row, "national_officer": row, "auditor": "403 403 403 403", "admin": row,
	}
}

var workerFileRead = map[string]string{
	"caseworker": "200 200 404 200", "verifier": "200 200 404 200", "supervisor": "200 200 404 200",
	"province_supervisor": "200 200 404 200", "bp3mi_officer": "200 200 404 200", "bp3mi_head": "200 200 404 200",
	"national_officer": "200 200 404 200", "auditor": "200 200 404 200", "admin": "200 200 404 200",
}

// multipartPost makes req a multipart form post of form with one file.
func multipartPost(req *http.Request, form url.Values, field, name string, content []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if field != "" {
		fw, _ := mw.CreateFormFile(field, name)
		fw.Write(content)
	}
	mw.Close()
	req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(buf.Bytes())), int64(buf.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
}

// workerFiles is what the fake store keeps of corrections and scans.
type workerFiles struct {
	corrections []lindungi.WorkerCorrection
	events      []lindungi.Event
	scans       map[uuid.UUID]lindungi.Scan
	added       []lindungi.NewDocument
	timeline    []lindungi.TimelineEntry
}

func (f *fakeStore) CorrectWorker(_ context.Context, id uuid.UUID, c lindungi.WorkerCorrection, ev lindungi.Event) (lindungi.Worker, error) {
	w, err := f.FindWorker(context.Background(), id)
	if err != nil {
		return w, err
	}
	c.Normalize()
	after, _, err := c.Check(w)
	if err != nil {
		return w, err
	}
	f.files.corrections = append(f.files.corrections, c)
	f.files.events = append(f.files.events, ev)
	return after, nil
}

func (f *fakeStore) WorkerTimeline(context.Context, uuid.UUID, int) ([]lindungi.TimelineEntry, error) {
	return f.files.timeline, nil
}

// scanOf is a scan as the store keeps it.
func scanOf(id uuid.UUID, s lindungi.NewScan, by string) lindungi.Scan {
	return lindungi.Scan{ScanInfo: lindungi.ScanInfo{DocumentID: id, ContentType: s.ContentType, Size: len(s.Content),
		SHA256: hex.EncodeToString(s.SHA256), UploadedBy: by, UploadedAt: time.Now().UTC()}, Content: s.Content}
}

func (f *fakeStore) AddDocumentWithScan(ctx context.Context, workerID uuid.UUID, nd lindungi.NewDocument, s lindungi.NewScan, ev lindungi.Event) (lindungi.Document, lindungi.ScanInfo, error) {
	d, err := f.AddDocument(ctx, workerID, nd, ev)
	if err != nil {
		return d, lindungi.ScanInfo{}, err
	}
	f.files.added = append(f.files.added, nd)
	scan := scanOf(d.ID, s, ev.Actor)
	f.scan()[d.ID] = scan
	return d, scan.ScanInfo, nil
}

func (f *fakeStore) AttachScan(_ context.Context, id uuid.UUID, s lindungi.NewScan, ev lindungi.Event) (lindungi.ScanInfo, error) {
	if id != f.document.ID {
		return lindungi.ScanInfo{}, lindungi.Errorf(lindungi.ENOTFOUND, "Document not found.")
	}
	scan := scanOf(id, s, ev.Actor)
	f.scan()[id] = scan
	return scan.ScanInfo, nil
}

// scan is the store's scans; the document of the store has one, uploaded
// by the person who added it.
func (f *fakeStore) scan() map[uuid.UUID]lindungi.Scan {
	if f.files.scans == nil {
		sum := sha256.Sum256(testPDF)
		f.files.scans = map[uuid.UUID]lindungi.Scan{f.document.ID: scanOf(f.document.ID,
			lindungi.NewScan{ContentType: lindungi.ScanPDF, SHA256: sum[:], Content: testPDF}, f.document.CreatedBy)}
	}
	return f.files.scans
}

func (f *fakeStore) FindScan(_ context.Context, id uuid.UUID) (lindungi.Scan, error) {
	s, ok := f.scan()[id]
	if !ok {
		return s, lindungi.Errorf(lindungi.ENOTFOUND, "The document has no scan.")
	}
	return s, nil
}

func (f *fakeStore) ScansOf(context.Context, uuid.UUID) (map[uuid.UUID]lindungi.ScanInfo, error) {
	out := map[uuid.UUID]lindungi.ScanInfo{}
	for id, s := range f.scan() {
		out[id] = s.ScanInfo
	}
	return out, nil
}
