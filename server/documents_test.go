package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/postgres"
)

// These tests drive the document and holiday handlers over HTTP, through
// the application services, with a fake store and the shipped policies.

// docStore holds one worker of Kebumen (3305) with one pending passport
// added by someone else, and the 2026 calendar. It records what handlers
// pass it.
type docStore struct {
	accessLog
	directory
	worker   lindungi.Worker
	doc      lindungi.Document
	holidays []lindungi.Holiday

	includeSuperseded bool
	added             lindungi.NewDocument
	reason            string
	event             lindungi.Event
	saved             []int // statuses of stored idempotent responses
}

func newDocStore() *docStore {
	w := lindungi.Worker{ID: uuid.New(), NIK: "3305011508950001", Name: "Siti", BirthDate: "1995-08-15", DomicileUnit: "3305",
		Phone: "+6281234567890", Scheme: lindungi.SchemeP2P, JourneyStep: lindungi.StepRegistered}
	d := lindungi.Document{ID: uuid.New(), WorkerID: w.ID, Type: lindungi.DocPassport, TypeLabel: "Paspor", Number: "C1234567",
		ExpiresOn: "2031-01-05", FileRef: "docs/p.pdf", Status: lindungi.DocPending, CreatedBy: "user:someone-else", CreatedAt: time.Now().UTC()}
	hs, err := postgres.ReferenceHolidays()
	if err != nil {
		panic(err)
	}
	return &docStore{worker: w, doc: d, holidays: hs}
}

func (f *docStore) FindWorker(_ context.Context, id uuid.UUID) (lindungi.Worker, error) {
	if id != f.worker.ID {
		return lindungi.Worker{}, lindungi.Errorf(lindungi.ENOTFOUND, "Worker not found.")
	}
	return f.worker, nil
}

func (f *docStore) ActiveDelegations(context.Context, string, string, time.Time) ([]lindungi.Delegation, error) {
	return nil, nil
}

func (f *docStore) FindResponse(context.Context, string, string) (lindungi.StoredResponse, error) {
	return lindungi.StoredResponse{}, lindungi.Errorf(lindungi.ENOTFOUND, "none")
}

func (f *docStore) SaveResponse(_ context.Context, _ lindungi.IdempotencyKey, status int, _ json.RawMessage) error {
	f.saved = append(f.saved, status)
	return nil
}

func (f *docStore) AddDocument(_ context.Context, workerID uuid.UUID, nd lindungi.NewDocument, ev lindungi.Event) (lindungi.Document, error) {
	f.added, f.event = nd, ev
	d := f.doc
	d.ID, d.Type, d.Number, d.CreatedBy = uuid.New(), nd.Type, nd.Number, ev.Actor
	return d, nil
}

func (f *docStore) ListDocuments(_ context.Context, workerID uuid.UUID, includeSuperseded bool) ([]lindungi.Document, error) {
	f.includeSuperseded = includeSuperseded
	return []lindungi.Document{f.doc}, nil
}

func (f *docStore) FindDocument(_ context.Context, id uuid.UUID) (lindungi.Document, error) {
	if id != f.doc.ID {
		return lindungi.Document{}, lindungi.Errorf(lindungi.ENOTFOUND, "Document not found.")
	}
	return f.doc, nil
}

// VerifyDocument applies the domain's rule, as the real store does.
func (f *docStore) VerifyDocument(_ context.Context, id uuid.UUID, ev lindungi.Event) (lindungi.Document, error) {
	if err := f.doc.CheckVerify(ev.Actor); err != nil {
		return lindungi.Document{}, err
	}
	f.event = ev
	d := f.doc
	now := time.Now().UTC()
	d.VerifiedBy, d.VerifiedAt, d.Status = ev.Actor, &now, lindungi.DocVerified
	return d, nil
}

func (f *docStore) RejectDocument(_ context.Context, id uuid.UUID, reason string, ev lindungi.Event) (lindungi.Document, error) {
	f.reason, f.event = reason, ev
	d := f.doc
	now := time.Now().UTC()
	d.RejectedBy, d.RejectedAt, d.RejectedReason, d.Status = ev.Actor, &now, reason, lindungi.DocRejected
	return d, nil
}

func (f *docStore) HolidaysOf(_ context.Context, year int) ([]lindungi.Holiday, error) {
	var out []lindungi.Holiday
	for _, h := range f.holidays {
		if strings.HasPrefix(h.Date, strconv.Itoa(year)+"-") {
			out = append(out, h)
		}
	}
	return out, nil
}

func (f *docStore) HolidayYears(context.Context) ([]int, error) { return []int{2026}, nil }

func (f *docStore) AddHoliday(_ context.Context, h lindungi.Holiday, reason string, ev lindungi.Event) (lindungi.Holiday, error) {
	f.reason, f.event = reason, ev
	return h, nil
}

