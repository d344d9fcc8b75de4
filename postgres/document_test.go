package postgres_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/postgres"
)

// officer is the event of a second person of Kebumen, who may verify what
// the clerk added.
func officer(requestID string) lindungi.Event {
	return lindungi.Event{Actor: "user:budi", ActorUnit: "3305", ActorRole: "verifier", Policy: "test-policy", RequestID: requestID}
}

func passport(number, issued, expires string) lindungi.NewDocument {
	return lindungi.NewDocument{Type: lindungi.DocPassport, Number: number, IssuedOn: issued, ExpiresOn: expires,
		FileRef: "docs/3305/" + number + ".pdf"}
}

func addDoc(t *testing.T, db *postgres.DB, w lindungi.Worker, nd lindungi.NewDocument) lindungi.Document {
	t.Helper()
	d, err := db.AddDocument(t.Context(), w.ID, nd, clerk("req-add-"+string(nd.Type)))
	if err != nil {
		t.Fatalf("AddDocument(%s %s): %v", nd.Type, nd.Number, err)
	}
	return d
}

func verifyDoc(t *testing.T, db *postgres.DB, d lindungi.Document) lindungi.Document {
	t.Helper()
	out, err := db.VerifyDocument(t.Context(), d.ID, officer("req-verify"))
	if err != nil {
		t.Fatalf("VerifyDocument(%s): %v", d.Type, err)
	}
	return out
}

func rejectDoc(t *testing.T, db *postgres.DB, d lindungi.Document) lindungi.Document {
	t.Helper()
	out, err := db.RejectDocument(t.Context(), d.ID, "Pindaian tidak terbaca", officer("req-reject"))
	if err != nil {
		t.Fatalf("RejectDocument(%s): %v", d.Type, err)
	}
	return out
}

// docIDs returns the IDs of docs, in order.
func docIDs(docs []lindungi.Document) []uuid.UUID {
	var ids []uuid.UUID
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return ids
}

func TestAddDocument(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")

	d, err := db.AddDocument(ctx, w.ID, lindungi.NewDocument{Type: "passport", Number: "  c1234567 ", IssuedOn: "2026-01-05",
		ExpiresOn: "2031-01-05", FileRef: " s3://lindungi-docs/3305/paspor.pdf "}, clerk("req-add-passport"))
	if err != nil {
		t.Fatalf("AddDocument: %v", err)
	}
	want := lindungi.Document{ID: d.ID, WorkerID: w.ID, Type: lindungi.DocPassport, TypeLabel: "Paspor", Number: "C1234567",
		IssuedOn: "2026-01-05", ExpiresOn: "2031-01-05", FileRef: "s3://lindungi-docs/3305/paspor.pdf",
		Status: lindungi.DocPending, CreatedBy: "user:siti", CreatedAt: t0}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("AddDocument (-want +got):\n%s", diff)
	}
	found, err := db.FindDocument(ctx, d.ID)
	if err != nil {
		t.Fatalf("FindDocument: %v", err)
	}
	if diff := cmp.Diff(d, found); diff != "" {
		t.Errorf("FindDocument differs from what AddDocument returned (-add +find):\n%s", diff)
	}

	evs := auditEvents(t, db, "document.add")
	if len(evs) != 1 {
		t.Fatalf("%d document.add events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.SubjectType != "document" || ev.SubjectID != d.ID.String() || ev.WorkerID != w.ID.String() ||
		ev.Actor != "user:siti" || ev.RequestID != "req-add-passport" || !ev.OccurredAt.Equal(t0) {
		t.Errorf("document.add event = %+v; want subject document %s, worker %s, actor user:siti, request req-add-passport at t0", ev, d.ID, w.ID)
	}
	wantAfter := map[string]any{"type": "PASSPORT", "status": "pending", "issued_on": "2026-01-05", "expires_on": "2031-01-05",
		"fields": []any{"number", "file_ref"}}
	if diff := cmp.Diff(wantAfter, ev.After); diff != "" {
		t.Errorf("document.add after (-want +got):\n%s", diff)
	}

	// A KTP needs no dates; a document without them keeps them empty.
	ktp := addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocKTP, Number: w.NIK, FileRef: "docs/ktp.jpg"})
	if ktp.IssuedOn != "" || ktp.ExpiresOn != "" || ktp.TypeLabel != "Kartu Tanda Penduduk (KTP)" {
		t.Errorf("KTP = %+v; want no dates and the KTP label", ktp)
	}

	if _, err := db.AddDocument(ctx, uuid.New(), passport("C7654321", "", "2031-01-01"), clerk("req-x")); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("AddDocument for an unknown worker: %v, want %s", err, lindungi.ENOTFOUND)
	}
}

