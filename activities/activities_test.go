package activities_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/policies"
	"github.com/lindungi/lindungi/postgres"
	"go.temporal.io/sdk/temporal"
)

func TestMain(m *testing.M) { devtest.Main(m) }

// env is the real store and router on a fresh database.
type env struct {
	dsn string
	db  *postgres.DB
	act *activities.Activities
}

func newEnv(t *testing.T) env {
	t.Helper()
	ctx := t.Context()
	dsn := devtest.Database(t)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	units, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	router, err := policies.NewRouter(units, policies.DefaultRules(), "7")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 23, 8, 0, 0, 0, lindungi.WIB)
	db.Now = func() time.Time { return now }
	return env{dsn: dsn, db: db, act: &activities.Activities{Store: db, Router: router,
		Now: func() time.Time { return now }}}
}

// register stores a worker of unit with the n-th test NIK.
func (e env) register(t *testing.T, n int, unit string) lindungi.Worker {
	t.Helper()
	nw := lindungi.NewWorker{NIK: fmt.Sprintf("%s01150895%04d", unit, n+1), Name: "Siti Aminah", BirthDate: "1995-08-15",
		DomicileUnit: unit, Phone: "+6281234567890", Scheme: lindungi.SchemeP2P}
	w, err := e.db.CreateWorker(t.Context(), nw, lindungi.Event{Actor: "user:siti", ActorUnit: unit, ActorRole: "caseworker"})
	if err != nil {
		t.Fatalf("CreateWorker: %v", err)
	}
	return w
}

// documents adds the verification documents of a worker, added by a clerk
// and verified by someone else.
func (e env) documents(t *testing.T, w lindungi.Worker, types ...lindungi.DocType) {
	t.Helper()
	numbers := map[lindungi.DocType]string{lindungi.DocKTP: w.NIK, lindungi.DocKK: "3305010101010001"}
	for _, typ := range types {
		n := numbers[typ]
		if n == "" {
			n = "DOC-" + string(typ)
		}
		d, err := e.db.AddDocument(t.Context(), w.ID, lindungi.NewDocument{Type: typ, Number: n, FileRef: "scan/" + string(typ)},
			lindungi.Event{Actor: "user:clerk", ActorUnit: w.DomicileUnit, ActorRole: "caseworker"})
		if err != nil {
			t.Fatalf("AddDocument %s: %v", typ, err)
		}
		if _, err := e.db.VerifyDocument(t.Context(), d.ID, lindungi.Event{Actor: "user:verifier", ActorUnit: w.DomicileUnit, ActorRole: "verifier"}); err != nil {
			t.Fatalf("VerifyDocument %s: %v", typ, err)
		}
	}
}

