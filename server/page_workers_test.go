package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/server"
)

// pageGet answers a GET of path as p, signed in.
func pageGet(t *testing.T, srv http.Handler, p lindungi.Principal, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	signIn(t, req, p)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

var kebumenCaseworker = lindungi.Principal{Subject: "cw-3305", Unit: "3305", Roles: []string{"caseworker"}}

func TestWorkerSearchPage(t *testing.T) {
	srv, store := pageServer(t)
	rec := pageGet(t, srv, kebumenCaseworker, "/pekerja?q=3305011508950001")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `href="/pekerja/`+store.worker.ID.String()+`"`) ||
		!strings.Contains(body, ">Siti<") || !strings.Contains(body, `href="/pekerja/baru"`) {
		t.Fatalf("search: %d\n%s", rec.Code, body)
	}
	if len(store.reads) != 1 || store.reads[0].Action != "access.search" || store.reads[0].Purpose != "case-work" ||
		*store.reads[0].WorkerID != store.worker.ID {
		t.Errorf("the worker shown is not logged as read: %+v", store.reads)
	}

	// An empty box is just the form; a bad query is an error next to it.
	store.reads = nil
	if rec := pageGet(t, srv, kebumenCaseworker, "/pekerja"); rec.Code != http.StatusOK || len(store.reads) != 0 {
		t.Errorf("no query: %d, %d reads", rec.Code, len(store.reads))
	}
	rec = pageGet(t, srv, kebumenCaseworker, "/pekerja?q=Si")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="f-q-error"`) {
		t.Errorf("a two-letter name: %d\n%s", rec.Code, rec.Body)
	}
	// An auditor searches, but may not register.
	auditor := lindungi.Principal{Subject: "aud", Unit: "33", Roles: []string{"auditor"}}
	rec = pageGet(t, srv, auditor, "/pekerja?purpose=audit+2026-07&q=Siti")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `href="/pekerja/baru"`) {
		t.Errorf("auditor: %d\n%s", rec.Code, rec.Body)
	}
}

func TestWorkerQuery(t *testing.T) {
	for q, want := range map[string]lindungi.WorkerQuery{
		"3305011508950001": {NIK: "3305011508950001"},
		"0812-3456-7890":   {Phone: "081234567890"},
		"+6281234567890":   {Phone: "+6281234567890"},
		"Siti Aminah":      {Name: "Siti Aminah"},
	} {
		if got := server.WorkerQuery(q); got.NIK != want.NIK || got.Phone != want.Phone || got.Name != want.Name {
			t.Errorf("%q = %+v, want %+v", q, got, want)
		}
	}
}

func TestWorkerPage(t *testing.T) {
	srv, store := pageServer(t)
	path := "/pekerja/" + store.worker.ID.String()
	rec := pageGet(t, srv, kebumenCaseworker, path)
	body := rec.Body.String()
	for _, want := range []string{"<h1>Siti", "3305011508950001", "15 Agu 1995", "6281234567890", "Kabupaten Kebumen",
		"P to P (melalui P3MI)", "Terdaftar", "Paspor", "Menunggu verifikasi", "Verifikasi pendaftaran"} {
		if !strings.Contains(body, want) {
			t.Errorf("the worker page lacks %q", want)
		}
	}
	if rec.Code != http.StatusOK || t.Failed() {
		t.Fatalf("%d\n%s", rec.Code, body)
	}
	if len(store.reads) != 2 || store.reads[0].Action != "access.worker" || store.reads[1].Action != "access.document" ||
		store.reads[0].Purpose != "case-work" {
		t.Errorf("reads: %+v", store.reads)
	}

	// Out of reach: the 404 page, nothing of the worker, nothing logged.
	store.reads = nil
	cilacap := lindungi.Principal{Subject: "cw-3301", Unit: "3301", Roles: []string{"caseworker"}}
	rec = pageGet(t, srv, cilacap, path)
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "Siti") || len(store.reads) != 0 {
		t.Errorf("out of reach: %d, %d reads\n%s", rec.Code, len(store.reads), rec.Body)
	}
	if rec := pageGet(t, srv, kebumenCaseworker, "/pekerja/bukan-id"); rec.Code != http.StatusNotFound && rec.Code != http.StatusBadRequest {
		t.Errorf("a malformed ID: %d", rec.Code)
	}
}

func TestRegisterWorkerForm(t *testing.T) {
	srv, _ := pageServer(t)
	b := newBrowser(t, srv)
	req := httptest.NewRequest(http.MethodGet, "/pekerja/baru", nil)
	signIn(t, req, kebumenCaseworker)
	for _, c := range req.Cookies() {
		b.cookies[c.Name] = c
	}
	res, body := b.get("/pekerja/baru")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `name="domicile_unit" type="text" value="3305"`) {
		t.Fatalf("the form: %d\n%s", res.StatusCode, body)
	}
	token := csrf(t, body)
	form := url.Values{"csrf_token": {token}, "nik": {"12345"}, "name": {"Siti Aminah"}, "birth_date": {"1995-08-15"},
		"domicile_unit": {"3305"}, "phone": {"081234567890"}, "scheme": {"G2G"}}

	// A bad NIK: the form again, the error next to the NIK, the values kept.
	res, body = b.post("/pekerja/baru", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-nik-error"`) ||
		!strings.Contains(body, `value="Siti Aminah"`) || !strings.Contains(body, `<option value="G2G" selected>`) ||
		strings.Contains(body, `id="f-name-error"`) {
		t.Fatalf("a bad NIK: %d\n%s", res.StatusCode, body)
	}

	// Without the CSRF token: refused.
	form.Set("nik", "3305015508950001")
	res, _ = b.post("/pekerja/baru", url.Values{"nik": form["nik"], "name": form["name"]})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a post without CSRF: %d", res.StatusCode)
	}

	// Good: to the new worker's page, with a flash there.
	res, _ = b.post("/pekerja/baru", form)
	to := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to, "/pekerja/") {
		t.Fatalf("registered: %d %s", res.StatusCode, to)
	}
	// (The fake store does not keep the new worker: the flash shows on the next page.)
	if res, body = b.get("/pekerja"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Pekerja terdaftar") {
		t.Errorf("the worker page after registering: %d\n%s", res.StatusCode, body)
	}
}
