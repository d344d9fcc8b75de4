package web

import (
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/lindungi/lindungi"
)

// The supervisors' dashboard (GET /dasbor): the figures of a unit and
// below as bar charts drawn in SVG, each with the table it was drawn from
// under it. The table is what screen readers read (the SVG is hidden from
// them), and each figure in it links to the list behind it: the inbox, the
// case list, the worker list, with their filters.

// Periods the dashboard offers, as its period parameter.
const (
	PeriodMonth    = "month"
	PeriodYear     = "year"
	PeriodLastYear = "last-year"
	Period12Months = "12-months"
)

// Periods lists the periods in the order the form offers them.
var Periods = []string{PeriodMonth, PeriodYear, PeriodLastYear, Period12Months}

// PeriodDays is the first and last day (midnight WIB) of a period as of
// now; ok is false for a period the dashboard does not offer.
func PeriodDays(period string, now time.Time) (from, to time.Time, ok bool) {
	today := lindungi.DayOf(now)
	switch period {
	case PeriodMonth:
		return time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, wib), today, true
	case PeriodYear:
		return time.Date(today.Year(), 1, 1, 0, 0, 0, 0, wib), today, true
	case PeriodLastYear:
		return time.Date(today.Year()-1, 1, 1, 0, 0, 0, 0, wib), time.Date(today.Year()-1, 12, 31, 0, 0, 0, 0, wib), true
	case Period12Months:
		return time.Date(today.Year(), today.Month()-11, 1, 0, 0, 0, 0, wib), today, true
	}
	return time.Time{}, time.Time{}, false
}

// DashboardInput is what the dashboard shows: the figures of one unit and
// below, read at one instant, and the choices of its form.
type DashboardInput struct {
	Unit   string
	Period string // one of Periods
	// Units names the units by code; Choices are the units the user may
	// choose, as code and name pairs in order.
	Units   map[string]string
	Choices [][2]string

	Query      lindungi.StatsQuery
	Tasks      lindungi.TaskStats
	Cases      lindungi.CaseStats
	Resolution lindungi.ResolutionStats
	Recovery   lindungi.RecoveryStats
	Journeys   lindungi.JourneyStats
	Workload   lindungi.WorkloadStats
}

// DashboardPage is the data of views/dashboard.html.
type DashboardPage struct {
	Page
	Scope, PeriodText, AsOf string
	Units, Periods          []Option
	Summary                 []Figure

	TasksByUnit, TasksByKind               Chart
	Flow                                   Table
	CasesByUnit, CasesByCategory           Chart
	ResolutionByCategory, ResolutionByUnit Chart
	CalendarFallback                       bool
	RecoveryByMonth, RecoveryByCategory    Chart
	JourneysByStage                        Chart
	JourneysByStep                         Table
	Workload                               Chart
}

// Figure is one headline number and the list behind it.
type Figure struct {
	Label string
	Value string
	Href  string
}

// Chart is a bar chart and the table it was drawn from. Bars are laid out
// in a 320-unit-wide SVG that scales to the screen; the table under it is
// the chart for screen readers and holds the links.
type Chart struct {
	ID    string
	Title string
	Note  string
	Bars  []Bar
	Table Table
}

// BarMax is the length of the longest bar, and of the track each bar is
// drawn on.
func (c Chart) BarMax() int { return barMax }

// Height is the height of the chart's SVG.
func (c Chart) Height() int { return len(c.Bars)*barRow + 4 }

// Bar is one labelled bar of a chart, with its value written after it.
type Bar struct {
	Label string
	Text  string
	Class string // "late" for overdue work
	Width int    // of barMax
	Y     int
}

// Where a bar's parts go in its row.
func (b Bar) LabelY() int { return b.Y + 12 }
func (b Bar) BarY() int   { return b.Y + 16 }
func (b Bar) ValueX() int { return b.Width + 4 }
func (b Bar) ValueY() int { return b.Y + 26 }

const (
	barRow = 32  // height of one bar's row: label, then bar
	barMax = 220 // the longest bar, leaving room for its value
	// chartBars is the most bars a chart draws; its table lists every row.
	chartBars = 15
)

