package e2e_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// The web pages, in a real headless Chromium against the real system.
// Each test saves a screenshot of its last page in e2e/screenshots
// (git-ignored): look at them, a page that works can still look broken.

// chromium is the browser the tests drive: LINDUNGI_CHROMIUM, or Debian's
// chromium package (.ci/run installs it when it is missing).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("LINDUNGI_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium: apt-get install -y chromium (Debian), or set LINDUNGI_CHROMIUM to a Chromium or Chrome binary")
	return ""
}

// browserTab starts a headless Chromium with a fresh profile and returns
// a tab in it, at most two minutes old. The tab's last page is saved as
// e2e/screenshots/<name>.png when the test ends.
func browserTab(t *testing.T, name string) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTab := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		screenshot(t, ctx, name)
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	return ctx
}

// screenshot saves the whole page of the tab as screenshots/<name>.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("no screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll("screenshots", 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("screenshots", name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: e2e/%s", path)
}

// do runs browser steps, failing the test on the first error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// signInAs opens the site, lands on the sign-in page and clicks the demo
// user's button.
func signInAs(t *testing.T, ctx context.Context, s *system, sub string) {
	t.Helper()
	do(t, ctx, "open the site", chromedp.Navigate(s.baseURL+"/"))
	if loc := run(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/masuk") {
		t.Fatalf("signed out, the site opened %s, want the sign-in page", loc)
	}
	button := chromedp.CSS(`form[action^="/masuk/dev"]:has(input[value="` + sub + `"]) button`)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(button))
	if err != nil {
		t.Fatalf("click sign in as %s: %v", sub, err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("after sign-in: status %d", resp.Status)
	}
}

// registerForInbox registers a worker of Kebumen through the API and waits
// for the verification task of its journey.
func registerForInbox(t *testing.T, s *system, name string) lindungi.Worker {
	t.Helper()
	cw := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker)
	r := cw.do(http.MethodPost, "/v1/workers", lindungi.NewWorker{NIK: "3305012208970003", Name: name, BirthDate: "1997-08-22",
		DomicileUnit: "3305", Phone: "081234560003", Scheme: lindungi.SchemeG2G})
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var w lindungi.Worker
	r.decode(t, &w)
	eventually(t, "the verification task", func() bool {
		r := cw.do(http.MethodGet, "/v1/tasks?status=open&worker="+w.ID.String(), nil)
		return r.Status == http.StatusOK && strings.Contains(string(r.Body), string(lindungi.TaskVerifyRegistration))
	})
	return w
}

