package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

// pageAs sends a request of path as p, signed in, with the session's
// CSRF token on a post: a form, or a multipart form with file when file is
// not nil.
func pageAs(t *testing.T, srv http.Handler, p lindungi.Principal, method, path string, form url.Values, file []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	sess := signIn(t, req, p)
	if method == http.MethodPost {
		if form == nil {
			form = url.Values{}
		}
		form.Set("csrf_token", sess.CSRFToken())
		if file != nil {
			multipartPost(req, form, "file", "ktp.pdf", file)
		} else {
			body := form.Encode()
			req.Body, req.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

// TestWorkerPageShowsTheFile: the journey as a timeline in words with who
// did what, the cases with a link to each, the documents with their scan
// and the buttons the user may use, the correction link and the upload
// form; an auditor sees the file and none of the buttons.
func TestWorkerPageShowsTheFile(t *testing.T) {
	srv, store := pageServer(t)
	at := time.Date(2026, 12, 23, 7, 30, 0, 0, time.UTC)
	store.files.timeline = []lindungi.TimelineEntry{
		{Seq: 1, OccurredAt: at, Action: "worker.register", Actor: "cw-3305", ActorName: "Siti Rahayu", ActorUnit: "3305", ActorRole: "caseworker",
			After: json.RawMessage(`{"journey_step":"REGISTERED"}`)},
		{Seq: 2, OccurredAt: at, Action: "journey.step", Actor: "system:lindungi", ActorUnit: "ID", ActorRole: "system",
			After: json.RawMessage(`{"journey_step":"REGISTERED","seq":0}`)},
		{Seq: 3, OccurredAt: at.Add(time.Hour), Action: "task.complete", Actor: "sup-3305", ActorName: "Budi", ActorUnit: "3305",
			ActorRole: "supervisor", TaskKind: lindungi.TaskVerifyRegistration, After: json.RawMessage(`{"outcome":"approved","status":"completed"}`)},
		{Seq: 4, OccurredAt: at.Add(time.Hour), Action: "journey.step", Actor: "sup-3305", ActorName: "Budi", ActorUnit: "3305",
			ActorRole: "supervisor", After: json.RawMessage(`{"journey_step":"VERIFIED","seq":1}`)},
		{Seq: 5, OccurredAt: at.Add(2 * time.Hour), Action: "worker.correct", Actor: "cw-3305", ActorName: "Siti Rahayu", ActorUnit: "3305",
			ActorRole: "caseworker", After: json.RawMessage(`{"phone":"+6**********88","reason":"Nomor lama mati"}`)},
	}
	path := "/pekerja/" + store.worker.ID.String()
	rec := pageGet(t, srv, kebumenCaseworker, path)
	body := rec.Body.String()
	doc := store.document.ID.String()
	for _, want := range []string{
		"Didaftarkan", "Masuk tahap Terdaftar", "Sistem", "Verifikasi pendaftaran: disetujui", "Budi · Kepala seksi · Kabupaten Kebumen",
		"Masuk tahap Terverifikasi", "23 Des 2026 14.30 WIB", "Data dikoreksi: nomor HP",
		`href="/kasus/` + store.pcase.ID.String() + `"`, "PGD-33-2026-000001", "Gaji tidak dibayar", "Diterima",
		`href="/dokumen/` + doc + `/berkas"`, "PDF, ", `action="/dokumen/` + doc + `/verifikasi"`, `action="/dokumen/` + doc + `/tolak"`,
		`href="` + path + `/koreksi"`, `enctype="multipart/form-data"`, `action="` + path + `/dokumen"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the worker page lacks %q", want)
		}
	}
	if rec.Code != http.StatusOK || t.Failed() {
		t.Fatalf("%d\n%s", rec.Code, body)
	}
	if strings.Contains(body, "+6**********88") || strings.Contains(body, "Nomor lama mati") {
		t.Error("the timeline shows what the trail recorded of the values, not just which fields changed")
	}

	// The person who added the document (and uploaded its scan) sees no
	// verify button; an auditor sees no button and no form at all.
	rec = pageGet(t, srv, lindungi.Principal{Subject: store.document.CreatedBy, Unit: "3305", Roles: []string{"caseworker"}}, path)
	if strings.Contains(rec.Body.String(), "/verifikasi") || !strings.Contains(rec.Body.String(), "/tolak") {
		t.Errorf("the uploader's page: verify shown %v, reject shown %v", strings.Contains(rec.Body.String(), "/verifikasi"),
			strings.Contains(rec.Body.String(), "/tolak"))
	}
	auditor := lindungi.Principal{Subject: "aud-33", Unit: "33", Roles: []string{"auditor"}}
	rec = pageGet(t, srv, auditor, path+"?purpose=ST-700%2F2026")
	body = rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "Masuk tahap Terverifikasi") {
		t.Fatalf("auditor: %d\n%s", rec.Code, body)
	}
	for _, hidden := range []string{"/verifikasi", "/tolak", "/koreksi", `enctype="multipart/form-data"`} {
		if strings.Contains(body, hidden) {
			t.Errorf("the auditor's page offers %s", hidden)
		}
	}
	if !strings.Contains(body, `/berkas?purpose=ST-700%2F2026"`) {
		t.Error("the auditor's download link does not carry the purpose the page was read for")
	}
}

// TestUploadSniffsTheBytes: the upload form stores a PDF, JPEG or PNG by
// its bytes (a PNG called ktp.pdf is a PNG), and refuses an HTML page or a
// program called ktp.pdf, an empty file, a file over 10 MiB (next to the
// file input) and a form over the route's limit (an error page), writing
// nothing on a refusal.
func TestUploadSniffsTheBytes(t *testing.T) {
	srv, store := pageServer(t)
	path := "/pekerja/" + store.worker.ID.String() + "/dokumen"
	ktp := func() url.Values { return url.Values{"type": {"KTP"}, "number": {store.worker.NIK}} }
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 64)...)
	html := []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
	for _, tt := range []struct {
		name   string
		file   []byte
		status int
		want   string
	}{
		{"an HTML page called ktp.pdf", html, http.StatusUnprocessableEntity, `id="f-file-error"`},
		{"a program called ktp.pdf", exe, http.StatusUnprocessableEntity, `id="f-file-error"`},
		{"an empty file", []byte{}, http.StatusUnprocessableEntity, `id="f-file-error"`},
		{"a PDF one byte over 10 MiB", append(bytes.Clone(testPDF), make([]byte, lindungi.MaxScanSize-len(testPDF)+1)...),
			http.StatusRequestEntityTooLarge, "Berkas terlalu besar: paling besar 10 MiB."},
		{"a form over the upload's limit", append(bytes.Clone(testPDF), make([]byte, lindungi.MaxScanSize+2<<20)...),
			http.StatusRequestEntityTooLarge, "terlalu besar: paling besar 10 MiB"},
	} {
		rec := pageAs(t, srv, kebumenCaseworker, http.MethodPost, path, ktp(), tt.file)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: %d, want %d with %q\n%.2000s", tt.name, rec.Code, tt.status, tt.want, rec.Body)
		}
		if len(store.files.added) != 0 {
			t.Fatalf("%s: a refused upload was stored: %+v", tt.name, store.files.added)
		}
	}
	// The form keeps what was typed, and opens where the error is.
	rec := pageAs(t, srv, kebumenCaseworker, http.MethodPost, path, ktp(), html)
	if body := rec.Body.String(); !strings.Contains(body, `<details class="upload" open>`) ||
		!strings.Contains(body, `<option value="KTP" selected>`) || !strings.Contains(body, `value="`+store.worker.NIK+`"`) {
		t.Errorf("the refused form does not keep its values:\n%s", body)
	}

	rec = pageAs(t, srv, kebumenCaseworker, http.MethodPost, path, ktp(), png)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/pekerja/"+store.worker.ID.String()) {
		t.Fatalf("a PNG called ktp.pdf: %d %s", rec.Code, rec.Body)
	}
	if len(store.files.added) != 1 || !strings.HasPrefix(store.files.added[0].FileRef, "lindungi:scan:sha256:") {
		t.Errorf("stored: %+v", store.files.added)
	}
	for _, s := range store.files.scans {
		if s.UploadedBy == kebumenCaseworker.Subject && s.ContentType != lindungi.ScanPNG {
			t.Errorf("a PNG called ktp.pdf was stored as %s", s.ContentType)
		}
	}
}

