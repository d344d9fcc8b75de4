package e2e_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
)

func kebumenWorker() lindungi.NewWorker {
	return lindungi.NewWorker{NIK: "3305015508950002", Name: "Siti Aminah", BirthDate: "1995-08-15",
		DomicileUnit: "3305", Phone: "0812-3456-7890", Scheme: lindungi.SchemeP2P,
		PlacementCompany: "PT Sinar Jaya Abadi", JobOrderRef: "JO-TW-2026-0142"}
}

type taskList struct {
	Items []lindungi.Task `json:"items"`
}

func (u user) openTasks() []lindungi.Task {
	u.s.t.Helper()
	r := u.do("GET", "/v1/tasks?status=open", nil)
	if r.Status != http.StatusOK {
		u.s.t.Fatalf("GET /v1/tasks as %s = %d %s", u.p.Subject, r.Status, r.Body)
	}
	var l taskList
	r.decode(u.s.t, &l)
	return l.Items
}

func taskOf(tasks []lindungi.Task, worker string) (lindungi.Task, bool) {
	i := slices.IndexFunc(tasks, func(t lindungi.Task) bool { return t.WorkerID.String() == worker })
	if i < 0 {
		return lindungi.Task{}, false
	}
	return tasks[i], true
}

// TestRegisterVerifyAdvance is the walking skeleton end to end: a Kebumen
// case worker registers a worker, the verification task reaches Kebumen's
// inbox and no other district's, and completing it moves the journey.
func TestRegisterVerifyAdvance(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	cilacap := s.user("caseworker-3301", "3301", "caseworker")
	province := s.user("province-supervisor-33", "33", "province_supervisor")
	auditor := s.user("auditor-33", "33", "auditor")

	r := kebumen.do("POST", "/v1/workers", kebumenWorker(), "X-Request-ID", "req-register-1")
	if r.Status != http.StatusCreated {
		t.Fatalf("register = %d %s, want 201", r.Status, r.Body)
	}
	var w lindungi.Worker
	r.decode(t, &w)
	if w.JourneyStep != lindungi.StepRegistered || w.Phone != "+6281234567890" || w.DomicileUnit != "3305" {
		t.Errorf("registered worker = %+v, want REGISTERED, phone in E.164, domicile 3305", w)
	}
	if got, want := r.Header.Get("Location"), "/v1/workers/"+w.ID.String(); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	id := w.ID.String()

	var task lindungi.Task
	eventually(t, "the verification task in Kebumen's inbox", func() bool {
		var ok bool
		task, ok = taskOf(kebumen.openTasks(), id)
		return ok
	})
	if task.Unit != "3305" || task.Kind != lindungi.TaskVerifyRegistration || task.RouteRule != "verify-at-domicile-district" || task.RouteFlagged {
		t.Errorf("task = %+v, want VERIFY_REGISTRATION routed to 3305 by verify-at-domicile-district", task)
	}
	// Two working days after today, in WIB, by the shipped calendar.
	cal := lindungi.NewCalendar(mustHolidays(t))
	if want := cal.AddWorkingDays(task.CreatedAt, 2, lindungi.WIB); task.DueDate != want.Date.Format("2006-01-02") || !task.DueAt.Equal(want.At) {
		t.Errorf("due = %s / %s, want %s / %s", task.DueDate, task.DueAt, want.Date.Format("2006-01-02"), want.At)
	}

	// Another district sees nothing of it; the province sees it.
	if _, ok := taskOf(cilacap.openTasks(), id); ok {
		t.Error("Cilacap's inbox shows Kebumen's task")
	}
	for _, path := range []string{"/v1/workers/" + id, "/v1/tasks/" + task.ID.String()} {
		if r := cilacap.do("GET", path, nil); r.Status != http.StatusNotFound {
			t.Errorf("Cilacap GET %s = %d %s, want 404", path, r.Status, r.Body)
		} else if p := r.problem(t); p.Status != 404 {
			t.Errorf("problem status = %d", p.Status)
		}
	}
	if _, ok := taskOf(province.openTasks(), id); !ok {
		t.Error("the province's inbox does not show Kebumen's task")
	}
	if r := cilacap.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", map[string]string{"outcome": "approved"}); r.Status != http.StatusNotFound {
		t.Errorf("Cilacap completing Kebumen's task = %d, want 404", r.Status)
	}
	if r := auditor.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", map[string]string{"outcome": "approved"}); r.Status != http.StatusForbidden {
		t.Errorf("auditor completing a task = %d, want 403", r.Status)
	}
	if r := auditor.do("GET", "/v1/workers/"+id+"?purpose=ST-12/Inspektorat/2026", nil); r.Status != http.StatusOK {
		t.Errorf("auditor reading the worker = %d, want 200", r.Status)
	}

	// Invalid completions change nothing.
	if r := kebumen.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", map[string]string{"outcome": "maybe"}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("outcome maybe = %d, want 422", r.Status)
	} else if got := r.problem(t).fields(); !cmp.Equal(got, []string{"outcome"}) {
		t.Errorf("bad fields = %v, want [outcome]", got)
	}

	// Approval waits for the documents; then complete it, with an
	// idempotency key, and retry.
	complete := map[string]string{"outcome": "approved", "note": "Dokumen lengkap, wawancara tanpa indikasi TPPO."}
	if r := kebumen.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", complete); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("approval without documents = %d %s, want 422", r.Status, r.Body)
	} else if got := r.problem(t).fields(); len(got) != 4 {
		t.Errorf("approval without documents names %v, want the four missing documents", got)
	}
	provide(t, kebumen, s.user("verifier-3305", "3305", "verifier"), w, verificationDocuments...)
	r = kebumen.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", complete, "Idempotency-Key", "complete-1", "X-Request-ID", "req-complete-1")
	if r.Status != http.StatusOK {
		t.Fatalf("complete = %d %s, want 200", r.Status, r.Body)
	}
	var done struct {
		Task        lindungi.Task `json:"task"`
		JourneyStep lindungi.Step `json:"journey_step"`
	}
	r.decode(t, &done)
	if done.JourneyStep != lindungi.StepTraining || done.Task.Status != lindungi.TaskCompleted || done.Task.CompletedBy != "caseworker-3305" {
		t.Errorf("complete answered %+v, want the task completed by caseworker-3305 and step TRAINING", done)
	}
	retry := kebumen.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", complete, "Idempotency-Key", "complete-1")
	if retry.Status != http.StatusOK || retry.Header.Get("Idempotent-Replayed") != "true" || string(retry.Body) != string(r.Body) {
		t.Errorf("retry with the same key = %d %s, want the first answer replayed", retry.Status, retry.Body)
	}
	if r := kebumen.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", complete); r.Status != http.StatusConflict {
		t.Errorf("completing a completed task = %d, want 409", r.Status)
	}

	r = kebumen.do("GET", "/v1/workers/"+id, nil)
	r.decode(t, &w)
	if w.JourneyStep != lindungi.StepTraining {
		t.Errorf("journey_step = %s, want TRAINING", w.JourneyStep)
	}
	open := kebumen.openTasks()
	if slices.ContainsFunc(open, func(o lindungi.Task) bool { return o.ID == task.ID }) {
		t.Error("the completed task is still in the open inbox")
	}
	if next, ok := taskOf(open, id); !ok || next.Kind != lindungi.TaskRecordTraining {
		t.Errorf("the next open task is %+v, want RECORD_TRAINING", next)
	}

	// The audit trail has every change, with who, where, and the request.
	type event struct {
		Action    string `db:"action"`
		Actor     string `db:"actor"`
		ActorUnit string `db:"actor_unit"`
		Subject   string `db:"subject_type"`
		RequestID string `db:"request_id"`
		After     string `db:"after"`
	}
	var events []event
	if err := s.db.SQL().Select(&events, `SELECT action, actor, actor_unit, subject_type, request_id, coalesce(after::text, '') AS after
		FROM audit_events WHERE worker_id = $1 AND action NOT LIKE 'document.%' AND action NOT LIKE 'access.%' ORDER BY seq`, w.ID); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.Action+" by "+e.Actor+"@"+e.ActorUnit+" ("+e.RequestID+")")
	}
	want := []string{
		"worker.register by caseworker-3305@3305 (req-register-1)",
		"journey.step by system:lindungi@ID (req-register-1)",
		"task.create by system:lindungi@ID (req-register-1)",
		"task.complete by caseworker-3305@3305 (req-complete-1)",
		"journey.step by caseworker-3305@3305 (req-complete-1)",
		"journey.step by caseworker-3305@3305 (req-complete-1)",
		"task.create by system:lindungi@ID (req-register-1)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit events (-want +got):\n%s", diff)
	}
	for _, e := range events {
		for _, secret := range []string{"3305015508950002", "Siti", "6281234567890"} {
			if slices.Contains([]string{e.After}, secret) || contains(e.After, secret) {
				t.Errorf("audit event %s carries personal data %q: %s", e.Action, secret, e.After)
			}
		}
	}
}

