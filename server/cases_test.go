package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/workflows"
)

// These tests drive the intake, case read and list, worker search and
// merge handlers over HTTP, through the application services, with a fake
// store and the shipped policies.

// caseStore holds, in Kebumen (3305), a registered worker, a provisional
// one and a case; a case Kebumen took in and then gave to the province
// (owner 33); a case Cilacap (3301) took in and referred to Kebumen; and a
// worker of Cilacap. It records what handlers pass it.
type caseStore struct {
	worker, provisional, cilacapWorker lindungi.Worker
	kebumen, escalated, referred       lindungi.Case
	matches                            []lindungi.WorkerMatch

	created lindungi.NewComplaint
	owner   string
	key     *lindungi.IdempotencyKey
	event   lindungi.Event
	started []uuid.UUID
	scope   lindungi.Scope
	filter  lindungi.CaseFilter
	query   lindungi.WorkerQuery
	merged  [2]uuid.UUID
	list    []lindungi.Case
	accessLog
	directory
}

func newCaseStore() *caseStore {
	w := lindungi.Worker{ID: uuid.New(), NIK: "3305011508950001", Name: "Siti Aminah", BirthDate: "1995-08-15",
		DomicileUnit: "3305", Phone: "+6281234567890", Scheme: lindungi.SchemeP2P, JourneyStep: lindungi.StepRegistered}
	p := lindungi.Worker{ID: uuid.New(), Name: "Sri Wahyuni", DomicileUnit: "3305"}
	cw := lindungi.Worker{ID: uuid.New(), NIK: "3301011508950003", Name: "Sri Lestari", BirthDate: "1995-08-15",
		DomicileUnit: "3301", Scheme: lindungi.SchemeMandiri}
	now := time.Date(2026, 12, 23, 1, 0, 0, 0, time.UTC)
	base := lindungi.Case{Channel: lindungi.ChannelHotline, Complainant: lindungi.Complainant{Name: "Parmi",
		Relation: lindungi.ComplainantFamily, Phone: "+6285722223333"}, Categories: []lindungi.CaseCategory{lindungi.CatUnpaidWages},
		Description: "Gaji tidak dibayar tujuh bulan", Employer: "Tan Ah Kow", RiskFlags: []string{}, Step: lindungi.CaseReceived,
		ReceivedAt: now, LastContactAt: now, LastActionAt: now, ReadUnits: []string{}}
	k := base
	k.ID, k.Number, k.WorkerID, k.IntakeUnit, k.OwnerUnit = uuid.New(), "PGD-33-2026-000001", w.ID, "3305", "3305"
	e := base
	e.ID, e.Number, e.WorkerID, e.IntakeUnit, e.OwnerUnit, e.ReadUnits = uuid.New(), "PGD-33-2026-000002", w.ID, "3305", "33", []string{"3305"}
	r := base
	r.ID, r.Number, r.WorkerID, r.IntakeUnit, r.OwnerUnit, r.ReadUnits = uuid.New(), "PGD-33-2026-000003", p.ID, "3301", "3305", []string{"3301"}
	for _, c := range []*lindungi.Case{&k, &e, &r} {
		c.WorkflowID = lindungi.CaseWorkflowID(c.ID)
	}
	return &caseStore{worker: w, provisional: p, cilacapWorker: cw, kebumen: k, escalated: e, referred: r,
		matches: []lindungi.WorkerMatch{{ID: w.ID, Name: w.Name, DomicileUnit: "3305", MatchedBy: []string{"nik"}}},
		list:    []lindungi.Case{k, e}}
}

func (f *caseStore) FindWorker(_ context.Context, id uuid.UUID) (lindungi.Worker, error) {
	for _, w := range []lindungi.Worker{f.worker, f.provisional, f.cilacapWorker} {
		if w.ID == id {
			return w, nil
		}
	}
	return lindungi.Worker{}, lindungi.Errorf(lindungi.ENOTFOUND, "Worker not found.")
}

