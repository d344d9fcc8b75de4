package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
	"github.com/lindungi/lindungi/server"
	"github.com/lindungi/lindungi/workflows"
)

// These fuzz tests send arbitrary bodies to the routes that take free text
// from people (registration, task completion, intake, case actions and
// decisions) on a server whose application services run over fakes that
// accept everything and an authorizer that allows everything. Whatever the
// body, the answer is never a 5xx (a panic in decoding or validation
// becomes one), and nothing with a NUL or another control character in
// its text gets past validation to the store or a workflow: PostgreSQL
// refuses NUL in text, and a workflow activity that writes it retries
// (issue 10).

// fuzzFakes is every store and workflow the services of these routes
// reach, recording what got past validation. The embedded services are
// nil: a method not written here is not reached, and calling one panics,
// which the server answers 500.
type fuzzFakes struct {
	lindungi.TaskService
	lindungi.UserService
	auditlog.Store

	mu       sync.Mutex
	accepted []any // inputs that reached a store write or a workflow
}

func (f *fuzzFakes) accept(v any) {
	f.mu.Lock()
	f.accepted = append(f.accepted, v)
	f.mu.Unlock()
}

var (
	fuzzWorkerID = uuid.MustParse("6f1f6a4e-8a3c-4e55-9a55-0a3c4b1d2e01")
	fuzzCaseID   = uuid.MustParse("6f1f6a4e-8a3c-4e55-9a55-0a3c4b1d2e02")
	fuzzTaskID   = uuid.MustParse("6f1f6a4e-8a3c-4e55-9a55-0a3c4b1d2e03")
)

// The stores.

func (f *fuzzFakes) UpsertUsers(context.Context, []lindungi.User) error { return nil }
func (f *fuzzFakes) FindUser(context.Context, string) (lindungi.User, error) {
	return lindungi.User{}, lindungi.Errorf(lindungi.ENOTFOUND, "No such user.")
}
func (f *fuzzFakes) RecordAccess(context.Context, lindungi.Event) error { return nil }
func (f *fuzzFakes) ActiveDelegations(context.Context, string, string, time.Time) ([]lindungi.Delegation, error) {
	return nil, nil
}
func (f *fuzzFakes) CreateWorker(_ context.Context, w lindungi.NewWorker, _ lindungi.Event) (lindungi.Worker, error) {
	f.accept(w)
	return lindungi.Worker{ID: uuid.New(), NIK: w.NIK, Name: w.Name, DomicileUnit: w.DomicileUnit, Scheme: w.Scheme,
		JourneyStep: lindungi.StepRegistered}, nil
}
func (f *fuzzFakes) MarkJourneyStarted(context.Context, uuid.UUID) error { return nil }
func (f *fuzzFakes) FindWorker(_ context.Context, id uuid.UUID) (lindungi.Worker, error) {
	if id != fuzzWorkerID {
		return lindungi.Worker{}, lindungi.Errorf(lindungi.ENOTFOUND, "Worker not found.")
	}
	return lindungi.Worker{ID: id, NIK: "3305015508950002", Name: "Siti Aminah", BirthDate: "1995-08-15", DomicileUnit: "3305",
		Scheme: lindungi.SchemeP2P, JourneyStep: lindungi.StepRegistered}, nil
}
func (f *fuzzFakes) FindTask(_ context.Context, id uuid.UUID) (lindungi.Task, error) {
	if id != fuzzTaskID {
		return lindungi.Task{}, lindungi.Errorf(lindungi.ENOTFOUND, "Task not found.")
	}
	return lindungi.Task{ID: fuzzTaskID, WorkflowID: lindungi.JourneyWorkflowID(fuzzWorkerID), WorkerID: fuzzWorkerID,
		Kind: lindungi.TaskVerifyRegistration, Unit: "3305", Status: lindungi.TaskOpen}, nil
}
func (f *fuzzFakes) OpenTaskOf(_ context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error) {
	return lindungi.Task{ID: fuzzTaskID, WorkflowID: workflowID, WorkerID: fuzzWorkerID, Kind: kind, Unit: "3305",
		Status: lindungi.TaskOpen}, nil
}
func (f *fuzzFakes) LastTaskOf(ctx context.Context, workflowID string, kind lindungi.TaskKind) (lindungi.Task, error) {
	return f.OpenTaskOf(ctx, workflowID, kind)
}
func (f *fuzzFakes) CreateCase(_ context.Context, c lindungi.NewComplaint, owner string, _ lindungi.Event) (lindungi.Case, error) {
	f.accept(c)
	return lindungi.Case{ID: fuzzCaseID, WorkerID: fuzzWorkerID, IntakeUnit: c.Unit, OwnerUnit: owner, Step: lindungi.CaseReceived,
		WorkflowID: lindungi.CaseWorkflowID(fuzzCaseID), ReadUnits: []string{}}, nil
}
func (f *fuzzFakes) MarkCaseStarted(context.Context, uuid.UUID) error { return nil }
func (f *fuzzFakes) FindCase(_ context.Context, id uuid.UUID) (lindungi.Case, error) {
	if id != fuzzCaseID {
		return lindungi.Case{}, lindungi.Errorf(lindungi.ENOTFOUND, "Case not found.")
	}
	return lindungi.Case{ID: id, WorkerID: fuzzWorkerID, IntakeUnit: "3305", OwnerUnit: "3305", Step: lindungi.CaseVerification,
		WorkflowID: lindungi.CaseWorkflowID(id), ReadUnits: []string{}}, nil
}
func (f *fuzzFakes) CaseAsOf(ctx context.Context, id uuid.UUID, _ time.Time) (lindungi.Case, error) {
	return f.FindCase(ctx, id)
}
func (f *fuzzFakes) ListCases(context.Context, lindungi.Scope, lindungi.CaseFilter) ([]lindungi.Case, error) {
	return nil, nil
}

