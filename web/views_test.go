package web

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"golang.org/x/net/html"
)

var testUnits = map[string]string{"33": "Jawa Tengah", "3305": "Kabupaten Kebumen", "3301": "Kabupaten Cilacap"}

func testPage(lang string) Page {
	s, _ := NewSessions(testKey(1), false)
	sess := s.New()
	return Page{Printer: NewPrinter(lang), CSRF: sess.CSRFToken(), Path: "/",
		User: &User{Name: "Demo caseworker 3305", Unit: "3305", UnitName: "Kabupaten Kebumen", Roles: []string{lindungi.RoleCaseworker}}}
}

// inboxFixture is three tasks on Monday 21 Dec 2026 at 09.00 WIB: one due
// in two working days, one two days late and escalated, one held by the
// user in a unit delegated to it.
func inboxFixture(lang string) InboxPage {
	now := time.Date(2026, 12, 21, 9, 0, 0, 0, lindungi.WIB)
	siti, budi, dewi := uuid.New(), uuid.New(), uuid.New()
	claimed := now.Add(-time.Hour)
	tasks := []lindungi.Task{
		{ID: uuid.New(), WorkerID: budi, Kind: lindungi.TaskMedicalCheck, Unit: "3305", Level: 1, Status: lindungi.TaskOpen,
			DueDate: "2026-12-17", DueAt: time.Date(2026, 12, 18, 0, 0, 0, 0, lindungi.WIB)},
		{ID: uuid.New(), WorkerID: siti, Kind: lindungi.TaskVerifyRegistration, Unit: "3305", Status: lindungi.TaskOpen,
			DueDate: "2026-12-23", DueAt: time.Date(2026, 12, 24, 0, 0, 0, 0, lindungi.WIB)},
		{ID: uuid.New(), WorkerID: dewi, Kind: lindungi.TaskCaseHandling, Unit: "3301", Status: lindungi.TaskOpen,
			ClaimedBy: "caseworker-3305", ClaimedAt: &claimed,
			DueDate: "2026-12-28", DueAt: time.Date(2026, 12, 29, 0, 0, 0, 0, lindungi.WIB)},
	}
	p := testPage(lang)
	return InboxPage{Page: p, Tasks: p.InboxTable(InboxInput{
		Tasks:    tasks,
		Workers:  map[uuid.UUID]string{siti: "Siti Aminah", budi: "Budi Santoso", dewi: "Dewi <Lestari>"},
		Units:    testUnits,
		Own:      func(unit string) bool { return unit == "3305" },
		Me:       "caseworker-3305",
		Calendar: december,
		Now:      now,
	}), Pager: Pager{Label: p.T("pager.label"), NextURL: "/?cursor=abc", NextText: p.T("pager.next")}}
}

