package e2e_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// TestWebAuditorTrace: a provincial auditor signs in, is asked once for
// the purpose of the session, finds a Kebumen worker by NIK and opens its
// trace (data made through the API: registered, documents added and
// verified, the verification task approved, the worker read by a case
// worker); filters the trace by action, finds the case worker's read with
// its purpose in the access list, opens the file as it stood before the
// approval (documents verified, the task still open, the step not yet
// moved on), runs the chain's verification, downloads a signed export of
// Kebumen (without a Cilacap worker's events), and has the verification
// page accept it untouched and refuse it with one byte of an event
// changed. The trace fits a 360-pixel screen; every read was logged with
// the purpose.
func TestWebAuditorTrace(t *testing.T) {
	const purpose = "BPK-2026-07"
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker)
	checker := s.user("verifier-3305", "3305", lindungi.RoleVerifier)
	w := register(t, kebumen, 71)
	task := taskFor(t, s, w.ID)
	provide(t, kebumen, checker, w, verificationDocuments...)
	// The trace's "file just after" links show the file a second after an
	// event: the approval comes more than a second after the documents.
	time.Sleep(1500 * time.Millisecond)
	beforeApproval := time.Now()
	if r := kebumen.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", map[string]string{"outcome": "approved"}); r.Status != http.StatusOK {
		t.Fatalf("complete = %d %s", r.Status, r.Body)
	}
	if r := kebumen.do("GET", "/v1/workers/"+w.ID.String()+"?purpose=verifikasi+dokumen", nil); r.Status != http.StatusOK {
		t.Fatalf("the case worker's read = %d", r.Status)
	}
	cilacap := s.user("caseworker-3301", "3301", lindungi.RoleCaseworker)
	other := cilacap.do("POST", "/v1/workers", lindungi.NewWorker{NIK: "3301014107960005", Name: "Dewi Cilacap", BirthDate: "1996-07-01",
		DomicileUnit: "3301", Phone: "081234560005", Scheme: lindungi.SchemeG2G})
	if other.Status != http.StatusCreated {
		t.Fatalf("register in Cilacap = %d %s", other.Status, other.Body)
	}
	var otherWorker lindungi.Worker
	other.decode(t, &otherWorker)

	ctx := browserTab(t, "web-audit-trace-360")
	signInAs(t, ctx, s, "auditor-33")

	// The menu's Audit asks for the purpose first, then comes back.
	do(t, ctx, "open the audit pages", chromedp.Click(chromedp.CSS(`header nav a[href="/audit"]`)), chromedp.WaitVisible(chromedp.CSS(`#f-purpose`)))
	if loc := run(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "/audit/tujuan") {
		t.Fatalf("the audit pages opened %s without asking for a purpose", loc)
	}
	do(t, ctx, "give the purpose", chromedp.SendKeys(chromedp.CSS(`#f-purpose`), purpose))
	submit(t, ctx, "the purpose", `main form[action="/audit/tujuan"] button[type="submit"]`)
	main := run(t, ctx, "read the audit home", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Tujuan pemeriksaan disimpan", purpose, "Aktivitas satu pengguna", "Eskalasi sampai puncak", "Verifikasi rantai audit"} {
		if !strings.Contains(main, want) {
			t.Errorf("the audit home lacks %q:\n%s", want, main)
		}
	}

	// Find the worker by NIK; open the trace.
	do(t, ctx, "type the NIK", chromedp.SendKeys(chromedp.CSS(`#f-q`), w.NIK))
	submit(t, ctx, "the search", `main form[action="/audit"] button[type="submit"]`)
	submit(t, ctx, "the worker's link", `main a[href="/audit/pekerja/`+w.ID.String()+`"]`)
	events := `section[aria-labelledby="events-title"]`
	actions := func() []string {
		return run(t, ctx, "read the events' actions", chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('section[aria-labelledby="events-title"] tbody tr td:nth-child(2) strong')].map(e => e.textContent)`))
	}
	all := actions()
	for _, want := range []string{"worker.register", "document.add", "document.verify", "task.create", "task.complete", "journey.step"} {
		if !slices.Contains(all, want) {
			t.Errorf("the trace lacks %s: %q", want, all)
		}
	}
	if h1 := run(t, ctx, "read the title", chromedp.Text(chromedp.CSS("h1"))); h1 != w.Name {
		t.Errorf("the trace's title is %q, want the worker's name", h1)
	}

	// Filtered by action: task events only.
	do(t, ctx, "choose task events", chromedp.SetValue(chromedp.CSS(`#f-action`), "task."))
	submit(t, ctx, "the filter", events+` form button[type="submit"]`)
	tasks := actions()
	if len(tasks) < 2 || tasks[0] != "task.create" || !slices.Contains(tasks, "task.complete") {
		t.Errorf("the trace filtered by task. = %q, want task.create first and task.complete", tasks)
	}
	for _, a := range tasks {
		if !strings.HasPrefix(a, "task.") {
			t.Errorf("the trace filtered by task. shows %s", a)
		}
	}
	// Who read the worker's data, and why.
	reads := run(t, ctx, "read the access list", chromedp.Text(chromedp.CSS(`section[aria-labelledby="reads-title"]`)))
	for _, want := range []string{"caseworker-3305", "verifikasi dokumen", "access.worker", "auditor-33", purpose} {
		if !strings.Contains(reads, want) {
			t.Errorf("the access list lacks %q:\n%s", want, reads)
		}
	}
	screenshot(t, ctx, "web-audit-trace-desktop")

	// The inspector's questions: one user's activity, as a screen and as
	// CSV that says who exported it, when and why.
	do(t, ctx, "open one user's activity", chromedp.Navigate(s.baseURL+"/audit/pengguna"), chromedp.WaitVisible(chromedp.CSS(`#f-user`)),
		chromedp.SendKeys(chromedp.CSS(`#f-user`), "caseworker-3305"))
	submit(t, ctx, "the question", `main form[action="/audit/pengguna"] button[type="submit"]`)
	activity := run(t, ctx, "read the answer", chromedp.Text(chromedp.CSS("main table")))
	for _, want := range []string{"worker.register", "task.complete", "access.worker", "verifikasi dokumen"} {
		if !strings.Contains(activity, want) {
			t.Errorf("caseworker-3305's activity lacks %q:\n%s", want, activity)
		}
	}
	if strings.Contains(activity, "verifier-3305") || strings.Contains(activity, "caseworker-3301") {
		t.Errorf("caseworker-3305's activity shows another user's events:\n%s", activity)
	}
	screenshot(t, ctx, "web-audit-user")
	csvURL := run(t, ctx, "the CSV link", chromedp.AttributeValue(chromedp.CSS(`main a[href*="format=csv"]`), "href"))
	csvText := run(t, ctx, "download the CSV", chromedp.Evaluate[string](`fetch(`+strconv.Quote(csvURL.Value)+`).then(r => r.text())`, chromedp.EvalAwaitPromise))
	cr := csv.NewReader(strings.NewReader(csvText))
	cr.FieldsPerRecord = -1 // two-cell rows about the export, then the table
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("the CSV: %v\n%s", err, csvText)
	}
	head := map[string]string{}
	table := slices.IndexFunc(rows, func(r []string) bool { return r[0] == "seq" })
	for _, r := range rows[:max(table, 0)] {
		head[r[0]] = r[len(r)-1]
	}
	if table < 0 || head["exported_by"] != "auditor-33" || head["purpose"] != purpose || head["exported_at"] == "" {
		t.Fatalf("the CSV's first rows do not say who exported it, when and why:\n%s", csvText)
	}
	if len(rows) < table+8 {
		t.Errorf("the CSV has %d events of caseworker-3305, want 8 or more", len(rows)-table-1)
	}
	for _, r := range rows[table+1:] {
		if r[2] != "caseworker-3305" {
			t.Errorf("the CSV holds an event of %s", r[2])
		}
	}
	do(t, ctx, "back to the trace", chromedp.Navigate(s.baseURL+"/audit/pekerja/"+w.ID.String()), chromedp.WaitVisible(chromedp.CSS(`#events-title`)))

	// The file just after the last document was verified: before the
	// approval moved the journey on.
	do(t, ctx, "choose document events", chromedp.SetValue(chromedp.CSS(`#f-action`), "document."))
	submit(t, ctx, "the filter", events+` form button[type="submit"]`)
	submit(t, ctx, "the file after the last document event", events+` tbody tr:last-child a[href*="/per-tanggal"]`)
	asOf := run(t, ctx, "read the file as it stood", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Berkas pada", "Terdaftar", "Kartu Tanda Penduduk (KTP)", "Kartu Keluarga (KK)", "Terverifikasi",
		"Verifikasi pendaftaran", "Terbuka", w.NIK} {
		if !strings.Contains(asOf, want) {
			t.Errorf("the file before the approval lacks %q:\n%s", want, asOf)
		}
	}
	if strings.Contains(asOf, "Pelatihan") || strings.Contains(asOf, "Selesai") {
		t.Errorf("the file before the approval shows the step or the task after it:\n%s", asOf)
	}
	screenshot(t, ctx, "web-audit-asof")

	// What changed from then to now, field by field. The form's instants
	// are seconds of WIB, each read to its end: the second before the
	// approval's.
	from := web.LocalDateTime(beforeApproval.Add(-time.Second))
	do(t, ctx, "open the changes", chromedp.Navigate(s.baseURL+"/audit/pekerja/"+w.ID.String()+"/perubahan?dari="+url.QueryEscape(from)),
		chromedp.WaitVisible(chromedp.CSS(`main table`)))
	changes := run(t, ctx, "read the changes", chromedp.Text(chromedp.CSS("main table")))
	for _, want := range []string{"journey_step", `"REGISTERED"`, `"TRAINING"`, "status", `"open"`, `"completed"`, "Baru"} {
		if !strings.Contains(changes, want) {
			t.Errorf("the changes since before the approval lack %q:\n%s", want, changes)
		}
	}
	screenshot(t, ctx, "web-audit-changes")

	// The chain, verified from the screen.
	do(t, ctx, "open the verification", chromedp.Navigate(s.baseURL+"/audit/rantai"))
	submit(t, ctx, "the verification", `main form[action="/audit/rantai"] button`)
	if got := run(t, ctx, "read the result", chromedp.Text(chromedp.CSS(`#result-title`))); got != "Rantai utuh" {
		t.Errorf("the verification says %q, want Rantai utuh", got)
	}
	screenshot(t, ctx, "web-audit-chain")

	// A signed export of Kebumen, downloaded in the session.
	do(t, ctx, "open the export", chromedp.Navigate(s.baseURL+"/audit/ekspor"), chromedp.WaitVisible(chromedp.CSS(`#f-unit`)))
	file := run(t, ctx, "download the export", chromedp.Evaluate[string](
		`fetch("/audit/ekspor?format=json&unit=3305").then(r => r.ok ? r.text() : "status " + r.status)`, chromedp.EvalAwaitPromise))
	var ex struct {
		Payload struct {
			Scope      string `json:"scope"`
			ExportedBy string `json:"exported_by"`
			Events     []struct {
				Seq      int64  `json:"seq"`
				Actor    string `json:"actor"`
				WorkerID string `json:"worker_id"`
			} `json:"events"`
		} `json:"payload"`
	}
	if err := json.Unmarshal([]byte(file), &ex); err != nil {
		t.Fatalf("the export is not JSON: %v\n%.300s", err, file)
	}
	mine := 0
	for _, e := range ex.Payload.Events {
		if e.WorkerID == otherWorker.ID.String() {
			t.Errorf("Kebumen's export holds event %d of the Cilacap worker", e.Seq)
		}
		if e.WorkerID == w.ID.String() {
			mine++
		}
	}
	if ex.Payload.Scope != "3305" || ex.Payload.ExportedBy != "auditor-33" || mine < 10 {
		t.Errorf("export: scope %q by %q with %d events of the worker, want 3305 by auditor-33 with its events", ex.Payload.Scope, ex.Payload.ExportedBy, mine)
	}
	dir := t.TempDir()
	intact := filepath.Join(dir, "lindungi-audit-3305.json")
	if err := os.WriteFile(intact, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	// One byte of one event changed: the last character of its actor.
	i := bytes.Index([]byte(file), []byte(`"actor":"caseworker-3305"`))
	if i < 0 {
		t.Fatalf("no event of caseworker-3305 in the export")
	}
	edited := []byte(file)
	edited[i+len(`"actor":"caseworker-330`)] = '6'
	var editedSeq int64
	for _, e := range ex.Payload.Events {
		if e.Actor == "caseworker-3305" {
			editedSeq = e.Seq
			break
		}
	}
	tampered := filepath.Join(dir, "lindungi-audit-3305-edited.json")
	if err := os.WriteFile(tampered, edited, 0o644); err != nil {
		t.Fatal(err)
	}

	// The verification page: the untouched file passes, the edited one is
	// refused naming the event.
	check := func(path string) string {
		t.Helper()
		do(t, ctx, "open the check page", chromedp.Navigate(s.baseURL+"/audit/periksa-ekspor"), chromedp.WaitVisible(chromedp.CSS(`#f-export`)))
		do(t, ctx, "choose the file", chromedp.SetUploadFiles(chromedp.CSS(`#f-export`), []string{path}))
		submit(t, ctx, "the file "+filepath.Base(path), `main form[action="/audit/periksa-ekspor"] button[type="submit"]`)
		return run(t, ctx, "read the check", chromedp.Text(chromedp.CSS(`.result`)))
	}
	if got := check(intact); !strings.Contains(got, "Berkas utuh dan ditandatangani server ini") || !strings.Contains(got, "Kabupaten Kebumen") {
		t.Errorf("the untouched export:\n%s", got)
	}
	screenshot(t, ctx, "web-audit-check-ok")
	if got := check(tampered); !strings.Contains(got, fmt.Sprintf("Gagal di peristiwa #%d", editedSeq)) || !strings.Contains(got, "Diubah") {
		t.Errorf("the edited export (event %d):\n%s", editedSeq, got)
	}
	screenshot(t, ctx, "web-audit-check-refused")

	// Every read of these pages was logged with the session's purpose.
	for _, action := range []string{"access.search", "access.trace", "access.as_of", "access.verify", "access.export", "access.check_export",
		"access.user_activity"} {
		var n int
		if err := s.db.SQL().Get(&n, `SELECT count(*) FROM audit_events WHERE actor = 'auditor-33' AND action = $1 AND purpose = $2`, action, purpose); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("no %s event of auditor-33 with the purpose %s", action, purpose)
		}
	}
	var csvReads int
	s.db.SQL().Get(&csvReads, `SELECT count(*) FROM audit_events WHERE actor = 'auditor-33' AND action = 'access.user_activity'
		AND after->>'format' = 'csv' AND after->>'user' = 'caseworker-3305'`)
	if csvReads != 1 {
		t.Errorf("%d logged CSV exports of caseworker-3305's activity, want 1", csvReads)
	}

	// The trace on a phone: no sideways scrolling; the last page.
	do(t, ctx, "a 360-pixel screen", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile),
		chromedp.Navigate(s.baseURL+"/audit/pekerja/"+w.ID.String()), chromedp.WaitVisible(chromedp.CSS(`#events-title`)))
	if width := run(t, ctx, "measure the page", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); width > 360 {
		t.Errorf("at 360 px the trace is %d px wide: it scrolls sideways", width)
	}
}

// submit clicks a button or link that loads a page and waits for the page:
// its answer must be 200.
func submit(t *testing.T, ctx context.Context, what, sel string) {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("%s: %v %+v", what, err, res)
	}
}