func contains(s, sub string) bool { return len(sub) > 0 && len(s) >= len(sub) && indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestBadInput checks that malformed and invalid requests answer
// problem+json naming the fields, and write nothing.
func TestBadInput(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	cilacap := s.user("caseworker-3301", "3301", "caseworker")
	anonymous := user{s: s}

	if r := anonymous.do("GET", "/v1/tasks", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("no token = %d, want 401", r.Status)
	} else {
		r.problem(t)
	}
	bad := user{s: s, token: "not-a-jwt"}
	if r := bad.do("GET", "/v1/tasks", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("bad token = %d, want 401", r.Status)
	}

	valid := kebumenWorker()
	tests := []struct {
		name       string
		as         user
		body       any
		wantStatus int
		wantFields []string
	}{
		{"not JSON", kebumen, "{nik: 1", http.StatusBadRequest, nil},
		{"empty body", kebumen, "", http.StatusBadRequest, nil},
		{"an array", kebumen, "[]", http.StatusBadRequest, nil},
		{"wrong type", kebumen, `{"nik": 3305015508950002}`, http.StatusUnprocessableEntity, []string{"nik"}},
		{"unknown field", kebumen, `{"nik": "3305015508950002", "religion": "x"}`, http.StatusUnprocessableEntity, []string{"religion"}},
		{"all missing", kebumen, map[string]string{}, http.StatusUnprocessableEntity,
			[]string{"birth_date", "nik", "name", "domicile_unit", "phone", "scheme"}},
		{"short NIK and bad scheme", kebumen, func() lindungi.NewWorker { w := valid; w.NIK = "330501"; w.Scheme = "PT"; return w }(),
			http.StatusUnprocessableEntity, []string{"nik", "scheme", "placement_company", "job_order_ref"}},
		{"NIK does not match birth date", kebumen, func() lindungi.NewWorker { w := valid; w.BirthDate = "1995-08-16"; return w }(),
			http.StatusUnprocessableEntity, []string{"nik"}},
		{"unknown district", kebumen, func() lindungi.NewWorker { w := valid; w.DomicileUnit = "3399"; return w }(),
			http.StatusUnprocessableEntity, []string{"domicile_unit"}},
		{"another district's worker", cilacap, valid, http.StatusForbidden, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.as.do("POST", "/v1/workers", tt.body)
			if r.Status != tt.wantStatus {
				t.Fatalf("status = %d %s, want %d", r.Status, r.Body, tt.wantStatus)
			}
			p := r.problem(t)
			if tt.wantFields != nil {
				if diff := cmp.Diff(tt.wantFields, p.fields()); diff != "" {
					t.Errorf("bad fields (-want +got):\n%s", diff)
				}
			}
		})
	}
	var workers, events int
	s.db.SQL().Get(&workers, `SELECT count(*) FROM workers`)
	s.db.SQL().Get(&events, `SELECT count(*) FROM audit_events WHERE action <> 'policy.change'`)
	if workers != 0 || events != 0 {
		t.Errorf("after bad requests: %d workers, %d events; want none", workers, events)
	}

	// Duplicate NIK: 409 naming the field, one worker.
	if r := kebumen.do("POST", "/v1/workers", valid); r.Status != http.StatusCreated {
		t.Fatalf("register = %d %s", r.Status, r.Body)
	}
	r := kebumen.do("POST", "/v1/workers", valid)
	if r.Status != http.StatusConflict {
		t.Fatalf("duplicate NIK = %d %s, want 409", r.Status, r.Body)
	}
	if got := r.problem(t).fields(); !cmp.Equal(got, []string{"nik"}) {
		t.Errorf("duplicate NIK names %v, want [nik]", got)
	}
	if r := kebumen.do("GET", "/v1/tasks?status=closed", nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("status=closed = %d, want 422", r.Status)
	}
	if r := kebumen.do("GET", "/v1/workers/not-a-uuid", nil); r.Status != http.StatusNotFound {
		t.Errorf("malformed worker ID = %d, want 404", r.Status)
	}
}

