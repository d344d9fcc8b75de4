package lindungi_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lindungi/lindungi"
)

func ptr[T any](v T) *T { return &v }

// onFile is a registered P2P worker at the start of the journey.
func onFile() lindungi.Worker {
	return lindungi.Worker{NIK: "3305011508950001", Name: "Siti Aminah", BirthDate: "1995-08-15", DomicileUnit: "3305",
		Phone: "+6281234567890", Scheme: lindungi.SchemeP2P, PlacementCompany: "PT Sinar Jaya", JobOrderRef: "JO-1",
		JourneyStep: lindungi.StepRegistered}
}

func TestCorrectionCheck(t *testing.T) {
	const reason = "Nomor lama tidak aktif"
	for _, tt := range []struct {
		name    string
		c       lindungi.WorkerCorrection
		w       func(*lindungi.Worker)
		code    string
		fields  []string
		changed []lindungi.Change
	}{
		{name: "a new phone, given as people write it",
			c:       lindungi.WorkerCorrection{Phone: ptr("0812-9999-8888"), Name: ptr(" Siti  Aminah "), Reason: reason},
			changed: []lindungi.Change{{"phone", "+6281234567890", "+6281299998888"}}},
		{name: "the same values change nothing",
			c:    lindungi.WorkerCorrection{Phone: ptr("081234567890"), Name: ptr("Siti Aminah"), Address: ptr(""), Reason: reason},
			code: lindungi.EINVALID, fields: []string{""}},
		{name: "a reason is required", c: lindungi.WorkerCorrection{Phone: ptr("081299998888"), Reason: "ok"},
			code: lindungi.EINVALID, fields: []string{"reason"}},
		{name: "bad values are named",
			c:    lindungi.WorkerCorrection{Phone: ptr("12345"), Name: ptr(""), Address: ptr("Desa\x00Kutosari"), Reason: reason},
			code: lindungi.EINVALID, fields: []string{"name", "phone", "address"}},
		{name: "a NIK must match the birth date", c: lindungi.WorkerCorrection{NIK: ptr("3305011508960001"), Reason: reason},
			code: lindungi.EINVALID, fields: []string{"nik"}},
		{name: "a NIK as registration takes it", c: lindungi.WorkerCorrection{NIK: ptr(" 3305011508950002 "), Reason: reason},
			changed: []lindungi.Change{{"nik", "3305011508950001", "3305011508950002"}}},
		{name: "another scheme clears the placement",
			c: lindungi.WorkerCorrection{Scheme: ptr(lindungi.Scheme("g2g")), Reason: reason},
			changed: []lindungi.Change{{"scheme", "P2P", "G2G"}, {"placement_company", "PT Sinar Jaya", ""},
				{"job_order_ref", "JO-1", ""}}},
		{name: "P2P needs its placement", c: lindungi.WorkerCorrection{Scheme: ptr(lindungi.SchemeP2P), Reason: reason},
			w:    func(w *lindungi.Worker) { w.Scheme, w.PlacementCompany, w.JobOrderRef = lindungi.SchemeG2G, "", "" },
			code: lindungi.EINVALID, fields: []string{"placement_company", "job_order_ref"}},
		{name: "the scheme is fixed from the medical check on", c: lindungi.WorkerCorrection{Scheme: ptr(lindungi.SchemeG2G), Reason: reason},
			w:    func(w *lindungi.Worker) { w.JourneyStep = lindungi.StepMedical },
			code: lindungi.ECONFLICT, fields: []string{"scheme"}},
		{name: "the scheme on file given again is no change", c: lindungi.WorkerCorrection{Scheme: ptr(lindungi.SchemeP2P), Phone: ptr("081299998888"), Reason: reason},
			w:       func(w *lindungi.Worker) { w.JourneyStep = lindungi.StepAbroad },
			changed: []lindungi.Change{{"phone", "+6281234567890", "+6281299998888"}}},
		{name: "a phone on a P2P record without its placement",
			c:       lindungi.WorkerCorrection{Phone: ptr("081299998888"), Reason: reason},
			w:       func(w *lindungi.Worker) { w.PlacementCompany, w.JobOrderRef = "", "" },
			changed: []lindungi.Change{{"phone", "+6281234567890", "+6281299998888"}}},
		{name: "a provisional record has no scheme", c: lindungi.WorkerCorrection{Scheme: ptr(lindungi.SchemeG2G), Reason: reason},
			w: func(w *lindungi.Worker) {
				*w = lindungi.Worker{Name: "Sri", DomicileUnit: "3305"}
			},
			code: lindungi.ECONFLICT, fields: []string{"scheme"}},
		{name: "a provisional record gets a NIK without a birth date",
			c:       lindungi.WorkerCorrection{NIK: ptr("3305011508950001"), Address: ptr("Desa Kutosari\r\nRT 02"), Reason: reason},
			w:       func(w *lindungi.Worker) { *w = lindungi.Worker{Name: "Sri", DomicileUnit: "3305"} },
			changed: []lindungi.Change{{"nik", "", "3305011508950001"}, {"address", "", "Desa Kutosari\nRT 02"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := onFile()
			if tt.w != nil {
				tt.w(&w)
			}
			c := tt.c
			c.Normalize()
			after, changed, err := c.Check(w)
			code, fields := lindungi.ErrorCode(err), fieldsOf(err)
			if code != tt.code || !cmp.Equal(fields, tt.fields) {
				t.Fatalf("Check = %v, want %q naming %q", err, tt.code, tt.fields)
			}
			if diff := cmp.Diff(tt.changed, changed); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if err == nil {
				for _, ch := range changed {
					got := map[string]string{"nik": after.NIK, "phone": after.Phone, "address": after.Address, "scheme": string(after.Scheme),
						"placement_company": after.PlacementCompany, "job_order_ref": after.JobOrderRef}[ch.Field]
					if got != ch.After {
						t.Errorf("the worker as corrected has %s %q, want %q", ch.Field, got, ch.After)
					}
				}
			}
		})
	}
}

func fieldsOf(err error) []string {
	e, ok := err.(*lindungi.Error)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"Sri":              "***",
		"Budi":             "B**i",
		"+6281234567890":   "+6**********90",
		"Siti Aminah":      "Si** ****ah",
		"3305011508950001": "33************01",
	} {
		if got := lindungi.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSniffScan: a scan is typed by its bytes, never by its name: a PNG
// sent as "ktp.pdf" is a PNG; an HTML page or a Windows program sent as a
// PDF is refused, as are an empty file and one over 10 MiB.
func TestSniffScan(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 64)...)
	pdf := []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 64)...)
	for _, tt := range []struct {
		name    string
		content []byte
		want    string // the type, or the error code
	}{
		{"a PDF", pdf, lindungi.ScanPDF},
		{"a PNG, whatever its name", png, lindungi.ScanPNG},
		{"a JPEG", jpeg, lindungi.ScanJPEG},
		{"an HTML page named .pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), lindungi.EINVALID},
		{"a program named .pdf", exe, lindungi.EINVALID},
		{"text", []byte("just some text that claims to be a PDF"), lindungi.EINVALID},
		{"an empty file", nil, lindungi.EINVALID},
		{"a PDF over 10 MiB", append(bytes.Clone(pdf), make([]byte, lindungi.MaxScanSize)...), lindungi.ETOOLARGE},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := lindungi.SniffScan("file", tt.content)
			got := s.ContentType
			if err != nil {
				got = lindungi.ErrorCode(err)
				if f := fieldsOf(err); !cmp.Equal(f, []string{"file"}) {
					t.Errorf("the error names %q, want file", f)
				}
			}
			if got != tt.want {
				t.Errorf("SniffScan = %q (%v), want %q", got, err, tt.want)
			}
			if err == nil && (len(s.SHA256) != 32 || !strings.HasPrefix(lindungi.ScanRef(s.SHA256), "lindungi:scan:sha256:")) {
				t.Errorf("digest %x, ref %s", s.SHA256, lindungi.ScanRef(s.SHA256))
			}
		})
	}
	// The rule every page and handler asks: the uploader is no second pair of eyes.
	if err := lindungi.CheckVerifyScan("user:siti", "user:siti"); lindungi.ErrorCode(err) != lindungi.EFORBIDDEN {
		t.Errorf("the uploader may verify: %v", err)
	}
	if err := lindungi.CheckVerifyScan("user:siti", "user:budi"); err != nil {
		t.Errorf("a second person may not verify: %v", err)
	}
}
