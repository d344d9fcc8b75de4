package postgres_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/postgres"
)

// Personal data the tests put in complaints; none of it may reach the trail.
const (
	subjectName     = "Sri Wahyuni"
	subjectPhone    = "+6281311112222"
	complainantName = "Parmi Rahayu"
	complainantTel  = "+6285722223333"
	employerName    = "Tan Ah Kow"
	description     = "Gaji tidak dibayar selama tujuh bulan; paspor ditahan majikan di Johor."
)

// walkIn is a walk-in complaint at unit about a person the system has never
// seen, domiciled in Brebes (3329).
func walkIn(unit string) lindungi.NewComplaint {
	return lindungi.NewComplaint{
		Channel:     lindungi.ChannelWalkIn,
		Complainant: lindungi.Complainant{Name: complainantName, Relation: lindungi.ComplainantFamily, Phone: "0857-2222-3333"},
		Subject:     &lindungi.CaseSubject{Name: subjectName, Phone: "081311112222", DomicileUnit: "3329"},
		Categories:  []lindungi.CaseCategory{lindungi.CatUnpaidWages, lindungi.CatDocumentsWithheld},
		Country:     "MY", Employer: employerName, Description: description, Unit: unit,
	}
}

// about is a complaint about registered worker w.
func about(w lindungi.Worker, unit string, cats ...lindungi.CaseCategory) lindungi.NewComplaint {
	if len(cats) == 0 {
		cats = []lindungi.CaseCategory{lindungi.CatUnpaidWages}
	}
	return lindungi.NewComplaint{
		Channel:     lindungi.ChannelHotline,
		Complainant: lindungi.Complainant{Name: complainantName, Relation: lindungi.ComplainantSelf, Phone: complainantTel},
		WorkerID:    &w.ID, Categories: cats, Country: "TW", Description: description, Unit: unit,
	}
}

func openCase(t *testing.T, db *postgres.DB, nc lindungi.NewComplaint, owner string) lindungi.Case {
	t.Helper()
	c, err := db.CreateCase(t.Context(), nc, owner, clerk("req-case"))
	if err != nil {
		t.Fatalf("CreateCase(%+v): %v", nc, err)
	}
	return c
}

