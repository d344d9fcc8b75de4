package postgres_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/postgres"
)

// on sets the store's clock to 10.00 WIB on day (YYYY-MM-DD).
func on(t *testing.T, db *postgres.DB, day string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, day, lindungi.WIB)
	if err != nil {
		t.Fatal(err)
	}
	at := d.Add(10 * time.Hour)
	db.Now = func() time.Time { return at }
	return at
}

// journey registers a worker of unit with scheme on the first day, and
// records the journey's steps entered on the days given (step, day, ...).
func journey(t *testing.T, db *postgres.DB, nik, unit string, scheme lindungi.Scheme, steps ...string) lindungi.Worker {
	t.Helper()
	on(t, db, steps[1])
	nw := newWorker(nik, unit)
	nw.Scheme = scheme
	w, err := db.CreateWorker(t.Context(), nw, clerk("req-"+nik))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(steps); i += 2 {
		on(t, db, steps[i+1])
		if err := db.RecordStep(t.Context(), w.ID, i/2, lindungi.Step(steps[i]), "", clerk("req-step")); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// TestPlacementRecap counts the journeys of Kebumen and of Central Java in
// November 2026 as a person would from the days the steps were entered.
func TestPlacementRecap(t *testing.T) {
	db := openDB(t)
	ctx := t.Context()
	// Kebumen: A registered in October, verified and in training in
	// November, medical in December; B registered in November; D left in
	// October and came back in November; E registered and rejected in
	// November; F registered in December.
	journey(t, db, "3305011508950001", "3305", lindungi.SchemeP2P,
		"REGISTERED", "2026-10-20", "VERIFIED", "2026-11-03", "TRAINING", "2026-11-10", "MEDICAL", "2026-12-05")
	journey(t, db, "3305011508950002", "3305", lindungi.SchemeP2P, "REGISTERED", "2026-11-05")
	journey(t, db, "3305011508950003", "3305", lindungi.SchemeMandiri,
		"REGISTERED", "2026-09-01", "DEPARTED", "2026-10-01", "ABROAD", "2026-10-05", "RETURNED", "2026-11-25")
	journey(t, db, "3305011508950004", "3305", lindungi.SchemeG2G, "REGISTERED", "2026-11-02", "CLOSED", "2026-11-12")
	journey(t, db, "3305011508950005", "3305", lindungi.SchemeP2P, "REGISTERED", "2026-12-02")
	// Banyumas: C registered and departed in November. Cilacap: G
	// registered in November.
	journey(t, db, "3302011508950006", "3302", lindungi.SchemeG2G, "REGISTERED", "2026-11-06", "DEPARTED", "2026-11-20")
	journey(t, db, "3301011508950007", "3301", lindungi.SchemeP2P, "REGISTERED", "2026-11-10")
	// A provisional worker of Kebumen (from a complaint) has no journey.
	on(t, db, "2026-11-11")
	openCase(t, db, walkIn("3305"), "3305")

	nov := lindungi.Month{Year: 2026, Month: time.November}
	got, err := db.PlacementRecap(ctx, "3305", nov.Start(), nov.End())
	if err != nil {
		t.Fatal(err)
	}
	want := lindungi.PlacementRecap{Unit: "3305", Month: "2026-11", From: nov.Start(), To: nov.End(),
		Total: lindungi.PlacementRow{Registered: 2, Returned: 1, Active: 3},
		ByStep: []lindungi.StepRow{{Step: "REGISTERED", Entered: 2, AtEnd: 1}, {Step: "VERIFIED", Entered: 1},
			{Step: "TRAINING", Entered: 1, AtEnd: 1}, {Step: "RETURNED", Entered: 1, AtEnd: 1}, {Step: "CLOSED", Entered: 1, AtEnd: 1}},
		ByScheme: []lindungi.PlacementRow{{Key: "G2G", Registered: 1}, {Key: "MANDIRI", Returned: 1, Active: 1},
			{Key: "P2P", Registered: 1, Active: 2}},
		ByUnit: []lindungi.PlacementRow{{Key: "3305", Registered: 2, Returned: 1, Active: 3}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Kebumen, November (-want +got):\n%s", diff)
	}

	got, err = db.PlacementRecap(ctx, "33", nov.Start(), nov.End())
	if err != nil {
		t.Fatal(err)
	}
	wantUnits := []lindungi.PlacementRow{{Key: "3301", Registered: 1, Active: 1}, {Key: "3302", Registered: 1, Departed: 1, Active: 1},
		{Key: "3305", Registered: 2, Returned: 1, Active: 3}}
	if diff := cmp.Diff(wantUnits, got.ByUnit); diff != "" {
		t.Errorf("Central Java by unit (-want +got):\n%s", diff)
	}
	if want := (lindungi.PlacementRow{Registered: 4, Departed: 1, Returned: 1, Active: 5}); got.Total != want {
		t.Errorf("Central Java total = %+v, want %+v", got.Total, want)
	}

	// December so far (now, the 23rd): A moved to the medical check, F
	// registered; none entered anything else.
	dec := lindungi.Month{Year: 2026, Month: time.December}
	now := time.Date(2026, 12, 23, 9, 0, 0, 0, lindungi.WIB)
	got, err = db.PlacementRecap(ctx, "3305", dec.Start(), now)
	if err != nil {
		t.Fatal(err)
	}
	wantSteps := []lindungi.StepRow{{Step: "REGISTERED", Entered: 1, AtEnd: 2}, {Step: "MEDICAL", Entered: 1, AtEnd: 1},
		{Step: "RETURNED", AtEnd: 1}, {Step: "CLOSED", AtEnd: 1}}
	if diff := cmp.Diff(wantSteps, got.ByStep); diff != "" {
		t.Errorf("Kebumen, December by step (-want +got):\n%s", diff)
	}

	if _, err := db.PlacementRecap(ctx, "9999", nov.Start(), nov.End()); lindungi.ErrorCode(err) != lindungi.EINVALID {
		t.Errorf("an unknown unit: %v, want EINVALID", err)
	}
}

// TestComplaintRecap counts the complaints of Kebumen and of Central Java
// in November 2026: received by intake, resolved by the last resolution
// (a case reopened since counts no more), closed by closure, money by the
// cases resolved.
func TestComplaintRecap(t *testing.T) {
	db := openDB(t)
	ctx := t.Context()
	w := journey(t, db, "3305011508950001", "3305", lindungi.SchemeP2P, "REGISTERED", "2026-09-01")
	open := func(day string, nc lindungi.NewComplaint, owner string) lindungi.Case {
		on(t, db, day)
		return openCase(t, db, nc, owner)
	}
	resolve := func(day string, c lindungi.Case, money int64) {
		on(t, db, day)
		if _, err := db.ResolveCase(ctx, c.ID, "WAGES_PAID", money, clerk("req-resolve")); err != nil {
			t.Fatal(err)
		}
	}
	closeCase := func(day string, c lindungi.Case) {
		on(t, db, day)
		if _, err := db.CloseCase(ctx, c.ID, "Disetujui kepala seksi", clerk("req-close")); err != nil {
			t.Fatal(err)
		}
	}
	walkInKebumen := about(w, "3305", lindungi.CatJobFraud)
	walkInKebumen.Channel, walkInKebumen.Country = lindungi.ChannelWalkIn, ""

	k1 := open("2026-11-03", about(w, "3305", lindungi.CatUnpaidWages, lindungi.CatDocumentsWithheld), "3305")
	resolve("2026-11-15", k1, 15_000_000)
	closeCase("2026-11-20", k1)
	open("2026-11-10", walkInKebumen, "3305")
	k3 := open("2026-10-15", about(w, "3305"), "3305")
	resolve("2026-11-05", k3, 2_500_000)
	k4 := open("2026-10-01", about(w, "3305"), "3305")
	resolve("2026-10-20", k4, 1_000_000)
	closeCase("2026-11-02", k4)
	k5 := open("2026-11-12", about(w, "3305"), "3305")
	resolve("2026-11-14", k5, 500_000)
	closeCase("2026-11-16", k5)
	on(t, db, "2026-11-18")
	if _, err := db.ReopenCase(ctx, k5.ID, "Ada bukti baru dari keluarga", clerk("req-reopen")); err != nil {
		t.Fatal(err)
	}
	open("2026-12-02", about(w, "3305"), "3305")
	open("2026-11-04", about(w, "3302"), "3302")
	open("2026-11-09", about(w, "33", lindungi.CatTrafficking), "33")
	k9 := open("2026-11-20", about(w, "3305", lindungi.CatOverchargedFees), "3305")
	resolve("2026-12-03", k9, 7_000_000)

	nov := lindungi.Month{Year: 2026, Month: time.November}
	got, err := db.ComplaintRecap(ctx, "3305", nov.Start(), nov.End())
	if err != nil {
		t.Fatal(err)
	}
	hotlineTW := lindungi.RecapRow{Received: 3, Resolved: 2, Closed: 2, MoneyRecovered: 17_500_000}
	want := lindungi.ComplaintRecap{Unit: "3305", Month: "2026-11", From: nov.Start(), To: nov.End(),
		Total: lindungi.RecapRow{Received: 4, Resolved: 2, Closed: 2, MoneyRecovered: 17_500_000},
		ByCategory: []lindungi.RecapRow{
			{Key: "DOCUMENTS_WITHHELD", Received: 1, Resolved: 1, Closed: 1, MoneyRecovered: 15_000_000},
			{Key: "JOB_FRAUD", Received: 1},
			{Key: "OVERCHARGED_FEES", Received: 1},
			{Key: "UNPAID_WAGES", Received: 2, Resolved: 2, Closed: 2, MoneyRecovered: 17_500_000},
		},
		ByChannel: []lindungi.RecapRow{withKey("HOTLINE", hotlineTW), {Key: "WALK_IN", Received: 1}},
		ByCountry: []lindungi.RecapRow{{Key: "", Received: 1}, withKey("TW", hotlineTW)},
		ByUnit:    []lindungi.RecapRow{{Key: "3305", Received: 4, Resolved: 2, Closed: 2, MoneyRecovered: 17_500_000}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Kebumen, November (-want +got):\n%s", diff)
	}

	got, err = db.ComplaintRecap(ctx, "33", nov.Start(), nov.End())
	if err != nil {
		t.Fatal(err)
	}
	wantUnits := []lindungi.RecapRow{{Key: "33", Received: 1}, {Key: "3302", Received: 1},
		{Key: "3305", Received: 4, Resolved: 2, Closed: 2, MoneyRecovered: 17_500_000}}
	if diff := cmp.Diff(wantUnits, got.ByUnit); diff != "" {
		t.Errorf("Central Java by unit (-want +got):\n%s", diff)
	}
	if want := (lindungi.RecapRow{Received: 6, Resolved: 2, Closed: 2, MoneyRecovered: 17_500_000}); got.Total != want {
		t.Errorf("Central Java total = %+v, want %+v", got.Total, want)
	}

	// December: one received, and the case of November resolved with its
	// money.
	dec := lindungi.Month{Year: 2026, Month: time.December}
	got, err = db.ComplaintRecap(ctx, "3305", dec.Start(), dec.End())
	if err != nil {
		t.Fatal(err)
	}
	if want := (lindungi.RecapRow{Received: 1, Resolved: 1, MoneyRecovered: 7_000_000}); got.Total != want {
		t.Errorf("Kebumen, December total = %+v, want %+v", got.Total, want)
	}
}

func withKey(key string, r lindungi.RecapRow) lindungi.RecapRow {
	r.Key = key
	return r
}

// TestCountsMatchLists: the counts of an export are the lists' own queries
// counted, every page, within the same scope and filter.
func TestCountsMatchLists(t *testing.T) {
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	for i := range 7 {
		on(t, db, time.Date(2026, 11, 2+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
		openCase(t, db, about(w, []string{"3305", "3305", "3302"}[i%3]), []string{"3305", "3305", "3302"}[i%3])
	}
	kebumen := lindungi.Scope{Units: []string{"3305"}}
	openOnly := true
	for _, tc := range []struct {
		name  string
		scope lindungi.Scope
		f     lindungi.CaseFilter
		want  int
	}{
		{"Kebumen", kebumen, lindungi.CaseFilter{}, 5},
		{"Kebumen, open, one page of two", kebumen, lindungi.CaseFilter{Open: &openOnly, Limit: 2}, 5},
		{"Central Java, Banyumas only", lindungi.Scope{Units: []string{"33"}}, lindungi.CaseFilter{Unit: "3302"}, 2},
		{"Cilacap", lindungi.Scope{Units: []string{"3301"}}, lindungi.CaseFilter{}, 0},
	} {
		got, err := db.CountCases(ctx, tc.scope, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		all := tc.f
		all.Limit = 500
		listed, err := db.ListCases(ctx, tc.scope, all)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want || got != len(listed) {
			t.Errorf("%s: CountCases = %d, want %d (the list has %d)", tc.name, got, tc.want, len(listed))
		}
	}
	for i, unit := range []string{"3305", "3305", "3305", "3302"} {
		task := newTask(w, unit, t0.AddDate(0, 0, i))
		task.Step = lindungi.Step([]string{"REGISTERED", "VERIFIED", "TRAINING", "MEDICAL"}[i])
		task.ID = lindungi.TaskID(w.WorkflowID, task.Step, task.Kind, 0)
		createTask(t, db, task)
	}
	n, err := db.CountTasks(ctx, kebumen, lindungi.TaskFilter{Status: lindungi.TaskOpen})
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := db.ListTasks(ctx, kebumen, lindungi.TaskFilter{Status: lindungi.TaskOpen, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || n != len(tasks) {
		t.Errorf("CountTasks = %d, want 3 (the list has %d)", n, len(tasks))
	}
}
