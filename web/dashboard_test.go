package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
)

// dashboardFixture is Central Java's dashboard for 2026 as of 23 December.
func dashboardFixture(lang string) DashboardPage {
	now := time.Date(2026, 12, 23, 14, 30, 0, 0, lindungi.WIB)
	from, to, _ := PeriodDays(PeriodYear, now)
	q := lindungi.StatsQuery{Unit: "33", From: from, To: to, Now: now}
	bl := func(open, overdue, escalated, oldest int) lindungi.Backlog {
		return lindungi.Backlog{Open: open, Overdue: overdue, Escalated: escalated, OldestDays: oldest}
	}
	units := map[string]string{"33": "Provinsi Jawa Tengah", "3305": "Kabupaten Kebumen", "3329": "Kabupaten Brebes"}
	in := DashboardInput{Unit: "33", Period: PeriodYear, Units: units,
		Choices: [][2]string{{"33", "Provinsi Jawa Tengah"}, {"3305", "Kabupaten Kebumen"}, {"3329", "Kabupaten Brebes"}},
		Query:   q,
		Tasks: lindungi.TaskStats{Unit: "33", Total: bl(1240, 310, 45, 61),
			ByUnit: []lindungi.UnitBacklog{
				{Unit: "3305", Name: "Kabupaten Kebumen", Backlog: bl(1000, 300, 40, 61)},
				{Unit: "33", Name: "Provinsi Jawa Tengah", Own: true, Backlog: bl(200, 10, 5, 12)},
				{Unit: "3329", Name: "Kabupaten Brebes", Backlog: bl(40, 0, 0, 3)},
			},
			ByKind: []lindungi.KindBacklog{{Kind: lindungi.TaskVerifyRegistration, Backlog: bl(1240, 310, 45, 61)}}},
		Cases: lindungi.CaseStats{Unit: "33", Total: bl(3, 1, 1, 30),
			ByUnit:     []lindungi.UnitBacklog{{Unit: "3329", Name: "Kabupaten Brebes", Backlog: bl(3, 1, 1, 30)}},
			ByCategory: []lindungi.CategoryBacklog{{Category: lindungi.CatUnpaidWages, Backlog: bl(3, 1, 1, 30)}},
			Flow: lindungi.CaseFlow{
				Month:  lindungi.FlowCounts{Period: lindungi.Period{From: "2026-12-01", To: "2026-12-31"}, Received: 2, Resolved: 1},
				Year:   lindungi.FlowCounts{Period: lindungi.Period{From: "2026-01-01", To: "2026-12-31"}, Received: 40, Resolved: 30, Closed: 28},
				Period: lindungi.FlowCounts{Period: lindungi.Period{From: "2026-01-01", To: "2026-12-23"}, Received: 40, Resolved: 30, Closed: 28},
			}},
		Resolution: lindungi.ResolutionStats{Unit: "33", Period: q.Period(),
			Total:      lindungi.ResolutionTime{Resolved: 30, Median: 7.5, P90: 12.7},
			ByCategory: []lindungi.CategoryResolution{{Category: lindungi.CatUnpaidWages, ResolutionTime: lindungi.ResolutionTime{Resolved: 30, Median: 7.5, P90: 12.7}}},
			ByUnit:     []lindungi.UnitResolution{{Unit: "3329", Name: "Kabupaten Brebes", ResolutionTime: lindungi.ResolutionTime{Resolved: 30, Median: 7.5, P90: 12.7}}}},
		Recovery: lindungi.RecoveryStats{Unit: "33", Period: q.Period(), Total: lindungi.Recovery{AmountIDR: 62_500_000, Cases: 4},
			ByMonth: []lindungi.MonthRecovery{{Month: "2026-11", Recovery: lindungi.Recovery{}},
				{Month: "2026-12", Recovery: lindungi.Recovery{AmountIDR: 62_500_000, Cases: 4}}},
			ByCategory: []lindungi.CategoryRecovery{{Category: lindungi.CatUnpaidWages, Recovery: lindungi.Recovery{AmountIDR: 62_500_000, Cases: 4}}}},
		Journeys: lindungi.JourneyStats{Unit: "33", Total: 3, ByStep: []lindungi.StepCount{{Step: lindungi.StepRegistered},
			{Step: lindungi.StepTraining, G2G: 1, P2P: 2, Total: 3}},
			ByStage: lindungi.Stages([]lindungi.StepCount{{Step: lindungi.StepTraining, G2G: 1, P2P: 2, Total: 3}})},
		Workload: lindungi.WorkloadStats{Unit: "33", Officers: []lindungi.OfficerLoad{
			{Subject: "caseworker-3305", Name: "Demo caseworker 3305", Unit: "3305", OpenTasks: 2, OverdueTasks: 1, CasesHeld: 1},
			{Subject: "verifier-3305", Name: "Demo verifier 3305", Unit: "3305"}}},
	}
	return NewDashboardPage(testPage(lang), in)
}