// TestWebCaseWorkerInbox: a Kebumen case worker signs in with a click and
// finds, in the inbox, the worker's name and the task in words, on a
// 360-pixel phone screen without sideways scrolling; the names shown are
// logged as reads.
func TestWebCaseWorkerInbox(t *testing.T) {
	s := startSystem(t)
	w := registerForInbox(t, s, "Ahmad Fauzi")
	ctx := browserTab(t, "web-inbox-360")

	signInAs(t, ctx, s, "caseworker-3305")
	if loc := run(t, ctx, "location", chromedp.Location()); loc != s.baseURL+"/" {
		t.Fatalf("after sign-in the browser is at %s, want the inbox", loc)
	}
	main := run(t, ctx, "read the inbox", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Kotak tugas", "Selamat datang, Demo caseworker 3305.", "Ahmad Fauzi", "Verifikasi pendaftaran",
		"hari kerja lagi", "Kabupaten Kebumen", "Belum diambil"} {
		if !strings.Contains(main, want) {
			t.Errorf("the inbox lacks %q:\n%s", want, main)
		}
	}
	header := run(t, ctx, "read the header", chromedp.Text(chromedp.CSS("header")))
	if !strings.Contains(header, "Demo caseworker 3305") || !strings.Contains(header, "Petugas kasus") {
		t.Errorf("the header does not say who is signed in:\n%s", header)
	}
	// On a desktop each cell sits under its column's header, empty ones too.
	aligned := run(t, ctx, "line the cells up", chromedp.Evaluate[bool](`(() => {
		const th = document.querySelectorAll("table.cards thead th");
		const td = document.querySelectorAll("table.cards tbody tr:first-child td");
		return th.length > 0 && th.length === td.length &&
			[...td].every((c, i) => Math.abs(c.getBoundingClientRect().left - th[i].getBoundingClientRect().left) < 1);
	})()`))
	if !aligned {
		t.Error("on a desktop the inbox's cells are not under their headers")
	}
	screenshot(t, ctx, "web-inbox-desktop")

	// A phone: 360 CSS pixels wide.
	do(t, ctx, "a 360-pixel screen", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Reload())
	width := run(t, ctx, "measure the page", chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if width > 360 {
		t.Errorf("at 360 px the inbox is %d px wide: it scrolls sideways", width)
	}
	if main := run(t, ctx, "read the inbox", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(main, "Ahmad Fauzi") {
		t.Errorf("at 360 px the inbox lacks the worker's name:\n%s", main)
	}

	// Each page showing the name wrote a read of it, with its purpose.
	var reads int
	if err := s.db.SQL().Get(&reads, `SELECT count(*) FROM audit_events
		WHERE action = 'access.inbox' AND worker_id = $1 AND purpose = 'case-work' AND actor = 'caseworker-3305'`, w.ID); err != nil {
		t.Fatal(err)
	}
	if reads < 2 {
		t.Errorf("%d access events for the worker's name, want one per page shown (2)", reads)
	}
}

// TestWebPostWithoutCSRFIsRefused: a form posted without its CSRF token is
// refused with 403, in the browser and from outside it, and the session
// stays; the language switch is one click and is remembered.
func TestWebPostWithoutCSRFIsRefused(t *testing.T) {
	s := startSystem(t)
	ctx := browserTab(t, "web-csrf-refused")
	signInAs(t, ctx, s, "caseworker-3305")

	do(t, ctx, "switch to English", chromedp.Click(chromedp.CSS(`a.lang`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)))
	if h1 := run(t, ctx, "read the title", chromedp.Text(chromedp.CSS("h1"))); h1 != "Inbox" {
		t.Errorf("after one click on English the title is %q, want Inbox", h1)
	}

	// Another site's form, from outside the browser: no session, no token.
	resp, err := http.PostForm(s.baseURL+"/keluar", url.Values{"csrf_token": {uuid.NewString()}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a sign-out posted from outside = %d, want 403", resp.StatusCode)
	}

	// The sign-out form with its token taken out.
	do(t, ctx, "take the token out", chromedp.RemoveAttribute(chromedp.CSS(`form.signout input[name="csrf_token"]`), "value"))
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.signout button`)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != http.StatusForbidden {
		t.Errorf("a sign-out without its CSRF token = %d, want 403", res.Status)
	}
	if main := run(t, ctx, "read the answer", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(main, "This form has expired") {
		t.Errorf("the refusal does not say why, in English:\n%s", main)
	}
	// Still signed in: the refused post changed nothing.
	do(t, ctx, "back to the inbox", chromedp.Navigate(s.baseURL+"/"))
	if loc := run(t, ctx, "location", chromedp.Location()); loc != s.baseURL+"/" {
		t.Errorf("after the refused sign-out the inbox sent the browser to %s", loc)
	}
	res, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.signout button`)))
	if err != nil || res.Status != http.StatusOK || !strings.HasSuffix(res.URL, "/masuk") {
		t.Fatalf("sign-out with its token: %v, %+v", err, res)
	}
	do(t, ctx, "open the refusal page again", chromedp.Navigate(s.baseURL+"/bahasa/id"))
	// The last page is the refusal, for the screenshot.
	do(t, ctx, "take the token out", chromedp.RemoveAttribute(chromedp.CSS(`form[action^="/masuk/dev"] input[name="csrf_token"]`), "value"))
	if res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action^="/masuk/dev"] button`))); err != nil || res.Status != http.StatusForbidden {
		t.Errorf("a sign-in without its CSRF token: %v, %+v; want 403", err, res)
	}
}

// TestWebRegisterWorker: a Kebumen case worker searches before creating,
// registers a worker through the form (a bad NIK shows its error next to
// the NIK field, the other values kept), lands on the worker's page, and
// finds the verification task with the worker's name in the inbox; the
// worker's page has no sideways scroll at 360 px. A Cilacap case worker
// searching the same NIK finds nothing, and the worker's page is a 404.
func TestWebRegisterWorker(t *testing.T) {
	const nik, name = "3305015203960004", "Sri Lestari" // a woman born 12 Mar 1996: day + 40
	s := startSystem(t)
	ctx := browserTab(t, "web-register-worker-360")
	signInAs(t, ctx, s, "caseworker-3305")

	// Search before create: the nav's Pekerja, the NIK, nothing found.
	do(t, ctx, "open the worker search", chromedp.Click(chromedp.CSS(`header nav a[href="/pekerja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-q`)))
	do(t, ctx, "search the NIK", chromedp.SendKeys(chromedp.CSS(`#f-q`), nik), chromedp.Submit(chromedp.CSS(`#f-q`)),
		chromedp.WaitVisible(chromedp.CSS(`#results-title`)))
	if main := run(t, ctx, "read the results", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(main, "Tidak ada pekerja yang cocok") {
		t.Errorf("a NIK not registered yet is found:\n%s", main)
	}
	do(t, ctx, "open the form", chromedp.Click(chromedp.CSS(`main a[href="/pekerja/baru"]`)), chromedp.WaitVisible(chromedp.CSS(`#f-nik`)))

	// A bad NIK: its error next to it, the rest kept.
	do(t, ctx, "fill the form",
		chromedp.SendKeys(chromedp.CSS(`#f-nik`), "33050152039"),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), name),
		chromedp.SetValue(chromedp.CSS(`#f-birth_date`), "1996-03-12"),
		chromedp.SendKeys(chromedp.CSS(`#f-phone`), "081234560004"),
		chromedp.SetValue(chromedp.CSS(`#f-scheme`), "G2G"))
	submit := chromedp.CSS(`main form[action="/pekerja/baru"] button[type="submit"]`)
	res, err := chromedp.RunResponse(ctx, chromedp.Click(submit))
	if err != nil || res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad NIK: %v %+v, want 422", err, res)
	}
	nikErr := run(t, ctx, "read the NIK's error", chromedp.Text(chromedp.CSS(`.field-error:has(#f-nik) #f-nik-error`)))
	if !strings.Contains(nikErr, "NIK harus 16 angka") {
		t.Errorf("the NIK's error says %q", nikErr)
	}
	if n := run(t, ctx, "count the errors", chromedp.Evaluate[int](`document.querySelectorAll(".field .error").length`)); n != 1 {
		t.Errorf("%d fields show an error, want the NIK's only", n)
	}
	if v := run(t, ctx, "the name kept", chromedp.Value(chromedp.CSS(`#f-name`))); v != name {
		t.Errorf("the name is %q after the refusal, want it kept", v)
	}
	screenshot(t, ctx, "web-register-bad-nik")

	// Corrected: the worker's page.
	do(t, ctx, "correct the NIK", chromedp.Clear(chromedp.CSS(`#f-nik`)), chromedp.SendKeys(chromedp.CSS(`#f-nik`), nik))
	if res, err := chromedp.RunResponse(ctx, chromedp.Click(submit)); err != nil || res.Status != http.StatusOK {
		t.Fatalf("registering: %v %+v", err, res)
	}
	workerURL := run(t, ctx, "location", chromedp.Location())
	if !strings.HasPrefix(workerURL, s.baseURL+"/pekerja/") || strings.HasSuffix(workerURL, "/baru") {
		t.Fatalf("after registering the browser is at %s, want the worker's page", workerURL)
	}
	main := run(t, ctx, "read the worker's page", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{name, "Pekerja terdaftar", "Terdaftar", nik, "12 Mar 1996", "Kabupaten Kebumen", "G to G"} {
		if !strings.Contains(main, want) {
			t.Errorf("the worker's page lacks %q:\n%s", want, main)
		}
	}

	// The journey gives the unit the verification task, with the name.
	eventually(t, "the verification task in the inbox", func() bool {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.baseURL+"/")); err != nil {
			return false
		}
		main, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		return err == nil && strings.Contains(main, name) && strings.Contains(main, "Verifikasi pendaftaran")
	})

	// The worker's page on a phone: no sideways scroll; the last page.
	do(t, ctx, "a 360-pixel screen", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Navigate(workerURL))
	if w := run(t, ctx, "measure the page", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 360 {
		t.Errorf("at 360 px the worker's page is %d px wide: it scrolls sideways", w)
	}
	if main := run(t, ctx, "read the worker's page", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(main, "Verifikasi pendaftaran") {
		t.Errorf("the worker's page does not list the open verification task:\n%s", main)
	}

	// Cilacap does not see the worker anywhere.
	other := browserTab(t, "web-register-cilacap-404")
	signInAs(t, other, s, "caseworker-3301")
	do(t, other, "search the NIK", chromedp.Navigate(s.baseURL+"/pekerja?q="+nik))
	if main := run(t, other, "read the results", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(main, "Tidak ada pekerja yang cocok") ||
		strings.Contains(main, name) {
		t.Errorf("Cilacap's search finds the worker:\n%s", main)
	}
	res, err = chromedp.RunResponse(other, chromedp.Navigate(workerURL))
	if err != nil || res.Status != http.StatusNotFound {
		t.Errorf("Cilacap opens the worker's page: %v %+v, want 404", err, res)
	}
	if main := run(t, other, "read the answer", chromedp.Text(chromedp.CSS("main"))); strings.Contains(main, name) || strings.Contains(main, nik) {
		t.Errorf("the 404 page shows the worker:\n%s", main)
	}
	do(t, other, "open the inbox", chromedp.Navigate(s.baseURL+"/"))
	if main := run(t, other, "read the inbox", chromedp.Text(chromedp.CSS("main"))); strings.Contains(main, name) {
		t.Errorf("Cilacap's inbox shows the worker:\n%s", main)
	}
	// The last page, for the screenshot: the 404 page.
	do(t, other, "the worker's page again", chromedp.Navigate(workerURL))
}

// page posts a form to a page as u, outside a browser: a session cookie
// sealed with the server's session key, the session's CSRF token, and
// HX-Request (so that success is 204 with HX-Redirect, not a redirect).
// The audit test calls pages that change records this way.
func (u user) page(method, path string, form url.Values, headers ...string) response {
	t := u.s.t
	t.Helper()
	key, err := web.LoadOrCreateSessionKey(filepath.Join(u.s.logDir, "session.key"), false)
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := web.NewSessions(key, false)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	sess, err := sessions.SignIn(rec, u.p, "Demo "+u.p.Subject)
	if err != nil {
		t.Fatal(err)
	}
	form.Set("csrf_token", sess.CSRFToken())
	req, err := http.NewRequest(method, u.s.baseURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	return send(t, req, headers...).response
}
