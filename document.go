package lindungi

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// DocType is the type of a worker's document, as a code; Label gives its
// name in Bahasa Indonesia.
type DocType string

// Document types (DOMAIN.md; Law 18/2017 art. 13 for the placement documents).
const (
	DocKTP                   DocType = "KTP"
	DocKK                    DocType = "KK"
	DocFamilyPermission      DocType = "FAMILY_PERMISSION"
	DocMaritalStatus         DocType = "MARITAL_STATUS"
	DocCompetencyCertificate DocType = "COMPETENCY_CERTIFICATE"
	DocHealthCertificate     DocType = "HEALTH_CERTIFICATE"
	DocPassport              DocType = "PASSPORT"
	DocWorkVisa              DocType = "WORK_VISA"
	DocPlacementAgreement    DocType = "PLACEMENT_AGREEMENT"
	DocWorkContract          DocType = "WORK_CONTRACT"
	DocBPJSCard              DocType = "BPJS_CARD"
	DocEPMI                  DocType = "E_PMI"
)

// DocTypes lists every document type in the order of the journey; lists of
// documents follow it.
var DocTypes = []DocType{DocKTP, DocKK, DocFamilyPermission, DocMaritalStatus, DocCompetencyCertificate,
	DocHealthCertificate, DocPassport, DocWorkVisa, DocPlacementAgreement, DocWorkContract, DocBPJSCard, DocEPMI}

var docLabels = map[DocType]string{
	DocKTP:                   "Kartu Tanda Penduduk (KTP)",
	DocKK:                    "Kartu Keluarga (KK)",
	DocFamilyPermission:      "Surat izin keluarga (diketahui kepala desa)",
	DocMaritalStatus:         "Surat keterangan status perkawinan",
	DocCompetencyCertificate: "Sertifikat kompetensi",
	DocHealthCertificate:     "Surat keterangan sehat dan psikologi",
	DocPassport:              "Paspor",
	DocWorkVisa:              "Visa kerja",
	DocPlacementAgreement:    "Perjanjian penempatan",
	DocWorkContract:          "Perjanjian kerja",
	DocBPJSCard:              "Kartu BPJS Ketenagakerjaan",
	DocEPMI:                  "Kartu identitas digital PMI (E-PMI)",
}

// Valid reports whether t is a known document type.
func (t DocType) Valid() bool { _, ok := docLabels[t]; return ok }

// Label is the type's name in Bahasa Indonesia, or "" for an unknown type.
func (t DocType) Label() string { return docLabels[t] }

// NeedsExpiry reports whether documents of type t must carry an expiry date.
func (t DocType) NeedsExpiry() bool {
	return t == DocPassport || t == DocWorkVisa || t == DocWorkContract
}

// DocStatus is where a document stands.
type DocStatus string

// Document statuses. A superseded document keeps its verification or
// rejection fields; the status says it is no longer the current one.
const (
	DocPending    DocStatus = "pending" // added, not yet verified or rejected
	DocVerified   DocStatus = "verified"
	DocRejected   DocStatus = "rejected"
	DocSuperseded DocStatus = "superseded" // a newer document of the type replaced it
)

