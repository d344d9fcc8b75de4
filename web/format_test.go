package web

import (
	"math"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

func TestDate(t *testing.T) {
	tests := []struct {
		name string
		lang string
		at   time.Time
		want string
	}{
		{"Indonesian month", Indonesian, time.Date(2026, 11, 27, 9, 0, 0, 0, lindungi.WIB), "27 Nov 2026"},
		{"Mei, not May", Indonesian, time.Date(2026, 5, 1, 9, 0, 0, 0, lindungi.WIB), "1 Mei 2026"},
		{"Agu", Indonesian, time.Date(2026, 8, 17, 9, 0, 0, 0, lindungi.WIB), "17 Agu 2026"},
		{"Okt", Indonesian, time.Date(2026, 10, 2, 9, 0, 0, 0, lindungi.WIB), "2 Okt 2026"},
		{"Des", Indonesian, time.Date(2026, 12, 31, 9, 0, 0, 0, lindungi.WIB), "31 Des 2026"},
		{"English month", English, time.Date(2026, 8, 17, 9, 0, 0, 0, lindungi.WIB), "17 Aug 2026"},
		{"UTC evening is the next day in WIB", Indonesian, time.Date(2026, 11, 26, 18, 30, 0, 0, time.UTC), "27 Nov 2026"},
		{"zero time is blank", Indonesian, time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewPrinter(tt.lang).Date(tt.at); got != tt.want {
				t.Errorf("Date(%v) = %q, want %q", tt.at, got, tt.want)
			}
		})
	}
}

func TestDay(t *testing.T) {
	p := NewPrinter(Indonesian)
	for date, want := range map[string]string{"2026-12-24": "24 Des 2026", "2026-02-01": "1 Feb 2026", "not a date": "not a date", "": ""} {
		if got := p.Day(date); got != want {
			t.Errorf("Day(%q) = %q, want %q", date, got, want)
		}
	}
}

func TestTime(t *testing.T) {
	at := time.Date(2026, 11, 27, 7, 30, 0, 0, time.UTC) // 14.30 in Jakarta
	tests := []struct {
		lang, want, wantDT string
	}{
		{Indonesian, "14.30 WIB", "27 Nov 2026 14.30 WIB"},
		{English, "14:30 WIB", "27 Nov 2026 14:30 WIB"},
	}
	for _, tt := range tests {
		p := NewPrinter(tt.lang)
		if got := p.Time(at); got != tt.want {
			t.Errorf("%s: Time = %q, want %q", tt.lang, got, tt.want)
		}
		if got := p.DateTime(at); got != tt.wantDT {
			t.Errorf("%s: DateTime = %q, want %q", tt.lang, got, tt.wantDT)
		}
	}
}

func TestMoney(t *testing.T) {
	tests := []struct {
		idr  int64
		want string
	}{
		{42000000, "Rp 42.000.000"},
		{0, "Rp 0"},
		{999, "Rp 999"},
		{1000, "Rp 1.000"},
		{37500, "Rp 37.500"},
		{1234567890, "Rp 1.234.567.890"},
		{-5000, "-Rp 5.000"},
		{math.MinInt64, "-Rp 9.223.372.036.854.775.808"},
	}
	for _, lang := range Languages {
		for _, tt := range tests {
			if got := NewPrinter(lang).Money(tt.idr); got != tt.want {
				t.Errorf("%s: Money(%d) = %q, want %q", lang, tt.idr, got, tt.want)
			}
		}
	}
}

// The calendar of the end of 2026: 24 Dec is cuti bersama, 25 Dec
// Christmas.
var december = lindungi.NewCalendar([]lindungi.Holiday{
	{Date: "2026-12-24", Kind: lindungi.HolidayCutiBersama, Name: "Cuti bersama Natal"},
	{Date: "2026-12-25", Kind: lindungi.HolidayNational, Name: "Natal"},
})