// Idempotency keys: these requests carry none.

func (f *fuzzFakes) Reserve(context.Context, lindungi.IdempotencyKey, uuid.UUID, time.Duration) (bool, lindungi.StoredResponse, error) {
	return true, lindungi.StoredResponse{}, nil
}
func (f *fuzzFakes) Renew(context.Context, lindungi.Reservation, time.Duration) error { return nil }
func (f *fuzzFakes) Complete(context.Context, lindungi.Reservation, int, json.RawMessage) error {
	return nil
}
func (f *fuzzFakes) Release(context.Context, lindungi.Reservation) error { return nil }
func (f *fuzzFakes) FindResponse(context.Context, string, string) (lindungi.StoredResponse, error) {
	return lindungi.StoredResponse{}, lindungi.Errorf(lindungi.ENOTFOUND, "none")
}

// The workflows.

func (f *fuzzFakes) StartJourney(_ context.Context, in workflows.JourneyInput) error {
	f.accept(in)
	return nil
}
func (f *fuzzFakes) JourneyAction(_ context.Context, _ uuid.UUID, _ string, req workflows.JourneyRequest, _ string, _ any) error {
	f.accept(req)
	return nil
}
func (f *fuzzFakes) CompleteTask(_ context.Context, t lindungi.Task, req workflows.CompleteTaskRequest, _ string) (workflows.CompleteTaskResult, error) {
	f.accept(req)
	t.Status = lindungi.TaskCompleted
	return workflows.CompleteTaskResult{Task: t, JourneyStep: lindungi.StepTraining}, nil
}
func (f *fuzzFakes) TaskAction(_ context.Context, t lindungi.Task, _ string, req workflows.TaskActionRequest, _ string) (activities.TaskRef, error) {
	f.accept(req)
	return activities.TaskRef{}, nil
}
func (f *fuzzFakes) StartCase(_ context.Context, c lindungi.Case, _ string) error {
	f.accept(c)
	return nil
}
func (f *fuzzFakes) CaseAction(_ context.Context, id uuid.UUID, req workflows.CaseActionRequest, _ string) (workflows.CaseState, error) {
	f.accept(req)
	return workflows.CaseState{CaseID: id, Step: lindungi.CaseVerification}, nil
}

// allowAll allows everything, so that every body reaches validation.
type allowAll struct{}

func (allowAll) Authorize(p lindungi.Principal, unit, obj, act string) (policies.Decision, error) {
	return policies.Decision{Allowed: true, Role: p.Roles[0], Rule: "fuzz", Version: "1"}, nil
}
func (a allowAll) AuthorizeAs(p lindungi.Principal, scope, unit, obj, act string) (policies.Decision, error) {
	return a.Authorize(p, unit, obj, act)
}
func (allowAll) Version() string { return "1" }

// fuzzUnits are the reference units and the shipped routing policy.
var fuzzUnits = sync.OnceValues(func() (app.Units, *policies.Set) {
	units, err := postgres.ReferenceUnits()
	if err != nil {
		panic(err)
	}
	ps, err := policies.NewSet(units, policies.DefaultRules(), "1")
	if err != nil {
		panic(err)
	}
	return units, ps
})