func TestDashboardPageView(t *testing.T) {
	res, body := render(t, "dashboard", dashboardFixture(Indonesian))
	checkHeaders(t, res)
	checkMarkup(t, body)
	for _, want := range []string{
		"Provinsi Jawa Tengah dan unit di bawahnya", "Periode 1 Jan 2026 – 23 Des 2026", "Data langsung per 23 Des 2026 14.30 WIB",
		// Headline figures, each a link to its list.
		`<a class="figure-value" href="/?unit=33">1.240</a>`,
		`<a class="figure-value" href="/?unit=33&amp;overdue=true">310</a>`,
		`<a class="figure-value" href="/kasus?unit=33&amp;status=open&amp;overdue=true">1</a>`,
		`<a class="figure-value" href="/kasus?unit=33&amp;resolved_from=2026-01-01&amp;resolved_to=2026-12-23">7,5 hari kerja</a>`,
		"Rp 62.500.000",
		// By unit: a district links to its lists and its own dashboard;
		// the province's own level says so.
		`<a href="/?unit=3305&amp;overdue=true">300</a>`, `<a href="/?unit=3305&amp;escalated=true">40</a>`,
		`<a href="/dasbor?unit=3305&amp;period=year" class="strong">Kabupaten Kebumen</a>`,
		"Provinsi Jawa Tengah (tingkat ini)", "61 hari",
		// By kind and category: the dashboard's unit, of that kind.
		`<a href="/?unit=33&amp;kind=VERIFY_REGISTRATION&amp;overdue=true">310</a>`,
		`<a href="/kasus?unit=33&amp;category=UNPAID_WAGES&amp;status=open">3</a>`,
		// The flow, by the dates each count is over.
		`<a href="/kasus?unit=33&amp;status=closed&amp;closed_from=2026-01-01&amp;closed_to=2026-12-31">28</a>`,
		"7,5", "12,7", "Nov 2026", "Des 2026",
		`<a href="/kasus?unit=33&amp;resolved_from=2026-12-01&amp;resolved_to=2026-12-31">Rp 62.500.000</a>`,
		// Journeys and workload.
		`<a href="/pekerja?unit=33&amp;step=TRAINING&amp;scheme=P2P">2</a>`, "Pelatihan",
		`<a href="/?unit=33&amp;assignee=caseworker-3305&amp;overdue=true">1</a>`, "Demo verifier 3305",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %s", want)
		}
	}
	// The steps list where someone is.
	steps := body[strings.Index(body, `id="journeys-step"`):]
	steps = steps[:strings.Index(steps, "</table>")]
	if strings.Contains(steps, ">Terdaftar<") || !strings.Contains(steps, ">Pelatihan<") {
		t.Error("the table of steps lists a step nobody is at, or lacks one")
	}
	// A zero is no link: nothing behind it.
	if strings.Contains(body, `">0</a>`) || strings.Contains(body, `>Rp 0</a>`) {
		t.Error("a zero is a link")
	}
	// Charts are hidden from screen readers, which read the tables; the
	// longest bar of a chart is the full length, the others in proportion.
	if n := strings.Count(body, `<svg class="bars"`); n != strings.Count(body, `aria-hidden="true"`) || n < 8 {
		t.Errorf("%d charts, %d hidden from screen readers", n, strings.Count(body, `aria-hidden="true"`))
	}
	chart := body[strings.Index(body, `id="tasks-unit"`):]
	chart = chart[:strings.Index(chart, "</svg>")]
	widths := regexp.MustCompile(`<rect class="bar" x="0" y="\d+" width="(\d+)"`).FindAllStringSubmatch(chart, -1)
	if len(widths) != 3 || widths[0][1] != "220" || widths[1][1] != "44" || widths[2][1] != "9" {
		t.Errorf("bars of 1000, 200 and 40 = %v, want 220, 44 and 9", widths)
	}
	// Every table of the page follows its chart, or stands alone.
	if strings.Count(body, "<table") < 12 {
		t.Errorf("%d tables", strings.Count(body, "<table"))
	}
}

