package workflows

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/activities"
	"go.temporal.io/sdk/temporal"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, lindungi.WIB)

func entry(kind lindungi.TaskKind, status lindungi.TaskStatus, due time.Duration) TaskEntry {
	return TaskEntry{TaskRef: activities.TaskRef{ID: uuid.New(), Kind: kind, Step: lindungi.StepRegistered, Unit: "3305",
		UnitPath: []string{"3305", "33", "ID"}, Status: status, DueAt: t0.Add(due)}}
}

func testLedger(tasks ...TaskEntry) *ledger {
	return &ledger{tasks: &tasks, noun: "journey", wf: "journey/test"}
}

func errorType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	if err != nil {
		return "untyped: " + err.Error()
	}
	return ""
}

// TestDecodeLegacyState reads the state of a journey that continued as new
// before the ledger, when the journey wrote its marks as task statuses.
func TestDecodeLegacyState(t *testing.T) {
	raw := `{"Step":"TRAINING","Tasks":[
		{"ID":"8d2f2a5e-8f3e-5c36-9d43-1f0f7c1f0a01","Kind":"VERIFY_REGISTRATION","Status":"completed+handled","Outcome":"approved"},
		{"ID":"8d2f2a5e-8f3e-5c36-9d43-1f0f7c1f0a02","Kind":"RECORD_TRAINING","Status":"completing"},
		{"ID":"8d2f2a5e-8f3e-5c36-9d43-1f0f7c1f0a03","Kind":"CHECK_IN","Status":"open"}]}`
	var s JourneyState
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatal(err)
	}
	l := &ledger{tasks: &s.Tasks}
	l.decode()
	type marks struct {
		Status                       lindungi.TaskStatus
		Outcome                      lindungi.Outcome
		Pending, Completing, Handled bool
	}
	var got []marks
	for _, t := range s.Tasks {
		got = append(got, marks{t.Status, t.Outcome, t.Pending, t.Completing, t.Handled})
	}
	want := []marks{
		{Status: lindungi.TaskCompleted, Outcome: lindungi.OutcomeApproved, Handled: true},
		{Status: lindungi.TaskOpen, Completing: true},
		{Status: lindungi.TaskOpen},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded tasks (-want +got):\n%s", diff)
	}
	if !l.handled(s.Tasks[0].ID) || s.Tasks[0].unhandled() {
		t.Error("a task the journey had acted on is not handled after decoding")
	}
}

func TestCheck(t *testing.T) {
	open := entry(lindungi.TaskVerifyRegistration, lindungi.TaskOpen, time.Hour)
	completing := entry(lindungi.TaskVerifyRegistration, lindungi.TaskOpen, time.Hour)
	completing.Completing = true
	done := entry(lindungi.TaskVerifyRegistration, lindungi.TaskCompleted, time.Hour)
	pending := TaskEntry{Pending: true, TaskRef: activities.TaskRef{ID: uuid.New(), Kind: lindungi.TaskVerifyRegistration}}
	l := testLedger(open, completing, done, pending)

	caseworker := activities.Actor{Subject: "cw", Unit: "3305", Role: "caseworker"}
	cilacap := activities.Actor{Subject: "cw", Unit: "3301", Role: "caseworker"}
	delegated := activities.Actor{Subject: "cw", Unit: "3301", Role: "caseworker", ActingFor: "3305"}
	province := activities.Actor{Subject: "sup", Unit: "33", Role: "province_supervisor"}
	noRules := func(TaskEntry, CompleteTaskRequest) error { return nil }
	tests := []struct {
		name  string
		id    uuid.UUID
		actor activities.Actor
		want  string
	}{
		{"an open task, by its unit", open.ID, caseworker, ""},
		{"by a unit above it", open.ID, province, ""},
		{"through a delegation of its unit", open.ID, delegated, ""},
		{"by another district", open.ID, cilacap, lindungi.EFORBIDDEN},
		{"a task being completed", completing.ID, caseworker, lindungi.ECONFLICT},
		{"a completed task", done.ID, caseworker, lindungi.ECONFLICT},
		{"a task of another workflow", uuid.New(), caseworker, lindungi.ENOTFOUND},
		// The unit of a pending task is not known yet: the handler checks
		// it once the task exists.
		{"a pending task", pending.ID, cilacap, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.checkCompletion(CompleteTaskRequest{TaskID: tt.id, Outcome: lindungi.OutcomeApproved, Actor: tt.actor}, noRules)
			if got := errorType(err); got != tt.want {
				t.Errorf("checkCompletion = %v (type %q), want type %q", err, got, tt.want)
			}
		})
	}
	rules := func(t TaskEntry, r CompleteTaskRequest) error { return conflict("rules ran") }
	if err := l.checkCompletion(CompleteTaskRequest{TaskID: pending.ID, Actor: caseworker}, rules); err == nil {
		t.Error("the workflow's rules did not run for a pending task")
	}
}