// TestScanDownloads: a scan comes as an attachment with its sniffed type
// and nosniff, to those who reach its worker only, each download logged as
// a read with its purpose; on the page and through the API.
func TestScanDownloads(t *testing.T) {
	srv, store := pageServer(t)
	doc := store.document.ID.String()
	check := func(name string, rec *httptest.ResponseRecorder) {
		t.Helper()
		h := rec.Header()
		if rec.Code != http.StatusOK || h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), `attachment; filename="passport-`+doc+`.pdf"`) ||
			h.Get("Cache-Control") != "no-store" || !bytes.Equal(rec.Body.Bytes(), testPDF) {
			t.Errorf("%s: %d %v", name, rec.Code, h)
		}
	}
	check("page", pageGet(t, srv, kebumenCaseworker, "/dokumen/"+doc+"/berkas"))
	if len(store.reads) != 1 || store.reads[0].Action != "access.scan" || store.reads[0].Purpose != "case-work" ||
		*store.reads[0].WorkerID != store.worker.ID || store.reads[0].SubjectID != doc {
		t.Errorf("the page's download is not logged as a read: %+v", store.reads)
	}
	req := httptest.NewRequest(http.MethodGet, "/v1/documents/"+doc+"/file?purpose=verifikasi", nil)
	req.Header.Set("Authorization", "Bearer caseworker@3305")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	check("API", rec)

	store.reads = nil
	cilacap := lindungi.Principal{Subject: "cw-3301", Unit: "3301", Roles: []string{"caseworker"}}
	rec = pageGet(t, srv, cilacap, "/dokumen/"+doc+"/berkas")
	if rec.Code != http.StatusNotFound || bytes.Contains(rec.Body.Bytes(), testPDF) || len(store.reads) != 0 {
		t.Errorf("Cilacap: %d, %d reads", rec.Code, len(store.reads))
	}
}