// TestIdempotentAndConcurrentRegistration retries with keys and races
// registrations.
func TestIdempotentAndConcurrentRegistration(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	w := kebumenWorker()

	first := kebumen.do("POST", "/v1/workers", w, "Idempotency-Key", "reg-1")
	second := kebumen.do("POST", "/v1/workers", w, "Idempotency-Key", "reg-1")
	if first.Status != http.StatusCreated || second.Status != http.StatusCreated || string(first.Body) != string(second.Body) {
		t.Errorf("same key twice = %d then %d; want 201 and the same body", first.Status, second.Status)
	}
	other := w
	other.Name = "Someone Else"
	if r := kebumen.do("POST", "/v1/workers", other, "Idempotency-Key", "reg-1"); r.Status != http.StatusConflict {
		t.Errorf("same key, other body = %d, want 409", r.Status)
	}

	// Ten different workers at once all register; ten copies of one NIK
	// register once.
	const n = 10
	statuses := make([]int, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			nw := w
			nw.NIK = fmt.Sprintf("330501150895%04d", 100+i)
			statuses[i] = kebumen.do("POST", "/v1/workers", nw).Status
		}()
		go func() {
			defer wg.Done()
			nw := w
			nw.NIK = "3305011508950099"
			statuses[n+i] = kebumen.do("POST", "/v1/workers", nw).Status
		}()
	}
	wg.Wait()
	for i := range n {
		if statuses[i] != http.StatusCreated {
			t.Errorf("distinct worker %d = %d, want 201", i, statuses[i])
		}
	}
	created := 0
	for _, st := range statuses[n:] {
		switch st {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Errorf("same NIK = %d, want 201 or 409", st)
		}
	}
	if created != 1 {
		t.Errorf("%d registrations of one NIK succeeded, want 1", created)
	}
	var workers int
	s.db.SQL().Get(&workers, `SELECT count(*) FROM workers`)
	if workers != 1+n+1 {
		t.Errorf("%d workers stored, want %d", workers, 1+n+1)
	}
	eventually(t, "a verification task for every worker", func() bool {
		var tasks int
		s.db.SQL().Get(&tasks, `SELECT count(*) FROM tasks`)
		return tasks == workers
	})
}

