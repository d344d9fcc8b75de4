package server_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/server"
)

var auditor33 = lindungi.Principal{Subject: "auditor-33", Unit: "33", Roles: []string{"auditor"}}

// auditPageServer is a page server with an audit signing key.
func auditPageServer(t *testing.T) (*server.Server, *fakeStore, *auditlog.Key) {
	t.Helper()
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	key := testAuditKey(t)
	return fakeServer(store, ps.Authorizer, units, key), store, key
}

// auditorBrowser is a browser with p's session.
func auditorBrowser(t *testing.T, srv *server.Server, p lindungi.Principal) *browser {
	t.Helper()
	b := newBrowser(t, srv)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	signIn(t, req, p)
	for _, c := range req.Cookies() {
		b.cookies[c.Name] = c
	}
	return b
}

// TestAuditPurposeAskedOnce: an audit page without a purpose sends the
// auditor to the purpose form, which refuses a bad purpose next to its
// field, keeps a good one in the session and goes back; the pages then
// read under it, and every read they log carries it.
func TestAuditPurposeAskedOnce(t *testing.T) {
	srv, store, _ := auditPageServer(t)
	b := auditorBrowser(t, srv, auditor33)
	trace := "/audit/pekerja/" + store.worker.ID.String()

	res, _ := b.get(trace)
	if want := "/audit/tujuan?next=" + url.QueryEscape(trace); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Fatalf("a trace without a purpose = %d to %q, want 303 to %s", res.StatusCode, res.Header.Get("Location"), want)
	}
	_, form := b.get(res.Header.Get("Location"))
	if !strings.Contains(form, `name="next" value="`+trace+`"`) {
		t.Fatalf("the purpose form does not go back to the trace:\n%s", form)
	}
	res, body := b.post("/audit/tujuan", url.Values{"purpose": {"x"}, "next": {trace}, "csrf_token": {csrf(t, form)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-purpose-error"`) || !strings.Contains(body, `value="x"`) {
		t.Fatalf("a one-letter purpose = %d\n%s", res.StatusCode, body)
	}
	res, _ = b.post("/audit/tujuan", url.Values{"purpose": {" BPK-2026-07 "}, "next": {"https://evil.test/"}, "csrf_token": {csrf(t, form)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/audit" {
		t.Fatalf("a purpose with an outside next = %d to %q, want 303 to /audit", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = b.get(trace)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "BPK-2026-07") || !strings.Contains(body, "Tujuan pemeriksaan disimpan") {
		t.Fatalf("the trace with the session's purpose = %d\n%s", res.StatusCode, body)
	}
	if len(store.accesses) != 1 || store.accesses[0].Action != "access.trace" || store.accesses[0].Purpose != "BPK-2026-07" {
		t.Errorf("the trace's read: %+v, want one access.trace with the purpose", store.accesses)
	}
	// The purpose of the session also goes with the worker file's reads.
	store.reads = nil
	if res, _ := b.get("/pekerja/" + store.worker.ID.String()); res.StatusCode != http.StatusOK || len(store.reads) == 0 || store.reads[0].Purpose != "BPK-2026-07" {
		t.Errorf("the worker's page as an auditor with a purpose: %d %+v", res.StatusCode, store.reads)
	}
}

// TestAuditMenu: the menu offers the audit pages to the roles the policy
// lets open them.
func TestAuditMenu(t *testing.T) {
	srv, _, _ := auditPageServer(t)
	for _, tt := range []struct {
		p    lindungi.Principal
		want bool
	}{
		{auditor33, true},
		{lindungi.Principal{Subject: "admin-ID", Unit: "ID", Roles: []string{"admin"}}, true},
		{kebumenCaseworker, false},
		{lindungi.Principal{Subject: "ps-33", Unit: "33", Roles: []string{"province_supervisor"}}, false},
	} {
		rec := pageGet(t, srv, tt.p, "/")
		if got := strings.Contains(rec.Body.String(), `href="/audit"`); got != tt.want {
			t.Errorf("%s sees the Audit menu: %v, want %v", tt.p.Subject, got, tt.want)
		}
	}
}

// TestAuditQuestionCSV: a question's CSV says who exported it, when and
// why before its table, and the export is logged with its format.
func TestAuditQuestionCSV(t *testing.T) {
	srv, store, _ := auditPageServer(t)
	rec := pageGet(t, srv, auditor33, "/audit/eskalasi?purpose=BPK-2026-07&format=csv&unit=3305")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("CSV = %d %v\n%s", rec.Code, rec.Header(), rec.Body)
	}
	r := csv.NewReader(strings.NewReader(rec.Body.String()))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 7 || rows[1][1] != "auditor-33" || rows[3][1] != "BPK-2026-07" || rows[5][0] != "seq" ||
		rows[6][2] != store.task.ID.String() || rows[6][3] != "VERIFY_REGISTRATION" {
		t.Fatalf("the CSV: %v\n%s", err, rec.Body)
	}
	if n := len(store.accesses); n != 1 || store.accesses[0].Action != "access.top_escalations" || !strings.Contains(string(store.accesses[0].After), `"format":"csv"`) {
		t.Errorf("the export's read: %+v", store.accesses)
	}
	// A unit out of the auditor's reach is refused.
	if rec := pageGet(t, srv, lindungi.Principal{Subject: "auditor-3301", Unit: "3301", Roles: []string{"auditor"}},
		"/audit/eskalasi?purpose=BPK-2026-07&unit=33"); rec.Code != http.StatusForbidden {
		t.Errorf("a district auditor asking about the province = %d, want 403", rec.Code)
	}
}

// TestCheckExportPage: the check page takes an export of this server and
// says it holds, refuses one with a byte changed naming the event, and
// says what is wrong with a file that is no export, or too large.
func TestCheckExportPage(t *testing.T) {
	srv, _, key := auditPageServer(t)
	rs := []auditlog.Record{{Seq: 1, Event: lindungi.Event{Actor: "caseworker-3305", ActorUnit: "3305", Action: "worker.register"}}}
	h, _ := auditlog.Hash(auditlog.Genesis, rs[0])
	rs[0].Hash = h
	ex, err := key.SignExport(auditlog.ExportPayload{Scope: "3305", ExportedBy: "auditor-33", FirstSeq: 1, LastSeq: 1, Events: rs,
		Checkpoints: []auditlog.Checkpoint{}})
	if err != nil {
		t.Fatal(err)
	}
	file, _ := json.Marshal(ex)
	b := auditorBrowser(t, srv, auditor33)
	_, page := b.get("/audit/periksa-ekspor?purpose=BPK-2026-07")
	upload := func(content []byte) (*http.Response, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf_token", csrf(t, page))
		fw, _ := mw.CreateFormFile("export", "export.json")
		fw.Write(content)
		mw.Close()
		req := httptest.NewRequest(http.MethodPost, "/audit/periksa-ekspor?purpose=BPK-2026-07", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return b.do(req)
	}
	if res, body := upload(file); res.StatusCode != http.StatusOK || !strings.Contains(body, "Berkas utuh dan ditandatangani server ini") ||
		!strings.Contains(body, "Kabupaten Kebumen") {
		t.Errorf("an intact export = %d\n%s", res.StatusCode, body)
	}
	edited := bytes.Replace(file, []byte(`"actor":"caseworker-3305"`), []byte(`"actor":"caseworker-3306"`), 1)
	if res, body := upload(edited); res.StatusCode != http.StatusOK || !strings.Contains(body, "Gagal di peristiwa #1") || !strings.Contains(body, "Diubah") {
		t.Errorf("an edited export = %d\n%s", res.StatusCode, body)
	}
	if res, body := upload([]byte("not json")); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-export-error"`) {
		t.Errorf("a file that is no export = %d\n%s", res.StatusCode, body)
	}
	req := httptest.NewRequest(http.MethodPost, "/audit/periksa-ekspor?purpose=BPK-2026-07", strings.NewReader("x"))
	req.ContentLength = 100 << 20
	if res, body := b.do(req); res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "terlalu besar") {
		t.Errorf("an upload of 100 MB = %d\n%s", res.StatusCode, body)
	}
}

// TestScopedExportAPI: the export route answers a district auditor the
// district's events and a national auditor every unit's, and refuses a
// unit out of reach.
func TestScopedExportAPI(t *testing.T) {
	srv, _, _ := auditPageServer(t)
	for _, tt := range []struct {
		token, query string
		status       int
		scope        string
	}{
		{"auditor@3305", "", http.StatusOK, "3305"},
		{"auditor@33", "&unit=3301", http.StatusOK, "3301"},
		{"auditor@ID", "", http.StatusOK, ""},
		{"auditor@ID", "&unit=ID", http.StatusOK, ""},
		{"auditor@3305", "&unit=33", http.StatusForbidden, ""},
		{"auditor@33", "&unit=9999", http.StatusUnprocessableEntity, ""},
	} {
		_, rec := sendRaw(srv, tt.token, http.MethodGet, "/v1/audit/export?purpose=BPK-2026-07"+tt.query, nil)
		var body struct {
			Payload struct {
				Scope string `json:"scope"`
			} `json:"payload"`
		}
		json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != tt.status || (rec.Code == http.StatusOK && body.Payload.Scope != tt.scope) {
			t.Errorf("export as %s%s = %d scope %q, want %d scope %q", tt.token, tt.query, rec.Code, body.Payload.Scope, tt.status, tt.scope)
		}
	}
}
