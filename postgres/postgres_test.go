package postgres_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv/devtest"
	"github.com/lindungi/lindungi/postgres"
)

func TestMain(m *testing.M) { devtest.Main(m) }

// t0 is the store's clock in tests unless a test moves it.
var t0 = time.Date(2026, 12, 23, 1, 0, 0, 0, time.UTC)

// openDB returns a store on a fresh database with the schema and the
// reference data loaded, and its clock stopped at t0.
func openDB(t *testing.T) *postgres.DB {
	t.Helper()
	ctx := t.Context()
	db, err := postgres.Open(ctx, devtest.Database(t))
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
	db.Now = func() time.Time { return t0 }
	return db
}

// count runs a SELECT count(*) query.
func count(t *testing.T, db *postgres.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().GetContext(t.Context(), &n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// clerk is the event of a case worker of Kebumen acting through the API.
func clerk(requestID string) lindungi.Event {
	return lindungi.Event{Actor: "user:siti", ActorUnit: "3305", ActorRole: "caseworker", Policy: "test-policy", RequestID: requestID}
}

func newWorker(nik, unit string) lindungi.NewWorker {
	return lindungi.NewWorker{NIK: nik, Name: "Siti Aminah", BirthDate: "1995-08-15", DomicileUnit: unit,
		Phone: "+6281234567890", Scheme: lindungi.SchemeP2P}
}

func register(t *testing.T, db *postgres.DB, nik, unit string) lindungi.Worker {
	t.Helper()
	w, err := db.CreateWorker(t.Context(), newWorker(nik, unit), clerk("req-register-"+nik))
	if err != nil {
		t.Fatalf("CreateWorker(%s, %s): %v", nik, unit, err)
	}
	return w
}

// auditEvent is a row of audit_events as a reader of the trail sees it.
type auditEvent struct {
	Actor, ActorUnit, ActorRole string
	Action                      string
	SubjectType, SubjectID      string
	WorkerID                    string // "" when null
	Before, After               map[string]any
	Rule, PolicyVersion         string
	WorkflowID, RunID           string
	RequestID                   string
	OccurredAt                  time.Time
}

// auditEvents returns the trail in order, only the events of action unless
// it is "".
func auditEvents(t *testing.T, db *postgres.DB, action string) []auditEvent {
	t.Helper()
	var rows []struct {
		Actor         string    `db:"actor"`
		ActorUnit     string    `db:"actor_unit"`
		ActorRole     string    `db:"actor_role"`
		Action        string    `db:"action"`
		SubjectType   string    `db:"subject_type"`
		SubjectID     string    `db:"subject_id"`
		WorkerID      string    `db:"worker_id"`
		Before        []byte    `db:"before"`
		After         []byte    `db:"after"`
		Rule          string    `db:"rule"`
		PolicyVersion string    `db:"policy_version"`
		WorkflowID    string    `db:"workflow_id"`
		RunID         string    `db:"run_id"`
		RequestID     string    `db:"request_id"`
		OccurredAt    time.Time `db:"occurred_at"`
	}
	err := db.SQL().SelectContext(t.Context(), &rows, `
SELECT actor, actor_unit, actor_role, action, subject_type, subject_id, COALESCE(worker_id::text, '') AS worker_id,
    before, after, rule, policy_version, workflow_id, run_id, request_id, occurred_at
FROM audit_events WHERE $1 = '' OR action = $1 ORDER BY seq`, action)
	if err != nil {
		t.Fatalf("read audit_events: %v", err)
	}
	var evs []auditEvent
	for _, r := range rows {
		evs = append(evs, auditEvent{
			Actor: r.Actor, ActorUnit: r.ActorUnit, ActorRole: r.ActorRole, Action: r.Action,
			SubjectType: r.SubjectType, SubjectID: r.SubjectID, WorkerID: r.WorkerID,
			Before: jsonObject(t, r.Before), After: jsonObject(t, r.After),
			Rule: r.Rule, PolicyVersion: r.PolicyVersion, WorkflowID: r.WorkflowID, RunID: r.RunID,
			RequestID: r.RequestID, OccurredAt: r.OccurredAt,
		})
	}
	return evs
}

func jsonObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	if b == nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("audit JSON %s: %v", b, err)
	}
	return m
}

