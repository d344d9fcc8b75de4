package web

import (
	"net/url"

	"github.com/lindungi/lindungi"
)

// The monthly report page (views/report.html) and the tables of the
// recaps, which the page shows and the CSV and XLSX files hold.

// ReportPage is the data of views/report.html: the month and unit asked,
// the head of the report, and the two recaps with their downloads.
type ReportPage struct {
	Page
	Month  Field
	Unit   Select
	Head   SheetHead
	Recaps []RecapSection
}

// RecapSection is one recap on the page: its title, its totals, its
// downloads and its tables.
type RecapSection struct {
	ID        string
	Title     string
	Totals    []Fact
	Downloads []Link
	Tables    []Table
}

// Link is a link with its words.
type Link struct {
	URL   string
	Label string
}

// ReportTable is a table of a recap: the rows of one breakdown (category,
// channel, ...), each with its code, its words and its figures (int or
// Rupiah), the total last where the rows add up.
type ReportTable struct {
	Title   string // "Menurut kategori"
	Sheet   string // the worksheet's name: "Kategori"
	Columns []string
	Rows    []ReportRow
	Note    string
}

// ReportRow is a line of a ReportTable.
type ReportRow struct {
	Code   string
	Label  string
	Values []any
	Total  bool
}

// ComplaintTables are the tables of a complaints recap. units names the
// units by code.
func (p *Printer) ComplaintTables(r lindungi.ComplaintRecap, units map[string]string) []ReportTable {
	cols := func(first string) []string {
		return []string{p.T("report.code"), first, p.T("report.received"), p.T("report.resolved"), p.T("report.closed"),
			p.T("report.money")}
	}
	rows := func(rs []lindungi.RecapRow, label func(string) string) []ReportRow {
		out := make([]ReportRow, 0, len(rs))
		for _, x := range rs {
			out = append(out, ReportRow{Code: x.Key, Label: label(x.Key),
				Values: []any{x.Received, x.Resolved, x.Closed, Rupiah(x.MoneyRecovered)}})
		}
		return out
	}
	total := ReportRow{Label: p.T("report.total"), Total: true,
		Values: []any{r.Total.Received, r.Total.Resolved, r.Total.Closed, Rupiah(r.Total.MoneyRecovered)}}
	country := func(c string) string {
		if c == "" {
			return p.T("report.no_country")
		}
		return p.Country(c)
	}
	return []ReportTable{
		{Title: p.T("report.by_category"), Sheet: p.T("report.sheet_category"), Columns: cols(p.T("report.category")),
			Rows: rows(r.ByCategory, func(k string) string { return p.Category(lindungi.CaseCategory(k)) }), Note: p.T("report.category_note")},
		{Title: p.T("report.by_channel"), Sheet: p.T("report.sheet_channel"), Columns: cols(p.T("report.channel")),
			Rows: append(rows(r.ByChannel, p.Channel), total)},
		{Title: p.T("report.by_country"), Sheet: p.T("report.sheet_country"), Columns: cols(p.T("report.country")),
			Rows: append(rows(r.ByCountry, country), total)},
		{Title: p.T("report.by_unit"), Sheet: p.T("report.sheet_unit"), Columns: cols(p.T("report.unit")),
			Rows: append(rows(r.ByUnit, func(k string) string { return unitName(units, k) }), total)},
	}
}

