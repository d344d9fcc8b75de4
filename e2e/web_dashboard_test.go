package e2e_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/lindungi/lindungi"
)

// TestWebDashboard: work is created through the API in Kebumen (3305) and
// Brebes (3329): three workers registered, three complaints taken in, one
// escalated by hand, one resolved with money recovered, one task left
// overdue and one claimed. Central Java's provincial supervisor signs in,
// opens the dashboard from the menu, and finds each figure as the JSON API
// answers it and as the test made it; the overdue figure's link opens the
// inbox with that task alone; on a 360-pixel phone the page does not
// scroll sideways.
func TestWebDashboard(t *testing.T) {
	s := startSystem(t)
	kebumen := s.user("caseworker-3305", "3305", lindungi.RoleCaseworker)
	brebes := s.user("caseworker-3329", "3329", lindungi.RoleCaseworker)
	brebesHead := s.user("supervisor-3329", "3329", lindungi.RoleSupervisor)
	province := s.user("province_supervisor-33", "33", lindungi.RoleProvinceSupervisor)

	register := func(u user, nw lindungi.NewWorker) lindungi.Worker {
		t.Helper()
		r := u.do(http.MethodPost, "/v1/workers", nw)
		if r.Status != http.StatusCreated {
			t.Fatalf("register %s: %d %s", nw.Name, r.Status, r.Body)
		}
		var w lindungi.Worker
		r.decode(t, &w)
		return w
	}
	ahmad := register(kebumen, lindungi.NewWorker{NIK: "3305012208970003", Name: "Ahmad Fauzi", BirthDate: "1997-08-22",
		DomicileUnit: "3305", Phone: "081234560003", Scheme: lindungi.SchemeG2G})
	budi := register(kebumen, lindungi.NewWorker{NIK: "3305011508950001", Name: "Budi Santoso", BirthDate: "1995-08-15",
		DomicileUnit: "3305", Phone: "081234560001", Scheme: lindungi.SchemeP2P, PlacementCompany: "PT Sinar Jaya", JobOrderRef: "JO-2026-17"})
	register(brebes, lindungi.NewWorker{NIK: "3329011508950002", Name: "Carsih", BirthDate: "1995-08-15",
		DomicileUnit: "3329", Phone: "081234560002", Scheme: lindungi.SchemeMandiri})

	intake := func(u user, nc lindungi.NewComplaint) lindungi.Case {
		t.Helper()
		r := u.do(http.MethodPost, "/v1/cases", nc)
		if r.Status != http.StatusCreated {
			t.Fatalf("intake: %d %s", r.Status, r.Body)
		}
		var pc lindungi.Case
		r.decode(t, &pc)
		return pc
	}
	family := lindungi.Complainant{Name: "Tarsih", Relation: lindungi.ComplainantFamily, Phone: "081322224444"}
	intake(kebumen, lindungi.NewComplaint{Channel: lindungi.ChannelWalkIn, Complainant: family, WorkerID: &ahmad.ID,
		Categories: []lindungi.CaseCategory{lindungi.CatUnpaidWages}, Country: "MY", Description: "Gaji tiga bulan belum dibayar.", Unit: "3305"})
	fees := intake(brebes, lindungi.NewComplaint{Channel: lindungi.ChannelHotline, Complainant: family,
		Subject:    &lindungi.CaseSubject{Name: "Warsini", DomicileUnit: "3329"},
		Categories: []lindungi.CaseCategory{lindungi.CatOverchargedFees, lindungi.CatJobFraud}, Country: "TW",
		Description: "Dimintai biaya penempatan dua kali lipat.", Unit: "3329"})
	paid := intake(brebes, lindungi.NewComplaint{Channel: lindungi.ChannelWalkIn, Complainant: family,
		Subject:    &lindungi.CaseSubject{Name: "Sumirah", DomicileUnit: "3329"},
		Categories: []lindungi.CaseCategory{lindungi.CatUnpaidWages}, Country: "HK",
		Description: "Gaji tidak dibayar sejak Juli.", Unit: "3329"})

	// Every journey and case has its first task.
	openTasks := func(unit string) []lindungi.Task {
		var list struct{ Items []lindungi.Task }
		province.do(http.MethodGet, "/v1/tasks?status=open&limit=500&unit="+unit, nil).decode(t, &list)
		return list.Items
	}
	eventually(t, "the first tasks", func() bool { return len(openTasks("3305")) == 3 && len(openTasks("3329")) == 3 })

	// Brebes' head of section escalates the fees case by hand; Brebes
	// resolves the wages case with Rp 15.000.000 recovered, which asks its
	// supervisor to approve the closure.
	if r := brebesHead.do(http.MethodPost, "/v1/cases/"+fees.ID.String()+"/escalate",
		map[string]string{"reason": "Melibatkan P3MI besar, perlu kepala seksi"}); r.Status != http.StatusOK {
		t.Fatalf("escalate: %d %s", r.Status, r.Body)
	}
	if r := brebes.do(http.MethodPost, "/v1/cases/"+paid.ID.String()+"/resolve",
		map[string]any{"resolution": "WAGES_PAID", "money_recovered_idr": 15_000_000}); r.Status != http.StatusOK {
		t.Fatalf("resolve: %d %s", r.Status, r.Body)
	}
	eventually(t, "the closure to wait for approval", func() bool { return len(openTasks("3329")) == 4 })

	// Kebumen's case worker claims Ahmad's verification. Budi's is left
	// overdue: its deadline is moved into the past in the database (the
	// journey's timer, days away, does not fire while the test reads).
	var claim lindungi.Task
	for _, task := range openTasks("3305") {
		switch {
		case task.WorkerID == ahmad.ID && task.Kind == lindungi.TaskVerifyRegistration:
			claim = task
		case task.WorkerID == budi.ID && task.Kind == lindungi.TaskVerifyRegistration:
			if _, err := s.db.SQL().Exec(`UPDATE tasks SET due_at = now() - interval '1 day', due_date = current_date - 2 WHERE id = $1`, task.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r := kebumen.do(http.MethodPost, "/v1/tasks/"+claim.ID.String()+"/claim", nil); r.Status != http.StatusOK {
		t.Fatalf("claim: %d %s", r.Status, r.Body)
	}

	// The JSON API, as the provincial supervisor, has what the test made.
	var tasks lindungi.TaskStats
	province.do(http.MethodGet, "/v1/stats/tasks", nil).decode(t, &tasks)
	var cases lindungi.CaseStats
	province.do(http.MethodGet, "/v1/stats/cases?unit=33", nil).decode(t, &cases)
	var res lindungi.ResolutionStats
	province.do(http.MethodGet, "/v1/stats/resolution", nil).decode(t, &res)
	var rec lindungi.RecoveryStats
	province.do(http.MethodGet, "/v1/stats/recovery", nil).decode(t, &rec)
	var journeys lindungi.JourneyStats
	province.do(http.MethodGet, "/v1/stats/journeys", nil).decode(t, &journeys)
	var load lindungi.WorkloadStats
	province.do(http.MethodGet, "/v1/stats/workload", nil).decode(t, &load)

	byUnit := func(rows []lindungi.UnitBacklog, unit string) lindungi.Backlog {
		for _, r := range rows {
			if r.Unit == unit {
				return r.Backlog
			}
		}
		return lindungi.Backlog{}
	}
	// Kebumen: two verifications (one overdue) and the wages case's
	// handling; Brebes: one verification, the two cases' handling (one
	// escalated) and the closure to approve.
	if got := byUnit(tasks.ByUnit, "3305"); got.Open != 3 || got.Overdue != 1 || got.Escalated != 0 {
		t.Errorf("Kebumen's tasks = %+v, want 3 open, 1 overdue", got)
	}
	if got := byUnit(tasks.ByUnit, "3329"); got.Open != 4 || got.Overdue != 0 || got.Escalated != 1 {
		t.Errorf("Brebes' tasks = %+v, want 4 open, 1 escalated", got)
	}
	if tasks.Total.Open != 7 || tasks.Total.Overdue != 1 || tasks.Total.Escalated != 1 {
		t.Errorf("Central Java's tasks = %+v", tasks.Total)
	}
	if got := byUnit(cases.ByUnit, "3329"); got.Open != 2 || got.Escalated != 1 {
		t.Errorf("Brebes' cases = %+v, want 2 open (one resolved, awaiting closure), 1 escalated", got)
	}
	if got := byUnit(cases.ByUnit, "3305"); got.Open != 1 || got.Escalated != 0 {
		t.Errorf("Kebumen's cases = %+v, want 1 open", got)
	}
	if f := cases.Flow.Month; f.Received != 3 || f.Resolved != 1 || f.Closed != 0 {
		t.Errorf("this month's complaints = %+v, want 3 received, 1 resolved", f)
	}
	if res.Total.Resolved != 1 || res.Total.Median != res.Total.P90 || res.Total.Median > 1 {
		t.Errorf("resolution = %+v, want the one case, in a day at most", res.Total)
	}
	if rec.Total != (lindungi.Recovery{AmountIDR: 15_000_000, Cases: 1}) {
		t.Errorf("recovered = %+v, want Rp 15.000.000 from 1 case", rec.Total)
	}
	registered := journeys.ByStep[1]
	if registered.Step != lindungi.StepRegistered || registered.G2G != 1 || registered.P2P != 1 || registered.Mandiri != 1 || journeys.Total != 3 {
		t.Errorf("journeys = %+v, want the three registered (the two complaint subjects have none)", journeys)
	}
	var held lindungi.OfficerLoad
	for _, o := range load.Officers {
		if o.Subject == "caseworker-3305" {
			held = o
		}
	}
	if held.OpenTasks != 1 {
		t.Errorf("Kebumen's case worker holds %+v, want 1 open task", held)
	}
	// Another province's figures, or a district's for a sibling, are not
	// Brebes' to read.
	if r := brebesHead.do(http.MethodGet, "/v1/stats/tasks?unit=3305", nil); r.Status != http.StatusForbidden {
		t.Errorf("Brebes reading Kebumen's figures = %d, want 403", r.Status)
	}

	// The dashboard, in the browser, from the menu.
	ctx := browserTab(t, "web-dashboard-360")
	signInAs(t, ctx, s, "province_supervisor-33")
	do(t, ctx, "open the dashboard", chromedp.Click(chromedp.CSS(`header nav a[href="/dasbor"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#tasks-unit`)))
	if h1 := run(t, ctx, "read the title", chromedp.Text(chromedp.CSS("h1"))); h1 != "Dasbor" {
		t.Errorf("the dashboard's title is %q", h1)
	}
	// Each table's rows as their cells' text, by the first cell.
	table := func(id string) map[string][]string {
		t.Helper()
		rows := run(t, ctx, "read "+id, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#`+id+` tbody tr")].map(tr =>
			[...tr.querySelectorAll("td")].map(td => td.innerText.trim()))`))
		out := map[string][]string{}
		for _, r := range rows {
			out[strings.Split(r[0], "\n")[0]] = r
		}
		return out
	}
	num := func(n int) string { return fmt.Sprint(n) }
	want := func(what string, got []string, cells ...string) {
		t.Helper()
		if len(got) < len(cells)+1 {
			t.Errorf("%s: row %v, want %v", what, got, cells)
			return
		}
		for i, c := range cells {
			if got[i+1] != c {
				t.Errorf("%s: column %d is %q, want %q (row %v)", what, i+1, got[i+1], c, got)
			}
		}
	}
	taskRows := table("tasks-unit")
	for unit, name := range map[string]string{"3305": "Kabupaten Kebumen", "3329": "Kabupaten Brebes"} {
		b := byUnit(tasks.ByUnit, unit)
		want("tasks of "+name, taskRows[name], num(b.Open), num(b.Overdue), num(b.Escalated))
	}
	caseRows := table("cases-unit")
	b := byUnit(cases.ByUnit, "3329")
	want("cases of Brebes", caseRows["Kabupaten Brebes"], num(b.Open), num(b.Overdue), num(b.Escalated))
	cats := table("cases-category")
	want("unpaid wages", cats["Gaji tidak dibayar"], "2") // the wages cases of Kebumen and Brebes
	flow := table("flow")
	want("this month", flow["Bulan ini"], num(cases.Flow.Month.Received), num(cases.Flow.Month.Resolved), num(cases.Flow.Month.Closed))
	money := table("recovery-category")
	want("money for unpaid wages", money["Gaji tidak dibayar"], "Rp 15.000.000", "1")
	steps := table("journeys-step")
	want("registered workers", steps["Terdaftar"], "1", "1", "1", "3")
	officers := table("workload")
	if row := officers[held.Name]; len(row) < 2 || row[1] != "1" {
		t.Errorf("the workload's row of %s is %v, want 1 open task", held.Name, row)
	}
	summary := run(t, ctx, "read the summary", chromedp.Text(chromedp.CSS(`.figures`)))
	for _, w := range []string{"Tugas terbuka\n" + num(tasks.Total.Open), "Tugas terlambat\n1", "Rp 15.000.000"} {
		if !strings.Contains(summary, w) {
			t.Errorf("the summary lacks %q:\n%s", w, summary)
		}
	}
	screenshot(t, ctx, "web-dashboard-desktop")

	// Kebumen's overdue figure opens the inbox with the overdue task alone.
	link := `#tasks-unit tbody tr:has(a[href="/dasbor?unit=3305&period=year"]) a[href="/?unit=3305&overdue=true"]`
	do(t, ctx, "open Kebumen's overdue tasks", chromedp.Click(chromedp.CSS(link)), chromedp.WaitVisible(chromedp.CSS(`#f-overdue`)))
	if loc := run(t, ctx, "location", chromedp.Location()); loc != s.baseURL+"/?unit=3305&overdue=true" {
		t.Errorf("the link opened %s", loc)
	}
	inbox := run(t, ctx, "read the inbox", chromedp.Text(chromedp.CSS("main")))
	if n := run(t, ctx, "count the tasks", chromedp.Evaluate[int](`document.querySelectorAll("table.cards tbody tr").length`)); n != 1 ||
		!strings.Contains(inbox, "Budi Santoso") || strings.Contains(inbox, "Ahmad Fauzi") {
		t.Errorf("the overdue list has %d tasks:\n%s", n, inbox)
	}

	// A phone: the dashboard fits 360 pixels. The last page, for the
	// screenshot.
	do(t, ctx, "a 360-pixel screen", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Navigate(s.baseURL+"/dasbor"),
		chromedp.WaitVisible(chromedp.CSS(`#workload`)))
	if w := run(t, ctx, "measure the page", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 360 {
		t.Errorf("at 360 px the dashboard is %d px wide: it scrolls sideways", w)
	}
}