func (f *caseStore) ActiveDelegations(context.Context, string, string, time.Time) ([]lindungi.Delegation, error) {
	return nil, nil
}

func (f *caseStore) FindResponse(context.Context, string, string) (lindungi.StoredResponse, error) {
	return lindungi.StoredResponse{}, lindungi.Errorf(lindungi.ENOTFOUND, "none")
}

func (f *caseStore) SaveResponse(context.Context, lindungi.IdempotencyKey, int, json.RawMessage) error {
	return nil
}

func (f *caseStore) CreateCaseIdempotent(_ context.Context, nc lindungi.NewComplaint, owner string, ev lindungi.Event, key *lindungi.IdempotencyKey) (lindungi.Case, error) {
	f.created, f.owner, f.event, f.key = nc, owner, ev, key
	c := lindungi.Case{ID: uuid.New(), Number: "PGD-33-2026-000004", Channel: nc.Channel, Complainant: nc.Complainant,
		Categories: nc.Categories, Description: nc.Description, RiskFlags: nc.RiskFlags, HighRisk: lindungi.HighRisk(nc.Categories, nc.RiskFlags),
		IntakeUnit: nc.Unit, OwnerUnit: owner, Step: lindungi.CaseReceived, ReadUnits: []string{}}
	if nc.WorkerID != nil {
		c.WorkerID = *nc.WorkerID
	} else {
		c.WorkerID, c.WorkerProvisional = uuid.New(), true
	}
	c.WorkflowID = lindungi.CaseWorkflowID(c.ID)
	return c, nil
}

func (f *caseStore) FindCase(_ context.Context, id uuid.UUID) (lindungi.Case, error) {
	for _, c := range []lindungi.Case{f.kebumen, f.escalated, f.referred} {
		if c.ID == id {
			return c, nil
		}
	}
	return lindungi.Case{}, lindungi.Errorf(lindungi.ENOTFOUND, "Case not found.")
}

func (f *caseStore) ListCases(_ context.Context, scope lindungi.Scope, flt lindungi.CaseFilter) ([]lindungi.Case, error) {
	f.scope, f.filter = scope, flt
	return f.list, nil
}

func (f *caseStore) MarkCaseStarted(_ context.Context, id uuid.UUID) error {
	f.started = append(f.started, id)
	return nil
}

func (f *caseStore) SearchWorkers(_ context.Context, q lindungi.WorkerQuery) ([]lindungi.WorkerMatch, error) {
	f.query = q
	return f.matches, nil
}

// MergeWorkers refuses a registered worker, as the real store does.
func (f *caseStore) MergeWorkers(_ context.Context, from, into uuid.UUID, ev lindungi.Event) error {
	if from != f.provisional.ID {
		return lindungi.Errorf(lindungi.ECONFLICT, "The worker is registered, not provisional.")
	}
	f.merged, f.event = [2]uuid.UUID{from, into}, ev
	return nil
}

func (f *caseStore) CaseAsOf(ctx context.Context, id uuid.UUID, _ time.Time) (lindungi.Case, error) {
	return f.FindCase(ctx, id)
}

// OpenTaskOf finds no open decision: these tests take no decisions.
func (f *caseStore) OpenTaskOf(context.Context, string, lindungi.TaskKind) (lindungi.Task, error) {
	return lindungi.Task{}, lindungi.Errorf(lindungi.ENOTFOUND, "No open task.")
}

// fakeStarter records the cases whose workflow it was asked to start; it
// takes no other workflow call.
type fakeStarter struct {
	started []lindungi.Case
	request []string
	err     error
}

func (s *fakeStarter) StartCase(_ context.Context, c lindungi.Case, requestID string) error {
	s.started, s.request = append(s.started, c), append(s.request, requestID)
	return s.err
}

