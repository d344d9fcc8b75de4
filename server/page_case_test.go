package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/server"
	"github.com/lindungi/lindungi/workflows"
)

// The fake store's case notes and the case page's reads.

func (f *fakeStore) AddCaseNote(_ context.Context, caseID uuid.UUID, text string, ev lindungi.Event) (lindungi.CaseNote, error) {
	n := lindungi.CaseNote{ID: uuid.New(), CaseID: caseID, Text: text, Author: ev.Actor, AuthorUnit: ev.ActorUnit,
		AuthorRole: ev.ActorRole, CreatedAt: time.Now().UTC()}
	f.notes = append(f.notes, n)
	return n, nil
}

func (f *fakeStore) CaseNotes(context.Context, uuid.UUID, int) ([]lindungi.CaseNote, error) {
	return f.notes, nil
}

func (f *fakeStore) OpenCaseTasks(context.Context, string) ([]lindungi.Task, error) {
	return f.caseTasks, nil
}

func (f *fakeStore) CaseTimeline(context.Context, uuid.UUID, string, int) ([]lindungi.Event, error) {
	return f.timeline, nil
}

func (f *fakeStore) UserNames(_ context.Context, subjects []string) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range subjects {
		out[s] = "Ibu " + s
	}
	return out, nil
}

// The fuzz fakes' notes: what passes validation is recorded, as a field
// that may hold line breaks.
func (f *fuzzFakes) AddCaseNote(_ context.Context, caseID uuid.UUID, text string, _ lindungi.Event) (lindungi.CaseNote, error) {
	f.accept(struct{ Note string }{text})
	return lindungi.CaseNote{ID: uuid.New(), CaseID: caseID, Text: text, CreatedAt: time.Now().UTC()}, nil
}

func (f *fuzzFakes) CaseNotes(context.Context, uuid.UUID, int) ([]lindungi.CaseNote, error) {
	return nil, nil
}

func FuzzCaseNoteBody(f *testing.F) {
	for _, seed := range []string{`{"text":"Keluarga datang.\nMembawa slip gaji."}`, `{"text":"a\u0000b"}`, `{"text":"a\u0085b"}`,
		`{"text":""}`, `{"text":1}`, `{}`, ``} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) { post(t, "/v1/cases/"+fuzzCaseID.String()+"/notes", body) })
}

// caseFlows records the case actions and decisions sent to the workflow.
type caseFlows struct {
	fakeFlows
	acts      *[]workflows.CaseActionRequest
	decisions *[]workflows.CompleteTaskRequest
}

func (f caseFlows) CaseAction(_ context.Context, _ uuid.UUID, r workflows.CaseActionRequest, _ string) (workflows.CaseState, error) {
	*f.acts = append(*f.acts, r)
	return workflows.CaseState{}, nil
}

func (f caseFlows) CompleteTask(ctx context.Context, t lindungi.Task, r workflows.CompleteTaskRequest, id string) (workflows.CompleteTaskResult, error) {
	*f.decisions = append(*f.decisions, r)
	return f.fakeFlows.CompleteTask(ctx, t, r, id)
}

// caseServer is the page server of the matrix's records, whose workflows
// record what they were sent.
func caseServer(t *testing.T) (*server.Server, *fakeStore, caseFlows) {
	t.Helper()
	units, ps := server.ShippedPolicies(t)
	store := newFakeStore()
	flows := caseFlows{acts: &[]workflows.CaseActionRequest{}, decisions: &[]workflows.CompleteTaskRequest{}}
	access := &app.Access{Authorizer: ps.Authorizer, Delegations: store}
	srv := server.New(server.Deps{
		Access:   access,
		Workers:  &app.Workers{Store: store, Access: access},
		Tasks:    &app.Tasks{Store: store, Users: store, Flows: flows, Access: access, Units: units},
		Cases:    &app.Cases{Store: store, Notes: store, Tasks: store, Workers: store, Users: store, Flows: flows, Access: access, Units: units},
		Holidays: &app.Holidays{Store: store, Access: access, Units: units},
		Audit:    store, Notifications: store, Idempotency: store, Users: store,
		Verifier: server.RoleToken{}, Units: units, Logger: slog.New(slog.DiscardHandler),
		DatabaseReady: func(context.Context) error { return nil }, TemporalReady: func(context.Context) error { return nil },
		Pages: &server.Pages{Sessions: testSessions, Store: store, DemoUsers: devenv.DemoUsers()},
	})
	return srv, store, flows
}

