package e2e_test

import (
	"context"
	"net/http"
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