func (s *fakeStarter) CaseAction(context.Context, uuid.UUID, workflows.CaseActionRequest, string) (workflows.CaseState, error) {
	return workflows.CaseState{}, errors.New("not in these tests")
}

func (s *fakeStarter) CompleteTask(context.Context, lindungi.Task, workflows.CompleteTaskRequest, string) (workflows.CompleteTaskResult, error) {
	return workflows.CompleteTaskResult{}, errors.New("not in these tests")
}

// caseServer returns a server on a caseStore, with the shipped policies:
// high-risk complaints start at the province, as the router has it.
func caseServer(t *testing.T) (*Server, *caseStore, *fakeStarter) {
	t.Helper()
	store, starter := newCaseStore(), &fakeStarter{}
	now := func() time.Time { return time.Date(2026, 12, 23, 1, 0, 0, 0, time.UTC) }
	units, access := testAccess(t, store, now)
	_, ps := ShippedPolicies(t)
	router := ps.Router
	s := New(Deps{Access: access,
		Cases:   &app.Cases{Store: store, Tasks: store, Workers: store, Flows: starter, Router: router, Access: access, Units: units, Now: now, Logger: slog.New(slog.DiscardHandler)},
		Workers: &app.Workers{Store: store, Access: access},
		Audit:   store, Idempotency: store, Users: store, Verifier: RoleToken{}, Units: units,
		Logger: slog.New(slog.DiscardHandler), Now: now})
	return s, store, starter
}

// walkInBody is a walk-in complaint at 3305 about a person never seen.
func walkInBody() map[string]any {
	return map[string]any{
		"channel":     "walk_in",
		"complainant": map[string]any{"name": "Parmi", "relation": "family", "phone": "0857-2222-3333"},
		"subject":     map[string]any{"name": "Sri Wahyuni", "phone": "081311112222", "domicile_unit": "3305"},
		"categories":  []string{"UNPAID_WAGES"},
		"country":     "my",
		"description": "Gaji tidak dibayar selama tujuh bulan.",
		"unit":        "3305",
	}
}

