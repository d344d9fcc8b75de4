package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv"
)

// The fake store's notifications: one reader at a time, Read on the
// notification itself.

func (f *fakeStore) sees(r lindungi.Reader, n lindungi.Notification) bool {
	return (n.RecipientUnit == r.Unit || (r.Subject != "" && n.RecipientUser == r.Subject)) && n.Actor != r.Subject
}

func (f *fakeStore) Notifications(_ context.Context, q lindungi.NotificationQuery) ([]lindungi.Notification, error) {
	var out []lindungi.Notification
	for _, n := range f.notices {
		if f.sees(q.Reader, n) && (q.Before == 0 || n.ID < q.Before) && (!q.Unread || !n.Read) && len(out) < q.Limit {
			out = append(out, n)
		}
	}
	return out, nil
}

func (f *fakeStore) UnreadNotifications(_ context.Context, r lindungi.Reader) (int, error) {
	n := 0
	for _, x := range f.notices {
		if f.sees(r, x) && !x.Read {
			n++
		}
	}
	return min(n, lindungi.MaxUnread), nil
}

func (f *fakeStore) MarkNotificationsRead(ctx context.Context, r lindungi.Reader, m lindungi.MarkRead) (int, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	for _, id := range m.IDs {
		if !slices.ContainsFunc(f.notices, func(n lindungi.Notification) bool { return n.ID == id && f.sees(r, n) }) {
			return 0, &lindungi.Error{Code: lindungi.EINVALID, Message: "Not yours.", Fields: []lindungi.FieldError{{Field: "ids", Reason: "not yours"}}}
		}
	}
	for i, n := range f.notices {
		if f.sees(r, n) && (m.All || slices.Contains(m.IDs, n.ID)) {
			f.notices[i].Read = true
		}
	}
	return f.UnreadNotifications(ctx, r)
}

func (f *fakeStore) CasesOfWorkflows(_ context.Context, ids []string) (map[string]lindungi.Case, error) {
	out := map[string]lindungi.Case{}
	if slices.Contains(ids, f.pcase.WorkflowID) {
		out[f.pcase.WorkflowID] = lindungi.Case{ID: f.pcase.ID, Number: f.pcase.Number, WorkflowID: f.pcase.WorkflowID}
	}
	return out, nil
}

func (f *fakeStore) UsersOf(_ context.Context, units []string) ([]lindungi.User, error) {
	var out []lindungi.User
	for _, u := range devenv.DemoUsers() {
		if slices.Contains(units, u.Unit) {
			out = append(out, u)
		}
	}
	return out, nil
}

// someNotices gives the store's Kebumen task three notifications: an
// escalation within Kebumen (unread), an assignment (read), and a case
// referred to the province (not Kebumen's).
func someNotices(f *fakeStore) {
	task, worker, pcase := f.task.ID, f.worker.ID, f.pcase.ID
	at := time.Date(2026, 11, 27, 7, 30, 0, 0, time.UTC)
	f.notices = []lindungi.Notification{
		{ID: 3, RecipientUnit: "33", RecipientRole: "supervisor", TaskID: &task, Kind: lindungi.NoticeReferralIn, OtherUnit: "3305",
			TaskKind: lindungi.TaskReferralDecision, WorkerID: &worker, CaseID: &pcase, CaseNumber: f.pcase.Number, CreatedAt: at},
		{ID: 2, RecipientUnit: "3305", RecipientRole: "caseworker", RecipientUser: "caseworker-3305", TaskID: &task,
			Kind: lindungi.NoticeAssigned, TaskKind: lindungi.TaskVerifyRegistration, WorkerID: &worker, CreatedAt: at, Read: true},
		{ID: 1, RecipientUnit: "3305", RecipientRole: "supervisor", TaskID: &task, Kind: lindungi.NoticeEscalatedIn, OtherUnit: "3305",
			Reason: "Petugas cuti", TaskKind: lindungi.TaskVerifyRegistration, WorkerID: &worker, CreatedAt: at.Add(-time.Hour)},
	}
}

var unreadCount = regexp.MustCompile(`<span class="count">([0-9]+(?:&#43;)?)<span class="sr-only"> belum dibaca</span></span>`)

// headerCount is the header's number of unread notifications, "" when it shows
// none.
func headerCount(body string) string {
	if m := unreadCount.FindStringSubmatch(body); m != nil {
		return strings.ReplaceAll(m[1], "&#43;", "+")
	}
	return ""
}