func (f *docStore) RemoveHoliday(_ context.Context, date, reason string, ev lindungi.Event) (lindungi.Holiday, error) {
	f.reason, f.event = reason, ev
	return lindungi.Holiday{Date: date, Kind: "national", Name: "Kelahiran Yesus Kristus"}, nil
}

// docServer returns a server on a docStore, with the shipped policies.
func docServer(t *testing.T) (*Server, *docStore) {
	t.Helper()
	store := newDocStore()
	units, access := testAccess(t, store, time.Now)
	s := New(Deps{Access: access,
		Documents: &app.Documents{Store: store, Workers: store, Access: access},
		Holidays:  &app.Holidays{Store: store, Access: access, Units: units},
		Audit:     store, Idempotency: store, Users: store, Verifier: RoleToken{}, Units: units,
		Logger: slog.New(slog.DiscardHandler)})
	return s, store
}

func TestAddDocumentHandler(t *testing.T) {
	s, store := docServer(t)
	url := "/v1/workers/" + store.worker.ID.String() + "/documents"

	code, body := call(t, s, "caseworker@3305", http.MethodPost, url,
		map[string]string{"type": "passport", "number": " c1234567 ", "expires_on": "2031-01-05", "file_ref": "docs/p.pdf"},
		"Idempotency-Key", "add-passport-1")
	if code != http.StatusCreated || body["type"] != "PASSPORT" || body["created_by"] != "caseworker-3305" {
		t.Fatalf("POST documents = %d %v; want 201 with the passport added by caseworker-3305", code, body)
	}
	if store.added.Number != "C1234567" || store.event.Actor != "caseworker-3305" || store.event.ActorRole != "caseworker" {
		t.Errorf("store got %+v with event %+v; want the number trimmed and upper-cased, and the caller's event", store.added, store.event)
	}
	if !slices.Equal(store.saved, []int{http.StatusCreated}) {
		t.Errorf("stored idempotent responses %v, want [201]", store.saved)
	}

	for _, tt := range []struct {
		name string
		body any
		code int
		want []string
	}{
		{"bad passport number", map[string]string{"type": "PASSPORT", "number": "123", "expires_on": "2031-01-05", "file_ref": "f"}, 422, []string{"number"}},
		{"passport without expiry", map[string]string{"type": "PASSPORT", "number": "C1234567", "file_ref": "f"}, 422, []string{"expires_on"}},
		{"unknown field", map[string]string{"type": "KK", "nomor": "1"}, 422, []string{"nomor"}},
		{"number not a string", map[string]any{"type": "KK", "number": 12}, 422, []string{"number"}},
		{"not JSON", "{", 400, nil},
	} {
		code, body := call(t, s, "caseworker@3305", http.MethodPost, url, tt.body)
		if code != tt.code || !slices.Equal(problemFields(body), tt.want) {
			t.Errorf("%s: %d %v, want %d naming %v", tt.name, code, body, tt.code, tt.want)
		}
	}
	if code, _ := call(t, s, "caseworker@3305", http.MethodPost, "/v1/workers/"+uuid.NewString()+"/documents",
		map[string]string{"type": "KK", "number": "3305010101010001", "file_ref": "f"}); code != http.StatusNotFound {
		t.Errorf("POST documents of an unknown worker = %d, want 404", code)
	}
}

func TestListDocumentsHandler(t *testing.T) {
	s, store := docServer(t)
	url := "/v1/workers/" + store.worker.ID.String() + "/documents"
	for _, tt := range []struct {
		query string
		code  int
		want  bool
	}{
		{"?purpose=audit+2026", 200, false}, {"?superseded=false&purpose=audit+2026", 200, false},
		{"?superseded=true&purpose=audit+2026", 200, true}, {"?superseded=yes&purpose=audit+2026", 422, false},
		{"", 422, false}, // an auditor must say why
	} {
		store.includeSuperseded = false
		code, body := call(t, s, "auditor@33", http.MethodGet, url+tt.query, nil)
		if code != tt.code || store.includeSuperseded != tt.want {
			t.Errorf("GET documents%s = %d (superseded asked: %v), want %d (%v); %v", tt.query, code, store.includeSuperseded, tt.code, tt.want, body)
		}
		if code == 200 {
			if items, _ := body["items"].([]any); len(items) != 1 {
				t.Errorf("GET documents%s items = %v, want the one document", tt.query, body["items"])
			}
		}
	}
}

func TestVerifyDocumentHandlerFourEyes(t *testing.T) {
	s, store := docServer(t)
	url := "/v1/documents/" + store.doc.ID.String() + "/verify"
	store.doc.CreatedBy = "caseworker-3305"
	code, body := call(t, s, "caseworker@3305", http.MethodPost, url, nil)
	if detail, _ := body["detail"].(string); code != http.StatusForbidden || !strings.Contains(detail, "four-eyes") {
		t.Errorf("verify by the person who added it = %d %v, want 403 naming the four-eyes rule", code, body)
	}
	code, body = call(t, s, "verifier@3305", http.MethodPost, url, nil)
	if code != http.StatusOK || body["verified_by"] != "verifier-3305" || body["status"] != "verified" {
		t.Errorf("verify by another person = %d %v, want 200 verified by verifier-3305", code, body)
	}
	if code, _ := call(t, s, "verifier@3305", http.MethodPost, "/v1/documents/"+uuid.NewString()+"/verify", nil); code != http.StatusNotFound {
		t.Errorf("verify an unknown document = %d, want 404", code)
	}
}