func TestAddDocumentNamesBadFields(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	w := register(t, db, "3305011508950001", "3305")
	long := strings.Repeat("9", 65)
	tests := []struct {
		name string
		nd   lindungi.NewDocument
		want []string
	}{
		{"unknown type", lindungi.NewDocument{Type: "SIM", Number: "123", FileRef: "f"}, []string{"type"}},
		{"empty number", lindungi.NewDocument{Type: lindungi.DocKK, Number: "   ", FileRef: "f"}, []string{"number"}},
		{"number of 65", lindungi.NewDocument{Type: lindungi.DocBPJSCard, Number: long, FileRef: "f"}, []string{"number"}},
		{"passport digits only", passport("12345678", "", "2031-01-01"), []string{"number"}},
		{"passport three letters", passport("ABC123456", "", "2031-01-01"), []string{"number"}},
		{"passport five digits", passport("C12345", "", "2031-01-01"), []string{"number"}},
		{"passport nine digits", passport("C123456789", "", "2031-01-01"), []string{"number"}},
		{"KTP not a NIK", lindungi.NewDocument{Type: lindungi.DocKTP, Number: "1234", FileRef: "f"}, []string{"number"}},
		{"KK not 16 digits", lindungi.NewDocument{Type: lindungi.DocKK, Number: "33050115089", FileRef: "f"}, []string{"number"}},
		{"passport without expiry", passport("C1234567", "2026-01-01", ""), []string{"expires_on"}},
		{"visa without expiry", lindungi.NewDocument{Type: lindungi.DocWorkVisa, Number: "V-1", FileRef: "f"}, []string{"expires_on"}},
		{"contract without expiry", lindungi.NewDocument{Type: lindungi.DocWorkContract, Number: "PK-1", FileRef: "f"}, []string{"expires_on"}},
		{"expiry before issue", passport("C1234567", "2026-06-01", "2026-05-31"), []string{"expires_on"}},
		{"expiry on the issue day", passport("C1234567", "2026-06-01", "2026-06-01"), []string{"expires_on"}},
		{"issued tomorrow", passport("C1234567", "2026-12-24", "2031-12-24"), []string{"issued_on"}},
		{"malformed dates", passport("C1234567", "01/06/2026", "2031-13-01"), []string{"issued_on", "expires_on"}},
		{"no file", lindungi.NewDocument{Type: lindungi.DocKK, Number: "3305010101010001"}, []string{"file_ref"}},
		{"everything", lindungi.NewDocument{Type: lindungi.DocPassport}, []string{"number", "expires_on", "file_ref"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.AddDocument(t.Context(), w.ID, tt.nd, clerk("req-bad"))
			code, fields := errorFields(err)
			if code != lindungi.EINVALID || !slices.Equal(fields, tt.want) {
				t.Errorf("AddDocument(%+v) = %s %v, want %s %v (%v)", tt.nd, code, fields, lindungi.EINVALID, tt.want, err)
			}
		})
	}
	if n := count(t, db, `SELECT count(*) FROM documents`); n != 0 {
		t.Errorf("%d documents stored after invalid additions, want 0", n)
	}
	// Two letters and eight digits is the longest passport number.
	addDoc(t, db, w, passport("AB12345678", "", "2031-01-01"))
}

