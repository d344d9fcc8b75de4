package web

import (
	"bytes"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

// TestPaperPDF: a paper with text outside the PDF's code page (an arrow, a
// middle dot, a name in another script) still makes a PDF.
func TestPaperPDF(t *testing.T) {
	p := NewPrinter(Indonesian)
	paper := p.CaseSummary(CaseSummaryInput{
		Case: lindungi.Case{Number: "PGD-33-2026-000001", Step: lindungi.CaseResolved, Description: "Gaji → tidak dibayar.\n\nPaspor ditahan.",
			Categories: []lindungi.CaseCategory{lindungi.CatUnpaidWages}, ReceivedAt: time.Now(), MoneyRecovered: 15_000_000},
		Owner: lindungi.Unit{Code: "3305", Name: "Kabupaten Kebumen", Kind: "regency"}, Worker: "Siti · 思蒂",
		Events:    []lindungi.Event{{Action: "case.resolve", Actor: "u", ActorUnit: "3305", ActorRole: "caseworker", OccurredAt: time.Now()}},
		Notes:     []lindungi.CaseNote{{Text: "Keluarga datang → membawa slip gaji", Author: "u", AuthorUnit: "3305", CreatedAt: time.Now()}},
		PrintedBy: "Demo", Now: time.Now()})
	var buf bytes.Buffer
	if err := paper.WritePDF(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF")) || buf.Len() < 1000 {
		t.Errorf("not a PDF: %d bytes", buf.Len())
	}
}

// TestStylesheetBalanced: every block of app.css is closed; an unclosed
// one would put every rule after it under its media query.
func TestStylesheetBalanced(t *testing.T) {
	css, err := staticFiles.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for i, b := range css {
		switch b {
		case '{':
			depth++
		case '}':
			depth--
		}
		if depth < 0 {
			t.Fatalf("app.css closes a block it never opened at byte %d", i)
		}
	}
	if depth != 0 {
		t.Errorf("app.css leaves %d blocks open: the rules after them apply only under their media queries", depth)
	}
}
