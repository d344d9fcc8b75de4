package web

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/lindungi/lindungi"
)

// Paper is a printable document: a case summary or a recommendation
// letter. The page (views/paper.html, printed without the menu) and the
// PDF (WritePDF) are drawn from the same Paper, so they say the same.
type Paper struct {
	Page
	Kind   string   // "summary" or "letter": the page's class
	Head   []string // the letterhead's lines, the first in bold
	Title  string
	Number string // under the title: the case number, or "Nomor: ..."
	Blocks []PaperBlock
	Sign   *PaperSign
	Foot   string // who printed it and when
	// PDFURL is the same document as PDF; BackURL the page it came from.
	PDFURL  string
	BackURL string
	BackTo  string // the link's words
}

// PaperBlock is a part of a paper: a heading, paragraphs, facts (label:
// value) and a table, each optional.
type PaperBlock struct {
	Heading string
	Text    []string
	Facts   []Fact
	Table   *Table
}

// PaperSign is where the paper is signed: the place and date, the office
// over the space for the signature, and the line under it.
type PaperSign struct {
	PlaceDate string
	Office    []string
	Name      string
	ID        string
}

// LongDate writes the day of t in WIB with the month's full name, as
// letters do: "27 November 2026", "3 Agustus 2026".
func (p *Printer) LongDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(wib)
	return strconv.Itoa(t.Day()) + " " + p.T("month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
}

// MonthName writes a month: "November 2026".
func (p *Printer) MonthName(m lindungi.Month) string {
	return p.T("month."+strconv.Itoa(int(m.Month))) + " " + strconv.Itoa(m.Year)
}

// Place is where a unit's letters are signed: its name without
// "Kabupaten", "Kota" or "Provinsi" ("Kebumen").
func Place(unitName string) string {
	for _, prefix := range []string{"Kabupaten ", "Kota ", "Provinsi "} {
		if s, ok := strings.CutPrefix(unitName, prefix); ok {
			return s
		}
	}
	return unitName
}

// pdfMargin is the paper's margin in millimetres (A4).
const pdfMargin = 20.0