func TestAddDocumentSupersedesAndKeepsHistory(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	other := register(t, db, "3305011508950002", "3305")

	first := verifyDoc(t, db, addDoc(t, db, w, passport("C1111111", "2020-01-10", "2025-01-10")))
	otherPassport := addDoc(t, db, other, passport("C3333333", "2024-01-10", "2029-01-10"))
	ktp := addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocKTP, Number: w.NIK, FileRef: "ktp"})
	db.Now = func() time.Time { return t0.Add(time.Hour) }
	second := addDoc(t, db, w, passport("C2222222", "2026-12-01", "2031-12-01"))

	current, err := db.ListDocuments(ctx, w.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uuid.UUID{ktp.ID, second.ID}, docIDs(current)); diff != "" {
		t.Errorf("current documents (-want +got), KTP then passport:\n%s", diff)
	}
	all, err := db.ListDocuments(ctx, w.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uuid.UUID{ktp.ID, second.ID, first.ID}, docIDs(all)); diff != "" {
		t.Errorf("all documents (-want +got), newest first within a type:\n%s", diff)
	}
	old := all[2]
	if old.Status != lindungi.DocSuperseded || old.SupersededAt == nil || !old.SupersededAt.Equal(t0.Add(time.Hour)) ||
		old.SupersededBy == nil || *old.SupersededBy != second.ID {
		t.Errorf("old passport = %+v; want superseded at t0+1h by %s", old, second.ID)
	}
	if old.VerifiedBy != "user:budi" || old.VerifiedAt == nil || old.Number != "C1111111" {
		t.Errorf("old passport lost its history: %+v", old)
	}
	if got, err := db.FindDocument(ctx, otherPassport.ID); err != nil || got.Status != lindungi.DocPending {
		t.Errorf("another worker's passport: %+v, %v; want it untouched (pending)", got, err)
	}

	sup := auditEvents(t, db, "document.supersede")
	if len(sup) != 1 {
		t.Fatalf("%d document.supersede events, want 1", len(sup))
	}
	if sup[0].SubjectID != first.ID.String() || sup[0].WorkerID != w.ID.String() {
		t.Errorf("supersede event about %s of worker %s, want %s of %s", sup[0].SubjectID, sup[0].WorkerID, first.ID, w.ID)
	}
	wantBefore := map[string]any{"type": "PASSPORT", "status": "verified", "issued_on": "2020-01-10", "expires_on": "2025-01-10"}
	wantAfter := map[string]any{"status": "superseded", "superseded_by": second.ID.String()}
	if diff := cmp.Diff(wantBefore, sup[0].Before); diff != "" {
		t.Errorf("supersede before (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantAfter, sup[0].After); diff != "" {
		t.Errorf("supersede after (-want +got):\n%s", diff)
	}
	adds := auditEvents(t, db, "document.add")
	if got := adds[len(adds)-1].After["supersedes"]; got != first.ID.String() {
		t.Errorf("document.add of the new passport: supersedes = %v, want %s", got, first.ID)
	}

	// The database itself refuses a second current document of a type.
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO documents (id, worker_id, type, number, file_ref, created_by, created_at)
VALUES ($1, $2, 'KTP', '3305011508950001', 'f', 'x', now())`, uuid.New(), w.ID)
	if err == nil || !strings.Contains(err.Error(), "documents_current") {
		t.Errorf("a second current KTP inserted directly: %v, want the documents_current index to refuse it", err)
	}
}

func TestAddDocumentConcurrentlyKeepsOneCurrent(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	w := register(t, db, "3305011508950001", "3305")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = db.AddDocument(t.Context(), w.ID, passport(fmt.Sprintf("C%07d", i), "", "2031-01-01"), clerk("req-race"))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("addition %d: %v", i, err)
		}
	}
	if got := count(t, db, `SELECT count(*) FROM documents WHERE worker_id = $1 AND superseded_at IS NULL`, w.ID); got != 1 {
		t.Errorf("%d current passports after %d concurrent additions, want 1", got, n)
	}
	if got := count(t, db, `SELECT count(*) FROM documents WHERE worker_id = $1`, w.ID); got != n {
		t.Errorf("%d passports kept, want all %d", got, n)
	}
	if got := len(auditEvents(t, db, "document.supersede")); got != n-1 {
		t.Errorf("%d document.supersede events, want %d", got, n-1)
	}
}

func TestVerifyDocument(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	d := addDoc(t, db, w, passport("C1234567", "2026-01-05", "2031-01-05"))

	// Four eyes: the clerk who added it may not verify it.
	_, err := db.VerifyDocument(ctx, d.ID, clerk("req-self"))
	if lindungi.ErrorCode(err) != lindungi.EFORBIDDEN || !strings.Contains(lindungi.ErrorMessage(err), "four-eyes") {
		t.Errorf("VerifyDocument by the person who added it: %v, want %s naming the four-eyes rule", err, lindungi.EFORBIDDEN)
	}
	if got := len(auditEvents(t, db, "document.verify")); got != 0 {
		t.Errorf("%d document.verify events after a refusal, want 0", got)
	}

	db.Now = func() time.Time { return t0.Add(2 * time.Hour) }
	v, err := db.VerifyDocument(ctx, d.ID, officer("req-verify"))
	if err != nil {
		t.Fatalf("VerifyDocument: %v", err)
	}
	if v.Status != lindungi.DocVerified || v.VerifiedBy != "user:budi" || v.VerifiedAt == nil || !v.VerifiedAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("verified document = %+v; want verified by user:budi at t0+2h", v)
	}
	evs := auditEvents(t, db, "document.verify")
	if len(evs) != 1 {
		t.Fatalf("%d document.verify events, want 1", len(evs))
	}
	if evs[0].Actor != "user:budi" || evs[0].ActorRole != "verifier" || evs[0].SubjectID != d.ID.String() || evs[0].WorkerID != w.ID.String() {
		t.Errorf("document.verify event = %+v", evs[0])
	}
	if diff := cmp.Diff(map[string]any{"status": "pending"}, evs[0].Before); diff != "" {
		t.Errorf("document.verify before (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"type": "PASSPORT", "status": "verified", "issued_on": "2026-01-05", "expires_on": "2031-01-05"}, evs[0].After); diff != "" {
		t.Errorf("document.verify after (-want +got):\n%s", diff)
	}

	rejected := rejectDoc(t, db, addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocKK, Number: "3305010101010001", FileRef: "kk"}))
	superseded := addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocBPJSCard, Number: "BPJS-1", FileRef: "bpjs"})
	addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocBPJSCard, Number: "BPJS-2", FileRef: "bpjs2"})
	for _, tt := range []struct {
		name string
		id   uuid.UUID
		want string
	}{
		{"already verified", d.ID, lindungi.ECONFLICT},
		{"rejected", rejected.ID, lindungi.ECONFLICT},
		{"superseded", superseded.ID, lindungi.ECONFLICT},
		{"unknown", uuid.New(), lindungi.ENOTFOUND},
	} {
		if _, err := db.VerifyDocument(ctx, tt.id, supervisor("req-again")); lindungi.ErrorCode(err) != tt.want {
			t.Errorf("VerifyDocument(%s): %v, want %s", tt.name, err, tt.want)
		}
	}
	if got := len(auditEvents(t, db, "document.verify")); got != 1 {
		t.Errorf("%d document.verify events after refusals, want still 1", got)
	}
	if got, _ := db.FindDocument(ctx, d.ID); got.VerifiedBy != "user:budi" {
		t.Errorf("a refused second verification changed verified_by to %q", got.VerifiedBy)
	}
}

func TestRejectDocument(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	d := addDoc(t, db, w, passport("C1234567", "2026-01-05", "2031-01-05"))

	for _, reason := range []string{"", "  ok  ", strings.Repeat("x", 501)} {
		_, err := db.RejectDocument(ctx, d.ID, reason, officer("req-bad"))
		if code, fields := errorFields(err); code != lindungi.EINVALID || !slices.Equal(fields, []string{"reason"}) {
			t.Errorf("RejectDocument with reason %q: %s %v, want %s [reason]", reason, code, fields, lindungi.EINVALID)
		}
	}

	// The reason quotes the number; the trail must not.
	r, err := db.RejectDocument(ctx, d.ID, "  Nomor C1234567 tidak cocok dengan pindaian  ", officer("req-reject"))
	if err != nil {
		t.Fatalf("RejectDocument: %v", err)
	}
	if r.Status != lindungi.DocRejected || r.RejectedBy != "user:budi" || r.RejectedAt == nil || !r.RejectedAt.Equal(t0) ||
		r.RejectedReason != "Nomor C1234567 tidak cocok dengan pindaian" || r.VerifiedAt != nil {
		t.Errorf("rejected document = %+v", r)
	}
	evs := auditEvents(t, db, "document.reject")
	if len(evs) != 1 {
		t.Fatalf("%d document.reject events, want 1", len(evs))
	}
	if diff := cmp.Diff(map[string]any{"type": "PASSPORT", "status": "rejected", "issued_on": "2026-01-05", "expires_on": "2031-01-05",
		"reason": "Nomor [nomor] tidak cocok dengan pindaian"}, evs[0].After); diff != "" {
		t.Errorf("document.reject after (-want +got):\n%s", diff)
	}

	// The person who added a document may reject it (it blocks nothing).
	own := addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocKK, Number: "3305010101010001", FileRef: "kk"})
	if _, err := db.RejectDocument(ctx, own.ID, "Salah unggah berkas", clerk("req-own")); err != nil {
		t.Errorf("RejectDocument by the person who added it: %v, want it allowed", err)
	}
	verified := verifyDoc(t, db, addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocKTP, Number: w.NIK, FileRef: "ktp"}))
	superseded := addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocBPJSCard, Number: "BPJS-1", FileRef: "bpjs"})
	addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocBPJSCard, Number: "BPJS-2", FileRef: "bpjs2"})
	for _, tt := range []struct {
		name string
		id   uuid.UUID
		want string
	}{
		{"already rejected", d.ID, lindungi.ECONFLICT},
		{"verified", verified.ID, lindungi.ECONFLICT},
		{"superseded", superseded.ID, lindungi.ECONFLICT},
		{"unknown", uuid.New(), lindungi.ENOTFOUND},
	} {
		if _, err := db.RejectDocument(ctx, tt.id, "Tidak sesuai aslinya", officer("req-again")); lindungi.ErrorCode(err) != tt.want {
			t.Errorf("RejectDocument(%s): %v, want %s", tt.name, err, tt.want)
		}
	}

	// A rejected document is replaced by adding a new one.
	next := addDoc(t, db, w, passport("C7654321", "2026-01-05", "2031-01-05"))
	if next.Status != lindungi.DocPending {
		t.Errorf("replacement passport status %s, want pending", next.Status)
	}
}

func TestMissingDocuments(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	at := t0 // 2026-12-23 08:00 WIB

	verifyDoc(t, db, addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocKTP, Number: w.NIK, FileRef: "ktp"}))
	kk := addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocKK, Number: "3305010101010001", FileRef: "kk"})
	family := rejectDoc(t, db, addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocFamilyPermission, Number: "470/12/2026", FileRef: "izin"}))
	expired := verifyDoc(t, db, addDoc(t, db, w, passport("C1234567", "2021-12-22", "2026-12-22")))
	// The visa is valid through the day of at.
	verifyDoc(t, db, addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocWorkVisa, Number: "V-1", IssuedOn: "2026-01-01",
		ExpiresOn: "2026-12-23", FileRef: "visa"}))
	expiredUnverified := addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocWorkContract, Number: "PK-1", IssuedOn: "2024-01-01",
		ExpiresOn: "2025-01-01", FileRef: "pk"})
	expiredRejected := rejectDoc(t, db, addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocHealthCertificate, Number: "MCU-1",
		IssuedOn: "2024-01-01", ExpiresOn: "2025-01-01", FileRef: "mcu"}))
	// A rejected competency certificate replaced by a verified one is fine.
	rejectDoc(t, db, addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocCompetencyCertificate, Number: "LSP-1", FileRef: "lsp1"}))
	verifyDoc(t, db, addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocCompetencyCertificate, Number: "LSP-2", FileRef: "lsp2"}))

	required := []lindungi.DocType{lindungi.DocMaritalStatus, lindungi.DocKTP, lindungi.DocKK, lindungi.DocFamilyPermission,
		lindungi.DocPassport, lindungi.DocWorkVisa, lindungi.DocWorkContract, lindungi.DocHealthCertificate,
		lindungi.DocCompetencyCertificate, lindungi.DocKK}
	got, err := db.MissingDocuments(ctx, w.ID, required, at)
	if err != nil {
		t.Fatalf("MissingDocuments: %v", err)
	}
	id := func(d lindungi.Document) *uuid.UUID { return &d.ID }
	want := []lindungi.DocumentProblem{
		{Type: lindungi.DocMaritalStatus, Label: "Surat keterangan status perkawinan", Problem: lindungi.DocIsMissing},
		{Type: lindungi.DocKK, Label: "Kartu Keluarga (KK)", Problem: lindungi.DocIsUnverified, DocumentID: id(kk)},
		{Type: lindungi.DocFamilyPermission, Label: "Surat izin keluarga (diketahui kepala desa)", Problem: lindungi.DocIsRejected, DocumentID: id(family)},
		{Type: lindungi.DocPassport, Label: "Paspor", Problem: lindungi.DocIsExpired, DocumentID: id(expired), ExpiresOn: "2026-12-22"},
		{Type: lindungi.DocWorkContract, Label: "Perjanjian kerja", Problem: lindungi.DocIsExpired, DocumentID: id(expiredUnverified), ExpiresOn: "2025-01-01"},
		{Type: lindungi.DocHealthCertificate, Label: "Surat keterangan sehat dan psikologi", Problem: lindungi.DocIsRejected, DocumentID: id(expiredRejected)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MissingDocuments at %v (-want +got):\n%s", at, diff)
	}

	// The visa valid through 2026-12-23 expires at midnight WIB.
	got, err = db.MissingDocuments(ctx, w.ID, []lindungi.DocType{lindungi.DocWorkVisa}, time.Date(2026, 12, 24, 0, 0, 0, 0, lindungi.WIB))
	if err != nil || len(got) != 1 || got[0].Problem != lindungi.DocIsExpired {
		t.Errorf("visa at midnight after its last day: %+v, %v; want expired", got, err)
	}
	got, err = db.MissingDocuments(ctx, w.ID, []lindungi.DocType{lindungi.DocWorkVisa, lindungi.DocKTP}, time.Date(2026, 12, 23, 23, 59, 0, 0, lindungi.WIB))
	if err != nil || len(got) != 0 {
		t.Errorf("visa on its last day and a verified KTP: %+v, %v; want no problems", got, err)
	}
	if got, err := db.MissingDocuments(ctx, w.ID, nil, at); err != nil || got == nil || len(got) != 0 {
		t.Errorf("nothing required: %#v, %v; want an empty list", got, err)
	}
	if _, err := db.MissingDocuments(ctx, uuid.New(), required, at); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("MissingDocuments of an unknown worker: %v, want %s", err, lindungi.ENOTFOUND)
	}
	_, err = db.MissingDocuments(ctx, w.ID, []lindungi.DocType{"SIM"}, at)
	if code, fields := errorFields(err); code != lindungi.EINVALID || !slices.Equal(fields, []string{"required"}) {
		t.Errorf("MissingDocuments of an unknown type: %s %v, want %s [required]", code, fields, lindungi.EINVALID)
	}
}

func TestExpiringDocuments(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	// Departure on 2027-03-01: passports and visas must stay valid six
	// months after it, through 2027-09-01.
	departure := time.Date(2027, 3, 1, 0, 0, 0, 0, lindungi.WIB)
	before := departure.AddDate(0, 6, 0)

	addDoc(t, db, w, passport("C1111111", "2016-01-01", "2021-01-01"))         // superseded: not reported
	pass := addDoc(t, db, w, passport("C1234567", "2022-08-31", "2027-08-31")) // last valid day before 2027-09-01
	visa := addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocWorkVisa, Number: "V-1", IssuedOn: "2026-12-01",
		ExpiresOn: "2027-09-01", FileRef: "visa"}) // valid through 2027-09-01
	addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocWorkContract, Number: "PK-1", IssuedOn: "2026-12-01",
		ExpiresOn: "2027-04-01", FileRef: "pk"}) // expires early, but not asked for
	addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocKTP, Number: w.NIK, FileRef: "ktp"}) // no expiry

	types := []lindungi.DocType{lindungi.DocPassport, lindungi.DocWorkVisa, lindungi.DocKTP}
	got, err := db.ExpiringDocuments(ctx, w.ID, types, before)
	if err != nil {
		t.Fatalf("ExpiringDocuments: %v", err)
	}
	if diff := cmp.Diff([]uuid.UUID{pass.ID}, docIDs(got)); diff != "" {
		t.Errorf("ExpiringDocuments before %v (-want +got):\n%s", before, diff)
	}
	got, err = db.ExpiringDocuments(ctx, w.ID, types, before.Add(time.Nanosecond).AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uuid.UUID{pass.ID, visa.ID}, docIDs(got)); diff != "" {
		t.Errorf("ExpiringDocuments a day later (-want +got):\n%s", diff)
	}
	got, err = db.ExpiringDocuments(ctx, w.ID, types, departure)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("ExpiringDocuments before departure: %#v, %v; want an empty list", got, err)
	}
	if _, err := db.ExpiringDocuments(ctx, w.ID, []lindungi.DocType{"VISA"}, before); lindungi.ErrorCode(err) != lindungi.EINVALID {
		t.Errorf("ExpiringDocuments of an unknown type: %v, want %s", err, lindungi.EINVALID)
	}
}

// TestDocumentTrailHasNoNumbers runs every kind of document write and reads
// the whole trail as text: no document number or file reference appears.
func TestDocumentTrailHasNoNumbers(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	p1 := addDoc(t, db, w, passport("C1234567", "2026-01-05", "2031-01-05"))
	verifyDoc(t, db, p1)
	p2 := addDoc(t, db, w, passport("AB765432", "2026-02-05", "2031-02-05"))
	if _, err := db.RejectDocument(ctx, p2.ID, "Nomor paspor AB765432 tidak terbaca", officer("req-reject")); err != nil {
		t.Fatal(err)
	}
	kk := addDoc(t, db, w, lindungi.NewDocument{Type: lindungi.DocKK, Number: "3305019999990001", FileRef: "s3://bucket/kk-3305019999990001.pdf"})
	verifyDoc(t, db, kk)

	var trail []string
	if err := db.SQL().SelectContext(ctx, &trail, `SELECT action || ' ' || COALESCE(before::text, '') || ' ' || COALESCE(after::text, '')
FROM audit_events WHERE action LIKE 'document.%' ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, line := range trail {
		actions[strings.Fields(line)[0]]++
		for _, secret := range []string{"C1234567", "AB765432", "3305019999990001", "docs/3305/", "s3://bucket"} {
			if strings.Contains(line, secret) {
				t.Errorf("audit event %s holds %q", line, secret)
			}
		}
	}
	want := map[string]int{"document.add": 3, "document.supersede": 1, "document.verify": 2, "document.reject": 1}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("document events (-want +got):\n%s", diff)
	}
}

