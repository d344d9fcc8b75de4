package postgres_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/postgres"
)

// notices lists what a reader sees, newest first, as "kind unit other
// read" lines.
func notices(t *testing.T, db *postgres.DB, r lindungi.Reader, unread bool) []string {
	t.Helper()
	ns, err := db.Notifications(t.Context(), lindungi.NotificationQuery{Reader: r, Unread: unread, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		read := "unread"
		if n.Read {
			read = "read"
		}
		out = append(out, n.Kind+" "+n.RecipientUnit+" "+n.OtherUnit+" "+read)
	}
	return out
}

func unread(t *testing.T, db *postgres.DB, r lindungi.Reader) int {
	t.Helper()
	n, err := db.UnreadNotifications(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func move(t *testing.T, db *postgres.DB, task lindungi.Task, unit, role, action string, level int) lindungi.Task {
	t.Helper()
	due := task.DueAt.AddDate(0, 0, 3)
	got, err := db.MoveTask(t.Context(), task.ID, lindungi.TaskMove{Unit: unit, Role: role, Rule: "test", Level: level,
		Deadline: lindungi.Deadline{Date: due.AddDate(0, 0, -1), At: due}, Reason: "Petugas cuti", By: lindungi.MovedByPerson},
		action, system("req-move"))
	if err != nil {
		t.Fatalf("%s to %s: %v", action, unit, err)
	}
	return got
}

// TestTaskChangesTellBothUnits: a move tells the unit the task left and
// the unit it reached (a move within a unit tells it once), in the
// transaction of the move; an assignment tells the unit and the assignee;
// a routine new task tells no one.
func TestTaskChangesTellBothUnits(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	w := register(t, db, "3305011508950001", "3305")
	task := createTask(t, db, newTask(w, "3305", time.Date(2026, 12, 30, 0, 0, 0, 0, lindungi.WIB)))
	kebumen := lindungi.Reader{Subject: "caseworker-3305", Unit: "3305"}
	if got := notices(t, db, kebumen, false); len(got) != 0 {
		t.Fatalf("a routine new task told %v, want no one", got)
	}

	task = move(t, db, task, "3305", lindungi.RoleSupervisor, "task.escalate", 1)
	task = move(t, db, task, "3301", lindungi.RoleSupervisor, "task.reassign", 1)
	if _, err := db.ClaimTask(t.Context(), task.ID, "caseworker-3301", lindungi.Event{Actor: "supervisor-3301", Action: "task.assign"}); err != nil {
		t.Fatal(err)
	}
	// A retried move changes nothing and tells no one again.
	move(t, db, task, "3301", lindungi.RoleSupervisor, "task.reassign", 1)

	want := []string{"task.reassign 3305 3301 unread", "task.escalated_in 3305 3305 unread"}
	if diff := cmp.Diff(want, notices(t, db, kebumen, false)); diff != "" {
		t.Errorf("Kebumen's notifications (-want +got):\n%s", diff)
	}
	cilacap := lindungi.Reader{Subject: "caseworker-3301", Unit: "3301"}
	want = []string{"task.assigned 3301  unread", "task.reassigned_in 3301 3305 unread"}
	if diff := cmp.Diff(want, notices(t, db, cilacap, false)); diff != "" {
		t.Errorf("Cilacap's notifications (-want +got):\n%s", diff)
	}
	// The one who made a change is not told of it.
	if diff := cmp.Diff([]string{"task.reassigned_in 3301 3305 unread"}, notices(t, db, lindungi.Reader{Subject: "supervisor-3301", Unit: "3301"}, false)); diff != "" {
		t.Errorf("the supervisor who assigned (-want +got):\n%s", diff)
	}
	// The assignee sees what was addressed to them wherever they work.
	moved := lindungi.Reader{Subject: "caseworker-3301", Unit: "33"}
	if diff := cmp.Diff([]string{"task.assigned 3301  unread"}, notices(t, db, moved, false)); diff != "" {
		t.Errorf("the assignee at another unit (-want +got):\n%s", diff)
	}
	ns, err := db.Notifications(t.Context(), lindungi.NotificationQuery{Reader: kebumen, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n := ns[0]; n.TaskID == nil || *n.TaskID != task.ID || n.TaskKind != lindungi.TaskVerifyRegistration ||
		n.WorkerID == nil || *n.WorkerID != w.ID || n.CaseID != nil || n.Reason != "Petugas cuti" || n.CreatedAt.IsZero() {
		t.Errorf("the newest notification of Kebumen: %+v, want its task's kind and worker, the reason, no case", n)
	}
}

// TestNotificationReadState: each user reads a unit's notifications on
// their own; one by one or all at once; only their own.
func TestNotificationReadState(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	w := register(t, db, "3305011508950001", "3305")
	task := createTask(t, db, newTask(w, "3305", time.Date(2026, 12, 30, 0, 0, 0, 0, lindungi.WIB)))
	task = move(t, db, task, "3305", lindungi.RoleSupervisor, "task.escalate", 1) // 3305: arrived
	task = move(t, db, task, "3301", lindungi.RoleSupervisor, "task.reassign", 1) // 3305: left; 3301: arrived
	me := lindungi.Reader{Subject: "caseworker-3305", Unit: "3305"}
	other := lindungi.Reader{Subject: "supervisor-3305", Unit: "3305"}
	ns, err := db.Notifications(t.Context(), lindungi.NotificationQuery{Reader: me, Limit: 10})
	if err != nil || len(ns) != 2 {
		t.Fatalf("notifications: %v %+v", err, ns)
	}
	newest, oldest := ns[0].ID, ns[1].ID
	if got := unread(t, db, me); got != 2 {
		t.Fatalf("%d unread, want 2", got)
	}

	left, err := db.MarkNotificationsRead(t.Context(), me, lindungi.MarkRead{IDs: []int64{oldest}})
	if err != nil || left != 1 {
		t.Fatalf("mark one read: %d, %v; want 1 left", left, err)
	}
	if _, err := db.MarkNotificationsRead(t.Context(), me, lindungi.MarkRead{IDs: []int64{oldest}}); err != nil {
		t.Errorf("marking it again: %v", err)
	}
	if diff := cmp.Diff([]string{"task.reassign 3305 3301 unread", "task.escalated_in 3305 3305 read"}, notices(t, db, me, false)); diff != "" {
		t.Errorf("after marking one (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"task.reassign 3305 3301 unread"}, notices(t, db, me, true)); diff != "" {
		t.Errorf("unread only (-want +got):\n%s", diff)
	}
	if got := unread(t, db, other); got != 2 {
		t.Errorf("another user of the unit has %d unread, want 2: reading is per person", got)
	}

	// Another unit's notification is not mine to mark: nothing changes.
	var theirs int64
	if err := db.SQL().Get(&theirs, `SELECT id FROM notifications WHERE recipient_unit = '3301'`); err != nil {
		t.Fatal(err)
	}
	_, err = db.MarkNotificationsRead(t.Context(), me, lindungi.MarkRead{IDs: []int64{newest, theirs}})
	if code, fields := errorFields(err); code != lindungi.EINVALID || !cmp.Equal(fields, []string{"ids"}) {
		t.Errorf("marking another unit's notification: %v, want EINVALID naming ids", err)
	}
	if got := unread(t, db, me); got != 1 {
		t.Errorf("%d unread after a refused mark, want 1", got)
	}
	for _, bad := range []lindungi.MarkRead{{}, {IDs: []int64{0}}, {IDs: []int64{newest}, All: true}} {
		if _, err := db.MarkNotificationsRead(t.Context(), me, bad); lindungi.ErrorCode(err) != lindungi.EINVALID {
			t.Errorf("MarkNotificationsRead(%+v) = %v, want EINVALID", bad, err)
		}
	}

	// All at once: one mark, and the single reads it covers go.
	if left, err := db.MarkNotificationsRead(t.Context(), me, lindungi.MarkRead{All: true}); err != nil || left != 0 {
		t.Fatalf("mark all read: %d, %v", left, err)
	}
	if n := count(t, db, `SELECT count(*) FROM notification_reads WHERE subject = $1`, me.Subject); n != 0 {
		t.Errorf("%d single reads left under the mark, want 0", n)
	}
	if got := notices(t, db, me, true); len(got) != 0 {
		t.Errorf("unread after marking all: %v", got)
	}
	// What comes after the mark is unread.
	move(t, db, task, "3305", lindungi.RoleCaseworker, "task.reassign", 1)
	if got := unread(t, db, me); got != 1 {
		t.Errorf("%d unread after a new notification, want 1", got)
	}
	// Marking all with nothing new, or with nothing at all, is harmless.
	for _, r := range []lindungi.Reader{me, me, {Subject: "nobody", Unit: "3374"}} {
		if left, err := db.MarkNotificationsRead(t.Context(), r, lindungi.MarkRead{All: true}); err != nil || left != 0 {
			t.Errorf("mark all read for %s: %d, %v", r.Subject, left, err)
		}
	}
}

// TestNotificationsPage: newest first, a page at a time; the count stops
// at lindungi.MaxUnread.
func TestNotificationsPage(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	for i := range lindungi.MaxUnread + 5 {
		if _, err := db.SQL().Exec(`INSERT INTO notifications (recipient_unit, kind, message, created_at) VALUES ('3305', 'test', $1, now())`,
			i); err != nil {
			t.Fatal(err)
		}
	}
	r := lindungi.Reader{Subject: "caseworker-3305", Unit: "3305"}
	if got := unread(t, db, r); got != lindungi.MaxUnread {
		t.Errorf("%d unread, want the count to stop at %d", got, lindungi.MaxUnread)
	}
	var seen []int64
	var before int64
	for {
		ns, err := db.Notifications(t.Context(), lindungi.NotificationQuery{Reader: r, Before: before, Limit: 40})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			if len(seen) > 0 && n.ID >= seen[len(seen)-1] {
				t.Fatalf("notification %d after %d: not newest first", n.ID, seen[len(seen)-1])
			}
			seen = append(seen, n.ID)
		}
		if len(ns) < 40 {
			break
		}
		before = ns[len(ns)-1].ID
	}
	if len(seen) != lindungi.MaxUnread+5 {
		t.Errorf("%d notifications over the pages, want %d", len(seen), lindungi.MaxUnread+5)
	}
}

// TestReferralTellsTheReceivingUnit: a case's referral decision task tells
// the unit it goes to, from the case's owner, and the notification knows
// its case.
func TestReferralTellsTheReceivingUnit(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	c := openCase(t, db, walkIn("3329"), "3329")
	due := time.Date(2026, 12, 30, 0, 0, 0, 0, lindungi.WIB)
	createTask(t, db, lindungi.Task{ID: uuid.New(), WorkflowID: c.WorkflowID, WorkerID: c.WorkerID, Kind: lindungi.TaskReferralDecision,
		Unit: "33", HolderRole: lindungi.RoleSupervisor, RouteRule: "referral", Subject: uuid.NewString(), DueAt: due, DueDate: "2026-12-29"})
	ns, err := db.Notifications(t.Context(), lindungi.NotificationQuery{Reader: lindungi.Reader{Subject: "supervisor-33", Unit: "33"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Kind != lindungi.NoticeReferralIn || ns[0].OtherUnit != "3329" || ns[0].RecipientRole != lindungi.RoleSupervisor ||
		ns[0].CaseID == nil || *ns[0].CaseID != c.ID || ns[0].CaseNumber != c.Number {
		t.Errorf("the province's notifications: %+v, want the referral of %s from 3329", ns, c.Number)
	}
	cases, err := db.CasesOfWorkflows(t.Context(), []string{c.WorkflowID, "journey/x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cases[c.WorkflowID]; len(cases) != 1 || got.ID != c.ID || got.Number != c.Number {
		t.Errorf("CasesOfWorkflows = %+v, want the case's ID and number", cases)
	}
}