func TestCreateCaseHandler(t *testing.T) {
	s, store, starter := caseServer(t)
	code, body := call(t, s, "caseworker@3305", http.MethodPost, "/v1/cases", walkInBody(),
		"Idempotency-Key", "intake-1", "X-Request-ID", "req-intake-1")
	if code != http.StatusCreated || body["owner_unit"] != "3305" || body["intake_unit"] != "3305" || body["worker_provisional"] != true {
		t.Fatalf("POST /v1/cases = %d %v; want 201 owned and taken in by 3305 with a provisional worker", code, body)
	}
	nc := store.created
	if nc.Channel != lindungi.ChannelWalkIn || nc.Complainant.Relation != lindungi.ComplainantFamily ||
		nc.Complainant.Phone != "+6285722223333" || nc.Subject.Phone != "+6281311112222" || nc.Country != "MY" {
		t.Errorf("store got %+v; want the complaint normalized", nc)
	}
	if store.key == nil || store.key.Key != "intake-1" || store.event.Actor != "caseworker-3305" || store.event.ActorRole != "caseworker" ||
		store.event.RequestID != "req-intake-1" {
		t.Errorf("store got key %+v and event %+v; want the idempotency key and the caller's event", store.key, store.event)
	}
	if len(starter.started) != 1 || starter.started[0].ID.String() != body["id"] || starter.request[0] != "req-intake-1" ||
		!slices.Equal(store.started, []uuid.UUID{starter.started[0].ID}) {
		t.Errorf("workflow starts %v (requests %v), recorded %v; want the new case started once and recorded", starter.started, starter.request, store.started)
	}

	// High risk starts one level up; a minor subject is flagged by the birth date.
	tppo := walkInBody()
	tppo["subject"] = map[string]any{"name": "Ani", "birth_date": "2010-03-01", "domicile_unit": "3305"}
	code, body = call(t, s, "caseworker@3305", http.MethodPost, "/v1/cases", tppo)
	if code != http.StatusCreated || body["owner_unit"] != "33" || body["high_risk"] != true ||
		!slices.Equal(store.created.RiskFlags, []string{lindungi.FlagMinor}) {
		t.Errorf("complaint about a minor = %d %v (flags %v); want 201, high risk, owned by 33, flagged MINOR", code, body, store.created.RiskFlags)
	}

	// A workflow that cannot start does not lose the case.
	starter.err = errors.New("temporal down")
	if code, body := call(t, s, "caseworker@3305", http.MethodPost, "/v1/cases", walkInBody()); code != http.StatusCreated {
		t.Errorf("POST /v1/cases with Temporal down = %d %v, want 201", code, body)
	}
	if len(store.started) != 2 {
		t.Errorf("%d starts recorded, want 2: a failed start is not recorded", len(store.started))
	}

	// A complaint about a registered worker names one the caller may see.
	known := walkInBody()
	delete(known, "subject")
	known["worker_id"] = store.worker.ID
	if code, body := call(t, s, "caseworker@3305", http.MethodPost, "/v1/cases", known); code != http.StatusCreated || body["worker_id"] != store.worker.ID.String() {
		t.Errorf("complaint about a visible worker = %d %v, want 201", code, body)
	}
	for _, id := range []uuid.UUID{store.cilacapWorker.ID, uuid.New()} {
		known["worker_id"] = id
		code, body := call(t, s, "caseworker@3305", http.MethodPost, "/v1/cases", known)
		if code != http.StatusUnprocessableEntity || !slices.Equal(problemFields(body), []string{"worker_id"}) {
			t.Errorf("complaint about another district's or an unknown worker = %d %v, want 422 naming worker_id", code, body)
		}
	}
	if code, _ := call(t, s, "caseworker@3301", http.MethodPost, "/v1/cases", walkInBody()); code != http.StatusForbidden {
		t.Errorf("a Cilacap case worker taking a complaint in for Kebumen = %d, want 403", code)
	}
}

func TestCreateCaseNamesEveryBadField(t *testing.T) {
	s, store, _ := caseServer(t)
	with := func(change func(map[string]any)) map[string]any {
		b := walkInBody()
		change(b)
		return b
	}
	long := strings.Repeat("x", 4001)
	for _, tt := range []struct {
		name string
		body any
		code int
		want []string
	}{
		{"everything wrong", map[string]any{"channel": "FAX", "complainant": map[string]any{"relation": "NEIGHBOUR", "phone": "12"},
			"categories": []string{}, "country": "Malaysia", "description": "short", "risk_flags": []string{"VIP"}},
			422, []string{"channel", "complainant.name", "complainant.relation", "complainant.phone", "worker_id", "categories",
				"country", "description", "risk_flags[0]", "unit"}},
		{"lawyer without power of attorney", with(func(b map[string]any) {
			b["complainant"] = map[string]any{"name": "Adv. Rudi", "relation": "LAWYER"}
		}), 422, []string{"complainant.power_of_attorney"}},
		{"both worker and subject", with(func(b map[string]any) { b["worker_id"] = uuid.New() }), 422, []string{"subject"}},
		{"bad subject", with(func(b map[string]any) {
			b["subject"] = map[string]any{"nik": "3305011508950001", "birth_date": "1996-08-15", "phone": "abc", "domicile_unit": "33"}
		}), 422, []string{"subject.name", "subject.nik", "subject.phone", "subject.domicile_unit"}},
		{"subject born tomorrow", with(func(b map[string]any) {
			b["subject"] = map[string]any{"name": "Ani", "birth_date": "2026-12-24", "domicile_unit": "3305"}
		}), 422, []string{"subject.birth_date"}},
		{"unknown and repeated categories", with(func(b map[string]any) {
			b["categories"] = []string{"UNPAID_WAGES", "LOST_LUGGAGE", "UNPAID_WAGES"}
		}), 422, []string{"categories[1]", "categories[2]"}},
		{"six categories", with(func(b map[string]any) {
			b["categories"] = []string{"UNPAID_WAGES", "JOB_FRAUD", "ILLNESS", "OVERSTAY", "DETAINED", "ACCIDENT"}
		}), 422, []string{"categories"}},
		{"description too long", with(func(b map[string]any) { b["description"] = long }), 422, []string{"description"}},
		{"repeated flag", with(func(b map[string]any) { b["risk_flags"] = []string{"MINOR", "minor"} }), 422, []string{"risk_flags[1]"}},
		{"bad unit", with(func(b map[string]any) { b["unit"] = "Kebumen" }), 422, []string{"unit"}},
		{"unknown field", with(func(b map[string]any) { b["priority"] = "high" }), 422, []string{"priority"}},
		{"categories not a list", with(func(b map[string]any) { b["categories"] = "UNPAID_WAGES" }), 422, []string{"categories"}},
		{"not JSON", "{", 400, nil},
	} {
		store.created = lindungi.NewComplaint{}
		code, body := call(t, s, "caseworker@3305", http.MethodPost, "/v1/cases", tt.body)
		if code != tt.code || !slices.Equal(problemFields(body), tt.want) {
			t.Errorf("%s: %d %v, want %d naming %v", tt.name, code, body, tt.code, tt.want)
		}
		if store.created.Unit != "" {
			t.Errorf("%s: the store was called", tt.name)
		}
	}
}

