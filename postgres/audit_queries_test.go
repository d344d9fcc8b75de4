package postgres_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/auditlog"
	"github.com/lindungi/lindungi/postgres"
)

// fileAt reads a worker's file as of at, failing t on an error.
func fileAt(t *testing.T, db *postgres.DB, id uuid.UUID, at time.Time) auditlog.WorkerFile {
	t.Helper()
	f, err := db.WorkerAsOf(t.Context(), id, at)
	if err != nil {
		t.Fatalf("WorkerAsOf(%s): %v", at, err)
	}
	return f
}

func docStatuses(ds []lindungi.Document) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.Type)+" "+string(d.Status))
	}
	return out
}

// TestWorkerFileAsOf reads a worker's documents and cases as they stood
// at instants between their changes: a document added, a case taken in,
// the document verified, then superseded by a new one.
func TestWorkerFileAsOf(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	db.Now = time.Now // one clock with the history triggers
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	registered := time.Now()
	ktp := lindungi.NewDocument{Type: lindungi.DocKTP, Number: w.NIK, FileRef: "scan/ktp.pdf"}
	old, err := db.AddDocument(ctx, w.ID, ktp, clerk("req-doc"))
	if err != nil {
		t.Fatal(err)
	}
	added := time.Now()
	c := openCase(t, db, about(w, "3305"), "3305")
	opened := time.Now()
	checker := clerk("req-verify")
	checker.Actor = "user:verifier"
	if _, err := db.VerifyDocument(ctx, old.ID, checker); err != nil {
		t.Fatal(err)
	}
	verified := time.Now()
	ktp.FileRef = "scan/ktp-2.pdf"
	if _, err := db.AddDocument(ctx, w.ID, ktp, clerk("req-doc-2")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()

	for _, tt := range []struct {
		name  string
		at    time.Time
		docs  []string
		cases []uuid.UUID
	}{
		{"registered", registered, nil, nil},
		{"the document added", added, []string{"KTP pending"}, nil},
		{"the case taken in", opened, []string{"KTP pending"}, []uuid.UUID{c.ID}},
		{"the document verified", verified, []string{"KTP verified"}, []uuid.UUID{c.ID}},
		{"now: superseded by a new one", now, []string{"KTP pending", "KTP superseded"}, []uuid.UUID{c.ID}},
	} {
		f := fileAt(t, db, w.ID, tt.at)
		if diff := cmp.Diff(tt.docs, docStatuses(f.Documents)); diff != "" {
			t.Errorf("%s: documents (-want +got):\n%s", tt.name, diff)
		}
		var cases []uuid.UUID
		for _, c := range f.Cases {
			cases = append(cases, c.ID)
		}
		if diff := cmp.Diff(tt.cases, cases); diff != "" {
			t.Errorf("%s: cases (-want +got):\n%s", tt.name, diff)
		}
		if !f.At.Equal(tt.at) || f.Worker.ID != w.ID {
			t.Errorf("%s: file of %s at %s", tt.name, f.Worker.ID, f.At)
		}
	}
	// The file now is what the services read now.
	f := fileAt(t, db, w.ID, now)
	current, err := db.ListDocuments(ctx, w.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(current, f.Documents); diff != "" {
		t.Errorf("documents now (-listed +as of now):\n%s", diff)
	}
	pc, err := db.CaseAsOf(ctx, c.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]lindungi.Case{pc}, f.Cases); diff != "" {
		t.Errorf("cases now (-the case as of now +the worker's as of now):\n%s", diff)
	}
	// What changed from the document's addition to now.
	var changed []string
	for _, ch := range auditlog.Diff(fileAt(t, db, w.ID, added), f) {
		changed = append(changed, ch.Record+" "+ch.Field)
	}
	for _, want := range []string{"document status", "document verified_by", "document superseded_by", "document ", "case "} {
		if !slices.Contains(changed, want) {
			t.Errorf("the changes from the addition to now lack %q: %q", want, changed)
		}
	}
}

// TestWorkerCasesAsOfFollowMerge: a case merged from a provisional worker
// into a registered one is the provisional worker's before the merge and
// the registered worker's after.
func TestWorkerCasesAsOfFollowMerge(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	db.Now = time.Now
	ctx := t.Context()
	registered := register(t, db, "3329015507990003", "3329")
	c := openCase(t, db, walkIn("3329"), "3329")
	before := time.Now()
	if _, err := db.MergeWorkers(ctx, c.WorkerID, registered.ID, clerk("req-merge")); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	count := func(worker uuid.UUID, at time.Time) int { return len(fileAt(t, db, worker, at).Cases) }
	if p, r := count(c.WorkerID, before), count(registered.ID, before); p != 1 || r != 0 {
		t.Errorf("before the merge: %d cases of the provisional worker, %d of the registered one; want 1 and 0", p, r)
	}
	if p, r := count(c.WorkerID, after), count(registered.ID, after); p != 0 || r != 1 {
		t.Errorf("after the merge: %d cases of the provisional worker, %d of the registered one; want 0 and 1", p, r)
	}
}

// reach writes the events the reach tests ask about: reads and a policy
// change by people of different units about workers of different units.
func reachEvents(t *testing.T, db *postgres.DB) (kebumen, cilacap lindungi.Worker) {
	t.Helper()
	kebumen = register(t, db, "3305011508950001", "3305") // worker.register by user:siti of 3305
	cilacap = register(t, db, "3301011508950002", "3301") // by user:siti of 3305 too
	read := func(actor, unit, role string, w lindungi.Worker, purpose string) {
		ev := lindungi.Event{Actor: actor, ActorUnit: unit, ActorRole: role, Action: "access.worker",
			SubjectType: "worker", SubjectID: w.ID.String(), WorkerID: &w.ID, Purpose: purpose}
		if err := db.RecordAccess(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
	}
	read("auditor-33", "33", "auditor", kebumen, "BPK-2026-07")
	read("officer-ID", "ID", "national_officer", cilacap, "case-work")
	read("caseworker-3301", "3301", "caseworker", kebumen, "case-work")
	if err := db.RecordEvent(t.Context(), lindungi.Event{Actor: "admin-ID", ActorUnit: "ID", ActorRole: "admin",
		Action: "policy.change", SubjectType: "policy", SubjectID: "2", RequestID: "req-policy"}); err != nil {
		t.Fatal(err)
	}
	return kebumen, cilacap
}

// events runs a query and names each event by actor and action.
func events(t *testing.T, db *postgres.DB, q auditlog.Query) []string {
	t.Helper()
	var out []string
	if err := db.AuditEvents(t.Context(), q, func(r auditlog.Record) error {
		out = append(out, r.Actor+" "+r.Action)
		return nil
	}); err != nil {
		t.Fatalf("AuditEvents(%+v): %v", q, err)
	}
	return out
}

// TestAuditEventsQuery asks the inspector's questions of a small trail:
// each filter, the reach of a unit (its people's events and the events
// about its workers), paging.
func TestAuditEventsQuery(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	kebumen, _ := reachEvents(t, db)
	for _, tt := range []struct {
		name string
		q    auditlog.Query
		want []string
	}{
		{"everything", auditlog.Query{}, []string{"user:siti worker.register", "user:siti worker.register",
			"auditor-33 access.worker", "officer-ID access.worker", "caseworker-3301 access.worker", "admin-ID policy.change"}},
		{"one user", auditlog.Query{Actor: "caseworker-3301"}, []string{"caseworker-3301 access.worker"}},
		{"reads only", auditlog.Query{AccessesOnly: true}, []string{"auditor-33 access.worker", "officer-ID access.worker", "caseworker-3301 access.worker"}},
		{"one action", auditlog.Query{Actions: []string{"policy.change"}}, []string{"admin-ID policy.change"}},
		{"about one subject", auditlog.Query{SubjectIDs: []string{kebumen.ID.String()}}, []string{"user:siti worker.register",
			"auditor-33 access.worker", "caseworker-3301 access.worker"}},
		// Kebumen: its own people's events and every event about its workers.
		{"in reach of 3305", auditlog.Query{Unit: "3305"}, []string{"user:siti worker.register", "user:siti worker.register",
			"auditor-33 access.worker", "caseworker-3301 access.worker"}},
		// Cilacap: its case worker's read of a Kebumen worker, and the reads of its worker.
		{"in reach of 3301", auditlog.Query{Unit: "3301", AccessesOnly: true}, []string{"officer-ID access.worker", "caseworker-3301 access.worker"}},
		{"in reach of 33", auditlog.Query{Unit: "33", AccessesOnly: true}, []string{"auditor-33 access.worker", "officer-ID access.worker", "caseworker-3301 access.worker"}},
		{"in reach of ID", auditlog.Query{Unit: "ID", Actions: []string{"policy.change"}}, []string{"admin-ID policy.change"}},
		{"after the third, two", auditlog.Query{After: 3, Limit: 2}, []string{"officer-ID access.worker", "caseworker-3301 access.worker"}},
		{"before the trail", auditlog.Query{To: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}, nil},
		{"from the trail's time", auditlog.Query{From: t0, Actor: "admin-ID"}, []string{"admin-ID policy.change"}},
	} {
		if diff := cmp.Diff(tt.want, events(t, db, tt.q)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestScopedAuditExport exports the stretch of the trail as a province's
// and a district's auditors get it: only the events in reach, each with
// its links, signed, and checked as a file.
func TestScopedAuditExport(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	reachEvents(t, db)
	key := auditKey(t)
	if _, _, err := db.Checkpoint(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		unit string
		seqs []int64
	}{
		{"", []int64{1, 2, 3, 4, 5, 6}},
		{"3301", []int64{2, 4, 5}}, // the Cilacap worker registered, read, and its case worker's read
		{"3305", []int64{1, 2, 3, 5}},
	} {
		p, err := db.AuditExport(t.Context(), time.Time{}, time.Time{}, tt.unit, 100)
		if err != nil {
			t.Fatalf("export of %q: %v", tt.unit, err)
		}
		var seqs []int64
		for _, r := range p.Events {
			seqs = append(seqs, r.Seq)
		}
		if diff := cmp.Diff(tt.seqs, seqs); diff != "" || p.Scope != tt.unit || p.FirstSeq != 1 || p.LastSeq != 6 || len(p.Checkpoints) != 1 {
			t.Errorf("export of %q: scope %q, seq %d to %d, %d checkpoints, events (-want +got):\n%s", tt.unit, p.Scope, p.FirstSeq, p.LastSeq, len(p.Checkpoints), diff)
		}
		ex, err := key.SignExport(p)
		if err != nil {
			t.Fatal(err)
		}
		file, _ := json.Marshal(ex)
		rep, err := auditlog.VerifyExport(file, key.Public())
		if err != nil || !rep.OK || rep.Events != int64(len(tt.seqs)) || rep.Checkpoints != 1 {
			t.Errorf("the export of %q does not verify: %v %+v %+v", tt.unit, err, rep.Report, rep.Failure)
		}
	}
	if _, err := db.AuditExport(t.Context(), time.Time{}, time.Time{}, "3305", 3); lindungi.ErrorCode(err) != lindungi.EINVALID {
		t.Errorf("a scoped export of 4 events limited to 3: %v, want invalid", err)
	}
}

// TestTasksByID reads tasks by ID in one query.
func TestTasksByID(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	w := register(t, db, "3305011508950001", "3305")
	task := lindungi.Task{ID: lindungi.TaskID(w.WorkflowID, lindungi.StepRegistered, lindungi.TaskVerifyRegistration, 0),
		WorkflowID: w.WorkflowID, WorkerID: w.ID, Kind: lindungi.TaskVerifyRegistration, Step: lindungi.StepRegistered,
		Unit: "3305", RouteRule: "verify-at-domicile-district", DueAt: t0.Add(48 * time.Hour), DueDate: "2026-12-28"}
	if _, err := db.CreateTask(t.Context(), task, clerk("req-task")); err != nil {
		t.Fatal(err)
	}
	got, err := db.TasksByID(t.Context(), []uuid.UUID{task.ID, uuid.New()})
	if err != nil || len(got) != 1 || got[task.ID].Kind != lindungi.TaskVerifyRegistration || got[task.ID].Unit != "3305" {
		t.Errorf("TasksByID = %v, %v", got, err)
	}
}