func TestWorkingDaysLeft(t *testing.T) {
	at := func(s string) time.Time {
		d, err := time.ParseInLocation("2006-01-02 15:04", s, lindungi.WIB)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name     string
		now      time.Time
		due      string
		wantDays int
		wantLate bool
		wantID   string
		wantEN   string
	}{
		{"two days ahead", at("2026-12-21 09:00"), "2026-12-23", 2, false, "2 hari kerja lagi", "2 working days left"},
		{"one day ahead", at("2026-12-22 16:00"), "2026-12-23", 1, false, "1 hari kerja lagi", "1 working day left"},
		{"today is the last day", at("2026-12-23 23:59"), "2026-12-23", 0, false, "Hari ini batasnya", "Due today"},
		{"holidays and a weekend do not count", at("2026-12-23 09:00"), "2026-12-28", 1, false, "1 hari kerja lagi", "1 working day left"},
		{"late by two working days over Christmas", at("2026-12-29 08:00"), "2026-12-23", 2, true, "Terlambat 2 hari kerja", "2 working days late"},
		{"late by one", at("2026-12-23 08:00"), "2026-12-22", 1, true, "Terlambat 1 hari kerja", "1 working day late"},
		{"past its day over a holiday only", at("2026-12-25 10:00"), "2026-12-23", 0, true, "Lewat batas waktu", "Past the deadline"},
		{"UTC evening counts as the next WIB day", time.Date(2026, 12, 22, 17, 30, 0, 0, time.UTC), "2026-12-23", 0, false, "Hari ini batasnya", "Due today"},
		{"a year without holiday data counts weekends only", at("2027-01-04 09:00"), "2027-01-11", 5, false, "5 hari kerja lagi", "5 working days left"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			days, late := WorkingDaysLeft(december, tt.now, tt.due)
			if days != tt.wantDays || late != tt.wantLate {
				t.Fatalf("WorkingDaysLeft(%v, %s) = %d, %t; want %d, %t", tt.now, tt.due, days, late, tt.wantDays, tt.wantLate)
			}
			if got := NewPrinter(Indonesian).WorkingDays(days, late); got != tt.wantID {
				t.Errorf("Indonesian: %q, want %q", got, tt.wantID)
			}
			if got := NewPrinter(English).WorkingDays(days, late); got != tt.wantEN {
				t.Errorf("English: %q, want %q", got, tt.wantEN)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		name   string
		got    func(p *Printer) string
		id, en string
	}{
		{"task kind", func(p *Printer) string { return p.TaskKind(lindungi.TaskVerifyRegistration) }, "Verifikasi pendaftaran", "Verify registration"},
		{"case task", func(p *Printer) string { return p.TaskKind(lindungi.TaskClosureApproval) }, "Persetujuan penutupan kasus", "Approve case closure"},
		{"journey step", func(p *Printer) string { return p.Step(lindungi.StepTraining) }, "Pelatihan", "Training"},
		{"case step", func(p *Printer) string { return p.CaseStep(lindungi.CaseMediation) }, "Mediasi", "Mediation"},
		{"category", func(p *Printer) string { return p.Category(lindungi.CatUnpaidWages) }, "Gaji tidak dibayar", "Unpaid wages"},
		{"document", func(p *Printer) string { return p.DocType(lindungi.DocPassport) }, "Paspor", "Passport"},
		{"role", func(p *Printer) string { return p.Role(lindungi.RoleCaseworker) }, "Petugas kasus", "Case worker"},
		{"an unknown code shows as itself", func(p *Printer) string { return p.TaskKind("NEW_KIND") }, "NEW_KIND", "NEW_KIND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got(NewPrinter(Indonesian)); got != tt.id {
				t.Errorf("Indonesian: %q, want %q", got, tt.id)
			}
			if got := tt.got(NewPrinter(English)); got != tt.en {
				t.Errorf("English: %q, want %q", got, tt.en)
			}
		})
	}
}

func TestInstant(t *testing.T) {
	at := time.Date(2026, 11, 27, 7, 30, 5, 0, time.UTC) // 14.30.05 WIB
	if got, want := NewPrinter(Indonesian).Instant(at), "27 Nov 2026 14.30.05 WIB"; got != want {
		t.Errorf("Instant = %q, want %q", got, want)
	}
	if got, want := NewPrinter(English).Instant(at), "27 Nov 2026 14:30:05 WIB"; got != want {
		t.Errorf("Instant = %q, want %q", got, want)
	}
	if got, ok := ParseLocalDateTime("2026-11-27T14:30"); !ok || !got.Equal(time.Date(2026, 11, 27, 7, 30, 59, 999999999, time.UTC)) {
		t.Errorf("ParseLocalDateTime of a minute = %v %v, want its end", got, ok)
	}
	if got, ok := ParseLocalDateTime("2026-11-27T14:30:05"); !ok || !got.Equal(at.Add(time.Second-1)) {
		t.Errorf("ParseLocalDateTime of a second = %v %v, want its end", got, ok)
	}
	if _, ok := ParseLocalDateTime("27/11/2026"); ok {
		t.Error("ParseLocalDateTime took a date in another form")
	}
}