// TestDocumentWritesRollBackWithTheirAuditEvent makes the audit insert fail
// and checks that the document write did not happen either.
func TestDocumentWritesRollBackWithTheirAuditEvent(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	first := addDoc(t, db, w, passport("C1234567", "2026-01-05", "2031-01-05"))
	refuseAudit(t, db, "document.supersede")
	if _, err := db.AddDocument(ctx, w.ID, passport("C7654321", "2026-01-05", "2031-01-05"), clerk("req-fail")); err == nil {
		t.Fatal("AddDocument succeeded although its audit event failed")
	}
	all, err := db.ListDocuments(ctx, w.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].ID != first.ID || all[0].Status != lindungi.DocPending {
		t.Errorf("after a failed addition the documents are %+v; want only the first passport, still current", all)
	}

	refuseAudit(t, db, "document.verify")
	if _, err := db.VerifyDocument(ctx, first.ID, officer("req-fail")); err == nil {
		t.Fatal("VerifyDocument succeeded although its audit event failed")
	}
	refuseAudit(t, db, "document.reject")
	if _, err := db.RejectDocument(ctx, first.ID, "Tidak terbaca", officer("req-fail")); err == nil {
		t.Fatal("RejectDocument succeeded although its audit event failed")
	}
	if got, _ := db.FindDocument(ctx, first.ID); got.Status != lindungi.DocPending || got.VerifiedBy != "" || got.RejectedBy != "" {
		t.Errorf("after failed decisions the passport is %+v; want it pending", got)
	}
}

// refuseAudit makes inserting an audit event of action fail in db.
func refuseAudit(t *testing.T, db *postgres.DB, action string) {
	t.Helper()
	name := strings.ReplaceAll(action, ".", "_")
	stmts := []string{
		`CREATE OR REPLACE FUNCTION refuse_` + name + `() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.action = '` + action + `' THEN RAISE EXCEPTION 'test refuses %', NEW.action; END IF;
    RETURN NEW;
END;
$$`,
		`CREATE TRIGGER refuse_` + name + ` BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_` + name + `()`,
	}
	for _, s := range stmts {
		if _, err := db.SQL().ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