// TestRestartsInTheMiddle stops the worker while a journey waits for it,
// and repairs a worker whose journey never started.
func TestRestartsInTheMiddle(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")

	stop(s.worker)
	r := kebumen.do("POST", "/v1/workers", kebumenWorker())
	if r.Status != http.StatusCreated {
		t.Fatalf("register with the worker down = %d %s", r.Status, r.Body)
	}
	var w lindungi.Worker
	r.decode(t, &w)

	// The API died between saving a worker and starting its journey: the
	// store has the worker, Temporal has no journey.
	orphan := kebumenWorker()
	orphan.NIK, orphan.Name = "3305014101900001", "Ani"
	orphan.BirthDate = "1990-01-01"
	if _, err := s.db.CreateWorker(t.Context(), orphan, lindungi.Event{Actor: "test", ActorUnit: "3305", ActorRole: "caseworker"}); err != nil {
		t.Fatal(err)
	}

	s.startWorker()
	eventually(t, "both tasks after the worker restarts", func() bool {
		tasks := kebumen.openTasks()
		_, ok := taskOf(tasks, w.ID.String())
		return ok && len(tasks) == 2
	})

	// Restart the API too: nothing is lost, and the task still completes.
	stop(s.serve)
	s.startServe()
	task, _ := taskOf(kebumen.openTasks(), w.ID.String())
	if r := kebumen.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", map[string]string{"outcome": "rejected", "note": "KTP tidak terbaca"}); r.Status != http.StatusOK {
		t.Fatalf("complete after restarts = %d %s", r.Status, r.Body)
	}
	kebumen.do("GET", "/v1/workers/"+w.ID.String(), nil).decode(t, &w)
	if w.JourneyStep != lindungi.StepClosed {
		t.Errorf("journey_step after a rejected verification = %s, want CLOSED", w.JourneyStep)
	}
}