// WritePDF writes the paper as an A4 PDF. The built-in Helvetica covers
// the Latin letters of Indonesian; the text is translated to its
// code page (cp1252), so a character outside it shows as a question mark.
func (p Paper) WritePDF(w io.Writer) (err error) {
	defer func() {
		// fpdf panics on some input it cannot draw: an error, not a crash.
		if r := recover(); r != nil {
			err = fmt.Errorf("web: pdf: %v", r)
		}
	}()
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	pdf.SetAutoPageBreak(true, pdfMargin)
	pdf.SetTitle(p.Title+" "+p.Number, true)
	pdf.SetCreator("Lindungi", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	width, _ := pdf.GetPageSize()
	width -= 2 * pdfMargin
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, tr(p.Foot), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5, strconv.Itoa(pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	// The letterhead, centred, with a rule under it.
	for i, line := range p.Head {
		style, size := "", 11.0
		if i == 0 {
			style, size = "B", 13
		}
		pdf.SetFont("Helvetica", style, size)
		pdf.CellFormat(0, 6, tr(line), "", 1, "C", false, 0, "")
	}
	if len(p.Head) > 0 {
		y := pdf.GetY() + 2
		pdf.SetLineWidth(0.6)
		pdf.Line(pdfMargin, y, pdfMargin+width, y)
		pdf.SetLineWidth(0.2)
		pdf.Ln(6)
	}
	pdf.SetFont("Helvetica", "B", 12)
	pdf.CellFormat(0, 7, tr(p.Title), "", 1, "C", false, 0, "")
	if p.Number != "" {
		pdf.SetFont("Helvetica", "", 10)
		pdf.CellFormat(0, 5, tr(p.Number), "", 1, "C", false, 0, "")
	}
	pdf.Ln(4)

	for _, b := range p.Blocks {
		if b.Heading != "" {
			pdf.SetFont("Helvetica", "B", 11)
			pdf.CellFormat(0, 7, tr(b.Heading), "", 1, "L", false, 0, "")
		}
		pdf.SetFont("Helvetica", "", 10.5)
		for _, t := range b.Text {
			pdf.MultiCell(0, 5.5, tr(t), "", "J", false)
			pdf.Ln(2)
		}
		label := width * 0.34
		for _, f := range b.Facts {
			value := f.Value
			if f.Sub != "" {
				value += " (" + f.Sub + ")"
			}
			y := pdf.GetY()
			pdf.SetFont("Helvetica", "", 10.5)
			pdf.MultiCell(label, 5.5, tr(f.Label), "", "L", false)
			below := pdf.GetY()
			pdf.SetXY(pdfMargin+label, y)
			pdf.MultiCell(width-label, 5.5, tr(": "+value), "", "L", false)
			pdf.SetY(max(below, pdf.GetY()))
		}
		if b.Table != nil {
			pdfTable(pdf, tr, width, *b.Table)
		}
		pdf.Ln(3)
	}

	if s := p.Sign; s != nil {
		pdf.Ln(6)
		x := pdfMargin + width*0.55
		pdf.SetFont("Helvetica", "", 10.5)
		for _, line := range append([]string{s.PlaceDate}, s.Office...) {
			pdf.SetX(x)
			pdf.CellFormat(width*0.45, 5.5, tr(line), "", 1, "L", false, 0, "")
		}
		pdf.Ln(22) // room for the signature and the stamp
		pdf.SetFont("Helvetica", "BU", 10.5)
		pdf.SetX(x)
		pdf.CellFormat(width*0.45, 5.5, tr(s.Name), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10.5)
		if s.ID != "" {
			pdf.SetX(x)
			pdf.CellFormat(width*0.45, 5.5, tr(s.ID), "", 1, "L", false, 0, "")
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("web: pdf: %w", err)
	}
	return pdf.Output(w)
}

// pdfTable draws t with its headers, the columns sharing the width.
func pdfTable(pdf *fpdf.Fpdf, tr func(string) string, width float64, t Table) {
	if len(t.Rows) == 0 {
		if t.Empty != "" {
			pdf.SetFont("Helvetica", "I", 10)
			pdf.MultiCell(0, 5.5, tr(t.Empty), "", "L", false)
		}
		return
	}
	n := len(t.Headers)
	if n == 0 {
		return
	}
	col := width / float64(n)
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetFillColor(235, 238, 242)
	for _, h := range t.Headers {
		pdf.CellFormat(col, 6, tr(h), "1", 0, "L", true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	for _, r := range t.Rows {
		// Each row as tall as its tallest cell.
		lines := 1
		texts := make([]string, n)
		for i := range n {
			if i < len(r.Cells) {
				c := r.Cells[i]
				texts[i] = c.Text
				if c.Sub != "" {
					texts[i] += "\n" + c.Sub
				}
			}
			texts[i] = tr(texts[i])
			// SplitLines measures the code page's bytes, as the core
			// font draws them (SplitText would read them as UTF-8).
			n := 0
			for _, para := range strings.Split(texts[i], "\n") {
				n += max(1, len(pdf.SplitLines([]byte(para), col-2)))
			}
			lines = max(lines, n)
		}
		h := 4.5*float64(lines) + 1.5
		if pdf.GetY()+h > 297-pdfMargin {
			pdf.AddPage()
		}
		x, y := pdf.GetX(), pdf.GetY()
		for i := range n {
			pdf.Rect(x+float64(i)*col, y, col, h, "D")
			pdf.SetXY(x+float64(i)*col+1, y+0.75)
			pdf.MultiCell(col-2, 4.5, texts[i], "", "L", false)
		}
		pdf.SetXY(x, y+h)
	}
}
