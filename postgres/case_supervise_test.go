package postgres_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

func supervisorEvent(requestID string) lindungi.Event {
	return lindungi.Event{Actor: "supervisor-3329", ActorUnit: "3329", ActorRole: "supervisor", Policy: "test-policy", RequestID: requestID}
}

func TestSetCaseCategories(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3329"), "3329")
	db.Now = func() time.Time { return t0.Add(time.Hour) }
	cats := []lindungi.CaseCategory{"job_fraud ", lindungi.CatUnpaidWages}
	got, err := db.SetCaseCategories(ctx, c.ID, cats, "Hasil verifikasi dokumen", supervisorEvent("req-cat"))
	if err != nil || !slices.Equal(got.Categories, []lindungi.CaseCategory{lindungi.CatJobFraud, lindungi.CatUnpaidWages}) ||
		!got.LastActionAt.Equal(t0.Add(time.Hour)) || got.HighRisk {
		t.Fatalf("SetCaseCategories = %+v, %v; want JOB_FRAUD and UNPAID_WAGES, acted on at t0+1h, risk unchanged", got, err)
	}
	if cats[0] != "job_fraud " {
		t.Errorf("the caller's categories were changed to %v", cats)
	}
	// The same categories in another order change nothing.
	if _, err := db.SetCaseCategories(ctx, c.ID, []lindungi.CaseCategory{lindungi.CatUnpaidWages, lindungi.CatJobFraud}, "Lagi", supervisorEvent("r")); err == nil {
		t.Error("a reason of 4 characters was taken")
	}
	if _, err := db.SetCaseCategories(ctx, c.ID, []lindungi.CaseCategory{lindungi.CatUnpaidWages, lindungi.CatJobFraud}, "Sama saja", supervisorEvent("r")); err != nil {
		t.Fatal(err)
	}
	evs := auditEvents(t, db, "case.recategorise")
	if len(evs) != 1 || fmt.Sprint(evs[0].Before["categories"]) != "[UNPAID_WAGES DOCUMENTS_WITHHELD]" ||
		fmt.Sprint(evs[0].After["categories"]) != "[JOB_FRAUD UNPAID_WAGES]" || evs[0].After["reason"] != "Hasil verifikasi dokumen" ||
		evs[0].Actor != "supervisor-3329" || evs[0].SubjectID != c.ID.String() {
		t.Errorf("case.recategorise events = %+v; want one with the categories before and after and the reason", evs)
	}
	for _, bad := range [][]lindungi.CaseCategory{nil, {"SMUGGLING"}, {lindungi.CatDeath, lindungi.CatDeath}} {
		if _, err := db.SetCaseCategories(ctx, c.ID, bad, "Hasil verifikasi", supervisorEvent("r")); lindungi.ErrorCode(err) != lindungi.EINVALID {
			t.Errorf("SetCaseCategories(%v): %v, want EINVALID", bad, err)
		}
	}
	if _, err := db.CloseCase(ctx, c.ID, "art30c: complainant unreachable", officer("r")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetCaseCategories(ctx, c.ID, []lindungi.CaseCategory{lindungi.CatDeath}, "Hasil verifikasi", supervisorEvent("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("SetCaseCategories of a closed case: %v, want ECONFLICT", err)
	}
}

func TestSetCaseRisk(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3329"), "3329")
	got, err := db.SetCaseRisk(ctx, c.ID, true, "Indikasi TPPO", supervisorEvent("req-raise"))
	if err != nil || !got.HighRisk {
		t.Fatalf("SetCaseRisk(high) = %+v, %v", got, err)
	}
	if again, err := db.SetCaseRisk(ctx, c.ID, true, "Indikasi TPPO", supervisorEvent("req-raise")); err != nil || !again.HighRisk {
		t.Errorf("SetCaseRisk(high) again = %+v, %v", again, err)
	}
	if got, err := db.SetCaseRisk(ctx, c.ID, false, "Bukan TPPO", supervisorEvent("req-lower")); err != nil || got.HighRisk {
		t.Errorf("SetCaseRisk(normal) = %+v, %v", got, err)
	}
	evs := auditEvents(t, db, "case.risk")
	if len(evs) != 2 || evs[0].Before["high_risk"] != false || evs[0].After["high_risk"] != true || evs[0].After["reason"] != "Indikasi TPPO" ||
		evs[1].After["high_risk"] != false || evs[1].After["reason"] != "Bukan TPPO" {
		t.Errorf("case.risk events = %+v; want raised then lowered, each with its reason", evs)
	}
	// Trafficking is high risk by rule: it may not be lowered.
	tppo := openCase(t, db, walkIn("3329"), "3329")
	if _, err := db.SetCaseCategories(ctx, tppo.ID, []lindungi.CaseCategory{lindungi.CatTrafficking}, "Hasil verifikasi", supervisorEvent("r")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetCaseRisk(ctx, tppo.ID, true, "Kategori TPPO", supervisorEvent("r")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetCaseRisk(ctx, tppo.ID, false, "Bukan TPPO", supervisorEvent("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("lowering a trafficking case: %v, want ECONFLICT", err)
	}
	if _, err := db.SetCaseRisk(ctx, c.ID, true, "", supervisorEvent("r")); !isInvalid(err, "reason") {
		t.Errorf("SetCaseRisk without a reason: %v, want EINVALID naming reason", err)
	}
	if _, err := db.SetCaseRisk(ctx, uuid.New(), true, "Indikasi TPPO", supervisorEvent("r")); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("SetCaseRisk of an unknown case: %v, want ENOTFOUND", err)
	}
}

func TestAssignCase(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3329"), "3329")
	task, err := db.CreateTask(ctx, lindungi.Task{ID: uuid.New(), WorkflowID: c.WorkflowID, WorkerID: c.WorkerID,
		Kind: lindungi.TaskCaseHandling, Step: lindungi.StepCase, Unit: "3329", HolderRole: "caseworker", RouteRule: "test",
		DueAt: t0.Add(240 * time.Hour), DueDate: "2027-01-05"}, clerk("r"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimTask(ctx, task.ID, "caseworker-a", clerk("r")); err != nil {
		t.Fatal(err)
	}
	got, err := db.AssignCase(ctx, c.ID, task.ID, "caseworker-3329", "Menangani kasus serupa", supervisorEvent("req-assign"))
	if err != nil || got.ClaimedBy != "caseworker-3329" || got.ID != task.ID {
		t.Fatalf("AssignCase = %+v, %v; want the task claimed for caseworker-3329", got, err)
	}
	if again, err := db.AssignCase(ctx, c.ID, task.ID, "caseworker-3329", "Menangani kasus serupa", supervisorEvent("req-assign")); err != nil || again.ClaimedBy != "caseworker-3329" {
		t.Errorf("AssignCase again = %+v, %v", again, err)
	}
	evs := auditEvents(t, db, "case.assign")
	if len(evs) != 1 || evs[0].Before["assignee"] != "caseworker-a" || evs[0].After["assignee"] != "caseworker-3329" ||
		evs[0].After["task_id"] != task.ID.String() || evs[0].After["reason"] != "Menangani kasus serupa" || evs[0].SubjectID != c.ID.String() {
		t.Errorf("case.assign events = %+v; want one on the case, with the holder before and after and the reason", evs)
	}
	var notices []lindungi.Notification
	notices, err = db.Notifications(ctx, lindungi.NotificationQuery{Reader: lindungi.Reader{Subject: "caseworker-3329", Unit: "3329"}, Limit: 10})
	if err != nil || len(notices) != 1 || notices[0].Kind != lindungi.NoticeAssigned || notices[0].RecipientUser != "caseworker-3329" ||
		notices[0].Reason != "Menangani kasus serupa" || notices[0].CaseNumber != c.Number {
		t.Errorf("the assignee's notifications = %+v, %v; want one saying the case was assigned to them, with the reason", notices, err)
	}

	other := openCase(t, db, walkIn("3329"), "3329")
	if _, err := db.AssignCase(ctx, other.ID, task.ID, "caseworker-3329", "Menangani kasus serupa", supervisorEvent("r")); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("assigning another case's task: %v, want ENOTFOUND", err)
	}
	if _, err := db.AssignCase(ctx, c.ID, task.ID, "", "Menangani kasus serupa", supervisorEvent("r")); !isInvalid(err, "assignee") {
		t.Errorf("assigning to no one: %v, want EINVALID naming assignee", err)
	}
	if _, err := db.CloseCase(ctx, c.ID, "art30c: complainant unreachable", officer("r")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignCase(ctx, c.ID, task.ID, "caseworker-b", "Menangani kasus serupa", supervisorEvent("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("assigning a closed case: %v, want ECONFLICT", err)
	}
}