// bars draws values as bars, the largest barMax long.
func bars(labels, texts []string, values []float64, classes []string) []Bar {
	most := 0.0
	for _, v := range values {
		most = math.Max(most, v)
	}
	out := make([]Bar, 0, min(len(values), chartBars))
	for i, v := range values {
		if i == chartBars {
			break
		}
		w := 0
		if most > 0 {
			w = int(math.Round(v / most * barMax))
		}
		if v > 0 && w < 2 {
			w = 2
		}
		b := Bar{Label: labels[i], Text: texts[i], Width: w, Y: i * barRow}
		if classes != nil {
			b.Class = classes[i]
		}
		out = append(out, b)
	}
	return out
}

// NewDashboardPage lays out the figures of in on page.
func NewDashboardPage(page Page, in DashboardInput) DashboardPage {
	p := page.Printer
	d := DashboardPage{Page: page,
		Scope:      p.T("dashboard.scope", "Unit", unitName(in.Units, in.Unit)),
		PeriodText: p.T("dashboard.period_is", "From", p.Date(in.Query.From), "To", p.Date(in.Query.To)),
		AsOf:       p.T("dashboard.as_of", "Time", p.DateTime(in.Query.Now)),
	}
	for _, u := range in.Choices {
		d.Units = append(d.Units, Option{Value: u[0], Label: u[1], Selected: u[0] == in.Unit})
	}
	for _, pr := range Periods {
		d.Periods = append(d.Periods, Option{Value: pr, Label: p.T("dashboard.period." + pr), Selected: pr == in.Period})
	}
	l := links{unit: in.Unit, period: in.Query.Period()}
	month := in.Cases.Flow.Month
	d.Summary = []Figure{
		figure(p.T("dashboard.open_tasks"), p.Number(in.Tasks.Total.Open), in.Tasks.Total.Open, l.inbox("")),
		figure(p.T("dashboard.overdue_tasks"), p.Number(in.Tasks.Total.Overdue), in.Tasks.Total.Overdue, l.inbox("", "overdue", "true")),
		figure(p.T("dashboard.open_cases"), p.Number(in.Cases.Total.Open), in.Cases.Total.Open, l.cases("", "status", "open")),
		figure(p.T("dashboard.overdue_cases"), p.Number(in.Cases.Total.Overdue), in.Cases.Total.Overdue,
			l.cases("", "status", "open", "overdue", "true")),
		figure(p.T("dashboard.received_month"), p.Number(month.Received), month.Received,
			l.cases("", "received_from", month.From, "received_to", month.To)),
		figure(p.T("dashboard.median"), p.WorkingDayCount(in.Resolution.Total.Median), in.Resolution.Total.Resolved, l.resolved("")),
		figure(p.T("dashboard.recovered"), p.Money(in.Recovery.Total.AmountIDR), in.Recovery.Total.Cases, l.resolved("")),
	}
	d.TasksByUnit = backlogChart(p, "tasks-unit", p.T("dashboard.tasks_by_unit"), p.T("dashboard.col.unit"), in, in.Tasks.ByUnit, l, true)
	kinds := make([]lindungi.UnitBacklog, len(in.Tasks.ByKind))
	for i, k := range in.Tasks.ByKind {
		kinds[i] = lindungi.UnitBacklog{Unit: string(k.Kind), Name: p.TaskKind(k.Kind), Backlog: k.Backlog}
	}
	d.TasksByKind = backlogChart(p, "tasks-kind", p.T("dashboard.tasks_by_kind"), p.T("dashboard.col.kind"), in, kinds, l, true)
	d.Flow = flowTable(p, in.Cases.Flow, l)
	d.CasesByUnit = backlogChart(p, "cases-unit", p.T("dashboard.cases_by_unit"), p.T("dashboard.col.unit"), in, in.Cases.ByUnit, l, false)
	cats := make([]lindungi.UnitBacklog, len(in.Cases.ByCategory))
	for i, c := range in.Cases.ByCategory {
		cats[i] = lindungi.UnitBacklog{Unit: string(c.Category), Name: p.Category(c.Category), Backlog: c.Backlog}
	}
	d.CasesByCategory = backlogChart(p, "cases-category", p.T("dashboard.cases_by_category"), p.T("dashboard.col.category"), in, cats, l, false)
	d.CasesByCategory.Note = p.T("dashboard.categories_note")

	d.ResolutionByCategory, d.ResolutionByUnit = resolutionCharts(p, in, l)
	d.CalendarFallback = in.Resolution.CalendarFallback
	d.RecoveryByMonth, d.RecoveryByCategory = recoveryCharts(p, in, l)
	d.JourneysByStage, d.JourneysByStep = journeyCharts(p, in, l)
	d.Workload = workloadChart(p, in, l)
	return d
}