// noPersonalData fails when an audit event's before or after holds any of
// the personal values.
func noPersonalData(t *testing.T, db *postgres.DB, personal ...string) {
	t.Helper()
	var rows []struct {
		Action string  `db:"action"`
		Before *string `db:"before"`
		After  *string `db:"after"`
	}
	if err := db.SQL().SelectContext(t.Context(), &rows, `SELECT action, before::text AS before, after::text AS after FROM audit_events`); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		text := strings.ToLower(fmt.Sprint(deref(r.Before), " ", deref(r.After)))
		for _, p := range personal {
			if p != "" && strings.Contains(text, strings.ToLower(p)) {
				t.Errorf("%s event holds personal data %q: %s", r.Action, p, text)
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestCreateCaseWithProvisionalWorker(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c, err := db.CreateCase(ctx, walkIn("3329"), "3329", clerk("req-walk-in"))
	if err != nil {
		t.Fatalf("CreateCase: %v", err)
	}
	want := lindungi.Case{ID: c.ID, Number: "PGD-33-2026-000001", WorkerID: c.WorkerID, Channel: lindungi.ChannelWalkIn,
		Complainant: lindungi.Complainant{Name: complainantName, Relation: lindungi.ComplainantFamily, Phone: complainantTel},
		Categories:  []lindungi.CaseCategory{lindungi.CatUnpaidWages, lindungi.CatDocumentsWithheld}, Country: "MY",
		Employer: employerName, Description: description, RiskFlags: []string{}, IntakeUnit: "3329", OwnerUnit: "3329",
		Step: lindungi.CaseReceived, WorkflowID: lindungi.CaseWorkflowID(c.ID), ReceivedAt: t0, LastContactAt: t0,
		LastActionAt: t0, WorkerProvisional: true, ReadUnits: []string{}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("CreateCase (-want +got):\n%s", diff)
	}
	if found, err := db.FindCase(ctx, c.ID); err != nil || !cmp.Equal(c, found) {
		t.Errorf("FindCase = %+v, %v; want what CreateCase returned (%s)", found, err, cmp.Diff(c, found))
	}
	if _, err := db.FindCase(ctx, uuid.New()); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("FindCase of an unknown ID: %v, want %s", err, lindungi.ENOTFOUND)
	}

	// The provisional worker has no NIK, birth date, scheme or journey.
	w, err := db.FindWorker(ctx, c.WorkerID)
	if err != nil {
		t.Fatalf("FindWorker(provisional): %v", err)
	}
	if w.NIK != "" || w.BirthDate != "" || w.Scheme != "" || w.JourneyStep != "" || w.WorkflowID != "" ||
		w.Name != subjectName || w.Phone != subjectPhone || w.DomicileUnit != "3329" {
		t.Errorf("provisional worker = %+v; want the subject's name, phone and district, nothing else", w)
	}
	var nulls int
	if err := db.SQL().GetContext(ctx, &nulls, `SELECT count(*) FROM workers
WHERE id = $1 AND provisional AND nik IS NULL AND birth_date IS NULL AND merged_into IS NULL`, c.WorkerID); err != nil || nulls != 1 {
		t.Errorf("provisional row with NULL nik and birth_date: %d, %v", nulls, err)
	}
	// The journey reconciler leaves provisional workers alone.
	if missing, err := db.WorkersWithoutJourney(ctx, t0.Add(time.Hour), 10); err != nil || len(missing) != 0 {
		t.Errorf("WorkersWithoutJourney = %v, %v; want no provisional worker", missing, err)
	}
	// A second unknown person without NIK is fine: NULL NIKs do not collide.
	openCase(t, db, walkIn("3329"), "3329")

	prov := auditEvents(t, db, "worker.provisional")
	open := auditEvents(t, db, "case.open")
	if len(prov) != 2 || len(open) != 2 {
		t.Fatalf("%d worker.provisional and %d case.open events, want 2 each", len(prov), len(open))
	}
	if ev := prov[0]; ev.SubjectID != c.WorkerID.String() || ev.WorkerID != c.WorkerID.String() || ev.Actor != "user:siti" ||
		!cmp.Equal(ev.After, map[string]any{"domicile_unit": "3329", "provisional": true, "case_id": c.ID.String(),
			"fields": []any{"name", "phone"}}) {
		t.Errorf("worker.provisional = %+v", ev)
	}
	wantOpen := map[string]any{"number": "PGD-33-2026-000001", "channel": "WALK_IN", "relation": "FAMILY", "power_of_attorney": false,
		"categories": []any{"UNPAID_WAGES", "DOCUMENTS_WITHHELD"}, "risk_flags": []any{}, "high_risk": false, "country": "MY",
		"intake_unit": "3329", "owner_unit": "3329", "step": "RECEIVED", "worker_provisional": true,
		"fields": []any{"complainant.name", "complainant.phone", "description", "employer"}}
	if ev := open[0]; ev.SubjectType != "case" || ev.SubjectID != c.ID.String() || ev.WorkerID != c.WorkerID.String() ||
		ev.RequestID != "req-walk-in" || !ev.OccurredAt.Equal(t0) {
		t.Errorf("case.open = %+v", ev)
	} else if diff := cmp.Diff(wantOpen, ev.After); diff != "" {
		t.Errorf("case.open after (-want +got):\n%s", diff)
	}
	noPersonalData(t, db, subjectName, subjectPhone, "081311112222", complainantName, complainantTel, employerName, "Johor", "Gaji")
}

func TestCreateCaseForKnownWorkers(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w := register(t, db, "3305011508950001", "3305")
	c := openCase(t, db, about(w, "3305", lindungi.CatTrafficking), "33")
	if c.WorkerID != w.ID || c.WorkerProvisional || !c.HighRisk || c.OwnerUnit != "33" || c.IntakeUnit != "3305" ||
		!slices.Equal(c.ReadUnits, []string{"3305"}) {
		t.Errorf("case about a registered worker = %+v; want the worker, high risk, owned by 33, readable by the intake 3305", c)
	}
	if n := count(t, db, `SELECT count(*) FROM workers`); n != 1 {
		t.Errorf("%d workers after a complaint about a registered one, want 1", n)
	}

	unknown := uuid.New()
	nc := about(w, "3305")
	nc.WorkerID = &unknown
	if _, err := db.CreateCase(ctx, nc, "3305", clerk("r")); !isInvalid(err, "worker_id") {
		t.Errorf("CreateCase for an unknown worker: %v, want EINVALID naming worker_id", err)
	}

	// A subject whose NIK is known must be linked by worker_id instead.
	known := walkIn("3305")
	known.Subject.NIK, known.Subject.DomicileUnit = w.NIK, "3305"
	_, err := db.CreateCase(ctx, known, "3305", clerk("r"))
	if code, fields := errorFields(err); code != lindungi.ECONFLICT || !slices.Equal(fields, []string{"subject.nik"}) {
		t.Errorf("CreateCase with a registered NIK: %v, want ECONFLICT naming subject.nik", err)
	}
	withNIK := walkIn("3305")
	withNIK.Subject.NIK, withNIK.Subject.BirthDate = "3329015507990003", "1999-07-15"
	p := openCase(t, db, withNIK, "3305")
	if _, err := db.CreateCase(ctx, withNIK, "3305", clerk("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("a second provisional worker with the same NIK: %v, want ECONFLICT", err)
	}
	pw, err := db.FindWorker(ctx, p.WorkerID)
	if err != nil || pw.NIK != "3329015507990003" || pw.BirthDate != "1999-07-15" {
		t.Errorf("provisional worker with NIK = %+v, %v", pw, err)
	}
	// The person registers later with that NIK: allowed, then merged.
	registered := register(t, db, "3329015507990003", "3329")
	if registered.ID == p.WorkerID {
		t.Fatal("registration reused the provisional row")
	}

	bad := walkIn("3399")
	if _, err := db.CreateCase(ctx, bad, "3399", clerk("r")); !isInvalid(err, "unit") {
		t.Errorf("CreateCase at an unknown unit: %v, want EINVALID naming unit", err)
	}
	bad = walkIn("3329")
	bad.Subject.DomicileUnit = "3399"
	if _, err := db.CreateCase(ctx, bad, "3329", clerk("r")); !isInvalid(err, "subject.domicile_unit") {
		t.Errorf("CreateCase with an unknown district: %v, want EINVALID naming subject.domicile_unit", err)
	}
	bad = walkIn("3329")
	bad.Description, bad.Channel = "short", "FAX"
	if _, err := db.CreateCase(ctx, bad, "3329", clerk("r")); !isInvalid(err, "channel", "description") {
		t.Errorf("CreateCase with bad fields: %v, want EINVALID naming channel and description", err)
	}
}

func isInvalid(err error, fields ...string) bool {
	code, got := errorFields(err)
	return code == lindungi.EINVALID && slices.Equal(got, fields)
}

func TestCaseNumbersPerProvinceAndYear(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	var got []string
	for _, unit := range []string{"3329", "3305", "33", "ID", "ID"} {
		got = append(got, openCase(t, db, walkIn(unit), unit).Number)
	}
	db.Now = func() time.Time { return time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC) } // 2027-01-01 00:00 WIB
	got = append(got, openCase(t, db, walkIn("3301"), "3301").Number, openCase(t, db, walkIn("ID"), "ID").Number)
	want := []string{"PGD-33-2026-000001", "PGD-33-2026-000002", "PGD-33-2026-000003", "PGD-ID-2026-000001",
		"PGD-ID-2026-000002", "PGD-33-2027-000001", "PGD-ID-2027-000001"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("case numbers (-want +got):\n%s", diff)
	}
}

func TestCreateCaseRollsBackWholly(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	answered, _ := reserve(t, db, "k1", "POST /v1/cases", http.StatusCreated)
	c, err := db.CreateCase(answered, walkIn("3329"), "3329", clerk("r1"))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.FindResponse(ctx, "user:siti", "k1")
	if err != nil || stored.Status != 201 || !strings.Contains(string(stored.Body), c.ID.String()) {
		t.Errorf("stored answer = %+v, %v; want 201 with the case", stored, err)
	}
	// The same reservation again, done now, fails at the end of the
	// transaction: nothing of it stays.
	before := len(auditEvents(t, db, ""))
	if _, err := db.CreateCase(answered, walkIn("3329"), "3329", clerk("r2")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Fatalf("second CreateCase with the reservation: %v, want ECONFLICT", err)
	}
	if n := count(t, db, `SELECT count(*) FROM cases`); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM workers`); n != 1 {
		t.Errorf("%d workers, want 1: the failed intake left its provisional worker", n)
	}
	if after := len(auditEvents(t, db, "")); after != before {
		t.Errorf("%d audit events after a failed intake, want %d", after, before)
	}
	if _, err := db.CreateCase(ctx, walkIn("3329"), "9999", clerk("r3")); !isInvalid(err, "owner_unit") {
		t.Errorf("CreateCase with an unknown owner: %v, want EINVALID naming owner_unit", err)
	}
	// The number taken by the failed intake is given again: no gaps.
	if c := openCase(t, db, walkIn("3329"), "3329"); c.Number != "PGD-33-2026-000002" {
		t.Errorf("next number %s, want PGD-33-2026-000002", c.Number)
	}
	if rep, err := db.VerifyAudit(ctx, nil); err != nil || !rep.OK {
		t.Errorf("VerifyAudit = %+v, %v; want the chain intact", rep, err)
	}
}

func TestSetCaseStep(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3329"), "3329")
	db.Now = func() time.Time { return t0.Add(2 * time.Hour) }
	got, err := db.SetCaseStep(ctx, c.ID, lindungi.CaseVerification, officer("req-verify"))
	if err != nil || got.Step != lindungi.CaseVerification || !got.LastActionAt.Equal(t0.Add(2*time.Hour)) || !got.LastContactAt.Equal(t0) {
		t.Fatalf("SetCaseStep = %+v, %v; want VERIFICATION, last action at t0+2h, last contact unchanged", got, err)
	}
	if again, err := db.SetCaseStep(ctx, c.ID, lindungi.CaseVerification, officer("req-verify")); err != nil || !cmp.Equal(again, got) {
		t.Errorf("SetCaseStep again = %+v, %v; want the case unchanged", again, err)
	}
	evs := auditEvents(t, db, "case.step")
	if len(evs) != 1 || evs[0].Before["step"] != "RECEIVED" || evs[0].After["step"] != "VERIFICATION" || evs[0].Actor != "user:budi" {
		t.Errorf("case.step events = %+v; want one, RECEIVED to VERIFICATION by user:budi", evs)
	}
	for _, step := range []lindungi.CaseStep{lindungi.CaseResolved, lindungi.CaseClosed, "DONE"} {
		if _, err := db.SetCaseStep(ctx, c.ID, step, officer("r")); !isInvalid(err, "step") {
			t.Errorf("SetCaseStep(%s): %v, want EINVALID naming step", step, err)
		}
	}
	if _, err := db.SetCaseStep(ctx, uuid.New(), lindungi.CaseMediation, officer("r")); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("SetCaseStep of an unknown case: %v, want ENOTFOUND", err)
	}
	if _, err := db.CloseCase(ctx, c.ID, "art30c: complainant unreachable", officer("r")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetCaseStep(ctx, c.ID, lindungi.CaseMediation, officer("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("SetCaseStep of a closed case: %v, want ECONFLICT", err)
	}
}

func TestCaseContactsAndClosureClocks(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3329"), "3329")
	t1, t2 := t0.Add(24*time.Hour), t0.Add(48*time.Hour)
	got, err := db.LogCaseContact(ctx, c.ID, t1, clerk("req-contact"))
	if err != nil || !got.LastContactAt.Equal(t1) || !got.LastActionAt.Equal(t1) {
		t.Fatalf("LogCaseContact = %+v, %v; want last contact and action at t1", got, err)
	}
	// A retried activity, or an older contact, changes nothing.
	for _, at := range []time.Time{t1, t0} {
		if again, err := db.LogCaseContact(ctx, c.ID, at, clerk("req-contact")); err != nil || !cmp.Equal(again, got) {
			t.Errorf("LogCaseContact(%v) again = %+v, %v; want unchanged", at, again, err)
		}
	}
	got, err = db.MarkInfoRequested(ctx, c.ID, t2, clerk("req-info"))
	if err != nil || got.InfoRequestedAt == nil || !got.InfoRequestedAt.Equal(t2) || !got.LastActionAt.Equal(t2) || !got.LastContactAt.Equal(t1) {
		t.Errorf("MarkInfoRequested = %+v, %v; want info requested and last action at t2", got, err)
	}
	got, err = db.MarkToldUnresolvable(ctx, c.ID, t1, clerk("req-told"))
	if err != nil || got.ToldUnresolvableAt == nil || !got.ToldUnresolvableAt.Equal(t1) || !got.LastActionAt.Equal(t2) {
		t.Errorf("MarkToldUnresolvable(t1) = %+v, %v; want told at t1, last action still t2", got, err)
	}
	for action, n := range map[string]int{"case.contact": 1, "case.info_requested": 1, "case.told_unresolvable": 1} {
		if evs := auditEvents(t, db, action); len(evs) != n {
			t.Errorf("%d %s events, want %d", len(evs), action, n)
		}
	}
	if ev := auditEvents(t, db, "case.contact")[0]; ev.After["last_contact_at"] == nil || ev.Before["last_contact_at"] == nil {
		t.Errorf("case.contact = %+v; want the times before and after", ev)
	}
	if _, err := db.LogCaseContact(ctx, c.ID, time.Time{}, clerk("r")); !isInvalid(err, "at") {
		t.Errorf("LogCaseContact without a time: %v, want EINVALID naming at", err)
	}
}

func TestSetCaseOwner(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3329"), "3329")
	got, err := db.SetCaseOwner(ctx, c.ID, "33", "escalated: handling deadline passed", clerk("req-esc"))
	if err != nil || got.OwnerUnit != "33" || !slices.Equal(got.ReadUnits, []string{"3329"}) {
		t.Fatalf("SetCaseOwner = %+v, %v; want owner 33 and the intake unit still reading", got, err)
	}
	if again, err := db.SetCaseOwner(ctx, c.ID, "33", "escalated: handling deadline passed", clerk("req-esc")); err != nil || !cmp.Equal(again, got) {
		t.Errorf("SetCaseOwner again = %+v, %v; want unchanged", again, err)
	}
	evs := auditEvents(t, db, "case.owner")
	if len(evs) != 1 || evs[0].Before["owner_unit"] != "3329" || evs[0].After["owner_unit"] != "33" ||
		evs[0].After["reason"] != "escalated: handling deadline passed" {
		t.Errorf("case.owner events = %+v", evs)
	}
	if _, err := db.SetCaseOwner(ctx, c.ID, "3399", "x", clerk("r")); !isInvalid(err, "unit") {
		t.Errorf("SetCaseOwner to an unknown unit: %v, want EINVALID naming unit", err)
	}
}

func TestResolveCloseAndReopen(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3329"), "3329")
	got, err := db.ResolveCase(ctx, c.ID, "WAGES_PAID", 42_000_000, clerk("req-resolve"))
	if err != nil || got.Step != lindungi.CaseResolved || got.Resolution != "WAGES_PAID" || got.MoneyRecovered != 42_000_000 {
		t.Fatalf("ResolveCase = %+v, %v", got, err)
	}
	if again, err := db.ResolveCase(ctx, c.ID, "WAGES_PAID", 42_000_000, clerk("req-resolve")); err != nil || !cmp.Equal(again, got) {
		t.Errorf("ResolveCase again = %v; want unchanged", err)
	}
	if _, err := db.ResolveCase(ctx, c.ID, "WAGES_PAID", 1, clerk("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("ResolveCase with another outcome: %v, want ECONFLICT", err)
	}
	if _, err := db.ResolveCase(ctx, c.ID, " ", -1, clerk("r")); !isInvalid(err, "resolution", "money_recovered_idr") {
		t.Errorf("ResolveCase without outcome, negative money: %v", err)
	}
	ev := auditEvents(t, db, "case.resolve")
	if len(ev) != 1 || !cmp.Equal(ev[0].After, map[string]any{"step": "RESOLVED", "resolution": "WAGES_PAID", "money_recovered_idr": 42_000_000.0}) {
		t.Errorf("case.resolve events = %+v", ev)
	}

	db.Now = func() time.Time { return t0.Add(time.Hour) }
	closed, err := db.CloseCase(ctx, c.ID, "resolved", officer("req-close"))
	if err != nil || closed.Step != lindungi.CaseClosed || closed.ClosedAt == nil || !closed.ClosedAt.Equal(t0.Add(time.Hour)) || closed.ClosedReason != "resolved" {
		t.Fatalf("CloseCase = %+v, %v", closed, err)
	}
	if again, err := db.CloseCase(ctx, c.ID, "resolved", officer("req-close")); err != nil || !cmp.Equal(again, closed) {
		t.Errorf("CloseCase again = %v; want unchanged", err)
	}
	if _, err := db.CloseCase(ctx, c.ID, "art30c: unreachable", officer("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("CloseCase for another reason: %v, want ECONFLICT", err)
	}
	if _, err := db.ResolveCase(ctx, c.ID, "OTHER", 0, clerk("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("ResolveCase of a closed case: %v, want ECONFLICT", err)
	}
	if _, err := db.CloseCase(ctx, c.ID, "no", officer("r")); !isInvalid(err, "reason") {
		t.Errorf("CloseCase with a short reason: %v, want EINVALID", err)
	}

	// A case resolved then closed reopens at VERIFICATION.
	reopened, err := db.ReopenCase(ctx, c.ID, "Majikan ingkar janji pembayaran", officer("req-reopen"))
	if err != nil || reopened.Step != lindungi.CaseVerification || reopened.ClosedAt != nil || reopened.ClosedReason != "" {
		t.Fatalf("ReopenCase = %+v, %v; want VERIFICATION, not closed", reopened, err)
	}
	if again, err := db.ReopenCase(ctx, c.ID, "Majikan ingkar janji pembayaran", officer("req-reopen")); err != nil || !cmp.Equal(again, reopened) {
		t.Errorf("ReopenCase again = %v; want unchanged", err)
	}
	if _, err := db.ReopenCase(ctx, c.ID, "Alasan lain sekali", officer("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("ReopenCase of an open case: %v, want ECONFLICT", err)
	}
	// A case closed in mediation reopens in mediation.
	if _, err := db.SetCaseStep(ctx, c.ID, lindungi.CaseMediation, officer("r")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CloseCase(ctx, c.ID, "art30c: unreachable", officer("r")); err != nil {
		t.Fatal(err)
	}
	if again, err := db.ReopenCase(ctx, c.ID, "Pengadu dapat dihubungi lagi", officer("r")); err != nil || again.Step != lindungi.CaseMediation {
		t.Errorf("ReopenCase after closing in mediation = %+v, %v; want MEDIATION", again, err)
	}
	closes, reopens := auditEvents(t, db, "case.close"), auditEvents(t, db, "case.reopen")
	if len(closes) != 2 || len(reopens) != 2 || closes[0].Before["step"] != "RESOLVED" || closes[0].After["reason"] != "resolved" ||
		reopens[0].After["step"] != "VERIFICATION" || reopens[1].After["step"] != "MEDIATION" {
		t.Errorf("case.close %+v, case.reopen %+v", closes, reopens)
	}
}

func TestReferrals(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3329"), "3329")

	_, err := db.CreateReferral(ctx, c.ID, "33", "", false, "", clerk("r"))
	if !isInvalid(err, "consent") {
		t.Errorf("referral without consent or override: %v, want EINVALID naming consent", err)
	}
	if _, err := db.CreateReferral(ctx, c.ID, "33", "Polda Jawa Tengah", true, "", clerk("r")); !isInvalid(err, "to_unit") {
		t.Errorf("referral to a unit and an agency: %v, want EINVALID naming to_unit", err)
	}
	if _, err := db.CreateReferral(ctx, c.ID, "9999", "", true, "", clerk("r")); !isInvalid(err, "to_unit") {
		t.Errorf("referral to an unknown unit: %v, want EINVALID naming to_unit", err)
	}
	if n := count(t, db, `SELECT count(*) FROM case_referrals`); n != 0 {
		t.Fatalf("%d referrals stored after refusals", n)
	}

	ref, err := db.CreateReferral(ctx, c.ID, "33", "", false, "Korban TPPO, keluarga tidak dapat dihubungi", officer("req-refer"))
	if err != nil || ref.Status != lindungi.ReferralPending || ref.FromUnit != "3329" || ref.ToUnit != "33" || ref.Consent ||
		ref.OverrideReason != "Korban TPPO, keluarga tidak dapat dihubungi" || ref.CreatedBy != "user:budi" {
		t.Fatalf("CreateReferral with override = %+v, %v", ref, err)
	}
	if again, err := db.CreateReferral(ctx, c.ID, "33", "", false, "Korban TPPO, keluarga tidak dapat dihubungi", officer("req-refer")); err != nil || again.ID != ref.ID {
		t.Errorf("CreateReferral retried = %+v, %v; want the same referral", again, err)
	}
	if _, err := db.CreateReferral(ctx, c.ID, "3301", "", true, "", officer("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("a second referral to a unit while one waits: %v, want ECONFLICT", err)
	}
	pc, _ := db.FindCase(ctx, c.ID)
	if pc.OwnerUnit != "3329" || pc.Step != lindungi.CaseReceived || !slices.Equal(pc.ReadUnits, []string{"33"}) {
		t.Errorf("case with a pending referral = owner %s, step %s, read %v; want 3329, RECEIVED, [33]", pc.OwnerUnit, pc.Step, pc.ReadUnits)
	}

	accepted, err := db.DecideReferral(ctx, ref.ID, true, "Diterima BP3MI", clerk("req-accept"))
	if err != nil || accepted.Status != lindungi.ReferralAccepted || accepted.DecidedBy != "user:siti" || accepted.DecidedAt == nil || accepted.Reason != "Diterima BP3MI" {
		t.Fatalf("DecideReferral = %+v, %v", accepted, err)
	}
	pc, _ = db.FindCase(ctx, c.ID)
	if pc.OwnerUnit != "33" || pc.Step != lindungi.CaseReferred || !slices.Equal(pc.ReadUnits, []string{"3329"}) {
		t.Errorf("case after acceptance = owner %s, step %s, read %v; want 33, REFERRED, the referring unit 3329 reading", pc.OwnerUnit, pc.Step, pc.ReadUnits)
	}
	// Decided once: a retry of the same decision changes nothing; any other is refused.
	if again, err := db.DecideReferral(ctx, ref.ID, true, "Diterima BP3MI", clerk("req-accept")); err != nil || !cmp.Equal(again, accepted) {
		t.Errorf("DecideReferral retried = %+v, %v; want unchanged", again, err)
	}
	for _, tt := range []struct {
		accept bool
		ev     lindungi.Event
	}{{false, clerk("r")}, {true, officer("r")}} {
		if _, err := db.DecideReferral(ctx, ref.ID, tt.accept, "Diterima BP3MI", tt.ev); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
			t.Errorf("DecideReferral(%v by %s) of a decided referral: %v, want ECONFLICT", tt.accept, tt.ev.Actor, err)
		}
	}
	if _, err := db.DecideReferral(ctx, uuid.New(), true, "", clerk("r")); lindungi.ErrorCode(err) != lindungi.ENOTFOUND {
		t.Errorf("DecideReferral of an unknown referral: %v, want ENOTFOUND", err)
	}

	// A referral to an outside agency hands the case over at once; a rejected
	// referral to a unit leaves the case and takes the unit's reading away.
	db.Now = func() time.Time { return t0.Add(time.Hour) }
	agency, err := db.CreateReferral(ctx, c.ID, "", "  Polda  Jawa Tengah ", true, "ignored with consent", clerk("req-agency"))
	if err != nil || agency.ToAgency != "Polda Jawa Tengah" || agency.OverrideReason != "" || agency.FromUnit != "33" {
		t.Fatalf("CreateReferral to an agency = %+v, %v", agency, err)
	}
	db.Now = func() time.Time { return t0.Add(2 * time.Hour) }
	toKendal, err := db.CreateReferral(ctx, c.ID, "3324", "", true, "", clerk("req-kendal"))
	if err != nil {
		t.Fatal(err)
	}
	pc, _ = db.FindCase(ctx, c.ID)
	if !slices.Equal(pc.ReadUnits, []string{"3324", "3329"}) {
		t.Errorf("read units with a pending referral to 3324 = %v", pc.ReadUnits)
	}
	if _, err := db.DecideReferral(ctx, toKendal.ID, false, "Bukan wilayah kami", officer("req-reject")); err != nil {
		t.Fatal(err)
	}
	pc, _ = db.FindCase(ctx, c.ID)
	if pc.OwnerUnit != "33" || !slices.Equal(pc.ReadUnits, []string{"3329"}) {
		t.Errorf("case after a rejected referral = owner %s, read %v; want 33 and [3329]", pc.OwnerUnit, pc.ReadUnits)
	}
	refs, err := db.ListReferrals(ctx, c.ID)
	if err != nil || len(refs) != 3 || refs[0].ID != ref.ID || refs[2].Status != lindungi.ReferralRejected {
		t.Errorf("ListReferrals = %+v, %v", refs, err)
	}
	var actions []string
	for _, ev := range auditEvents(t, db, "") {
		if strings.HasPrefix(ev.Action, "case.ref") {
			actions = append(actions, ev.Action)
		}
	}
	if diff := cmp.Diff([]string{"case.refer", "case.referral.accept", "case.refer", "case.refer", "case.referral.reject"}, actions); diff != "" {
		t.Errorf("referral events (-want +got):\n%s", diff)
	}
	if ev := auditEvents(t, db, "case.referral.accept")[0]; ev.Before["owner_unit"] != "3329" || ev.After["owner_unit"] != "33" || ev.After["step"] != "REFERRED" {
		t.Errorf("case.referral.accept = %+v", ev)
	}
}

func TestTransfers(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	c := openCase(t, db, walkIn("3329"), "3329")
	tr, err := db.CreateTransfer(ctx, c.ID, "33", "Perlu penanganan BP3MI", clerk("req-transfer"))
	if err != nil || tr.Status != lindungi.ReferralPending || tr.FromUnit != "3329" || tr.ToUnit != "33" {
		t.Fatalf("CreateTransfer = %+v, %v", tr, err)
	}
	if _, err := db.CreateTransfer(ctx, c.ID, "3301", "", clerk("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("a second transfer while one waits: %v, want ECONFLICT", err)
	}
	pc, _ := db.FindCase(ctx, c.ID)
	if pc.OwnerUnit != "3329" || !slices.Equal(pc.ReadUnits, []string{"33"}) {
		t.Errorf("case with a pending transfer: owner %s, read %v; want 3329 until acceptance, 33 reading", pc.OwnerUnit, pc.ReadUnits)
	}
	rejected, err := db.DecideTransfer(ctx, tr.ID, false, "Kapasitas penuh", officer("req-reject"))
	if err != nil || rejected.Status != lindungi.ReferralRejected || rejected.Decision != "Kapasitas penuh" {
		t.Fatalf("DecideTransfer(reject) = %+v, %v", rejected, err)
	}
	pc, _ = db.FindCase(ctx, c.ID)
	if pc.OwnerUnit != "3329" || len(pc.ReadUnits) != 0 {
		t.Errorf("case after a rejected transfer: owner %s, read %v; want 3329, none", pc.OwnerUnit, pc.ReadUnits)
	}
	if _, err := db.DecideTransfer(ctx, tr.ID, true, "", officer("r")); lindungi.ErrorCode(err) != lindungi.ECONFLICT {
		t.Errorf("accepting a rejected transfer: %v, want ECONFLICT", err)
	}

	db.Now = func() time.Time { return t0.Add(time.Hour) }
	tr2, err := db.CreateTransfer(ctx, c.ID, "33", "", clerk("req-transfer-2"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideTransfer(ctx, tr2.ID, true, "", officer("req-accept")); err != nil {
		t.Fatal(err)
	}
	pc, _ = db.FindCase(ctx, c.ID)
	if pc.OwnerUnit != "33" || !slices.Equal(pc.ReadUnits, []string{"3329"}) {
		t.Errorf("case after an accepted transfer: owner %s, read %v; want 33, the intake 3329 reading", pc.OwnerUnit, pc.ReadUnits)
	}
	if _, err := db.CreateTransfer(ctx, c.ID, "33", "", clerk("r")); !isInvalid(err, "to_unit") {
		t.Errorf("transfer to the owner: %v, want EINVALID naming to_unit", err)
	}
	if ts, err := db.ListTransfers(ctx, c.ID); err != nil || len(ts) != 2 || ts[1].Status != lindungi.ReferralAccepted {
		t.Errorf("ListTransfers = %+v, %v", ts, err)
	}
	if ev := auditEvents(t, db, "case.transfer.accept"); len(ev) != 1 || ev[0].Before["owner_unit"] != "3329" || ev[0].After["owner_unit"] != "33" {
		t.Errorf("case.transfer.accept = %+v", ev)
	}
	if ev := auditEvents(t, db, "case.transfer.reject"); len(ev) != 1 || ev[0].After["owner_unit"] != nil {
		t.Errorf("case.transfer.reject = %+v; want no owner change", ev)
	}
}

// caseIDs returns the numbers of cases, in order.
func caseNumbers(cs []lindungi.Case) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Number)
	}
	return out
}

func TestListCases(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	at := func(h int) { db.Now = func() time.Time { return t0.Add(time.Duration(h) * time.Hour) } }
	w := register(t, db, "3305011508950001", "3305")
	kebumen := openCase(t, db, about(w, "3305"), "3305") // 000001
	at(1)
	cilacap := openCase(t, db, walkIn("3301"), "3301") // 000002
	at(2)
	referred := openCase(t, db, walkIn("3301"), "3301") // 000003: Cilacap refers it to Kebumen
	if _, err := db.CreateReferral(ctx, referred.ID, "3305", "", true, "", clerk("r")); err != nil {
		t.Fatal(err)
	}
	ref, _ := db.ListReferrals(ctx, referred.ID)
	if _, err := db.DecideReferral(ctx, ref[0].ID, true, "", clerk("r")); err != nil {
		t.Fatal(err)
	}
	at(3)
	tppo := openCase(t, db, about(w, "3305", lindungi.CatTrafficking), "33") // 000004: owned by the province
	at(4)
	closed := openCase(t, db, walkIn("3329"), "3329") // 000005
	if _, err := db.CloseCase(ctx, closed.ID, "art30a: documents incomplete", officer("r")); err != nil {
		t.Fatal(err)
	}
	// An overdue handling task of the Kebumen case.
	if _, err := db.CreateTask(ctx, lindungi.Task{ID: uuid.New(), WorkflowID: kebumen.WorkflowID, WorkerID: w.ID,
		Kind: lindungi.TaskCaseHandling, Step: lindungi.StepCase, Unit: "3305", RouteRule: "test", DueAt: t0.Add(24 * time.Hour),
		DueDate: "2026-12-24"}, clerk("r")); err != nil {
		t.Fatal(err)
	}
	// An escalated (not overdue) handling task of the Cilacap case.
	if _, err := db.CreateTask(ctx, lindungi.Task{ID: uuid.New(), WorkflowID: cilacap.WorkflowID, WorkerID: w.ID,
		Kind: lindungi.TaskCaseHandling, Step: lindungi.StepCase, Unit: "33", Level: 1, RouteRule: "test", DueAt: t0.Add(240 * time.Hour),
		DueDate: "2027-01-02"}, clerk("r")); err != nil {
		t.Fatal(err)
	}

	now := t0.Add(72 * time.Hour) // 2026-12-26 08:00 WIB
	list := func(scope lindungi.Scope, f lindungi.CaseFilter) []string {
		t.Helper()
		f.Now = now
		cs, err := db.ListCases(ctx, scope, f)
		if err != nil {
			t.Fatalf("ListCases(%v, %+v): %v", scope, f, err)
		}
		return caseNumbers(cs)
	}
	units := func(u ...string) lindungi.Scope { return lindungi.Scope{Units: u} }
	yes, no := true, false
	n := func(i ...int) []string {
		out := []string{}
		for _, x := range i {
			out = append(out, fmt.Sprintf("PGD-33-2026-%06d", x))
		}
		return out
	}
	for _, tt := range []struct {
		name  string
		scope lindungi.Scope
		f     lindungi.CaseFilter
		want  []string
	}{
		{"Kebumen: its own, the one referred to it, the one it gave the province", units("3305"), lindungi.CaseFilter{}, n(1, 3, 4)},
		{"Cilacap: its own and the one it referred", units("3301"), lindungi.CaseFilter{}, n(2, 3)},
		{"step filter within Kebumen's reach", units("3305"), lindungi.CaseFilter{Step: lindungi.CaseReceived}, n(1, 4)},
		{"Brebes: its closed case", units("3329"), lindungi.CaseFilter{}, n(5)},
		{"Pati: nothing", units("3318"), lindungi.CaseFilter{}, n()},
		{"the province: all", units("33"), lindungi.CaseFilter{}, n(1, 2, 3, 4, 5)},
		{"national: all", units("ID"), lindungi.CaseFilter{}, n(1, 2, 3, 4, 5)},
		{"a record delegation", lindungi.Scope{Workers: []uuid.UUID{w.ID}}, lindungi.CaseFilter{}, n(1, 4)},
		{"open", units("33"), lindungi.CaseFilter{Open: &yes}, n(1, 2, 3, 4)},
		{"closed", units("33"), lindungi.CaseFilter{Open: &no}, n(5)},
		{"step", units("33"), lindungi.CaseFilter{Step: lindungi.CaseReferred}, n(3)},
		{"owned at or below Kebumen", units("33"), lindungi.CaseFilter{Unit: "3305"}, n(1, 3)},
		{"owned at or below the province", units("33"), lindungi.CaseFilter{Unit: "33"}, n(1, 2, 3, 4, 5)},
		{"category", units("33"), lindungi.CaseFilter{Category: lindungi.CatTrafficking}, n(4)},
		{"overdue", units("33"), lindungi.CaseFilter{Overdue: true}, n(1)},
		{"escalated", units("33"), lindungi.CaseFilter{Escalated: true}, n(2)},
		{"received on the day (WIB)", units("33"), lindungi.CaseFilter{ReceivedFrom: "2026-12-23", ReceivedTo: "2026-12-23"}, n(1, 2, 3, 4, 5)},
		{"received from the day after", units("33"), lindungi.CaseFilter{ReceivedFrom: "2026-12-24"}, n()},
		{"received up to the day before", units("33"), lindungi.CaseFilter{ReceivedTo: "2026-12-22"}, n()},
		{"closed on the day", units("33"), lindungi.CaseFilter{ClosedFrom: "2026-12-23", ClosedTo: "2026-12-31"}, n(5)},
		{"resolved: none yet", units("33"), lindungi.CaseFilter{ResolvedFrom: "2026-12-01"}, n()},
		{"idle 3 days", units("33"), lindungi.CaseFilter{IdleDays: 3}, n(1, 2, 3, 4, 5)},
		{"idle 3 days, open", units("33"), lindungi.CaseFilter{IdleDays: 3, Open: &yes}, n(1, 2, 3, 4)},
		{"idle 4 days", units("33"), lindungi.CaseFilter{IdleDays: 4}, n()},
		{"limit", units("33"), lindungi.CaseFilter{Limit: 2}, n(1, 2)},
		{"after a cursor", units("33"), lindungi.CaseFilter{AfterStart: cilacap.ReceivedAt, AfterID: cilacap.ID, Limit: 2}, n(3, 4)},
	} {
		if diff := cmp.Diff(tt.want, list(tt.scope, tt.f)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}

	cs, err := db.ListCases(ctx, units("33"), lindungi.CaseFilter{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// Days count calendar days in WIB: received 2026-12-23, now 2026-12-26;
	// the closed case stopped counting the day it closed.
	for i, want := range []struct {
		open, idle int
		overdue    bool
	}{{3, 3, true}, {3, 3, false}, {3, 3, false}, {3, 3, false}, {0, 3, false}} {
		if c := cs[i]; c.DaysOpen != want.open || c.DaysSinceAction != want.idle || c.Overdue != want.overdue {
			t.Errorf("%s: days open %d, since action %d, overdue %v; want %d, %d, %v", c.Number, c.DaysOpen, c.DaysSinceAction, c.Overdue, want.open, want.idle, want.overdue)
		}
	}
	// 2026-12-25 17:00 UTC is already 2026-12-26 in WIB.
	if cs, _ := db.ListCases(ctx, units("3305"), lindungi.CaseFilter{Now: time.Date(2026, 12, 25, 17, 0, 0, 0, time.UTC), Limit: 1}); len(cs) != 1 || cs[0].DaysOpen != 3 {
		t.Errorf("days open at 2026-12-26 00:00 WIB = %+v; want 3", cs)
	}
	if cs, _ := db.ListCases(ctx, units("3305"), lindungi.CaseFilter{Now: time.Date(2026, 12, 25, 16, 59, 0, 0, time.UTC), Limit: 1}); len(cs) != 1 || cs[0].DaysOpen != 2 {
		t.Errorf("days open at 2026-12-25 23:59 WIB = %+v; want 2", cs)
	}
	_ = tppo
}

func TestCasesWithoutWorkflow(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	a := openCase(t, db, walkIn("3329"), "3329")
	b := openCase(t, db, walkIn("3329"), "3329")
	if err := db.MarkCaseStarted(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.CasesWithoutWorkflow(ctx, t0.Add(time.Minute), 10)
	if err != nil || len(got) != 1 || got[0].ID != b.ID {
		t.Errorf("CasesWithoutWorkflow = %+v, %v; want only the case not started", got, err)
	}
	if got, _ := db.CasesWithoutWorkflow(ctx, t0, 10); len(got) != 0 {
		t.Errorf("CasesWithoutWorkflow before they were received = %+v; want none", got)
	}
}

func TestSearchWorkers(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	siti := register(t, db, "3305011508950001", "3305") // Siti Aminah, 1995-08-15, +6281234567890
	other := newWorker("3305015506900002", "3305")
	other.Name, other.BirthDate, other.Phone = "Aminah Sari", "1990-06-15", "+6281299998888"
	aminah, err := db.CreateWorker(ctx, other, clerk("r"))
	if err != nil {
		t.Fatal(err)
	}
	cilacap := newWorker("3301011508950003", "3301")
	cilacap.Name, cilacap.Phone = "Sri Lestari", "+6281234567890"
	cw, err := db.CreateWorker(ctx, cilacap, clerk("r"))
	if err != nil {
		t.Fatal(err)
	}
	walk := walkIn("3305")
	walk.Subject.Name, walk.Subject.DomicileUnit, walk.Subject.Phone = "Siti 100% Aminah", "3305", ""
	prov := openCase(t, db, walk, "3305")

	kebumen := lindungi.Scope{Units: []string{"3305"}}
	search := func(q lindungi.WorkerQuery) []lindungi.WorkerMatch {
		t.Helper()
		got, err := db.SearchWorkers(ctx, q)
		if err != nil {
			t.Fatalf("SearchWorkers(%+v): %v", q, err)
		}
		return got
	}
	ids := func(ms []lindungi.WorkerMatch) []uuid.UUID {
		var out []uuid.UUID
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		q    lindungi.WorkerQuery
		want []uuid.UUID
	}{
		{"NIK", lindungi.WorkerQuery{NIK: siti.NIK, Scope: kebumen}, []uuid.UUID{siti.ID}},
		{"name, any case, with birth date", lindungi.WorkerQuery{Name: "siti  AMINAH", BirthDate: "1995-08-15", Scope: kebumen}, []uuid.UUID{siti.ID}},
		{"name part: registered first, then provisional", lindungi.WorkerQuery{Name: "amin", Scope: kebumen}, []uuid.UUID{aminah.ID, siti.ID, prov.WorkerID}},
		{"phone as typed", lindungi.WorkerQuery{Phone: "0812-3456-7890", Scope: kebumen}, []uuid.UUID{siti.ID}},
		{"phone across the province", lindungi.WorkerQuery{Phone: "+6281234567890", Scope: lindungi.Scope{Units: []string{"33"}}}, []uuid.UUID{siti.ID, cw.ID}},
		{"Cilacap does not see Kebumen", lindungi.WorkerQuery{NIK: siti.NIK, Scope: lindungi.Scope{Units: []string{"3301"}}}, nil},
		{"a record delegation", lindungi.WorkerQuery{NIK: siti.NIK, Scope: lindungi.Scope{Units: []string{"3301"}, Workers: []uuid.UUID{siti.ID}}}, []uuid.UUID{siti.ID}},
		{"wildcards are literal", lindungi.WorkerQuery{Name: "100%", Scope: kebumen}, []uuid.UUID{prov.WorkerID}},
		{"underscore is literal", lindungi.WorkerQuery{Name: "a_i", Scope: kebumen}, nil},
		{"most criteria first", lindungi.WorkerQuery{Name: "Aminah", Phone: "081234567890", Scope: kebumen}, []uuid.UUID{siti.ID, aminah.ID, prov.WorkerID}},
	} {
		if diff := cmp.Diff(tt.want, ids(search(tt.q))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	got := search(lindungi.WorkerQuery{Name: "Aminah", Phone: "081234567890", Scope: kebumen})
	want := lindungi.WorkerMatch{ID: siti.ID, Name: "Siti Aminah", DomicileUnit: "3305", MatchedBy: []string{"name", "phone"}}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("best match (-want +got):\n%s", diff)
	}
	if m := got[2]; !m.Provisional || m.MergedInto != nil || !slices.Equal(m.MatchedBy, []string{"name"}) {
		t.Errorf("provisional match = %+v", m)
	}
	if _, err := db.MergeWorkers(ctx, prov.WorkerID, siti.ID, clerk("r")); err != nil {
		t.Fatal(err)
	}
	if m := search(lindungi.WorkerQuery{Name: "100%", Scope: kebumen}); len(m) != 1 || m[0].MergedInto == nil || *m[0].MergedInto != siti.ID {
		t.Errorf("merged provisional match = %+v; want merged_into %s", m, siti.ID)
	}

	for _, tt := range []struct {
		q    lindungi.WorkerQuery
		want []string
	}{
		{lindungi.WorkerQuery{}, []string{"nik"}},
		{lindungi.WorkerQuery{Name: "Si"}, []string{"name"}},
		{lindungi.WorkerQuery{NIK: "123", Phone: "12345"}, []string{"nik", "phone"}},
		{lindungi.WorkerQuery{Name: "Siti", BirthDate: "15-08-1995"}, []string{"birth_date"}},
		{lindungi.WorkerQuery{NIK: siti.NIK, BirthDate: "1995-08-15"}, []string{"birth_date"}},
	} {
		if _, err := db.SearchWorkers(ctx, tt.q); !isInvalid(err, tt.want...) {
			t.Errorf("SearchWorkers(%+v): %v, want EINVALID naming %v", tt.q, err, tt.want)
		}
	}
	// Two letters are enough with a birth date.
	if m := search(lindungi.WorkerQuery{Name: "Si", BirthDate: "1995-08-15", Scope: kebumen}); len(m) != 1 || m[0].ID != siti.ID {
		t.Errorf("short name with birth date = %+v", m)
	}
}

func TestMergeWorkers(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	registered := register(t, db, "3329015507990003", "3329")
	mine := openCase(t, db, about(registered, "3329"), "3329")
	c := openCase(t, db, walkIn("3329"), "3329")
	provID := c.WorkerID
	if _, err := db.CreateTask(ctx, lindungi.Task{ID: uuid.New(), WorkflowID: c.WorkflowID, WorkerID: provID,
		Kind: lindungi.TaskCaseHandling, Step: lindungi.StepCase, Unit: "3329", RouteRule: "test", DueAt: t0.Add(240 * time.Hour),
		DueDate: "2027-01-06"}, clerk("r")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LogCaseContact(ctx, c.ID, t0.Add(time.Hour), clerk("req-contact")); err != nil {
		t.Fatal(err)
	}
	before := len(auditEvents(t, db, ""))
	provEvents := count(t, db, `SELECT count(*) FROM audit_events WHERE worker_id = $1`, provID)

	if _, err := db.MergeWorkers(ctx, provID, registered.ID, officer("req-merge")); err != nil {
		t.Fatalf("MergeWorkers: %v", err)
	}
	pc, err := db.FindCase(ctx, c.ID)
	if err != nil || pc.WorkerID != registered.ID || pc.WorkerProvisional {
		t.Errorf("case after merge = %+v, %v; want the registered worker", pc, err)
	}
	if n := count(t, db, `SELECT count(*) FROM tasks WHERE worker_id = $1`, registered.ID); n != 1 {
		t.Errorf("%d tasks moved to the registered worker, want 1", n)
	}
	// Both rows stay, and so does the provisional worker's trail.
	var merged struct {
		Provisional bool       `db:"provisional"`
		MergedInto  *uuid.UUID `db:"merged_into"`
		Name        string     `db:"name"`
	}
	if err := db.SQL().GetContext(ctx, &merged, `SELECT provisional, merged_into, name FROM workers WHERE id = $1`, provID); err != nil ||
		!merged.Provisional || merged.MergedInto == nil || *merged.MergedInto != registered.ID || merged.Name != subjectName {
		t.Errorf("provisional row after merge = %+v, %v", merged, err)
	}
	if w, err := db.FindWorker(ctx, registered.ID); err != nil || w.NIK != registered.NIK || w.JourneyStep != registered.JourneyStep {
		t.Errorf("registered worker after merge = %+v, %v; want unchanged", w, err)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE worker_id = $1`, provID); n != provEvents+1 {
		t.Errorf("%d events of the provisional worker after merge, want its %d and the merge", n, provEvents)
	}
	evs := auditEvents(t, db, "worker.merge")
	if len(evs) != 2 {
		t.Fatalf("%d worker.merge events, want one per worker", len(evs))
	}
	if evs[0].SubjectID != provID.String() || evs[0].After["merged_into"] != registered.ID.String() ||
		evs[1].SubjectID != registered.ID.String() || evs[1].After["merged_from"] != provID.String() ||
		!cmp.Equal(evs[0].After["cases"], []any{c.ID.String()}) || evs[0].After["tasks"] != 1.0 || evs[0].Actor != "user:budi" {
		t.Errorf("worker.merge events = %+v", evs)
	}
	if moved := auditEvents(t, db, "case.worker"); len(moved) != 1 || moved[0].SubjectID != c.ID.String() ||
		moved[0].Before["worker_id"] != provID.String() || moved[0].WorkerID != registered.ID.String() {
		t.Errorf("case.worker events = %+v", moved)
	}
	if n := len(auditEvents(t, db, "")); n != before+3 {
		t.Errorf("%d events after merge, want %d", n, before+3)
	}
	if cs, _ := db.ListCases(ctx, lindungi.Scope{Workers: []uuid.UUID{registered.ID}}, lindungi.CaseFilter{}); len(cs) != 2 {
		t.Errorf("the registered worker's cases = %v; want its own (%s) and the merged one", caseNumbers(cs), mine.Number)
	}

	// Merged once; only a provisional record merges, into a registered one.
	other := openCase(t, db, walkIn("3329"), "3329")
	for _, tt := range []struct {
		name       string
		from, into uuid.UUID
		code       string
	}{
		{"merged already", provID, registered.ID, lindungi.ECONFLICT},
		{"a registered worker", registered.ID, other.WorkerID, lindungi.ECONFLICT},
		{"into a provisional one", other.WorkerID, provID, lindungi.ECONFLICT},
		{"into itself", other.WorkerID, other.WorkerID, lindungi.EINVALID},
		{"unknown", uuid.New(), registered.ID, lindungi.ENOTFOUND},
	} {
		if _, err := db.MergeWorkers(ctx, tt.from, tt.into, officer("r")); lindungi.ErrorCode(err) != tt.code {
			t.Errorf("MergeWorkers %s: %v, want %s", tt.name, err, tt.code)
		}
	}
	// A new complaint cannot name the merged record.
	if _, err := db.CreateCase(ctx, about(lindungi.Worker{ID: provID}, "3329"), "3329", clerk("r")); !isInvalid(err, "worker_id") {
		t.Errorf("CreateCase for a merged worker: %v, want EINVALID naming worker_id", err)
	}
	noPersonalData(t, db, subjectName, subjectPhone, complainantName, complainantTel, employerName, description)
	if rep, err := db.VerifyAudit(ctx, nil); err != nil || !rep.OK {
		t.Errorf("VerifyAudit = %+v, %v", rep, err)
	}
}

// TestCaseTrailHasNoPersonalData runs every write and reads the whole trail.
func TestCaseTrailHasNoPersonalData(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	nc := walkIn("3329")
	nc.Subject.NIK, nc.Subject.BirthDate = "3329015507990003", "1999-07-15"
	nc.PlacementCompany = "PT Maju Jaya Abadi"
	c := openCase(t, db, nc, "3329")
	steps := []func() error{
		func() error { _, err := db.SetCaseStep(ctx, c.ID, lindungi.CaseVerification, clerk("r")); return err },
		func() error { _, err := db.LogCaseContact(ctx, c.ID, t0.Add(time.Hour), clerk("r")); return err },
		func() error { _, err := db.MarkInfoRequested(ctx, c.ID, t0.Add(time.Hour), clerk("r")); return err },
		func() error { _, err := db.MarkToldUnresolvable(ctx, c.ID, t0.Add(time.Hour), clerk("r")); return err },
		func() error { _, err := db.SetCaseOwner(ctx, c.ID, "33", "escalated", clerk("r")); return err },
		func() error {
			_, err := db.CreateReferral(ctx, c.ID, "", "Polda Jawa Tengah", true, "", clerk("r"))
			return err
		},
		func() error {
			_, err := db.ResolveCase(ctx, c.ID, "Gaji dibayar oleh Tan Ah Kow", 15_000_000, clerk("r"))
			return err
		},
		func() error { _, err := db.CloseCase(ctx, c.ID, "resolved", clerk("r")); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	noPersonalData(t, db, subjectName, subjectPhone, "3329015507990003", "1999-07-15", complainantName, complainantTel,
		employerName, "Maju Jaya", "Johor", "Gaji")
	if ev := auditEvents(t, db, "case.resolve"); len(ev) != 1 || !cmp.Equal(ev[0].After["fields"], []any{"resolution"}) {
		t.Errorf("case.resolve with a free-text resolution = %+v; want it named, not copied", ev)
	}
}
