package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/server"
	"github.com/lindungi/lindungi/web"
)

// testSessions seal the session cookies of the handler tests.
var testSessions = func() *web.Sessions {
	s, err := web.NewSessions(bytes.Repeat([]byte{7}, web.SessionKeySize), false)
	if err != nil {
		panic(err)
	}
	return s
}()

// signIn gives req the session cookie of p, as a sign-in would.
func signIn(t *testing.T, req *http.Request, p lindungi.Principal) web.Session {
	t.Helper()
	w := httptest.NewRecorder()
	sess, err := testSessions.SignIn(w, p, "Demo "+p.Subject)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range w.Result().Cookies() {
		req.AddCookie(c)
	}
	return sess
}

func (f *fakeStore) WorkerNames(_ context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	for _, id := range ids {
		if id == f.worker.ID {
			out[id] = f.worker.Name
		}
	}
	return out, nil
}

func (f *fakeStore) RecordAccesses(_ context.Context, evs []lindungi.Event) error {
	f.reads = append(f.reads, evs...)
	return nil
}

// browser is a client of a page server that keeps its cookies and never
// follows redirects, as the tests look at each answer.
type browser struct {
	t       *testing.T
	srv     *server.Server
	cookies map[string]*http.Cookie
}

func newBrowser(t *testing.T, srv *server.Server) *browser {
	return &browser{t: t, srv: srv, cookies: map[string]*http.Cookie{}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.srv.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	return b.do(httptest.NewRequest(http.MethodGet, path, nil))
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"|X-CSRF-Token&#34;:&#34;([^&]+)&#34;`)

// csrf is the first CSRF token of a page: of a form, or of htmx requests.
func csrf(t *testing.T, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m != nil && m[1] == "" {
		m[1] = m[2]
	}
	if m == nil {
		t.Fatalf("the page has no CSRF token:\n%s", body)
	}
	return m[1]
}

func pageServer(t *testing.T) (*server.Server, *fakeStore) {
	t.Helper()
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	due := time.Now().In(lindungi.WIB).AddDate(0, 0, 7)
	store.task.DueDate, store.task.DueAt = due.Format(time.DateOnly), due
	store.listed = []lindungi.Task{store.task}
	return fakeServer(store, ps.Authorizer, units, nil), store
}

func TestPagesSignInThenInbox(t *testing.T) {
	srv, store := pageServer(t)
	b := newBrowser(t, srv)

	res, _ := b.get("/")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/masuk" {
		t.Fatalf("signed out, GET / = %d to %q; want 303 to /masuk", res.StatusCode, res.Header.Get("Location"))
	}
	res, body := b.get("/masuk")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Demo caseworker 3305") || !strings.Contains(body, "Petugas kasus") {
		t.Fatalf("sign-in page: %d\n%s", res.StatusCode, body)
	}
	if res.Header.Get("Content-Security-Policy") != web.ContentSecurityPolicy || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("sign-in page headers %v", res.Header)
	}
	res, _ = b.post("/masuk/dev", url.Values{"sub": {"caseworker-3305"}, "csrf_token": {csrf(t, body)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("dev sign-in = %d to %q, want 303 to /", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = b.get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("inbox: %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{"Kotak tugas", "Selamat datang, Demo caseworker 3305.", "Siti", "Verifikasi pendaftaran",
		"5 hari kerja lagi", "Kabupaten Kebumen", "Belum diambil", "Keluar"} {
		if !strings.Contains(body, want) {
			t.Errorf("the inbox lacks %q", want)
		}
	}
	if len(store.reads) != 1 {
		t.Fatalf("%d access events, want 1 for the one worker shown", len(store.reads))
	}
	ev := store.reads[0]
	if ev.Action != "access.inbox" || ev.Purpose != server.DefaultPurpose || ev.WorkerID == nil || *ev.WorkerID != store.worker.ID ||
		ev.Actor != "caseworker-3305" || ev.ActorRole != "caseworker" || ev.Rule == "" {
		t.Errorf("access event %+v, want access.inbox of the worker, purpose case-work, by the case worker under the page's rule", ev)
	}
	// The welcome is said once.
	if _, body = b.get("/"); strings.Contains(body, "Selamat datang") {
		t.Error("the welcome shows again")
	}
}

func TestPagesRefusePostsWithoutCSRF(t *testing.T) {
	srv, _ := pageServer(t)
	b := newBrowser(t, srv)
	_, body := b.get("/masuk")
	token := csrf(t, body)
	other := newBrowser(t, srv)
	_, otherBody := other.get("/masuk")

	tests := []struct {
		name  string
		token string
	}{
		{"no token", ""},
		{"a wrong token", "AAAA" + token[4:]},
		{"another browser's token", csrf(t, otherBody)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"sub": {"caseworker-3305"}}
			if tt.token != "" {
				form.Set("csrf_token", tt.token)
			}
			res, body := b.post("/masuk/dev", form)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Formulir ini sudah kedaluwarsa") {
				t.Errorf("POST /masuk/dev = %d, want 403 with the CSRF page\n%s", res.StatusCode, body)
			}
			if res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q: a page answers a page", res.Header.Get("Content-Type"))
			}
		})
	}
	// The htmx header works as the form field does.
	req := httptest.NewRequest(http.MethodPost, "/masuk/dev", strings.NewReader("sub=caseworker-3305"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(web.CSRFHeader, token)
	if res, _ := b.do(req); res.StatusCode != http.StatusSeeOther {
		t.Errorf("POST with X-CSRF-Token = %d, want 303", res.StatusCode)
	}
}

func TestSignOut(t *testing.T) {
	srv, _ := pageServer(t)
	b := newBrowser(t, srv)
	_, body := b.get("/masuk")
	b.post("/masuk/dev", url.Values{"sub": {"supervisor-3305"}, "csrf_token": {csrf(t, body)}})
	_, body = b.get("/")
	if res, _ := b.post("/keluar", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-out without CSRF = %d, want 403", res.StatusCode)
	}
	res, _ := b.post("/keluar", url.Values{"csrf_token": {csrf(t, body)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/masuk" {
		t.Fatalf("sign-out = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := b.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after sign-out GET / = %d, want 303 to the sign-in page", res.StatusCode)
	}
	if _, body := b.get("/masuk"); !strings.Contains(body, "Anda sudah keluar.") {
		t.Error("the sign-in page does not say the user signed out")
	}
}

func TestExpiredSessionSignsInAgain(t *testing.T) {
	srv, _ := pageServer(t)
	b := newBrowser(t, srv)
	old := testSessions.Now
	t.Cleanup(func() { testSessions.Now = old })
	testSessions.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	req := httptest.NewRequest(http.MethodGet, "/?cursor=x", nil)
	signIn(t, req, lindungi.Principal{Subject: "caseworker-3305", Unit: "3305", Roles: []string{"caseworker"}})
	testSessions.Now = old
	res, _ := b.do(req)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/masuk?next=%2F%3Fcursor%3Dx" {
		t.Fatalf("an idle session: %d to %q, want the sign-in page and back", res.StatusCode, res.Header.Get("Location"))
	}
	res, body := b.get("/masuk?next=%2F%3Fcursor%3Dx")
	if !strings.Contains(body, "Sesi Anda berakhir") {
		t.Error("the sign-in page does not say the session ended")
	}
	if !strings.Contains(body, `action="/masuk/dev?next=%2f%3fcursor%3dx"`) && !strings.Contains(body, `action="/masuk/dev?next=%2F%3Fcursor%3Dx"`) {
		t.Fatalf("the demo users' forms do not come back to the page asked for:\n%s", body)
	}
	req = httptest.NewRequest(http.MethodPost, "/masuk/dev?next=%2F%3Fcursor%3Dx", strings.NewReader(url.Values{"sub": {"caseworker-3305"}, "csrf_token": {csrf(t, body)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, _ = b.do(req); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/?cursor=x" {
		t.Errorf("signing in again = %d to %q, want back to /?cursor=x", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestPageAccessDecision(t *testing.T) {
	srv, _ := pageServer(t)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	signIn(t, req, lindungi.Principal{Subject: "tamu", Unit: "3305", Roles: []string{"visitor"}})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Anda tidak berhak") ||
		rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("a role without the page's policy line: %d %s\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

func TestDevSignInOnlyForDemoUsers(t *testing.T) {
	srv, _ := pageServer(t)
	b := newBrowser(t, srv)
	_, body := b.get("/masuk")
	if res, _ := b.post("/masuk/dev", url.Values{"sub": {"admin-ID-evil"}, "csrf_token": {csrf(t, body)}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown demo user = %d, want 404", res.StatusCode)
	}

	// Without demo users (production) there is no development sign-in.
	units, ps := server.ShippedPolicies(t)
	prod := fakeServer(newFakeStore(), ps.Authorizer, units, nil)
	prod.Pages.DemoUsers = nil
	pb := newBrowser(t, prod)
	_, body = pb.get("/masuk")
	if strings.Contains(body, "Pengguna demo") || !strings.Contains(body, "Tidak ada cara masuk") {
		t.Errorf("a production sign-in page offers demo users or hides that nobody can sign in:\n%s", body)
	}
	if res, _ := pb.post("/masuk/dev", url.Values{"sub": {"caseworker-3305"}, "csrf_token": {csrf(t, body)}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("production dev sign-in = %d, want 404", res.StatusCode)
	}
	if res, _ := pb.get("/masuk/oidc"); res.StatusCode != http.StatusNotFound {
		t.Errorf("OIDC sign-in without an identity provider = %d, want 404", res.StatusCode)
	}
}

func TestLanguageSwitch(t *testing.T) {
	srv, _ := pageServer(t)
	b := newBrowser(t, srv)
	tests := []struct {
		path, wantTo string
		wantStatus   int
	}{
		{"/bahasa/en?next=%2F%3Fcursor%3Dx", "/?cursor=x", http.StatusSeeOther},
		{"/bahasa/en", "/", http.StatusSeeOther},
		{"/bahasa/id?next=https%3A%2F%2Fevil.test%2F", "/", http.StatusSeeOther},
		{"/bahasa/id?next=%2F%2Fevil.test", "/", http.StatusSeeOther},
		{"/bahasa/fr", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		res, _ := b.get(tt.path)
		if res.StatusCode != tt.wantStatus || res.Header.Get("Location") != tt.wantTo {
			t.Errorf("GET %s = %d to %q, want %d to %q", tt.path, res.StatusCode, res.Header.Get("Location"), tt.wantStatus, tt.wantTo)
		}
	}
	b.get("/bahasa/en")
	if _, body := b.get("/masuk"); !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Sign in") {
		t.Error("the language chosen is not remembered")
	}
}

func TestHTMXRedirect(t *testing.T) {
	srv, _ := pageServer(t)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("HX-Request", "true")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("HX-Redirect") != "/masuk" {
		t.Errorf("htmx request signed out: %d, HX-Redirect %q", rec.Code, rec.Header().Get("HX-Redirect"))
	}
}

func TestStaticRoute(t *testing.T) {
	srv, _ := pageServer(t)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, web.Asset("app.css"), nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("GET %s = %d, Cache-Control %q", web.Asset("app.css"), rec.Code, rec.Header().Get("Cache-Control"))
	}
	// Without pages, the server is the API alone.
	api := server.New(server.Deps{Logger: slog.New(slog.DiscardHandler)})
	rec = httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/masuk", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /masuk without pages = %d, want 404", rec.Code)
	}
}

func TestUnknownPathIsAPageForBrowsers(t *testing.T) {
	srv, _ := pageServer(t)
	req := httptest.NewRequest(http.MethodGet, "/tidak-ada/sama-sekali", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Halaman tidak ditemukan") {
		t.Errorf("a browser's unknown path: %d\n%s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/nothing", nil))
	if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("an API client's unknown path: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}
