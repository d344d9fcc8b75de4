package postgres_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
)

var (
	scanPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	scanPNG = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 32)...)
)

func sniff(t *testing.T, content []byte) lindungi.NewScan {
	t.Helper()
	s, err := lindungi.SniffScan("file", content)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDocumentScans: a document added with its scan refers to it; the scan
// is served back byte for byte with its sniffed type; a pending document's
// scan is replaced, audited with the one it replaced; the uploader may not
// verify; a decided document's scan stays.
func TestDocumentScans(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")

	ktp := lindungi.NewDocument{Type: lindungi.DocKTP, Number: w.NIK}
	d, info, err := db.AddDocumentWithScan(ctx, w.ID, ktp, sniff(t, scanPDF), clerk("req-upload"))
	if err != nil {
		t.Fatal(err)
	}
	if d.FileRef != lindungi.ScanRef(sniff(t, scanPDF).SHA256) || info.ContentType != lindungi.ScanPDF || info.Size != len(scanPDF) ||
		info.UploadedBy != "user:siti" || info.DocumentID != d.ID {
		t.Errorf("added %+v with scan %+v", d, info)
	}
	got, err := db.FindScan(ctx, d.ID)
	if err != nil || !bytes.Equal(got.Content, scanPDF) || got.ScanInfo != info {
		t.Errorf("FindScan = %+v %v", got.ScanInfo, err)
	}
	scans, err := db.ScansOf(ctx, w.ID)
	if err != nil || len(scans) != 1 || scans[d.ID] != info {
		t.Errorf("ScansOf = %v %v", scans, err)
	}
	evs := auditEvents(t, db, "document.scan")
	if len(evs) != 1 || evs[0].After["content_type"] != lindungi.ScanPDF || evs[0].After["type"] != "KTP" ||
		evs[0].After["sha256"] != info.SHA256 || evs[0].Before != nil || evs[0].RequestID != "req-upload" {
		t.Errorf("document.scan events: %+v", evs)
	}
	if n := len(auditEvents(t, db, "document.add")); n != 1 {
		t.Errorf("%d document.add events, want 1", n)
	}

	// Replaced while pending, by a second person, who then may not verify
	// it either; the first person neither.
	again, err := db.AttachScan(ctx, d.ID, sniff(t, scanPNG), officer("req-replace"))
	if err != nil || again.ContentType != lindungi.ScanPNG || again.UploadedBy != "user:budi" {
		t.Fatalf("AttachScan = %+v %v", again, err)
	}
	if evs := auditEvents(t, db, "document.scan"); len(evs) != 2 || evs[1].Before["sha256"] != info.SHA256 {
		t.Errorf("the replacement's event does not name the scan replaced: %+v", evs)
	}
	for _, who := range []lindungi.Event{clerk("req-v1"), officer("req-v2")} {
		if _, err := db.VerifyDocument(ctx, d.ID, who); lindungi.ErrorCode(err) != lindungi.EFORBIDDEN {
			t.Errorf("verify by %s: %v, want EFORBIDDEN", who.Actor, err)
		}
	}
	third := lindungi.Event{Actor: "user:kepala", ActorUnit: "3305", ActorRole: "supervisor", RequestID: "req-v3"}
	if _, err := db.VerifyDocument(ctx, d.ID, third); err != nil {
		t.Fatalf("verify by a third person: %v", err)
	}
	_, err = db.AttachScan(ctx, d.ID, sniff(t, scanPDF), clerk("req-late"))
	if lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("a scan for a verified document: %v, want ECONFLICT", err)
	}
	if got, _ := db.FindScan(ctx, d.ID); !bytes.Equal(got.Content, scanPNG) {
		t.Error("the verified scan changed")
	}

	// A document without a scan has none to find.
	plain := addDoc(t, db, w, passport("C1234567", "2026-01-05", "2031-01-05"))
	if _, err := db.FindScan(ctx, plain.ID); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("FindScan of a document without a scan: %v", err)
	}
}

// TestDocumentWithScanRefusedWritesNothing: a document the store refuses
// leaves no scan and no event behind.
func TestDocumentWithScanRefusedWritesNothing(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	w := register(t, db, "3305011508950001", "3305")
	_, _, err := db.AddDocumentWithScan(t.Context(), w.ID, lindungi.NewDocument{Type: lindungi.DocPassport, Number: "C1234567"},
		sniff(t, scanPDF), clerk("req-bad"))
	if code, fields := errorFields(err); code != lindungi.EINVALID || !cmp.Equal(fields, []string{"expires_on"}) {
		t.Errorf("a passport without expiry: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM document_scans`) + count(t, db, `SELECT count(*) FROM documents`) +
		count(t, db, `SELECT count(*) FROM audit_events WHERE action LIKE 'document.%'`); n != 0 {
		t.Errorf("%d rows written by a refused upload", n)
	}
}