// backlogChart is a chart of open work by unit (byUnit: the rows are
// units, each row's links filter by it) or by kind or category (the rows'
// Unit is the kind's or category's code), with its table: open, overdue,
// escalated and the age of the oldest, each a link to its list.
func backlogChart(p *Printer, id, title, first string, in DashboardInput, rows []lindungi.UnitBacklog, l links, tasks bool) Chart {
	c := Chart{ID: id, Title: title, Table: Table{
		Caption: title,
		Headers: []string{first, p.T("dashboard.col.open"), p.T("dashboard.col.overdue"), p.T("dashboard.col.escalated"), p.T("dashboard.col.oldest")},
		Empty:   p.T("dashboard.none_open"),
	}}
	var labels, texts []string
	var values []float64
	for _, r := range rows {
		name := r.Name
		if r.Own {
			name = p.T("dashboard.own_level", "Unit", r.Name)
		}
		// Each row's lists: by unit, the unit's; by kind or category, the
		// dashboard's unit's, of that kind or category.
		unit, by := r.Unit, ""
		if !in.isUnit(r.Unit) {
			unit, by = in.Unit, r.Unit
		}
		rl := links{unit: unit, period: l.period}
		list := func(extra ...string) string {
			if tasks {
				return rl.inbox(by, extra...)
			}
			return rl.cases(by, append([]string{"status", "open"}, extra...)...)
		}
		labels, texts, values = append(labels, name), append(texts, p.Number(r.Open)), append(values, float64(r.Open))
		first := Cell{Text: name, Strong: true}
		if in.isUnit(r.Unit) && !r.Own && r.Unit != in.Unit {
			first.Href = dashboardURL(r.Unit, in.Period) // drill down
		}
		c.Table.Rows = append(c.Table.Rows, Row{Cells: []Cell{
			first,
			linked(p.Number(r.Open), r.Open, list()),
			linked(p.Number(r.Overdue), r.Overdue, list("overdue", "true")),
			linked(p.Number(r.Escalated), r.Escalated, list("escalated", "true")),
			{Text: p.Days(r.OldestDays)},
		}})
	}
	c.Bars = bars(labels, texts, values, nil)
	return c
}

// isUnit reports whether code is a unit's code rather than a kind's or
// category's.
func (in DashboardInput) isUnit(code string) bool {
	_, ok := in.Units[code]
	return ok
}

func flowTable(p *Printer, f lindungi.CaseFlow, l links) Table {
	t := Table{Caption: p.T("dashboard.flow"), Headers: []string{p.T("dashboard.col.when"), p.T("dashboard.col.received"),
		p.T("dashboard.col.resolved"), p.T("dashboard.col.closed")}}
	for _, row := range []struct {
		label  string
		counts lindungi.FlowCounts
	}{
		{p.T("dashboard.flow.month"), f.Month},
		{p.T("dashboard.flow.year"), f.Year},
		{p.T("dashboard.flow.period"), f.Period},
	} {
		c := row.counts
		t.Rows = append(t.Rows, Row{Cells: []Cell{
			{Text: row.label, Strong: true, Sub: p.Day(c.From) + " – " + p.Day(c.To)},
			linked(p.Number(c.Received), c.Received, l.cases("", "received_from", c.From, "received_to", c.To)),
			linked(p.Number(c.Resolved), c.Resolved, l.cases("", "resolved_from", c.From, "resolved_to", c.To)),
			linked(p.Number(c.Closed), c.Closed, l.cases("", "status", "closed", "closed_from", c.From, "closed_to", c.To)),
		}})
	}
	return t
}

