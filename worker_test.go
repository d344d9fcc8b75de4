package lindungi_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
)

func TestCheckNIK(t *testing.T) {
	tests := []struct {
		nik  string
		want string // "" for valid
	}{
		{"3305011508950001", ""},
		{"3305015508950002", ""}, // woman: day + 40
		{"", "is required"},
		{"330501150895000", "must be exactly 16 digits"},
		{"33050115089500011", "must be exactly 16 digits"},
		{"33050115089500a1", "must be exactly 16 digits"},
		{"３３05011508950001", "must be exactly 16 digits"}, // full-width digits
		{"0905011508950001", "digits 1 and 2 must be a province code (11 to 96)"},
		{"3305013208950001", "digits 7 to 10 must be a birth day and month"},
		{"3305011513950001", "digits 7 to 10 must be a birth day and month"},
		{"3305010008950001", "digits 7 to 10 must be a birth day and month"},
		{"3305011508950000", "digits 13 to 16 must be a serial number other than 0000"},
	}
	for _, tt := range tests {
		if got := lindungi.CheckNIK(tt.nik); got != tt.want {
			t.Errorf("CheckNIK(%q) = %q, want %q", tt.nik, got, tt.want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"081234567890", "+6281234567890", true},
		{"+62 812-3456-7890", "+6281234567890", true},
		{"6281234567890", "+6281234567890", true},
		{" 0812.3456.789 ", "+628123456789", true},
		{"+081234567890", "", false},
		{"0812", "", false},
		{"0812345678901234", "", false},
		{"12345678", "", false},
		{"0812abc4567", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := lindungi.NormalizePhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNewWorkerValidate(t *testing.T) {
	today := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	valid := lindungi.NewWorker{
		NIK: "3305011508950001", Name: "Siti Aminah", BirthDate: "1995-08-15",
		DomicileUnit: "3305", Phone: "081234567890", Scheme: lindungi.SchemeP2P,
		PlacementCompany: "PT Sinar Jaya Abadi", JobOrderRef: "JO-TW-2026-0142",
	}
	tests := []struct {
		name   string
		change func(w *lindungi.NewWorker)
		want   []string // bad fields, in order
	}{
		{"valid", func(w *lindungi.NewWorker) {}, nil},
		{"empty", func(w *lindungi.NewWorker) { *w = lindungi.NewWorker{} },
			[]string{"birth_date", "nik", "name", "domicile_unit", "phone", "scheme"}},
		{"nik birth date mismatch", func(w *lindungi.NewWorker) { w.BirthDate = "1995-08-16" }, []string{"nik"}},
		{"under 18", func(w *lindungi.NewWorker) { w.BirthDate = "2009-08-15"; w.NIK = "3305011508090001" }, []string{"birth_date"}},
		{"turns 18 today", func(w *lindungi.NewWorker) { w.BirthDate = "2008-11-27"; w.NIK = "3305012711080001" }, nil},
		{"future birth", func(w *lindungi.NewWorker) { w.BirthDate = "2027-01-01" }, []string{"birth_date", "nik"}},
		{"bad date", func(w *lindungi.NewWorker) { w.BirthDate = "15-08-1995" }, []string{"birth_date"}},
		{"feb 30", func(w *lindungi.NewWorker) { w.BirthDate = "1995-02-30" }, []string{"birth_date"}},
		{"province code as domicile", func(w *lindungi.NewWorker) { w.DomicileUnit = "33" }, []string{"domicile_unit"}},
		{"lower-case scheme is normalized", func(w *lindungi.NewWorker) { w.Scheme = " p2p " }, nil},
		{"unknown scheme", func(w *lindungi.NewWorker) { w.Scheme = "PT" }, []string{"scheme", "placement_company", "job_order_ref"}},
		{"P2P without company", func(w *lindungi.NewWorker) { w.PlacementCompany, w.JobOrderRef = "", "" }, []string{"placement_company", "job_order_ref"}},
		{"G2G with a company", func(w *lindungi.NewWorker) { w.Scheme = lindungi.SchemeG2G }, []string{"placement_company", "job_order_ref"}},
		{"G2G without", func(w *lindungi.NewWorker) { w.Scheme, w.PlacementCompany, w.JobOrderRef = lindungi.SchemeG2G, "", "" }, nil},
		{"long name", func(w *lindungi.NewWorker) { w.Name = string(make([]rune, 101)) }, []string{"name"}},
		{"name with control", func(w *lindungi.NewWorker) { w.Name = "Siti\x00Aminah" }, []string{"name"}},
		{"blank name", func(w *lindungi.NewWorker) { w.Name = "  \t " }, []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := valid
			tt.change(&w)
			w.Normalize()
			err := w.Validate(today)
			var got []string
			var e *lindungi.Error
			if errors.As(err, &e) {
				if e.Code != lindungi.EINVALID {
					t.Fatalf("code = %q, want %q", e.Code, lindungi.EINVALID)
				}
				for _, f := range e.Fields {
					got = append(got, f.Field)
				}
			} else if err != nil {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("bad fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizeKeepsUnicodeName(t *testing.T) {
	w := lindungi.NewWorker{Name: "  Ni   Luh Putu Ayu  Déwi "}
	w.Normalize()
	if want := "Ni Luh Putu Ayu Déwi"; w.Name != want {
		t.Errorf("Name = %q, want %q", w.Name, want)
	}
}

func TestTaskIDIsStable(t *testing.T) {
	a := lindungi.TaskID("journey/x", lindungi.StepRegistered, lindungi.TaskVerifyRegistration, 0)
	b := lindungi.TaskID("journey/x", lindungi.StepRegistered, lindungi.TaskVerifyRegistration, 0)
	c := lindungi.TaskID("journey/x", lindungi.StepRegistered, lindungi.TaskVerifyRegistration, 1)
	if a != b {
		t.Errorf("same inputs gave %s and %s", a, b)
	}
	if a == c {
		t.Errorf("another level gave the same ID %s", a)
	}
}

func BenchmarkValidateNewWorker(b *testing.B) {
	today := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	w := lindungi.NewWorker{NIK: "3305011508950001", Name: "Siti Aminah", BirthDate: "1995-08-15",
		DomicileUnit: "3305", Phone: "0812-3456-7890", Scheme: "p2p", PlacementCompany: "PT Sinar Jaya", JobOrderRef: "JO-1"}
	b.ReportAllocs()
	for b.Loop() {
		v := w
		v.Normalize()
		if err := v.Validate(today); err != nil {
			b.Fatal(err)
		}
	}
}
