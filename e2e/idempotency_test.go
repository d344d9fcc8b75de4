package e2e_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
)

// crashAfterEffect puts u's key back as the API leaves it when it dies
// after the request's effect and before its answer is stored: pending,
// held by the dead process, its lease run out.
func crashAfterEffect(t *testing.T, s *system, u user, key string) {
	t.Helper()
	res, err := s.db.SQL().ExecContext(t.Context(), `UPDATE idempotency_keys
SET state = 'pending', holder = gen_random_uuid(), lease_until = now() - interval '1 second', status = NULL, response = NULL, done_at = NULL
WHERE subject = $1 AND key = $2`, u.p.Subject, key)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("no stored answer under %s's key %s", u.p.Subject, key)
	}
}

// TestCompletionRetriedAfterACrash: the API completed a task through its
// workflow and died before storing the answer. The retry with the key,
// once the dead request's lease has run out, sends the same update, and
// the workflow answers it as the first time: 200 with the first result,
// not 409 "already completed"; and the task is completed once.
func TestCompletionRetriedAfterACrash(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	w := register(t, kebumen, 7)
	provide(t, kebumen, s.user("verifier-3305", "3305", "verifier"), w, verificationDocuments...)
	task := openTask(t, kebumen, w, lindungi.TaskVerifyRegistration)
	url := "/v1/tasks/" + task.ID.String() + "/complete"
	body := map[string]string{"outcome": "approved", "note": "Dokumen lengkap"}

	first := kebumen.do("POST", url, body, "Idempotency-Key", "complete-crash")
	if first.Status != http.StatusOK {
		t.Fatalf("complete = %d %s, want 200", first.Status, first.Body)
	}
	crashAfterEffect(t, s, kebumen, "complete-crash")

	retry := kebumen.do("POST", url, body, "Idempotency-Key", "complete-crash")
	if retry.Status != http.StatusOK || retry.Header.Get("Idempotent-Replayed") == "true" {
		t.Fatalf("retry after the crash = %d %s (replayed %q), want 200 run again", retry.Status, retry.Body, retry.Header.Get("Idempotent-Replayed"))
	}
	type completion struct {
		Task        lindungi.Task `json:"task"`
		JourneyStep lindungi.Step `json:"journey_step"`
	}
	var want, got completion
	first.decode(t, &want)
	retry.decode(t, &got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the retry's answer is not the first (-first +retry):\n%s", diff)
	}
	if again := kebumen.do("POST", url, body, "Idempotency-Key", "complete-crash"); again.Status != http.StatusOK ||
		again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(retry.Body) {
		t.Errorf("a third try = %d %s, want the retry's answer replayed", again.Status, again.Body)
	}
	var completed int
	if err := s.db.SQL().GetContext(t.Context(), &completed,
		`SELECT count(*) FROM audit_events WHERE action = 'task.complete' AND subject_id = $1`, task.ID.String()); err != nil {
		t.Fatal(err)
	}
	if completed != 1 {
		t.Errorf("%d task.complete events, want 1", completed)
	}
	next := openTask(t, kebumen, w, lindungi.TaskRecordTraining)
	if next.WorkerID != w.ID {
		t.Errorf("next task %+v, want the worker's RECORD_TRAINING", next)
	}
}

// TestCloseRetriedAfterACrash: closing a journey ends its workflow; the
// retry of a close whose answer was lost still gets 200.
func TestCloseRetriedAfterACrash(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", "caseworker")
	supervisor := s.user("supervisor-3305", "3305", "supervisor")
	w := register(t, kebumen, 8)
	openTask(t, kebumen, w, lindungi.TaskVerifyRegistration)
	url := "/v1/workers/" + w.ID.String() + "/journey/close"
	body := map[string]string{"reason": "Pekerja membatalkan pendaftaran"}
	first := supervisor.do("POST", url, body, "Idempotency-Key", "close-crash")
	if first.Status != http.StatusOK {
		t.Fatalf("close = %d %s, want 200", first.Status, first.Body)
	}
	crashAfterEffect(t, s, supervisor, "close-crash")
	retry := supervisor.do("POST", url, body, "Idempotency-Key", "close-crash")
	if retry.Status != http.StatusOK {
		t.Fatalf("retry after the crash = %d %s, want 200", retry.Status, retry.Body)
	}
}