func TestGetCaseHandler(t *testing.T) {
	s, store, _ := caseServer(t)
	get := func(token string, c lindungi.Case, query string) (int, map[string]any) {
		return call(t, s, token, http.MethodGet, "/v1/cases/"+c.ID.String()+query, nil)
	}
	code, body := get("caseworker@3305", store.kebumen, "")
	if code != http.StatusOK || body["number"] != store.kebumen.Number || body["description"] != store.kebumen.Description {
		t.Fatalf("GET own case = %d %v", code, body)
	}
	if len(store.accesses) != 1 {
		t.Fatalf("%d access events, want 1", len(store.accesses))
	}
	if ev := store.accesses[0]; ev.Action != "access.case" || ev.SubjectType != "case" || ev.SubjectID != store.kebumen.ID.String() ||
		ev.WorkerID == nil || *ev.WorkerID != store.kebumen.WorkerID || ev.Purpose != DefaultPurpose || ev.Actor != "caseworker-3305" {
		t.Errorf("access event = %+v", ev)
	}

	for _, tt := range []struct {
		name  string
		token string
		c     lindungi.Case
		want  int
	}{
		{"another district", "caseworker@3301", store.kebumen, 404},
		{"the intake unit after the case went up to the province", "caseworker@3305", store.escalated, 200},
		{"the province owning it", "province_supervisor@33", store.escalated, 200},
		{"a sibling of the intake unit", "caseworker@3301", store.escalated, 404},
		{"the unit that referred it", "caseworker@3301", store.referred, 200},
		{"the unit it was referred to", "caseworker@3305", store.referred, 200},
		{"a third district", "caseworker@3318", store.referred, 404},
		{"national auditor, with a purpose", "auditor@ID", store.referred, 200},
	} {
		if code, body := get(tt.token, tt.c, "?purpose=Audit+ST-12%2F2026"); code != tt.want {
			t.Errorf("%s: GET = %d %v, want %d", tt.name, code, body, tt.want)
		}
	}
	if code, _ := get("caseworker@3305", lindungi.Case{ID: uuid.New()}, ""); code != 404 {
		t.Errorf("GET an unknown case = %d, want 404", code)
	}
	if code, _ := call(t, s, "caseworker@3305", http.MethodGet, "/v1/cases/not-an-id", nil); code != 404 {
		t.Errorf("GET a malformed ID = %d, want 404", code)
	}
	before := len(store.accesses)
	if code, body := get("auditor@33", store.kebumen, ""); code != 422 || !slices.Equal(problemFields(body), []string{"purpose"}) {
		t.Errorf("auditor without a purpose = %d %v, want 422 naming purpose", code, body)
	}
	if len(store.accesses) != before {
		t.Errorf("a refused read was logged as an access")
	}
	if ev := store.accesses[len(store.accesses)-1]; ev.Purpose != "Audit ST-12/2026" || ev.ActorRole != "auditor" {
		t.Errorf("last access event = %+v; want the auditor's purpose", ev)
	}
}