func resolutionCharts(p *Printer, in DashboardInput, l links) (byCategory, byUnit Chart) {
	headers := func(first string) []string {
		return []string{first, p.T("dashboard.col.resolved"), p.T("dashboard.col.median"), p.T("dashboard.col.p90")}
	}
	row := func(name string, href string, r lindungi.ResolutionTime) Row {
		return Row{Cells: []Cell{{Text: name, Strong: true}, linked(p.Number(r.Resolved), r.Resolved, href),
			{Text: p.Decimal(r.Median)}, {Text: p.Decimal(r.P90)}}}
	}
	byCategory = Chart{ID: "resolution-category", Title: p.T("dashboard.resolution_by_category"), Note: p.T("dashboard.categories_note"),
		Table: Table{Caption: p.T("dashboard.resolution_by_category"), Headers: headers(p.T("dashboard.col.category")), Empty: p.T("dashboard.none_resolved")}}
	var labels, texts []string
	var values []float64
	for _, r := range in.Resolution.ByCategory {
		name := p.Category(r.Category)
		labels, texts, values = append(labels, name), append(texts, p.Decimal(r.Median)), append(values, r.Median)
		byCategory.Table.Rows = append(byCategory.Table.Rows, row(name, l.resolved(string(r.Category)), r.ResolutionTime))
	}
	byCategory.Bars = bars(labels, texts, values, nil)

	byUnit = Chart{ID: "resolution-unit", Title: p.T("dashboard.resolution_by_unit"),
		Table: Table{Caption: p.T("dashboard.resolution_by_unit"), Headers: headers(p.T("dashboard.col.unit")), Empty: p.T("dashboard.none_resolved")}}
	labels, texts, values = nil, nil, nil
	for _, r := range in.Resolution.ByUnit {
		name := r.Name
		if r.Own {
			name = p.T("dashboard.own_level", "Unit", r.Name)
		}
		labels, texts, values = append(labels, name), append(texts, p.Decimal(r.Median)), append(values, r.Median)
		byUnit.Table.Rows = append(byUnit.Table.Rows, row(name, links{unit: r.Unit, period: l.period}.resolved(""), r.ResolutionTime))
	}
	byUnit.Bars = bars(labels, texts, values, nil)
	return byCategory, byUnit
}

func recoveryCharts(p *Printer, in DashboardInput, l links) (byMonth, byCategory Chart) {
	headers := func(first string) []string {
		return []string{first, p.T("dashboard.col.amount"), p.T("dashboard.col.cases")}
	}
	byMonth = Chart{ID: "recovery-month", Title: p.T("dashboard.recovery_by_month"),
		Table: Table{Caption: p.T("dashboard.recovery_by_month"), Headers: headers(p.T("dashboard.col.month"))}}
	var labels, texts []string
	var values []float64
	for _, m := range in.Recovery.ByMonth {
		first, last, ok := monthDays(m.Month)
		if !ok {
			continue
		}
		name := p.Month(first)
		href := links{unit: l.unit, period: lindungi.Period{From: first.Format(time.DateOnly), To: last.Format(time.DateOnly)}}.resolved("")
		labels, texts, values = append(labels, name), append(texts, p.Money(m.AmountIDR)), append(values, float64(m.AmountIDR))
		byMonth.Table.Rows = append(byMonth.Table.Rows, Row{Cells: []Cell{{Text: name, Strong: true},
			linked(p.Money(m.AmountIDR), m.AmountIDR, href), linked(p.Number(m.Cases), m.Cases, href)}})
	}
	// The latest months are what a meeting asks about: draw those.
	if n := len(labels); n > chartBars {
		labels, texts, values = labels[n-chartBars:], texts[n-chartBars:], values[n-chartBars:]
	}
	byMonth.Bars = bars(labels, texts, values, nil)

	byCategory = Chart{ID: "recovery-category", Title: p.T("dashboard.recovery_by_category"), Note: p.T("dashboard.categories_note"),
		Table: Table{Caption: p.T("dashboard.recovery_by_category"), Headers: headers(p.T("dashboard.col.category")), Empty: p.T("dashboard.none_recovered")}}
	labels, texts, values = nil, nil, nil
	for _, c := range in.Recovery.ByCategory {
		name := p.Category(c.Category)
		href := l.resolved(string(c.Category))
		labels, texts, values = append(labels, name), append(texts, p.Money(c.AmountIDR)), append(values, float64(c.AmountIDR))
		byCategory.Table.Rows = append(byCategory.Table.Rows, Row{Cells: []Cell{{Text: name, Strong: true},
			linked(p.Money(c.AmountIDR), c.AmountIDR, href), linked(p.Number(c.Cases), c.Cases, href)}})
	}
	byCategory.Bars = bars(labels, texts, values, nil)
	return byMonth, byCategory
}