// Document is a document of a worker. Number is personal data: it never goes
// into the audit trail or into Temporal.
type Document struct {
	ID             uuid.UUID  `json:"id"`
	WorkerID       uuid.UUID  `json:"worker_id"`
	Type           DocType    `json:"type"`
	TypeLabel      string     `json:"type_label"`
	Number         string     `json:"number"`
	IssuedOn       string     `json:"issued_on,omitempty"`  // YYYY-MM-DD
	ExpiresOn      string     `json:"expires_on,omitempty"` // YYYY-MM-DD, the last day it is valid
	FileRef        string     `json:"file_ref"`
	Status         DocStatus  `json:"status"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	VerifiedBy     string     `json:"verified_by,omitempty"`
	VerifiedAt     *time.Time `json:"verified_at,omitempty"`
	RejectedBy     string     `json:"rejected_by,omitempty"`
	RejectedAt     *time.Time `json:"rejected_at,omitempty"`
	RejectedReason string     `json:"rejected_reason,omitempty"`
	SupersededAt   *time.Time `json:"superseded_at,omitempty"`
	SupersededBy   *uuid.UUID `json:"superseded_by,omitempty"`
}

// CurrentStatus derives the status from the document's fields.
func (d Document) CurrentStatus() DocStatus {
	switch {
	case d.SupersededAt != nil:
		return DocSuperseded
	case d.RejectedAt != nil:
		return DocRejected
	case d.VerifiedAt != nil:
		return DocVerified
	}
	return DocPending
}

// ValidUntil returns the end of the document's last valid day (midnight WIB
// after ExpiresOn), and false when it does not expire.
func (d Document) ValidUntil() (time.Time, bool) {
	day, err := time.ParseInLocation(time.DateOnly, d.ExpiresOn, WIB)
	if err != nil {
		return time.Time{}, false
	}
	return day.AddDate(0, 0, 1), true
}

// ExpiresBefore reports whether d stops being valid at or before t: a
// document whose expiry date is the day of t is still valid on that day.
func (d Document) ExpiresBefore(t time.Time) bool {
	end, ok := d.ValidUntil()
	return ok && !end.After(t)
}

// CheckVerify returns why actor may not verify d, or nil: a decision is taken
// once, on the current document, and never by the person who added it
// (four-eyes rule).
func (d Document) CheckVerify(actor string) error {
	if err := d.checkUndecided("verified"); err != nil {
		return err
	}
	if actor == d.CreatedBy {
		return Errorf(EFORBIDDEN, "You added this document, so someone else must verify it (four-eyes rule).")
	}
	return nil
}

// CheckReject returns why d may not be rejected, or nil. The person who
// added a document may reject it: that blocks nothing a second person must
// confirm.
func (d Document) CheckReject() error { return d.checkUndecided("rejected") }

func (d Document) checkUndecided(verb string) error {
	switch d.CurrentStatus() {
	case DocSuperseded:
		return Errorf(ECONFLICT, "The document was superseded by a newer %s and cannot be %s.", d.Type, verb)
	case DocVerified:
		return Errorf(ECONFLICT, "The document is already verified.")
	case DocRejected:
		return Errorf(ECONFLICT, "The document was rejected; add a new %s instead.", d.Type)
	}
	return nil
}

// NewDocument is the input of AddDocument.
type NewDocument struct {
	Type      DocType `json:"type"`
	Number    string  `json:"number"`
	IssuedOn  string  `json:"issued_on,omitempty"`  // optional, YYYY-MM-DD
	ExpiresOn string  `json:"expires_on,omitempty"` // YYYY-MM-DD; required when Type.NeedsExpiry
	FileRef   string  `json:"file_ref"`             // where the scan is stored, e.g. an object-store key
}

// Document limits.
const (
	MaxDocNumber = 64
	MaxFileRef   = 500
)

var (
	// passportNumber is an Indonesian passport number: one or two letters
	// then 6 to 8 digits (C1234567, AB123456).
	passportNumber = regexp.MustCompile(`^[A-Z]{1,2}[0-9]{6,8}$`)
	sixteenDigits  = regexp.MustCompile(`^[0-9]{16}$`)
)

// Normalize trims the input; passport numbers and types are upper-cased.
func (d *NewDocument) Normalize() {
	d.Type = DocType(strings.ToUpper(strings.TrimSpace(string(d.Type))))
	d.Number = strings.TrimSpace(d.Number)
	if d.Type == DocPassport {
		d.Number = strings.ToUpper(d.Number)
	}
	d.IssuedOn = strings.TrimSpace(d.IssuedOn)
	d.ExpiresOn = strings.TrimSpace(d.ExpiresOn)
	d.FileRef = strings.TrimSpace(d.FileRef)
}

// Validate checks the document on the day today and names each bad field.
func (d NewDocument) Validate(today time.Time) error {
	var v Validation
	if !d.Type.Valid() {
		v.Add("type", "must be one of "+joinTypes(DocTypes))
	}
	switch n := d.Number; {
	case !(Text{Min: 1, Max: MaxDocNumber}).Check(&v, "number", n):
	case d.Type == DocPassport && !passportNumber.MatchString(n):
		v.Add("number", "a passport number is one or two letters then 6 to 8 digits, such as C1234567 or AB123456")
	case d.Type == DocKTP:
		if reason := CheckNIK(n); reason != "" {
			v.Add("number", "a KTP number is the NIK: "+reason)
		}
	case d.Type == DocKK && !sixteenDigits.MatchString(n):
		v.Add("number", "a KK number is exactly 16 digits")
	}
	issued, issuedOK := parseDocDate(&v, "issued_on", d.IssuedOn)
	if issuedOK && issued.After(today) {
		v.Add("issued_on", "is in the future")
	}
	expires, expiresOK := parseDocDate(&v, "expires_on", d.ExpiresOn)
	switch {
	case d.ExpiresOn == "" && d.Type.NeedsExpiry():
		v.Add("expires_on", "is required for a "+string(d.Type))
	case issuedOK && expiresOK && !expires.After(issued):
		v.Add("expires_on", "must be after issued_on")
	}
	if d.FileRef == "" {
		v.Add("file_ref", "is required: the key of the stored scan")
	} else {
		Text{Min: 1, Max: MaxFileRef}.Check(&v, "file_ref", d.FileRef)
	}
	return v.Err()
}

// parseDocDate parses an optional date field, naming it when it is malformed.
func parseDocDate(v *Validation, field, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	switch {
	case err != nil:
		v.Add(field, "must be a date in the form YYYY-MM-DD")
		return time.Time{}, false
	case t.Year() < 1900 || t.Year() > 2200:
		v.Add(field, "must be a year from 1900 to 2200")
		return time.Time{}, false
	}
	return t, true
}

func joinTypes(types []DocType) string {
	s := make([]string, len(types))
	for i, t := range types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// CheckDocTypes returns EINVALID naming field when types holds an unknown type.
func CheckDocTypes(field string, types []DocType) error {
	var v Validation
	for _, t := range types {
		if !t.Valid() {
			v.Add(field, "unknown document type "+string(t)+"; use "+joinTypes(DocTypes))
			break
		}
	}
	return v.Err()
}

// DocProblem says what is wrong with a required document.
type DocProblem string

// Problems with a required document.
const (
	DocIsMissing    DocProblem = "missing"    // no current document of the type
	DocIsUnverified DocProblem = "unverified" // added, not yet verified
	DocIsRejected   DocProblem = "rejected"   // rejected; a new one must be added
	DocIsExpired    DocProblem = "expired"    // its expiry date has passed
)

// DocumentProblem names a required document type that blocks a step.
type DocumentProblem struct {
	Type       DocType    `json:"type"`
	Label      string     `json:"label"`
	Problem    DocProblem `json:"problem"`
	DocumentID *uuid.UUID `json:"document_id,omitempty"` // the current document, unless missing
	ExpiresOn  string     `json:"expires_on,omitempty"`  // for expired documents
}

// DocumentProblems returns, in the order of required, each required type
// whose current document (among current) is missing, rejected, expired at
// at, or unverified; a document with several problems reports the one a
// verification would not fix: rejected, then expired, then unverified.
func DocumentProblems(current []Document, required []DocType, at time.Time) []DocumentProblem {
	byType := map[DocType]Document{}
	for _, d := range current {
		if d.SupersededAt == nil {
			byType[d.Type] = d
		}
	}
	problems := []DocumentProblem{}
	seen := map[DocType]bool{}
	for _, t := range required {
		if seen[t] {
			continue
		}
		seen[t] = true
		p := DocumentProblem{Type: t, Label: t.Label()}
		d, ok := byType[t]
		switch {
		case !ok:
			p.Problem = DocIsMissing
		case d.RejectedAt != nil:
			p.Problem = DocIsRejected
		case d.ExpiresBefore(at):
			p.Problem, p.ExpiresOn = DocIsExpired, d.ExpiresOn
		case d.VerifiedAt == nil:
			p.Problem = DocIsUnverified
		default:
			continue
		}
		if ok {
			id := d.ID
			p.DocumentID = &id
		}
		problems = append(problems, p)
	}
	return problems
}

// DocumentService keeps workers' documents. Every write stores its audit
// event in the same transaction; the trail records types and dates, never
// document numbers or file references.
type DocumentService interface {
	// AddDocument adds a document to a worker; a current document of the
	// same type is superseded (kept, with superseded_at). EINVALID naming
	// the bad fields, ENOTFOUND for an unknown worker.
	AddDocument(ctx context.Context, workerID uuid.UUID, d NewDocument, ev Event) (Document, error)
	// VerifyDocument records that ev.Actor verified a document. ENOTFOUND,
	// ECONFLICT if it is superseded, verified or rejected, EFORBIDDEN if
	// ev.Actor added it.
	VerifyDocument(ctx context.Context, id uuid.UUID, ev Event) (Document, error)
	// RejectDocument records that ev.Actor rejected a document for reason.
	// ENOTFOUND, EINVALID for a missing reason, ECONFLICT if it is
	// superseded, verified or rejected.
	RejectDocument(ctx context.Context, id uuid.UUID, reason string, ev Event) (Document, error)
	// ListDocuments returns a worker's current documents (and superseded
	// ones if asked), in the order of DocTypes, newest first within a type.
	ListDocuments(ctx context.Context, workerID uuid.UUID, includeSuperseded bool) ([]Document, error)
	// FindDocument returns a document. ENOTFOUND if there is none.
	FindDocument(ctx context.Context, id uuid.UUID) (Document, error)
	// MissingDocuments names each required type whose current document is
	// missing, unverified, rejected or expired at at (see DocumentProblems).
	// ENOTFOUND for an unknown worker, EINVALID for an unknown type.
	MissingDocuments(ctx context.Context, workerID uuid.UUID, required []DocType, at time.Time) ([]DocumentProblem, error)
	// ExpiringDocuments returns the current documents of types that expire
	// at or before the instant before (see Document.ExpiresBefore).
	// EINVALID for an unknown type.
	ExpiringDocuments(ctx context.Context, workerID uuid.UUID, types []DocType, before time.Time) ([]Document, error)
}
