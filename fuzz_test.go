package lindungi_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

// fieldErrors returns the fields err names as invalid.
func fieldErrors(err error) []string {
	var e *lindungi.Error
	if !errors.As(err, &e) {
		return nil
	}
	var fs []string
	for _, f := range e.Fields {
		fs = append(fs, f.Field)
	}
	return fs
}

// FuzzCheckNIK compares CheckNIK with the rule it documents: 16 ASCII
// digits, a province code from 11 to 96, a day (women add 40) and a month,
// and a serial other than 0000. An accepted NIK's birth date reads back.
func FuzzCheckNIK(f *testing.F) {
	for _, s := range []string{"3305011508950001", "3305015508950002", "", "330501150895000", "33050115089500011",
		"1005011508950001", "9705011508950001", "3305013208950001", "3305017208950001", "3305011513950001",
		"3305011500950001", "3305011508950000", "3305014108950001", "3305017108950001", "٣٣٠٥٠١١٥٠٨٩٥٠٠٠١",
		"3305011508950001\x00", " 3305011508950001", "33050115089５0001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, nik string) {
		reason := lindungi.CheckNIK(nik)
		want := len(nik) == 16 && strings.Trim(nik, "0123456789") == ""
		if want {
			n := func(i int) int { return int(nik[i]-'0')*10 + int(nik[i+1]-'0') }
			day, month := n(6), n(8)
			if day > 40 {
				day -= 40
			}
			want = n(0) >= 11 && n(0) <= 96 && day >= 1 && day <= 31 && month >= 1 && month <= 12 && nik[12:] != "0000"
			if want {
				// A real date with these digits must match, in either century.
				for _, century := range []int{1900, 2000} {
					birth := time.Date(century+n(10), time.Month(month), day, 0, 0, 0, 0, time.UTC)
					if birth.Day() == day && !lindungi.NIKMatchesBirthDate(nik, birth) {
						t.Errorf("NIKMatchesBirthDate(%q, %s) = false", nik, birth.Format(time.DateOnly))
					}
				}
			}
		}
		if got := reason == ""; got != want {
			t.Errorf("CheckNIK(%q) = %q; accepted %v, want %v", nik, reason, got, want)
		}
	})
}

var e164ID = regexp.MustCompile(`^\+62[1-9][0-9]{7,11}$`)

// FuzzNormalizePhone: an accepted number is E.164 Indonesian, made of the
// input's own digits, and normalizes to itself; only digits and the
// documented separators are accepted.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"081234567890", "0812-3456-7890", "+6281234567890", "6281234567890", "0812.3456.7890",
		" 0812 3456 7890 ", "+081234567890", "08123", "0812345678901234", "0012345678", "+62 0812345678",
		"62", "+", "081234567890\x00", "٠٨١٢٣٤٥٦٧٨٩٠", "0812-3456-7890\n", "++6281234567890", "0812+34567890"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, ok := lindungi.NormalizePhone(s)
		if !ok {
			if out != "" {
				t.Errorf("NormalizePhone(%q) = %q, false; want an empty result with false", s, out)
			}
			return
		}
		if !e164ID.MatchString(out) {
			t.Errorf("NormalizePhone(%q) = %q, not +62 and 8 to 12 digits", s, out)
		}
		trimmed := strings.TrimSpace(s)
		if strings.Trim(strings.TrimPrefix(trimmed, "+"), "0123456789 -.") != "" {
			t.Errorf("NormalizePhone(%q) accepted characters other than digits, space, dash, dot and a leading +", s)
		}
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, trimmed)
		if !strings.HasSuffix(digits, out[3:]) {
			t.Errorf("NormalizePhone(%q) = %q: not the input's digits", s, out)
		}
		if again, ok := lindungi.NormalizePhone(out); !ok || again != out {
			t.Errorf("NormalizePhone(%q) = %q, %v; want itself", out, again, ok)
		}
	})
}

// fuzzToday is the day the date fuzz tests validate on.
var fuzzToday = time.Date(2026, 12, 23, 9, 0, 0, 0, lindungi.WIB)