func journeyCharts(p *Printer, in DashboardInput, l links) (byStage Chart, byStep Table) {
	byStage = Chart{ID: "journeys-stage", Title: p.T("dashboard.journeys_by_stage"),
		Table: Table{Caption: p.T("dashboard.journeys_by_stage"), Headers: []string{p.T("dashboard.col.stage"), p.T("dashboard.col.workers")}}}
	var labels, texts []string
	var values []float64
	for _, s := range in.Journeys.ByStage {
		name := p.T("stage." + s.Stage)
		labels, texts, values = append(labels, name), append(texts, p.Number(s.Count)), append(values, float64(s.Count))
		byStage.Table.Rows = append(byStage.Table.Rows, Row{Cells: []Cell{{Text: name, Strong: true},
			linked(p.Number(s.Count), s.Count, l.workers("stage", s.Stage))}})
	}
	byStage.Bars = bars(labels, texts, values, nil)

	byStep = Table{Caption: p.T("dashboard.journeys_by_step"), Headers: []string{p.T("dashboard.col.step"), p.T("dashboard.col.g2g"),
		p.T("dashboard.col.p2p"), p.T("dashboard.col.mandiri"), p.T("dashboard.col.total")}}
	byStep.Empty = p.T("dashboard.no_journeys")
	for _, s := range in.Journeys.ByStep {
		if s.Total == 0 {
			continue // the stages above show where nobody is; the steps list where someone is
		}
		step := string(s.Step)
		byStep.Rows = append(byStep.Rows, Row{Cells: []Cell{{Text: p.Step(s.Step), Strong: true},
			linked(p.Number(s.G2G), s.G2G, l.workers("step", step, "scheme", string(lindungi.SchemeG2G))),
			linked(p.Number(s.P2P), s.P2P, l.workers("step", step, "scheme", string(lindungi.SchemeP2P))),
			linked(p.Number(s.Mandiri), s.Mandiri, l.workers("step", step, "scheme", string(lindungi.SchemeMandiri))),
			linked(p.Number(s.Total), s.Total, l.workers("step", step))}})
	}
	return byStage, byStep
}

func workloadChart(p *Printer, in DashboardInput, l links) Chart {
	c := Chart{ID: "workload", Title: p.T("dashboard.workload_chart"), Note: p.T("dashboard.workload_intro"),
		Table: Table{Caption: p.T("dashboard.workload_chart"), Headers: []string{p.T("dashboard.col.officer"), p.T("dashboard.col.open_tasks"),
			p.T("dashboard.col.overdue_tasks"), p.T("dashboard.col.cases_held")}, Empty: p.T("dashboard.no_officers")}}
	var labels, texts []string
	var values []float64
	for _, o := range in.Workload.Officers {
		labels, texts, values = append(labels, o.Name), append(texts, p.Number(o.OpenTasks)), append(values, float64(o.OpenTasks))
		held := l.inbox("", "assignee", o.Subject)
		c.Table.Rows = append(c.Table.Rows, Row{Cells: []Cell{{Text: o.Name, Strong: true, Sub: unitName(in.Units, o.Unit)},
			linked(p.Number(o.OpenTasks), o.OpenTasks, held),
			linked(p.Number(o.OverdueTasks), o.OverdueTasks, l.inbox("", "assignee", o.Subject, "overdue", "true")),
			linked(p.Number(o.CasesHeld), o.CasesHeld, l.inbox(string(lindungi.TaskCaseHandling), "assignee", o.Subject))}})
	}
	c.Bars = bars(labels, texts, values, nil)
	return c
}