func (e env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.SQL().GetContext(t.Context(), &n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func verifyInput(w lindungi.Worker, due int) activities.CreateTaskInput {
	return activities.CreateTaskInput{WorkflowID: w.WorkflowID, WorkerID: w.ID, Kind: lindungi.TaskVerifyRegistration,
		Step: lindungi.StepRegistered, DomicileUnit: w.DomicileUnit, Scheme: w.Scheme, Risk: "normal",
		DueInWorkingDays: due, RequestID: "req-1"}
}

// applicationError returns the Temporal error type of err and whether
// Temporal would retry it; ok is false if err is no application error.
func applicationError(err error) (typ string, nonRetryable, ok bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return "", false, false
	}
	return appErr.Type(), appErr.NonRetryable(), true
}

func TestCreateTask(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	tests := []struct {
		name         string
		now          time.Time
		due          int
		wantDate     string
		wantAt       time.Time
		wantFallback bool
	}{
		{"Thursday before Christmas skips cuti bersama, Christmas and the weekend",
			time.Date(2026, 12, 23, 8, 0, 0, 0, lindungi.WIB), 2,
			"2026-12-29", time.Date(2026, 12, 30, 0, 0, 0, 0, lindungi.WIB), false},
		{"Friday skips the weekend",
			time.Date(2026, 11, 27, 8, 0, 0, 0, lindungi.WIB), 2,
			"2026-12-01", time.Date(2026, 12, 2, 0, 0, 0, 0, lindungi.WIB), false},
		{"days are counted in WIB: 22 December 18:30 UTC is the 23rd in Kebumen",
			time.Date(2026, 12, 22, 18, 30, 0, 0, time.UTC), 2,
			"2026-12-29", time.Date(2026, 12, 30, 0, 0, 0, 0, lindungi.WIB), false},
		{"a year without holiday data counts weekends only, and says so",
			time.Date(2026, 12, 30, 10, 0, 0, 0, lindungi.WIB), 3,
			"2027-01-04", time.Date(2027, 1, 5, 0, 0, 0, 0, lindungi.WIB), true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.register(t, i, "3305")
			e.act.Now = func() time.Time { return tt.now }
			in := verifyInput(w, tt.due)
			got, err := e.act.CreateTask(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			want := activities.TaskRef{
				ID:   lindungi.TaskID(w.WorkflowID, lindungi.StepRegistered, lindungi.TaskVerifyRegistration, 0),
				Kind: lindungi.TaskVerifyRegistration, Step: lindungi.StepRegistered,
				Unit: "3305", HolderRole: "caseworker", UnitPath: []string{"3305", "33", "ID"}, Rule: "verify-at-domicile-district",
				DueAt: tt.wantAt, Status: lindungi.TaskOpen,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CreateTask (-want +got):\n%s", diff)
			}
			stored, err := e.db.FindTask(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.DueDate != tt.wantDate || stored.CalendarFallback != tt.wantFallback || stored.WorkerID != w.ID || stored.WorkflowID != w.WorkflowID {
				t.Errorf("stored task: due_date %s, calendar_fallback %v, worker %s, workflow %s; want %s, %v, %s, %s",
					stored.DueDate, stored.CalendarFallback, stored.WorkerID, stored.WorkflowID, tt.wantDate, tt.wantFallback, w.ID, w.WorkflowID)
			}

			// A retry a week later, when the deadline and the route would
			// differ, returns the task stored the first time.
			e.act.Now = func() time.Time { return tt.now.AddDate(0, 0, 7) }
			retry := in
			retry.DomicileUnit = "3301"
			again, err := e.act.CreateTask(ctx, retry)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("retried CreateTask (-first +retry):\n%s", diff)
			}
			if n := e.count(t, `SELECT count(*) FROM tasks WHERE worker_id = $1`, w.ID); n != 1 {
				t.Errorf("%d tasks of the worker, want 1", n)
			}
			var evs []struct {
				Actor     string `db:"actor"`
				ActorRole string `db:"actor_role"`
				Rule      string `db:"rule"`
				Policy    string `db:"policy_version"`
				RequestID string `db:"request_id"`
			}
			if err := e.db.SQL().SelectContext(ctx, &evs, `
SELECT actor, actor_role, rule, policy_version, request_id FROM audit_events
WHERE action = 'task.create' AND subject_id = $1`, got.ID.String()); err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d task.create events, want 1", len(evs))
			}
			ev := evs[0]
			if ev.Actor != "system:lindungi" || ev.ActorRole != "system" || ev.Rule != "verify-at-domicile-district" ||
				ev.Policy != "7" || ev.RequestID != "req-1" {
				t.Errorf("task.create event %+v; want the system, the rule, policy %s and req-1", ev, "7")
			}
		})
	}
}

