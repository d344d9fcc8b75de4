package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/postgres"
)

// The figures on small fixed data, numbers worked out by hand. Records are
// written with plain SQL, as they would stand after their workflows ran,
// so that every instant is the fixture's own.

// statsNow is Thursday 31 December 2026, 10.00 WIB.
var statsNow = time.Date(2026, 12, 31, 10, 0, 0, 0, lindungi.WIB)

// wib is an instant in WIB.
func wib(year int, month time.Month, day, hour, min int) time.Time {
	return time.Date(year, month, day, hour, min, 0, 0, lindungi.WIB)
}

// endOf is the deadline of a task due on a day: midnight after it, WIB.
func endOf(year int, month time.Month, day int) time.Time { return wib(year, month, day+1, 0, 0) }

type fixtureWorker struct {
	unit, scheme, step string
	provisional        bool
}

type fixtureCase struct {
	owner      string
	categories []lindungi.CaseCategory
	step       lindungi.CaseStep
	received   time.Time
	resolved   time.Time // zero: not resolved
	closed     time.Time // zero: open
	money      int64
}

type fixtureTask struct {
	unit     string
	kind     lindungi.TaskKind
	workflow string // "" for the worker's journey
	status   lindungi.TaskStatus
	level    int
	atTop    bool
	created  time.Time
	due      time.Time
	claimed  string
}

// fixture writes records straight into the database.
type fixture struct {
	t  *testing.T
	db *postgres.DB
	n  int
}

func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	if _, err := f.db.SQL().ExecContext(f.t.Context(), query, args...); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
}

func (f *fixture) worker(w fixtureWorker) uuid.UUID {
	f.t.Helper()
	f.n++
	id := uuid.New()
	if w.provisional {
		f.exec(`INSERT INTO workers (id, name, domicile_unit, phone, provisional, created_by, created_at, updated_at)
VALUES ($1, 'Pekerja', $2, '', true, 'fixture', $3, $3)`, id, w.unit, statsNow)
		return id
	}
	f.exec(`INSERT INTO workers (id, nik, name, birth_date, domicile_unit, phone, scheme, journey_step, journey_workflow_id,
    created_by, created_at, updated_at)
VALUES ($1, $2, 'Pekerja', '1995-08-15', $3, '+6281234567890', $4, $5, $6, 'fixture', $7, $7)`,
		id, fmt.Sprintf("3305011508%06d", f.n), w.unit, w.scheme, w.step,
		lindungi.JourneyWorkflowID(id), statsNow)
	return id
}

// kase writes a case about worker and returns its workflow ID.
func (f *fixture) kase(worker uuid.UUID, c fixtureCase) string {
	f.t.Helper()
	f.n++
	id := uuid.New()
	resolution := ""
	if !c.resolved.IsZero() {
		resolution = "WAGES_PAID"
	}
	f.exec(`INSERT INTO cases (id, number, worker_id, channel, complainant_name, complainant_relation, categories, description,
    high_risk, intake_unit, owner_unit, read_units, step, workflow_id, received_at, last_contact_at, last_action_at,
    resolution, money_recovered_idr, resolved_at, closed_at, closed_reason, created_by)
VALUES ($1, $2, $3, 'HOTLINE', 'Pengadu', 'SELF', $4, 'Uraian', false, $5, $5, '{}', $6, $7, $8, $8, $8,
    $9, $10, $11, $12, $13, 'fixture')`,
		id, "PGD-33-2026-"+uuid.NewString()[:6], worker, pq.StringArray(categories(c.categories)), c.owner, string(c.step),
		lindungi.CaseWorkflowID(id), c.received, resolution, c.money, nullTime(c.resolved), nullTime(c.closed), closedReason(c.closed))
	return lindungi.CaseWorkflowID(id)
}

