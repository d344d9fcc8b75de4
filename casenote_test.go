package lindungi_test

import (
	"strings"
	"testing"

	"github.com/lindungi/lindungi"
)

func TestCheckCaseNote(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		ok         bool
	}{
		{"a line", "Keluarga datang membawa slip gaji.", true},
		{"lines and tabs", "Telepon KBRI:\n\t- majikan setuju membayar", true},
		{"the longest", strings.Repeat("é", lindungi.MaxCaseNote), true},
		{"empty", "", false},
		{"blank", " \n\t ", false},
		{"too long", strings.Repeat("a", lindungi.MaxCaseNote+1), false},
		{"a NUL", "slip\x00gaji", false},
		{"a bell", "slip\agaji", false},
		{"not UTF-8", "slip\xffgaji", false},
	} {
		err := lindungi.CheckCaseNote(tt.text)
		if tt.ok != (err == nil) {
			t.Errorf("%s: %v", tt.name, err)
		}
		if e, ok := err.(*lindungi.Error); err != nil && (!ok || e.Code != lindungi.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "text") {
			t.Errorf("%s: %v, want EINVALID naming text", tt.name, err)
		}
	}
}

func TestNormalizeCaseNumber(t *testing.T) {
	for in, want := range map[string]string{
		"PGD-33-2026-000042":     "PGD-33-2026-000042",
		" pgd-33-2026-000042 ":   "PGD-33-2026-000042",
		"PGD-ID-2026-000001":     "PGD-ID-2026-000001",
		"PGD-33-2026-1234567":    "PGD-33-2026-1234567",
		"PGD-33-2026-42":         "",
		"33-2026-000042":         "",
		"PGD-3305-2026-000042":   "",
		"PGD-33-2026-000042; --": "",
		"":                       "",
	} {
		got, ok := lindungi.NormalizeCaseNumber(in)
		if ok != (want != "") || (ok && got != want) {
			t.Errorf("NormalizeCaseNumber(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