func fuzzServer() (*server.Server, *fuzzFakes) {
	f := &fuzzFakes{}
	units, ps := fuzzUnits()
	now := func() time.Time { return time.Date(2026, 12, 23, 1, 0, 0, 0, time.UTC) }
	logger := slog.New(slog.DiscardHandler)
	access := &app.Access{Authorizer: allowAll{}, Delegations: f, Now: now}
	s := server.New(server.Deps{
		Access:   access,
		Journeys: &app.Journeys{Store: f, Flows: f, Access: access, Units: units, Logger: logger, Now: now},
		Workers:  &app.Workers{Store: nil, Access: access},
		Tasks:    &app.Tasks{Store: f, Users: f, Flows: f, Access: access, Units: units},
		Cases: &app.Cases{Store: f, Notes: f, Tasks: f, Workers: f, Users: f, Flows: f, Router: ps.Router, Access: access, Units: units,
			Logger: logger, Now: now},
		Audit: f, Idempotency: f, Users: f, Verifier: server.RoleToken{}, Units: units,
		DatabaseReady: func(context.Context) error { return nil }, TemporalReady: func(context.Context) error { return nil },
		Logger: logger, Now: now})
	return s, f
}

// post sends body to path as a supervisor of Kebumen and checks the two
// properties of every fuzz target here.
func post(t *testing.T, path string, body []byte) {
	t.Helper()
	s, fakes := fuzzServer()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer supervisor@3305")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body)
	}
	for _, in := range fakes.accepted {
		if bad := badText(reflect.ValueOf(in), ""); len(bad) > 0 {
			t.Fatalf("POST %s %q answered %d and passed control characters on to the store or a workflow: %s",
				path, body, rec.Code, strings.Join(bad, "; "))
		}
	}
	if rec.Code < 300 && len(fakes.accepted) == 0 {
		t.Fatalf("POST %s %q answered %d without reaching the store or a workflow", path, body, rec.Code)
	}
}

// multiline names the free-text fields where a person may break lines
// (lindungi.Text with Free): there newline and tab are allowed; in every
// other text field no control character is.
var multiline = map[string]bool{"Note": true, "Reason": true, "Description": true, "Resolution": true}

// badText lists the string fields of v holding invalid UTF-8 or a control
// character that the field does not allow.
func badText(v reflect.Value, path string) []string {
	var bad []string
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			bad = append(bad, badText(v.Elem(), path)...)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				bad = append(bad, badText(v.Field(i), strings.TrimPrefix(path+"."+v.Type().Field(i).Name, "."))...)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			bad = append(bad, badText(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			bad = append(bad, badText(k, fmt.Sprintf("%s[key]", path))...)
			bad = append(bad, badText(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k))...)
		}
	case reflect.String:
		s := v.String()
		name := path[strings.LastIndex(path, ".")+1:]
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = name[:i]
		}
		allowed := func(r rune) bool { return multiline[name] && (r == '\n' || r == '\t') }
		switch {
		case !utf8.ValidString(s):
			bad = append(bad, fmt.Sprintf("%s %q is not valid UTF-8", path, s))
		case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && !allowed(r) }) >= 0:
			bad = append(bad, fmt.Sprintf("%s %q", path, s))
		}
	}
	return bad
}

func FuzzRegisterWorkerBody(f *testing.F) {
	for _, seed := range []string{
		`{"nik":"3305015508950002","name":"Siti Aminah","birth_date":"1995-08-15","domicile_unit":"3305","phone":"0812-3456-7890","scheme":"P2P","placement_company":"PT Sinar Jaya Abadi","job_order_ref":"JO-TW-2026-0142"}`,
		`{"nik":"3305011508950001","name":"Ahmad Fauzi","birth_date":"1995-08-15","domicile_unit":"3305","phone":"081234567891","scheme":"MANDIRI"}`,
		`{"nik":"3305015508950002","name":"Siti\u0000Aminah","birth_date":"1995-08-15","domicile_unit":"3305","phone":"081234567890","scheme":"MANDIRI"}`,
		`{"nik":"3305015508950002","name":"Siti Aminah","birth_date":"1995-08-15","domicile_unit":"3305","phone":"081234567890","scheme":"P2P","placement_company":"PT Sinar\u0000Jaya","job_order_ref":"JO-1"}`,
		`{"nik":"3305015508950002","name":"Siti Aminah","birth_date":"1995-08-15","domicile_unit":"3305","phone":"081234567890","scheme":"P2P","placement_company":"PT Sinar Jaya","job_order_ref":"JO\u0000TW"}`,
		`{"nik":"3305015508950002","name":"Siti Aminah","birth_date":"1995-08-15","domicile_unit":"3305","phone":"081234567890","scheme":"P2P","placement_company":"PT Sinar Jaya","job_order_ref":"JO\u0085TW"}`,
		`{"entry":"outreach"}`, `[]`, `null`, `{"nik":1}`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) { post(t, "/v1/workers", body) })
}