// TestRecordKeepsWhatTheWorkflowKnows: an escalation that read the task
// before its completion must not reopen it, nor lose its outcome.
func TestRecordKeepsWhatTheWorkflowKnows(t *testing.T) {
	done := entry(lindungi.TaskVerifyRegistration, lindungi.TaskCompleted, time.Hour)
	done.Outcome = lindungi.OutcomeApproved
	completing := entry(lindungi.TaskRecordTraining, lindungi.TaskOpen, time.Hour)
	completing.Completing = true
	l := testLedger(done, completing)

	stale := done.TaskRef
	stale.Status, stale.Outcome, stale.Level, stale.Unit = lindungi.TaskOpen, "", 1, "33"
	l.record(stale)
	moved := completing.TaskRef
	moved.Level = 1
	l.record(moved)
	l.record(activities.TaskRef{}) // an activity that answered nothing

	got := *l.tasks
	if len(got) != 2 {
		t.Fatalf("%d tasks, want 2", len(got))
	}
	if got[0].Status != lindungi.TaskCompleted || got[0].Outcome != lindungi.OutcomeApproved || got[0].Level != 1 || got[0].Unit != "33" {
		t.Errorf("completed task after a stale report: %+v; want completed, approved, at level 1 in 33", got[0])
	}
	if !got[1].Completing || got[1].Level != 1 {
		t.Errorf("task being completed after an escalation: %+v; want still completing, at level 1", got[1])
	}
	other := entry(lindungi.TaskCheckIn, lindungi.TaskOpen, time.Hour)
	l.record(other.TaskRef)
	if l.find(other.ID) == nil {
		t.Error("a task the ledger did not know was not recorded")
	}
}

func TestDeadlines(t *testing.T) {
	soon := entry(lindungi.TaskVerifyRegistration, lindungi.TaskOpen, time.Hour)
	later := entry(lindungi.TaskCheckIn, lindungi.TaskOpen, 3*time.Hour)
	top := entry(lindungi.TaskContractEnd, lindungi.TaskOpen, -time.Hour)
	top.AtTop = true
	completing := entry(lindungi.TaskRecordTraining, lindungi.TaskOpen, -2*time.Hour)
	completing.Completing = true
	done := entry(lindungi.TaskCorrection, lindungi.TaskCompleted, -3*time.Hour)
	pending := TaskEntry{Pending: true, TaskRef: activities.TaskRef{ID: uuid.New(), Kind: lindungi.TaskMedicalCheck}}
	l := testLedger(later, top, completing, done, pending, soon)

	tests := []struct {
		name       string
		wake, want time.Time
	}{
		{"the earliest open deadline", time.Time{}, soon.DueAt},
		{"an earlier wake", t0.Add(30 * time.Minute), t0.Add(30 * time.Minute)},
		{"a later wake", t0.Add(2 * time.Hour), soon.DueAt},
	}
	for _, tt := range tests {
		if got := l.next(tt.wake); !got.Equal(tt.want) {
			t.Errorf("%s: next = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := testLedger(top, done, pending).next(time.Time{}); !got.IsZero() {
		t.Errorf("next with nothing to wait for = %v, want zero", got)
	}
	var overdue []uuid.UUID
	for _, t := range l.overdue(t0.Add(2 * time.Hour)) {
		overdue = append(overdue, t.ID)
	}
	if diff := cmp.Diff([]uuid.UUID{soon.ID}, overdue); diff != "" {
		t.Errorf("overdue (-want +got):\n%s", diff)
	}
}

func TestSettle(t *testing.T) {
	earlier := entry(lindungi.TaskVerifyRegistration, lindungi.TaskCompleted, 0)
	cancelled := entry(lindungi.TaskCheckIn, lindungi.TaskCancelled, 0)
	openEarlier := entry(lindungi.TaskContractEnd, lindungi.TaskOpen, 0)
	current := entry(lindungi.TaskRecordTraining, lindungi.TaskCompleted, 0)
	current.Step = lindungi.StepTraining
	pending := TaskEntry{Pending: true, TaskRef: activities.TaskRef{ID: uuid.New(), Kind: lindungi.TaskCorrection, Step: lindungi.StepRegistered}}
	l := testLedger(earlier, cancelled, openEarlier, current, pending)
	if !current.unhandled() || l.handled(current.ID) {
		t.Fatal("a fresh completion counts as handled before settle")
	}
	l.settle(lindungi.StepTraining)
	var kept []uuid.UUID
	for _, t := range *l.tasks {
		kept = append(kept, t.ID)
	}
	if diff := cmp.Diff([]uuid.UUID{openEarlier.ID, current.ID, pending.ID}, kept); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	if !l.handled(current.ID) || l.find(current.ID).unhandled() || !l.handled(earlier.ID) {
		t.Error("completed tasks are not handled after settle")
	}
}

func TestReserve(t *testing.T) {
	l := testLedger()
	in := activities.CreateTaskInput{Kind: lindungi.TaskCaseHandling, Step: lindungi.StepCase, Attempt: 0, Subject: "case-1"}
	id, known := l.reserve(in)
	if want := lindungi.TaskID("journey/test", lindungi.StepCase, lindungi.TaskCaseHandling, 0); id != want || known {
		t.Fatalf("reserve = %s, %v; want %s, not known", id, known, want)
	}
	if again, known := l.reserve(in); again != id || known || len(*l.tasks) != 1 {
		t.Errorf("reserving again = %s, %v with %d tasks; want the same pending task", again, known, len(*l.tasks))
	}
	if _, err := l.check(id); err != nil {
		t.Errorf("check of a pending task: %v, want none", err)
	}
	if l.count(lindungi.TaskCaseHandling) != 1 || len(l.openOf(lindungi.TaskCaseHandling)) != 0 {
		t.Error("a pending task is not counted as an attempt, or counts as open")
	}
	carried := testLedger(TaskEntry{TaskRef: activities.TaskRef{ID: id, Kind: lindungi.TaskCaseHandling, Status: lindungi.TaskOpen}})
	if _, known := carried.reserve(in); !known || len(*carried.tasks) != 1 {
		t.Error("a task carried over by continue-as-new is not known")
	}
}