// errorFields returns the code and the names of the invalid fields of err.
func errorFields(err error) (string, []string) {
	var e *lindungi.Error
	if !errors.As(err, &e) {
		return lindungi.ErrorCode(err), nil
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	return e.Code, fields
}

func TestMigrateAndLoadReferenceAreIdempotent(t *testing.T) {
	t.Parallel()
	db := openDB(t) // migrated and loaded once
	ctx := t.Context()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if err := db.LoadReference(ctx); err != nil {
		t.Fatalf("second LoadReference: %v", err)
	}

	units, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	byCode := map[string]lindungi.Unit{}
	for _, u := range units {
		kinds[u.Kind]++
		byCode[u.Code] = u
	}
	if diff := cmp.Diff(map[string]int{"national": 1, "province": 1, "regency": 29, "city": 6}, kinds); diff != "" {
		t.Errorf("units by kind (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		code, parent string
		path         []string
	}{
		{"ID", "", []string{"ID"}},
		{"33", "ID", []string{"ID", "33"}},
		{"3301", "33", []string{"ID", "33", "3301"}},
		{"3305", "33", []string{"ID", "33", "3305"}},
		{"3376", "33", []string{"ID", "33", "3376"}},
	} {
		u, ok := byCode[tt.code]
		if !ok {
			t.Errorf("unit %s missing", tt.code)
			continue
		}
		if u.Parent != tt.parent || !slices.Equal(u.Path, tt.path) {
			t.Errorf("unit %s: parent %q, path %v; want %q, %v", tt.code, u.Parent, u.Path, tt.parent, tt.path)
		}
	}

	// The database holds exactly the shipped units.
	ref, err := postgres.ReferenceUnits()
	if err != nil {
		t.Fatal(err)
	}
	byCodeOrder := func(a, b lindungi.Unit) int { return strings.Compare(a.Code, b.Code) }
	slices.SortFunc(ref, byCodeOrder)
	slices.SortFunc(units, byCodeOrder)
	if diff := cmp.Diff(ref, units); diff != "" {
		t.Errorf("Units differ from ReferenceUnits (-ref +db):\n%s", diff)
	}

	holidays, err := db.Holidays(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(holidays), 25; got != want {
		t.Errorf("%d holidays, want %d", got, want)
	}
	for _, h := range holidays {
		if !strings.HasPrefix(h.Date, "2026-") {
			t.Errorf("holiday %v is not in 2026", h)
		}
	}
	for _, want := range []lindungi.Holiday{
		{Date: "2026-01-01", Kind: "national", Name: "Tahun Baru 2026 Masehi"},
		{Date: "2026-12-24", Kind: "cuti_bersama", Name: "Cuti bersama Kelahiran Yesus Kristus"},
		{Date: "2026-12-25", Kind: "national", Name: "Kelahiran Yesus Kristus"},
	} {
		if !slices.Contains(holidays, want) {
			t.Errorf("holidays lack %v", want)
		}
	}
}

func TestLoadReferenceKeepsCorrectedHolidays(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	if _, err := db.SQL().ExecContext(ctx, `UPDATE holidays SET name = 'Natal (dikoreksi)' WHERE day = '2026-12-25'`); err != nil {
		t.Fatal(err)
	}
	if err := db.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := db.SQL().GetContext(ctx, &name, `SELECT name FROM holidays WHERE day = '2026-12-25'`); err != nil {
		t.Fatal(err)
	}
	if name != "Natal (dikoreksi)" {
		t.Errorf("after LoadReference, 2026-12-25 is named %q; want the administrator's correction kept", name)
	}
}

func TestReferenceData(t *testing.T) {
	t.Parallel()
	units, err := postgres.ReferenceUnits()
	if err != nil {
		t.Fatalf("ReferenceUnits: %v", err)
	}
	if got, want := len(units), 37; got != want {
		t.Errorf("%d units, want %d", got, want)
	}
	byCode := map[string]lindungi.Unit{}
	for _, u := range units {
		if _, dup := byCode[u.Code]; dup {
			t.Errorf("unit %s listed twice", u.Code)
		}
		byCode[u.Code] = u
	}
	for _, u := range units {
		if len(u.Path) == 0 || u.Path[0] != "ID" || u.Path[len(u.Path)-1] != u.Code {
			t.Errorf("unit %s: path %v does not run from ID to itself", u.Code, u.Path)
			continue
		}
		if u.Parent == "" {
			continue
		}
		if want := append(slices.Clone(byCode[u.Parent].Path), u.Code); !slices.Equal(u.Path, want) {
			t.Errorf("unit %s: path %v, want %v (its parent's path and itself)", u.Code, u.Path, want)
		}
		if u.IsDistrict() && u.Parent != "33" {
			t.Errorf("district %s: parent %s, want 33", u.Code, u.Parent)
		}
	}

	holidays, err := postgres.ReferenceHolidays()
	if err != nil {
		t.Fatalf("ReferenceHolidays: %v", err)
	}
	if got, want := len(holidays), 25; got != want {
		t.Errorf("%d holidays, want %d", got, want)
	}
	for _, h := range holidays {
		if h.Kind != "national" && h.Kind != "cuti_bersama" {
			t.Errorf("holiday %s has kind %q", h.Date, h.Kind)
		}
	}
}

func TestAuditEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	register(t, db, "3305011508950001", "3305")
	register(t, db, "3305011508950002", "3305")
	before := auditEvents(t, db, "")
	if len(before) != 2 {
		t.Fatalf("%d audit events after two registrations, want 2", len(before))
	}
	for _, stmt := range []string{
		`UPDATE audit_events SET actor = 'user:mallory'`,
		`UPDATE audit_events SET after = NULL WHERE seq = (SELECT max(seq) FROM audit_events)`,
		`DELETE FROM audit_events`,
		`DELETE FROM audit_events WHERE seq = (SELECT min(seq) FROM audit_events)`,
		`TRUNCATE audit_events`,
	} {
		_, err := db.SQL().ExecContext(t.Context(), stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: error %v, want the append-only refusal", stmt, err)
		}
		if diff := cmp.Diff(before, auditEvents(t, db, "")); diff != "" {
			t.Errorf("%s changed the trail (-before +after):\n%s", stmt, diff)
		}
	}
}