func TestHeaderCountsUnreadNotifications(t *testing.T) {
	b, store, _ := signedInBrowser(t, "caseworker-3305")
	someNotices(store)
	for _, path := range []string{"/", "/pekerja", "/pemberitahuan"} {
		if _, body := b.get(path); headerCount(body) != "1" || !strings.Contains(body, `id="nav-notices" href="/pemberitahuan"`) {
			t.Errorf("GET %s: the header's count is %q, want 1", path, headerCount(body))
		}
	}
	// Not on the error pages, nor the sign-in page.
	if res, body := b.get("/pekerja/" + uuid.NewString()); res.StatusCode != http.StatusNotFound || headerCount(body) != "" {
		t.Errorf("the 404 page (%d) counts %q unread, want no count", res.StatusCode, headerCount(body))
	}
	if _, body := b.get("/masuk"); headerCount(body) != "" {
		t.Errorf("the sign-in page counts %q unread", headerCount(body))
	}
	// Many: 99+.
	for i := range 150 {
		store.notices = append(store.notices, lindungi.Notification{ID: int64(10 + i), RecipientUnit: "3305", Kind: "test"})
	}
	if _, body := b.get("/"); headerCount(body) != "99+" {
		t.Errorf("with 151 unread the header says %q, want 99+", headerCount(body))
	}
}

