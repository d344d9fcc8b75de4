package web

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// The files of reports and list exports: CSV or XLSX, written as the rows
// come. Every file begins with its head: the title, then lines such as the
// unit, the month, who exported it and when (in CSV, the first rows; in
// XLSX, the first rows of every worksheet), then a blank row, then the
// table's column headers and rows.

// Rupiah is an amount of money in a sheet: digits in CSV, a number shown
// "Rp 15.000.000" in XLSX.
type Rupiah int64

// Formats of exported files.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// ContentTypes are the media types of the formats.
var ContentTypes = map[string]string{
	FormatCSV:  "text/csv; charset=utf-8",
	FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// SheetHead is what a file says before its tables: a title and lines of
// label and value.
type SheetHead struct {
	Title string
	Lines [][2]string
}

// SheetWriter writes the tables of a file, one row at a time.
type SheetWriter interface {
	// Table starts a table (a worksheet in XLSX) named name with its
	// column headers.
	Table(name string, columns []string) error
	// Row writes a row of the current table: strings, ints, Rupiah,
	// time.Time (a date and time in WIB), bool.
	Row(values ...any) error
	// Close ends the file; for XLSX it writes it out.
	Close() error
}

// NewSheetWriter writes a file of format (FormatCSV or FormatXLSX) to w.
func NewSheetWriter(w io.Writer, format string, head SheetHead, p *Printer) (SheetWriter, error) {
	switch format {
	case FormatCSV:
		cw := &csvSheet{w: csv.NewWriter(w), p: p}
		return cw, cw.head(head)
	case FormatXLSX:
		return newXLSXSheet(w, head, p)
	}
	return nil, fmt.Errorf("web: no sheet format %q", format)
}

// csvSheet writes CSV, flushing every row so that the file streams.
type csvSheet struct {
	w      *csv.Writer
	p      *Printer
	tables int
}

func (s *csvSheet) head(h SheetHead) error {
	s.w.Write([]string{safeCell(h.Title)})
	for _, l := range h.Lines {
		s.w.Write([]string{safeCell(l[0]), safeCell(l[1])})
	}
	s.w.Flush()
	return s.w.Error()
}

func (s *csvSheet) Table(name string, columns []string) error {
	s.w.Write(nil) // a blank row between the head and each table
	if s.tables++; name != "" {
		s.w.Write([]string{name})
	}
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = safeCell(c)
	}
	s.w.Write(cols)
	s.w.Flush()
	return s.w.Error()
}

func (s *csvSheet) Row(values ...any) error {
	rec := make([]string, len(values))
	for i, v := range values {
		rec[i] = s.text(v)
	}
	s.w.Write(rec)
	s.w.Flush()
	return s.w.Error()
}

// text is a value as a CSV cell: money and counts as plain digits, times
// in WIB as 2026-11-27 14:30, booleans in words.
func (s *csvSheet) text(v any) string {
	switch v := v.(type) {
	case string:
		return safeCell(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case Rupiah:
		return strconv.FormatInt(int64(v), 10)
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(wib).Format("2006-01-02 15:04")
	case bool:
		if v {
			return s.p.T("sheet.yes")
		}
		return s.p.T("sheet.no")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// safeCell keeps a spreadsheet from reading text as a formula: text that
// begins with =, +, -, @, a tab or a carriage return gets a ' before it.
func safeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func (s *csvSheet) Close() error {
	s.w.Flush()
	return s.w.Error()
}

// xlsxSheet writes XLSX through excelize's StreamWriter: rows go to the
// worksheet's stream (held in memory up to excelize's chunk size, 16 MiB,
// then in a temporary file), never as a whole workbook of cells; the file
// is written to w when it is closed.
type xlsxSheet struct {
	out    io.Writer
	f      *excelize.File
	p      *Printer
	head   SheetHead
	sw     *excelize.StreamWriter
	row    int
	sheets int
	closed bool
	// styles
	bold, money, when int
}

func newXLSXSheet(w io.Writer, head SheetHead, p *Printer) (*xlsxSheet, error) {
	f := excelize.NewFile()
	s := &xlsxSheet{out: w, f: f, p: p, head: head}
	var err error
	if s.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	moneyFmt := `"Rp "#,##0`
	if s.money, err = f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt}); err != nil {
		return nil, err
	}
	whenFmt := "d mmm yyyy hh:mm"
	if s.when, err = f.NewStyle(&excelize.Style{CustomNumFmt: &whenFmt}); err != nil {
		return nil, err
	}
	return s, nil
}

// Table starts a worksheet: the head's rows, a blank row, the column
// headers in bold.
func (s *xlsxSheet) Table(name string, columns []string) error {
	if err := s.flush(); err != nil {
		return err
	}
	name = sheetName(name, s.sheets)
	if s.sheets == 0 {
		if err := s.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := s.f.NewSheet(name); err != nil {
		return err
	}
	s.sheets++
	sw, err := s.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	s.sw, s.row = sw, 0
	widths := 18.0
	if err := sw.SetColWidth(1, max(2, len(columns)), widths); err != nil {
		return err
	}
	if err := s.put([]any{excelize.Cell{StyleID: s.bold, Value: s.head.Title}}); err != nil {
		return err
	}
	for _, l := range s.head.Lines {
		if err := s.put([]any{l[0], l[1]}); err != nil {
			return err
		}
	}
	if err := s.put(nil); err != nil {
		return err
	}
	cells := make([]any, len(columns))
	for i, c := range columns {
		cells[i] = excelize.Cell{StyleID: s.bold, Value: c}
	}
	return s.put(cells)
}

// sheetName is a worksheet's name as Excel allows it: at most 31
// characters, none of []:*?/\, and not empty.
func sheetName(name string, n int) string {
	out := []rune{}
	for _, r := range name {
		switch r {
		case '[', ']', ':', '*', '?', '/', '\\':
			r = '-'
		}
		out = append(out, r)
	}
	if len(out) > 31 {
		out = out[:31]
	}
	if len(out) == 0 {
		return "Sheet" + strconv.Itoa(n+1)
	}
	return string(out)
}

func (s *xlsxSheet) put(cells []any) error {
	s.row++
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, cells)
}

func (s *xlsxSheet) Row(values ...any) error {
	if s.sw == nil {
		return fmt.Errorf("web: a row before its table")
	}
	cells := make([]any, len(values))
	for i, v := range values {
		switch v := v.(type) {
		case Rupiah:
			cells[i] = excelize.Cell{StyleID: s.money, Value: int64(v)}
		case time.Time:
			if v.IsZero() {
				cells[i] = nil
				continue
			}
			// Excel has no zones: the cell holds the wall clock in WIB.
			w := v.In(wib)
			cells[i] = excelize.Cell{StyleID: s.when, Value: time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC)}
		case bool:
			if v {
				cells[i] = s.p.T("sheet.yes")
			} else {
				cells[i] = s.p.T("sheet.no")
			}
		default:
			cells[i] = v
		}
	}
	return s.put(cells)
}

func (s *xlsxSheet) flush() error {
	if s.sw == nil {
		return nil
	}
	err := s.sw.Flush()
	s.sw = nil
	return err
}

func (s *xlsxSheet) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	defer s.f.Close()
	if s.sheets == 0 {
		if err := s.Table("", nil); err != nil {
			return err
		}
	}
	if err := s.flush(); err != nil {
		return err
	}
	// excelize builds the zip in a buffer before it writes it out; its zip
	// writer hook lets the zip go to out as it is made instead, so the
	// file is never whole in memory (the buffer stays empty).
	s.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(s.out) })
	return s.f.Write(io.Discard)
}
