package postgres_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/postgres"
)

// newTask returns an open verification task of w routed to unit.
func newTask(w lindungi.Worker, unit string, due time.Time) lindungi.Task {
	return lindungi.Task{
		ID:         lindungi.TaskID(w.WorkflowID, lindungi.StepRegistered, lindungi.TaskVerifyRegistration, 0),
		WorkflowID: w.WorkflowID, WorkerID: w.ID, Kind: lindungi.TaskVerifyRegistration, Step: lindungi.StepRegistered,
		Unit: unit, RouteRule: "verify-at-domicile-district", DueAt: due, DueDate: due.AddDate(0, 0, -1).Format(time.DateOnly),
	}
}

func system(requestID string) lindungi.Event {
	return lindungi.Event{Actor: "system:lindungi", ActorUnit: "ID", ActorRole: "system", Policy: "test-policy",
		WorkflowID: "journey/x", RunID: "run-1", RequestID: requestID}
}

func createTask(t *testing.T, db *postgres.DB, task lindungi.Task) lindungi.Task {
	t.Helper()
	got, err := db.CreateTask(t.Context(), task, system("req-task"))
	if err != nil {
		t.Fatalf("CreateTask(%s): %v", task.ID, err)
	}
	return got
}

func TestCreateTaskIsIdempotent(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	due := time.Date(2026, 12, 30, 0, 0, 0, 0, lindungi.WIB)
	in := newTask(w, "3305", due)

	first, err := db.CreateTask(ctx, in, system("req-1"))
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Status, want.CreatedAt, want.DueDate, want.HolderRole = lindungi.TaskOpen, t0, "2026-12-29", lindungi.RoleCaseworker
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("CreateTask (-want +got):\n%s", diff)
	}

	// A retry, later and routed elsewhere since, gets the stored task.
	db.Now = func() time.Time { return t0.Add(time.Hour) }
	retry := in
	retry.Unit, retry.DueAt, retry.DueDate = "3301", due.AddDate(0, 0, 5), "2027-01-03"
	second, err := db.CreateTask(ctx, retry, system("req-2"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second CreateTask did not return the stored task (-first +second):\n%s", diff)
	}
	found, err := db.FindTask(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, found); diff != "" {
		t.Errorf("FindTask (-created +found):\n%s", diff)
	}
	if n := count(t, db, `SELECT count(*) FROM tasks`); n != 1 {
		t.Errorf("%d tasks, want 1", n)
	}
	wantEvents := []auditEvent{{
		Actor: "system:lindungi", ActorUnit: "ID", ActorRole: "system", Action: "task.create",
		SubjectType: "task", SubjectID: in.ID.String(), WorkerID: w.ID.String(),
		After: map[string]any{"kind": "VERIFY_REGISTRATION", "unit": "3305", "due_at": "2026-12-30T00:00:00+07:00",
			"route_flagged": false, "calendar_fallback": false},
		Rule: "verify-at-domicile-district", PolicyVersion: "test-policy", WorkflowID: "journey/x", RunID: "run-1",
		RequestID: "req-1", OccurredAt: t0,
	}}
	if diff := cmp.Diff(wantEvents, auditEvents(t, db, "task.create")); diff != "" {
		t.Errorf("task.create events (-want +got):\n%s", diff)
	}
}