// postAs posts form to path as p, signed in, with the session's CSRF token.
func postAs(t *testing.T, srv http.Handler, p lindungi.Principal, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, nil)
	sess := signIn(t, req, p)
	form.Set("csrf_token", sess.CSRFToken())
	body := form.Encode()
	req.Body, req.ContentLength = readCloser(body), int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func readCloser(s string) *nopCloser { return &nopCloser{strings.NewReader(s)} }

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

var (
	kebumenSupervisor = lindungi.Principal{Subject: "sup-3305", Unit: "3305", Roles: []string{"supervisor"}}
	cilacapCaseworker = lindungi.Principal{Subject: "cw-3301", Unit: "3301", Roles: []string{"caseworker"}}
	provinceAuditor   = lindungi.Principal{Subject: "aud-33", Unit: "33", Roles: []string{"auditor"}}
)

// intakeForm is a valid intake form about a person never seen.
func intakeForm() url.Values {
	return url.Values{"channel": {"WALK_IN"}, "unit": {"3305"}, "complainant_name": {"Parmi"}, "complainant_relation": {"FAMILY"},
		"subject_name": {"Sri Wahyuni"}, "subject_domicile_unit": {"3305"}, "categories": {"UNPAID_WAGES", "DOCUMENTS_WITHHELD"},
		"country": {"MY"}, "description": {"Gaji tidak dibayar selama tujuh bulan."}}
}

// TestIntakeFormErrors: each refused input shows its error next to its
// field, the values kept, and nothing is taken in.
func TestIntakeFormErrors(t *testing.T) {
	srv, store, _ := caseServer(t)
	for _, tt := range []struct {
		name   string
		change func(url.Values)
		status int
		field  string // the input whose error shows
	}{
		{"a NUL in the description", func(f url.Values) { f.Set("description", "Gaji tidak\x00dibayar tujuh bulan.") }, 422, "description"},
		{"a NUL in the complainant's name", func(f url.Values) { f.Set("complainant_name", "Par\x00mi") }, 422, "complainant_name"},
		{"an unknown category", func(f url.Values) { f["categories"] = []string{"UNPAID_WAGES", "BAD_LUCK"} }, 422, "categories"},
		{"no category", func(f url.Values) { delete(f, "categories") }, 422, "categories"},
		{"no channel", func(f url.Values) { f.Del("channel") }, 422, "channel"},
		{"a lawyer without power of attorney", func(f url.Values) { f.Set("complainant_relation", "LAWYER") }, 422, "complainant_power_of_attorney"},
		{"a bad NIK", func(f url.Values) { f.Set("subject_nik", "12345") }, 422, "subject_nik"},
		{"no district", func(f url.Values) { f.Del("subject_domicile_unit") }, 422, "subject_domicile_unit"},
		{"a worker ID that is none", func(f url.Values) { f.Set("worker_id", "not-an-id") }, 422, "worker_id"},
		{"a unit out of reach", func(f url.Values) { f.Set("unit", "3301") }, 403, "unit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := intakeForm()
			tt.change(form)
			rec := postAs(t, srv, kebumenCaseworker, "/pengaduan/baru", form)
			body := rec.Body.String()
			if rec.Code != tt.status || !strings.Contains(body, `id="f-`+tt.field+`-error"`) {
				t.Fatalf("%d, want %d with the error next to %s:\n%s", rec.Code, tt.status, tt.field, body)
			}
			if n := strings.Count(body, `class="error" id="f-`); n != 1 {
				t.Errorf("%d errors shown, want the one", n)
			}
			if !strings.Contains(body, `value="Sri Wahyuni"`) || (len(form["categories"]) > 0 && !strings.Contains(body, `value="UNPAID_WAGES" checked`)) {
				t.Error("the values given are not kept")
			}
			if len(store.intakes) != 0 {
				t.Errorf("%d complaints taken in, want none", len(store.intakes))
			}
		})
	}
}