func (f *fixture) task(worker uuid.UUID, t fixtureTask) {
	f.t.Helper()
	workflow, step := t.workflow, lindungi.StepCase
	if workflow == "" {
		workflow, step = lindungi.JourneyWorkflowID(worker), lindungi.StepTraining
	}
	var completed any
	if t.status != lindungi.TaskOpen {
		completed = t.created.Add(time.Hour)
	}
	f.exec(`INSERT INTO tasks (id, workflow_id, worker_id, kind, step, level, unit, route_rule, status, due_at, due_date,
    created_at, completed_at, claimed_by, at_top)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'fixture', $8, $9, $10, $11, $12, $13, $14)`,
		uuid.New(), workflow, worker, string(t.kind), string(step), t.level, t.unit, string(t.status), t.due,
		t.due.AddDate(0, 0, -1).Format(time.DateOnly), t.created, completed, t.claimed, t.atTop)
}

func (f *fixture) user(subject, name, unit string, roles ...string) {
	f.t.Helper()
	f.exec(`INSERT INTO users (subject, name, unit, roles) VALUES ($1, $2, $3, $4)`, subject, name, unit, pq.StringArray(roles))
}

func categories(cs []lindungi.CaseCategory) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func closedReason(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return "resolved"
}

// statsFixture is Central Java at the end of December 2026: six workers
// with journeys and one provisional, eleven cases (open ones in Kebumen
// 3305, Brebes 3329 and at the province 33; five resolved in December, one
// in November; one closed unresolved) and their tasks, and the officers
// who hold them.
func statsFixture(t *testing.T) *postgres.DB {
	t.Helper()
	db := openDB(t)
	f := &fixture{t: t, db: db}
	cat := func(cs ...lindungi.CaseCategory) []lindungi.CaseCategory { return cs }
	uw, jf, of, tr, lc := lindungi.CatUnpaidWages, lindungi.CatJobFraud, lindungi.CatOverchargedFees, lindungi.CatTrafficking, lindungi.CatLostContact

	w1 := f.worker(fixtureWorker{unit: "3305", scheme: "G2G", step: "TRAINING"})
	w2 := f.worker(fixtureWorker{unit: "3305", scheme: "P2P", step: "TRAINING"})
	w3 := f.worker(fixtureWorker{unit: "3305", scheme: "P2P", step: "ABROAD"})
	w4 := f.worker(fixtureWorker{unit: "3329", scheme: "MANDIRI", step: "REGISTERED"})
	f.worker(fixtureWorker{unit: "3329", scheme: "G2G", step: "RETURNED"})
	w6 := f.worker(fixtureWorker{unit: "3301", scheme: "P2P", step: "CLOSED"})
	p := f.worker(fixtureWorker{unit: "3329", provisional: true})

	// Open cases.
	o1 := f.kase(w1, fixtureCase{owner: "3305", categories: cat(uw), step: lindungi.CaseVerification, received: wib(2026, 12, 1, 9, 0)})
	o2 := f.kase(p, fixtureCase{owner: "3329", categories: cat(jf, uw), step: lindungi.CaseReceived, received: wib(2026, 12, 21, 9, 0)})
	o3 := f.kase(p, fixtureCase{owner: "33", categories: cat(tr), step: lindungi.CaseVerification, received: wib(2026, 12, 28, 9, 0)})
	// Resolved: working days from receipt to resolution on the 2026
	// calendar (24 and 25 December are holidays).
	// R1: Mon 14 Dec to Fri 18 Dec: 4.
	f.kase(w1, fixtureCase{owner: "3305", categories: cat(uw), step: lindungi.CaseClosed, received: wib(2026, 12, 14, 9, 0),
		resolved: wib(2026, 12, 18, 15, 0), closed: wib(2026, 12, 21, 9, 0), money: 15_000_000})
	// R2: Tue 22 Dec to Mon 28 Dec, over the holidays and a weekend: 2;
	// resolved and waiting for its closure to be approved.
	r2 := f.kase(w2, fixtureCase{owner: "3305", categories: cat(uw, jf), step: lindungi.CaseResolved, received: wib(2026, 12, 22, 10, 0),
		resolved: wib(2026, 12, 28, 11, 0), money: 5_000_000})
	// R3: Fri 11 Dec 23.30 to Mon 14 Dec 00.30 WIB (Sunday 13 Dec in UTC):
	// a weekend between, 1.
	f.kase(p, fixtureCase{owner: "3329", categories: cat(of), step: lindungi.CaseClosed, received: wib(2026, 12, 11, 23, 30),
		resolved: wib(2026, 12, 14, 0, 30), closed: wib(2026, 12, 15, 9, 0)})
	// R4: Mon 7 Dec to Tue 29 Dec: 14.
	f.kase(w4, fixtureCase{owner: "3329", categories: cat(uw), step: lindungi.CaseClosed, received: wib(2026, 12, 7, 9, 0),
		resolved: wib(2026, 12, 29, 9, 0), closed: wib(2026, 12, 30, 9, 0), money: 2_500_000})
	// R5: Mon 30 Nov to Tue 1 Dec 03.00 WIB (30 Nov in UTC): 1, in December.
	f.kase(p, fixtureCase{owner: "33", categories: cat(tr), step: lindungi.CaseClosed, received: wib(2026, 11, 30, 9, 0),
		resolved: wib(2026, 12, 1, 3, 0), closed: wib(2026, 12, 2, 9, 0), money: 40_000_000})
	// R0: resolved in November.
	f.kase(w2, fixtureCase{owner: "3305", categories: cat(uw), step: lindungi.CaseClosed, received: wib(2026, 11, 2, 9, 0),
		resolved: wib(2026, 11, 10, 9, 0), closed: wib(2026, 11, 12, 9, 0), money: 1_000_000})
	// C1: closed unresolved (the complainant unreachable).
	f.kase(p, fixtureCase{owner: "3329", categories: cat(lc), step: lindungi.CaseClosed, received: wib(2026, 10, 1, 9, 0),
		closed: wib(2026, 12, 15, 9, 0)})

	open := lindungi.TaskOpen
	// Journey tasks.
	f.task(w1, fixtureTask{unit: "3305", kind: lindungi.TaskVerifyRegistration, status: open, created: wib(2026, 12, 20, 9, 0),
		due: endOf(2026, 12, 30), claimed: "user:siti"})
	f.task(w2, fixtureTask{unit: "3305", kind: lindungi.TaskRecordTraining, status: open, created: wib(2026, 12, 29, 9, 0),
		due: endOf(2027, 1, 10)})
	f.task(w4, fixtureTask{unit: "3329", kind: lindungi.TaskVerifyRegistration, status: open, level: 1, created: wib(2026, 12, 10, 9, 0),
		due: endOf(2027, 1, 4), claimed: "user:budi"})
	f.task(w3, fixtureTask{unit: "33", kind: lindungi.TaskPassportVisa, status: open, level: 2, atTop: true, created: wib(2026, 12, 1, 8, 0),
		due: endOf(2026, 12, 15)})
	f.task(w1, fixtureTask{unit: "3305", kind: lindungi.TaskRecordTraining, status: lindungi.TaskCompleted, created: wib(2026, 11, 1, 9, 0),
		due: endOf(2026, 11, 20)})
	f.task(w6, fixtureTask{unit: "3301", kind: lindungi.TaskCheckIn, status: lindungi.TaskCancelled, created: wib(2026, 11, 1, 9, 0),
		due: endOf(2026, 11, 20)})
	// Case tasks.
	f.task(w1, fixtureTask{unit: "3305", kind: lindungi.TaskCaseHandling, workflow: o1, status: open, created: wib(2026, 12, 1, 10, 0),
		due: endOf(2026, 12, 20), claimed: "user:siti"})
	f.task(p, fixtureTask{unit: "3329", kind: lindungi.TaskCaseHandling, workflow: o2, status: open, level: 1, created: wib(2026, 12, 21, 10, 0),
		due: endOf(2027, 1, 5)})
	f.task(p, fixtureTask{unit: "33", kind: lindungi.TaskCaseHandling, workflow: o3, status: open, level: 3, atTop: true,
		created: wib(2026, 12, 28, 10, 0), due: endOf(2026, 12, 29), claimed: "user:rina"})
	f.task(w2, fixtureTask{unit: "3305", kind: lindungi.TaskClosureApproval, workflow: r2, status: open, created: wib(2026, 12, 28, 11, 0),
		due: endOf(2027, 1, 8)})

	f.user("user:siti", "Siti", "3305", lindungi.RoleCaseworker)
	f.user("user:budi", "Budi", "3329", lindungi.RoleCaseworker)
	f.user("user:rina", "Rina", "33", lindungi.RoleProvinceSupervisor)
	f.user("user:ani", "Ani", "3305", lindungi.RoleVerifier)
	f.user("user:audit", "Auditor", "33", lindungi.RoleAuditor)
	return db
}

