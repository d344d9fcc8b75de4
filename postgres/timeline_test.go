package postgres_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
)

// TestWorkerTimeline: the events a worker's timeline shows, oldest first,
// with the actor's name from the directory and the task's kind; reads,
// task creation and other workers' events are left out; the limit keeps
// the latest.
func TestWorkerTimeline(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	if err := db.UpsertUsers(ctx, []lindungi.User{{Subject: "user:siti", Name: "Siti Rahayu", Unit: "3305", Roles: []string{"caseworker"}}}); err != nil {
		t.Fatal(err)
	}
	w := register(t, db, "3305011508950001", "3305")
	register(t, db, "3305011508950002", "3305") // another worker's events stay out
	if err := db.RecordStep(ctx, w.ID, 0, lindungi.StepRegistered, "", system("req-start")); err != nil {
		t.Fatal(err)
	}
	task := createTask(t, db, newTask(w, "3305", time.Date(2026, 12, 30, 0, 0, 0, 0, lindungi.WIB)))
	if err := db.RecordAccess(ctx, lindungi.Event{Actor: "user:siti", ActorUnit: "3305", ActorRole: "caseworker",
		Action: "access.worker", SubjectType: "worker", SubjectID: w.ID.String(), WorkerID: &w.ID, Purpose: "case-work"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CompleteTask(ctx, task.ID, lindungi.OutcomeApproved, "", clerk("req-complete")); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordStep(ctx, w.ID, 1, lindungi.StepVerified, "", clerk("req-complete")); err != nil {
		t.Fatal(err)
	}

	got, err := db.WorkerTimeline(ctx, w.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct{ Action, Actor, Name, Kind, Step string }
	var short []entry
	for _, e := range got {
		step, _ := jsonObject(t, e.After)["journey_step"].(string)
		short = append(short, entry{e.Action, e.Actor, e.ActorName, string(e.TaskKind), step})
	}
	want := []entry{
		{"worker.register", "user:siti", "Siti Rahayu", "", "REGISTERED"},
		{"journey.step", "system:lindungi", "", "", "REGISTERED"},
		{"task.complete", "user:siti", "Siti Rahayu", "VERIFY_REGISTRATION", ""},
		{"journey.step", "user:siti", "Siti Rahayu", "", "VERIFIED"},
	}
	if diff := cmp.Diff(want, short); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq <= got[i-1].Seq || got[i].OccurredAt.IsZero() {
			t.Errorf("entry %d is not after the one before: %+v", i, got[i])
		}
	}
	latest, err := db.WorkerTimeline(ctx, w.ID, 2)
	if err != nil || len(latest) != 2 || latest[0].Action != "task.complete" || latest[1].Action != "journey.step" {
		t.Errorf("the latest two: %+v %v", latest, err)
	}
}
