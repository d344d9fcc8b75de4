package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// scanPDF is a small PDF, as a scanner would send one.
var scanPDF = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
	"trailer\n<< /Root 1 0 R >>\n%%EOF\n")

// upload sends content as the raw body of a request as u (the scan API),
// validated against the OpenAPI document like do.
func (u user) upload(method, path string, content []byte, headers ...string) response {
	t := u.s.t
	t.Helper()
	req, err := http.NewRequest(method, u.s.baseURL+path, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+u.token)
	r := send(t, req, headers...)
	u.s.checkContract(req, content, r.http, r.Body)
	return r.response
}

// pageUpload posts a multipart form with one file to a page as u, outside
// a browser, as page does a form.
func (u user) pageUpload(path string, form url.Values, name string, content []byte, headers ...string) response {
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
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, u.s.baseURL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("HX-Request", "true")
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	return send(t, req, headers...).response
}

// fetched is what a page's script sees of a download.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	NoSniff     string `json:"nosniff"`
	Size        int    `json:"size"`
}

// fetchInPage downloads path with the tab's session, as a click on a
// download link would, and reports the answer.
func fetchInPage(t *testing.T, ctx context.Context, path string) fetched {
	t.Helper()
	return run(t, ctx, "download "+path, chromedp.Evaluate[fetched](`fetch(`+strconvQuote(path)+`).then(async r => ({
		status: r.status, type: r.headers.get("Content-Type") || "", disposition: r.headers.get("Content-Disposition") || "",
		nosniff: r.headers.get("X-Content-Type-Options") || "", size: (await r.arrayBuffer()).byteLength}))`, chromedp.EvalAwaitPromise))
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestWebWorkerFile: a Kebumen case worker corrects a worker's phone with
// a reason (no NIK field for a case worker; the audit event has the phone
// before and after), uploads a PDF scan of the KTP, and may not verify it;
// the Kebumen supervisor verifies it and corrects the NIK; the scan
// downloads for Kebumen and is a 404 for a Cilacap case worker; the
// worker's page on a 360-pixel screen shows the journey's timeline
// without sideways scrolling.
func TestWebWorkerFile(t *testing.T) {
	s := startSystem(t)
	cw := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker)
	w := register(t, cw, 77)
	taskFor(t, s, w.ID) // the journey runs: the timeline has its first step
	workerURL := s.baseURL + "/pekerja/" + w.ID.String()
	const newPhone = "081299990077"

	ctx := browserTab(t, "web-worker-file-360")
	signInAs(t, ctx, s, "caseworker-3305")
	do(t, ctx, "open the worker's page", chromedp.Navigate(workerURL))
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main a[href$="/koreksi"]`)))
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("open the correction form: %v %+v", err, res)
	}
	if noNIK := run(t, ctx, "look for a NIK field", chromedp.Evaluate[bool](`document.querySelector('#f-nik') === null`)); !noNIK {
		t.Error("a case worker's correction form has a NIK field")
	}
	if v := run(t, ctx, "the phone prefilled", chromedp.Value(chromedp.CSS(`#f-phone`))); v != w.Phone {
		t.Errorf("the phone field holds %q, want the file's %q", v, w.Phone)
	}
	screenshot(t, ctx, "web-worker-file-correct")
	do(t, ctx, "correct the phone", chromedp.Clear(chromedp.CSS(`#f-phone`)), chromedp.SendKeys(chromedp.CSS(`#f-phone`), newPhone),
		chromedp.SendKeys(chromedp.CSS(`#f-reason`), "Nomor lama tidak aktif, dikonfirmasi keluarga"))
	res, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[action$="/koreksi"] button[type="submit"]`)))
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("save the correction: %v %+v", err, res)
	}
	if loc := run(t, ctx, "location", chromedp.Location()); loc != workerURL {
		t.Errorf("after the correction the browser is at %s, want the worker's page", loc)
	}
	main := run(t, ctx, "read the worker's page", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Koreksi data tersimpan", "+6281299990077", "Data dikoreksi: nomor HP"} {
		if !strings.Contains(main, want) {
			t.Errorf("after the correction the worker's page lacks %q:\n%s", want, main)
		}
	}
	var ev struct {
		Before []byte `db:"before"`
		After  []byte `db:"after"`
		Actor  string `db:"actor"`
	}
	if err := s.db.SQL().Get(&ev, `SELECT before, after, actor FROM audit_events WHERE worker_id = $1 AND action = 'worker.correct'`, w.ID); err != nil {
		t.Fatalf("the correction's audit event: %v", err)
	}
	var before, after map[string]string
	json.Unmarshal(ev.Before, &before)
	json.Unmarshal(ev.After, &after)
	if ev.Actor != "caseworker-3305" || before["phone"] != lindungi.Mask(w.Phone) || after["phone"] != lindungi.Mask("+6281299990077") ||
		before["phone"] == after["phone"] || after["reason"] == "" {
		t.Errorf("the correction's event: %s before %s after %s", ev.Actor, ev.Before, ev.After)
	}

	// Upload the KTP's scan; the one who uploaded it is offered no verify
	// button.
	file := filepath.Join(t.TempDir(), "ktp.pdf")
	if err := os.WriteFile(file, scanPDF, 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "fill the upload form", chromedp.Click(chromedp.CSS(`details.upload summary`)),
		chromedp.SetValue(chromedp.CSS(`#f-type`), "KTP"), chromedp.SendKeys(chromedp.CSS(`#f-number`), w.NIK),
		chromedp.SetUploadFiles(chromedp.CSS(`#f-file`), []string{file}))
	screenshot(t, ctx, "web-worker-file-upload")
	res, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`details.upload button[type="submit"]`)))
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("upload: %v %+v", err, res)
	}
	main = run(t, ctx, "read the worker's page", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Dokumen dan pindaiannya tersimpan", "Kartu Tanda Penduduk (KTP)", "Menunggu verifikasi", "Unduh pindaian", "PDF"} {
		if !strings.Contains(main, want) {
			t.Errorf("after the upload the worker's page lacks %q:\n%s", want, main)
		}
	}
	link := run(t, ctx, "the download link", chromedp.AttributeValue(chromedp.CSS(`.doc-scan a`), "href"))
	if !link.Exists || !strings.HasPrefix(link.Value, "/dokumen/") {
		t.Fatalf("no download link: %+v", link)
	}
	if offered := run(t, ctx, "look for a verify button", chromedp.Evaluate[bool](`document.querySelector('form[action$="/verifikasi"]') !== null`)); offered {
		t.Error("the person who uploaded the scan is offered to verify it")
	}
	if got := fetchInPage(t, ctx, link.Value); got.Status != http.StatusOK || got.Type != "application/pdf" || got.NoSniff != "nosniff" ||
		!strings.HasPrefix(got.Disposition, "attachment;") || got.Size != len(scanPDF) {
		t.Errorf("Kebumen's download: %+v", got)
	}

	// The supervisor verifies it, then corrects the NIK.
	sup := browserTab(t, "web-worker-file-supervisor")
	signInAs(t, sup, s, "supervisor-3305")
	do(t, sup, "open the worker's page", chromedp.Navigate(workerURL))
	res, err = chromedp.RunResponse(sup, chromedp.Click(chromedp.CSS(`form[action$="/verifikasi"] button`)))
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("verify: %v %+v", err, res)
	}
	if text := run(t, sup, "read the document", chromedp.Text(chromedp.CSS(`.doc`))); !strings.Contains(text, "Terverifikasi") {
		t.Errorf("after verifying, the document says:\n%s", text)
	}
	if main := run(t, sup, "read the page", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(main, "Dokumen sudah diverifikasi") ||
		!strings.Contains(main, "Dokumen diverifikasi: Kartu Tanda Penduduk (KTP)") {
		t.Errorf("after verifying, the page says:\n%s", main)
	}
	newNIK := w.NIK[:12] + "0099"
	do(t, sup, "open the correction form", chromedp.Click(chromedp.CSS(`main a[href$="/koreksi"]`)), chromedp.WaitVisible(chromedp.CSS(`#f-nik`)),
		chromedp.Clear(chromedp.CSS(`#f-nik`)), chromedp.SendKeys(chromedp.CSS(`#f-nik`), newNIK),
		chromedp.SendKeys(chromedp.CSS(`#f-reason`), "Salah ketik NIK saat pendaftaran, dicek dengan KTP asli"))
	res, err = chromedp.RunResponse(sup, chromedp.Click(chromedp.CSS(`main form[action$="/koreksi"] button[type="submit"]`)))
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("correct the NIK: %v %+v", err, res)
	}
	if main := run(t, sup, "read the page", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(main, newNIK) || !strings.Contains(main, "Data dikoreksi: NIK") {
		t.Errorf("after the NIK's correction the page says:\n%s", main)
	}
	screenshot(t, sup, "web-worker-file-supervisor")

	// A case worker's NIK, posted by hand, is refused and changes nothing.
	r := cw.page(http.MethodPost, "/pekerja/"+w.ID.String()+"/koreksi", url.Values{"nik": {w.NIK}, "reason": {"Kembalikan NIK lama"}})
	if r.Status != http.StatusForbidden {
		t.Errorf("a case worker posting a NIK = %d, want 403", r.Status)
	}
	var nik string
	s.db.SQL().Get(&nik, `SELECT nik FROM workers WHERE id = $1`, w.ID)
	if nik != newNIK {
		t.Errorf("the NIK is %s after a case worker posted one, want the supervisor's %s", nik, newNIK)
	}

	// Cilacap gets nothing of the scan.
	other := browserTab(t, "web-worker-file-cilacap")
	signInAs(t, other, s, "caseworker-3301")
	res, err = chromedp.RunResponse(other, chromedp.Navigate(s.baseURL+link.Value))
	if err != nil || (res.Status != http.StatusNotFound && res.Status != http.StatusForbidden) {
		t.Errorf("Cilacap opens the scan: %v %+v, want 404 or 403", err, res)
	}
	if got := fetchInPage(t, other, link.Value); got.Status != http.StatusNotFound || got.Type == "application/pdf" {
		t.Errorf("Cilacap's download: %+v", got)
	}

	// The worker's page on a phone: the timeline, no sideways scroll.
	do(t, ctx, "a 360-pixel screen", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Navigate(workerURL))
	if width := run(t, ctx, "measure the page", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); width > 360 {
		t.Errorf("at 360 px the worker's page is %d px wide: it scrolls sideways", width)
	}
	timeline := run(t, ctx, "read the timeline", chromedp.Text(chromedp.CSS(`ol.timeline`)))
	for _, want := range []string{"Didaftarkan", "Masuk tahap Terdaftar", "Data dikoreksi: nomor HP", "Pindaian diunggah", "Dokumen diverifikasi", "WIB"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, timeline)
		}
	}
	if n := run(t, ctx, "count the entries", chromedp.Evaluate[int](`document.querySelectorAll("ol.timeline li").length`)); n < 6 {
		t.Errorf("the timeline has %d entries", n)
	}
}