// statsQuery asks for the figures of unit over the days from and to, at
// statsNow.
func statsQuery(unit string, from, to string) lindungi.StatsQuery {
	f, _ := time.ParseInLocation(time.DateOnly, from, lindungi.WIB)
	l, _ := time.ParseInLocation(time.DateOnly, to, lindungi.WIB)
	return lindungi.StatsQuery{Unit: unit, From: f, To: l, Now: statsNow}
}

func backlog(open, overdue, escalated, atTop, oldest int) lindungi.Backlog {
	return lindungi.Backlog{Open: open, Overdue: overdue, Escalated: escalated, AtTop: atTop, OldestDays: oldest}
}

func TestTaskStats(t *testing.T) {
	t.Parallel()
	db := statsFixture(t)
	got, err := db.TaskStats(t.Context(), statsQuery("33", "2026-12-01", "2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	want := lindungi.TaskStats{Unit: "33", AsOf: statsNow.UTC(),
		// Eight open tasks; the oldest, the passport task at the province
		// and Kebumen's handling task, came in on 1 December.
		Total: backlog(8, 4, 4, 2, 30),
		ByUnit: []lindungi.UnitBacklog{
			{Unit: "3305", Name: "Kabupaten Kebumen", Backlog: backlog(4, 2, 0, 0, 30)},
			{Unit: "33", Name: "Provinsi Jawa Tengah", Own: true, Backlog: backlog(2, 2, 2, 2, 30)},
			{Unit: "3329", Name: "Kabupaten Brebes", Backlog: backlog(2, 0, 2, 0, 21)},
		},
		ByKind: []lindungi.KindBacklog{
			{Kind: lindungi.TaskCaseHandling, Backlog: backlog(3, 2, 2, 1, 30)},
			{Kind: lindungi.TaskVerifyRegistration, Backlog: backlog(2, 1, 1, 0, 21)},
			{Kind: lindungi.TaskClosureApproval, Backlog: backlog(1, 0, 0, 0, 3)},
			{Kind: lindungi.TaskPassportVisa, Backlog: backlog(1, 1, 1, 1, 30)},
			{Kind: lindungi.TaskRecordTraining, Backlog: backlog(1, 0, 0, 0, 2)},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TaskStats(33) (-want +got):\n%s", diff)
	}

	// A district sees its own only, as its own level.
	got, err = db.TaskStats(t.Context(), statsQuery("3329", "2026-12-01", "2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []lindungi.UnitBacklog{{Unit: "3329", Name: "Kabupaten Brebes", Own: true, Backlog: backlog(2, 0, 2, 0, 21)}}; !cmp.Equal(got.ByUnit, want) ||
		got.Total != backlog(2, 0, 2, 0, 21) {
		t.Errorf("TaskStats(3329) = %+v", got)
	}
	// Nothing open: zeros, not an error.
	got, err = db.TaskStats(t.Context(), statsQuery("3301", "2026-12-01", "2026-12-31"))
	if err != nil || got.Total != (lindungi.Backlog{}) || len(got.ByUnit) != 0 || len(got.ByKind) != 0 {
		t.Errorf("TaskStats(3301) = %+v, %v; want nothing", got, err)
	}
}

func TestCaseStats(t *testing.T) {
	t.Parallel()
	db := statsFixture(t)
	got, err := db.CaseStats(t.Context(), statsQuery("33", "2026-11-01", "2026-11-30"))
	if err != nil {
		t.Fatal(err)
	}
	want := lindungi.CaseStats{Unit: "33", AsOf: statsNow.UTC(),
		// Open: the three in handling and R2, resolved but not closed.
		Total: backlog(4, 2, 2, 1, 30),
		ByUnit: []lindungi.UnitBacklog{
			{Unit: "3305", Name: "Kabupaten Kebumen", Backlog: backlog(2, 1, 0, 0, 30)},
			{Unit: "33", Name: "Provinsi Jawa Tengah", Own: true, Backlog: backlog(1, 1, 1, 1, 3)},
			{Unit: "3329", Name: "Kabupaten Brebes", Backlog: backlog(1, 0, 1, 0, 10)},
		},
		ByCategory: []lindungi.CategoryBacklog{
			{Category: lindungi.CatUnpaidWages, Backlog: backlog(3, 1, 1, 0, 30)},
			{Category: lindungi.CatJobFraud, Backlog: backlog(2, 0, 1, 0, 10)},
			{Category: lindungi.CatTrafficking, Backlog: backlog(1, 1, 1, 1, 3)},
		},
		Flow: lindungi.CaseFlow{
			Month: lindungi.FlowCounts{Period: lindungi.Period{From: "2026-12-01", To: "2026-12-31"}, Received: 7, Resolved: 5, Closed: 5},
			Year:  lindungi.FlowCounts{Period: lindungi.Period{From: "2026-01-01", To: "2026-12-31"}, Received: 10, Resolved: 6, Closed: 6},
			// November in WIB: R5, resolved at 03.00 WIB on 1 December,
			// is not in it.
			Period: lindungi.FlowCounts{Period: lindungi.Period{From: "2026-11-01", To: "2026-11-30"}, Received: 2, Resolved: 1, Closed: 1},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CaseStats(33) (-want +got):\n%s", diff)
	}

	got, err = db.CaseStats(t.Context(), statsQuery("3305", "2026-12-01", "2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != backlog(2, 1, 0, 0, 30) || len(got.ByUnit) != 1 || !got.ByUnit[0].Own ||
		got.Flow.Period != (lindungi.FlowCounts{Period: lindungi.Period{From: "2026-12-01", To: "2026-12-31"}, Received: 3, Resolved: 2, Closed: 1}) {
		t.Errorf("CaseStats(3305) = %+v", got)
	}
}

func TestResolutionStats(t *testing.T) {
	t.Parallel()
	db := statsFixture(t)
	got, err := db.ResolutionStats(t.Context(), statsQuery("33", "2026-12-01", "2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	rt := func(n int, median, p90 float64) lindungi.ResolutionTime {
		return lindungi.ResolutionTime{Resolved: n, Median: median, P90: p90}
	}
	// Working days: R1 4, R2 2, R3 1, R4 14, R5 1. Sorted 1 1 2 4 14: the
	// median is 2; the 90th percentile lies 0.6 of the way from 4 to 14.
	want := lindungi.ResolutionStats{Unit: "33", Period: lindungi.Period{From: "2026-12-01", To: "2026-12-31"},
		Total: rt(5, 2, 10),
		ByUnit: []lindungi.UnitResolution{
			{Unit: "3305", Name: "Kabupaten Kebumen", ResolutionTime: rt(2, 3, 3.8)},   // 2 and 4
			{Unit: "3329", Name: "Kabupaten Brebes", ResolutionTime: rt(2, 7.5, 12.7)}, // 1 and 14
			{Unit: "33", Name: "Provinsi Jawa Tengah", Own: true, ResolutionTime: rt(1, 1, 1)},
		},
		ByCategory: []lindungi.CategoryResolution{
			{Category: lindungi.CatUnpaidWages, ResolutionTime: rt(3, 4, 12)}, // 2, 4 and 14
			{Category: lindungi.CatJobFraud, ResolutionTime: rt(1, 2, 2)},
			{Category: lindungi.CatOverchargedFees, ResolutionTime: rt(1, 1, 1)},
			{Category: lindungi.CatTrafficking, ResolutionTime: rt(1, 1, 1)},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("ResolutionStats(33) (-want +got):\n%s", diff)
	}

	// A year without holiday data counts weekends only, and says so: Thu
	// 30 Dec 2027 to Mon 3 Jan 2028 is 2 working days.
	f := &fixture{t: t, db: db, n: 50}
	w := f.worker(fixtureWorker{unit: "3305", scheme: "G2G", step: "ABROAD"})
	f.kase(w, fixtureCase{owner: "3305", categories: []lindungi.CaseCategory{lindungi.CatIllness}, step: lindungi.CaseResolved,
		received: wib(2027, 12, 30, 9, 0), resolved: wib(2028, 1, 3, 9, 0)})
	got, err = db.ResolutionStats(t.Context(), statsQuery("3305", "2028-01-01", "2028-01-31"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != rt(1, 2, 2) || !got.CalendarFallback {
		t.Errorf("ResolutionStats over 2027 and 2028 = %+v, want 2 working days and the fallback said", got)
	}
	got, err = db.ResolutionStats(t.Context(), statsQuery("3305", "2026-12-01", "2026-12-31"))
	if err != nil || got.CalendarFallback || got.Total.Resolved != 2 {
		t.Errorf("ResolutionStats(3305, December 2026) = %+v, %v; want 2 cases on a known calendar", got, err)
	}
	// Nothing resolved: zeros.
	got, err = db.ResolutionStats(t.Context(), statsQuery("3301", "2026-01-01", "2026-12-31"))
	if err != nil || got.Total != (lindungi.ResolutionTime{}) || len(got.ByUnit) != 0 {
		t.Errorf("ResolutionStats(3301) = %+v, %v; want nothing", got, err)
	}
}

func TestRecoveryStats(t *testing.T) {
	t.Parallel()
	db := statsFixture(t)
	got, err := db.RecoveryStats(t.Context(), statsQuery("33", "2026-10-15", "2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	rec := func(amount int64, cases int) lindungi.Recovery {
		return lindungi.Recovery{AmountIDR: amount, Cases: cases}
	}
	want := lindungi.RecoveryStats{Unit: "33", Period: lindungi.Period{From: "2026-10-15", To: "2026-12-31"},
		Total: rec(63_500_000, 5),
		ByMonth: []lindungi.MonthRecovery{
			{Month: "2026-10", Recovery: rec(0, 0)},
			{Month: "2026-11", Recovery: rec(1_000_000, 1)},
			{Month: "2026-12", Recovery: rec(62_500_000, 4)}, // R5 at 03.00 WIB on 1 December
		},
		ByCategory: []lindungi.CategoryRecovery{
			{Category: lindungi.CatTrafficking, Recovery: rec(40_000_000, 1)},
			{Category: lindungi.CatUnpaidWages, Recovery: rec(23_500_000, 4)},
			{Category: lindungi.CatJobFraud, Recovery: rec(5_000_000, 1)},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RecoveryStats(33) (-want +got):\n%s", diff)
	}
	got, err = db.RecoveryStats(t.Context(), statsQuery("3329", "2026-12-01", "2026-12-31"))
	if err != nil || got.Total != rec(2_500_000, 1) || len(got.ByMonth) != 1 {
		t.Errorf("RecoveryStats(3329) = %+v, %v", got, err)
	}
}

func TestJourneyStats(t *testing.T) {
	t.Parallel()
	db := statsFixture(t)
	got, err := db.JourneyStats(t.Context(), statsQuery("33", "2026-12-01", "2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 6 || len(got.ByStep) != len(lindungi.JourneySteps) {
		t.Fatalf("JourneyStats(33): %d journeys in %d steps, want 6 (not the provisional worker) in every step", got.Total, len(got.ByStep))
	}
	nonZero := map[lindungi.Step]lindungi.StepCount{}
	for i, s := range got.ByStep {
		if s.Step != lindungi.JourneySteps[i] {
			t.Errorf("step %d is %s, want %s: journey order", i, s.Step, lindungi.JourneySteps[i])
		}
		if s.Total > 0 {
			nonZero[s.Step] = s
		}
	}
	want := map[lindungi.Step]lindungi.StepCount{
		lindungi.StepRegistered: {Step: lindungi.StepRegistered, Mandiri: 1, Total: 1},
		lindungi.StepTraining:   {Step: lindungi.StepTraining, G2G: 1, P2P: 1, Total: 2},
		lindungi.StepAbroad:     {Step: lindungi.StepAbroad, P2P: 1, Total: 1},
		lindungi.StepReturned:   {Step: lindungi.StepReturned, G2G: 1, Total: 1},
		lindungi.StepClosed:     {Step: lindungi.StepClosed, P2P: 1, Total: 1},
	}
	if diff := cmp.Diff(want, nonZero); diff != "" {
		t.Errorf("JourneyStats(33) by step (-want +got):\n%s", diff)
	}
	wantStages := []lindungi.StageCount{{Stage: "registration", Count: 1}, {Stage: "training", Count: 2}, {Stage: "preparing", Count: 0},
		{Stage: "abroad", Count: 1}, {Stage: "returned", Count: 1}, {Stage: "closed", Count: 1}}
	if diff := cmp.Diff(wantStages, got.ByStage); diff != "" {
		t.Errorf("JourneyStats(33) by stage (-want +got):\n%s", diff)
	}
	if got, err := db.JourneyStats(t.Context(), statsQuery("3305", "2026-12-01", "2026-12-31")); err != nil || got.Total != 3 {
		t.Errorf("JourneyStats(3305) = %d journeys, %v; want 3", got.Total, err)
	}
}

func TestWorkloadStats(t *testing.T) {
	t.Parallel()
	db := statsFixture(t)
	got, err := db.WorkloadStats(t.Context(), statsQuery("33", "2026-12-01", "2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	want := lindungi.WorkloadStats{Unit: "33", AsOf: statsNow.UTC(), Unclaimed: 4, Officers: []lindungi.OfficerLoad{
		{Subject: "user:siti", Name: "Siti", Unit: "3305", OpenTasks: 2, OverdueTasks: 2, CasesHeld: 1},
		{Subject: "user:budi", Name: "Budi", Unit: "3329", OpenTasks: 1},
		{Subject: "user:rina", Name: "Rina", Unit: "33", OpenTasks: 1, OverdueTasks: 1, CasesHeld: 1},
		{Subject: "user:ani", Name: "Ani", Unit: "3305"}, // an officer holding nothing; the auditor is none
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WorkloadStats(33) (-want +got):\n%s", diff)
	}
	got, err = db.WorkloadStats(t.Context(), statsQuery("3305", "2026-12-01", "2026-12-31"))
	if err != nil || got.Unclaimed != 2 || len(got.Officers) != 2 || got.Officers[0].Subject != "user:siti" || got.Officers[1].Subject != "user:ani" {
		t.Errorf("WorkloadStats(3305) = %+v, %v", got, err)
	}
}

// TestResolvedAt: resolving a case stamps it with the store's clock,
// closing keeps the stamp, and going back to handling (reopened, or moved
// to a step while resolved) clears it, whichever code moved it.
func TestResolvedAt(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	resolvedAt := func(id uuid.UUID) *time.Time {
		t.Helper()
		var at *time.Time
		if err := db.SQL().GetContext(ctx, &at, `SELECT resolved_at FROM cases WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return at
	}
	c := openCase(t, db, walkIn("3329"), "3329")
	if at := resolvedAt(c.ID); at != nil {
		t.Fatalf("a new case is resolved at %v", at)
	}
	if _, err := db.ResolveCase(ctx, c.ID, "WAGES_PAID", 1_000_000, clerk("r")); err != nil {
		t.Fatal(err)
	}
	if at := resolvedAt(c.ID); at == nil || !at.Equal(t0) {
		t.Fatalf("resolved at %v, want %v (the store's clock)", at, t0)
	}
	db.Now = func() time.Time { return t0.Add(time.Hour) }
	if _, err := db.CloseCase(ctx, c.ID, "resolved", officer("c")); err != nil {
		t.Fatal(err)
	}
	if at := resolvedAt(c.ID); at == nil || !at.Equal(t0) {
		t.Errorf("closed, resolved at %v; want it kept", at)
	}
	if _, err := db.ReopenCase(ctx, c.ID, "Majikan ingkar janji pembayaran", officer("o")); err != nil {
		t.Fatal(err)
	}
	if at := resolvedAt(c.ID); at != nil {
		t.Errorf("reopened, resolved at %v; want none", at)
	}
	if _, err := db.ResolveCase(ctx, c.ID, "WAGES_PAID", 2_000_000, clerk("r2")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetCaseStep(ctx, c.ID, lindungi.CaseMediation, officer("m")); err != nil {
		t.Fatal(err)
	}
	if at := resolvedAt(c.ID); at != nil {
		t.Errorf("back in mediation, resolved at %v; want none", at)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE cases SET resolved_at = now() WHERE id = $1`, c.ID); err == nil {
		t.Error("a case in mediation took a resolution time")
	}
}
