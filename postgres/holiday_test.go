package postgres_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/postgres"
)

// calendarAdmin is the event of a national administrator acting through the API.
func calendarAdmin(requestID string) lindungi.Event {
	return lindungi.Event{Actor: "user:admin", ActorUnit: "ID", ActorRole: "admin", Policy: "test-policy", RequestID: requestID}
}

func holidayYears(t *testing.T, db *postgres.DB) []int {
	t.Helper()
	years, err := db.HolidayYears(t.Context())
	if err != nil {
		t.Fatalf("HolidayYears: %v", err)
	}
	return years
}

func TestAddHoliday(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	if diff := cmp.Diff([]int{2026}, holidayYears(t, db)); diff != "" {
		t.Errorf("years before (-want +got):\n%s", diff)
	}
	if got, err := db.HolidaysOf(ctx, 2027); err != nil || len(got) != 0 {
		t.Errorf("HolidaysOf(2027) before = %v, %v; want none", got, err)
	}

	h, err := db.AddHoliday(ctx, lindungi.Holiday{Date: " 2027-01-01 ", Kind: "national", Name: " Tahun  Baru 2027 Masehi "},
		"  SKB 3 Menteri tahun 2026  ", calendarAdmin("req-holiday"))
	if err != nil {
		t.Fatalf("AddHoliday: %v", err)
	}
	want := lindungi.Holiday{Date: "2027-01-01", Kind: "national", Name: "Tahun Baru 2027 Masehi"}
	if h != want {
		t.Errorf("AddHoliday = %+v, want %+v", h, want)
	}
	if diff := cmp.Diff([]int{2026, 2027}, holidayYears(t, db)); diff != "" {
		t.Errorf("years after adding 2027-01-01 (-want +got):\n%s", diff)
	}
	got, err := db.HolidaysOf(ctx, 2027)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]lindungi.Holiday{want}, got); diff != "" {
		t.Errorf("HolidaysOf(2027) (-want +got):\n%s", diff)
	}
	y2026, err := db.HolidaysOf(ctx, 2026)
	if err != nil || len(y2026) != 25 || y2026[0].Date != "2026-01-01" {
		t.Errorf("HolidaysOf(2026): %d holidays from %v, %v; want the 25 shipped, in order", len(y2026), y2026, err)
	}
	if !slices.IsSortedFunc(y2026, func(a, b lindungi.Holiday) int { return strings.Compare(a.Date, b.Date) }) {
		t.Errorf("HolidaysOf(2026) is not in date order")
	}
	// The calendar the activities build now knows 2027.
	all, err := db.Holidays(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !lindungi.NewCalendar(all).HasYear(2027) {
		t.Error("the calendar does not know 2027 after a holiday was added")
	}

	evs := auditEvents(t, db, "holiday.add")
	if len(evs) != 1 {
		t.Fatalf("%d holiday.add events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Actor != "user:admin" || ev.ActorUnit != "ID" || ev.SubjectType != "holiday" || ev.SubjectID != "2027-01-01" ||
		ev.WorkerID != "" || ev.RequestID != "req-holiday" || !ev.OccurredAt.Equal(t0) {
		t.Errorf("holiday.add event = %+v", ev)
	}
	wantAfter := map[string]any{"date": "2027-01-01", "kind": "national", "name": "Tahun Baru 2027 Masehi", "reason": "SKB 3 Menteri tahun 2026"}
	if diff := cmp.Diff(wantAfter, ev.After); diff != "" {
		t.Errorf("holiday.add after (-want +got):\n%s", diff)
	}

	// A date that is already a holiday conflicts, and keeps its name.
	_, err = db.AddHoliday(ctx, lindungi.Holiday{Date: "2026-12-25", Kind: "cuti_bersama", Name: "Natal"}, "Koreksi nama", calendarAdmin("req-dup"))
	if code, fields := errorFields(err); code != lindungi.ECONFLICT || !slices.Equal(fields, []string{"date"}) {
		t.Errorf("AddHoliday on 2026-12-25: %s %v, want %s [date]", code, fields, lindungi.ECONFLICT)
	}
	if n := count(t, db, `SELECT count(*) FROM holidays WHERE day = '2026-12-25' AND name = 'Kelahiran Yesus Kristus'`); n != 1 {
		t.Error("the conflicting addition changed 2026-12-25")
	}
	if got := len(auditEvents(t, db, "holiday.add")); got != 1 {
		t.Errorf("%d holiday.add events after a conflict, want still 1", got)
	}
}

func TestAddHolidayNamesBadFields(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ok := lindungi.Holiday{Date: "2027-01-01", Kind: "national", Name: "Tahun Baru"}
	with := func(f func(*lindungi.Holiday)) lindungi.Holiday { h := ok; f(&h); return h }
	tests := []struct {
		name   string
		h      lindungi.Holiday
		reason string
		want   []string
	}{
		{"no date", with(func(h *lindungi.Holiday) { h.Date = "" }), "SKB 2026", []string{"date"}},
		{"day first", with(func(h *lindungi.Holiday) { h.Date = "01-01-2027" }), "SKB 2026", []string{"date"}},
		{"February 30", with(func(h *lindungi.Holiday) { h.Date = "2027-02-30" }), "SKB 2026", []string{"date"}},
		{"year 2207", with(func(h *lindungi.Holiday) { h.Date = "2207-01-01" }), "SKB 2026", []string{"date"}},
		{"unknown kind", with(func(h *lindungi.Holiday) { h.Kind = "regional" }), "SKB 2026", []string{"kind"}},
		{"no name", with(func(h *lindungi.Holiday) { h.Name = "   " }), "SKB 2026", []string{"name"}},
		{"long name", with(func(h *lindungi.Holiday) { h.Name = strings.Repeat("a", 201) }), "SKB 2026", []string{"name"}},
		{"short reason", ok, "SKB", []string{"reason"}},
		{"long reason", ok, strings.Repeat("a", 501), []string{"reason"}},
		{"everything", lindungi.Holiday{}, "", []string{"date", "kind", "name", "reason"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.AddHoliday(t.Context(), tt.h, tt.reason, calendarAdmin("req-bad"))
			if code, fields := errorFields(err); code != lindungi.EINVALID || !slices.Equal(fields, tt.want) {
				t.Errorf("AddHoliday(%+v, %q) = %s %v, want %s %v", tt.h, tt.reason, code, fields, lindungi.EINVALID, tt.want)
			}
		})
	}
	if diff := cmp.Diff([]int{2026}, holidayYears(t, db)); diff != "" {
		t.Errorf("years after invalid additions (-want +got):\n%s", diff)
	}
	// 200 characters is the longest name.
	if _, err := db.AddHoliday(t.Context(), with(func(h *lindungi.Holiday) { h.Name = strings.Repeat("é", 200) }), "SKB 2026", calendarAdmin("req")); err != nil {
		t.Errorf("AddHoliday with a name of 200 characters: %v", err)
	}
}

func TestRemoveHoliday(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	if _, err := db.AddHoliday(ctx, lindungi.Holiday{Date: "2027-01-01", Kind: "national", Name: "Tahun Baru"}, "SKB 2026", calendarAdmin("req-add")); err != nil {
		t.Fatal(err)
	}

	h, err := db.RemoveHoliday(ctx, "2026-12-24", "Cuti bersama dibatalkan", calendarAdmin("req-remove"))
	if err != nil {
		t.Fatalf("RemoveHoliday: %v", err)
	}
	if want := (lindungi.Holiday{Date: "2026-12-24", Kind: "cuti_bersama", Name: "Cuti bersama Kelahiran Yesus Kristus"}); h != want {
		t.Errorf("RemoveHoliday = %+v, want %+v", h, want)
	}
	if n := count(t, db, `SELECT count(*) FROM holidays WHERE day = '2026-12-24'`); n != 0 {
		t.Errorf("2026-12-24 is still a holiday")
	}
	evs := auditEvents(t, db, "holiday.remove")
	if len(evs) != 1 {
		t.Fatalf("%d holiday.remove events, want 1", len(evs))
	}
	if evs[0].SubjectID != "2026-12-24" || evs[0].Actor != "user:admin" || evs[0].RequestID != "req-remove" {
		t.Errorf("holiday.remove event = %+v", evs[0])
	}
	if diff := cmp.Diff(map[string]any{"date": "2026-12-24", "kind": "cuti_bersama", "name": "Cuti bersama Kelahiran Yesus Kristus"}, evs[0].Before); diff != "" {
		t.Errorf("holiday.remove before (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"removed": true, "reason": "Cuti bersama dibatalkan"}, evs[0].After); diff != "" {
		t.Errorf("holiday.remove after (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		name, date, reason, code string
		fields                   []string
	}{
		{"not a holiday", "2026-12-23", "Tidak ada", lindungi.ENOTFOUND, nil},
		{"removed already", "2026-12-24", "Sekali lagi", lindungi.ENOTFOUND, nil},
		{"malformed date", "24-12-2026", "Salah tanggal", lindungi.EINVALID, []string{"date"}},
		{"no reason", "2026-12-25", " ", lindungi.EINVALID, []string{"reason"}},
	} {
		_, err := db.RemoveHoliday(ctx, tt.date, tt.reason, calendarAdmin("req-bad"))
		if code, fields := errorFields(err); code != tt.code || !slices.Equal(fields, tt.fields) {
			t.Errorf("RemoveHoliday(%s): %s %v, want %s %v", tt.name, code, fields, tt.code, tt.fields)
		}
	}

	// Removing the last holiday of a year leaves the year without data.
	if _, err := db.RemoveHoliday(ctx, "2027-01-01", "Ditambahkan keliru", calendarAdmin("req-remove-2027")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2026}, holidayYears(t, db)); diff != "" {
		t.Errorf("years after removing 2027's only holiday (-want +got):\n%s", diff)
	}
	if got := len(auditEvents(t, db, "holiday.remove")); got != 2 {
		t.Errorf("%d holiday.remove events, want 2", got)
	}
}

// TestHolidayWritesRollBackWithTheirAuditEvent makes the audit insert fail
// and checks that the calendar did not change.
func TestHolidayWritesRollBackWithTheirAuditEvent(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	refuseAudit(t, db, "holiday.add")
	refuseAudit(t, db, "holiday.remove")
	if _, err := db.AddHoliday(ctx, lindungi.Holiday{Date: "2027-01-01", Kind: "national", Name: "Tahun Baru"}, "SKB 2026", calendarAdmin("req")); err == nil {
		t.Error("AddHoliday succeeded although its audit event failed")
	}
	if _, err := db.RemoveHoliday(ctx, "2026-12-25", "Uji coba", calendarAdmin("req")); err == nil {
		t.Error("RemoveHoliday succeeded although its audit event failed")
	}
	if diff := cmp.Diff([]int{2026}, holidayYears(t, db)); diff != "" {
		t.Errorf("years (-want +got):\n%s", diff)
	}
	if n := count(t, db, `SELECT count(*) FROM holidays`); n != 25 {
		t.Errorf("%d holidays, want the 25 shipped", n)
	}
}