// TestIntakeForm: search before create (the worker found is chosen, and
// logged as read), then the complaint taken in as POST /v1/cases takes it,
// and the case's page; auditors may not take complaints in.
func TestIntakeForm(t *testing.T) {
	srv, store, _ := caseServer(t)
	rec := pageGet(t, srv, kebumenCaseworker, "/pengaduan/baru")
	body := rec.Body.String()
	for _, want := range []string{`action="/pengaduan/baru"`, "Gaji tidak dibayar", "Datang langsung", `<option value="3305" selected>Kabupaten Kebumen`,
		"Perdagangan orang (TPPO)", "Melibatkan anak"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	if rec.Code != http.StatusOK || t.Failed() {
		t.Fatalf("%d\n%s", rec.Code, body)
	}

	rec = pageGet(t, srv, kebumenCaseworker, "/pengaduan/baru?q=3305011508950001")
	body = rec.Body.String()
	if !strings.Contains(body, `name="worker_id" value="`+store.worker.ID.String()+`"`) || !strings.Contains(body, ">Siti") {
		t.Fatalf("the search does not offer the worker found:\n%s", body)
	}
	if len(store.reads) != 1 || store.reads[0].Action != "access.search" || *store.reads[0].WorkerID != store.worker.ID {
		t.Errorf("the worker shown is not logged as read: %+v", store.reads)
	}

	form := intakeForm()
	form.Set("worker_id", store.worker.ID.String())
	rec = postAs(t, srv, kebumenCaseworker, "/pengaduan/baru", form)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/kasus/") {
		t.Fatalf("taken in: %d %s\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if len(store.intakes) != 1 {
		t.Fatalf("%d complaints taken in, want 1", len(store.intakes))
	}
	nc := store.intakes[0]
	if nc.WorkerID == nil || *nc.WorkerID != store.worker.ID || nc.Subject != nil || nc.Channel != lindungi.ChannelWalkIn ||
		len(nc.Categories) != 2 || nc.Unit != "3305" || nc.Complainant.Relation != lindungi.ComplainantFamily {
		t.Errorf("complaint = %+v", nc)
	}

	// A person never seen: described.
	rec = postAs(t, srv, kebumenCaseworker, "/pengaduan/baru", intakeForm())
	if rec.Code != http.StatusSeeOther || len(store.intakes) != 2 || store.intakes[1].Subject == nil ||
		store.intakes[1].Subject.Name != "Sri Wahyuni" || store.intakes[1].WorkerID != nil {
		t.Errorf("a person never seen: %d, %+v", rec.Code, store.intakes)
	}

	// In a browser: the case page after intake says the number to give.
	b := newBrowser(t, srv)
	req := httptest.NewRequest(http.MethodGet, "/pengaduan/baru", nil)
	signIn(t, req, kebumenCaseworker)
	for _, c := range req.Cookies() {
		b.cookies[c.Name] = c
	}
	_, body = b.get("/pengaduan/baru")
	form = intakeForm()
	form.Set("csrf_token", csrf(t, body))
	// (The fake store keeps no new case: its page is the fixture's.)
	if res, _ := b.post("/pengaduan/baru", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("taken in: %d", res.StatusCode)
	}
	if res, body := b.get("/kasus/" + store.pcase.ID.String()); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, "Pengaduan diterima dengan nomor kasus PGD-33-2026-000001.") {
		t.Errorf("the case page after intake: %d\n%s", res.StatusCode, body)
	}

	if rec := pageGet(t, srv, provinceAuditor, "/pengaduan/baru"); rec.Code != http.StatusForbidden {
		t.Errorf("an auditor opening the intake form: %d, want 403", rec.Code)
	}
	if rec := postAs(t, srv, provinceAuditor, "/pengaduan/baru", intakeForm()); rec.Code != http.StatusForbidden || len(store.intakes) != 3 {
		t.Errorf("an auditor taking a complaint in: %d, %d intakes", rec.Code, len(store.intakes))
	}
}

