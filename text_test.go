package lindungi_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

func TestTextProblem(t *testing.T) {
	line := lindungi.Text{Min: 1, Max: 10}
	free := lindungi.Text{Max: 10, Free: true}
	tests := []struct {
		name string
		rule lindungi.Text
		in   string
		want string // "" when the value keeps the rule
	}{
		{"plain", line, "Siti", ""},
		{"ten characters of two bytes", line, strings.Repeat("é", 10), ""},
		{"eleven characters", line, strings.Repeat("é", 11), "must be at most 10 characters"},
		{"trimmed before counting", line, "  Siti Aminah ", "must be at most 10 characters"},
		{"spaces around do not count", line, "   Siti    ", ""},
		{"empty required", line, "", "is required"},
		{"blank required", line, " \u00a0 ", "is required"},
		{"empty optional", free, "", ""},
		{"NUL", line, "a\x00b", "must not contain control characters"},
		{"NUL in free text", free, "a\x00b", "must not contain control characters other than line breaks and tabs"},
		{"escape", line, "a\x1b[2Jb", "must not contain control characters"},
		{"DEL", line, "a\x7fb", "must not contain control characters"},
		{"C1 next line", line, "a\u0085b", "must not contain control characters"},
		{"C1 CSI", free, "a\u009bb", "must not contain control characters other than line breaks and tabs"},
		{"carriage return", free, "a\rb", "must not contain control characters other than line breaks and tabs"},
		{"newline in a line", line, "a\nb", "must not contain control characters"},
		{"tab in a line", line, "a\tb", "must not contain control characters"},
		{"newline and tab in free text", free, "a\n\tb", ""},
		{"invalid UTF-8", line, "a\xffb", "must be valid UTF-8"},
		{"lone surrogate half", line, "a\xed\xa0\x80b", "must be valid UTF-8"},
		{"range", lindungi.Text{Min: 3, Max: 5}, "ab", "must be 3 to 5 characters"},
	}
	for _, tt := range tests {
		if got := tt.rule.Problem(tt.in); got != tt.want {
			t.Errorf("%s: Problem(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestCheckReason(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"Pekerja mengundurkan diri", ""},
		{"baris satu\nbaris dua", ""},
		{"", "must say why, in 5 to 500 characters"},
		{"abc", "must say why, in 5 to 500 characters"},
		{strings.Repeat("x", 501), "must say why, in 5 to 500 characters"},
		{"a\x00bcdef", "must not contain control characters other than line breaks and tabs"},
	}
	for _, tt := range tests {
		got := ""
		if err := lindungi.CheckReason("reason", tt.in); err != nil {
			e := err.(*lindungi.Error)
			if len(e.Fields) != 1 || e.Fields[0].Field != "reason" {
				t.Fatalf("CheckReason(%q) fields = %v, want reason", tt.in, e.Fields)
			}
			got = e.Fields[0].Reason
		}
		if got != tt.want {
			t.Errorf("CheckReason(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTrimText(t *testing.T) {
	if got, want := lindungi.TrimText(" satu\r\ndua\r\n "), "satu\ndua"; got != want {
		t.Errorf("TrimText = %q, want %q", got, want)
	}
}

func TestParseID(t *testing.T) {
	const id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
	tests := []struct {
		in string
		ok bool
	}{
		{id, true},
		{"6BA7B810-9DAD-11D1-80B4-00C04FD430C8", false},
		{"{" + id + "}", false},
		{"urn:uuid:" + id, false},
		{"6ba7b8109dad11d180b400c04fd430c8", false},
		{"6ba7b810-9dad-11d1-80b4-00c04fd430c", false},
		{"6ba7b810-9dad-11d1-80b4-00c04fd430cg", false},
		{"6ba7b810-9dad-11d1-80b4+00c04fd430c8", false},
		{"6ba7b810-9dad-11d1-80b4-00c04fd430c8\x00", false},
		{"", false},
	}
	for _, tt := range tests {
		got, ok := lindungi.ParseID(tt.in)
		if ok != tt.ok || (ok && got.String() != tt.in) {
			t.Errorf("ParseID(%q) = %v, %v; want ok %v", tt.in, got, ok, tt.ok)
		}
	}
}

// TestValidateNamesEveryTextField puts a NUL in each text field of the
// request types of the root package and wants the field named.
func TestValidateNamesEveryTextField(t *testing.T) {
	today := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	worker := func(change func(*lindungi.NewWorker)) error {
		w := lindungi.NewWorker{NIK: "3305011508950001", Name: "Siti Aminah", BirthDate: "1995-08-15",
			DomicileUnit: "3305", Phone: "081234567890", Scheme: lindungi.SchemeP2P,
			PlacementCompany: "PT Sinar Jaya Abadi", JobOrderRef: "JO-TW-2026-0142"}
		change(&w)
		w.Normalize()
		return w.Validate(today)
	}
	document := func(change func(*lindungi.NewDocument)) error {
		d := lindungi.NewDocument{Type: lindungi.DocWorkContract, Number: "PK-2026-01", IssuedOn: "2026-01-05",
			ExpiresOn: "2028-01-05", FileRef: "docs/3305/pk.pdf"}
		change(&d)
		d.Normalize()
		return d.Validate(today)
	}
	complaint := func(change func(*lindungi.NewComplaint)) error {
		c := lindungi.NewComplaint{Channel: lindungi.ChannelWalkIn,
			Complainant: lindungi.Complainant{Name: "Parmi", Relation: lindungi.ComplainantFamily, Phone: "081234567890"},
			Subject:     &lindungi.CaseSubject{Name: "Sri Wahyuni", NIK: "3305015708950001", BirthDate: "1995-08-17", Phone: "081298765432", DomicileUnit: "3305"},
			Categories:  []lindungi.CaseCategory{lindungi.CatUnpaidWages}, Country: "MY", Employer: "Ladang Sawit Sdn Bhd",
			PlacementCompany: "PT Sinar Jaya", Description: "Gaji tidak dibayar selama tujuh bulan.", RiskFlags: []string{lindungi.FlagMinor}, Unit: "3305"}
		change(&c)
		c.Normalize()
		return c.Validate(today)
	}
	policy := func(change func(*lindungi.PolicyChange)) error {
		c := lindungi.PolicyChange{Reason: "map Keycloak role", Add: []lindungi.PolicyRule{{Model: "access", PType: "g", Values: []string{"kc-petugas", "caseworker"}}},
			Remove: []lindungi.PolicyRule{{Model: "access", PType: "g", Values: []string{"kc-old", "caseworker"}}}}
		change(&c)
		c.Normalize()
		return c.Validate()
	}
	const nul = "a\x00b"
	tests := []struct {
		field string
		err   error
	}{
		{"", worker(func(*lindungi.NewWorker) {})},
		{"nik", worker(func(w *lindungi.NewWorker) { w.NIK = nul })},
		{"name", worker(func(w *lindungi.NewWorker) { w.Name = nul })},
		{"birth_date", worker(func(w *lindungi.NewWorker) { w.BirthDate = nul })},
		{"domicile_unit", worker(func(w *lindungi.NewWorker) { w.DomicileUnit = nul })},
		{"phone", worker(func(w *lindungi.NewWorker) { w.Phone = nul })},
		{"scheme", worker(func(w *lindungi.NewWorker) { w.Scheme = nul })},
		{"placement_company", worker(func(w *lindungi.NewWorker) { w.PlacementCompany = nul })},
		{"job_order_ref", worker(func(w *lindungi.NewWorker) { w.JobOrderRef = nul })},
		{"entry", worker(func(w *lindungi.NewWorker) { w.Entry = nul })},
		{"", document(func(*lindungi.NewDocument) {})},
		{"type", document(func(d *lindungi.NewDocument) { d.Type = nul })},
		{"number", document(func(d *lindungi.NewDocument) { d.Number = nul })},
		{"issued_on", document(func(d *lindungi.NewDocument) { d.IssuedOn = nul })},
		{"expires_on", document(func(d *lindungi.NewDocument) { d.ExpiresOn = nul })},
		{"file_ref", document(func(d *lindungi.NewDocument) { d.FileRef = nul })},
		{"", complaint(func(*lindungi.NewComplaint) {})},
		{"channel", complaint(func(c *lindungi.NewComplaint) { c.Channel = nul })},
		{"complainant.name", complaint(func(c *lindungi.NewComplaint) { c.Complainant.Name = nul })},
		{"complainant.relation", complaint(func(c *lindungi.NewComplaint) { c.Complainant.Relation = nul })},
		{"complainant.phone", complaint(func(c *lindungi.NewComplaint) { c.Complainant.Phone = nul })},
		{"subject.name", complaint(func(c *lindungi.NewComplaint) { c.Subject.Name = nul })},
		{"subject.nik", complaint(func(c *lindungi.NewComplaint) { c.Subject.NIK = nul })},
		{"subject.birth_date", complaint(func(c *lindungi.NewComplaint) { c.Subject.BirthDate = nul })},
		{"subject.phone", complaint(func(c *lindungi.NewComplaint) { c.Subject.Phone = nul })},
		{"subject.domicile_unit", complaint(func(c *lindungi.NewComplaint) { c.Subject.DomicileUnit = nul })},
		{"categories[0]", complaint(func(c *lindungi.NewComplaint) { c.Categories[0] = nul })},
		{"country", complaint(func(c *lindungi.NewComplaint) { c.Country = nul })},
		{"employer", complaint(func(c *lindungi.NewComplaint) { c.Employer = nul })},
		{"placement_company", complaint(func(c *lindungi.NewComplaint) { c.PlacementCompany = nul })},
		{"description", complaint(func(c *lindungi.NewComplaint) { c.Description = "Gaji tidak dibayar\x00 tujuh bulan" })},
		{"risk_flags[0]", complaint(func(c *lindungi.NewComplaint) { c.RiskFlags[0] = nul })},
		{"unit", complaint(func(c *lindungi.NewComplaint) { c.Unit = nul })},
		{"", policy(func(*lindungi.PolicyChange) {})},
		{"reason", policy(func(c *lindungi.PolicyChange) { c.Reason = "map Keycloak\x00 role" })},
		{"add[0].model", policy(func(c *lindungi.PolicyChange) { c.Add[0].Model = nul })},
		{"add[0].ptype", policy(func(c *lindungi.PolicyChange) { c.Add[0].PType = nul })},
		{"add[0].values[1]", policy(func(c *lindungi.PolicyChange) { c.Add[0].Values[1] = nul })},
		{"remove[0].values[0]", policy(func(c *lindungi.PolicyChange) { c.Remove[0].Values[0] = nul })},
		{"", lindungi.CheckResolution("Gaji dibayar penuh", 0)},
		{"resolution", lindungi.CheckResolution(nul, 0)},
		{"to_agency", lindungi.CheckReferral("", nul, true, "")},
		{"to_unit", lindungi.CheckReferral(nul, "", true, "")},
		{"reason", lindungi.CheckReferral("33", "", false, "tanpa\x00 persetujuan")},
		{"to_unit", lindungi.CheckTransfer(nul, "")},
		{"reason", lindungi.CheckTransfer("33", nul)},
		{"name", lindungi.CheckNewHoliday(lindungi.Holiday{Date: "2027-01-01", Kind: "national", Name: nul}, "SKB 3 Menteri")},
		{"reason", lindungi.CheckHolidayRemoval("2027-01-01", "SKB\x003 Menteri")},
	}
	for _, tt := range tests {
		var fields []string
		if e, ok := tt.err.(*lindungi.Error); ok {
			for _, f := range e.Fields {
				fields = append(fields, f.Field)
			}
		} else if tt.err != nil {
			t.Fatalf("%s: %T %v", tt.field, tt.err, tt.err)
		}
		switch {
		case tt.field == "" && tt.err != nil:
			t.Errorf("the valid request is refused: %v", tt.err)
		case tt.field != "" && !slices.Contains(fields, tt.field):
			t.Errorf("a NUL in %s: bad fields %v, want %s among them", tt.field, fields, tt.field)
		}
	}
}
