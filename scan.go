package lindungi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// MaxScanSize is the largest scan of a document: 10 MiB, enough for a
// several-page PDF or a phone photo of a passport.
const MaxScanSize = 10 << 20

// The types of scan accepted: what http.DetectContentType says the bytes
// are (the client's Content-Type and file name are never trusted).
const (
	ScanPDF  = "application/pdf"
	ScanJPEG = "image/jpeg"
	ScanPNG  = "image/png"
)

// ScanInfo is what is known of a document's scan without its bytes.
type ScanInfo struct {
	DocumentID  uuid.UUID `json:"document_id"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"` // hex
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// Extension is the file name extension of the scan's type.
func (s ScanInfo) Extension() string {
	switch s.ContentType {
	case ScanPDF:
		return ".pdf"
	case ScanJPEG:
		return ".jpg"
	case ScanPNG:
		return ".png"
	}
	return ""
}

// Scan is a scan with its bytes.
type Scan struct {
	ScanInfo
	Content []byte
}

// NewScan is an uploaded file, checked: its type sniffed from its bytes.
type NewScan struct {
	ContentType string
	SHA256      []byte
	Content     []byte
}

// SniffScan checks an uploaded file named field: not empty, at most
// MaxScanSize bytes (ETOOLARGE), and a PDF, JPEG or PNG by its bytes
// (http.DetectContentType, which reads the first 512) whatever the
// client called it: an HTML page or a program named .pdf is refused
// (EINVALID).
func SniffScan(field string, content []byte) (NewScan, error) {
	switch {
	case len(content) == 0:
		return NewScan{}, &Error{Code: EINVALID, Message: "The file is empty.",
			Fields: []FieldError{{Field: field, Reason: "is empty: choose the scan of the document"}}}
	case len(content) > MaxScanSize:
		return NewScan{}, &Error{Code: ETOOLARGE, Message: fmt.Sprintf("The file is larger than %d MiB.", MaxScanSize>>20),
			Fields: []FieldError{{Field: field, Reason: fmt.Sprintf("must be at most %d MiB", MaxScanSize>>20)}}}
	}
	ct := http.DetectContentType(content)
	switch ct {
	case ScanPDF, ScanJPEG, ScanPNG:
	default:
		return NewScan{}, &Error{Code: EINVALID, Message: "The file is not a PDF, JPEG or PNG.",
			Fields: []FieldError{{Field: field, Reason: "must be a PDF, JPEG or PNG file (its content is " + ct + ")"}}}
	}
	sum := sha256.Sum256(content)
	return NewScan{ContentType: ct, SHA256: sum[:], Content: content}, nil
}

// ScanRef is the file reference of a document whose scan is stored with
// it: the scan's SHA-256.
func ScanRef(sum []byte) string { return "lindungi:scan:sha256:" + hex.EncodeToString(sum) }

// ScanService keeps the scans of documents, in the transaction of their
// document and audit event.
type ScanService interface {
	// AddDocumentWithScan adds a document whose file reference is its scan
	// (ScanRef) and stores the scan, with their audit events
	// (document.add, document.scan and, for a document it supersedes,
	// document.supersede), in one transaction. As AddDocument otherwise.
	AddDocumentWithScan(ctx context.Context, workerID uuid.UUID, d NewDocument, s NewScan, ev Event) (Document, ScanInfo, error)
	// AttachScan stores the scan of a pending document, replacing the one
	// it had, sets its file reference to the scan (ScanRef), and audits
	// document.scan (before: the scan replaced, if any), with the answer of
	// the request, in one transaction. ENOTFOUND, ECONFLICT for a document
	// verified, rejected or superseded (the scan decided on stays).
	AttachScan(ctx context.Context, documentID uuid.UUID, s NewScan, ev Event) (ScanInfo, error)
	// FindScan returns a document's scan with its bytes. ENOTFOUND if it
	// has none.
	FindScan(ctx context.Context, documentID uuid.UUID) (Scan, error)
	// ScansOf returns what is known of the scans of a worker's documents,
	// by document ID, in one query. It returns no domain error codes.
	ScansOf(ctx context.Context, workerID uuid.UUID) (map[uuid.UUID]ScanInfo, error)
}

// CheckVerifyScan returns why actor may not verify a document whose scan
// uploader uploaded, or nil: whoever uploaded the scan is not the second
// pair of eyes on it either (four-eyes rule).
func CheckVerifyScan(uploader, actor string) error {
	if uploader != "" && uploader == actor {
		return Errorf(EFORBIDDEN, "You uploaded this document's scan, so someone else must verify it (four-eyes rule).")
	}
	return nil
}