func FuzzCompleteTaskBody(f *testing.F) {
	for _, seed := range []string{
		`{"outcome":"approved","note":"Dokumen lengkap, wawancara tanpa indikasi TPPO."}`,
		`{"outcome":"rejected","note":"KTP tidak terbaca\nulang\tlagi"}`,
		`{"outcome":"needs_correction","note":"a\u0000b"}`,
		`{"outcome":"approved","note":"a\u001bb"}`,
		`{"outcome":"approved","note":"\u2028"}`, `{"outcome":1}`, `{}`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) { post(t, "/v1/tasks/"+fuzzTaskID.String()+"/complete", body) })
}

func FuzzCaseIntakeBody(f *testing.F) {
	for _, seed := range []string{
		`{"channel":"walk_in","complainant":{"name":"Parmi","relation":"family","phone":"0857-2222-3333"},"subject":{"name":"Sri Wahyuni","phone":"081311112222","domicile_unit":"3305"},"categories":["UNPAID_WAGES"],"country":"my","description":"Gaji tidak dibayar selama tujuh bulan.","unit":"3305"}`,
		`{"channel":"HOTLINE","complainant":{"name":"Siti","relation":"SELF"},"worker_id":"6f1f6a4e-8a3c-4e55-9a55-0a3c4b1d2e01","categories":["TRAFFICKING"],"description":"Paspor ditahan majikan.\r\nTidak boleh pulang.","unit":"3305"}`,
		`{"channel":"WALK_IN","complainant":{"name":"Parmi","relation":"FAMILY"},"subject":{"name":"Sri","domicile_unit":"3305"},"categories":["UNPAID_WAGES"],"employer":"Tan\u0000Ah Kow","description":"Gaji tidak dibayar tujuh bulan.","unit":"3305"}`,
		`{"channel":"WALK_IN","complainant":{"name":"Parmi","relation":"FAMILY"},"subject":{"name":"Sri","domicile_unit":"3305"},"categories":["UNPAID_WAGES"],"description":"Gaji tidak\u0000dibayar tujuh bulan.","unit":"3305"}`,
		`{"channel":"WALK_IN","complainant":{"name":"Parmi","relation":"FAMILY"},"subject":{"name":"Sri","domicile_unit":"3305"},"categories":["UNPAID_WAGES"],"placement_company":"PT\u0007Maju","description":"Gaji tidak dibayar tujuh bulan.","unit":"3305"}`,
		`{"subject":{},"worker_id":"00000000-0000-0000-0000-000000000000"}`, `{"categories":null}`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) { post(t, "/v1/cases", body) })
}

// caseRoutes are the case actions and decisions that take a body.
var caseRoutes = []string{"verify", "request-info", "contact", "clarify", "mediate", "refer", "transfer", "told-unresolvable",
	"resolve", "propose-closure", "escalate", "reopen", "closure/approve", "closure/reject", "referral/accept", "referral/reject",
	"transfer/accept", "transfer/reject"}

func FuzzCaseActionBody(f *testing.F) {
	add := func(route, body string) {
		for i, r := range caseRoutes {
			if r == route {
				f.Add(uint8(i), []byte(body))
			}
		}
	}
	// The cases, and valid bodies.
	add("escalate", `{"reason":"a\u0000b"}`)
	add("resolve", `{"resolution":"a\u0000b"}`)
	add("refer", `{"to_agency":"a\u0000b","consent":true}`)
	add("closure/reject", `{"reason":"a\u0000b"}`)
	add("escalate", `{"reason":"Tidak ada kemajuan dalam 10 hari kerja."}`)
	add("resolve", `{"resolution":"WAGES_PAID","money_recovered_idr":42000000}`)
	add("refer", `{"to_unit":"33","consent":true}`)
	add("transfer", `{"to_unit":"3329","reason":"Domisili pindah"}`)
	add("propose-closure", `{"reason":"Pengadu tidak dapat dihubungi.\nDua kali."}`)
	add("closure/reject", `{"reason":"Belum ada bukti pembayaran."}`)
	add("contact", `{"answered_info":true}`)
	add("verify", ``)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		post(t, "/v1/cases/"+fuzzCaseID.String()+"/"+caseRoutes[int(route)%len(caseRoutes)], body)
	})
}