func TestListTasks(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	kebumen := register(t, db, "3305011508950001", "3305")
	cilacap := register(t, db, "3301011508950001", "3301")
	day := func(n int) time.Time { return time.Date(2026, 12, 28+n, 0, 0, 0, 0, lindungi.WIB) }

	// IDs are chosen so that their order differs from both the order of
	// creation and the order of deadlines.
	tasks := []struct {
		name  string
		id    string
		w     lindungi.Worker
		unit  string
		due   time.Time
		level int
	}{
		{"kebumen-late-b", "00000000-0000-0000-0000-000000000002", kebumen, "3305", day(1), 0},
		{"kebumen-late-a", "00000000-0000-0000-0000-000000000001", kebumen, "3305", day(1), 0},
		{"kebumen-early", "00000000-0000-0000-0000-000000000005", kebumen, "3305", day(0), 0},
		{"cilacap-early", "00000000-0000-0000-0000-000000000003", cilacap, "3301", day(0), 0},
		{"province", "00000000-0000-0000-0000-000000000004", cilacap, "33", day(2), 2}, // escalated twice
	}
	names := map[uuid.UUID]string{}
	for _, tk := range tasks {
		in := newTask(tk.w, tk.unit, tk.due)
		in.ID, in.Level = uuid.MustParse(tk.id), tk.level
		createTask(t, db, in)
		names[in.ID] = tk.name
	}
	done := uuid.MustParse("00000000-0000-0000-0000-000000000002")
	if _, err := db.CompleteTask(ctx, done, lindungi.OutcomeApproved, "", clerk("req-done")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		scope string
		f     lindungi.TaskFilter
		want  []string
	}{
		{"3305", lindungi.TaskFilter{}, []string{"kebumen-early", "kebumen-late-a", "kebumen-late-b"}},
		{"33", lindungi.TaskFilter{}, []string{"cilacap-early", "kebumen-early", "kebumen-late-a", "kebumen-late-b", "province"}},
		{"ID", lindungi.TaskFilter{}, []string{"cilacap-early", "kebumen-early", "kebumen-late-a", "kebumen-late-b", "province"}},
		{"3301", lindungi.TaskFilter{}, []string{"cilacap-early"}},
		{"3302", lindungi.TaskFilter{}, nil},
		{"9999", lindungi.TaskFilter{}, nil},
		{"3305", lindungi.TaskFilter{Status: lindungi.TaskOpen}, []string{"kebumen-early", "kebumen-late-a"}},
		{"3305", lindungi.TaskFilter{Status: lindungi.TaskCompleted}, []string{"kebumen-late-b"}},
		{"33", lindungi.TaskFilter{Limit: 2}, []string{"cilacap-early", "kebumen-early"}},
		{"33", lindungi.TaskFilter{Status: lindungi.TaskOpen, Limit: 3}, []string{"cilacap-early", "kebumen-early", "kebumen-late-a"}},
		{"33", lindungi.TaskFilter{Escalated: true}, []string{"province"}},
		{"3305", lindungi.TaskFilter{Escalated: true}, nil},
	}
	for _, tt := range tests {
		got, err := db.ListTasks(ctx, lindungi.Scope{Units: []string{tt.scope}}, tt.f)
		if err != nil {
			t.Fatalf("ListTasks(%s, %+v): %v", tt.scope, tt.f, err)
		}
		var gotNames []string
		for _, task := range got {
			gotNames = append(gotNames, names[task.ID])
		}
		if diff := cmp.Diff(tt.want, gotNames); diff != "" {
			t.Errorf("ListTasks(%s, %+v) (-want +got):\n%s", tt.scope, tt.f, diff)
		}
	}
}