func TestListCasesHandler(t *testing.T) {
	s, store, _ := caseServer(t)
	code, body := call(t, s, "supervisor@3305", http.MethodGet,
		"/v1/cases?step=RECEIVED&open=true&unit=3305&category=UNPAID_WAGES&idle_days=5&overdue=true&limit=2", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /v1/cases = %d %v", code, body)
	}
	open := true
	want := lindungi.CaseFilter{Step: lindungi.CaseReceived, Open: &open, Unit: "3305", Category: lindungi.CatUnpaidWages,
		IdleDays: 5, Overdue: true, Limit: 2, Now: s.Now()}
	if f := store.filter; f.Step != want.Step || f.Open == nil || !*f.Open || f.Unit != want.Unit || f.Category != want.Category ||
		f.IdleDays != 5 || !f.Overdue || f.Limit != 2 || !f.Now.Equal(want.Now) {
		t.Errorf("filter = %+v, want %+v", f, want)
	}
	if !slices.Equal(store.scope.Units, []string{"3305"}) {
		t.Errorf("scope = %+v; want the caller's unit", store.scope)
	}
	items, _ := body["items"].([]any)
	if len(items) != 2 || body["next_cursor"] == nil {
		t.Fatalf("answer = %v; want two items and a cursor (a full page)", body)
	}
	first := items[0].(map[string]any)
	for _, personal := range []string{"complainant", "description", "employer", "resolution"} {
		if _, ok := first[personal]; ok {
			t.Errorf("a list item carries %s: %v", personal, first)
		}
	}
	if first["number"] != store.kebumen.Number || first["relation"] != "FAMILY" || first["days_open"] == nil {
		t.Errorf("first item = %v", first)
	}
	cursor := body["next_cursor"].(string)
	if code, _ := call(t, s, "supervisor@3305", http.MethodGet, "/v1/cases?cursor="+cursor, nil); code != 200 ||
		store.filter.AfterID != store.escalated.ID || !store.filter.AfterStart.Equal(store.escalated.ReceivedAt) || store.filter.Open != nil {
		t.Errorf("next page filter = %+v; want after the last case", store.filter)
	}
	store.list = nil
	if code, body := call(t, s, "auditor@ID", http.MethodGet, "/v1/cases", nil); code != 200 || body["next_cursor"] != nil {
		t.Errorf("empty list = %d %v", code, body)
	} else if items, ok := body["items"].([]any); !ok || len(items) != 0 {
		t.Errorf("empty list items = %#v, want []", body["items"])
	}
	code, body = call(t, s, "supervisor@3305", http.MethodGet,
		"/v1/cases?step=DONE&open=yes&unit=Kebumen&category=X&idle_days=-1&overdue=1&limit=0&cursor=zzz", nil)
	wantFields := []string{"step", "open", "unit", "category", "idle_days", "overdue", "limit", "cursor"}
	if code != 422 || !slices.Equal(problemFields(body), wantFields) {
		t.Errorf("bad filters = %d %v, want 422 naming %v", code, body, wantFields)
	}
}