func TestCreateTaskWithoutRuleGoesToProvince(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := e.register(t, 0, "3305")
	in := verifyInput(w, 2)
	in.Kind = "CHECK_MEDICAL"
	got, err := e.act.CreateTask(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := activities.TaskRef{
		ID:   lindungi.TaskID(w.WorkflowID, lindungi.StepRegistered, "CHECK_MEDICAL", 0),
		Kind: "CHECK_MEDICAL", Step: lindungi.StepRegistered,
		Unit: "33", HolderRole: "province_supervisor", UnitPath: []string{"33", "ID"}, Rule: "fallback-province-queue", Flagged: true,
		DueAt: time.Date(2026, 12, 30, 0, 0, 0, 0, lindungi.WIB), Status: lindungi.TaskOpen,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CreateTask (-want +got):\n%s", diff)
	}
	// The province's inbox shows it, flagged; the district's does not.
	for _, tt := range []struct {
		scope string
		want  int
	}{{"33", 1}, {"3305", 0}} {
		tasks, err := e.db.ListTasks(t.Context(), lindungi.Scope{Units: []string{tt.scope}}, lindungi.TaskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) != tt.want {
			t.Errorf("inbox of %s has %d tasks, want %d", tt.scope, len(tasks), tt.want)
		}
		for _, task := range tasks {
			if !task.RouteFlagged {
				t.Errorf("task in the inbox of %s is not flagged", tt.scope)
			}
		}
	}
}

func TestCompleteTask(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	w := e.register(t, 0, "3305")
	ref, err := e.act.CreateTask(ctx, verifyInput(w, 2))
	if err != nil {
		t.Fatal(err)
	}
	siti := activities.Actor{Subject: "user:siti", Unit: "3305", Role: "verifier"}
	budi := activities.Actor{Subject: "user:budi", Unit: "3305", Role: "verifier"}
	// complete is what the workflow sends: the task's worker, step and
	// kind come with it, so the approval check does not read the task.
	complete := func(id uuid.UUID, outcome lindungi.Outcome, actor activities.Actor, requestID string) activities.CompleteTaskInput {
		return activities.CompleteTaskInput{TaskID: id, Outcome: outcome, Note: "ok", Actor: actor, RequestID: requestID,
			WorkerID: w.ID, Step: ref.Step, Kind: ref.Kind}
	}

	// Approval waits for the step's documents, present and verified.
	_, err = e.act.CompleteTask(ctx, complete(ref.ID, lindungi.OutcomeApproved, siti, "req-1"))
	if typ, nonRetryable, ok := applicationError(err); !ok || typ != lindungi.EINVALID || !nonRetryable {
		t.Fatalf("approval without documents: %v, want a non-retryable invalid error", err)
	}
	e.documents(t, w, lindungi.DocKTP, lindungi.DocKK, lindungi.DocFamilyPermission)
	// An input scheduled before the workflow sent the task: it is read.
	_, err = e.act.CompleteTask(ctx, activities.CompleteTaskInput{TaskID: ref.ID, Outcome: lindungi.OutcomeApproved, Actor: siti})
	if err == nil || !strings.Contains(err.Error(), "MARITAL_STATUS missing") || strings.Contains(err.Error(), "KTP") {
		t.Fatalf("approval with three of four documents: %v, want only MARITAL_STATUS named", err)
	}
	e.documents(t, w, lindungi.DocMaritalStatus)

	// Each step runs on the state the previous ones left.
	steps := []struct {
		name       string
		in         activities.CompleteTaskInput
		retried    bool   // Temporal runs the activity again
		wantType   string // the application error's type; "" for success
		wantEvents int
	}{
		{"open task completes", complete(ref.ID, lindungi.OutcomeApproved, siti, "req-2"), false, "", 1},
		{"retried completion succeeds", complete(ref.ID, lindungi.OutcomeApproved, siti, "req-2"), true, "", 1},
		{"as one from before the workflow sent the task", activities.CompleteTaskInput{TaskID: ref.ID, Outcome: lindungi.OutcomeApproved,
			Note: "ok", Actor: siti, RequestID: "req-2"}, true, "", 1},
		{"another outcome conflicts", complete(ref.ID, lindungi.OutcomeRejected, siti, "req-3"), false, lindungi.ECONFLICT, 1},
		{"another verifier conflicts", complete(ref.ID, lindungi.OutcomeApproved, budi, "req-4"), false, lindungi.ECONFLICT, 1},
		{"unknown task", complete(uuid.New(), lindungi.OutcomeApproved, siti, "req-5"), false, lindungi.ENOTFOUND, 1},
	}
	var ktp lindungi.Document
	for i, st := range steps {
		switch i {
		case 1:
			// The first attempt's answer was lost, and the file changed
			// since: a KTP was added that no one has verified yet.
			if ktp, err = e.db.AddDocument(ctx, w.ID, lindungi.NewDocument{Type: lindungi.DocKTP, Number: w.NIK, FileRef: "scan/KTP-2"},
				lindungi.Event{Actor: "user:clerk", ActorUnit: w.DomicileUnit, ActorRole: "caseworker"}); err != nil {
				t.Fatal(err)
			}
		case 3:
			if _, err := e.db.VerifyDocument(ctx, ktp.ID, lindungi.Event{Actor: "user:verifier", ActorUnit: w.DomicileUnit, ActorRole: "verifier"}); err != nil {
				t.Fatal(err)
			}
		}
		complete := e.act.CompleteTask
		if st.retried {
			complete = e.act.CompleteTaskRetried
		}
		got, err := complete(ctx, st.in)
		if st.wantType == "" {
			if err != nil {
				t.Fatalf("%s: CompleteTask: %v", st.name, err)
			}
			if got.Status != lindungi.TaskCompleted || got.Outcome != lindungi.OutcomeApproved || got.Note != "ok" || got.CompletedBy != "user:siti" {
				t.Errorf("%s: task %s, %s, %q by %s; want completed, approved, \"ok\" by user:siti", st.name, got.Status, got.Outcome, got.Note, got.CompletedBy)
			}
		} else {
			typ, nonRetryable, ok := applicationError(err)
			if !ok || typ != st.wantType || !nonRetryable {
				t.Errorf("%s: CompleteTask: %v (type %q, non-retryable %v); want a non-retryable application error of type %q",
					st.name, err, typ, nonRetryable, st.wantType)
			}
		}
		if n := e.count(t, `SELECT count(*) FROM audit_events WHERE action = 'task.complete'`); n != st.wantEvents {
			t.Errorf("%s: %d task.complete events, want %d", st.name, n, st.wantEvents)
		}
	}
	var ev struct {
		Actor     string `db:"actor"`
		ActorUnit string `db:"actor_unit"`
		ActorRole string `db:"actor_role"`
		RequestID string `db:"request_id"`
		Policy    string `db:"policy_version"`
	}
	if err := e.db.SQL().GetContext(ctx, &ev, `SELECT actor, actor_unit, actor_role, request_id, policy_version FROM audit_events WHERE action = 'task.complete'`); err != nil {
		t.Fatal(err)
	}
	if ev.Actor != "user:siti" || ev.ActorUnit != "3305" || ev.ActorRole != "verifier" || ev.RequestID != "req-2" || ev.Policy != "7" {
		t.Errorf("task.complete event %+v; want user:siti, 3305, verifier, req-2, policy %s", ev, "7")
	}
}

func TestRecordStep(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	w := e.register(t, 0, "3305")
	notStarted := func() bool {
		t.Helper()
		js, err := e.db.WorkersWithoutJourney(ctx, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(js) == 1 && js[0].WorkerID == w.ID
	}
	if !notStarted() {
		t.Fatal("a new worker is not listed as without journey")
	}

	// Each step runs on the state the previous ones left.
	steps := []struct {
		name           string
		in             activities.RecordStepInput
		wantStep       lindungi.Step
		wantEvents     int
		wantNotStarted bool
	}{
		{"first step starts the journey", activities.RecordStepInput{WorkerID: w.ID, Seq: 0, Step: lindungi.StepRegistered, Actor: activities.System}, lindungi.StepRegistered, 1, false},
		{"verified", activities.RecordStepInput{WorkerID: w.ID, Seq: 1, Step: lindungi.StepVerified, Reason: "approved", Actor: activities.System}, lindungi.StepVerified, 2, false},
		{"retried step changes nothing", activities.RecordStepInput{WorkerID: w.ID, Seq: 1, Step: lindungi.StepClosed, Actor: activities.System}, lindungi.StepVerified, 2, false},
		{"retried first step changes nothing", activities.RecordStepInput{WorkerID: w.ID, Seq: 0, Step: lindungi.StepRegistered, Actor: activities.System}, lindungi.StepVerified, 2, false},
	}
	for _, st := range steps {
		if err := e.act.RecordStep(ctx, st.in); err != nil {
			t.Fatalf("%s: RecordStep: %v", st.name, err)
		}
		got, err := e.db.FindWorker(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.JourneyStep != st.wantStep {
			t.Errorf("%s: worker at %s, want %s", st.name, got.JourneyStep, st.wantStep)
		}
		if n := e.count(t, `SELECT count(*) FROM audit_events WHERE action = 'journey.step'`); n != st.wantEvents {
			t.Errorf("%s: %d journey.step events, want %d", st.name, n, st.wantEvents)
		}
		if notStarted() != st.wantNotStarted {
			t.Errorf("%s: worker listed without journey: %v, want %v", st.name, !st.wantNotStarted, st.wantNotStarted)
		}
	}
}

// Errors a retry cannot fix stop the workflow's retries, with the domain
// code as their type: a value the database refuses (issue 10: a NUL byte
// in a reason made the case workflow retry EscalateTask for ever) among
// them. A database that is down is retried, as EUNAVAILABLE.
func TestActivityErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	w := e.register(t, 0, "3305")
	unknownUnit := verifyInput(w, 2)
	unknownUnit.DomicileUnit = "3399"
	task, err := e.act.CreateTask(ctx, verifyInput(w, 2))
	if err != nil {
		t.Fatal(err)
	}

	down, err := postgres.Open(ctx, e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	down.Close()
	offline := *e.act
	offline.Store = down

	tests := []struct {
		name             string
		call             func() error
		wantType         string // "" for an error Temporal retries
		wantNonRetryable bool
	}{
		{"task of an unknown unit", func() error { _, err := e.act.CreateTask(ctx, unknownUnit); return err }, lindungi.EINVALID, true},
		{"step of an unknown worker", func() error {
			return e.act.RecordStep(ctx, activities.RecordStepInput{WorkerID: uuid.New(), Seq: 0, Step: lindungi.StepRegistered, Actor: activities.System})
		}, lindungi.EINVALID, true},
		{"a NUL in an escalation's reason", func() error {
			_, err := e.act.EscalateTask(ctx, activities.EscalateInput{TaskID: task.ID, DomicileUnit: "3305", Risk: "normal", DueDays: 2,
				Reason: "a\x00b", Actor: activities.System})
			return err
		}, lindungi.EINVALID, true},
		{"a NUL in a completion's note", func() error {
			_, err := e.act.CompleteTask(ctx, activities.CompleteTaskInput{TaskID: task.ID, Outcome: lindungi.OutcomeRejected,
				Note: "a\x00b", Actor: activities.Actor{Subject: "u", Unit: "3305", Role: "verifier"}})
			return err
		}, lindungi.EINVALID, true},
		{"database down", func() error { _, err := offline.CreateTask(ctx, verifyInput(w, 3)); return err }, lindungi.EUNAVAILABLE, false},
	}
	for _, tt := range tests {
		err := tt.call()
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		typ, nonRetryable, _ := applicationError(err)
		if typ != tt.wantType || nonRetryable != tt.wantNonRetryable {
			t.Errorf("%s: %v (type %q, non-retryable %v); want type %q, non-retryable %v",
				tt.name, err, typ, nonRetryable, tt.wantType, tt.wantNonRetryable)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM tasks WHERE id <> $1`, task.ID); n != 0 {
		t.Errorf("%d tasks stored by failed calls, want 0", n)
	}
	if n := e.count(t, `SELECT count(*) FROM tasks WHERE id = $1 AND status = 'open' AND level = 0`, task.ID); n != 1 {
		t.Errorf("the task changed by failed calls")
	}
}

// A workflow stuck on a step is flagged to the national administrators,
// by a notification and an audit event, once however often the activity
// runs.
func TestFlagAttention(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	w := e.register(t, 0, "3305")
	in := activities.AttentionInput{WorkerID: w.ID, Unit: "3305", Step: "escalate task 1", Error: "The database refused a value of the request.",
		ErrorType: lindungi.EINVALID, Key: "attention/run-1/1"}
	for range 2 {
		if err := e.act.FlagAttention(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := e.db.Notifications(ctx, lindungi.NotificationQuery{Reader: lindungi.Reader{Unit: "ID"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Kind != activities.KindAttention || ns[0].RecipientRole != lindungi.RoleAdmin ||
		!strings.Contains(ns[0].Message, "escalate task 1 failed") {
		t.Errorf("notifications of the national unit = %+v, want one attention for its admins", ns)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_events WHERE action = $1 AND worker_id = $2`, activities.ActionAttention, w.ID); n != 1 {
		t.Errorf("%d attention events, want 1", n)
	}
}

// TestEscalateTaskSaysWhoMovedIt: the trail of an escalation says whether
// a person moved the task, with the person's reason, or the deadline did.
func TestEscalateTaskSaysWhoMovedIt(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	supervisor := activities.Actor{Subject: "user:budi", Unit: "3305", Role: "supervisor"}
	tests := []struct {
		name       string
		actor      activities.Actor
		reason     string
		wantBy     string
		wantReason string
	}{
		{"by hand", supervisor, "Pemohon menunggu terlalu lama", lindungi.MovedByPerson, "Pemohon menunggu terlalu lama"},
		{"by hand without a reason", supervisor, "", lindungi.MovedByPerson, ""},
		{"by the deadline", activities.System, "", lindungi.MovedByDeadline, "deadline passed"},
		{"by the case deadline", activities.System, "handling deadline passed", lindungi.MovedByDeadline, "handling deadline passed"},
	}
	for i, tt := range tests {
		w := e.register(t, 10+i, "3305")
		ref, err := e.act.CreateTask(ctx, verifyInput(w, 2))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.act.EscalateTask(ctx, activities.EscalateInput{TaskID: ref.ID, DomicileUnit: "3305", Risk: "normal",
			DueDays: 2, Reason: tt.reason, Actor: tt.actor, RequestID: "req-esc"}); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var ev struct {
			Actor string `db:"actor"`
			By    string `db:"by"`
			Why   string `db:"reason"`
		}
		if err := e.db.SQL().GetContext(ctx, &ev, `SELECT actor, after->>'by' AS by, after->>'reason' AS reason
FROM audit_events WHERE action = 'task.escalate' AND subject_id = $1`, ref.ID.String()); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ev.Actor != tt.actor.Subject || ev.By != tt.wantBy || ev.Why != tt.wantReason {
			t.Errorf("%s: task.escalate by %s (%q), reason %q; want %s (%q), %q", tt.name, ev.Actor, ev.By, ev.Why,
				tt.actor.Subject, tt.wantBy, tt.wantReason)
		}
	}
}

// TestRerouteTask: a case's handling task raised to high risk goes where
// the policy routes high-risk handling (the province's BP3MI), with the
// sooner deadline, the rule recorded and both units told; again, nothing
// moves; a task already at the province stays there.
func TestRerouteTask(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	supervisor := activities.Actor{Subject: "supervisor-3305", Unit: "3305", Role: "supervisor"}
	handling := func(n int, unit string) activities.TaskRef {
		w := e.register(t, 30+n, "3305")
		ref, err := e.act.CreateTask(ctx, activities.CreateTaskInput{WorkflowID: "case/test-" + w.ID.String(), WorkerID: w.ID,
			Kind: lindungi.TaskCaseHandling, Step: lindungi.StepCase, DomicileUnit: unit, Risk: lindungi.RiskNormal,
			DueInWorkingDays: 10, RequestID: "req-intake"})
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	raise := func(ref activities.TaskRef, unit string) activities.TaskRef {
		got, err := e.act.RerouteTask(ctx, activities.RerouteInput{TaskID: ref.ID, DomicileUnit: unit, Risk: lindungi.RiskHigh,
			DueDays: 3, Reason: "Indikasi TPPO", Actor: supervisor, RequestID: "req-raise"})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	district := handling(0, "3305")
	moved := raise(district, "3305")
	if moved.Unit != "33" || moved.HolderRole != lindungi.RoleBP3MIOfficer || moved.Rule != "high-risk-to-bp3mi" || moved.Level != district.Level {
		t.Errorf("raised: %+v, want at 33 with the BP3MI officers by rule high-risk-to-bp3mi, at the same level", moved)
	}
	if !moved.DueAt.Before(district.DueAt) {
		t.Errorf("raised: due %s, want sooner than %s (3 working days, not 10)", moved.DueAt, district.DueAt)
	}
	var ev struct {
		Actor string `db:"actor"`
		By    string `db:"by"`
		Rule  string `db:"rule"`
		Why   string `db:"reason"`
	}
	if err := e.db.SQL().GetContext(ctx, &ev, `SELECT actor, after->>'by' AS by, rule, after->>'reason' AS reason
FROM audit_events WHERE action = 'task.reassign' AND subject_id = $1`, district.ID.String()); err != nil {
		t.Fatal(err)
	}
	if ev != (struct {
		Actor string `db:"actor"`
		By    string `db:"by"`
		Rule  string `db:"rule"`
		Why   string `db:"reason"`
	}{"supervisor-3305", lindungi.MovedByPolicy, "high-risk-to-bp3mi", "Indikasi TPPO"}) {
		t.Errorf("the move's audit event: %+v", ev)
	}
	if n := e.count(t, `SELECT count(*) FROM notifications WHERE task_id = $1 AND recipient_unit IN ('3305', '33')`, district.ID); n != 2 {
		t.Errorf("%d notifications of the move, want 2 (the unit it left, the unit it reached)", n)
	}
	if again := raise(moved, "33"); again.Unit != "33" || !again.DueAt.Equal(moved.DueAt) ||
		e.count(t, `SELECT count(*) FROM audit_events WHERE action = 'task.reassign' AND subject_id = $1`, district.ID.String()) != 1 {
		t.Errorf("raised again: %+v, want it left as it was, with no new event", again)
	}

	province := handling(1, "33")
	if stays := raise(province, "33"); stays.Unit != "33" || stays.HolderRole != province.HolderRole || !stays.DueAt.Equal(province.DueAt) {
		t.Errorf("a task at the province raised: %+v, want it left as it was (%+v)", stays, province)
	}
}