// TestCorrectionForm: the form is prefilled; the NIK field is a
// supervisor's only, and a NIK posted by anyone else is refused with
// nothing written; a correction is saved and goes back to the worker; one
// that changes nothing, or a bad phone, shows the form again in words.
func TestCorrectionForm(t *testing.T) {
	srv, store := pageServer(t)
	path := "/pekerja/" + store.worker.ID.String() + "/koreksi"
	rec := pageGet(t, srv, kebumenCaseworker, path)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `value="&#43;6281234567890"`) || !strings.Contains(body, `value="Siti"`) ||
		strings.Contains(body, `name="nik"`) || !strings.Contains(body, `id="f-reason"`) {
		t.Fatalf("the case worker's form: %d\n%s", rec.Code, body)
	}
	if rec := pageGet(t, srv, kebumenSupervisor, path); !strings.Contains(rec.Body.String(), `name="nik" type="text" value="3305011508950001"`) {
		t.Errorf("the supervisor's form has no NIK field:\n%s", rec.Body)
	}

	form := func(extra ...string) url.Values {
		v := url.Values{"name": {"Siti"}, "phone": {"+6281234567890"}, "address": {""}, "scheme": {"P2P"},
			"placement_company": {""}, "job_order_ref": {""}, "reason": {"Nomor lama tidak aktif"}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	rec = pageAs(t, srv, kebumenCaseworker, http.MethodPost, path, form("nik", "3305011508950002"), nil)
	if rec.Code != http.StatusForbidden || len(store.files.corrections) != 0 {
		t.Errorf("a case worker posting a NIK: %d, %d corrections", rec.Code, len(store.files.corrections))
	}
	rec = pageAs(t, srv, kebumenCaseworker, http.MethodPost, path, form(), nil)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Tidak ada yang berubah") || len(store.files.corrections) != 0 {
		t.Errorf("nothing changed: %d\n%s", rec.Code, rec.Body)
	}
	rec = pageAs(t, srv, kebumenCaseworker, http.MethodPost, path, form("phone", "12345"), nil)
	if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-phone-error"`) ||
		!strings.Contains(body, `value="12345"`) || strings.Contains(body, `id="f-name-error"`) {
		t.Errorf("a bad phone: %d\n%s", rec.Code, body)
	}
	rec = pageAs(t, srv, kebumenCaseworker, http.MethodPost, path, form("phone", "0812 9999 8888"), nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/pekerja/"+store.worker.ID.String() {
		t.Fatalf("a new phone: %d %s", rec.Code, rec.Body)
	}
	if len(store.files.corrections) != 1 || *store.files.corrections[0].Phone != "+6281299998888" ||
		store.files.corrections[0].NIK != nil || store.files.events[0].Actor != kebumenCaseworker.Subject {
		t.Errorf("stored: %+v", store.files.corrections)
	}
	rec = pageAs(t, srv, kebumenSupervisor, http.MethodPost, path, form("nik", "3305011508950002"), nil)
	if rec.Code != http.StatusSeeOther || len(store.files.corrections) != 2 || *store.files.corrections[1].NIK != "3305011508950002" {
		t.Errorf("the supervisor's NIK: %d %+v", rec.Code, store.files.corrections)
	}
}

// TestDocumentDecisionPages: the second person verifies from the worker's
// page and goes back to it; a rejection without a reason shows the
// worker's page with the refusal in words.
func TestDocumentDecisionPages(t *testing.T) {
	srv, store := pageServer(t)
	doc, worker := store.document.ID.String(), store.worker.ID.String()
	rec := pageAs(t, srv, kebumenCaseworker, http.MethodPost, "/dokumen/"+doc+"/verifikasi", url.Values{"worker": {worker}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/pekerja/"+worker+"#dokumen" {
		t.Errorf("verify: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	rec = pageAs(t, srv, kebumenCaseworker, http.MethodPost, "/dokumen/"+doc+"/tolak", url.Values{"worker": {worker}, "reason": {""}}, nil)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Tulis alasan penolakan") ||
		!strings.Contains(rec.Body.String(), "<h1>Siti") {
		t.Errorf("reject without a reason: %d\n%s", rec.Code, rec.Body)
	}
	rec = pageAs(t, srv, lindungi.Principal{Subject: store.document.CreatedBy, Unit: "3305", Roles: []string{"caseworker"}},
		http.MethodPost, "/dokumen/"+doc+"/verifikasi", url.Values{"worker": {worker}}, nil)
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "orang lain yang harus memverifikasi") {
		t.Errorf("verify by the one who added it: %d\n%s", rec.Code, rec.Body)
	}
}