func TestSearchWorkersHandler(t *testing.T) {
	s, store, _ := caseServer(t)
	code, body := call(t, s, "caseworker@3305", http.MethodGet, "/v1/workers/search?name=+siti++aminah&birth_date=1995-08-15&phone=0812-3456-7890", nil)
	if code != http.StatusOK {
		t.Fatalf("search = %d %v", code, body)
	}
	if q := store.query; q.Name != "siti aminah" || q.BirthDate != "1995-08-15" || q.Phone != "+6281234567890" || !slices.Equal(q.Scope.Units, []string{"3305"}) {
		t.Errorf("query = %+v; want it normalized, in the caller's scope", q)
	}
	if items, _ := body["items"].([]any); len(items) != 1 {
		t.Errorf("items = %v", body["items"])
	}
	if len(store.accesses) != 1 || store.accesses[0].Action != "access.search" || store.accesses[0].SubjectID != store.worker.ID.String() {
		t.Errorf("access events = %+v; want one per worker found", store.accesses)
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"", []string{"nik"}},
		{"?name=Si", []string{"name"}},
		{"?nik=12&phone=999", []string{"nik", "phone"}},
		{"?nik=3305011508950001&birth_date=1995-08-15", []string{"birth_date"}},
	} {
		if code, body := call(t, s, "caseworker@3305", http.MethodGet, "/v1/workers/search"+tt.query, nil); code != 422 || !slices.Equal(problemFields(body), tt.want) {
			t.Errorf("search%s = %d %v, want 422 naming %v", tt.query, code, body, tt.want)
		}
	}
	store.matches = nil
	if code, body := call(t, s, "caseworker@3305", http.MethodGet, "/v1/workers/search?nik=3305011508950009", nil); code != 200 {
		t.Errorf("search with no match = %d %v", code, body)
	} else if items, ok := body["items"].([]any); !ok || len(items) != 0 {
		t.Errorf("no match items = %#v, want []", body["items"])
	}
}

func TestMergeWorkerHandler(t *testing.T) {
	s, store, _ := caseServer(t)
	url := "/v1/workers/" + store.provisional.ID.String() + "/merge"
	code, body := call(t, s, "supervisor@3305", http.MethodPost, url, map[string]any{"into": store.worker.ID}, "Idempotency-Key", "merge-1")
	if code != 200 || body["worker_id"] != store.provisional.ID.String() || body["merged_into"] != store.worker.ID.String() {
		t.Fatalf("merge = %d %v", code, body)
	}
	if store.merged != [2]uuid.UUID{store.provisional.ID, store.worker.ID} || store.event.Actor != "supervisor-3305" {
		t.Errorf("store merged %v with event %+v", store.merged, store.event)
	}
	for _, tt := range []struct {
		name  string
		token string
		url   string
		body  any
		code  int
		want  []string
	}{
		{"a case worker", "caseworker@3305", url, map[string]any{"into": store.worker.ID}, 403, nil},
		{"another district", "supervisor@3301", url, map[string]any{"into": store.worker.ID}, 404, nil},
		{"into a worker the caller may not see", "supervisor@3305", url, map[string]any{"into": store.cilacapWorker.ID}, 422, []string{"into"}},
		{"into an unknown worker", "supervisor@3305", url, map[string]any{"into": uuid.New()}, 422, []string{"into"}},
		{"into itself", "supervisor@3305", url, map[string]any{"into": store.provisional.ID}, 422, []string{"into"}},
		{"into not an ID", "supervisor@3305", url, map[string]any{"into": "Siti"}, 422, []string{"into"}},
		{"a registered worker", "supervisor@33", "/v1/workers/" + store.worker.ID.String() + "/merge", map[string]any{"into": store.cilacapWorker.ID}, 409, nil},
	} {
		code, body := call(t, s, tt.token, http.MethodPost, tt.url, tt.body)
		if code != tt.code || !slices.Equal(problemFields(body), tt.want) {
			t.Errorf("%s: %d %v, want %d naming %v", tt.name, code, body, tt.code, tt.want)
		}
	}
}