// TestDashboardPageEmpty: a unit with nothing yet says so, and links no
// zero.
func TestDashboardPageEmpty(t *testing.T) {
	now := time.Date(2026, 12, 23, 14, 30, 0, 0, lindungi.WIB)
	from, to, _ := PeriodDays(PeriodMonth, now)
	q := lindungi.StatsQuery{Unit: "3301", From: from, To: to, Now: now}
	_, body := render(t, "dashboard", NewDashboardPage(testPage(Indonesian), DashboardInput{Unit: "3301", Period: PeriodMonth,
		Units: testUnits, Choices: [][2]string{{"3301", "Kabupaten Cilacap"}}, Query: q,
		Journeys: lindungi.JourneyStats{ByStage: lindungi.Stages(nil)}}))
	checkMarkup(t, body)
	if strings.Contains(body, `<a class="figure-value"`) || strings.Contains(body, `">0</a>`) {
		t.Error("a zero is a link")
	}
	for _, want := range []string{"Tidak ada yang terbuka.", "Tidak ada pengaduan yang terselesaikan dalam periode ini.",
		"Belum ada pekerja terdaftar di unit ini.", "Tidak ada petugas di unit ini.", "Rp 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("the empty dashboard lacks %q", want)
		}
	}
}

func TestDashboardPageEnglish(t *testing.T) {
	_, body := render(t, "dashboard", dashboardFixture(English))
	for _, want := range []string{"<h1>Dashboard</h1>", "1,240", "7.5 working days", "Open tasks by unit", "Provinsi Jawa Tengah (this level)",
		"61 days", "Dec 2026", "Workers by stage", "Live figures as of 23 Dec 2026 14:30 WIB"} {
		if !strings.Contains(body, want) {
			t.Errorf("the English dashboard lacks %q", want)
		}
	}
}

func TestNumbers(t *testing.T) {
	id, en := NewPrinter(Indonesian), NewPrinter(English)
	for _, tt := range []struct {
		got, want string
	}{
		{id.Number(0), "0"}, {id.Number(999), "999"}, {id.Number(1240), "1.240"}, {en.Number(2_000_000), "2,000,000"},
		{id.Number(-1240), "-1.240"},
		{id.Decimal(3), "3"}, {id.Decimal(7.5), "7,5"}, {en.Decimal(7.5), "7.5"}, {id.Decimal(3.8000000000000003), "3,8"},
		{id.Decimal(1234.25), "1.234,3"}, {id.Decimal(0.04), "0"},
		{id.Days(1), "1 hari"}, {en.Days(1), "1 day"}, {en.Days(30), "30 days"},
		{id.Month(time.Date(2026, 8, 1, 0, 0, 0, 0, lindungi.WIB)), "Agu 2026"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestPeriodDays(t *testing.T) {
	// 10 January 2027, 02.00 WIB (still 9 January in UTC).
	now := time.Date(2027, 1, 9, 19, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, lindungi.WIB) }
	for period, want := range map[string][2]time.Time{
		PeriodMonth:    {day(2027, 1, 1), day(2027, 1, 10)},
		PeriodYear:     {day(2027, 1, 1), day(2027, 1, 10)},
		PeriodLastYear: {day(2026, 1, 1), day(2026, 12, 31)},
		Period12Months: {day(2026, 2, 1), day(2027, 1, 10)},
	} {
		from, to, ok := PeriodDays(period, now)
		if !ok || !from.Equal(want[0]) || !to.Equal(want[1]) {
			t.Errorf("%s = %v to %v (%v), want %v to %v", period, from, to, ok, want[0], want[1])
		}
	}
	if _, _, ok := PeriodDays("forever", now); ok {
		t.Error("a period the form does not offer")
	}
}