func TestCompleteTask(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	created := createTask(t, db, newTask(w, "3305", time.Date(2026, 12, 30, 0, 0, 0, 0, lindungi.WIB)))
	completedAt := t0.Add(time.Hour)
	completed := created
	completed.Status, completed.Outcome, completed.Note = lindungi.TaskCompleted, lindungi.OutcomeApproved, "Dokumen lengkap."
	completed.CompletedBy, completed.CompletedAt = "user:siti", &completedAt

	other := clerk("req-other")
	other.Actor = "user:budi"
	// Each step runs on the state the previous ones left.
	steps := []struct {
		name       string
		id         uuid.UUID
		outcome    lindungi.Outcome
		note       string
		ev         lindungi.Event
		wantCode   string
		wantEvents int // task.complete events after the step
	}{
		{"open task completes", created.ID, lindungi.OutcomeApproved, "Dokumen lengkap.", clerk("req-1"), "", 1},
		{"same completion again returns the task", created.ID, lindungi.OutcomeApproved, "Dokumen lengkap.", clerk("req-1"), "", 1},
		{"other outcome conflicts", created.ID, lindungi.OutcomeRejected, "Dokumen lengkap.", clerk("req-2"), lindungi.ECONFLICT, 1},
		{"other note conflicts", created.ID, lindungi.OutcomeApproved, "Foto buram.", clerk("req-3"), lindungi.ECONFLICT, 1},
		{"other actor conflicts", created.ID, lindungi.OutcomeApproved, "Dokumen lengkap.", other, lindungi.ECONFLICT, 1},
		{"unknown task", uuid.New(), lindungi.OutcomeApproved, "", clerk("req-4"), lindungi.ENOTFOUND, 1},
	}
	for i, st := range steps {
		db.Now = func() time.Time { return completedAt.Add(time.Duration(i) * time.Minute) }
		got, err := db.CompleteTask(ctx, st.id, st.outcome, st.note, st.ev)
		if code := lindungi.ErrorCode(err); code != st.wantCode {
			t.Fatalf("%s: CompleteTask: %v; want code %q", st.name, err, st.wantCode)
		}
		if err == nil {
			if diff := cmp.Diff(completed, got); diff != "" {
				t.Errorf("%s: CompleteTask (-want +got):\n%s", st.name, diff)
			}
		}
		if n := len(auditEvents(t, db, "task.complete")); n != st.wantEvents {
			t.Errorf("%s: %d task.complete events, want %d", st.name, n, st.wantEvents)
		}
		stored, err := db.FindTask(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(completed, stored); diff != "" {
			t.Errorf("%s: stored task (-want +got):\n%s", st.name, diff)
		}
	}

	wantEvents := []auditEvent{{
		Actor: "user:siti", ActorUnit: "3305", ActorRole: "caseworker", Action: "task.complete",
		SubjectType: "task", SubjectID: created.ID.String(), WorkerID: w.ID.String(),
		Before:        map[string]any{"status": "open"},
		After:         map[string]any{"status": "completed", "outcome": "approved"},
		PolicyVersion: "test-policy", RequestID: "req-1", OccurredAt: completedAt,
	}}
	if diff := cmp.Diff(wantEvents, auditEvents(t, db, "task.complete")); diff != "" {
		t.Errorf("task.complete events (-want +got):\n%s", diff)
	}
}

func TestRecordStep(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	ev := system("req-step")
	ev.WorkflowID = w.WorkflowID

	type stepRow struct {
		Seq        int    `db:"seq"`
		Step       string `db:"step"`
		Reason     string `db:"reason"`
		WorkflowID string `db:"workflow_id"`
		RunID      string `db:"run_id"`
	}
	row := func(seq int, step lindungi.Step, reason string) stepRow {
		return stepRow{seq, string(step), reason, w.WorkflowID, "run-1"}
	}
	// Each step runs on the state the previous ones left.
	steps := []struct {
		name       string
		seq        int
		step       lindungi.Step
		reason     string
		wantStep   lindungi.Step // the worker's journey step afterwards
		wantRows   []stepRow
		wantBefore string // the last journey.step event's before step
		wantAfter  map[string]any
		wantEvents int
	}{
		{"registered", 0, lindungi.StepRegistered, "", lindungi.StepRegistered,
			[]stepRow{row(0, lindungi.StepRegistered, "")},
			"REGISTERED", map[string]any{"journey_step": "REGISTERED", "seq": 0.0}, 1},
		{"verified", 1, lindungi.StepVerified, "approved by 3305", lindungi.StepVerified,
			[]stepRow{row(0, lindungi.StepRegistered, ""), row(1, lindungi.StepVerified, "approved by 3305")},
			"REGISTERED", map[string]any{"journey_step": "VERIFIED", "seq": 1.0, "reason": "approved by 3305"}, 2},
		{"training", 2, lindungi.StepTraining, "", lindungi.StepTraining,
			[]stepRow{row(0, lindungi.StepRegistered, ""), row(1, lindungi.StepVerified, "approved by 3305"), row(2, lindungi.StepTraining, "")},
			"VERIFIED", map[string]any{"journey_step": "TRAINING", "seq": 2.0}, 3},
		{"repeated seq changes nothing", 1, lindungi.StepClosed, "retry", lindungi.StepTraining,
			[]stepRow{row(0, lindungi.StepRegistered, ""), row(1, lindungi.StepVerified, "approved by 3305"), row(2, lindungi.StepTraining, "")},
			"VERIFIED", map[string]any{"journey_step": "TRAINING", "seq": 2.0}, 3},
	}
	for i, st := range steps {
		at := t0.Add(time.Duration(i+1) * time.Hour)
		db.Now = func() time.Time { return at }
		if err := db.RecordStep(ctx, w.ID, st.seq, st.step, st.reason, ev); err != nil {
			t.Fatalf("%s: RecordStep: %v", st.name, err)
		}
		got, err := db.FindWorker(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.JourneyStep != st.wantStep {
			t.Errorf("%s: worker at step %s, want %s", st.name, got.JourneyStep, st.wantStep)
		}
		var rows []stepRow
		if err := db.SQL().SelectContext(ctx, &rows, `SELECT seq, step, reason, workflow_id, run_id FROM journey_steps WHERE worker_id = $1 ORDER BY seq`, w.ID); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(st.wantRows, rows); diff != "" {
			t.Errorf("%s: journey_steps (-want +got):\n%s", st.name, diff)
		}
		evs := auditEvents(t, db, "journey.step")
		if len(evs) != st.wantEvents {
			t.Fatalf("%s: %d journey.step events, want %d", st.name, len(evs), st.wantEvents)
		}
		last := evs[len(evs)-1]
		want := auditEvent{Actor: "system:lindungi", ActorUnit: "ID", ActorRole: "system", Action: "journey.step",
			SubjectType: "worker", SubjectID: w.ID.String(), WorkerID: w.ID.String(),
			Before: map[string]any{"journey_step": st.wantBefore}, After: st.wantAfter,
			PolicyVersion: "test-policy", WorkflowID: w.WorkflowID, RunID: "run-1", RequestID: "req-step",
			OccurredAt: t0.Add(time.Duration(st.wantEvents) * time.Hour)}
		if diff := cmp.Diff(want, last); diff != "" {
			t.Errorf("%s: last journey.step event (-want +got):\n%s", st.name, diff)
		}
	}
}

func TestRecordStepUnknownWorker(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	err := db.RecordStep(t.Context(), uuid.New(), 0, lindungi.StepRegistered, "", system("req-step"))
	if code := lindungi.ErrorCode(err); code != lindungi.EINVALID {
		t.Errorf("RecordStep for an unknown worker: %v; want code %s", err, lindungi.EINVALID)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events`); n != 0 {
		t.Errorf("%d audit events, want 0", n)
	}
}

// Two verifiers completing one task at once: one wins, the other is told.
// A retried activity racing its first attempt creates the task once.
func TestConcurrentTaskWrites(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	w := register(t, db, "3305011508950001", "3305")
	task := newTask(w, "3305", time.Date(2026, 12, 30, 0, 0, 0, 0, lindungi.WIB))
	const n = 10

	run := func(call func(i int) error) map[string]int {
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, n)
		)
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = call(i)
			})
		}
		close(start)
		wg.Wait()
		codes := map[string]int{}
		for _, err := range errs {
			codes[lindungi.ErrorCode(err)]++
		}
		return codes
	}

	codes := run(func(int) error { _, err := db.CreateTask(t.Context(), task, system("req-create")); return err })
	if diff := cmp.Diff(map[string]int{"": n}, codes); diff != "" {
		t.Errorf("concurrent CreateTask outcomes by error code (-want +got):\n%s", diff)
	}
	if got := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'task.create'`); got != 1 {
		t.Errorf("%d task.create events, want 1", got)
	}

	codes = run(func(i int) error {
		ev := clerk("req-complete")
		ev.Actor = fmt.Sprintf("user:verifier-%d", i)
		_, err := db.CompleteTask(t.Context(), task.ID, lindungi.OutcomeApproved, "", ev)
		return err
	})
	if diff := cmp.Diff(map[string]int{"": 1, lindungi.ECONFLICT: n - 1}, codes); diff != "" {
		t.Errorf("concurrent CompleteTask outcomes by error code (-want +got):\n%s", diff)
	}
	if got := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'task.complete'`); got != 1 {
		t.Errorf("%d task.complete events, want 1", got)
	}
}

// TestDecisionTaskOf finds a workflow's open task of a kind, and its last
// one whatever its status, for a decision retried after it was taken.
func TestDecisionTaskOf(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	first := createTask(t, db, newTask(w, "3305", t0.Add(72*time.Hour)))
	if _, err := db.LastTaskOf(ctx, w.WorkflowID, lindungi.TaskRecordTraining); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("LastTaskOf a kind never made = %v, want ENOTFOUND", err)
	}
	if _, err := db.CompleteTask(ctx, first.ID, lindungi.OutcomeApproved, "", clerk("req-done")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenTaskOf(ctx, w.WorkflowID, first.Kind); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("OpenTaskOf after the completion = %v, want ENOTFOUND", err)
	}
	if got, err := db.LastTaskOf(ctx, w.WorkflowID, first.Kind); err != nil || got.ID != first.ID {
		t.Errorf("LastTaskOf after the completion = %v, %v; want the completed task %s", got.ID, err, first.ID)
	}
	db.Now = func() time.Time { return t0.Add(time.Hour) }
	next := newTask(w, "3305", t0.Add(96*time.Hour))
	next.ID, next.Attempt = uuid.New(), 1
	next = createTask(t, db, next)
	if got, err := db.LastTaskOf(ctx, w.WorkflowID, first.Kind); err != nil || got.ID != next.ID {
		t.Errorf("LastTaskOf with a newer task = %v, %v; want the newer task %s", got.ID, err, next.ID)
	}
}