func TestNoticesPage(t *testing.T) {
	b, store, _ := signedInBrowser(t, "supervisor-3305")
	someNotices(store)
	res, body := b.get("/pemberitahuan")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /pemberitahuan = %d\n%s", res.StatusCode, body)
	}
	task := "/?worker=" + store.worker.ID.String() + "#task-" + store.task.ID.String()
	for _, want := range []string{"<h1>Pemberitahuan</h1>", `aria-current="page"`,
		"Verifikasi pendaftaran dieskalasi ke Kepala seksi.", "Alasan: Petugas cuti", "27 Nov 2026 13.30 WIB",
		"Verifikasi pendaftaran ditetapkan kepada caseworker-3305.", `<span class="badge badge-unread">Baru</span>`,
		`name="next" value="` + strings.ReplaceAll(task, "&", "&amp;") + `"`, ">Lihat tugas<", "Tandai semua dibaca", `name="all" value="true"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "dirujuk") || strings.Contains(body, "task.escalated_in") {
		t.Error("the page shows another unit's notification, or a kind's code")
	}
	// Newest first; the read one is a plain link, the unread one a form
	// that reads it on the way.
	if i, j := strings.Index(body, "ditetapkan"), strings.Index(body, "dieskalasi"); i > j {
		t.Error("not newest first")
	}
	if !strings.Contains(body, `<a href="`+strings.ReplaceAll(task, "&", "&amp;")+`">Lihat tugas</a>`) {
		t.Error("the read notification does not link to its task")
	}

	// A case's notification leads to the case; in English too.
	_, province, body := signedInBrowserAt(t, "province_supervisor-33", someNotices, "/pemberitahuan")
	if !strings.Contains(body, "Kasus dirujuk ke unit Anda dari Kabupaten Kebumen") || !strings.Contains(body, `value="/kasus/`+province.pcase.ID.String()+`"`) ||
		!strings.Contains(body, "Buka kasus PGD-33-2026-000001") {
		t.Errorf("the province's notification of a referral:\n%s", body)
	}
	req := httptest.NewRequest(http.MethodGet, "/pemberitahuan", nil)
	req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
	if _, body := b.do(req); !strings.Contains(body, "Verify registration was escalated to the Head of section.") || !strings.Contains(body, "Mark all as read") {
		t.Errorf("the page in English:\n%s", body)
	}
	if res, _ := b.get("/pemberitahuan?cursor=x"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad cursor = %d, want 422", res.StatusCode)
	}
}

// signedInBrowserAt signs sub in on a fresh server whose store prepare
// fills, and gets path.
func signedInBrowserAt(t *testing.T, sub string, prepare func(*fakeStore), path string) (*browser, *fakeStore, string) {
	t.Helper()
	b, store, _ := signedInBrowser(t, sub)
	prepare(store)
	_, body := b.get(path)
	return b, store, body
}

func TestMarkNotificationsRead(t *testing.T) {
	b, store, _ := signedInBrowser(t, "supervisor-3305")
	someNotices(store)
	_, body := b.get("/pemberitahuan")
	token := csrf(t, body)
	if res, _ := b.post("/pemberitahuan/baca", url.Values{"id": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("without CSRF = %d, want 403", res.StatusCode)
	}
	// Opening one reads it on the way to its task.
	next := "/?worker=" + store.worker.ID.String() + "#task-" + store.task.ID.String()
	res, _ := b.post("/pemberitahuan/baca", url.Values{"csrf_token": {token}, "id": {"1"}, "next": {next}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != next {
		t.Fatalf("open = %d to %q, want 303 to %s", res.StatusCode, res.Header.Get("Location"), next)
	}
	if !store.notices[2].Read {
		t.Error("the notification opened is not read")
	}
	if _, body := b.get("/"); headerCount(body) != "" {
		t.Errorf("after reading the last one the header counts %q", headerCount(body))
	}
	// Another unit's is refused, and changes nothing.
	if res, body := b.post("/pemberitahuan/baca", url.Values{"csrf_token": {token}, "id": {"3"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		store.notices[0].Read {
		t.Errorf("marking the province's notification = %d\n%s", res.StatusCode, body)
	}
	if res, _ := b.post("/pemberitahuan/baca", url.Values{"csrf_token": {token}, "id": {"x"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad id = %d, want 422", res.StatusCode)
	}

	// htmx marks all: the list again, with the header's count out of band.
	for i := range store.notices {
		store.notices[i].Read = false
	}
	req := httptest.NewRequest(http.MethodPost, "/pemberitahuan/baca", strings.NewReader(url.Values{"all": {"true"}, "back": {"/pemberitahuan"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", token)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "notice-list")
	res, body = b.do(req)
	if res.StatusCode != http.StatusOK || strings.Contains(body, "<html") || !strings.Contains(body, `<a id="nav-notices" href="/pemberitahuan" aria-current="page" hx-swap-oob="true">Pemberitahuan</a>`) ||
		strings.Contains(body, "Tandai semua dibaca") || !strings.Contains(body, "Lihat tugas") {
		t.Errorf("htmx mark all = %d, want the list alone, all read, and the header's link without a count\n%s", res.StatusCode, body)
	}
	if store.notices[0].Read || !store.notices[1].Read || !store.notices[2].Read {
		t.Errorf("after marking all: %+v, want Kebumen's read and the province's not", store.notices)
	}
	// Without JavaScript: back to the page, saying so.
	res, _ = b.post("/pemberitahuan/baca", url.Values{"csrf_token": {token}, "all": {"true"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/pemberitahuan" {
		t.Errorf("mark all = %d to %q, want 303 to /pemberitahuan", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := b.get("/pemberitahuan"); !strings.Contains(body, "Semua pemberitahuan sudah ditandai dibaca.") {
		t.Error("the page does not say all were marked read")
	}
}

func TestNotificationsAPI(t *testing.T) {
	srv, store := pageServer(t)
	someNotices(store)
	api := func(method, path, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer caseworker@3305")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	code, body := api(http.MethodGet, "/v1/notifications", "")
	if code != http.StatusOK || !strings.Contains(body, `"unread":1`) || !strings.Contains(body, `"read":true`) || !strings.Contains(body, `"next_cursor":null`) ||
		strings.Contains(body, `"id":3`) {
		t.Errorf("GET /v1/notifications = %d %s", code, body)
	}
	if code, body = api(http.MethodGet, "/v1/notifications?unread=true&limit=1", ""); code != http.StatusOK || !strings.Contains(body, `"id":1`) ||
		strings.Contains(body, `"id":2`) || !strings.Contains(body, `"next_cursor":1`) {
		t.Errorf("unread only = %d %s", code, body)
	}
	for _, bad := range []string{"?unread=ya", "?cursor=0", "?limit=0"} {
		if code, _ := api(http.MethodGet, "/v1/notifications"+bad, ""); code != http.StatusUnprocessableEntity {
			t.Errorf("GET /v1/notifications%s = %d, want 422", bad, code)
		}
	}
	if code, body = api(http.MethodPost, "/v1/notifications/read", `{"ids":[1]}`); code != http.StatusOK || body != `{"unread":0}` {
		t.Errorf("mark read = %d %s", code, body)
	}
	for _, bad := range []string{`{}`, `{"ids":[3]}`, `{"ids":[1],"all":true}`, `{"ids":[0]}`} {
		if code, body := api(http.MethodPost, "/v1/notifications/read", bad); code != http.StatusUnprocessableEntity || !strings.Contains(body, `"ids"`) {
			t.Errorf("mark read %s = %d %s, want 422 naming ids", bad, code, body)
		}
	}
}

func TestInboxCaseNumberAndWorkerLink(t *testing.T) {
	b, store, _ := signedInBrowser(t, "caseworker-3305")
	caseTask := store.task
	caseTask.ID, caseTask.WorkflowID, caseTask.Kind = uuid.New(), store.pcase.WorkflowID, lindungi.TaskCaseHandling
	store.listed = append(store.listed, caseTask)
	_, body := b.get("/")
	for _, want := range []string{`<th scope="col">Kasus</th>`, `<a href="/kasus/` + store.pcase.ID.String() + `">PGD-33-2026-000001</a>`,
		`<a href="/pekerja/` + store.worker.ID.String() + `" class="strong">Siti</a>`, `id="task-` + caseTask.ID.String() + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the inbox lacks %s", want)
		}
	}
	if n := strings.Count(body, "/kasus/"); n != 1 {
		t.Errorf("%d case links, want 1 (the journey's task belongs to no case)", n)
	}
	// Without a case on the page, no case column.
	store.listed = store.listed[:1]
	if _, body := b.get("/"); strings.Contains(body, `<th scope="col">Kasus</th>`) {
		t.Error("the inbox has a case column without a case")
	}
	// A worker's tasks only: where a notification leads.
	if res, body := b.get("/?worker=" + store.worker.ID.String()); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, `<input type="hidden" name="worker" value="`+store.worker.ID.String()+`">`) || !strings.Contains(body, "Hapus saringan") {
		t.Errorf("the inbox of one worker = %d\n%s", res.StatusCode, body)
	}
	if res, _ := b.get("/?worker=nope"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad worker = %d, want 422", res.StatusCode)
	}
}

