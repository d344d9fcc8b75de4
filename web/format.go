package web

import (
	"strconv"
	"time"

	"github.com/lindungi/lindungi"
)

// Every date and time is shown in WIB, the zone of Central Java, whatever
// the zone of the server or of the value.
var wib = lindungi.WIB

var monthNames = map[string][12]string{
	Indonesian: {"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"},
	English:    {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
}

// Date writes the day of t in WIB: "27 Nov 2026", "3 Agu 2026". The zero
// time is "".
func (p *Printer) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(wib)
	return strconv.Itoa(t.Day()) + " " + monthNames[p.lang][t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// Day writes a calendar date given as YYYY-MM-DD ("2026-11-27") like Date;
// a value that is not such a date comes back as it is.
func (p *Printer) Day(date string) string {
	d, err := time.ParseInLocation(time.DateOnly, date, wib)
	if err != nil {
		return date
	}
	return p.Date(d)
}

// Time writes the time of day of t in WIB: "14.30 WIB" in Indonesian (the
// Indonesian style puts a dot between hours and minutes), "14:30 WIB" in
// English.
func (p *Printer) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	layout := "15.04"
	if p.lang == English {
		layout = "15:04"
	}
	return t.In(wib).Format(layout) + " WIB"
}

// DateTime writes t as a date and a time in WIB: "27 Nov 2026 14.30 WIB".
func (p *Printer) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.Date(t) + " " + p.Time(t)
}

// Money writes an amount of rupiah as Indonesians write it in both
// languages: "Rp 42.000.000", "-Rp 5.000".
func (p *Printer) Money(idr int64) string {
	sign := ""
	u := uint64(idr)
	if idr < 0 {
		sign, u = "-", uint64(-(idr+1))+1 // also right for the smallest int64
	}
	digits := strconv.FormatUint(u, 10)
	out := make([]byte, 0, len(digits)+len(digits)/3)
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, digits[i])
	}
	return sign + "Rp " + string(out)
}

// WorkingDaysLeft counts the working days between the day of now (in WIB)
// and due, a task's last working day (YYYY-MM-DD, as its due_date). While
// today is not past due it returns the working days left after today (0
// when today is the last day) and late false; after, the working days gone
// past due, up to and including today, and late true: 0 when only a
// weekend or holidays went by. Today itself never counts as left, as a
// deadline's own count does not count the day it starts
// (lindungi.Calendar.AddWorkingDays). A date it cannot read is due today.
func WorkingDaysLeft(cal *lindungi.Calendar, now time.Time, due string) (days int, late bool) {
	d, err := time.ParseInLocation(time.DateOnly, due, wib)
	if err != nil {
		return 0, false
	}
	n := now.In(wib)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, wib)
	from, to := today, d
	if late = d.Before(today); late {
		from, to = d, today
	}
	for day := from.AddDate(0, 0, 1); !day.After(to); day = day.AddDate(0, 0, 1) {
		if cal.IsWorkingDay(day) {
			days++
		}
	}
	return days, late
}

// WorkingDays writes what WorkingDaysLeft counted in words: "3 hari kerja
// lagi", "Hari ini batasnya", "Terlambat 2 hari kerja", "Lewat batas
// waktu".
func (p *Printer) WorkingDays(days int, late bool) string {
	switch {
	case late && days == 0:
		return p.T("due.past")
	case late:
		return p.T("due.late", "Count", days)
	case days == 0:
		return p.T("due.today")
	}
	return p.T("due.left", "Count", days)
}

// TaskKind is a task kind in words: "Verifikasi pendaftaran".
func (p *Printer) TaskKind(k lindungi.TaskKind) string { return p.label("task.", string(k)) }

// Step is a journey step in words: "Pelatihan".
func (p *Printer) Step(s lindungi.Step) string { return p.label("step.", string(s)) }

// CaseStep is a handling step of a case in words: "Mediasi".
func (p *Printer) CaseStep(s lindungi.CaseStep) string { return p.label("casestep.", string(s)) }

// Category is a complaint category in words: "Gaji tidak dibayar".
func (p *Printer) Category(c lindungi.CaseCategory) string { return p.label("category.", string(c)) }

// DocType is a document type in words: "Paspor".
func (p *Printer) DocType(t lindungi.DocType) string { return p.label("doc.", string(t)) }

// Role is a role in words: "Petugas kasus".
func (p *Printer) Role(r string) string { return p.label("role.", r) }

// label is the catalogue's words for a code, or the code itself when the
// catalogue has none (a code newer than the catalogue still shows).
func (p *Printer) label(prefix, code string) string {
	if !messages.has(p.lang, prefix+code) {
		return code
	}
	return p.T(prefix + code)
}