// figure is a headline number, a link to href unless n, what it counts,
// is 0.
func figure(label, value string, n int, href string) Figure {
	if n == 0 {
		href = ""
	}
	return Figure{Label: label, Value: value, Href: href}
}

// linked is a cell showing text, a link to href when n is not 0: a zero
// has no list behind it worth opening.
func linked[N int | int64](text string, n N, href string) Cell {
	if n == 0 {
		return Cell{Text: text}
	}
	return Cell{Text: text, Href: href}
}

// links are the addresses of the lists behind the figures of a unit and a
// period.
type links struct {
	unit   string
	period lindungi.Period
}

// inbox is the inbox's address for the unit's open tasks, of kind when it
// is not "", with extra filters as name, value pairs.
func (l links) inbox(kind string, extra ...string) string {
	return listURL("/", append([]string{"unit", l.unit, "kind", kind}, extra...))
}

// cases is the case list's address for the cases the unit owns, of
// category when it is not "", with extra filters.
func (l links) cases(category string, extra ...string) string {
	return listURL("/kasus", append([]string{"unit", l.unit, "category", category}, extra...))
}

// resolved is the case list's address for the cases resolved in the
// period, of category when it is not "".
func (l links) resolved(category string) string {
	return l.cases(category, "resolved_from", l.period.From, "resolved_to", l.period.To)
}

// workers is the worker list's address for the workers domiciled at the
// unit and below, with extra filters.
func (l links) workers(extra ...string) string {
	return listURL("/pekerja", append([]string{"unit", l.unit}, extra...))
}

// listURL is path with the parameters given as name, value pairs that
// have a value, in the order given.
func listURL(path string, params []string) string {
	q := ""
	for i := 0; i+1 < len(params); i += 2 {
		if params[i+1] == "" {
			continue
		}
		if q != "" {
			q += "&"
		}
		q += url.QueryEscape(params[i]) + "=" + url.QueryEscape(params[i+1])
	}
	if q == "" {
		return path
	}
	return path + "?" + q
}

// dashboardURL is the dashboard of unit over period.
func dashboardURL(unit, period string) string {
	return listURL("/dasbor", []string{"unit", unit, "period", period})
}

// monthDays is the first and last day of month (YYYY-MM).
func monthDays(month string) (first, last time.Time, ok bool) {
	first, err := time.ParseInLocation("2006-01", month, wib)
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	return first, first.AddDate(0, 1, -1), true
}

// Number writes a count as its readers group digits: "1.234" in
// Indonesian, "1,234" in English.
func (p *Printer) Number(n int) string {
	sep := byte('.')
	if p.lang == English {
		sep = ','
	}
	s := strconv.Itoa(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, sep)
		}
		out = append(out, s[i])
	}
	return neg + string(out)
}

// Decimal writes a number of working days to one decimal, without it for
// a whole number: "4,5" in Indonesian, "4.5" in English, "3".
func (p *Printer) Decimal(f float64) string {
	r := math.Round(f*10) / 10
	if r == math.Trunc(r) {
		return p.Number(int(r))
	}
	s := strconv.FormatFloat(r, 'f', 1, 64)
	whole, frac := s[:len(s)-2], s[len(s)-1:]
	n, _ := strconv.Atoi(whole)
	sep := ","
	if p.lang == English {
		sep = "."
	}
	if whole == "-0" {
		return "-0" + sep + frac
	}
	return p.Number(n) + sep + frac
}

// WorkingDayCount writes a number of working days: "4,5 hari kerja".
func (p *Printer) WorkingDayCount(f float64) string {
	return p.T("dashboard.working_days", "Days", p.Decimal(f))
}

// Days writes a number of calendar days: "30 hari", "1 day".
func (p *Printer) Days(n int) string { return p.T("dashboard.days", "Count", n) }

// Month writes the month of t: "Nov 2026".
func (p *Printer) Month(t time.Time) string {
	t = t.In(wib)
	return monthNames[p.lang][t.Month()-1] + " " + strconv.Itoa(t.Year())
}