// PlacementTables are the tables of a placements recap.
func (p *Printer) PlacementTables(r lindungi.PlacementRecap, units map[string]string) []ReportTable {
	cols := func(first string) []string {
		return []string{p.T("report.code"), first, p.T("report.registered"), p.T("report.departed"), p.T("report.returned"),
			p.T("report.active")}
	}
	rows := func(rs []lindungi.PlacementRow, label func(string) string) []ReportRow {
		out := make([]ReportRow, 0, len(rs)+1)
		for _, x := range rs {
			out = append(out, ReportRow{Code: x.Key, Label: label(x.Key), Values: []any{x.Registered, x.Departed, x.Returned, x.Active}})
		}
		return out
	}
	total := ReportRow{Label: p.T("report.total"), Total: true,
		Values: []any{r.Total.Registered, r.Total.Departed, r.Total.Returned, r.Total.Active}}
	var steps []ReportRow
	for _, s := range r.ByStep {
		steps = append(steps, ReportRow{Code: string(s.Step), Label: p.Step(s.Step), Values: []any{s.Entered, s.AtEnd}})
	}
	return []ReportTable{
		{Title: p.T("report.by_step"), Sheet: p.T("report.sheet_step"),
			Columns: []string{p.T("report.code"), p.T("report.step"), p.T("report.entered"), p.T("report.at_end")},
			Rows:    steps, Note: p.T("report.step_note")},
		{Title: p.T("report.by_scheme"), Sheet: p.T("report.sheet_scheme"), Columns: cols(p.T("report.scheme")),
			Rows: append(rows(r.ByScheme, func(k string) string { return p.Scheme(lindungi.Scheme(k)) }), total)},
		{Title: p.T("report.by_unit"), Sheet: p.T("report.sheet_unit"), Columns: cols(p.T("report.unit")),
			Rows: append(rows(r.ByUnit, func(k string) string { return unitName(units, k) }), total)},
	}
}

// HTML is the table as the page shows it: the words with the code under
// them, counts and money as people read them.
func (p *Printer) HTML(t ReportTable) Table {
	out := Table{Caption: t.Title, Headers: t.Columns[1:], Empty: p.T("report.none")}
	if len(t.Rows) == 1 && t.Rows[0].Total {
		return out // a total of nothing
	}
	for _, r := range t.Rows {
		row := Row{Cells: []Cell{{Text: r.Label, Sub: r.Code, Strong: r.Total}}}
		if r.Total {
			row.Class = "total"
		}
		for _, v := range r.Values {
			row.Cells = append(row.Cells, Cell{Text: p.figure(v), Strong: r.Total})
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// figure writes a count or an amount.
func (p *Printer) figure(v any) string {
	switch v := v.(type) {
	case Rupiah:
		return p.Money(int64(v))
	case int:
		return p.Count(v)
	}
	return ""
}

// Count writes a whole number with the dots Indonesians group digits by:
// "1.250".
func (p *Printer) Count(n int) string {
	s := p.Money(int64(n))
	return s[len("Rp "):]
}

// WriteReport writes the tables to sw, one table (a worksheet in XLSX)
// each: code, words, figures. The caller closes sw.
func WriteReport(sw SheetWriter, tables []ReportTable) error {
	for _, t := range tables {
		if err := sw.Table(t.Sheet, t.Columns); err != nil {
			return err
		}
		for _, r := range t.Rows {
			if len(t.Rows) == 1 && r.Total {
				break
			}
			vals := append([]any{r.Code, r.Label}, r.Values...)
			if err := sw.Row(vals...); err != nil {
				return err
			}
		}
		if t.Note != "" {
			if err := sw.Row("", t.Note); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReportURL is the address of a report's file.
func ReportURL(path string, m lindungi.Month, unit, format string) string {
	q := url.Values{"month": {m.String()}, "unit": {unit}, "format": {format}}
	return path + "?" + q.Encode()
}

// ComplaintTotals are the figures of a complaints recap in words.
func (p *Printer) ComplaintTotals(r lindungi.ComplaintRecap) []Fact {
	return []Fact{
		{Label: p.T("report.received"), Value: p.Count(r.Total.Received)},
		{Label: p.T("report.resolved"), Value: p.Count(r.Total.Resolved)},
		{Label: p.T("report.closed"), Value: p.Count(r.Total.Closed)},
		{Label: p.T("report.money"), Value: p.Money(r.Total.MoneyRecovered)},
	}
}

// PlacementTotals are the figures of a placements recap in words.
func (p *Printer) PlacementTotals(r lindungi.PlacementRecap) []Fact {
	return []Fact{
		{Label: p.T("report.registered"), Value: p.Count(r.Total.Registered)},
		{Label: p.T("report.departed"), Value: p.Count(r.Total.Departed)},
		{Label: p.T("report.returned"), Value: p.Count(r.Total.Returned)},
		{Label: p.T("report.active"), Value: p.Count(r.Total.Active)},
	}
}