func TestHealthAndDocument(t *testing.T) {
	s := startSystem(t)
	anonymous := user{s: s}
	for _, path := range []string{"/healthz", "/readyz", "/openapi.yaml"} {
		if r := anonymous.do("GET", path, nil); r.Status != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, r.Status)
		}
	}
	if r := anonymous.do("DELETE", "/v1/workers", nil); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /v1/workers = %d, want 405", r.Status)
	} else {
		r.problem(t)
	}
	if r := anonymous.do("GET", "/v2/nothing", nil); r.Status != http.StatusNotFound {
		t.Errorf("unknown path = %d, want 404", r.Status)
	} else {
		r.problem(t)
	}
}

// verificationDocuments are the documents district verification needs.
var verificationDocuments = []lindungi.DocType{lindungi.DocKTP, lindungi.DocKK, lindungi.DocFamilyPermission, lindungi.DocMaritalStatus}

// provide adds documents to a worker's file through the API as adder and
// verifies them as verifier (four eyes).
func provide(t *testing.T, adder, verifier user, w lindungi.Worker, types ...lindungi.DocType) {
	t.Helper()
	for _, typ := range types {
		d := lindungi.NewDocument{Type: typ, Number: "DOC-" + string(typ) + "-1", FileRef: "scan/" + w.ID.String() + "/" + string(typ)}
		switch typ {
		case lindungi.DocKTP:
			d.Number = w.NIK
		case lindungi.DocKK:
			d.Number = "3305010101010001"
		case lindungi.DocPassport:
			d.Number, d.IssuedOn, d.ExpiresOn = "C1234567", "2026-01-05", "2031-01-04"
		case lindungi.DocWorkVisa:
			d.IssuedOn, d.ExpiresOn = "2026-10-01", "2028-10-01"
		case lindungi.DocWorkContract:
			d.IssuedOn, d.ExpiresOn = "2026-10-01", "2028-11-30"
		}
		r := adder.do("POST", "/v1/workers/"+w.ID.String()+"/documents", d)
		if r.Status != http.StatusCreated {
			t.Fatalf("add %s = %d %s", typ, r.Status, r.Body)
		}
		var doc lindungi.Document
		r.decode(t, &doc)
		if r := verifier.do("POST", "/v1/documents/"+doc.ID.String()+"/verify", nil); r.Status != http.StatusOK {
			t.Fatalf("verify %s = %d %s", typ, r.Status, r.Body)
		}
	}
}