// TestCaseLookup: a number in reach opens the case; a number out of reach
// or unknown is not found; a malformed one is an error next to the box.
func TestCaseLookup(t *testing.T) {
	srv, store, _ := caseServer(t)
	rec := pageGet(t, srv, kebumenCaseworker, "/kasus?q=pgd-33-2026-000001")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/kasus/"+store.pcase.ID.String() {
		t.Errorf("lookup: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	rec = pageGet(t, srv, kebumenCaseworker, "/kasus?q=PGD-33-2026-000999")
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Kasus PGD-33-2026-000999 tidak ditemukan") {
		t.Errorf("an unknown number: %d\n%s", rec.Code, rec.Body)
	}
	rec = pageGet(t, srv, kebumenCaseworker, "/kasus?q=42")
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="f-q-error"`) {
		t.Errorf("a malformed number: %d\n%s", rec.Code, rec.Body)
	}
	// The list: the case in words, no personal data, nothing logged.
	store.reads = nil
	rec = pageGet(t, srv, kebumenCaseworker, "/kasus")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "PGD-33-2026-000001") || !strings.Contains(body, "Gaji tidak dibayar") ||
		!strings.Contains(body, `href="/pengaduan/baru"`) || strings.Contains(body, "Parmi") || len(store.reads) != 0 {
		t.Errorf("the list: %d, %d reads\n%s", rec.Code, len(store.reads), body)
	}
	if rec := pageGet(t, srv, provinceAuditor, "/kasus"); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `href="/pengaduan/baru"`) {
		t.Errorf("an auditor's list: %d, or it offers intake", rec.Code)
	}
}

// postForms are the case page's forms that post (besides sign-out).
func postForms(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `<form method="post" action="`)[1:] {
		action, _, _ := strings.Cut(part, `"`)
		if action != "/keluar" {
			out = append(out, action)
		}
	}
	return out
}