func TestInboxDelegatedBadge(t *testing.T) {
	// A case worker of Kabupaten Brebes (3329) working Kebumen's queue.
	_, _, body := signedInBrowserAt(t, "caseworker-3329", func(*fakeStore) {}, "/")
	if !strings.Contains(body, `<span class="badge badge-delegated">Didelegasikan</span>`) {
		t.Error("a task of a unit delegated to the user has no delegated badge")
	}
	_, _, body = signedInBrowserAt(t, "caseworker-3305", func(*fakeStore) {}, "/")
	if strings.Contains(body, "badge-delegated") {
		t.Error("a task of the user's own unit is marked delegated")
	}
}

func TestBulkAssign(t *testing.T) {
	b, store, body := signedInBrowser(t, "supervisor-3305")
	for _, want := range []string{`<form id="bulk-assign" class="bulk" method="post" action="/tugas/tetapkan"`,
		`<input type="checkbox" id="pick-` + store.task.ID.String() + `" name="task" value="` + store.task.ID.String() + `" form="bulk-assign">`,
		`<span class="sr-only">: Siti</span>`, `<option value="caseworker-3305">Demo caseworker 3305 (Petugas kasus, Kabupaten Kebumen)</option>`,
		`<option value="verifier-3305">`, `<th scope="col">Pilih</th>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the supervisor's inbox lacks %s", want)
		}
	}
	if strings.Contains(body, `value="caseworker-3301"`) {
		t.Error("the supervisor may assign to another district's case worker")
	}
	_, _, cbody := signedInBrowserAt(t, "caseworker-3305", func(*fakeStore) {}, "/")
	if strings.Contains(cbody, "bulk-assign") || strings.Contains(cbody, `name="task"`) {
		t.Error("a case worker, who may not assign, sees the bulk assignment")
	}
	// A province's supervisor filtering by Kebumen may give to Kebumen's people.
	_, _, pbody := signedInBrowserAt(t, "province_supervisor-33", func(*fakeStore) {}, "/?unit=3305")
	if !strings.Contains(pbody, `<option value="caseworker-3305">`) || strings.Contains(pbody, `<option value="auditor-33">`) {
		t.Error("the province's supervisor, filtering by Kebumen, is not offered Kebumen's case workers (or is offered an auditor)")
	}

	token := csrf(t, body)
	back := "/?kind=VERIFY_REGISTRATION"
	res, _ := b.post("/tugas/tetapkan", url.Values{"csrf_token": {token}, "back": {back}, "task": {store.task.ID.String()}, "assignee": {"caseworker-3305"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != back {
		t.Fatalf("bulk assign = %d to %q, want 303 back to %s", res.StatusCode, res.Header.Get("Location"), back)
	}
	if len(store.assigned) != 1 || store.assigned[0] != store.task.ID {
		t.Errorf("assigned %v, want the task ticked", store.assigned)
	}
	if _, body := b.get(back); !strings.Contains(body, "Tugas terpilih sudah ditetapkan.") {
		t.Error("the inbox does not say the tasks were assigned")
	}
	// Nothing ticked, nobody chosen, a task out of reach: the inbox says why.
	tests := []struct {
		form url.Values
		code int
		want string
	}{
		{url.Values{"assignee": {"caseworker-3305"}}, http.StatusUnprocessableEntity, "Centang dulu tugas"},
		{url.Values{"task": {store.task.ID.String()}}, http.StatusUnprocessableEntity, "Pilih petugas dari daftar."},
		{url.Values{"task": {uuid.NewString()}, "assignee": {"caseworker-3305"}}, http.StatusNotFound, "1 tugas tidak dapat ditetapkan: Tugas tidak ditemukan"},
		{url.Values{"task": {uuid.NewString(), store.task.ID.String()}, "assignee": {"caseworker-3305"}}, http.StatusOK, "1 tugas sudah ditetapkan."},
	}
	for i, tt := range tests {
		tt.form.Set("csrf_token", token)
		res, body := b.post("/tugas/tetapkan", tt.form)
		if res.StatusCode != tt.code || !strings.Contains(body, tt.want) || !strings.Contains(body, "Kotak tugas") {
			t.Errorf("case %d: %d, want %d with %q\n%s", i, res.StatusCode, tt.code, tt.want, body)
		}
	}
}

func TestInboxPartsForHTMX(t *testing.T) {
	b, store, body := signedInBrowser(t, "caseworker-3305")
	token := csrf(t, body)
	hx := func(method, path string, form url.Values) (*http.Response, string) {
		var req *http.Request
		if method == http.MethodGet {
			req = httptest.NewRequest(method, path, nil)
		} else {
			req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-CSRF-Token", token)
		}
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "inbox-results")
		return b.do(req)
	}
	// The filters: the results alone, with the language switch coming back
	// to the filtered inbox and the link that clears the filters.
	res, body := hx(http.MethodGet, "/?kind=VERIFY_REGISTRATION", nil)
	for _, want := range []string{`<table class="cards wide">`, `<a id="lang-switch" class="lang" href="/bahasa/en?next=%2F%3Fkind%3DVERIFY_REGISTRATION" hreflang="en" lang="en" hx-swap-oob="true">`,
		`<span id="filter-clear" hx-swap-oob="true"><a href="/">Hapus saringan</a></span>`, `<div id="flash" hx-swap-oob="innerHTML">`,
		`name="back" value="/?kind=VERIFY_REGISTRATION"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the filtered results lack %s", want)
		}
	}
	if res.StatusCode != http.StatusOK || strings.Contains(body, "<html") || strings.Contains(body, `class="filters"`) ||
		!strings.Contains(res.Header.Get("Vary"), "HX-Target") {
		t.Errorf("the filtered results = %d (Vary %q), want the results without the page\n%s", res.StatusCode, res.Header.Get("Vary"), body)
	}
	// History restores get the whole page.
	req := httptest.NewRequest(http.MethodGet, "/?kind=VERIFY_REGISTRATION", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "inbox-results")
	req.Header.Set("HX-History-Restore-Request", "true")
	if _, body := b.do(req); !strings.Contains(body, "<html") {
		t.Error("a history restore did not get the whole page")
	}

	// A task action: the results as they are after it, and the flash.
	task := "/tugas/" + store.task.ID.String()
	res, body = hx(http.MethodPost, task+"/ambil", url.Values{"back": {"/"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<div id="flash" hx-swap-oob="innerHTML"><p class="flash flash-info" role="status">Tugas sudah Anda ambil.</p>`) ||
		strings.Contains(body, "<html") {
		t.Errorf("htmx claim = %d\n%s", res.StatusCode, body)
	}
	// A refusal: the results with the reason, with its status.
	res, body = hx(http.MethodPost, task+"/selesai", url.Values{"back": {"/"}, "outcome": {"maybe"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="flash flash-error" role="alert"`) || strings.Contains(body, "<html") ||
		res.Header.Get("HX-Reswap") != "innerHTML show:#flash:top" {
		t.Errorf("htmx refusal = %d (reswap %q), want the results with the reason, scrolled into view\n%s", res.StatusCode, res.Header.Get("HX-Reswap"), body)
	}
	// An error the results cannot show: the error page, for the body.
	res, body = hx(http.MethodPost, "/tugas/"+uuid.NewString()+"/ambil", url.Values{"back": {"/"}})
	if res.StatusCode != http.StatusNotFound || res.Header.Get("HX-Retarget") != "" {
		t.Errorf("htmx claim of an unknown task = %d (retarget %q), want 404 in the results", res.StatusCode, res.Header.Get("HX-Retarget"))
	}
	req = httptest.NewRequest(http.MethodPost, task+"/ambil", strings.NewReader("back=/"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "inbox-results")
	if res, body := b.do(req); res.StatusCode != http.StatusForbidden || res.Header.Get("HX-Retarget") != "body" || !strings.Contains(body, "<html") {
		t.Errorf("htmx post without CSRF = %d, retarget %q; want 403, the error page for the body", res.StatusCode, res.Header.Get("HX-Retarget"))
	}
}

// TestLanguageSwitchComesBack: on every page the switch leads back to the
// same page; after a post, to the page the form was on.
func TestLanguageSwitchComesBack(t *testing.T) {
	b, store, body := signedInBrowser(t, "supervisor-3305")
	someNotices(store)
	token := csrf(t, body)
	switchOf := regexp.MustCompile(`<a id="lang-switch" class="lang" href="([^"]+)"`)
	next := func(body string) string {
		m := switchOf.FindStringSubmatch(body)
		if m == nil {
			return "(no switch)"
		}
		u, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
		if err != nil || (u.Path != "/bahasa/en" && u.Path != "/bahasa/id") {
			return "(bad switch " + m[1] + ")"
		}
		if n := u.Query().Get("next"); n != "" {
			return n
		}
		return "/"
	}
	for _, path := range []string{"/", "/?kind=VERIFY_REGISTRATION&mine=true", "/pekerja", "/pekerja?q=Siti", "/pekerja/baru",
		"/pekerja/" + store.worker.ID.String(), "/pemberitahuan", "/pemberitahuan?cursor=2", "/pekerja/" + uuid.NewString()} {
		if _, body := b.get(path); next(body) != path {
			t.Errorf("GET %s: the language switch goes back to %s", path, next(body))
		}
	}
	srv, _ := pageServer(t)
	if _, body := newBrowser(t, srv).get("/masuk?next=%2Fpekerja"); next(body) != "/masuk?next=%2Fpekerja" {
		t.Errorf("the sign-in page's switch goes back to %s", next(body))
	}
	// After posts: the page of the form.
	res, body := b.post("/tugas/"+store.task.ID.String()+"/selesai", url.Values{"csrf_token": {token}, "back": {"/?mine=true"}, "outcome": {"maybe"}})
	if got := next(body); res.StatusCode != http.StatusUnprocessableEntity || got != "/?mine=true" {
		t.Errorf("a refused task action (%d): the switch goes back to %s, want /?mine=true", res.StatusCode, got)
	}
	req := httptest.NewRequest(http.MethodPost, "/keluar", nil)
	req.Header.Set("Referer", "http://example.com/pekerja?q=Siti")
	if res, body := b.do(req); res.StatusCode != http.StatusForbidden || next(body) != "/pekerja?q=Siti" {
		t.Errorf("a refused post (%d): the switch goes back to %s, want the page it came from", res.StatusCode, next(body))
	}
	req = httptest.NewRequest(http.MethodPost, "/keluar", nil)
	req.Header.Set("Referer", "https://evil.test/x")
	if _, body := b.do(req); next(body) != "/" {
		t.Errorf("after a post from another site the switch goes to %s, want /", next(body))
	}
	// The switch itself: remembered, and back.
	res, _ = b.get("/bahasa/en?next=" + url.QueryEscape("/pemberitahuan?cursor=2"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/pemberitahuan?cursor=2" {
		t.Fatalf("switch = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := b.get("/pemberitahuan"); !strings.Contains(body, `<html lang="en">`) || next(body) != "/pemberitahuan" ||
		!strings.Contains(body, `href="/bahasa/id?next=%2Fpemberitahuan"`) {
		t.Errorf("after switching, the page is not in English or does not offer Indonesian back")
	}
}