func TestRejectDocumentHandler(t *testing.T) {
	s, store := docServer(t)
	url := "/v1/documents/" + store.doc.ID.String() + "/reject"
	for _, reason := range []string{"", "  no  "} {
		code, body := call(t, s, "verifier@3305", http.MethodPost, url, map[string]string{"reason": reason})
		if code != 422 || !slices.Equal(problemFields(body), []string{"reason"}) {
			t.Errorf("reject with reason %q = %d %v, want 422 naming reason", reason, code, body)
		}
	}
	code, body := call(t, s, "verifier@3305", http.MethodPost, url, map[string]string{"reason": "  Pindaian tidak terbaca "})
	if code != http.StatusOK || body["status"] != "rejected" || store.reason != "Pindaian tidak terbaca" {
		t.Errorf("reject = %d %v (store got %q), want 200 rejected with the reason trimmed", code, body, store.reason)
	}
}

func TestListHolidaysHandler(t *testing.T) {
	s, _ := docServer(t)
	code, body := call(t, s, "caseworker@3305", http.MethodGet, "/v1/holidays?year=2027", nil)
	want := "Tidak ada data hari libur untuk 2027: hanya Sabtu dan Minggu yang dihitung (No holiday data for 2027: only weekends are skipped)"
	if code != 200 || body["has_data"] != false || body["fallback_note"] != want || body["year"] != 2027.0 {
		t.Errorf("GET holidays 2027 = %d %v; want no data and the fallback note", code, body)
	}
	if items, ok := body["items"].([]any); !ok || len(items) != 0 {
		t.Errorf("GET holidays 2027 items = %#v, want an empty list", body["items"])
	}
	code, body = call(t, s, "auditor@ID", http.MethodGet, "/v1/holidays?year=2026", nil)
	items, _ := body["items"].([]any)
	if _, noted := body["fallback_note"]; code != 200 || body["has_data"] != true || noted || len(items) != 25 {
		t.Errorf("GET holidays 2026 = %d, has_data %v, note %v, %d items; want data, no note, 25 items", code, body["has_data"], body["fallback_note"], len(items))
	}
	for _, q := range []string{"?year=26", "?year=abc", "?year=2101"} {
		if code, body := call(t, s, "caseworker@3305", http.MethodGet, "/v1/holidays"+q, nil); code != 422 || !slices.Equal(problemFields(body), []string{"year"}) {
			t.Errorf("GET holidays%s = %d %v, want 422 naming year", q, code, body)
		}
	}
	s.Now = func() time.Time { return time.Date(2026, 12, 31, 18, 0, 0, 0, time.UTC) } // 2027-01-01 01:00 WIB
	if _, body := call(t, s, "caseworker@3305", http.MethodGet, "/v1/holidays", nil); body["year"] != 2027.0 {
		t.Errorf("GET holidays without a year answered year %v, want this year in WIB (2027)", body["year"])
	}
}

func TestChangeHolidaysHandler(t *testing.T) {
	s, store := docServer(t)
	code, body := call(t, s, "admin@ID", http.MethodPost, "/v1/holidays",
		map[string]string{"date": "2027-01-01", "kind": "national", "name": "Tahun Baru", "reason": "SKB 3 Menteri"}, "Idempotency-Key", "h-2027-01-01")
	if code != http.StatusCreated || body["date"] != "2027-01-01" || store.reason != "SKB 3 Menteri" || store.event.ActorRole != "admin" {
		t.Errorf("POST holidays = %d %v (reason %q, event %+v)", code, body, store.reason, store.event)
	}
	if !slices.Equal(store.saved, []int{http.StatusCreated}) {
		t.Errorf("stored idempotent responses %v, want [201]", store.saved)
	}
	if code, body := call(t, s, "admin@33", http.MethodPost, "/v1/holidays",
		map[string]string{"date": "2027-01-01", "kind": "national", "name": "Tahun Baru", "reason": "SKB 3 Menteri"}); code != http.StatusForbidden {
		t.Errorf("POST holidays by a provincial admin = %d %v, want 403", code, body)
	}
	code, body = call(t, s, "admin@ID", http.MethodDelete, "/v1/holidays/2026-12-25?reason=Salah+tanggal", nil)
	if code != http.StatusOK || body["date"] != "2026-12-25" || store.reason != "Salah tanggal" {
		t.Errorf("DELETE holiday = %d %v (reason %q), want 200 with the reason from the query", code, body, store.reason)
	}
}