// TestCasePage: the case in words, logged as read; the forms each user may
// post now, by role and by the case's state; nothing for an auditor, who
// says why first; 404 out of reach.
func TestCasePage(t *testing.T) {
	srv, store, _ := caseServer(t)
	path := "/kasus/" + store.pcase.ID.String()
	due := time.Now().In(lindungi.WIB).AddDate(0, 0, 7)
	handling := lindungi.Task{ID: uuid.New(), WorkflowID: store.pcase.WorkflowID, WorkerID: store.worker.ID, Kind: lindungi.TaskCaseHandling,
		Unit: "3305", Status: lindungi.TaskOpen, DueAt: due, DueDate: due.Format(time.DateOnly)}
	store.caseTasks = []lindungi.Task{handling}
	store.pcase.MoneyRecovered = 42000000
	store.timeline = []lindungi.Event{{Actor: "cw-3305", ActorRole: "caseworker", ActorUnit: "3305", Action: "case.open",
		OccurredAt: time.Date(2026, 11, 27, 7, 30, 0, 0, time.UTC)}}

	rec := pageGet(t, srv, kebumenCaseworker, path)
	body := rec.Body.String()
	for _, want := range []string{"Kasus PGD-33-2026-000001", "Diterima", "Gaji tidak dibayar", `href="/pekerja/` + store.worker.ID.String() + `"`,
		">Siti<", "Parmi", "Keluarga", "Kabupaten Kebumen", "Rp 42.000.000", "Penanganan pengaduan", "hari kerja lagi",
		"Pengaduan diterima", "Ibu cw-3305", "27 Nov 2026 14.30 WIB", "Apakah pekerja sudah menyetujui rujukan ini?", `name="consent" value="yes"`,
		`name="consent" value="no"`, "Simpan catatan"} {
		if !strings.Contains(body, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if rec.Code != http.StatusOK || t.Failed() {
		t.Fatalf("%d\n%s", rec.Code, body)
	}
	if len(store.reads) != 1 || store.reads[0].Action != "access.case" || store.reads[0].Purpose != "case-work" ||
		store.reads[0].SubjectID != store.pcase.ID.String() || *store.reads[0].WorkerID != store.worker.ID {
		t.Errorf("the read is not logged: %+v", store.reads)
	}
	base := path + "/"
	want := func(words ...string) []string {
		var out []string
		for _, w := range words {
			out = append(out, base+w)
		}
		return out
	}
	check := func(who string, p lindungi.Principal, wantForms []string) {
		t.Helper()
		rec := pageGet(t, srv, p, path+"?purpose=pemeriksaan+2026")
		if got := postForms(rec.Body.String()); strings.Join(got, " ") != strings.Join(wantForms, " ") {
			t.Errorf("%s may post %q, want %q", who, got, wantForms)
		}
	}
	check("a case worker", kebumenCaseworker, want("verifikasi", "minta-info", "kontak", "klarifikasi", "mediasi", "tidak-terselesaikan",
		"rujuk", "alihkan", "selesaikan", "usul-tutup", "catatan"))
	check("a supervisor", kebumenSupervisor, want("verifikasi", "minta-info", "kontak", "klarifikasi", "mediasi", "tidak-terselesaikan",
		"rujuk", "alihkan", "selesaikan", "usul-tutup", "eskalasi", "kategori", "risiko", "tugaskan", "catatan"))
	check("an auditor", provinceAuditor, nil)

	// A closure waits: the supervisor decides; nobody resolves or proposes.
	closure := lindungi.Task{ID: uuid.New(), WorkflowID: store.pcase.WorkflowID, WorkerID: store.worker.ID, Kind: lindungi.TaskClosureApproval,
		Unit: "3305", Status: lindungi.TaskOpen, DueAt: due, DueDate: due.Format(time.DateOnly)}
	store.caseTasks = []lindungi.Task{handling, closure}
	store.pcase.Step = lindungi.CaseResolved
	check("a case worker, closure waiting", kebumenCaseworker, want("kontak", "catatan"))
	check("a supervisor, closure waiting", kebumenSupervisor, want("penutupan/setujui", "penutupan/tolak", "kontak", "eskalasi",
		"kategori", "risiko", "tugaskan", "catatan"))
	if body := pageGet(t, srv, kebumenSupervisor, path).Body.String(); !strings.Contains(body, "Menunggu persetujuan penutupan") {
		t.Error("the waiting closure has no badge")
	}

	// Closed: a supervisor may reopen; a note may still be written.
	store.caseTasks, store.pcase.Step = nil, lindungi.CaseClosed
	closed := time.Now()
	store.pcase.ClosedAt, store.pcase.ClosedReason = &closed, "resolved"
	check("a case worker, closed", kebumenCaseworker, want("catatan"))
	check("a supervisor, closed", kebumenSupervisor, want("buka-kembali", "catatan"))

	// An auditor says why before anything is shown or logged.
	store.reads = nil
	rec = pageGet(t, srv, provinceAuditor, path)
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "PGD-33-2026-000001") || !strings.Contains(rec.Body.String(), `name="purpose"`) ||
		len(store.reads) != 0 {
		t.Errorf("an auditor without a purpose: %d, %d reads\n%s", rec.Code, len(store.reads), rec.Body)
	}
	rec = pageGet(t, srv, provinceAuditor, path+"?purpose=ST-700%2F12%2F2026")
	if rec.Code != http.StatusOK || len(store.reads) != 1 || store.reads[0].Purpose != "ST-700/12/2026" {
		t.Errorf("an auditor with a purpose: %d, reads %+v", rec.Code, store.reads)
	}

	// Out of reach: the 404 page, nothing of the case, nothing logged.
	store.reads = nil
	rec = pageGet(t, srv, cilacapCaseworker, path)
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "PGD-33") || strings.Contains(rec.Body.String(), "Parmi") ||
		len(store.reads) != 0 {
		t.Errorf("out of reach: %d, %d reads", rec.Code, len(store.reads))
	}
}