// checkDate reports what is wrong with a date string a validation
// accepted: it must be the canonical YYYY-MM-DD of a real day.
func checkDate(t *testing.T, field, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Format(time.DateOnly) != s {
		t.Fatalf("%s %q accepted, but it is not a canonical YYYY-MM-DD date", field, s)
	}
	return d
}

// FuzzWorkerBirthDate: registration accepts a birth date only as a real
// YYYY-MM-DD day from 1900 on, of someone 18 or older today.
func FuzzWorkerBirthDate(f *testing.F) {
	for _, s := range []string{"1995-08-15", "1995-8-15", "1995-08-15T00:00:00Z", " 1995-08-15 ", "2008-12-23", "2008-12-24",
		"1899-12-31", "1900-01-01", "1995-02-29", "1996-02-29", "+1995-08-15", "01995-08-15", "1995-08-15\x00", "", "95-08-15"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, birth string) {
		w := lindungi.NewWorker{NIK: "3305011508950001", Name: "Uji", BirthDate: birth, DomicileUnit: "3305",
			Phone: "081234567890", Scheme: lindungi.SchemeMandiri}
		w.Normalize()
		if slices.Contains(fieldErrors(w.Validate(fuzzToday)), "birth_date") {
			return
		}
		d := checkDate(t, "birth_date", w.BirthDate)
		if d.Year() < 1900 || d.AddDate(lindungi.MinimumAge, 0, 0).After(fuzzToday) {
			t.Fatalf("birth_date %q accepted: before 1900 or younger than 18 on %s", w.BirthDate, fuzzToday.Format(time.DateOnly))
		}
	})
}

// FuzzDocumentDates: a document's dates are accepted only as real
// YYYY-MM-DD days from 1900 to 2200, issued no later than today, expiring
// after issue, and the expiry is required where the type needs it.
func FuzzDocumentDates(f *testing.F) {
	for _, s := range [][2]string{{"2026-01-05", "2031-01-04"}, {"", ""}, {"2026-01-05", "2026-01-05"}, {"2027-01-01", ""},
		{"1899-12-31", "2201-01-01"}, {"2026-1-5", "2031-13-01"}, {"2026-02-30", "2031-02-29"}, {" 2026-01-05", "2031-01-04 "}} {
		for typ := range len(lindungi.DocTypes) {
			f.Add(uint8(typ), s[0], s[1])
		}
	}
	f.Fuzz(func(t *testing.T, typ uint8, issued, expires string) {
		d := lindungi.NewDocument{Type: lindungi.DocTypes[int(typ)%len(lindungi.DocTypes)], Number: "DOC-1", FileRef: "scan/1",
			IssuedOn: issued, ExpiresOn: expires}
		switch d.Type {
		case lindungi.DocPassport:
			d.Number = "C1234567"
		case lindungi.DocKTP:
			d.Number = "3305011508950001"
		case lindungi.DocKK:
			d.Number = "3305010101010001"
		}
		d.Normalize()
		bad := fieldErrors(d.Validate(fuzzToday))
		var from, to time.Time
		if d.IssuedOn != "" && !slices.Contains(bad, "issued_on") {
			from = checkDate(t, "issued_on", d.IssuedOn)
			if from.Year() < 1900 || from.Year() > 2200 || from.After(fuzzToday) {
				t.Fatalf("issued_on %q accepted: out of 1900-2200 or after today", d.IssuedOn)
			}
		}
		if !slices.Contains(bad, "expires_on") {
			if d.ExpiresOn == "" && d.Type.NeedsExpiry() {
				t.Fatalf("a %s without expires_on accepted", d.Type)
			}
			if d.ExpiresOn != "" {
				to = checkDate(t, "expires_on", d.ExpiresOn)
				if to.Year() < 1900 || to.Year() > 2200 {
					t.Fatalf("expires_on %q accepted: out of 1900-2200", d.ExpiresOn)
				}
				if !from.IsZero() && !to.After(from) {
					t.Fatalf("expires_on %q accepted, not after issued_on %q", d.ExpiresOn, d.IssuedOn)
				}
			}
		}
	})
}
