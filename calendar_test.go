package lindungi_test

import (
	"encoding/csv"
	"os"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

func holidays2026(t *testing.T) []lindungi.Holiday {
	t.Helper()
	f, err := os.Open("schema/data/holidays_2026.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var hs []lindungi.Holiday
	for _, r := range rows[1:] {
		hs = append(hs, lindungi.Holiday{Date: r[0], Kind: r[1], Name: r[2]})
	}
	return hs
}

func TestAddWorkingDays(t *testing.T) {
	cal := lindungi.NewCalendar(holidays2026(t))
	at := func(s string) time.Time {
		t.Helper()
		d, err := time.ParseInLocation("2006-01-02 15:04", s, lindungi.WIB)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name     string
		from     time.Time
		n        int
		want     string
		fallback bool
	}{
		{"monday plus 2", at("2026-11-23 10:00"), 2, "2026-11-25", false},
		{"thursday plus 2 skips weekend", at("2026-11-26 10:00"), 2, "2026-11-30", false},
		{"saturday plus 1 is monday", at("2026-11-28 09:00"), 1, "2026-11-30", false},
		{"around christmas leave", at("2026-12-23 08:00"), 2, "2026-12-29", false},
		{"idul fitri week", at("2026-03-17 08:00"), 2, "2026-03-26", false},
		{"new year 2026 holiday", at("2025-12-31 08:00"), 1, "2026-01-02", true},
		{"into 2027 with no data", at("2026-12-30 08:00"), 2, "2027-01-01", true},
		{"late evening UTC is next day in WIB", time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC), 2, "2026-11-26", false},
		{"zero days is the same day", at("2026-11-23 10:00"), 0, "2026-11-23", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := cal.AddWorkingDays(tt.from, tt.n, lindungi.WIB)
			if got := d.Date.Format(time.DateOnly); got != tt.want {
				t.Errorf("date = %s, want %s", got, tt.want)
			}
			if !d.At.Equal(d.Date.AddDate(0, 0, 1)) {
				t.Errorf("At = %s, want midnight after %s", d.At, d.Date)
			}
			if d.Fallback != tt.fallback {
				t.Errorf("fallback = %v, want %v", d.Fallback, tt.fallback)
			}
		})
	}
}

func TestIsWorkingDay(t *testing.T) {
	cal := lindungi.NewCalendar(holidays2026(t))
	for day, want := range map[string]bool{
		"2026-08-17": false, // Independence Day, a Monday
		"2026-08-18": true,
		"2026-11-28": false, // Saturday
		"2026-12-24": false, // cuti bersama
		"2027-08-17": true,  // no 2027 data: weekends only
	} {
		d, _ := time.ParseInLocation(time.DateOnly, day, lindungi.WIB)
		if got := cal.IsWorkingDay(d); got != want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", day, got, want)
		}
	}
}