func render(t *testing.T, name string, data any) (*http.Response, string) {
	t.Helper()
	w := httptest.NewRecorder()
	if err := Render(w, http.StatusOK, name, data); err != nil {
		t.Fatal(err)
	}
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestInboxPage(t *testing.T) {
	tests := []struct {
		lang string
		want []string
	}{
		{Indonesian, []string{`<html lang="id">`, "Kotak tugas", "Siti Aminah", "Verifikasi pendaftaran", "23 Des 2026", "2 hari kerja lagi",
			"Budi Santoso", "Pemeriksaan kesehatan", "Terlambat 2 hari kerja", "Terlambat", "Dieskalasi",
			"Dewi &lt;Lestari&gt;", "Penanganan pengaduan", "Didelegasikan", "Anda", "Belum diambil", "Kabupaten Cilacap",
			"Halaman berikutnya", ">English<", "Keluar", "Petugas kasus"}},
		{English, []string{`<html lang="en">`, "Inbox", "Siti Aminah", "Verify registration", "23 Dec 2026", "2 working days left",
			"2 working days late", "Overdue", "Escalated", "Delegated", "You", "Not claimed", "Next page", ">Bahasa Indonesia<", "Sign out", "Case worker"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			res, body := render(t, "inbox", inboxFixture(tt.lang))
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			if strings.Contains(body, "VERIFY_REGISTRATION") || strings.Contains(body, "Dewi <Lestari>") {
				t.Error("the page shows a raw code or unescaped text")
			}
			// The most urgent task, as listed, comes first and is marked late.
			if i, j := strings.Index(body, "Budi Santoso"), strings.Index(body, "Siti Aminah"); i > j {
				t.Error("tasks are not in the order given")
			}
			checkHeaders(t, res)
			checkMarkup(t, body)
		})
	}
}

func TestInboxEmpty(t *testing.T) {
	p := testPage(Indonesian)
	_, body := render(t, "inbox", InboxPage{Page: p, Tasks: p.InboxTable(InboxInput{Now: time.Now()})})
	if !strings.Contains(body, "Tidak ada tugas terbuka") || strings.Contains(body, "<table") {
		t.Error("an empty inbox must say so instead of showing an empty table")
	}
}

func TestSignInPage(t *testing.T) {
	p := testPage(Indonesian)
	p.User = nil
	users := []lindungi.User{
		{Subject: "caseworker-3305", Name: "Demo caseworker 3305", Unit: "3305", Roles: []string{lindungi.RoleCaseworker}},
		{Subject: "auditor-33", Name: "Demo auditor Jawa Tengah", Unit: "33", Roles: []string{lindungi.RoleAuditor}},
	}
	res, body := render(t, "signin", SignInPage{Page: p, OIDC: true, DemoUsers: p.DemoUserTable(users, testUnits, p.CSRF, "/")})
	for _, w := range []string{"Masuk", "Pengguna demo", "Demo caseworker 3305", "Kabupaten Kebumen", "Petugas kasus", "Auditor",
		`action="/masuk/dev"`, `value="caseworker-3305"`, `href="/masuk/oidc"`} {
		if !strings.Contains(body, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
	if strings.Contains(body, "Keluar") {
		t.Error("a signed-out page offers sign-out")
	}
	checkHeaders(t, res)
	checkMarkup(t, body)

	_, body = render(t, "signin", SignInPage{Page: p})
	if !strings.Contains(body, "Tidak ada cara masuk") {
		t.Error("with neither OIDC nor demo users the page must say nobody can sign in")
	}
}

func TestErrorPage(t *testing.T) {
	p := testPage(English)
	w := httptest.NewRecorder()
	if err := Render(w, http.StatusForbidden, "error", ErrorPage{Page: p, Message: p.T("error.csrf")}); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "This form has expired") {
		t.Errorf("status %d, body %s", w.Code, w.Body)
	}
	if err := Render(httptest.NewRecorder(), 200, "no-such-page", p); err == nil {
		t.Error("an unknown page rendered")
	}
}

func TestField(t *testing.T) {
	var buf bytes.Buffer
	f := Field{Name: "nik", Label: "NIK", Value: "33050115", Hint: "16 angka", Error: "harus tepat 16 angka", Required: true, InputMode: "numeric"}
	if err := views["inbox"].ExecuteTemplate(&buf, "field", f); err != nil {
		t.Fatal(err)
	}
	body := buf.String()
	for _, w := range []string{`<label for="f-nik">NIK</label>`, `id="f-nik"`, `name="nik"`, `value="33050115"`, `aria-invalid="true"`,
		`aria-describedby="f-nik-hint f-nik-error"`, `id="f-nik-error">harus tepat 16 angka<`, `inputmode="numeric"`, "required"} {
		if !strings.Contains(body, w) {
			t.Errorf("field lacks %q:\n%s", w, body)
		}
	}
	buf.Reset()
	if err := views["inbox"].ExecuteTemplate(&buf, "field", Field{Name: "name", Label: "Nama"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "aria-invalid") || strings.Contains(buf.String(), "aria-describedby") {
		t.Errorf("a field without error or hint: %s", buf.String())
	}
}

func TestLocalPath(t *testing.T) {
	tests := map[string]string{
		"/":                   "/",
		"/?cursor=abc":        "/?cursor=abc",
		"/pekerja/123":        "/pekerja/123",
		"":                    "/",
		"https://evil.test/":  "/",
		"//evil.test/":        "/",
		"/\\evil.test":        "/",
		"javascript:alert(1)": "/",
		"/\r\nSet-Cookie: x":  "/",
	}
	for in, want := range tests {
		if got := LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLangSwitchURL(t *testing.T) {
	p := testPage(Indonesian)
	p.Path = "/?cursor=a b"
	if got, want := p.LangSwitchURL(), "/bahasa/en?next=%2F%3Fcursor%3Da+b"; got != want {
		t.Errorf("LangSwitchURL = %q, want %q", got, want)
	}
	p = testPage(English)
	if got, want := p.LangSwitchURL(), "/bahasa/id"; got != want {
		t.Errorf("LangSwitchURL = %q, want %q", got, want)
	}
}

func checkHeaders(t *testing.T, res *http.Response) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": ContentSecurityPolicy,
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-store",
	}
	for h, v := range want {
		if got := res.Header.Get(h); got != v {
			t.Errorf("%s = %q, want %q", h, got, v)
		}
	}
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(ContentSecurityPolicy, d) {
			t.Errorf("the CSP lacks %q", d)
		}
	}
}

// checkMarkup fails on what the CSP would block or a user would miss: an
// inline script, a style attribute or element, an event handler
// attribute, a post form without its CSRF token, an input without a label,
// a page without exactly one h1.
func checkMarkup(t *testing.T, body string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(body))
	var inForm, formHasToken bool
	labels, inputs := map[string]bool{}, []string{}
	h1 := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		attr := map[string]string{}
		for _, a := range tok.Attr {
			attr[a.Key] = a.Val
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has an event handler attribute %s", tok.Data, a.Key)
			}
			if a.Key == "style" {
				t.Errorf("<%s> has a style attribute", tok.Data)
			}
		}
		switch {
		case tt == html.StartTagToken && tok.Data == "script":
			if attr["src"] == "" {
				t.Error("an inline <script>")
			}
		case tt == html.StartTagToken && tok.Data == "style":
			t.Error("a <style> element")
		case tt == html.StartTagToken && tok.Data == "h1":
			h1++
		case tt == html.StartTagToken && tok.Data == "form":
			if strings.EqualFold(attr["method"], "post") {
				inForm, formHasToken = true, false
			}
		case tt == html.EndTagToken && tok.Data == "form":
			if inForm && !formHasToken {
				t.Error("a post form without its CSRF token")
			}
			inForm = false
		case (tt == html.StartTagToken || tt == html.SelfClosingTagToken) && tok.Data == "input":
			if attr["name"] == CSRFField && attr["type"] == "hidden" && attr["value"] != "" {
				formHasToken = true
			}
			if attr["type"] != "hidden" {
				inputs = append(inputs, attr["id"])
			}
		case tt == html.StartTagToken && tok.Data == "label":
			labels[attr["for"]] = true
		}
	}
	if h1 != 1 {
		t.Errorf("%d h1 headings, want 1", h1)
	}
	for _, id := range inputs {
		if id == "" || !labels[id] {
			t.Errorf("input %q has no label", id)
		}
	}
}