// TestCaseForms: each form calls the service of its API route; a refused
// one shows the case again with the error next to its field and sends
// nothing to the workflow; out of reach is 404; auditors are refused.
func TestCaseForms(t *testing.T) {
	srv, store, flows := caseServer(t)
	path := "/kasus/" + store.pcase.ID.String()
	refused := func(name string, p lindungi.Principal, to string, form url.Values, status int, errorID string) {
		t.Helper()
		rec := postAs(t, srv, p, path+to, form)
		if rec.Code != status || (errorID != "" && !strings.Contains(rec.Body.String(), `id="`+errorID+`"`)) {
			t.Errorf("%s: %d, want %d with %s\n%s", name, rec.Code, status, errorID, rec.Body)
		}
		if len(*flows.acts)+len(*flows.decisions)+len(store.notes) != 0 {
			t.Errorf("%s reached the workflow or the store: %+v %+v %+v", name, *flows.acts, *flows.decisions, store.notes)
		}
	}
	refused("a referral without an answer to the consent question", kebumenCaseworker, "/rujuk", url.Values{"to_unit": {"33"}}, 422, "a-refer-consent-error")
	refused("a case worker's referral without consent", kebumenCaseworker, "/rujuk", url.Values{"to_unit": {"33"}, "consent": {"no"},
		"reason": {"Pekerja tidak dapat dihubungi"}}, 403, "a-refer-consent-error")
	refused("a referral to a unit and an agency", kebumenCaseworker, "/rujuk", url.Values{"to_unit": {"33"}, "to_agency": {"Polda"},
		"consent": {"yes"}}, 422, "a-refer-to_unit-error")
	refused("a referral to an agency with a NUL", kebumenCaseworker, "/rujuk", url.Values{"to_agency": {"Pol\x00da"}, "consent": {"yes"}}, 422,
		"a-refer-to_agency-error")
	refused("money below zero", kebumenCaseworker, "/selesaikan", url.Values{"resolution": {"WAGES_PAID"}, "money_recovered_idr": {"-5"}}, 422,
		"a-resolve-money-error")
	refused("a closure proposal without a reason", kebumenCaseworker, "/usul-tutup", url.Values{"reason": {""}}, 422, "a-propose_closure-reason-error")
	refused("a note with a NUL", kebumenCaseworker, "/catatan", url.Values{"text": {"slip\x00gaji"}}, 422, "f-text-error")
	refused("an empty note", kebumenCaseworker, "/catatan", url.Values{"text": {"  "}}, 422, "f-text-error")
	refused("Cilacap's note", cilacapCaseworker, "/catatan", url.Values{"text": {"Catatan dari Cilacap."}}, 404, "")
	refused("Cilacap's referral", cilacapCaseworker, "/rujuk", url.Values{"to_unit": {"33"}, "consent": {"yes"}}, 404, "")
	refused("an auditor's note", provinceAuditor, "/catatan", url.Values{"text": {"Catatan auditor."}}, 403, "")
	refused("a case worker's escalation", kebumenCaseworker, "/eskalasi", url.Values{"reason": {"Tidak ada kemajuan"}}, 403, "")

	// Without the CSRF token: refused.
	req := httptest.NewRequest(http.MethodPost, path+"/verifikasi", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	signIn(t, req, kebumenCaseworker)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || len(*flows.acts) != 0 {
		t.Errorf("a post without CSRF: %d", rec.Code)
	}

	// Done: back to the case, with what was sent as the API sends it.
	done := func(p lindungi.Principal, to string, form url.Values) {
		t.Helper()
		rec := postAs(t, srv, p, path+to, form)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != path {
			t.Errorf("%s: %d %s\n%s", to, rec.Code, rec.Header().Get("Location"), rec.Body)
		}
	}
	done(kebumenCaseworker, "/rujuk", url.Values{"to_unit": {"33"}, "consent": {"yes"}})
	done(kebumenCaseworker, "/selesaikan", url.Values{"resolution": {"WAGES_PAID"}, "money_recovered_idr": {"Rp 42.000.000"}})
	done(kebumenSupervisor, "/rujuk", url.Values{"to_agency": {"Polda Jawa Tengah"}, "consent": {"no"}, "reason": {"Pekerja tidak dapat dihubungi"}})
	done(kebumenSupervisor, "/penutupan/tolak", url.Values{"reason": {"Klaim asuransi belum dibayar"}})
	done(kebumenCaseworker, "/catatan", url.Values{"text": {"Keluarga datang.\r\nMembawa slip gaji."}})
	acts := *flows.acts
	if len(acts) != 3 || acts[0].Action != workflows.ActRefer || !acts[0].Consent || acts[0].ToUnit != "33" ||
		acts[1].Action != workflows.ActResolve || acts[1].MoneyRecovered != 42000000 || acts[1].Resolution != "WAGES_PAID" ||
		acts[2].Consent || acts[2].ToAgency != "Polda Jawa Tengah" || acts[2].Reason != "Pekerja tidak dapat dihubungi" {
		t.Errorf("case actions sent: %+v", acts)
	}
	if d := *flows.decisions; len(d) != 1 || d[0].Outcome != lindungi.OutcomeRejected || d[0].Note != "Klaim asuransi belum dibayar" {
		t.Errorf("decisions sent: %+v", d)
	}
	if len(store.notes) != 1 || store.notes[0].Text != "Keluarga datang.\nMembawa slip gaji." || store.notes[0].Author != "cw-3305" {
		t.Errorf("notes: %+v", store.notes)
	}
}
